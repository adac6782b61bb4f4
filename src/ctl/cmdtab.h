/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one table of subcommands and their options. The parsers (args.c),
 * help (cli.c) and the tests of the bash completion and the man page
 * (tests/unit/dump_opts.c) all read it, so they cannot drift apart.
 */
#ifndef VSOCKMON_CMDTAB_H
#define VSOCKMON_CMDTAB_H

#include <stddef.h>

/* getopt values of options without a short form */
enum {
	OPT_NAMES = 0x100, OPT_ALL, OPT_STALE, OPT_CID, OPT_SRC_CID,
	OPT_DST_CID, OPT_PORT, OPT_OP, OPT_FILTER, OPT_PCAPNG, OPT_DURATION,
	OPT_INTERVAL, OPT_ONCE, OPT_UDS, OPT_GUEST_CID, OPT_RAW,
	OPT_STREAM, OPT_REPLY,
	/* extcap: Wireshark's names (doc/man_pages/extcap.adoc) */
	OPT_EXTCAP_INTERFACES, OPT_EXTCAP_VERSION, OPT_EXTCAP_INTERFACE,
	OPT_EXTCAP_DLTS, OPT_EXTCAP_CONFIG, OPT_EXTCAP_FILTER, OPT_CAPTURE,
	OPT_FIFO, OPT_DEBUG, OPT_DEBUG_FILE,
};

/* What an option's argument or a subcommand's operands are (completion). */
enum arg_kind {
	ARG_NONE,	/* option takes no argument; command takes no operand */
	ARG_VALUE,	/* free text or a number: nothing to complete */
	ARG_MONITOR,	/* a monitor name */
	ARG_FILE,	/* a capture file */
	ARG_OP,		/* connect, disconnect, control, payload */
	ARG_COMMAND,	/* a subcommand name */
};

struct opt_def {
	int id;			/* the short letter, or OPT_* */
	const char *lng;	/* long name, without "--" */
	enum arg_kind kind;
	/* argument's name in help, NULL if none, "[=NAME]" if optional */
	const char *arg;
	const char *help;
};

struct cmd_def {
	const char *name;
	const char *summary;
	const char *operands;	/* "[NAME]", or NULL */
	enum arg_kind operand_kind;
	const char *synopsis;	/* overrides the generated one, or NULL */
	const char *notes;	/* lines after the options, or NULL */
	const struct opt_def *opts;	/* ends with id 0; -h/--help implied */
	int (*handler)(int argc, char **argv);
};

extern const struct cmd_def cmd_table[];
extern const size_t cmd_count;

const struct cmd_def *cmd_find(const char *name);
static inline int opt_short(const struct opt_def *o)
{
	return o->id < 0x100 ? o->id : 0;
}

static inline int opt_has_arg(const struct opt_def *o)
{
	if (!o->arg)
		return 0;	/* no_argument */
	return o->arg[0] == '[' ? 2 : 1;	/* optional_, required_argument */
}

/* What separates an option from its argument's name in help. */
static inline const char *opt_arg_sep(const struct opt_def *o)
{
	return opt_has_arg(o) == 1 ? " " : "";
}

#endif
