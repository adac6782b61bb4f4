// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Stream numbering (streams.h), the rules of wireshark/vsockmon.lua.
 */
#include <stdlib.h>
#include <string.h>

#include "hybrid.h"
#include "streams.h"
#include <linux/vsockmon.h>

void streams_init(struct stream_table *t)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < STREAM_BUCKETS; i++)
		t->bucket[i] = -1;
}

void streams_free(struct stream_table *t)
{
	free(t->v);
	t->v = NULL;
	t->n = t->cap = 0;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return x;
}

static uint64_t end_hash(const struct flow_end *e)
{
	return mix(e->cid * 0x9e3779b97f4a7c15ull + e->port);
}

/* The same bucket whichever way the frame goes. */
static size_t bucket_of(const struct flow_end *a, const struct flow_end *b,
			unsigned long long conn)
{
	uint64_t h = conn ? mix(conn) : end_hash(a) ^ end_hash(b);

	return (size_t)(h % STREAM_BUCKETS);
}

static bool same_end(const struct flow_end *a, const struct flow_end *b)
{
	return a->cid == b->cid && a->port == b->port;
}

static bool has_key(const struct vstream *s, const struct flow_end *a,
		    const struct flow_end *b, unsigned long long conn)
{
	if (s->conn || conn)
		return s->conn == conn;
	return (same_end(&s->end[0], a) && same_end(&s->end[1], b)) ||
	       (same_end(&s->end[0], b) && same_end(&s->end[1], a));
}

static long find(const struct stream_table *t, size_t b,
		 const struct flow_end *src, const struct flow_end *dst,
		 unsigned long long conn)
{
	long i;

	for (i = t->bucket[b]; i >= 0; i = t->v[i].next)
		if (has_key(&t->v[i], src, dst, conn))
			return i;
	return -1;
}

/* A new connection on the same key: the old stream is found no more. */
static void unlink_key(struct stream_table *t, size_t b, long idx)
{
	long *p = &t->bucket[b];

	while (*p >= 0 && *p != idx)
		p = &t->v[*p].next;
	if (*p == idx)
		*p = t->v[idx].next;
	t->v[idx].next = -1;
}

static long start(struct stream_table *t, size_t b, const struct flow_end *src,
		  const struct flow_end *dst, unsigned long long conn,
		  bool request, unsigned long long number)
{
	struct vstream *s;

	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct vstream *v = realloc(t->v, cap * sizeof(*v));

		if (!v)
			return -1;
		t->v = v;
		t->cap = cap;
	}
	s = &t->v[t->n];
	memset(s, 0, sizeof(*s));
	s->conn = conn;
	/* without a request, the first sender stands for the client */
	s->end[0] = *src;
	s->end[1] = *dst;
	s->requested = request;
	s->first = number;
	s->next = t->bucket[b];
	t->bucket[b] = (long)t->n;
	return (long)t->n++;
}

int streams_add(struct stream_table *t, const uint8_t *data, uint32_t caplen,
		uint32_t len, unsigned long long conn, unsigned long long number,
		bool raw, struct stream_step *st)
{
	struct vsock_frame f;
	struct flow_end src, dst;
	struct vstream *s;
	bool request, virtio;
	uint32_t hdrs, wire;
	size_t b;
	long idx;

	memset(st, 0, sizeof(*st));
	st->idx = -1;
	if (vsock_decode(data, caplen, len, &f))
		return 0;
	src = (struct flow_end){ f.src_cid, f.src_port };
	dst = (struct flow_end){ f.dst_cid, f.dst_port };
	virtio = f.has_virtio;
	request = virtio ? f.vop == VIRTIO_VSOCK_OP_REQUEST :
			   f.op == AF_VSOCK_OP_CONNECT;
	b = bucket_of(&src, &dst, conn);
	idx = find(t, b, &src, &dst, conn);
	if (idx >= 0 && request) {
		unlink_key(t, b, idx);
		idx = -1;
	}
	if (idx < 0) {
		idx = start(t, b, &src, &dst, conn, request, number);
		if (idx < 0)
			return -1;
	}
	s = &t->v[idx];
	s->frames++;
	s->last = number;
	st->idx = idx;
	st->dir = same_end(&src, &s->end[0]) ? 0 : 1;

	hdrs = AF_HDR_LEN + f.hlen;
	if (f.op == AF_VSOCK_OP_PAYLOAD && len > hdrs) {
		wire = len - hdrs;
		if (virtio && !raw && f.vlen < wire)
			wire = f.vlen;	/* what the packet carried (6.1.y) */
		/* headers cut by the snap length: all of it is missing */
		st->off = caplen < hdrs ? caplen : hdrs;
		st->n = caplen - st->off;
		if (st->n > wire)
			st->n = wire;
		st->missing = wire - st->n;
		s->bytes[st->dir] += st->n;
		s->missing[st->dir] += st->missing;
	}

	if (virtio && f.vop == VIRTIO_VSOCK_OP_RST) {
		s->closed = true;
	} else if (virtio ? f.vop == VIRTIO_VSOCK_OP_SHUTDOWN :
			    f.op == AF_VSOCK_OP_DISCONNECT) {
		s->shut[st->dir] = true;
		s->closed |= s->shut[0] && s->shut[1];
	}
	return 0;
}

unsigned long long streams_conn_of(const char *comments)
{
	const char *p = comments;
	size_t n = strlen(HYB_CONN_COMMENT);

	while (p && *p) {
		if (!strncmp(p, HYB_CONN_COMMENT, n)) {
			char *end;
			unsigned long long v = strtoull(p + n, &end, 10);

			if (p[n] >= '0' && p[n] <= '9' &&
			    (*end == '\0' || *end == '\n'))
				return v;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return 0;
}
