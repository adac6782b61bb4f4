// SPDX-License-Identifier: GPL-2.0
/* Netdevice notifiers can answer with an extack message (Linux 4.15). */
#include <linux/netdevice.h>

struct netlink_ext_ack *probe(struct netdev_notifier_info *info);
struct netlink_ext_ack *probe(struct netdev_notifier_info *info)
{
	return netdev_notifier_info_to_extack(info);
}
