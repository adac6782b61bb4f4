// SPDX-License-Identifier: GPL-2.0
/*
 * nlnewlink: an RTM_NEWLINK request iproute2 cannot send, for the VM tests:
 * a link of KIND with IFLA_INFO_DATA, which "ip link add" only fills for
 * kinds it knows.
 *
 *   nlnewlink NAME KIND -          no IFLA_INFO_DATA (the control case)
 *   nlnewlink NAME KIND [TYPE...]  IFLA_INFO_DATA holding one u32 attribute
 *                                  (value 0) per TYPE; none: an empty nest
 *
 * Prints "ok" and exits 0 when the kernel acknowledged; otherwise prints as
 * iproute2 does, "Error: <extack message>" when the kernel sent one, else
 * "RTNETLINK answers: <errno text>", and exits 2 (1 on a local failure).
 *
 *   nlnewlink --target-netnsid ID NAME KIND
 *       a link of KIND created in the namespace that has ID in ours
 *       (IFLA_TARGET_NETNSID, which iproute2 does not send for "add")
 *
 *   nlnewlink --hold
 *       open a rtnetlink socket, print "pid P fd N" and sleep until killed: the
 *       unprivileged half of the confused deputy (CVE-2014-0181)
 *   nlnewlink --sock-from PID:FD NAME KIND
 *       create the link through socket FD of process PID (pidfd_getfd, so
 *       root writes to a socket an unprivileged user opened in its own
 *       namespaces)
 *
 *   nlnewlink --cycles N NAME KIND
 *       N times: create NAME, set it up (every other time promiscuous
 *       too, which makes a vsockmon register its tap), down, delete it, as
 *       "ip link" would but without a process per step (exec under TCG costs
 *       more than the kernel's work); prints "cycles N failures F" and the
 *       first error, exits 2 when a step failed
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#ifndef NLMSGERR_ATTR_MSG
#define NLMSGERR_ATTR_MSG 1
#endif
#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif

static char req[4096] __attribute__((aligned(4)));

static struct nlattr *put(struct nlmsghdr *n, unsigned short type,
			  const void *data, size_t len)
{
	struct nlattr *a = (struct nlattr *)(req + NLMSG_ALIGN(n->nlmsg_len));

	if (NLMSG_ALIGN(n->nlmsg_len) + NLA_HDRLEN + NLA_ALIGN(len) > sizeof(req)) {
		fprintf(stderr, "nlnewlink: request too long\n");
		exit(1);
	}
	a->nla_type = type;
	a->nla_len = (unsigned short)(NLA_HDRLEN + len);
	if (len)
		memcpy((char *)a + NLA_HDRLEN, data, len);
	n->nlmsg_len = NLMSG_ALIGN(n->nlmsg_len) + NLA_ALIGN(a->nla_len);
	return a;
}

/* Close a nest opened by put(n, type, NULL, 0). */
static void end(struct nlmsghdr *n, struct nlattr *nest)
{
	nest->nla_len = (unsigned short)(req + n->nlmsg_len - (char *)nest);
}

/* Send the request in req, wait for its ack: 0, or -errno with the extack
 * message (if any) in msg. */
static int talk(int fd, char *msg, size_t msgsz)
{
	struct nlmsghdr *n = (struct nlmsghdr *)req;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	static char buf[8192] __attribute__((aligned(4)));
	ssize_t len;

	*msg = '\0';
	if (sendto(fd, req, n->nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	len = recv(fd, buf, sizeof(buf), 0);
	if (len < 0)
		return -errno;
	for (n = (struct nlmsghdr *)buf; NLMSG_OK(n, (unsigned int)len);
	     n = NLMSG_NEXT(n, len)) {
		struct nlmsgerr *e = NLMSG_DATA(n);
		struct nlattr *a;
		int off, alen;

		if (n->nlmsg_type != NLMSG_ERROR)
			continue;
		if (!e->error)
			return 0;
		/* extack attributes follow the echoed request header */
		off = NLMSG_ALIGN(sizeof(*e));
		if (!(n->nlmsg_flags & NLM_F_CAPPED))
			off += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
		alen = (int)n->nlmsg_len - NLMSG_HDRLEN - off;
		for (a = (struct nlattr *)((char *)e + off);
		     alen >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= alen;
		     alen -= NLA_ALIGN(a->nla_len),
		     a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len))) {
			if ((n->nlmsg_flags & NLM_F_ACK_TLVS) &&
			    a->nla_type == NLMSGERR_ATTR_MSG)
				snprintf(msg, msgsz, "%s", (char *)a + NLA_HDRLEN);
		}
		return e->error;
	}
	return -EPROTO;
}

/* Start a request of TYPE on link NAME in req. */
static struct nlmsghdr *start(unsigned short type, unsigned short flags,
			      const char *name, unsigned int change, unsigned int set)
{
	struct nlmsghdr *n = (struct nlmsghdr *)req;
	struct ifinfomsg *ifi = NLMSG_DATA(n);
	static unsigned int seq;

	memset(req, 0, NLMSG_LENGTH(sizeof(*ifi)));
	n->nlmsg_len = NLMSG_LENGTH(sizeof(*ifi));
	n->nlmsg_type = type;
	n->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	n->nlmsg_seq = ++seq;
	ifi->ifi_change = change;
	ifi->ifi_flags = set;
	put(n, IFLA_IFNAME, name, strlen(name) + 1);
	return n;
}

static void newlink(const char *name, const char *kind)
{
	struct nlmsghdr *n = start(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, name, 0, 0);
	struct nlattr *li = put(n, IFLA_LINKINFO, NULL, 0);

	put(n, IFLA_INFO_KIND, kind, strlen(kind));
	end(n, li);
}

static int cycles(int fd, long count, const char *name, const char *kind)
{
	char msg[512], first[600] = "";
	unsigned int flags = IFF_UP | IFF_PROMISC;
	long i, failures = 0;
	int step, err;

	for (i = 0; i < count; i++) {
		for (step = 0; step < 4; step++) {
			switch (step) {
			case 0:
				newlink(name, kind);
				break;
			case 1:
				start(RTM_NEWLINK, 0, name, flags,
				      i % 2 ? flags : IFF_UP);
				break;
			case 2:
				start(RTM_NEWLINK, 0, name, flags, 0);
				break;
			default:
				start(RTM_DELLINK, 0, name, 0, 0);
			}
			err = talk(fd, msg, sizeof(msg));
			if (err) {
				failures++;
				if (!*first)
					snprintf(first, sizeof(first), "cycle %ld step %d: %s%s%s",
						 i + 1, step, strerror(-err), *msg ? ": " : "", msg);
			}
		}
	}
	printf("cycles %ld failures %ld%s%s\n", count, failures, *first ? " first " : "", first);
	return failures ? 2 : 0;
}

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

/* A copy of socket FD of process PID ("PID:FD"), or -1. */
static int steal(const char *spec)
{
	int pid, fd, pidfd;

	if (sscanf(spec, "%d:%d", &pid, &fd) != 2)
		return -1;
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return -1;
	fd = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	close(pidfd);
	return fd;
}

static int report(int err, const char *msg)
{
	if (!err) {
		printf("ok\n");
		return 0;
	}
	if (*msg)
		printf("Error: %s.\n", msg);
	else
		printf("RTNETLINK answers: %s\n", strerror(-err));
	return 2;
}

int main(int argc, char **argv)
{
	struct nlmsghdr *n;
	struct nlattr *li, *data;
	char msg[512];
	int fd, one = 1, i, err, netnsid;

	if (argc >= 3 && !strcmp(argv[1], "--sock-from")) {
		fd = steal(argv[2]);
		if (fd < 0) {
			fprintf(stderr, "nlnewlink: pidfd_getfd %s: %s\n", argv[2], strerror(errno));
			return 1;
		}
		argv += 2;
		argc -= 2;
	} else {
		fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
		if (fd < 0) {
			fprintf(stderr, "nlnewlink: socket: %s\n", strerror(errno));
			return 1;
		}
	}
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	if (argc == 2 && !strcmp(argv[1], "--hold")) {
		printf("pid %d fd %d\n", (int)getpid(), fd);
		fflush(stdout);
		for (;;)
			pause();
	}
	if (argc == 5 && !strcmp(argv[1], "--cycles"))
		return cycles(fd, atol(argv[2]), argv[3], argv[4]);
	if (argc == 5 && !strcmp(argv[1], "--target-netnsid")) {
		netnsid = atoi(argv[2]);
		newlink(argv[3], argv[4]);
		put((struct nlmsghdr *)req, IFLA_TARGET_NETNSID, &netnsid, sizeof(netnsid));
		err = talk(fd, msg, sizeof(msg));
		return report(err, msg);
	}
	if (argc < 3) {
		fprintf(stderr, "usage: nlnewlink NAME KIND - | [TYPE...]\n"
			"       nlnewlink --target-netnsid ID NAME KIND\n"
			"       nlnewlink --hold\n"
			"       nlnewlink [--sock-from PID:FD] NAME KIND -\n"
			"       nlnewlink --cycles N NAME KIND\n");
		return 1;
	}
	n = start(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, argv[1], 0, 0);
	li = put(n, IFLA_LINKINFO, NULL, 0);
	put(n, IFLA_INFO_KIND, argv[2], strlen(argv[2]));
	if (!(argc == 4 && !strcmp(argv[3], "-"))) {
		data = put(n, IFLA_INFO_DATA, NULL, 0);
		for (i = 3; i < argc; i++) {
			unsigned int zero = 0;

			put(n, (unsigned short)atoi(argv[i]), &zero, sizeof(zero));
		}
		end(n, data);
	}
	end(n, li);
	err = talk(fd, msg, sizeof(msg));
	return report(err, msg);
}
