#!/bin/bash
# ESP in UDP (RFC 3948) over an IPv6 underlay against Linux xfrm. UDP over
# IPv6 must carry a checksum (RFC 8200 8.1): sectun leaves it to the
# device, and where the device cannot (its tx checksumming turned off) the
# stack's software fallback fills it in; the xfrm end verifies every one.
# Pings and TCP streams both ways, with offload on and off, and with the
# outer packets fragmented.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_ipsec.sh"

load_sectun
modprobe -a xfrm_interface esp4 esp6 xfrm_user 2>/dev/null
netns_add st
netns_add xf
st() { ip netns exec st "$@"; }
xf() { ip netns exec xf "$@"; }

ip link add v-st netns st type veth peer v-xf netns xf
ip -n st addr add 2001:db8:46::1/64 dev v-st nodad
ip -n xf addr add 2001:db8:46::2/64 dev v-xf nodad
ip -n st link set v-st up
ip -n xf link set v-xf up
ip -n st addr add 192.168.46.1/32 dev lo
ip -n xf addr add 192.168.46.2/32 dev lo
ip -n st addr add fd46::1/128 dev lo nodad
ip -n xf addr add fd46::2/128 dev lo nodad
k1=$(printf '%040x' 0x4601) k2=$(printf '%040x' 0x4602)

check ip -n st link add st0 type sectun
check st sectun set st0 local 2001:db8:46::1 remote 2001:db8:46::2 encap udp port 4500
ip -n st link set st0 addrgenmode none
ip -n st link set st0 up
ip -n st route add 192.168.46.2/32 dev st0 src 192.168.46.1
ip -n st -6 route add fd46::2/128 dev st0 src fd46::1
check st sectun sa add st0 out spi 0x4601 enc aes-gcm-128 key "$k1"
check st sectun sa add st0 in spi 0x4602 enc aes-gcm-128 key "$k2"
st sectun encap listen > /dev/null &
at_exit "kill $!"

ip -n xf link add ipsec0 type xfrm dev v-xf if_id 46
ip -n xf link set ipsec0 up
ip -n xf route add 192.168.46.1/32 dev ipsec0 src 192.168.46.2
ip -n xf -6 route add fd46::1/128 dev ipsec0 src fd46::2
for d in in fwd out; do
	if [[ $d == out ]]; then s=2001:db8:46::2 t=2001:db8:46::1; else s=2001:db8:46::1 t=2001:db8:46::2; fi
	for f in 0.0.0.0/0 ::/0; do
		xf ip xfrm policy add src $f dst $f dir $d tmpl src $s dst $t \
			proto esp reqid 46 mode tunnel if_id 46
	done
done
xf ip xfrm state add src 2001:db8:46::1 dst 2001:db8:46::2 proto esp spi 0x4601 reqid 46 \
	mode tunnel if_id 46 flag af-unspec encap espinudp 4500 4500 :: aead 'rfc4106(gcm(aes))' "0x$k1" 128
xf ip xfrm state add src 2001:db8:46::2 dst 2001:db8:46::1 proto esp spi 0x4602 reqid 46 \
	mode tunnel if_id 46 flag af-unspec encap espinudp 4500 4500 :: aead 'rfc4106(gcm(aes))' "0x$k2" 128
xf sectun encap listen > /dev/null &
at_exit "kill $!"
sleep 0.5

# Udp6InCsumErrors and Udp6InErrors at xf: what it refused.
udp6_errors() { xf awk '$1 == "Udp6InCsumErrors" || $1 == "Udp6InErrors" { n += $2 } END { print n + 0 }' /proc/net/snmp6; }
esp_out() { st sectun -j stats st0 | jget "j[0]['stats']['esp_encrypted_packets']"; }
esp_in() { st sectun -j stats st0 | jget "j[0]['stats']['esp_decrypted_packets']"; }

tcp_servers
round() { # LABEL [oneway]: pings and streams (both ways), checked at xf
	local what=$1 oneway=${2:-} e0 x0 i0
	e0=$(esp_out) i0=$(esp_in) x0=$(udp6_errors)
	for dst in 192.168.46.2 fd46::2; do
		if st ping -c 3 -i 0.2 -W 2 "$dst" > /dev/null; then
			pass "$what: ping $dst"
		else
			fail "$what: ping $dst"
		fi
	done
	tcp_check "$what: tcp st->xf" st 200000 192.168.46.2 fd46::2
	(($(esp_out) > e0 + 100)) && pass "$what: ESP out" || fail "$what: only $(($(esp_out) - e0)) ESP packets out"
	[[ -n $oneway ]] || {
		tcp_check "$what: tcp xf->st" xf 200000 192.168.46.1 fd46::1
		(($(esp_in) > i0 + 100)) && pass "$what: ESP in" || fail "$what: only $(($(esp_in) - i0)) ESP packets in"
	}
	check_eq "$what: no UDP checksum error at xfrm" "$x0" "$(udp6_errors)"
}

round "offload on"
# The device cannot checksum: the stack does it in software on the way out.
check st ethtool -K v-st tx off
round "offload off"
# Outer packets fragmented (a 1300-byte path, st0 left at 1400): sectun's
# ip6_fragment() finishes the checksum before it splits the datagram. One
# way: xfrm's own path MTU handling is not what is tested here.
check st ethtool -K v-st tx on
ip -n st link set v-st mtu 1300
ip -n xf link set v-xf mtu 1300
st sectun set st0 mtu 1400
round "fragmented" oneway
check_eq "no ESP auth failures, no bad headers" 0 \
	"$(st sectun -j stats st0 | jget "j[0]['stats']['esp_auth_failures'] + j[0]['stats']['bad_headers'] + j[0]['stats']['invalid_spi']")"
finish
