/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where frames come from: a live monitor (given, or a temporary one that
 * is removed on every way out) or a capture file. Shared by capture and top.
 */
#ifndef VSOCKMON_SOURCE_H
#define VSOCKMON_SOURCE_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <net/if.h>
#include <pcap/pcap.h>

#include "ctl.h"
#include "hybrid.h"

struct rtnl;

struct capsrc {
	pcap_t *p;
	struct rtnl *r;
	char ifname[IFNAMSIZ];
	int tmp_ifindex;	/* != 0: a temporary monitor to remove */
	int owner_fd;		/* its owner socket (monitor.h), -1 if none */
	uint64_t ring_bytes;	/* live: the ring the kernel mapped, 0 unknown */
	bool live;
	struct hybrid *hyb;	/* hybrid vsock: frames made by our relay */
	struct hybrid_stats hst;	/* its counts, kept after the close */
};

struct capsrc_cfg {
	const char *ifname;	/* NULL: temporary monitor */
	const char *read;	/* capture file instead of live */
	const char *uds;	/* a VMM's hybrid vsock socket instead */
	uint32_t guest_cid;	/* the guest behind uds */
	const char *filter;	/* full libpcap expression or "", for messages */
	const struct bpf_program *prog;	/* filter compiled; NULL: none */
	int snaplen;
	uint64_t buffer_bytes;	/* kernel ring asked for */
	bool quiet;		/* -q: no notes on stderr */
};

/*
 * SIGINT/SIGTERM/SIGHUP set ctl_stop and ctl_signalled and break the pcap
 * loop. SIGPIPE is ignored: writers must stop on EPIPE themselves.
 */
void capsrc_signals(void);
/*
 * Compile expr (may be "") for DLT_VSOCK without a device. Returns 0,
 * EXIT_USAGE (message printed) or EXIT_FAIL. pcap_freecode() prog after.
 */
int capsrc_compile(const char *expr, int snaplen, struct bpf_program *prog);
/* The same, with the reason in why instead of on stderr. */
int capsrc_compile_msg(const char *expr, int snaplen, struct bpf_program *prog,
		       char *why, size_t sz);
/* Prints its own errors. Returns 0 or EXIT_FAIL; capsrc_close either way. */
int capsrc_open(struct capsrc *s, const struct capsrc_cfg *c);
void capsrc_close(struct capsrc *s);

/*
 * Run cb on frames until ctl_stop, `count` frames (0: no limit), the
 * deadline (monotonic seconds, 0: none) or the end of the file. tick
 * (may be NULL) runs at least every tick_s seconds while live.
 * Returns 0, or -1 after printing a capture error.
 */
int capsrc_loop(struct capsrc *s, unsigned long long count, double deadline,
		pcap_handler cb, unsigned char *user,
		void (*tick)(void *), void *tick_data, double tick_s);
/*
 * After a failed write to out: 0 if it was only a stop signal
 * interrupting a blocked write (then out is emptied, so that nothing
 * blocks on it again), else the errno to report.
 */
int out_write_error(FILE *out, int err);
/* Bytes of the mappings named socket:[ino] in a /proc/PID/maps listing. */
uint64_t maps_socket_bytes(FILE *maps, unsigned long ino);

#endif
