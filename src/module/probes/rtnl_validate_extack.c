// SPDX-License-Identifier: GPL-2.0
/* rtnl_link_ops.validate takes an extack (Linux 4.13). */
#include <net/rtnetlink.h>

static int probe_validate(struct nlattr *tb[], struct nlattr *data[],
			  struct netlink_ext_ack *extack)
{
	return 0;
}

struct rtnl_link_ops probe_ops = {
	.validate = probe_validate,
};
