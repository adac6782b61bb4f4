// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Frame decoder, line printer and flow table (print.c, flows.c): what
 * `capture` and `top` do with every frame, fed with arbitrary bytes and
 * arbitrary caplen/len, as a crafted capture file (-r) can.
 *
 * Input: records until the input ends. Each record is
 *   flags u8, caplen u16, wire u16, ts_sec u64, ts_usec u32, data[caplen]
 * (little-endian); caplen is cut to what is left of the input. The data
 * is copied to a buffer of exactly caplen bytes so that ASan sees any
 * read past the captured bytes.
 *
 * Oracles: vsock_decode() against a byte-by-byte reference decoder; the
 * printed line is printable, fits capture's 512-byte buffer, shows the
 * decoded endpoints, and a short buffer gets a prefix of it; the flow
 * table has one flow per endpoint pair, counts no more than was fed,
 * forgets closed flows after two idle ticks and prints balanced JSON.
 */
#include <string.h>
#include <time.h>
#include <linux/vsockmon.h>

#include "ctl.h"
#include "flows.h"
#include "frame.h"
#include "fuzz.h"

#define MAX_RECORDS 128
#define LINE_MAX_CAPTURE 512	/* capture.c: char line[512] */

enum {
	F_LEN_ABS = 1 << 0,	/* len = wire (may be < caplen), else caplen + wire */
	F_NO_TS = 1 << 1,	/* format without a time stamp (NULL ts) */
	F_BIG_TS = 1 << 2,	/* use all 64 bits of ts_sec */
};

struct pair {
	uint64_t c1, c2;
	uint32_t p1, p2;
	uint64_t frames, bytes;
};

struct model {
	struct pair pairs[MAX_RECORDS];
	size_t npairs;
	uint64_t frames, bytes, malformed;
};

static void ref_decode(const uint8_t *d, uint32_t caplen, uint32_t len,
		       struct vsock_frame *r, int *rc)
{
	uint32_t hdrs;

	memset(r, 0, sizeof(*r));
	r->caplen = caplen;
	r->len = len;
	*rc = caplen >= 32 ? 0 : -1;
	if (*rc)
		return;
	r->src_cid = ref_le(d + 0, 8);
	r->dst_cid = ref_le(d + 8, 8);
	r->src_port = (uint32_t)ref_le(d + 16, 4);
	r->dst_port = (uint32_t)ref_le(d + 20, 4);
	r->op = (uint16_t)ref_le(d + 24, 2);
	r->transport = (uint16_t)ref_le(d + 26, 2);
	r->hlen = (uint16_t)ref_le(d + 28, 2);
	hdrs = 32 + r->hlen;
	r->payload_len = len > hdrs ? len - hdrs : 0;
	/* The planted bug: a frame that ends after its headers is "cut". */
	r->hdr_truncated = planted ? caplen <= hdrs : caplen < hdrs;
	if (r->transport == 2 && r->hlen >= 44 && caplen >= 76) {
		r->has_virtio = true;
		r->vlen = (uint32_t)ref_le(d + 32 + 24, 4);
		r->vtype = (uint16_t)ref_le(d + 32 + 28, 2);
		r->vop = (uint16_t)ref_le(d + 32 + 30, 2);
		r->vflags = (uint32_t)ref_le(d + 32 + 32, 4);
		r->buf_alloc = (uint32_t)ref_le(d + 32 + 36, 4);
		r->fwd_cnt = (uint32_t)ref_le(d + 32 + 40, 4);
	}
}

#define SAME(x) oracle(f->x == r->x, #x ": decoded %llu, reference %llu", \
		       (unsigned long long)f->x, (unsigned long long)r->x)

static void check_decode(const struct vsock_frame *f, int frc,
			 const struct vsock_frame *r, int rrc)
{
	oracle(frc == rrc, "vsock_decode returned %d, reference %d", frc, rrc);
	SAME(caplen);
	SAME(len);
	if (frc)
		return;
	SAME(src_cid);
	SAME(dst_cid);
	SAME(src_port);
	SAME(dst_port);
	SAME(op);
	SAME(transport);
	SAME(hlen);
	SAME(has_virtio);
	SAME(hdr_truncated);
	SAME(payload_len);
	SAME(vtype);
	SAME(vop);
	SAME(vflags);
	SAME(vlen);
	SAME(buf_alloc);
	SAME(fwd_cnt);
}

/* "HH:MM:SS.usec " as capture prints it, or "SECONDS.usec " if not a date. */
static void check_time(const char *line, const struct timeval *ts)
{
	time_t t = ts->tv_sec;
	char want[64];
	struct tm tm;

	if (localtime_r(&t, &tm))
		snprintf(want, sizeof(want), "%02d:%02d:%02d.%06ld ", tm.tm_hour,
			 tm.tm_min, tm.tm_sec, (long)ts->tv_usec);
	else
		snprintf(want, sizeof(want), "%lld.%06ld ",
			 (long long)ts->tv_sec, (long)ts->tv_usec);
	oracle(!strncmp(line, want, strlen(want)),
	       "line '%s' does not start with the time '%s'", line, want);
}

static void check_line(const uint8_t *d, uint32_t caplen, uint32_t len,
		       const struct timeval *ts, const struct vsock_frame *r,
		       int rrc, unsigned int small)
{
	char full[4096], ends[96], *buf;
	size_t n, i, k;

	vsock_format(full, sizeof(full), ts, d, caplen, len);
	n = strlen(full);
	oracle(n < LINE_MAX_CAPTURE, "line of %zu bytes is cut by capture: '%s'",
	       n, full);
	for (i = 0; i < n; i++)
		oracle(full[i] >= 0x20 && full[i] < 0x7f,
		       "unprintable byte 0x%02x at %zu in '%s'",
		       (unsigned char)full[i], i, full);
	if (ts)
		check_time(full, ts);
	if (rrc) {
		oracle(strstr(full, "[truncated vsock header"),
		       "short frame printed as '%s'", full);
	} else {
		char ends_pair[80];

		snprintf(ends_pair, sizeof(ends_pair), "%llu:%u > %llu:%u",
			 (unsigned long long)r->src_cid, r->src_port,
			 (unsigned long long)r->dst_cid, r->dst_port);
		oracle(strstr(full, ends_pair), "'%s' lacks '%s'", full, ends_pair);
		if (caplen < len) {
			snprintf(ends, sizeof(ends), " [captured %u of %u bytes]",
				 caplen, len);
			oracle(n >= strlen(ends) &&
			       !strcmp(full + n - strlen(ends), ends),
			       "'%s' does not end with '%s'", full, ends);
		}
	}

	/* A short buffer gets a NUL-terminated prefix of the same line. */
	k = small % (n + 2) + 1;
	buf = malloc(k);
	if (!buf)
		return;
	vsock_format(buf, k, ts, d, caplen, len);
	oracle(strlen(buf) == (n < k ? n : k - 1) && !memcmp(buf, full, strlen(buf)),
	       "with %zu bytes got '%s', full line '%s'", k, buf, full);
	free(buf);
}

static void model_add(struct model *m, const struct vsock_frame *r, int rrc)
{
	struct pair *p;
	size_t i;

	if (rrc) {
		m->malformed++;
		return;
	}
	m->frames++;
	m->bytes += r->payload_len;
	for (i = 0; i < m->npairs; i++) {
		p = &m->pairs[i];
		if ((p->c1 == r->src_cid && p->p1 == r->src_port &&
		     p->c2 == r->dst_cid && p->p2 == r->dst_port) ||
		    (p->c2 == r->src_cid && p->p2 == r->src_port &&
		     p->c1 == r->dst_cid && p->p1 == r->dst_port))
			break;
	}
	if (i == m->npairs) {
		p = &m->pairs[m->npairs++];
		p->c1 = r->src_cid;
		p->p1 = r->src_port;
		p->c2 = r->dst_cid;
		p->p2 = r->dst_port;
	}
	m->pairs[i].frames++;
	m->pairs[i].bytes += r->payload_len;
}

static const struct pair *model_find(const struct model *m,
				     const struct flow *fl)
{
	size_t i;

	for (i = 0; i < m->npairs; i++) {
		const struct pair *p = &m->pairs[i];

		if ((p->c1 == fl->a.cid && p->p1 == fl->a.port &&
		     p->c2 == fl->b.cid && p->p2 == fl->b.port) ||
		    (p->c2 == fl->a.cid && p->p2 == fl->a.port &&
		     p->c1 == fl->b.cid && p->p1 == fl->b.port))
			return p;
	}
	return NULL;
}

static size_t count_flows(const struct flow_table *t)
{
	size_t i, n = 0;

	for (i = 0; i < FLOW_BUCKETS; i++) {
		const struct flow *fl;

		for (fl = t->bucket[i]; fl; fl = fl->next)
			n++;
	}
	return n;
}

static void check_table(const struct flow_table *t, const struct model *m)
{
	const struct pair *p;
	struct flow **v;
	size_t n, i;

	oracle(t->frames == m->frames && t->bytes == m->bytes &&
	       t->malformed == m->malformed && !t->untracked,
	       "table frames %llu bytes %llu malformed %llu untracked %llu, "
	       "fed %llu %llu %llu", (unsigned long long)t->frames,
	       (unsigned long long)t->bytes, (unsigned long long)t->malformed,
	       (unsigned long long)t->untracked, (unsigned long long)m->frames,
	       (unsigned long long)m->bytes, (unsigned long long)m->malformed);
	oracle(t->n == m->npairs && count_flows(t) == t->n,
	       "%zu flows (%zu linked) for %zu endpoint pairs", t->n,
	       count_flows(t), m->npairs);
	v = flows_sorted(t, &n);
	oracle(v && n == t->n, "flows_sorted gave %zu of %zu", n, t->n);
	for (i = 0; i < n; i++) {
		const struct flow *fl = v[i];

		p = model_find(m, fl);
		oracle(p, "flow %llu:%u-%llu:%u was never fed",
		       (unsigned long long)fl->a.cid, fl->a.port,
		       (unsigned long long)fl->b.cid, fl->b.port);
		oracle(fl->frames[0] + fl->frames[1] >= 1 &&
		       fl->frames[0] + fl->frames[1] <= p->frames &&
		       fl->bytes[0] + fl->bytes[1] <= p->bytes,
		       "flow counts %llu frames %llu bytes, fed %llu %llu",
		       (unsigned long long)(fl->frames[0] + fl->frames[1]),
		       (unsigned long long)(fl->bytes[0] + fl->bytes[1]),
		       (unsigned long long)p->frames,
		       (unsigned long long)p->bytes);
		oracle((unsigned int)fl->state <= FLOW_REFUSED, "state %d",
		       fl->state);
		if (i)
			oracle(v[i - 1]->bytes[0] + v[i - 1]->bytes[1] >=
			       fl->bytes[0] + fl->bytes[1], "not sorted by bytes");
	}
	free(v);
}

static void check_output(const struct flow_table *t)
{
	char *s = NULL;
	size_t sz = 0, i, lines = 0;
	long depth = 0;
	FILE *f;

	f = open_memstream(&s, &sz);
	if (!f)
		return;
	flows_print_json(f, t);
	fclose(f);
	for (i = 0; i < sz; i++) {
		if (s[i] == '{' || s[i] == '[')
			depth++;
		else if (s[i] == '}' || s[i] == ']')
			depth--;
		oracle(depth >= 0, "JSON closes too early: %s", s);
	}
	oracle(!depth && sz >= 3 && !strcmp(s + sz - 3, "]}\n"),
	       "unbalanced JSON: %s", s);
	free(s);

	s = NULL;
	f = open_memstream(&s, &sz);
	if (!f)
		return;
	flows_print_table(f, t);
	fclose(f);
	for (i = 0; i < sz; i++)
		lines += s[i] == '\n';
	oracle(lines == t->n + 2, "table of %zu flows has %zu lines", t->n, lines);
	free(s);
}

/* Two idle ticks forget closed and refused flows, and zero every rate. */
static void check_ticks(struct flow_table *t)
{
	size_t i;

	flows_tick(t, 1.0);
	flows_tick(t, 0.5);
	flows_tick(t, 0.5);
	oracle(count_flows(t) == t->n, "%zu linked, n %zu", count_flows(t), t->n);
	for (i = 0; i < FLOW_BUCKETS; i++) {
		const struct flow *fl;

		for (fl = t->bucket[i]; fl; fl = fl->next) {
			oracle(fl->state != FLOW_CLOSED && fl->state != FLOW_REFUSED,
			       "closed flow kept after 2 idle ticks");
			oracle(fl->rate == 0, "idle flow has rate %g", fl->rate);
		}
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_init_plant();
	setenv("TZ", "UTC", 1);
	tzset();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct flow_table t;	/* 8 KiB of buckets: not on the stack */
	static struct model m;
	struct fin in = { data, size };
	int records = 0;

	flows_init(&t);
	memset(&m, 0, sizeof(m));
	while (in.n && records++ < MAX_RECORDS) {
		uint8_t flags = fin_u8(&in);
		uint32_t caplen = (uint32_t)fin_le(&in, 2);
		uint32_t wire = (uint32_t)fin_le(&in, 2);
		uint64_t sec = fin_le(&in, 8);
		struct timeval tv = { 0, 0 };
		struct vsock_frame f, r;
		uint32_t len;
		uint8_t *d;
		int frc, rrc;

		tv.tv_usec = (long)fin_le(&in, 4);
		tv.tv_sec = flags & F_BIG_TS ? (time_t)sec : (time_t)(uint32_t)sec;
		if (caplen > in.n)
			caplen = (uint32_t)in.n;
		len = flags & F_LEN_ABS ? wire : caplen + wire;
		d = malloc(caplen ? caplen : 1);
		if (!d)
			break;
		memcpy(d, in.p, caplen);
		in.p += caplen;
		in.n -= caplen;

		frc = vsock_decode(d, caplen, len, &f);
		ref_decode(d, caplen, len, &r, &rrc);
		check_decode(&f, frc, &r, rrc);
		check_line(d, caplen, len, flags & F_NO_TS ? NULL : &tv, &r,
			   rrc, (unsigned int)sec);
		flows_add_frame(&t, d, caplen, len);
		model_add(&m, &r, rrc);
		free(d);
	}
	check_table(&t, &m);
	check_output(&t);
	check_ticks(&t);
	flows_free(&t);
	return 0;
}
