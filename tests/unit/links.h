/* SPDX-License-Identifier: GPL-2.0-or-later */
/* An RTM_NEWLINK message as the kernel sends it, for the rtnetlink tests. */
#ifndef VSOCKMON_TEST_LINKS_H
#define VSOCKMON_TEST_LINKS_H

#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

static inline struct nlmsghdr *mk_link(char *out, int ifindex, unsigned short type,
				unsigned int flags, const char *name,
				const char *kind, size_t stats_len)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(out);
	struct rtnl_link_stats64 st;
	struct ifinfomsg *ifi;
	struct nlattr *nest;

	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_MULTI;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = ifindex;
	ifi->ifi_type = type;
	ifi->ifi_flags = flags;
	if (name)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_MTU, 65568);
	mnl_attr_put_u8(nlh, IFLA_OPERSTATE, 6);
	mnl_attr_put_u32(nlh, IFLA_PROMISCUITY, 1);
	mnl_attr_put_strz(nlh, IFLA_IFALIAS, "vsockmon-ctl temporary pid=5 start=6");
	if (kind) {
		nest = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
		mnl_attr_put_strz(nlh, IFLA_INFO_KIND, kind);
		mnl_attr_nest_end(nlh, nest);
	}
	if (stats_len) {
		memset(&st, 0, sizeof(st));
		st.rx_packets = 1000;
		st.rx_bytes = 123456789012ull;
		st.rx_dropped = 3;
		st.tx_packets = 2;
		mnl_attr_put(nlh, IFLA_STATS64, stats_len, &st);
	}
	return nlh;
}

#endif
