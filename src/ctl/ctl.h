/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vsockmon-ctl: shared declarations (output streams, errors, parsing helpers).
 */
#ifndef VSOCKMON_CTL_H
#define VSOCKMON_CTL_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define PROG_NAME "vsockmon-ctl"
#ifndef VSOCKMON_VERSION
#define VSOCKMON_VERSION "0.0.0-unknown"
#endif

#define DEFAULT_MONITOR "vsockmon0"
#define VSOCKMON_KIND "vsockmon"

/* Exit codes (see the man page). */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/*
 * Parsers return one of these. PARSE_HELP means usage was printed on
 * request: the caller exits 0 without doing anything.
 */
enum { PARSE_OK = 0, PARSE_HELP = -1, PARSE_USAGE = EXIT_USAGE };

/* Output streams; tests point them at temporary files. */
extern FILE *ctl_stdout, *ctl_stderr;
#define OUT (ctl_stdout ? ctl_stdout : stdout)
#define ERR (ctl_stderr ? ctl_stderr : stderr)

/*
 * "vsockmon-ctl: <action> <name>: <strerror(err)> (kernel: <extack>)";
 * name and extack may be NULL or empty. err is a positive errno.
 */
void ctl_error(const char *action, const char *name, int err, const char *extack);
/*
 * msg without a leading "name: " (libpcap's errors start with the file
 * name, which our own "read FILE: " already says).
 */
const char *without_name(const char *msg, const char *name);
/* "vsockmon-ctl: <formatted message>" */
void ctl_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Strict number parsing: whole string, decimal or 0x hex (no octal), in range. */
bool parse_u64(const char *s, uint64_t max, uint64_t *out);
bool parse_seconds(const char *s, double *out);
/* Interface name a kernel would accept (1..15 chars, no '/', ':', space). */
bool valid_ifname(const char *s);

/*
 * A bounded string builder: appends while it fits; on the first thing
 * that does not, sets overflow and appends nothing more (the text stays
 * NUL-terminated, cut there). sz must be > 0.
 */
struct strbuf {
	char *p;
	size_t sz, len;
	bool overflow;
};
#define STRBUF_INIT(buf, size) { (buf), (size), 0, false }
void sb_printf(struct strbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The first line of a file without its newline; "" if unreadable. */
void read_first_line(const char *path, char *buf, size_t sz);

/* "s" unless n is 1: "1 frame", "2 frames", as tcpdump counts. */
static inline const char *plural_s(unsigned long long n)
{
	return n == 1 ? "" : "s";
}

/* JSON string output with escaping. */
void json_str(FILE *f, const char *s);

/* Set by the stop signals (source.c) and by -c: every loop ends. */
extern volatile sig_atomic_t ctl_stop, ctl_signalled;
/* CLOCK_MONOTONIC in seconds. */
double mono_now(void);

#endif
