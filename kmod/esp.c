// SPDX-License-Identifier: GPL-2.0
/*
 * ESP tunnel mode over the kernel crypto API.
 *
 * Both directions build the same request: the associated data (SPI,
 * [ESN high bits,] sequence number, IV) in a small buffer of its own, then
 * the packet's payload, encrypted or decrypted in place when the packet
 * is private and linear, else apart (read where it lies, written into a
 * new packet; see esp_req_start_apart()). Keeping the associated data
 * apart means no header has to move to make room for the ESN high bits. A
 * request may complete asynchronously; everything the second half needs
 * travels in struct sectun_esp_req, which holds a reference on the SA
 * until the packet is done.
 *
 * With parallel crypto on, the request goes into the tunnel's crypt
 * queue instead (crypt_queue.h): some CPU runs the crypto, and the second
 * half runs in the packets' original order.
 */
#include <crypto/aead.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/scatterlist.h>
#include <net/dsfield.h>
#include <net/esp.h>
#include <net/gro_cells.h>
#include <net/inet_ecn.h>
#include <net/ip.h>

#include "compat.h"
#include "device.h"
#include "esp.h"
#include "policy.h"
#include "sa.h"
#include "scratch.h"
#include "underlay.h"

#define ESP_HLEN	sizeof(struct ip_esp_hdr)
#define MAX_IV		16
#define MAX_AD		(ESP_HLEN + 4 + MAX_IV)
/* Padding to a block (16 bytes at most), pad length, next header. */
#define MAX_TRAILER	(16 + 1)

struct sectun_esp_req {
	struct sectun_crypt_item item;	/* in a crypt queue */
	struct sectun_crypt_queue *queue;	/* that one, or NULL */
	struct sectun_sa *sa;		/* referenced */
	struct sk_buff *skb;		/* the ESP packet (out), the plaintext (in) */
	struct sk_buff *orig;		/* crypted from, apart from skb; or NULL */
	u64 seq;
	unsigned int len;		/* inner (out) or ESP (in) length */
	u8 dsfield;			/* inner (out) or outer (in) DS field */
	bool inner_df;
	u16 encap_sport;		/* in: the UDP port it came from, or 0 */
	u8 ad[MAX_AD];
	u8 ad_out[MAX_AD];		/* apart: the AD's place in dst */
	u8 trailer[MAX_TRAILER];	/* apart, out: the plaintext's end */
	u8 *iv;
	struct scatterlist *sg;		/* the AD, then the payload's pieces */
	unsigned int nsg;
	/*
	 * The aead_request follows, then the IV (aligned for the tfm), then
	 * the NSG scatterlist entries.
	 */
};

/* A request lives in the packet crypted into (scratch.h). */
static size_t esp_req_sg_off(struct crypto_aead *aead)
{
	size_t off = ALIGN(sizeof(struct sectun_esp_req), crypto_tfm_ctx_alignment());

	return ALIGN(off + sizeof(struct aead_request) + crypto_aead_reqsize(aead) +
		     crypto_aead_alignmask(aead) + MAX_IV,
		     __alignof__(struct scatterlist));
}

static size_t esp_req_size(struct crypto_aead *aead, unsigned int nsg)
{
	return esp_req_sg_off(aead) + nsg * sizeof(struct scatterlist);
}

/* Tailroom a request with NSG scatterlist entries takes. */
static unsigned int esp_req_room(struct crypto_aead *aead, unsigned int nsg)
{
	return sectun_scratch_room(esp_req_size(aead, nsg));
}

/*
 * A request for SA in the tailroom of SKB (the packet crypted into), with
 * NSG scatterlist entries, leaving RESERVE bytes after the tail free; the
 * caller made the room (esp_req_room()).
 */
static struct sectun_esp_req *esp_req_place(struct sectun_sa *sa,
					    struct sk_buff *skb,
					    unsigned int nsg,
					    unsigned int reserve)
{
	struct crypto_aead *aead = sa->crypto.aead;
	unsigned int mask = crypto_aead_alignmask(aead);
	struct sectun_esp_req *r;
	struct aead_request *req;
	size_t off;

	r = sectun_scratch(skb, esp_req_size(aead, nsg), reserve);
	if (!r)
		return NULL;
	off = ALIGN(sizeof(*r), crypto_tfm_ctx_alignment());
	req = (struct aead_request *)((u8 *)r + off);
	aead_request_set_tfm(req, aead);
	r->iv = PTR_ALIGN((u8 *)(req + 1) + crypto_aead_reqsize(aead), mask + 1);
	r->sg = (struct scatterlist *)((u8 *)r + esp_req_sg_off(aead));
	r->nsg = nsg;
	r->queue = NULL;
	r->orig = NULL;
	r->sa = sa;
	r->skb = skb;
	return r;
}

static struct aead_request *esp_req_aead(struct sectun_esp_req *r)
{
	size_t off = ALIGN(sizeof(*r), crypto_tfm_ctx_alignment());

	return (struct aead_request *)((u8 *)r + off);
}

/*
 * The tfm's working state for R (a generic GCM's hash state, a one-time
 * Poly1305 key) must not ride on in the packet's tailroom.
 */
static void esp_req_wipe(struct sectun_esp_req *r)
{
	struct aead_request *req = esp_req_aead(r);

	memzero_explicit(req->__ctx,
			 crypto_aead_reqsize(crypto_aead_reqtfm(req)));
}

/* SPI, [seq_hi,] seq_lo, IV: what the ICV covers besides the payload. */
static unsigned int esp_build_ad(struct sectun_esp_req *r, u32 spi)
{
	const struct sectun_crypto *c = &r->sa->crypto;
	__be32 *w = (__be32 *)r->ad;

	*w++ = htonl(spi);
	if (c->esn)
		*w++ = htonl(upper_32_bits(r->seq));
	*w++ = htonl(lower_32_bits(r->seq));
	memcpy(w, r->iv, c->ivlen);
	return (u8 *)w - r->ad + c->ivlen;
}

/*
 * In place: points R's request at the AD and at SG_LEN bytes of its skb
 * (private and linear) from OFFSET on, of which CRYPTLEN are crypted
 * (the rest is the ICV).
 */
static int esp_req_start(struct sectun_esp_req *r, unsigned int offset,
			 unsigned int sg_len, unsigned int cryptlen,
			 unsigned int adlen, crypto_completion_t done)
{
	struct aead_request *req = esp_req_aead(r);
	int n;

	sg_init_table(r->sg, r->nsg);
	sg_set_buf(&r->sg[0], r->ad, adlen);
	n = skb_to_sgvec(r->skb, &r->sg[1], offset, sg_len);
	if (unlikely(n < 0))
		return n;
	/*
	 * No backlog: when cryptd's queue is full the request is refused
	 * (-ENOSPC) and the packet dropped and counted, as esp4 does, rather
	 * than queued without bound.
	 */
	aead_request_set_callback(req, 0, done, r);
	aead_request_set_crypt(req, r->sg, r->sg, cryptlen, r->iv);
	aead_request_set_ad(req, adlen);
	return 0;
}

/*
 * Packets that are not ours alone (clones, pages shared with a socket's
 * queue, a mirror, the page cache) or not linear are crypted apart: read
 * where they lie, head and page fragments, and written into a private
 * linear buffer, in one pass. Nothing is copied first, and nothing is
 * ever written into memory someone else may see; a forged packet's
 * would-be plaintext included, which AEADs write before the ICV check.
 */

/* Once a request is done: ORIG, the packet it was crypted from apart, or NULL. */
static void esp_release_orig(struct sk_buff *orig, int err)
{
	if (!orig)
		return;
	if (err)
		kfree_skb(orig);
	else
		consume_skb(orig);
}

/* Entries for crypting ORIG apart: AD, head, fragments, trailer; AD, buffer. */
static unsigned int esp_apart_nsg(const struct sk_buff *orig, bool trailer)
{
	return 2 + skb_shinfo(orig)->nr_frags + trailer + 2;
}

/*
 * A linear packet of LEN bytes, ROOM of headroom and TROOM of tailroom
 * (the request's) besides, to crypt into; from the per-CPU page fragment
 * cache unless it takes more than a page, which unlike a kmalloc'ed head
 * is not zeroed per packet (init_on_alloc) and whose page is used again
 * once its packets are gone. It takes over what ORIG says of the packet
 * besides its bytes.
 */
static struct sk_buff *esp_apart_buffer(const struct sk_buff *orig,
					unsigned int room, unsigned int len,
					unsigned int troom)
{
	struct sk_buff *skb = __netdev_alloc_skb(NULL, room + len + troom,
						 GFP_ATOMIC);

	if (!skb)
		return NULL;
	skb_reserve(skb, room);
	skb_put(skb, len);
	skb->dev = orig->dev;
	skb->protocol = orig->protocol;
	skb->priority = orig->priority;
	skb->mark = orig->mark;
	skb->skb_iif = orig->skb_iif;
	sectun_copy_delivery_time(skb, orig);
	skb_copy_hash(skb, orig);
	skb_copy_queue_mapping(skb, orig);
#if defined(CONFIG_NET_RX_BUSY_POLL) || defined(CONFIG_XPS)
	skb->napi_id = orig->napi_id;	/* or sender_cpu, its union twin */
#endif
#ifdef CONFIG_NETWORK_SECMARK
	skb->secmark = orig->secmark;
#endif
	return skb;
}

/*
 * Apart: points R's request at the AD, LEN bytes of ORIG from OFFSET on
 * and TLEN bytes of R's trailer (none on input) as the source, and at the
 * AD's copy and DST_LEN bytes at DST as the destination; CRYPTLEN as for
 * esp_req_start(). R has esp_apart_nsg() entries.
 */
static int esp_req_start_apart(struct sectun_esp_req *r, struct sk_buff *orig,
			       unsigned int offset, unsigned int len,
			       unsigned int tlen, u8 *dst, unsigned int dst_len,
			       unsigned int cryptlen, unsigned int adlen,
			       crypto_completion_t done)
{
	struct aead_request *req = esp_req_aead(r);
	unsigned int nsrc = r->nsg - 2, last;
	struct scatterlist *src = r->sg, *dsg = r->sg + nsrc;
	int n;

	/* What skb_to_sgvec_nomark() may write must fit, before it does. */
	if (unlikely(skb_has_frag_list(orig) ||
		     r->nsg < esp_apart_nsg(orig, tlen)))
		return -EMSGSIZE;
	sg_init_table(src, nsrc);
	sg_set_buf(&src[0], r->ad, adlen);
	n = skb_to_sgvec_nomark(orig, &src[1], offset, len);
	if (unlikely(n < 0))
		return n;
	last = n;		/* 0: no payload (an empty transport packet) */
	if (tlen)
		sg_set_buf(&src[++last], r->trailer, tlen);
	sg_mark_end(&src[last]);
	/* A template may copy the AD over: it gets a place of its own. */
	memcpy(r->ad_out, r->ad, adlen);
	sg_init_table(dsg, 2);
	sg_set_buf(&dsg[0], r->ad_out, adlen);
	sg_set_buf(&dsg[1], dst, dst_len);
	aead_request_set_callback(req, 0, done, r);
	aead_request_set_crypt(req, src, dsg, cryptlen, r->iv);
	aead_request_set_ad(req, adlen);
	return 0;
}

static bool esp_async(int err)
{
	return err == -EINPROGRESS;
}

/*
 * An asynchronous completion of a queued request: once the queue knows,
 * the packet may be finished and its SA reference dropped on another
 * CPU, so a reference of our own keeps the device (and its queue) until
 * the queue has been told.
 */
static void esp_queued_done(struct sectun_esp_req *r, int err)
{
	struct sectun_sa *sa = r->sa;

	refcount_inc(&sa->refcnt);
	sectun_crypt_done(r->queue, &r->item, err);
	sectun_sa_put(sa);
}

/*
 * Whether a packet of SD goes through QUEUE: parallel crypto is on, or
 * packets are still queued that it must not overtake; never when it is
 * sent from a queue's delivery (see sectun_crypt_nested()).
 */
static bool esp_use_queue(struct sectun_dev *sd, struct sectun_crypt_queue *queue)
{
	return (sectun_dev_parallel(sd) || sectun_crypt_queue_busy(queue)) &&
	       !sectun_crypt_nested();
}

/*
 * Hands R to QUEUE, whose CPUs run its crypto; false when the queue is
 * full (the caller drops the packet).
 */
static bool esp_queue(struct sectun_esp_req *r, struct sectun_crypt_queue *queue)
{
	r->queue = queue;
	return sectun_crypt_enqueue(queue, &r->item);
}

/*
 * An SA whose packets failed authentication within the last second is
 * decrypted on the CPU each packet arrives on: a flood of forgeries
 * with its SPI (sent on the wire in the clear) must not take every CPU.
 */
static void esp_note_forgery(struct sectun_sa *sa)
{
	WRITE_ONCE(sa->forged_until, jiffies + HZ);
	if (!test_bit(SECTUN_SA_FORGED, &sa->flags))
		set_bit(SECTUN_SA_FORGED, &sa->flags);
}

static bool esp_forgeries_seen(struct sectun_sa *sa)
{
	if (likely(!test_bit(SECTUN_SA_FORGED, &sa->flags)))
		return false;
	if (time_before(jiffies, READ_ONCE(sa->forged_until)))
		return true;
	clear_bit(SECTUN_SA_FORGED, &sa->flags);
	return false;
}

/* ---- Outbound ---------------------------------------------------------- */

/*
 * A CBC IV must be unpredictable (RFC 3602 2.3), not random as such: the
 * sequence number, never repeated within an SA, through SipHash under a
 * random key of the SA's own gives that (NIST SP 800-38A, appendix C:
 * a secret function of a nonce) for a fraction of the cost of fresh
 * random bytes. Each 8 bytes of IV is the PRF of (number, offset).
 */
static void esp_cbc_iv(const struct sectun_crypto *c, u64 seq, u8 *iv)
{
	unsigned int i;

	for (i = 0; i < c->ivlen; i += 8)
		put_unaligned_be64(siphash_2u64(seq, i, &c->iv_key), iv + i);
}

/*
 * What the outer header and the ESP/AH header need to know of the inner
 * packet. In transport mode the inner IP header is stripped (the outer one
 * takes its place), which needs the packet to run between the tunnel's
 * own endpoints, whole (no fragment, no IPv6 extension headers).
 */
bool sectun_tx_inner(struct sectun_sa *sa, struct sk_buff *skb,
		     struct sectun_inner *in)
{
	const struct sectun_params *p = sectun_params(sa->sd);
	bool transport = sa->mode == SECTUN_MODE_TRANSPORT;

	if (skb->protocol == htons(ETH_P_IP)) {
		const struct iphdr *iph = ip_hdr(skb);

		in->nexthdr = IPPROTO_IPIP;
		in->dsfield = ipv4_get_dsfield(iph);
		in->df = iph->frag_off & htons(IP_DF);
		if (!transport)
			return true;
		if (p->local_family != AF_INET || iph->saddr != p->local.v4 ||
		    iph->daddr != p->remote.v4 || ip_is_fragment(iph) ||
		    iph->ihl < 5 || !pskb_may_pull(skb, iph->ihl * 4))
			return false;
		iph = ip_hdr(skb);
		in->nexthdr = iph->protocol;
		__skb_pull(skb, iph->ihl * 4);
	} else {
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);

		in->nexthdr = IPPROTO_IPV6;
		in->dsfield = ipv6_get_dsfield(ip6h);
		in->df = skb->len > IPV6_MIN_MTU;
		if (!transport)
			return true;
		if (p->local_family != AF_INET6 ||
		    !ipv6_addr_equal(&ip6h->saddr, &p->local.v6) ||
		    !ipv6_addr_equal(&ip6h->daddr, &p->remote.v6) ||
		    ipv6_ext_hdr(ip6h->nexthdr))
			return false;
		in->nexthdr = ip6h->nexthdr;
		__skb_pull(skb, sizeof(*ip6h));
	}
	return true;
}

unsigned int sectun_esp_outer_len(const struct sectun_crypto *c,
				  unsigned int len, unsigned int hlen)
{
	return hlen + ESP_HLEN + c->ivlen + ALIGN(len + 2, c->align) + c->icvlen;
}

unsigned int sectun_esp_max_inner(const struct sectun_crypto *c,
				  unsigned int path_mtu, unsigned int hlen)
{
	unsigned int fixed = hlen + ESP_HLEN + c->ivlen + c->icvlen;

	if (path_mtu < fixed + c->align)
		return 0;
	/* Payload, padding, pad length and next header fill whole blocks. */
	return rounddown(path_mtu - fixed, c->align) - 2;
}

/* OUT's destructor: its original goes with it. */
static void esp_apart_destruct(struct sk_buff *out)
{
	consume_skb(skb_shinfo(out)->destructor_arg);
}

/*
 * OUT, encrypted apart from ORIG, goes out in its stead: ORIG, and with it
 * its socket's claim (send buffer, TCP small queues), lives until OUT is
 * freed or orphaned, exactly as ORIG would have had it gone out itself;
 * OUT names the socket for what looks at it on the way (qdiscs' pacing
 * and flow hashing, netfilter's owner match).
 */
static void esp_apart_hand_over(struct sk_buff *out, struct sk_buff *orig)
{
	out->sk = orig->sk;
	skb_shinfo(out)->destructor_arg = orig;
	out->destructor = esp_apart_destruct;
}

static void esp_output_finish(struct sectun_esp_req *r, int err)
{
	/* R lives in SKB: nothing of it is read once SKB is sent or freed. */
	struct sectun_sa *sa = r->sa;
	struct sectun_dev *sd = sa->sd;
	struct sk_buff *skb = r->skb, *orig = r->orig;
	unsigned int esp_len = skb->len, len = r->len;
	bool inner_df = r->inner_df;
	u8 dsfield = r->dsfield;

	esp_req_wipe(r);

	if (unlikely(err)) {
		sectun_stats_inc(sd->stats, SECTUN_STAT_DISCARDED);
		kfree_skb(skb);
		esp_release_orig(orig, err);
	} else {
		if (orig)
			esp_apart_hand_over(skb, orig);
		if (sectun_underlay_xmit(sd, skb, IPPROTO_ESP, dsfield, inner_df) == 0) {
			sectun_stats_add(sd->stats, SECTUN_STAT_TX_PACKETS, 1);
			sectun_stats_add(sd->stats, SECTUN_STAT_TX_BYTES, len);
			sectun_stats_add(sd->stats, SECTUN_STAT_ESP_ENC_PACKETS, 1);
			sectun_stats_add(sd->stats, SECTUN_STAT_ESP_ENC_BYTES, esp_len);
		}
	}
	sectun_sa_put(sa);
}

void sectun_esp_output_finish(struct sectun_crypt_item *item, int err)
{
	esp_output_finish(container_of(item, struct sectun_esp_req, item), err);
}

static SECTUN_CRYPTO_DONE(esp_output_done)
{
	struct sectun_esp_req *r = sectun_crypto_done_data();

	if (err == -EINPROGRESS)	/* a backlogged request started */
		return;
	if (r->queue) {
		esp_queued_done(r, err);
		return;
	}
	local_bh_disable();
	rcu_read_lock();
	esp_output_finish(r, err);
	rcu_read_unlock();
	local_bh_enable();
}

/*
 * The packet ESP is built in for SKB (LEN bytes, TLEN of trailer to come):
 * SKB itself when it is private, linear and has the room (the trailer,
 * the ICV, the request), to be encrypted in place (*NSG 2); else a new
 * one to be encrypted into apart (*NSG as esp_apart_nsg() says), SKB
 * travelling in the request until the crypto is done. A packet with a
 * fragment list (rare) is copied and goes in place. NULL when out of
 * memory.
 */
static struct sk_buff *esp_output_buffer(struct sk_buff *skb,
					 const struct sectun_crypto *c,
					 unsigned int len, unsigned int tlen,
					 unsigned int *nsg)
{
	unsigned int hroom = SECTUN_UNDERLAY_HEADROOM + ESP_HLEN + c->ivlen;
	unsigned int troom = tlen + c->icvlen + esp_req_room(c->aead, 2);
	struct sk_buff *out;

	*nsg = 2;
	if (!skb_cloned(skb) && !skb_is_nonlinear(skb) &&
	    skb_headroom(skb) >= hroom && skb_tailroom(skb) >= troom)
		return skb;
	if (skb_has_frag_list(skb)) {
		out = skb_copy_expand(skb, hroom, troom, GFP_ATOMIC);
		if (out)
			consume_skb(skb);
		return out;
	}
	*nsg = esp_apart_nsg(skb, true);
	return esp_apart_buffer(skb, hroom, len + tlen + c->icvlen,
				esp_req_room(c->aead, *nsg));
}

void sectun_esp_output(struct sectun_dev *sd, struct sectun_sa *sa,
		       struct sk_buff *skb)
{
	const struct sectun_crypto *c = &sa->crypto;
	unsigned int len, tlen, padlen, nsg, adlen, i;
	struct sectun_esp_req *r;
	struct sk_buff *out;
	struct sectun_inner in;
	struct ip_esp_hdr *esph;
	u8 *trailer;
	u64 seq;
	int err;

	if (!sectun_tx_inner(sa, skb, &in))
		goto drop;
	len = skb->len;

	/* Pad so that payload, pad length and next header fill whole blocks. */
	tlen = ALIGN(len + 2, c->align) - len;
	padlen = tlen - 2;
	if (WARN_ON_ONCE(tlen > MAX_TRAILER))
		goto drop;
	out = esp_output_buffer(skb, c, len, tlen, &nsg);
	if (!out)
		goto drop;
	if (nsg == 2)
		skb = out;		/* in place (maybe in a copy) */
	if (unlikely(sectun_sa_next_seq(sa, len, &seq)))
		goto no_sa;

	r = esp_req_place(sa, out, nsg, out == skb ? tlen + c->icvlen : 0);
	if (unlikely(!r)) {
		sectun_sa_put(sa);
		goto drop_both;
	}
	r->seq = seq;
	r->len = len;
	r->dsfield = in.dsfield;
	r->inner_df = in.df;

	trailer = out == skb ? skb_put(skb, tlen + c->icvlen) : r->trailer;
	for (i = 0; i < padlen; i++)
		trailer[i] = i + 1;
	trailer[padlen] = padlen;
	trailer[padlen + 1] = in.nexthdr;

	esph = skb_push(out, ESP_HLEN + c->ivlen);
	esph->spi = htonl(sa->spi);
	esph->seq_no = htonl(lower_32_bits(seq));
	if (c->iv_kind == SECTUN_IV_SEQ)
		put_unaligned_be64(seq, r->iv);	/* RFC 4106 8.1: a counter */
	else if (c->iv_kind == SECTUN_IV_PRF)
		esp_cbc_iv(c, seq, r->iv);
	memcpy(esph->enc_data, r->iv, c->ivlen);

	adlen = esp_build_ad(r, sa->spi);
	if (out == skb) {
		err = esp_req_start(r, ESP_HLEN + c->ivlen, len + tlen + c->icvlen,
				    len + tlen, adlen, esp_output_done);
	} else {
		r->orig = skb;
		err = esp_req_start_apart(r, skb, 0, len, tlen,
					  esph->enc_data + c->ivlen,
					  len + tlen + c->icvlen, len + tlen,
					  adlen, esp_output_done);
	}
	/*
	 * The inner route is done with, and may be an unreferenced one that
	 * would not outlive an asynchronous completion (xfrm forces it).
	 */
	skb_dst_drop(skb);
	if (unlikely(err)) {
		esp_output_finish(r, err);
		return;
	}
	/* The SA holds the device, and so the queue, until R is done. */
	if (esp_use_queue(sa->sd, &sa->sd->tx_queue)) {
		if (likely(esp_queue(r, &sa->sd->tx_queue)))
			return;
		esp_output_finish(r, -ENOSPC);
		return;
	}
	err = crypto_aead_encrypt(esp_req_aead(r));
	if (!esp_async(err))
		esp_output_finish(r, err);
	return;

no_sa:
	sectun_stats_inc(sd->stats, SECTUN_STAT_NO_SA);
	if (out != skb)
		kfree_skb(out);
	kfree_skb(skb);
	return;
drop_both:
	if (out != skb)
		kfree_skb(out);
drop:
	sectun_stats_inc(sd->stats, SECTUN_STAT_DISCARDED);
	kfree_skb(skb);
}

int sectun_esp_output_crypt(struct sectun_crypt_item *item)
{
	struct sectun_esp_req *r = container_of(item, struct sectun_esp_req, item);

	return crypto_aead_encrypt(esp_req_aead(r));
}

/* ---- Inbound ----------------------------------------------------------- */

static void esp_count(struct sectun_sa *sa, enum sectun_stat_attr dev_stat,
		      enum sectun_sa_stat sa_stat)
{
	sectun_stats_inc(sa->sd->stats, dev_stat);
	if (sa_stat)
		sectun_sa_count(sa, sa_stat);
}

/* The decrypted payload is the inner packet: check it is one. */
static bool esp_inner_ok(struct sk_buff *skb, u8 nexthdr)
{
	unsigned int len = skb->len;

	if (nexthdr == IPPROTO_IPIP) {
		const struct iphdr *iph = (const struct iphdr *)skb->data;

		if (len < sizeof(*iph) || iph->version != 4 || iph->ihl < 5 ||
		    ntohs(iph->tot_len) < iph->ihl * 4 ||
		    ntohs(iph->tot_len) > len)
			return false;
		skb->protocol = htons(ETH_P_IP);
		return !pskb_trim(skb, ntohs(iph->tot_len));
	}
	if (len < sizeof(struct ipv6hdr) ||
	    ((struct ipv6hdr *)skb->data)->version != 6)
		return false;
	if (ntohs(((struct ipv6hdr *)skb->data)->payload_len) +
	    sizeof(struct ipv6hdr) > len)
		return false;
	skb->protocol = htons(ETH_P_IPV6);
	return !pskb_trim(skb, ntohs(((struct ipv6hdr *)skb->data)->payload_len) +
			  sizeof(struct ipv6hdr));
}

static void esp_deliver(struct sectun_dev *sd, struct sk_buff *skb,
			u8 outer_dsfield, const struct net *underlay)
{
	struct net_device *dev = sd->dev;
	unsigned int len = skb->len;
	int ecn_err;

	skb_reset_network_header(skb);
	skb_reset_mac_header(skb);
	skb->mac_len = 0;
	/* RFC 6040: fold the outer ECN codepoint into the inner header. */
	if (skb->protocol == htons(ETH_P_IP))
		ecn_err = INET_ECN_decapsulate(skb, outer_dsfield,
					       ipv4_get_dsfield(ip_hdr(skb)));
	else
		ecn_err = INET_ECN_decapsulate(skb, outer_dsfield,
					       ipv6_get_dsfield(ipv6_hdr(skb)));
	if (unlikely(ecn_err > 1)) {
		sectun_stats_inc(sd->stats, SECTUN_STAT_DISCARDED);
		kfree_skb(skb);
		return;
	}
	skb_scrub_packet(skb, !net_eq(underlay, dev_net(dev)));
	skb->dev = dev;
	skb->pkt_type = PACKET_HOST;
	/* ip_summed: the ESP or AH input set what holds for the inner packet. */
	sectun_stats_add(sd->stats, SECTUN_STAT_RX_PACKETS, 1);
	sectun_stats_add(sd->stats, SECTUN_STAT_RX_BYTES, len);
	gro_cells_receive(&sd->gro_cells, skb);
}

void sectun_rx_transport(struct sk_buff *skb, u8 nexthdr)
{
	unsigned int ihl = skb->protocol == htons(ETH_P_IP) ?
			   ip_hdr(skb)->ihl * 4 : sizeof(struct ipv6hdr);

	/* The received header moves up to sit right before the payload. */
	memmove(skb->data - ihl, skb_network_header(skb), ihl);
	__skb_push(skb, ihl);
	skb_reset_network_header(skb);
	if (skb->protocol == htons(ETH_P_IP)) {
		struct iphdr *iph = ip_hdr(skb);

		iph->protocol = nexthdr;
		iph->tot_len = htons(skb->len);
		ip_send_check(iph);
	} else {
		struct ipv6hdr *ip6h = ipv6_hdr(skb);

		ip6h->nexthdr = nexthdr;
		ip6h->payload_len = htons(skb->len - sizeof(*ip6h));
	}
}

/*
 * The decrypted (or authenticated) inner packet at skb->data, from ESP or
 * AH: check it is one, that the SA's selector allows it in, account it and
 * deliver it on the device. Consumes SKB.
 */
void sectun_rx_inner(struct sectun_sa *sa, struct sk_buff *skb, u8 nexthdr,
		     u8 outer_dsfield)
{
	if (unlikely(!esp_inner_ok(skb, nexthdr))) {
		esp_count(sa, SECTUN_STAT_BAD_HEADER, SECTUN_SA_STAT_DISCARDED);
		goto drop;
	}
	/* One of the SA's selectors must allow the inner packet in. */
	if (sa->n_sels) {
		struct sectun_flow f;

		if (sectun_flow_parse(skb, false, &f) ||
		    !sectun_sa_ts_allows(sa, &f)) {
			esp_count(sa, SECTUN_STAT_TS_CHECK_FAIL,
				  SECTUN_SA_STAT_TS_CHECK_FAIL);
			goto drop;
		}
	}
	if (unlikely(!sectun_sa_charge(sa, skb->len))) {
		esp_count(sa, SECTUN_STAT_DISCARDED, SECTUN_SA_STAT_DISCARDED);
		goto drop;
	}
	esp_deliver(sa->sd, skb, outer_dsfield, sectun_params(sa->sd)->underlay);
	return;
drop:
	kfree_skb(skb);
}

/*
 * Whether the inner packet at skb->data is whole: not an IPv4 fragment,
 * and its upper-layer header right behind an IPv6 header (no fragment
 * header, nor any other in between).
 */
static bool esp_inner_whole(const struct sk_buff *skb, u8 nexthdr)
{
	if (nexthdr == IPPROTO_IPIP)
		return skb_headlen(skb) >= sizeof(struct iphdr) &&
		       !ip_is_fragment((const struct iphdr *)skb->data);
	return nexthdr == IPPROTO_IPV6 &&
	       skb_headlen(skb) >= sizeof(struct ipv6hdr) &&
	       !ipv6_ext_hdr(((const struct ipv6hdr *)skb->data)->nexthdr);
}

static void esp_input_finish(struct sectun_esp_req *r, int err)
{
	/* R lives in SKB: nothing of it is read once SKB is delivered or freed. */
	struct sectun_sa *sa = r->sa;
	const struct sectun_crypto *c = &sa->crypto;
	unsigned int hlen = ESP_HLEN + c->ivlen, plen, padlen, i;
	struct sk_buff *skb = r->skb, *orig = r->orig;
	unsigned int esp_len = r->len;
	u16 encap_sport = r->encap_sport;
	u8 outer_dsfield = r->dsfield;
	u8 tail[2], padbuf[255];
	u64 seq = r->seq;
	const u8 *pad;
	u8 nexthdr;

	esp_req_wipe(r);

	if (unlikely(err)) {
		if (err == -EBADMSG) {
			esp_count(sa, SECTUN_STAT_ESP_AUTH_FAIL, SECTUN_SA_STAT_AUTH_FAIL);
			esp_note_forgery(sa);
		} else if (err == -ENOSPC || err == -EBUSY ||	/* queue full */
			   err == -ENOMEM) {			/* not started */
			esp_count(sa, SECTUN_STAT_DISCARDED, SECTUN_SA_STAT_DISCARDED);
		} else {
			esp_count(sa, SECTUN_STAT_ESP_DECRYPT_FAIL, SECTUN_SA_STAT_DECRYPT_FAIL);
		}
		goto drop;
	}
	if (unlikely(!sectun_replay_accept(&sa->replay, seq))) {
		esp_count(sa, SECTUN_STAT_REPLAY_ERR, SECTUN_SA_STAT_REPLAY_ERR);
		goto drop;
	}

	/* The trailer, read whatever the packet's shape (it is linear now). */
	plen = skb->len - hlen - c->icvlen;
	if (unlikely(skb_copy_bits(skb, hlen + plen - 2, tail, 2)))
		goto discard;
	padlen = tail[0];
	nexthdr = tail[1];
	if (unlikely(padlen + 2 > plen))
		goto bad_trailer;
	pad = skb_header_pointer(skb, hlen + plen - 2 - padlen, padlen, padbuf);
	if (unlikely(!pad))
		goto discard;
	for (i = 0; i < padlen; i++)	/* RFC 4303 2.4: 1, 2, 3, ... */
		if (unlikely(pad[i] != i + 1))
			goto bad_trailer;
	if (nexthdr == IPPROTO_NONE) {	/* a dummy (TFC) packet: drop quietly */
		esp_count(sa, SECTUN_STAT_DISCARDED, SECTUN_SA_STAT_DISCARDED);
		goto drop;
	}
	if (sa->mode == SECTUN_MODE_TUNNEL &&
	    unlikely(nexthdr != IPPROTO_IPIP && nexthdr != IPPROTO_IPV6))
		goto bad_trailer;

	/* Authenticated: a NAT may have moved the peer to another port. */
	if (encap_sport && encap_sport != READ_ONCE(sa->sd->peer_port))
		WRITE_ONCE(sa->sd->peer_port, encap_sport);
	sectun_stats_add(sa->sd->stats, SECTUN_STAT_ESP_DEC_PACKETS, 1);
	sectun_stats_add(sa->sd->stats, SECTUN_STAT_ESP_DEC_BYTES, esp_len);
	if (pskb_trim(skb, plen + hlen - padlen - 2))
		goto discard;
	__skb_pull(skb, hlen);
	/* The inner IP header (either family) in the head, when there is one. */
	if (unlikely(!pskb_may_pull(skb, min_t(unsigned int, skb->len,
					       sizeof(struct ipv6hdr)))))
		goto discard;
	/*
	 * What the outer packet's checksum state said is void now. The ICV
	 * (every ESP SA has one) vouches for each byte of the inner packet
	 * as the peer sent it, so its first TCP/UDP checksum needs no
	 * second pass here; checksums nested deeper, and fragments (which
	 * reassembly would mix with others), are checked as usual. In
	 * transport mode behind a NAT the peer's checksum even covers its
	 * private address, not the one we see (RFC 3948 3.1.2).
	 */
	skb->ip_summed = sa->mode == SECTUN_MODE_TRANSPORT ||
			 esp_inner_whole(skb, nexthdr) ?
			 CHECKSUM_UNNECESSARY : CHECKSUM_NONE;
	skb->csum_level = 0;
	if (sa->mode == SECTUN_MODE_TRANSPORT) {
		sectun_rx_transport(skb, nexthdr);
		nexthdr = skb->protocol == htons(ETH_P_IP) ? IPPROTO_IPIP :
							     IPPROTO_IPV6;
	}
	sectun_rx_inner(sa, skb, nexthdr, outer_dsfield);
	goto out;

bad_trailer:
	esp_count(sa, SECTUN_STAT_BAD_TRAILER, SECTUN_SA_STAT_BAD_TRAILER);
	goto drop;
discard:
	esp_count(sa, SECTUN_STAT_DISCARDED, SECTUN_SA_STAT_DISCARDED);
drop:
	kfree_skb(skb);
out:
	esp_release_orig(orig, err);
	sectun_sa_put(sa);
}

void sectun_esp_input_finish(struct sectun_crypt_item *item, int err)
{
	esp_input_finish(container_of(item, struct sectun_esp_req, item), err);
}

int sectun_esp_input_crypt(struct sectun_crypt_item *item)
{
	struct sectun_esp_req *r = container_of(item, struct sectun_esp_req, item);

	return crypto_aead_decrypt(esp_req_aead(r));
}

/*
 * The packet SKB (ESP header and IV, HLEN bytes, at skb->data) is
 * decrypted in: SKB itself when it is private and linear (made so first
 * when it has a fragment list: rare) and has the request's room, in
 * place (*NSG 2); else a new one, decrypted into apart (*NSG as
 * esp_apart_nsg() says), with copies of the outer header(s), ESP header
 * and IV, whose network header is the outer one. NULL when out of memory.
 */
static struct sk_buff *esp_input_buffer(struct sk_buff *skb,
					struct crypto_aead *aead,
					unsigned int hlen, unsigned int *nsg)
{
	unsigned int outer;
	struct sk_buff *out;

	*nsg = 2;
	if (skb_has_frag_list(skb) && skb_linearize_cow(skb))
		return NULL;
	if (!skb_cloned(skb) && !skb_is_nonlinear(skb) &&
	    skb_tailroom(skb) >= esp_req_room(aead, 2))
		return skb;
	outer = skb->data - skb_network_header(skb);
	*nsg = esp_apart_nsg(skb, false);
	out = esp_apart_buffer(skb, 0, outer + skb->len, esp_req_room(aead, *nsg));
	if (!out)
		return NULL;
	memcpy(out->data, skb_network_header(skb), outer + hlen);
	skb_reset_network_header(out);
	__skb_pull(out, outer);
	return out;
}

static SECTUN_CRYPTO_DONE(esp_input_done)
{
	struct sectun_esp_req *r = sectun_crypto_done_data();

	if (err == -EINPROGRESS)
		return;
	if (r->queue) {
		esp_queued_done(r, err);
		return;
	}
	local_bh_disable();
	rcu_read_lock();
	esp_input_finish(r, err);
	rcu_read_unlock();
	local_bh_enable();
}

void sectun_esp_input(struct sectun_sa *sa, struct sk_buff *skb,
		      u16 encap_sport)
{
	const struct sectun_crypto *c = &sa->crypto;
	unsigned int hlen = ESP_HLEN + c->ivlen, elen;
	struct sectun_esp_req *r;
	struct ip_esp_hdr *esph;
	struct sk_buff *out;
	unsigned int adlen, nsg;
	u8 outer_dsfield;
	u64 seq;
	int err;

	if (skb->protocol == htons(ETH_P_IP))
		outer_dsfield = ipv4_get_dsfield(ip_hdr(skb));
	else
		outer_dsfield = ipv6_get_dsfield(ipv6_hdr(skb));

	/*
	 * Header, IV, at least pad length and next header, and the ICV; the
	 * ciphertext ends on a 4-byte boundary (RFC 4303 2.4). Whole cipher
	 * blocks are the cipher's to check: an authentic packet that is not
	 * is a decryption failure, as xfrm counts it.
	 */
	if (unlikely(!pskb_may_pull(skb, hlen) ||
		     skb->len < hlen + 2 + c->icvlen ||
		     (skb->len - hlen - c->icvlen) % 4)) {
		esp_count(sa, SECTUN_STAT_BAD_HEADER, SECTUN_SA_STAT_DISCARDED);
		goto drop;
	}
	esph = (struct ip_esp_hdr *)skb->data;
	seq = sectun_replay_infer(&sa->replay, ntohl(esph->seq_no));
	if (unlikely(!sectun_replay_precheck(&sa->replay, seq))) {
		esp_count(sa, SECTUN_STAT_REPLAY_ERR, SECTUN_SA_STAT_REPLAY_ERR);
		goto drop;
	}
	if (unlikely(!sectun_sa_usable(sa))) {
		esp_count(sa, SECTUN_STAT_DISCARDED, SECTUN_SA_STAT_DISCARDED);
		goto drop;
	}
	out = esp_input_buffer(skb, c->aead, hlen, &nsg);
	if (unlikely(!out))
		goto discard;
	if (unlikely(!sectun_sa_get(sa)))
		goto discard_both;
	r = esp_req_place(sa, out, nsg, 0);
	if (unlikely(!r)) {
		sectun_sa_put(sa);
		goto discard_both;
	}
	elen = skb->len - hlen;
	r->seq = seq;
	r->len = skb->len;
	r->dsfield = outer_dsfield;
	r->encap_sport = encap_sport;
	esph = (struct ip_esp_hdr *)skb->data;
	memcpy(r->iv, esph->enc_data, c->ivlen);
	adlen = esp_build_ad(r, sa->spi);
	if (out == skb) {
		err = esp_req_start(r, hlen, elen, elen, adlen, esp_input_done);
	} else {
		r->orig = skb;
		err = esp_req_start_apart(r, skb, hlen, elen, 0, out->data + hlen,
					  elen, elen, adlen, esp_input_done);
	}
	/* Nor is the input route needed, which may not be referenced. */
	skb_dst_drop(skb);
	if (unlikely(err)) {
		esp_input_finish(r, -ENOMEM);
		return;
	}
	if (esp_use_queue(sa->sd, &sa->sd->rx_queue) && !esp_forgeries_seen(sa)) {
		/*
		 * The underlay device it came by is not referenced either, and
		 * may go while the packet waits: it is ours from here on.
		 */
		skb->dev = sa->sd->dev;
		out->dev = sa->sd->dev;
		if (likely(esp_queue(r, &sa->sd->rx_queue)))
			return;
		esp_input_finish(r, -ENOSPC);
		return;
	}
	err = crypto_aead_decrypt(esp_req_aead(r));
	if (!esp_async(err))
		esp_input_finish(r, err);
	return;

discard_both:
	if (out != skb)
		kfree_skb(out);
discard:
	esp_count(sa, SECTUN_STAT_DISCARDED, SECTUN_SA_STAT_DISCARDED);
drop:
	kfree_skb(skb);
}
