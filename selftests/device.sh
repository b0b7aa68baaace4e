#!/bin/bash
# st%d devices: create and delete, default names, namespaces, and module
# unload with devices present and a netlink socket open.
source "$(dirname "$0")/lib.sh"

load_sectun
netns_add st-a
netns_add st-b

# Default names follow Junos: st0, st1, ...
check ip -n st-a link add type sectun
check ip -n st-a link add type sectun
check_eq "first default name" "st0" "$(ip -n st-a -br link show type sectun | awk 'NR==1 {print $1}')"
check_eq "second default name" "st1" "$(ip -n st-a -br link show type sectun | awk 'NR==2 {print $1}')"
check ip -n st-a link add vpn-hq type sectun
check_eq "explicit name" "vpn-hq" "$(ip -n st-a -br link show vpn-hq | awk '{print $1}')"
check_eq "kind" "sectun" "$(ip -n st-a -d -j link show vpn-hq | jget 'j[0]["linkinfo"]["info_kind"]')"
# Up without SAs, as an SRX's st0: traffic must reach the module to
# trigger on-traffic negotiation.
check_eq "carrier without SAs" "LOWER_UP" \
	"$(ip -n st-a link set vpn-hq up && ip -n st-a link show vpn-hq | grep -o LOWER_UP)"
check ip -n st-a link del st1
check_eq "deleted" "" "$(ip -n st-a -br link show type sectun | grep -w st1)"

# Devices are per namespace: the same name can exist in both.
check ip -n st-b link add st0 type sectun
check_eq "sectun show in st-b" "st0" "$(ip netns exec st-b sectun -j show | jget '" ".join(t["ifname"] for t in j)')"

# Move a device to another namespace: it keeps its parameters, and its
# underlay stays in the namespace it was created in.
check ip netns exec st-a sectun set vpn-hq local 192.0.2.1 remote 198.51.100.1 mtu 1300
check ip -n st-a link set vpn-hq netns st-b
check_eq "moved away" "" "$(ip -n st-a -br link show vpn-hq 2>/dev/null)"
show=$(ip netns exec st-b sectun -j show vpn-hq)
check_eq "remote survives the move" "198.51.100.1" "$(echo "$show" | jget 'j[0]["remote"]')"
check_eq "mtu survives the move" "1300" "$(echo "$show" | jget 'j[0]["mtu"]')"
check_eq "underlay is the birth netns" "True" "$(echo "$show" | jget 'j[0]["underlay_netnsid"] is not None')"
check ip -n st-b link set vpn-hq netns st-a
check_eq "moved back: underlay is local again" "None" \
	"$(ip netns exec st-a sectun -j show vpn-hq | jget 'j[0]["underlay_netnsid"]')"

# Deleting the underlay namespace cuts the device off without a crash.
netns_add st-c
check ip -n st-c link add st9 type sectun
check ip -n st-c link set st9 netns st-b
check ip netns del st-c
sleep 1
check_eq "device outlives its underlay" "st9" "$(ip -n st-b -br link show st9 | awk '{print $1}')"
check_eq "no carrier without an underlay" "False" "$(ip netns exec st-b sectun -j show st9 | jget 'j[0]["carrier"]')"
check ip -n st-b link del st9

# A namespace going away takes its devices with it.
netns_add st-d
for i in 1 2 3; do ip -n st-d link add type sectun; done
check ip netns del st-d

# Unload with 10 devices and a netlink socket (joined to "events") open.
for i in $(seq 0 9); do
	ip -n st-b link add "u$i" type sectun || fail "add u$i"
done
"$PY" - <<'PY' &
import socket, time
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)
s.bind((0, 0))
open("/tmp/nlsock-ready", "w").close()
time.sleep(30)
PY
holder=$!
at_exit "kill $holder"
for _ in $(seq 50); do [[ -e /tmp/nlsock-ready ]] && break; sleep 0.1; done
check ip -n st-a link set st0 up
check modprobe -r sectun
check_eq "devices gone with the module" "0" "$(ip -n st-b -br link show type sectun 2>/dev/null | wc -l)"
check_eq "module gone" "" "$(grep -w '^sectun' /proc/modules)"
check modprobe sectun
check ip -n st-b link add type sectun
check_eq "usable after reload" "st0" "$(ip -n st-b -br link show type sectun | awk '{print $1}')"
finish
