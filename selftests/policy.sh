#!/bin/bash
# Traffic selectors against Linux xfrm (policy-based, one SA pair per
# selector, as a Junos multi-proxy-ID peer): each selector's traffic uses
# its own SPIs, traffic outside every selector is dropped, an inbound
# packet outside its SA's selector fails the TS check, a selector without
# an SA raises rate-limited acquire events, and priorities order overlaps.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_ipsec.sh"

ipsec_topology
# Selector i (1..3): st 192.168.11.64(i-1)/26 <-> xf 192.168.14.64(i-1)/26.
net() { echo "192.168.$1.$((64 * ($2 - 1)))/26"; }
host() { echo "192.168.$1.$((64 * ($2 - 1) + 1))"; }
for i in 1 2 3 4; do
	ip -n st addr add "$(host 11 "$i")/32" dev lo
	ip -n xf addr add "$(host 14 "$i")/32" dev lo
done
ip -n st route add 192.168.14.0/24 dev st4
ip -n xf route add 192.168.11.0/24 via 10.0.0.1

declare -A KEY
for i in 1 2 3; do
	hexkey "KEY[out$i]" 20
	hexkey "KEY[in$i]" 20
	check st sectun policy add st4 local "$(net 11 $i)" remote "$(net 14 $i)"
	check st sectun sa add st4 out spi $((0x1100 + i)) enc aes-gcm-128 key "${KEY[out$i]}" policy "$i"
	check st sectun sa add st4 in spi $((0x2100 + i)) enc aes-gcm-128 key "${KEY[in$i]}" policy "$i"
	batch=
	for d in out in fwd; do
		if [[ $d == out ]]; then s=$(net 14 $i) t=$(net 11 $i) a=10.0.0.2 b=10.0.0.1
		else s=$(net 11 $i) t=$(net 14 $i) a=10.0.0.1 b=10.0.0.2; fi
		batch+="xfrm policy add src $s dst $t dir $d tmpl src $a dst $b proto esp reqid $((100 + i)) mode tunnel"$'\n'
	done
	batch+="xfrm state add src 10.0.0.1 dst 10.0.0.2 proto esp spi $((0x1100 + i)) reqid $((100 + i)) mode tunnel aead rfc4106(gcm(aes)) 0x${KEY[out$i]} 128"$'\n'
	batch+="xfrm state add src 10.0.0.2 dst 10.0.0.1 proto esp spi $((0x2100 + i)) reqid $((100 + i)) mode tunnel aead rfc4106(gcm(aes)) 0x${KEY[in$i]} 128"$'\n'
	ip -n xf -batch - <<< "$batch" || fail "xfrm side of selector $i"
done

sa_packets() { st sectun -j sa show st4 "$1" spi "$2" | jget "j[0]['stats']['packets']"; }
ping_sel() { st ping -c "${2:-2}" -i 0.1 -W 2 -I "$(host 11 "$1")" "$(host 14 "$1")" > /dev/null 2>&1; }

for i in 1 2 3; do
	if ping_sel "$i"; then pass "selector $i: ping"; else fail "selector $i: ping"; fi
done
for i in 1 2 3; do
	check_eq "selector $i: its own outbound SA" 2 "$(sa_packets out $((0x1100 + i)))"
	check_eq "selector $i: its own inbound SA" 2 "$(sa_packets in $((0x2100 + i)))"
done
check_eq "policy show" "2 2 2" "$(st sectun -j policy show st4 | jget "' '.join(str(p['packets']) for p in j)")"

# Outside every selector: dropped, not sent.
disc() { st sectun -j stats st4 | jget "j[0]['stats']['discarded']"; }
d0=$(disc)
st ping -c 3 -i 0.1 -W 1 -I 192.168.1.4 192.168.4.1 > /dev/null 2>&1
check_eq "traffic outside every selector is dropped" $((d0 + 3)) "$(disc)"

# Inbound: selector 3's SA carrying selector 2's addresses. (Authentic,
# so it moves the replay window: selector 3 is not used again.)
xf "$PY" "$SRCDIR/selftests/esp_craft.py" --src 10.0.0.2 --dst 10.0.0.1 --spi 0x2103 \
	--key "${KEY[in3]}" --inner-src "$(host 14 2)" --inner-dst "$(host 11 2)" good:100
sleep 0.5
check_eq "TS check fail counted (tunnel)" 1 "$(st sectun -j stats st4 | jget "j[0]['stats']['ts_check_fail']")"
check_eq "TS check fail counted (SA)" 1 "$(st sectun -j sa show st4 in spi 0x2103 | jget "j[0]['stats']['ts_check_fail']")"
check_eq "and not delivered" 2 "$(sa_packets in 0x2103)"

# Acquire: a fourth selector without an SA.
st sectun monitor > /tmp/acq.txt 2>&1 &
at_exit "kill $!"
sleep 0.5
check st sectun policy add st4 local "$(net 11 4)" remote "$(net 14 4)" proto icmp
st ping -c 10 -i 0.02 -W 1 -I "$(host 11 4)" "$(host 14 4)" > /dev/null 2>&1
sleep 1.5
st ping -c 1 -W 1 -I "$(host 11 4)" "$(host 14 4)" > /dev/null 2>&1
sleep 0.5
check_eq "acquire events: one a second" 2 "$(grep -c '^acquire st4 selector 4 ' /tmp/acq.txt)"
check_eq "acquire event names the flow" 1 \
	"$(found "^acquire st4 selector 4 local $(host 11 4)/32 remote $(host 14 4)/32 proto 1" /tmp/acq.txt)"
check_eq "selector counts its acquires" 2 "$(st sectun -j policy show st4 | jget "j[3]['acquires']")"

# Priorities: a broad selector with priority 1 ties with selector 1 (the
# lower index wins), so it leaves selector 1's traffic alone and takes
# selector 2's (priority 2).
check st sectun policy add st4 local 192.168.11.0/24 remote 192.168.14.0/24 priority 1 index 10
nosa() { st sectun -j stats st4 | jget "j[0]['stats']['no_sa']"; }
n0=$(nosa)
ping_sel 1 && pass "selector 1 still wins its traffic" || fail "selector 1 lost its traffic"
ping_sel 2 1
check_eq "the broad selector (no SA) took selector 2's traffic" $((n0 + 1)) "$(nosa)"
check st sectun policy del st4 index 10
ping_sel 2 && pass "selector 2 back after the broad one went" || fail "selector 2 not back"

# Deleting a selector takes its SAs.
check st sectun policy del st4 index 3
check_eq "selector 3's SAs went with it" "[]" "$(st sectun -j sa show st4 out spi 0x1103 2>/dev/null || echo '[]')"

# Fragments under a port-restricted selector (RFC 4301 7): selector 5
# carries UDP to and from the peer's port 5000 only. Later fragments have
# no ports; they travel and are accepted with their datagram's first.
ip -n st addr add 192.168.21.1/32 dev lo
ip -n xf addr add 192.168.24.1/32 dev lo
ip -n st route add 192.168.24.0/24 dev st4
ip -n xf route add 192.168.21.0/24 via 10.0.0.1
hexkey "KEY[out5]" 20
hexkey "KEY[in5]" 20
check st sectun policy add st4 index 5 local 192.168.21.1/32 remote 192.168.24.1/32 proto udp remote-port 5000
check st sectun sa add st4 out spi 0x1105 enc aes-gcm-128 key "${KEY[out5]}" policy 5
check st sectun sa add st4 in spi 0x2105 enc aes-gcm-128 key "${KEY[in5]}" policy 5
ip -n xf -batch - <<EOF || fail "xfrm side of selector 5"
xfrm policy add src 192.168.24.1 dst 192.168.21.1 proto udp sport 5000 dir out tmpl src 10.0.0.2 dst 10.0.0.1 proto esp reqid 105 mode tunnel
xfrm policy add src 192.168.21.1 dst 192.168.24.1 proto udp dport 5000 dir in tmpl src 10.0.0.1 dst 10.0.0.2 proto esp reqid 105 mode tunnel
xfrm state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x1105 reqid 105 mode tunnel aead rfc4106(gcm(aes)) 0x${KEY[out5]} 128
xfrm state add src 10.0.0.2 dst 10.0.0.1 proto esp spi 0x2105 reqid 105 mode tunnel aead rfc4106(gcm(aes)) 0x${KEY[in5]} 128
EOF
udp_recv() { # NETNS ADDRESS PORT: the size of the first datagram within 5 s
	local ns=$1
	shift
	ip netns exec "$ns" "$PY" -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
s.settimeout(5)
print(len(s.recv(65535)))' "$@" 2>/dev/null || echo none
}
d0=$(disc)
udp_recv xf 192.168.24.1 5000 > /tmp/frag_out.txt &
recv=$!
sleep 0.5
st "$PY" -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("192.168.21.1", 0))
s.sendto(b"x" * 3000, ("192.168.24.1", 5000))'
wait $recv
check_eq "outbound: the 3,000-byte datagram arrived in fragments, all on selector 5" 3000 "$(cat /tmp/frag_out.txt)"
check_eq "outbound: no fragment discarded" "$d0" "$(disc)"
check_eq "outbound: each fragment counted on selector 5" 3 "$(st sectun -j policy show st4 | jget "[p['packets'] for p in j if p['index'] == 5][0]")"
ts0=$(st sectun -j stats st4 | jget "j[0]['stats']['ts_check_fail']")
udp_recv st 192.168.21.1 6000 > /tmp/frag_in.txt &
recv=$!
sleep 0.5
xf "$PY" "$SRCDIR/selftests/esp_craft.py" --src 10.0.0.2 --dst 10.0.0.1 --spi 0x2105 \
	--key "${KEY[in5]}" --inner-src 192.168.24.1 --inner-dst 192.168.21.1 --udp 5000:6000 \
	udpfrag1 udpfrag2
wait $recv
check_eq "inbound: the datagram in two fragments passed the TS check" 1500 "$(cat /tmp/frag_in.txt)"
check_eq "inbound: no TS check failure" "$ts0" "$(st sectun -j stats st4 | jget "j[0]['stats']['ts_check_fail']")"
check_eq "inbound: both fragments on the SA" 2 "$(sa_packets in 0x2105)"
check st sectun policy del st4 index 5

# A thousand selectors: lookups stay right (the benchmark measures speed).
check st "$PY" "$SRCDIR/selftests/genl.py" --repeat 1000 new_policy ifname=str:st4 \
	'policy.index=u32:{1000+i}' 'policy.local_start=ipv4:{"10.%d.%d.0" % (100 + i // 250, i % 250)}' \
	'policy.local_end=ipv4:{"10.%d.%d.255" % (100 + i // 250, i % 250)}' \
	'policy.remote_start=ipv4:{"10.%d.%d.0" % (200 + i // 250, i % 250)}' \
	'policy.remote_end=ipv4:{"10.%d.%d.255" % (200 + i // 250, i % 250)}'
check_eq "1003 selectors" 1003 "$(st "$PY" "$SRCDIR/selftests/genl.py" --dump --count get_policy ifname=str:st4)"
ping_sel 1 && pass "lookup right among 1003 selectors" || fail "lookup wrong among 1003 selectors"
check st sectun policy flush st4
check_eq "flushed with their SAs" "[]" "$(st sectun -j sa show st4)"
finish
