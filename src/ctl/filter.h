/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --cid/--src-cid/--dst-cid/--port/--op to a libpcap expression that
 * compiles to classic BPF and runs in the kernel.
 */
#ifndef VSOCKMON_FILTER_H
#define VSOCKMON_FILTER_H

#include <stdbool.h>
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

/*
 * pcap_compile()'s optimize argument for these expressions. Off: the
 * libpcap 1.10 optimiser drops a comparison from
 * --cid N --src-cid N --dst-cid N (the check of dst_cid's high word),
 * so frames from N to N + 2^32 got through; its history has many more
 * such bugs. The plain code is a few dozen instructions longer per frame
 * and right. tests/fuzz/fuzz_filter.c compiles the same way.
 */
#define FILTER_OPTIMIZE 0

/* "connect" etc. (op_name() in frame.h) or a number; returns 0 or -1. */
int parse_op(const char *s, uint16_t *op);

/*
 * libpcap has no vsock primitives ("port 22" fails for DLT_VSOCK): what to
 * write instead, for a tcpdump-style expression and libpcap's refusal.
 */
#define FILTER_HINT "vsock filters are options: --cid, --src-cid, " \
	"--dst-cid, --port, --op; or --filter 'link[OFF:SIZE] = ...' on the " \
	"little-endian header (vsockmon-ctl(8), FILTERS)"

/* extra's parentheses pair up, so that "A and (extra)" cannot escape. */
bool filter_balanced(const char *s);

/*
 * Writes the expression (possibly empty) for m, ANDed with the raw
 * libpcap expression extra (may be NULL). Returns 0, or -1 if buf is
 * short or extra's parentheses do not pair up (parse_capture() refuses
 * those first, with a clearer message).
 */
int filter_expr(const struct vsock_match *m, const char *extra, char *buf,
		size_t sz);

#endif
