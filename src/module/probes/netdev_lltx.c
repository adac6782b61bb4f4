// SPDX-License-Identifier: GPL-2.0
/* dev->lltx replaces NETIF_F_LLTX (Linux 6.12). */
#include <linux/netdevice.h>

void probe(struct net_device *dev);
void probe(struct net_device *dev)
{
	dev->lltx = true;
}
