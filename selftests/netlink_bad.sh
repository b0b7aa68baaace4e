#!/bin/bash
# Bad requests are refused with a specific errno and extack message, and
# nothing changes: privileges, malformed attributes, unknown devices,
# missing attributes, out-of-range values.
source "$(dirname "$0")/lib.sh"

load_sectun
netns_add bad-a
in_a() { ip netns exec bad-a "$@"; }
check ip -n bad-a link add st0 type sectun
check in_a sectun set st0 local 192.0.2.1 remote 192.0.2.2
before=$(in_a sectun -j show st0)

# bad_request "ERRNO_NAME: message" genl.py-args...
bad_request() {
	local want=$1 out
	shift
	out=$(in_a "$PY" genl.py "$@")
	if [[ $out == "error "*"($want"* ]]; then
		pass "$*"
	else
		fail "genl $*: expected ($want, got: $out"
	fi
}

# Privileges: CAP_NET_ADMIN is needed for every command, reads included.
check_fails_with "Operation not permitted" \
	in_a capsh --drop=cap_net_admin -- -c "sectun set st0 mtu 1300"
check_fails_with "Operation not permitted" \
	in_a capsh --drop=cap_net_admin -- -c "sectun show st0"
# ... in the namespace's own user namespace: an unprivileged user
# namespace does not confer it.
check_fails_with "Operation not permitted" \
	in_a unshare -U -r sectun set st0 mtu 1300

# Malformed attributes: the kernel's policy checks answer.
bad_request "EINVAL): invalid attribute length" set_tunnel ifname=str:st0 mtu=u16:1300
bad_request "EINVAL): invalid attribute length" set_tunnel ifindex=u64:1
bad_request "ERANGE): binary attribute size out of range" set_tunnel ifname=str:st0 local_ipv4=raw:c00002
bad_request "ERANGE): binary attribute size out of range" set_tunnel ifname=str:st0 remote_ipv6=ipv4:192.0.2.9
bad_request "EINVAL): Unknown attribute type" set_tunnel ifname=str:st0 200=u32:1
bad_request "ERANGE): integer out of range" set_tunnel ifname=str:st0 df_mode=u8:3
bad_request "ERANGE): integer out of range" set_tunnel ifname=str:st0 encap_type=u8:9
bad_request "ERANGE): integer out of range" set_tunnel ifname=str:st0 copy_dscp=u8:2
bad_request "ERANGE): integer out of range" set_tunnel ifname=str:st0 encap_remote_port=u16:0
bad_request "ERANGE): integer out of range" set_tunnel ifname=str:st0 replay_window=u32:0x100001
bad_request "EINVAL): read-only: use ip link set" set_tunnel ifname=str:st0 admin_up=u8:1
bad_request "EINVAL): counters are read-only" set_tunnel ifname=str:st0 stats=nest:
bad_request "EINVAL): bytes leftover after parsing attributes" --raw-payload 0800020073743000ff set_tunnel
bad_request "ENOTSUP" 99

# Which device: missing, unknown, not ours, given twice.
bad_request "EINVAL): device missing: give SECTUN_A_IFINDEX or SECTUN_A_IFNAME [missing ifindex]" set_tunnel mtu=u32:1300
bad_request "EINVAL): device missing" get_tunnel
bad_request "ENODEV): no device with this name" set_tunnel ifname=str:st7 mtu=u32:1300
bad_request "ENODEV): no device with this ifindex" get_tunnel ifindex=u32:99999
bad_request "ENOTSUP): device is not a sectun tunnel" set_tunnel ifname=str:lo mtu=u32:1300
bad_request "EINVAL): give the device by ifindex or by name, not both" get_tunnel ifname=str:st0 ifindex=u32:1

# Values that pass the policy but make no sense.
bad_request "EINVAL): endpoint given as both IPv4 and IPv6" set_tunnel ifname=str:st0 local_ipv4=ipv4:192.0.2.1 local_ipv6=ipv6:2001:db8::1
bad_request "EAFNOSUPPORT): local and remote endpoints must be of the same address family" set_tunnel ifname=str:st0 remote_ipv6=ipv6:2001:db8::1
bad_request "EINVAL): remote endpoint must be a unicast address" set_tunnel ifname=str:st0 remote_ipv4=ipv4:224.0.0.1
bad_request "EINVAL): remote endpoint must be a unicast address" set_tunnel ifname=str:st0 remote_ipv6=ipv6:ff02::1
bad_request "EINVAL): MTU is below the minimum of 68" set_tunnel ifname=str:st0 mtu=u32:10
bad_request "EINVAL): MTU is above the maximum the tunnel can carry" set_tunnel ifname=str:st0 mtu=u32:70000
bad_request "EINVAL): not a network namespace fd" set_tunnel ifname=str:st0 underlay_netns_fd=u32:0
bad_request "ENOENT): no network namespace with this id" set_tunnel ifname=str:st0 underlay_netnsid=s32:4242
bad_request "EINVAL): give the underlay netns by fd or by id, not both" set_tunnel ifname=str:st0 underlay_netnsid=s32:0 underlay_netns_fd=u32:0

# Nothing above changed the tunnel.
check_eq "tunnel unchanged" "$before" "$(in_a sectun -j show st0)"

# The CLI reports the kernel's message verbatim, and its own usage errors
# with exit status 2.
check_fails_with "sectun: st0: local and remote endpoints must be of the same address family" \
	in_a sectun set st0 remote 2001:db8::2
check_fails_with "sectun: st7: no device with this name" in_a sectun set st7 mtu 1300
usage() { # expected-text args...
	local want=$1 out rc
	shift
	out=$(in_a sectun "$@" 2>&1)
	rc=$?
	check_eq "exit status of sectun $*" 2 "$rc"
	[[ $out == *"$want"* && $out == *Usage:* ]] && pass "usage $*" || fail "sectun $*: no '$want' + usage: $out"
}
usage "unknown keyword 'mttu'" set st0 mttu 1300
usage "not an IPv4 or IPv6 address" set st0 local 300.1.1.1
usage "df-bit is clear, set or copy" set st0 df-bit maybe
usage "a port is a number from 1 to 65535" set st0 encap udp port 70000
usage "replay-window is 0 (off)" set st0 replay-window -1
usage "which device?" set
usage "no command 'frobnicate'" frobnicate
check in_a sectun help set

# A device handed to a container (a user and network namespace of its own,
# CAP_NET_ADMIN only there): its underlay stays bad-a, so what shapes the
# host's outer packets or takes the host's ESP needs CAP_NET_ADMIN in bad-a
# too; what is the device's own (MTU, outbound SAs) does not. The
# container runs its commands itself (setns into a user namespace is
# refused here), one line each: "command|exit status|output". Not through
# in_a: a function in the background is a subshell, and $! would be its.
check ip -n bad-a link add stc type sectun
check in_a sectun set stc local 192.0.2.1 remote 192.0.2.3
k1=$(printf '%040x' 7) k2=$(printf '%040x' 8)
ip netns exec bad-a unshare --user --map-root-user --net bash -c '
	r() { local o; o=$("$@" 2>&1); echo "$*|$?|${o//$'"'\\n'"'/ }"; }
	for _ in $(seq 50); do ip link show stc > /dev/null 2>&1 && break; sleep 0.1; done
	r sectun set stc remote 192.0.2.9
	r sectun set stc encap udp port 4501
	r sectun set stc ttl 3
	r sectun sa add stc in spi 0x4242 enc aes-gcm-128 key '"$k1"'
	r sectun set stc mtu 1300
	r sectun sa add stc out spi 0x4243 enc aes-gcm-128 key '"$k2"'
	r sectun -j show stc' > /tmp/box.out 2>&1 &
box=$!
sleep 0.3
check ip -n bad-a link set stc netns "$box"
wait "$box"
boxed() { # WHAT COMMAND-PREFIX WANT(refused|ok)
	local line
	line=$(grep -F "$2" /tmp/box.out | head -n 1)
	if [[ $3 == refused ]]; then
		[[ $line == *"|"[1-9]*"|"*"CAP_NET_ADMIN is needed in the underlay netns"* ]] &&
			pass "$1" || fail "$1: $line"
	else
		[[ $line == *"|0|"* ]] && pass "$1" || fail "$1: $line"
	fi
}
boxed "container: remote refused" "sectun set stc remote" refused
boxed "container: encap port refused" "sectun set stc encap" refused
boxed "container: TTL refused" "sectun set stc ttl" refused
boxed "container: inbound SA refused" "sectun sa add stc in" refused
boxed "container: its MTU allowed" "sectun set stc mtu" ok
boxed "container: an outbound SA allowed" "sectun sa add stc out" ok
check_eq "container: nothing changed outside" 1 \
	"$(grep -cF '"remote":"192.0.2.3"' /tmp/box.out)"
finish
