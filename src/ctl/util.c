// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Small helpers shared by every subcommand: error lines, number parsing,
 * interface name checks, JSON string escaping.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <net/if.h>

#include "ctl.h"

FILE *ctl_stdout, *ctl_stderr;

void ctl_error(const char *action, const char *name, int err, const char *extack)
{
	FILE *f = ERR;

	fprintf(f, "%s: %s", PROG_NAME, action);
	if (name && *name)
		fprintf(f, " %s", name);
	fprintf(f, ": %s", strerror(err));
	if (extack && *extack)
		fprintf(f, " (kernel: %s)", extack);
	fputc('\n', f);
}

void ctl_msg(const char *fmt, ...)
{
	va_list ap;

	fprintf(ERR, "%s: ", PROG_NAME);
	va_start(ap, fmt);
	vfprintf(ERR, fmt, ap);
	va_end(ap);
	fputc('\n', ERR);
}

/*
 * Decimal, or hex after 0x. Never octal: "052" is 52 and "08" is 8, as a
 * user reading a port or a CID expects.
 */
bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	int base = 10;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+' || isspace((unsigned char)*s))
		return false;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	/* digits only: strtoull would take "0x-1", "0x 1" or "0x0x1" */
	if (!*s || s[strspn(s, base == 16 ? "0123456789abcdefABCDEF" :
			    "0123456789")])
		return false;
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

const char *without_name(const char *msg, const char *name)
{
	size_t n = strlen(name);

	if (n && !strncmp(msg, name, n) && msg[n] == ':' && msg[n + 1] == ' ')
		return msg + n + 2;
	return msg;
}

bool parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	if (!s || !*s || isspace((unsigned char)*s))
		return false;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v <= 0 || v > 1e9)
		return false;
	*out = v;
	return true;
}

bool valid_ifname(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n >= IFNAMSIZ || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || isspace((unsigned char)*s) ||
		    !isprint((unsigned char)*s))
			return false;
	return true;
}

void sb_printf(struct strbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->sz - b->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->sz - b->len) {
		b->overflow = true;
		return;
	}
	b->len += (size_t)n;
}

void read_first_line(const char *path, char *buf, size_t sz)
{
	FILE *f;

	buf[0] = '\0';
	f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(buf, (int)sz, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

volatile sig_atomic_t ctl_stop, ctl_signalled;

double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
