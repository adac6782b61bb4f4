/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --cid/--src-cid/--dst-cid/--port/--op to a libpcap expression that
 * compiles to classic BPF and runs in the kernel.
 */
#ifndef VSOCKMON_FILTER_H
#define VSOCKMON_FILTER_H

#include <stddef.h>
#include <stdint.h>

enum {
	MATCH_CID = 1 << 0,
	MATCH_SRC_CID = 1 << 1,
	MATCH_DST_CID = 1 << 2,
	MATCH_PORT = 1 << 3,
	MATCH_OP = 1 << 4,
};

struct vsock_match {
	unsigned int set;	/* MATCH_* */
	uint64_t cid, src_cid, dst_cid;
	uint32_t port;
	uint16_t op;
};

/* "connect" etc. or a number; returns 0 or -1. */
int parse_op(const char *s, uint16_t *op);
const char *op_name(uint16_t op);	/* NULL if unknown */

/*
 * Writes the expression (possibly empty) for m, ANDed with the raw
 * libpcap expression extra (may be NULL). Returns 0, or -1 if buf is short.
 */
int filter_expr(const struct vsock_match *m, const char *extra, char *buf,
		size_t sz);

#endif
