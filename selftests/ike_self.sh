#!/bin/bash
# sectun-iked at both ends, st0 at both ends: the tunnel comes up on
# traffic (the module's acquire event), both LANs talk through it, a
# second selector pair gets its own child SA (CREATE_CHILD_SA with PFS),
# and X25519 with ChaCha20-Poly1305 is what they agree on. Then both ends
# rekey on the same clock (identical lifetimes, no jitter), so that every
# child and IKE SA rekey collides (RFC 7296 2.8.1, 2.8.2): exactly one
# pair survives each, and not a packet is lost.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_ike.sh"

load_sectun
netns_add sa
netns_add sb
A() { ip netns exec sa "$@"; }
B() { ip netns exec sb "$@"; }
mkdir -p "$IKE_DIR"
ip link add veth-a netns sa type veth peer veth-b netns sb
ip -n sa addr add 10.0.0.1/24 dev veth-a
ip -n sb addr add 10.0.0.2/24 dev veth-b
for ns in sa sb; do
	ip -n $ns link set lo up
	ip -n $ns link set "veth-${ns#s}" up
	ip -n $ns link add st0 type sectun
	ip -n $ns link set st0 addrgenmode none
	ip -n $ns link set st0 up
done
ip -n sa addr add 192.168.1.1/32 dev lo
ip -n sa addr add 192.168.11.1/32 dev lo
ip -n sb addr add 192.168.2.1/32 dev lo
ip -n sb addr add 192.168.12.1/32 dev lo
ip -n sa route add 192.168.2.0/24 dev st0 src 192.168.1.1
ip -n sa route add 192.168.12.0/24 dev st0 src 192.168.11.1
ip -n sb route add 192.168.1.0/24 dev st0 src 192.168.2.1
ip -n sb route add 192.168.11.0/24 dev st0 src 192.168.12.1
A ping -c 1 -W 3 10.0.0.2 > /dev/null 2>&1

# conf SIDE PEER LOCAL_NET REMOTE_NET LOCAL_NET2 REMOTE_NET2 ESTABLISH [none]
# ($GW_EXTRA, $VPN_EXTRA and $TOP_EXTRA go into the gateway, the VPN and
# the top level).
conf() {
	local sel="traffic-selectors = ( { local = \"$3\"; remote = \"$4\"; },
			{ local = \"$5\"; remote = \"$6\"; } );"
	[[ ${8:-} == none ]] && sel=
	cat > "$IKE_DIR/$1.conf" <<-EOF
	control-socket = "$IKE_DIR/$1.sock";
	${TOP_EXTRA:-}
	gateways = ( {
		name = "peer";
		address = "$2";
		proposals = "chacha20poly1305-prfsha256-x25519";
		psk = "a shared secret between two sectun sites";
		${GW_EXTRA:-}
	} );
	vpns = ( {
		name = "lans";
		gateway = "peer";
		bind-interface = "st0";
		proposals = "chacha20poly1305-x25519";
		establish-tunnels = "$7";
		$sel
		${VPN_EXTRA:-}
	} );
	EOF
}

# start_both LOG_SUFFIX: B (the responder) first, then A, each
# logging to $IKE_DIR/{a,b}LOG_SUFFIX.log.
start_both() {
	ip netns exec sb sectun-iked -f "$IKE_DIR/b.conf" -d 2> "$IKE_DIR/b$1.log" &
	pid_b=$!
	at_exit "kill $pid_b 2>/dev/null"
	sleep 0.5
	ip netns exec sa sectun-iked -f "$IKE_DIR/a.conf" -d 2> "$IKE_DIR/a$1.log" &
	pid_a=$!
	at_exit "kill $pid_a 2>/dev/null"
}

conf a 10.0.0.2 192.168.1.0/24 192.168.2.0/24 192.168.11.0/24 192.168.12.0/24 immediately
conf b 10.0.0.1 192.168.2.0/24 192.168.1.0/24 192.168.12.0/24 192.168.11.0/24 responder-only
start_both ""

children() { SECTUN_IKED_SOCKET=$IKE_DIR/$1.sock sectun -j ike status | jget "sum(len(s['children']) for s in j)"; }
children_are() { [[ $(children "$1") == "$2" ]]; }
if wait_for "two children" 20 children_are a 2; then
	pass "two child SAs, one per selector pair"
else
	tail -30 "$IKE_DIR/a.log" "$IKE_DIR/b.log"
	fail "two child SAs, one per selector pair"
fi
check_eq "the responder has them too" 2 "$(children b)"
check_eq "X25519 and ChaCha20-Poly1305" "chacha20poly1305-prfsha256-curve25519" \
	"$(SECTUN_IKED_SOCKET=$IKE_DIR/a.sock sectun -j ike status | jget "j[0]['algorithms']")"
check_eq "second child by CREATE_CHILD_SA" 1 "$(found 'CREATE_CHILD_SA request' "$IKE_DIR/a.log")"
check_eq "two selectors in each st0" "2 2" "$(A sectun -j policy show st0 | jget "len(j)") $(B sectun -j policy show st0 | jget "len(j)")"
for pair in "192.168.1.1 192.168.2.1" "192.168.11.1 192.168.12.1"; do
	set -- $pair
	if A ping -c 3 -i 0.2 -W 2 -I "$1" "$2" > /dev/null 2>&1 &&
	   B ping -c 2 -i 0.2 -W 2 -I "$2" "$1" > /dev/null 2>&1; then
		pass "traffic $1 <-> $2 through st0"
	else
		fail "traffic $1 <-> $2 through st0"
	fi
done
check_eq "each selector's traffic on its own SA" "2" \
	"$(A sectun -j sa show st0 out | jget "sum(1 for s in j if s['stats']['packets'] >= 3)")"

# A child's outbound SA reaches its hard lifetime (brought forward by
# hand): the child goes at both ends and the initiator asks for a new one
# for that selector, whose traffic carries on.
old_spi=$(A sectun -j sa show st0 out | jget "j[0]['spi']")
check A sectun sa set st0 out spi "$old_spi" soft-seconds 1 hard-seconds 2
if wait_for "old gone" 15 bash -c "[[ \$(ip netns exec sa sectun -j sa show st0 out | python3 -c 'import json,sys; print(int(any(s[\"spi\"] == $old_spi for s in json.load(sys.stdin))))') == 0 ]]"; then
	pass "hard expiry: the old child SA is gone"
else
	fail "hard expiry: the old child SA is gone"
fi
if wait_for "replacement" 15 bash -c "[[ \$(ip netns exec sa sectun -j sa show st0 out | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))') == 2 ]]"; then
	pass "hard expiry: a new child SA replaces it"
else
	tail -20 "$IKE_DIR/a.log"
	fail "hard expiry: a new child SA replaces it"
fi
sleep 1
check_eq "still two children each side" "2 2" "$(children a) $(children b)"
for pair in "192.168.1.1 192.168.2.1" "192.168.11.1 192.168.12.1"; do
	set -- $pair
	if A ping -c 2 -i 0.2 -W 2 -I "$1" "$2" > /dev/null 2>&1; then
		pass "after the replacement: $1 -> $2"
	else
		fail "after the replacement: $1 -> $2"
	fi
done

# On traffic: both daemons start over; site A's now waits for traffic.
SECTUN_IKED_SOCKET=$IKE_DIR/a.sock sectun ike down lans > /dev/null
sleep 1
kill "$pid_a" "$pid_b" 2>/dev/null
wait "$pid_a" "$pid_b" 2>/dev/null
rm -f "$IKE_DIR"/*.sock
check_eq "down: no SA left in st0" "0 0" "$(A sectun -j sa show st0 | jget "len(j)") $(B sectun -j sa show st0 | jget "len(j)")"
# On traffic: site A's selectors sit in st0 without SAs until a packet
# matches one (the acquire event names it).
conf a 10.0.0.2 192.168.1.0/24 192.168.2.0/24 192.168.11.0/24 192.168.12.0/24 on-traffic
conf b 10.0.0.1 192.168.2.0/24 192.168.1.0/24 192.168.12.0/24 192.168.11.0/24 responder-only
start_both 2
sleep 2
check_eq "on-traffic: nothing before traffic" 0 "$(children a)"
check_eq "on-traffic: the selectors wait in st0" 2 "$(A sectun -j policy show st0 | jget "len(j)")"
A ping -c 1 -W 1 -I 192.168.11.1 192.168.12.1 > /dev/null 2>&1
if wait_for "up on traffic" 15 grep -q "VPN lans up" "$IKE_DIR/a2.log"; then
	pass "on-traffic: the acquire event brought the VPN up"
else
	tail -20 "$IKE_DIR/a2.log"
	fail "on-traffic: the acquire event brought the VPN up"
fi
if wait_for "ping" 10 A ping -c 1 -W 1 -I 192.168.11.1 192.168.12.1; then
	pass "on-traffic: traffic flows"
else
	fail "on-traffic: traffic flows"
fi
check_eq "on-traffic: still two selectors, now with SAs" "2 2" \
	"$(A sectun -j policy show st0 | jget "'%d %d' % (len(j), sum(1 for p in j if p.get('out_spi')))")"

# Collisions: the same lifetimes at both ends and no jitter, so both ends
# start each rekey within milliseconds of each other.
kill "$pid_a" "$pid_b" 2>/dev/null
wait "$pid_a" "$pid_b" 2>/dev/null
rm -f "$IKE_DIR"/*.sock
TOP_EXTRA="rekey-jitter = 0; rekey-align = true;" GW_EXTRA="lifetime = 9;" VPN_EXTRA="lifetime = 5;" \
	conf a 10.0.0.2 192.168.1.0/24 192.168.2.0/24 x x immediately none
TOP_EXTRA="rekey-jitter = 0; rekey-align = true;" GW_EXTRA="lifetime = 9;" VPN_EXTRA="lifetime = 5;" \
	conf b 10.0.0.1 192.168.2.0/24 192.168.1.0/24 x x responder-only none
start_both 3
if wait_for "collide: up" 20 children_are a 1; then
	pass "collisions: the tunnel is up"
else
	tail -20 "$IKE_DIR/a3.log"
	fail "collisions: the tunnel is up"
fi
# Rounds of COLLIDE_SECONDS (10) until enough collisions were seen, for
# 120 s at most: a slow kernel (make check-debug) rekeys less often.
n=$((${COLLIDE_SECONDS:-10} * 50)) sent=0 lost=0
# Counters of this part only (the on-traffic part's first ping is a no_sa).
A sectun stats clear st0
B sectun stats clear st0
for ((round = 1; round * n <= 120 * 50; round++)); do
	out=$(A ping -q -i 0.02 -c "$n" -W 2 -I 192.168.1.1 192.168.2.1 2>&1)
	got=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' <<< "$out")
	sent=$((sent + n)) lost=$((lost + n - ${got:-0}))
	child_coll=$(grep -c "rekey collision on child SA" "$IKE_DIR/a3.log")
	ike_coll=$(grep -c "IKE SA rekey collision" "$IKE_DIR/a3.log")
	((child_coll >= 10 && ike_coll >= 3)) && break
done
check_eq "collisions: $sent pings at 50 a second, none lost" 0 "$lost"
if ((lost)); then
	# Which end dropped it, and why: the counters that moved, then each
	# log's switches and deletes.
	for side in A B; do
		echo "# $side's st0 counters that are not 0:"
		$side sectun -j stats st0 |
			jget "' '.join('%s=%d' % kv for kv in j[0]['stats'].items() if kv[1])"
	done
	grep -hE "collision|made anew|no delete came|standby|deleting|current" \
		"$IKE_DIR/a3.log" "$IKE_DIR/b3.log" | grep -v debug | tail -n 80
fi
echo "# child rekey collisions: $child_coll, IKE SA rekey collisions: $ike_coll (seen by A)"
[[ $child_coll -ge 10 ]] && pass "at least 10 child rekey collisions" ||
	fail "at least 10 child rekey collisions (got $child_coll)"
if [[ $ike_coll -ge 3 ]]; then
	pass "at least 3 IKE SA rekey collisions"
else
	grep -E "IKE SA|rekeys the IKE|TEMPORARY|refused" "$IKE_DIR/a3.log" | grep -v debug | head -40
	fail "at least 3 IKE SA rekey collisions (got $ike_coll)"
fi
# Exactly one pair and one IKE SA survive at each end, and both agree.
pair() { # SIDE: "IKE-SPIs child-in child-out" of its live pair
	SECTUN_IKED_SOCKET=$IKE_DIR/$1.sock sectun -j ike status | jget \
		"' '.join([s['spi_i'] + s['spi_r'] for s in j if s['state'] == 'UP' and 'replaced' not in s] + [c['spi_in'] + '/' + c['spi_out'] for s in j for c in s['children'] if c['state'] == 'installed'])"
}
settled() {
	local a b
	a=$(pair a) b=$(pair b)
	set -- $a
	[[ $# == 2 && $b == "$1 ${2#*/}/${2%/*}" ]]
}
if wait_for "settled" 10 settled; then
	pass "collisions: one IKE SA and one child pair at each end, the same"
else
	echo "# a: $(pair a) b: $(pair b)"
	fail "collisions: one IKE SA and one child pair at each end, the same"
fi
# No orphans: every SA in each st0 belongs to a child SA its daemon knows.
# Rekeys go on meanwhile (every 3 s or so, a replaced inbound SA lingering
# 2 s): how many SAs st0 holds at a given moment says nothing.
orphans() { # SIDE: the SPIs in its st0 that its daemon does not know, or "?"
	local st0 ours
	st0=$(${1^^} sectun -j sa show st0) &&
		ours=$(SECTUN_IKED_SOCKET=$IKE_DIR/$1.sock sectun -j ike status) || { echo "?"; return; }
	/usr/bin/python3 -c '
import json, sys
st0, ours = json.loads(sys.argv[1]), json.loads(sys.argv[2])
known = {int(c[k], 16) for s in ours for c in s["children"] for k in ("spi_in", "spi_out")}
print(" ".join("%08x" % s["spi"] for s in st0 if s["spi"] not in known))' "$st0" "$ours"
}
no_orphans() { [[ -z $(orphans a) && -z $(orphans b) ]]; }
if wait_for "no orphans" 10 no_orphans; then
	pass "collisions: no orphan SA in either st0"
else
	fail "collisions: no orphan SA in either st0 (a: $(orphans a); b: $(orphans b))"
fi
finish
