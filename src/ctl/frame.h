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

/* struct virtio_vsock_hdr as it appears on the wire (all little-endian). */
struct vsock_virtio_wire {
	uint64_t src_cid;
	uint64_t dst_cid;
	uint32_t src_port;
	uint32_t dst_port;
	uint32_t len;
	uint16_t type;
	uint16_t op;
	uint32_t flags;
	uint32_t buf_alloc;
	uint32_t fwd_cnt;
} __attribute__((packed));

enum { VTYPE_STREAM = 1, VTYPE_SEQPACKET = 2 };
enum {
	VOP_INVALID, VOP_REQUEST, VOP_RESPONSE, VOP_RST, VOP_SHUTDOWN,
	VOP_RW, VOP_CREDIT_UPDATE, VOP_CREDIT_REQUEST,
};
#define VSHUT_RCV 1u
#define VSHUT_SEND 2u
#define VSEQ_EOM 1u
#define VSEQ_EOR 2u

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
/* One readable line, no newline. Always NUL-terminates buf. */
void vsock_format(char *buf, size_t sz, const struct timeval *ts,
		  const uint8_t *data, uint32_t caplen, uint32_t len);

#endif
