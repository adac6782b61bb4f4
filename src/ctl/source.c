// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Opening a capture: stale temporary monitors reaped, ours created,
 * libpcap activated with our ring size and the kernel filter attached.
 * The loop runs non-blocking under our own poll(), because a TPACKET_V3
 * ring with no traffic never wakes a blocking reader, and --duration and
 * top's refresh must still happen.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <stdio_ext.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/if_arp.h>
#include <sys/stat.h>

#include "ctl.h"
#include "filter.h"
#include "monitor.h"
#include "source.h"

static pcap_t *volatile active;

static void on_signal(int sig)
{
	(void)sig;
	ctl_stop = 1;
	ctl_signalled = 1;
	if (active)
		pcap_breakloop(active);
}

void capsrc_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: interrupt poll() */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/*
	 * EPIPE ends the loop instead (capture, top): dying of SIGPIPE
	 * would leave the temporary monitor behind.
	 */
	signal(SIGPIPE, SIG_IGN);
}

int out_write_error(FILE *out, int err)
{
	if (err == EINTR && ctl_signalled) {
		/* Ctrl-C with stdout a full pipe: a normal end */
		if (out) {
			__fpurge(out);
			clearerr(out);
		}
		return 0;
	}
	return err ? err : EIO;
}

static int open_file(struct capsrc *s, const struct capsrc_cfg *c)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";

	s->p = pcap_open_offline(c->read, errbuf);
	if (!s->p) {
		ctl_msg("read %s: %s", c->read, without_name(errbuf, c->read));
		return EXIT_FAIL;
	}
	snprintf(s->ifname, sizeof(s->ifname), "file");
	return 0;
}

static int prepare_monitor(struct capsrc *s, const struct capsrc_cfg *c)
{
	struct link_info li;
	struct rtnl_err e;
	int err;

	err = rtnl_open(&s->r);
	if (err) {
		ctl_error("open", "rtnetlink socket", err, NULL);
		return EXIT_FAIL;
	}
	if (c->ifname) {
		snprintf(s->ifname, sizeof(s->ifname), "%s", c->ifname);
		err = mon_get(s->r, c->ifname, &li, &e);
		/* -i may name any ARPHRD_VSOCKMON source (a test's TUN device) */
		if (err == EMEDIUMTYPE && li.type == ARPHRD_VSOCKMON)
			err = 0;
		if (err == EMEDIUMTYPE) {
			ctl_msg("capture %s: not a vsockmon device", c->ifname);
			return EXIT_FAIL;
		}
		if (err) {
			char why[1024];

			ctl_error("capture", c->ifname, err, e.msg);
			if (err == ENODEV && mon_kernel_never(why, sizeof(why)))
				ctl_msg("%s", why);
			else if (err == ENODEV)
				ctl_msg("create it with 'vsockmon-ctl up %s', or "
					"omit -i for a temporary monitor", c->ifname);
			return EXIT_FAIL;
		}
		if (!(li.flags & IFF_UP)) {
			ctl_msg("capture %s: monitor is down; run 'vsockmon-ctl up %s'",
				c->ifname, c->ifname);
			return EXIT_FAIL;
		}
		return 0;
	}
	tmpmon_reap(s->r, !c->quiet);
	err = tmpmon_create(s->r, s->ifname, sizeof(s->ifname), &s->tmp_ifindex,
			    &s->owner_fd);
	return err ? EXIT_FAIL : 0;	/* a signal meanwhile ends the loop */
}

uint64_t maps_socket_bytes(FILE *maps, unsigned long ino)
{
	char line[512], want[48];
	unsigned long long lo, hi;
	uint64_t sum = 0;
	size_t wl;

	wl = (size_t)snprintf(want, sizeof(want), "socket:[%lu]", ino);
	while (fgets(line, sizeof(line), maps)) {
		char *name = strchr(line, '/') ? NULL : strstr(line, "socket:[");

		if (!name || strncmp(name, want, wl) ||
		    (name[wl] != '\n' && name[wl] != '\0'))
			continue;
		if (sscanf(line, "%llx-%llx", &lo, &hi) == 2 && hi > lo)
			sum += hi - lo;
	}
	return sum;
}

/*
 * What the kernel really mapped for our packet socket's ring: libpcap
 * retries with fewer frames when memory is short, and never tells.
 */
static uint64_t ring_granted(pcap_t *p)
{
	struct stat st;
	uint64_t n;
	FILE *f;

	if (fstat(pcap_get_selectable_fd(p), &st) < 0)
		return 0;
	f = fopen("/proc/self/maps", "re");
	if (!f)
		return 0;
	n = maps_socket_bytes(f, (unsigned long)st.st_ino);
	fclose(f);
	return n;
}

/* Warn when the ring is more than a block (at most 1 MiB) short of -B. */
static void check_ring(struct capsrc *s, uint64_t asked)
{
	s->ring_bytes = ring_granted(s->p);
	if (s->ring_bytes && s->ring_bytes + (1u << 20) <= asked)
		ctl_msg("warning: capture %s: the kernel granted a ring of %llu "
			"MiB, less than the %llu MiB asked; expect drops under load "
			"(free memory, or lower -B)", s->ifname,
			(unsigned long long)(s->ring_bytes >> 20),
			(unsigned long long)(asked >> 20));
}

static int activate(struct capsrc *s, const struct capsrc_cfg *c)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	int r;

	s->p = pcap_create(s->ifname, errbuf);
	if (!s->p) {
		ctl_msg("capture %s: %s", s->ifname,
			without_name(errbuf, s->ifname));
		return EXIT_FAIL;
	}
	pcap_set_snaplen(s->p, c->snaplen);
	/*
	 * Promiscuous: a monitor may use IFF_PROMISC to learn that someone
	 * reads it; our own frames are all we get either way.
	 */
	pcap_set_promisc(s->p, 1);
	/*
	 * No immediate mode, even for printed lines: libpcap would fall back
	 * to TPACKET_V2, whose fixed slots of snaplen bytes hold only ~128
	 * frames in 32 MiB. TPACKET_V3 packs frames by size; its blocks are
	 * handed over at the latest after this timeout.
	 */
	pcap_set_timeout(s->p, 100);
	/* int in libpcap's API: MAX_BUFFER_MIB keeps the request below INT_MAX */
	if (c->buffer_bytes > INT_MAX) {
		ctl_msg("capture %s: a buffer of %llu bytes is more than libpcap "
			"takes (%d)", s->ifname,
			(unsigned long long)c->buffer_bytes, INT_MAX);
		return EXIT_FAIL;
	}
	pcap_set_buffer_size(s->p, (int)c->buffer_bytes);
	r = pcap_activate(s->p);
	if (r < 0) {
		const char *why = pcap_geterr(s->p);

		if (r == PCAP_ERROR_PERM_DENIED)
			ctl_msg("capture %s: %s (needs CAP_NET_RAW; run as root)",
				s->ifname, why);
		else
			ctl_msg("capture %s: %s", s->ifname,
				why && *why ? why : pcap_statustostr(r));
		return EXIT_FAIL;
	}
	if (r > 0)
		ctl_msg("warning: capture %s: %s", s->ifname, pcap_statustostr(r));
	if (pcap_setnonblock(s->p, 1, errbuf) < 0) {
		ctl_msg("capture %s: %s", s->ifname, errbuf);
		return EXIT_FAIL;
	}
	s->live = true;
	check_ring(s, c->buffer_bytes);
	return 0;
}

int capsrc_compile_msg(const char *expr, int snaplen, struct bpf_program *prog,
		      char *why, size_t sz)
{
	pcap_t *dead;
	int r;

	memset(prog, 0, sizeof(*prog));
	why[0] = '\0';
	if (!expr || !*expr)
		return 0;
	dead = pcap_open_dead(DLT_VSOCK, snaplen);
	if (!dead) {
		snprintf(why, sz, "cannot allocate a libpcap handle");
		return EXIT_FAIL;
	}
	r = pcap_compile(dead, prog, expr, FILTER_OPTIMIZE,
			 PCAP_NETMASK_UNKNOWN);
	if (r < 0)
		snprintf(why, sz, "%s", pcap_geterr(dead));
	pcap_close(dead);
	return r < 0 ? EXIT_USAGE : 0;
}

int capsrc_compile(const char *expr, int snaplen, struct bpf_program *prog)
{
	char why[PCAP_ERRBUF_SIZE + 64];
	int r;

	/*
	 * Before any monitor or module: a typo is a usage error, and must
	 * not first create and delete a monitor or blame a missing module.
	 */
	r = capsrc_compile_msg(expr, snaplen, prog, why, sizeof(why));
	if (r)
		ctl_msg("filter '%s': %s%s%s", expr, why,
			strstr(why, "not implemented") ? "; " : "",
			strstr(why, "not implemented") ? FILTER_HINT : "");
	return r;
}

/* Live: SO_ATTACH_FILTER, so the kernel drops what does not match. */
static int set_filter(struct capsrc *s, const struct capsrc_cfg *c)
{
	if (!c->prog || !c->prog->bf_insns)
		return 0;
	if (pcap_setfilter(s->p, (struct bpf_program *)c->prog) < 0) {
		ctl_msg("filter '%s': %s", c->filter, pcap_geterr(s->p));
		return EXIT_FAIL;
	}
	return 0;
}

int capsrc_open(struct capsrc *s, const struct capsrc_cfg *c)
{
	int dlt;

	memset(s, 0, sizeof(*s));
	s->owner_fd = -1;
	if (c->uds) {
		/* a dead handle: for the dumper and the filter, no device */
		s->p = pcap_open_dead(DLT_VSOCK, c->snaplen);
		snprintf(s->ifname, sizeof(s->ifname), "hybrid");
		s->live = true;
		s->hyb = s->p ? hybrid_open(c->uds, c->guest_cid, c->snaplen,
					    c->prog) : NULL;
		return s->hyb ? 0 : EXIT_FAIL;
	}
	if (c->read) {
		if (open_file(s, c))
			return EXIT_FAIL;
	} else if (prepare_monitor(s, c) || activate(s, c)) {
		return EXIT_FAIL;
	}
	dlt = pcap_datalink(s->p);
	if (dlt != DLT_VSOCK) {
		ctl_msg("capture %s: link type %d (%s), expected %d (VSOCK)",
			s->ifname, dlt, pcap_datalink_val_to_name(dlt) ?
			pcap_datalink_val_to_name(dlt) : "?", DLT_VSOCK);
		return EXIT_FAIL;
	}
	if (set_filter(s, c))
		return EXIT_FAIL;
	active = s->p;
	return 0;
}

void capsrc_close(struct capsrc *s)
{
	struct rtnl_err e;
	int err;

	active = NULL;
	if (s->hyb) {
		/* the paths went back at the loop's end; this hands on */
		hybrid_close(s->hyb);
		hybrid_get_stats(s->hyb, &s->hst);
		hybrid_free(s->hyb);
		s->hyb = NULL;
	}
	if (s->p)
		pcap_close(s->p);
	s->p = NULL;
	if (s->tmp_ifindex && s->r) {
		err = mon_delete(s->r, s->tmp_ifindex, &e);
		if (err && err != ENODEV)
			ctl_error("remove temporary monitor", s->ifname, err, e.msg);
	}
	s->tmp_ifindex = 0;
	/* only now: the name is ours until the monitor is gone */
	if (s->owner_fd >= 0)
		close(s->owner_fd);
	s->owner_fd = -1;
	rtnl_close(s->r);
	s->r = NULL;
}

/*
 * TPACKET_V3 hands frames over a block at a time, the current block only
 * after the ring's timeout (100 ms, see activate()). Frames that arrived
 * just before a stop still sit in that block: wait for it and read them, or
 * they are lost without being counted as drops.
 */
static void drain(struct capsrc *s, unsigned long long left, pcap_handler cb,
		  unsigned char *user)
{
	double end = mono_now() + 0.3;

	while (mono_now() < end) {
		struct pollfd pfd = { pcap_get_selectable_fd(s->p), POLLIN, 0 };
		int n;

		if (poll(&pfd, 1, 50) < 0 && errno != EINTR)
			return;
		n = pcap_dispatch(s->p, left ? (int)(left > 1000000 ? 1000000 : left) : -1,
				  cb, user);
		if (n == PCAP_ERROR_BREAK)
			continue;	/* the stop's pcap_breakloop(), now cleared */
		if (n < 0) {
			/*
			 * A deleted monitor answers every wait with an error,
			 * but the ring's timer still hands over the open block.
			 */
			usleep(20000);
			continue;
		}
		if (left) {
			if ((unsigned long long)n >= left)
				return;
			left -= (unsigned long long)n;
		}
	}
}

int capsrc_loop(struct capsrc *s, unsigned long long count, double deadline,
		pcap_handler cb, unsigned char *user,
		void (*tick)(void *), void *tick_data, double tick_s)
{
	unsigned long long done = 0;
	double next_tick = tick ? mono_now() + tick_s : 0;

	if (s->hyb)
		return hybrid_loop(s->hyb, count, deadline, cb, user, tick,
				   tick_data, tick_s);
	while (!ctl_stop) {
		int want = -1, n;

		if (count) {
			unsigned long long left = count - done;

			want = left > 1000000 ? 1000000 : (int)left;
		}
		n = pcap_dispatch(s->p, want, cb, user);
		if (n == PCAP_ERROR_BREAK)
			break;
		if (n < 0) {
			ctl_msg("capture %s: %s", s->ifname, pcap_geterr(s->p));
			/*
			 * E.g. the monitor was deleted: the frames it gave us
			 * before are still in the ring's current block.
			 */
			if (s->live)
				drain(s, count ? count - done : 0, cb, user);
			return -1;
		}
		done += (unsigned long long)n;
		if (count && done >= count)
			break;
		if (!s->live) {
			if (n == 0)
				break;	/* end of file */
			continue;
		}
		if (n == 0) {
			double now = mono_now(), wait = 0.2;
			struct pollfd pfd = { pcap_get_selectable_fd(s->p), POLLIN, 0 };

			if (deadline && deadline - now < wait)
				wait = deadline - now;
			if (tick && next_tick - now < wait)
				wait = next_tick - now;
			if (wait < 0)
				wait = 0;
			if (poll(&pfd, 1, (int)(wait * 1000) + 1) < 0 &&
			    errno != EINTR) {
				ctl_msg("capture %s: poll: %s", s->ifname,
					strerror(errno));
				return -1;
			}
		}
		if (deadline && mono_now() >= deadline)
			break;
		if (tick && mono_now() >= next_tick) {
			tick(tick_data);
			next_tick += tick_s;
			if (next_tick < mono_now())
				next_tick = mono_now() + tick_s;
		}
	}
	if (s->live && !(count && done >= count))
		drain(s, count ? count - done : 0, cb, user);
	return 0;
}
