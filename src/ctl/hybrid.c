// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The hybrid vsock relay: one epoll loop that accepts on our listeners
 * (PATH and every PATH_P), connects each accepted socket to the original
 * listener through the handle taken when we interposed (never a name),
 * and copies bytes both ways. A chunk is read once into a buffer with
 * room for the frame header in front of it, handed to the recorder as it
 * is, and written on from the same buffer: bytes go out in the order they
 * came, each once, and a direction reads nothing new until its last chunk
 * is written. Each direction ends on its own: an end of input becomes a
 * half-close toward the other side once all is written; a peer that can
 * no longer take bytes makes its sender's writes fail as they would have
 * directly, and the other direction goes on.
 *
 * Root sets up (the capture file, the state file, the names: the latter
 * with the VMM user's effective ids), then the relay drops to the VMM
 * socket's owner for good, keeping its open descriptors. When the capture
 * stops the names go back, the backlog is taken in, and a detached child
 * relays what is still open.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <linux/vsockmon.h>

#include "ctl.h"
#include "frame.h"
#include "hybrid.h"

#define CHUNK 65536
#define RESCAN_S 0.1	/* how soon a new PATH_P listener is interposed */
#define RETRY_S 0.02	/* an upstream backlog that was full, again */
#define CONNECT_S 10.0	/* then the connection is given up */
#define PAUSE_S 0.1	/* out of descriptors: accept nothing this long */
#define COMPLAINTS 256	/* names whose error was told once */

enum ep_kind { EP_LISTENER, EP_CONN };

struct ep {
	enum ep_kind kind;
	void *obj;
	int side;
};

/* The original's handle: shared by its listener and pending connects. */
struct orig {
	int fd;
	unsigned int refs;
};

struct listener {
	struct ep ep;
	int fd;
	bool guest;		/* a PATH_P: the guest connects through it */
	bool paused;		/* out of the epoll set until resume */
	double resume;
	uint32_t port;		/* P */
	struct hyb_taken t;
	struct orig *orig;
	char base[NAME_MAX + 1];
	struct listener *next;
};

/* bytes read from fd[side], written to fd[!side] */
struct flow {
	uint8_t *buf;		/* AF_HDR_LEN free bytes, then CHUNK */
	size_t off, len;	/* still to write: buf + AF_HDR_LEN + off */
	size_t hold;		/* the last hold of them wait for the OK */
	bool eof;		/* nothing more to read */
	bool shut;		/* all written and the other side half-closed */
	bool dead;		/* the other side takes nothing more */
	bool line_done;		/* the handshake line, host-initiated only */
	size_t line_len;
	char line[HYB_LINE_MAX];
};

struct conn {
	struct ep ep[2];
	int fd[2];		/* [0] connected to us, [1] ours to the original */
	struct flow f[2];
	struct orig *pending;	/* connecting upstream: its backlog was full */
	double retry, give_up;
	bool guest_init;	/* via PATH_P: fd[0] is the VMM */
	bool connect_seen, connect_rec;
	bool ended[2];		/* DISCONNECT recorded for what fd[i] sent */
	bool dead;		/* freed after the epoll batch that ended it */
	bool armed[2];		/* fd[i] is in the epoll set ... */
	uint32_t events[2];	/* ... waiting for these */
	uint32_t gport, hport;
	unsigned long long id;	/* 1, 2, ...: hybrid_frame_conn() */
	struct conn *next;
};

struct complaint {
	char name[NAME_MAX + 1];
	int err;
};

struct hybrid {
	char path[PATH_MAX], base[NAME_MAX + 1];
	struct hyb_dir dir;
	DIR *scan;
	uid_t uid;		/* the VMM socket's owner: who we become */
	gid_t gid;
	bool drop;
	uint32_t guest_cid;
	int snaplen;
	const struct bpf_program *prog;
	int epfd, state_fd, run_fd;
	char state_name[NAME_MAX + 1];
	bool record, stopped;
	struct listener *ls;
	struct conn *cs, *dead;
	unsigned int npending;
	struct complaint told[COMPLAINTS];
	unsigned int ntold;
	pcap_handler cb;
	unsigned char *user;
	unsigned long long count, delivered;
	unsigned long long frame_conn;	/* of the frame being delivered */
	struct hybrid_stats st;
};

static struct orig *orig_get(struct orig *o)
{
	o->refs++;
	return o;
}

static void orig_put(struct orig *o)
{
	if (o && !--o->refs) {
		close(o->fd);
		free(o);
	}
}

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
	h->frame_conn = c->id;
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

/*
 * A PAYLOAD frame of n bytes at data + at, its header right in front:
 * in the free room before the data, or over bytes before it, which may
 * still be to send (a handshake line) and so are put back.
 */
static void record_payload(struct hybrid *h, struct conn *c, int side,
			   uint8_t *data, size_t at, size_t n)
{
	uint8_t *frame = data + at - AF_HDR_LEN;
	uint8_t save[AF_HDR_LEN];

	if (at)
		memcpy(save, frame, AF_HDR_LEN);
	record(h, c, from_guest(c, side), AF_VSOCK_OP_PAYLOAD, frame,
	       (uint32_t)n);
	if (at)
		memcpy(frame, save, AF_HDR_LEN);
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

static bool flow_done(const struct flow *f)
{
	return f->shut || f->dead;
}

/*
 * What fd[side] waits for: input if its flow may read, output if the
 * other flow has bytes for it. Nothing: out of the set, or a hung-up
 * socket would be reported (EPOLLHUP) on every wait.
 */
static void rearm(struct hybrid *h, struct conn *c, int side)
{
	const struct flow *in = &c->f[side], *out = &c->f[!side];
	uint32_t ev = 0;

	if (c->fd[side] < 0 || c->pending)
		return;
	if (!in->eof && !in->dead && !in->len)
		ev |= EPOLLIN;
	if (out->len > out->hold)
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
	if (c->pending) {
		orig_put(c->pending);
		c->pending = NULL;
		h->npending--;
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
	end_of(h, c, 0);
	end_of(h, c, 1);
	conn_free(h, c);
}

/* The OK came: what the host sent after its CONNECT line is payload now. */
static void release_held(struct hybrid *h, struct conn *c)
{
	struct flow *f = &c->f[0];

	if (!f->hold)
		return;
	record_payload(h, c, 0, f->buf + AF_HDR_LEN, f->off + f->len - f->hold,
		       f->hold);
	f->hold = 0;
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
		release_held(h, c);
	}
	return used;
}

/*
 * The other side takes nothing more (EPIPE, ECONNRESET): what is buffered
 * for it is lost as it would have been directly, and the sender learns so
 * as it would have (its writes fail); the other direction goes on.
 */
static void flow_dead(struct hybrid *h, struct conn *c, int side)
{
	struct flow *f = &c->f[side];

	f->dead = true;
	f->off = f->len = f->hold = 0;
	shutdown(c->fd[side], SHUT_RD);
	end_of(h, c, side);
}

/* Write what flow `side` holds (but what waits for the OK) on. */
static void flush_flow(struct hybrid *h, struct conn *c, int side)
{
	struct flow *f = &c->f[side];
	int out = c->fd[!side];

	if (f->dead)
		return;
	while (f->len > f->hold) {
		ssize_t w = send(out, f->buf + AF_HDR_LEN + f->off,
				 f->len - f->hold, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (w < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			flow_dead(h, c, side);
			return;
		}
		f->off += (size_t)w;
		f->len -= (size_t)w;
		h->st.bytes += (unsigned long long)w;
	}
	if (!f->len)
		f->off = 0;
	if (!f->len && f->eof && !f->shut) {
		shutdown(out, SHUT_WR);
		f->shut = true;
	}
}

static void read_flow(struct hybrid *h, struct conn *c, int side)
{
	struct flow *f = &c->f[side];
	uint8_t *data = f->buf + AF_HDR_LEN;
	size_t skip = 0;
	ssize_t n;

	n = recv(c->fd[side], data, CHUNK, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		/* a reset after the data: its end, as far as we can tell */
		f->eof = true;
		end_of(h, c, side);
		/* no OK will come: what the host sent after CONNECT is not
		 * payload of any connection (the VMM would read and drop it)
		 */
		if (side == 1 && !c->guest_init && !c->connect_rec) {
			c->f[0].len -= c->f[0].hold;
			c->f[0].hold = 0;
		}
		return;
	}
	f->off = 0;
	f->len = (size_t)n;
	if (!c->guest_init && !f->line_done)
		skip = eat_line(h, c, side, data, (size_t)n);
	if ((size_t)n <= skip)
		return;
	/* the host's payload before the OK: recorded after the CONNECT */
	if (!c->guest_init && side == 0 && !c->connect_rec)
		f->hold = (size_t)n - skip;
	else
		record_payload(h, c, side, data, skip, (size_t)n - skip);
}

static void conn_event(struct hybrid *h, struct conn *c, int side,
		       uint32_t ev)
{
	struct flow *in = &c->f[side];

	if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR) && !in->eof && !in->dead &&
	    !in->len)
		read_flow(h, c, side);
	/* the OK may have released what the other direction held */
	flush_flow(h, c, side);
	flush_flow(h, c, !side);
	if (flow_done(&c->f[0]) && flow_done(&c->f[1])) {
		conn_end(h, c);
		return;
	}
	rearm(h, c, 0);
	rearm(h, c, 1);
}

/* The upstream side is connected: both sides into the epoll set. */
static void conn_up(struct hybrid *h, struct conn *c, int up)
{
	c->fd[1] = up;
	if (c->guest_init) {
		c->connect_rec = true;
		record_bare(h, c, true, AF_VSOCK_OP_CONNECT);
	}
	rearm(h, c, 0);
	rearm(h, c, 1);
}

/*
 * Connect c upstream through o. Returns 0 (connected, or pending with a
 * full backlog or no descriptor free), or -errno when the original is
 * gone (c is freed then).
 */
static int conn_connect(struct hybrid *h, struct conn *c, struct orig *o,
			double now)
{
	int up = hyb_connect_orig(o->fd);

	if (up >= 0) {
		if (c->pending) {
			orig_put(c->pending);
			c->pending = NULL;
			h->npending--;
		}
		conn_up(h, c, up);
		return 0;
	}
	if ((up == -EAGAIN || up == -EMFILE || up == -ENFILE ||
	     up == -ENOBUFS || up == -ENOMEM) &&
	    (!c->pending || now < c->give_up)) {
		if (!c->pending) {
			c->pending = orig_get(o);
			c->give_up = now + CONNECT_S;
			h->npending++;
		}
		c->retry = now + RETRY_S;
		return 0;
	}
	/* the host program went away: the guest gets a reset */
	if (c->guest_init) {
		record_bare(h, c, true, AF_VSOCK_OP_CONNECT);
		record_bare(h, c, false, AF_VSOCK_OP_DISCONNECT);
	}
	conn_free(h, c);
	return up;
}

static void retry_pending(struct hybrid *h, double now)
{
	struct conn *c, *next;

	if (!h->npending)
		return;
	for (c = h->cs; c; c = next) {
		next = c->next;
		if (c->pending && now >= c->retry)
			conn_connect(h, c, c->pending, now);
	}
}

/* Returns -errno when the original listener is gone. */
static int accept_one(struct hybrid *h, struct listener *l, int fd)
{
	struct conn *c = calloc(1, sizeof(*c));
	int i;

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
	c->id = ++h->st.conns;
	for (i = 0; i < 2; i++) {
		c->ep[i] = (struct ep){ EP_CONN, c, i };
		c->f[i].buf = malloc(AF_HDR_LEN + CHUNK);
		if (!c->f[i].buf) {
			conn_free(h, c);
			return 0;
		}
	}
	return conn_connect(h, c, l->orig, mono_now());
}

static void listener_arm(struct hybrid *h, struct listener *l, bool on)
{
	if (on == !l->paused)
		return;
	if (on)
		ep_ctl(h, EPOLL_CTL_ADD, l->fd, EPOLLIN, &l->ep);
	else
		epoll_ctl(h->epfd, EPOLL_CTL_DEL, l->fd, NULL);
	l->paused = !on;
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
	/* out of descriptors: the listener stays readable, so look away */
	if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
	    errno == ENOMEM) {
		listener_arm(h, l, false);
		l->resume = mono_now() + PAUSE_S;
	}
	return alive;
}

/* A repeated error about one name is told once. */
static bool told_before(struct hybrid *h, const char *name, int err)
{
	unsigned int i;

	for (i = 0; i < h->ntold; i++)
		if (h->told[i].err == err && !strcmp(h->told[i].name, name))
			return true;
	if (h->ntold == COMPLAINTS)
		return true;	/* enough said */
	snprintf(h->told[h->ntold].name, sizeof(h->told[0].name), "%s", name);
	h->told[h->ntold++].err = err;
	return false;
}

/*
 * Interpose on base with its owner's rights (root before the drop: a
 * PATH_P may be another user's than the VMM's socket).
 */
static int interpose_as_owner(struct hybrid *h, const char *base,
			      struct hyb_taken *t, char *why, size_t sz)
{
	struct hyb_as as;
	struct stat st;
	int fd;

	if (fstatat(h->dir.fd, base, &st, AT_SYMLINK_NOFOLLOW))
		return -errno;
	fd = hyb_as_enter(&as, st.st_uid, st.st_gid);
	if (fd)
		return fd;
	fd = hyb_interpose(&h->dir, base, h->state_fd, t, why, sz);
	hyb_as_leave(&as);
	return fd;
}

static int add_listener(struct hybrid *h, const char *base, bool guest,
			uint32_t port, char *why, size_t sz)
{
	struct listener *l = calloc(1, sizeof(*l));
	int fd;

	*why = '\0';
	if (!l)
		return -ENOMEM;
	l->orig = calloc(1, sizeof(*l->orig));
	if (!l->orig) {
		free(l);
		return -ENOMEM;
	}
	fd = interpose_as_owner(h, base, &l->t, why, sz);
	if (fd < 0) {
		free(l->orig);
		free(l);
		return fd;
	}
	l->orig->fd = l->t.orig_fd;
	l->orig->refs = 1;
	l->fd = fd;
	l->guest = guest;
	l->port = port;
	snprintf(l->base, sizeof(l->base), "%s", base);
	l->ep = (struct ep){ EP_LISTENER, l, 0 };
	l->paused = true;
	listener_arm(h, l, true);
	l->next = h->ls;
	h->ls = l;
	h->st.paths++;
	return 0;
}

/*
 * Give the name back, then take in whoever connected before it went:
 * the backlog reaches the original through its handle, name or not.
 */
static void drop_listener(struct hybrid *h, struct listener *l)
{
	struct listener **pp;
	int err = hyb_restore(&h->dir, l->base, &l->t);

	if (err)
		ctl_msg("restore %s/%s: %s", h->dir.path, l->base,
			err == -ESTALE ? "its hidden name is not the original "
			"any more; left as it is" : strerror(-err));
	accept_all(h, l);
	close(l->fd);
	orig_put(l->orig);
	for (pp = &h->ls; *pp; pp = &(*pp)->next)
		if (*pp == l) {
			*pp = l->next;
			break;
		}
	h->st.paths--;
	free(l);
}

static struct listener *find_listener(struct hybrid *h, const char *base)
{
	struct listener *l;

	for (l = h->ls; l; l = l->next)
		if (!strcmp(l->base, base))
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

	for (l = h->ls; l; l = next) {
		struct stat st;

		next = l->next;
		if (fstatat(h->dir.fd, l->base, &st, AT_SYMLINK_NOFOLLOW) ||
		    st.st_ino != l->t.ours)
			drop_listener(h, l);
	}
	if (!h->scan)
		return;
	rewinddir(h->scan);
	while ((e = readdir(h->scan))) {
		char why[160];
		uint32_t port;
		bool main_path = !strcmp(e->d_name, h->base);
		int err;

		if (!main_path && hyb_port_of_name(e->d_name, h->base, &port))
			continue;
		if (find_listener(h, e->d_name))
			continue;
		/* one dump per rescan, and only when there is a candidate */
		if (!dumped && hyb_listen_dump(&set))
			break;
		dumped = true;
		if (hyb_listen_has(&set, h->dir.fd, e->d_name) != 1)
			continue;
		err = add_listener(h, e->d_name, !main_path,
				   main_path ? 0 : port, why, sizeof(why));
		if (err < 0 && !told_before(h, e->d_name, err))
			ctl_msg("interpose %s/%s: %s", h->dir.path, e->d_name,
				*why ? why : strerror(-err));
	}
	hyb_listen_free(&set);
}

static void restore_all(struct hybrid *h)
{
	while (h->ls)
		drop_listener(h, h->ls);
	if (h->state_fd >= 0) {
		/* after the drop only emptied: the directory is root's */
		if (ftruncate(h->state_fd, 0) == 0)
			unlinkat(h->run_fd, h->state_name, 0);
		close(h->state_fd);
		h->state_fd = -1;
	}
}

/* Paused listeners back, pending connects again; the next such time. */
static double timers(struct hybrid *h, double now)
{
	double next = now + 1.0;
	struct listener *l;
	struct conn *c;

	for (l = h->ls; l; l = l->next) {
		if (l->paused && now >= l->resume)
			listener_arm(h, l, true);
		if (l->paused && l->resume < next)
			next = l->resume;
	}
	retry_pending(h, now);
	if (h->npending)
		for (c = h->cs; c; c = c->next)
			if (c->pending && c->retry < next)
				next = c->retry;
	return next;
}

static int wait_events(struct hybrid *h, double until)
{
	struct epoll_event evs[64];
	double now = mono_now(), t = timers(h, now);
	int n, i, ms;

	if (until > t)
		until = t;
	ms = until > now ? (int)((until - now) * 1000) + 1 : 0;
	n = epoll_wait(h->epfd, evs, 64, ms);
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

/* As many descriptors as we may have: two per connection. */
static void raise_nofile(void)
{
	struct rlimit r;

	if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
		r.rlim_cur = r.rlim_max;
		setrlimit(RLIMIT_NOFILE, &r);
	}
}

/*
 * For good, as tcpdump -Z does: the VMM socket's owner, with its group
 * only. The open descriptors stay; the process is not dumpable, so that
 * user cannot reach into it.
 */
static int drop_privileges(struct hybrid *h)
{
	uid_t r, e, s;

	if (!h->drop)
		return 0;
	if (setgroups(1, &h->gid) || setresgid(h->gid, h->gid, h->gid) ||
	    setresuid(h->uid, h->uid, h->uid))
		return -errno;
	if (getresuid(&r, &e, &s) || r != h->uid || e != h->uid ||
	    s != h->uid || setuid(0) == 0)
		return -EPERM;
	prctl(PR_SET_DUMPABLE, 0);
	h->drop = false;
	return 0;
}

static void hybrid_stop(struct hybrid *h);

struct hybrid *hybrid_open(const char *path, uint32_t guest_cid,
			   int snaplen, const struct bpf_program *prog)
{
	struct hybrid *h = calloc(1, sizeof(*h));
	char tmp[PATH_MAX], why[200];
	struct stat st;
	char *abs = NULL;
	pid_t owner;
	int err, fd;

	if (!h) {
		ctl_error("capture", path, ENOMEM, NULL);
		return NULL;
	}
	h->epfd = h->state_fd = h->run_fd = h->dir.fd = -1;
	h->guest_cid = guest_cid;
	h->snaplen = snaplen;
	h->prog = prog;
	h->record = true;
	/* the directory as the operator names it; the socket no symlink */
	snprintf(tmp, sizeof(tmp), "%s", path);
	snprintf(h->base, sizeof(h->base), "%s", basename(tmp));
	snprintf(tmp, sizeof(tmp), "%s", path);
	abs = realpath(dirname(tmp), NULL);
	if (!abs || !strcmp(h->base, "/") || !strcmp(h->base, ".") ||
	    !strcmp(h->base, "..")) {
		ctl_msg("capture --uds %s: %s", path,
			strerror(abs ? EISDIR : errno));
		free(abs);
		goto fail;
	}
	err = hyb_dir_open(&h->dir, abs);
	snprintf(h->path, sizeof(h->path), "%s%s%s", abs,
		 strcmp(abs, "/") ? "/" : "", h->base);
	free(abs);
	if (err) {
		ctl_msg("capture --uds %s: its directory: %s", h->path,
			strerror(-err));
		goto fail;
	}
	if (fstatat(h->dir.fd, h->base, &st, AT_SYMLINK_NOFOLLOW)) {
		ctl_msg("capture --uds %s: %s", h->path, strerror(errno));
		goto fail;
	}
	/* root relays as the VMM's user: it reaches nothing more than that */
	h->uid = st.st_uid;
	h->gid = st.st_gid;
	h->drop = geteuid() == 0 && st.st_uid != 0;
	h->run_fd = hyb_run_dir_open(true);
	if (h->run_fd < 0) {
		ctl_msg("capture --uds: state directory %s: %s", hyb_run_dir(),
			h->run_fd == -EPERM ? "not a directory of this user's "
			"with mode 0700; refusing it" : strerror(-h->run_fd));
		goto fail;
	}
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
	h->state_fd = hyb_state_open(h->run_fd, h->state_name,
				     sizeof(h->state_name));
	if (h->state_fd < 0) {
		ctl_msg("capture --uds: state file in %s: %s", hyb_run_dir(),
			strerror(-h->state_fd));
		goto fail;
	}
	fd = dup(h->dir.fd);
	h->scan = fd >= 0 ? fdopendir(fd) : NULL;
	if (!h->scan && fd >= 0)
		close(fd);
	raise_nofile();
	err = add_listener(h, h->base, false, 0, why, sizeof(why));
	if (!err)
		rescan(h);
	if (err) {
		ctl_msg("capture --uds %s: %s", h->path, *why ? why :
			strerror(-err));
		if (err == -EACCES || err == -EPERM || err == -EROFS)
			ctl_msg("interposing renames in %s: run as a user who "
				"may write there (the VMM's, or root)",
				h->dir.path);
		else if (err == -ENOTSOCK || err == -ECONNREFUSED)
			ctl_msg("give the socket the VMM listens on (Firecracker "
				"and cloud-hypervisor: the vsock uds_path; "
				"vhost-device-vsock: --uds-path)");
		goto fail;
	}
	return h;
fail:
	hybrid_free(h);
	return NULL;
}

int hybrid_loop(struct hybrid *h, unsigned long long count, double deadline,
		pcap_handler cb, unsigned char *user,
		void (*tick)(void *), void *tick_data, double tick_s)
{
	double next_tick = tick ? mono_now() + tick_s : 0;
	double next_scan = mono_now() + RESCAN_S;
	int ret = 0, err;

	h->cb = cb;
	h->user = user;
	h->count = count;
	/* the capture file and the rest are open: set-up is over */
	err = drop_privileges(h);
	if (err) {
		ctl_msg("capture %s: cannot become uid %u gid %u: %s", h->path,
			(unsigned int)h->uid, (unsigned int)h->gid,
			strerror(-err));
		ctl_stop = 1;
		ret = -1;
	}
	while (!ctl_stop) {
		double now = mono_now(), until = next_scan;

		if (deadline && deadline < until)
			until = deadline;
		if (tick && next_tick < until)
			until = next_tick;
		err = wait_events(h, until);
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
	for (c = h->cs; c; c = c->next) {
		for (int i = 0; i < 2; i++)
			maxfd = c->fd[i] > maxfd ? c->fd[i] : maxfd;
		if (c->pending && c->pending->fd > maxfd)
			maxfd = c->pending->fd;
	}
	keep = calloc((size_t)maxfd + 1, sizeof(*keep));
	if (!keep)
		_exit(1);
	keep[h->epfd] = true;
	for (c = h->cs; c; c = c->next) {
		for (int i = 0; i < 2; i++)
			if (c->fd[i] >= 0)
				keep[c->fd[i]] = true;
		if (c->pending)
			keep[c->pending->fd] = true;
	}
	if (h->scan)
		closedir(h->scan);
	h->scan = NULL;
	h->dir.fd = h->run_fd = -1;
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
		if (wait_events(h, mono_now() + 1.0))
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
	if (h->scan)
		closedir(h->scan);
	h->scan = NULL;
	hyb_dir_close(&h->dir);
	if (h->run_fd >= 0)
		close(h->run_fd);
	h->run_fd = -1;
}

void hybrid_get_stats(const struct hybrid *h, struct hybrid_stats *st)
{
	*st = h->st;
}

unsigned long long hybrid_frame_conn(const struct hybrid *h)
{
	return h->frame_conn;
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
