/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Decoding one captured vsock frame (LINKTYPE_VSOCK) and printing it.
 */
#ifndef VSOCKMON_FRAME_H
#define VSOCKMON_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#define AF_HDR_LEN 32
#define VIRTIO_HDR_LEN 44

/*
 * struct virtio_vsock_hdr and its enums come from the uapi header (Linux
 * 4.8); the fallbacks are for libcs without it, and for headers older
 * than SEQPACKET (Linux 5.14, which added VIRTIO_VSOCK_F_SEQPACKET too).
 */
#if __has_include(<linux/virtio_vsock.h>)
#include <linux/virtio_vsock.h>
#else
#include <linux/types.h>
struct virtio_vsock_hdr {
	__le64 src_cid;
	__le64 dst_cid;
	__le32 src_port;
	__le32 dst_port;
	__le32 len;
	__le16 type;
	__le16 op;
	__le32 flags;
	__le32 buf_alloc;
	__le32 fwd_cnt;
} __attribute__((packed));
enum virtio_vsock_type { VIRTIO_VSOCK_TYPE_STREAM = 1 };
enum virtio_vsock_op {
	VIRTIO_VSOCK_OP_INVALID, VIRTIO_VSOCK_OP_REQUEST,
	VIRTIO_VSOCK_OP_RESPONSE, VIRTIO_VSOCK_OP_RST, VIRTIO_VSOCK_OP_SHUTDOWN,
	VIRTIO_VSOCK_OP_RW, VIRTIO_VSOCK_OP_CREDIT_UPDATE,
	VIRTIO_VSOCK_OP_CREDIT_REQUEST,
};
#endif
#ifndef VIRTIO_VSOCK_F_SEQPACKET
#define VIRTIO_VSOCK_TYPE_SEQPACKET 2
#endif

_Static_assert(sizeof(struct virtio_vsock_hdr) == VIRTIO_HDR_LEN,
	       "virtio_vsock_hdr is 44 bytes on the wire");

struct vsock_frame {
	uint32_t caplen, len;
	uint64_t src_cid, dst_cid;
	uint32_t src_port, dst_port;
	uint16_t op, transport, hlen;
	bool has_virtio;	/* transport VIRTIO and the header was captured */
	bool hdr_truncated;	/* transport header cut by the snap length */
	uint16_t vtype, vop;
	uint32_t vflags, vlen, buf_alloc, fwd_cnt;
	uint32_t payload_len;	/* payload bytes on the wire */
};

/* Returns 0, or -1 if fewer than 32 bytes were captured. */
int vsock_decode(const uint8_t *data, uint32_t caplen, uint32_t len,
		 struct vsock_frame *f);
/*
 * The wire length the frame's virtio header states: Linux 6.1.y's vhost
 * hands the tap, for a packet it splits, frames that carry the rest of
 * the packet beyond the header's len. len itself for any other frame.
 */
uint32_t vsock_stated_len(const uint8_t *data, uint32_t caplen, uint32_t len);
/* "connect", ... for af_vsockmon_hdr.op; NULL if unknown. */
const char *op_name(uint16_t op);
/* One readable line, no newline. Always NUL-terminates buf. */
void vsock_format(char *buf, size_t sz, const struct timeval *ts,
		  const uint8_t *data, uint32_t caplen, uint32_t len);
/*
 * VSOCK_FMT_HEADERS: only the headers were asked for (capture without
 * -w), so a payload left out is no news: "[captured X of Y bytes]" only
 * when the headers themselves were cut.
 */
#define VSOCK_FMT_HEADERS 1u
void vsock_format_opt(char *buf, size_t sz, const struct timeval *ts,
		      const uint8_t *data, uint32_t caplen, uint32_t len,
		      unsigned int flags);

#endif
