// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Filter compiler: expressions from --cid/--src-cid/--dst-cid/--port/--op
 * (and --filter) are compiled by libpcap for LINKTYPE_VSOCK and run with
 * pcap_offline_filter() over crafted frames. Each case lists exactly the
 * frames that must match; the frames include byte-swapped look-alikes so
 * a big-endian mistake cannot pass.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>

#include "ctl.h"
#include "filter.h"
#include "frame.h"
#include "frames.h"

#define CID_HI ((1ull << 32) | 3)	/* low word equals CID 3 */

static const struct fspec frames[] = {
	/* 0 */ { 3, 2, 1024, 1234, T_CONNECT, T_VIRTIO, 1, 1, 0, 0, 0, 0, 0, 0 },
	/* 1 */ { 2, 3, 1234, 1024, T_PAYLOAD, T_VIRTIO, 1, 5, 0, 0, 0, 10, 0, 0 },
	/* 2 */ { 3, 4, 1234, 80, T_PAYLOAD, T_VIRTIO, 1, 5, 0, 0, 0, 200, 0, 0 },
	/* 3: port 0xd2040000 is 1234 byte-swapped */
	/* 3 */ { 5, 6, 0xd2040000u, 7, T_CONTROL, T_VIRTIO, 1, 6, 0, 0, 0, 0, 0, 0 },
	/* 4: CID 0x03000000 is 3 byte-swapped */
	/* 4 */ { 0x03000000u, 2, 9, 9, T_PAYLOAD, T_VIRTIO, 1, 5, 0, 0, 0, 1, 0, 0 },
	/* 5 */ { CID_HI, 2, 1, 1234, T_DISCONNECT, T_VIRTIO, 1, 3, 0, 0, 0, 0, 0, 0 },
	/* 6 */ { 2, 5, 6, 7, T_DISCONNECT, T_NO_INFO, 0, 0, 0, 0, 0, 0, 0, 0 },
	/* 7: op 0x0400 is payload byte-swapped */
	/* 7 */ { 7, 8, 1, 2, 0x0400, T_VIRTIO, 1, 5, 0, 0, 0, 0, 0, 0 },
	/* 8 */ { 0xffffffffull, 3, 0xffffffffu, 1234, T_PAYLOAD, T_VIRTIO, 1, 5, 0, 0, 0, 0, 0, 0 },
	/* 9 */ { 2, 0xffffffffffffffffull, 1, 2, T_CONTROL, T_VIRTIO, 1, 7, 0, 0, 0, 0, 0, 0 },
};
#define NFRAMES (sizeof(frames) / sizeof(frames[0]))
#define TRUNC 10	/* frame index used for a 20-byte truncated copy of 0 */

struct fcase {
	const char *name;
	struct vsock_match m;
	const char *extra;
	unsigned int expect;	/* bit i: frame i matches; bit TRUNC: truncated */
};

#define B(i) (1u << (i))

static const struct fcase cases[] = {
	{ "none", { 0 }, NULL, 0x3ff },
	{ "cid 3", { .set = MATCH_CID, .cid = 3 }, NULL,
	  B(0) | B(1) | B(2) | B(8) | B(TRUNC) },
	{ "cid 2^32+3", { .set = MATCH_CID, .cid = CID_HI }, NULL, B(5) },
	{ "cid 0x03000000", { .set = MATCH_CID, .cid = 0x03000000u }, NULL, B(4) },
	{ "cid u64 max", { .set = MATCH_CID, .cid = UINT64_MAX }, NULL, B(9) },
	{ "cid 4294967295", { .set = MATCH_CID, .cid = 0xffffffffull }, NULL, B(8) },
	{ "src-cid 3", { .set = MATCH_SRC_CID, .src_cid = 3 }, NULL,
	  B(0) | B(2) | B(TRUNC) },
	{ "dst-cid 3", { .set = MATCH_DST_CID, .dst_cid = 3 }, NULL, B(1) | B(8) },
	{ "src 2 dst 3", { .set = MATCH_SRC_CID | MATCH_DST_CID, .src_cid = 2,
	  .dst_cid = 3 }, NULL, B(1) },
	{ "port 1234", { .set = MATCH_PORT, .port = 1234 }, NULL,
	  B(0) | B(1) | B(2) | B(5) | B(8) },
	{ "port 0xd2040000", { .set = MATCH_PORT, .port = 0xd2040000u }, NULL, B(3) },
	{ "port 4294967295", { .set = MATCH_PORT, .port = 0xffffffffu }, NULL, B(8) },
	{ "op connect", { .set = MATCH_OP, .op = 1 }, NULL, B(0) },
	{ "op disconnect", { .set = MATCH_OP, .op = 2 }, NULL, B(5) | B(6) },
	{ "op control", { .set = MATCH_OP, .op = 3 }, NULL, B(3) | B(9) },
	{ "op payload", { .set = MATCH_OP, .op = 4 }, NULL,
	  B(1) | B(2) | B(4) | B(8) },
	{ "op 0x400", { .set = MATCH_OP, .op = 0x400 }, NULL, B(7) },
	{ "cid 3 port 1234", { .set = MATCH_CID | MATCH_PORT, .cid = 3,
	  .port = 1234 }, NULL, B(0) | B(1) | B(2) | B(8) },
	{ "cid 3 port 1024", { .set = MATCH_CID | MATCH_PORT, .cid = 3,
	  .port = 1024 }, NULL, B(0) | B(1) | B(TRUNC) },
	{ "cid 3 op payload", { .set = MATCH_CID | MATCH_OP, .cid = 3, .op = 4 },
	  NULL, B(1) | B(2) | B(8) },
	{ "port 1234 op payload dst 3", { .set = MATCH_PORT | MATCH_OP |
	  MATCH_DST_CID, .port = 1234, .op = 4, .dst_cid = 3 }, NULL, B(1) | B(8) },
	{ "port 1234 + len > 200", { .set = MATCH_PORT, .port = 1234 },
	  "len > 200", B(2) },
	{ "raw only", { 0 }, "len < 40", B(6) | B(TRUNC) },
	{ "raw or inside and", { .set = MATCH_OP, .op = 4 },
	  "len = 86 or len = 77", B(1) | B(4) },
};

static struct {
	uint8_t buf[NFRAMES + 1][512];
	struct pcap_pkthdr h[NFRAMES + 1];
} fx;

static int setup(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NFRAMES; i++) {
		memset(&fx.h[i], 0, sizeof(fx.h[i]));
		fx.h[i].len = fx.h[i].caplen = (uint32_t)frame_build(fx.buf[i], &frames[i]);
	}
	/*
	 * A truncated copy of frame 0 (3:1024 > 2:1234 connect), 20 bytes:
	 * the CIDs and the source port are there, the rest is not. A load
	 * past the end rejects the frame, whatever the rest of the program.
	 */
	memcpy(fx.buf[TRUNC], fx.buf[0], 20);
	fx.h[TRUNC].len = fx.h[TRUNC].caplen = 20;
	return 0;
}

static unsigned int run_filter(const char *expr, int optimize)
{
	pcap_t *p = pcap_open_dead(DLT_VSOCK, 262144);
	struct bpf_program prog;
	unsigned int got = 0;
	size_t i;

	if (pcap_compile(p, &prog, expr, optimize, PCAP_NETMASK_UNKNOWN) < 0) {
		print_error("compile '%s': %s\n", expr, pcap_geterr(p));
		pcap_close(p);
		fail();
	}
	for (i = 0; i <= NFRAMES; i++)
		if (pcap_offline_filter(&prog, &fx.h[i], fx.buf[i]))
			got |= 1u << i;
	pcap_freecode(&prog);
	pcap_close(p);
	return got;
}

static void test_cases(void **state)
{
	char expr[4096];
	int opt, bad = 0;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned int want = cases[i].expect;

		/* A filterless capture sees the truncated frame too. */
		if (!cases[i].m.set && !cases[i].extra)
			want |= B(TRUNC);
		assert_int_equal(filter_expr(&cases[i].m, cases[i].extra, expr,
					     sizeof(expr)), 0);
		for (opt = 0; opt <= 1; opt++) {
			unsigned int got = run_filter(expr, opt);

			if (got != want) {
				print_error("case '%s' (optimize %d): expr '%s' matched "
					    "0x%x, want 0x%x\n", cases[i].name, opt,
					    expr, got, want);
				bad++;
			}
		}
	}
	assert_int_equal(bad, 0);
}

/* The documented spelling: dst_port 1234 is link[20:4] = 0xd2040000. */
static void test_expr_text(void **state)
{
	struct vsock_match m = { .set = MATCH_PORT, .port = 1234 };
	char expr[512];

	(void)state;
	assert_int_equal(filter_expr(&m, NULL, expr, sizeof(expr)), 0);
	assert_non_null(strstr(expr, "link[20:4] = 0xd2040000"));
	assert_non_null(strstr(expr, "link[16:4] = 0xd2040000"));

	m.set = 0;
	assert_int_equal(filter_expr(&m, NULL, expr, sizeof(expr)), 0);
	assert_string_equal(expr, "");
	assert_int_equal(filter_expr(&m, "", expr, sizeof(expr)), 0);
	assert_string_equal(expr, "");
	assert_int_equal(filter_expr(&m, "len > 5", expr, sizeof(expr)), 0);
	assert_string_equal(expr, "len > 5");

	m.set = MATCH_OP;
	m.op = 1;
	assert_int_equal(filter_expr(&m, "len > 5 or len < 2", expr, sizeof(expr)), 0);
	assert_string_equal(expr, "link[24:2] = 0x0100 and (len > 5 or len < 2)");
}

/* Found by tests/fuzz: --filter must stay inside "OPTIONS and (...)". */
static void test_filter_contained(void **state)
{
	struct vsock_match m = { .set = MATCH_CID, .cid = 3 };
	char expr[512];

	(void)state;
	assert_int_equal(filter_expr(&m, "1 = 1) or (1 = 1", expr, sizeof(expr)), -1);
	assert_int_equal(filter_expr(&m, ")(", expr, sizeof(expr)), -1);
	assert_int_equal(filter_expr(&m, "(len > 5", expr, sizeof(expr)), -1);
	assert_int_equal(filter_expr(&m, "(len > 5) or (len < 2)", expr,
				     sizeof(expr)), 0);
	/* A blank --filter is no filter, as it is alone. */
	assert_int_equal(filter_expr(&m, " \t", expr, sizeof(expr)), 0);
	assert_null(strstr(expr, "and ("));
}

static void test_short_buffer(void **state)
{
	struct vsock_match m = { .set = MATCH_CID | MATCH_PORT | MATCH_OP,
				 .cid = 3, .port = 1, .op = 1 };
	char expr[40];

	(void)state;
	memset(expr, 'x', sizeof(expr));
	assert_int_equal(filter_expr(&m, NULL, expr, sizeof(expr)), -1);
	assert_true(memchr(expr, '\0', sizeof(expr)) != NULL);
	assert_int_equal(filter_expr(&m, NULL, expr, 0), -1);
}

static void test_bad_raw_filter_rejected(void **state)
{
	pcap_t *p = pcap_open_dead(DLT_VSOCK, 262144);
	struct bpf_program prog;

	(void)state;
	/* libpcap has no vsock primitives: 'port' must fail to compile. */
	assert_true(pcap_compile(p, &prog, "port 1234", 1,
				 PCAP_NETMASK_UNKNOWN) < 0);
	pcap_close(p);
}

/*
 * Found by tests/fuzz (fuzz_filter): libpcap 1.10's optimiser dropped the
 * check of dst_cid's high word from --cid N --src-cid N --dst-cid N, so
 * a frame from 3 to 2^32 + 3 matched. Compiled as capture compiles
 * (FILTER_OPTIMIZE), it must not.
 */
static void test_optimizer_regression(void **state)
{
	static const struct fspec to_hi = {
		3, CID_HI, 1, 2, T_PAYLOAD, T_VIRTIO, 1, 5, 0, 0, 0, 0, 0, 0,
	};
	struct vsock_match m = { .set = MATCH_CID | MATCH_SRC_CID | MATCH_DST_CID,
				 .cid = 3, .src_cid = 3, .dst_cid = 3 };
	pcap_t *p = pcap_open_dead(DLT_VSOCK, 262144);
	struct pcap_pkthdr h = { 0 };
	struct bpf_program prog;
	uint8_t buf[128];
	char expr[512];

	(void)state;
	h.len = h.caplen = (uint32_t)frame_build(buf, &to_hi);
	assert_int_equal(filter_expr(&m, NULL, expr, sizeof(expr)), 0);
	assert_int_equal(pcap_compile(p, &prog, expr, FILTER_OPTIMIZE,
				      PCAP_NETMASK_UNKNOWN), 0);
	assert_int_equal(pcap_offline_filter(&prog, &h, buf), 0);
	pcap_freecode(&prog);
	pcap_close(p);
}

static void test_op_names(void **state)
{
	uint16_t op;

	(void)state;
	assert_int_equal(parse_op("connect", &op), 0);
	assert_int_equal(op, 1);
	assert_int_equal(parse_op("payload", &op), 0);
	assert_int_equal(op, 4);
	assert_int_equal(parse_op("unknown", &op), -1);	/* op 0 by number only */
	assert_int_equal(parse_op("0", &op), 0);
	assert_int_equal(op, 0);
	assert_int_equal(parse_op("Payload", &op), -1);
	assert_string_equal(op_name(2), "disconnect");
	assert_null(op_name(5));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_expr_text),
		cmocka_unit_test(test_filter_contained),
		cmocka_unit_test(test_short_buffer),
		cmocka_unit_test(test_bad_raw_filter_rejected),
		cmocka_unit_test(test_optimizer_regression),
		cmocka_unit_test(test_op_names),
	};

	return cmocka_run_group_tests_name("filter", tests, setup, NULL);
}
