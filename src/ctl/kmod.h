/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Module loading and module facts through libkmod (honours modprobe.d).
 */
#ifndef VSOCKMON_KMOD_H
#define VSOCKMON_KMOD_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

enum mod_state {
	MOD_ABSENT,	/* not loaded and not installed for this kernel */
	MOD_AVAILABLE,	/* installed, not loaded */
	MOD_LOADED,
	MOD_BUILTIN,
};

struct module_facts {
	enum mod_state state;
	char path[PATH_MAX];	/* file modprobe would load, "" if none */
	const char *origin;	/* see module_origin() */
	char version[64];	/* loaded: /sys/module/M/version; else modinfo */
	char srcversion[64];	/* of the loaded module */
	bool file_matches_loaded; /* path's srcversion == loaded srcversion */
	bool has_signature;	/* path carries a module signature */
	char signer[128];
};

/* "dkms", "in-tree", "updates", "extra", "built-in", "other", "none" */
const char *module_origin(const char *path, bool builtin);

/*
 * Load the module that provides rtnl kind "vsockmon" (alias
 * rtnl-link-vsockmon, then the name), the way modprobe would.
 * Returns 0, ENOENT if no such module is installed for the running kernel,
 * EPERM if blacklisted, or another positive errno; msg gets a readable reason.
 */
int kmod_load_vsockmon(char *msg, size_t msgsz);

/* Facts about one module by name (e.g. "vsockmon", "vsock_loopback"). */
int kmod_module_facts(const char *name, struct module_facts *mf);

/* The running kernel's release (uname -r). */
const char *kernel_release(void);

#endif
