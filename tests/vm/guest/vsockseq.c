// SPDX-License-Identifier: GPL-2.0
/*
 * vsockseq: a SOCK_SEQPACKET vsock peer for the VM tests (socat cannot
 * choose message sizes or set MSG_EOR).
 *
 *   vsockseq send CID PORT FILE SIZE[e]...
 *       connect and send one message per SIZE, each the next SIZE bytes of
 *       FILE; "e" sends that message with MSG_EOR
 *   vsockseq recv PORT COUNT OUTFILE
 *       accept one connection, receive COUNT messages (or until EOF),
 *       append their bytes to OUTFILE and print one line per message:
 *       "msg N len L eor 0|1 trunc 0|1"
 *
 * "listening" on stderr when recv is ready. Exit 3 when the kernel has no
 * SEQPACKET for vsock (the reason on stderr), 1 on other errors.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/vm_sockets.h>

#define BUF (256 * 1024)

static int fail(const char *what)
{
	int e = errno;

	fprintf(stderr, "vsockseq: %s: %s\n", what, strerror(e));
	return (e == ESOCKTNOSUPPORT || e == EPROTONOSUPPORT ||
		e == EOPNOTSUPP || e == EAFNOSUPPORT) ? 3 : 1;
}

static int do_send(int argc, char **argv)
{
	struct sockaddr_vm a = { .svm_family = AF_VSOCK };
	static char buf[BUF];
	FILE *f;
	int fd, i;

	a.svm_cid = (unsigned int)strtoul(argv[0], NULL, 0);
	a.svm_port = (unsigned int)strtoul(argv[1], NULL, 0);
	f = fopen(argv[2], "rb");
	if (!f)
		return fail(argv[2]);
	fd = socket(AF_VSOCK, SOCK_SEQPACKET, 0);
	if (fd < 0)
		return fail("socket");
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		return fail("connect");
	for (i = 3; i < argc; i++) {
		char *end;
		size_t n = strtoul(argv[i], &end, 0);
		int flags = *end == 'e' ? MSG_EOR : 0;
		ssize_t w;

		if (n > BUF || fread(buf, 1, n, f) != n) {
			fprintf(stderr, "vsockseq: message %s: too big or past the end of %s\n",
				argv[i], argv[2]);
			return 1;
		}
		w = send(fd, buf, n, flags);
		if (w < 0)
			return fail("send");
		if ((size_t)w != n) {
			fprintf(stderr, "vsockseq: short send %zd of %zu\n", w, n);
			return 1;
		}
	}
	fclose(f);
	close(fd);
	return 0;
}

static int do_recv(char **argv)
{
	struct sockaddr_vm a = { .svm_family = AF_VSOCK, .svm_cid = VMADDR_CID_ANY };
	static char buf[BUF];
	int lfd, fd, count, n;
	FILE *out;

	a.svm_port = (unsigned int)strtoul(argv[0], NULL, 0);
	count = atoi(argv[1]);
	out = fopen(argv[2], "wb");
	if (!out)
		return fail(argv[2]);
	lfd = socket(AF_VSOCK, SOCK_SEQPACKET, 0);
	if (lfd < 0)
		return fail("socket");
	if (bind(lfd, (struct sockaddr *)&a, sizeof(a)) < 0)
		return fail("bind");
	if (listen(lfd, 1) < 0)
		return fail("listen");
	fprintf(stderr, "listening\n");
	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		return fail("accept");
	for (n = 1; n <= count; n++) {
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t r = recvmsg(fd, &m, 0);

		if (r < 0)
			return fail("recvmsg");
		if (r == 0)
			break;
		printf("msg %d len %zd eor %d trunc %d\n", n, r,
		       !!(m.msg_flags & MSG_EOR), !!(m.msg_flags & MSG_TRUNC));
		fwrite(buf, 1, (size_t)r, out);
	}
	fflush(stdout);
	fclose(out);
	close(fd);
	close(lfd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 6 && !strcmp(argv[1], "send"))
		return do_send(argc - 2, argv + 2);
	if (argc == 5 && !strcmp(argv[1], "recv"))
		return do_recv(argv + 2);
	fprintf(stderr, "usage: vsockseq send CID PORT FILE SIZE[e]... | recv PORT COUNT OUTFILE\n");
	return 2;
}
