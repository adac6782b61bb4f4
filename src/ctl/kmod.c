// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libkmod glue. Loading goes through the rtnl alias so modprobe.d
 * configuration (blacklists, options, install commands) applies just as it
 * does when the kernel autoloads the module itself.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <libkmod.h>

#include "ctl.h"
#include "kmod.h"

const char *kernel_release(void)
{
	static struct utsname u;

	if (!u.release[0] && uname(&u) < 0)
		return "unknown";
	return u.release;
}

const char *module_origin(const char *path, bool builtin)
{
	if (builtin)
		return "built-in";
	if (!path || !*path)
		return "none";
	if (strstr(path, "/updates/dkms/"))
		return "dkms";
	if (strstr(path, "/extra/"))	/* DKMS on RPM distributions */
		return "dkms";
	if (strstr(path, "/kernel/"))
		return "in-tree";
	if (strstr(path, "/updates/"))
		return "updates";
	return "other";
}

static struct kmod_ctx *kctx(void)
{
	struct kmod_ctx *ctx = kmod_new(NULL, NULL);

	/* Missing modules.dep etc. need no check: lookups fail later, cleanly. */
	if (ctx)
		(void)kmod_load_resources(ctx);
	return ctx;
}

int kmod_load_vsockmon(char *msg, size_t msgsz)
{
	static const char *const names[] = { "rtnl-link-vsockmon", "vsockmon" };
	struct kmod_list *list = NULL, *it;
	struct kmod_ctx *ctx = kctx();
	int ret = ENOENT;
	size_t i;

	snprintf(msg, msgsz, "module vsockmon not found for kernel %s",
		 kernel_release());
	if (!ctx) {
		snprintf(msg, msgsz, "libkmod: cannot initialise");
		return ENOMEM;
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]) && !list; i++)
		if (kmod_module_new_from_lookup(ctx, names[i], &list) < 0)
			list = NULL;
	kmod_list_foreach(it, list) {
		struct kmod_module *mod = kmod_module_get_module(it);
		int r = kmod_module_probe_insert_module(mod,
				KMOD_PROBE_APPLY_BLACKLIST_ALIAS_ONLY,
				NULL, NULL, NULL, NULL);

		if (r == 0) {
			ret = 0;
		} else if (r > 0) {
			snprintf(msg, msgsz, "module %s is blacklisted by modprobe configuration",
				 kmod_module_get_name(mod));
			ret = EPERM;
		} else {
			snprintf(msg, msgsz, "loading module %s: %s",
				 kmod_module_get_name(mod), strerror(-r));
			ret = -r;
		}
		kmod_module_unref(mod);
		if (ret == 0)
			break;
	}
	if (list)
		kmod_module_unref_list(list);
	kmod_unref(ctx);
	if (ret == 0)
		msg[0] = '\0';
	return ret;
}

static void read_sys(const char *mod, const char *attr, char *buf, size_t sz)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/module/%s/%s", mod, attr);
	read_first_line(path, buf, sz);
}

int kmod_module_facts(const char *name, struct module_facts *mf)
{
	struct kmod_list *info = NULL, *it;
	struct kmod_module *mod = NULL;
	struct kmod_ctx *ctx = kctx();
	char file_srcversion[64] = "";
	const char *p;
	int st;

	memset(mf, 0, sizeof(*mf));
	mf->origin = "none";
	if (!ctx)
		return ENOMEM;
	if (kmod_module_new_from_name(ctx, name, &mod) < 0) {
		kmod_unref(ctx);
		return ENOENT;
	}
	st = kmod_module_get_initstate(mod);
	p = kmod_module_get_path(mod);
	if (p)
		snprintf(mf->path, sizeof(mf->path), "%s", p);
	if (st == KMOD_MODULE_BUILTIN)
		mf->state = MOD_BUILTIN;
	else if (st >= 0)
		mf->state = MOD_LOADED;
	else if (p)
		mf->state = MOD_AVAILABLE;
	else
		mf->state = MOD_ABSENT;
	mf->origin = module_origin(mf->path, mf->state == MOD_BUILTIN);

	if (p && kmod_module_get_info(mod, &info) >= 0) {
		kmod_list_foreach(it, info) {
			const char *k = kmod_module_info_get_key(it);
			const char *v = kmod_module_info_get_value(it);

			if (!k || !v)
				continue;
			if (!strcmp(k, "version") && mf->state != MOD_LOADED)
				snprintf(mf->version, sizeof(mf->version), "%s", v);
			else if (!strcmp(k, "srcversion"))
				snprintf(file_srcversion, sizeof(file_srcversion), "%s", v);
			else if (!strcmp(k, "signer")) {
				mf->has_signature = true;
				snprintf(mf->signer, sizeof(mf->signer), "%s", v);
			} else if (!strcmp(k, "sig_id") || !strcmp(k, "sig_key"))
				mf->has_signature = true;
		}
		kmod_module_info_free_list(info);
	}
	if (mf->state == MOD_LOADED) {
		read_sys(name, "version", mf->version, sizeof(mf->version));
		read_sys(name, "srcversion", mf->srcversion, sizeof(mf->srcversion));
		mf->file_matches_loaded = file_srcversion[0] &&
			!strcmp(file_srcversion, mf->srcversion);
	}
	kmod_module_unref(mod);
	kmod_unref(ctx);
	return 0;
}
