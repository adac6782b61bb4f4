// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Command-line parsing (args.c, and cli.c's help): every subcommand's
 * parser on an argv built from the input.
 *
 * Input: a selector byte, then NUL-separated arguments. Selector % 11:
 * 0-7 parse up, down, list, status, capture, top, version, doctor;
 * 8 runs "vsockmon-ctl help ..." through ctl_main(); 9 checks one
 * number option (next byte: which, and in which form) against a
 * reference parser, with the rest of the input as its value; 10 parses
 * extcap.
 *
 * The subcommands and options it knows are checked against the command
 * table (cmdtab.h) before the first input: one the table has and this
 * file does not know, or the reverse, stops every run.
 *
 * Oracles: the same argv parses to the same result twice (getopt's
 * state is reset); an accepted command line meets the documented
 * constraints (ranges, names a kernel takes, exclusive options), and
 * for capture and top, printing the result back as long options parses
 * to the same options; number options agree with the reference parser.
 * Every argument is its own heap block so ASan sees any overread.
 */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "ctl.h"
#include "cmds.h"
#include "cmdtab.h"
#include "extcap.h"
#include "fuzz.h"

#define MAX_ARGS 48

struct args {
	int argc;
	/* Room for the input's arguments and render()'s "--" */
	char *argv[MAX_ARGS + 4];	/* argv[0] is the subcommand */
	char *orig[MAX_ARGS + 4];	/* getopt permutes argv; free these */
};

union opts {
	struct doctor_opts doctor;
	struct extcap_opts extcap;
	struct up_opts up;
	struct down_opts down;
	struct list_opts list;
	struct status_opts status;
	struct capture_opts capture;
	struct top_opts top;
	struct version_opts version;
	struct follow_opts follow;
};

static FILE *devnull;

enum {
	C_UP, C_DOWN, C_LIST, C_STATUS, C_CAPTURE, C_TOP, C_VERSION, C_DOCTOR,
	C_EXTCAP, C_FOLLOW, NCMDS
};

/*
 * Every subcommand this fuzzer parses, with every long option its oracles
 * (render(), same(), check_accepted()) understand. "help" is known to
 * check_help(). known_check() holds this against the command table.
 */
static const struct known_cmd {
	const char *name;
	const char *const opts[24];	/* long names; NULL ends */
} known[NCMDS] = {
	[C_UP] = { "up", { NULL } },
	[C_DOWN] = { "down", { "all", "stale" } },
	[C_LIST] = { "list", { "json", "names" } },
	[C_STATUS] = { "status", { "json" } },
	[C_CAPTURE] = { "capture", {
		"interface", "write", "read", "uds", "guest-cid", "count",
		"duration", "snaplen", "buffer", "cid", "src-cid", "dst-cid",
		"port", "op", "filter", "pcapng", "quiet", "packet-buffered",
		"raw" } },
	[C_TOP] = { "top", {
		"interface", "read", "uds", "guest-cid", "interval", "once",
		"json" } },
	[C_VERSION] = { "version", { "json" } },
	[C_DOCTOR] = { "doctor", { NULL } },
	[C_EXTCAP] = { "extcap", {
		"extcap-interfaces", "extcap-version", "extcap-interface",
		"extcap-dlts", "extcap-config", "extcap-capture-filter",
		"capture", "fifo", "debug", "debug-file", "cid", "src-cid",
		"dst-cid", "port", "op", "snaplen", "buffer" } },
	[C_FOLLOW] = { "follow", {
		"read", "stream", "reply", "output", "raw", "json" } },
};

#define cmd_names(i) (known[i].name)

static bool known_has(const struct known_cmd *k, const char *lng)
{
	size_t i;

	for (i = 0; i < sizeof(k->opts) / sizeof(k->opts[0]) && k->opts[i]; i++)
		if (!strcmp(k->opts[i], lng))
			return true;
	return false;
}

static bool table_has(const struct cmd_def *d, const char *lng)
{
	const struct opt_def *o;

	for (o = d->opts; o->id; o++)
		if (!strcmp(o->lng, lng))
			return true;
	return false;
}

/* The command table and this file know the same subcommands and options. */
static void known_check(void)
{
	const struct cmd_def *d;
	const struct opt_def *o;
	size_t i, j;

	for (i = 0; i < cmd_count; i++) {
		d = &cmd_table[i];
		if (!strcmp(d->name, "help"))
			continue;
		for (j = 0; j < NCMDS && strcmp(known[j].name, d->name); j++)
			;
		if (j == NCMDS) {
			fprintf(stderr, "ORACLE MISMATCH fuzz_args: subcommand "
				"'%s' is in the command table but unknown to "
				"fuzz_args.c: teach it parse() and its oracles\n",
				d->name);
			abort();
		}
		for (o = d->opts; o->id; o++) {
			if (known_has(&known[j], o->lng))
				continue;
			fprintf(stderr, "ORACLE MISMATCH fuzz_args: %s --%s is "
				"in the command table but unknown to fuzz_args.c: "
				"teach render(), same() and check_accepted()\n",
				d->name, o->lng);
			abort();
		}
	}
	for (j = 0; j < NCMDS; j++) {
		d = cmd_find(known[j].name);
		for (i = 0; d && i < sizeof(known[j].opts) / sizeof(char *) &&
		     known[j].opts[i]; i++)
			if (!table_has(d, known[j].opts[i]))
				d = NULL;
		if (!d) {
			fprintf(stderr, "ORACLE MISMATCH fuzz_args: fuzz_args.c "
				"knows %s or one of its options, which the "
				"command table no longer has\n", known[j].name);
			abort();
		}
	}
}

static void args_add(struct args *a, const char *s, size_t n)
{
	char *c;

	if (a->argc >= MAX_ARGS + 3)
		abort();
	c = malloc(n + 1);
	if (!c)
		abort();
	memcpy(c, s, n);
	c[n] = '\0';
	a->argv[a->argc] = a->orig[a->argc] = c;
	a->argc++;
	a->argv[a->argc] = NULL;
}

static void args_free(struct args *a)
{
	int i;

	for (i = 0; i < a->argc; i++)
		free(a->orig[i]);
	a->argc = 0;
}

/* The rest of the input as arguments, NUL-separated. */
static void args_add_input(struct args *a, struct fin *in)
{
	while (in->n && a->argc < MAX_ARGS) {
		const uint8_t *nul = memchr(in->p, '\0', in->n);
		size_t n = nul ? (size_t)(nul - in->p) : in->n;

		args_add(a, (const char *)in->p, n);
		in->p += n + (nul ? 1 : 0);
		in->n -= n + (nul ? 1 : 0);
	}
}

static void args_copy(struct args *to, const struct args *from)
{
	int i;

	to->argc = 0;
	for (i = 0; i < from->argc; i++)
		args_add(to, from->orig[i], strlen(from->orig[i]));
}

/* The command line, quoted, for oracle messages (two per message). */
static const char *show(const struct args *a)
{
	static char bufs[2][2048];
	static int which;
	char *buf = bufs[which ^= 1];
	size_t len = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < a->argc && len < sizeof(bufs[0]); i++)
		len += (size_t)snprintf(buf + len, sizeof(bufs[0]) - len, "%s'%s'",
					i ? " " : "", a->orig[i]);
	return buf;
}

/* A string the parser returns must be (inside) one of the arguments. */
static void check_ptr(const struct args *a, const char *s, const char *what)
{
	int i;

	if (!s || !strcmp(s, DEFAULT_MONITOR))
		return;
	for (i = 0; i < a->argc; i++)
		if (s >= a->orig[i] && s <= a->orig[i] + strlen(a->orig[i]))
			return;
	oracle(0, "%s points outside argv", what);
}

/* What a kernel takes and the man page promises: 1-15 bytes, no '/', ':', space. */
static bool ref_ifname(const char *s)
{
	size_t n = strlen(s), i;

	if (n < 1 || n > 15 || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (i = 0; i < n; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7f || s[i] == '/' || s[i] == ':')
			return false;
	return true;
}

static int parse(int cmd, struct args *a, union opts *o)
{
	memset(o, 0xa5, sizeof(*o));	/* garbage a parser must overwrite */
	switch (cmd) {
	case 0: return parse_up(a->argc, a->argv, &o->up);
	case 1: return parse_down(a->argc, a->argv, &o->down);
	case 2: return parse_list(a->argc, a->argv, &o->list);
	case 3: return parse_status(a->argc, a->argv, &o->status);
	case 4: return parse_capture(a->argc, a->argv, &o->capture);
	case 5: return parse_top(a->argc, a->argv, &o->top);
	case 6: return parse_version(a->argc, a->argv, &o->version);
	case C_DOCTOR: return parse_doctor(a->argc, a->argv, &o->doctor);
	case C_FOLLOW: return parse_follow(a->argc, a->argv, &o->follow);
	default: return parse_extcap(a->argc, a->argv, &o->extcap);
	}
}

static bool str_eq(const char *x, const char *y)
{
	return x == y || (x && y && !strcmp(x, y));
}

static bool capture_eq(const struct capture_opts *x, const struct capture_opts *y)
{
	const struct vsock_match *m = &x->match, *n = &y->match;

	return str_eq(x->ifname, y->ifname) && str_eq(x->write, y->write) &&
	       str_eq(x->read, y->read) && str_eq(x->filter, y->filter) &&
	       str_eq(x->uds, y->uds) && x->guest_cid == y->guest_cid &&
	       x->extcap == y->extcap &&
	       x->count == y->count && x->duration == y->duration &&
	       x->snaplen == y->snaplen && x->buffer_mib == y->buffer_mib &&
	       x->pcapng == y->pcapng && x->quiet == y->quiet &&
	       x->packet_buffered == y->packet_buffered && x->raw == y->raw &&
	       m->set == n->set &&
	       (!(m->set & MATCH_CID) || m->cid == n->cid) &&
	       (!(m->set & MATCH_SRC_CID) || m->src_cid == n->src_cid) &&
	       (!(m->set & MATCH_DST_CID) || m->dst_cid == n->dst_cid) &&
	       (!(m->set & MATCH_PORT) || m->port == n->port) &&
	       (!(m->set & MATCH_OP) || m->op == n->op);
}

static bool top_eq(const struct top_opts *x, const struct top_opts *y)
{
	return str_eq(x->ifname, y->ifname) && str_eq(x->read, y->read) &&
	       str_eq(x->uds, y->uds) && x->guest_cid == y->guest_cid &&
	       x->interval == y->interval && x->once == y->once &&
	       x->json == y->json;
}

static bool follow_eq(const struct follow_opts *x, const struct follow_opts *y)
{
	return str_eq(x->read, y->read) && str_eq(x->outdir, y->outdir) &&
	       x->stream == y->stream && x->reply == y->reply &&
	       x->raw == y->raw && x->json == y->json;
}

static bool down_eq(const struct down_opts *x, const struct down_opts *y)
{
	int i;

	if (x->all != y->all || x->stale != y->stale || x->n != y->n)
		return false;
	for (i = 0; i < x->n; i++)
		if (strcmp(x->names[i], y->names[i]))
			return false;
	return true;
}

static bool same(int cmd, const union opts *x, const union opts *y)
{
	switch (cmd) {
	case 0: return str_eq(x->up.name, y->up.name);
	case 1: return down_eq(&x->down, &y->down);
	case 2: return x->list.json == y->list.json && x->list.names == y->list.names;
	case 3: return str_eq(x->status.name, y->status.name) &&
		       x->status.json == y->status.json;
	case 4: return capture_eq(&x->capture, &y->capture);
	case 5: return top_eq(&x->top, &y->top);
	case 6: return x->version.json == y->version.json;
	case C_DOCTOR: return true;
	case C_FOLLOW: return follow_eq(&x->follow, &y->follow);
	default: return x->extcap.action == y->extcap.action &&
			str_eq(x->extcap.iface, y->extcap.iface) &&
			str_eq(x->extcap.monitor, y->extcap.monitor) &&
			str_eq(x->extcap.filter, y->extcap.filter) &&
			str_eq(x->extcap.fifo, y->extcap.fifo) &&
			x->extcap.version == y->extcap.version &&
			capture_eq(&x->extcap.cap, &y->extcap.cap);
	}
}

static void addf(struct args *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void addf(struct args *a, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	args_add(a, s, (size_t)n);
	free(s);
}

/* The accepted options written back as long options. */
static void render(int cmd, const union opts *o, struct args *r)
{
	const struct capture_opts *c = &o->capture;
	const struct vsock_match *m = &c->match;
	int i;

	r->argc = 0;
	args_add(r, cmd_names(cmd), strlen(cmd_names(cmd)));
	switch (cmd) {
	case 0:
		addf(r, "--");
		addf(r, "%s", o->up.name);
		break;
	case 1:
		if (o->down.all)
			addf(r, "--all");
		if (o->down.stale)
			addf(r, "--stale");
		addf(r, "--");
		for (i = 0; i < o->down.n; i++)
			addf(r, "%s", o->down.names[i]);
		break;
	case 4:
		if (c->ifname)
			addf(r, "--interface=%s", c->ifname);
		if (c->write)
			addf(r, "--write=%s", c->write);
		if (c->read)
			addf(r, "--read=%s", c->read);
		if (c->uds)
			addf(r, "--uds=%s", c->uds);
		if (c->guest_cid)
			addf(r, "--guest-cid=%u", c->guest_cid);
		if (c->filter)
			addf(r, "--filter=%s", c->filter);
		if (c->count)
			addf(r, "--count=%llu", c->count);
		if (c->duration)
			addf(r, "--duration=%.17g", c->duration);
		addf(r, "--snaplen=%d", c->snaplen);
		if (!c->uds)	/* --uds has no kernel ring to size */
			addf(r, "--buffer=%d", c->buffer_mib);
		if (c->quiet)
			addf(r, "--quiet");
		if (c->pcapng)
			addf(r, "--pcapng");
		if (c->packet_buffered)
			addf(r, "--packet-buffered");
		if (c->raw)
			addf(r, "--raw");
		if (m->set & MATCH_CID)
			addf(r, "--cid=%llu", (unsigned long long)m->cid);
		if (m->set & MATCH_SRC_CID)
			addf(r, "--src-cid=%llu", (unsigned long long)m->src_cid);
		if (m->set & MATCH_DST_CID)
			addf(r, "--dst-cid=%llu", (unsigned long long)m->dst_cid);
		if (m->set & MATCH_PORT)
			addf(r, "--port=%u", m->port);
		if (m->set & MATCH_OP)
			addf(r, "--op=%u", m->op);
		break;
	case 5:
		if (o->top.ifname)
			addf(r, "--interface=%s", o->top.ifname);
		if (o->top.read)
			addf(r, "--read=%s", o->top.read);
		if (o->top.uds)
			addf(r, "--uds=%s", o->top.uds);
		if (o->top.guest_cid)
			addf(r, "--guest-cid=%u", o->top.guest_cid);
		addf(r, "--interval=%.17g", o->top.interval);
		if (o->top.once)
			addf(r, "--once");
		if (o->top.json)
			addf(r, "--json");
		break;
	case C_FOLLOW:
		addf(r, "--read=%s", o->follow.read);
		if (o->follow.stream >= 0)
			addf(r, "--stream=%lld", o->follow.stream);
		if (o->follow.reply)
			addf(r, "--reply");
		if (o->follow.outdir)
			addf(r, "--output=%s", o->follow.outdir);
		if (o->follow.raw)
			addf(r, "--raw");
		if (o->follow.json)
			addf(r, "--json");
		break;
	}
}

/* What Wireshark's call needs for the question it asks. */
static void check_accepted_extcap(const struct args *a,
				  const struct extcap_opts *e)
{
	const char *mon = NULL;

	check_ptr(a, e->iface, "--extcap-interface");
	check_ptr(a, e->fifo, "--fifo");
	check_ptr(a, e->filter, "--extcap-capture-filter");
	oracle(e->action != EXTCAP_NONE, "extcap without a question");
	oracle(e->action != EXTCAP_VERSION || e->version,
	       "extcap version without --extcap-version");
	if (e->action == EXTCAP_INTERFACES || e->action == EXTCAP_VERSION)
		return;
	oracle(e->iface && !extcap_monitor_of(e->iface, &mon) &&
	       str_eq(mon, e->monitor), "extcap interface '%s'", e->iface);
	oracle(!e->monitor || ref_ifname(e->monitor), "extcap monitor '%s'",
	       e->monitor);
	oracle(e->action != EXTCAP_CAPTURE || (e->fifo && *e->fifo),
	       "--capture without --fifo");
	oracle(!e->filter || *e->filter, "empty filter kept");
}

static void check_accepted(int cmd, const struct args *a, const union opts *o)
{
	const struct capture_opts *c = &o->capture;
	int i;

	switch (cmd) {
	case 0:
		check_ptr(a, o->up.name, "up NAME");
		oracle(ref_ifname(o->up.name), "up accepted name '%s'", o->up.name);
		break;
	case 1:
		oracle(o->down.all + o->down.stale + (o->down.n > 0) == 1,
		       "down: all %d stale %d names %d", o->down.all,
		       o->down.stale, o->down.n);
		for (i = 0; i < o->down.n; i++) {
			check_ptr(a, o->down.names[i], "down NAME");
			oracle(ref_ifname(o->down.names[i]),
			       "down accepted name '%s'", o->down.names[i]);
		}
		break;
	case 2:
		oracle(!(o->list.json && o->list.names),
		       "list: --json and --names are exclusive");
		break;
	case 3:
		check_ptr(a, o->status.name, "status NAME");
		oracle(!o->status.name || ref_ifname(o->status.name),
		       "status accepted name '%s'", o->status.name);
		break;
	case 4:
		check_ptr(a, c->ifname, "-i");
		check_ptr(a, c->write, "-w");
		check_ptr(a, c->read, "-r");
		check_ptr(a, c->filter, "--filter");
		oracle(!c->ifname || ref_ifname(c->ifname), "-i '%s'", c->ifname);
		oracle(c->snaplen >= 1 && c->snaplen <= MAX_SNAPLEN, "-s %d",
		       c->snaplen);
		oracle(c->buffer_mib >= 1 && c->buffer_mib <= MAX_BUFFER_MIB,
		       "-B %d", c->buffer_mib);
		oracle(c->duration >= 0 && c->duration <= 1e9, "--duration %g",
		       c->duration);
		oracle(!c->pcapng || c->write, "--pcapng without -w");
		oracle(!c->packet_buffered || c->write, "-U without -w");
		oracle(!(c->read && c->ifname), "-r with -i");
		oracle(!c->write || *c->write, "-w ''");
		oracle(!(c->match.set & ~0x1fu), "match set 0x%x", c->match.set);
		oracle((c->match.set & 7) != 7 || c->match.cid == c->match.src_cid ||
		       c->match.cid == c->match.dst_cid,
		       "[%s] can match nothing", show(a));
		check_ptr(a, c->uds, "--uds");
		oracle(!c->uds == !c->guest_cid, "--uds '%s' --guest-cid %u",
		       c->uds, c->guest_cid);
		oracle(!c->uds || (!c->ifname && !c->read), "--uds with -i or -r");
		break;
	case 5:
		check_ptr(a, o->top.ifname, "-i");
		check_ptr(a, o->top.read, "-r");
		oracle(!o->top.ifname || ref_ifname(o->top.ifname), "-i '%s'",
		       o->top.ifname);
		oracle(o->top.interval >= 0.05 && o->top.interval <= 1e9,
		       "--interval %g", o->top.interval);
		oracle(!(o->top.read && o->top.ifname), "-r with -i");
		check_ptr(a, o->top.uds, "--uds");
		oracle(!o->top.uds == !o->top.guest_cid, "top --uds/--guest-cid");
		oracle(!o->top.uds || (!o->top.ifname && !o->top.read),
		       "top --uds with -i or -r");
		break;
	case C_EXTCAP:
		check_accepted_extcap(a, &o->extcap);
		break;
	case C_FOLLOW:
		check_ptr(a, o->follow.read, "-r");
		check_ptr(a, o->follow.outdir, "-o");
		oracle(o->follow.read && *o->follow.read, "follow without -r");
		oracle(!o->follow.outdir || *o->follow.outdir, "-o ''");
		oracle(o->follow.stream >= -1, "--stream %lld", o->follow.stream);
		oracle(!(o->follow.stream >= 0 && o->follow.outdir),
		       "--stream with -o");
		oracle(!o->follow.reply || o->follow.stream >= 0,
		       "--reply without --stream");
		oracle(!o->follow.json || (o->follow.stream < 0 &&
					   !o->follow.outdir), "--json with output");
		break;
	}
}

static const char *last(const char *s, const char *what)
{
	const char *r = NULL;

	while ((s = strstr(s, what)))
		r = s++;
	return r;
}

/*
 * A usage error that names an option must name one that is in argv and
 * that is wrong on its own: not the subcommand, nor a valid option that
 * happened to come before the bad one.
 */
static void check_message(int cmd, const struct args *a, const char *err)
{
	char unknown[64], needs[64];
	bool short_opt;
	const char *p, *q;
	struct args one = { 0 };
	union opts o;
	int i, rc;

	/* The name may hold quotes and newlines: cut at the usage that follows. */
	snprintf(unknown, sizeof(unknown), "%s: %s: unknown option '", PROG_NAME,
		 cmd_names(cmd));
	snprintf(needs, sizeof(needs), "%s: %s: option '", PROG_NAME,
		 cmd_names(cmd));
	if (!strncmp(err, unknown, strlen(unknown))) {
		p = err + strlen(unknown);
		q = last(p, "'\nUsage: ");
	} else if (!strncmp(err, needs, strlen(needs))) {
		p = err + strlen(needs);
		q = last(p, "' needs an argument\nUsage: ");
	} else {
		return;
	}
	if (!q)
		return;
	oracle(*p == '-', "[%s]: message names '%.*s'", show(a), (int)(q - p), p);
	/* "-c" is a letter of a group ("-qc", or "-q--x": '-'), else a word. */
	short_opt = q - p == 2;
	for (i = 1; i < a->argc; i++) {
		const char *s = a->orig[i];

		if (short_opt && s[0] == '-' && s[1] && s[1] != '-' &&
		    strchr(s + 1, p[1]))
			break;
		if (!strncmp(s, p, (size_t)(q - p)) && !s[q - p])
			break;
	}
	oracle(i < a->argc, "[%s]: message names '%.*s', not in argv", show(a),
	       (int)(q - p), p);
	if (short_opt && p[1] == '-')
		return;		/* "--" alone ends the options */
	args_add(&one, cmd_names(cmd), strlen(cmd_names(cmd)));
	args_add(&one, p, (size_t)(q - p));
	rc = parse(cmd, &one, &o);
	oracle(rc == PARSE_USAGE, "[%s]: message blames '%s', which alone "
	       "gives %d", show(a), one.orig[1], rc);
	args_free(&one);
}

static void check_parse(int cmd, struct fin *in)
{
	struct args a = { 0 }, b = { 0 }, r = { 0 };
	union opts o, p, q;
	size_t err_len;
	char *err = NULL;
	int rc, rc2;

	args_add(&a, cmd_names(cmd), strlen(cmd_names(cmd)));
	args_add_input(&a, in);
	args_copy(&b, &a);
	ctl_stderr = open_memstream(&err, &err_len);
	if (!ctl_stderr)
		abort();
	rc = parse(cmd, &a, &o);
	fclose(ctl_stderr);
	ctl_stderr = devnull;
	if (rc == PARSE_USAGE)
		check_message(cmd, &a, err);
	free(err);
	oracle(rc == PARSE_OK || rc == PARSE_HELP || rc == PARSE_USAGE,
	       "%s returned %d", cmd_names(cmd), rc);
	rc2 = parse(cmd, &b, &p);
	oracle(rc == rc2 && (rc || same(cmd, &o, &p)),
	       "[%s] parsed twice gave %d then %d", show(&a), rc, rc2);
	if (rc == PARSE_OK) {
		check_accepted(cmd, &a, &o);
		if (cmd == 0 || cmd == 1 || cmd == 4 || cmd == 5 ||
		    cmd == C_FOLLOW) {
			render(cmd, &o, &r);
			rc2 = parse(cmd, &r, &q);
			oracle(rc2 == PARSE_OK && same(cmd, &o, &q),
			       "[%s] written back as [%s] gives %d or other "
			       "options", show(&a), show(&r), rc2);
		}
	}
	args_free(&a);
	args_free(&b);
	args_free(&r);
}

/*
 * "help [SUBCOMMAND]" succeeds for no argument, one known subcommand, or
 * its own -h/--help.
 */
static void check_help(struct fin *in)
{
	struct args a = { 0 };
	bool want = false;
	int rc;

	args_add(&a, PROG_NAME, strlen(PROG_NAME));
	args_add(&a, "help", 4);
	args_add_input(&a, in);
	if (a.argc == 2)
		want = true;
	if (a.argc == 3)
		want |= cmd_find(a.argv[2]) != NULL;
	if (a.argc == 3)
		want |= !strcmp(a.argv[2], "-h") || !strcmp(a.argv[2], "--help");
	rc = ctl_main(a.argc, a.argv);
	oracle(rc == (want ? EXIT_OK : EXIT_USAGE), "help with %d arguments: %d",
	       a.argc - 2, rc);
	args_free(&a);
}

/* Numbers as the man page describes them: decimal or 0x hex, never octal. */
static bool ref_num(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned int base = 10, dig;
	uint64_t v = 0;

	if (planted && *s == '+')	/* the planted bug: take a sign */
		s++;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return false;
	for (; *s; s++) {
		if (isdigit((unsigned char)*s))
			dig = (unsigned int)(*s - '0');
		else if (isxdigit((unsigned char)*s))
			dig = (unsigned int)(tolower((unsigned char)*s) - 'a' + 10);
		else
			return false;
		if (dig >= base || v > (UINT64_MAX - dig) / base)
			return false;
		v = v * base + dig;
	}
	if (v < min || v > max)
		return false;
	*out = v;
	return true;
}

static const struct numopt {
	const char *lng;
	char shrt;
	uint64_t min, max;
} numopts[] = {
	{ "count", 'c', 1, UINT64_MAX },
	{ "snaplen", 's', 0, MAX_SNAPLEN },	/* 0: the largest */
	{ "buffer", 'B', 1, MAX_BUFFER_MIB },
	{ "cid", 0, 0, UINT64_MAX },
	{ "src-cid", 0, 0, UINT64_MAX },
	{ "dst-cid", 0, 0, UINT64_MAX },
	{ "port", 0, 0, UINT32_MAX },
	{ "op", 0, 0, 0xffff },
};
#define NNUMOPTS (sizeof(numopts) / sizeof(numopts[0]))

static uint64_t numopt_value(size_t i, const struct capture_opts *c)
{
	switch (i) {
	case 0: return c->count;
	case 1: return (uint64_t)c->snaplen;
	case 2: return (uint64_t)c->buffer_mib;
	case 3: return c->match.cid;
	case 4: return c->match.src_cid;
	case 5: return c->match.dst_cid;
	case 6: return c->match.port;
	default: return c->match.op;
	}
}

static void check_number(struct fin *in)
{
	static const char *const ops[] = {
		"connect", "disconnect", "control", "payload",
	};
	uint8_t sel = fin_u8(in);
	const struct numopt *no = &numopts[sel % NNUMOPTS];
	struct args a = { 0 };
	struct capture_opts c;
	const uint8_t *nul = memchr(in->p, '\0', in->n);
	size_t n = nul ? (size_t)(nul - in->p) : in->n;
	bool ok, any;
	uint64_t want = 0;
	char *val;
	size_t i;
	int rc;

	val = strndup((const char *)in->p, n);
	if (!val)
		abort();
	args_add(&a, "capture", 7);
	switch (sel / NNUMOPTS % 3) {
	case 0:
		addf(&a, "--%s", no->lng);
		args_add(&a, val, n);
		break;
	case 1:
		addf(&a, "--%s=%s", no->lng, val);
		break;
	default:
		if (no->shrt)
			addf(&a, "-%c%s", no->shrt, val);
		else
			addf(&a, "--%s=%s", no->lng, val);
		break;
	}
	ok = ref_num(val, no->min, no->max, &want);
	if (ok && !want && !strcmp(no->lng, "snaplen"))
		want = MAX_SNAPLEN;
	for (i = 0; !strcmp(no->lng, "op") && i < 4; i++) {
		if (!strcmp(val, ops[i])) {
			ok = true;
			want = i + 1;
		}
	}
	any = !strcmp(no->lng, "op") && !strcmp(val, "any");
	ok |= any;
	rc = parse_capture(a.argc, a.argv, &c);
	oracle((rc == PARSE_OK) == ok, "--%s '%s': parser %d, reference %s",
	       no->lng, val, rc, ok ? "accepts" : "rejects");
	if (any)
		oracle(!(c.match.set & MATCH_OP), "--op any still filters");
	else if (ok)
		oracle(numopt_value(sel % NNUMOPTS, &c) == want,
		       "--%s '%s': %llu, reference %llu", no->lng, val,
		       (unsigned long long)numopt_value(sel % NNUMOPTS, &c),
		       (unsigned long long)want);
	free(val);
	args_free(&a);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_init_plant();
	known_check();
	devnull = fopen("/dev/null", "w");
	if (!devnull)
		abort();
	ctl_stdout = ctl_stderr = devnull;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fin in = { data, size };
	int sel = fin_u8(&in) % 12;

	if (sel < 8)
		check_parse(sel, &in);
	else if (sel == 8)
		check_help(&in);
	else if (sel == 9)
		check_number(&in);
	else if (sel == 10)
		check_parse(C_EXTCAP, &in);
	else
		check_parse(C_FOLLOW, &in);
	return 0;
}
