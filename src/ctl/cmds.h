/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Subcommands: option structs, parsers (pure: no kernel, testable) and
 * the handlers that run them.
 */
#ifndef VSOCKMON_CMDS_H
#define VSOCKMON_CMDS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "filter.h"

#define MAX_SNAPLEN 262144
#define DEFAULT_BUFFER_MIB 32	/* holds ~0.15 s of loopback at 200 MB/s */
/* libpcap takes the ring size as an int: 2047 MiB is the most it can ask */
#define MAX_BUFFER_MIB 2047

struct up_opts { const char *name; };

struct down_opts {
	bool all, stale;
	int n;
	char **names;
};

struct list_opts { bool json, names; };

struct status_opts { const char *name; bool json; };

struct capture_opts {
	const char *ifname;	/* NULL: temporary monitor */
	const char *write;	/* NULL: print lines; "-": stdout */
	const char *read;	/* offline: read a capture file instead */
	const char *uds;	/* hybrid vsock: a VMM's socket instead */
	uint32_t guest_cid;	/* with uds */
	const char *filter;	/* raw libpcap expression, ANDed */
	unsigned long long count;	/* 0: unlimited */
	double duration;	/* 0: unlimited */
	int snaplen;
	unsigned int buffer_mib;
	bool pcapng, quiet;
	bool packet_buffered;	/* -U: flush every frame, as tcpdump -U */
	bool raw;		/* --raw: no cut to the virtio header's len */
	/*
	 * extcap: flush every frame (Wireshark shows what reached the fifo),
	 * and the fifo's reader leaving is a normal end, as a stop signal is.
	 */
	bool extcap;
	struct vsock_match match;
};

struct top_opts {
	const char *ifname;
	const char *read;
	const char *uds;
	uint32_t guest_cid;
	double interval;
	bool once, json;
};

struct version_opts { bool json; };

struct follow_opts {
	const char *read;	/* the capture file, "-": stdin */
	const char *outdir;	/* -o: every stream's files there */
	long long stream;	/* --stream: its bytes to stdout; -1: none */
	bool reply;		/* the bytes towards the connecting end */
	bool raw, json;
};

struct doctor_opts { bool unused; };

/* What Wireshark asks of an extcap (one per call; see extcap.c). */
enum extcap_action {
	EXTCAP_NONE, EXTCAP_INTERFACES, EXTCAP_DLTS, EXTCAP_CONFIG,
	EXTCAP_FILTER, EXTCAP_CAPTURE,
	EXTCAP_VERSION,	/* --extcap-version alone, as sshdump answers it */
};

struct extcap_opts {
	enum extcap_action action;
	const char *iface;	/* --extcap-interface */
	const char *monitor;	/* its monitor; NULL: a temporary one */
	const char *filter;	/* --extcap-capture-filter, NULL if none */
	const char *fifo;
	bool version;		/* --extcap-version given */
	struct capture_opts cap;	/* the configuration's options */
};

/* Parsers: PARSE_OK, PARSE_HELP or PARSE_USAGE (message printed). */
int parse_up(int argc, char **argv, struct up_opts *o);
int parse_down(int argc, char **argv, struct down_opts *o);
int parse_list(int argc, char **argv, struct list_opts *o);
int parse_status(int argc, char **argv, struct status_opts *o);
int parse_capture(int argc, char **argv, struct capture_opts *o);
int parse_top(int argc, char **argv, struct top_opts *o);
int parse_version(int argc, char **argv, struct version_opts *o);
int parse_follow(int argc, char **argv, struct follow_opts *o);
int parse_doctor(int argc, char **argv, struct doctor_opts *o);
int parse_extcap(int argc, char **argv, struct extcap_opts *o);
/* argv[0] is the subcommand, which takes no options but --help */
int parse_noargs(int argc, char **argv);

/* The snapshot length capture asks the kernel for. */
int capture_snaplen(const struct capture_opts *o);

/* Runners: exit codes. */
int run_up(const struct up_opts *o);
int run_down(const struct down_opts *o);
int run_list(const struct list_opts *o);
int run_status(const struct status_opts *o);
int run_capture(const struct capture_opts *o);
int run_top(const struct top_opts *o);
int run_doctor(const struct doctor_opts *o);
int run_version(const struct version_opts *o);
int run_follow(const struct follow_opts *o);
int run_extcap(const struct extcap_opts *o);

/* cli.c */
void print_usage(const char *cmd, FILE *f);
int usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int ctl_main(int argc, char **argv);

#endif
