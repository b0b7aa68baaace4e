#!/bin/bash
# Transport mode, ESP and AH, IPv4 and IPv6, against Linux xfrm: GRE over
# IPsec between the tunnel endpoints themselves. GRE packets are routed
# into st4/st6 by a policy-routing rule; the peer's xfrm protects GRE
# with transport-mode policies.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_ipsec.sh"

ipsec_topology
modprobe -a ip_gre ip6_gre ah4 ah6 2>/dev/null
declare -A GRE_ST=([4]=172.31.4.1 [6]=172.31.6.1) GRE_XF=([4]=172.31.4.2 [6]=172.31.6.2)
for t in 4 6; do
	# (No encapsulation-limit option: transport mode takes no IPv6
	# extension headers.)
	if [[ $t == 4 ]]; then kind=gre opt= fam=-4; else kind=ip6gre opt="encaplimit none" fam=-6; fi
	for side in st xf; do
		if [[ $side == st ]]; then l=${ST_OUTER[$t]} r=${XF_OUTER[$t]} a=${GRE_ST[$t]}
		else l=${XF_OUTER[$t]} r=${ST_OUTER[$t]} a=${GRE_XF[$t]}; fi
		ip -n $side link add gre$t type $kind local "$l" remote "$r" ttl 64 $opt
		ip netns exec $side sysctl -qw net.ipv6.conf.gre$t.disable_ipv6=1
		ip -n $side link set gre$t mtu 1200
		ip -n $side addr add "$a/30" dev gre$t
		ip -n $side link set gre$t up
	done
	# On st, GRE to the peer goes through the sectun device.
	ip -n st $fam rule add ipproto gre lookup 10$t
	ip -n st $fam route add "${XF_OUTER[$t]}" dev st$t table 10$t
done

# transport_pair TUNNEL PROTO SECTUN_ALG XFRM_ALG
transport_pair() {
	local t=$1 proto=$2 s=$3 x=$4 k1 k2 l=${ST_OUTER[$t]} r=${XF_OUTER[$t]} batch=
	hexkey k1 32
	hexkey k2 32
	if [[ $proto == esp ]]; then k1=${k1:0:40} k2=${k2:0:40}; fi
	check st sectun sa add st$t out spi 0x700$t proto "$proto" mode transport ${s//@K@/$k1}
	check st sectun sa add st$t in spi 0x710$t proto "$proto" mode transport ${s//@K@/$k2}
	for d in out in; do
		if [[ $d == out ]]; then src=$r dst=$l; else src=$l dst=$r; fi
		batch+="xfrm policy add src $src dst $dst proto gre dir $d tmpl src $src dst $dst proto $proto mode transport"$'\n'
	done
	batch+="xfrm state add src $l dst $r proto $proto spi 0x700$t mode transport ${x//@K@/$k1}"$'\n'
	batch+="xfrm state add src $r dst $l proto $proto spi 0x710$t mode transport ${x//@K@/$k2}"$'\n'
	ip -n xf -batch - <<< "$batch" || fail "xfrm transport $proto over IPv$t"
}

for proto in esp ah; do
	if [[ $proto == esp ]]; then
		s="enc aes-gcm-128 key @K@" x="aead 'rfc4106(gcm(aes))' 0x@K@ 128"
	else
		s="auth sha256 key @K@" x="auth-trunc 'hmac(sha256)' 0x@K@ 128"
	fi
	for t in 4 6; do
		transport_pair $t $proto "$s" "$x"
		if st ping -c 3 -i 0.2 -W 2 "${GRE_XF[$t]}" > /dev/null; then
			pass "GRE over $proto transport, IPv$t"
		else
			fail "GRE over $proto transport, IPv$t"
		fi
		check_eq "$proto transport IPv$t: our SAs carried it" "3 3" \
			"$(st sectun -j sa show st$t | jget "' '.join(str(s['stats']['packets']) for s in sorted(j, key=lambda s: s['dir']))")"
		check_eq "$proto transport IPv$t: the peer's too" 2 \
			"$(xf ip -s xfrm state | grep -c '3(packets)')"
		st sectun sa flush st$t
		xf ip xfrm state flush
		xf ip xfrm policy flush
	done
done

# Traffic that is not between the endpoints cannot go in transport mode.
transport_pair 4 esp "enc aes-gcm-128 key @K@" "aead 'rfc4106(gcm(aes))' 0x@K@ 128"
d0=$(st sectun -j stats st4 | jget "j[0]['stats']['discarded']")
st ping -c 1 -W 1 -I 192.168.1.4 192.168.4.1 > /dev/null 2>&1
check_eq "not between the endpoints: discarded" $((d0 + 1)) "$(st sectun -j stats st4 | jget "j[0]['stats']['discarded']")"
finish
