// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Filter compiler (filter.c): --cid/--src-cid/--dst-cid/--port/--op, and
 * --filter, to the expression capture hands to pcap_compile(). The
 * expression is compiled for LINKTYPE_VSOCK as capture does (source.c,
 * FILTER_OPTIMIZE), checked with bpf_validate(), and run with
 * pcap_offline_filter() (classic BPF: a load past the captured bytes
 * rejects) on a frame from the input, and for whole frames by the kernel
 * too. The verdict is compared with a reference predicate over the
 * little-endian header fields, in three-valued logic for fields the
 * capture cut off.
 *
 * Input: set u8 (MATCH_* in bits 0-4, --filter mode in bits 5-7),
 * cid u64, src_cid u64, dst_cid u64, port u32, op u16, frame length u16,
 * caplen u16, extra wire length u16, then the frame, then bytes that
 * choose --filter tokens.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/filter.h>
#include <pcap/pcap.h>

#include "ctl.h"
#include "filter.h"
#include "fuzz.h"

#define FRAME_MAX 2048
#define FILTER_MAX 4096		/* capture.c */
#define MAX_TOKENS 24

enum { NO, YES, MAYBE };	/* MAYBE: needs bytes that were not captured */

static pcap_t *dead;
static int kern[2] = { -1, -1 };	/* AF_UNIX datagram pair, see kernel_bpf() */

/*
 * --filter is made of tokens, not raw bytes: a word libpcap does not
 * know is a host name, and looking it up would make each run hang on
 * DNS. Parentheses come alone so that unbalanced ones are easy to reach.
 */
static const char *const tokens[] = {
	"(", ")", " and ", " or ", " not ", "link[0:4]", "link[16:4]",
	"link[20:4]", "link[24:2]", "link[26]", "link[40:4]", "link[100]",
	" len ", " = ", " != ", " > ", " < ", " >= ", " & ", " + ", "0",
	"1", "3", "0xd2040000", "0x03000000", "0x0400", "65535", " ", "\t",
	" && ", " || ", "!", "[", "]", ":", "4",
};
#define NTOKENS (sizeof(tokens) / sizeof(tokens[0]))

/* Equality of a little-endian field of the frame with v. */
static int field_eq(const uint8_t *d, uint32_t caplen, uint32_t off,
		    unsigned int size, uint64_t v)
{
	bool missing = false;
	unsigned int i;

	for (i = 0; i < size; i++) {
		if (off + i >= caplen)
			missing = true;
		else if (d[off + i] != (uint8_t)(v >> (8 * i)))
			return NO;	/* whatever was not captured */
	}
	return missing ? MAYBE : YES;
}

static int or3(int a, int b)
{
	if (a == YES || b == YES)
		return YES;
	return a == MAYBE || b == MAYBE ? MAYBE : NO;
}

static int and3(int a, int b)
{
	if (a == NO || b == NO)
		return NO;
	return a == MAYBE || b == MAYBE ? MAYBE : YES;
}

/*
 * What the options mean (man page), over the fields of af_vsockmon_hdr
 * (FACTS: src_cid @0, dst_cid @8, src_port @16, dst_port @20, op @24).
 */
static int reference(const struct vsock_match *m, const uint8_t *d,
		     uint32_t caplen)
{
	int r = YES;

	if (m->set & MATCH_CID)
		r = and3(r, or3(field_eq(d, caplen, 0, 8, m->cid),
				field_eq(d, caplen, 8, 8, m->cid)));
	if (m->set & MATCH_SRC_CID)
		r = and3(r, field_eq(d, caplen, 0, 8, m->src_cid));
	if (m->set & MATCH_DST_CID)
		r = and3(r, field_eq(d, caplen, 8, 8, m->dst_cid));
	if (m->set & MATCH_PORT) {
		int dst = field_eq(d, caplen, 20, 4, m->port);

		/* The planted bug: --port only looks at the source port. */
		r = and3(r, planted ? field_eq(d, caplen, 16, 4, m->port) :
			 or3(field_eq(d, caplen, 16, 4, m->port), dst));
	}
	if (m->set & MATCH_OP)
		r = and3(r, field_eq(d, caplen, 24, 2, m->op));
	return r;
}

/*
 * Some frame matches all of m: the fields are independent, so try each
 * CID field at its own value or at --cid's.
 */
static bool satisfiable(const struct vsock_match *m)
{
	uint8_t d[32] = { 0 };
	unsigned int i, k;

	for (i = 0; i < 4; i++) {
		uint64_t src = i & 1 ? m->cid : m->src_cid;
		uint64_t dst = i & 2 ? m->cid : m->dst_cid;

		for (k = 0; k < 8; k++) {
			d[k] = (uint8_t)(src >> (8 * k));
			d[8 + k] = (uint8_t)(dst >> (8 * k));
		}
		for (k = 0; k < 4; k++)
			d[16 + k] = d[20 + k] = (uint8_t)(m->port >> (8 * k));
		d[24] = (uint8_t)m->op;
		d[25] = (uint8_t)(m->op >> 8);
		if (reference(m, d, sizeof(d)) == YES)
			return true;
	}
	return false;
}

/*
 * The kernel runs the program, not libpcap: attach it to one end of an
 * AF_UNIX datagram pair, whose filter sees exactly the bytes sent, and
 * see whether the frame arrives. Only whole frames (caplen == len).
 */
static int kernel_bpf(const struct bpf_program *prog, const uint8_t *d,
		      uint32_t len)
{
	struct sock_fprog fp = {
		.len = (unsigned short)prog->bf_len,
		.filter = (struct sock_filter *)prog->bf_insns,
	};
	static uint8_t rx[FRAME_MAX + 1];
	ssize_t n;

	oracle(!setsockopt(kern[1], SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof(fp)),
	       "the kernel refuses the program: %s", strerror(errno));
	if (send(kern[0], d, len, 0) != (ssize_t)len)
		abort();
	n = recv(kern[1], rx, sizeof(rx), MSG_DONTWAIT);
	oracle(n >= 0 || errno == EAGAIN, "recv: %s", strerror(errno));
	return n >= 0;
}

/*
 * 1 accept, 0 reject, -1 the expression does not compile. *none is set
 * when libpcap's optimiser proved that nothing can match (it refuses such
 * a filter: "expression rejects all packets").
 */
static int run_bpf(const char *expr, const uint8_t *d, uint32_t caplen,
		   uint32_t len, bool *none)
{
	struct pcap_pkthdr h = { .caplen = caplen, .len = len };
	struct bpf_program prog;
	int r;

	*none = false;
	if (!*expr)
		return 1;	/* capture sets no filter */
	if (pcap_compile(dead, &prog, expr, FILTER_OPTIMIZE,
			 PCAP_NETMASK_UNKNOWN) < 0) {
		*none = strstr(pcap_geterr(dead), "rejects all packets");
		return *none ? 0 : -1;
	}
	oracle(bpf_validate(prog.bf_insns, (int)prog.bf_len),
	       "'%s' compiles to an invalid program", expr);
	oracle(prog.bf_len <= BPF_MAXINSNS,
	       "'%s' compiles to %u instructions, more than the kernel takes",
	       expr, prog.bf_len);
	r = pcap_offline_filter(&prog, &h, d) != 0;
	if (caplen == len && len && len <= FRAME_MAX)
		oracle(kernel_bpf(&prog, d, len) == r, "'%s': the kernel %s the "
		       "frame, libpcap does not", expr, r ? "drops" : "passes");
	pcap_freecode(&prog);
	return r;
}

/* filter_expr into exactly sz bytes: fails, or writes the whole expression. */
static void check_short_buffer(const struct vsock_match *m, const char *extra,
			       const char *full, size_t sz)
{
	char *b = malloc(sz ? sz : 1);
	int r;

	if (!b)
		return;
	r = filter_expr(m, extra, b, sz);
	oracle(r == (sz > strlen(full) ? 0 : -1),
	       "filter_expr into %zu bytes returned %d for '%s'", sz, r, full);
	if (!r)
		oracle(!strcmp(b, full), "into %zu bytes: '%s', not '%s'", sz, b,
		       full);
	free(b);
}

static void build_extra(struct fin *in, uint8_t mode, char *extra, size_t sz)
{
	unsigned int n, i;

	extra[0] = '\0';
	if (mode < 4)
		return;
	n = fin_u8(in) % MAX_TOKENS + 1;
	for (i = 0; i < n && in->n; i++) {
		size_t len = strlen(extra);

		snprintf(extra + len, sz - len, "%s",
			 tokens[fin_u8(in) % NTOKENS]);
	}
}

/*
 * libpcap is not instrumented, so the fuzzer cannot see how far into its
 * grammar an expression got. Give it the shape of --filter as coverage:
 * parentheses closed early or left open, and whether it compiled.
 */
volatile unsigned int shape_seen;	/* global: the stores must stay */

static void shape(const char *s, int alone)
{
	long depth = 0, low = 0;

	for (; *s; s++) {
		depth += (*s == '(') - (*s == ')');
		if (depth < low)
			low = depth;
	}
	switch ((low < 0) * 4 + (depth == 0) * 2 + (alone >= 0)) {
	case 0: shape_seen = 0; break;
	case 1: shape_seen = 1; break;
	case 2: shape_seen = 2; break;
	case 3: shape_seen = 3; break;
	case 4: shape_seen = 4; break;
	case 5: shape_seen = 5; break;
	case 6: shape_seen = 6; break;
	default: shape_seen = 7; break;
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_init_plant();
	dead = pcap_open_dead(DLT_VSOCK, 262144);
	if (!dead || socketpair(AF_UNIX, SOCK_DGRAM, 0, kern))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fin in = { data, size };
	struct vsock_match m = { 0 };
	char expr[FILTER_MAX], extra[512], own[FILTER_MAX];
	uint32_t flen, caplen, len;
	int ref, got, alone, ours;
	uint8_t set, *d;
	bool none;

	set = fin_u8(&in);
	m.set = set & 0x1f;
	m.cid = fin_le(&in, 8);
	m.src_cid = fin_le(&in, 8);
	m.dst_cid = fin_le(&in, 8);
	m.port = (uint32_t)fin_le(&in, 4);
	m.op = (uint16_t)fin_le(&in, 2);
	flen = (uint32_t)fin_le(&in, 2) % (FRAME_MAX + 1);
	caplen = (uint32_t)fin_le(&in, 2);
	len = (uint32_t)fin_le(&in, 2);
	if (flen > in.n)
		flen = (uint32_t)in.n;
	caplen %= flen + 1;
	len += caplen;		/* the kernel never captures more than len */
	d = malloc(caplen ? caplen : 1);
	if (!d)
		return 0;
	memcpy(d, in.p, caplen);
	in.p += flen;
	in.n -= flen;
	build_extra(&in, set >> 5, extra, sizeof(extra));

	/* The options alone: exact, up to what truncation hides. */
	oracle(!filter_expr(&m, NULL, own, sizeof(own)), "no room for options");
	check_short_buffer(&m, NULL, own, (size_t)(set ^ caplen) % (strlen(own) + 2));
	ref = reference(&m, d, caplen);
	ours = run_bpf(own, d, caplen, len, &none);
	oracle(ours >= 0, "'%s' does not compile", own);
	oracle(!none || !satisfiable(&m), "'%s' matches some frames, but "
	       "libpcap says it rejects all", own);
	oracle(!ours || ref == YES, "'%s' accepts a frame that does not match", own);
	if (caplen >= 26)	/* every field captured */
		oracle(ours == (ref == YES), "'%s' %s a matching frame", own,
		       ours ? "accepts" : "rejects");

	/* With --filter: the options AND the expression, nothing else. */
	if (*extra) {
		alone = run_bpf(extra, d, caplen, len, &none);
		shape(extra, alone);
		if (filter_expr(&m, extra, expr, sizeof(expr))) {
			oracle(alone < 0, "--filter '%s' compiles alone, but "
			       "filter_expr refuses it", extra);
		} else {
			check_short_buffer(&m, extra, expr,
					   (size_t)caplen % (strlen(expr) + 2));
			got = run_bpf(expr, d, caplen, len, &none);
			if (alone < 0)
				oracle(got < 0, "'%s' compiles but --filter '%s' "
				       "does not", expr, extra);
			else if (caplen >= 26 && caplen == len)
				oracle(got == (ours && alone), "'%s' gives %d; "
				       "options %d, --filter '%s' %d", expr, got,
				       ours, extra, alone);
			else
				oracle(got != 1 || ref == YES, "'%s' accepts a "
				       "frame that does not match", expr);
		}
	}
	free(d);
	return 0;
}
