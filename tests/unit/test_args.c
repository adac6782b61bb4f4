// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Table-driven command-line tests: every subcommand, help, bad options,
 * exit codes, and the values the parsers hand to the runners. Nothing
 * here reaches the kernel: only help and usage errors go through
 * ctl_main(); valid command lines are checked at the parser.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "harness.h"

struct cli_case {
	const char *line;
	int rc;
	const char *out;	/* substring expected on stdout, or NULL */
	const char *err;	/* substring expected on stderr, or NULL */
};

static const struct cli_case cli_cases[] = {
	{ "", 2, NULL, "Usage: vsockmon-ctl <subcommand>" },
	{ "--help", 0, "Subcommands:", NULL },
	{ "-h", 0, "capture", NULL },
	{ "--version", 0, "vsockmon-ctl " VSOCKMON_VERSION, NULL },
	{ "bogus", 2, NULL, "unknown subcommand 'bogus'" },
	{ "help", 0, "Exit status: 0 success, 1 failure, 2 usage error", NULL },
	{ "help capture", 0, "Usage: vsockmon-ctl capture [-i NAME]", NULL },
	{ "help top", 0, "--interval", NULL },
	{ "help nope", 2, NULL, "unknown subcommand 'nope'" },
	{ "help up down", 2, NULL, "too many arguments" },
	{ "help --help", 0, "Usage: vsockmon-ctl help [SUBCOMMAND]", NULL },
	{ "help -h", 0, "Usage: vsockmon-ctl help", NULL },
	{ "help capture", 0, "-i, --interface NAME", NULL },
	{ "help capture", 0, "-q, --quiet", NULL },
	{ "help top", 0, "-r, --read FILE", NULL },
	{ "--help", 0, "--version | -V", NULL },

	{ "up --help", 0, "Usage: vsockmon-ctl up [NAME]", NULL },
	{ "up -h", 0, "Usage: vsockmon-ctl up", NULL },
	{ "up --bogus", 2, NULL, "up: unknown option '--bogus'" },
	{ "up -Z", 2, NULL, "up: unknown option '-Z'" },
	{ "up a b", 2, NULL, "too many arguments" },
	{ "up bad/name", 2, NULL, "invalid monitor name 'bad/name'" },
	{ "up 0123456789abcdef", 2, NULL, "invalid monitor name" },
	{ "up a:b", 2, NULL, "invalid monitor name" },
	{ "up a~b", 2, NULL, "invalid monitor name" },

	{ "down --help", 0, "Usage: vsockmon-ctl down NAME... | --all | --stale", NULL },
	{ "down", 2, NULL, "which monitor?" },
	{ "down --all x", 2, NULL, "exclude each other" },
	{ "down --stale x", 2, NULL, "exclude each other" },
	{ "down --all --stale", 2, NULL, "exclude each other" },
	{ "down ok bad/one", 2, NULL, "invalid monitor name 'bad/one'" },
	{ "down --force x", 2, NULL, "unknown option '--force'" },

	{ "list --help", 0, "Usage: vsockmon-ctl list [-j] [--names]", NULL },
	{ "list extra", 2, NULL, "unexpected argument 'extra'" },
	{ "list -j --names", 2, NULL, "--json and --names are two formats" },
	{ "list --names --json", 2, NULL, "choose one" },

	{ "status --help", 0, "Usage: vsockmon-ctl status [NAME] [-j]", NULL },
	{ "status a b", 2, NULL, "too many arguments" },
	{ "status ../x", 2, NULL, "invalid monitor name" },

	{ "capture --help", 0, "--pcapng", NULL },
	{ "capture -c", 2, NULL, "option '-c' needs an argument" },
	{ "capture --cid", 2, NULL, "option '--cid' needs an argument" },
	{ "capture -c 0", 2, NULL, "-c: '0' is not a number" },
	{ "capture -c abc", 2, NULL, "-c: 'abc' is not a number" },
	{ "capture -c -5", 2, NULL, "-c: '-5'" },
	{ "capture -c 5x", 2, NULL, "-c: '5x'" },
	{ "capture -s -1", 2, NULL, "--snaplen: '-1'" },
	{ "capture -U", 2, NULL, "-U needs -w" },
	{ "capture -s 262145", 2, NULL, "--snaplen: '262145'" },
	{ "capture -B 0", 2, NULL, "--buffer: '0'" },
	{ "capture -B 4097", 2, NULL, "--buffer: '4097'" },
	{ "capture --cid x", 2, NULL, "--cid: 'x'" },
	{ "capture --cid 18446744073709551616", 2, NULL, "--cid:" },
	{ "capture --src-cid -1", 2, NULL, "--src-cid:" },
	{ "capture --dst-cid 1.5", 2, NULL, "--dst-cid:" },
	{ "capture --port 4294967296", 2, NULL, "--port: '4294967296'" },
	{ "capture --port ~1", 2, NULL, "--port:" },
	{ "capture --op bogus", 2, NULL, "--op: 'bogus' is not one of" },
	{ "capture --op 65536", 2, NULL, "--op:" },
	{ "capture --duration 0", 2, NULL, "--duration: '0'" },
	{ "capture --duration -1", 2, NULL, "--duration" },
	{ "capture --duration abc", 2, NULL, "--duration" },
	{ "capture --duration inf", 2, NULL, "--duration" },
	{ "capture --pcapng", 2, NULL, "--pcapng needs -w" },
	{ "capture -r f -i vsm0", 2, NULL, "-r and -i exclude each other" },
	{ "capture -i bad/x", 2, NULL, "invalid monitor name" },
	{ "capture port 22", 2, NULL, "unexpected argument 'port'" },
	{ "capture port 22", 2, NULL, "--port" },
	{ "capture host 3", 2, NULL, "link[OFF:SIZE]" },
	{ "capture --bogus", 2, NULL, "capture: unknown option '--bogus'" },
	{ "capture -x", 2, NULL, "unknown option '-x'" },
	/* Found by tests/fuzz: these named 'capture' and '--quiet'. */
	{ "capture -Zq", 2, NULL, "unknown option '-Z'" },
	{ "capture --quiet -xq", 2, NULL, "unknown option '-x'" },
	{ "capture -qc", 2, NULL, "option '-c' needs an argument" },
	{ "capture --quiet=1", 2, NULL, "unknown option '--quiet=1'" },
	{ "capture -c 0", 2, NULL, "Usage: vsockmon-ctl capture" },
	/* Found by tests/fuzz: these escaped "OPTIONS and (FILTER)". */
	{ "capture --cid 3 --filter 1~=~1)~or~(1~=~1", 2, NULL,
	  "--filter: unbalanced parentheses in '1 = 1) or (1 = 1'" },
	{ "capture --filter (len~>~1", 2, NULL, "unbalanced parentheses" },
	/* The filter is compiled unoptimised: libpcap no longer says so. */
	{ "capture --cid 5 --src-cid 3 --dst-cid 4", 2, NULL,
	  "--cid 5 is neither --src-cid nor --dst-cid: nothing would match" },

	{ "top --help", 0, "Usage: vsockmon-ctl top", NULL },
	{ "top --interval 0", 2, NULL, "--interval: '0'" },
	{ "top --interval 0.01", 2, NULL, "--interval" },
	{ "top --interval", 2, NULL, "needs an argument" },
	{ "top x", 2, NULL, "unexpected argument 'x'" },
	{ "top -r f -i m", 2, NULL, "exclude each other" },
	{ "top --cid 3", 2, NULL, "unknown option '--cid'" },

	{ "doctor --help", 0, "Usage: vsockmon-ctl doctor", NULL },
	{ "doctor now", 2, NULL, "doctor: unexpected argument 'now'" },
	{ "doctor -v", 2, NULL, "doctor: unknown option '-v'" },
	{ "version --help", 0, "Usage: vsockmon-ctl version", NULL },
	{ "version x", 2, NULL, "unexpected argument 'x'" },
	{ "help --x", 2, NULL, "unknown subcommand '--x'" },
};

static void test_cli_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cli_cases) / sizeof(cli_cases[0]); i++) {
		const struct cli_case *c = &cli_cases[i];
		struct run_result r;

		run_ctl(c->line, &r);
		if (r.rc != c->rc ||
		    (c->out && !strstr(r.out, c->out)) ||
		    (c->err && !strstr(r.err, c->err)) ||
		    (c->rc == 2 && !strstr(r.err, "Usage: vsockmon-ctl")) ||
		    (c->rc == 0 && r.err[0])) {
			print_error("case '%s': rc %d (want %d)\nstdout: %s\nstderr: %s\n",
				    c->line, r.rc, c->rc, r.out, r.err);
			run_free(&r);
			fail();
		}
		run_free(&r);
	}
}

static void test_capture_values(void **state)
{
	struct argv_buf b;
	struct capture_opts o;
	char **argv = mkargv(&b, "capture -i mon1 -w out.pcap -c 10 --duration 2.5 "
			     "-s 128 -B 64 --cid 2 --src-cid 0x10 --dst-cid 2 "
			     "--port 1234 --op payload --filter len~>~100 --pcapng -q");

	(void)state;
	assert_int_equal(parse_capture(b.argc, argv, &o), PARSE_OK);
	argv_free(&b);
	assert_string_equal(o.ifname, "mon1");
	assert_string_equal(o.write, "out.pcap");
	assert_int_equal(o.count, 10);
	assert_true(o.duration > 2.49 && o.duration < 2.51);
	assert_int_equal(o.snaplen, 128);
	assert_int_equal(o.buffer_mib, 64);
	assert_int_equal(o.match.set, MATCH_CID | MATCH_SRC_CID | MATCH_DST_CID |
			 MATCH_PORT | MATCH_OP);
	assert_int_equal(o.match.cid, 2);
	assert_int_equal(o.match.src_cid, 16);
	assert_int_equal(o.match.dst_cid, 2);
	assert_int_equal(o.match.port, 1234);
	assert_int_equal(o.match.op, 4);
	assert_string_equal(o.filter, "len > 100");
	assert_true(o.pcapng);
	assert_true(o.quiet);
	assert_null(o.read);
}

static void test_capture_defaults(void **state)
{
	struct argv_buf b;
	struct capture_opts o;
	char **argv = mkargv(&b, "capture");

	(void)state;
	assert_int_equal(parse_capture(b.argc, argv, &o), PARSE_OK);
	argv_free(&b);
	assert_null(o.ifname);
	assert_null(o.write);
	assert_null(o.filter);
	assert_int_equal(o.count, 0);
	assert_true(o.duration == 0);
	assert_int_equal(o.snaplen, MAX_SNAPLEN);
	assert_int_equal(o.buffer_mib, DEFAULT_BUFFER_MIB);
	assert_int_equal(o.match.set, 0);
	assert_false(o.pcapng);
	assert_false(o.packet_buffered);
}

/* tcpdump's and dumpcap's conventions: -s 0 is the largest, -U per frame */
static void test_capture_tcpdump_conventions(void **state)
{
	struct argv_buf b;
	struct capture_opts o;
	char **argv = mkargv(&b, "capture -s 0 -U -w x.pcap");

	(void)state;
	assert_int_equal(parse_capture(b.argc, argv, &o), PARSE_OK);
	argv_free(&b);
	assert_int_equal(o.snaplen, MAX_SNAPLEN);
	assert_true(o.packet_buffered);
	argv = mkargv(&b, "capture --snaplen=0 --packet-buffered -w -");
	assert_int_equal(parse_capture(b.argc, argv, &o), PARSE_OK);
	argv_free(&b);
	assert_int_equal(o.snaplen, MAX_SNAPLEN);
	assert_true(o.packet_buffered);
	/* --op any, as the extcap's menu has it: the last word wins */
	argv = mkargv(&b, "capture --op payload --op any");
	assert_int_equal(parse_capture(b.argc, argv, &o), PARSE_OK);
	argv_free(&b);
	assert_false(o.match.set & MATCH_OP);
}

static void test_capture_edges(void **state)
{
	static const struct {
		const char *line;
		unsigned int set;
		uint64_t cid;
		uint32_t port;
		uint16_t op;
	} t[] = {
		{ "capture --cid 18446744073709551615", MATCH_CID, UINT64_MAX, 0, 0 },
		{ "capture --cid 0", MATCH_CID, 0, 0, 0 },
		{ "capture --port 4294967295", MATCH_PORT, 0, UINT32_MAX, 0 },
		{ "capture --port 0x4d2", MATCH_PORT, 0, 1234, 0 },
		{ "capture --port 052", MATCH_PORT, 0, 52, 0 },
		{ "capture --port 08", MATCH_PORT, 0, 8, 0 },
		{ "capture --cid 010", MATCH_CID, 10, 0, 0 },
		{ "capture --op connect", MATCH_OP, 0, 0, 1 },
		{ "capture --op disconnect", MATCH_OP, 0, 0, 2 },
		{ "capture --op control", MATCH_OP, 0, 0, 3 },
		{ "capture --op=payload", MATCH_OP, 0, 0, 4 },
		{ "capture --op 9", MATCH_OP, 0, 0, 9 },
		{ "capture --cid 5 --cid 7", MATCH_CID, 7, 0, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct argv_buf b;
		struct capture_opts o;
		char **argv = mkargv(&b, t[i].line);
		int r = parse_capture(b.argc, argv, &o);

		argv_free(&b);
		assert_int_equal(r, PARSE_OK);
		assert_int_equal(o.match.set, t[i].set);
		if (t[i].set & MATCH_CID)
			assert_true(o.match.cid == t[i].cid);
		if (t[i].set & MATCH_PORT)
			assert_int_equal(o.match.port, t[i].port);
		if (t[i].set & MATCH_OP)
			assert_int_equal(o.match.op, t[i].op);
	}
}

static void test_write_stdout_and_read(void **state)
{
	struct argv_buf b;
	struct capture_opts o;
	char **argv = mkargv(&b, "capture -w - -r in.pcap --port 7");

	(void)state;
	assert_int_equal(parse_capture(b.argc, argv, &o), PARSE_OK);
	argv_free(&b);
	assert_string_equal(o.write, "-");
	assert_string_equal(o.read, "in.pcap");
}

static void test_other_parsers(void **state)
{
	struct argv_buf b;
	struct up_opts u;
	struct down_opts d;
	struct list_opts l;
	struct status_opts s;
	struct top_opts t;
	struct version_opts v;
	char **argv;

	(void)state;
	argv = mkargv(&b, "up");
	assert_int_equal(parse_up(b.argc, argv, &u), PARSE_OK);
	argv_free(&b);
	assert_string_equal(u.name, "vsockmon0");

	argv = mkargv(&b, "up mon7");
	assert_int_equal(parse_up(b.argc, argv, &u), PARSE_OK);
	argv_free(&b);
	assert_string_equal(u.name, "mon7");

	argv = mkargv(&b, "down a b c");
	assert_int_equal(parse_down(b.argc, argv, &d), PARSE_OK);
	assert_int_equal(d.n, 3);
	assert_string_equal(d.names[2], "c");
	assert_false(d.all || d.stale);
	argv_free(&b);

	argv = mkargv(&b, "down --all");
	assert_int_equal(parse_down(b.argc, argv, &d), PARSE_OK);
	argv_free(&b);
	assert_true(d.all);
	assert_int_equal(d.n, 0);

	argv = mkargv(&b, "down --stale");
	assert_int_equal(parse_down(b.argc, argv, &d), PARSE_OK);
	argv_free(&b);
	assert_true(d.stale);

	argv = mkargv(&b, "list -j");
	assert_int_equal(parse_list(b.argc, argv, &l), PARSE_OK);
	argv_free(&b);
	assert_true(l.json && !l.names);

	argv = mkargv(&b, "list --names");
	assert_int_equal(parse_list(b.argc, argv, &l), PARSE_OK);
	argv_free(&b);
	assert_true(l.names && !l.json);

	argv = mkargv(&b, "status");
	assert_int_equal(parse_status(b.argc, argv, &s), PARSE_OK);
	argv_free(&b);
	assert_null(s.name);
	assert_false(s.json);

	argv = mkargv(&b, "status --json vsm1");
	assert_int_equal(parse_status(b.argc, argv, &s), PARSE_OK);
	argv_free(&b);
	assert_string_equal(s.name, "vsm1");
	assert_true(s.json);

	argv = mkargv(&b, "top");
	assert_int_equal(parse_top(b.argc, argv, &t), PARSE_OK);
	argv_free(&b);
	assert_true(t.interval == 1.0);
	assert_false(t.once || t.json);
	assert_null(t.ifname);

	argv = mkargv(&b, "top -i m --interval 0.5 --once --json");
	assert_int_equal(parse_top(b.argc, argv, &t), PARSE_OK);
	argv_free(&b);
	assert_string_equal(t.ifname, "m");
	assert_true(t.interval == 0.5);
	assert_true(t.once && t.json);

	argv = mkargv(&b, "version --json");
	assert_int_equal(parse_version(b.argc, argv, &v), PARSE_OK);
	argv_free(&b);
	assert_true(v.json);

	argv = mkargv(&b, "capture --help");
	{
		struct capture_opts o;

		assert_int_equal(parse_capture(b.argc, argv, &o), PARSE_HELP);
	}
	argv_free(&b);
}

/* Parsing the same argv twice must give the same answer (getopt reset). */
static void test_reparse(void **state)
{
	struct argv_buf b;
	struct capture_opts o;
	char **argv;
	int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		argv = mkargv(&b, "capture -c 3 --port 9");
		assert_int_equal(parse_capture(b.argc, argv, &o), PARSE_OK);
		argv_free(&b);
		assert_int_equal(o.count, 3);
		assert_int_equal(o.match.port, 9);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cli_table),
		cmocka_unit_test(test_capture_values),
		cmocka_unit_test(test_capture_tcpdump_conventions),
		cmocka_unit_test(test_capture_defaults),
		cmocka_unit_test(test_capture_edges),
		cmocka_unit_test(test_write_stdout_and_read),
		cmocka_unit_test(test_other_parsers),
		cmocka_unit_test(test_reparse),
	};

	return cmocka_run_group_tests_name("args", tests, NULL, NULL);
}
