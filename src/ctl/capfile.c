// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pcap (tcpdump's format) and pcapng (the IETF draft's blocks SHB, IDB,
 * EPB, SPB; others skipped) readers. Every length is checked against the
 * block that holds it: a damaged file is an error, never a wild read.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "capfile.h"

#define DLT_VSOCK_VALUE 271
#define NG_SHB 0x0A0D0D0Au
#define NG_IDB 0x00000001u
#define NG_SPB 0x00000003u
#define NG_EPB 0x00000006u
#define NG_BOM 0x1A2B3C4Du
#define NG_OPT_COMMENT 1
#define NG_OPT_TSRESOL 9
#define PCAP_MAGIC_US 0xA1B2C3D4u
#define PCAP_MAGIC_NS 0xA1B23C4Du

static uint32_t swap32(uint32_t v)
{
	return __builtin_bswap32(v);
}

static uint32_t get32(const struct capfile *c, const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return c->swap ? swap32(v) : v;
}

static uint16_t get16(const struct capfile *c, const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return c->swap ? __builtin_bswap16(v) : v;
}

static uint32_t pad4(uint32_t n)
{
	return (n + 3u) & ~3u;
}

__attribute__((format(printf, 2, 3)))
static int fail(struct capfile *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	return -1;
}

/* Exactly n bytes, or why not: 0, or -1 (end of file in the middle). */
static int read_full(struct capfile *c, void *p, size_t n, const char *what)
{
	size_t got = fread(p, 1, n, c->f);

	if (got == n)
		return 0;
	if (ferror(c->f))
		return fail(c, "read: %s", strerror(errno));
	return fail(c, "truncated %s (%zu of %zu bytes)", what, got, n);
}

static int grow(struct capfile *c, size_t n)
{
	uint8_t *b;

	if (n <= c->cap)
		return 0;
	b = realloc(c->buf, n);
	if (!b)
		return fail(c, "out of memory for a %zu-byte block", n);
	c->buf = b;
	c->cap = n;
	return 0;
}

static void ts_from_units(struct timeval *tv, uint64_t t, uint64_t units)
{
	tv->tv_sec = (time_t)(t / units);
	tv->tv_usec = (suseconds_t)((unsigned __int128)(t % units) * 1000000u /
				    units);
}

/* --- pcap --- */

static int pcap_header(struct capfile *c, uint32_t magic)
{
	uint8_t h[20];

	c->swap = magic == swap32(PCAP_MAGIC_US) || magic == swap32(PCAP_MAGIC_NS);
	if (c->swap)
		magic = swap32(magic);
	c->nsec_div = magic == PCAP_MAGIC_NS ? 1000 : 1;
	if (read_full(c, h, sizeof(h), "pcap file header"))
		return -1;
	c->nif = 1;
	c->ifs[0].linktype = (uint16_t)(get32(c, h + 16) & 0xffff);
	c->any_vsock = c->ifs[0].linktype == DLT_VSOCK_VALUE;
	return 0;
}

static int pcap_next_frame(struct capfile *c, struct capfile_frame *fr)
{
	uint8_t h[16];
	size_t got = fread(h, 1, sizeof(h), c->f);

	if (got == 0 && !ferror(c->f))
		return 0;
	if (got != sizeof(h))
		return fail(c, "truncated record header");
	fr->caplen = get32(c, h + 8);
	fr->len = get32(c, h + 12);
	if (fr->caplen > CAPFILE_BLOCK_MAX)
		return fail(c, "frame %llu: captured length %u is not a frame",
			    c->number + 1, fr->caplen);
	if (grow(c, fr->caplen ? fr->caplen : 1) ||
	    read_full(c, c->buf, fr->caplen, "frame"))
		return -1;
	fr->ts.tv_sec = (time_t)get32(c, h);
	fr->ts.tv_usec = (suseconds_t)(get32(c, h + 4) / c->nsec_div);
	fr->data = c->buf;
	c->comment[0] = '\0';
	return 1;
}

/* --- pcapng --- */

/* Comments joined by newlines; if_tsresol into *units. */
static int ng_options(struct capfile *c, const uint8_t *p, const uint8_t *end,
		      uint64_t *units)
{
	size_t used = 0;

	c->comment[0] = '\0';
	while (end - p >= 4) {
		uint16_t code = get16(c, p), olen = get16(c, p + 2);

		if (code == 0)
			break;
		if ((size_t)(end - p - 4) < pad4(olen))
			return fail(c, "option %u runs past its block", code);
		if (code == NG_OPT_COMMENT && !units) {
			size_t room = sizeof(c->comment) - used - 1;
			size_t n = olen < room ? olen : room;

			if (used && n) {
				c->comment[used++] = '\n';
				n -= n == room;
			}
			memcpy(c->comment + used, p + 4, n);
			used += n;
			c->comment[used] = '\0';
		} else if (code == NG_OPT_TSRESOL && units && olen >= 1) {
			uint8_t r = p[4];
			unsigned int i;

			if ((r & 0x80 && (r & 0x7f) > 63) || (!(r & 0x80) && r > 19))
				return fail(c, "if_tsresol %#x is out of range", r);
			*units = 1;
			for (i = 0; i < (r & 0x7fu); i++)
				*units *= r & 0x80 ? 2 : 10;
		}
		p += 4 + pad4(olen);
	}
	return 0;
}

/*
 * The rest of a block of len bytes whose first `have` were read: into
 * buf, which then ends with the block's trailing copy of len.
 */
static int block_rest(struct capfile *c, uint32_t len, uint32_t have,
		      uint32_t min, const char *what)
{
	if (len < min || len % 4 || len > CAPFILE_BLOCK_MAX)
		return fail(c, "a %s of %u bytes: not pcapng", what, len);
	if (grow(c, len) || read_full(c, c->buf, len - have, what))
		return -1;
	if (get32(c, c->buf + len - have - 4) != len)
		return fail(c, "a %s's two lengths disagree", what);
	return 0;
}

/* Reads the rest of a block whose first 8 bytes are in hdr. */
static int ng_body(struct capfile *c, const uint8_t *hdr, uint32_t *body_len)
{
	uint32_t len = get32(c, hdr + 4);

	if (block_rest(c, len, 8, 12, "block"))
		return -1;
	*body_len = len - 12;
	return 0;
}

/* A new section: its byte order, no interfaces yet. */
static int ng_section(struct capfile *c, const uint8_t *hdr)
{
	uint32_t bom, len;

	if (read_full(c, &bom, 4, "section header"))
		return -1;
	if (bom != NG_BOM && bom != swap32(NG_BOM))
		return fail(c, "section header without its byte-order magic");
	c->swap = bom != NG_BOM;
	c->nif = 0;
	len = get32(c, hdr + 4);
	return block_rest(c, len, 12, 28, "section header");
}

static int ng_interface(struct capfile *c, uint32_t body)
{
	uint64_t units = 1000000;

	if (body < 8)
		return fail(c, "short interface description");
	if (c->nif == CAPFILE_IF_MAX)
		return fail(c, "more than %d interfaces", CAPFILE_IF_MAX);
	if (ng_options(c, c->buf + 8, c->buf + body, &units))
		return -1;
	c->ifs[c->nif].linktype = get16(c, c->buf);
	c->ifs[c->nif].units = units;
	if (c->ifs[c->nif].linktype == DLT_VSOCK_VALUE)
		c->any_vsock = true;
	c->nif++;
	return 0;
}

/* 1: a frame in fr (any link type), 0: another block, 2: end, -1 error. */
static int ng_block(struct capfile *c, struct capfile_frame *fr,
		    uint16_t *linktype)
{
	uint8_t hdr[8];
	uint32_t type, body = 0, ifid, off;
	size_t got = fread(hdr, 1, 8, c->f);

	if (got == 0 && !ferror(c->f))
		return 2;
	if (got != 8)
		return fail(c, "truncated block header");
	memcpy(&type, hdr, 4);
	if (type == NG_SHB)
		return ng_section(c, hdr);
	type = get32(c, hdr);
	if (ng_body(c, hdr, &body))
		return -1;
	if (type == NG_IDB)
		return ng_interface(c, body);
	if (type == NG_EPB) {
		if (body < 20)
			return fail(c, "short packet block");
		ifid = get32(c, c->buf);
		fr->caplen = get32(c, c->buf + 12);
		fr->len = get32(c, c->buf + 16);
		off = 20;
	} else if (type == NG_SPB) {
		if (body < 4)
			return fail(c, "short packet block");
		ifid = 0;
		fr->len = get32(c, c->buf);
		fr->caplen = fr->len < body - 4 ? fr->len : body - 4;
		off = 4;
	} else {
		return 0;
	}
	if (ifid >= c->nif)
		return fail(c, "frame %llu names interface %u of %u",
			    c->number + 1, ifid, c->nif);
	if (fr->caplen > body - off || pad4(fr->caplen) > body - off)
		return fail(c, "frame %llu: %u bytes in a %u-byte block",
			    c->number + 1, fr->caplen, body);
	fr->data = c->buf + off;
	c->comment[0] = '\0';
	if (type == NG_EPB) {
		uint64_t t = (uint64_t)get32(c, c->buf + 4) << 32 |
			     get32(c, c->buf + 8);

		ts_from_units(&fr->ts, t, c->ifs[ifid].units);
		if (ng_options(c, c->buf + off + pad4(fr->caplen),
			       c->buf + body, NULL))
			return -1;
	} else {
		fr->ts.tv_sec = 0;
		fr->ts.tv_usec = 0;
	}
	*linktype = c->ifs[ifid].linktype;
	return 1;
}

int capfile_open(struct capfile *c, const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;

	if (!f) {
		memset(c, 0, sizeof(*c));
		return fail(c, "%s", strerror(errno));
	}
	return capfile_fopen(c, f, f != stdin);
}

int capfile_fopen(struct capfile *c, FILE *f, bool own)
{
	uint32_t magic;

	memset(c, 0, sizeof(*c));
	c->f = f;
	c->own = own;
	if (read_full(c, &magic, 4, "file header"))
		return -1;
	if (magic == NG_SHB) {
		uint8_t hdr[8];

		c->ng = true;
		memcpy(hdr, &magic, 4);
		if (read_full(c, hdr + 4, 4, "section header"))
			return -1;
		/* the length is read again once the byte order is known */
		if (ng_section(c, hdr))
			return -1;
		return 0;
	}
	if (magic != PCAP_MAGIC_US && magic != PCAP_MAGIC_NS &&
	    magic != swap32(PCAP_MAGIC_US) && magic != swap32(PCAP_MAGIC_NS))
		return fail(c, "not a pcap or pcapng file");
	return pcap_header(c, magic);
}

int capfile_next(struct capfile *c, struct capfile_frame *fr)
{
	for (;;) {
		uint16_t linktype = c->ifs[0].linktype;
		int r;

		if (c->ng) {
			r = ng_block(c, fr, &linktype);
			if (r == 0)
				continue;	/* a block without a frame */
			if (r == 2)
				return 0;
		} else {
			r = pcap_next_frame(c, fr);
			if (r == 0)
				return 0;
		}
		if (r < 0)
			return -1;
		c->number++;
		if (linktype != DLT_VSOCK_VALUE) {
			c->other++;
			continue;
		}
		fr->comment = c->comment;
		fr->number = c->number;
		return 1;
	}
}

void capfile_close(struct capfile *c)
{
	if (c->own && c->f)
		fclose(c->f);
	c->f = NULL;
	free(c->buf);
	c->buf = NULL;
}
