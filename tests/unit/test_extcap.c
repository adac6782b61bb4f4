// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The extcap against Wireshark's contract (doc/man_pages/extcap.adoc,
 * doc/wsdg_src/wsdg_capture.adoc): every line it prints has the grammar
 * Wireshark parses, every option its configuration offers is one its
 * parser takes (and the ranges it states are the parser's), the filter
 * check answers on stdout only, and nothing reaches stderr on a normal
 * call. No kernel: listing goes through the pure printer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "harness.h"
#include "extcap.h"
#include "monitor.h"

/* ---- a reader of Wireshark's line grammar: keyword {k=v}{k=v}... */

#define MAXF 16
struct line {
	char kw[16];
	int n;
	char key[MAXF][32], val[MAXF][256];
};

/* Returns 0, or -1 if s is not one well-formed line. */
static int parse_line(const char *s, struct line *l)
{
	const char *p = strchr(s, ' ');

	memset(l, 0, sizeof(*l));
	if (!p || (size_t)(p - s) >= sizeof(l->kw))
		return -1;
	memcpy(l->kw, s, (size_t)(p - s));
	for (p++; *p; ) {
		const char *eq, *end, *open;

		if (*p != '{' || l->n == MAXF)
			return -1;
		eq = strchr(p, '=');
		end = strchr(p, '}');
		open = strchr(p + 1, '{');
		if (!eq || !end || eq > end || (open && open < end))
			return -1;
		snprintf(l->key[l->n], sizeof(l->key[0]), "%.*s", (int)(eq - p - 1), p + 1);
		snprintf(l->val[l->n], sizeof(l->val[0]), "%.*s", (int)(end - eq - 1), eq + 1);
		l->n++;
		p = end + 1;
	}
	return l->n ? 0 : -1;
}

static const char *get(const struct line *l, const char *key)
{
	int i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->key[i], key))
			return l->val[i];
	return NULL;
}

/* Every key of l is one Wireshark knows for its keyword. */
static void assert_known_keys(const struct line *l)
{
	static const struct { const char *kw, *keys; } known[] = {
		{ "extcap", " version help display " },
		{ "interface", " value display " },
		{ "dlt", " number name display " },
		{ "arg", " number call display type range default required "
			 "tooltip group validation placeholder " },
		{ "value", " arg value display default enabled parent " },
	};
	char k[40];
	size_t i;
	int j;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(known[i].kw, l->kw))
			break;
	assert_true(i < sizeof(known) / sizeof(known[0]));
	for (j = 0; j < l->n; j++) {
		snprintf(k, sizeof(k), " %s ", l->key[j]);
		if (!strstr(known[i].keys, k))
			fail_msg("%s: unknown key '%s'", l->kw, l->key[j]);
	}
}

/* Split text into lines, each checked; returns how many. */
static int read_lines(char *text, struct line *out, int max)
{
	char *save = NULL, *s;
	int n = 0;

	for (s = strtok_r(text, "\n", &save); s; s = strtok_r(NULL, "\n", &save)) {
		assert_true(n < max);
		if (parse_line(s, &out[n]))
			fail_msg("not a line of Wireshark's grammar: '%s'", s);
		assert_known_keys(&out[n]);
		n++;
	}
	return n;
}

static char *print_to_string(void (*fn)(FILE *))
{
	FILE *f = tmpfile();
	char *s;

	fn(f);
	s = slurp(f);
	fclose(f);
	return s;
}

/* ---- running the extcap as Wireshark does: argv[0] is the symlink */

static int run_as_extcap(const char *line, struct run_result *r)
{
	return run_ctl_as("/usr/lib/x86_64-linux-gnu/wireshark/extcap/"
			  EXTCAP_PROG, line, r);
}

static void test_dlts(void **state)
{
	struct run_result r;
	struct line l[4];

	(void)state;
	assert_int_equal(run_as_extcap("--extcap-dlts --extcap-interface vsock", &r), 0);
	assert_string_equal(r.err, "");
	assert_int_equal(read_lines(r.out, l, 4), 1);
	assert_string_equal(l[0].kw, "dlt");
	assert_string_equal(get(&l[0], "number"), "271");
	assert_string_equal(get(&l[0], "name"), "VSOCK");
	assert_non_null(get(&l[0], "display"));
	run_free(&r);
	/* the same for a named monitor, as "vsockmon-ctl extcap" */
	assert_int_equal(run_ctl("extcap --extcap-interface vsock-vsockmon0 "
				 "--extcap-dlts", &r), 0);
	assert_string_equal(r.err, "");
	assert_non_null(strstr(r.out, "{number=271}"));
	run_free(&r);
}

static void test_interfaces_lines(void **state)
{
	struct link_info v[4];
	struct line l[8];
	char *text;
	FILE *f;
	int n;

	(void)state;
	memset(v, 0, sizeof(v));
	snprintf(v[0].name, sizeof(v[0].name), "vsockmon0");
	snprintf(v[1].name, sizeof(v[1].name), TMPMON_PREFIX "4242");
	snprintf(v[2].name, sizeof(v[2].name), "odd{name}");
	snprintf(v[3].name, sizeof(v[3].name), "mon1");
	for (n = 0; n < 4; n++)
		snprintf(v[n].kind, sizeof(v[n].kind), VSOCKMON_KIND);

	f = tmpfile();
	extcap_print_interfaces(f, NULL, v, 4);
	text = slurp(f);
	fclose(f);
	n = read_lines(text, l, 8);
	/* extcap line first, "vsock", then the monitors but the temporary one */
	assert_int_equal(n, 5);
	assert_string_equal(l[0].kw, "extcap");
	assert_string_equal(get(&l[0], "version"), VSOCKMON_VERSION);
	assert_non_null(get(&l[0], "help"));
	assert_string_equal(l[1].kw, "interface");
	assert_string_equal(get(&l[1], "value"), EXTCAP_IFACE);
	/* tshark -D prints "vsock (all traffic)": the name once */
	assert_string_equal(get(&l[1], "display"), "all traffic");
	assert_string_equal(get(&l[2], "value"), "vsock-vsockmon0");
	assert_string_equal(get(&l[2], "display"), "monitor vsockmon0");
	/* a brace would end Wireshark's field early */
	assert_string_equal(get(&l[3], "value"), "vsock-odd_name_");
	assert_string_equal(get(&l[4], "value"), "vsock-mon1");
	free(text);

	f = tmpfile();
	extcap_print_interfaces(f, "module not built {x}", v, 1);
	text = slurp(f);
	fclose(f);
	n = read_lines(text, l, 8);
	assert_int_equal(n, 3);
	assert_non_null(strstr(get(&l[1], "display"), "unavailable: module not built"));
	free(text);
}

static void test_interfaces_live_call(void **state)
{
	struct run_result r;
	struct line l[64];
	int n;

	(void)state;
	/* whatever this machine has: the grammar, and nothing on stderr */
	assert_int_equal(run_as_extcap("--extcap-interfaces --extcap-version=4.0", &r), 0);
	assert_string_equal(r.err, "");
	n = read_lines(r.out, l, 64);
	assert_true(n >= 2);
	assert_string_equal(l[0].kw, "extcap");
	assert_string_equal(get(&l[1], "value"), "vsock");
	run_free(&r);
}

/* sshdump's conventions: the version alone, --version, a usage in its name */
static void test_version_and_usage(void **state)
{
	struct run_result r;

	(void)state;
	assert_int_equal(run_as_extcap("--extcap-version", &r), 0);
	assert_string_equal(r.out, EXTCAP_PROG " version " VSOCKMON_VERSION "\n");
	assert_string_equal(r.err, "");
	run_free(&r);
	assert_int_equal(run_as_extcap("--extcap-version=4.0", &r), 0);
	assert_string_equal(r.out, EXTCAP_PROG " version " VSOCKMON_VERSION "\n");
	run_free(&r);
	assert_int_equal(run_ctl("extcap --extcap-version", &r), 0);
	assert_string_equal(r.out, EXTCAP_PROG " version " VSOCKMON_VERSION "\n");
	run_free(&r);
	assert_int_equal(run_as_extcap("--version", &r), 0);
	assert_string_equal(r.out, EXTCAP_PROG " " VSOCKMON_VERSION "\n");
	run_free(&r);
	/* the link's usage names the link, not "vsockmon-ctl extcap" */
	assert_int_equal(run_as_extcap("--bogus", &r), 2);
	assert_non_null(strstr(r.err, "Usage: " EXTCAP_PROG " ["));
	assert_non_null(strstr(r.err, EXTCAP_PROG ": unknown option '--bogus'"));
	assert_null(strstr(r.err, "vsockmon-ctl extcap"));
	assert_null(strstr(r.err, "vsockmon-ctl:"));
	run_free(&r);
	assert_int_equal(run_ctl("extcap --bogus", &r), 2);
	assert_non_null(strstr(r.err, "Usage: vsockmon-ctl extcap ["));
	run_free(&r);
}

/* A value for the option of arg a that its range allows, and one past it. */
static void sample_values(const struct line *a, char *in, char *out, size_t sz)
{
	const char *range = get(a, "range");
	unsigned long long lo, hi;

	if (!strcmp(get(a, "type"), "selector")) {
		snprintf(in, sz, "payload");
		snprintf(out, sz, "nonsense");
		return;
	}
	if (!range) {	/* text: what its validation pattern lets through */
		assert_non_null(get(a, "validation"));
		snprintf(in, sz, "0xffffffffffffffff");
		snprintf(out, sz, "0x10000000000000000");
		return;
	}
	assert_int_equal(sscanf(range, "%llu,%llu", &lo, &hi), 2);
	snprintf(in, sz, "%llu", hi);
	snprintf(out, sz, "%llu", hi + 1);
}

static void test_config(void **state)
{
	struct run_result r;
	struct line l[32];
	int n, i, j, args = 0, defaults;
	char *again;

	(void)state;
	assert_int_equal(run_as_extcap("--extcap-config --extcap-interface vsock", &r), 0);
	assert_string_equal(r.err, "");
	again = print_to_string(extcap_print_config);
	assert_string_equal(r.out, again);	/* the call prints the printer's */
	free(again);
	n = read_lines(r.out, l, 32);
	for (i = 0; i < n; i++) {
		char want[16], line[512], ok[32], bad[32];
		struct argv_buf b;
		struct extcap_opts o;
		char **argv;

		if (strcmp(l[i].kw, "arg"))
			continue;
		/* numbered 0, 1, 2... in order */
		snprintf(want, sizeof(want), "%d", args++);
		assert_string_equal(get(&l[i], "number"), want);
		assert_non_null(get(&l[i], "display"));
		assert_non_null(get(&l[i], "type"));
		assert_true(!strncmp(get(&l[i], "call"), "--", 2));
		/* the parser takes what the range allows, refuses one past it */
		sample_values(&l[i], ok, bad, sizeof(ok));
		snprintf(line, sizeof(line), "extcap --capture --extcap-interface "
			 "vsock --fifo /f %s %s", get(&l[i], "call"), ok);
		argv = mkargv(&b, line);
		assert_int_equal(parse_extcap(b.argc, argv, &o), PARSE_OK);
		argv_free(&b);
		snprintf(line, sizeof(line), "extcap --capture --extcap-interface "
			 "vsock --fifo /f %s %s", get(&l[i], "call"), bad);
		argv = mkargv(&b, line);
		if (parse_extcap(b.argc, argv, &o) != PARSE_USAGE)
			fail_msg("%s %s accepted", get(&l[i], "call"), bad);
		argv_free(&b);
		/* a selector's values: one default, each taken by the parser */
		if (strcmp(get(&l[i], "type"), "selector"))
			continue;
		defaults = 0;
		for (j = 0; j < n; j++) {
			if (strcmp(l[j].kw, "value") ||
			    strcmp(get(&l[j], "arg"), get(&l[i], "number")))
				continue;
			defaults += !strcmp(get(&l[j], "default"), "true");
			snprintf(line, sizeof(line), "extcap --capture "
				 "--extcap-interface vsock --fifo /f %s %s",
				 get(&l[i], "call"), get(&l[j], "value"));
			argv = mkargv(&b, line);
			assert_int_equal(parse_extcap(b.argc, argv, &o), PARSE_OK);
			argv_free(&b);
		}
		assert_int_equal(defaults, 1);
	}
	/* CID x2 + 1, port, op, snaplen, buffer */
	assert_int_equal(args, 7);
	/* every value line names an arg that exists */
	for (i = 0; i < n; i++)
		if (!strcmp(l[i].kw, "value"))
			assert_true(atoi(get(&l[i], "arg")) < args);
	run_free(&r);
}

static void test_capture_filter(void **state)
{
	struct run_result r;

	(void)state;
	/* valid: nothing at all on stdout */
	assert_int_equal(run_as_extcap("--extcap-capture-filter "
				       "link[20:4]~=~0xd2040000 --extcap-interface vsock", &r), 0);
	assert_string_equal(r.out, "");
	assert_string_equal(r.err, "");
	run_free(&r);
	/* libpcap has no vsock primitives: the reason, one line, stdout only */
	assert_int_equal(run_as_extcap("--extcap-capture-filter port~1234 "
				       "--extcap-interface vsock", &r), 0);
	assert_non_null(strstr(r.out, "vsock"));
	assert_non_null(strstr(r.out, "not implemented"));
	assert_ptr_equal(strchr(r.out, '\n'), r.out + strlen(r.out) - 1);
	assert_string_equal(r.err, "");
	run_free(&r);
	assert_int_equal(run_as_extcap("--extcap-capture-filter "
				       "(link[0]~=~1 --extcap-interface vsock", &r), 0);
	assert_string_equal(r.out, "unbalanced parentheses\n");
	run_free(&r);
	assert_int_equal(run_as_extcap("--extcap-capture-filter nonsense( "
				       "--extcap-interface vsock-vsockmon0", &r), 0);
	assert_true(strlen(r.out) > 1);
	run_free(&r);
}

static void test_parse(void **state)
{
	static const struct {
		const char *line;
		int rc;
		enum extcap_action action;
	} cases[] = {
		{ "extcap --extcap-interfaces", PARSE_OK, EXTCAP_INTERFACES },
		{ "extcap --extcap-interfaces --extcap-version=4.0", PARSE_OK,
		  EXTCAP_INTERFACES },
		{ "extcap --extcap-version 4.0.17 --extcap-interfaces --debug",
		  PARSE_OK, EXTCAP_INTERFACES },
		{ "extcap --extcap-dlts --extcap-interface vsock", PARSE_OK,
		  EXTCAP_DLTS },
		{ "extcap --extcap-config --extcap-interface vsock-m0", PARSE_OK,
		  EXTCAP_CONFIG },
		{ "extcap --extcap-capture-filter x --extcap-interface vsock",
		  PARSE_OK, EXTCAP_FILTER },
		{ "extcap --capture --extcap-interface vsock --fifo /f "
		  "--extcap-capture-filter x", PARSE_OK, EXTCAP_CAPTURE },
		{ "extcap --capture --extcap-interface vsock --fifo /f --op any "
		  "--cid= --port 5 --debug-file /d", PARSE_OK, EXTCAP_CAPTURE },
		{ "extcap", PARSE_USAGE, EXTCAP_NONE },
		{ "extcap --extcap-dlts", PARSE_USAGE, EXTCAP_NONE },
		{ "extcap --extcap-dlts --extcap-interface eth0", PARSE_USAGE, 0 },
		{ "extcap --extcap-dlts --extcap-interface vsock-", PARSE_USAGE, 0 },
		{ "extcap --extcap-dlts --extcap-interface vsockx", PARSE_USAGE, 0 },
		{ "extcap --extcap-dlts --extcap-interface vsock-a/b", PARSE_USAGE, 0 },
		{ "extcap --capture --extcap-interface vsock", PARSE_USAGE, 0 },
		{ "extcap --capture --extcap-interface vsock --fifo /f "
		  "--extcap-capture-filter (x", PARSE_USAGE, 0 },
		{ "extcap --capture --extcap-interface vsock --fifo /f --port x",
		  PARSE_USAGE, 0 },
		{ "extcap --capture --extcap-interface vsock --fifo /f --cid 3 "
		  "--src-cid 4 --dst-cid 5", PARSE_USAGE, 0 },
		{ "extcap --capture --extcap-interface vsock --fifo /f stray",
		  PARSE_USAGE, 0 },
		{ "extcap --bogus", PARSE_USAGE, 0 },
	};
	struct extcap_opts o;
	struct argv_buf b;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char **argv = mkargv(&b, cases[i].line);
		int rc = parse_extcap(b.argc, argv, &o);

		argv_free(&b);
		if (rc != cases[i].rc)
			fail_msg("'%s': rc %d, want %d", cases[i].line, rc, cases[i].rc);
		if (rc == PARSE_OK && o.action != cases[i].action)
			fail_msg("'%s': action %d, want %d", cases[i].line,
				 o.action, cases[i].action);
	}
}

/* What a capture call hands to capture's pipeline. */
static void test_capture_opts(void **state)
{
	struct extcap_opts o;
	struct argv_buf b;
	char **argv;

	(void)state;
	argv = mkargv(&b, "extcap --capture --extcap-interface vsock-vsockmon0 "
		      "--fifo /tmp/wireshark_extcap_x --extcap-capture-filter "
		      "link[0]~=~1 --cid 3 --src-cid 3 --dst-cid 2 --port 1234 "
		      "--op payload --snaplen 100 --buffer 8");
	assert_int_equal(parse_extcap(b.argc, argv, &o), PARSE_OK);
	argv_free(&b);
	assert_string_equal(o.cap.ifname, "vsockmon0");
	assert_string_equal(o.cap.write, "/tmp/wireshark_extcap_x");
	assert_string_equal(o.cap.filter, "link[0] = 1");
	assert_true(o.cap.extcap);
	assert_true(o.cap.quiet);	/* nothing on stderr */
	assert_false(o.cap.pcapng);	/* Wireshark reads pcap from the fifo */
	assert_int_equal(o.cap.match.set, MATCH_CID | MATCH_SRC_CID |
			 MATCH_DST_CID | MATCH_PORT | MATCH_OP);
	assert_int_equal(o.cap.match.port, 1234);
	assert_int_equal(o.cap.match.op, 4);
	assert_int_equal(o.cap.snaplen, 100);
	assert_int_equal(o.cap.buffer_mib, 8);

	/* "vsock": a temporary monitor; unset options keep capture's defaults */
	argv = mkargv(&b, "extcap --capture --extcap-interface vsock --fifo /f "
		      "--op any --extcap-capture-filter=");
	assert_int_equal(parse_extcap(b.argc, argv, &o), PARSE_OK);
	argv_free(&b);
	assert_null(o.cap.ifname);
	assert_null(o.cap.filter);
	assert_int_equal(o.cap.match.set, 0);
	assert_int_equal(o.cap.snaplen, MAX_SNAPLEN);
	assert_int_equal(o.cap.buffer_mib, DEFAULT_BUFFER_MIB);
}

static void test_monitor_of(void **state)
{
	const char *m = "unset";

	(void)state;
	assert_int_equal(extcap_monitor_of("vsock", &m), 0);
	assert_null(m);
	assert_int_equal(extcap_monitor_of("vsock-a-b", &m), 0);
	assert_string_equal(m, "a-b");
	assert_int_equal(extcap_monitor_of("vsock-", &m), -1);
	assert_int_equal(extcap_monitor_of("vsockmon0", &m), -1);
	assert_int_equal(extcap_monitor_of(NULL, &m), -1);
}

/* Errors are short and on stderr; stdout stays empty (Wireshark parses it). */
static void test_errors(void **state)
{
	struct run_result r;

	(void)state;
	assert_int_equal(run_as_extcap("--extcap-dlts --extcap-interface eth0", &r), 2);
	assert_string_equal(r.out, "");
	assert_non_null(strstr(r.err, "unknown interface 'eth0'"));
	run_free(&r);
	assert_int_equal(run_as_extcap("--capture --extcap-interface vsock", &r), 2);
	assert_string_equal(r.out, "");
	assert_non_null(strstr(r.err, "--fifo"));
	run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dlts),
		cmocka_unit_test(test_interfaces_lines),
		cmocka_unit_test(test_version_and_usage),
		cmocka_unit_test(test_interfaces_live_call),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_capture_filter),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_capture_opts),
		cmocka_unit_test(test_monitor_of),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests_name("extcap", tests, NULL, NULL);
}
