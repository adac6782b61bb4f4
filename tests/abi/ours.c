// SPDX-License-Identifier: GPL-2.0
/*
 * Our uapi header must be the upstream ABI, checked twice: at compile time
 * against the numbers (FACTS), and at run time against the system's own
 * <linux/vsockmon.h> from the distribution's kernel headers (system.c).
 */
#include <stdio.h>
#include <string.h>
#include "../../include/uapi/linux/vsockmon.h"
#include "layout.h"

_Static_assert(sizeof(struct af_vsockmon_hdr) == 32, "size");
_Static_assert(offsetof(struct af_vsockmon_hdr, src_cid) == 0, "src_cid");
_Static_assert(offsetof(struct af_vsockmon_hdr, dst_cid) == 8, "dst_cid");
_Static_assert(offsetof(struct af_vsockmon_hdr, src_port) == 16, "src_port");
_Static_assert(offsetof(struct af_vsockmon_hdr, dst_port) == 20, "dst_port");
_Static_assert(offsetof(struct af_vsockmon_hdr, op) == 24, "op");
_Static_assert(offsetof(struct af_vsockmon_hdr, transport) == 26, "transport");
_Static_assert(offsetof(struct af_vsockmon_hdr, len) == 28, "len");
_Static_assert(offsetof(struct af_vsockmon_hdr, reserved) == 30, "reserved");
_Static_assert(AF_VSOCK_OP_PAYLOAD == 4 && AF_VSOCK_TRANSPORT_VIRTIO == 2,
	       "enumerators");
_Static_assert(ARPHRD_VSOCKMON == 826, "ARPHRD_VSOCKMON");

int main(void)
{
	struct hdr_layout ours = HDR_LAYOUT(af_vsockmon_hdr), sys;

	system_layout(&sys);
	if (memcmp(&ours, &sys, sizeof(ours))) {
		printf("not ok - our af_vsockmon_hdr differs from <linux/vsockmon.h>\n");
		return 1;
	}
	printf("ok - af_vsockmon_hdr matches <linux/vsockmon.h> (%zu bytes)\n",
	       ours.size);
	return 0;
}
