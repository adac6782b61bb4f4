// SPDX-License-Identifier: GPL-2.0
/*
 * vsockmon: a network device that shows every AF_VSOCK packet of the
 * machine to packet sockets (tcpdump, Wireshark: LINKTYPE_VSOCK).
 *
 * The vsock transports build one capture frame per packet and hand it to
 * every registered tap; this device only counts and frees what it gets.
 * Building those frames halves bulk throughput even when nobody reads
 * them, so a monitor registers its tap only while a packet socket reads
 * it (or it is promiscuous).
 * Unlike the in-tree driver it is safe by default: because the tap list
 * is global, only CAP_NET_ADMIN in the initial user namespace may create
 * a monitor, only in the initial network namespace, a monitor never
 * leaves that namespace, and it is never a port of another device.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/ethtool.h>
#include <linux/if_arp.h>
#include <linux/module.h>
#include <linux/ratelimit.h>
#include <linux/rtnetlink.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/virtio_vsock.h>
#include <linux/workqueue.h>
#include <net/sock.h>
#include <net/af_vsock.h>
#include <net/rtnetlink.h>

#include "../../include/uapi/linux/vsockmon.h"
#include "compat.h"

/*
 * The largest frame a transport hands the tap: our header, the virtio
 * header (virtio_transport_build_skb) and the largest packet buffer.
 */
#define VSOCKMON_MAX_FRAME (sizeof(struct af_vsockmon_hdr) + \
			    sizeof(struct virtio_vsock_hdr) + SZ_64K)

static bool insecure_allow_userns;
module_param(insecure_allow_userns, bool, 0444);
MODULE_PARM_DESC(insecure_allow_userns,
		 "INSECURE: let CAP_NET_ADMIN in any user namespace create monitors and move them between network namespaces, as the in-tree driver does; any user can then read all vsock traffic (default: off)");

static bool insecure_allow_netns;
module_param(insecure_allow_netns, bool, 0444);
MODULE_PARM_DESC(insecure_allow_netns,
		 "INSECURE: let monitors be created in network namespaces other than the initial one (still of the initial user namespace; insecure_allow_userns implies it); whoever holds CAP_NET_RAW there, such as a container given NET_ADMIN, can then read all vsock traffic (default: off)");

static bool tap_always;
module_param(tap_always, bool, 0444);
MODULE_PARM_DESC(tap_always,
		 "register the tap whenever a monitor is up, as the in-tree driver does, even with nobody reading; slows all vsock traffic (default: off)");

/*
 * Binding a packet socket tells the driver nothing, so readers are found
 * by polling; a promiscuous one (tcpdump, vsockmon-ctl) is seen at once.
 * A poll that could not take RTNL tries again sooner.
 */
#define VSOCKMON_READER_POLL (HZ / 10)
#define VSOCKMON_READER_RETRY (HZ / 100)

/*
 * The tap is added and removed only under RTNL, which ndo_open, ndo_stop
 * and every change of promiscuity hold too: the poll cannot remove a tap
 * that a reader going promiscuous has just added.
 */
struct vsockmon {
	struct vsock_tap tap;	/* tap.dev is our device */
	struct delayed_work reader_poll;
	bool tapping;		/* our tap is on the transports' list */
	bool running;		/* between ndo_open and ndo_stop */
};

/*
 * The audit trail: when all vsock traffic became readable, and the
 * process that caused it (a reader going promiscuous, ip link set down).
 * A reader that binds without promiscuity is found by the poll, which
 * knows no process.
 */
static DEFINE_RATELIMIT_STATE(vsockmon_audit_rs, DEFAULT_RATELIMIT_INTERVAL,
			      DEFAULT_RATELIMIT_BURST);

static void vsockmon_audit(const struct net_device *dev, const char *what,
			   bool poll)
{
	if (!__ratelimit(&vsockmon_audit_rs))
		return;
	if (poll)
		netdev_info(dev, "%s tapping all vsock traffic (reader poll)\n",
			    what);
	else if (current->flags & PF_KTHREAD)
		netdev_info(dev, "%s tapping all vsock traffic (kernel thread %s)\n",
			    what, current->comm);
	else
		netdev_info(dev, "%s tapping all vsock traffic (uid %u pid %d comm %s)\n",
			    what, from_kuid(&init_user_ns, current_uid()),
			    task_tgid_nr(current), current->comm);
}

/*
 * Promiscuity is exact under RTNL. Packet sockets bind without it: the
 * next poll finds them.
 */
static bool vsockmon_wants_tap(const struct vsockmon *mon)
{
	struct net_device *dev = mon->tap.dev;

	if (!READ_ONCE(mon->running))
		return false;
	return tap_always || READ_ONCE(dev->promiscuity) ||
	       vsockmon_has_reader(dev);
}

/* Never sleeps: promiscuity may change in atomic context (team, bond). */
static void vsockmon_tap_add(struct vsockmon *mon, bool poll)
{
	ASSERT_RTNL();
	if (mon->tapping)
		return;
	/* Fails only for a device that is not ARPHRD_VSOCKMON. */
	if (vsock_add_tap(&mon->tap))
		return;
	WRITE_ONCE(mon->tapping, true);
	/* not ratelimited: tests wait on these (dynamic debug) */
	netdev_dbg(mon->tap.dev, "tap registered\n");
	vsockmon_audit(mon->tap.dev, "started", poll);
}

/* Sleeps until the transports have left the tap: process context only. */
static void vsockmon_tap_remove(struct vsockmon *mon, bool poll)
{
	ASSERT_RTNL();
	if (!mon->tapping)
		return;
	vsock_remove_tap(&mon->tap);
	WRITE_ONCE(mon->tapping, false);
	netdev_dbg(mon->tap.dev, "tap removed\n");
	vsockmon_audit(mon->tap.dev, "stopped", poll);
}

static void vsockmon_reader_poll(struct work_struct *work)
{
	struct vsockmon *mon = container_of(to_delayed_work(work),
					    struct vsockmon, reader_poll);
	unsigned long delay = VSOCKMON_READER_POLL;

	/*
	 * Most polls change nothing and take no lock. trylock: ndo_stop
	 * holds RTNL while it waits for this work to finish.
	 */
	if (vsockmon_wants_tap(mon) != READ_ONCE(mon->tapping)) {
		if (rtnl_trylock()) {
			if (vsockmon_wants_tap(mon))
				vsockmon_tap_add(mon, true);
			else
				vsockmon_tap_remove(mon, true);
			rtnl_unlock();
		} else {
			delay = VSOCKMON_READER_RETRY;
		}
	}
	/* ndo_stop cancels this, including the requeue. */
	queue_delayed_work(system_power_efficient_wq, &mon->reader_poll, delay);
}

/*
 * Each monitor pins the module: rmmod then fails with "in use" instead of
 * deleting monitors someone set up.
 */
static int vsockmon_init(struct net_device *dev)
{
	struct vsockmon *mon = netdev_priv(dev);
	int err;

	err = vsockmon_stats_alloc(dev);
	if (err)
		return err;

	mon->tap.dev = dev;
	mon->tap.module = THIS_MODULE;
	INIT_DELAYED_WORK(&mon->reader_poll, vsockmon_reader_poll);
	__module_get(THIS_MODULE);
	return 0;
}

static void vsockmon_uninit(struct net_device *dev)
{
	vsockmon_stats_free(dev);
	module_put(THIS_MODULE);
}

static int vsockmon_open(struct net_device *dev)
{
	struct vsockmon *mon = netdev_priv(dev);

	WRITE_ONCE(mon->running, true);
	if (vsockmon_wants_tap(mon))
		vsockmon_tap_add(mon, false);
	if (!tap_always)
		queue_delayed_work(system_power_efficient_wq,
				   &mon->reader_poll, VSOCKMON_READER_POLL);
	return 0;
}

static int vsockmon_stop(struct net_device *dev)
{
	struct vsockmon *mon = netdev_priv(dev);

	WRITE_ONCE(mon->running, false);
	cancel_delayed_work_sync(&mon->reader_poll);
	vsockmon_tap_remove(mon, false);
	return 0;
}

/*
 * A reader going promiscuous gets the tap at once, so it misses no frame;
 * the poll removes it when the last reader is gone. Callers hold RTNL but
 * may be atomic (team and bond pass promiscuity to their ports under
 * rcu_read_lock(), packet sockets drop it on unregister likewise), so
 * nothing here sleeps. IFF_UNICAST_FLT keeps the address-list path,
 * which holds a spinlock, from calling us at all.
 */
static void vsockmon_change_rx_flags(struct net_device *dev, int change)
{
	struct vsockmon *mon = netdev_priv(dev);

	if ((change & IFF_PROMISC) && dev->promiscuity && mon->running)
		vsockmon_tap_add(mon, false);
}

/* Every frame arrives here once per monitor; packet sockets saw it already. */
static netdev_tx_t vsockmon_xmit(struct sk_buff *skb, struct net_device *dev)
{
	dev_lstats_add(dev, skb->len);
	consume_skb(skb);
	return NETDEV_TX_OK;
}

static void vsockmon_get_stats64(struct net_device *dev,
				 struct rtnl_link_stats64 *stats)
{
	dev_lstats_read(dev, &stats->rx_packets, &stats->rx_bytes);
}

static const struct net_device_ops vsockmon_netdev_ops = {
	.ndo_init = vsockmon_init,
	.ndo_uninit = vsockmon_uninit,
	.ndo_open = vsockmon_open,
	.ndo_stop = vsockmon_stop,
	.ndo_start_xmit = vsockmon_xmit,
	.ndo_change_rx_flags = vsockmon_change_rx_flags,
	.ndo_get_stats64 = vsockmon_get_stats64,
};

static void vsockmon_get_drvinfo(struct net_device *dev,
				 struct ethtool_drvinfo *info)
{
	strscpy(info->driver, KBUILD_MODNAME, sizeof(info->driver));
	strscpy(info->version, VSOCKMON_VERSION, sizeof(info->version));
}

static const struct ethtool_ops vsockmon_ethtool_ops = {
	.get_drvinfo = vsockmon_get_drvinfo,
	.get_link = ethtool_op_get_link,
};

static void vsockmon_setup(struct net_device *dev)
{
	dev->type = ARPHRD_VSOCKMON;
	dev->flags = IFF_NOARP;
	dev->priv_flags |= IFF_NO_QUEUE | IFF_UNICAST_FLT;
	dev->netdev_ops = &vsockmon_netdev_ops;
	dev->ethtool_ops = &vsockmon_ethtool_ops;
	dev->needs_free_netdev = true;

	/* No VLAN on top: vlan refuses us early and says why. */
	dev->features = NETIF_F_SG | NETIF_F_FRAGLIST | NETIF_F_HIGHDMA |
			NETIF_F_VLAN_CHALLENGED;
	vsockmon_set_lltx(dev);
	if (!insecure_allow_userns)
		vsockmon_set_netns_local(dev);

	/*
	 * Tools size their buffers by the MTU. Frames are never shorter than
	 * our header; the tap ignores MTU, so a larger one than the largest
	 * frame would only mislead.
	 */
	dev->mtu = VSOCKMON_MAX_FRAME;
	dev->min_mtu = sizeof(struct af_vsockmon_hdr);
	dev->max_mtu = VSOCKMON_MAX_FRAME;

	vsockmon_stats_setup(dev);
}

/* A monitor has no link-layer address and no options of its own. */
static int vsockmon_validate_attrs(struct nlattr *tb[], struct nlattr *data[],
				   struct netlink_ext_ack *ack)
{
	if (tb[IFLA_ADDRESS] || tb[IFLA_BROADCAST]) {
		NL_SET_ERR_MSG(ack, "vsockmon: a monitor has no link-layer address");
		return -EINVAL;
	}
	if (data) {
		NL_SET_ERR_MSG(ack, "vsockmon takes no IFLA_INFO_DATA attributes");
		return -EINVAL;
	}
	return 0;
}

/*
 * rtnetlink only asks for CAP_NET_ADMIN over the caller's network
 * namespace, which any user gets with unshare -Urn. The tap list is not
 * per namespace, so a monitor needs the capability of the whole machine.
 */
static int vsockmon_validate(VSOCKMON_VALIDATE_ARGS)
{
	struct netlink_ext_ack *ack = VSOCKMON_VALIDATE_EXTACK;

	if (insecure_allow_userns || capable(CAP_NET_ADMIN))
		return vsockmon_validate_attrs(tb, data, ack);

	NL_SET_ERR_MSG(ack, "vsockmon: a monitor sees all vsock traffic of the machine; creating one needs CAP_NET_ADMIN in the initial user namespace");
	pr_notice_ratelimited("refused a monitor to uid %u pid %d comm %s: no CAP_NET_ADMIN in the initial user namespace\n",
			      from_kuid(&init_user_ns, current_uid()),
			      task_tgid_nr(current), current->comm);
	return -EPERM;
}

/*
 * The namespace a monitor lands in is known only here: the request may
 * name another one (IFLA_NET_NS_PID or _FD, IFLA_TARGET_NETNSID) or come
 * through a socket opened inside a container. Whoever holds CAP_NET_RAW
 * over that namespace reads the monitor, and with it all vsock traffic of
 * the machine: the root of a user namespace, but also a container without
 * one that was given NET_ADMIN and kept NET_RAW. So the machine's own
 * namespace only, unless the administrator decided otherwise.
 */
static int vsockmon_newlink(VSOCKMON_NEWLINK_ARGS)
{
	struct netlink_ext_ack *ack = VSOCKMON_NEWLINK_EXTACK;
	struct net *net = dev_net(dev);

	if (insecure_allow_userns)
		return register_netdevice(dev);

	if (net->user_ns != &init_user_ns) {
		NL_SET_ERR_MSG(ack, "vsockmon: a monitor may only be created in a network namespace of the initial user namespace, whose readers see all vsock traffic of the machine");
		pr_notice_ratelimited("refused a monitor in a network namespace of another user namespace to uid %u pid %d comm %s\n",
				      from_kuid(&init_user_ns, current_uid()),
				      task_tgid_nr(current), current->comm);
		return -EPERM;
	}
	if (!net_eq(net, &init_net) && !insecure_allow_netns) {
		NL_SET_ERR_MSG(ack, "vsockmon: a monitor sees all vsock traffic of the machine, so it may only be created in the initial network namespace (module parameter insecure_allow_netns=1 allows others)");
		pr_notice_ratelimited("refused a monitor in a network namespace other than the initial one to uid %u pid %d comm %s (insecure_allow_netns is off)\n",
				      from_kuid(&init_user_ns, current_uid()),
				      task_tgid_nr(current), current->comm);
		return -EPERM;
	}
	return register_netdevice(dev);
}

/*
 * No attributes of our own: with a policy, rtnetlink hands IFLA_INFO_DATA
 * to validate(), which refuses it, instead of ignoring it silently.
 */
#define VSOCKMON_ATTR_MAX 1
static const struct nla_policy vsockmon_policy[VSOCKMON_ATTR_MAX + 1];

static struct rtnl_link_ops vsockmon_link_ops __read_mostly = {
	.kind = "vsockmon",
	.priv_size = sizeof(struct vsockmon),
	.maxtype = VSOCKMON_ATTR_MAX,
	.policy = vsockmon_policy,
	.setup = vsockmon_setup,
	.validate = vsockmon_validate,
	.newlink = vsockmon_newlink,
};

/*
 * A port of team, bond or bridge, or the lower device of vlan or macvlan,
 * would get promiscuity and addresses pushed down from contexts we cannot
 * serve, and a monitor has no frames for an upper device anyway.
 */
static int vsockmon_netdev_event(struct notifier_block *nb,
				 unsigned long event, void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct netdev_notifier_changeupper_info *info = ptr;

	if (event != NETDEV_PRECHANGEUPPER ||
	    dev->netdev_ops != &vsockmon_netdev_ops || !info->linking)
		return NOTIFY_DONE;

	NL_SET_ERR_MSG(vsockmon_notifier_extack(ptr),
		       "vsockmon: a monitor cannot be a port or lower device of another device");
	netdev_notice(dev, "refused to become a lower device of %s\n",
		      info->upper_dev->name);
	return notifier_from_errno(-EOPNOTSUPP);
}

static struct notifier_block vsockmon_notifier = {
	.notifier_call = vsockmon_netdev_event,
};

static void __init vsockmon_check_abi(void)
{
	BUILD_BUG_ON(sizeof(struct af_vsockmon_hdr) != 32);
	BUILD_BUG_ON(offsetof(struct af_vsockmon_hdr, src_cid) != 0);
	BUILD_BUG_ON(offsetof(struct af_vsockmon_hdr, dst_cid) != 8);
	BUILD_BUG_ON(offsetof(struct af_vsockmon_hdr, src_port) != 16);
	BUILD_BUG_ON(offsetof(struct af_vsockmon_hdr, dst_port) != 20);
	BUILD_BUG_ON(offsetof(struct af_vsockmon_hdr, op) != 24);
	BUILD_BUG_ON(offsetof(struct af_vsockmon_hdr, transport) != 26);
	BUILD_BUG_ON(offsetof(struct af_vsockmon_hdr, len) != 28);
	BUILD_BUG_ON(offsetof(struct af_vsockmon_hdr, reserved) != 30);
	BUILD_BUG_ON(ARPHRD_VSOCKMON != 826);
}

static int __init vsockmon_module_init(void)
{
	int err;

	vsockmon_check_abi();
	if (insecure_allow_userns)
		pr_warn("insecure_allow_userns is set: unprivileged users can read all vsock traffic\n");
	else if (insecure_allow_netns)
		pr_warn("insecure_allow_netns is set: CAP_NET_RAW in any network namespace reads all vsock traffic\n");

	err = register_netdevice_notifier(&vsockmon_notifier);
	if (err)
		return err;
	err = rtnl_link_register(&vsockmon_link_ops);
	if (err)
		unregister_netdevice_notifier(&vsockmon_notifier);
	return err;
}

static void __exit vsockmon_module_exit(void)
{
	rtnl_link_unregister(&vsockmon_link_ops);
	unregister_netdevice_notifier(&vsockmon_notifier);
}

module_init(vsockmon_module_init);
module_exit(vsockmon_module_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vsock monitoring device, safe by default");
MODULE_VERSION(VSOCKMON_VERSION);
MODULE_ALIAS_RTNL_LINK("vsockmon");
