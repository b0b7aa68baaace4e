// SPDX-License-Identifier: GPL-2.0
/*
 * AH tunnel mode (RFC 4302). The ICV covers the outer IP header too, with
 * its mutable fields zeroed (IPv4: TOS, flags and fragment offset, TTL,
 * checksum; IPv6: traffic class, flow label, hop limit), the AH header with
 * a zero ICV, the inner packet, and with ESN the high half of the sequence
 * number after it. So on output the outer header is built first, and the
 * HMAC (an ahash, perhaps asynchronous) runs over the finished packet.
 */
#include <crypto/algapi.h>
#include <crypto/hash.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/scatterlist.h>
#include <net/dsfield.h>
#include <net/ip.h>

#include "ah.h"
#include "compat.h"
#include "device.h"
#include "esp.h"
#include "sa.h"
#include "scratch.h"
#include "underlay.h"

#define AH_FIXED	offsetof(struct ip_auth_hdr, auth_data)
#define MAX_DIGEST	64

struct sectun_ah_req {
	struct sectun_sa *sa;		/* referenced */
	struct sk_buff *skb;
	u64 seq;
	unsigned int ahlen;
	unsigned int ihl;		/* outer IP header */
	unsigned int len;		/* inner (out) or AH packet (in) bytes */
	u8 dsfield;			/* in: the outer DS field */
	u8 nexthdr;			/* in: from the AH header */
	union {				/* out: the mutable fields, zeroed */
		struct {
			u8 tos, ttl;
			__be16 frag_off;
			__sum16 check;
		} v4;
		struct {
			__be32 flow;	/* version, class, flow label */
			u8 hop_limit;
		} v6;
	} mut;
	__be32 seq_hi;
	u8 icv[MAX_DIGEST];		/* in: the ICV received */
	u8 digest[MAX_DIGEST];
	struct scatterlist sg[2];
	/* The ahash_request follows. */
};

/*
 * RFC 4302 2.2 asks for a multiple of 4 bytes over IPv4 and 8 over IPv6;
 * Linux pads to 8 over both and, by default, accepts nothing else. Send
 * 8, accept either.
 */
unsigned int sectun_ah_hlen(const struct sectun_crypto *c, int family)
{
	return ALIGN(AH_FIXED + c->icvlen, 8);
}

static bool ah_hlen_ok(const struct sectun_crypto *c, bool v6,
		       unsigned int len)
{
	return len == ALIGN(AH_FIXED + c->icvlen, 8) ||
	       (!v6 && len == ALIGN(AH_FIXED + c->icvlen, 4));
}

static size_t ah_req_off(void)
{
	return ALIGN(sizeof(struct sectun_ah_req), crypto_tfm_ctx_alignment());
}

static struct ahash_request *ah_req_hash(struct sectun_ah_req *r)
{
	return (struct ahash_request *)((u8 *)r + ah_req_off());
}

static size_t ah_req_size(const struct sectun_sa *sa)
{
	return ah_req_off() + sizeof(struct ahash_request) +
	       crypto_ahash_reqsize(sa->crypto.ahash);
}

/* Tailroom a request takes: it lives in the packet it hashes (scratch.h). */
static unsigned int ah_req_room(const struct sectun_sa *sa)
{
	return sectun_scratch_room(ah_req_size(sa));
}

/* A request for SA in the tailroom of SKB, which has the room. */
static struct sectun_ah_req *ah_req_place(struct sectun_sa *sa,
					  struct sk_buff *skb)
{
	struct crypto_ahash *tfm = sa->crypto.ahash;
	struct sectun_ah_req *r;

	r = sectun_scratch(skb, ah_req_size(sa), 0);
	if (!r)
		return NULL;
	ahash_request_set_tfm(ah_req_hash(r), tfm);
	r->sa = sa;
	r->skb = skb;
	return r;
}

/* The HMAC's keyed state must not ride on in the packet's tailroom. */
static void ah_req_wipe(struct sectun_ah_req *r)
{
	struct ahash_request *req = ah_req_hash(r);

	memzero_explicit(ahash_request_ctx(req),
			 crypto_ahash_reqsize(crypto_ahash_reqtfm(req)));
}

/* Zero the outer header's mutable fields, keeping them in R if SAVE. */
static void ah_zero_mutable(struct sectun_ah_req *r, void *hdr, bool save)
{
	if (r->skb->protocol == htons(ETH_P_IP)) {
		struct iphdr *iph = hdr;

		if (save) {
			r->mut.v4.tos = iph->tos;
			r->mut.v4.ttl = iph->ttl;
			r->mut.v4.frag_off = iph->frag_off;
			r->mut.v4.check = iph->check;
		}
		iph->tos = 0;
		iph->ttl = 0;
		iph->frag_off = 0;
		iph->check = 0;
	} else {
		struct ipv6hdr *ip6h = hdr;

		if (save) {
			r->mut.v6.flow = *(__be32 *)ip6h;
			r->mut.v6.hop_limit = ip6h->hop_limit;
		}
		*(__be32 *)ip6h = htonl(0x60000000);
		ip6h->hop_limit = 0;
	}
}

static void ah_restore_mutable(struct sectun_ah_req *r, void *hdr)
{
	if (r->skb->protocol == htons(ETH_P_IP)) {
		struct iphdr *iph = hdr;

		iph->tos = r->mut.v4.tos;
		iph->ttl = r->mut.v4.ttl;
		iph->frag_off = r->mut.v4.frag_off;
		iph->check = r->mut.v4.check;
	} else {
		struct ipv6hdr *ip6h = hdr;

		*(__be32 *)ip6h = r->mut.v6.flow;
		ip6h->hop_limit = r->mut.v6.hop_limit;
	}
}

/* HMAC over the whole packet from skb->data, then the ESN high bits. */
static int ah_hash(struct sectun_ah_req *r, crypto_completion_t done)
{
	struct ahash_request *req = ah_req_hash(r);
	struct sk_buff *skb = r->skb;
	unsigned int len = skb->len;

	sg_init_table(r->sg, 2);
	sg_set_buf(&r->sg[0], skb->data, skb->len);
	if (r->sa->crypto.esn) {
		r->seq_hi = htonl(upper_32_bits(r->seq));
		sg_set_buf(&r->sg[1], &r->seq_hi, sizeof(r->seq_hi));
		len += sizeof(r->seq_hi);
	} else {
		sg_mark_end(&r->sg[0]);
	}
	/* No backlog: a full queue refuses (-ENOSPC), so work stays bounded. */
	ahash_request_set_callback(req, 0, done, r);
	ahash_request_set_crypt(req, r->sg, r->digest, len);
	return crypto_ahash_digest(req);
}

static bool ah_async(int err)
{
	return err == -EINPROGRESS;
}

/* ---- Outbound ---------------------------------------------------------- */

/* R lives in its packet: nothing of it is read once that is sent or freed. */
static void ah_output_finish(struct sectun_ah_req *r, int err)
{
	struct sectun_sa *sa = r->sa;
	struct sectun_dev *sd = sa->sd;
	struct sk_buff *skb = r->skb;
	struct ip_auth_hdr *ah = (struct ip_auth_hdr *)(skb->data + r->ihl);

	ah_req_wipe(r);
	if (unlikely(err)) {
		sectun_stats_inc(sd->stats, SECTUN_STAT_DISCARDED);
		kfree_skb(skb);
	} else {
		ah_restore_mutable(r, skb->data);
		memcpy(ah->auth_data, r->digest, sa->crypto.icvlen);
		sectun_stats_add(sd->stats, SECTUN_STAT_TX_PACKETS, 1);
		sectun_stats_add(sd->stats, SECTUN_STAT_TX_BYTES, r->len);
		sectun_stats_add(sd->stats, SECTUN_STAT_AH_OUT_PACKETS, 1);
		sectun_stats_add(sd->stats, SECTUN_STAT_AH_OUT_BYTES,
				 skb->len - r->ihl);
		sectun_underlay_send(skb);
	}
	sectun_sa_put(sa);
}

static SECTUN_CRYPTO_DONE(ah_output_done)
{
	struct sectun_ah_req *r = sectun_crypto_done_data();

	if (err == -EINPROGRESS)
		return;
	local_bh_disable();
	rcu_read_lock();
	ah_output_finish(r, err);
	rcu_read_unlock();
	local_bh_enable();
}

void sectun_ah_output(struct sectun_dev *sd, struct sectun_sa *sa,
		      struct sk_buff *skb)
{
	const struct sectun_params *p = sectun_params(sd);
	unsigned int ahlen = sectun_ah_hlen(&sa->crypto, p->remote_family);
	struct sectun_ah_req *r;
	struct sectun_inner in;
	struct ip_auth_hdr *ah;
	unsigned int len;
	u64 seq;
	int err;

	if (!sectun_tx_inner(sa, skb, &in))
		goto drop;
	len = skb->len;
	if (skb_cloned(skb) || skb_is_nonlinear(skb) ||
	    skb_headroom(skb) < SECTUN_UNDERLAY_HEADROOM + ahlen ||
	    skb_tailroom(skb) < ah_req_room(sa)) {
		struct sk_buff *copy;

		copy = skb_copy_expand(skb, SECTUN_UNDERLAY_HEADROOM + ahlen,
				       ah_req_room(sa), GFP_ATOMIC);
		if (!copy)
			goto drop;
		consume_skb(skb);
		skb = copy;
	}
	if (unlikely(sectun_sa_next_seq(sa, len, &seq))) {
		sectun_stats_inc(sd->stats, SECTUN_STAT_NO_SA);
		kfree_skb(skb);
		return;
	}
	r = ah_req_place(sa, skb);
	if (!r) {
		sectun_sa_put(sa);
		goto drop;
	}
	r->seq = seq;
	r->len = len;
	r->ahlen = ahlen;

	ah = skb_push(skb, ahlen);
	ah->nexthdr = in.nexthdr;
	ah->hdrlen = (ahlen >> 2) - 2;
	ah->reserved = 0;
	ah->spi = htonl(sa->spi);
	ah->seq_no = htonl(lower_32_bits(seq));
	memset(ah->auth_data, 0, ahlen - AH_FIXED);

	err = sectun_underlay_push(sd, skb, IPPROTO_AH, in.dsfield, in.df);
	if (err) {
		sectun_sa_put(sa);
		goto drop;
	}
	r->ihl = (u8 *)ah - skb->data;	/* the outer header just pushed */
	ah_zero_mutable(r, skb->data, true);
	err = ah_hash(r, ah_output_done);
	if (!ah_async(err))
		ah_output_finish(r, err);
	return;
drop:
	sectun_stats_inc(sd->stats, SECTUN_STAT_DISCARDED);
	kfree_skb(skb);
}

/* ---- Inbound ----------------------------------------------------------- */

static void ah_count(struct sectun_sa *sa, enum sectun_stat_attr dev_stat,
		     enum sectun_sa_stat sa_stat)
{
	sectun_stats_inc(sa->sd->stats, dev_stat);
	if (sa_stat)
		sectun_sa_count(sa, sa_stat);
}

/* R lives in its packet: nothing of it is read once that is delivered or freed. */
static void ah_input_finish(struct sectun_ah_req *r, int err)
{
	struct sectun_sa *sa = r->sa;
	struct sk_buff *skb = r->skb;
	unsigned int strip = r->ihl + r->ahlen;
	u8 nexthdr = r->nexthdr, dsfield = r->dsfield;
	bool bad;

	ah_req_wipe(r);
	if (unlikely(err)) {
		/* A crypto queue full (-ENOSPC, -EBUSY) says nothing of the packet. */
		ah_count(sa, SECTUN_STAT_DISCARDED, err == -ENOSPC || err == -EBUSY ?
			 SECTUN_SA_STAT_DISCARDED : SECTUN_SA_STAT_DECRYPT_FAIL);
		goto drop;
	}
	bad = crypto_memneq(r->digest, r->icv, sa->crypto.icvlen);
	/* A forgery's would-be ICV stays nowhere, as the tfm state above. */
	memzero_explicit(r->digest, sizeof(r->digest));
	if (bad) {
		ah_count(sa, SECTUN_STAT_AH_AUTH_FAIL, SECTUN_SA_STAT_AUTH_FAIL);
		goto drop;
	}
	if (unlikely(!sectun_replay_accept(&sa->replay, r->seq))) {
		ah_count(sa, SECTUN_STAT_REPLAY_ERR, SECTUN_SA_STAT_REPLAY_ERR);
		goto drop;
	}
	sectun_stats_add(sa->sd->stats, SECTUN_STAT_AH_IN_PACKETS, 1);
	sectun_stats_add(sa->sd->stats, SECTUN_STAT_AH_IN_BYTES, r->len);
	/* What the outer packet's checksum state said is void now. */
	skb->ip_summed = CHECKSUM_NONE;
	if (sa->mode == SECTUN_MODE_TRANSPORT) {
		/* The outer header is the packet's own: put it back as it came. */
		ah_restore_mutable(r, skb->data);
		__skb_pull(skb, strip);
		sectun_rx_transport(skb, nexthdr);
		sectun_rx_inner(sa, skb, skb->protocol == htons(ETH_P_IP) ?
				IPPROTO_IPIP : IPPROTO_IPV6, dsfield);
		goto out;
	}
	if (nexthdr != IPPROTO_IPIP && nexthdr != IPPROTO_IPV6) {
		ah_count(sa, SECTUN_STAT_BAD_HEADER, SECTUN_SA_STAT_DISCARDED);
		goto drop;
	}
	__skb_pull(skb, strip);
	sectun_rx_inner(sa, skb, nexthdr, dsfield);
	goto out;
drop:
	kfree_skb(skb);
out:
	sectun_sa_put(sa);
}

static SECTUN_CRYPTO_DONE(ah_input_done)
{
	struct sectun_ah_req *r = sectun_crypto_done_data();

	if (err == -EINPROGRESS)
		return;
	local_bh_disable();
	rcu_read_lock();
	ah_input_finish(r, err);
	rcu_read_unlock();
	local_bh_enable();
}

void sectun_ah_input(struct sectun_sa *sa, struct sk_buff *skb)
{
	const struct sectun_crypto *c = &sa->crypto;
	bool v6 = skb->protocol == htons(ETH_P_IPV6);
	unsigned int ahlen, ihl;
	struct sectun_ah_req *r;
	struct ip_auth_hdr *ah;
	u8 dsfield;
	u64 seq;
	int err;

	/*
	 * A plain outer header only: IPv4 options and IPv6 extension headers
	 * would need their mutable parts zeroed too, and sectun sends neither.
	 */
	ihl = skb_network_header_len(skb);
	if (v6) {
		dsfield = ipv6_get_dsfield(ipv6_hdr(skb));
		if (ihl != sizeof(struct ipv6hdr))
			goto bad_header;
	} else {
		dsfield = ipv4_get_dsfield(ip_hdr(skb));
		if (ihl != sizeof(struct iphdr))
			goto bad_header;
	}
	if (!pskb_may_pull(skb, AH_FIXED))
		goto bad_header;
	ah = (struct ip_auth_hdr *)skb->data;
	ahlen = (ah->hdrlen + 2) << 2;
	if (!ah_hlen_ok(c, v6, ahlen) || !pskb_may_pull(skb, ahlen))
		goto bad_header;
	ah = (struct ip_auth_hdr *)skb->data;
	seq = sectun_replay_infer(&sa->replay, ntohl(ah->seq_no));
	if (unlikely(!sectun_replay_precheck(&sa->replay, seq))) {
		ah_count(sa, SECTUN_STAT_REPLAY_ERR, SECTUN_SA_STAT_REPLAY_ERR);
		goto drop;
	}
	if (unlikely(!sectun_sa_usable(sa)))
		goto discard;
	if (unlikely(skb_linearize_cow(skb)))
		goto discard;
	/* Room for the request, the packet copied if it must be. */
	if (skb_tailroom(skb) < ah_req_room(sa) &&
	    pskb_expand_head(skb, 0, ah_req_room(sa) - skb_tailroom(skb), GFP_ATOMIC))
		goto discard;
	if (unlikely(!sectun_sa_get(sa)))
		goto discard;
	r = ah_req_place(sa, skb);
	if (unlikely(!r)) {
		sectun_sa_put(sa);
		goto discard;
	}
	ah = (struct ip_auth_hdr *)skb->data;
	r->seq = seq;
	r->ahlen = ahlen;
	r->ihl = ihl;
	r->len = skb->len;
	r->dsfield = dsfield;
	r->nexthdr = ah->nexthdr;
	memcpy(r->icv, ah->auth_data, c->icvlen);
	/* The padding after the ICV is hashed as it came (RFC 4302 3.3.3.2.1). */
	memset(ah->auth_data, 0, c->icvlen);
	/* Hash from the outer header on, its mutable fields zeroed. */
	__skb_push(skb, ihl);
	ah_zero_mutable(r, skb->data, true);
	/* The input route may not be referenced: not past an async hash. */
	skb_dst_drop(skb);
	err = ah_hash(r, ah_input_done);
	if (!ah_async(err))
		ah_input_finish(r, err);
	return;

bad_header:
	ah_count(sa, SECTUN_STAT_BAD_HEADER, SECTUN_SA_STAT_DISCARDED);
	goto drop;
discard:
	ah_count(sa, SECTUN_STAT_DISCARDED, SECTUN_SA_STAT_DISCARDED);
drop:
	kfree_skb(skb);
}
