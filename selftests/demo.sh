#!/bin/bash
# "make demo": two sites joined by a link, each with an st0 tunnel device
# configured toward the other. Grows as sectun does.
source "$(dirname "$0")/lib.sh"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '%s$ %s\n' "${PS:-}" "$*"; "$@"; }

load_sectun
netns_add site-a
netns_add site-b

say "Two sites, linked over 192.0.2.0/24 (the underlay)"
ip link add veth-a netns site-a type veth peer veth-b netns site-b
ip -n site-a addr add 192.0.2.1/24 dev veth-a
ip -n site-b addr add 192.0.2.2/24 dev veth-b
ip -n site-a link set veth-a up
ip -n site-b link set veth-b up
run ip netns exec site-a ping -c 1 -W 2 192.0.2.2 | grep transmitted

say "An st0 tunnel device at each site"
PS="site-a " run ip -n site-a link add st0 type sectun
PS="site-b " run ip -n site-b link add st0 type sectun
PS="site-a " run ip netns exec site-a sectun set st0 local 192.0.2.1 remote 192.0.2.2 df-bit clear
PS="site-b " run ip netns exec site-b sectun set st0 local 192.0.2.2 remote 192.0.2.1 df-bit clear
ip -n site-a link set st0 up
ip -n site-b link set st0 up

say "Routes point at st0, as on an SRX"
PS="site-a " run ip -n site-a route add 10.2.0.0/16 dev st0
PS="site-b " run ip -n site-b route add 10.1.0.0/16 dev st0

say "What site A's tunnel looks like"
PS="site-a " run ip netns exec site-a sectun show
say "The same, for scripts"
PS="site-a " run ip netns exec site-a sectun -j show st0

say "No SA is installed yet, so traffic routed to st0 is dropped and counted"
ip netns exec site-a ping -c 2 -W 1 -I 192.0.2.1 10.2.0.1 > /dev/null 2>&1
PS="site-a " run ip netns exec site-a sectun stats st0 | grep -E 'of st0|No SA'
finish
