// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Flow accounting for `top`, fed from crafted pcaps: a full connection
 * life cycle, a refused connect, a flow first seen mid-stream, a client
 * identified late, port reuse, truncated frames, unknown ops, expiry and
 * rates, and `top -r FILE --json` end to end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "harness.h"
#include "flows.h"

#define V T_VIRTIO

static const struct fixture_frame life[] = {
	/* client 3:1024 -> server 2:1234 */
	{ { 3, 2, 1024, 1234, T_CONNECT, V, 1, 1, 0, 0, 0, 0, 0, 0 }, 0, 100, 0 },
	{ { 2, 3, 1234, 1024, T_CONNECT, V, 1, 2, 0, 0, 0, 0, 0, 0 }, 0, 100, 1 },
	{ { 3, 2, 1024, 1234, T_PAYLOAD, V, 1, 5, 0, 0, 0, 1000, 0, 0 }, 0, 100, 2 },
	{ { 3, 2, 1024, 1234, T_PAYLOAD, V, 1, 5, 0, 0, 0, 1000, 0, 0 }, 200, 100, 3 },
	{ { 2, 3, 1234, 1024, T_CONTROL, V, 1, 6, 0, 0, 0, 0, 0, 0 }, 0, 100, 4 },
	{ { 2, 3, 1234, 1024, T_PAYLOAD, V, 2, 5, 3, 0, 0, 0, 0, 0 }, 0, 100, 5 },
	/* refused: 3:2000 -> 2:9 */
	{ { 3, 2, 2000, 9, T_CONNECT, V, 1, 1, 0, 0, 0, 0, 0, 0 }, 0, 100, 6 },
	{ { 2, 3, 9, 2000, T_DISCONNECT, V, 1, 3, 0, 0, 0, 0, 0, 0 }, 0, 100, 7 },
	/* mid-stream, no transport header: 7:1 <-> 8:2 */
	{ { 7, 8, 1, 2, T_PAYLOAD, T_NO_INFO, 0, 0, 0, 0, 0, 50, 0, 0 }, 0, 100, 8 },
	/* junk: truncated and unknown op */
	{ { 9, 9, 9, 9, T_PAYLOAD, V, 1, 5, 0, 0, 0, 0, 0, 0 }, 16, 100, 9 },
	{ { 7, 8, 1, 2, 77, T_NO_INFO, 0, 0, 0, 0, 0, 0, 0, 0 }, 0, 100, 10 },
	/* the main connection shuts down */
	{ { 3, 2, 1024, 1234, T_DISCONNECT, V, 1, 4, 3, 0, 0, 0, 0, 0 }, 0, 101, 0 },
};
#define NLIFE (sizeof(life) / sizeof(life[0]))

static void feed_file(struct flow_table *t, const char *path)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	pcap_t *p = pcap_open_offline(path, errbuf);

	assert_non_null(p);
	while (pcap_next_ex(p, &h, &d) == 1)
		flows_add_frame(t, d, h->caplen, h->len);
	pcap_close(p);
}

static const struct flow *find(const struct flow_table *t, uint64_t acid,
			       uint32_t aport, uint64_t bcid, uint32_t bport)
{
	size_t i;

	for (i = 0; i < FLOW_BUCKETS; i++) {
		const struct flow *f;

		for (f = t->bucket[i]; f; f = f->next)
			if (f->a.cid == acid && f->a.port == aport &&
			    f->b.cid == bcid && f->b.port == bport)
				return f;
	}
	return NULL;
}

static void test_lifecycle(void **state)
{
	const char *path = fixture_write(life, NLIFE);
	struct flow_table t;
	const struct flow *f;
	struct flow **v;
	size_t n;

	(void)state;
	assert_non_null(path);
	flows_init(&t);
	feed_file(&t, path);
	unlink(path);

	assert_int_equal(t.n, 3);
	assert_int_equal(t.malformed, 1);
	assert_int_equal(t.frames, NLIFE - 1);
	assert_int_equal(t.bytes, 2050);

	f = find(&t, 3, 1024, 2, 1234);
	assert_non_null(f);
	assert_true(f->client_known);
	assert_int_equal(f->state, FLOW_CLOSING);
	assert_int_equal(f->frames[0], 4);	/* request, 2 x rw, shutdown */
	assert_int_equal(f->frames[1], 3);	/* response, credit, rw */
	/* wire length counts even when the snap length cut the frame */
	assert_int_equal(f->bytes[0], 2000);
	assert_int_equal(f->bytes[1], 0);

	f = find(&t, 3, 2000, 2, 9);
	assert_non_null(f);
	assert_int_equal(f->state, FLOW_REFUSED);

	f = find(&t, 7, 1, 8, 2);
	assert_non_null(f);
	assert_false(f->client_known);
	assert_int_equal(f->state, FLOW_ESTABLISHED);
	assert_int_equal(f->frames[0], 2);	/* payload + unknown op */

	v = flows_sorted(&t, &n);
	assert_int_equal(n, 3);
	assert_int_equal(v[0]->a.port, 1024);	/* 2000 bytes */
	assert_int_equal(v[1]->a.port, 1);	/* 50 bytes */
	assert_int_equal(v[2]->a.port, 2000);	/* 0 bytes */
	free(v);
	flows_free(&t);
	assert_int_equal(t.n, 0);
}

static void add(struct flow_table *t, const struct fspec *s)
{
	uint8_t buf[2048];
	uint32_t len = (uint32_t)frame_build(buf, s);

	flows_add_frame(t, buf, len, len);
}

static void test_late_client_and_reuse(void **state)
{
	const struct fspec resp = { 2, 3, 80, 5000, T_PAYLOAD, V, 1, 5, 0, 0, 0, 10, 0, 0 };
	const struct fspec req = { 3, 2, 5000, 80, T_CONNECT, V, 1, 1, 0, 0, 0, 0, 0, 0 };
	const struct fspec rst = { 2, 3, 80, 5000, T_DISCONNECT, V, 1, 3, 0, 0, 0, 0, 0, 0 };
	const struct fspec data = { 3, 2, 5000, 80, T_PAYLOAD, V, 1, 5, 0, 0, 0, 7, 0, 0 };
	struct flow_table t;
	const struct flow *f;

	(void)state;
	flows_init(&t);
	/* Server speaks first: it becomes end a until a request is seen. */
	add(&t, &resp);
	f = find(&t, 2, 80, 3, 5000);
	assert_non_null(f);
	assert_false(f->client_known);
	assert_int_equal(f->state, FLOW_ESTABLISHED);
	/* A request from the other end makes that end the client. */
	add(&t, &req);
	f = find(&t, 3, 5000, 2, 80);
	assert_non_null(f);
	assert_true(f->client_known);
	assert_int_equal(f->bytes[1], 10);	/* server's bytes moved with it */
	assert_int_equal(f->state, FLOW_CONNECTING);
	add(&t, &data);
	assert_int_equal(f->state, FLOW_ESTABLISHED);
	assert_int_equal(f->bytes[0], 7);
	add(&t, &rst);
	assert_int_equal(f->state, FLOW_CLOSED);
	/* Same ports again: a new connection, counters start over. */
	add(&t, &req);
	assert_int_equal(t.n, 1);
	assert_int_equal(f->state, FLOW_CONNECTING);
	assert_int_equal(f->frames[0], 1);
	assert_int_equal(f->bytes[0] + f->bytes[1], 0);
	flows_free(&t);
}

static void test_no_info_states(void **state)
{
	const struct fspec c = { 4, 5, 1, 2, T_CONNECT, T_NO_INFO, 0, 0, 0, 0, 0, 0, 0, 0 };
	const struct fspec c2 = { 5, 4, 2, 1, T_CONNECT, T_NO_INFO, 0, 0, 0, 0, 0, 0, 0, 0 };
	const struct fspec d = { 5, 4, 2, 1, T_DISCONNECT, T_NO_INFO, 0, 0, 0, 0, 0, 0, 0, 0 };
	struct flow_table t;
	const struct flow *f;

	(void)state;
	flows_init(&t);
	add(&t, &c);
	f = find(&t, 4, 1, 5, 2);
	assert_non_null(f);
	assert_int_equal(f->state, FLOW_CONNECTING);
	add(&t, &c2);		/* the answer, without virtio detail */
	assert_int_equal(f->state, FLOW_ESTABLISHED);
	add(&t, &d);
	assert_int_equal(f->state, FLOW_CLOSED);
	flows_free(&t);
}

static void test_tick_rate_expiry(void **state)
{
	const struct fspec p = { 3, 2, 1, 2, T_PAYLOAD, V, 1, 5, 0, 0, 0, 1000, 0, 0 };
	const struct fspec r = { 3, 2, 1, 2, T_DISCONNECT, V, 1, 3, 0, 0, 0, 0, 0, 0 };
	const struct fspec q = { 6, 2, 1, 2, T_PAYLOAD, V, 1, 5, 0, 0, 0, 10, 0, 0 };
	struct flow_table t;
	const struct flow *f;

	(void)state;
	flows_init(&t);
	add(&t, &p);
	add(&t, &p);
	add(&t, &q);
	flows_tick(&t, 2.0);
	f = find(&t, 3, 1, 2, 2);
	assert_non_null(f);
	assert_true(f->rate > 999.9 && f->rate < 1000.1);
	flows_tick(&t, 1.0);
	assert_true(f->rate == 0);
	add(&t, &r);
	flows_tick(&t, 1.0);		/* closed, but had traffic: stays */
	assert_int_equal(t.n, 2);
	flows_tick(&t, 1.0);		/* idle once */
	assert_int_equal(t.n, 2);
	flows_tick(&t, 1.0);		/* idle twice: gone */
	assert_int_equal(t.n, 1);
	assert_null(find(&t, 3, 1, 2, 2));
	assert_non_null(find(&t, 6, 1, 2, 2));	/* open flows are never expired */
	flows_free(&t);
}

static void test_table_limit(void **state)
{
	struct fspec s = { 3, 2, 0, 80, T_PAYLOAD, T_NO_INFO, 0, 0, 0, 0, 0, 1, 0, 0 };
	struct flow_table t;
	uint32_t i;

	(void)state;
	flows_init(&t);
	for (i = 0; i < FLOW_MAX + 10; i++) {
		s.src_port = i;
		add(&t, &s);
	}
	assert_int_equal(t.n, FLOW_MAX);
	assert_int_equal(t.untracked, 10);
	assert_int_equal(t.frames, FLOW_MAX + 10);
	flows_free(&t);
}

static void test_output(void **state)
{
	const char *path = fixture_write(life, NLIFE);
	struct flow_table t;
	FILE *f = tmpfile();
	char *s;

	(void)state;
	flows_init(&t);
	feed_file(&t, path);
	flows_tick(&t, 1.0);
	flows_print_table(f, &t);
	flows_print_json(f, &t);
	s = slurp(f);
	fclose(f);
	assert_non_null(strstr(s, "CLIENT"));
	/* the rate's unit in its heading, as the byte counts have theirs */
	assert_non_null(strstr(s, " BYTES/s\n"));
	assert_non_null(strstr(s, "3:1024 "));
	assert_non_null(strstr(s, "7:1?"));	/* client not known */
	assert_non_null(strstr(s, "closing"));
	assert_non_null(strstr(s, "refused"));
	assert_non_null(strstr(s, "3 flows, 11 frames, 2050 payload bytes, 1 malformed"));
	assert_non_null(strstr(s, "{\"client\":{\"cid\":3,\"port\":1024},"
			       "\"server\":{\"cid\":2,\"port\":1234},"
			       "\"client_known\":true,\"state\":\"closing\","
			       "\"to_server\":{\"frames\":4,\"bytes\":2000},"
			       "\"to_client\":{\"frames\":3,\"bytes\":0}"));
	free(s);
	flows_free(&t);

	/* end to end: top -r FILE --json */
	{
		struct run_result r;
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "top -r %s --json", path);
		assert_int_equal(run_ctl(cmd, &r), 0);
		assert_non_null(strstr(r.out, "{\"frames\":11,\"bytes\":2050,"
				       "\"malformed\":1,\"untracked\":0,\"flows\":["));
		/* 2050 bytes over the file's 1.000000 s span */
		assert_non_null(strstr(r.out, "\"rate\":2000.0"));
		run_free(&r);
		snprintf(cmd, sizeof(cmd), "top -r %s --once", path);
		assert_int_equal(run_ctl(cmd, &r), 0);
		assert_non_null(strstr(r.out, "established"));
		run_free(&r);
	}
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lifecycle),
		cmocka_unit_test(test_late_client_and_reuse),
		cmocka_unit_test(test_no_info_states),
		cmocka_unit_test(test_tick_rate_expiry),
		cmocka_unit_test(test_table_limit),
		cmocka_unit_test(test_output),
	};

	return cmocka_run_group_tests_name("flows", tests, NULL, NULL);
}
