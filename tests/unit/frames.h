/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test helpers: craft vsock capture frames byte by byte (little-endian, as
 * the kernel builds them) and write them into pcap fixtures.
 */
#ifndef VSOCKMON_TEST_FRAMES_H
#define VSOCKMON_TEST_FRAMES_H

#include <endian.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pcap/pcap.h>

#define T_CONNECT 1
#define T_DISCONNECT 2
#define T_CONTROL 3
#define T_PAYLOAD 4
#define T_VIRTIO 2
#define T_NO_INFO 1

struct fspec {
	uint64_t src_cid, dst_cid;
	uint32_t src_port, dst_port;
	uint16_t op, transport;
	uint16_t vtype, vop;
	uint32_t vflags, buf_alloc, fwd_cnt;
	uint32_t plen;		/* payload bytes appended */
	int vlen_delta;		/* virtio hdr len = plen + delta */
	uint16_t hlen;		/* 0: 44 for VIRTIO, 0 otherwise */
};

static inline void t_put16(uint8_t *p, uint16_t v) { v = htole16(v); memcpy(p, &v, 2); }
static inline void t_put32(uint8_t *p, uint32_t v) { v = htole32(v); memcpy(p, &v, 4); }
static inline void t_put64(uint8_t *p, uint64_t v) { v = htole64(v); memcpy(p, &v, 8); }

/* Returns the frame length; buf must hold 32 + 44 + plen bytes. */
static inline size_t frame_build(uint8_t *buf, const struct fspec *s)
{
	uint16_t hlen = s->hlen ? s->hlen :
			(s->transport == T_VIRTIO ? 44 : 0);
	uint8_t *v = buf + 32;
	uint32_t i;

	memset(buf, 0, 32 + hlen);
	t_put64(buf + 0, s->src_cid);
	t_put64(buf + 8, s->dst_cid);
	t_put32(buf + 16, s->src_port);
	t_put32(buf + 20, s->dst_port);
	t_put16(buf + 24, s->op);
	t_put16(buf + 26, s->transport);
	t_put16(buf + 28, hlen);
	if (s->transport == T_VIRTIO && hlen >= 44) {
		t_put64(v + 0, s->src_cid);
		t_put64(v + 8, s->dst_cid);
		t_put32(v + 16, s->src_port);
		t_put32(v + 20, s->dst_port);
		t_put32(v + 24, (uint32_t)((int)s->plen + s->vlen_delta));
		t_put16(v + 28, s->vtype);
		t_put16(v + 30, s->vop);
		t_put32(v + 32, s->vflags);
		t_put32(v + 36, s->buf_alloc);
		t_put32(v + 40, s->fwd_cnt);
	}
	for (i = 0; i < s->plen; i++)
		buf[32 + hlen + i] = (uint8_t)('a' + i % 26);
	return 32 + hlen + s->plen;
}

struct fixture_frame {
	struct fspec s;
	uint32_t caplen;	/* 0: whole frame */
	long sec, usec;
};

/* Writes a pcap (LINKTYPE_VSOCK) into a fresh temporary file; returns its path. */
static inline char *fixture_write(const struct fixture_frame *ff, size_t n)
{
	static char path[64];
	pcap_dumper_t *d;
	pcap_t *p;
	size_t i;
	int fd;

	snprintf(path, sizeof(path), "/tmp/vsockmon-unit-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	close(fd);
	p = pcap_open_dead(DLT_VSOCK, 262144);
	d = pcap_dump_open(p, path);
	if (!d) {
		pcap_close(p);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		uint8_t *buf = malloc(32 + 44 + ff[i].s.plen + 64);
		struct pcap_pkthdr h;

		h.len = (uint32_t)frame_build(buf, &ff[i].s);
		h.caplen = ff[i].caplen && ff[i].caplen < h.len ? ff[i].caplen : h.len;
		h.ts.tv_sec = ff[i].sec;
		h.ts.tv_usec = ff[i].usec;
		pcap_dump((u_char *)d, &h, buf);
		free(buf);
	}
	pcap_dump_close(d);
	pcap_close(p);
	return path;
}

/* Reads a whole (small) file into a NUL-terminated malloc'ed string. */
static inline char *slurp(FILE *f)
{
	long n;
	char *s;

	fflush(f);
	n = ftell(f);
	s = calloc(1, (size_t)n + 1);
	rewind(f);
	if (n > 0 && fread(s, 1, (size_t)n, f) != (size_t)n)
		s[0] = '\0';
	return s;
}

#endif
