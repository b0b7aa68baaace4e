#!/bin/bash
# Rekeying against strongSwan with a flow of 50 packets a second through
# st0, lifetimes of seconds, PFS (X25519) on every child rekey:
#   1. sectun-iked initiates; strongSwan rekeys the child SAs and the IKE SA;
#   2. strongSwan initiates; sectun-iked rekeys both (as IKE responder at
#      first, then as the new IKE SA's initiator);
#   3. lifetime-kilobytes: child SAs rekeyed on their soft byte limit.
# No packet may be lost, and at the end each side holds exactly one child
# SA pair (nothing leaked in st0 or in strongSwan's xfrm).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_ike.sh"

ike_topology
PSK="sectun-test-psk-rekeying"
FLOW_SECONDS=${FLOW_SECONDS:-25}

# swanctl_conf IKE_REKEY CHILD_REKEY CHILD_LIFE START_ACTION. over_time
# is charon's margin between the IKE rekey and the IKE SA's end: its
# default, a tenth of rekey_time, rounds to 0 s here and charon then
# deletes the SA it has just rekeyed to.
swanctl_conf() {
	swanctl_conf_text "aes128gcm16-prfsha256-x25519
			rekey_time = $1
			over_time = 5s
			rand_time = 1s" psk \
		"local_ts = 192.168.4.0/24
		esp_proposals = aes128gcm16-x25519
		rekey_time = $2
		life_time = $3
		rand_time = 1s
		start_action = $4" "$PSK"
}
# iked_conf IKE_LIFETIME CHILD_LIFETIME ESTABLISH
iked_conf() {
	iked_conf_text aes128gcm16-prfsha256-x25519 "psk = \"$PSK\"; lifetime = $1;" "$3" \
		"proposals = \"aes128gcm16-x25519\"; lifetime = $2;"
}

# 1. We initiate and keep our SAs long; strongSwan rekeys everything.
charon_start "$(swanctl_conf 8s 3s 5s none)"
if [[ ${RUNS:-12} == *1* ]]; then
iked_start "$(iked_conf 120 120 immediately)"
expect_children "initiator: up" 1 15
iked_up 1 || finish	# nothing more to learn
ike_traffic_check "initiator"
flow "strongSwan rekeying"
child1=$(rekeys_seen "$IKE_DIR/iked.log" "the peer rekeyed child SA")
ike1=$(rekeys_seen "$IKE_DIR/iked.log" "rekeyed by the peer")
echo "# strongSwan rekeyed $child1 child SAs and $ike1 IKE SAs"
check_ge "strongSwan rekeyed child SAs" 8 "$child1"
check_ge "strongSwan rekeyed the IKE SA" 2 "$ike1"
# strongSwan goes on rekeying: the count may grow between the readings.
rekeys=$(st sectun -j ike status | jget "j[0]['rekeys']")
ike1_after=$(rekeys_seen "$IKE_DIR/iked.log" "rekeyed by the peer")
if ((rekeys >= ike1 && rekeys <= ike1_after)); then
	pass "our IKE SA counts its rekeys"
else
	fail "our IKE SA counts its rekeys: $rekeys, the log $ike1 to $ike1_after"
fi
expect_one_pair "strongSwan rekeying"
check_eq "one IKE SA each" "1 1" "$(st sectun -j ike status | jget "len(j)") $(sw swanctl --list-sas --raw 2>/dev/null | grep -c 'state=ESTABLISHED')"
iked_stop
sw_clear
fi
[[ ${RUNS:-12} == *2* ]] || finish	# RUNS=1: only the first half

# 2. strongSwan initiates and keeps its SAs long; we rekey everything.
sw_load "$(swanctl_conf 300s 300s 400s none)"
iked_start "$(iked_conf 9 5 responder-only)"
sw swanctl --initiate --child st --timeout 20 > "$IKE_DIR/initiate.log" 2>&1
expect_children "responder: up" 1 0
iked_up 1 || finish
ike_traffic_check "responder"
flow "sectun-iked rekeying"
child2=$(rekeys_seen "$IKE_DIR/iked.log" "of VPN to-sw rekeyed")
ike2=$(rekeys_seen "$IKE_DIR/iked.log" "rekeyed by us")
echo "# sectun-iked rekeyed $child2 child SAs and $ike2 IKE SAs"
check_ge "we rekeyed child SAs" 8 "$child2"
check_ge "we rekeyed the IKE SA" 2 "$ike2"
# The first child rekey came before the first IKE SA rekey: as IKE responder.
first_child=$(grep -n "of VPN to-sw rekeyed" "$IKE_DIR/iked.log" | head -n 1 | cut -d: -f1)
first_ike=$(grep -n "rekeyed by us" "$IKE_DIR/iked.log" | head -n 1 | cut -d: -f1)
check_eq "a child rekey of ours as IKE responder" 1 "$((${first_child:-999999} < ${first_ike:-0}))"
expect_one_pair "sectun-iked rekeying"
echo "# child rekeys in all: $((child1 + child2)), IKE SA rekeys: $((ike1 + ike2))"
check_ge "child SA rekeys in all" 20 $((child1 + child2))
check_ge "IKE SA rekeys in all" 5 $((ike1 + ike2))
iked_stop
sw_clear

# 3. lifetime-kilobytes: with 300 s lifetimes, only the bytes make us
#    rekey (the module's soft byte limit, 90% of 64 KB).
sw_load "$(swanctl_conf 300s 300s 400s none)"
iked_start "$(iked_conf_text aes128gcm16-prfsha256-x25519 "psk = \"$PSK\"; lifetime = 300;" \
	immediately "proposals = \"aes128gcm16-x25519\"; lifetime = 300; lifetime-kilobytes = 64;")"
expect_children "kilobytes: up" 1 15
FLOW_SECONDS=6 FLOW_SIZE=1000 flow "rekeying by bytes"
kb=$(rekeys_seen "$IKE_DIR/iked.log" "of VPN to-sw rekeyed")
echo "# sectun-iked rekeyed $kb child SAs on their soft byte limit"
check_ge "rekeyed on the soft byte limit" 3 "$kb"
expect_one_pair "rekeying by bytes"
kill -0 "$IKED_PID" && pass "sectun-iked still running"
finish
