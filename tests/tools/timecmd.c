// SPDX-License-Identifier: GPL-2.0
/*
 * timecmd: wall time of short commands, run many times in turn.
 *
 *   timecmd [-n N] CMD [::: CMD]...
 *
 * Each iteration runs every CMD once, in order (e.g. "vsockmon-ctl up x
 * ::: vsockmon-ctl down x"), each by fork+execvp, no shell, its stdout to
 * /dev/null. Prints one
 * line per CMD:
 *   cmd="vsockmon-ctl up x" n=50 median_ms=3.1 min_ms=2.8 max_ms=5.0
 * Time is CLOCK_MONOTONIC from fork to the end of waitpid, so it includes
 * what a user waits for: exec, dynamic linking, the command's work.
 * Exit status 1 as soon as a command fails (its status on stderr).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#define MAX_CMDS 8

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double run(char **argv)
{
	double t0 = now_ms();
	int status;
	pid_t pid = fork();

	if (pid < 0) {
		perror("timecmd: fork");
		exit(1);
	}
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		/* the commands' output is not what is measured */
		if (fd >= 0)
			dup2(fd, STDOUT_FILENO);
		execvp(argv[0], argv);
		fprintf(stderr, "timecmd: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0) {
		perror("timecmd: waitpid");
		exit(1);
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "timecmd: %s failed (status 0x%x)\n", argv[0], status);
		exit(1);
	}
	return now_ms() - t0;
}

int main(int argc, char **argv)
{
	char **cmd[MAX_CMDS];
	double *t[MAX_CMDS];
	int n = 50, ncmd = 0, i, j, k;

	if (argc > 2 && !strcmp(argv[1], "-n")) {
		n = atoi(argv[2]);
		argv += 2;
		argc -= 2;
	}
	if (argc < 2 || n < 1) {
		fprintf(stderr, "usage: timecmd [-n N] CMD [::: CMD]...\n");
		return 2;
	}
	/* split argv at ":::" into NULL-terminated commands */
	cmd[ncmd++] = &argv[1];
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], ":::"))
			continue;
		argv[i] = NULL;
		if (ncmd == MAX_CMDS || i + 1 >= argc) {
			fprintf(stderr, "timecmd: at most %d commands, none empty\n", MAX_CMDS);
			return 2;
		}
		cmd[ncmd++] = &argv[i + 1];
	}
	for (j = 0; j < ncmd; j++) {
		t[j] = calloc((size_t)n, sizeof(double));
		if (!t[j] || !cmd[j][0]) {
			fprintf(stderr, "timecmd: empty command or out of memory\n");
			return 2;
		}
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < ncmd; j++)
			t[j][i] = run(cmd[j]);
	for (j = 0; j < ncmd; j++) {
		qsort(t[j], (size_t)n, sizeof(double), cmp);
		printf("cmd=\"");
		for (k = 0; cmd[j][k]; k++)
			printf("%s%s", k ? " " : "", cmd[j][k]);
		printf("\" n=%d median_ms=%.2f min_ms=%.2f max_ms=%.2f\n", n,
		       n % 2 ? t[j][n / 2] : (t[j][n / 2 - 1] + t[j][n / 2]) / 2,
		       t[j][0], t[j][n - 1]);
	}
	return 0;
}
