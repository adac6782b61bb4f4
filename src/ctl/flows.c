// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Flow accounting: a small chained hash of endpoint pairs, states derived
 * from the ops seen (virtio ops when the transport header is there).
 */
#include <stdlib.h>
#include <string.h>
#include <linux/vsockmon.h>

#include "ctl.h"
#include "flows.h"

void flows_init(struct flow_table *t)
{
	memset(t, 0, sizeof(*t));
}

void flows_free(struct flow_table *t)
{
	size_t i;

	for (i = 0; i < FLOW_BUCKETS; i++) {
		struct flow *fl = t->bucket[i], *nx;

		for (; fl; fl = nx) {
			nx = fl->next;
			free(fl);
		}
	}
	flows_init(t);
}

static bool end_eq(const struct flow_end *x, uint64_t cid, uint32_t port)
{
	return x->cid == cid && x->port == port;
}

/* Symmetric: both directions of a connection land in the same bucket. */
static size_t flow_hash(const struct vsock_frame *f)
{
	uint64_t h1 = f->src_cid * 0x9e3779b97f4a7c15ull ^ f->src_port;
	uint64_t h2 = f->dst_cid * 0x9e3779b97f4a7c15ull ^ f->dst_port;
	uint64_t h = (h1 ^ h2) * 0xff51afd7ed558ccdull;

	return (size_t)(h >> 40) % FLOW_BUCKETS;
}

static void swap_ends(struct flow *fl)
{
	struct flow_end e = fl->a;
	uint64_t x;

	fl->a = fl->b;
	fl->b = e;
	x = fl->frames[0]; fl->frames[0] = fl->frames[1]; fl->frames[1] = x;
	x = fl->bytes[0]; fl->bytes[0] = fl->bytes[1]; fl->bytes[1] = x;
}

static void update_state(struct flow *fl, const struct vsock_frame *f,
			 int dir)
{
	switch (f->op) {
	case AF_VSOCK_OP_CONNECT:
		if (f->has_virtio ? f->vop == VIRTIO_VSOCK_OP_RESPONSE : dir == 1)
			fl->state = FLOW_ESTABLISHED;
		else
			fl->state = FLOW_CONNECTING;
		break;
	case AF_VSOCK_OP_DISCONNECT:
		if (f->has_virtio && f->vop == VIRTIO_VSOCK_OP_SHUTDOWN)
			fl->state = FLOW_CLOSING;
		else if (fl->state == FLOW_CONNECTING)
			fl->state = FLOW_REFUSED;
		else
			fl->state = FLOW_CLOSED;
		break;
	case AF_VSOCK_OP_CONTROL:
	case AF_VSOCK_OP_PAYLOAD:
		if (fl->state == FLOW_ACTIVE || fl->state == FLOW_CONNECTING)
			fl->state = FLOW_ESTABLISHED;
		break;
	default:
		break;
	}
}

static bool is_request(const struct vsock_frame *f)
{
	return f->op == AF_VSOCK_OP_CONNECT &&
	       (!f->has_virtio || f->vop == VIRTIO_VSOCK_OP_REQUEST);
}

void flows_add(struct flow_table *t, const struct vsock_frame *f)
{
	size_t h = flow_hash(f);
	struct flow *fl;
	int dir;

	t->frames++;
	t->bytes += f->payload_len;
	for (fl = t->bucket[h]; fl; fl = fl->next) {
		if (end_eq(&fl->a, f->src_cid, f->src_port) &&
		    end_eq(&fl->b, f->dst_cid, f->dst_port))
			break;
		if (end_eq(&fl->b, f->src_cid, f->src_port) &&
		    end_eq(&fl->a, f->dst_cid, f->dst_port))
			break;
	}
	if (!fl) {
		if (t->n >= FLOW_MAX || !(fl = calloc(1, sizeof(*fl)))) {
			t->untracked++;
			return;
		}
		fl->a.cid = f->src_cid;
		fl->a.port = f->src_port;
		fl->b.cid = f->dst_cid;
		fl->b.port = f->dst_port;
		fl->next = t->bucket[h];
		t->bucket[h] = fl;
		t->n++;
	}
	/* Without virtio detail, a CONNECT back to the client is its answer. */
	if (is_request(f) &&
	    !(!f->has_virtio && fl->client_known &&
	      fl->state == FLOW_CONNECTING &&
	      !end_eq(&fl->a, f->src_cid, f->src_port))) {
		bool reuse = fl->state == FLOW_CLOSED ||
			     fl->state == FLOW_REFUSED ||
			     fl->state == FLOW_CLOSING;

		/* The requester is the client: make it end a. */
		if (!end_eq(&fl->a, f->src_cid, f->src_port))
			swap_ends(fl);
		if (reuse) {	/* same ports, a new connection */
			memset(fl->frames, 0, sizeof(fl->frames));
			memset(fl->bytes, 0, sizeof(fl->bytes));
			fl->mark_bytes = fl->mark_frames = 0;
		}
		fl->client_known = true;
	}
	dir = end_eq(&fl->a, f->src_cid, f->src_port) ? 0 : 1;
	fl->frames[dir]++;
	fl->bytes[dir] += f->payload_len;
	fl->idle_ticks = 0;
	update_state(fl, f, dir);
}

void flows_add_frame(struct flow_table *t, const uint8_t *data,
		     uint32_t caplen, uint32_t len)
{
	struct vsock_frame f;

	if (vsock_decode(data, caplen, len, &f) < 0) {
		t->malformed++;
		return;
	}
	flows_add(t, &f);
}

void flows_tick(struct flow_table *t, double secs)
{
	size_t i;

	for (i = 0; i < FLOW_BUCKETS; i++) {
		struct flow **pp = &t->bucket[i];

		while (*pp) {
			struct flow *fl = *pp;
			uint64_t tot = fl->bytes[0] + fl->bytes[1];
			uint64_t frames = fl->frames[0] + fl->frames[1];

			if (frames == fl->mark_frames)
				fl->idle_ticks++;
			fl->rate = secs > 0 ? (double)(tot - fl->mark_bytes) / secs : 0;
			fl->mark_bytes = tot;
			fl->mark_frames = frames;
			if ((fl->state == FLOW_CLOSED || fl->state == FLOW_REFUSED) &&
			    fl->idle_ticks >= 2) {
				*pp = fl->next;
				free(fl);
				t->n--;
				continue;
			}
			pp = &fl->next;
		}
	}
}

static int cmp_flow(const void *x, const void *y)
{
	const struct flow *a = *(struct flow *const *)x;
	const struct flow *b = *(struct flow *const *)y;
	uint64_t ta = a->bytes[0] + a->bytes[1], tb = b->bytes[0] + b->bytes[1];
	uint64_t fa = a->frames[0] + a->frames[1], fb = b->frames[0] + b->frames[1];

	if (ta != tb)
		return ta < tb ? 1 : -1;
	if (fa != fb)
		return fa < fb ? 1 : -1;
	if (a->a.cid != b->a.cid)
		return a->a.cid < b->a.cid ? -1 : 1;
	if (a->a.port != b->a.port)
		return a->a.port < b->a.port ? -1 : 1;
	if (a->b.cid != b->b.cid)
		return a->b.cid < b->b.cid ? -1 : 1;
	if (a->b.port != b->b.port)
		return a->b.port < b->b.port ? -1 : 1;
	return 0;
}

struct flow **flows_sorted(const struct flow_table *t, size_t *n)
{
	struct flow **v = calloc(t->n ? t->n : 1, sizeof(*v));
	size_t i, k = 0;

	if (!v) {
		*n = 0;
		return NULL;
	}
	for (i = 0; i < FLOW_BUCKETS; i++) {
		struct flow *fl;

		for (fl = t->bucket[i]; fl; fl = fl->next)
			v[k++] = fl;
	}
	qsort(v, k, sizeof(*v), cmp_flow);
	*n = k;
	return v;
}

const char *flow_state_name(enum flow_state s)
{
	static const char *const n[] = {
		[FLOW_ACTIVE] = "active", [FLOW_CONNECTING] = "connecting",
		[FLOW_ESTABLISHED] = "established", [FLOW_CLOSING] = "closing",
		[FLOW_CLOSED] = "closed", [FLOW_REFUSED] = "refused",
	};

	return (unsigned int)s < sizeof(n) / sizeof(n[0]) ? n[s] : "?";
}

static void human(char *buf, size_t sz, double v)
{
	static const char *const unit[] = { "", "K", "M", "G", "T" };
	int u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, sz, "%.0f", v);
	else
		snprintf(buf, sz, "%.1f%s", v, unit[u]);
}

void flows_print_table(FILE *f, const struct flow_table *t)
{
	struct flow **v;
	size_t n, i;

	v = flows_sorted(t, &n);
	fprintf(f, "%-22s %-22s %-11s %8s %8s %8s %8s %9s\n", "CLIENT", "SERVER",
		"STATE", "FRM>", "BYTES>", "FRM<", "BYTES<", "BYTES/s");
	for (i = 0; v && i < n; i++) {
		const struct flow *fl = v[i];
		char a[32], b[32], b0[16], b1[16], r[16];

		snprintf(a, sizeof(a), "%llu:%u%s", (unsigned long long)fl->a.cid,
			 fl->a.port, fl->client_known ? "" : "?");
		snprintf(b, sizeof(b), "%llu:%u", (unsigned long long)fl->b.cid,
			 fl->b.port);
		human(b0, sizeof(b0), (double)fl->bytes[0]);
		human(b1, sizeof(b1), (double)fl->bytes[1]);
		human(r, sizeof(r), fl->rate);
		fprintf(f, "%-22s %-22s %-11s %8llu %8s %8llu %8s %9s\n", a, b,
			flow_state_name(fl->state),
			(unsigned long long)fl->frames[0], b0,
			(unsigned long long)fl->frames[1], b1, r);
	}
	fprintf(f, "%zu flows, %llu frames, %llu payload bytes",
		n, (unsigned long long)t->frames, (unsigned long long)t->bytes);
	if (t->malformed)
		fprintf(f, ", %llu malformed", (unsigned long long)t->malformed);
	if (t->untracked)
		fprintf(f, ", %llu untracked", (unsigned long long)t->untracked);
	fputc('\n', f);
	free(v);
}

void flows_print_json(FILE *f, const struct flow_table *t)
{
	struct flow **v;
	size_t n, i;

	v = flows_sorted(t, &n);
	fprintf(f, "{\"frames\":%llu,\"bytes\":%llu,\"malformed\":%llu,"
		"\"untracked\":%llu,\"flows\":[",
		(unsigned long long)t->frames, (unsigned long long)t->bytes,
		(unsigned long long)t->malformed,
		(unsigned long long)t->untracked);
	for (i = 0; v && i < n; i++) {
		const struct flow *fl = v[i];

		fprintf(f, "%s{\"client\":{\"cid\":%llu,\"port\":%u},"
			"\"server\":{\"cid\":%llu,\"port\":%u},"
			"\"client_known\":%s,\"state\":\"%s\","
			"\"to_server\":{\"frames\":%llu,\"bytes\":%llu},"
			"\"to_client\":{\"frames\":%llu,\"bytes\":%llu},"
			"\"rate\":%.1f}",
			i ? "," : "",
			(unsigned long long)fl->a.cid, fl->a.port,
			(unsigned long long)fl->b.cid, fl->b.port,
			fl->client_known ? "true" : "false",
			flow_state_name(fl->state),
			(unsigned long long)fl->frames[0],
			(unsigned long long)fl->bytes[0],
			(unsigned long long)fl->frames[1],
			(unsigned long long)fl->bytes[1], fl->rate);
	}
	fprintf(f, "]}\n");
	free(v);
}
