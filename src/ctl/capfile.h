/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading a capture file, pcap or pcapng, either byte order, frame by
 * frame with each frame's comment: libpcap reads pcapng but drops the
 * per-packet options, and a relayed hybrid connection's identity is one
 * (HYB_CONN_COMMENT). Only LINKTYPE_VSOCK interfaces' frames are given.
 */
#ifndef VSOCKMON_CAPFILE_H
#define VSOCKMON_CAPFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/time.h>

/* The longest block we take: larger is a damaged file, not a frame. */
#define CAPFILE_BLOCK_MAX (16u << 20)
#define CAPFILE_IF_MAX 64

struct capfile_frame {
	struct timeval ts;
	uint32_t caplen, len;
	const uint8_t *data;
	const char *comment;	/* NUL-terminated, "" if none */
	unsigned long long number;	/* 1, 2, ... as Wireshark counts */
};

struct capfile {
	FILE *f;
	bool own, ng, swap;
	uint32_t nsec_div;	/* pcap: 1 (usec) or 1000 (nsec) */
	unsigned int nif;
	struct {
		uint16_t linktype;
		uint64_t units;	/* time stamp units per second */
	} ifs[CAPFILE_IF_MAX];
	bool any_vsock;
	uint8_t *buf;
	size_t cap;
	char comment[1024];
	unsigned long long number;	/* frames read, of any link type */
	unsigned long long other;	/* frames of other link types */
	char err[256];
};

/* path "-": stdin. 0, or -1 with c->err set (c is usable for close). */
int capfile_open(struct capfile *c, const char *path);
/* The same on an open stream (own: fclose it at capfile_close). */
int capfile_fopen(struct capfile *c, FILE *f, bool own);
/*
 * 1 and the next vsock frame in fr (valid until the next call), 0 at a
 * clean end, -1 with c->err set for a damaged or truncated file.
 */
int capfile_next(struct capfile *c, struct capfile_frame *fr);
void capfile_close(struct capfile *c);

#endif
