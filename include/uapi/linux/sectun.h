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
	/* The SA database of a tunnel (SECTUN_A_SA nests). */
	SECTUN_CMD_NEW_SA,
	SECTUN_CMD_DEL_SA,		/* also sent on "events" when an SA goes */
	SECTUN_CMD_GET_SA,		/* doit, or dump of one or every device */
	SECTUN_CMD_SET_SA,		/* lifetimes; make an outbound SA current */
	SECTUN_CMD_FLUSH_SA,
	/* Notifications on "events". */
	SECTUN_CMD_EXPIRE,		/* soft or hard lifetime reached */
	/* Traffic selectors of a tunnel (SECTUN_A_POLICY nests). */
	SECTUN_CMD_NEW_POLICY,
	SECTUN_CMD_DEL_POLICY,
	SECTUN_CMD_GET_POLICY,		/* doit, or dump of one or every device */
	SECTUN_CMD_FLUSH_POLICY,
	SECTUN_CMD_ACQUIRE,		/* event: traffic with no SA to carry it */

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

/*
 * Whether one tunnel's ESP packets are encrypted and decrypted on all
 * online CPUs at once (and put back in order) or each on the CPU it
 * arrived on.
 */
enum sectun_parallel {
	SECTUN_PARALLEL_OFF,
	SECTUN_PARALLEL_ON,
	SECTUN_PARALLEL_AUTO,	/* default: on while more than one CPU is online */
	__SECTUN_PARALLEL_MAX,
	SECTUN_PARALLEL_MAX = __SECTUN_PARALLEL_MAX - 1
};

#define SECTUN_ENCAP_DEFAULT_PORT	4500
#define SECTUN_DEFAULT_NATT_KEEPALIVE	20
#define SECTUN_DEFAULT_REPLAY_WINDOW	64
#define SECTUN_MAX_REPLAY_WINDOW	(1U << 20)
/* About 23 days: seconds times HZ stays within half of a 32-bit jiffies. */
#define SECTUN_MAX_LIFETIME_SECONDS	2000000

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
	SECTUN_A_CARRIER,		/* u8: get only, off when the underlay is gone */
	SECTUN_A_STATS,			/* nest: enum sectun_stat_attr; get only */
	SECTUN_A_PAD,
	SECTUN_A_SA,			/* nest: enum sectun_sa_attr */
	SECTUN_A_POLICY,		/* nest: enum sectun_policy_attr */
	SECTUN_A_NATT_KEEPALIVE,	/* u32: seconds between NAT keepalives with
					 * ESP in UDP, 0 = none; default 20
					 */
	SECTUN_A_ENCAP_PEER_PORT,	/* u16, get only: the port the peer's
					 * authenticated ESP-in-UDP came from
					 */
	SECTUN_A_TTL,			/* u8: outer TTL / hop limit, 0 = route's */
	SECTUN_A_PATH_MTU,		/* u32, get only: underlay path MTU */
	SECTUN_A_FLOW,			/* nest, acquire events: the packet, as a
					 * one-address, one-port selector
					 */
	SECTUN_A_PARALLEL,		/* u8: enum sectun_parallel */
	SECTUN_A_PARALLEL_ACTIVE,	/* u8, get only: 1 when ESP packets are
					 * crypted on several CPUs now
					 */

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

enum sectun_dir {
	SECTUN_DIR_IN,
	SECTUN_DIR_OUT,
	__SECTUN_DIR_MAX,
	SECTUN_DIR_MAX = __SECTUN_DIR_MAX - 1
};

enum sectun_mode {
	SECTUN_MODE_TUNNEL,
	SECTUN_MODE_TRANSPORT,
	__SECTUN_MODE_MAX,
	SECTUN_MODE_MAX = __SECTUN_MODE_MAX - 1
};

/*
 * Algorithms are named by their IANA IKEv2 transform IDs (RFC 7296 and
 * the IKEv2 registry), the numbers sectun-iked negotiates.
 */
enum sectun_encr {
	SECTUN_ENCR_3DES = 3,
	SECTUN_ENCR_NULL = 11,
	SECTUN_ENCR_AES_CBC = 12,
	SECTUN_ENCR_AES_GCM_8 = 18,
	SECTUN_ENCR_AES_GCM_12 = 19,
	SECTUN_ENCR_AES_GCM_16 = 20,
	SECTUN_ENCR_NULL_AUTH_AES_GMAC = 21,
	SECTUN_ENCR_CHACHA20_POLY1305 = 28,
};

enum sectun_integ {
	SECTUN_INTEG_NONE = 0,
	SECTUN_INTEG_HMAC_MD5_96 = 1,
	SECTUN_INTEG_HMAC_SHA1_96 = 2,
	SECTUN_INTEG_HMAC_SHA2_256_128 = 12,
	SECTUN_INTEG_HMAC_SHA2_384_192 = 13,
	SECTUN_INTEG_HMAC_SHA2_512_256 = 14,
};

/* Why an SA expired or was deleted (SECTUN_SA_A_REASON). */
enum sectun_expire_reason {
	SECTUN_EXPIRE_NONE,
	SECTUN_EXPIRE_BYTES,
	SECTUN_EXPIRE_PACKETS,
	SECTUN_EXPIRE_SECONDS,
	SECTUN_EXPIRE_SEQ,		/* the sequence number space is used up */
	SECTUN_EXPIRE_USER,		/* deleted or flushed by a command */
	SECTUN_EXPIRE_DEVICE,		/* its device went away */
};

/*
 * One SA, inside SECTUN_A_SA. An SA is identified on its device by
 * (direction, SPI, protocol). Keys are write-only: never reported.
 */
enum sectun_sa_attr {
	SECTUN_SA_A_UNSPEC,
	SECTUN_SA_A_PAD,
	SECTUN_SA_A_SPI,		/* u32, host order, not 0 */
	SECTUN_SA_A_DIR,		/* u8: enum sectun_dir */
	SECTUN_SA_A_PROTO,		/* u8: IPPROTO_ESP (default) or IPPROTO_AH */
	SECTUN_SA_A_MODE,		/* u8: enum sectun_mode, default tunnel */
	SECTUN_SA_A_ENCR,		/* u16: enum sectun_encr */
	SECTUN_SA_A_ENCR_KEY,		/* binary: key, then the salt for AEADs */
	SECTUN_SA_A_INTEG,		/* u16: enum sectun_integ */
	SECTUN_SA_A_INTEG_KEY,		/* binary */
	SECTUN_SA_A_ESN,		/* u8: 64-bit extended sequence numbers */
	SECTUN_SA_A_REPLAY_WINDOW,	/* u32: packets, 0 = off; default: tunnel's */
	SECTUN_SA_A_SEQ,		/* u64: last sequence number sent (out) or
					 * highest received (in); default 0
					 */
	SECTUN_SA_A_SOFT_BYTES,		/* u64 limits, 0 = none */
	SECTUN_SA_A_HARD_BYTES,
	SECTUN_SA_A_SOFT_PACKETS,
	SECTUN_SA_A_HARD_PACKETS,
	SECTUN_SA_A_SOFT_SECONDS,	/* u32: seconds after the SA was added */
	SECTUN_SA_A_HARD_SECONDS,
	SECTUN_SA_A_STANDBY,		/* u8 (out, on add): install, don't use yet */
	SECTUN_SA_A_CURRENT,		/* u8: the outbound SA in use; set makes it so */
	SECTUN_SA_A_ICV_LEN,		/* u8, get only: ICV bytes */
	SECTUN_SA_A_ENCR_KEY_BITS,	/* u16, get only: cipher key size */
	SECTUN_SA_A_AGE,		/* u64, get only: seconds since added */
	SECTUN_SA_A_EXPIRED,		/* u8, get only: 0 none, 1 soft, 2 hard */
	SECTUN_SA_A_REASON,		/* u8, events: enum sectun_expire_reason */
	SECTUN_SA_A_STATS,		/* nest, get only: enum sectun_sa_stat */
	SECTUN_SA_A_POLICY,		/* u32: index of the selector the SA serves;
					 * 0 (default) = the whole tunnel. Of an
					 * SA with several, the first
					 */
	SECTUN_SA_A_PENDING_MS,		/* u32 (in, on add): only reserve the SPI;
					 * what arrives for it is held this many
					 * ms (1-30000) for the SA added later
					 */
	SECTUN_SA_A_POLICIES,		/* nest of u32 SECTUN_SA_A_POLICY: every
					 * selector the SA serves (1 to
					 * SECTUN_SA_MAX_POLICIES, no repeats);
					 * on add, instead of SECTUN_SA_A_POLICY
					 */

	__SECTUN_SA_A_MAX,
	SECTUN_SA_A_MAX = __SECTUN_SA_A_MAX - 1
};

/*
 * The most selectors one SA serves: an IKEv2 child SA with several
 * TSi and TSr (RFC 7296 2.9) serves each pair of them.
 */
#define SECTUN_SA_MAX_POLICIES	64

/* Per-SA counters, u64 each, inside SECTUN_SA_A_STATS. */
enum sectun_sa_stat {
	SECTUN_SA_STAT_UNSPEC,
	SECTUN_SA_STAT_PAD,
	SECTUN_SA_STAT_PACKETS,		/* protected packets sent or accepted */
	SECTUN_SA_STAT_BYTES,		/* their inner bytes */
	SECTUN_SA_STAT_AUTH_FAIL,
	SECTUN_SA_STAT_DECRYPT_FAIL,
	SECTUN_SA_STAT_REPLAY_ERR,
	SECTUN_SA_STAT_BAD_TRAILER,
	SECTUN_SA_STAT_TS_CHECK_FAIL,
	SECTUN_SA_STAT_DISCARDED,

	__SECTUN_SA_STAT_MAX,
	SECTUN_SA_STAT_MAX = __SECTUN_SA_STAT_MAX - 1
};

/*
 * A traffic selector of a tunnel (RFC 7296 TSi/TSr, a Junos proxy ID): from
 * the tunnel's side, "local" is the inner source of outbound traffic and
 * the inner destination of inbound traffic. Addresses are ranges (start
 * and end, both included, 4 or 16 bytes, one family); ports are ranges
 * too. An outbound packet takes the first selector that matches, by
 * priority then index; the SA serving that selector carries it.
 */
enum sectun_policy_attr {
	SECTUN_POL_A_UNSPEC,
	SECTUN_POL_A_PAD,
	SECTUN_POL_A_INDEX,		/* u32 >= 1; chosen by the kernel if absent */
	SECTUN_POL_A_PRIORITY,		/* u32, lower first; default: the index */
	SECTUN_POL_A_LOCAL_START,	/* binary, 4 or 16 bytes */
	SECTUN_POL_A_LOCAL_END,
	SECTUN_POL_A_REMOTE_START,
	SECTUN_POL_A_REMOTE_END,
	SECTUN_POL_A_PROTO,		/* u8: IP protocol, 0 = any */
	SECTUN_POL_A_LOCAL_PORT_MIN,	/* u16 */
	SECTUN_POL_A_LOCAL_PORT_MAX,
	SECTUN_POL_A_REMOTE_PORT_MIN,
	SECTUN_POL_A_REMOTE_PORT_MAX,
	SECTUN_POL_A_OUT_SPI,		/* u32, get only: the SA carrying it, if any */
	SECTUN_POL_A_PACKETS,		/* u64, get only: outbound packets matched */
	SECTUN_POL_A_ACQUIRES,		/* u64, get only: acquire events raised */

	__SECTUN_POL_A_MAX,
	SECTUN_POL_A_MAX = __SECTUN_POL_A_MAX - 1
};

#endif /* _UAPI_LINUX_SECTUN_H */
