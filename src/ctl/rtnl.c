// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rtnetlink plumbing. NETLINK_EXT_ACK is switched on so that the kernel's
 * reason for a refusal reaches the user; replies are walked by hand rather
 * than with mnl_cb_run() because the latter throws the extack away.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "ctl.h"
#include "rtnl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct rtnl {
	struct mnl_socket *nl;
	unsigned int portid;
	uint32_t seq;
	char buf[RTNL_BUFSZ];
	char rbuf[RTNL_BUFSZ];
};

static struct nlmsghdr *put_ifinfo(void *buf, uint16_t type, uint16_t flags,
				   uint32_t seq, int ifindex)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	return nlh;
}

struct nlmsghdr *rtnl_req_newlink(void *buf, uint32_t seq, const char *name,
				  const char *kind, unsigned int flags)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	struct nlattr *nest;

	nlh = put_ifinfo(buf, RTM_NEWLINK,
			 NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, seq, 0);
	/* a new link gets these flags in the same request (IFF_UP) */
	ifi = mnl_nlmsg_get_payload(nlh);
	ifi->ifi_flags = flags;
	ifi->ifi_change = flags;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	nest = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, kind);
	mnl_attr_nest_end(nlh, nest);
	return nlh;
}

struct nlmsghdr *rtnl_req_setlink(void *buf, uint32_t seq, int ifindex,
				  unsigned int flags, unsigned int change,
				  const char *alias)
{
	struct nlmsghdr *nlh = put_ifinfo(buf, RTM_SETLINK, NLM_F_ACK, seq,
					  ifindex);
	struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	ifi->ifi_flags = flags;
	ifi->ifi_change = change;
	if (alias)
		mnl_attr_put_str(nlh, IFLA_IFALIAS, alias);
	return nlh;
}

struct nlmsghdr *rtnl_req_dellink(void *buf, uint32_t seq, int ifindex)
{
	return put_ifinfo(buf, RTM_DELLINK, NLM_F_ACK, seq, ifindex);
}

struct nlmsghdr *rtnl_req_getlink(void *buf, uint32_t seq, const char *name)
{
	struct nlmsghdr *nlh;

	if (!name)
		return put_ifinfo(buf, RTM_GETLINK, NLM_F_DUMP, seq, 0);
	nlh = put_ifinfo(buf, RTM_GETLINK, 0, seq, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return nlh;
}

static int extack_attr_cb(const struct nlattr *attr, void *data)
{
	struct rtnl_err *e = data;

	switch (mnl_attr_get_type(attr)) {
	case NLMSGERR_ATTR_MSG:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0) {
			snprintf(e->msg, sizeof(e->msg), "%s",
				 mnl_attr_get_str(attr));
			/* Kernel messages sometimes end in a newline. */
			e->msg[strcspn(e->msg, "\n")] = '\0';
		}
		break;
	}
	return MNL_CB_OK;
}

int rtnl_parse_error(const struct nlmsghdr *nlh, struct rtnl_err *e)
{
	size_t paylen = mnl_nlmsg_get_payload_len(nlh);
	const struct nlmsgerr *err;
	unsigned int off;
	int code;

	memset(e, 0, sizeof(*e));
	if (nlh->nlmsg_type == NLMSG_DONE) {
		/* A dump's DONE carries an int error and optional TLVs. */
		if (paylen < sizeof(int))
			return 0;
		memcpy(&code, mnl_nlmsg_get_payload(nlh), sizeof(code));
		e->err = code < 0 ? -code : code;
		off = sizeof(int);
	} else {
		if (paylen < sizeof(*err)) {
			e->err = EPROTO;
			return e->err;
		}
		err = mnl_nlmsg_get_payload(nlh);
		e->err = err->error < 0 ? -err->error : err->error;
		off = sizeof(*err);
		/* Unless capped, the request we sent is echoed back first. */
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
			if (err->msg.nlmsg_len < sizeof(struct nlmsghdr) ||
			    off + err->msg.nlmsg_len - sizeof(struct nlmsghdr) >
			    paylen)
				return e->err;
			off += MNL_ALIGN(err->msg.nlmsg_len) -
			       sizeof(struct nlmsghdr);
		}
	}
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) && off < paylen)
		mnl_attr_parse(nlh, off, extack_attr_cb, e);
	return e->err;
}

const char *operstate_name(uint8_t s)
{
	static const char *const names[] = {
		"unknown", "notpresent", "down", "lowerlayerdown",
		"testing", "dormant", "up",
	};

	return s < sizeof(names) / sizeof(names[0]) ? names[s] : "unknown";
}

static void copy_str_attr(char *dst, size_t sz, const struct nlattr *attr)
{
	size_t n = mnl_attr_get_payload_len(attr);

	if (n >= sz)
		n = sz - 1;
	memcpy(dst, mnl_attr_get_payload(attr), n);
	dst[n] = '\0';
}

static int linkinfo_cb(const struct nlattr *attr, void *data)
{
	struct link_info *li = data;

	if (mnl_attr_get_type(attr) == IFLA_INFO_KIND &&
	    mnl_attr_validate(attr, MNL_TYPE_STRING) == 0)
		copy_str_attr(li->kind, sizeof(li->kind), attr);
	return MNL_CB_OK;
}

static int link_attr_cb(const struct nlattr *attr, void *data)
{
	struct link_info *li = data;
	struct rtnl_link_stats64 st;

	switch (mnl_attr_get_type(attr)) {
	case IFLA_IFNAME:
		if (mnl_attr_validate(attr, MNL_TYPE_STRING) == 0)
			copy_str_attr(li->name, sizeof(li->name), attr);
		break;
	case IFLA_IFALIAS:
		if (mnl_attr_validate(attr, MNL_TYPE_STRING) == 0)
			copy_str_attr(li->alias, sizeof(li->alias), attr);
		break;
	case IFLA_MTU:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			li->mtu = mnl_attr_get_u32(attr);
		break;
	case IFLA_OPERSTATE:
		if (mnl_attr_validate(attr, MNL_TYPE_U8) == 0)
			li->operstate = mnl_attr_get_u8(attr);
		break;
	case IFLA_PROMISCUITY:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0) {
			li->promiscuity = mnl_attr_get_u32(attr);
			li->has_promiscuity = true;
		}
		break;
	case IFLA_LINKINFO:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) == 0)
			mnl_attr_parse_nested(attr, linkinfo_cb, li);
		break;
	case IFLA_STATS64:
		/* Older kernels send a shorter struct; take what is there. */
		memset(&st, 0, sizeof(st));
		memcpy(&st, mnl_attr_get_payload(attr),
		       mnl_attr_get_payload_len(attr) < sizeof(st) ?
		       mnl_attr_get_payload_len(attr) : sizeof(st));
		li->rx_packets = st.rx_packets;
		li->rx_bytes = st.rx_bytes;
		li->rx_dropped = st.rx_dropped;
		li->has_stats = true;
		break;
	}
	return MNL_CB_OK;
}

int rtnl_parse_link(const struct nlmsghdr *nlh, struct link_info *li)
{
	const struct ifinfomsg *ifi;

	memset(li, 0, sizeof(*li));
	li->readers = -1;	/* not from rtnetlink: links_count_readers() */
	if (nlh->nlmsg_type != RTM_NEWLINK ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifi))
		return EINVAL;
	ifi = mnl_nlmsg_get_payload(nlh);
	li->ifindex = ifi->ifi_index;
	li->type = ifi->ifi_type;
	li->flags = ifi->ifi_flags;
	if (mnl_attr_parse(nlh, sizeof(*ifi), link_attr_cb, li) < 0)
		return EINVAL;
	return li->name[0] ? 0 : EINVAL;
}

/*
 * By the link kind: any device can be switched to ARPHRD_VSOCKMON (a TUN
 * with TUNSETLINK), and list and down --all must not take it for ours.
 */
bool link_is_vsockmon(const struct link_info *li)
{
	return !strcmp(li->kind, VSOCKMON_KIND);
}

int rtnl_open(struct rtnl **rp)
{
	struct rtnl *r = calloc(1, sizeof(*r));
	int one = 1, err;

	if (!r)
		return ENOMEM;
	r->nl = mnl_socket_open(NETLINK_ROUTE);
	if (!r->nl) {
		err = errno;
		free(r);
		return err;
	}
	/* Best effort: kernels before 4.12 do not know these options. */
	setsockopt(mnl_socket_get_fd(r->nl), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	setsockopt(mnl_socket_get_fd(r->nl), SOL_NETLINK, NETLINK_CAP_ACK,
		   &one, sizeof(one));
	if (mnl_socket_bind(r->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = errno;
		mnl_socket_close(r->nl);
		free(r);
		return err;
	}
	r->portid = mnl_socket_get_portid(r->nl);
	r->seq = (uint32_t)time(NULL);
	*rp = r;
	return 0;
}

void rtnl_close(struct rtnl *r)
{
	if (!r)
		return;
	mnl_socket_close(r->nl);
	free(r);
}

uint32_t rtnl_next_seq(struct rtnl *r)
{
	return ++r->seq;
}

void *rtnl_buf(struct rtnl *r)
{
	return r->buf;
}

int rtnl_talk(struct rtnl *r, struct nlmsghdr *req, rtnl_cb cb, void *data,
	      struct rtnl_err *e)
{
	uint32_t seq = req->nlmsg_seq;
	int cb_err = 0;

	memset(e, 0, sizeof(*e));
	if (mnl_socket_sendto(r->nl, req, req->nlmsg_len) < 0) {
		e->err = errno;
		return e->err;
	}
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(r->nl, r->rbuf, sizeof(r->rbuf));
		const struct nlmsghdr *nlh = (const void *)r->rbuf;
		int len = (int)n;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			e->err = errno;
			return e->err;
		}
		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_seq != seq || nlh->nlmsg_pid != r->portid)
				continue;	/* stale reply of an earlier request */
			if (nlh->nlmsg_type == NLMSG_ERROR ||
			    nlh->nlmsg_type == NLMSG_DONE) {
				rtnl_parse_error(nlh, e);
				if (!e->err && cb_err)
					e->err = cb_err;
				return e->err;
			}
			if (nlh->nlmsg_type == NLMSG_NOOP)
				continue;
			if (cb && !cb_err)
				cb_err = cb(nlh, data);
			if (!(nlh->nlmsg_flags & NLM_F_MULTI)) {
				/* A single reply to a GET; no ACK follows. */
				e->err = cb_err;
				return e->err;
			}
		}
	}
}
