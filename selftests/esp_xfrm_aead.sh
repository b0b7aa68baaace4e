#!/bin/bash
# ESP interop with Linux xfrm for the combined-mode algorithms: AES-GCM
# with 8, 12 and 16-byte ICVs and 128/192/256-bit keys, AES-GMAC and
# ChaCha20-Poly1305, over IPv4 and IPv6 underlays with IPv4 and IPv6 inside.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_ipsec.sh"

ipsec_topology
esp_interop_matrix "$(esp_aead_algs)"

# A TCP segment's ESP packet, encrypted from the segment's pages into a
# packet of its own, still belongs to the sending socket (its send
# buffer and TCP small queues count it until it is sent; here, nft's
# socket match sees it), with parallel crypto on and off.
st nft -f - <<'NFT'
table ip owner {
	chain out {
		type filter hook output priority 0;
		ip protocol esp meta skuid 0 counter
		ip protocol esp counter
	}
}
NFT
esp_owned() { # -> "OWNED ALL" ESP packets counted at st's output
	st nft -j list chain ip owner out | jget "' '.join(str(r['counter']['packets']) for r in
		(e['rule']['expr'][-1] for e in j['nftables'] if 'rule' in e))"
}
# Nor does sectun allocate per packet (its crypto requests live in the
# packets' tailroom).
IFS='|' read -r name s x EKEY_BYTES AKEY_BYTES <<< "$(esp_aead_algs | grep '^aes128gcm16|')"
for mode in on off; do
	st sectun set st4 parallel $mode
	ipsec_sa_pair 4 "$s" "$x" || fail "owner: installing SAs"
	st nft reset counters table ip owner > /dev/null
	alloc_trace 1
	tcp_check "parallel $mode: stream for the owner check" st 400000 "${XF_INNER[4,4]}"
	tcp_check "parallel $mode: stream the other way" xf 400000 "${ST_INNER[4,4]}"
	alloc_trace 0
	read -r owned all <<< "$(esp_owned)"
	log "parallel $mode: $owned of $all ESP packets owned by the sending socket"
	((all > 200 && owned * 10 >= all * 9)) &&
		pass "parallel $mode: ESP packets keep their socket" ||
		fail "parallel $mode: only $owned of $all ESP packets have their socket"
	alloc_check "parallel $mode" "$all"
	ipsec_flush
done
st sectun set st4 parallel auto
finish
