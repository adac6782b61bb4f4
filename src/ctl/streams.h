/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Connections in a capture, numbered as the Wireshark plugin numbers them
 * (wireshark/vsockmon.lua, vsockmon.stream): keep the two in step.
 *
 * A stream is keyed on the pair of (cid, port) ends, or on the hybrid
 * relay's connection number where the file has one (two relayed
 * connections can share all four values). It starts at the first frame
 * of its key, and at every request: a virtio REQUEST, or a CONNECT where
 * no virtio header says more (the hybrid relay records one per
 * connection); a connection makes exactly one. Every frame until the
 * next request on the same key is the stream's, so the RST that follows
 * both SHUTDOWNs and a late credit update stay in it. It is closed (for
 * the listing) at a virtio RST, or once both ends have sent a SHUTDOWN
 * (virtio) or a DISCONNECT (no virtio header). Direction 0 is from the
 * end that sent the request, or from the first sender when the capture
 * began mid-connection.
 */
#ifndef VSOCKMON_STREAMS_H
#define VSOCKMON_STREAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "flows.h"
#include "frame.h"

#define STREAM_BUCKETS 4096

struct vstream {
	unsigned long long conn;	/* hybrid connection number, 0: none */
	struct flow_end end[2];		/* [0] the connecting end */
	bool requested;			/* end[0] sent the request */
	bool shut[2];
	bool closed;			/* reset, or shut down both ways */
	uint64_t frames, bytes[2], missing[2];
	unsigned long long first, last;	/* frame numbers */
	long next;			/* hash chain: the newest per key */
};

struct stream_table {
	struct vstream *v;
	size_t n, cap;
	long bucket[STREAM_BUCKETS];
};

/* What one frame is to the table. */
struct stream_step {
	long idx;		/* its stream, -1: not a vsock frame */
	int dir;		/* 0: from the connecting end */
	uint32_t off, n;	/* payload bytes at data + off, n of them */
	uint32_t missing;	/* payload bytes the capture did not keep */
};

void streams_init(struct stream_table *t);
void streams_free(struct stream_table *t);
/*
 * Account one frame (number: as Wireshark counts, from 1). conn: the
 * hybrid connection number from the frame's comment, 0 if none. raw:
 * keep bytes past the virtio header's len (6.1.y's split frames).
 * Returns 0, or -1 out of memory.
 */
int streams_add(struct stream_table *t, const uint8_t *data, uint32_t caplen,
		uint32_t len, unsigned long long conn, unsigned long long number,
		bool raw, struct stream_step *st);
/* The connection number in a frame's comments, 0 if none. */
unsigned long long streams_conn_of(const char *comments);

#endif
