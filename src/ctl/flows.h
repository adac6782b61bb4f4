/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Per-connection accounting for `top`. A flow is the pair of endpoints,
 * in either direction; end "a" is the client once a connect request has
 * been seen (else whoever sent first).
 */
#ifndef VSOCKMON_FLOWS_H
#define VSOCKMON_FLOWS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "frame.h"

#define FLOW_BUCKETS 1024
#define FLOW_MAX 65536

enum flow_state {
	FLOW_ACTIVE,		/* first seen mid-connection */
	FLOW_CONNECTING,
	FLOW_ESTABLISHED,
	FLOW_CLOSING,		/* shutdown seen */
	FLOW_CLOSED,		/* reset after a connection */
	FLOW_REFUSED,		/* reset answering a request */
};

struct flow_end {
	uint64_t cid;
	uint32_t port;
};

struct flow {
	struct flow_end a, b;
	enum flow_state state;
	bool client_known;
	uint64_t frames[2], bytes[2];	/* [0] a->b, [1] b->a */
	uint64_t mark_bytes;		/* total at the last tick */
	uint64_t mark_frames;
	double rate;			/* bytes/s over the last interval */
	unsigned int idle_ticks;
	struct flow *next;
};

struct flow_table {
	struct flow *bucket[FLOW_BUCKETS];
	size_t n;
	uint64_t frames, bytes;		/* everything decoded */
	uint64_t malformed;		/* too short to decode */
	uint64_t untracked;		/* table full */
};

void flows_init(struct flow_table *t);
void flows_free(struct flow_table *t);
void flows_add_frame(struct flow_table *t, const uint8_t *data,
		     uint32_t caplen, uint32_t len);
void flows_add(struct flow_table *t, const struct vsock_frame *f);
/* Compute rates over secs, and forget flows closed for a whole interval. */
void flows_tick(struct flow_table *t, double secs);
/* Sorted by bytes (both directions) descending; caller frees the array. */
struct flow **flows_sorted(const struct flow_table *t, size_t *n);
const char *flow_state_name(enum flow_state s);
void flows_print_table(FILE *f, const struct flow_table *t);
void flows_print_json(FILE *f, const struct flow_table *t);

#endif
