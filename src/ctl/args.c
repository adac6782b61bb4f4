// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Command-line parsing for every subcommand. Pure: nothing here touches
 * the kernel, so the table-driven tests can run every case.
 */
#include <getopt.h>
#include <string.h>

#include "ctl.h"
#include "cmds.h"
#include "cmdtab.h"
#include "extcap.h"

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

/* getopt_long() driven by a subcommand's table in cmdtab.h */
struct opt_iter {
	const struct cmd_def *c;
	char shorts[64];
	struct option longs[24];
	int rc;		/* PARSE_HELP or PARSE_USAGE once the loop ended so */
};

static void opt_begin(struct opt_iter *it, const char *cmd)
{
	const struct opt_def *o;
	char *p = it->shorts;
	size_t n = 0;

	static const struct opt_def none[] = { { 0, NULL, ARG_NONE, NULL, NULL } };
	static struct cmd_def unknown = { .opts = none };

	memset(it, 0, sizeof(*it));
	it->c = cmd_find(cmd);
	if (!it->c) {	/* parse_noargs() of a name not in the table */
		unknown.name = cmd;
		it->c = &unknown;
	}
	*p++ = ':';
	for (o = it->c->opts; o->id; o++) {
		if (opt_short(o)) {
			*p++ = (char)o->id;
			if (o->arg)
				*p++ = ':';
		}
		it->longs[n++] = (struct option){ o->lng, opt_has_arg(o), NULL,
						  o->id };
	}
	*p = 'h';
	it->longs[n] = (struct option){ "help", no_argument, NULL, 'h' };
	reset_getopt();
}

/* The next option's id (optarg set), or 0: the end, or it->rc set. */
static int opt_next(struct opt_iter *it, int argc, char **argv)
{
	int c = getopt_long(argc, argv, it->shorts, it->longs, NULL);

	if (c == -1)
		return 0;
	if (c == 'h') {
		print_usage(it->c->name, OUT);
		it->rc = PARSE_HELP;
		return 0;
	}
	if (c == '?' || c == ':') {
		it->rc = bad_option(it->c->name, it->shorts, c, argv);
		return 0;
	}
	return c;
}

static int check_name(const char *cmd, const char *name)
{
	if (!valid_ifname(name))
		return usage_error(cmd, "invalid monitor name '%s' (1-15 characters, "
				   "no '/', ':' or spaces)", name);
	return PARSE_OK;
}

int parse_up(int argc, char **argv, struct up_opts *o)
{
	struct opt_iter it;

	memset(o, 0, sizeof(*o));
	opt_begin(&it, "up");
	while (opt_next(&it, argc, argv))
		;	/* no options but --help */
	if (it.rc)
		return it.rc;
	if (argc - optind > 1)
		return usage_error("up", "too many arguments");
	o->name = optind < argc ? argv[optind] : DEFAULT_MONITOR;
	return check_name("up", o->name);
}

int parse_down(int argc, char **argv, struct down_opts *o)
{
	struct opt_iter it;
	int c, i;

	memset(o, 0, sizeof(*o));
	opt_begin(&it, "down");
	while ((c = opt_next(&it, argc, argv))) {
		switch (c) {
		case OPT_ALL:
			o->all = true;
			break;
		case OPT_STALE:
			o->stale = true;
			break;
		}
	}
	if (it.rc)
		return it.rc;
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
	struct opt_iter it;
	int c;

	memset(o, 0, sizeof(*o));
	opt_begin(&it, "list");
	while ((c = opt_next(&it, argc, argv))) {
		switch (c) {
		case 'j':
			o->json = true;
			break;
		case OPT_NAMES:
			o->names = true;
			break;
		}
	}
	if (it.rc)
		return it.rc;
	if (o->json && o->names)
		return usage_error("list", "--json and --names are two formats: "
				   "choose one");
	if (optind < argc)
		return usage_error("list", "unexpected argument '%s'", argv[optind]);
	return PARSE_OK;
}

int parse_status(int argc, char **argv, struct status_opts *o)
{
	struct opt_iter it;
	int c;

	memset(o, 0, sizeof(*o));
	opt_begin(&it, "status");
	while ((c = opt_next(&it, argc, argv))) {
		switch (c) {
		case 'j':
			o->json = true;
			break;
		}
	}
	if (it.rc)
		return it.rc;
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

/*
 * The options capture and extcap share (the filter and the ring): 1 if c
 * is one and was taken, 0 if c is not one, PARSE_USAGE on a bad value.
 */
static int shared_capture_opt(const char *cmd, int c, const char *arg,
			      struct capture_opts *o)
{
	struct vsock_match *m = &o->match;
	uint64_t v;

	switch (c) {
	case 's':
		/* 0 is the largest, as in tcpdump and dumpcap */
		if (num_arg(cmd, "--snaplen", arg, 0, MAX_SNAPLEN, &v))
			return PARSE_USAGE;
		o->snaplen = v ? (int)v : MAX_SNAPLEN;
		return 1;
	case 'B':
		if (num_arg(cmd, "--buffer", arg, 1, MAX_BUFFER_MIB, &v))
			return PARSE_USAGE;
		o->buffer_mib = (unsigned int)v;
		return 1;
	case OPT_CID:
		if (num_arg(cmd, "--cid", arg, 0, UINT64_MAX, &m->cid))
			return PARSE_USAGE;
		m->set |= MATCH_CID;
		return 1;
	case OPT_SRC_CID:
		if (num_arg(cmd, "--src-cid", arg, 0, UINT64_MAX, &m->src_cid))
			return PARSE_USAGE;
		m->set |= MATCH_SRC_CID;
		return 1;
	case OPT_DST_CID:
		if (num_arg(cmd, "--dst-cid", arg, 0, UINT64_MAX, &m->dst_cid))
			return PARSE_USAGE;
		m->set |= MATCH_DST_CID;
		return 1;
	case OPT_PORT:
		if (num_arg(cmd, "--port", arg, 0, UINT32_MAX, &v))
			return PARSE_USAGE;
		m->port = (uint32_t)v;
		m->set |= MATCH_PORT;
		return 1;
	case OPT_OP:
		if (!strcmp(arg, "any")) {	/* as the extcap's menu has it */
			m->set &= ~MATCH_OP;
			return 1;
		}
		if (parse_op(arg, &m->op))
			return usage_error(cmd, "--op: '%s' is not one of connect, "
					   "disconnect, control, payload, any", arg);
		m->set |= MATCH_OP;
		return 1;
	}
	return 0;
}

static void capture_defaults(struct capture_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->snaplen = MAX_SNAPLEN;
	o->buffer_mib = DEFAULT_BUFFER_MIB;
}

/* What capture and extcap refuse alike once every option is read. */
static int check_match(const char *cmd, const struct capture_opts *o)
{
	if (matches_nothing(&o->match))
		return usage_error(cmd, "--cid %llu is neither --src-cid nor "
				   "--dst-cid: nothing would match",
				   (unsigned long long)o->match.cid);
	return PARSE_OK;
}

/* --uds and --guest-cid: 1 if c was one of them, PARSE_USAGE, or 0. */
static int hybrid_opt(const char *cmd, int c, const char *arg,
		      const char **uds, uint32_t *guest_cid)
{
	uint64_t v;

	switch (c) {
	case OPT_UDS:
		if (!*arg)
			return usage_error(cmd, "--uds needs a socket path");
		*uds = arg;
		return 1;
	case OPT_GUEST_CID:
		/* 0-2 are the hypervisor, local and host; -1 is "any" */
		if (num_arg(cmd, "--guest-cid", arg, 3, 0xfffffffeu, &v))
			return PARSE_USAGE;
		*guest_cid = (uint32_t)v;
		return 1;
	}
	return 0;
}

/* What --uds excludes; 0 or PARSE_USAGE. */
static int hybrid_check(const char *cmd, const char *uds, uint32_t guest_cid,
			bool ifname, bool read)
{
	if (!uds)
		return guest_cid ? usage_error(cmd, "--guest-cid needs --uds") :
			PARSE_OK;
	if (!guest_cid)
		return usage_error(cmd, "--uds needs --guest-cid (the CID the "
				   "VMM gives its guest)");
	if (ifname || read)
		return usage_error(cmd, "--uds excludes -i and -r");
	return PARSE_OK;
}

int parse_capture(int argc, char **argv, struct capture_opts *o)
{
	const char *cmd = "capture";
	bool buffer_given = false;
	uint64_t v;
	struct opt_iter it;
	int c, r;

	capture_defaults(o);
	opt_begin(&it, "capture");
	while ((c = opt_next(&it, argc, argv))) {
		buffer_given |= c == 'B';
		r = shared_capture_opt(cmd, c, optarg, o);
		if (!r)
			r = hybrid_opt(cmd, c, optarg, &o->uds, &o->guest_cid);
		if (r == PARSE_USAGE)
			return r;
		if (r)
			continue;
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
		case 'q':
			o->quiet = true;
			break;
		case 'U':
			o->packet_buffered = true;
			break;
		case OPT_DURATION:
			if (!parse_seconds(optarg, &o->duration))
				return usage_error(cmd, "--duration: '%s' is not a "
						   "positive number of seconds", optarg);
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
		case OPT_RAW:
			o->raw = true;
			break;
		}
	}
	if (it.rc)
		return it.rc;
	if (optind < argc)
		return usage_error(cmd, "unexpected argument '%s': %s",
				   argv[optind], FILTER_HINT);
	if (o->pcapng && !o->write)
		return usage_error(cmd, "--pcapng needs -w");
	if (o->packet_buffered && !o->write)
		return usage_error(cmd, "-U needs -w (lines are flushed as they "
				   "come)");
	if (o->read && o->ifname)
		return usage_error(cmd, "-r and -i exclude each other");
	if (o->write && !*o->write)
		return usage_error(cmd, "-w needs a file name or '-'");
	if (hybrid_check(cmd, o->uds, o->guest_cid, o->ifname, o->read))
		return PARSE_USAGE;
	if (o->uds && buffer_given)
		return usage_error(cmd, "-B sizes a kernel ring: --uds has none");
	return check_match(cmd, o);
}

int parse_top(int argc, char **argv, struct top_opts *o)
{
	struct opt_iter it;
	int c;

	memset(o, 0, sizeof(*o));
	o->interval = 1.0;
	opt_begin(&it, "top");
	while ((c = opt_next(&it, argc, argv))) {
		int r = hybrid_opt("top", c, optarg, &o->uds, &o->guest_cid);

		if (r == PARSE_USAGE)
			return r;
		switch (r ? 0 : c) {
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
		case 'j':
			o->json = true;
			break;
		}
	}
	if (it.rc)
		return it.rc;
	if (optind < argc)
		return usage_error("top", "unexpected argument '%s'", argv[optind]);
	if (o->read && o->ifname)
		return usage_error("top", "-r and -i exclude each other");
	return hybrid_check("top", o->uds, o->guest_cid, o->ifname, o->read);
}

int parse_version(int argc, char **argv, struct version_opts *o)
{
	struct opt_iter it;
	int c;

	memset(o, 0, sizeof(*o));
	opt_begin(&it, "version");
	while ((c = opt_next(&it, argc, argv))) {
		switch (c) {
		case 'j':
			o->json = true;
			break;
		}
	}
	if (it.rc)
		return it.rc;
	if (optind < argc)
		return usage_error("version", "unexpected argument '%s'", argv[optind]);
	return PARSE_OK;
}

int parse_follow(int argc, char **argv, struct follow_opts *o)
{
	struct opt_iter it;
	uint64_t n;
	int c;

	memset(o, 0, sizeof(*o));
	o->stream = -1;
	opt_begin(&it, "follow");
	while ((c = opt_next(&it, argc, argv))) {
		switch (c) {
		case 'r':
			o->read = optarg;
			break;
		case 'o':
			if (!*optarg)
				return usage_error("follow", "-o needs a directory");
			o->outdir = optarg;
			break;
		case OPT_STREAM:
			if (!parse_u64(optarg, INT64_MAX, &n))
				return usage_error("follow", "--stream: '%s' is not "
						   "a stream number", optarg);
			o->stream = (long long)n;
			break;
		case OPT_REPLY:
			o->reply = true;
			break;
		case OPT_RAW:
			o->raw = true;
			break;
		case 'j':
			o->json = true;
			break;
		}
	}
	if (it.rc)
		return it.rc;
	if (optind < argc)
		return usage_error("follow", "unexpected argument '%s' (the file "
				   "goes after -r)", argv[optind]);
	if (!o->read || !*o->read)
		return usage_error("follow", "-r FILE is required");
	if (o->stream >= 0 && o->outdir)
		return usage_error("follow", "--stream and -o exclude each other");
	if (o->reply && o->stream < 0)
		return usage_error("follow", "--reply needs --stream");
	if (o->json && (o->stream >= 0 || o->outdir))
		return usage_error("follow", "--json lists streams: not with "
				   "--stream or -o");
	return PARSE_OK;
}

int parse_noargs(int argc, char **argv)
{
	struct opt_iter it;

	opt_begin(&it, argv[0]);
	while (opt_next(&it, argc, argv))
		;	/* no options but --help */
	if (it.rc)
		return it.rc;
	if (optind < argc)
		return usage_error(argv[0], "unexpected argument '%s'", argv[optind]);
	return PARSE_OK;
}

int parse_doctor(int argc, char **argv, struct doctor_opts *o)
{
	memset(o, 0, sizeof(*o));
	return parse_noargs(argc, argv);
}

/* Wireshark leaves an option out or passes "" when it is not set. */
static bool unset(const char *arg)
{
	return !arg || !*arg;
}

static int extcap_action(struct extcap_opts *o, enum extcap_action a)
{
	/* one question per call; the listing ones win, as in Wireshark's */
	if (o->action == EXTCAP_NONE || a < o->action)
		o->action = a;
	return PARSE_OK;
}

/* Once every option is read: what the chosen action needs. */
static int extcap_check(struct extcap_opts *o)
{
	const char *cmd = "extcap";

	if (o->action == EXTCAP_NONE && o->filter)
		o->action = EXTCAP_FILTER;
	if (o->action == EXTCAP_NONE && o->version)
		o->action = EXTCAP_VERSION;
	if (o->action == EXTCAP_VERSION)
		return PARSE_OK;
	if (o->action == EXTCAP_NONE)
		return usage_error(cmd, "which question? (--extcap-interfaces, "
				   "--extcap-dlts, --extcap-config, "
				   "--extcap-capture-filter or --capture)");
	if (o->action == EXTCAP_INTERFACES)
		return PARSE_OK;
	if (!o->iface)
		return usage_error(cmd, "--extcap-interface is needed");
	if (extcap_monitor_of(o->iface, &o->monitor))
		return usage_error(cmd, "unknown interface '%s' (run "
				   "--extcap-interfaces)", o->iface);
	if (o->monitor && !valid_ifname(o->monitor))
		return usage_error(cmd, "invalid monitor name '%s'", o->monitor);
	if (o->action == EXTCAP_CAPTURE && unset(o->fifo))
		return usage_error(cmd, "--capture needs --fifo PATH");
	if (o->action == EXTCAP_CAPTURE && !filter_balanced(o->filter))
		return usage_error(cmd, "--extcap-capture-filter: unbalanced "
				   "parentheses in '%s'", o->filter);
	o->cap.ifname = o->monitor;
	o->cap.write = o->fifo;
	o->cap.filter = o->filter;
	o->cap.quiet = true;
	o->cap.extcap = true;
	return check_match(cmd, &o->cap);
}

int parse_extcap(int argc, char **argv, struct extcap_opts *o)
{
	const char *cmd = "extcap";
	struct opt_iter it;
	int c, r;

	memset(o, 0, sizeof(*o));
	capture_defaults(&o->cap);
	opt_begin(&it, cmd);
	while ((c = opt_next(&it, argc, argv))) {
		switch (c) {
		case OPT_EXTCAP_INTERFACES:
			extcap_action(o, EXTCAP_INTERFACES);
			continue;
		case OPT_EXTCAP_DLTS:
			extcap_action(o, EXTCAP_DLTS);
			continue;
		case OPT_EXTCAP_CONFIG:
			extcap_action(o, EXTCAP_CONFIG);
			continue;
		case OPT_CAPTURE:
			extcap_action(o, EXTCAP_CAPTURE);
			continue;
		case OPT_EXTCAP_INTERFACE:
			o->iface = optarg;
			continue;
		case OPT_EXTCAP_FILTER:
			/* judged in extcap_check(): validating is a question */
			o->filter = unset(optarg) ? NULL : optarg;
			continue;
		case OPT_FIFO:
			o->fifo = optarg;
			continue;
		case OPT_EXTCAP_VERSION:	/* Wireshark's value: any will do */
			o->version = true;
			/* "--extcap-version 4.0": the value as its own word */
			if (!optarg && optind < argc && argv[optind][0] != '-')
				optind++;
			continue;
		case OPT_DEBUG:
		case OPT_DEBUG_FILE:
			continue;
		}
		/* the configuration: "" is "not set" */
		if (unset(optarg))
			continue;
		r = shared_capture_opt(cmd, c, optarg, &o->cap);
		if (r == PARSE_USAGE)
			return r;
	}
	if (it.rc)
		return it.rc;
	if (optind < argc)
		return usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	return extcap_check(o);
}
