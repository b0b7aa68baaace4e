#!/bin/bash
# The long run (not in "make check"; "make soak", SOAK_MINUTES=30): a ping
# flood of 200 packets a second through st0 to strongSwan for that long,
# child SAs living 20 s and IKE SAs 60 s at both ends, both rekeying
# (jittered), DPD on. Not a packet may be lost, and the daemon's memory
# must stay flat: its RSS after the first minute and at the end, printed.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_ike.sh"

[[ -r $SRCDIR/build/soak.env ]] && source "$SRCDIR/build/soak.env"
ike_topology
PSK="sectun-test-psk-soak"
MINUTES=${SOAK_MINUTES:-30}
IKED_QUIET=1	# as a daemon runs: a log line per event, not per message

charon_start "$(swanctl_conf_text "aes128gcm16-prfsha256-x25519
		rekey_time = 54s
		over_time = 6s
		rand_time = 6s
		dpd_delay = 10s" psk \
	"local_ts = 192.168.4.0/24
	esp_proposals = aes128gcm16-x25519
	rekey_time = 18s
	life_time = 20s
	rand_time = 2s
	start_action = none" "$PSK")"
iked_start "$(iked_conf_text aes128gcm16-prfsha256-x25519 \
	"psk = \"$PSK\"; lifetime = 60; dpd = { interval = 10; };" immediately \
	"proposals = \"aes128gcm16-x25519\"; lifetime = 20;")"
expect_children "up" 1 20
iked_up 1 || finish

rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$IKED_PID/status"; }
n=$((MINUTES * 60 * 200))
st ping -q -i 0.005 -c "$n" -W 2 -I 192.168.1.4 192.168.4.1 > "$IKE_DIR/soak-ping.log" 2>&1 &
ping_pid=$!
sleep 60
rss_start=$(rss)
echo "# sectun-iked RSS after a minute: $rss_start kB"
wait "$ping_pid"
rss_end=$(rss)
echo "# sectun-iked RSS after $MINUTES minutes: $rss_end kB"
cat "$IKE_DIR/soak-ping.log" | sed 's/^/# /'
sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$IKE_DIR/soak-ping.log")
got=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$IKE_DIR/soak-ping.log")
check_eq "$n pings over $MINUTES minutes, none lost" "$n $n" "${sent:-0} ${got:-0}"
children=$(grep -c "of VPN to-sw rekeyed\|the peer rekeyed child SA" "$IKE_DIR/iked.log")
ikes=$(grep -c "rekeyed by us\|rekeyed by the peer" "$IKE_DIR/iked.log")
echo "# child SA rekeys: $children, IKE SA rekeys: $ikes"
[[ $children -ge $((MINUTES * 2)) ]] && pass "child SAs rekeyed ($children)" || fail "child SAs rekeyed ($children)"
[[ $ikes -ge $((MINUTES / 2)) ]] && pass "IKE SAs rekeyed ($ikes)" || fail "IKE SAs rekeyed ($ikes)"
[[ $rss_end -le $((rss_start + rss_start / 5 + 512)) ]] && pass "RSS flat ($rss_start -> $rss_end kB)" ||
	fail "RSS grew: $rss_start -> $rss_end kB"
check_eq "one IKE SA and one child pair left" "1 1" \
	"$(st sectun -j ike status | jget "'%d %d' % (len(j), sum(c['state'] == 'installed' for s in j for c in s['children']))")"
check_eq "st0: nothing for an unknown SPI, no replay or integrity error" "0 0 0" \
	"$(st sectun -j stats st0 | jget "'%d %d %d' % (j[0]['stats']['invalid_spi'], j[0]['stats']['replay_errors'], j[0]['stats']['esp_auth_failures'])")"
kill -0 "$IKED_PID" && pass "sectun-iked still running"
finish
