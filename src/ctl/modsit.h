/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which vsockmon this kernel can have, from files alone (no libkmod), so
 * that doctor, up and capture name the real situation, and tests can
 * build every situation as a directory tree.
 */
#ifndef VSOCKMON_MODSIT_H
#define VSOCKMON_MODSIT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

struct modsit_facts {
	bool module_support;	/* /proc/modules exists */
	bool loaded;		/* a loadable vsockmon is in the kernel */
	bool builtin;		/* vsockmon is built into the kernel */
	char version[64];	/* /sys/module/vsockmon/version; "" upstream */
	char ours[PATH_MAX];	/* our .ko for this kernel (updates/, extra/) */
	char intree[PATH_MAX];	/* the kernel's own .ko (kernel/drivers/net/) */
	char refused_by[PATH_MAX]; /* modprobe.d file refusing vsockmon, or "" */
};

enum modsit {
	MODSIT_OURS_LOADED,	/* (a) our module loaded */
	MODSIT_INTREE_LOADED,	/* the in-tree driver loaded: unsafe */
	MODSIT_OURS_BUILTIN,	/* (b) ours built into the kernel */
	MODSIT_INTREE_BUILTIN,	/* upstream vsockmon built in: unsafe */
	MODSIT_NO_MODULES,	/* (c) no module support, nothing built in */
	MODSIT_OURS_AVAILABLE,	/* ours installed, loads on first use */
	MODSIT_NOT_BUILT,	/* (d) ours not built, the in-tree .ko exists */
	MODSIT_NOTHING,		/* (e) no vsockmon at all */
};

/* Read the facts under root ("/" or a test tree) for kernel release krel. */
void modsit_gather(const char *root, const char *krel, struct modsit_facts *f);
/* Pure. */
enum modsit modsit_classify(const struct modsit_facts *f);
/*
 * One sentence for the user: what is there, and what to do if that is
 * not enough. Returns the doctor level: "OK", "WARN" or "FAIL".
 */
const char *modsit_explain(enum modsit m, const struct modsit_facts *f,
			   const char *krel, const char *tool_version,
			   char *buf, size_t sz);
/*
 * Kernel release krel's vhost transport hands the tap, for packets it
 * splits, frames longer than their header says (fixed upstream in 2026-05,
 * backported to 6.12.90, 6.18.32 and 7.0.9; never in 6.1.y): true.
 */
bool modsit_split_tap_bug(const char *krel);

#endif
