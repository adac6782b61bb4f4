// SPDX-License-Identifier: GPL-2.0
/*
 * promiscflip: a promiscuous reader that comes and goes, against the
 * monitor's reader poll (issue 11). Each round opens a packet socket on
 * the monitor, makes it promiscuous, then at once sends MSGS numbered
 * messages over a vsock loopback stream (CID 1), and reads until it has
 * seen every one of them in the capture; then closes and waits 0-149 ms,
 * so that rounds meet the 100 ms poll in every phase. The pauses are no
 * dice: round r waits ((SEED + r) * 89) mod 150 ms, a sweep that spreads
 * over the whole range for any number of rounds (89 and 150 are coprime:
 * 150 rounds take every value once), the same in every run of one SEED.
 *
 *   promiscflip IFNAME ROUNDS MSGS PORT [SEED]
 *
 * Prints "seed S rounds R messages M missed X" (and the first miss) and
 * exits 2 when a message sent after the reader went promiscuous was not
 * captured; SEED (default 0) replays a run.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/vm_sockets.h>
#include <sys/socket.h>
#include <sys/wait.h>

#define MSG_LEN 32

static void die(const char *what)
{
	fprintf(stderr, "promiscflip: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* The far end of the stream: read and forget, until EOF. */
static pid_t sink(int lfd)
{
	pid_t pid = fork();
	char buf[4096];
	int c;

	if (pid < 0)
		die("fork");
	if (pid)
		return pid;
	c = accept(lfd, NULL, NULL);
	if (c < 0)
		die("accept");
	while (read(c, buf, sizeof(buf)) > 0)
		;
	_exit(0);
}

static int reader(const char *ifname)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_protocol = htons(ETH_P_ALL) };
	struct packet_mreq mr = { .mr_type = PACKET_MR_PROMISC };
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));

	if (fd < 0)
		die("socket(AF_PACKET)");
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (!sll.sll_ifindex)
		die(ifname);
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)))
		die("bind");
	mr.mr_ifindex = sll.sll_ifindex;
	if (setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)))
		die("PACKET_ADD_MEMBERSHIP");
	return fd;
}

int main(int argc, char **argv)
{
	struct sockaddr_vm sa = { .svm_family = AF_VSOCK, .svm_cid = 1 };
	static char frame[256 * 1024];
	long rounds, msgs, r, m, missed = 0, sent = 0, seed = 0;
	char first[96] = "", msg[64], *seen;
	int lfd, cfd, pfd;
	pid_t pid;

	if (argc != 5 && argc != 6) {
		fprintf(stderr, "usage: promiscflip IFNAME ROUNDS MSGS PORT [SEED]\n");
		return 1;
	}
	rounds = atol(argv[2]);
	msgs = atol(argv[3]);
	if (argc == 6)
		seed = atol(argv[5]);
	/* the message format has room for this many */
	if (rounds < 1 || rounds > 999999 || msgs > 9999 || seed < 0 || seed > 999999) {
		fprintf(stderr, "promiscflip: ROUNDS 1-999999, MSGS 1-9999, SEED 0-999999\n");
		return 1;
	}
	sa.svm_port = (unsigned int)atoi(argv[4]);
	seen = calloc((size_t)msgs, 1);
	if (!seen || msgs < 1)
		die("MSGS");

	lfd = socket(AF_VSOCK, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 1))
		die("vsock listen");
	pid = sink(lfd);
	cfd = socket(AF_VSOCK, SOCK_STREAM, 0);
	if (cfd < 0 || connect(cfd, (struct sockaddr *)&sa, sizeof(sa)))
		die("vsock connect");

	for (r = 0; r < rounds; r++) {
		struct timespec pause = { 0, ((seed + r) * 89 % 150) * 1000000L };
		long have = 0;

		pfd = reader(argv[1]);
		memset(seen, 0, (size_t)msgs);
		for (m = 0; m < msgs; m++) {
			snprintf(msg, sizeof(msg), "flip%06ld:%04ld;%*s", r % 1000000,
				 m % 10000, MSG_LEN - 17, "");
			if (write(cfd, msg, MSG_LEN) != MSG_LEN)
				die("vsock write");
			sent++;
		}
		while (have < msgs) {
			struct pollfd p = { .fd = pfd, .events = POLLIN };
			ssize_t len;
			long pr, pm;
			char *at;

			if (poll(&p, 1, 3000) <= 0)
				break;
			len = recv(pfd, frame, sizeof(frame), 0);
			if (len <= 0)
				break;
			/* one frame may carry several messages (stream) */
			for (at = frame; (at = memmem(at, (size_t)(frame + len - at), "flip", 4));
			     at += 4) {
				if (sscanf(at, "flip%6ld:%4ld;", &pr, &pm) == 2 &&
				    pr == r && pm >= 0 && pm < msgs && !seen[pm]) {
					seen[pm] = 1;
					have++;
				}
			}
		}
		if (have < msgs) {
			missed += msgs - have;
			if (!*first)
				snprintf(first, sizeof(first), " first round %ld: %ld of %ld", r,
					 msgs - have, msgs);
		}
		close(pfd);
		nanosleep(&pause, NULL);
	}
	close(cfd);
	waitpid(pid, NULL, 0);
	printf("seed %ld rounds %ld messages %ld missed %ld%s\n", seed, rounds, sent,
	       missed, first);
	return missed ? 2 : 0;
}
