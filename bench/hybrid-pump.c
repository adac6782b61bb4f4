// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hybrid-pump: the two ends of bench/hybrid's workloads over hybrid vsock.
 *
 *   hybrid-pump serve-uds PATH [OKPORT]
 *       A SYNTHETIC endpoint, for measurement only: listens on PATH like a
 *       userspace VMM's hybrid vsock socket, answers "CONNECT p\n" with
 *       "OK OKPORT\n" (default 1073741824) and then serves the workload
 *       itself (no guest behind it), so the interposer's own cost shows.
 *   hybrid-pump serve-vsock PORT
 *       The same workload server on AF_VSOCK (in the guest).
 *   hybrid-pump bulk PATH PORT BYTES WRITE
 *   hybrid-pump rr PATH PORT COUNT SIZE
 *       Clients: connect to PATH, "CONNECT PORT\n", read "OK n\n", then
 *       bulk: 'B', le64 BYTES, BYTES in WRITE-byte writes, wait for the
 *       server's 1-byte acknowledgement (it has read everything); rr: 'R',
 *       le32 SIZE, COUNT exchanges of SIZE bytes (the server echoes).
 *       Print "bytes=N seconds=S rate=R" (MB/s, 10^6 B/s; rr: exchanges/s)
 *       and "wire_bytes=N" (payload bytes both ways, handshake excluded).
 *
 * Servers fork a child per connection. No half-close is needed (the VMMs
 * differ there): every transfer ends with an answer, then both close.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <linux/vm_sockets.h>

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static int read_full(int fd, void *buf, size_t n)
{
	char *p = buf;

	while (n) {
		ssize_t r = read(fd, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static int write_full(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int read_line(int fd, char *buf, size_t sz)
{
	size_t n = 0;

	while (n + 1 < sz) {
		if (read_full(fd, buf + n, 1))
			return -1;
		if (buf[n++] == '\n')
			break;
	}
	buf[n] = '\0';
	return (int)n;
}

static void serve_workload(int fd)
{
	static char buf[1 << 20];
	unsigned char kind;

	if (read_full(fd, &kind, 1))
		return;
	if (kind == 'B') {
		uint64_t left;

		if (read_full(fd, &left, 8))
			return;
		while (left) {
			size_t want = left < sizeof(buf) ? (size_t)left : sizeof(buf);
			ssize_t r = read(fd, buf, want);

			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				return;
			left -= (uint64_t)r;
		}
		write_full(fd, "A", 1);
	} else if (kind == 'R') {
		uint32_t size;

		if (read_full(fd, &size, 4) || size > sizeof(buf))
			return;
		while (!read_full(fd, buf, size))
			if (write_full(fd, buf, size))
				return;
	}
}

static void serve(int ls, int uds, const char *okport)
{
	signal(SIGCHLD, SIG_IGN);
	for (;;) {
		int fd = accept(ls, NULL, NULL);

		if (fd < 0) {
			if (errno == EINTR)
				continue;
			die("accept");
		}
		if (fork() == 0) {
			close(ls);
			if (uds) {
				char line[64], ok[64];

				if (read_line(fd, line, sizeof(line)) <= 0 ||
				    strncmp(line, "CONNECT ", 8))
					_exit(1);
				snprintf(ok, sizeof(ok), "OK %s\n", okport);
				if (write_full(fd, ok, strlen(ok)))
					_exit(1);
			}
			serve_workload(fd);
			close(fd);
			_exit(0);
		}
		close(fd);
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int client(const char *path, const char *port)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char line[64];
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	if (fd < 0)
		die("socket");
	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "path too long\n");
		exit(1);
	}
	strcpy(sa.sun_path, path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		die("connect");
	snprintf(line, sizeof(line), "CONNECT %s\n", port);
	if (write_full(fd, line, strlen(line)) || read_line(fd, line, sizeof(line)) <= 0 ||
	    strncmp(line, "OK ", 3)) {
		fprintf(stderr, "handshake failed: %s\n", line);
		exit(1);
	}
	return fd;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "serve-uds")) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		int ls = socket(AF_UNIX, SOCK_STREAM, 0);

		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", argv[2]);
		unlink(argv[2]);
		if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) || listen(ls, 64))
			die("listen");
		serve(ls, 1, argc > 3 ? argv[3] : "1073741824");
	} else if (argc == 3 && !strcmp(argv[1], "serve-vsock")) {
		struct sockaddr_vm sa = { .svm_family = AF_VSOCK, .svm_cid = VMADDR_CID_ANY,
					  .svm_port = (unsigned int)atoi(argv[2]) };
		int one = 1, ls = socket(AF_VSOCK, SOCK_STREAM, 0);

		setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) || listen(ls, 64))
			die("listen");
		serve(ls, 0, NULL);
	} else if (argc == 6 && !strcmp(argv[1], "bulk")) {
		uint64_t bytes = strtoull(argv[4], NULL, 0), left = bytes;
		size_t wr = strtoul(argv[5], NULL, 0);
		char *buf = malloc(wr);
		int fd = client(argv[2], argv[3]);
		double t0;
		char ack;

		if (!buf || !wr)
			die("buffer");
		for (size_t i = 0; i < wr; i++)
			buf[i] = (char)(i * 131 + 7);
		t0 = now();
		if (write_full(fd, "B", 1) || write_full(fd, &bytes, 8))
			die("write");
		while (left) {
			size_t n = left < wr ? (size_t)left : wr;

			if (write_full(fd, buf, n))
				die("write");
			left -= n;
		}
		if (read_full(fd, &ack, 1))
			die("no acknowledgement");
		t0 = now() - t0;
		printf("bytes=%llu seconds=%.6f rate=%.1f wire_bytes=%llu\n",
		       (unsigned long long)bytes, t0, bytes / t0 / 1e6,
		       (unsigned long long)bytes + 10);
		close(fd);
	} else if (argc == 6 && !strcmp(argv[1], "rr")) {
		long count = atol(argv[4]);
		uint32_t size = (uint32_t)atol(argv[5]);
		char *buf = calloc(1, size ? size : 1);
		int fd = client(argv[2], argv[3]);
		double t0;

		if (!buf || !size)
			die("buffer");
		t0 = now();
		if (write_full(fd, "R", 1) || write_full(fd, &size, 4))
			die("write");
		for (long i = 0; i < count; i++) {
			buf[0] = (char)i;
			if (write_full(fd, buf, size) || read_full(fd, buf, size))
				die("exchange");
		}
		t0 = now() - t0;
		printf("bytes=%llu seconds=%.6f rate=%.1f wire_bytes=%llu\n",
		       (unsigned long long)count * size, t0, count / t0,
		       (unsigned long long)count * size * 2 + 5);
		close(fd);
	} else {
		fprintf(stderr, "usage: see the comment at the top of bench/hybrid-pump.c\n");
		return 2;
	}
	return 0;
}
