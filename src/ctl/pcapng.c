// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pcapng writer, host byte order (readers detect it from the SHB magic).
 */
#include <errno.h>
#include <string.h>

#include "pcapng.h"

#define BT_SHB 0x0A0D0D0Au
#define BT_IDB 0x00000001u
#define BT_EPB 0x00000006u
#define OPT_END 0
#define OPT_SHB_USERAPPL 4
#define OPT_IF_NAME 2

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

int pcapng_open(struct pcapng_writer *w, const char *path, int linktype,
		uint32_t snaplen, const char *ifname, const char *appl)
{
	uint32_t len;
	uint64_t seclen = UINT64_MAX;
	uint16_t v16;

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
	len = 28 + (uint32_t)opt_len(appl) + 4;
	put32(w->f, BT_SHB);
	put32(w->f, len);
	put32(w->f, 0x1A2B3C4Du);
	v16 = 1;
	fwrite(&v16, 2, 1, w->f);
	v16 = 0;
	fwrite(&v16, 2, 1, w->f);
	fwrite(&seclen, 8, 1, w->f);
	put_opt(w->f, OPT_SHB_USERAPPL, appl);
	put32(w->f, OPT_END);
	put32(w->f, len);
	/* Interface Description Block */
	len = 20 + (uint32_t)opt_len(ifname) + 4;
	put32(w->f, BT_IDB);
	put32(w->f, len);
	v16 = (uint16_t)linktype;
	fwrite(&v16, 2, 1, w->f);
	v16 = 0;
	fwrite(&v16, 2, 1, w->f);
	put32(w->f, snaplen);
	put_opt(w->f, OPT_IF_NAME, ifname);
	put32(w->f, OPT_END);
	put32(w->f, len);
	return ferror(w->f) ? EIO : 0;
}

int pcapng_write(struct pcapng_writer *w, const struct pcap_pkthdr *h,
		 const uint8_t *data)
{
	static const uint8_t zero[4];
	uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
	uint32_t len = 32 + pad4(h->caplen);

	put32(w->f, BT_EPB);
	put32(w->f, len);
	put32(w->f, 0);			/* interface id */
	put32(w->f, (uint32_t)(ts >> 32));
	put32(w->f, (uint32_t)ts);
	put32(w->f, h->caplen);
	put32(w->f, h->len);
	fwrite(data, 1, h->caplen, w->f);
	fwrite(zero, 1, pad4(h->caplen) - h->caplen, w->f);
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
