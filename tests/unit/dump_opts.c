// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Print the subcommand table of cmdtab.h for options_test.bash, which
 * checks help, the bash completion and the man page against it:
 *   cmd NAME OPERAND_KIND
 *   opt NAME SHORT|- LONG ARG_KIND
 *   ops WORD...     (what --op takes by name: the decoder's, and "any")
 */
#include <stdio.h>

#include "cmdtab.h"
#include "frame.h"

static const char *kind(enum arg_kind k)
{
	static const char *const n[] = {
		[ARG_NONE] = "none", [ARG_VALUE] = "value",
		[ARG_MONITOR] = "monitor", [ARG_FILE] = "file", [ARG_OP] = "op",
		[ARG_COMMAND] = "command",
	};

	return n[k];
}

int main(void)
{
	const struct opt_def *o;
	size_t i;

	for (i = 0; i < cmd_count; i++) {
		const struct cmd_def *c = &cmd_table[i];

		printf("cmd %s %s\n", c->name, kind(c->operand_kind));
		for (o = c->opts; o->id; o++) {
			if (opt_short(o))
				printf("opt %s -%c --%s %s\n", c->name, opt_short(o),
				       o->lng, kind(o->kind));
			else
				printf("opt %s - --%s %s\n", c->name, o->lng,
				       kind(o->kind));
		}
	}
	printf("ops");
	for (i = 1; op_name((uint16_t)i); i++)
		printf(" %s", op_name((uint16_t)i));
	printf(" any\n");
	return 0;
}
