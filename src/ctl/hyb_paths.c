// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Interposing on a Unix socket's name and giving it back. The original
 * keeps a second (hard) link, DIR/.BASE.vsockmon-orig, so that it can be
 * given back; we reach it through an O_PATH handle taken before anything
 * changed, never through a name. Ours is bound beside it under a random
 * name and renamed over PATH, so a connect() finds one or the other,
 * never nothing. link() failing with EEXIST is what keeps two captures
 * off one path.
 *
 * The directory belongs to the VMM's user, who may be hostile: every step
 * is relative to a directory descriptor, follows no symlink, changes no
 * mode or owner by name, and runs (hyb_as) with that user's rights when
 * we are root. A state file per capture, locked while it lives, in a
 * directory only we may write, says which paths a killed capture leaves
 * to repair, with the directory's and the original's identity so that a
 * repair can tell that nothing was swapped meanwhile.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <libmnl/libmnl.h>
#include <linux/openat2.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>

#include "ctl.h"
#include "hybrid.h"

#define TCP_LISTEN_STATE 10
#define HIDDEN_SUFFIX ".vsockmon-orig"
#define TMP_INFIX ".vsockmon-new."

const char *hyb_run_dir(void)
{
	static char dir[PATH_MAX];
	const char *env = getenv("VSOCKMON_RUN_DIR");

	/* whoever's it is, hyb_run_dir_open() refuses it unless it is ours */
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

/*
 * The run directory, made if missing, and refused as ssh-agent refuses
 * its own unless it is a directory of ours that nobody else may enter.
 */
int hyb_run_dir_open(bool create)
{
	const char *dir = hyb_run_dir();
	char parent[PATH_MAX];
	struct stat st;
	int fd;

	if (create) {
		snprintf(parent, sizeof(parent), "%s", dir);
		mkdir(dirname(parent), 0755);
		if (mkdir(dir, 0700) && errno != EEXIST)
			return -errno;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ELOOP ? -ENOTDIR : -errno;
	if (fstat(fd, &st)) {
		int err = -errno;

		close(fd);
		return err;
	}
	if (st.st_uid != geteuid() || (st.st_mode & 077)) {
		close(fd);
		return -EPERM;
	}
	return fd;
}

int hyb_dir_open(struct hyb_dir *d, const char *dir)
{
	struct open_how how = {
		.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_NO_SYMLINKS,
	};
	struct stat st;

	d->fd = -1;
	if (strlen(dir) >= sizeof(d->path))
		return -ENAMETOOLONG;
	/* dir is resolved already: a symlink in it now is a swap */
	d->fd = (int)syscall(SYS_openat2, AT_FDCWD, dir, &how, sizeof(how));
	if (d->fd < 0 && (errno == ENOSYS || errno == E2BIG))
		d->fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			     O_CLOEXEC);
	if (d->fd < 0)
		return -errno;
	if (fstat(d->fd, &st)) {
		int err = -errno;

		hyb_dir_close(d);
		return err;
	}
	snprintf(d->path, sizeof(d->path), "%s", dir);
	d->dev = st.st_dev;
	d->ino = st.st_ino;
	return 0;
}

void hyb_dir_close(struct hyb_dir *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

/*
 * Root's directory steps in a user's directory run with that user's
 * effective ids and groups; the saved set-user-ID brings root back.
 */
int hyb_as_enter(struct hyb_as *a, uid_t uid, gid_t gid)
{
	a->on = false;
	if (geteuid() != 0 || uid == 0)
		return 0;
	a->egid = getegid();
	a->ngroups = getgroups(HYB_MAX_GROUPS, a->groups);
	if (a->ngroups < 0)
		return -errno;
	if (setgroups(1, &gid) || setegid(gid) || seteuid(uid)) {
		int err = -errno;

		a->on = true;
		hyb_as_leave(a);
		return err;
	}
	a->on = true;
	return 0;
}

void hyb_as_leave(struct hyb_as *a)
{
	if (!a->on)
		return;
	/* cannot fail: the saved ids are root's */
	if (seteuid(0) || setegid(a->egid) ||
	    setgroups((size_t)a->ngroups, a->groups))
		ctl_msg("warning: cannot take back root's ids: %s",
			strerror(errno));
	a->on = false;
}

int hyb_hidden_name(const char *base, char *out, size_t sz)
{
	int n = snprintf(out, sz, ".%s" HIDDEN_SUFFIX, base);

	return n < 0 || (size_t)n >= sz || (size_t)n > NAME_MAX ?
		-ENAMETOOLONG : 0;
}

/* .BASE.vsockmon-new.<12 random hex digits>: nobody can lay it out first */
static int tmp_name(const char *base, char *out, size_t sz)
{
	unsigned char r[6];
	int n;

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		return -EIO;
	n = snprintf(out, sz, ".%s" TMP_INFIX "%02x%02x%02x%02x%02x%02x",
		     base, r[0], r[1], r[2], r[3], r[4], r[5]);
	return n < 0 || (size_t)n >= sz || (size_t)n > NAME_MAX ?
		-ENAMETOOLONG : 0;
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
	nl = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);
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

int hyb_listen_has(const struct hyb_listen_set *set, int dirfd,
		   const char *name)
{
	struct stat st;
	uint32_t ino, dev;
	size_t i;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW))
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

int hyb_listening_at(int dirfd, const char *name)
{
	struct hyb_listen_set set;
	struct stat st;
	int ret;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW))
		return -errno;
	if (!S_ISSOCK(st.st_mode))
		return 0;
	ret = hyb_listen_dump(&set);
	if (ret)
		return ret;
	ret = hyb_listen_has(&set, dirfd, name);
	hyb_listen_free(&set);
	return ret;
}

/* The directory and last name of path: split in place into d and b. */
static int split(const char *path, char *d, char *b, size_t sz)
{
	char t[PATH_MAX];

	if (strlen(path) >= sizeof(t) || strlen(path) >= sz)
		return -ENAMETOOLONG;
	strcpy(t, path);
	snprintf(d, sz, "%s", dirname(t));
	strcpy(t, path);
	snprintf(b, sz, "%s", basename(t));
	return 0;
}

int hyb_listening(const char *path)
{
	char d[PATH_MAX], b[PATH_MAX];
	int fd, ret;

	ret = split(path, d, b, sizeof(d));
	if (ret)
		return ret;
	fd = open(d, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = hyb_listening_at(fd, b);
	close(fd);
	return ret;
}

/* What a killed capture's repair must find again: see hyb_repair_stale. */
static int state_add(int state_fd, const struct hyb_dir *d, const char *base,
		     ino_t orig)
{
	if (state_fd < 0)
		return 0;
	return dprintf(state_fd, "%llu %llu %llu %s/%s\n",
		       (unsigned long long)d->dev, (unsigned long long)d->ino,
		       (unsigned long long)orig, d->path, base) < 0 ? -errno : 0;
}

/* "/proc/self/fd/N/name" or "/proc/self/fd/N": a name that is a handle */
static int fd_addr(struct sockaddr_un *sa, int fd, const char *name)
{
	int n;

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	n = snprintf(sa->sun_path, sizeof(sa->sun_path), "/proc/self/fd/%d%s%s",
		     fd, name ? "/" : "", name ? name : "");
	return n < 0 || (size_t)n >= sizeof(sa->sun_path) ? -ENAMETOOLONG : 0;
}

int hyb_connect_orig(int orig_fd)
{
	struct sockaddr_un sa;
	int fd, err;

	err = fd_addr(&sa, orig_fd, NULL);
	if (err)
		return err;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* a Unix connect does not wait: done, or -EAGAIN with the backlog full */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* Our listener, bound under a fresh name in dir with the original's mode. */
static int bind_tmp(const struct hyb_dir *d, const char *base,
		    const struct stat *orig, char *tmp, size_t sz)
{
	struct sockaddr_un sa;
	mode_t old;
	int fd, err, tries;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	for (tries = 0; tries < 8; tries++) {
		err = tmp_name(base, tmp, sz);
		if (!err)
			err = fd_addr(&sa, d->fd, tmp);
		if (err)
			break;
		/* the mode at creation: nothing to chmod by name after */
		old = umask(~orig->st_mode & 0777);
		err = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ? -errno : 0;
		umask(old);
		if (err != -EADDRINUSE)
			break;
	}
	if (!err && listen(fd, SOMAXCONN))
		err = -errno;
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

int hyb_interpose(const struct hyb_dir *d, const char *base, int state_fd,
		  struct hyb_taken *t, char *why, size_t sz)
{
	char hidden[NAME_MAX + 1], tmp[NAME_MAX + 1];
	struct stat st, hs;
	int fd, err, l;

	*why = '\0';
	t->orig_fd = -1;
	if (fstatat(d->fd, base, &st, AT_SYMLINK_NOFOLLOW))
		return -errno;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(why, sz, "not a Unix socket");
		return -ENOTSOCK;
	}
	l = hyb_listening_at(d->fd, base);
	if (l <= 0) {
		snprintf(why, sz, l == 0 ? "a Unix socket nobody listens on "
			 "(in this network namespace)" :
			 "cannot tell whether anybody listens on it: %s",
			 strerror(-l));
		return l == 0 ? -ECONNREFUSED : l;
	}
	if (hyb_hidden_name(base, hidden, sizeof(hidden)) ||
	    tmp_name(base, tmp, sizeof(tmp))) {
		snprintf(why, sz, "the name is too long for a second name "
			 "beside it");
		return -ENAMETOOLONG;
	}
	/* the handle we connect through: the original, whatever names do */
	t->orig_fd = openat(d->fd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (t->orig_fd < 0)
		return -errno;
	if (fstat(t->orig_fd, &hs) || !S_ISSOCK(hs.st_mode) ||
	    hs.st_ino != st.st_ino || hs.st_dev != st.st_dev) {
		snprintf(why, sz, "it changed while we looked");
		err = -ESTALE;
		goto undo_handle;
	}
	t->orig_ino = st.st_ino;
	err = state_add(state_fd, d, base, st.st_ino);
	if (err)
		goto undo_handle;
	if (linkat(d->fd, base, d->fd, hidden, 0)) {
		err = -errno;
		if (err == -EEXIST)
			snprintf(why, sz, "already interposed (%s/%s exists)",
				 d->path, hidden);
		else
			snprintf(why, sz, "cannot give it a second name (link "
				 "%s/%s: %s)", d->path, hidden, strerror(-err));
		goto undo_handle;
	}
	if (fstatat(d->fd, hidden, &hs, AT_SYMLINK_NOFOLLOW) ||
	    hs.st_ino != st.st_ino) {
		snprintf(why, sz, "it changed while we looked");
		err = -ESTALE;
		goto undo_link;
	}
	fd = bind_tmp(d, base, &st, tmp, sizeof(tmp));
	if (fd < 0) {
		err = fd;
		goto undo_link;
	}
	/* whoever could connect to the original can connect to ours */
	if (fchownat(d->fd, tmp, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) &&
	    errno != EPERM) {
		err = -errno;
		goto undo_tmp;
	}
	if (fstatat(d->fd, tmp, &hs, AT_SYMLINK_NOFOLLOW)) {
		err = -errno;
		goto undo_tmp;
	}
	t->ours = hs.st_ino;
	if (renameat(d->fd, tmp, d->fd, base)) {
		err = -errno;
		goto undo_tmp;
	}
	return fd;
undo_tmp:
	unlinkat(d->fd, tmp, 0);
	close(fd);
undo_link:
	unlinkat(d->fd, hidden, 0);
undo_handle:
	close(t->orig_fd);
	t->orig_fd = -1;
	return err;
}

int hyb_restore(const struct hyb_dir *d, const char *base,
		const struct hyb_taken *t)
{
	char hidden[NAME_MAX + 1];
	struct stat st, hs;
	bool keep_theirs;

	if (hyb_hidden_name(base, hidden, sizeof(hidden)))
		return -ENAMETOOLONG;
	if (fstatat(d->fd, hidden, &hs, AT_SYMLINK_NOFOLLOW))
		return errno == ENOENT ? 0 : -errno;
	/* not the original any more: not ours to move or remove */
	if (!S_ISSOCK(hs.st_mode) || (t->orig_ino && hs.st_ino != t->orig_ino))
		return -ESTALE;
	if (fstatat(d->fd, base, &st, AT_SYMLINK_NOFOLLOW))
		/* name removed: back if the original still listens */
		keep_theirs = hyb_listening_at(d->fd, hidden) != 1;
	else if (t->ours)
		keep_theirs = st.st_ino != t->ours;
	else
		/* a killed capture's listener answers nobody */
		keep_theirs = hyb_listening_at(d->fd, base) == 1;
	if (keep_theirs)
		return unlinkat(d->fd, hidden, 0) ? -errno : 0;
	return renameat(d->fd, hidden, d->fd, base) ? -errno : 0;
}

int hyb_state_open(int run_fd, char *name, size_t sz)
{
	int fd, tries;

	if ((size_t)snprintf(name, sz, "%ld.state", (long)getpid()) >= sz)
		return -ENAMETOOLONG;
	for (tries = 0; tries < 2; tries++) {
		fd = openat(run_fd, name, O_WRONLY | O_CREAT | O_EXCL |
			    O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0 || errno != EEXIST)
			break;
		/* a dead capture's with our pid (emptied after its drop) */
		unlinkat(run_fd, name, 0);
	}
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

struct state_line {
	unsigned long long dev, ino, orig;
	const char *path;
};

/* Calls cb for each line of each state file; live: locked. */
static int each_state(void (*cb)(const struct state_line *s, pid_t pid,
				 bool live, void *data), void *data, bool reap)
{
	struct dirent *e;
	int run_fd = hyb_run_dir_open(false);
	DIR *dir;

	if (run_fd < 0)
		return run_fd == -ENOENT ? 0 : run_fd;
	dir = fdopendir(run_fd);
	if (!dir) {
		close(run_fd);
		return -errno;
	}
	while ((e = readdir(dir))) {
		char line[PATH_MAX + 80];
		size_t n = strlen(e->d_name);
		struct stat st;
		bool live;
		FILE *f;
		int fd;

		if (n < 7 || strcmp(e->d_name + n - 6, ".state"))
			continue;
		fd = openat(run_fd, e->d_name, O_RDONLY | O_NOFOLLOW |
			    O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
		    st.st_uid != geteuid()) {
			close(fd);
			continue;
		}
		live = flock(fd, LOCK_SH | LOCK_NB) && errno == EWOULDBLOCK;
		f = fdopen(fd, "r");
		if (!f) {
			close(fd);
			continue;
		}
		while (fgets(line, sizeof(line), f)) {
			struct state_line s;
			int off = 0;

			line[strcspn(line, "\n")] = '\0';
			if (sscanf(line, "%llu %llu %llu %n", &s.dev, &s.ino,
				   &s.orig, &off) != 3 || !off ||
			    line[off] != '/')
				continue;	/* an older tool's: unverifiable */
			s.path = line + off;
			cb(&s, (pid_t)atol(e->d_name), live, data);
		}
		/* its lines are repaired: the file goes (dead owners only) */
		if (reap && !live)
			unlinkat(run_fd, e->d_name, 0);
		fclose(f);
	}
	closedir(dir);
	return 0;
}

struct owner_q {
	const char *path;
	pid_t pid;
};

static void owner_cb(const struct state_line *s, pid_t pid, bool live,
		     void *data)
{
	struct owner_q *q = data;

	if (live && !strcmp(s->path, q->path))
		q->pid = pid;
}

struct repair_q {
	bool quiet;
	int repaired, err;
};

static void repair_note(struct repair_q *q, const char *path, int err)
{
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

/*
 * Give base its original back in d, if the hidden name still is the
 * original (orig: its inode; 0 when no state file told). Done with the
 * rights of the hidden socket's owner: one user's leftovers can move
 * only what that user could.
 */
static void repair_at(const struct hyb_dir *d, const char *base,
		      ino_t orig, struct repair_q *q)
{
	struct hyb_taken t = { -1, orig, 0 };
	char hidden[NAME_MAX + 1], path[PATH_MAX * 2];
	struct hyb_as as;
	struct stat hs;
	int err;

	if (hyb_hidden_name(base, hidden, sizeof(hidden)) ||
	    fstatat(d->fd, hidden, &hs, AT_SYMLINK_NOFOLLOW) ||
	    !S_ISSOCK(hs.st_mode) || (orig && hs.st_ino != orig))
		return;
	snprintf(path, sizeof(path), "%s/%s", d->path, base);
	/*
	 * Both listening: a live capture whose state we cannot see (another
	 * user's run directory) stands between them. Leave it be.
	 */
	if (hyb_listening_at(d->fd, base) == 1 &&
	    hyb_listening_at(d->fd, hidden) == 1) {
		if (!q->err)
			q->err = -EBUSY;
		return;
	}
	err = hyb_as_enter(&as, hs.st_uid, hs.st_gid);
	if (!err) {
		/* our dead listener answers nobody: t.ours 0 asks sock_diag */
		err = hyb_restore(d, base, &t);
		hyb_as_leave(&as);
	}
	repair_note(q, path, err);
}

static void repair_one(const struct state_line *s, struct repair_q *q)
{
	char dn[PATH_MAX], bn[PATH_MAX];
	struct hyb_dir d;

	if (split(s->path, dn, bn, sizeof(dn)) || hyb_dir_open(&d, dn))
		return;
	/* the directory the capture worked in, not one swapped in since */
	if ((unsigned long long)d.dev != s->dev ||
	    (unsigned long long)d.ino != s->ino)
		repair_note(q, s->path, -ESTALE);
	else
		repair_at(&d, bn, (ino_t)s->orig, q);
	hyb_dir_close(&d);
}

static void repair_cb(const struct state_line *s, pid_t pid, bool live,
		      void *data)
{
	(void)pid;
	if (!live)
		repair_one(s, data);
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
	char dn[PATH_MAX], pre[PATH_MAX];
	const size_t sl = strlen(HIDDEN_SUFFIX);
	struct hyb_dir d;
	struct dirent *e;
	DIR *dir;
	int fd;

	if (split(only, dn, pre, sizeof(dn)) || hyb_dir_open(&d, dn))
		return;
	fd = dup(d.fd);
	dir = fd >= 0 ? fdopendir(fd) : NULL;
	if (!dir) {
		if (fd >= 0)
			close(fd);
		hyb_dir_close(&d);
		return;
	}
	while ((e = readdir(dir))) {
		size_t n = strlen(e->d_name);
		char name[NAME_MAX + 1];
		uint32_t port;

		if (e->d_name[0] != '.' || n <= sl + 1 ||
		    strcmp(e->d_name + n - sl, HIDDEN_SUFFIX))
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(n - sl - 1),
			 e->d_name + 1);
		if (strcmp(name, pre) && hyb_port_of_name(name, pre, &port))
			continue;
		repair_at(&d, name, 0, q);
	}
	closedir(dir);
	hyb_dir_close(&d);
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
