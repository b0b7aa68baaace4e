#!/bin/bash
# Parallel crypto for one SA ("sectun set DEV parallel on|off|auto")
# against Linux xfrm: the setting and what the kernel reports; packets
# crypted on more than one CPU and still delivered in order, both ways
# (xfrm's states have no replay window here, so a reordering sectun
# transmitted would show at xfrm's receiver); replay window untouched;
# auto follows the CPUs online; switching under load and deleting the
# device with packets queued leave nothing behind.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_ipsec.sh"

N=${N:-4000}			# datagrams per order check
debug_kernel && N=1500
ST=${ST_INNER[4,4]} XF=${XF_INNER[4,4]}

ipsec_topology
EKEY_BYTES=20 AKEY_BYTES=0
ipsec_sa_pair 4 "enc aes128gcm16 key @EKEY@" "aead 'rfc4106(gcm(aes))' 0x@EKEY@ 128" ||
	fail "installing the SA pair"

jshow() { st sectun -j show st4 | jget "j[0]['$1']"; }
stat() { st sectun -j stats st4 | jget "j[0]['stats']['$1']" 2> /dev/null || echo "?"; }
# ok WHAT CMD...: CMD must succeed.
ok() {
	local what=$1 out
	shift
	if out=$("$@" 2>&1); then pass "$what"; else fail "$what: $out"; fi
}

# --- The setting ------------------------------------------------------------
check_eq "default is auto" auto "$(jshow parallel)"
if (($(nproc) > 1)); then
	check_eq "auto is on with $(nproc) CPUs" True "$(jshow parallel_active)"
else
	check_eq "auto is off with one CPU" False "$(jshow parallel_active)"
fi
ok "set parallel off" st sectun set st4 parallel off
check_eq "off reported" "off False" "$(jshow parallel) $(jshow parallel_active)"
ok "show prints it" bash -c "ip netns exec st sectun show st4 | grep -qx '  parallel: off'"
check_fails_with "parallel is on, off or auto" \
	st sectun set st4 parallel maybe
check_fails_with "error 34" \
	ip netns exec st "$PY" "$SRCDIR/selftests/genl.py" set_tunnel ifname=str:st4 parallel=u8:3

# order_check WHAT FROM TO DST: N numbered datagrams FROM -> DST (in TO);
# at least a fifth must come (a flood overruns the receiver's backlog),
# none out of order.
order_check() {
	local what=$1 from=$2 to=$3 dst=$4 pid out received reordered
	ip netns exec "$to" "$PY" "$SRCDIR/selftests/udp_order.py" recv 5002 2 > /tmp/order.out &
	pid=$!
	for _ in $(seq 100); do
		[[ -e /tmp/udp_order.ready.$pid ]] && break
		sleep 0.1
	done
	ip netns exec "$from" "$PY" "$SRCDIR/selftests/udp_order.py" send "$dst" 5002 "$N"
	wait "$pid"
	out=$(< /tmp/order.out)
	read -r _ received _ reordered _ <<< "$out"
	log "$what: $out of $N; st discarded $(stat discarded)," \
	    "backlog drops per CPU: $(while read -r _ d _; do printf '%d ' "0x$d"; done < /proc/net/softnet_stat)"
	if ((received >= N / 5 && reordered == 0)); then
		pass "$what"
	else
		fail "$what: $out of $N sent"
	fi
}

# --- In order, on several CPUs ---------------------------------------------
TRACE=/sys/kernel/tracing
[[ -d $TRACE/events ]] || mount -t tracefs nodev "$TRACE" 2> /dev/null
trace_on() {
	echo > "$TRACE/trace"
	echo 4096 > "$TRACE/buffer_size_kb"
	echo 1 > "$TRACE/events/workqueue/workqueue_execute_start/enable"
}
# The CPUs on which the crypt workers ran, as a count.
trace_cpus() {
	echo 0 > "$TRACE/events/workqueue/workqueue_execute_start/enable"
	grep sectun_crypt_worker "$TRACE/trace" | sed -n 's/.*\[\([0-9]*\)\].*/\1/p' | sort -u | wc -l
}

ok "set parallel on" st sectun set st4 parallel on
if [[ -w $TRACE/events/workqueue/workqueue_execute_start/enable ]]; then
	trace_on
	order_check "on: xf -> st in order" xf st "$ST"
	order_check "on: st -> xf in order" st xf "$XF"
	cpus=$(trace_cpus)
	if (($(nproc) > 1)); then
		ok "on: crypto ran on $cpus CPUs" test "$cpus" -ge 2
	fi
else
	fail "no tracefs to see where the crypto ran"
	order_check "on: xf -> st in order" xf st "$ST"
	order_check "on: st -> xf in order" st xf "$XF"
fi
check_eq "on: no replay errors" 0 "$(stat replay_errors)"
tcp_servers
tcp_check "on: tcp st -> xf intact" st 4000000 "$XF"
tcp_check "on: tcp xf -> st intact" xf 4000000 "$ST"

ok "set parallel off" st sectun set st4 parallel off
order_check "off: xf -> st in order" xf st "$ST"
order_check "off: st -> xf in order" st xf "$XF"
tcp_check "off: tcp st -> xf intact" st 1000000 "$XF"

# --- Forgeries: counted, and the tunnel carries on --------------------------
# 200 packets with st4's inbound SPI and a sequence number ahead of the
# window, under another key: they pass every check but the ICV.
ok "set parallel on" st sectun set st4 parallel on
before=$(stat esp_auth_failures)
forged=()
for _ in $(seq 200); do forged+=(wrongkey:4000000000); done
ok "forgeries sent" xf "$PY" "$SRCDIR/selftests/esp_craft.py" --src 10.0.0.2 --dst 10.0.0.1 \
	--spi 0x2004 --key "$(printf '%040x' 7)" --inner-src "$XF" --inner-dst "$ST" "${forged[@]}"
sleep 1
check_eq "on: 200 forgeries counted as authentication failures" 200 \
	$(($(stat esp_auth_failures) - before))
ping_check "on: forgeries did not stop the tunnel" st 4 4
order_check "on, after forgeries: xf -> st in order" xf st "$ST"

# --- Tunnels routed into one another -----------------------------------------
# stA's remote is routed through stB and stB's through stA: a packet into
# either would go round for ever, doubling as the outer packets outgrow
# the MTU and are fragmented, if each hop started afresh from a queue.
# Crypted inline when sent from a delivery, the stack's transmit recursion
# limit ends it.
netns_add lp
L() { ip netns exec lp "$@"; }
ip -n lp link add dummy0 type dummy
ip -n lp addr add 10.77.0.1/24 dev dummy0
ip -n lp link set dummy0 up
for d in stA stB; do
	ip -n lp link add $d type sectun
	ip -n lp link set $d up
	L sectun set $d parallel on
done
L sectun set stA local 10.77.0.1 remote 10.78.0.2
L sectun set stB local 10.77.0.1 remote 10.78.0.3
ip -n lp route add 10.78.0.2/32 dev stB
ip -n lp route add 10.78.0.3/32 dev stA
ip -n lp route add 10.99.0.0/24 dev stA
L sectun sa add stA out spi 0x501 enc aes-gcm-128 key "$(printf '%040x' 1)"
L sectun sa add stB out spi 0x502 enc aes-gcm-128 key "$(printf '%040x' 2)"
L ping -c 3 -i 0.2 -W 1 -M dont -s 1300 10.99.0.1 > /dev/null 2>&1
sleep 2
loop_tx() { L sectun -j stats stA | jget "j[0]['stats']['tx_packets']"; }
a=$(loop_tx)
sleep 2
b=$(loop_tx)
log "tunnel loop: stA sent $a packets, then $b"
check_eq "a loop of tunnels stops" "$a" "$b"
ok "and stays bounded" test "$b" -lt 1000

# --- auto follows the CPUs online ------------------------------------------
ok "set parallel auto" st sectun set st4 parallel auto
if (($(nproc) > 1)) && [[ -w /sys/devices/system/cpu/cpu1/online ]]; then
	echo 0 > /sys/devices/system/cpu/cpu1/online
	at_exit "echo 1 > /sys/devices/system/cpu/cpu1/online"
	check_eq "auto with one CPU online: off" False "$(jshow parallel_active)"
	ping_check "auto, one CPU: ping" st 4 4
	echo 1 > /sys/devices/system/cpu/cpu1/online
	check_eq "auto with two CPUs online: on" True "$(jshow parallel_active)"
	ping_check "auto, two CPUs: ping" st 4 4
else
	# Not skip(): that would end the test here.
	log "auto vs CPUs online: not checked, no second CPU to take offline"
fi

# --- An SA switch waits for what is queued on the old SA -------------------
# A daemon tells the peer to delete the old SA once the switch returns: a
# packet still queued for crypto on it then would reach a peer that no
# longer knows it (strongSwan dropped such pings after a reauthentication).
ok "set parallel on" st sectun set st4 parallel on
hexkey k4 20
ok "the peer knows the new outbound SA" xf ip xfrm state add src "${ST_OUTER[4]}" \
	dst "${XF_OUTER[4]}" proto esp spi 0x1104 reqid 4 mode tunnel if_id 4 flag af-unspec \
	aead 'rfc4106(gcm(aes))' "0x$k4" 128
ok "the new outbound SA, standby" st sectun sa add st4 out spi 0x1104 enc aes-gcm-128 \
	key "$k4" standby
no_states() { xf awk '$1 == "XfrmInNoStates" { print $2 }' /proc/net/xfrm_stat; }
# Large datagrams with many in flight: packets wait in the crypt queue.
ip netns exec st "$PY" "$SRCDIR/selftests/udp_order.py" send "$XF" 9 100000000 1400 \
	> /dev/null 2>&1 &
f=$!
at_exit "kill $f"
sleep 1
before=$(no_states) discarded=$(stat discarded)
t0=$EPOCHREALTIME
ok "switched under a flood" st sectun sa set st4 out spi 0x1104 current
t1=$EPOCHREALTIME
ok "the peer deletes the old SA at once" \
	xf ip xfrm state delete src "${ST_OUTER[4]}" dst "${XF_OUTER[4]}" proto esp spi 0x1004
sleep 1
kill "$f" 2> /dev/null
wait "$f" 2> /dev/null
log "switch under a flood: it took $(awk "BEGIN { printf \"%.1f\", ($t1 - $t0) * 1000 }") ms;" \
	"the queue overflowed $(($(stat discarded) - discarded)) times"
check_eq "no packet on the old SA after the switch returned" 0 $(($(no_states) - before))
ok "the flood went on on the new SA" test "$(st sectun -j sa show st4 out spi 0x1104 |
	jget "j[0]['stats']['packets']")" -gt 100
ok "the old SA goes" st sectun sa del st4 out spi 0x1004

# --- Switching under load, then deleting the device under load -------------
# Floods both ways (to the discard port), for as long as the test needs.
ip netns exec xf "$PY" "$SRCDIR/selftests/udp_order.py" send "$ST" 9 100000000 > /dev/null 2>&1 &
f1=$!
ip netns exec st "$PY" "$SRCDIR/selftests/udp_order.py" send "$XF" 9 100000000 > /dev/null 2>&1 &
f2=$!
at_exit "kill $f1 $f2"
for mode in off on off on auto on; do
	st sectun set st4 parallel $mode || fail "switching to $mode under load"
	sleep 0.3
done
ping_check "switched under load: ping" st 4 4
before=$(stat esp_decrypted_packets)
sleep 1
ok "still decrypting under load" test "$(stat esp_decrypted_packets)" -gt "$before"
ip -n st link del st4
for _ in $(seq 100); do
	[[ -z $(ip -n st link show st4 2> /dev/null) ]] && break
	sleep 0.1
done
ok "device deleted with packets queued" test -z "$(ip -n st link show st4 2> /dev/null)"
kill "$f1" "$f2" 2> /dev/null
wait "$f1" "$f2" 2> /dev/null
# The module unloads once the test's devices are gone: no SA or packet
# was left holding it.
ip -n st link del st6
sleep 1
if [[ $(awk '$1 == "sectun" { print $3 }' /proc/modules) == 0 ]]; then
	ok "module unloads" modprobe -r sectun
	load_sectun
else
	log "module unload: not checked, other users"
fi
finish
