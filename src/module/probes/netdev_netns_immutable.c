// SPDX-License-Identifier: GPL-2.0
/* dev->netns_immutable, renamed from netns_local (6.15, backported to 6.12.y). */
#include <linux/netdevice.h>

void probe(struct net_device *dev);
void probe(struct net_device *dev)
{
	dev->netns_immutable = true;
}
