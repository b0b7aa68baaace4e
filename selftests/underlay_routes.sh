#!/bin/bash
# The outer packets follow policy routing in the underlay: a rule that
# picks a route by TOS (the inner DSCP, copied) or by protocol (AH) is
# obeyed even after other packets of the tunnel cached the main route.
source "$(dirname "$0")/lib.sh"

load_sectun
modprobe -a nf_tables 2>/dev/null
netns_add ur
netns_add urp
R() { ip netns exec ur "$@"; }
P() { ip netns exec urp "$@"; }

# ur --a-- urp over 10.1.0.0/24 and ur --b-- urp over 10.2.0.0/24; the
# peer's endpoint 10.9.9.9 is reached over a, or over b by rule.
for l in a b; do
	n=$([[ $l == a ]] && echo 1 || echo 2)
	ip link add "ur-$l" netns ur type veth peer "urp-$l" netns urp
	ip -n ur addr add "10.$n.0.1/24" dev "ur-$l"
	ip -n urp addr add "10.$n.0.2/24" dev "urp-$l"
	ip -n ur link set "ur-$l" up
	ip -n urp link set "urp-$l" up
done
ip -n urp addr add 10.9.9.9/32 dev lo
check ip -n ur route add 10.9.9.9/32 via 10.1.0.2
check ip -n ur route add 10.9.9.9/32 via 10.2.0.2 table 100
check ip -n ur rule add tos 0x10 table 100
check ip -n ur rule add ipproto ah table 100
P nft -f - <<'NFT'
table ip seen {
	chain pre {
		type filter hook prerouting priority 0;
		iifname "urp-a" ip protocol 50-51 counter
		iifname "urp-b" ip protocol 50-51 counter
	}
}
NFT
seen() { # the ESP and AH packets that came in over link $1
	P nft list chain ip seen pre | sed -n "s/.*iifname \"urp-$1\".*counter packets \([0-9]*\).*/\1/p"
}

check ip -n ur link add st0 type sectun
check R sectun set st0 remote 10.9.9.9 copy-dscp on
ip -n ur link set st0 addrgenmode none
ip -n ur link set st0 up
ip -n ur addr add 192.168.50.1/32 dev st0
ip -n ur route add 192.168.60.0/24 dev st0 src 192.168.50.1
check R sectun sa add st0 out spi 0x1000 enc aes-gcm-128 key "$(printf '%040x' 1)"
send() { R ping -c 3 -i 0.05 -W 0.2 "$@" 192.168.60.1 > /dev/null 2>&1; }

send
check_eq "ESP, TOS 0: the main route (link a)" "3 0" "$(seen a) $(seen b)"
send -Q 0x10
check_eq "ESP, TOS 0x10: the rule's route (link b), not the cached one" "3 3" "$(seen a) $(seen b)"
send
check_eq "ESP, TOS 0 again: link a" "6 3" "$(seen a) $(seen b)"
check R sectun sa add st0 out spi 0x2000 proto ah auth sha256 key "$(printf '%064x' 2)"
send
check_eq "AH: the rule's route (link b), not ESP's cached one" "6 6" "$(seen a) $(seen b)"
finish
