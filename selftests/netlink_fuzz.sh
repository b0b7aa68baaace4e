#!/bin/bash
# The netlink fuzzer (netlink_fuzz.py): random and mutated requests of
# every command from three threads while devices are created, deleted,
# moved between namespaces and carry traffic, for FUZZ_SECONDS (20 s
# here, 300 s under make check-debug's KASAN, lockdep and kmemleak).
# Afterwards everything is deleted and the module unloads: nothing kept a
# reference. A kernel report fails the test (the harness reads the log).
source "$(dirname "$0")/lib.sh"

secs=${FUZZ_SECONDS:-20}
debug_kernel && secs=${FUZZ_SECONDS:-300}
load_sectun
netns_add fz
netns_add fz-other
F() { ip netns exec fz "$@"; }
veth_link fz veth-fz 10.0.0.1/24 fz-other veth-fo 10.0.0.2/24
devices=st0,st1,st2,st3
for i in 0 1 2 3; do
	check ip -n fz link add "st$i" type sectun
	check ip -n fz link set "st$i" up
	check F sectun set "st$i" local 10.0.0.1 remote 10.0.0.2
	check F sectun sa add "st$i" out spi $((0x900 + i)) enc aes-gcm-128 key "$(printf '%040x' $i)"
done
# Traffic into the tunnels the whole time (the routes come and go with them).
F bash -c "end=\$((SECONDS + $secs)); while ((SECONDS < end)); do
	for i in 0 1 2 3; do ip route replace 172.16.\$i.0/24 dev st\$i 2>/dev/null; done
	ping -q -c 50 -i 0.01 -W 1 172.16.\$((RANDOM % 4)).1 > /dev/null 2>&1
done" &
traffic=$!
at_exit "kill $traffic"

out=$(F "$PY" "$SRCDIR/selftests/netlink_fuzz.py" --seconds "$secs" --threads 3 \
	--devices "$devices" --other-netns fz-other 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
check_eq "the fuzzer finished and the family still answers" 0 "$rc"
wait "$traffic"
execs=$(sed -n 's/^seed [0-9]*: \([0-9]*\) executions.*/\1/p' <<< "$out")
min=100
debug_kernel && min=20	# KASAN and lockdep: about 70 a second
((execs > min * secs)) && pass "executions" || fail "only ${execs:-no} executions in $secs s"
# Every command ran, and most requests reached the handlers.
for cmd in get_tunnel set_tunnel clear_stats new_sa del_sa get_sa set_sa flush_sa \
	new_policy del_policy get_policy flush_policy; do
	grep -q "by command:.* $cmd [0-9]" <<< "$out" && pass "$cmd fuzzed" || fail "$cmd never sent"
done
grep -q "by reply: .*ok [0-9]" <<< "$out" && pass "some requests succeeded" || fail "no request succeeded"

# Nothing left holding the module: delete everything, then unload it.
ip netns del fz
ip netns del fz-other
for ((i = 0; i < 50; i++)); do
	modprobe -r sectun 2> /dev/null && break
	sleep 0.2
done
check_eq "the module unloads after the fuzzing" "" "$(lsmod | awk '$1 == "sectun"')"
load_sectun
finish
