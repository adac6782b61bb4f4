// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * up, down, list, status, version.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>

#include "ctl.h"
#include "hybrid.h"
#include "cmds.h"
#include "kmod.h"
#include "monitor.h"
#include "readers.h"

static int open_rtnl(struct rtnl **r)
{
	int err = rtnl_open(r);

	if (err)
		ctl_error("open", "rtnetlink socket", err, NULL);
	return err;
}

int run_up(const struct up_opts *o)
{
	struct rtnl *r;
	int err;

	if (open_rtnl(&r))
		return EXIT_FAIL;
	err = mon_up(r, o->name);
	rtnl_close(r);
	return err ? EXIT_FAIL : EXIT_OK;
}

static int down_one(struct rtnl *r, const char *name)
{
	struct link_info li;
	struct rtnl_err e;
	int err;

	err = mon_get(r, name, &li, &e);
	if (err == EMEDIUMTYPE) {
		ctl_msg("remove %s: not a vsockmon device (kind '%s'); refusing",
			name, li.kind[0] ? li.kind : "none");
		return err;
	}
	if (!err)
		err = mon_delete(r, li.ifindex, &e);
	if (err)
		ctl_error("remove", name, err, e.msg);
	return err;
}

int run_down(const struct down_opts *o)
{
	struct link_info *v = NULL;
	struct rtnl_err e;
	struct rtnl *r;
	int i, err, failed = 0;
	size_t n, k;

	if (o->stale) {
		/* hybrid vsock names a killed capture left interposed */
		err = hyb_repair_stale(NULL, false);
		if (err < 0) {
			ctl_msg("repair hybrid vsock paths: %s", strerror(-err));
			failed = 1;
		}
	}
	if (open_rtnl(&r))
		return EXIT_FAIL;
	if (o->stale) {
		int cnt = tmpmon_reap(r, true);

		if (cnt < 0) {
			ctl_error("list", "monitors", -cnt, NULL);
			failed = 1;
		}
	} else if (o->all) {
		err = mon_list(r, &v, &n, &e);
		if (err) {
			ctl_error("list", "monitors", err, e.msg);
			failed = 1;
		}
		for (k = 0; !err && k < n; k++) {
			int derr = mon_delete(r, v[k].ifindex, &e);

			if (derr && derr != ENODEV) {
				ctl_error("remove", v[k].name, derr, e.msg);
				failed = 1;
			}
		}
		free(v);
	} else {
		for (i = 0; i < o->n; i++)
			if (down_one(r, o->names[i]))
				failed = 1;
	}
	rtnl_close(r);
	return failed ? EXIT_FAIL : EXIT_OK;
}

static const char *link_role(const struct link_info *li)
{
	pid_t pid;

	if (!tmpmon_parse(li, &pid))
		return "";
	return tmpmon_is_stale(li, &proc_probe_real) ? "temporary (stale)"
						     : "temporary";
}

static void link_json(FILE *f, const struct link_info *li)
{
	bool temporary;
	pid_t pid;

	fprintf(f, "{\"name\":");
	json_str(f, li->name);
	fprintf(f, ",\"ifindex\":%d,\"up\":%s,\"operstate\":\"%s\",\"kind\":",
		li->ifindex, (li->flags & IFF_UP) ? "true" : "false",
		operstate_name(li->operstate));
	json_str(f, li->kind);
	fprintf(f, ",\"mtu\":%u", li->mtu);
	if (li->has_promiscuity)
		fprintf(f, ",\"promiscuity\":%u", li->promiscuity);
	if (li->readers >= 0)
		fprintf(f, ",\"readers\":%d", li->readers);
	if (li->has_stats)
		fprintf(f, ",\"rx_packets\":%llu,\"rx_bytes\":%llu,\"rx_dropped\":%llu",
			(unsigned long long)li->rx_packets,
			(unsigned long long)li->rx_bytes,
			(unsigned long long)li->rx_dropped);
	temporary = tmpmon_parse(li, &pid);
	fprintf(f, ",\"temporary\":%s", temporary ? "true" : "false");
	if (temporary)
		fprintf(f, ",\"owner_pid\":%ld,\"stale\":%s", (long)pid,
			tmpmon_is_stale(li, &proc_probe_real) ? "true" : "false");
	if (li->alias[0]) {
		fprintf(f, ",\"alias\":");
		json_str(f, li->alias);
	}
	fputc('}', f);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct link_info *)a)->name,
		      ((const struct link_info *)b)->name);
}

static int load_list(struct link_info **v, size_t *n)
{
	struct rtnl_err e;
	struct rtnl *r;
	int err;

	if (open_rtnl(&r))
		return EXIT_FAIL;
	err = mon_list(r, v, n, &e);
	rtnl_close(r);
	if (err) {
		ctl_error("list", "monitors", err, e.msg);
		return EXIT_FAIL;
	}
	if (*n)		/* no monitors: *v may be NULL, which qsort must not get */
		qsort(*v, *n, sizeof(**v), cmp_name);
	links_count_readers(*v, *n);
	return 0;
}

int run_list(const struct list_opts *o)
{
	struct link_info *v = NULL;
	size_t n, i;

	if (load_list(&v, &n))
		return EXIT_FAIL;
	if (o->json) {
		fputc('[', OUT);
		for (i = 0; i < n; i++) {
			if (i)
				fputc(',', OUT);
			if (o->names)
				json_str(OUT, v[i].name);
			else
				link_json(OUT, &v[i]);
		}
		fputs("]\n", OUT);
	} else if (o->names) {
		for (i = 0; i < n; i++)
			fprintf(OUT, "%s\n", v[i].name);
	} else {
		/* the header even without monitors: an answer, and a write */
		fprintf(OUT, "%-15s %-5s %-8s %12s %14s %10s\n", "NAME", "STATE",
			"READERS", "FRAMES", "BYTES", "DROPPED");
		for (i = 0; i < n; i++) {
			char rd[16] = "-";

			if (v[i].readers >= 0)
				snprintf(rd, sizeof(rd), "%d", v[i].readers);
			fprintf(OUT, "%-15s %-5s %-8s %12llu %14llu %10llu  %s\n",
				v[i].name, (v[i].flags & IFF_UP) ? "up" : "down",
				rd, (unsigned long long)v[i].rx_packets,
				(unsigned long long)v[i].rx_bytes,
				(unsigned long long)v[i].rx_dropped,
				link_role(&v[i]));
		}
	}
	free(v);
	return EXIT_OK;
}

static const char *state_name(enum mod_state s)
{
	switch (s) {
	case MOD_LOADED: return "loaded";
	case MOD_BUILTIN: return "built-in";
	case MOD_AVAILABLE: return "available, not loaded";
	default: return "not installed";
	}
}

static void module_text(FILE *f, const struct module_facts *mf)
{
	char why[1024];

	if (mf->state == MOD_ABSENT && mon_kernel_never(why, sizeof(why))) {
		fprintf(f, "module: none: %s\n", why);
		return;
	}
	fprintf(f, "module: vsockmon %s", state_name(mf->state));
	if (mf->state == MOD_LOADED || mf->state == MOD_BUILTIN)
		fprintf(f, ", version %s",
			mf->version[0] ? mf->version : "none (upstream in-tree)");
	if (mf->path[0])
		fprintf(f, ", %s, %s", mf->origin, mf->path);
	if (mf->state == MOD_LOADED && mf->path[0] && !mf->file_matches_loaded)
		fprintf(f, " (loaded module differs from this file)");
	if (mf->state == MOD_ABSENT)
		fprintf(f, " for kernel %s", kernel_release());
	fputc('\n', f);
}

static void module_json(FILE *f, const struct module_facts *mf)
{
	fprintf(f, "{\"state\":\"%s\",\"version\":", state_name(mf->state));
	json_str(f, mf->version);
	fprintf(f, ",\"origin\":\"%s\",\"path\":", mf->origin);
	json_str(f, mf->path);
	fprintf(f, ",\"file_matches_loaded\":%s,\"kernel\":",
		mf->file_matches_loaded ? "true" : "false");
	json_str(f, kernel_release());
	fputc('}', f);
}

static void link_text(FILE *f, const struct link_info *li)
{
	pid_t pid;

	fprintf(f, "%s: ifindex %d, %s, operstate %s, mtu %u\n", li->name,
		li->ifindex, (li->flags & IFF_UP) ? "up" : "down",
		operstate_name(li->operstate), li->mtu);
	if (li->readers >= 0)
		fprintf(f, "  readers: %d packet socket%s%s\n", li->readers,
			li->readers == 1 ? "" : "s",
			li->readers || (li->has_promiscuity && li->promiscuity) ?
			"" : " (nobody reads it)");
	if (li->has_promiscuity)
		fprintf(f, "  promiscuity: %u\n", li->promiscuity);
	if (li->has_stats)
		fprintf(f, "  frames %llu, bytes %llu, dropped %llu\n",
			(unsigned long long)li->rx_packets,
			(unsigned long long)li->rx_bytes,
			(unsigned long long)li->rx_dropped);
	if (tmpmon_parse(li, &pid))
		fprintf(f, "  temporary monitor of pid %ld%s\n", (long)pid,
			tmpmon_is_stale(li, &proc_probe_real) ?
			" (stale: remove with 'vsockmon-ctl down --stale')" : "");
}

int run_status(const struct status_opts *o)
{
	struct link_info *v = NULL, one;
	struct module_facts mf;
	size_t n = 0, i;
	char why[1024];
	bool never;

	kmod_module_facts("vsockmon", &mf);
	/* a kernel that can never have one: no 'vsockmon-ctl up' advice */
	never = mf.state == MOD_ABSENT && mon_kernel_never(why, sizeof(why));
	if (o->name) {
		struct rtnl_err e;
		struct rtnl *r;
		int err;

		if (open_rtnl(&r))
			return EXIT_FAIL;
		err = mon_get(r, o->name, &one, &e);
		rtnl_close(r);
		if (err == EMEDIUMTYPE) {
			ctl_msg("status %s: not a vsockmon device", o->name);
			return EXIT_FAIL;
		}
		if (err) {
			ctl_error("status", o->name, err, e.msg);
			return EXIT_FAIL;
		}
		v = &one;
		n = 1;
		links_count_readers(v, n);
	} else if (load_list(&v, &n)) {
		return EXIT_FAIL;
	}
	if (o->json) {
		fprintf(OUT, "{\"module\":");
		module_json(OUT, &mf);
		fprintf(OUT, ",\"monitors\":[");
		for (i = 0; i < n; i++) {
			if (i)
				fputc(',', OUT);
			link_json(OUT, &v[i]);
		}
		fprintf(OUT, "]}\n");
	} else {
		module_text(OUT, &mf);
		for (i = 0; i < n; i++)
			link_text(OUT, &v[i]);
		if (!o->name && !n && never)
			fprintf(OUT, "no monitors (see above: none can exist)\n");
		else if (!o->name && !n)
			fprintf(OUT, "no monitors (create one with 'vsockmon-ctl up')\n");
	}
	if (v != &one)
		free(v);
	return EXIT_OK;
}

int run_version(const struct version_opts *o)
{
	struct module_facts mf;

	kmod_module_facts("vsockmon", &mf);
	if (o->json) {
		fprintf(OUT, "{\"tool\":\"%s\",\"module\":", VSOCKMON_VERSION);
		module_json(OUT, &mf);
		fprintf(OUT, "}\n");
	} else {
		fprintf(OUT, "%s %s\n", PROG_NAME, VSOCKMON_VERSION);
		module_text(OUT, &mf);
	}
	return EXIT_OK;
}
