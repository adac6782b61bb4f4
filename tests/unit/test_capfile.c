// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * capfile.c: what our pcapng writer writes (comments included) reads back
 * exactly; files in the other byte order, with nanosecond time stamps
 * (pcap's magic, pcapng's if_tsresol), with a second link type and with
 * a second section read as Wireshark reads them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "harness.h"
#include "capfile.h"
#include "pcapng.h"

struct buf {
	uint8_t b[4096];
	size_t n;
	bool be;
};

static void put(struct buf *f, uint64_t v, unsigned int k)
{
	unsigned int i;

	for (i = 0; i < k; i++)
		f->b[f->n + i] = (uint8_t)(v >> (8 * (f->be ? k - 1 - i : i)));
	f->n += k;
}

static void bytes(struct buf *f, const void *p, size_t n)
{
	memcpy(f->b + f->n, p, n);
	f->n += n;
	while (f->n % 4)
		f->b[f->n++] = 0;
}

/* A block: type, length, body from at, length again. */
static void block_end(struct buf *f, size_t at)
{
	size_t len = f->n - at + 4;
	size_t end = f->n;

	f->n = at + 4;
	put(f, len, 4);
	f->n = end;
	put(f, len, 4);
}

static size_t block_start(struct buf *f, uint32_t type)
{
	size_t at = f->n;

	put(f, type, 4);
	put(f, 0, 4);
	return at;
}

static void shb(struct buf *f)
{
	size_t at = block_start(f, 0x0A0D0D0A);

	put(f, 0x1A2B3C4D, 4);
	put(f, 1, 2);
	put(f, 0, 2);
	put(f, UINT64_MAX, 8);
	block_end(f, at);
}

static void idb(struct buf *f, uint16_t linktype, int tsresol)
{
	size_t at = block_start(f, 1);

	put(f, linktype, 2);
	put(f, 0, 2);
	put(f, 262144, 4);
	if (tsresol >= 0) {
		put(f, 9, 2);
		put(f, 1, 2);
		put(f, (uint64_t)tsresol, 1);
		put(f, 0, 3);
		put(f, 0, 4);
	}
	block_end(f, at);
}

static void epb(struct buf *f, uint32_t ifid, uint64_t ts, const char *data,
		const char *comment)
{
	size_t at = block_start(f, 6);
	uint32_t n = (uint32_t)strlen(data);

	put(f, ifid, 4);
	put(f, ts >> 32, 4);
	put(f, ts & 0xffffffffu, 4);
	put(f, n, 4);
	put(f, n + 100, 4);
	bytes(f, data, n);
	if (comment) {
		put(f, 1, 2);
		put(f, strlen(comment), 2);
		bytes(f, comment, strlen(comment));
		put(f, 0, 4);
	}
	block_end(f, at);
}

static void open_buf(struct capfile *c, struct buf *f)
{
	FILE *m = fmemopen(f->b, f->n, "rb");

	assert_non_null(m);
	assert_int_equal(capfile_fopen(c, m, true), 0);
}

static void test_writer_roundtrip(void **state)
{
	static const char *const comments[] = { "vsockmon connection 1", "",
						"vsockmon connection 22" };
	char path[] = "/tmp/vsockmon-cf-XXXXXX";
	struct pcapng_meta meta = { .appl = "t", .ifname = "x" };
	struct pcapng_writer w;
	struct capfile c;
	struct capfile_frame fr;
	uint8_t data[77];
	unsigned int i;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 3);
	assert_int_equal(pcapng_open(&w, path, 271, 262144, &meta), 0);
	for (i = 0; i < 3; i++) {
		struct pcap_pkthdr h = { { 1700000000 + i, 999999 - i },
					 32 + 15 * i, 40 + 15 * i };

		assert_int_equal(pcapng_write(&w, &h, data, comments[i]), 0);
	}
	assert_int_equal(pcapng_close(&w), 0);

	assert_int_equal(capfile_open(&c, path), 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(capfile_next(&c, &fr), 1);
		assert_int_equal(fr.number, i + 1);
		assert_int_equal(fr.ts.tv_sec, 1700000000 + i);
		assert_int_equal(fr.ts.tv_usec, 999999 - i);
		assert_int_equal(fr.caplen, 32 + 15 * i);
		assert_int_equal(fr.len, 40 + 15 * i);
		assert_memory_equal(fr.data, data, fr.caplen);
		assert_string_equal(fr.comment, comments[i]);
	}
	assert_int_equal(capfile_next(&c, &fr), 0);
	capfile_close(&c);
	unlink(path);
}

/* Big-endian pcapng, nanoseconds, a second link type, two comments. */
static void test_big_endian_ns(void **state)
{
	static struct buf f = { .be = true };
	struct capfile c;
	struct capfile_frame fr;

	(void)state;
	f.n = 0;
	shb(&f);
	idb(&f, 271, 9);
	idb(&f, 1, -1);
	epb(&f, 1, 5, "ether", NULL);
	epb(&f, 0, 1700000000123456789ull, "vsock", "one");
	open_buf(&c, &f);
	assert_int_equal(capfile_next(&c, &fr), 1);
	assert_int_equal(fr.number, 2);		/* the ether frame counts */
	assert_int_equal(c.other, 1);
	assert_int_equal(fr.ts.tv_sec, 1700000000);
	assert_int_equal(fr.ts.tv_usec, 123456);
	assert_int_equal(fr.caplen, 5);
	assert_int_equal(fr.len, 105);
	assert_memory_equal(fr.data, "vsock", 5);
	assert_string_equal(fr.comment, "one");
	assert_int_equal(capfile_next(&c, &fr), 0);
	capfile_close(&c);
}

/* A second section in the other byte order: its own interfaces. */
static void test_two_sections(void **state)
{
	static struct buf f;
	struct capfile c;
	struct capfile_frame fr;

	(void)state;
	f.n = 0;
	f.be = false;
	shb(&f);
	idb(&f, 271, -1);
	epb(&f, 0, 1000000, "a", "x\ny");
	f.be = true;
	shb(&f);
	idb(&f, 271, 0x80 | 10);	/* 2^-10 s */
	epb(&f, 0, 3 * 1024 + 512, "bb", NULL);
	epb(&f, 1, 0, "c", NULL);	/* interface 1 of 1 */
	open_buf(&c, &f);
	assert_int_equal(capfile_next(&c, &fr), 1);
	assert_int_equal(fr.ts.tv_sec, 1);
	assert_string_equal(fr.comment, "x\ny");
	assert_int_equal(capfile_next(&c, &fr), 1);
	assert_int_equal(fr.ts.tv_sec, 3);
	assert_int_equal(fr.ts.tv_usec, 500000);
	assert_memory_equal(fr.data, "bb", 2);
	assert_string_equal(fr.comment, "");
	assert_int_equal(capfile_next(&c, &fr), -1);
	assert_non_null(strstr(c.err, "names interface 1 of 1"));
	capfile_close(&c);
}

/* Classic pcap, big-endian, nanosecond magic. */
static void test_pcap_be_ns(void **state)
{
	static struct buf f = { .be = true };
	struct capfile c;
	struct capfile_frame fr;

	(void)state;
	f.n = 0;
	put(&f, 0xA1B23C4D, 4);
	put(&f, 2, 2);
	put(&f, 4, 2);
	put(&f, 0, 8);
	put(&f, 65535, 4);
	put(&f, 271, 4);
	put(&f, 7, 4);
	put(&f, 999999999, 4);
	put(&f, 3, 4);
	put(&f, 9, 4);
	memcpy(f.b + f.n, "xyz", 3);
	f.n += 3;
	open_buf(&c, &f);
	assert_true(c.any_vsock);
	assert_int_equal(capfile_next(&c, &fr), 1);
	assert_int_equal(fr.ts.tv_sec, 7);
	assert_int_equal(fr.ts.tv_usec, 999999);
	assert_int_equal(fr.caplen, 3);
	assert_int_equal(fr.len, 9);
	assert_memory_equal(fr.data, "xyz", 3);
	assert_int_equal(capfile_next(&c, &fr), 0);
	capfile_close(&c);
	/* cut in its record: an error, not a frame */
	f.n -= 1;
	open_buf(&c, &f);
	assert_int_equal(capfile_next(&c, &fr), -1);
	assert_non_null(strstr(c.err, "truncated frame (2 of 3 bytes)"));
	capfile_close(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_writer_roundtrip),
		cmocka_unit_test(test_big_endian_ns),
		cmocka_unit_test(test_two_sections),
		cmocka_unit_test(test_pcap_be_ns),
	};

	return cmocka_run_group_tests_name("capfile", tests, NULL, NULL);
}
