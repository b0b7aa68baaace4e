#!/bin/bash
# Tunnel parameters round-trip through the sectun family (set, then get by
# name, by ifindex and by dump), and a dump of 300 devices is complete.
source "$(dirname "$0")/lib.sh"

load_sectun
netns_add nl-a
netns_add nl-u
in_a() { ip netns exec nl-a "$@"; }

check ip -n nl-a link add st0 type sectun

# Defaults a Junos admin expects.
j=$(in_a sectun -j show st0)
check_eq "default df-bit" "copy" "$(echo "$j" | jget 'j[0]["df_bit"]')"
check_eq "default replay window" "64" "$(echo "$j" | jget 'j[0]["replay_window"]')"
check_eq "default encap" "none" "$(echo "$j" | jget 'j[0]["encap"]')"
check_eq "default encap ports" "4500 4500" \
	"$(echo "$j" | jget '"%d %d" % (j[0]["encap_local_port"], j[0]["encap_remote_port"])')"
check_eq "default copy-dscp" "False" "$(echo "$j" | jget 'j[0]["copy_dscp"]')"
check_eq "no endpoints yet" "None None" "$(echo "$j" | jget '"%s %s" % (j[0]["local"], j[0]["remote"])')"

# Every parameter, then read back three ways.
roundtrip() { # family local remote
	local fam=$1 local=$2 remote=$3 j ifindex
	check in_a sectun set st0 local "$local" remote "$remote" encap udp port 4501 \
		local-port 4600 df-bit set copy-dscp on replay-window 4096 mtu 1280 \
		underlay-netns nl-u
	ifindex=$(ip -n nl-a -j link show st0 | jget 'j[0]["ifindex"]')
	for how in st0 "$ifindex" dump; do
		if [[ $how == dump ]]; then
			j=$(in_a sectun -j show)
		else
			j=$(in_a sectun -j show "$how")
		fi
		local got
		got=$(echo "$j" | jget '" ".join(str(j[0][k]) for k in ("local", "remote", "encap", "encap_remote_port", "encap_local_port", "df_bit", "copy_dscp", "replay_window", "mtu"))')
		check_eq "$fam round trip ($how)" \
			"$local $remote udp 4501 4600 set True 4096 1280" "$got"
		check_eq "$fam underlay netns ($how)" "True" \
			"$(echo "$j" | jget 'isinstance(j[0]["underlay_netnsid"], int)')"
	done
	# Back to the defaults, one at a time.
	check in_a sectun set st0 encap none df-bit clear
	check_eq "$fam df-bit clear" "clear none" "$(in_a sectun -j show st0 | jget 'j[0]["df_bit"] + " " + j[0]["encap"]')"
	check in_a sectun set st0 df-bit copy copy-dscp off replay-window 0 underlay-netns /proc/1/ns/net
	check_eq "$fam df copy, dscp off, replay off" "copy False 0" \
		"$(in_a sectun -j show st0 | jget '"%s %s %s" % (j[0]["df_bit"], j[0]["copy_dscp"], j[0]["replay_window"])')"
}
roundtrip IPv4 192.0.2.1 198.51.100.7
roundtrip IPv6 2001:db8::1 2001:db8:ffff::7

# Changing one endpoint keeps the other; switching family needs both.
check in_a sectun set st0 remote 2001:db8::99
check_eq "remote alone" "2001:db8::1 2001:db8::99" "$(in_a sectun -j show st0 | jget 'j[0]["local"] + " " + j[0]["remote"]')"
check_fails_with "same address family" in_a sectun set st0 remote 203.0.113.9
check in_a sectun set st0 local 203.0.113.1 remote 203.0.113.9
check_eq "family switch" "203.0.113.1 203.0.113.9" "$(in_a sectun -j show st0 | jget 'j[0]["local"] + " " + j[0]["remote"]')"

# The MTU set over netlink is the device's MTU.
check in_a sectun set st0 mtu 1400
check_eq "ip link sees the mtu" "1400" "$(ip -n nl-a -j link show st0 | jget 'j[0]["mtu"]')"
check ip -n nl-a link set st0 mtu 1350
check_eq "sectun sees ip's mtu" "1350" "$(in_a sectun -j show st0 | jget 'j[0]["mtu"]')"

# Human output carries the same facts.
out=$(in_a sectun show st0)
for want in "tunnel: st0" "local: 203.0.113.1" "remote: 203.0.113.9" "df-bit: copy" "mtu: 1350"; do
	[[ $out == *"$want"* ]] && pass "text has $want" || fail "text lacks '$want': $out"
done

# A dump of 300 devices returns all 300, across many netlink messages
# (each part of a dump holds only a few dozen).
for i in $(seq 1 300); do echo "link add d$i type sectun"; done | ip -n nl-a -batch - ||
	fail "creating 300 devices"
check_eq "genl dump count" "301" "$(in_a "$PY" genl.py --dump --count get_tunnel)"
check_eq "sectun show count" "301" "$(in_a sectun -j show | jget 'len(j)')"
check_eq "all names" "301" "$(in_a sectun -j show | jget 'len(set(t["ifname"] for t in j))')"
finish
