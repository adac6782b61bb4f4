// SPDX-License-Identifier: GPL-2.0
/*
 * vsockpump: a vsock load generator for benchmarks (make bench) and ad-hoc
 * measurements. Both ends are this program, so what is timed is the kernel's
 * vsock path and nothing a general tool like socat adds (its 8 KiB default
 * buffer, select() between every read and write, no request/response mode).
 *
 *   vsockpump [OPTIONS] bulk    one stream of BYTES in WRITE-byte writes;
 *                               the receiver answers, after end of stream,
 *                               with the byte count it got (16 bytes)
 *   vsockpump [OPTIONS] rr      COUNT request/response exchanges of SIZE
 *                               bytes: write, then read the echo
 *
 * Options:
 *   -r both|server|client  both (default): fork a server, connect to it;
 *                          server: listen on PORT, serve one connection;
 *                          client: connect to CID:PORT
 *   -c CID       peer CID for the client (default 1, VMADDR_CID_LOCAL)
 *   -p PORT      port (default 5201)
 *   -b BYTES     bulk: bytes to send (default 256M; K, M, G suffixes)
 *   -w SIZE      bulk: bytes per write (default 64K)
 *   -n COUNT     rr: exchanges (default 20000)
 *   -s SIZE      rr: message size (default 64)
 *   -V           bulk: the receiver checks every byte of the pattern
 *   -a CPU       run both ends on this CPU (rr under emulation: a reply
 *                that must wake an idle vCPU waits for its next timer
 *                tick, which then dominates the measurement)
 *
 * The client prints one line of KEY=VALUE on stdout, e.g.
 *   mode=bulk bytes=268435456 write=65536 secs=1.234567 MBps=217.44
 *        payload=268435472 received=268435456 ok=1
 *   mode=rr count=20000 size=64 secs=1.5 msgs_per_s=13333.3 payload=2560000 ok=1
 * where secs is CLOCK_MONOTONIC from the first write to the last byte read
 * (connection setup excluded), MBps is 10^6 bytes per second, and payload
 * is the number of bytes written in both directions (what a capture should
 * hold as payload). Exit status 0 when the run completed and the byte
 * counts (and, with -V, the pattern) agree.
 *
 * The bulk stream is byte(o) = (o >> 12) & 0xff: cheap to make, cheap to
 * check, and a capture of it compresses well.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/vm_sockets.h>

#ifndef VMADDR_CID_LOCAL
#define VMADDR_CID_LOCAL 1
#endif

struct opts {
	const char *mode;	/* "bulk" or "rr" */
	const char *role;
	unsigned int cid, port;
	unsigned long long bytes;
	size_t wsize, msize;
	unsigned long long count;
	bool verify;
	int cpu;		/* -1: no pinning */
};

static void die(const char *what)
{
	fprintf(stderr, "vsockpump: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void fail(const char *msg)
{
	fprintf(stderr, "vsockpump: %s\n", msg);
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int parse_size(const char *s, unsigned long long *v)
{
	char *end;
	unsigned long long n;

	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case 'G': case 'g': n <<= 10; /* fall through */
	case 'M': case 'm': n <<= 10; /* fall through */
	case 'K': case 'k': n <<= 10; end++; break;
	case '\0': break;
	default: return -1;
	}
	if (*end)
		return -1;
	*v = n;
	return 0;
}

static void write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("write");
		}
		p += n;
		len -= (size_t)n;
	}
}

/* Reads exactly len bytes; returns false on end of stream before that. */
static bool read_all(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("read");
		}
		if (n == 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

static void fill(unsigned char *buf, size_t len, unsigned long long off)
{
	while (len) {
		size_t run = 4096 - (off & 4095);

		if (run > len)
			run = len;
		memset(buf, (int)((off >> 12) & 0xff), run);
		buf += run;
		off += run;
		len -= run;
	}
}

static bool check(const unsigned char *buf, size_t len, unsigned long long off)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i] != (unsigned char)(((off + i) >> 12) & 0xff))
			return false;
	return true;
}

static int listen_on(unsigned int port)
{
	struct sockaddr_vm sa = {
		.svm_family = AF_VSOCK, .svm_cid = VMADDR_CID_ANY, .svm_port = port,
	};
	int fd = socket(AF_VSOCK, SOCK_STREAM, 0);

	if (fd < 0)
		die("socket");
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("bind");
	if (listen(fd, 1) < 0)
		die("listen");
	return fd;
}

static int connect_to(unsigned int cid, unsigned int port)
{
	struct sockaddr_vm sa = {
		.svm_family = AF_VSOCK, .svm_cid = cid, .svm_port = port,
	};
	int tries, fd;

	/* a server started just before may not listen yet */
	for (tries = 0; tries < 50; tries++) {
		fd = socket(AF_VSOCK, SOCK_STREAM, 0);
		if (fd < 0)
			die("socket");
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			return fd;
		if (errno != ECONNRESET && errno != ECONNREFUSED)
			die("connect");
		close(fd);
		usleep(100000);
	}
	die("connect");
	return -1;
}

/* One connection: bulk receiver or rr echo. Returns the exit status. */
static int serve(int lfd, const struct opts *o)
{
	static unsigned char buf[256 * 1024];
	unsigned long long got = 0;
	uint64_t report[2];
	bool ok = true;
	int fd = accept(lfd, NULL, NULL);

	if (fd < 0)
		die("accept");
	close(lfd);
	if (!strcmp(o->mode, "rr")) {
		while (read_all(fd, buf, o->msize))
			write_all(fd, buf, o->msize);
		close(fd);
		return 0;
	}
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("read");
		}
		if (n == 0)
			break;
		if (o->verify && ok && !check(buf, (size_t)n, got))
			ok = false;
		got += (unsigned long long)n;
	}
	report[0] = got;
	report[1] = ok;
	write_all(fd, report, sizeof(report));
	close(fd);
	return ok ? 0 : 1;
}

static int client_bulk(int fd, const struct opts *o)
{
	/* the pattern repeats every 1 MiB: write windows of one long buffer */
	const size_t period = 1 << 20;
	unsigned char *buf = malloc(period + o->wsize);
	unsigned long long sent = 0;
	uint64_t report[2];
	double t0, t;
	bool ok;

	if (!buf)
		fail("out of memory");
	fill(buf, period + o->wsize, 0);
	t0 = now();
	while (sent < o->bytes) {
		size_t len = o->bytes - sent < o->wsize ? (size_t)(o->bytes - sent) : o->wsize;

		write_all(fd, buf + sent % period, len);
		sent += len;
	}
	if (shutdown(fd, SHUT_WR) < 0)
		die("shutdown");
	if (!read_all(fd, report, sizeof(report)))
		fail("bulk: the receiver closed without a report");
	t = now() - t0;
	ok = report[0] == sent && report[1];
	printf("mode=bulk bytes=%llu write=%zu secs=%.6f MBps=%.2f payload=%llu received=%" PRIu64 " ok=%d\n",
	       sent, o->wsize, t, (double)sent / t / 1e6,
	       sent + sizeof(report), report[0], ok);
	free(buf);
	return ok ? 0 : 1;
}

static int client_rr(int fd, const struct opts *o)
{
	unsigned char *out = malloc(o->msize), *in = malloc(o->msize);
	unsigned long long i;
	double t0, t;
	bool ok = true;

	if (!out || !in)
		fail("out of memory");
	memset(out, 'v', o->msize);
	t0 = now();
	for (i = 0; i < o->count; i++) {
		memcpy(out, &i, o->msize < sizeof(i) ? o->msize : sizeof(i));
		write_all(fd, out, o->msize);
		if (!read_all(fd, in, o->msize))
			fail("rr: the server closed early");
		if (memcmp(in, out, o->msize))
			ok = false;
	}
	t = now() - t0;
	printf("mode=rr count=%llu size=%zu secs=%.6f msgs_per_s=%.1f payload=%llu ok=%d\n",
	       o->count, o->msize, t, (double)o->count / t,
	       2 * o->count * o->msize, ok);
	free(out);
	free(in);
	return ok ? 0 : 1;
}

static int client(const struct opts *o)
{
	int fd = connect_to(o->cid, o->port), rc;

	rc = !strcmp(o->mode, "rr") ? client_rr(fd, o) : client_bulk(fd, o);
	close(fd);
	return rc;
}

static void usage(void)
{
	fprintf(stderr, "usage: vsockpump [-r both|server|client] [-c CID] [-p PORT] "
		"[-b BYTES] [-w SIZE] [-n COUNT] [-s SIZE] [-V] [-a CPU] bulk|rr\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct opts o = {
		.role = "both", .cid = VMADDR_CID_LOCAL, .port = 5201,
		.bytes = 256ULL << 20, .wsize = 64 << 10, .msize = 64, .count = 20000, .cpu = -1,
	};
	unsigned long long v;
	int c, lfd, rc, status;
	pid_t pid;

	while ((c = getopt(argc, argv, "r:c:p:b:w:n:s:Va:")) != -1) {
		switch (c) {
		case 'r': o.role = optarg; break;
		case 'c':
			if (parse_size(optarg, &v) || v > UINT32_MAX)
				usage();
			o.cid = (unsigned int)v;
			break;
		case 'p':
			if (parse_size(optarg, &v) || v > UINT32_MAX)
				usage();
			o.port = (unsigned int)v;
			break;
		case 'b':
			if (parse_size(optarg, &o.bytes))
				usage();
			break;
		case 'w':
			if (parse_size(optarg, &v) || !v || v > (64 << 20))
				usage();
			o.wsize = (size_t)v;
			break;
		case 'n':
			if (parse_size(optarg, &o.count))
				usage();
			break;
		case 's':
			if (parse_size(optarg, &v) || !v || v > (256 << 10))
				usage();
			o.msize = (size_t)v;
			break;
		case 'V': o.verify = true; break;
		case 'a':
			if (parse_size(optarg, &v) || v >= CPU_SETSIZE)
				usage();
			o.cpu = (int)v;
			break;
		default: usage();
		}
	}
	if (optind != argc - 1)
		usage();
	o.mode = argv[optind];
	if (strcmp(o.mode, "bulk") && strcmp(o.mode, "rr"))
		usage();
	signal(SIGPIPE, SIG_IGN);
	if (o.cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(o.cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set) < 0)
			die("sched_setaffinity");
	}

	if (!strcmp(o.role, "client"))
		return client(&o);
	if (!strcmp(o.role, "server"))
		return serve(listen_on(o.port), &o);
	if (strcmp(o.role, "both"))
		usage();

	/* listen before the fork: the client's first connect finds it */
	lfd = listen_on(o.port);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0)
		_exit(serve(lfd, &o));
	close(lfd);
	rc = client(&o);
	if (waitpid(pid, &status, 0) < 0)
		die("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		rc = 1;
	return rc;
}
