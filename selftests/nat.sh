#!/bin/bash
# ESP in UDP (RFC 3948) with a Linux xfrm peer behind a NAT that really
# moves its source port: sectun learns the peer's port from authenticated
# packets only, follows it when the NAT mapping changes, sends keepalives,
# and counts nothing it should not.
source "$(dirname "$0")/lib.sh"

load_sectun
modprobe -a xfrm_interface esp4 xfrm_user nf_tables nft_chain_nat nft_nat nft_masq \
	nf_conntrack nf_nat 2>/dev/null
netns_add st
netns_add nat
netns_add xf
st() { ip netns exec st "$@"; }
xf() { ip netns exec xf "$@"; }
nat() { ip netns exec nat "$@"; }

# st (public) 10.20.0.1 -- 10.20.0.254 [NAT] 10.10.0.254 -- 10.10.0.2 xf (private)
ip link add n-pub netns nat type veth peer st-pub netns st
ip link add n-priv netns nat type veth peer xf-priv netns xf
ip -n st addr add 10.20.0.1/24 dev st-pub
ip -n nat addr add 10.20.0.254/24 dev n-pub
ip -n nat addr add 10.10.0.254/24 dev n-priv
ip -n xf addr add 10.10.0.2/24 dev xf-priv
for l in "st st-pub" "nat n-pub" "nat n-priv" "xf xf-priv"; do
	set -- $l
	ip -n "$1" link set "$2" up
done
ip -n xf route add default via 10.10.0.254
nat sysctl -qw net.ipv4.ip_forward=1
nat nft -f - <<'NFT'
table ip nat {
	chain post {
		type nat hook postrouting priority srcnat;
		oifname "n-pub" meta l4proto udp masquerade to :20000-30000 random
		oifname "n-pub" masquerade
	}
}
NFT

ip -n st addr add 192.168.21.1/32 dev lo
ip -n xf addr add 192.168.22.1/32 dev lo
k1=$(printf '%040x' 0x11) k2=$(printf '%040x' 0x22)

# sectun: the peer is the NAT's public address; its port is not known yet.
check ip -n st link add st0 type sectun
check st sectun set st0 local 10.20.0.1 remote 10.20.0.254 encap udp port 4500 nat-keepalive 1
ip -n st link set st0 addrgenmode none
ip -n st link set st0 up
ip -n st route add 192.168.22.1/32 dev st0 src 192.168.21.1
check st sectun sa add st0 in spi 0x3001 enc aes-gcm-128 key "$k1"
check st sectun sa add st0 out spi 0x3002 enc aes-gcm-128 key "$k2"
st sectun encap listen > /dev/null &
at_exit "kill $!"

# xfrm behind the NAT, with its own encapsulation socket.
ip -n xf link add ipsec0 type xfrm dev xf-priv if_id 9
ip -n xf link set ipsec0 up
ip -n xf route add 192.168.21.1/32 dev ipsec0 src 192.168.22.1
xf ip xfrm policy add src 0.0.0.0/0 dst 0.0.0.0/0 dir out tmpl src 10.10.0.2 dst 10.20.0.1 \
	proto esp reqid 9 mode tunnel if_id 9
for d in in fwd; do
	xf ip xfrm policy add src 0.0.0.0/0 dst 0.0.0.0/0 dir $d tmpl src 10.20.0.1 dst 10.10.0.2 \
		proto esp reqid 9 mode tunnel if_id 9
done
xf ip xfrm state add src 10.10.0.2 dst 10.20.0.1 proto esp spi 0x3001 reqid 9 mode tunnel \
	if_id 9 encap espinudp 4500 4500 0.0.0.0 aead 'rfc4106(gcm(aes))' "0x$k1" 128
xf ip xfrm state add src 10.20.0.1 dst 10.10.0.2 proto esp spi 0x3002 reqid 9 mode tunnel \
	if_id 9 encap espinudp 4500 4500 0.0.0.0 aead 'rfc4106(gcm(aes))' "0x$k2" 128
xf sectun encap listen > /dev/null &
at_exit "kill $!"
sleep 0.5

peer_port() { st sectun -j show st0 | jget "j[0]['peer_port']"; }
check_eq "no peer port before any packet" None "$(peer_port)"
if xf ping -c 3 -i 0.2 -W 2 -I 192.168.22.1 192.168.21.1 > /dev/null; then
	pass "ping through the NAT"
else
	fail "ping through the NAT"
fi
p1=$(peer_port)
[[ $p1 -ge 20000 && $p1 -le 30000 ]] && pass "learned the NAT's port ($p1)" ||
	fail "peer port '$p1' is not the NAT's"
check_eq "ESP went in UDP both ways" 0 "$(st sectun -j stats st0 | jget "j[0]['stats']['invalid_spi'] + j[0]['stats']['esp_auth_failures']")"

# A forged packet from another port does not move the peer.
nat "$PY" - <<'PY'
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.20.0.254", 12345))
s.sendto(struct.pack("!II", 0x3001, 99) + b"\0" * 8 + b"\x11" * 48, ("10.20.0.1", 4500))
PY
sleep 0.5
check_eq "forged packet: authentication failure counted" 1 \
	"$(st sectun -j stats st0 | jget "j[0]['stats']['esp_auth_failures']")"
check_eq "forged packet: peer port unchanged" "$p1" "$(peer_port)"

# The NAT forgets the mapping: the peer reappears from a new port.
nat conntrack -F > /dev/null 2>&1
p2=$p1
for try in 1 2 3; do
	xf ping -c 2 -i 0.2 -W 2 -I 192.168.22.1 192.168.21.1 > /dev/null
	p2=$(peer_port)
	[[ $p2 != "$p1" ]] && break
	nat conntrack -F > /dev/null 2>&1
done
[[ $p2 != "$p1" ]] && pass "followed the NAT to port $p2" || fail "peer port stuck at $p1"
if st ping -c 3 -i 0.2 -W 2 -I 192.168.21.1 192.168.22.1 > /dev/null; then
	pass "traffic from sectun reaches the peer at its new port"
else
	fail "no traffic to the peer's new port"
fi

# Keepalives: one 0xFF byte a second, to the NAT.
ka=$(st timeout 3.5 tcpdump -ni st-pub -c 10 "udp and src port 4500 and udp[8] = 0xff and udp[4:2] = 9" 2>/dev/null | grep -c .)
((ka >= 2)) && pass "NAT keepalives sent ($ka in 3.5 s)" || fail "only $ka keepalives in 3.5 s"
check st sectun set st0 nat-keepalive 0
ka=$(st timeout 2.5 tcpdump -ni st-pub -c 10 "udp and src port 4500 and udp[8] = 0xff and udp[4:2] = 9" 2>/dev/null | grep -c .)
check_eq "no keepalives when off" 0 "$ka"

# The same peer set again (an IKE daemon's rekey does) keeps the learned
# port; another port set by hand forgets it.
learned=$(peer_port)
check st sectun set st0 remote 10.20.0.254 port 4500
check_eq "same peer set again: learned port kept" "$learned" "$(peer_port)"
check st sectun set st0 port 4501
check_eq "learned port forgotten" None "$(peer_port)"

# Transport mode through the NAT (RFC 3948 3.1.2): the peer's UDP
# checksum covers its private address, which sectun never sees; the ICV
# vouches for the payload instead, so the datagram is delivered.
check st sectun sa add st0 in spi 0x3101 mode transport enc aes-gcm-128 key "$k1"
xf ip xfrm policy add src 10.10.0.2 dst 10.20.0.1 proto udp dport 7000 dir out \
	tmpl src 10.10.0.2 dst 10.20.0.1 proto esp reqid 10 mode transport
xf ip xfrm state add src 10.10.0.2 dst 10.20.0.1 proto esp spi 0x3101 reqid 10 mode transport \
	encap espinudp 4500 4500 0.0.0.0 aead 'rfc4106(gcm(aes))' "0x$k1" 128
st "$PY" -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.20.0.1", 7000))
s.settimeout(5)
print(s.recv(100).decode())' > /tmp/natt_transport.txt 2>&1 &
recv=$!
sleep 0.5
xf "$PY" -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.10.0.2", 0))
s.sendto(b"transport through the NAT", ("10.20.0.1", 7000))'
wait $recv
check_eq "transport mode through the NAT: the datagram was delivered" \
	"transport through the NAT" "$(cat /tmp/natt_transport.txt)"
check_eq "transport mode through the NAT: on the transport SA" 1 \
	"$(st sectun -j sa show st0 in spi 0x3101 | jget "j[0]['stats']['packets']")"
finish
