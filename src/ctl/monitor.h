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
 * Create NAME (kind vsockmon) with flags (IFF_UP or 0), loading the
 * module with libkmod if the kernel does not know the kind yet. Errors
 * are reported on stderr; returns 0 or a positive errno (EEXIST passes
 * through unreported).
 */
int mon_create(struct rtnl *r, const char *name, unsigned int flags);
int mon_set_flags(struct rtnl *r, int ifindex, bool up, const char *alias,
		  struct rtnl_err *e);
int mon_delete(struct rtnl *r, int ifindex, struct rtnl_err *e);
/*
 * Idempotent: create if absent, bring up. Reports errors itself. One
 * rtnetlink request when NAME is absent; a get and maybe a setlink else.
 */
int mon_up(struct rtnl *r, const char *name);

/*
 * Temporary monitors. Name "vsmcap<PID>" (or "vsmcap<PID>-<N>", N 1..9,
 * when a live owner in another PID namespace has the same PID).
 *
 * Ownership: the owner binds the abstract unix socket "@vsockmon-ctl/<name>"
 * before it creates the monitor and holds it until the monitor is gone.
 * Abstract sockets live in the network namespace, as the monitor does, so
 * every process that can see the monitor sees whether its owner lives,
 * whatever PID namespace either is in; the kernel releases the name when
 * the owner dies. A temporary monitor is stale when nobody holds its name
 * and its alias says it was made that way ("owner=socket").
 *
 * Monitors of older versions (alias "... pid=<PID> start=<STARTTIME>"
 * without owner=, STARTTIME field 22 of /proc/<PID>/stat) are judged as
 * they were: stale when PID is gone or now has another start time, or
 * (no alias yet) is not a process named vsockmon-ctl.
 */
#define TMPMON_PREFIX "vsmcap"
#define TMPMON_ALIAS "vsockmon-ctl temporary"
#define TMPMON_OWNER "owner=socket"
#define TMPMON_SOCK "vsockmon-ctl/"	/* abstract: "\0vsockmon-ctl/<name>" */

struct proc_probe {
	/* Returns false if pid does not exist; else fills starttime/comm. */
	bool (*lookup)(pid_t pid, unsigned long long *starttime, char *comm,
		       size_t commsz, void *data);
	void *data;
	/* Does a live process hold name's owner socket? NULL: nobody. */
	bool (*held)(const char *name);
};

/*
 * Bind name's owner socket. Returns the fd (close it to let go), or
 * -errno: -EADDRINUSE when a live owner holds it.
 */
int tmpmon_claim(const char *name);
bool tmpmon_held(const char *name);
/*
 * Pick this process's temporary monitor name and claim it: "vsmcap<PID>",
 * else the first of "vsmcap<PID>-1".."-9" nobody holds. Returns the fd
 * or -errno.
 */
int tmpmon_claim_name(pid_t pid, char *name, size_t sz);
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

/*
 * Create + alias + up a temporary monitor for this process. *owner_fd
 * gets the owner socket: keep it open until the monitor is deleted.
 */
int tmpmon_create(struct rtnl *r, char *name, size_t namesz, int *ifindex,
		  int *owner_fd);

/*
 * This running kernel can never have a vsockmon (no module support and
 * none built in): true, with the sentence that says so in buf.
 */
bool mon_kernel_never(char *buf, size_t sz);

#endif
