// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `capture`: frames to a pcap/pcapng file or to readable lines, with the
 * kernel's drop count on stderr at the end.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "ctl.h"
#include "cmds.h"
#include "frame.h"
#include "pcapng.h"
#include "source.h"

#define FILTER_MAX 4096

struct sink {
	pcap_dumper_t *dump;
	struct pcapng_writer ng;
	bool lines, ng_open;
	/*
	 * Every frame reaches the reader at once: extcap's fifo, -U, and
	 * any pipe, socket or terminal (| wireshark -k -i -, ssh ... | ...).
	 */
	bool flush_each;
	FILE *out;		/* for lines */
	int watch_fd;		/* a pipe or fifo we write, else -1 */
	int werr;		/* first write error */
	bool interrupted;	/* a stop signal cut a blocked write */
	unsigned int fmt;	/* VSOCK_FMT_* for lines */
	unsigned long long frames, bytes;
	bool raw;		/* --raw: frames as the kernel gave them */
	unsigned long long cut_frames, cut_bytes;
	pcap_t *p;
	const struct hybrid *hyb;	/* frames name their connection */
};

/* A write failed with err: stop, remembering it unless a signal caused it. */
static void stop_with(struct sink *k, int err)
{
	err = out_write_error(k->lines ? k->out :
			      k->dump ? pcap_dump_file(k->dump) : NULL, err);
	if (!err)
		k->interrupted = true;
	else if (!k->werr)
		k->werr = err;
	ctl_stop = 1;
	pcap_breakloop(k->p);
}

static void on_frame(unsigned char *user, const struct pcap_pkthdr *h,
		     const unsigned char *data)
{
	struct sink *k = (struct sink *)user;
	struct pcap_pkthdr cut;
	char line[512], conn[48] = "";
	uint32_t len;

	if (k->werr || k->interrupted)
		return;
	len = k->raw ? h->len : vsock_stated_len(data, h->caplen, h->len);
	if (len < h->len) {
		/* what the payload really was: the header says how long */
		k->cut_frames++;
		k->cut_bytes += h->len - len;
		cut = *h;
		cut.len = len;
		if (cut.caplen > len)
			cut.caplen = len;
		h = &cut;
	}
	k->frames++;
	k->bytes += h->len;
	if (k->lines) {
		vsock_format_opt(line, sizeof(line), &h->ts, data, h->caplen,
				 h->len, k->fmt);
		if (fprintf(k->out, "%s\n", line) < 0)
			stop_with(k, errno);
		return;
	}
	if (k->dump) {
		/* pcap_dump() says nothing: ask the stream (-w /dev/full) */
		pcap_dump((unsigned char *)k->dump, h, data);
		if (k->flush_each)
			pcap_dump_flush(k->dump);
		if (ferror(pcap_dump_file(k->dump)))
			stop_with(k, errno);
		return;
	}
	if (k->hyb)
		snprintf(conn, sizeof(conn), HYB_CONN_COMMENT "%llu",
			 hybrid_frame_conn(k->hyb));
	if (pcapng_write(&k->ng, h, data, conn) ||
	    (k->flush_each && fflush(k->ng.f)))
		stop_with(k, errno);
}

/* A reader that waits for each frame: a pipe, fifo, socket or terminal. */
static bool live_reader(FILE *f)
{
	struct stat st;
	int fd = f ? fileno(f) : -1;

	if (fd < 0 || fstat(fd, &st))
		return false;
	return S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || isatty(fd);
}

/* A pipe or fifo: its reader may leave while no frame comes to tell us. */
static int pipe_fd(FILE *f)
{
	struct stat st;
	int fd = f ? fileno(f) : -1;

	return fd >= 0 && !fstat(fd, &st) && S_ISFIFO(st.st_mode) ? fd : -1;
}

/* if_description: what the frames are, and what their odd values mean */
static void describe(char *buf, size_t sz, const struct capture_opts *o,
		     const struct capsrc *s)
{
	if (s->hyb)
		snprintf(buf, sz, "hybrid vsock of %s, guest CID %u, relayed by "
			 "%s; port 4294967295: a port the hybrid protocol does "
			 "not tell (a guest's own port, or the host's where the "
			 "VMM answers with the guest's)", hybrid_path(s->hyb),
			 o->guest_cid, PROG_NAME);
	else if (s->live)
		snprintf(buf, sz, "all vsock traffic of this machine, through "
			 "the %svsockmon monitor %s", s->tmp_ifindex ?
			 "temporary " : "", s->ifname);
	else
		snprintf(buf, sz, "frames read from %s", o->read);
}

static int open_sink(struct sink *k, const struct capture_opts *o,
		     struct capsrc *s, const char *filter)
{
	char appl[64], desc[PATH_MAX + 256];
	struct pcapng_meta m = {
		.appl = appl, .ifname = s->ifname, .ifdesc = desc,
		.filter = filter,
	};
	int err;

	k->p = s->p;
	k->hyb = s->hyb;
	k->watch_fd = -1;
	if (!o->write) {
		k->lines = true;
		/* live, only the headers were asked for (capture_snaplen) */
		k->fmt = s->live ? VSOCK_FMT_HEADERS : 0;
		k->out = OUT;
		k->watch_fd = pipe_fd(k->out);
		return 0;
	}
	if (o->pcapng) {
		snprintf(appl, sizeof(appl), "%s %s", PROG_NAME, VSOCKMON_VERSION);
		describe(desc, sizeof(desc), o, s);
		err = pcapng_open(&k->ng, o->write, DLT_VSOCK,
				  (uint32_t)pcap_snapshot(s->p), &m);
		if (err) {
			ctl_error("write", o->write, err, NULL);
			pcapng_close(&k->ng);
			return EXIT_FAIL;
		}
		k->ng_open = true;
		k->watch_fd = pipe_fd(k->ng.f);
		k->flush_each = o->extcap || o->packet_buffered ||
				live_reader(k->ng.f);
		if (k->flush_each && fflush(k->ng.f)) {
			stop_with(k, errno);
			return k->werr ? EXIT_FAIL : 0;
		}
		return 0;
	}
	/* a fifo: blocks until its reader (Wireshark's dumpcap) opens it */
	k->dump = pcap_dump_open(s->p, o->write);
	if (!k->dump) {
		if (!ctl_signalled)	/* stopped before the reader came */
			ctl_msg("write %s: %s", o->write,
				without_name(pcap_geterr(s->p), o->write));
		return EXIT_FAIL;
	}
	k->watch_fd = pipe_fd(pcap_dump_file(k->dump));
	/* the reader waits for the file header before it shows anything */
	k->flush_each = o->extcap || o->packet_buffered ||
			live_reader(pcap_dump_file(k->dump));
	if (k->flush_each && pcap_dump_flush(k->dump)) {
		stop_with(k, errno);
		return k->werr ? EXIT_FAIL : 0;
	}
	return 0;
}

/* What the relay did; what it still carries, and who does. */
static void hybrid_report(const struct hybrid_stats *h)
{
	fprintf(ERR, "%llu connection%s relayed, %llu bytes, %llu frame%s made "
		"(%llu filtered out)\n", h->conns, plural_s(h->conns), h->bytes,
		h->frames, plural_s(h->frames), h->filtered);
	if (h->carried && h->relay_pid > 0)
		fprintf(ERR, "%u connection%s still open: relayed by pid %ld "
			"until they end\n", h->carried, plural_s(h->carried),
			(long)h->relay_pid);
}

/* Returns the first write error, 0 if none. */
static int close_sink(struct sink *k)
{
	int err = k->werr;

	if (k->dump) {
		FILE *f = pcap_dump_file(k->dump);

		if ((pcap_dump_flush(k->dump) || ferror(f)) && !err)
			err = errno ? errno : EIO;
		pcap_dump_close(k->dump);
		k->dump = NULL;
	}
	if (k->ng_open) {
		int e = pcapng_close(&k->ng);

		if (!err)
			err = e;
		k->ng_open = false;
	}
	if (k->lines && !k->interrupted && fflush(k->out) && !err)
		err = out_write_error(k->out, errno);
	return err;
}

/* A write end whose reader is gone polls as POLLERR (pipe_poll()). */
static bool reader_gone(int fd)
{
	struct pollfd pfd = { fd, 0, 0 };

	return fd >= 0 && poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLERR);
}

/*
 * Every tick: lines reach a slow reader, and a reader that left (Wireshark
 * stopped, `| head` ended) ends the capture as a failed write would.
 */
static void sink_tick(void *data)
{
	struct sink *k = data;

	if (k->werr || k->interrupted)
		return;
	if (k->lines && fflush(k->out))
		stop_with(k, errno);
	else if (reader_gone(k->watch_fd))
		stop_with(k, EPIPE);
}

/*
 * Lines show the headers and the wire length, never the payload: asking
 * the kernel for whole frames would copy every payload byte into the ring
 * for nothing. A file gets what -s says.
 */
int capture_snaplen(const struct capture_opts *o)
{
	int hdrs = AF_HDR_LEN + VIRTIO_HDR_LEN;

	return o->write || o->snaplen < hdrs ? o->snaplen : hdrs;
}

int run_capture(const struct capture_opts *o)
{
	char expr[FILTER_MAX];
	struct capsrc_cfg cfg = {
		.ifname = o->ifname, .read = o->read, .filter = expr,
		.uds = o->uds, .guest_cid = o->guest_cid,
		.snaplen = capture_snaplen(o),
		.buffer_bytes = (uint64_t)o->buffer_mib << 20, .quiet = o->quiet,
	};
	struct bpf_program prog;
	struct sink k;
	struct capsrc s;
	struct pcap_stat st;
	struct pcapng_stats ns = { 0 };
	char cut_note[160];
	bool have_stats = false;
	int ret = EXIT_OK, werr;

	memset(&k, 0, sizeof(k));
	k.raw = o->raw;
	if (filter_expr(&o->match, o->filter, expr, sizeof(expr))) {
		ctl_msg("capture: filter expression too long");
		return EXIT_USAGE;
	}
	ret = capsrc_compile(expr, cfg.snaplen, &prog);
	if (ret)
		return ret;
	cfg.prog = &prog;
	capsrc_signals();
	if (capsrc_open(&s, &cfg) || open_sink(&k, o, &s, expr)) {
		capsrc_close(&s);
		pcap_freecode(&prog);
		/* extcap: Wireshark stopped us before its reader came */
		return o->extcap && ctl_signalled ? EXIT_OK : EXIT_FAIL;
	}
	if (!o->quiet && s.hyb)
		fprintf(ERR, "%s: capturing on %s (hybrid vsock, guest CID %u), "
			"link-type VSOCK, snapshot length %d%s\n", PROG_NAME,
			hybrid_path(s.hyb), o->guest_cid, pcap_snapshot(s.p),
			o->write ? "" : "; Ctrl-C to stop");
	else if (!o->quiet && s.live)
		fprintf(ERR, "%s: capturing on %s%s, link-type VSOCK, snapshot "
			"length %d, buffer %llu MiB%s\n", PROG_NAME, s.ifname,
			s.tmp_ifindex ? " (temporary)" : "", pcap_snapshot(s.p),
			(unsigned long long)(s.ring_bytes ? s.ring_bytes >> 20 :
					     o->buffer_mib),
			o->write ? "" : "; Ctrl-C to stop");
	gettimeofday(&ns.start, NULL);
	if (capsrc_loop(&s, o->count, o->duration ? mono_now() + o->duration : 0,
			on_frame, (unsigned char *)&k, sink_tick, &k, 0.2) < 0)
		ret = EXIT_FAIL;
	gettimeofday(&ns.end, NULL);
	if (s.live && !s.hyb && pcap_stats(s.p, &st) == 0)
		have_stats = true;
	if (k.ng_open && !k.werr && (have_stats || s.hyb)) {
		struct hybrid_stats hs;

		if (s.hyb) {
			hybrid_get_stats(s.hyb, &hs);
			ns.recv = hs.frames;
		} else {
			ns.recv = st.ps_recv;
			ns.drop = (uint64_t)st.ps_drop + st.ps_ifdrop;
		}
		ns.delivered = k.frames;
		if (k.cut_frames) {
			snprintf(cut_note, sizeof(cut_note), "%llu frame%s cut "
				 "by %llu bytes to the length their virtio header "
				 "states (Linux 6.1.y vhost tap bug)", k.cut_frames,
				 plural_s(k.cut_frames), k.cut_bytes);
			ns.comment = cut_note;
		}
		if (pcapng_write_stats(&k.ng, &ns))
			k.werr = errno ? errno : EIO;
	}
	werr = close_sink(&k);
	capsrc_close(&s);
	pcap_freecode(&prog);
	/* before the counts: scripts read the last line */
	if (k.cut_frames && !o->quiet)
		fprintf(ERR, "%llu frame%s carried %llu bytes beyond the length "
			"their virtio header states (the vhost tap bug of Linux "
			"6.1.y): cut to it; --raw keeps them\n", k.cut_frames,
			plural_s(k.cut_frames), k.cut_bytes);
	if (werr == EPIPE && o->extcap) {
		/* Wireshark closed the fifo: its way of saying stop */
	} else if (werr) {
		/* EPIPE: the reader is gone (| head); nobody to tell */
		if (werr != EPIPE)
			ctl_msg("write %s: %s (%llu frame%s captured, not all "
				"written)", !o->write || !strcmp(o->write, "-") ?
				"stdout" : o->write,
				strerror(werr), k.frames, plural_s(k.frames));
		ret = EXIT_FAIL;
	} else if (!o->quiet) {
		fprintf(ERR, "%llu frame%s captured, %llu bytes", k.frames,
			plural_s(k.frames), k.bytes);
		if (have_stats)
			fprintf(ERR, ", %u dropped by kernel", st.ps_drop);
		if (have_stats && st.ps_ifdrop)
			fprintf(ERR, ", %u dropped by interface", st.ps_ifdrop);
		fputc('\n', ERR);
	}
	if (o->uds && !o->quiet)
		hybrid_report(&s.hst);
	return ret;
}
