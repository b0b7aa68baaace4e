// SPDX-License-Identifier: GPL-2.0
/*
 * IKE_SA_INIT (RFC 7296 1.2): proposals, Diffie-Hellman and nonces, as
 * initiator and responder; INVALID_KE_PAYLOAD and NO_PROPOSAL_CHOSEN both
 * ways; NAT detection hashes, fragmentation and signature-hash support
 * announced. Ends with the keys of the new IKE SA derived.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "crypto/crypto.h"
#include "engine/exchange.h"
#include "ikev2/ikev2.h"
#include "keylog.h"
#include "log.h"
#include "proposal.h"

/* SHA-1(SPIi | SPIr | address | port), RFC 7296 2.23. */
static void natd_hash(const struct ike_sa *sa, const struct sockaddr_storage *ss,
		      uint8_t out[20])
{
	uint8_t buf[8 + 8 + 16 + 2];
	const void *addr;
	uint16_t port;
	size_t alen;

	addr = ike_sockaddr_addr(ss, &alen);
	port = htons(ike_sockaddr_port(ss));
	memcpy(buf, sa->spi_i, 8);
	memcpy(buf + 8, sa->spi_r, 8);
	memcpy(buf + 16, addr, alen);
	memcpy(buf + 16 + alen, &port, 2);
	EVP_Digest(buf, 16 + alen + 2, out, NULL, EVP_sha1(), NULL);
}

/* The notifies both directions of IKE_SA_INIT carry. */
static void put_common_notifies(struct ike_sa *sa, struct ike_writer *w)
{
	static const uint8_t hashes[] = {
		0, IKE_HASH_SHA2_256, 0, IKE_HASH_SHA2_384, 0, IKE_HASH_SHA2_512,
	};
	uint8_t hash[20];

	natd_hash(sa, &sa->local, hash);
	ike_w_notify(w, 0, NULL, 0, IKE_N_NAT_DETECTION_SOURCE_IP, hash, sizeof(hash));
	natd_hash(sa, &sa->remote, hash);
	ike_w_notify(w, 0, NULL, 0, IKE_N_NAT_DETECTION_DESTINATION_IP, hash,
		     sizeof(hash));
	/*
	 * IKEV2_FRAGMENTATION_SUPPORTED is not announced until fragments can
	 * be reassembled (RFC 7383 comes with the next step): a peer told so
	 * would fragment a large IKE_AUTH that we could not read.
	 */
	ike_w_notify(w, 0, NULL, 0, IKE_N_SIGNATURE_HASH_ALGORITHMS, hashes,
		     sizeof(hashes));
}

/* What the peer said it supports, from either direction's message. */
static void note_peer_support(struct ike_sa *sa, const struct ike_msg *m)
{
	const struct ike_payload *pl = NULL;
	struct ike_notify n;
	size_t i;

	while ((pl = ike_msg_find(m, IKE_PL_NOTIFY, pl))) {
		if (ike_decode_notify(pl, &n))
			continue;
		if (n.type == IKE_N_IKEV2_FRAGMENTATION_SUPPORTED)
			sa->peer_fragmentation = true;
		if (n.type == IKE_N_SIGNATURE_HASH_ALGORITHMS)
			for (i = 0; i + 1 < n.len; i += 2)
				if (n.data[i] == 0 && n.data[i + 1] < 32)
					sa->peer_hash_algs |= 1u << n.data[i + 1];
	}
	pl = ike_msg_find(m, IKE_PL_CERTREQ, NULL);
	if (pl && pl->len > 1) {
		free(sa->peer_certreq);
		sa->peer_certreq = malloc(pl->len - 1);
		if (sa->peer_certreq) {
			memcpy(sa->peer_certreq, pl->body + 1, pl->len - 1);
			sa->peer_certreq_len = pl->len - 1;
		}
	}
}

static void put_ke(struct ike_sa *sa, struct ike_writer *w)
{
	uint8_t pub[IKE_DH_MAX_PUBLIC_LEN];
	size_t len = ike_dh_public_len(sa->dh_group);

	if (ike_dh_public(sa->dh, pub, len) < 0) {
		w->err = IKE_E_OVERFLOW;
		return;
	}
	ike_w_ke(w, sa->dh_group, pub, len);
}

static int derive_keys(struct ike_sa *sa, const uint8_t *peer_ke, size_t ke_len)
{
	uint8_t secret[IKE_DH_MAX_SHARED_LEN];
	size_t slen = sizeof(secret);
	int err;

	if (ike_dh_shared(sa->dh, peer_ke, ke_len, secret, &slen)) {
		snprintf(sa->why, sizeof(sa->why), "the peer's KE value is invalid");
		return -1;
	}
	err = ike_derive_ike_keys(&sa->suite, sa->ni, sa->ni_len, sa->nr, sa->nr_len,
				  secret, slen, sa->spi_i, sa->spi_r, &sa->keys);
	OPENSSL_cleanse(secret, sizeof(secret));
	if (err) {
		snprintf(sa->why, sizeof(sa->why), "key derivation failed");
		return -1;
	}
	sa->keys_ready = true;
	ike_keylog_ike_sa(sa);
	/* The private value has done its work. */
	ike_dh_free(sa->dh);
	sa->dh = NULL;
	return 0;
}

/* The local address the route to the peer would use. */
static void pick_local(struct ike_sa *sa)
{
	socklen_t len = sizeof(sa->local);
	int fd;

	if (sa->gw->local.ss_family) {
		sa->local = sa->gw->local;
		return;
	}
	memset(&sa->local, 0, sizeof(sa->local));
	fd = socket(sa->remote.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (connect(fd, (struct sockaddr *)&sa->remote, ike_sockaddr_len(&sa->remote)) ||
	    getsockname(fd, (struct sockaddr *)&sa->local, &len))
		memset(&sa->local, 0, sizeof(sa->local));
	close(fd);
	if (sa->remote.ss_family == AF_INET)
		((struct sockaddr_in *)&sa->local)->sin_port = htons(iked.net.port);
	else
		((struct sockaddr_in6 *)&sa->local)->sin6_port = htons(iked.net.port);
}

static int send_init_request(struct ike_sa *sa)
{
	uint8_t buf[4096];
	struct ike_writer w;

	if (sa->dh)
		ike_dh_free(sa->dh);
	sa->dh = ike_dh_new(sa->dh_group);
	if (!sa->dh) {
		log_err("%s: DH group %u is not available", sa->gw->name, sa->dh_group);
		return -1;
	}
	sa->ni_len = IKE_NONCE_LEN;
	if (ike_random(sa->ni, sa->ni_len))
		return -1;
	ike_w_init(&w, buf, sizeof(buf));
	ike_w_sa(&w, &sa->offer);
	put_ke(sa, &w);
	ike_w_nonce(&w, sa->ni, sa->ni_len);
	put_common_notifies(sa, &w);
	return ike_send_request(sa, IKE_SA_INIT, &w);
}

int ike_initiate(struct iked_vpn *vpn, unsigned int sel)
{
	struct iked_gateway *gw = vpn->gw;
	char addr[64];
	struct ike_sa *sa;

	sa = ike_sa_new(gw, true);
	if (!sa)
		return -1;
	sa->vpn = vpn;
	sa->child_sel = sel;
	sa->remote = gw->peer;		/* with the gateway's port */
	pick_local(sa);
	sa->offer = gw->proposals;
	sa->dh_group = ike_offer_first_dh(&sa->offer);
	log_info("%s: initiating IKE SA with %s for VPN %s", gw->name,
		 ike_sockaddr_str(&sa->remote, addr, sizeof(addr)), vpn->name);
	sa->state = IKE_SA_INIT_SENT;
	if (send_init_request(sa)) {
		ike_sa_kill(sa, "cannot send IKE_SA_INIT");
		return -1;
	}
	return 0;
}

/* The responder wants another group: start over with it, if we offered it. */
static void retry_with_group(struct ike_sa *sa, const struct ike_notify *n)
{
	uint16_t group;

	if (n->len != 2) {
		ike_sa_kill(sa, "malformed INVALID_KE_PAYLOAD");
		return;
	}
	group = n->data[0] << 8 | n->data[1];
	if (group == sa->dh_group || !ike_offer_has_dh(&sa->offer, group)) {
		log_err("%s: the peer asks for DH group %u, which we did not offer",
			sa->gw->name, group);
		ike_sa_kill(sa, "no common DH group");
		return;
	}
	log_info("%s: the peer prefers DH group %u, retrying with it",
		 sa->gw->name, group);
	ike_offer_promote_dh(&sa->offer, group);
	sa->dh_group = group;
	sa->next_msgid = 0;
	memset(sa->spi_r, 0, 8);
	if (send_init_request(sa))
		ike_sa_kill(sa, "cannot send IKE_SA_INIT");
}

void ike_init_response(struct ike_sa *sa, struct ike_rx *rx)
{
	const struct ike_msg *m = rx->m;
	const struct ike_payload *sa_pl, *ke_pl, *nonce_pl;
	struct ike_sa_offer *reply;
	const uint8_t *ke, *nonce;
	size_t ke_len, nonce_len;
	struct ike_notify n;
	uint16_t group, err_type;
	char text[128];

	if (!ike_msg_find_notify(m, IKE_N_INVALID_KE_PAYLOAD, &n)) {
		retry_with_group(sa, &n);
		return;
	}
	err_type = ike_msg_error(m);
	if (err_type) {
		log_err("%s: IKE_SA_INIT refused: %s", sa->gw->name,
			ike_error_name(err_type));
		snprintf(text, sizeof(text), "peer refused: %s",
			 ike_error_name(err_type));
		ike_sa_kill(sa, text);
		return;
	}
	sa_pl = ike_msg_find(m, IKE_PL_SA, NULL);
	ke_pl = ike_msg_find(m, IKE_PL_KE, NULL);
	nonce_pl = ike_msg_find(m, IKE_PL_NONCE, NULL);
	reply = malloc(sizeof(*reply));
	if (!sa_pl || !ke_pl || !nonce_pl || !reply ||
	    ike_decode_sa(sa_pl, reply) ||
	    ike_decode_ke(ke_pl, &group, &ke, &ke_len) ||
	    ike_decode_nonce(nonce_pl, &nonce, &nonce_len)) {
		free(reply);
		ike_sa_kill(sa, "malformed IKE_SA_INIT response");
		return;
	}
	if (ike_proposal_check_reply(&sa->offer, reply, IKE_PROP_IKE, &sa->suite)) {
		free(reply);
		ike_sa_kill(sa, "the peer chose a proposal we did not offer");
		return;
	}
	free(reply);
	if (group != sa->suite.dh || group != sa->dh_group) {
		ike_sa_kill(sa, "the peer's KE group is not the one chosen");
		return;
	}
	memcpy(sa->nr, nonce, nonce_len);
	sa->nr_len = nonce_len;
	free(sa->init_resp);
	sa->init_resp = malloc(rx->len);
	if (!sa->init_resp) {
		ike_sa_kill(sa, "out of memory");
		return;
	}
	memcpy(sa->init_resp, rx->buf, rx->len);
	sa->init_resp_len = rx->len;
	note_peer_support(sa, m);
	if (derive_keys(sa, ke, ke_len)) {
		ike_sa_kill(sa, NULL);
		return;
	}
	ike_suite_format(IKE_PROP_IKE, &sa->suite, text, sizeof(text));
	log_info("%s: IKE_SA_INIT done, %s", sa->gw->name, text);
	sa->state = IKE_SA_AUTH_SENT;
	if (ike_auth_request(sa))
		ike_sa_kill(sa, "cannot send IKE_AUTH");
}

static struct iked_gateway *gateway_for(const struct sockaddr_storage *from)
{
	unsigned int i;

	for (i = 0; i < iked.cfg->n_gw; i++)
		if (ike_sockaddr_equal(&iked.cfg->gw[i].peer, from, 0))
			return &iked.cfg->gw[i];
	return NULL;
}

void ike_init_respond(struct ike_rx *rx)
{
	const struct ike_msg *m = &rx->outer;
	const struct ike_payload *sa_pl, *ke_pl, *nonce_pl;
	struct ike_sa_offer *theirs = NULL;
	struct ike_proposal reply;
	struct iked_gateway *gw;
	const uint8_t *ke, *nonce;
	size_t ke_len, nonce_len;
	uint8_t buf[4096];
	struct ike_writer w;
	struct ike_suite suite;
	struct ike_sa *sa;
	char addr[64], text[128];
	uint16_t group;

	gw = gateway_for(&rx->from);
	if (!gw) {
		log_warn("IKE_SA_INIT from %s, which is no configured gateway: ignored",
			 ike_sockaddr_str(&rx->from, addr, sizeof(addr)));
		iked.dropped++;
		return;
	}
	sa_pl = ike_msg_find(m, IKE_PL_SA, NULL);
	ke_pl = ike_msg_find(m, IKE_PL_KE, NULL);
	nonce_pl = ike_msg_find(m, IKE_PL_NONCE, NULL);
	theirs = malloc(sizeof(*theirs));
	if (!sa_pl || !ke_pl || !nonce_pl || !theirs ||
	    ike_decode_sa(sa_pl, theirs) ||
	    ike_decode_ke(ke_pl, &group, &ke, &ke_len) ||
	    ike_decode_nonce(nonce_pl, &nonce, &nonce_len)) {
		log_warn("%s: malformed IKE_SA_INIT request, answering INVALID_SYNTAX",
			 gw->name);
		ike_send_stateless_notify(rx, IKE_N_INVALID_SYNTAX, NULL, 0);
		free(theirs);
		return;
	}
	/* Prefer the group the initiator already sent a KE for. */
	ike_offer_promote_dh(theirs, group);
	if (ike_proposal_select(&gw->proposals, theirs, IKE_PROP_IKE, &suite, &reply)) {
		log_warn("%s: no acceptable IKE proposal, answering NO_PROPOSAL_CHOSEN",
			 gw->name);
		ike_send_stateless_notify(rx, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
		free(theirs);
		return;
	}
	free(theirs);
	if (group != suite.dh) {
		uint8_t want[2] = { suite.dh >> 8, suite.dh & 0xff };

		log_info("%s: the initiator sent a KE for group %u, asking for %u",
			 gw->name, group, suite.dh);
		ike_send_stateless_notify(rx, IKE_N_INVALID_KE_PAYLOAD, want, 2);
		return;
	}

	sa = ike_sa_new(gw, false);
	if (!sa)
		return;
	memcpy(sa->spi_i, m->hdr.spi_i, 8);
	sa->remote = rx->from;
	sa->local = rx->local;		/* with the port it came to */
	sa->suite = suite;
	sa->dh_group = suite.dh;
	sa->dh = ike_dh_new(suite.dh);
	memcpy(sa->ni, nonce, nonce_len);
	sa->ni_len = nonce_len;
	sa->nr_len = IKE_NONCE_LEN;
	sa->init_req = malloc(rx->len);
	if (!sa->dh || !sa->init_req || ike_random(sa->nr, sa->nr_len)) {
		ike_sa_kill(sa, "out of resources");
		return;
	}
	memcpy(sa->init_req, rx->buf, rx->len);
	sa->init_req_len = rx->len;
	sa->peer_msgid = 0;
	note_peer_support(sa, m);

	ike_w_init(&w, buf, sizeof(buf));
	{
		struct ike_sa_offer one = { .n = 1 };

		one.p[0] = reply;
		ike_w_sa(&w, &one);
	}
	put_ke(sa, &w);
	ike_w_nonce(&w, sa->nr, sa->nr_len);
	put_common_notifies(sa, &w);
	if (gw->auth == IKED_AUTH_CERT)
		ike_auth_put_certreq(sa, &w);
	/* Keys are derived after the answer is built: it goes in the clear. */
	if (ike_send_response(sa, IKE_SA_INIT, 0, &w) ||
	    derive_keys(sa, ke, ke_len)) {
		ike_sa_kill(sa, "IKE_SA_INIT failed");
		return;
	}
	sa->state = IKE_SA_INIT_DONE;
	ike_suite_format(IKE_PROP_IKE, &sa->suite, text, sizeof(text));
	log_info("%s: answered IKE_SA_INIT from %s, %s", gw->name,
		 ike_sockaddr_str(&sa->remote, addr, sizeof(addr)), text);
}
