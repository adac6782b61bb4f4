/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A minimal pcapng writer (libpcap 1.10 reads pcapng but cannot write it):
 * one Section Header Block, one Interface Description Block, then
 * Enhanced Packet Blocks with microsecond timestamps.
 */
#ifndef VSOCKMON_PCAPNG_H
#define VSOCKMON_PCAPNG_H

#include <stdint.h>
#include <stdio.h>
#include <pcap/pcap.h>

struct pcapng_writer {
	FILE *f;
	int own;	/* close f at the end */
};

/* path "-" means stdout. Returns 0 or a positive errno. */
int pcapng_open(struct pcapng_writer *w, const char *path, int linktype,
		uint32_t snaplen, const char *ifname, const char *appl);
int pcapng_write(struct pcapng_writer *w, const struct pcap_pkthdr *h,
		 const uint8_t *data);
/* Flushes; returns 0 or the first write error. */
int pcapng_close(struct pcapng_writer *w);

#endif
