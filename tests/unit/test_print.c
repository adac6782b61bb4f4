// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The per-frame printer, frame by frame and end to end through
 * `capture -r FIXTURE` (including -c, filters and -w round trips),
 * compared with tcpdump's reading of the same fixture when tcpdump is
 * installed. TZ=UTC is set by the Makefile.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <time.h>

#include "harness.h"
#include "frame.h"

struct pcase {
	struct fspec s;
	uint32_t caplen;	/* 0: whole */
	const char *want;
};

#define V T_VIRTIO

static const struct pcase pcases[] = {
	{ { 3, 2, 1024, 1234, T_CONNECT, V, 1, 1, 0, 262144, 0, 0, 0, 0 }, 0,
	  "3:1024 > 2:1234 connect stream request buf_alloc 262144 fwd_cnt 0 len 0" },
	{ { 2, 3, 1234, 1024, T_CONNECT, V, 1, 2, 0, 65536, 0, 0, 0, 0 }, 0,
	  "2:1234 > 3:1024 connect stream response buf_alloc 65536 fwd_cnt 0 len 0" },
	{ { 3, 2, 1024, 1234, T_PAYLOAD, V, 1, 5, 0, 0, 0, 5, 0, 0 }, 0,
	  "3:1024 > 2:1234 payload stream rw len 5" },
	{ { 3, 2, 1024, 1234, T_PAYLOAD, V, 1, 5, 0, 0, 0, 0, 0, 0 }, 0,
	  "3:1024 > 2:1234 payload stream rw len 0" },
	{ { 3, 2, 1024, 1234, T_PAYLOAD, V, 2, 5, 3, 0, 0, 7, 0, 0 }, 0,
	  "3:1024 > 2:1234 payload seqpacket rw flags eom|eor len 7" },
	{ { 3, 2, 1024, 1234, T_PAYLOAD, V, 2, 5, 1, 0, 0, 7, 0, 0 }, 0,
	  "3:1024 > 2:1234 payload seqpacket rw flags eom len 7" },
	{ { 3, 2, 1024, 1234, T_PAYLOAD, V, 2, 5, 0xa, 0, 0, 1, 0, 0 }, 0,
	  "3:1024 > 2:1234 payload seqpacket rw flags eor|0x8 len 1" },
	{ { 3, 2, 1024, 1234, T_PAYLOAD, V, 1, 5, 1, 0, 0, 1, 0, 0 }, 0,
	  "3:1024 > 2:1234 payload stream rw flags 0x1 len 1" },
	{ { 3, 2, 1024, 1234, T_DISCONNECT, V, 1, 4, 3, 0, 0, 0, 0, 0 }, 0,
	  "3:1024 > 2:1234 disconnect stream shutdown flags rcv|send len 0" },
	{ { 3, 2, 1024, 1234, T_DISCONNECT, V, 1, 4, 2, 0, 0, 0, 0, 0 }, 0,
	  "3:1024 > 2:1234 disconnect stream shutdown flags send len 0" },
	{ { 2, 3, 1234, 1024, T_DISCONNECT, V, 1, 3, 0, 0, 0, 0, 0, 0 }, 0,
	  "2:1234 > 3:1024 disconnect stream rst len 0" },
	{ { 2, 3, 1234, 1024, T_CONTROL, V, 1, 6, 0, 262144, 4096, 0, 0, 0 }, 0,
	  "2:1234 > 3:1024 control stream credit_update buf_alloc 262144 fwd_cnt 4096 len 0" },
	{ { 2, 3, 1234, 1024, T_CONTROL, V, 1, 7, 0, 1, 2, 0, 0, 0 }, 0,
	  "2:1234 > 3:1024 control stream credit_request buf_alloc 1 fwd_cnt 2 len 0" },
	{ { 2, 3, 1, 2, 9, V, 1, 5, 0, 0, 0, 0, 0, 0 }, 0,
	  "2:1 > 3:2 op 9 stream rw len 0" },
	{ { 2, 3, 1, 2, T_CONTROL, V, 7, 12, 0, 0, 0, 0, 0, 0 }, 0,
	  "2:1 > 3:2 control type 7 vop 12 len 0" },
	{ { 2, 3, 1, 2, T_PAYLOAD, T_NO_INFO, 0, 0, 0, 0, 0, 3, 0, 0 }, 0,
	  "2:1 > 3:2 payload len 3" },
	{ { 2, 3, 1, 2, T_PAYLOAD, 5, 0, 0, 0, 0, 0, 3, 0, 8 }, 0,
	  "2:1 > 3:2 payload transport 5 hdr 8 len 3" },
	{ { 3, 2, 1024, 1234, T_CONNECT, V, 1, 1, 0, 0, 0, 0, 0, 0 }, 20,
	  "[truncated vsock header: 20 of 32 bytes] length 76" },
	{ { 3, 2, 1024, 1234, T_PAYLOAD, V, 1, 5, 0, 0, 0, 0, 0, 0 }, 40,
	  "3:1024 > 2:1234 payload virtio [truncated header: 8 of 44 bytes] "
	  "[captured 40 of 76 bytes]" },
	{ { 3, 2, 1024, 1234, T_PAYLOAD, V, 1, 5, 0, 0, 0, 100, 0, 0 }, 80,
	  "3:1024 > 2:1234 payload stream rw len 100 [captured 80 of 176 bytes]" },
	{ { 3, 2, 1024, 1234, T_PAYLOAD, V, 1, 5, 0, 0, 0, 10, 5, 0 }, 0,
	  "3:1024 > 2:1234 payload stream rw len 15 (frame carries 10)" },
	{ { 1ull << 40, 0xffffffffffffffffull, 0xffffffffu, 0, T_PAYLOAD, V, 1,
	    5, 0, 0, 0, 0, 0, 0 }, 0,
	  "1099511627776:4294967295 > 18446744073709551615:0 payload stream rw len 0" },
	/* VIRTIO claimed but the transport header is too short to be one. */
	{ { 3, 2, 1, 2, T_PAYLOAD, V, 1, 5, 0, 0, 0, 2, 0, 4 }, 0,
	  "3:1 > 2:2 payload virtio [short header: 4 bytes] len 2" },
};

static void test_lines(void **state)
{
	uint8_t buf[512];
	char line[512];
	size_t i;
	int bad = 0;

	(void)state;
	for (i = 0; i < sizeof(pcases) / sizeof(pcases[0]); i++) {
		uint32_t len = (uint32_t)frame_build(buf, &pcases[i].s);
		uint32_t cap = pcases[i].caplen ? pcases[i].caplen : len;

		vsock_format(line, sizeof(line), NULL, buf, cap, len);
		if (strcmp(line, pcases[i].want)) {
			print_error("case %zu:\n got: %s\nwant: %s\n", i, line,
				    pcases[i].want);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

/*
 * capture without -w asks the kernel for the headers only (issue 15,
 * performance): the payload left out is no news, cut headers still are.
 */
static void test_headers_only(void **state)
{
	static const struct fspec hdr_cut = {
		3, 2, 1024, 1234, T_PAYLOAD, V, 1, 5, 0, 0, 0, 0, 0, 0 };
	static const struct fspec payload = {
		3, 2, 1024, 1234, T_PAYLOAD, V, 1, 5, 0, 0, 0, 100, 0, 0 };
	static const struct { const char *line; int snaplen; } t[] = {
		{ "capture", 76 },
		{ "capture -s 1000", 76 },
		{ "capture -s 40", 40 },
		{ "capture -w x.pcap", MAX_SNAPLEN },
		{ "capture -w x.pcap -s 1000", 1000 },
	};
	uint8_t buf[512];
	char line[512];
	uint32_t len;
	size_t i;

	(void)state;
	len = (uint32_t)frame_build(buf, &payload);
	vsock_format_opt(line, sizeof(line), NULL, buf, 76, len, VSOCK_FMT_HEADERS);
	assert_string_equal(line, "3:1024 > 2:1234 payload stream rw len 100");
	len = (uint32_t)frame_build(buf, &hdr_cut);
	vsock_format_opt(line, sizeof(line), NULL, buf, 40, len, VSOCK_FMT_HEADERS);
	assert_non_null(strstr(line, "[captured 40 of 76 bytes]"));
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct argv_buf b;
		struct capture_opts o;
		char **argv = mkargv(&b, t[i].line);

		assert_int_equal(parse_capture(b.argc, argv, &o), PARSE_OK);
		argv_free(&b);
		if (capture_snaplen(&o) != t[i].snaplen)
			fail_msg("%s: snaplen %d, want %d", t[i].line,
				 capture_snaplen(&o), t[i].snaplen);
	}
}

static void test_timestamp(void **state)
{
	struct timeval tv = { 3600 + 120 + 5, 42 };
	struct fspec s = { 3, 2, 1, 2, T_PAYLOAD, T_NO_INFO, 0, 0, 0, 0, 0, 0, 0, 0 };
	uint8_t buf[128];
	char line[256];
	uint32_t len = (uint32_t)frame_build(buf, &s);

	(void)state;
	tzset();
	vsock_format(line, sizeof(line), &tv, buf, len, len);
	assert_string_equal(line, "01:02:05.000042 3:1 > 2:2 payload len 0");

	/*
	 * Found by tests/fuzz: a pcapng time stamp past what struct tm holds
	 * printed whatever was on the stack.
	 */
	tv.tv_sec = (time_t)1 << 62;
	vsock_format(line, sizeof(line), &tv, buf, len, len);
	assert_string_equal(line, "4611686018427387904.000042 3:1 > 2:2 payload len 0");
}

static void test_small_buffers(void **state)
{
	struct fspec s = { 3, 2, 1024, 1234, T_PAYLOAD, V, 2, 5, 3, 0, 0, 7, 0, 0 };
	uint8_t buf[256];
	char line[64];
	uint32_t len = (uint32_t)frame_build(buf, &s);
	size_t sz;

	(void)state;
	for (sz = 1; sz < sizeof(line); sz++) {
		memset(line, 'X', sizeof(line));
		vsock_format(line, sz, NULL, buf, len, len);
		assert_true(strlen(line) < sz);
		assert_int_equal(line[sz - 1] == '\0' || strlen(line) < sz - 1, 1);
	}
	vsock_format(line, 0, NULL, buf, len, len);	/* must not write */
	/* caplen 0 and tiny frames */
	vsock_format(line, sizeof(line), NULL, buf, 0, 0);
	assert_string_equal(line, "[truncated vsock header: 0 of 32 bytes] length 0");
}

static const struct fixture_frame fixture[] = {
	{ { 3, 2, 1024, 1234, T_CONNECT, V, 1, 1, 0, 262144, 0, 0, 0, 0 }, 0, 10, 1 },
	{ { 2, 3, 1234, 1024, T_CONNECT, V, 1, 2, 0, 262144, 0, 0, 0, 0 }, 0, 10, 2 },
	{ { 3, 2, 1024, 1234, T_PAYLOAD, V, 1, 5, 0, 0, 0, 300, 0, 0 }, 0, 10, 3 },
	{ { 2, 3, 1234, 1024, T_CONTROL, V, 1, 6, 0, 262144, 300, 0, 0, 0 }, 0, 10, 4 },
	{ { 3, 2, 1024, 1234, T_PAYLOAD, V, 2, 5, 1, 0, 0, 0, 0, 0 }, 0, 10, 5 },
	{ { 5, 2, 77, 88, T_PAYLOAD, T_NO_INFO, 0, 0, 0, 0, 0, 4, 0, 0 }, 0, 10, 6 },
	{ { 3, 2, 1024, 1234, T_DISCONNECT, V, 1, 4, 3, 0, 0, 0, 0, 0 }, 0, 10, 7 },
	{ { 3, 2, 1024, 1234, T_PAYLOAD, V, 1, 5, 0, 0, 0, 0, 0, 0 }, 20, 10, 8 },
};
#define NFIX (sizeof(fixture) / sizeof(fixture[0]))

static const char *const fixture_lines[NFIX] = {
	"00:00:10.000001 3:1024 > 2:1234 connect stream request buf_alloc 262144 fwd_cnt 0 len 0",
	"00:00:10.000002 2:1234 > 3:1024 connect stream response buf_alloc 262144 fwd_cnt 0 len 0",
	"00:00:10.000003 3:1024 > 2:1234 payload stream rw len 300",
	"00:00:10.000004 2:1234 > 3:1024 control stream credit_update buf_alloc 262144 fwd_cnt 300 len 0",
	"00:00:10.000005 3:1024 > 2:1234 payload seqpacket rw flags eom len 0",
	"00:00:10.000006 5:77 > 2:88 payload len 4",
	"00:00:10.000007 3:1024 > 2:1234 disconnect stream shutdown flags rcv|send len 0",
	"00:00:10.000008 [truncated vsock header: 20 of 32 bytes] length 76",
};

static char *fixture_path(void)
{
	static char path[64];

	if (!path[0])
		snprintf(path, sizeof(path), "%s", fixture_write(fixture, NFIX));
	return path;
}

static void expect_lines(const char *out, const unsigned int *idx, size_t n)
{
	const char *p = out;
	size_t i;

	for (i = 0; i < n; i++) {
		size_t l = strlen(fixture_lines[idx[i]]);

		if (strncmp(p, fixture_lines[idx[i]], l) || p[l] != '\n') {
			print_error("line %zu: want '%s'\nall output:\n%s\n", i,
				    fixture_lines[idx[i]], out);
			fail();
		}
		p += l + 1;
	}
	assert_string_equal(p, "");
}

static void test_capture_read(void **state)
{
	static const unsigned int all[] = { 0, 1, 2, 3, 4, 5, 6, 7 };
	struct run_result r;
	char cmd[256];

	(void)state;
	snprintf(cmd, sizeof(cmd), "capture -r %s", fixture_path());
	assert_int_equal(run_ctl(cmd, &r), 0);
	expect_lines(r.out, all, NFIX);
	assert_non_null(strstr(r.err, "8 frames captured, "));
	assert_null(strstr(r.err, "dropped"));	/* no kernel, no drop count */
	run_free(&r);
}

static void test_capture_read_count_and_filters(void **state)
{
	static const unsigned int first3[] = { 0, 1, 2 };
	static const unsigned int cid5[] = { 5 };
	static const unsigned int payload_to_2[] = { 2, 4 };
	static const unsigned int big[] = { 2 };
	struct run_result r;
	char cmd[256];

	(void)state;
	snprintf(cmd, sizeof(cmd), "capture -r %s -c 3", fixture_path());
	assert_int_equal(run_ctl(cmd, &r), 0);
	expect_lines(r.out, first3, 3);
	run_free(&r);

	snprintf(cmd, sizeof(cmd), "capture -q -r %s --cid 5", fixture_path());
	assert_int_equal(run_ctl(cmd, &r), 0);
	expect_lines(r.out, cid5, 1);
	assert_string_equal(r.err, "");
	run_free(&r);

	snprintf(cmd, sizeof(cmd), "capture -r %s --op payload --dst-cid 2 --port 1234",
		 fixture_path());
	assert_int_equal(run_ctl(cmd, &r), 0);
	expect_lines(r.out, payload_to_2, 2);
	run_free(&r);

	snprintf(cmd, sizeof(cmd), "capture -r %s --port 1024 --filter len~>~300",
		 fixture_path());
	assert_int_equal(run_ctl(cmd, &r), 0);
	expect_lines(r.out, big, 1);
	/* one frame is "1 frame", as tcpdump says "1 packet" */
	assert_non_null(strstr(r.err, "1 frame captured, "));
	assert_null(strstr(r.err, "frames"));
	run_free(&r);

	/* a filter that does not compile is a usage error (issue 15) */
	snprintf(cmd, sizeof(cmd), "capture -r %s --filter port~22", fixture_path());
	assert_int_equal(run_ctl(cmd, &r), 2);
	assert_non_null(strstr(r.err, "filter 'port 22'"));
	/* libpcap's refusal gets the same hint as a trailing expression */
	assert_non_null(strstr(r.err, "not implemented; vsock filters are "
			       "options: --cid"));
	run_free(&r);

	/* the path once, and the reason (issue 15: it came twice) */
	assert_int_equal(run_ctl("capture -r /nonexistent/x.pcap", &r), 1);
	assert_string_equal(r.err, "vsockmon-ctl: read /nonexistent/x.pcap: "
			    "No such file or directory\n");
	run_free(&r);
}

static void test_capture_write_roundtrip(void **state)
{
	char cmd[512], out[128], out_ng[128];
	int pcapng;

	(void)state;
	snprintf(out, sizeof(out), "%s.out", fixture_path());
	snprintf(out_ng, sizeof(out_ng), "%s.ng", fixture_path());
	for (pcapng = 0; pcapng <= 1; pcapng++) {
		char errbuf[PCAP_ERRBUF_SIZE];
		struct pcap_pkthdr *h;
		const u_char *data;
		struct run_result r;
		const char *path = pcapng ? out_ng : out;
		pcap_t *p;
		int n = 0;

		snprintf(cmd, sizeof(cmd), "capture -r %s -w %s --op payload%s",
			 fixture_path(), path, pcapng ? " --pcapng" : "");
		assert_int_equal(run_ctl(cmd, &r), 0);
		assert_string_equal(r.out, "");	/* -w: no lines */
		run_free(&r);
		p = pcap_open_offline(path, errbuf);
		assert_non_null(p);
		assert_int_equal(pcap_datalink(p), DLT_VSOCK);
		while (pcap_next_ex(p, &h, &data) == 1) {
			char line[256];

			vsock_format(line, sizeof(line), &h->ts, data, h->caplen,
				     h->len);
			assert_string_equal(line, fixture_lines[n == 0 ? 2 : n == 1 ? 4 : 5]);
			n++;
		}
		assert_int_equal(n, 3);
		pcap_close(p);
		unlink(path);
	}
}

/*
 * tcpdump (>= 4.99) prints "T TRANSPORT S.P > D.P OP, length N"; both of
 * us must see the same endpoints and op for every complete frame.
 */
static void test_against_tcpdump(void **state)
{
	char cmd[256], line[512];
	FILE *f;
	size_t i = 0;

	(void)state;
	if (system("command -v tcpdump >/dev/null 2>&1") != 0)
		skip();
	snprintf(cmd, sizeof(cmd), "tcpdump -n -r %s 2>/dev/null", fixture_path());
	f = popen(cmd, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) && i < NFIX) {
		unsigned long long sc, dc;
		unsigned int sp, dp;
		char op[32], tr[32], mine[256], want[256];

		if (fixture[i].caplen && fixture[i].caplen < 32) {
			i++;	/* tcpdump prints its own truncation marker */
			continue;
		}
		if (sscanf(line, "%*s %31s %llu.%u > %llu.%u %31[A-Z_]", tr, &sc,
			   &sp, &dc, &dp, op) != 6) {
			print_error("unparsed tcpdump line: %s", line);
			fail();
		}
		for (char *c = op; *c; c++)
			*c = (char)(*c - 'A' + 'a');
		snprintf(want, sizeof(want), "%llu:%u > %llu:%u %s", sc, sp, dc, dp, op);
		snprintf(mine, sizeof(mine), "%s", fixture_lines[i] + 16);
		if (strncmp(mine, want, strlen(want))) {
			print_error("frame %zu: tcpdump '%s' vs ours '%s'\n", i, want, mine);
			fail();
		}
		i++;
	}
	pclose(f);
	assert_int_equal(i, NFIX);
}

static int teardown(void **state)
{
	(void)state;
	unlink(fixture_path());
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_headers_only),
		cmocka_unit_test(test_timestamp),
		cmocka_unit_test(test_small_buffers),
		cmocka_unit_test(test_capture_read),
		cmocka_unit_test(test_capture_read_count_and_filters),
		cmocka_unit_test(test_capture_write_roundtrip),
		cmocka_unit_test(test_against_tcpdump),
	};

	return cmocka_run_group_tests_name("print", tests, NULL, teardown);
}
