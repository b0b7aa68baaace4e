#!/bin/bash
# sectun-iked against strongSwan with a pre-shared key, AES-GCM-256,
# PRF-SHA384 and ECP-384: as initiator, then as responder; traffic through
# st0 both ways each time; a delete from either side takes the SAs away;
# two selector pairs, from either side.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_ike.sh"

ike_topology
PSK="sectun-test-psk-0123456789"

swanctl_conf() { # START_ACTION
	swanctl_conf_text aes256gcm16-prfsha384-ecp384 psk \
		"local_ts = 192.168.4.0/24
		esp_proposals = aes256gcm16
		start_action = $1" "$PSK"
}
iked_conf() { # ESTABLISH
	iked_conf_text aes256gcm16-prfsha384-ecp384 "psk = \"$PSK\";" "$1" \
		'proposals = "aes256gcm16";'
}

# 1. sectun-iked initiates.
charon_start "$(swanctl_conf none)"
iked_start "$(iked_conf immediately)"
expect_children "initiator: IKE SA and child SA up" 1 15
check_eq "initiator: state" "UP" "$(iked_state)"
check_eq "strongSwan sees the IKE SA" 1 "$(sw swanctl --list-sas --raw 2>/dev/null | grep -c 'state=ESTABLISHED')"
check_eq "algorithms" "aes256gcm16-prfsha384-ecp384" \
	"$(st sectun -j ike status | jget "j[0]['algorithms']")"
check_eq "narrowed selectors" "192.168.1.0/24 192.168.4.0/24" \
	"$(st sectun -j ike status | jget "j[0]['children'][0]['local_ts'] + ' ' + j[0]['children'][0]['remote_ts']")"
ike_traffic_check "initiator"
spi_in=$(st sectun -j ike status | jget "j[0]['children'][0]['spi_in']")
spi_out=$(st sectun -j ike status | jget "j[0]['children'][0]['spi_out']")
check_eq "st0 SA carries the traffic" 1 \
	"$(st sectun -j sa show st0 out | jget "int(j[0]['stats']['packets'] >= 3 and '%08x' % j[0]['spi'] == '$spi_out')")"
st sectun ike status detail > "$IKE_DIR/status.txt"
check_eq "status detail names the peer identity" 1 "$(grep -c 'peer identity: 10.0.0.2' "$IKE_DIR/status.txt")"

# Deleted by strongSwan: our SAs go too. That IKE SA by its SPI: an
# "immediately" VPN may be up again with another one by then.
ike_spi=$(st sectun -j ike status | jget "j[0]['spi_i']")
sw swanctl --terminate --ike st > /dev/null 2>&1
if wait_for "deleted" 10 bash -c "[[ \$(ip netns exec st sectun -j ike status | python3 -c \"import json,sys; print(sum(s['spi_i'] == '$ike_spi' for s in json.load(sys.stdin)))\") == 0 ]]"; then
	pass "peer's delete removes the IKE SA"
else
	fail "peer's delete removes the IKE SA"
fi
# Only these two: "immediately" may have brought a new pair up since.
check_eq "and its child SAs from st0" 0 \
	"$(st sectun -j sa show st0 | jget "sum('%08x' % s['spi'] in ('$spi_in', '$spi_out') for s in j)")"
iked_stop
sw_clear	# what our "immediately" may have started again meanwhile

# 2. strongSwan initiates, sectun-iked responds.
sw_load
iked_start "$(iked_conf responder-only)"
sw swanctl --initiate --child st --timeout 20 > "$IKE_DIR/initiate.log" 2>&1
expect_children "responder: IKE SA and child SA up" 1 0
check_eq "responder: role" "responder" "$(st sectun -j ike status | jget "j[0]['role']")"
ike_traffic_check "responder"

# Our delete on "down": strongSwan loses its SAs.
check st sectun ike down to-sw
if wait_for "peer deleted" 10 bash -c '! ip netns exec sw swanctl --list-sas --raw 2>/dev/null | grep -q ESTABLISHED'; then
	pass "sectun ike down deletes the peer's SAs"
else
	fail "sectun ike down deletes the peer's SAs"
fi
check_eq "st0 has no SA left" 0 "$(st sectun -j sa show st0 | jget "len(j)")"
kill -0 "$IKED_PID" && pass "sectun-iked still running"
iked_stop
sw_clear

# 3. X25519 with ChaCha20-Poly1305, two selector pairs: strongSwan's one
#    child config, narrowed to each of ours in turn (IKE_AUTH, then
#    CREATE_CHILD_SA).
sw_load "$(swanctl_conf_text chacha20poly1305-prfsha256-x25519 psk \
	"local_ts = 192.168.4.0/24,192.168.5.0/24
	remote_ts = 192.168.1.0/24,192.168.2.0/24
	esp_proposals = chacha20poly1305" "$PSK")"
iked_start "$(iked_conf_text chacha20poly1305-prfsha256-x25519 "psk = \"$PSK\";" immediately \
	'proposals = "chacha20poly1305";
	traffic-selectors = ( { local = "192.168.1.0/24"; remote = "192.168.4.0/24"; },
			      { local = "192.168.2.0/24"; remote = "192.168.5.0/24"; } );')"
expect_children "two selector pairs: two child SAs" 2
check_eq "X25519 and ChaCha20-Poly1305" "chacha20poly1305-prfsha256-curve25519" \
	"$(st sectun -j ike status | jget "j[0]['algorithms']")"
check_eq "strongSwan has both" 2 "$(sw swanctl --list-sas --raw 2>/dev/null | grep -o 'state=INSTALLED' | wc -l)"
ike_traffic_check "selector pair 1" 192.168.1.4 192.168.4.1
ike_traffic_check "selector pair 2" 192.168.2.4 192.168.5.1
check_eq "each pair on its own SA" 2 \
	"$(st sectun -j sa show st0 out | jget "sum(1 for s in j if s['stats']['packets'] >= 3)")"
iked_stop
sw_clear

# 4. The same two pairs, strongSwan initiating on traffic for the second:
#    its request puts the packet's addresses first, and we narrow to the
#    pair that holds them. (Traffic for the other pair would then ride
#    this child: strongSwan's trap policies share the child's reqid.)
sw_load "$(swanctl_conf_text chacha20poly1305-prfsha256-x25519 psk \
	"local_ts = 192.168.4.0/24,192.168.5.0/24
	remote_ts = 192.168.1.0/24,192.168.2.0/24
	esp_proposals = chacha20poly1305
	start_action = trap" "$PSK")"
iked_start "$(iked_conf_text chacha20poly1305-prfsha256-x25519 "psk = \"$PSK\";" responder-only \
	'proposals = "chacha20poly1305";
	traffic-selectors = ( { local = "192.168.1.0/24"; remote = "192.168.4.0/24"; },
			      { local = "192.168.2.0/24"; remote = "192.168.5.0/24"; } );')"
sw_ping() { sw ping -c 1 -W 1 -I "$1" "$2"; }
if wait_for "second pair" 20 sw_ping 192.168.5.1 192.168.2.4; then
	pass "on strongSwan's traffic: the second pair comes up"
else
	ike_logs
	fail "on strongSwan's traffic: the second pair comes up"
fi
check_eq "responder narrowed to the pair holding the packet" "192.168.2.0/24 192.168.5.0/24" \
	"$(st sectun -j ike status | jget "' '.join(j[0]['children'][0][k] for k in ('local_ts', 'remote_ts'))")"
ike_traffic_check "responder, selector pair 2" 192.168.2.4 192.168.5.1
finish
