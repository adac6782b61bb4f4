// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The vsockmon situation of a kernel (issue 15 item 7): every case as a
 * directory tree, through modsit_gather(), modsit_classify() and the
 * advice doctor, up and capture print.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "modsit.h"

#define K "6.1.0-99-amd64"
#define V "0.1.0"
#define MODS "/lib/modules/" K

struct tree_file {
	const char *path, *text;
};

struct sit_case {
	const char *what;
	struct tree_file files[6];
	enum modsit want;
	const char *level;
	const char *says[3];	/* substrings of the advice */
};

static const struct sit_case cases[] = {
	{ "(a) our module loaded",
	  { { "/proc/modules", "vsockmon 24576 0 - Live 0x0 (O)\nvsock 1 2 - Live\n" },
	    { "/sys/module/vsockmon/initstate", "live\n" },
	    { "/sys/module/vsockmon/version", V "\n" },
	    { MODS "/updates/dkms/vsockmon.ko", "" } },
	  MODSIT_OURS_LOADED, "OK",
	  { "vsockmon module loaded, version " V ", dkms, " MODS "/updates/dkms/vsockmon.ko" } },
	{ "(a') our module loaded, another version than the tool",
	  { { "/proc/modules", "vsockmon 24576 0 - Live 0x0 (O)\n" },
	    { "/sys/module/vsockmon/initstate", "live\n" },
	    { "/sys/module/vsockmon/version", "0.0.9\n" } },
	  MODSIT_OURS_LOADED, "WARN", { "loaded, version 0.0.9", "this tool is " V } },
	{ "in-tree driver loaded",
	  { { "/proc/modules", "vsockmon 20480 0 - Live 0x0\n" },
	    { "/sys/module/vsockmon/initstate", "live\n" },
	    { MODS "/kernel/drivers/net/vsockmon.ko.xz", "" } },
	  MODSIT_INTREE_LOADED, "WARN", { "in-tree", "unprivileged user namespaces" } },
	{ "(b) ours built in, no module support",
	  { { "/sys/module/vsockmon/version", V "\n" } },
	  MODSIT_OURS_BUILTIN, "OK",
	  { "vsockmon built into kernel " K ", version " V, "no module support: nothing to load" } },
	{ "(b') ours built in, module support too",
	  { { "/proc/modules", "vsock 1 2 - Live\n" },
	    { "/sys/module/vsockmon/version", V "\n" } },
	  MODSIT_OURS_BUILTIN, "OK", { "built into" } },
	{ "upstream vsockmon built in (modules.builtin)",
	  { { "/proc/modules", "" },
	    { MODS "/modules.builtin", "kernel/drivers/net/tun.ko\nkernel/drivers/net/vsockmon.ko\n" } },
	  MODSIT_INTREE_BUILTIN, "WARN", { "upstream vsockmon built in" } },
	{ "(c) no module support, nothing built in",
	  { { "/sys/module/vsock/version", "x\n" },
	    { MODS "/kernel/drivers/net/vsockmon.ko", "" } },
	  MODSIT_NO_MODULES, "FAIL", { "no module support", "no vsockmon built in" } },
	{ "ours installed, not loaded",
	  { { "/proc/modules", "vsock 1 2 - Live\n" },
	    { MODS "/updates/dkms/vsockmon.ko.xz", "" },
	    { MODS "/kernel/drivers/net/vsockmon.ko.xz", "" } },
	  MODSIT_OURS_AVAILABLE, "OK", { MODS "/updates/dkms/vsockmon.ko.xz", "first use" } },
	{ "ours installed by DKMS on an RPM distribution",
	  { { "/proc/modules", "" },
	    { MODS "/extra/vsockmon.ko.zst", "" } },
	  MODSIT_OURS_AVAILABLE, "OK", { MODS "/extra/vsockmon.ko.zst" } },
	{ "(d) ours not built, in-tree exists, refused",
	  { { "/proc/modules", "" },
	    { MODS "/kernel/drivers/net/vsockmon.ko.xz", "" },
	    { "/usr/lib/modprobe.d/vsockmon.conf", "# ours only\ninstall vsockmon /bin/false\n" } },
	  MODSIT_NOT_BUILT, "FAIL",
	  { "vsockmon for this kernel is not built: install linux-headers-" K
	    " (DKMS then builds it)", "is refused by /usr/lib/modprobe.d/vsockmon.conf" } },
	{ "(d') ours not built, in-tree exists, not refused",
	  { { "/proc/modules", "" },
	    { MODS "/kernel/drivers/net/vsockmon.ko", "" },
	    { "/etc/modprobe.d/other.conf", "blacklist vsockmonx\ninstall vsock /bin/true\n" } },
	  MODSIT_NOT_BUILT, "FAIL",
	  { "not built: install linux-headers-" K, "would load the in-tree driver" } },
	{ "(e) nothing at all",
	  { { "/proc/modules", "vsock 1 2 - Live\n" } },
	  MODSIT_NOTHING, "FAIL", { "install the vsockmon-dkms package and linux-headers-" K } },
};

static void write_file(const char *root, const char *path, const char *text)
{
	char p[4096], cmd[4200];
	FILE *f;

	snprintf(p, sizeof(p), "%s%s", root, path);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", p);
	assert_int_equal(system(cmd), 0);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void every_situation(void **state)
{
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct sit_case *c = &cases[i];
		char root[] = "/tmp/modsit.XXXXXX", msg[1024], cmd[64];
		struct modsit_facts f;
		const char *level;
		enum modsit m;

		assert_non_null(mkdtemp(root));
		for (j = 0; j < 6 && c->files[j].path; j++)
			write_file(root, c->files[j].path, c->files[j].text);
		modsit_gather(root, K, &f);
		m = modsit_classify(&f);
		level = modsit_explain(m, &f, K, V, msg, sizeof(msg));
		snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
		assert_int_equal(system(cmd), 0);
		if (m != c->want || strcmp(level, c->level))
			fail_msg("%s: situation %d level %s, want %d %s: %s",
				 c->what, m, level, c->want, c->level, msg);
		for (j = 0; j < 3 && c->says[j]; j++)
			if (!strstr(msg, c->says[j]))
				fail_msg("%s: '%s' lacks '%s'", c->what, msg,
					 c->says[j]);
		/* never point users at the unsafe in-tree driver */
		if (strstr(msg, "CONFIG_VSOCKMON"))
			fail_msg("%s: suggests CONFIG_VSOCKMON: %s", c->what, msg);
	}
}

/* Which releases have 6.1.y's vhost split-packet tap bug (modsit.h). */
static void split_tap_bug(void **state)
{
	static const struct {
		const char *rel;
		bool bug;
	} v[] = {
		{ "5.10.0-46-amd64", true }, { "6.1.0-57-amd64", true },
		{ "6.1.192-microvm-builtin", true }, { "6.12.89", true },
		{ "6.12.90", false }, { "6.12.118+deb13-amd64", false },
		{ "6.15.2", true }, { "6.18.31", true }, { "6.18.32-1", false },
		{ "7.0.8", true }, { "7.0.9", false },
		{ "7.2.13+deb14-amd64", false }, { "garbage", false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		if (modsit_split_tap_bug(v[i].rel) != v[i].bug)
			fail_msg("%s: want %d", v[i].rel, v[i].bug);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_situation),
		cmocka_unit_test(split_tap_bug),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
