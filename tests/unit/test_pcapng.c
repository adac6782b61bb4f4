// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pcapng writer: files written by ours are read back by libpcap with the
 * right link type, snap length, timestamps, lengths and bytes (including
 * odd lengths that need padding and snap-length-cut frames).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "harness.h"
#include "pcapng.h"

static void test_roundtrip(void **state)
{
	static const uint32_t lens[] = { 32, 33, 76, 77, 78, 79, 1500, 65535 };
	char path[] = "/tmp/vsockmon-ng-XXXXXX", errbuf[PCAP_ERRBUF_SIZE];
	struct pcapng_writer w;
	struct pcap_pkthdr h, *rh;
	const u_char *rd;
	uint8_t *data = malloc(70000);
	struct pcapng_meta meta = {
		.appl = "vsockmon-ctl test", .ifname = "vsmcap1",
		.ifdesc = "a test interface", .filter = "link[0] == 1",
	};
	struct pcapng_stats st = {
		.start = { 1700000000, 5 }, .end = { 1700000009, 7 },
		.recv = 12, .drop = 3, .delivered = 8,
	};
	pcap_t *p;
	size_t i;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	for (i = 0; i < 70000; i++)
		data[i] = (uint8_t)(i * 7);
	assert_int_equal(pcapng_open(&w, path, DLT_VSOCK, 65000, &meta), 0);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		h.ts.tv_sec = 1700000000 + (long)i;
		h.ts.tv_usec = 999999 - (long)i;
		h.len = lens[i];
		h.caplen = lens[i] > 65000 ? 65000 : lens[i];
		assert_int_equal(pcapng_write(&w, &h, data, NULL), 0);
	}
	assert_int_equal(pcapng_write_stats(&w, &st), 0);
	assert_int_equal(pcapng_close(&w), 0);

	/* libpcap reads the frames past the options and the statistics */
	p = pcap_open_offline(path, errbuf);
	if (!p)
		print_error("%s\n", errbuf);
	assert_non_null(p);
	assert_int_equal(pcap_datalink(p), DLT_VSOCK);
	assert_int_equal(pcap_snapshot(p), 65000);
	for (i = 0; pcap_next_ex(p, &rh, &rd) == 1; i++) {
		assert_true(i < sizeof(lens) / sizeof(lens[0]));
		assert_int_equal(rh->ts.tv_sec, 1700000000 + (long)i);
		assert_int_equal(rh->ts.tv_usec, 999999 - (long)i);
		assert_int_equal(rh->len, lens[i]);
		assert_int_equal(rh->caplen, lens[i] > 65000 ? 65000 : lens[i]);
		assert_memory_equal(rd, data, rh->caplen);
	}
	assert_int_equal(i, sizeof(lens) / sizeof(lens[0]));
	pcap_close(p);
	unlink(path);
	free(data);
}

static void test_open_error(void **state)
{
	struct pcapng_writer w;
	struct pcapng_meta none = { 0 };

	(void)state;
	assert_int_equal(pcapng_open(&w, "/nonexistent/dir/x", DLT_VSOCK, 1,
				     &none), ENOENT);
	assert_int_equal(pcapng_close(&w), 0);
}

static void test_full_disk(void **state)
{
	struct pcapng_writer w;
	struct pcap_pkthdr h = { { 0, 0 }, 4096, 4096 };
	uint8_t data[4096] = { 0 };
	struct pcapng_meta meta = { .appl = "y", .ifname = "x" };
	int i, err = 0;

	(void)state;
	if (access("/dev/full", W_OK))
		skip();
	assert_int_equal(pcapng_open(&w, "/dev/full", DLT_VSOCK, 4096, &meta), 0);
	for (i = 0; i < 64 && !err; i++)
		err = pcapng_write(&w, &h, data, NULL);
	err = pcapng_close(&w) ? 1 : err;
	assert_int_not_equal(err, 0);	/* ENOSPC must surface */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_open_error),
		cmocka_unit_test(test_full_disk),
	};

	return cmocka_run_group_tests_name("pcapng", tests, NULL, NULL);
}
