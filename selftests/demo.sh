#!/bin/bash
# "make demo": two sites joined by a link, each with an st0 tunnel device,
# manually keyed ESP SAs, and traffic between the sites' LANs through st0.
# Grows as sectun does.
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
finish
