// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Opening a capture source: the ring the kernel really granted (issue 15:
 * -B 2048 silently gave libpcap's 2 MiB default).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "source.h"

static uint64_t maps_bytes(const char *text, unsigned long ino)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	uint64_t n;

	assert_non_null(f);
	n = maps_socket_bytes(f, ino);
	fclose(f);
	return n;
}

/* /proc/self/maps as Linux prints a TPACKET ring mmap()ed from socket 30495. */
static void ring_size_from_maps(void **state)
{
	static const char maps[] =
		"563d186d8000-563d186dc000 r--p 00000000 fe:00 5309143    /usr/sbin/vsockmon-ctl\n"
		"7f34600b9000-7f34602b9000 rw-s 00000000 00:09 30495      socket:[30495]\n"
		"7f3460300000-7f3460400000 rw-s 00000000 00:09 304950     socket:[304950]\n"
		"7f3461000000-7f3461001000 rw-p 00000000 00:00 0 \n"
		"7f3462000000-7f3462100000 rw-s 00000000 fe:00 77         /tmp/socket:[30495]\n";

	(void)state;
	assert_int_equal(maps_bytes(maps, 30495), 2u << 20);
	assert_int_equal(maps_bytes(maps, 304950), 1u << 20);
	assert_int_equal(maps_bytes(maps, 3049), 0);
	assert_int_equal(maps_bytes("", 30495), 0);
}

/* The largest -B is the most libpcap's int can ask for; above, a usage error. */
static void buffer_above_libpcap_int_is_refused(void **state)
{
	struct argv_buf b;
	struct capture_opts o;
	char **argv = mkargv(&b, "capture -B 2048");
	int r = parse_capture(b.argc, argv, &o);

	(void)state;
	argv_free(&b);
	assert_int_equal(r, PARSE_USAGE);
	argv = mkargv(&b, "capture -B 2047");
	r = parse_capture(b.argc, argv, &o);
	argv_free(&b);
	assert_int_equal(r, PARSE_OK);
	/* what run_capture() hands libpcap fits its int */
	assert_true(((uint64_t)o.buffer_mib << 20) <= 0x7fffffff);
}

/*
 * A filter that does not compile is a usage error found before any device,
 * file or module is touched: the interface and the file here do not exist,
 * and a later check would have answered 1 ("No such device").
 */
static void filter_compiled_before_anything(void **state)
{
	static const char *const lines[] = {
		"capture -i nosuchmon0 --filter link[0:4]~=",
		"capture -r /nonexistent.pcap --filter bogus~primitive",
		"capture --port 7 --filter tcp~port~80",	/* no vsock primitives */
	};
	struct run_result r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		run_ctl(lines[i], &r);
		if (r.rc != EXIT_USAGE || !strstr(r.err, "filter '") ||
		    strstr(r.err, "No such"))
			fail_msg("%s: rc %d, stderr '%s'", lines[i], r.rc, r.err);
		run_free(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ring_size_from_maps),
		cmocka_unit_test(buffer_above_libpcap_int_is_refused),
		cmocka_unit_test(filter_compiled_before_anything),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
