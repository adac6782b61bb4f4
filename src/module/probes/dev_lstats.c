// SPDX-License-Identifier: GPL-2.0
/* dev_lstats_add() and dev_lstats_read() (Linux 5.5). */
#include <linux/netdevice.h>

void probe(struct net_device *dev, u64 *packets, u64 *bytes);
void probe(struct net_device *dev, u64 *packets, u64 *bytes)
{
	dev_lstats_add(dev, 1);
	dev_lstats_read(dev, packets, bytes);
}
