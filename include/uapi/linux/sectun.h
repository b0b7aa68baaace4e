/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * sectun: route-based IPsec tunnel devices (st0, st1, ...).
 *
 * The generic-netlink ABI shared by the kernel module, the sectun CLI and
 * sectun-iked. Documentation/netlink.rst describes every command and
 * attribute.
 */
#ifndef _UAPI_LINUX_SECTUN_H
#define _UAPI_LINUX_SECTUN_H

#define SECTUN_GENL_NAME	"sectun"
#define SECTUN_GENL_VERSION	1
#define SECTUN_MCGRP_EVENTS	"events"

/* Link kind for "ip link add st0 type sectun". */
#define SECTUN_LINK_KIND	"sectun"

enum sectun_cmd {
	SECTUN_CMD_UNSPEC,
	/* Tunnel parameters of one device (doit) or of every device (dump). */
	SECTUN_CMD_GET_TUNNEL,
	SECTUN_CMD_SET_TUNNEL,
	/* Reset the tunnel's counters. */
	SECTUN_CMD_CLEAR_STATS,

	__SECTUN_CMD_MAX,
	SECTUN_CMD_MAX = __SECTUN_CMD_MAX - 1
};

/* How the outer IPv4 header's DF bit is chosen (Junos "df-bit"). */
enum sectun_df_mode {
	SECTUN_DF_COPY,		/* copy from the inner IPv4 header (default) */
	SECTUN_DF_CLEAR,
	SECTUN_DF_SET,
	__SECTUN_DF_MAX,
	SECTUN_DF_MAX = __SECTUN_DF_MAX - 1
};

enum sectun_encap_type {
	SECTUN_ENCAP_NONE,	/* plain ESP/AH, IP protocol 50/51 */
	SECTUN_ENCAP_ESPINUDP,	/* RFC 3948 UDP encapsulation */
	__SECTUN_ENCAP_MAX,
	SECTUN_ENCAP_MAX = __SECTUN_ENCAP_MAX - 1
};

#define SECTUN_ENCAP_DEFAULT_PORT	4500
#define SECTUN_DEFAULT_REPLAY_WINDOW	64
#define SECTUN_MAX_REPLAY_WINDOW	(1U << 20)

enum sectun_attr {
	SECTUN_A_UNSPEC,
	SECTUN_A_IFINDEX,		/* u32: device to act on */
	SECTUN_A_IFNAME,		/* string: device to act on (or ifindex) */
	SECTUN_A_LOCAL_IPV4,		/* be32: local tunnel endpoint */
	SECTUN_A_LOCAL_IPV6,		/* 16 bytes */
	SECTUN_A_REMOTE_IPV4,		/* be32: remote tunnel endpoint */
	SECTUN_A_REMOTE_IPV6,		/* 16 bytes */
	SECTUN_A_UNDERLAY_NETNS_FD,	/* u32: set only */
	SECTUN_A_UNDERLAY_NETNSID,	/* s32: set; reported when not the device's own */
	SECTUN_A_ENCAP_TYPE,		/* u8: enum sectun_encap_type */
	SECTUN_A_ENCAP_LOCAL_PORT,	/* u16 (host order): default 4500 */
	SECTUN_A_ENCAP_REMOTE_PORT,	/* u16 (host order): default 4500 */
	SECTUN_A_DF_MODE,		/* u8: enum sectun_df_mode */
	SECTUN_A_COPY_DSCP,		/* u8: 0 or 1 */
	SECTUN_A_REPLAY_WINDOW,		/* u32: default window for new SAs, 0 = off */
	SECTUN_A_MTU,			/* u32 */
	SECTUN_A_ADMIN_UP,		/* u8: get only, IFF_UP */
	SECTUN_A_CARRIER,		/* u8: get only, an SA can carry traffic */
	SECTUN_A_STATS,			/* nest: enum sectun_stat_attr; get only */
	SECTUN_A_PAD,

	__SECTUN_A_MAX,
	SECTUN_A_MAX = __SECTUN_A_MAX - 1
};

/*
 * Counters, per tunnel (and, for the datapath ones, per SA). Every one is
 * a u64 attribute inside SECTUN_A_STATS. The error counters are the set a
 * Junos admin reads in "show security ipsec statistics".
 */
enum sectun_stat_attr {
	SECTUN_STAT_UNSPEC,
	SECTUN_STAT_PAD,
	SECTUN_STAT_RX_PACKETS,		/* inner packets delivered on the device */
	SECTUN_STAT_RX_BYTES,
	SECTUN_STAT_TX_PACKETS,		/* inner packets sent into the tunnel */
	SECTUN_STAT_TX_BYTES,
	SECTUN_STAT_ESP_ENC_PACKETS,
	SECTUN_STAT_ESP_ENC_BYTES,
	SECTUN_STAT_ESP_DEC_PACKETS,
	SECTUN_STAT_ESP_DEC_BYTES,
	SECTUN_STAT_AH_OUT_PACKETS,
	SECTUN_STAT_AH_OUT_BYTES,
	SECTUN_STAT_AH_IN_PACKETS,
	SECTUN_STAT_AH_IN_BYTES,
	SECTUN_STAT_AH_AUTH_FAIL,
	SECTUN_STAT_ESP_AUTH_FAIL,
	SECTUN_STAT_ESP_DECRYPT_FAIL,
	SECTUN_STAT_REPLAY_ERR,
	SECTUN_STAT_BAD_HEADER,
	SECTUN_STAT_BAD_TRAILER,
	SECTUN_STAT_INVALID_SPI,
	SECTUN_STAT_TS_CHECK_FAIL,
	SECTUN_STAT_EXCEEDS_MTU,
	SECTUN_STAT_NO_SA,		/* outbound traffic with no usable SA */
	SECTUN_STAT_DISCARDED,		/* every other drop */

	__SECTUN_STAT_MAX,
	SECTUN_STAT_MAX = __SECTUN_STAT_MAX - 1
};

#endif /* _UAPI_LINUX_SECTUN_H */
