// SPDX-License-Identifier: GPL-2.0
/*
 * pktread: a plain AF_PACKET reader for the VM tests, what any user with
 * CAP_NET_RAW in a network namespace can run (tcpdump cannot drop its
 * privileges inside "unshare -Urn": setgroups is denied there).
 *
 *   pktread [--promisc] IFNAME|any PATTERN
 *       read every frame of IFNAME (or of every device of this network
 *       namespace) until SIGINT/SIGTERM, then print
 *       "packets N bytes B matches M" (M: frames containing PATTERN)
 *       --promisc: make IFNAME promiscuous before binding, so that the
 *       device hears of its reader from this process (not from a poll)
 *
 * "listening" on stderr once the socket is bound. Frames queued when the
 * signal comes are read and counted before it prints. Exit 1 when the socket
 * cannot be opened or bound (the reason on stderr).
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
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/socket.h>

/* frames read after the signal, at most */
#define DRAIN_MAX 100000

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	static char buf[256 * 1024];
	unsigned long long packets = 0, bytes = 0, matches = 0, drained = 0;
	struct sockaddr_ll a = { .sll_family = AF_PACKET };
	struct sigaction sa;
	int promisc = argc == 4 && !strcmp(argv[1], "--promisc");
	size_t plen;
	int fd;

	argv += promisc;
	argc -= promisc;
	if (argc != 3 || (promisc && !strcmp(argv[1], "any"))) {
		fprintf(stderr, "usage: pktread [--promisc] IFNAME|any PATTERN\n");
		return 2;
	}
	plen = strlen(argv[2]);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	/* protocol 0: no frame, and no reader on any list, before bind */
	fd = socket(AF_PACKET, SOCK_RAW, promisc ? 0 : htons(ETH_P_ALL));
	if (fd < 0) {
		fprintf(stderr, "pktread: socket(AF_PACKET): %s\n", strerror(errno));
		return 1;
	}
	a.sll_protocol = htons(ETH_P_ALL);
	if (strcmp(argv[1], "any")) {
		a.sll_ifindex = (int)if_nametoindex(argv[1]);
		if (!a.sll_ifindex) {
			fprintf(stderr, "pktread: %s: %s\n", argv[1], strerror(errno));
			return 1;
		}
	}
	if (promisc) {
		struct packet_mreq mr = {
			.mr_ifindex = a.sll_ifindex,
			.mr_type = PACKET_MR_PROMISC,
		};

		if (setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)) < 0) {
			fprintf(stderr, "pktread: promiscuous %s: %s\n", argv[1], strerror(errno));
			return 1;
		}
	}
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		fprintf(stderr, "pktread: bind %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	fprintf(stderr, "listening\n");
	/*
	 * After the signal, what is queued is read too: a frame the kernel
	 * handed to this socket before the signal counts, so the caller need
	 * not sleep before it signals. (At most DRAIN_MAX frames: a
	 * device that never goes quiet must not keep it reading.)
	 */
	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t n;

		if (!stop && poll(&p, 1, 200) <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && !stop)
			continue;
		if (n < 0 || (stop && ++drained > DRAIN_MAX))
			break;
		packets++;
		bytes += (unsigned long long)n;
		if (plen && memmem(buf, (size_t)n, argv[2], plen))
			matches++;
	}
	printf("packets %llu bytes %llu matches %llu\n", packets, bytes, matches);
	return 0;
}
