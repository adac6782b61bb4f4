// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `top`: a live per-connection table, refreshed every interval.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "frame.h"
#include "cmds.h"
#include "flows.h"
#include "source.h"

struct top_ctx {
	struct flow_table t;
	const struct top_opts *o;
	const char *ifname;
	bool tty;
	double last;
	struct timeval first_ts, last_ts;
	bool any_ts;
	bool ticked;		/* a table was printed */
	int werr;		/* first write error on stdout */
};

static void on_frame(unsigned char *user, const struct pcap_pkthdr *h,
		     const unsigned char *data)
{
	struct top_ctx *c = (struct top_ctx *)user;
	uint32_t len = vsock_stated_len(data, h->caplen, h->len);

	if (!c->any_ts)
		c->first_ts = h->ts;
	c->any_ts = true;
	c->last_ts = h->ts;
	/* count the payload the header states (6.1.y vhost: frame.h) */
	flows_add_frame(&c->t, data, h->caplen < len ? h->caplen : len, len);
}

static void render(struct top_ctx *c)
{
	FILE *f = OUT;

	if (c->o->json) {
		flows_print_json(f, &c->t);
	} else if (c->o->read) {
		/* no clock and no interval: they do not apply to a file */
		fprintf(f, "%s top of %s (rates over its time stamps; '?' after "
			"a client: request not seen)\n", PROG_NAME, c->o->read);
	} else {
		char when[32];
		time_t now = time(NULL);
		struct tm tm;

		localtime_r(&now, &tm);
		strftime(when, sizeof(when), "%H:%M:%S", &tm);
		if (c->tty && !c->o->once)
			fputs("\033[H\033[2J", f);
		fprintf(f, "%s top on %s, %s (every %gs; '?' after a client: "
			"request not seen)\n", PROG_NAME, c->ifname, when,
			c->o->interval);
	}
	if (!c->o->json)
		flows_print_table(f, &c->t);
	/* | head: the table must stop when nobody reads it */
	if ((fflush(f) || ferror(f)) && !c->werr) {
		c->werr = out_write_error(f, errno);
		ctl_stop = 1;
	}
}

static void on_tick(void *data)
{
	struct top_ctx *c = data;
	double now = mono_now();

	flows_tick(&c->t, now - c->last);
	c->last = now;
	render(c);
	c->ticked = true;
	if (c->o->once)
		ctl_stop = 1;
}

int run_top(const struct top_opts *o)
{
	struct capsrc_cfg cfg = {
		.ifname = o->ifname, .read = o->read, .filter = "",
		.uds = o->uds, .guest_cid = o->guest_cid,
		.snaplen = AF_HDR_LEN + VIRTIO_HDR_LEN,	/* headers suffice */
		.buffer_bytes = (uint64_t)DEFAULT_BUFFER_MIB << 20,
	};
	struct top_ctx c;
	struct capsrc s;
	int ret = EXIT_OK;

	memset(&c, 0, sizeof(c));
	flows_init(&c.t);
	c.o = o;
	c.tty = isatty(STDOUT_FILENO);
	capsrc_signals();
	if (capsrc_open(&s, &cfg)) {
		capsrc_close(&s);
		return EXIT_FAIL;
	}
	c.ifname = s.hyb ? hybrid_path(s.hyb) : s.ifname;
	c.last = mono_now();
	if (capsrc_loop(&s, 0, 0, on_frame, (unsigned char *)&c,
			s.live ? on_tick : NULL, &c, o->interval) < 0)
		ret = EXIT_FAIL;
	/*
	 * --once stopped (SIGINT, SIGTERM) before its interval ended: its one
	 * table, over the time it ran, as sar prints its average on Ctrl-C.
	 */
	if (s.live && o->once && ctl_signalled && !c.ticked && ret == EXIT_OK)
		on_tick(&c);
	if (!s.live && ret == EXIT_OK) {
		/* A file: rates over the span of its timestamps. */
		double span = c.any_ts ?
			(double)(c.last_ts.tv_sec - c.first_ts.tv_sec) +
			(double)(c.last_ts.tv_usec - c.first_ts.tv_usec) / 1e6 : 0;

		flows_tick(&c.t, span > 0 ? span : 1);
		render(&c);
	}
	capsrc_close(&s);
	flows_free(&c.t);
	if (c.werr) {
		if (c.werr != EPIPE)
			ctl_error("write", "stdout", c.werr, NULL);
		ret = EXIT_FAIL;
	}
	return ret;
}
