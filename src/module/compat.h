/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between kernel versions, decided by probe.sh compiling
 * against the target tree (compat-probed.h), never by version numbers.
 * Linux 4.12 is the floor: it brought the tap API, ARPHRD_VSOCKMON,
 * needs_free_netdev and the void ndo_get_stats64.
 */
#ifndef VSOCKMON_COMPAT_H
#define VSOCKMON_COMPAT_H

#include <linux/netdevice.h>
#include <linux/u64_stats_sync.h>
#include <net/net_namespace.h>
#include <net/rtnetlink.h>

#include "compat-probed.h"

#ifndef HAVE_VSOCK_TAP
#error "this kernel has no vsock tap API (Linux >= 4.12 with CONFIG_VSOCKETS)"
#endif

#ifdef HAVE_RTNL_VALIDATE_EXTACK
#define VSOCKMON_VALIDATE_ARGS \
	struct nlattr *tb[], struct nlattr *data[], struct netlink_ext_ack *extack
#define VSOCKMON_VALIDATE_EXTACK extack
#else
#define VSOCKMON_VALIDATE_ARGS struct nlattr *tb[], struct nlattr *data[]
#define VSOCKMON_VALIDATE_EXTACK NULL
#endif

/* newlink: three shapes; we only need the new device and the extack. */
#if defined(HAVE_RTNL_NEWLINK_PARAMS)
#define VSOCKMON_NEWLINK_ARGS \
	struct net_device *dev, struct rtnl_newlink_params *params, \
	struct netlink_ext_ack *extack
#define VSOCKMON_NEWLINK_EXTACK extack
#elif defined(HAVE_RTNL_VALIDATE_EXTACK)
#define VSOCKMON_NEWLINK_ARGS \
	struct net *src_net, struct net_device *dev, struct nlattr *tb[], \
	struct nlattr *data[], struct netlink_ext_ack *extack
#define VSOCKMON_NEWLINK_EXTACK extack
#else
#define VSOCKMON_NEWLINK_ARGS \
	struct net *src_net, struct net_device *dev, struct nlattr *tb[], \
	struct nlattr *data[]
#define VSOCKMON_NEWLINK_EXTACK NULL
#endif

static inline struct netlink_ext_ack *
vsockmon_notifier_extack(struct netdev_notifier_info *info)
{
#ifdef HAVE_NETDEV_NOTIFIER_EXTACK
	return netdev_notifier_info_to_extack(info);
#else
	return NULL;
#endif
}

static inline void vsockmon_set_lltx(struct net_device *dev)
{
#ifdef HAVE_NETDEV_LLTX
	dev->lltx = true;
#else
	dev->features |= NETIF_F_LLTX;
#endif
}

static inline void vsockmon_set_netns_local(struct net_device *dev)
{
#if defined(HAVE_NETDEV_NETNS_IMMUTABLE)
	dev->netns_immutable = true;
#elif defined(HAVE_NETDEV_NETNS_LOCAL)
	dev->netns_local = true;
#else
	dev->features |= NETIF_F_NETNS_LOCAL;
#endif
}

/*
 * Is a packet socket reading the monitor: one bound to it, or one bound
 * to no device ("tcpdump -i any")? dev_nit_active() (Linux 5.0) answers
 * both. Before 6.15 sockets bound to no device are one list for all
 * namespaces, so one in any namespace counts: that costs throughput while
 * it exists, never exposure, as packet sockets drop frames of devices in
 * other namespaces. From 6.15 it sees the monitor's namespace only.
 * Without it only sockets bound to the monitor count (tap_always=1 is the
 * way out).
 */
static inline bool vsockmon_has_reader(struct net_device *dev)
{
#ifdef HAVE_DEV_NIT_ACTIVE
	return dev_nit_active(dev);
#else
	return !list_empty(&dev->ptype_all);
#endif
}

/*
 * Per-cpu packet counters: the core allocates them when it knows
 * pcpu_stat_type; before that the driver does, in ndo_init/ndo_uninit.
 */
#ifdef HAVE_NETDEV_PCPU_STAT_TYPE
static inline void vsockmon_stats_setup(struct net_device *dev)
{
	dev->pcpu_stat_type = NETDEV_PCPU_STAT_LSTATS;
}

static inline int vsockmon_stats_alloc(struct net_device *dev)
{
	return 0;
}

static inline void vsockmon_stats_free(struct net_device *dev)
{
}
#else
static inline void vsockmon_stats_setup(struct net_device *dev)
{
}

static inline int vsockmon_stats_alloc(struct net_device *dev)
{
	dev->lstats = netdev_alloc_pcpu_stats(struct pcpu_lstats);
	return dev->lstats ? 0 : -ENOMEM;
}

static inline void vsockmon_stats_free(struct net_device *dev)
{
	free_percpu(dev->lstats);
}
#endif

#ifndef HAVE_DEV_LSTATS
/* Before 5.5 pcpu_lstats held plain u64 counters. */
static inline void dev_lstats_add(struct net_device *dev, unsigned int len)
{
	struct pcpu_lstats *lstats = this_cpu_ptr(dev->lstats);

	u64_stats_update_begin(&lstats->syncp);
	lstats->bytes += len;
	lstats->packets++;
	u64_stats_update_end(&lstats->syncp);
}

static inline void dev_lstats_read(struct net_device *dev,
				   u64 *packets, u64 *bytes)
{
	int cpu;

	*packets = 0;
	*bytes = 0;
	for_each_possible_cpu(cpu) {
		const struct pcpu_lstats *lstats = per_cpu_ptr(dev->lstats, cpu);
		unsigned int start;
		u64 tpackets, tbytes;

		do {
			start = u64_stats_fetch_begin_irq(&lstats->syncp);
			tpackets = lstats->packets;
			tbytes = lstats->bytes;
		} while (u64_stats_fetch_retry_irq(&lstats->syncp, start));
		*packets += tpackets;
		*bytes += tbytes;
	}
}
#endif

#endif /* VSOCKMON_COMPAT_H */
