// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Command-line parsing for every subcommand. Pure: nothing here touches
 * the kernel, so the table-driven tests can run every case.
 */
#include <getopt.h>
#include <string.h>

#include "ctl.h"
#include "cmds.h"

enum {
	OPT_JSON = 0x100, OPT_NAMES, OPT_ALL, OPT_STALE, OPT_CID, OPT_SRC_CID,
	OPT_DST_CID, OPT_PORT, OPT_OP, OPT_FILTER, OPT_PCAPNG, OPT_DURATION,
	OPT_INTERVAL, OPT_ONCE,
};

static void reset_getopt(void)
{
	optind = 0;	/* GNU: full re-initialisation */
	opterr = 0;
}

/*
 * An unknown short option can sit inside a group ("-Zq") that getopt has
 * not stepped past yet, so argv[optind - 1] is then the argument before
 * it: name the character. A letter of optstring only comes back here
 * from its long form ("--help=x"), and getopt always steps past those.
 */
static int bad_option(const char *cmd, const char *optstring, int c,
		      char **argv)
{
	const char *arg = argv[optind - 1];

	if (c == ':' && arg[0] == '-' && arg[1] != '-')	/* "-qc": name -c */
		return usage_error(cmd, "option '-%c' needs an argument", optopt);
	if (c == ':')
		return usage_error(cmd, "option '%s' needs an argument", arg);
	if (optopt && optopt < 0x100 &&
	    (optopt == ':' || !strchr(optstring, optopt)))
		return usage_error(cmd, "unknown option '-%c'", optopt);
	return usage_error(cmd, "unknown option '%s'", arg);
}

static int check_name(const char *cmd, const char *name)
{
	if (!valid_ifname(name))
		return usage_error(cmd, "invalid monitor name '%s' (1-15 characters, "
				   "no '/', ':' or spaces)", name);
	return PARSE_OK;
}

static const char help_short[] = ":h";

static const struct option help_only[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int parse_up(int argc, char **argv, struct up_opts *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	reset_getopt();
	while ((c = getopt_long(argc, argv, help_short, help_only, NULL)) != -1) {
		if (c == 'h') {
			print_usage("up", OUT);
			return PARSE_HELP;
		}
		return bad_option("up", help_short, c, argv);
	}
	if (argc - optind > 1)
		return usage_error("up", "too many arguments");
	o->name = optind < argc ? argv[optind] : DEFAULT_MONITOR;
	return check_name("up", o->name);
}

int parse_down(int argc, char **argv, struct down_opts *o)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, OPT_ALL },
		{ "stale", no_argument, NULL, OPT_STALE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, i;

	memset(o, 0, sizeof(*o));
	reset_getopt();
	while ((c = getopt_long(argc, argv, help_short, opts, NULL)) != -1) {
		switch (c) {
		case OPT_ALL:
			o->all = true;
			break;
		case OPT_STALE:
			o->stale = true;
			break;
		case 'h':
			print_usage("down", OUT);
			return PARSE_HELP;
		default:
			return bad_option("down", help_short, c, argv);
		}
	}
	o->names = argv + optind;
	o->n = argc - optind;
	if (o->all && o->stale)
		return usage_error("down", "--all and --stale exclude each other");
	if ((o->all || o->stale) && o->n)
		return usage_error("down", "names and --all/--stale exclude each other");
	if (!o->all && !o->stale && !o->n)
		return usage_error("down", "which monitor? (name, --all or --stale)");
	for (i = 0; i < o->n; i++)
		if (check_name("down", o->names[i]))
			return PARSE_USAGE;
	return PARSE_OK;
}

int parse_list(int argc, char **argv, struct list_opts *o)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "names", no_argument, NULL, OPT_NAMES },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	reset_getopt();
	while ((c = getopt_long(argc, argv, help_short, opts, NULL)) != -1) {
		switch (c) {
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_NAMES:
			o->names = true;
			break;
		case 'h':
			print_usage("list", OUT);
			return PARSE_HELP;
		default:
			return bad_option("list", help_short, c, argv);
		}
	}
	if (optind < argc)
		return usage_error("list", "unexpected argument '%s'", argv[optind]);
	return PARSE_OK;
}

int parse_status(int argc, char **argv, struct status_opts *o)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	reset_getopt();
	while ((c = getopt_long(argc, argv, help_short, opts, NULL)) != -1) {
		switch (c) {
		case OPT_JSON:
			o->json = true;
			break;
		case 'h':
			print_usage("status", OUT);
			return PARSE_HELP;
		default:
			return bad_option("status", help_short, c, argv);
		}
	}
	if (argc - optind > 1)
		return usage_error("status", "too many arguments");
	if (optind < argc) {
		o->name = argv[optind];
		return check_name("status", o->name);
	}
	return PARSE_OK;
}

static int num_arg(const char *cmd, const char *opt, const char *s,
		   uint64_t min, uint64_t max, uint64_t *v)
{
	if (!parse_u64(s, max, v) || *v < min)
		return usage_error(cmd, "%s: '%s' is not a number in %llu..%llu",
				   opt, s, (unsigned long long)min,
				   (unsigned long long)max);
	return PARSE_OK;
}

/*
 * --cid N with --src-cid and --dst-cid that are both other CIDs can match
 * nothing. Say so, rather than capture nothing: the filter is compiled
 * unoptimised (filter.h), so libpcap no longer notices.
 */
static bool matches_nothing(const struct vsock_match *m)
{
	unsigned int all = MATCH_CID | MATCH_SRC_CID | MATCH_DST_CID;

	return (m->set & all) == all && m->cid != m->src_cid &&
	       m->cid != m->dst_cid;
}

int parse_capture(int argc, char **argv, struct capture_opts *o)
{
	static const struct option opts[] = {
		{ "interface", required_argument, NULL, 'i' },
		{ "write", required_argument, NULL, 'w' },
		{ "read", required_argument, NULL, 'r' },
		{ "count", required_argument, NULL, 'c' },
		{ "snaplen", required_argument, NULL, 's' },
		{ "buffer", required_argument, NULL, 'B' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "duration", required_argument, NULL, OPT_DURATION },
		{ "cid", required_argument, NULL, OPT_CID },
		{ "src-cid", required_argument, NULL, OPT_SRC_CID },
		{ "dst-cid", required_argument, NULL, OPT_DST_CID },
		{ "port", required_argument, NULL, OPT_PORT },
		{ "op", required_argument, NULL, OPT_OP },
		{ "filter", required_argument, NULL, OPT_FILTER },
		{ "pcapng", no_argument, NULL, OPT_PCAPNG },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char shorts[] = ":i:w:r:c:s:B:qh";
	struct vsock_match *m = &o->match;
	const char *cmd = "capture";
	uint64_t v;
	int c;

	memset(o, 0, sizeof(*o));
	o->snaplen = MAX_SNAPLEN;
	o->buffer_mib = DEFAULT_BUFFER_MIB;
	reset_getopt();
	while ((c = getopt_long(argc, argv, shorts, opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (check_name(cmd, optarg))
				return PARSE_USAGE;
			o->ifname = optarg;
			break;
		case 'w':
			o->write = optarg;
			break;
		case 'r':
			o->read = optarg;
			break;
		case 'c':
			if (num_arg(cmd, "-c", optarg, 1, UINT64_MAX, &v))
				return PARSE_USAGE;
			o->count = v;
			break;
		case 's':
			if (num_arg(cmd, "-s", optarg, 1, MAX_SNAPLEN, &v))
				return PARSE_USAGE;
			o->snaplen = (int)v;
			break;
		case 'B':
			if (num_arg(cmd, "-B", optarg, 1, MAX_BUFFER_MIB, &v))
				return PARSE_USAGE;
			o->buffer_mib = (unsigned int)v;
			break;
		case 'q':
			o->quiet = true;
			break;
		case OPT_DURATION:
			if (!parse_seconds(optarg, &o->duration))
				return usage_error(cmd, "--duration: '%s' is not a "
						   "positive number of seconds", optarg);
			break;
		case OPT_CID:
			if (num_arg(cmd, "--cid", optarg, 0, UINT64_MAX, &m->cid))
				return PARSE_USAGE;
			m->set |= MATCH_CID;
			break;
		case OPT_SRC_CID:
			if (num_arg(cmd, "--src-cid", optarg, 0, UINT64_MAX, &m->src_cid))
				return PARSE_USAGE;
			m->set |= MATCH_SRC_CID;
			break;
		case OPT_DST_CID:
			if (num_arg(cmd, "--dst-cid", optarg, 0, UINT64_MAX, &m->dst_cid))
				return PARSE_USAGE;
			m->set |= MATCH_DST_CID;
			break;
		case OPT_PORT:
			if (num_arg(cmd, "--port", optarg, 0, UINT32_MAX, &v))
				return PARSE_USAGE;
			m->port = (uint32_t)v;
			m->set |= MATCH_PORT;
			break;
		case OPT_OP:
			if (parse_op(optarg, &m->op))
				return usage_error(cmd, "--op: '%s' is not one of connect, "
						   "disconnect, control, payload", optarg);
			m->set |= MATCH_OP;
			break;
		case OPT_FILTER:
			if (!filter_balanced(optarg))
				return usage_error(cmd, "--filter: unbalanced "
						   "parentheses in '%s'", optarg);
			o->filter = optarg;
			break;
		case OPT_PCAPNG:
			o->pcapng = true;
			break;
		case 'h':
			print_usage(cmd, OUT);
			return PARSE_HELP;
		default:
			return bad_option(cmd, shorts, c, argv);
		}
	}
	if (optind < argc)
		return usage_error(cmd, "unexpected argument '%s' (filters go in "
				   "--filter)", argv[optind]);
	if (o->pcapng && !o->write)
		return usage_error(cmd, "--pcapng needs -w");
	if (o->read && o->ifname)
		return usage_error(cmd, "-r and -i exclude each other");
	if (o->write && !*o->write)
		return usage_error(cmd, "-w needs a file name or '-'");
	if (matches_nothing(m))
		return usage_error(cmd, "--cid %llu is neither --src-cid nor "
				   "--dst-cid: nothing would match",
				   (unsigned long long)m->cid);
	return PARSE_OK;
}

int parse_top(int argc, char **argv, struct top_opts *o)
{
	static const struct option opts[] = {
		{ "interface", required_argument, NULL, 'i' },
		{ "read", required_argument, NULL, 'r' },
		{ "interval", required_argument, NULL, OPT_INTERVAL },
		{ "once", no_argument, NULL, OPT_ONCE },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char shorts[] = ":i:r:h";
	int c;

	memset(o, 0, sizeof(*o));
	o->interval = 1.0;
	reset_getopt();
	while ((c = getopt_long(argc, argv, shorts, opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (check_name("top", optarg))
				return PARSE_USAGE;
			o->ifname = optarg;
			break;
		case 'r':
			o->read = optarg;
			break;
		case OPT_INTERVAL:
			if (!parse_seconds(optarg, &o->interval) || o->interval < 0.05)
				return usage_error("top", "--interval: '%s' is not a "
						   "number of seconds >= 0.05", optarg);
			break;
		case OPT_ONCE:
			o->once = true;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case 'h':
			print_usage("top", OUT);
			return PARSE_HELP;
		default:
			return bad_option("top", shorts, c, argv);
		}
	}
	if (optind < argc)
		return usage_error("top", "unexpected argument '%s'", argv[optind]);
	if (o->read && o->ifname)
		return usage_error("top", "-r and -i exclude each other");
	return PARSE_OK;
}

int parse_version(int argc, char **argv, struct version_opts *o)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	reset_getopt();
	while ((c = getopt_long(argc, argv, help_short, opts, NULL)) != -1) {
		switch (c) {
		case OPT_JSON:
			o->json = true;
			break;
		case 'h':
			print_usage("version", OUT);
			return PARSE_HELP;
		default:
			return bad_option("version", help_short, c, argv);
		}
	}
	if (optind < argc)
		return usage_error("version", "unexpected argument '%s'", argv[optind]);
	return PARSE_OK;
}

int parse_noargs(int argc, char **argv)
{
	int c;

	reset_getopt();
	while ((c = getopt_long(argc, argv, help_short, help_only, NULL)) != -1) {
		if (c == 'h') {
			print_usage(argv[0], OUT);
			return PARSE_HELP;
		}
		return bad_option(argv[0], help_short, c, argv);
	}
	if (optind < argc)
		return usage_error(argv[0], "unexpected argument '%s'", argv[optind]);
	return PARSE_OK;
}
