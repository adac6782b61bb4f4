// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The subcommand table, per-subcommand usage, and dispatch.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "cmds.h"

static int h_up(int argc, char **argv)
{
	struct up_opts o;
	int r = parse_up(argc, argv, &o);

	return r ? (r == PARSE_HELP ? EXIT_OK : r) : run_up(&o);
}

static int h_down(int argc, char **argv)
{
	struct down_opts o;
	int r = parse_down(argc, argv, &o);

	return r ? (r == PARSE_HELP ? EXIT_OK : r) : run_down(&o);
}

static int h_list(int argc, char **argv)
{
	struct list_opts o;
	int r = parse_list(argc, argv, &o);

	return r ? (r == PARSE_HELP ? EXIT_OK : r) : run_list(&o);
}

static int h_status(int argc, char **argv)
{
	struct status_opts o;
	int r = parse_status(argc, argv, &o);

	return r ? (r == PARSE_HELP ? EXIT_OK : r) : run_status(&o);
}

static int h_capture(int argc, char **argv)
{
	struct capture_opts o;
	int r = parse_capture(argc, argv, &o);

	return r ? (r == PARSE_HELP ? EXIT_OK : r) : run_capture(&o);
}

static int h_top(int argc, char **argv)
{
	struct top_opts o;
	int r = parse_top(argc, argv, &o);

	return r ? (r == PARSE_HELP ? EXIT_OK : r) : run_top(&o);
}

static int h_doctor(int argc, char **argv)
{
	int r = parse_noargs(argc, argv);

	return r ? (r == PARSE_HELP ? EXIT_OK : r) : run_doctor();
}

static int h_version(int argc, char **argv)
{
	struct version_opts o;
	int r = parse_version(argc, argv, &o);

	return r ? (r == PARSE_HELP ? EXIT_OK : r) : run_version(&o);
}

static int h_help(int argc, char **argv);

static const struct subcommand {
	const char *name;
	int (*handler)(int argc, char **argv);
	const char *help;
	const char *usage;
} subcommands[] = {
	{ "up", h_up, "Create a monitor if absent and bring it up",
	  "[NAME]\n"
	  "  NAME defaults to " DEFAULT_MONITOR ".\n" },
	{ "down", h_down, "Remove monitors",
	  "NAME... | --all | --stale\n"
	  "  --all    remove every vsockmon device in this network namespace\n"
	  "  --stale  remove temporary monitors whose capture process is gone\n" },
	{ "list", h_list, "List monitors with state and counters",
	  "[--json] [--names]\n"
	  "  --json   machine-readable output\n"
	  "  --names  only the names, one per line\n" },
	{ "status", h_status, "Show a monitor and the module serving it",
	  "[NAME] [--json]\n"
	  "  Without NAME, shows the module and every monitor.\n" },
	{ "capture", h_capture, "Capture vsock traffic (pcap or readable lines)",
	  "[-i NAME] [-w FILE|-] [-c COUNT] [--duration SECONDS]\n"
	  "       [-s SNAPLEN] [-B MIB] [--cid N] [--src-cid N] [--dst-cid N]\n"
	  "       [--port N] [--op connect|disconnect|control|payload]\n"
	  "       [--filter EXPR] [--pcapng] [-r FILE] [-q]\n"
	  "  -i NAME          capture on an existing monitor (default: a temporary\n"
	  "                   one, removed on exit)\n"
	  "  -w FILE|-        write a capture file (LINKTYPE_VSOCK) instead of lines\n"
	  "  -c COUNT         stop after COUNT frames\n"
	  "  --duration S     stop after S seconds\n"
	  "  -s SNAPLEN       bytes kept per frame (default 262144)\n"
	  "  -B MIB           kernel ring buffer size (default 32)\n"
	  "  --cid N          frames from or to CID N\n"
	  "  --src-cid N, --dst-cid N, --port N (source or destination)\n"
	  "  --op OP          connect, disconnect, control or payload\n"
	  "  --filter EXPR    libpcap expression ANDed with the options above\n"
	  "  --pcapng         write pcapng instead of pcap (needs -w)\n"
	  "  -r FILE          read frames from a capture file instead\n"
	  "  -q               no statistics on stderr\n" },
	{ "top", h_top, "Live table of vsock connections",
	  "[-i NAME] [-r FILE] [--interval SECONDS] [--once] [--json]\n"
	  "  -i NAME          use an existing monitor (default: a temporary one)\n"
	  "  -r FILE          account a capture file instead, then print once\n"
	  "  --interval S     refresh period (default 1)\n"
	  "  --once           print one table after one interval and exit\n"
	  "  --json           one JSON object per interval\n" },
	{ "doctor", h_doctor, "Check the environment (OK/WARN/FAIL)", "\n" },
	{ "version", h_version, "Show the tool's and the loaded module's version",
	  "[--json]\n" },
	{ "help", h_help, "Show help for a subcommand", "[SUBCOMMAND]\n" },
};

#define NCMDS (sizeof(subcommands) / sizeof(subcommands[0]))

static const struct subcommand *find(const char *name)
{
	size_t i;

	for (i = 0; i < NCMDS; i++)
		if (!strcmp(subcommands[i].name, name))
			return &subcommands[i];
	return NULL;
}

static void print_main_usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: %s <subcommand> [<args>]\n\n"
		"Create, list, remove and capture vsock monitors.\n\n"
		"Subcommands:\n", PROG_NAME);
	for (i = 0; i < NCMDS; i++)
		fprintf(f, "  %-9s %s\n", subcommands[i].name, subcommands[i].help);
	fprintf(f, "\nRun '%s help SUBCOMMAND' for its options.\n"
		"Exit status: 0 success, 1 failure, 2 usage error.\n", PROG_NAME);
}

void print_usage(const char *cmd, FILE *f)
{
	const struct subcommand *s = find(cmd);

	if (!s) {
		print_main_usage(f);
		return;
	}
	fprintf(f, "Usage: %s %s %s", PROG_NAME, s->name, s->usage);
}

int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

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
	if (argc > 2)
		return usage_error("help", "too many arguments");
	if (!find(argv[1])) {
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
	const struct subcommand *s;

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
	s = find(argv[1]);
	if (!s) {
		fprintf(ERR, "%s: unknown subcommand '%s'\n", PROG_NAME, argv[1]);
		print_main_usage(ERR);
		return EXIT_USAGE;
	}
	return s->handler(argc - 1, argv + 1);
}

int ctl_main(int argc, char **argv)
{
	return finish_output(dispatch(argc, argv));
}
