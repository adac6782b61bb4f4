/* SPDX-License-Identifier: GPL-2.0 */
/* Size and field offsets of one af_vsockmon_hdr definition. */
#ifndef VSOCKMON_TEST_LAYOUT_H
#define VSOCKMON_TEST_LAYOUT_H

#include <stddef.h>

struct hdr_layout {
	size_t size;
	size_t off[8];	/* src_cid dst_cid src_port dst_port op transport len reserved */
	long values[7];	/* op and transport enumerators, ARPHRD_VSOCKMON */
};

#define HDR_LAYOUT(T) {							\
	.size = sizeof(struct T),					\
	.off = { offsetof(struct T, src_cid), offsetof(struct T, dst_cid), \
		 offsetof(struct T, src_port), offsetof(struct T, dst_port), \
		 offsetof(struct T, op), offsetof(struct T, transport),	\
		 offsetof(struct T, len), offsetof(struct T, reserved) }, \
	.values = { AF_VSOCK_OP_CONNECT, AF_VSOCK_OP_DISCONNECT,	\
		    AF_VSOCK_OP_CONTROL, AF_VSOCK_OP_PAYLOAD,		\
		    AF_VSOCK_TRANSPORT_NO_INFO, AF_VSOCK_TRANSPORT_VIRTIO, \
		    ARPHRD_VSOCKMON },					\
}

void system_layout(struct hdr_layout *out);

#endif
