// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Interposing on a Unix socket's name and giving it back. The original
 * keeps a second (hard) link, DIR/.BASE.vsockmon-orig, through which we
 * reach it; ours is bound beside it and renamed over PATH, so a connect()
 * finds one or the other, never nothing. link() failing with EEXIST is
 * what keeps two captures off one path. A state file per capture, locked
 * while it lives, says which paths a killed capture leaves to repair.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <libmnl/libmnl.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>

#include "ctl.h"
#include "hybrid.h"

#define TCP_LISTEN_STATE 10

const char *hyb_run_dir(void)
{
	static char dir[PATH_MAX];
	const char *env = getenv("VSOCKMON_RUN_DIR");

	if (env && *env)
		snprintf(dir, sizeof(dir), "%s", env);
	else if (geteuid() == 0)
		snprintf(dir, sizeof(dir), "/run/vsockmon/hybrid");
	else if ((env = getenv("XDG_RUNTIME_DIR")) && *env)
		snprintf(dir, sizeof(dir), "%s/vsockmon-hybrid", env);
	else
		snprintf(dir, sizeof(dir), "/tmp/vsockmon-hybrid-%u",
			 (unsigned int)geteuid());
	return dir;
}

/* DIR/.BASE<suffix>; -ENAMETOOLONG when it would not fit a sun_path. */
static int side_name(const char *path, const char *suffix, char *out,
		     size_t sz)
{
	char d[PATH_MAX], b[PATH_MAX];
	int n;

	if (strlen(path) >= sizeof(d))
		return -ENAMETOOLONG;
	strcpy(d, path);
	strcpy(b, path);
	n = snprintf(out, sz, "%s/.%s%s", dirname(d), basename(b), suffix);
	if (n < 0 || (size_t)n >= sz ||
	    (size_t)n >= sizeof(((struct sockaddr_un *)0)->sun_path))
		return -ENAMETOOLONG;
	return 0;
}

int hyb_hidden_name(const char *path, char *out, size_t sz)
{
	return side_name(path, ".vsockmon-orig", out, sz);
}

static int tmp_name(const char *path, char *out, size_t sz)
{
	return side_name(path, ".vsockmon-new", out, sz);
}

static int diag_cb(const struct nlmsghdr *nlh, void *data)
{
	struct hyb_listen_set *set = data;
	const struct unix_diag_msg *m = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(*m)) {
		const struct unix_diag_vfs *v;
		void *grown;

		if (mnl_attr_get_type(a) != UNIX_DIAG_VFS ||
		    mnl_attr_get_payload_len(a) < sizeof(*v))
			continue;
		v = mnl_attr_get_payload(a);
		grown = realloc(set->v, (set->n + 1) * sizeof(*set->v));
		if (!grown)
			return MNL_CB_ERROR;
		set->v = grown;
		set->v[set->n].ino = v->udiag_vfs_ino;
		set->v[set->n].dev = v->udiag_vfs_dev;
		set->n++;
	}
	return MNL_CB_OK;
}

int hyb_listen_dump(struct hyb_listen_set *set)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct unix_diag_req *req;
	unsigned int seq = 1;
	int ret, err = 0;

	set->v = NULL;
	set->n = 0;
	nl = mnl_socket_open(NETLINK_SOCK_DIAG);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		goto out;
	}
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = AF_UNIX;
	req->udiag_states = 1u << TCP_LISTEN_STATE;
	req->udiag_show = UDIAG_SHOW_VFS;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		err = -errno;
		goto out;
	}
	for (;;) {
		ret = (int)mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (ret <= 0) {
			err = ret < 0 ? -errno : -EIO;
			break;
		}
		ret = mnl_cb_run(buf, (size_t)ret, seq,
				 mnl_socket_get_portid(nl), diag_cb, set);
		if (ret <= MNL_CB_STOP) {
			if (ret < 0)
				err = errno ? -errno : -ENOMEM;
			break;
		}
	}
out:
	mnl_socket_close(nl);
	if (err)
		hyb_listen_free(set);
	return err;
}

void hyb_listen_free(struct hyb_listen_set *set)
{
	free(set->v);
	set->v = NULL;
	set->n = 0;
}

int hyb_listen_has(const struct hyb_listen_set *set, const char *path)
{
	struct stat st;
	uint32_t ino, dev;
	size_t i;

	if (stat(path, &st))
		return -errno;
	if (!S_ISSOCK(st.st_mode))
		return 0;
	ino = (uint32_t)st.st_ino;
	/* the kernel reports sb->s_dev, not the encoding stat() gives */
	dev = (uint32_t)((major(st.st_dev) << 20) | minor(st.st_dev));
	for (i = 0; i < set->n; i++)
		if (set->v[i].ino == ino && set->v[i].dev == dev)
			return 1;
	return 0;
}

int hyb_listening(const char *path)
{
	struct hyb_listen_set set;
	struct stat st;
	int ret;

	if (stat(path, &st))
		return -errno;
	if (!S_ISSOCK(st.st_mode))
		return 0;
	ret = hyb_listen_dump(&set);
	if (ret)
		return ret;
	ret = hyb_listen_has(&set, path);
	hyb_listen_free(&set);
	return ret;
}

static int state_add(int state_fd, const char *path)
{
	if (state_fd < 0)
		return 0;
	return dprintf(state_fd, "%s\n", path) < 0 ? -errno : 0;
}

int hyb_interpose(const char *path, int state_fd, ino_t *ino, char *why,
		  size_t sz)
{
	char hidden[PATH_MAX], tmp[PATH_MAX];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, err, l;

	*why = '\0';
	if (lstat(path, &st))
		return -errno;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(why, sz, "not a Unix socket");
		return -ENOTSOCK;
	}
	l = hyb_listening(path);
	if (l <= 0) {
		snprintf(why, sz, l == 0 ? "a Unix socket nobody listens on "
			 "(in this network namespace)" :
			 "cannot tell whether anybody listens on it: %s",
			 strerror(-l));
		return l == 0 ? -ECONNREFUSED : l;
	}
	if (hyb_hidden_name(path, hidden, sizeof(hidden)) ||
	    tmp_name(path, tmp, sizeof(tmp))) {
		snprintf(why, sz, "the path is too long for a second name "
			 "beside it (%zu bytes at most)",
			 sizeof(sa.sun_path) - 1 - 15);
		return -ENAMETOOLONG;
	}
	err = state_add(state_fd, path);
	if (err)
		return err;
	if (link(path, hidden)) {
		err = -errno;
		if (err == -EEXIST)
			snprintf(why, sz, "already interposed (%s exists)",
				 hidden);
		else
			snprintf(why, sz, "cannot give it a second name (link "
				 "%s: %s)", hidden, strerror(-err));
		return err;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = -errno;
		goto undo_link;
	}
	strcpy(sa.sun_path, tmp);
	unlink(tmp);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 128)) {
		err = -errno;
		goto undo_sock;
	}
	/* whoever could connect to the original can connect to ours */
	if (chmod(tmp, st.st_mode & 07777) ||
	    (lchown(tmp, st.st_uid, st.st_gid) && errno != EPERM)) {
		err = -errno;
		goto undo_tmp;
	}
	if (lstat(tmp, &st)) {
		err = -errno;
		goto undo_tmp;
	}
	*ino = st.st_ino;
	if (rename(tmp, path)) {
		err = -errno;
		goto undo_tmp;
	}
	return fd;
undo_tmp:
	unlink(tmp);
undo_sock:
	close(fd);
undo_link:
	unlink(hidden);
	return err;
}

int hyb_restore(const char *path, ino_t ours)
{
	char hidden[PATH_MAX];
	struct stat st, hs;
	bool keep_theirs;

	if (hyb_hidden_name(path, hidden, sizeof(hidden)))
		return -ENAMETOOLONG;
	if (lstat(hidden, &hs))
		return errno == ENOENT ? 0 : -errno;
	if (lstat(path, &st))
		/* name removed: back if the original still listens */
		keep_theirs = hyb_listening(hidden) != 1;
	else if (ours)
		keep_theirs = st.st_ino != ours;
	else
		/* a killed capture's listener answers nobody */
		keep_theirs = hyb_listening(path) == 1;
	if (keep_theirs)
		return unlink(hidden) ? -errno : 0;
	return rename(hidden, path) ? -errno : 0;
}

int hyb_state_open(char *name, size_t sz)
{
	const char *dir = hyb_run_dir();
	char parent[PATH_MAX];
	int fd;

	snprintf(parent, sizeof(parent), "%s", dir);
	mkdir(dirname(parent), 0755);
	if (mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	if ((size_t)snprintf(name, sz, "%s/%ld.state", dir,
			     (long)getpid()) >= sz)
		return -ENAMETOOLONG;
	fd = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC,
		  0600);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* Calls cb(path, data) for each line of each state file; live: locked. */
static int each_state(void (*cb)(const char *state, const char *path,
				 pid_t pid, bool live, void *data), void *data,
		      bool reap)
{
	const char *dir = hyb_run_dir();
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d))) {
		char name[PATH_MAX], line[PATH_MAX + 2];
		size_t n = strlen(e->d_name);
		bool live;
		FILE *f;
		int fd;

		if (n < 7 || strcmp(e->d_name + n - 6, ".state"))
			continue;
		snprintf(name, sizeof(name), "%s/%s", dir, e->d_name);
		fd = open(name, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		live = flock(fd, LOCK_SH | LOCK_NB) && errno == EWOULDBLOCK;
		f = fdopen(fd, "r");
		if (!f) {
			close(fd);
			continue;
		}
		while (fgets(line, sizeof(line), f)) {
			line[strcspn(line, "\n")] = '\0';
			if (*line)
				cb(name, line, (pid_t)atol(e->d_name), live,
				   data);
		}
		/* its lines are repaired: the file goes (dead owners only) */
		if (reap && !live)
			unlink(name);
		fclose(f);
	}
	closedir(d);
	return 0;
}

struct owner_q {
	const char *path;
	pid_t pid;
};

static void owner_cb(const char *state, const char *path, pid_t pid,
		     bool live, void *data)
{
	struct owner_q *q = data;

	(void)state;
	if (live && !strcmp(path, q->path))
		q->pid = pid;
}

struct repair_q {
	bool quiet;
	int repaired, err;
};

static void repair_one(const char *path, struct repair_q *q)
{
	char hidden[PATH_MAX], tmp[PATH_MAX];
	struct stat st;
	int err;

	if (hyb_hidden_name(path, hidden, sizeof(hidden)) ||
	    tmp_name(path, tmp, sizeof(tmp)))
		return;
	if (lstat(hidden, &st))
		return;
	/*
	 * Both listening: a live capture whose state we cannot see (another
	 * user's run directory) stands between them. Leave it be.
	 */
	if (hyb_listening(path) == 1 && hyb_listening(hidden) == 1) {
		if (!q->err)
			q->err = -EBUSY;
		return;
	}
	unlink(tmp);
	/* our dead listener answers nobody: ino 0 asks hyb_listening */
	err = hyb_restore(path, 0);
	if (err && !q->err)
		q->err = err;
	if (!err)
		q->repaired++;
	if (!q->quiet)
		fprintf(stderr, "%s: %s %s (left by a capture that was "
			"killed)%s%s\n", PROG_NAME, err ? "could not repair" :
			"repaired", path, err ? ": " : "",
			err ? strerror(-err) : "");
}

static void repair_cb(const char *state, const char *path, pid_t pid,
		      bool live, void *data)
{
	struct repair_q *q = data;

	(void)state;
	(void)pid;
	if (live)
		return;
	repair_one(path, q);
}

pid_t hyb_owner(const char *path)
{
	struct owner_q q = { path, 0 };

	each_state(owner_cb, &q, false);
	return q.pid;
}

/* Hidden names beside only: its own and its PATH_P siblings'. */
static void repair_siblings(const char *only, struct repair_q *q)
{
	char d[PATH_MAX], b[PATH_MAX], path[PATH_MAX];
	const char *pre, *dn, *suf = ".vsockmon-orig";
	struct dirent *e;
	DIR *dir;

	snprintf(d, sizeof(d), "%s", only);
	snprintf(b, sizeof(b), "%s", only);
	dn = dirname(d);
	dir = opendir(dn);
	if (!dir)
		return;
	pre = basename(b);
	while ((e = readdir(dir))) {
		size_t n = strlen(e->d_name), sl = strlen(suf);
		char name[NAME_MAX + 1];
		uint32_t port;

		if (e->d_name[0] != '.' || n <= sl + 1 ||
		    strcmp(e->d_name + n - sl, suf))
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(n - sl - 1),
			 e->d_name + 1);
		if (strcmp(name, pre) && hyb_port_of_name(name, pre, &port))
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dn, name) <
		    sizeof(path))
			repair_one(path, q);
	}
	closedir(dir);
}

int hyb_repair_stale(const char *only, bool quiet)
{
	struct repair_q q = { quiet, 0, 0 };
	int err;

	if (only && hyb_owner(only))
		return -EBUSY;
	/* every dead capture's paths: its state file goes when read */
	err = each_state(repair_cb, &q, true);
	if (err)
		return err;
	/* no state file (its directory was emptied, another user's) */
	if (only)
		repair_siblings(only, &q);
	return q.err ? q.err : q.repaired;
}
