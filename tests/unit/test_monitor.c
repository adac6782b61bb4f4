// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Temporary monitor recognition (what `down --stale` and `capture`
 * remove), module origin classification, and the small parsers.
 */
#include <errno.h>
#include <unistd.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "harness.h"
#include "kmod.h"
#include "monitor.h"

struct fake_proc {
	pid_t pid;
	unsigned long long start;
	const char *comm;
};

static bool fake_lookup(pid_t pid, unsigned long long *start, char *comm,
			size_t commsz, void *data)
{
	const struct fake_proc *fp = data;

	if (!fp || fp->pid != pid)
		return false;
	*start = fp->start;
	snprintf(comm, commsz, "%s", fp->comm);
	return true;
}

static struct link_info mk(const char *name, const char *kind, const char *alias)
{
	struct link_info li;

	memset(&li, 0, sizeof(li));
	snprintf(li.name, sizeof(li.name), "%s", name);
	snprintf(li.kind, sizeof(li.kind), "%s", kind);
	snprintf(li.alias, sizeof(li.alias), "%s", alias);
	return li;
}

static void test_names(void **state)
{
	char name[IFNAMSIZ], alias[128];
	struct link_info li;
	pid_t pid;

	(void)state;
	tmpmon_name(name, sizeof(name), 4194304);	/* the largest pid_max */
	assert_string_equal(name, "vsmcap4194304");
	assert_true(valid_ifname(name));
	tmpmon_alias(alias, sizeof(alias), 42, 12345);
	assert_string_equal(alias, "vsockmon-ctl temporary pid=42 start=12345 "
			    "owner=socket");

	li = mk("vsmcap42", "vsockmon", "");
	assert_true(tmpmon_parse(&li, &pid));
	assert_int_equal(pid, 42);
	li = mk("vsmcap42", "dummy", "");		/* not a vsockmon */
	assert_false(tmpmon_parse(&li, &pid));
	li = mk("vsmcap", "vsockmon", "");
	assert_false(tmpmon_parse(&li, &pid));
	li = mk("vsmcap042", "vsockmon", "");
	assert_false(tmpmon_parse(&li, &pid));
	li = mk("vsmcap4x", "vsockmon", "");
	assert_false(tmpmon_parse(&li, &pid));
	li = mk("vsockmon0", "vsockmon", "");
	assert_false(tmpmon_parse(&li, &pid));
	li = mk("vsmcap999999999", "vsockmon", "");	/* longest name fitting */
	assert_true(tmpmon_parse(&li, &pid));
	assert_int_equal(pid, 999999999);
	li = mk("vsmcap4194304-9", "vsockmon", "");	/* second owner of a pid */
	assert_true(tmpmon_parse(&li, &pid));
	assert_int_equal(pid, 4194304);
	assert_true(valid_ifname(li.name));
	li = mk("vsmcap42-0", "vsockmon", "");
	assert_false(tmpmon_parse(&li, &pid));
	li = mk("vsmcap42-10", "vsockmon", "");
	assert_false(tmpmon_parse(&li, &pid));
	li = mk("vsmcap42-", "vsockmon", "");
	assert_false(tmpmon_parse(&li, &pid));
}

static bool nobody_holds(const char *name)
{
	(void)name;
	return false;
}

/*
 * Issue 15: a capture in "unshare --pid --fork" (same network namespace)
 * owns vsmcap1; from the host, pid 1 is init with another start time,
 * and every host capture deleted the monitor while its owner ran. The
 * owner's abstract socket decides, whatever the PID namespace.
 */
static void test_owner_in_other_pid_namespace(void **state)
{
	struct fake_proc host_init = { 1, 5, "systemd" };
	struct proc_probe probe = { fake_lookup, &host_init, tmpmon_held };
	struct proc_probe unheld = { fake_lookup, &host_init, nobody_holds };
	char name[IFNAMSIZ];
	struct link_info li;
	int fd, fd2;

	(void)state;
	li = mk("vsmcap1", "vsockmon",
		"vsockmon-ctl temporary pid=1 start=4242 owner=socket");
	fd = tmpmon_claim("vsmcap1");	/* the owner, in its PID namespace */
	assert_true(fd >= 0);
	assert_false(tmpmon_is_stale(&li, &probe));
	assert_int_equal(tmpmon_claim("vsmcap1"), -EADDRINUSE);
	/* A second capture whose pid is also 1 does not take it over. */
	fd2 = tmpmon_claim_name(1, name, sizeof(name));
	assert_true(fd2 >= 0);
	assert_string_equal(name, "vsmcap1-1");
	close(fd2);
	/* Owner gone: the kernel released the name, the monitor is stale. */
	close(fd);
	assert_true(tmpmon_is_stale(&li, &probe));
	/* Even if pid 1 looks alive here: the socket, not the pid, decides. */
	host_init.start = 4242;
	assert_true(tmpmon_is_stale(&li, &unheld));
	fd2 = tmpmon_claim_name(1, name, sizeof(name));
	assert_true(fd2 >= 0);
	assert_string_equal(name, "vsmcap1");
	close(fd2);
}

static bool holds_all(const char *name)
{
	(void)name;
	return true;
}

static void test_stale(void **state)
{
	struct fake_proc live = { 42, 777, "vsockmon-ctl" };
	struct fake_proc other = { 42, 777, "bash" };
	struct proc_probe none = { fake_lookup, NULL, NULL };
	struct proc_probe p_live = { fake_lookup, &live, NULL };
	struct proc_probe p_other = { fake_lookup, &other, NULL };
	struct link_info li;

	(void)state;
	/* Owner gone. */
	li = mk("vsmcap42", "vsockmon", "vsockmon-ctl temporary pid=42 start=777");
	assert_true(tmpmon_is_stale(&li, &none));
	/* Owner alive, same start time: in use. */
	assert_false(tmpmon_is_stale(&li, &p_live));
	/* Alias start time matches even if comm differs (renamed binary). */
	assert_false(tmpmon_is_stale(&li, &p_other));
	/* PID recycled: other start time. */
	li = mk("vsmcap42", "vsockmon", "vsockmon-ctl temporary pid=42 start=778");
	assert_true(tmpmon_is_stale(&li, &p_live));
	/* Alias names another pid than the name: not trustworthy, stale. */
	li = mk("vsmcap42", "vsockmon", "vsockmon-ctl temporary pid=43 start=777");
	assert_true(tmpmon_is_stale(&li, &p_live));
	/* No alias (killed between create and alias): by process name. */
	li = mk("vsmcap42", "vsockmon", "");
	assert_false(tmpmon_is_stale(&li, &p_live));
	assert_true(tmpmon_is_stale(&li, &p_other));
	/* Never touch monitors that are not temporary ones. */
	li = mk("vsockmon0", "vsockmon", "");
	assert_false(tmpmon_is_stale(&li, &none));
	li = mk("vsmcap42", "veth", "");
	assert_false(tmpmon_is_stale(&li, &none));
	/* Held by a live owner: never stale, alias or not. */
	li = mk("vsmcap42", "vsockmon", "");
	none.held = holds_all;
	assert_false(tmpmon_is_stale(&li, &none));
}

static void test_proc_lookup_real(void **state)
{
	unsigned long long start = 0, start2 = 0;
	char comm[64] = "";

	(void)state;
	assert_true(proc_lookup(getpid(), &start, comm, sizeof(comm), NULL));
	assert_string_equal(comm, "test_monitor");
	assert_true(start > 0);
	assert_true(proc_lookup(getpid(), &start2, comm, sizeof(comm), NULL));
	assert_true(start == start2);
	assert_false(proc_lookup(0x7ffffff0, &start, comm, sizeof(comm), NULL));
}

static void test_module_origin(void **state)
{
	static const struct { const char *path; bool builtin; const char *want; } t[] = {
		{ "/lib/modules/6.1.0-56-amd64/updates/dkms/vsockmon.ko", false, "dkms" },
		{ "/lib/modules/6.1.0-56-amd64/updates/dkms/vsockmon.ko.xz", false, "dkms" },
		{ "/lib/modules/6.8.0/extra/vsockmon.ko.xz", false, "dkms" },
		{ "/lib/modules/6.1.0-56-amd64/kernel/drivers/net/vsockmon.ko", false, "in-tree" },
		{ "/usr/lib/modules/7.2.13/kernel/drivers/net/vsockmon.ko.xz", false, "in-tree" },
		{ "/lib/modules/6.1/updates/vsockmon.ko", false, "updates" },
		{ "/tmp/vsockmon.ko", false, "other" },
		{ "", false, "none" },
		{ NULL, false, "none" },
		{ "", true, "built-in" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_string_equal(module_origin(t[i].path, t[i].builtin), t[i].want);
}

static void test_small_parsers(void **state)
{
	uint64_t v;
	double d;

	(void)state;
	assert_true(parse_u64("0", 10, &v) && v == 0);
	assert_true(parse_u64("0x10", 100, &v) && v == 16);
	/* no octal: a leading zero is decimal (issue 15) */
	assert_true(parse_u64("052", 100, &v) && v == 52);
	assert_true(parse_u64("08", 100, &v) && v == 8);
	assert_true(parse_u64("010", 100, &v) && v == 10);
	assert_false(parse_u64("0x", 100, &v));
	assert_false(parse_u64("0x-1", 100, &v));
	assert_false(parse_u64("0x 1", 100, &v));
	assert_false(parse_u64("0x0x1", 100, &v));	/* found by tests/fuzz */
	assert_false(parse_u64("0X0X1", 100, &v));
	assert_true(parse_u64("18446744073709551615", UINT64_MAX, &v) && v == UINT64_MAX);
	assert_false(parse_u64("18446744073709551616", UINT64_MAX, &v));
	assert_false(parse_u64("11", 10, &v));
	assert_false(parse_u64("", 10, &v));
	assert_false(parse_u64(" 1", 10, &v));
	assert_false(parse_u64("1 ", 10, &v));
	assert_false(parse_u64("-1", UINT64_MAX, &v));
	assert_false(parse_u64("+1", UINT64_MAX, &v));
	assert_false(parse_u64(NULL, 10, &v));
	assert_true(parse_seconds("0.5", &d) && d == 0.5);
	assert_false(parse_seconds("0", &d));
	assert_false(parse_seconds("nan", &d));
	assert_false(parse_seconds("1s", &d));
	assert_true(valid_ifname("vsockmon0"));
	assert_true(valid_ifname("123456789012345"));
	assert_false(valid_ifname("1234567890123456"));
	assert_false(valid_ifname(""));
	assert_false(valid_ifname("."));
	assert_false(valid_ifname(".."));
	assert_false(valid_ifname("a\tb"));
	assert_false(valid_ifname("a\x01"));
}

static void test_json_and_errors(void **state)
{
	FILE *f = tmpfile();
	char *s;

	(void)state;
	json_str(f, "a\"b\\c\nd\x01");
	s = slurp(f);
	fclose(f);
	assert_string_equal(s, "\"a\\\"b\\\\c\\u000ad\\u0001\"");
	free(s);

	ctl_stderr = tmpfile();
	ctl_error("create", "vsockmon0", EPERM, "vsockmon: needs CAP_NET_ADMIN");
	ctl_error("remove", NULL, ENODEV, "");
	s = slurp(ctl_stderr);
	fclose(ctl_stderr);
	ctl_stderr = NULL;
	assert_string_equal(s,
		"vsockmon-ctl: create vsockmon0: Operation not permitted "
		"(kernel: vsockmon: needs CAP_NET_ADMIN)\n"
		"vsockmon-ctl: remove: No such device\n");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_stale),
		cmocka_unit_test(test_owner_in_other_pid_namespace),
		cmocka_unit_test(test_proc_lookup_real),
		cmocka_unit_test(test_module_origin),
		cmocka_unit_test(test_small_parsers),
		cmocka_unit_test(test_json_and_errors),
	};

	return cmocka_run_group_tests_name("monitor", tests, NULL, NULL);
}
