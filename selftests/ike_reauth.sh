#!/bin/bash
# Reauthentication against strongSwan with a flow of 50 packets a second
# through st0 (RFC 7296 2.8.3, RFC 4478; Junos reauth-frequency):
#   1. reauth-frequency 1: every IKE SA rekey of ours is a new IKE SA made
#      from scratch, its child SAs made anew before the old SA goes;
#   2. reauth-frequency 3: two rekeys, then a reauthentication;
#   3. strongSwan reauthenticates (reauth_time, make-before-break) and
#      sectun-iked follows it.
# No packet may be lost; at the end of each part both sides hold one IKE
# SA and one child SA pair, and nothing else is left in st0 or xfrm.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_ike.sh"

ike_topology
PSK="sectun-test-psk-reauthentication"
FLOW_SECONDS=${FLOW_SECONDS:-14}
# strongSwan 5.9 reauthenticates break-before-make unless told otherwise.
CHARON_OPTS="make_before_break = yes"

# swanctl_conf IKE_SETTINGS: children long-lived, started by us.
swanctl_conf() {
	swanctl_conf_text "aes128gcm16-prfsha256-x25519
			$1" psk \
		"local_ts = 192.168.4.0/24
		esp_proposals = aes128gcm16
		rekey_time = 300s
		life_time = 400s" "$PSK"
}
# iked_conf IKE_LIFETIME REAUTH_FREQUENCY
iked_conf() {
	iked_conf_text aes128gcm16-prfsha256-x25519 \
		"psk = \"$PSK\"; lifetime = $1; reauth-frequency = $2;" immediately \
		"proposals = \"aes128gcm16\"; lifetime = 300;"
}
ike_sas_each() {
	echo "$(st sectun -j ike status | jget "len(j)") $(sw swanctl --list-sas --raw 2>/dev/null | grep -c 'state=ESTABLISHED')"
}
# One IKE SA at each end, within a few seconds: a reauthentication of
# strongSwan's (every 6 s in part 3) holds two for a moment.
one_ike_sa_each() {
	local i got
	for ((i = 0; i < 25; i++)); do
		got=$(ike_sas_each)
		[[ $got == "1 1" ]] && break
		sleep 0.2
	done
	check_eq "$1: one IKE SA each" "1 1" "$got"
}

charon_start "$(swanctl_conf "rekey_time = 300s")"

# 1. Every IKE SA rekey a reauthentication.
iked_start "$(iked_conf 8 1)"
expect_children "frequency 1: up" 1 15
iked_up 1 || finish
ike_traffic_check "frequency 1"
flow "reauthenticating every rekey"
n=$(rekeys_seen "$IKE_DIR/iked.log" "reauthenticated: ")
echo "# sectun-iked reauthenticated $n times"
check_ge "frequency 1: reauthenticated" 2 "$n"
check_eq "frequency 1: no rekey but reauthentications" 0 \
	"$(rekeys_seen "$IKE_DIR/iked.log" "rekeyed by us")"
check_eq "frequency 1: no INITIAL_CONTACT after the first IKE_AUTH" 1 \
	"$(grep -c "IKE_AUTH request .*INIT_CONTACT" "$IKE_DIR/iked.log")"
# strongSwan, as responder, sends on a new child SA before our inbound SA
# can exist: the SPI reserved in st0 held those packets for it.
check_eq "frequency 1: nothing arrived for an SPI st0 did not hold" 0 \
	"$(st sectun -j stats st0 | jget "j[0]['stats']['invalid_spi']")"
expect_one_pair "frequency 1"
sleep 1
one_ike_sa_each "frequency 1"
iked_stop
sw_clear

# 2. Every third IKE SA rekey a reauthentication.
iked_start "$(iked_conf 5 3)"
expect_children "frequency 3: up" 1 15
iked_up 1 || finish
flow "reauthenticating every third rekey"
reauths=$(rekeys_seen "$IKE_DIR/iked.log" "reauthenticated: ")
rekeys=$(rekeys_seen "$IKE_DIR/iked.log" "rekeyed by us")
echo "# sectun-iked rekeyed the IKE SA $rekeys times and reauthenticated $reauths times"
check_ge "frequency 3: reauthenticated" 1 "$reauths"
check_ge "frequency 3: rekeyed" 2 "$rekeys"
check_eq "frequency 3: the first two were rekeys" "rekeyed rekeyed" \
	"$(grep -oE "rekeyed by us|reauthenticating:" "$IKE_DIR/iked.log" | head -n 2 | cut -d' ' -f1 | tr '\n' ' ' | sed 's/ $//')"
expect_one_pair "frequency 3"
sleep 1
one_ike_sa_each "frequency 3"
iked_stop
sw_clear

# 3. strongSwan reauthenticates (no IKE rekeying), make-before-break.
sw_load "$(swanctl_conf "rekey_time = 0s
			reauth_time = 6s
			over_time = 5s
			rand_time = 0s")"
iked_start "$(iked_conf 300 0)"
expect_children "strongSwan reauthenticating: up" 1 15
iked_up 1 || finish
flow "strongSwan reauthenticating"
n=$(grep -c "reauthenticating IKE_SA" "$IKE_DIR/charon.log")
echo "# strongSwan reauthenticated $n times"
check_ge "strongSwan reauthenticated" 2 "$n"
check_ge "we followed: children made anew on its new IKE SA" 2 \
	"$(rekeys_seen "$IKE_DIR/iked.log" "made anew on IKE SA")"
expect_one_pair "strongSwan reauthenticating"
sleep 1
one_ike_sa_each "strongSwan reauthenticating"
check_eq "our VPN is kept up by the new IKE SA" 1 \
	"$(st sectun -j ike status | jget "sum(1 for s in j if s['children'])")"
kill -0 "$IKED_PID" && pass "sectun-iked still running"
finish
