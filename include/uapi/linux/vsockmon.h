/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The frame a vsock monitor device hands to packet sockets
 * (pcap LINKTYPE_VSOCK, 271). Byte-for-byte the upstream ABI: every field
 * is little-endian and the struct is 32 bytes without packing. The
 * transport header (hdr.len bytes) follows, then any payload.
 *
 * The guard matches upstream's so the two definitions never collide.
 */
#ifndef _UAPI_VSOCKMON_H
#define _UAPI_VSOCKMON_H

#include <linux/types.h>

#ifndef ARPHRD_VSOCKMON
#define ARPHRD_VSOCKMON 826
#endif

struct af_vsockmon_hdr {
	__le64 src_cid;
	__le64 dst_cid;
	__le32 src_port;
	__le32 dst_port;
	__le16 op;		/* enum af_vsockmon_op */
	__le16 transport;	/* enum af_vsockmon_transport */
	__le16 len;		/* transport header length */
	__u8 reserved[2];
};

enum af_vsockmon_op {
	AF_VSOCK_OP_UNKNOWN = 0,
	AF_VSOCK_OP_CONNECT = 1,
	AF_VSOCK_OP_DISCONNECT = 2,
	AF_VSOCK_OP_CONTROL = 3,
	AF_VSOCK_OP_PAYLOAD = 4,
};

enum af_vsockmon_transport {
	AF_VSOCK_TRANSPORT_UNKNOWN = 0,
	AF_VSOCK_TRANSPORT_NO_INFO = 1,	/* no transport header */
	AF_VSOCK_TRANSPORT_VIRTIO = 2,	/* struct virtio_vsock_hdr follows */
};

#endif /* _UAPI_VSOCKMON_H */
