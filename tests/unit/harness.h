/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Run vsockmon-ctl's entry point in-process with stdout/stderr captured.
 */
#ifndef VSOCKMON_TEST_HARNESS_H
#define VSOCKMON_TEST_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "cmds.h"
#include "frames.h"

struct run_result {
	int rc;
	char *out, *err;
};

/*
 * Split a command line on spaces ('~' stands for a space inside a word)
 * and run it as argv0 would be run: "vsockmon-ctl", or the extcap link.
 */
static inline int run_ctl_as(const char *argv0, const char *line,
			     struct run_result *r)
{
	char *copy = strdup(line), *argv[64], *tok, *save = NULL;
	int argc = 0;

	argv[argc++] = (char *)argv0;
	for (tok = strtok_r(copy, " ", &save); tok && argc < 63;
	     tok = strtok_r(NULL, " ", &save)) {
		char *p;

		for (p = tok; *p; p++)
			if (*p == '~')
				*p = ' ';
		argv[argc++] = tok;
	}
	argv[argc] = NULL;
	ctl_stdout = tmpfile();
	ctl_stderr = tmpfile();
	r->rc = ctl_main(argc, argv);
	r->out = slurp(ctl_stdout);
	r->err = slurp(ctl_stderr);
	fclose(ctl_stdout);
	fclose(ctl_stderr);
	ctl_stdout = ctl_stderr = NULL;
	free(copy);
	return r->rc;
}

static inline int run_ctl(const char *line, struct run_result *r)
{
	return run_ctl_as("vsockmon-ctl", line, r);
}

static inline void run_free(struct run_result *r)
{
	free(r->out);
	free(r->err);
}

/* Parse-only helpers: argv from a string, argv[0] = subcommand. */
struct argv_buf {
	char copy[1024];
	char *argv[64];
	int argc;
};

static inline char **mkargv(struct argv_buf *b, const char *line)
{
	char *tok, *save = NULL;

	snprintf(b->copy, sizeof(b->copy), "%s", line);
	b->argc = 0;
	for (tok = strtok_r(b->copy, " ", &save); tok && b->argc < 63;
	     tok = strtok_r(NULL, " ", &save)) {
		char *p;

		for (p = tok; *p; p++)
			if (*p == '~')
				*p = ' ';
		b->argv[b->argc++] = tok;
	}
	b->argv[b->argc] = NULL;
	ctl_stdout = ctl_stderr = fopen("/dev/null", "w");
	return b->argv;
}

static inline void argv_free(struct argv_buf *b)
{
	(void)b;
	if (ctl_stdout)
		fclose(ctl_stdout);
	ctl_stdout = ctl_stderr = NULL;
}

#endif
