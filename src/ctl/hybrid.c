// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The hybrid vsock relay: one epoll loop that accepts on our listeners
 * (PATH and every PATH_P), connects each accepted socket to the original
 * listener through its hidden name, and copies bytes both ways. A chunk is
 * read once into a buffer with room for the frame header in front of it,
 * handed to the recorder as it is, and written on from the same buffer:
 * bytes go out in the order they came, each once, and a direction reads
 * nothing new until its last chunk is written. When the capture stops the
 * names go back at once and a detached child relays what is still open.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>

#include <linux/vsockmon.h>

#include "ctl.h"
#include "frame.h"
#include "hybrid.h"
#include "source.h"

#define CHUNK 65536
#define RESCAN_S 0.1	/* how soon a new PATH_P listener is interposed */

enum ep_kind { EP_LISTENER, EP_CONN };

struct ep {
	enum ep_kind kind;
	void *obj;
	int side;
};

struct listener {
	struct ep ep;
	int fd;
	bool guest;		/* a PATH_P: the guest connects through it */
	uint32_t port;		/* P */
	ino_t ino;		/* ours, at path */
	char path[PATH_MAX];
	struct listener *next;
};

/* bytes read from fd[side], written to fd[!side] */
struct flow {
	uint8_t *buf;		/* AF_HDR_LEN free bytes, then CHUNK */
	size_t off, len;	/* still to write: buf + AF_HDR_LEN + off */
	bool eof, shut;
	bool line_done;		/* the handshake line, host-initiated only */
	size_t line_len;
	char line[HYB_LINE_MAX];
};

struct conn {
	struct ep ep[2];
	int fd[2];		/* [0] connected to us, [1] ours to the original */
	struct flow f[2];
	bool guest_init;	/* via PATH_P: fd[0] is the VMM */
	bool connect_seen, connect_rec;
	bool ended[2];		/* DISCONNECT recorded for what fd[i] sent */
	bool dead;		/* freed after the epoll batch that ended it */
	bool armed[2];		/* fd[i] is in the epoll set ... */
	uint32_t events[2];	/* ... waiting for these */
	uint32_t gport, hport;
	struct conn *next;
};

struct hybrid {
	char path[PATH_MAX], dir[PATH_MAX], base[NAME_MAX + 1];
	uint32_t guest_cid;
	int snaplen;
	const struct bpf_program *prog;
	int epfd, state_fd;
	char state_name[PATH_MAX];
	bool record, stopped;
	struct listener *ls;
	struct conn *cs, *dead;
	pcap_handler cb;
	unsigned char *user;
	unsigned long long count, delivered;
	struct hybrid_stats st;
};

static bool from_guest(const struct conn *c, int side)
{
	return c->guest_init ? side == 0 : side == 1;
}

/* Build the header in front of data (which sits in a flow's buffer). */
static void record(struct hybrid *h, struct conn *c, bool guest_src,
		   uint16_t op, uint8_t *frame, uint32_t payload)
{
	struct pcap_pkthdr ph;

	if (!h->record)
		return;
	if (guest_src)
		hyb_frame_hdr(frame, h->guest_cid, c->gport, HYB_HOST_CID,
			      c->hport, op);
	else
		hyb_frame_hdr(frame, HYB_HOST_CID, c->hport, h->guest_cid,
			      c->gport, op);
	gettimeofday(&ph.ts, NULL);
	ph.len = AF_HDR_LEN + payload;
	ph.caplen = ph.len < (uint32_t)h->snaplen ? ph.len : (uint32_t)h->snaplen;
	h->st.frames++;
	if (h->prog && h->prog->bf_insns &&
	    !pcap_offline_filter(h->prog, &ph, frame)) {
		h->st.filtered++;
		return;
	}
	h->delivered++;
	h->cb(h->user, &ph, frame);
	if (h->count && h->delivered >= h->count)
		ctl_stop = 1;
}

static void record_bare(struct hybrid *h, struct conn *c, bool guest_src,
			uint16_t op)
{
	uint8_t hdr[AF_HDR_LEN];

	record(h, c, guest_src, op, hdr, 0);
}

/* The end of what fd[side] sends: one DISCONNECT, however it ends. */
static void end_of(struct hybrid *h, struct conn *c, int side)
{
	if (c->ended[side] || (!c->guest_init && !c->connect_rec))
		return;		/* no vsock connection was made */
	c->ended[side] = true;
	record_bare(h, c, from_guest(c, side), AF_VSOCK_OP_DISCONNECT);
}

static int ep_ctl(struct hybrid *h, int op, int fd, uint32_t events,
		  struct ep *ep)
{
	struct epoll_event ev = { .events = events, .data.ptr = ep };

	return epoll_ctl(h->epfd, op, fd, &ev);
}

/*
 * What fd[side] waits for: input if its flow may read, output if the
 * other flow has bytes for it. Nothing: out of the set, or a hung-up
 * socket would be reported (EPOLLHUP) on every wait.
 */
static void rearm(struct hybrid *h, struct conn *c, int side)
{
	uint32_t ev = 0;

	if (c->fd[side] < 0)
		return;
	if (!c->f[side].eof && !c->f[side].len)
		ev |= EPOLLIN;
	if (c->f[!side].len)
		ev |= EPOLLOUT;
	if (c->armed[side] && ev == c->events[side])
		return;		/* the common case: a syscall saved per chunk */
	if (!ev) {
		epoll_ctl(h->epfd, EPOLL_CTL_DEL, c->fd[side], NULL);
		c->armed[side] = false;
		return;
	}
	ep_ctl(h, c->armed[side] ? EPOLL_CTL_MOD : EPOLL_CTL_ADD,
	       c->fd[side], ev, &c->ep[side]);
	c->armed[side] = true;
	c->events[side] = ev;
}

/*
 * Out of the list and its sockets closed (which takes them out of the
 * epoll set); the memory waits for reap(), since an event for the other
 * socket may still be in the batch being handled.
 */
static void conn_free(struct hybrid *h, struct conn *c)
{
	struct conn **pp;

	for (pp = &h->cs; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	for (int i = 0; i < 2; i++) {
		if (c->fd[i] >= 0)
			close(c->fd[i]);
		c->fd[i] = -1;
	}
	c->dead = true;
	c->next = h->dead;
	h->dead = c;
}

static void reap(struct hybrid *h)
{
	while (h->dead) {
		struct conn *c = h->dead;

		h->dead = c->next;
		free(c->f[0].buf);
		free(c->f[1].buf);
		free(c);
	}
}

/* A CONNECT the VMM never answered: the guest refused it. */
static void conn_end(struct hybrid *h, struct conn *c)
{
	if (c->connect_seen && !c->connect_rec) {
		record_bare(h, c, false, AF_VSOCK_OP_CONNECT);
		record_bare(h, c, true, AF_VSOCK_OP_DISCONNECT);
	}
	conn_free(h, c);
}

/* The handshake lines of a host-initiated connection: not payload. */
static size_t eat_line(struct hybrid *h, struct conn *c, int side,
		       const uint8_t *p, size_t n)
{
	struct flow *f = &c->f[side];
	size_t used = 0, len;
	uint32_t port;

	while (used < n && !f->line_done) {
		char ch = (char)p[used++];

		if (f->line_len < sizeof(f->line))
			f->line[f->line_len] = ch;
		f->line_len++;
		if (ch == '\n' || f->line_len > sizeof(f->line))
			f->line_done = true;
	}
	if (!f->line_done)
		return used;
	/* too long for this protocol: its ports stay unknown */
	len = f->line_len <= sizeof(f->line) ? f->line_len : 0;
	if (side == 0) {
		c->connect_seen = true;
		if (len && !hyb_parse_connect(f->line, len, &port))
			c->gport = port;
	} else if (!c->connect_rec) {
		if (len && !hyb_parse_ok(f->line, len, &port))
			c->hport = hyb_host_port(c->gport, port);
		c->connect_rec = true;
		record_bare(h, c, false, AF_VSOCK_OP_CONNECT);
	}
	return used;
}

/* Write what flow `side` holds to the other socket. */
static int flush_flow(struct hybrid *h, struct conn *c, int side)
{
	struct flow *f = &c->f[side];
	int out = c->fd[!side];

	while (f->len) {
		ssize_t w = send(out, f->buf + AF_HDR_LEN + f->off, f->len,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (w < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			return -errno;
		}
		f->off += (size_t)w;
		f->len -= (size_t)w;
		h->st.bytes += (unsigned long long)w;
	}
	if (!f->len && f->eof && !f->shut) {
		shutdown(out, SHUT_WR);
		f->shut = true;
	}
	return 0;
}

static int read_flow(struct hybrid *h, struct conn *c, int side)
{
	struct flow *f = &c->f[side];
	uint8_t *data = f->buf + AF_HDR_LEN;
	size_t skip = 0;
	ssize_t n;

	n = recv(c->fd[side], data, CHUNK, MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	if (n == 0) {
		f->eof = true;
		end_of(h, c, side);
		return 0;
	}
	f->off = 0;
	f->len = (size_t)n;
	if (!c->guest_init && !f->line_done)
		skip = eat_line(h, c, side, data, (size_t)n);
	if ((size_t)n > skip) {
		/*
		 * The header goes right in front of the payload: into the free
		 * room before it, or over the handshake line's last bytes,
		 * which are still to be sent and so are put back.
		 */
		uint8_t *frame = data + skip - AF_HDR_LEN;
		uint8_t save[AF_HDR_LEN];

		if (skip)
			memcpy(save, frame, AF_HDR_LEN);
		record(h, c, from_guest(c, side), AF_VSOCK_OP_PAYLOAD, frame,
		       (uint32_t)((size_t)n - skip));
		if (skip)
			memcpy(frame, save, AF_HDR_LEN);
	}
	return 0;
}

static void conn_event(struct hybrid *h, struct conn *c, int side,
		       uint32_t ev)
{
	int err = 0;

	if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR) && !c->f[side].eof &&
	    !c->f[side].len)
		err = read_flow(h, c, side);
	if (!err && c->f[side].len)
		err = flush_flow(h, c, side);
	if (!err && ev & EPOLLOUT)
		err = flush_flow(h, c, !side);
	if (!err && c->f[side].eof && !c->f[side].len && !c->f[side].shut)
		err = flush_flow(h, c, side);
	if (err) {
		/* a reset: both ends learn of it by the close */
		end_of(h, c, side);
		end_of(h, c, !side);
		conn_end(h, c);
		return;
	}
	if (c->f[0].shut && c->f[1].shut) {
		conn_end(h, c);
		return;
	}
	rearm(h, c, 0);
	rearm(h, c, 1);
}

static int connect_hidden(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { 2, 0 };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	if (hyb_hidden_name(path, sa.sun_path, sizeof(sa.sun_path))) {
		close(fd);
		return -ENAMETOOLONG;
	}
	/* a full backlog must not stop every other connection for long */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int err = -errno;

		close(fd);
		return err;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}

/* Returns -errno when the original listener is gone. */
static int accept_one(struct hybrid *h, struct listener *l, int fd)
{
	struct conn *c = calloc(1, sizeof(*c));
	int i, up;

	if (!c) {
		close(fd);
		return 0;
	}
	c->fd[0] = fd;
	c->fd[1] = -1;
	c->guest_init = l->guest;
	c->gport = HYB_PORT_UNKNOWN;
	c->hport = l->guest ? l->port : HYB_PORT_UNKNOWN;
	c->next = h->cs;
	h->cs = c;
	h->st.conns++;
	for (i = 0; i < 2; i++) {
		c->ep[i] = (struct ep){ EP_CONN, c, i };
		c->f[i].buf = malloc(AF_HDR_LEN + CHUNK);
		if (!c->f[i].buf)
			goto fail;
	}
	up = connect_hidden(l->path);
	if (up < 0) {
		/* the host program went away: the guest gets a reset */
		if (l->guest) {
			record_bare(h, c, true, AF_VSOCK_OP_CONNECT);
			record_bare(h, c, false, AF_VSOCK_OP_DISCONNECT);
		}
		conn_free(h, c);
		return up;
	}
	c->fd[1] = up;
	if (l->guest) {
		c->connect_rec = true;
		record_bare(h, c, true, AF_VSOCK_OP_CONNECT);
	}
	if (ep_ctl(h, EPOLL_CTL_ADD, c->fd[0], EPOLLIN, &c->ep[0]) ||
	    ep_ctl(h, EPOLL_CTL_ADD, c->fd[1], EPOLLIN, &c->ep[1]))
		goto fail;
	c->armed[0] = c->armed[1] = true;
	c->events[0] = c->events[1] = EPOLLIN;
	return 0;
fail:
	conn_free(h, c);
	return 0;
}

/* Returns false when the original is gone: the name should go back. */
static bool accept_all(struct hybrid *h, struct listener *l)
{
	bool alive = true;
	int fd;

	while ((fd = accept4(l->fd, NULL, NULL,
			     SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		int err = accept_one(h, l, fd);

		if (err == -ECONNREFUSED || err == -ENOENT)
			alive = false;
	}
	return alive;
}

static int add_listener(struct hybrid *h, const char *path, bool guest,
			uint32_t port, char *why, size_t sz)
{
	struct listener *l = calloc(1, sizeof(*l));
	int fd;

	if (!l)
		return -ENOMEM;
	fd = hyb_interpose(path, h->state_fd, &l->ino, why, sz);
	if (fd < 0) {
		free(l);
		return fd;
	}
	l->fd = fd;
	l->guest = guest;
	l->port = port;
	snprintf(l->path, sizeof(l->path), "%s", path);
	l->ep = (struct ep){ EP_LISTENER, l, 0 };
	ep_ctl(h, EPOLL_CTL_ADD, fd, EPOLLIN, &l->ep);
	l->next = h->ls;
	h->ls = l;
	h->st.paths++;
	return 0;
}

/* Give the name back; take in whoever connected before it went. */
static void drop_listener(struct hybrid *h, struct listener *l)
{
	struct listener **pp;
	int err = hyb_restore(l->path, l->ino);

	if (err)
		ctl_msg("restore %s: %s", l->path, strerror(-err));
	accept_all(h, l);
	close(l->fd);
	for (pp = &h->ls; *pp; pp = &(*pp)->next)
		if (*pp == l) {
			*pp = l->next;
			break;
		}
	h->st.paths--;
	free(l);
}

static struct listener *find_listener(struct hybrid *h, const char *path)
{
	struct listener *l;

	for (l = h->ls; l; l = l->next)
		if (!strcmp(l->path, path))
			return l;
	return NULL;
}

/*
 * PATH_P listeners come and go with the host programs: interpose on the
 * new ones (once they listen), let go of those whose owner replaced them.
 */
static void rescan(struct hybrid *h)
{
	struct hyb_listen_set set = { NULL, 0 };
	bool dumped = false;
	struct listener *l, *next;
	struct dirent *e;
	DIR *d;

	for (l = h->ls; l; l = next) {
		struct stat st;

		next = l->next;
		if (lstat(l->path, &st) || st.st_ino != l->ino)
			drop_listener(h, l);
	}
	d = opendir(h->dir);
	if (!d)
		return;
	while ((e = readdir(d))) {
		char path[PATH_MAX], why[160];
		uint32_t port;
		bool main_path = !strcmp(e->d_name, h->base);

		if (!main_path && hyb_port_of_name(e->d_name, h->base, &port))
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", h->dir,
				     e->d_name) >= sizeof(path) ||
		    find_listener(h, path))
			continue;
		/* one dump per rescan, and only when there is a candidate */
		if (!dumped && hyb_listen_dump(&set))
			break;
		dumped = true;
		if (hyb_listen_has(&set, path) != 1)
			continue;
		if (add_listener(h, path, !main_path, main_path ? 0 : port,
				 why, sizeof(why)) < 0 && *why)
			ctl_msg("interpose %s: %s", path, why);
	}
	closedir(d);
	hyb_listen_free(&set);
}

static void restore_all(struct hybrid *h)
{
	while (h->ls)
		drop_listener(h, h->ls);
	if (h->state_fd >= 0) {
		unlink(h->state_name);
		close(h->state_fd);
		h->state_fd = -1;
	}
}

static int wait_events(struct hybrid *h, int timeout_ms)
{
	struct epoll_event evs[64];
	int n, i;

	n = epoll_wait(h->epfd, evs, 64, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (i = 0; i < n; i++) {
		struct ep *ep = evs[i].data.ptr;

		/* the original is gone: so should our stand-in be, at once */
		if (ep->kind == EP_LISTENER) {
			if (!accept_all(h, ep->obj))
				drop_listener(h, ep->obj);
		} else if (!((struct conn *)ep->obj)->dead) {
			conn_event(h, ep->obj, ep->side, evs[i].events);
		}
	}
	reap(h);
	return 0;
}

struct hybrid *hybrid_open(const char *path, uint32_t guest_cid,
			   int snaplen, const struct bpf_program *prog)
{
	struct hybrid *h = calloc(1, sizeof(*h));
	char tmp[PATH_MAX], why[200];
	char *abs = NULL;
	pid_t owner;
	int err;

	if (!h) {
		ctl_error("capture", path, ENOMEM, NULL);
		return NULL;
	}
	h->epfd = -1;
	h->state_fd = -1;
	h->guest_cid = guest_cid;
	h->snaplen = snaplen;
	h->prog = prog;
	h->record = true;
	abs = realpath(path, NULL);
	if (!abs) {
		ctl_msg("capture --uds %s: %s", path, strerror(errno));
		goto fail;
	}
	snprintf(h->path, sizeof(h->path), "%s", abs);
	free(abs);
	snprintf(tmp, sizeof(tmp), "%s", h->path);
	snprintf(h->dir, sizeof(h->dir), "%s", dirname(tmp));
	snprintf(tmp, sizeof(tmp), "%s", h->path);
	snprintf(h->base, sizeof(h->base), "%s", basename(tmp));
	owner = hyb_owner(h->path);
	if (owner) {
		ctl_msg("capture --uds %s: already interposed by the capture "
			"with pid %ld; stop that one first", h->path,
			(long)owner);
		goto fail;
	}
	/* a killed capture's leftovers on this path are ours to mend */
	hyb_repair_stale(h->path, false);
	h->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (h->epfd < 0) {
		ctl_error("epoll", NULL, errno, NULL);
		goto fail;
	}
	h->state_fd = hyb_state_open(h->state_name, sizeof(h->state_name));
	if (h->state_fd < 0) {
		ctl_msg("capture --uds: state file in %s: %s", hyb_run_dir(),
			strerror(-h->state_fd));
		goto fail;
	}
	err = add_listener(h, h->path, false, 0, why, sizeof(why));
	if (err) {
		ctl_msg("capture --uds %s: %s", h->path, *why ? why :
			strerror(-err));
		if (err == -EACCES || err == -EPERM || err == -EROFS)
			ctl_msg("interposing renames in %s: run as a user who "
				"may write there (the VMM's, or root)", h->dir);
		else if (err == -ENOTSOCK || err == -ECONNREFUSED)
			ctl_msg("give the socket the VMM listens on (Firecracker "
				"and cloud-hypervisor: the vsock uds_path; "
				"vhost-device-vsock: --uds-path)");
		goto fail;
	}
	rescan(h);
	return h;
fail:
	hybrid_free(h);
	return NULL;
}

static void hybrid_stop(struct hybrid *h);

int hybrid_loop(struct hybrid *h, unsigned long long count, double deadline,
		pcap_handler cb, unsigned char *user,
		void (*tick)(void *), void *tick_data, double tick_s)
{
	double next_tick = tick ? mono_now() + tick_s : 0;
	double next_scan = mono_now() + RESCAN_S;
	int ret = 0;

	h->cb = cb;
	h->user = user;
	h->count = count;
	while (!ctl_stop) {
		double now = mono_now(), wait = next_scan - now;
		int err;

		if (deadline && deadline - now < wait)
			wait = deadline - now;
		if (tick && next_tick - now < wait)
			wait = next_tick - now;
		err = wait_events(h, wait > 0 ? (int)(wait * 1000) + 1 : 0);
		if (err) {
			ctl_msg("capture %s: epoll: %s", h->path, strerror(-err));
			ret = -1;
			break;
		}
		now = mono_now();
		if (deadline && now >= deadline)
			break;
		if (now >= next_scan) {
			rescan(h);
			next_scan = now + RESCAN_S;
		}
		if (tick && now >= next_tick) {
			tick(tick_data);
			next_tick = now + tick_s;
		}
	}
	hybrid_stop(h);
	return ret;
}

static void hybrid_stop(struct hybrid *h)
{
	if (!h || h->stopped)
		return;
	h->stopped = true;
	h->record = false;
	restore_all(h);
}

/* The child's whole life: relay until the last connection ends. */
static void relay_rest(struct hybrid *h)
{
	struct sigaction sa = { .sa_handler = SIG_DFL };
	int fd, maxfd = h->epfd, devnull, last;
	struct conn *c;
	bool *keep;

	setsid();
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	for (c = h->cs; c; c = c->next)
		for (int i = 0; i < 2; i++)
			maxfd = c->fd[i] > maxfd ? c->fd[i] : maxfd;
	keep = calloc((size_t)maxfd + 1, sizeof(*keep));
	if (!keep)
		_exit(1);
	keep[h->epfd] = true;
	for (c = h->cs; c; c = c->next)
		for (int i = 0; i < 2; i++)
			if (c->fd[i] >= 0)
				keep[c->fd[i]] = true;
	/* nobody waits on our stdout or the capture file any more */
	last = maxfd > 65535 ? maxfd : 65535;
	for (fd = 3; fd <= last; fd++)
		if (fd > maxfd || !keep[fd])
			close(fd);
	devnull = open("/dev/null", O_RDWR);
	for (fd = 0; fd <= 2 && devnull >= 0; fd++)
		if (fd != devnull)
			dup2(devnull, fd);
	if (devnull > 2)
		close(devnull);
	free(keep);
	while (h->cs)
		if (wait_events(h, 1000))
			break;
	_exit(0);
}

void hybrid_close(struct hybrid *h)
{
	if (!h)
		return;
	hybrid_stop(h);
	if (h->cs) {
		unsigned int n = 0;
		struct conn *c;
		pid_t pid;

		for (c = h->cs; c; c = c->next)
			n++;
		fflush(NULL);
		pid = fork();
		if (pid == 0)
			relay_rest(h);
		h->st.carried = n;
		h->st.relay_pid = pid;
		if (pid < 0)
			ctl_msg("cannot hand on %u open connection(s): %s; they "
				"end now", n, strerror(errno));
	}
	while (h->cs)
		conn_free(h, h->cs);
	reap(h);
	if (h->epfd >= 0)
		close(h->epfd);
	h->epfd = -1;
}

void hybrid_get_stats(const struct hybrid *h, struct hybrid_stats *st)
{
	*st = h->st;
}

const char *hybrid_path(const struct hybrid *h)
{
	return h->path;
}

void hybrid_free(struct hybrid *h)
{
	hybrid_close(h);
	free(h);
}
