#!/bin/bash
# AH (RFC 4302) in tunnel mode against Linux xfrm, with every HMAC, over
# IPv4 and IPv6 underlays with IPv4 and IPv6 inside; with ESN across 2^32;
# and a tampered packet counted as an AH authentication failure.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_ipsec.sh"

ipsec_topology
modprobe -a ah4 ah6 2>/dev/null
# The xfrm side's policies ask for AH instead of ESP.
for t in 4 6; do
	for sel in 0.0.0.0/0 ::/0; do
		for dir in out in fwd; do
			src=${ST_OUTER[$t]} dst=${XF_OUTER[$t]}
			[[ $dir == out ]] && { src=${XF_OUTER[$t]}; dst=${ST_OUTER[$t]}; }
			xf ip xfrm policy update src "$sel" dst "$sel" dir "$dir" \
				tmpl src "$src" dst "$dst" proto ah reqid "$t" mode tunnel if_id "$t"
		done
	done
done
tcp_servers
XPROTO=ah EKEY_BYTES=0

for spec in "hmac-md5-96 md5 16 96" "hmac-sha1-96 sha1 20 96" "hmac-sha-256-128 sha256 32 128" \
	    "hmac-sha-384-192 sha384 48 192" "hmac-sha-512-256 sha512 64 256"; do
	set -- $spec
	AKEY_BYTES=$3
	for t in 4 6; do
		ipsec_sa_pair "$t" "proto ah auth $1 key @AKEY@" "auth-trunc 'hmac($2)' 0x@AKEY@ $4" ||
			fail "$1: installing SAs"
	done
	for t in 4 6; do
		for f in 4 6; do
			ping_check "AH $1 v$f-in-v$t" st "$t" "$f"
		done
	done
	# Nor does sectun allocate per packet (its requests live in the packets).
	ah_out() { st sectun -j stats st4 | jget "j[0]['stats']['ah_output_packets']"; }
	[[ $1 == hmac-sha-256-128 ]] && sent=$(ah_out) && alloc_trace 1
	tcp_check "AH $1 stream st->xf" st 65536 "${XF_INNER[4,4]}" "${XF_INNER[6,6]}"
	tcp_check "AH $1 stream xf->st" xf 65536 "${ST_INNER[4,6]}" "${ST_INNER[6,4]}"
	if [[ $1 == hmac-sha-256-128 ]]; then
		alloc_trace 0
		alloc_check "AH $1 streams" $(($(ah_out) - sent))
	fi
	ipsec_flush
done
check_eq "AH counted, no errors" "1 0 0" "$(st sectun -j stats st4 | jget "'%d %d %d' % (j[0]['stats']['ah_input_packets'] > 0, j[0]['stats']['ah_auth_failures'], j[0]['stats']['replay_errors'])")"

# ESN across 2^32 with AH.
AKEY_BYTES=32
start=$((0xfffffff0))
ipsec_sa_pair 4 "proto ah auth sha256 key @AKEY@" "auth-trunc 'hmac(sha256)' 0x@AKEY@ 128" \
	"esn on seq $start replay-window 128" \
	"flag esn replay-window 128 replay-seq $start replay-oseq $start"
ah_bytes() { st sectun -j stats st4 | jget "'%d %d %d' % tuple(j[0]['stats']['ah_' + k] for k in ('output_packets', 'output_bytes', 'input_bytes'))"; }
read -r p0 b0 i0 <<< "$(ah_bytes)"
if st ping -c 40 -i 0.02 -W 2 -q -I 192.168.1.4 192.168.4.1 | grep -q ' 0% packet loss'; then
	pass "AH with ESN across 2^32"
else
	fail "AH with ESN: pings lost"
fi
# Each way: 40 AH packets of a 32-byte header (12 fixed, a 16-byte
# HMAC-SHA2-256-128 ICV, padded to 8 bytes as both sides do) and an
# 84-byte echo, the outer IP header not counted.
read -r p1 b1 i1 <<< "$(ah_bytes)"
check_eq "AH output packets and bytes, input bytes" "40 4640 4640" "$((p1 - p0)) $((b1 - b0)) $((i1 - i0))"
check_eq "AH ESN: past 2^32" 1 "$(st sectun -j sa show st4 in | jget "int(j[0]['seq'] > 0xffffffff)")"

# A forged AH packet (right SPI, new sequence number, wrong ICV).
xf "$PY" - <<'PY'
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_AH)
inner = bytes.fromhex("4500001c000000004001f8f7c0a80401c0a80104") + b"\x08\x00\xf7\xff\x00\x00\x00\x00"
ah = struct.pack("!BBHII", 4, (12 + 16) // 4 - 2, 0, 0x2004, 1000) + b"\x42" * 16
s.sendto(ah + inner, ("10.0.0.1", 0))
PY
sleep 0.5
check_eq "forged AH: authentication failure counted" 1 "$(st sectun -j stats st4 | jget "j[0]['stats']['ah_auth_failures']")"
finish
