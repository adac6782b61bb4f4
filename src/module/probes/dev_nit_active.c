// SPDX-License-Identifier: GPL-2.0
/*
 * dev_nit_active() (Linux 5.0): is any packet socket reading this device,
 * bound to it or to no device? Before 6.15 it sees sockets bound to no
 * device in every namespace; from 6.15 a wrapper of dev_nit_active_rcu()
 * that sees those of the device's namespace only.
 */
#include <linux/netdevice.h>

bool probe(struct net_device *dev);
bool probe(struct net_device *dev)
{
	return dev_nit_active(dev);
}
