#!/bin/bash
# sectun-iked speaking IKEv1 (version = 1) with strongSwan: main mode with
# a pre-shared key in both roles, AES-CBC-256/SHA-384/ECP-384 with ESP
# AES-GCM-256 and PFS, and the legacy 3DES/SHA-1/MODP-1024; two proxy
# IDs, each its own quick mode and SA pair; a proxy-ID mismatch refused
# on both sides; deletes both ways; quick mode rekeys and phase 1
# renewals under a flow, from either side, without loss; DPD; aggressive
# mode; certificates; an IPv6 underlay with IPv4 and IPv6 proxy IDs.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_ike.sh"

ike_topology
PSK="sectun-ikev1-psk-0123456789"
export SW_VERSION=1

# swanctl_conf P1 ESP START_ACTION [CHILD_EXTRA]
swanctl_conf() {
	swanctl_conf_text "$1" psk \
		"local_ts = 192.168.4.0/24
		esp_proposals = $2
		start_action = $3
		${4:-}" "$PSK"
}
# iked_conf P1 ESP ESTABLISH [VPN_EXTRA]
iked_conf() {
	iked_conf_text "$1" "psk = \"$PSK\"; version = 1; mode = \"main\";" "$3" \
		"proposals = \"$2\";
		traffic-selectors = ( { local = \"192.168.1.0/24\"; remote = \"192.168.4.0/24\"; } );
		${4:-}"
}
found() { grep -c "$1" "$2"; }

# 1. sectun-iked initiates: main mode, quick mode with PFS.
charon_start "$(swanctl_conf aes256-sha384-ecp384 aes256gcm16-ecp384 none)"
iked_start "$(iked_conf aes256-sha384-ecp384 aes256gcm16-ecp384 immediately)"
expect_children "main mode initiator: ISAKMP SA and IPsec SA up" 1 20
check_eq "IKEv1, main mode, initiator" "1 Main initiator" \
	"$(st sectun -j ike status | jget "'%d %s %s' % (j[0]['version'], j[0]['mode'], j[0]['role'])")"
check_eq "phase 1 algorithms" "aes256-sha384-prfsha384-ecp384" \
	"$(st sectun -j ike status | jget "j[0]['algorithms']")"
check_eq "strongSwan: IKEv1 SA established" 1 \
	"$(sw swanctl --list-sas --raw 2>/dev/null | grep 'version=1' | grep -c 'state=ESTABLISHED')"
check_eq "strongSwan: ESP AES-GCM-256 with PFS ECP-384" 1 \
	"$(sw swanctl --list-sas --raw 2>/dev/null | grep -c 'encr-alg=AES_GCM_16 encr-keysize=256 dh-group=ECP_384')"
ike_traffic_check "main mode initiator"
st sectun ike status > "$IKE_DIR/status.txt"
check_eq "status: cookies and Main, as Junos shows them" 1 \
	"$(grep -cE '^sw  UP  [0-9a-f]{16} [0-9a-f]{16}  Main  10\.0\.0\.2:500' "$IKE_DIR/status.txt")"
# strongSwan deletes: the delete is protected by HASH(1) and we act on it.
ike_spi=$(st sectun -j ike status | jget "j[0]['spi_i']")
sw swanctl --terminate --ike st > /dev/null 2>&1
if wait_for "deleted" 10 bash -c "[[ \$(ip netns exec st sectun -j ike status | python3 -c \"import json,sys; print(sum(s['spi_i'] == '$ike_spi' for s in json.load(sys.stdin)))\") == 0 ]]"; then
	pass "strongSwan's delete removes the ISAKMP SA"
else
	ike_logs
	fail "strongSwan's delete removes the ISAKMP SA"
fi
iked_stop
sw_clear

# 2. strongSwan initiates; our "down" deletes its SAs.
sw_load
iked_start "$(iked_conf aes256-sha384-ecp384 aes256gcm16-ecp384 responder-only)"
sw swanctl --initiate --child st --timeout 20 > "$IKE_DIR/initiate.log" 2>&1
expect_children "main mode responder: up" 1 5
check_eq "responder" "1 responder" "$(st sectun -j ike status | jget "'%d %s' % (j[0]['version'], j[0]['role'])")"
ike_traffic_check "main mode responder"
check st sectun ike down to-sw
if wait_for "peer deleted" 10 bash -c '! ip netns exec sw swanctl --list-sas --raw 2>/dev/null | grep -q ESTABLISHED'; then
	pass "sectun ike down deletes strongSwan's SAs"
else
	ike_logs
	fail "sectun ike down deletes strongSwan's SAs"
fi
check_eq "st0 has no SA left" 0 "$(st sectun -j sa show st0 | jget "len(j)")"
iked_stop
sw_clear

# 3. The legacy suite both ways: 3DES, SHA-1, MODP-1024; ESP 3DES/HMAC-SHA1, no PFS.
sw_load "$(swanctl_conf 3des-sha1-modp1024 3des-sha1 none)"
iked_start "$(iked_conf 3des-sha1-modp1024 3des-sha1 immediately)"
expect_children "3DES/SHA-1/MODP-1024: up" 1 20
check_eq "strongSwan: 3DES and HMAC-SHA1" 1 \
	"$(sw swanctl --list-sas --raw 2>/dev/null | grep -c 'encr-alg=3DES_CBC integ-alg=HMAC_SHA1_96')"
ike_traffic_check "3DES/SHA-1"
iked_stop
sw_clear

# 4. Two proxy IDs: a quick mode and an SA pair each.
sw_load "$(swanctl_conf_text aes256-sha384-ecp384 psk "
	local_ts = 192.168.4.0/24
	remote_ts = 192.168.1.0/24
	esp_proposals = aes256gcm16-ecp384
	}
	st2 {
	local_ts = 192.168.5.0/24
	remote_ts = 192.168.2.0/24
	esp_proposals = aes256gcm16-ecp384" "$PSK")"
iked_start "$(iked_conf_text aes256-sha384-ecp384 "psk = \"$PSK\"; version = 1;" immediately \
	'proposals = "aes256gcm16-ecp384";
	traffic-selectors = ( { local = "192.168.1.0/24"; remote = "192.168.4.0/24"; },
			      { local = "192.168.2.0/24"; remote = "192.168.5.0/24"; } );')"
expect_children "two proxy IDs: two IPsec SA pairs" 2 20
check_eq "strongSwan has both" 2 "$(sw swanctl --list-sas --raw 2>/dev/null | grep -o 'state=INSTALLED' | wc -l)"
ike_traffic_check "proxy ID 1" 192.168.1.4 192.168.4.1
ike_traffic_check "proxy ID 2" 192.168.2.4 192.168.5.1
iked_stop
sw_clear

# 5. A proxy-ID mismatch: strongSwan asks for 192.168.4.0/25, we have /24.
sw_load "$(swanctl_conf_text aes256-sha384-ecp384 psk "
	local_ts = 192.168.4.0/25
	esp_proposals = aes256gcm16-ecp384" "$PSK")"
iked_start "$(iked_conf aes256-sha384-ecp384 aes256gcm16-ecp384 responder-only)"
sw swanctl --initiate --child st --timeout 10 > "$IKE_DIR/initiate.log" 2>&1
sleep 1
check_eq "mismatch: refused in our log, with both proxy IDs" 1 \
	"$(found 'quick mode [0-9a-f]* refused: proxy ID mismatch (the peer proposes local 192.168.4.0/25 remote 192.168.1.0/24)' "$IKE_DIR/iked.log")"
check_ge "mismatch: strongSwan is told INVALID-ID-INFORMATION" 1 \
	"$(found 'INVALID_ID_INFORMATION' "$IKE_DIR/charon.log")"
check_eq "mismatch: no IPsec SA" 0 "$(iked_children)"
check_eq "mismatch: phase 1 stays up" "UP" "$(iked_state)"
iked_stop
sw_clear

# 6. Rekeys under a flow of 50 pings a second, ours first: quick mode
#    every 3 s (VPN lifetime 5 s) and phase 1 every 6-7 s (gateway
#    lifetime 8 s), the IPsec SAs kept across each phase 1 renewal.
FLOW_SECONDS=${V1_FLOW_SECONDS:-33}
sw_load "$(swanctl_conf aes256-sha384-ecp384 aes256gcm16-ecp384 none "rekey_time = 60s")"
iked_start "$(iked_conf_text aes256-sha384-ecp384 "psk = \"$PSK\"; version = 1; lifetime = 8;" \
	immediately 'proposals = "aes256gcm16-ecp384"; lifetime = 5;
	traffic-selectors = ( { local = "192.168.1.0/24"; remote = "192.168.4.0/24"; } );')"
expect_children "rekeys by us: up" 1 20
flow "rekeys by sectun-iked"
check_ge "quick mode rekeys by sectun-iked" 10 \
	"$(st sectun -j ike status | jget "max(c['rekeys'] for s in j for c in s['children'])")"
check_ge "phase 1 renewals by sectun-iked, IPsec SAs carried over" 3 \
	"$(grep -c 'ISAKMP SA renewed (by us): its [1-9][0-9]* IPsec SAs carried over' "$IKE_DIR/iked.log")"
expect_one_pair "after our rekeys"
sas_left() {
	[[ "$(st sectun -j ike status | jget "len(j)") $(sw swanctl --list-sas --raw 2>/dev/null |
		grep -c 'state=ESTABLISHED')" == "1 1" ]]
}
if wait_for "one ISAKMP SA" 5 sas_left; then
	pass "one ISAKMP SA left on each side"
else
	fail "one ISAKMP SA left on each side"
fi
iked_stop
sw_clear

# The same driven by strongSwan: quick mode every 2-4 s (life 8 s), and
# its phase 1 reauthentication every 10 s (proposing 15 s: over_time 5 s),
# which carries its IPsec SAs over. rand_time is set: with the default
# (life_time - rekey_time) strongSwan 5.9.8 leaves some SAs without a soft
# lifetime (its jitter draws 0), and then our rekey as responder, late in
# the lifetime, can meet strongSwan's reauthentication, during which it
# destroys its ISAKMP SA on a quick mode and renews with INITIAL-CONTACT.
sw_load "$(swanctl_conf_text aes256-sha384-ecp384 psk "
		local_ts = 192.168.4.0/24
		esp_proposals = aes256gcm16-ecp384
		rekey_time = 4s
		rand_time = 2s
		life_time = 8s" "$PSK" |
	sed 's/^\(\t*\)version = 1/&\n\1rekey_time = 10s\n\1over_time = 5s/')"
iked_start "$(iked_conf aes256-sha384-ecp384 aes256gcm16-ecp384 responder-only)"
sw swanctl --initiate --child st --timeout 20 > "$IKE_DIR/initiate.log" 2>&1
expect_children "rekeys by strongSwan: up" 1 5
flow "rekeys by strongSwan"
check_ge "quick mode rekeys by strongSwan" 10 \
	"$(st sectun -j ike status | jget "max(c['rekeys'] for s in j for c in s['children'])")"
renewals=$(grep -c 'ISAKMP SA renewed (by the peer): its [1-9][0-9]* IPsec SAs carried over' "$IKE_DIR/iked.log")
check_ge "phase 1 renewals by strongSwan, IPsec SAs carried over" 3 "$renewals"
((renewals >= 3)) || grep -E "ISAKMP|IKE SA|renew" "$IKE_DIR/iked.log" | grep -v debug | tail -n 40
expect_one_pair "after strongSwan's rekeys"
kill -0 "$IKED_PID" && pass "sectun-iked still running"
iked_stop
sw_clear

# 7. DPD both ways: strongSwan probes an idle tunnel and we answer; we
#    probe and it answers; then charon dies and we find out.
sw_load "$(swanctl_conf_text aes256-sha384-ecp384 psk "
		local_ts = 192.168.4.0/24
		esp_proposals = aes256gcm16-ecp384" "$PSK" | sed 's/^\(\t*\)version = 1/&\n\1dpd_delay = 1s/')"
iked_start "$(iked_conf_text aes256-sha384-ecp384 "psk = \"$PSK\"; version = 1;
	dpd = { mode = \"always-send\"; interval = 3; threshold = 2; };" immediately \
	'proposals = "aes256gcm16-ecp384";
	traffic-selectors = ( { local = "192.168.1.0/24"; remote = "192.168.4.0/24"; } );')"
expect_children "DPD: up" 1 20
sleep 7
check_ge "DPD: strongSwan's R-U-THEREs answered" 1 \
	"$(grep -c 'parsed INFORMATIONAL_V1 .*N(DPD_ACK)' "$IKE_DIR/charon.log")"
check_eq "DPD: our R-U-THEREs answered" 1 \
	"$(st sectun -j ike status | jget "int(j[0]['dpd_sent'] >= 2 and j[0]['dpd_sent'] - j[0]['dpd_answered'] <= 1)")"
check_eq "DPD: still up" "UP" "$(iked_state)"
pkill -9 -x charon
rm -f /var/run/charon.pid /var/run/charon.vici
if wait_for "dead peer" 15 bash -c '[[ $(ip netns exec st sectun -j ike status | python3 -c "import json,sys; print(len(json.load(sys.stdin)))") == 0 ]]'; then
	pass "DPD: a dead peer is found and its SAs go"
else
	ike_logs
	fail "DPD: a dead peer is found and its SAs go"
fi
check_eq "DPD: logged" 1 "$(found 'dead peer: 2 R-U-THERE unanswered' "$IKE_DIR/iked.log")"
check_eq "DPD: st0 has no SA left" 0 "$(st sectun -j sa show st0 | jget "len(j)")"
iked_stop
# strongSwan answers aggressive mode with a pre-shared key only when told to.
CHARON_OPTS="i_dont_care_about_security_and_use_aggressive_mode_psk = yes" \
	charon_start "$(swanctl_conf aes256-sha384-ecp384 aes256gcm16-ecp384 none)"

# 8. Aggressive mode with FQDN identities: strongSwan initiates to our
#    "%any" gateway (a peer whose address we do not know), then we
#    initiate.
aggr_sw() { # START_ACTION
	SW_ID=sw.example.net ST_ID=st.example.net swanctl_conf_text aes256-sha384-ecp384 psk "
		local_ts = 192.168.4.0/24
		esp_proposals = aes256gcm16-ecp384
		start_action = $1" "$PSK" | sed 's/^\(\t*\)version = 1/&\n\1aggressive = yes/'
}
aggr_iked() { # ADDRESS ESTABLISH
	cat <<-EOF
	gateways = ( { name = "sw"; version = 1; mode = "aggressive"; address = "$1";
		local-address = "10.0.0.1"; proposals = "aes256-sha384-ecp384";
		psk = "$PSK"; local-id = "@st.example.net"; remote-id = "@sw.example.net"; } );
	vpns = ( { name = "to-sw"; gateway = "sw"; bind-interface = "st0";
		establish-tunnels = "$2"; proposals = "aes256gcm16-ecp384";
		traffic-selectors = ( { local = "192.168.1.0/24"; remote = "192.168.4.0/24"; } ); } );
	EOF
}
sw_load "$(aggr_sw none)"
iked_start "$(aggr_iked %any responder-only)"
sw swanctl --initiate --child st --timeout 20 > "$IKE_DIR/initiate.log" 2>&1
expect_children "aggressive mode responder, %any gateway: up" 1 5
check_eq "aggressive responder: mode and peer identity" "Aggressive sw.example.net" \
	"$(st sectun -j ike status | jget "j[0]['mode'] + ' ' + j[0]['peer_id']")"
ike_traffic_check "aggressive mode responder"
check_eq "aggressive mode: the PSK warning, once" 1 \
	"$(found 'aggressive mode with a pre-shared key' "$IKE_DIR/iked.log")"
iked_stop
sw_clear
sw_load "$(aggr_sw none)"
iked_start "$(aggr_iked 10.0.0.2 immediately)"
expect_children "aggressive mode initiator: up" 1 20
check_eq "aggressive initiator: mode" "Aggressive initiator" \
	"$(st sectun -j ike status | jget "j[0]['mode'] + ' ' + j[0]['role']")"
ike_traffic_check "aggressive mode initiator"
iked_stop
sw_clear

# 9. Main mode with certificates (RFC 2409 5.1 signatures): ECDSA P-256
#    (RFC 4754) and RSA, each in both roles.
EC=(-newkey ec -pkeyopt ec_paramgen_curve:P-256)
pki_ca ca "${EC[@]}"
pki_ee st-ec ca DNS:st.example "${EC[@]}"
pki_ee sw-ec ca DNS:sw.example "${EC[@]}"
pki_ee st-rsa ca DNS:st.example -newkey rsa:2048
pki_ee sw-rsa ca DNS:sw.example -newkey rsa:2048
cert_sw() { # START_ACTION
	SW_ID=sw.example ST_ID=st.example swanctl_conf_text aes128-sha256-ecp256 pubkey "
		local_ts = 192.168.4.0/24
		esp_proposals = aes128gcm16
		start_action = $1"
}
cert_iked() { # KIND ESTABLISH
	iked_conf_text aes128-sha256-ecp256 "version = 1; auth = \"certificate\";
		certificate = \"$PKI/st-$1.pem\"; private-key = \"$PKI/st-$1.key\";
		ca = \"$PKI/ca.pem\"; local-id = \"st.example\"; remote-id = \"sw.example\";" "$2" \
		'proposals = "aes128gcm16";
		traffic-selectors = ( { local = "192.168.1.0/24"; remote = "192.168.4.0/24"; } );'
}
cert_case() { # KIND (ec, rsa) ROLE (initiator, responder) METHOD
	sw_creds "$1"
	sw_load "$(cert_sw none)"
	if [[ $2 == initiator ]]; then
		iked_start "$(cert_iked "$1" immediately)"
		expect_children "$1 certificates, main mode $2: up" 1 20
	else
		iked_start "$(cert_iked "$1" responder-only)"
		sw swanctl --initiate --child st --timeout 20 > "$IKE_DIR/initiate.log" 2>&1
		expect_children "$1 certificates, main mode $2: up" 1 5
	fi
	check_eq "$1 certificates, $2: peer identity and method" "sw.example $3" \
		"$(st sectun -j ike status | jget "j[0]['peer_id'] + ' ' + j[0]['auth_received']")"
	check_ge "$1 certificates, $2: strongSwan checked our signature" 1 \
		"$(grep -c 'authentication of .st.example. with .*successful' "$IKE_DIR/charon.log")"
	ike_traffic_check "$1 certificates, $2"
	iked_stop
	sw_clear
}
cert_case ec initiator "ECDSA P-256 SHA-256"
cert_case ec responder "ECDSA P-256 SHA-256"
cert_case rsa initiator "RSA signature"
cert_case rsa responder "RSA signature"

# 10. IKEv1 over IPv6: an IPv6 underlay (IPv6 address identities, NAT-D
#     over IPv6 addresses), IPv4 and IPv6 proxy IDs, each its own quick
#     mode, both roles.
ike_underlay_v6
ST_ADDR=fd00::1 SW_ADDR=fd00::2
v6_sw() { # START_ACTION
	swanctl_conf_text aes256-sha384-ecp384 psk "
		local_ts = 192.168.4.0/24
		remote_ts = 192.168.1.0/24
		esp_proposals = aes256gcm16-ecp384
		start_action = $1
		}
		st6 {
		local_ts = fd04::/64
		remote_ts = fd01::/64
		esp_proposals = aes256gcm16-ecp384
		start_action = $1" "$PSK"
}
v6_iked() { # ESTABLISH
	iked_conf_text aes256-sha384-ecp384 "psk = \"$PSK\"; version = 1;" "$1" \
		'proposals = "aes256gcm16-ecp384";
		traffic-selectors = ( { local = "192.168.1.0/24"; remote = "192.168.4.0/24"; },
				      { local = "fd01::/64"; remote = "fd04::/64"; } );'
}
v6_case() { # ROLE
	sw_load "$(v6_sw none)"
	if [[ $1 == initiator ]]; then
		iked_start "$(v6_iked immediately)"
		expect_children "IPv6 underlay, $1: two IPsec SA pairs" 2 20
	else
		iked_start "$(v6_iked responder-only)"
		sw swanctl --initiate --child st --timeout 20 > "$IKE_DIR/initiate.log" 2>&1
		sw swanctl --initiate --child st6 --timeout 20 >> "$IKE_DIR/initiate.log" 2>&1
		expect_children "IPv6 underlay, $1: two IPsec SA pairs" 2 5
	fi
	check_eq "IPv6 underlay, $1: ISAKMP SA between the IPv6 addresses, address IDs" \
		"1 [fd00::2] fd00::2" \
		"$(st sectun -j ike status | jget "'%d %s %s' % (j[0]['version'], j[0]['remote'].rsplit(':', 1)[0], j[0]['peer_id'])")"
	check_eq "IPv6 underlay, $1: strongSwan has both" 2 \
		"$(sw swanctl --list-sas --raw 2>/dev/null | grep -o 'state=INSTALLED' | wc -l)"
	ike_traffic_check "IPv6 underlay, $1: IPv4 proxy ID"
	ike_traffic_check "IPv6 underlay, $1: IPv6 proxy ID" fd01::4 fd04::1
	iked_stop
	sw_clear
}
v6_case initiator
v6_case responder
finish
