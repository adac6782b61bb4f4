/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Monitor devices: find, list, create (with module autoload), bring up,
 * delete; and the temporary monitors that `capture` and `top` make.
 */
#ifndef VSOCKMON_MONITOR_H
#define VSOCKMON_MONITOR_H

#include <stdbool.h>
#include <sys/types.h>
#include "rtnl.h"

/* ENODEV if absent; EMEDIUMTYPE if NAME exists but is not a vsockmon. */
int mon_get(struct rtnl *r, const char *name, struct link_info *li,
	    struct rtnl_err *e);
/* Every vsockmon link in this network namespace; *out malloc'ed. */
int mon_list(struct rtnl *r, struct link_info **out, size_t *n,
	     struct rtnl_err *e);
/*
 * Create NAME (kind vsockmon), loading the module with libkmod if the
 * kernel does not know the kind yet. Errors are reported on stderr;
 * returns 0 or a positive errno (EEXIST passes through unreported).
 */
int mon_create(struct rtnl *r, const char *name);
int mon_set_flags(struct rtnl *r, int ifindex, bool up, const char *alias,
		  struct rtnl_err *e);
int mon_delete(struct rtnl *r, int ifindex, struct rtnl_err *e);
/* Idempotent: create if absent, bring up. Reports errors itself. */
int mon_up(struct rtnl *r, const char *name, struct link_info *li);

/*
 * Temporary monitors. Name "vsmcap<PID>"; alias
 * "vsockmon-ctl temporary pid=<PID> start=<STARTTIME>", where STARTTIME is
 * field 22 of /proc/<PID>/stat (clock ticks since boot), which tells a
 * live owner from a recycled PID. A temporary monitor is stale when its
 * owner process is gone, or PID now belongs to a process with another
 * start time, or (no alias yet) to a process not named vsockmon-ctl.
 */
#define TMPMON_PREFIX "vsmcap"
#define TMPMON_ALIAS "vsockmon-ctl temporary"

struct proc_probe {
	/* Returns false if pid does not exist; else fills starttime/comm. */
	bool (*lookup)(pid_t pid, unsigned long long *starttime, char *comm,
		       size_t commsz, void *data);
	void *data;
};

void tmpmon_name(char *buf, size_t sz, pid_t pid);
void tmpmon_alias(char *buf, size_t sz, pid_t pid, unsigned long long start);
/* Is li one of ours? Sets *pid. */
bool tmpmon_parse(const struct link_info *li, pid_t *pid);
bool tmpmon_is_stale(const struct link_info *li, const struct proc_probe *pp);
bool proc_lookup(pid_t pid, unsigned long long *starttime, char *comm,
		 size_t commsz, void *data);
extern const struct proc_probe proc_probe_real;

/* Remove every stale temporary monitor; returns how many, or -errno. */
int tmpmon_reap(struct rtnl *r, bool verbose);

/* Create + alias + up a temporary monitor for this process. */
int tmpmon_create(struct rtnl *r, char *name, size_t namesz, int *ifindex);

#endif
