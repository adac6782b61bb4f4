/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A minimal pcapng writer (libpcap 1.10 reads pcapng but cannot write it):
 * one Section Header Block, one Interface Description Block, then
 * Enhanced Packet Blocks with microsecond timestamps, and at the end of a
 * live capture an Interface Statistics Block.
 */
#ifndef VSOCKMON_PCAPNG_H
#define VSOCKMON_PCAPNG_H

#include <stdint.h>
#include <stdio.h>
#include <sys/time.h>
#include <pcap/pcap.h>

struct pcapng_writer {
	FILE *f;
	int own;	/* close f at the end */
};

/* What the file says of itself; NULL or "" leaves an option out. */
struct pcapng_meta {
	const char *appl;	/* shb_userappl: the program */
	const char *ifname;	/* if_name */
	const char *ifdesc;	/* if_description: what the interface is */
	const char *filter;	/* if_filter: the libpcap expression applied */
};

/* The capture's counts for the Interface Statistics Block. */
struct pcapng_stats {
	struct timeval start, end;
	uint64_t recv;		/* isb_ifrecv: frames the source had */
	uint64_t drop;		/* isb_ifdrop: frames it lost */
	uint64_t delivered;	/* isb_usrdeliv: frames written */
	const char *comment;	/* opt_comment, NULL or "" for none */
};

/*
 * path "-" means stdout. shb_os and shb_hardware are this machine's, as
 * dumpcap writes them. Returns 0 or a positive errno.
 */
int pcapng_open(struct pcapng_writer *w, const char *path, int linktype,
		uint32_t snaplen, const struct pcapng_meta *m);
/* comment: the frame's opt_comment, NULL or "" for none. */
int pcapng_write(struct pcapng_writer *w, const struct pcap_pkthdr *h,
		 const uint8_t *data, const char *comment);
/* An Interface Statistics Block (capinfos and Wireshark show it). */
int pcapng_write_stats(struct pcapng_writer *w, const struct pcapng_stats *st);
/* Flushes; returns 0 or the first write error. */
int pcapng_close(struct pcapng_writer *w);

#endif
