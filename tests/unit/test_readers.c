// SPDX-License-Identifier: GPL-2.0-or-later
/* Counting a monitor's readers in /proc/net/packet listings. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "readers.h"

/* In the kernel's packet_seq_show format: tcpdump on 5, tcpdump -p on 5, an
 * ETH_P_IP socket on 5, tcpdump -i any, a socket on 7, one not yet bound. */
static const char listing[] =
	"sk               RefCnt Type Proto  Iface R Rmem   User   Inode\n"
	"ffff9e0b41a2c800 3      3    0003   5     1 0      0      18244\n"
	"ffff9e0b41a2d000 3      3    0003   5     1 0      0      18250\n"
	"ffff9e0b41a2e000 3      2    0800   5     1 0      0      18262\n"
	"ffff9e0b41a2f000 3      3    0003   0     1 0      0      18270\n"
	"ffff9e0b41a2a000 3      3    0003   7     0 0      1000   18280\n"
	"ffff9e0b41a2b000 2      3    0000   0     0 0      0      18290\n";

static int count(const char *text, int ifindex)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	struct link_info li = { .ifindex = ifindex };
	int rc;

	assert_non_null(f);
	rc = packet_readers(f, &li, 1);
	fclose(f);
	assert_int_equal(rc, li.readers < 0 ? -1 : 0);
	return li.readers;
}

static void counts_all_protocol_sockets_of_the_device(void **state)
{
	(void)state;
	assert_int_equal(count(listing, 5), 2);
	assert_int_equal(count(listing, 7), 1);
	assert_int_equal(count(listing, 9), 0);
}

static void one_pass_counts_every_monitor(void **state)
{
	FILE *f = fmemopen((void *)listing, strlen(listing), "r");
	struct link_info v[3] = {
		{ .ifindex = 7 }, { .ifindex = 5 }, { .ifindex = 9 },
	};

	(void)state;
	assert_non_null(f);
	assert_int_equal(packet_readers(f, v, 3), 0);
	fclose(f);
	assert_int_equal(v[0].readers, 1);
	assert_int_equal(v[1].readers, 2);
	assert_int_equal(v[2].readers, 0);
}

static void a_socket_on_no_device_is_not_a_monitors_reader(void **state)
{
	(void)state;
	/* ifindex 0 is "any": not bound to the monitor */
	assert_int_equal(count(listing, 0), 1);
}

static void header_only_means_no_readers(void **state)
{
	(void)state;
	assert_int_equal(count("sk RefCnt Type Proto Iface R Rmem User Inode\n", 5), 0);
}

static void rejects_what_is_not_a_listing(void **state)
{
	(void)state;
	assert_int_equal(count("", 5), -1);
	assert_int_equal(count("Inter-|   Receive\n", 5), -1);
	assert_int_equal(count("sk RefCnt\nffff 3 3\n", 5), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(counts_all_protocol_sockets_of_the_device),
		cmocka_unit_test(one_pass_counts_every_monitor),
		cmocka_unit_test(a_socket_on_no_device_is_not_a_monitors_reader),
		cmocka_unit_test(header_only_means_no_readers),
		cmocka_unit_test(rejects_what_is_not_a_listing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
