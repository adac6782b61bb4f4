// SPDX-License-Identifier: GPL-2.0
/* dev->netns_local replaces NETIF_F_NETNS_LOCAL (Linux 6.12). */
#include <linux/netdevice.h>

void probe(struct net_device *dev);
void probe(struct net_device *dev)
{
	dev->netns_local = true;
}
