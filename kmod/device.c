// SPDX-License-Identifier: GPL-2.0
/*
 * The st%d network device: rtnl_link_ops, net_device_ops, and the
 * per-namespace handling of the underlay.
 */
#include <linux/if_arp.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/ip.h>
#include <net/rtnetlink.h>
#include <net/net_namespace.h>
#include <uapi/linux/sectun.h>

#include "compat.h"
#include "device.h"

/* Every sectun device in every namespace; under RTNL. */
static LIST_HEAD(sectun_devices);

void sectun_params_publish(struct sectun_dev *sd, struct sectun_params *p)
{
	struct sectun_params *old;

	old = rcu_replace_pointer(sd->params, p, lockdep_rtnl_is_held());
	if (old)
		kfree_rcu(old, rcu);
}

static netdev_tx_t sectun_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct sectun_dev *sd = netdev_priv(dev);

	/* No SA can carry it yet. */
	sectun_stats_inc(sd->stats, SECTUN_STAT_NO_SA);
	kfree_skb(skb);
	return NETDEV_TX_OK;
}

static void sectun_get_stats64(struct net_device *dev,
			       struct rtnl_link_stats64 *st)
{
	struct sectun_dev *sd = netdev_priv(dev);
	struct sectun_stats_sum s;
	const u64 *c = s.cnt;

	sectun_stats_read(sd->stats, &s);
	st->rx_packets = c[SECTUN_STAT_RX_PACKETS];
	st->rx_bytes = c[SECTUN_STAT_RX_BYTES];
	st->tx_packets = c[SECTUN_STAT_TX_PACKETS];
	st->tx_bytes = c[SECTUN_STAT_TX_BYTES];
	st->rx_crc_errors = c[SECTUN_STAT_ESP_AUTH_FAIL] +
			    c[SECTUN_STAT_AH_AUTH_FAIL];
	st->rx_errors = st->rx_crc_errors +
			c[SECTUN_STAT_ESP_DECRYPT_FAIL] +
			c[SECTUN_STAT_REPLAY_ERR] +
			c[SECTUN_STAT_BAD_HEADER] +
			c[SECTUN_STAT_BAD_TRAILER] +
			c[SECTUN_STAT_TS_CHECK_FAIL];
	st->rx_dropped = c[SECTUN_STAT_DISCARDED];
	st->tx_carrier_errors = c[SECTUN_STAT_NO_SA];
	st->tx_errors = c[SECTUN_STAT_EXCEEDS_MTU] + st->tx_carrier_errors;
	st->tx_dropped = st->tx_errors;
}

static int sectun_dev_init(struct net_device *dev)
{
	struct sectun_dev *sd = netdev_priv(dev);

	sd->stats = sectun_stats_alloc(GFP_KERNEL);
	return sd->stats ? 0 : -ENOMEM;
}

/*
 * Lookups that are not under RTNL happen under RCU, so once the device is
 * unlisted and synchronize_net() has run nobody reads the counters.
 */
static void sectun_dev_uninit(struct net_device *dev)
{
	struct sectun_dev *sd = netdev_priv(dev);

	sectun_stats_free(sd->stats);
	sd->stats = NULL;
}

static const struct net_device_ops sectun_netdev_ops = {
	.ndo_init		= sectun_dev_init,
	.ndo_uninit		= sectun_dev_uninit,
	.ndo_start_xmit		= sectun_xmit,
	.ndo_get_stats64	= sectun_get_stats64,
};

static void sectun_destruct(struct net_device *dev)
{
	struct sectun_dev *sd = netdev_priv(dev);

	/* The device is unregistered: no reader can see the params now. */
	kfree(rcu_dereference_protected(sd->params, true));
}

static void sectun_setup(struct net_device *dev)
{
	struct sectun_dev *sd = netdev_priv(dev);

	dev->netdev_ops = &sectun_netdev_ops;
	dev->needs_free_netdev = true;
	dev->priv_destructor = sectun_destruct;
	dev->type = ARPHRD_NONE;
	dev->flags = IFF_POINTOPOINT | IFF_NOARP;
	dev->priv_flags |= IFF_NO_QUEUE;
	dev->hard_header_len = 0;
	dev->addr_len = 0;
	dev->mtu = SECTUN_DEFAULT_MTU;
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = IP_MAX_MTU - SECTUN_MAX_OVERHEAD;
	sectun_compat_set_lltx(dev);

	sd->dev = dev;
	INIT_LIST_HEAD(&sd->dev_list);
}

static int sectun_newlink(SECTUN_NEWLINK_ARGS)
{
	struct sectun_dev *sd = netdev_priv(dev);
	struct sectun_params *p;
	int err;

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	/* Like WireGuard: the underlay stays where the device was born. */
	p->underlay = dev_net(dev);
	p->encap_type = SECTUN_ENCAP_NONE;
	p->encap_local_port = SECTUN_ENCAP_DEFAULT_PORT;
	p->encap_remote_port = SECTUN_ENCAP_DEFAULT_PORT;
	p->df_mode = SECTUN_DF_COPY;
	p->replay_window = SECTUN_DEFAULT_REPLAY_WINDOW;
	RCU_INIT_POINTER(sd->params, p);

	/* Name devices st0, st1, ... as a Junos admin expects. */
	if (!SECTUN_NEWLINK_IFNAME_GIVEN)
		strscpy(dev->name, "st%d", IFNAMSIZ);

	err = register_netdevice(dev);
	if (err) {
		NL_SET_ERR_MSG(extack, "sectun: cannot register the device");
		return err;
	}
	list_add_tail(&sd->dev_list, &sectun_devices);
	return 0;
}

static void sectun_dellink(struct net_device *dev, struct list_head *head)
{
	struct sectun_dev *sd = netdev_priv(dev);

	list_del_init(&sd->dev_list);
	unregister_netdevice_queue(dev, head);
}

struct rtnl_link_ops sectun_link_ops __read_mostly = {
	.kind		= SECTUN_LINK_KIND,
	.priv_size	= sizeof(struct sectun_dev),
	.setup		= sectun_setup,
	.newlink	= sectun_newlink,
	.dellink	= sectun_dellink,
};

/*
 * A namespace that serves as some device's underlay is going away: cut
 * those devices off from it before it is freed (readers are flushed by
 * the synchronize_rcu() between pre_exit and exit).
 */
static void sectun_pernet_pre_exit(struct net *net)
{
	struct sectun_dev *sd;

	rtnl_lock();
	list_for_each_entry(sd, &sectun_devices, dev_list) {
		struct sectun_params *old = sectun_params(sd), *p;

		if (old->underlay != net)
			continue;
		p = kmemdup(old, sizeof(*p), GFP_KERNEL | __GFP_NOFAIL);
		p->underlay = NULL;
		sectun_params_publish(sd, p);
		netif_carrier_off(sd->dev);
	}
	rtnl_unlock();
}

static struct pernet_operations sectun_pernet_ops = {
	.pre_exit = sectun_pernet_pre_exit,
};

int sectun_device_init(void)
{
	int err;

	err = register_pernet_device(&sectun_pernet_ops);
	if (err)
		return err;
	err = rtnl_link_register(&sectun_link_ops);
	if (err)
		goto err_pernet;
	return 0;

err_pernet:
	unregister_pernet_device(&sectun_pernet_ops);
	return err;
}

void sectun_device_uninit(void)
{
	rtnl_link_unregister(&sectun_link_ops);
	unregister_pernet_device(&sectun_pernet_ops);
	rcu_barrier();	/* pending kfree_rcu() of params */
}
