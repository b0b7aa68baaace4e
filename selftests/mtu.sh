#!/bin/bash
# Path MTU and the outer header: st0's MTU follows the path and the SA's
# overhead; a packet too big for the path with DF set gets ICMP
# "fragmentation needed" with the inner MTU that fits and is counted; an
# ICMP from the underlay lowers the path MTU; IPv4 without DF is
# fragmented (outer, or inner when the outer DF is forced); df-bit,
# copy-dscp, ECN and TTL shape the outer header as configured.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_ipsec.sh"

ipsec_topology
EKEY_BYTES=20 AKEY_BYTES=0
gcm_s="enc aes-gcm-128 key @EKEY@"
gcm_x="aead 'rfc4106(gcm(aes))' 0x@EKEY@ 128"
ip -n st link set veth-st mtu 1400
ip -n xf link set veth-xf mtu 1400
ip -n xf link set ipsec4 mtu 1400

mtu_of() { st sectun -j show st4 | jget "j[0]['mtu']"; }
# Over IPv4 with AES-GCM-128: 1400 - 20 (IP) - 8 (ESP) - 8 (IV) - 16 (ICV),
# rounded down to 4, less pad length and next header: 1346.
check st sectun set st4 remote 10.0.0.2
check_eq "MTU with no SA yet assumes the worst transform" 1310 "$(mtu_of)"
ipsec_sa_pair 4 "$gcm_s" "$gcm_x"
check_eq "MTU derived from path and SA" 1346 "$(mtu_of)"
check_eq "path MTU reported" 1400 "$(st sectun -j show st4 | jget "j[0]['path_mtu']")"

# Set by hand too high: sectun itself must say what fits.
check st sectun set st4 mtu 1500
exceeds() { st sectun -j stats st4 | jget "j[0]['stats']['exceeds_tunnel_mtu']"; }
out=$(st ping -M do -s 1372 -c 2 -i 0.3 -W 1 -I 192.168.1.4 192.168.4.1 2>&1)
[[ $out == *"mtu = 1346"* || $out == *"mtu=1346"* ]] && pass "ICMP frag needed, mtu 1346" ||
	fail "no 'mtu 1346' in: $out"
check_eq "counted as exceeding the tunnel MTU" 1 "$(exceeds)"
check_eq "the sender's route learned it" 1346 \
	"$(st ip -j route get 192.168.4.1 from 192.168.1.4 | jget "j[0].get('metrics', [{}])[0].get('mtu', 0)")"
# The sender now fragments to fit, and the datagram gets through.
xf "$PY" - > /tmp/udp.txt <<'PY' &
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("192.168.4.1", 7777))
s.settimeout(10)
print(len(s.recv(65536)), flush=True)
PY
sleep 0.5
st "$PY" - <<'PY'
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("192.168.1.4", 0))
s.setsockopt(socket.IPPROTO_IP, 10, 1)	# IP_MTU_DISCOVER, IP_PMTUDISC_WANT
s.sendto(b"x" * 1372, ("192.168.4.1", 7777))
PY
wait
check_eq "a 1400-byte datagram arrives, fragmented to the PMTU" 1372 "$(cat /tmp/udp.txt)"
check_eq "not counted again" 1 "$(exceeds)"

# df-bit clear: the same datagram without DF goes whole, the outer
# packet fragmented instead.
check st sectun set st4 mtu 1346 df-bit clear
check st ip route flush cache
out=$(st timeout 5 tcpdump -c 2 -vni veth-st esp and src 10.0.0.1 2>/dev/null &
	sleep 1; st ping -M dont -s 1372 -c 1 -W 2 -I 192.168.1.4 192.168.4.1 > /dev/null; wait)
# (1346 < 1400: the stack fragments the inner packet at st4's MTU first.)
check_eq "df-bit clear: no DF outside" 0 "$(grep -c 'DF' <<< "$out")"

# df-bit set, copy-dscp, ECN and TTL on the outer header.
check st sectun set st4 df-bit set copy-dscp on ttl 7
out=$(st timeout 5 tcpdump -c 1 -vni veth-st esp and src 10.0.0.1 2>/dev/null &
	sleep 1; st ping -Q 0xb9 -c 1 -W 2 -I 192.168.1.4 192.168.4.1 > /dev/null; wait)
[[ $out == *"tos 0xb9"* ]] && pass "DSCP and ECN copied (tos 0xb9)" || fail "outer: $out"
[[ $out == *"ttl 7,"* ]] && pass "outer TTL 7" || fail "outer TTL: $out"
[[ $out == *"[DF]"* ]] && pass "df-bit set" || fail "no DF: $out"
check st sectun set st4 copy-dscp off ttl 0 df-bit copy
out=$(st timeout 5 tcpdump -c 1 -vni veth-st esp and src 10.0.0.1 2>/dev/null &
	sleep 1; st ping -Q 0xb9 -c 1 -W 2 -I 192.168.1.4 192.168.4.1 > /dev/null; wait)
[[ $out == *"tos 0x1,"* ]] && pass "copy-dscp off keeps only ECN" || fail "outer: $out"
[[ $out == *"ttl 64,"* ]] && pass "TTL from the route" || fail "outer TTL: $out"

# A smaller MTU further down the path: the router's ICMP lowers the path
# MTU, and sectun then tells the sender what fits. (sectun at both ends.)
netns_add u1
netns_add u2
netns_add u3
ip link add u1a netns u1 type veth peer u2b netns u2
ip link add u2c netns u2 type veth peer u3d netns u3
ip -n u1 addr add 10.30.0.1/24 dev u1a
ip -n u2 addr add 10.30.0.2/24 dev u2b
ip -n u2 addr add 10.31.0.2/24 dev u2c
ip -n u3 addr add 10.31.0.3/24 dev u3d
ip -n u2 link set u2c mtu 1300
ip -n u3 link set u3d mtu 1300
for l in "u1 u1a" "u2 u2b" "u2 u2c" "u3 u3d"; do set -- $l; ip -n "$1" link set "$2" up; done
ip netns exec u2 sysctl -qw net.ipv4.ip_forward=1
ip -n u1 route add 10.31.0.0/24 via 10.30.0.2
ip -n u3 route add 10.30.0.0/24 via 10.31.0.2
ip -n u1 addr add 172.30.1.1/32 dev lo
ip -n u3 addr add 172.30.3.1/32 dev lo
k1=$(printf '%040x' 0x31) k2=$(printf '%040x' 0x32)
for u in u1 u3; do
	if [[ $u == u1 ]]; then l=10.30.0.1 r=10.31.0.3 me=172.30.1.1 peer=172.30.3.1 o=$k1 i=$k2 so=0x5001 si=0x5002
	else l=10.31.0.3 r=10.30.0.1 me=172.30.3.1 peer=172.30.1.1 o=$k2 i=$k1 so=0x5002 si=0x5001; fi
	ip -n $u link add st0 type sectun
	ip netns exec $u sectun set st0 local $l remote $r df-bit set mtu 1500
	ip -n $u link set st0 up
	ip -n $u route add $peer/32 dev st0 src $me
	ip netns exec $u sectun sa add st0 out spi $so enc aes-gcm-128 key $o
	ip netns exec $u sectun sa add st0 in spi $si enc aes-gcm-128 key $i
done
ip netns exec u1 ping -c 1 -W 2 172.30.3.1 > /dev/null && pass "small packets pass" || fail "no path"
ip netns exec u1 ping -M do -s 1300 -c 1 -W 1 172.30.3.1 > /dev/null 2>&1
sleep 0.3
check_eq "the router's ICMP lowered the path MTU" 1300 \
	"$(ip netns exec u1 sectun -j show st0 | jget "j[0]['path_mtu']")"
out=$(ip netns exec u1 ping -M do -s 1300 -c 1 -W 1 172.30.3.1 2>&1)
[[ $out == *"mtu = 1246"* || $out == *"mtu=1246"* ]] && pass "then ICMP frag needed, mtu 1246" ||
	fail "no 'mtu 1246' in: $out"
check_eq "counted" 1 "$(ip netns exec u1 sectun -j stats st0 | jget "j[0]['stats']['exceeds_tunnel_mtu']")"
ip netns exec u1 ping -s 1200 -c 1 -W 2 172.30.3.1 > /dev/null && pass "what fits still passes" ||
	fail "1228-byte ping lost"

# IPv4 without DF under df-bit set is fragmented before encryption.
out=$(ip netns exec u1 ping -M dont -s 1300 -c 1 -W 2 172.30.3.1 2>&1)
[[ $out == *" 0% packet loss"* ]] && pass "inner fragmentation under df-bit set" || fail "$out"
finish
