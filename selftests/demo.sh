#!/bin/bash
# "make demo": two sites joined by a link, each with an st0 tunnel device;
# first manually keyed ESP SAs, then sectun-iked at both sites negotiating
# them with IKEv2 and a pre-shared key; traffic between the sites' LANs
# through st0. Grows as sectun does.
source "$(dirname "$0")/lib.sh"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '%s$ %s\n' "${PS:-}" "$*"; "$@"; }
a() { PS="site-a " run ip netns exec site-a "$@"; }
b() { PS="site-b " run ip netns exec site-b "$@"; }

load_sectun
netns_add site-a
netns_add site-b

say "Two sites, linked over 192.0.2.0/24 (the underlay); LANs 10.1.0.0/16 and 10.2.0.0/16"
ip link add veth-a netns site-a type veth peer veth-b netns site-b
ip -n site-a addr add 192.0.2.1/24 dev veth-a
ip -n site-b addr add 192.0.2.2/24 dev veth-b
ip -n site-a link set veth-a up
ip -n site-b link set veth-b up
ip -n site-a addr add 10.1.0.1/16 dev lo
ip -n site-b addr add 10.2.0.1/16 dev lo
ip netns exec site-a ping -c 1 -W 2 192.0.2.2 > /dev/null

say "An st0 tunnel device at each site, and routes pointing at it"
a ip link add st0 type sectun
b ip link add st0 type sectun
a sectun set st0 local 192.0.2.1 remote 192.0.2.2 df-bit clear
b sectun set st0 local 192.0.2.2 remote 192.0.2.1 df-bit clear
ip -n site-a link set st0 up
ip -n site-b link set st0 up
a ip route add 10.2.0.0/16 dev st0 src 10.1.0.1
b ip route add 10.1.0.0/16 dev st0 src 10.2.0.1

say "No SA yet: traffic routed to st0 is dropped and counted"
ip netns exec site-a ping -c 1 -W 1 10.2.0.1 > /dev/null 2>&1
a sectun stats st0 | grep 'No SA'

say "Manual keys: one SA each way, AES-GCM-128 (key + 4-byte salt)"
k1=$(head -c 20 /dev/urandom | od -An -v -tx1 | tr -d ' \n')
k2=$(head -c 20 /dev/urandom | od -An -v -tx1 | tr -d ' \n')
a sectun sa add st0 out spi 0x1001 enc aes-gcm-128 key "$k1"
a sectun sa add st0 in spi 0x2001 enc aes-gcm-128 key "$k2"
b sectun sa add st0 in spi 0x1001 enc aes-gcm-128 key "$k1"
b sectun sa add st0 out spi 0x2001 enc aes-gcm-128 key "$k2"

say "LAN to LAN through the tunnel"
a ping -c 3 -i 0.3 10.2.0.1
say "On the wire it is ESP"
ip netns exec site-b tcpdump -c 2 -ni veth-b esp 2>/dev/null &
sleep 1
ip netns exec site-a ping -c 2 -i 0.2 10.2.0.1 > /dev/null
wait

say "What site A's tunnel and SAs look like"
a sectun show st0
echo
a sectun sa show st0
say "Counters, as in 'show security ipsec statistics'"
a sectun stats st0 | head -7

say "Now with IKE: the manual SAs go, sectun-iked runs at each site"
a sectun sa flush st0
b sectun sa flush st0
mkdir -p /tmp/demo
for site in a b; do
	if [[ $site == a ]]; then me=192.0.2.1 peer=192.0.2.2 est=immediately
	else me=192.0.2.2 peer=192.0.2.1 est=responder-only; fi
	cat > /tmp/demo/site-$site.conf <<-EOF
	control-socket = "/tmp/demo/site-$site.sock";
	gateways = ( {
		name = "site-$([[ $site == a ]] && echo b || echo a)";
		address = "$peer";
		local-address = "$me";
		proposals = "aes256gcm16-prfsha384-ecp384";
		psk = "demo pre-shared key";
	} );
	vpns = ( {
		name = "lan-to-lan";
		gateway = "site-$([[ $site == a ]] && echo b || echo a)";
		bind-interface = "st0";
		proposals = "aes256gcm16";
		establish-tunnels = "$est";
	} );
	EOF
done
echo "site-a's /etc/sectun/iked.conf:"
sed 's/^/    /' /tmp/demo/site-a.conf
ip netns exec site-b sectun-iked -f /tmp/demo/site-b.conf 2> /tmp/demo/site-b.log &
at_exit "kill $! 2>/dev/null"
sleep 0.5
ip netns exec site-a sectun-iked -f /tmp/demo/site-a.conf 2> /tmp/demo/site-a.log &
at_exit "kill $! 2>/dev/null"
for ((i = 0; i < 50; i++)); do
	grep -q "VPN lan-to-lan up" /tmp/demo/site-a.log 2>/dev/null && break
	sleep 0.2
done
echo "site-a's log:"
sed 's/^/    /' /tmp/demo/site-a.log

say "LAN to LAN through the negotiated SAs"
a ping -c 3 -i 0.3 10.2.0.1
say "sectun ike status, as 'show security ike/ipsec security-associations'"
SECTUN_IKED_SOCKET=/tmp/demo/site-a.sock a sectun ike status detail
echo
a sectun sa show st0
_run_cleanups
echo
echo "Shown: two sites joined by st0 tunnels, first with manual keys (ESP on the"
echo "wire, Junos-style counters), then with IKEv2 SAs that sectun-iked negotiated"
echo "at both ends, LAN traffic through each."
