#!/bin/bash
# 64-bit extended sequence numbers against Linux xfrm, across the 2^32
# boundary: both sides start just below it, with an AEAD (the high bits in
# the associated data) and with AES-CBC/HMAC (authencesn, the high bits
# hashed after the payload).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_ipsec.sh"

ipsec_topology
tcp_servers
start=$((0xffffffe0))

esn_case() { # NAME SECTUN_ALG XFRM_ALG EKEY AKEY
	local name=$1
	EKEY_BYTES=$4 AKEY_BYTES=$5
	ipsec_sa_pair 4 "$2" "$3" "esn on seq $start replay-window 128" \
		"flag esn replay-window 128 replay-seq $start replay-oseq $start" ||
		{ fail "$name: installing SAs"; return; }
	if st ping -c 50 -i 0.02 -W 2 -q -I 192.168.1.4 192.168.4.1 | grep -q ' 0% packet loss'; then
		pass "$name: 50 pings across 2^32"
	else
		fail "$name: pings lost across 2^32"
	fi
	tcp_check "$name: stream st->xf" st 200000 192.168.4.1
	tcp_check "$name: stream xf->st" xf 200000 192.168.1.4
	local out in
	out=$(st sectun -j sa show st4 out spi 0x1004 | jget "j[0]['seq']")
	in=$(st sectun -j sa show st4 in spi 0x2004 | jget "j[0]['seq']")
	((out > 0xffffffff)) && pass "$name: sent past 2^32 ($out)" || fail "$name: sent only up to $out"
	((in > 0xffffffff)) && pass "$name: received past 2^32 ($in)" || fail "$name: received only up to $in"
	check_eq "$name: no replay or auth errors" "0 0" \
		"$(st sectun -j sa show st4 in spi 0x2004 | jget "'%d %d' % (j[0]['stats']['replay_errors'], j[0]['stats']['auth_failures'])")"
	xf ip xfrm state list spi 0x1004 | grep -q 'seq-hi 0x1' &&
		pass "$name: xfrm received past 2^32" || fail "$name: xfrm: $(xf ip xfrm state list spi 0x1004 | grep seq)"
	ipsec_flush
}

esn_case aes-gcm-128 "enc aes-gcm-128 key @EKEY@" "aead 'rfc4106(gcm(aes))' 0x@EKEY@ 128" 20 0
esn_case aes-256-cbc/sha256 "enc aes-256-cbc key @EKEY@ auth sha256 key @AKEY@" \
	"enc 'cbc(aes)' 0x@EKEY@ auth-trunc 'hmac(sha256)' 0x@AKEY@ 128" 32 32
esn_case chacha20-poly1305 "enc chacha20-poly1305 key @EKEY@" \
	"aead 'rfc7539esp(chacha20,poly1305)' 0x@EKEY@ 128" 36 0

# Without ESN the sequence number never wraps: its last value ends the SA.
EKEY_BYTES=20 AKEY_BYTES=0
ipsec_sa_pair 4 "enc aes-gcm-128 key @EKEY@" "aead 'rfc4106(gcm(aes))' 0x@EKEY@ 128" \
	"seq $((0xfffffffd))" "replay-window 32 replay-seq $((0xfffffffd)) replay-oseq $((0xfffffffd))"
st ping -c 5 -i 0.1 -W 1 -q -I 192.168.1.4 192.168.4.1 > /dev/null 2>&1
sleep 0.5
check_eq "no wrap: the outbound SA is gone" "[]" "$(st sectun -j sa show st4 out)"
check_eq "no wrap: its last number was sent" 1 "$(xf ip xfrm state list spi 0x1004 | grep -c 'seq 0xffffffff')"
finish
