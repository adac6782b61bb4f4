// SPDX-License-Identifier: GPL-2.0
/* The core allocates per-cpu stats named by dev->pcpu_stat_type (6.7). */
#include <linux/netdevice.h>

void probe(struct net_device *dev);
void probe(struct net_device *dev)
{
	dev->pcpu_stat_type = NETDEV_PCPU_STAT_LSTATS;
}
