// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Filter compiler. libpcap knows no vsock primitives, so we address the
 * af_vsockmon_hdr fields with link[offset:size]. Those loads are
 * big-endian; the fields are little-endian, so every constant is
 * byte-swapped, and a 64-bit CID is compared as two 32-bit halves.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <byteswap.h>
#include <linux/vsockmon.h>

#include "ctl.h"
#include "filter.h"
#include "frame.h"

#define OFF_SRC_CID offsetof(struct af_vsockmon_hdr, src_cid)
#define OFF_DST_CID offsetof(struct af_vsockmon_hdr, dst_cid)
#define OFF_SRC_PORT offsetof(struct af_vsockmon_hdr, src_port)
#define OFF_DST_PORT offsetof(struct af_vsockmon_hdr, dst_port)
#define OFF_OP offsetof(struct af_vsockmon_hdr, op)

int parse_op(const char *s, uint16_t *op)
{
	uint64_t v;
	size_t i;

	/* the decoder's names (frame.h): filter and output agree */
	for (i = 1; op_name((uint16_t)i); i++) {
		if (!strcmp(s, op_name((uint16_t)i))) {
			*op = (uint16_t)i;
			return 0;
		}
	}
	if (!parse_u64(s, 0xffff, &v))
		return -1;
	*op = (uint16_t)v;
	return 0;
}

static void sb_and(struct strbuf *b)
{
	if (b->len)
		sb_printf(b, " and ");
}

static void le64_eq(struct strbuf *b, size_t off, uint64_t v)
{
	sb_printf(b, "(link[%zu:4] = 0x%08x and link[%zu:4] = 0x%08x)",
		  off, bswap_32((uint32_t)v), off + 4,
		  bswap_32((uint32_t)(v >> 32)));
}

static void le32_eq(struct strbuf *b, size_t off, uint32_t v)
{
	sb_printf(b, "link[%zu:4] = 0x%08x", off, bswap_32(v));
}

/*
 * libpcap reads a blank expression (its blanks: space, tab, CR, LF) as
 * "everything", but "A and ( )" fails to compile.
 */
static bool blank(const char *s)
{
	return !s || !s[strspn(s, " \t\r\n")];
}

/*
 * Parentheses are always tokens to libpcap (no quoting), so this is exact.
 * Without it, --cid 3 --filter '1 = 1) or (1 = 1' became
 * "(cid 3) and (1 = 1) or (1 = 1)": every frame.
 */
bool filter_balanced(const char *s)
{
	long depth = 0;

	for (; s && *s; s++) {
		if (*s == '(')
			depth++;
		else if (*s == ')' && --depth < 0)
			return false;
	}
	return depth == 0;
}

int filter_expr(const struct vsock_match *m, const char *extra, char *buf,
		size_t sz)
{
	struct strbuf b = STRBUF_INIT(buf, sz);

	if (!sz || !filter_balanced(extra))
		return -1;
	buf[0] = '\0';
	if (m->set & MATCH_CID) {
		sb_printf(&b, "(");
		le64_eq(&b, OFF_SRC_CID, m->cid);
		sb_printf(&b, " or ");
		le64_eq(&b, OFF_DST_CID, m->cid);
		sb_printf(&b, ")");
	}
	if (m->set & MATCH_SRC_CID) {
		sb_and(&b);
		le64_eq(&b, OFF_SRC_CID, m->src_cid);
	}
	if (m->set & MATCH_DST_CID) {
		sb_and(&b);
		le64_eq(&b, OFF_DST_CID, m->dst_cid);
	}
	if (m->set & MATCH_PORT) {
		sb_and(&b);
		sb_printf(&b, "(");
		le32_eq(&b, OFF_SRC_PORT, m->port);
		sb_printf(&b, " or ");
		le32_eq(&b, OFF_DST_PORT, m->port);
		sb_printf(&b, ")");
	}
	if (m->set & MATCH_OP) {
		sb_and(&b);
		sb_printf(&b, "link[%zu:2] = 0x%04x", OFF_OP, bswap_16(m->op));
	}
	if (!blank(extra)) {
		if (b.len) {
			sb_printf(&b, " and (%s)", extra);
		} else {
			sb_printf(&b, "%s", extra);
		}
	}
	return b.overflow ? -1 : 0;
}
