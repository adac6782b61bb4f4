// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Monitor lifecycle on top of rtnl.c, and temporary monitor bookkeeping.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "ctl.h"
#include "kmod.h"
#include "modsit.h"
#include "monitor.h"

static int get_cb(const struct nlmsghdr *nlh, void *data)
{
	return rtnl_parse_link(nlh, data);
}

int mon_get(struct rtnl *r, const char *name, struct link_info *li,
	    struct rtnl_err *e)
{
	struct nlmsghdr *req = rtnl_req_getlink(rtnl_buf(r), rtnl_next_seq(r),
						name);
	int err = rtnl_talk(r, req, get_cb, li, e);

	if (err)
		return err;
	if (!link_is_vsockmon(li)) {
		e->err = EMEDIUMTYPE;
		return e->err;
	}
	return 0;
}

struct list_ctx {
	struct link_info *v;
	size_t n, cap;
	int err;
};

static int list_cb(const struct nlmsghdr *nlh, void *data)
{
	struct list_ctx *c = data;
	struct link_info li;

	if (rtnl_parse_link(nlh, &li) || !link_is_vsockmon(&li))
		return 0;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 8;
		struct link_info *v = realloc(c->v, cap * sizeof(*v));

		if (!v)
			return ENOMEM;
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n++] = li;
	return 0;
}

int mon_list(struct rtnl *r, struct link_info **out, size_t *n,
	     struct rtnl_err *e)
{
	struct list_ctx c = { 0 };
	struct nlmsghdr *req = rtnl_req_getlink(rtnl_buf(r), rtnl_next_seq(r),
						NULL);
	int err = rtnl_talk(r, req, list_cb, &c, e);

	if (err) {
		free(c.v);
		return err;
	}
	*out = c.v;
	*n = c.n;
	return 0;
}

static int try_create(struct rtnl *r, const char *name, unsigned int flags,
		      struct rtnl_err *e)
{
	struct nlmsghdr *req = rtnl_req_newlink(rtnl_buf(r), rtnl_next_seq(r),
						name, VSOCKMON_KIND, flags);

	return rtnl_talk(r, req, NULL, NULL, e);
}

bool mon_kernel_never(char *buf, size_t sz)
{
	struct modsit_facts f;
	enum modsit m;

	modsit_gather("/", kernel_release(), &f);
	m = modsit_classify(&f);
	if (m != MODSIT_NO_MODULES)
		return false;
	modsit_explain(m, &f, kernel_release(), VSOCKMON_VERSION, buf, sz);
	return true;
}

/* The kernel does not know kind vsockmon: say why, and what would help. */
static void explain_no_kind(const char *name, int err, const struct rtnl_err *e)
{
	struct modsit_facts f;
	char msg[1024];

	/* the explanation first: the kernel's errno is only the symptom */
	modsit_gather("/", kernel_release(), &f);
	modsit_explain(modsit_classify(&f), &f, kernel_release(),
		       VSOCKMON_VERSION, msg, sizeof(msg));
	ctl_msg("%s", msg);
	ctl_error("create", name, err, e->msg);
}

int mon_create(struct rtnl *r, const char *name, unsigned int flags)
{
	struct rtnl_err e;
	char msg[256];
	int err, kerr;

	err = try_create(r, name, flags, &e);
	/* Unknown kind: the kernel could not autoload the module itself. */
	if (err == EOPNOTSUPP) {
		if (access("/proc/modules", F_OK)) {	/* nothing to load */
			explain_no_kind(name, err, &e);
			return err;
		}
		kerr = kmod_load_vsockmon(msg, sizeof(msg));
		if (kerr == ENOENT) {
			explain_no_kind(name, err, &e);
			return ENOENT;
		}
		if (kerr) {
			ctl_msg("create %s: %s", name, msg);
			return kerr;
		}
		err = try_create(r, name, flags, &e);
	}
	if (err && err != EEXIST) {
		ctl_error("create", name, err, e.msg);
		if (err == EPERM && !e.msg[0])
			ctl_msg("creating a monitor needs CAP_NET_ADMIN (run as root, "
				"in the initial user namespace)");
	}
	return err;
}

int mon_set_flags(struct rtnl *r, int ifindex, bool up, const char *alias,
		  struct rtnl_err *e)
{
	struct nlmsghdr *req = rtnl_req_setlink(rtnl_buf(r), rtnl_next_seq(r),
						ifindex, up ? IFF_UP : 0,
						IFF_UP, alias);

	return rtnl_talk(r, req, NULL, NULL, e);
}

int mon_delete(struct rtnl *r, int ifindex, struct rtnl_err *e)
{
	struct nlmsghdr *req = rtnl_req_dellink(rtnl_buf(r), rtnl_next_seq(r),
						ifindex);

	return rtnl_talk(r, req, NULL, NULL, e);
}

int mon_up(struct rtnl *r, const char *name)
{
	struct link_info li;
	struct rtnl_err e;
	int err;

	/* Absent, the usual case: created and up in one request. */
	err = mon_create(r, name, IFF_UP);
	if (err != EEXIST)
		return err;
	err = mon_get(r, name, &li, &e);
	if (err == EMEDIUMTYPE) {
		ctl_msg("up %s: exists but is not a vsockmon device (kind '%s')",
			name, li.kind[0] ? li.kind : "none");
		return err;
	}
	if (err) {
		ctl_error("query", name, err, e.msg);
		return err;
	}
	if (li.flags & IFF_UP)
		return 0;
	err = mon_set_flags(r, li.ifindex, true, NULL, &e);
	if (err)
		ctl_error("set up", name, err, e.msg);
	return err;
}

void tmpmon_name(char *buf, size_t sz, pid_t pid)
{
	snprintf(buf, sz, TMPMON_PREFIX "%ld", (long)pid);
}

void tmpmon_alias(char *buf, size_t sz, pid_t pid, unsigned long long start)
{
	snprintf(buf, sz, TMPMON_ALIAS " pid=%ld start=%llu " TMPMON_OWNER,
		 (long)pid, start);
}

/* "<pid>" or "<pid>-<1..9>", pid without leading zeros */
bool tmpmon_parse(const struct link_info *li, pid_t *pid)
{
	const char *p = li->name + strlen(TMPMON_PREFIX);
	char digits[IFNAMSIZ];
	size_t n = strspn(p, "0123456789");
	uint64_t v;

	if (!link_is_vsockmon(li) ||
	    strncmp(li->name, TMPMON_PREFIX, strlen(TMPMON_PREFIX)) ||
	    *p < '1' || *p > '9' || n >= sizeof(digits))
		return false;
	if (p[n] && (p[n] != '-' || p[n + 1] < '1' || p[n + 1] > '9' ||
		     p[n + 2]))
		return false;
	snprintf(digits, sizeof(digits), "%.*s", (int)n, p);
	if (!parse_u64(digits, 0x7fffffff, &v))
		return false;
	*pid = (pid_t)v;
	return true;
}

int tmpmon_claim(const char *name)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd, len;

	/* sun_path[0] = '\0': abstract, scoped by the network namespace */
	len = snprintf(a.sun_path + 1, sizeof(a.sun_path) - 1, TMPMON_SOCK "%s",
		       name);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&a,
		 (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len))) {
		int err = errno;

		close(fd);
		return -err;
	}
	return fd;
}

/* Unsure (no sockets at all?) counts as held: never delete on a doubt. */
bool tmpmon_held(const char *name)
{
	int fd = tmpmon_claim(name);

	if (fd < 0)
		return true;
	close(fd);
	return false;
}

int tmpmon_claim_name(pid_t pid, char *name, size_t sz)
{
	int fd = -EADDRINUSE, k;

	for (k = 0; k <= 9 && fd == -EADDRINUSE; k++) {
		if (k)
			snprintf(name, sz, TMPMON_PREFIX "%ld-%d", (long)pid, k);
		else
			tmpmon_name(name, sz, pid);
		fd = tmpmon_claim(name);
	}
	return fd;
}

bool tmpmon_is_stale(const struct link_info *li, const struct proc_probe *pp)
{
	unsigned long long start = 0, astart;
	char comm[64] = "";
	long apid;
	pid_t pid;

	if (!tmpmon_parse(li, &pid))
		return false;
	/* Its owner, in whatever PID namespace, holds the name: in use. */
	if (pp->held && pp->held(li->name))
		return false;
	if (strstr(li->alias, TMPMON_OWNER))
		return true;
	/* An older version's monitor, or one without its alias yet. */
	if (!pp->lookup(pid, &start, comm, sizeof(comm), pp->data))
		return true;	/* owner is gone */
	if (sscanf(li->alias, TMPMON_ALIAS " pid=%ld start=%llu", &apid,
		   &astart) == 2)
		return apid != pid || astart != start;
	/* No alias (killed right after creation): go by the process name. */
	return strcmp(comm, PROG_NAME) != 0;
}

bool proc_lookup(pid_t pid, unsigned long long *starttime, char *comm,
		 size_t commsz, void *data)
{
	char path[64], buf[1024], *p;
	ssize_t n;
	int fd, i;

	(void)data;
	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	/* "pid (comm) state ..." - comm may hold spaces and parentheses. */
	p = strchr(buf, '(');
	if (p) {
		char *q = strrchr(buf, ')');

		if (q && q > p) {
			snprintf(comm, commsz, "%.*s", (int)(q - p - 1), p + 1);
			p = q + 2;	/* field 3 */
			for (i = 3; i < 22 && p; i++) {
				p = strchr(p, ' ');
				if (p)
					p++;
			}
			if (p)
				*starttime = strtoull(p, NULL, 10);
		}
	}
	return true;
}

const struct proc_probe proc_probe_real = { proc_lookup, NULL, tmpmon_held };

/* For a caller that holds the name itself. */
static const struct proc_probe proc_probe_unheld = { proc_lookup, NULL, NULL };

int tmpmon_reap(struct rtnl *r, bool verbose)
{
	struct link_info *v = NULL;
	struct rtnl_err e;
	size_t n, i;
	int err, count = 0;

	err = mon_list(r, &v, &n, &e);
	if (err)
		return -err;
	for (i = 0; i < n; i++) {
		bool stale;
		pid_t pid;
		int fd;

		if (!tmpmon_parse(&v[i], &pid))
			continue;
		/* Hold its name while deciding and deleting: no owner can start. */
		fd = tmpmon_claim(v[i].name);
		if (fd < 0)
			continue;
		stale = tmpmon_is_stale(&v[i], &proc_probe_unheld);
		err = stale ? mon_delete(r, v[i].ifindex, &e) : 0;
		close(fd);
		if (!stale)
			continue;
		if (err && err != ENODEV) {
			ctl_error("remove stale monitor", v[i].name, err, e.msg);
			continue;
		}
		if (verbose)
			ctl_msg("removed stale temporary monitor %s", v[i].name);
		count++;
	}
	free(v);
	return count;
}

/*
 * name exists though we hold its owner socket: a dead owner's leftover,
 * unless an older version's live capture made it. Remove the leftover.
 */
static int clear_leftover(struct rtnl *r, const char *name)
{
	struct link_info li;
	struct rtnl_err e;
	int err;

	err = mon_get(r, name, &li, &e);
	if (err == ENODEV)
		return 0;
	if (err || !tmpmon_is_stale(&li, &proc_probe_unheld))
		return EEXIST;
	err = mon_delete(r, li.ifindex, &e);
	return err && err != ENODEV ? err : 0;
}

int tmpmon_create(struct rtnl *r, char *name, size_t namesz, int *ifindex,
		  int *owner_fd)
{
	unsigned long long start = 0;
	struct link_info li;
	struct rtnl_err e;
	char alias[128], comm[64];
	pid_t pid = getpid();
	int err, fd;

	*owner_fd = -1;
	fd = tmpmon_claim_name(pid, name, namesz);
	if (fd < 0) {
		ctl_msg("temporary monitor for pid %ld: cannot claim a name "
			"(%s); use an existing monitor with -i NAME", (long)pid,
			strerror(-fd));
		return -fd;
	}
	*owner_fd = fd;
	err = mon_create(r, name, 0);
	if (err == EEXIST) {
		err = clear_leftover(r, name);
		if (!err)
			err = mon_create(r, name, 0);
		if (err == EEXIST)
			ctl_msg("create %s: exists and is not ours to take over; "
				"use -i NAME", name);
	}
	if (err)
		return err;
	err = mon_get(r, name, &li, &e);
	if (err) {
		ctl_error("query", name, err, e.msg);
		return err;
	}
	*ifindex = li.ifindex;
	proc_lookup(pid, &start, comm, sizeof(comm), NULL);
	tmpmon_alias(alias, sizeof(alias), pid, start);
	err = mon_set_flags(r, li.ifindex, true, alias, &e);
	if (err) {
		/* Some kernels refuse the alias; the owner socket still counts. */
		err = mon_set_flags(r, li.ifindex, true, NULL, &e);
	}
	if (err)
		ctl_error("set up", name, err, e.msg);
	return err;
}
