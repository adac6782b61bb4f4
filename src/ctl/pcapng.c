// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pcapng writer, host byte order (readers detect it from the SHB magic).
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/utsname.h>

#include "pcapng.h"

#define BT_SHB 0x0A0D0D0Au
#define BT_IDB 0x00000001u
#define BT_ISB 0x00000005u
#define BT_EPB 0x00000006u
#define OPT_END 0
#define OPT_COMMENT 1
#define OPT_SHB_HARDWARE 2
#define OPT_SHB_OS 3
#define OPT_SHB_USERAPPL 4
#define OPT_IF_NAME 2
#define OPT_IF_DESCRIPTION 3
#define OPT_IF_FILTER 11	/* first byte 0: a libpcap expression */
#define OPT_ISB_STARTTIME 2
#define OPT_ISB_ENDTIME 3
#define OPT_ISB_IFRECV 4
#define OPT_ISB_IFDROP 5
#define OPT_ISB_USRDELIV 8

static uint32_t pad4(uint32_t n)
{
	return (n + 3u) & ~3u;
}

static size_t opt_len(const char *s)
{
	return s && *s ? 4 + pad4((uint32_t)strlen(s)) : 0;
}

static void put_opt(FILE *f, uint16_t code, const char *s)
{
	static const uint8_t zero[4];
	uint16_t len;

	if (!s || !*s)
		return;
	len = (uint16_t)strlen(s);
	fwrite(&code, 2, 1, f);
	fwrite(&len, 2, 1, f);
	fwrite(s, 1, len, f);
	fwrite(zero, 1, pad4(len) - len, f);
}

static void put32(FILE *f, uint32_t v)
{
	fwrite(&v, 4, 1, f);
}

/* if_filter: a type byte (0, a filter string) before the expression */
static size_t filter_len(const char *s)
{
	return s && *s ? 4 + pad4(1 + (uint32_t)strlen(s)) : 0;
}

static void put_filter(FILE *f, const char *s)
{
	static const uint8_t zero[4];
	uint16_t code = OPT_IF_FILTER, len;

	if (!s || !*s)
		return;
	len = (uint16_t)(1 + strlen(s));
	fwrite(&code, 2, 1, f);
	fwrite(&len, 2, 1, f);
	fwrite(zero, 1, 1, f);
	fwrite(s, 1, len - 1u, f);
	fwrite(zero, 1, pad4(len) - len, f);
}

/* A 64-bit option: a count, or a time stamp as its two 32-bit halves. */
static void put_opt64(FILE *f, uint16_t code, uint64_t v, bool ts)
{
	uint16_t len = 8;

	fwrite(&code, 2, 1, f);
	fwrite(&len, 2, 1, f);
	if (ts) {
		put32(f, (uint32_t)(v >> 32));
		put32(f, (uint32_t)v);
	} else {
		fwrite(&v, 8, 1, f);
	}
}

static uint64_t usec(const struct timeval *tv)
{
	return (uint64_t)tv->tv_sec * 1000000u + (uint64_t)tv->tv_usec;
}

/* dumpcap's shb_os: the kernel's name and release */
static void os_name(char *buf, size_t sz)
{
	struct utsname u;

	*buf = '\0';
	if (!uname(&u))
		snprintf(buf, sz, "%s %s", u.sysname, u.release);
}

/* dumpcap's shb_hardware: the CPU's model name */
static void hardware_name(char *buf, size_t sz)
{
	char line[256];
	FILE *f = fopen("/proc/cpuinfo", "re");

	*buf = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *v = strchr(line, ':');

		if (strncmp(line, "model name", 10) || !v)
			continue;
		v += 1 + strspn(v + 1, " \t");
		v[strcspn(v, "\n")] = '\0';
		snprintf(buf, sz, "%s", v);
		break;
	}
	fclose(f);
}

int pcapng_open(struct pcapng_writer *w, const char *path, int linktype,
		uint32_t snaplen, const struct pcapng_meta *m)
{
	char os[160], hw[160];
	uint32_t len;
	uint64_t seclen = UINT64_MAX;
	uint16_t v16;

	os_name(os, sizeof(os));
	hardware_name(hw, sizeof(hw));

	memset(w, 0, sizeof(*w));
	if (!strcmp(path, "-")) {
		w->f = stdout;
	} else {
		w->f = fopen(path, "wbe");
		if (!w->f)
			return errno;
		w->own = 1;
	}
	/* Section Header Block */
	len = 28 + (uint32_t)(opt_len(hw) + opt_len(os) + opt_len(m->appl)) + 4;
	put32(w->f, BT_SHB);
	put32(w->f, len);
	put32(w->f, 0x1A2B3C4Du);
	v16 = 1;
	fwrite(&v16, 2, 1, w->f);
	v16 = 0;
	fwrite(&v16, 2, 1, w->f);
	fwrite(&seclen, 8, 1, w->f);
	put_opt(w->f, OPT_SHB_HARDWARE, hw);
	put_opt(w->f, OPT_SHB_OS, os);
	put_opt(w->f, OPT_SHB_USERAPPL, m->appl);
	put32(w->f, OPT_END);
	put32(w->f, len);
	/* Interface Description Block */
	len = 20 + (uint32_t)(opt_len(m->ifname) + opt_len(m->ifdesc) +
			      filter_len(m->filter)) + 4;
	put32(w->f, BT_IDB);
	put32(w->f, len);
	v16 = (uint16_t)linktype;
	fwrite(&v16, 2, 1, w->f);
	v16 = 0;
	fwrite(&v16, 2, 1, w->f);
	put32(w->f, snaplen);
	put_opt(w->f, OPT_IF_NAME, m->ifname);
	put_opt(w->f, OPT_IF_DESCRIPTION, m->ifdesc);
	put_filter(w->f, m->filter);
	put32(w->f, OPT_END);
	put32(w->f, len);
	return ferror(w->f) ? EIO : 0;
}

int pcapng_write(struct pcapng_writer *w, const struct pcap_pkthdr *h,
		 const uint8_t *data, const char *comment)
{
	static const uint8_t zero[4];
	uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
	uint32_t len = 32 + pad4(h->caplen);

	if (comment && *comment)
		len += (uint32_t)opt_len(comment) + 4;	/* and opt_endofopt */

	put32(w->f, BT_EPB);
	put32(w->f, len);
	put32(w->f, 0);			/* interface id */
	put32(w->f, (uint32_t)(ts >> 32));
	put32(w->f, (uint32_t)ts);
	put32(w->f, h->caplen);
	put32(w->f, h->len);
	fwrite(data, 1, h->caplen, w->f);
	fwrite(zero, 1, pad4(h->caplen) - h->caplen, w->f);
	if (comment && *comment) {
		put_opt(w->f, OPT_COMMENT, comment);
		put32(w->f, OPT_END);
	}
	put32(w->f, len);
	return ferror(w->f) ? EIO : 0;
}

int pcapng_write_stats(struct pcapng_writer *w, const struct pcapng_stats *st)
{
	uint64_t end = usec(&st->end);
	uint32_t len = 24 + 5 * 12 + (uint32_t)opt_len(st->comment) + 4;

	put32(w->f, BT_ISB);
	put32(w->f, len);
	put32(w->f, 0);			/* interface id */
	put32(w->f, (uint32_t)(end >> 32));
	put32(w->f, (uint32_t)end);
	put_opt64(w->f, OPT_ISB_STARTTIME, usec(&st->start), true);
	put_opt64(w->f, OPT_ISB_ENDTIME, end, true);
	put_opt64(w->f, OPT_ISB_IFRECV, st->recv, false);
	put_opt64(w->f, OPT_ISB_IFDROP, st->drop, false);
	put_opt64(w->f, OPT_ISB_USRDELIV, st->delivered, false);
	put_opt(w->f, OPT_COMMENT, st->comment);
	put32(w->f, OPT_END);
	put32(w->f, len);
	return ferror(w->f) ? EIO : 0;
}

int pcapng_close(struct pcapng_writer *w)
{
	int err = 0;

	if (!w->f)
		return 0;
	if (fflush(w->f) || ferror(w->f))
		err = errno ? errno : EIO;
	if (w->own && fclose(w->f) && !err)
		err = errno;
	w->f = NULL;
	return err;
}
