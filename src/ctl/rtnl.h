/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rtnetlink over libmnl: request builders (pure, testable), reply parsers
 * (links, errors with extended ACK) and a request/ack/dump transport.
 */
#ifndef VSOCKMON_RTNL_H
#define VSOCKMON_RTNL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>
#include <linux/netlink.h>

#define RTNL_BUFSZ 32768	/* replies to a dump of many links need room */
#define EXTACK_MAX 256

struct rtnl_err {
	int err;		/* positive errno, 0 for a plain ACK */
	char msg[EXTACK_MAX];	/* NLMSGERR_ATTR_MSG, "" if none */
};

struct link_info {
	int ifindex;
	unsigned int type;	/* ARPHRD_* */
	unsigned int flags;	/* IFF_* */
	unsigned int mtu;
	uint8_t operstate;
	uint32_t promiscuity;
	bool has_promiscuity;
	char name[IFNAMSIZ];
	char kind[32];
	char alias[256];
	bool has_stats;
	int readers;		/* set by links_count_readers(); -1: unknown */
	uint64_t rx_packets, rx_bytes, rx_dropped;	/* a monitor only receives */
};

/* Builders: write one request into buf (>= RTNL_BUFSZ bytes). */
/* flags (IFF_UP or 0) are set on the new link by the same request */
struct nlmsghdr *rtnl_req_newlink(void *buf, uint32_t seq, const char *name,
				  const char *kind, unsigned int flags);
struct nlmsghdr *rtnl_req_setlink(void *buf, uint32_t seq, int ifindex,
				  unsigned int flags, unsigned int change,
				  const char *alias);
struct nlmsghdr *rtnl_req_dellink(void *buf, uint32_t seq, int ifindex);
/* name == NULL: dump all links. */
struct nlmsghdr *rtnl_req_getlink(void *buf, uint32_t seq, const char *name);

/*
 * Parse an NLMSG_ERROR (or an NLMSG_DONE carrying an error) into e.
 * Returns e->err (0 for an ACK), or EPROTO if the message is malformed.
 */
int rtnl_parse_error(const struct nlmsghdr *nlh, struct rtnl_err *e);
/* Parse an RTM_NEWLINK message. Returns 0 or EINVAL. */
int rtnl_parse_link(const struct nlmsghdr *nlh, struct link_info *li);
bool link_is_vsockmon(const struct link_info *li);
const char *operstate_name(uint8_t operstate);

struct rtnl;
typedef int (*rtnl_cb)(const struct nlmsghdr *nlh, void *data);

/* Returns 0 or a positive errno. */
int rtnl_open(struct rtnl **r);
void rtnl_close(struct rtnl *r);
uint32_t rtnl_next_seq(struct rtnl *r);
void *rtnl_buf(struct rtnl *r);
/*
 * Send req, run cb (may be NULL) on each reply message until the ACK,
 * NLMSG_DONE or an error. Returns 0 or a positive errno with e filled.
 */
int rtnl_talk(struct rtnl *r, struct nlmsghdr *req, rtnl_cb cb, void *data,
	      struct rtnl_err *e);

#endif
