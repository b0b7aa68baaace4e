#!/bin/bash
# Per-tunnel limits on selectors and SAs (the max_selectors and max_sas
# module parameters; refused with an extack message), and 10,000 nested
# selectors: a change costs O(n log n), so they load in seconds (the old
# table took O(n^2) per change), and lookups pick the right one of them.
source "$(dirname "$0")/lib.sh"

load_sectun
netns_add ps
P() { ip netns exec ps "$@"; }
genl() { P "$PY" "$SRCDIR/selftests/genl.py" "$@"; }
refused() { # "ERRNO): message" genl.py args...
	local want=$1 out
	shift
	out=$(genl "$@")
	[[ $out == "error "*"($want"* ]] && pass "refused: $want" || fail "expected ($want, got: $out"
}
params=/sys/module/sectun/parameters
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

check_eq "default selector limit" 10000 "$(cat $params/max_selectors)"
check_eq "default SA limit" 1000000 "$(cat $params/max_sas)"
check P ip link add st0 type sectun
check P ip link add st1 type sectun
check P sectun set st0 local 192.0.2.1 remote 192.0.2.2
check P ip addr add 192.168.0.1/32 dev st0
check P ip link set st0 up
check P ip route add 10.0.0.0/8 dev st0

# --- Limits: per tunnel, changed at run time by the host's root ---
echo 20 > $params/max_selectors
at_exit "echo 10000 > $params/max_selectors"
check genl --repeat 20 new_policy ifname=str:st0 policy.local_start=ipv4:192.168.0.1 \
	'policy.remote_start=ipv4:{"10.0.%d.0" % i}'
refused "ENOSPC): the tunnel has as many selectors as the max_selectors module parameter allows" \
	new_policy ifname=str:st0 policy.local_start=ipv4:192.168.0.1 policy.remote_start=ipv4:10.1.0.0
check_eq "20 selectors kept" 20 "$(genl --dump --count get_policy ifname=str:st0)"
check P sectun policy add st1 local 192.168.0.1 remote 10.1.0.0/16
check P sectun policy del st0 index 3
check P sectun policy add st0 local 192.168.0.1 remote 10.1.0.0/16
check P sectun policy flush st0
echo 10000 > $params/max_selectors

echo 3 > $params/max_sas
at_exit "echo 1000000 > $params/max_sas"
key=sa.encr_key=raw:00112233445566778899aabbccddeeff01020304
check genl --repeat 3 new_sa ifname=str:st0 'sa.spi=u32:{0x1000+i}' sa.dir=u8:0 sa.encr=u16:20 "$key"
refused "ENOSPC): the tunnel has as many SAs as the max_sas module parameter allows" \
	new_sa ifname=str:st0 sa.spi=u32:0x2000 sa.dir=u8:1 sa.encr=u16:20 "$key"
check P sectun sa del st0 in spi 0x1001
check genl new_sa ifname=str:st0 sa.spi=u32:0x2000 sa.dir=u8:1 sa.encr=u16:20 "$key"
check genl new_sa ifname=str:st1 sa.spi=u32:0x2000 sa.dir=u8:1 sa.encr=u16:20 "$key"
check_eq "3 SAs on st0" 3 "$(genl --dump --count get_sa ifname=str:st0)"
check P sectun sa flush st0
check P sectun sa flush st1
echo 1000000 > $params/max_sas

# --- 10,000 nested selectors: selector i covers 10.0.0.0 + i to
# 10.255.255.255 - i, and the inner one has the better priority. ---
n=10000
start=$(date +%s%N)
check genl --repeat $n new_policy ifname=str:st0 'policy.index=u32:{1 + i}' \
	'policy.priority=u32:{20000 - i}' policy.local_start=ipv4:192.168.0.1 \
	'policy.remote_start=ipv4:{"10.0.%d.%d" % (i // 256, i % 256)}' \
	'policy.remote_end=ipv4:{"10.255.%d.%d" % (255 - i // 256, 255 - i % 256)}'
load_ms=$(ms_since "$start")
check_eq "$n selectors" $n "$(genl --dump --count get_policy ifname=str:st0)"
refused "ENOSPC): the tunnel has as many selectors" \
	new_policy ifname=str:st0 policy.local_start=ipv4:192.168.0.1 policy.remote_start=ipv4:10.1.0.0

# The selector an outbound packet to $1 was counted on (it has no SA).
counted_on() {
	local before after
	before=$(P sectun -j policy show st0 | jget "{p['index']: p['packets'] for p in j}")
	P ping -c 1 -W 0.2 -I 192.168.0.1 "$1" > /dev/null 2>&1
	after=$(P sectun -j policy show st0 | jget "{p['index']: p['packets'] for p in j}")
	"$PY" -c "import ast, sys; b, a = ast.literal_eval(sys.argv[1]), ast.literal_eval(sys.argv[2]); print(' '.join(str(k) for k in a if a[k] != b.get(k)))" "$before" "$after"
}
check_eq "10.0.0.5: the 6th from the outside" 6 "$(counted_on 10.0.0.5)"
check_eq "10.255.255.250: the 6th from the outside" 6 "$(counted_on 10.255.255.250)"
check_eq "10.0.0.0: only the outermost" 1 "$(counted_on 10.0.0.0)"
check_eq "10.128.0.1: the innermost" $n "$(counted_on 10.128.0.1)"

start=$(date +%s%N)
check P sectun policy del st0 index 6
check P sectun policy add st0 index 6 local 192.168.0.1 remote 10.0.0.5-10.0.0.5 priority 1
change_ms=$(($(ms_since "$start") / 2))
check_eq "10.0.0.5: the new single-address selector" 6 "$(counted_on 10.0.0.5)"
check P sectun policy del st0 index 6
check_eq "10.0.0.5: without it, the 5th" 5 "$(counted_on 10.0.0.5)"
check P sectun policy flush st0
log "$n nested selectors loaded in $load_ms ms ($((load_ms * 1000 / n)) us each);" \
	"one change at $n selectors: $change_ms ms (with the sectun process)"
finish
