// SPDX-License-Identifier: GPL-2.0
/* Packet sockets on all devices are listed per namespace (Linux 6.15). */
#include <linux/netdevice.h>
#include <net/net_namespace.h>

bool probe(const struct net_device *dev);
bool probe(const struct net_device *dev)
{
	return list_empty(&dev_net(dev)->ptype_all);
}
