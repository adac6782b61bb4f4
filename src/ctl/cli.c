// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The subcommand table (cmdtab.h), the usage generated from it, and
 * dispatch.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "cmds.h"
#include "cmdtab.h"
#include "extcap.h"

/* One per verb: parse into the verb's options, then run them. */
#define HANDLER(verb, opts_type)						\
static int h_##verb(int argc, char **argv)				\
{									\
	struct opts_type o;						\
	int r = parse_##verb(argc, argv, &o);				\
									\
	return r ? (r == PARSE_HELP ? EXIT_OK : r) : run_##verb(&o);	\
}

HANDLER(up, up_opts)
HANDLER(down, down_opts)
HANDLER(list, list_opts)
HANDLER(status, status_opts)
HANDLER(capture, capture_opts)
HANDLER(top, top_opts)
HANDLER(doctor, doctor_opts)
HANDLER(version, version_opts)
HANDLER(follow, follow_opts)
HANDLER(extcap, extcap_opts)

static int h_help(int argc, char **argv);

#define END { 0, NULL, ARG_NONE, NULL, NULL }
#define JSON { 'j', "json", ARG_NONE, NULL, "machine-readable output" }

/* The filter options capture and extcap share (args.c parses them alike). */
#define MATCH_OPTS \
	{ OPT_CID, "cid", ARG_VALUE, "N", "frames from or to CID N" }, \
	{ OPT_SRC_CID, "src-cid", ARG_VALUE, "N", "frames from CID N" }, \
	{ OPT_DST_CID, "dst-cid", ARG_VALUE, "N", "frames to CID N" }, \
	{ OPT_PORT, "port", ARG_VALUE, "N", "frames from or to port N" }

/* The hybrid vsock source (hybrid.h), for capture and top. */
#define HYBRID_OPTS \
	{ OPT_UDS, "uds", ARG_FILE, "PATH", "capture a userspace VMM's " \
	  "hybrid vsock socket" }, \
	{ OPT_GUEST_CID, "guest-cid", ARG_VALUE, "N", "the CID of the guest " \
	  "behind --uds" }

static const struct opt_def no_opts[] = { END };

static const struct opt_def down_opts[] = {
	{ OPT_ALL, "all", ARG_NONE, NULL,
	  "remove every vsockmon in this network namespace" },
	{ OPT_STALE, "stale", ARG_NONE, NULL,
	  "remove temporary monitors whose owner is gone" },
	END
};

static const struct opt_def list_opts[] = {
	JSON,
	{ OPT_NAMES, "names", ARG_NONE, NULL, "only the names, one per line" },
	END
};

static const struct opt_def json_opts[] = { JSON, END };

static const struct opt_def capture_opts[] = {
	{ 'i', "interface", ARG_MONITOR, "NAME", "capture on this monitor (default: a "
	  "temporary one)" },
	{ 'w', "write", ARG_FILE, "FILE|-", "write a capture file instead of "
	  "lines" },
	{ 'r', "read", ARG_FILE, "FILE", "read frames from a capture file instead" },
	HYBRID_OPTS,
	{ 'c', "count", ARG_VALUE, "COUNT", "stop after COUNT frames" },
	{ OPT_DURATION, "duration", ARG_VALUE, "SECONDS", "stop after SECONDS" },
	{ 's', "snaplen", ARG_VALUE, "SNAPLEN", "bytes kept per frame with -w "
	  "(default and 0: 262144)" },
	{ 'B', "buffer", ARG_VALUE, "MIB", "kernel ring buffer in MiB "
	  "(default 32, at most 2047)" },
	MATCH_OPTS,
	{ OPT_OP, "op", ARG_OP, "OP", "connect, disconnect, control, payload or "
	  "any" },
	{ OPT_FILTER, "filter", ARG_VALUE, "EXPR", "libpcap expression, ANDed with the "
	  "options" },
	{ OPT_PCAPNG, "pcapng", ARG_NONE, NULL, "write pcapng instead of pcap "
	  "(needs -w)" },
	{ 'U', "packet-buffered", ARG_NONE, NULL, "write each frame at once "
	  "(default into a pipe)" },
	{ OPT_RAW, "raw", ARG_NONE, NULL, "keep bytes past the virtio "
	  "header's len (6.1.y)" },
	{ 'q', "quiet", ARG_NONE, NULL, "no banner, notes or statistics on stderr" },
	END
};

static const struct opt_def top_opts[] = {
	{ 'i', "interface", ARG_MONITOR, "NAME", "use this monitor (default: a "
	  "temporary one)" },
	{ 'r', "read", ARG_FILE, "FILE", "account a capture file instead, print "
	  "once" },
	HYBRID_OPTS,
	{ OPT_INTERVAL, "interval", ARG_VALUE, "SECONDS", "refresh period "
	  "(default 1)" },
	{ OPT_ONCE, "once", ARG_NONE, NULL, "print one table after one interval "
	  "or a stop, exit" },
	{ 'j', "json", ARG_NONE, NULL, "one JSON object per interval" },
	END
};

static const struct opt_def follow_opts[] = {
	{ 'r', "read", ARG_FILE, "FILE", "the capture file (pcap or pcapng; - "
	  "for stdin)" },
	{ OPT_STREAM, "stream", ARG_VALUE, "N", "write stream N's bytes from "
	  "its client to stdout" },
	{ OPT_REPLY, "reply", ARG_NONE, NULL, "with --stream: the bytes to its "
	  "client instead" },
	{ 'o', "output", ARG_FILE, "DIR", "write every stream's two directions "
	  "to files in DIR" },
	{ OPT_RAW, "raw", ARG_NONE, NULL, "keep bytes past the virtio "
	  "header's len (6.1.y)" },
	JSON,
	END
};

/* Wireshark's options, then the configuration it shows (--extcap-config). */
static const struct opt_def extcap_opts[] = {
	{ OPT_EXTCAP_INTERFACES, "extcap-interfaces", ARG_NONE, NULL,
	  "list the interfaces" },
	{ OPT_EXTCAP_VERSION, "extcap-version", ARG_VALUE, "[=VER]",
	  "alone: print this extcap's version" },
	{ OPT_EXTCAP_INTERFACE, "extcap-interface", ARG_VALUE, "IF",
	  "the interface asked about" },
	{ OPT_EXTCAP_DLTS, "extcap-dlts", ARG_NONE, NULL, "its link type" },
	{ OPT_EXTCAP_CONFIG, "extcap-config", ARG_NONE, NULL,
	  "its configuration options" },
	{ OPT_EXTCAP_FILTER, "extcap-capture-filter", ARG_VALUE, "EXPR",
	  "check EXPR (alone) or capture with it" },
	{ OPT_CAPTURE, "capture", ARG_NONE, NULL, "capture into --fifo" },
	{ OPT_FIFO, "fifo", ARG_FILE, "PATH", "the fifo Wireshark reads" },
	{ OPT_DEBUG, "debug", ARG_NONE, NULL, "Wireshark's (ignored)" },
	{ OPT_DEBUG_FILE, "debug-file", ARG_FILE, "FILE",
	  "Wireshark's (ignored)" },
	MATCH_OPTS,
	{ OPT_OP, "op", ARG_OP, "OP", "connect, disconnect, control, payload "
	  "or any" },
	{ 's', "snaplen", ARG_VALUE, "SNAPLEN", "bytes kept per frame "
	  "(default and 0: 262144)" },
	{ 'B', "buffer", ARG_VALUE, "MIB", "kernel ring buffer in MiB "
	  "(default 32)" },
	END
};

const struct cmd_def cmd_table[] = {
	{ "up", "Create a monitor if absent and bring it up", "[NAME]",
	  ARG_MONITOR, NULL, "NAME defaults to " DEFAULT_MONITOR ".", no_opts,
	  h_up },
	{ "down", "Remove monitors", "NAME...", ARG_MONITOR,
	  "NAME... | --all | --stale", NULL, down_opts, h_down },
	{ "list", "List monitors with state and counters", NULL, ARG_NONE, NULL,
	  NULL, list_opts, h_list },
	{ "status", "Show a monitor and the module serving it", "[NAME]",
	  ARG_MONITOR, NULL, "Without NAME, shows the module and every monitor.",
	  json_opts, h_status },
	{ "capture", "Capture vsock traffic (pcap or readable lines)", NULL,
	  ARG_NONE, NULL, NULL, capture_opts, h_capture },
	{ "top", "Live table of vsock connections", NULL, ARG_NONE, NULL, NULL,
	  top_opts, h_top },
	{ "follow", "Each connection's bytes from a capture file", NULL,
	  ARG_NONE, "-r FILE [-j | --stream N [--reply] | -o DIR] [--raw]",
	  "Without --stream or -o, lists the streams, numbered as the "
	  "Wireshark plugin\n  numbers them (vsockmon.stream). -o names each "
	  "file STREAM-CID.PORT-CID.PORT,\n  the sending end first.",
	  follow_opts, h_follow },
	{ "doctor", "Check the environment (OK/WARN/FAIL)", NULL, ARG_NONE, NULL,
	  NULL, no_opts, h_doctor },
	{ "version", "Show the tool's and the loaded module's version", NULL,
	  ARG_NONE, NULL, NULL, json_opts, h_version },
	{ "extcap", "Wireshark's extcap interface (vsock in its list)", NULL,
	  ARG_NONE, NULL, "Wireshark runs it as " EXTCAP_PROG " in its extcap "
	  "folder; see vsockmon-ctl(8).", extcap_opts, h_extcap },
	{ "help", "Show help for a subcommand", "[SUBCOMMAND]", ARG_COMMAND, NULL,
	  NULL, no_opts, h_help },
};

const size_t cmd_count = sizeof(cmd_table) / sizeof(cmd_table[0]);

const struct cmd_def *cmd_find(const char *name)
{
	size_t i;

	for (i = 0; i < cmd_count; i++)
		if (!strcmp(cmd_table[i].name, name))
			return &cmd_table[i];
	return NULL;
}

static void print_main_usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: %s <subcommand> [<args>]\n"
		"       %s --version | -V\n"
		"       %s --help | -h\n\n"
		"Create, list, remove and capture vsock monitors.\n\n"
		"Subcommands:\n", PROG_NAME, PROG_NAME, PROG_NAME);
	for (i = 0; i < cmd_count; i++)
		fprintf(f, "  %-9s %s\n", cmd_table[i].name, cmd_table[i].summary);
	fprintf(f, "\nRun '%s help SUBCOMMAND' for its options.\n"
		"Exit status: 0 success, 1 failure, 2 usage error.\n", PROG_NAME);
}

/* "[-i NAME]" or "[--duration SECONDS]", wrapped under the usage line */
/* Started as Wireshark's extcap (a symlink named EXTCAP_PROG)? */
static bool extcap_link;

static void print_synopsis(FILE *f, const struct cmd_def *c)
{
	const struct opt_def *o;
	int col = extcap_link && c->handler == h_extcap ?
		  fprintf(f, "Usage: %s", EXTCAP_PROG) :
		  fprintf(f, "Usage: %s %s", PROG_NAME, c->name);
	char item[64];

	if (c->synopsis || c->operands)
		col += fprintf(f, " %s", c->synopsis ? c->synopsis : c->operands);
	for (o = c->opts; !c->synopsis && o->id; o++) {
		if (opt_short(o))
			snprintf(item, sizeof(item), "[-%c%s%s]", opt_short(o),
				 opt_arg_sep(o), o->arg ? o->arg : "");
		else
			snprintf(item, sizeof(item), "[--%s%s%s]", o->lng,
				 opt_arg_sep(o), o->arg ? o->arg : "");
		if (col + 1 + (int)strlen(item) > 78)
			col = fprintf(f, "\n      ");
		col += fprintf(f, " %s", item);
	}
	fputc('\n', f);
}

void print_usage(const char *cmd, FILE *f)
{
	const struct cmd_def *c = cmd_find(cmd);
	const struct opt_def *o;
	char flags[64];

	if (!c) {
		print_main_usage(f);
		return;
	}
	print_synopsis(f, c);
	if (c->notes)
		fprintf(f, "  %s\n", c->notes);
	for (o = c->opts; o->id; o++) {
		if (opt_short(o))
			snprintf(flags, sizeof(flags), "-%c, --%s%s%s", opt_short(o),
				 o->lng, opt_arg_sep(o), o->arg ? o->arg : "");
		else
			snprintf(flags, sizeof(flags), "--%s%s%s", o->lng,
				 opt_arg_sep(o), o->arg ? o->arg : "");
		fprintf(f, "  %-24s %s\n", flags, o->help);
	}
	fprintf(f, "  %-24s %s\n", "-h, --help", "this help");
}

int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	if (extcap_link && !strcmp(cmd, "extcap"))
		fprintf(ERR, "%s: ", EXTCAP_PROG);
	else
		fprintf(ERR, "%s: %s: ", PROG_NAME, cmd);
	va_start(ap, fmt);
	vfprintf(ERR, fmt, ap);
	va_end(ap);
	fputc('\n', ERR);
	print_usage(cmd, ERR);
	return EXIT_USAGE;
}

static int h_help(int argc, char **argv)
{
	if (argc == 1) {
		print_main_usage(OUT);
		return EXIT_OK;
	}
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		print_usage("help", OUT);
		return EXIT_OK;
	}
	if (argc > 2)
		return usage_error("help", "too many arguments");
	if (!cmd_find(argv[1])) {
		fprintf(ERR, "%s: help: unknown subcommand '%s'\n", PROG_NAME,
			argv[1]);
		print_main_usage(ERR);
		return EXIT_USAGE;
	}
	print_usage(argv[1], OUT);
	return EXIT_OK;
}

/*
 * Every command fails on a failed write (list > /dev/full). Commands that
 * report their own write errors return non-zero, and are left alone.
 */
static int finish_output(int rc)
{
	errno = 0;
	if ((fflush(OUT) || ferror(OUT)) && rc == EXIT_OK) {
		if (errno)
			ctl_error("write", "stdout", errno, NULL);
		else
			ctl_msg("write stdout: output error");
		return EXIT_FAIL;
	}
	return rc;
}

static int dispatch(int argc, char **argv)
{
	const struct cmd_def *c;

	if (argc < 2) {
		print_main_usage(ERR);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		print_main_usage(OUT);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		fprintf(OUT, "%s %s\n", PROG_NAME, VSOCKMON_VERSION);
		return EXIT_OK;
	}
	c = cmd_find(argv[1]);
	if (!c) {
		fprintf(ERR, "%s: unknown subcommand '%s'\n", PROG_NAME, argv[1]);
		print_main_usage(ERR);
		return EXIT_USAGE;
	}
	return c->handler(argc - 1, argv + 1);
}

static bool started_as_extcap(const char *argv0)
{
	const char *base = argv0 ? strrchr(argv0, '/') : NULL;

	base = base ? base + 1 : argv0;
	return base && !strcmp(base, EXTCAP_PROG);
}

int ctl_main(int argc, char **argv)
{
	extcap_link = started_as_extcap(argv[0]);
	if (extcap_link && argc == 2 && (!strcmp(argv[1], "--version") ||
					 !strcmp(argv[1], "-V"))) {
		fprintf(OUT, "%s %s\n", EXTCAP_PROG, VSOCKMON_VERSION);
		return finish_output(EXIT_OK);
	}
	if (extcap_link)
		return finish_output(h_extcap(argc, argv));
	return finish_output(dispatch(argc, argv));
}
