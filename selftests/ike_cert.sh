#!/bin/bash
# sectun-iked against strongSwan with certificates: ECDSA P-256 (RFC 7427
# signatures, sectun-iked initiating) and RSA with RSA-PSS (strongSwan
# initiating), identities checked against the certificates' SANs; then an
# end-entity from a CA the other side does not trust is refused.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_ike.sh"

ike_topology
EC=(-newkey ec -pkeyopt ec_paramgen_curve:P-256)
RSA=(-newkey rsa:2048)
pki_ca ca "${EC[@]}"
pki_ca rogue "${EC[@]}"
pki_ee st-ec ca DNS:st.example "${EC[@]}"
pki_ee sw-ec ca DNS:sw.example "${EC[@]}"
pki_ee st-rsa ca DNS:st.example "${RSA[@]}"
pki_ee sw-rsa ca DNS:sw.example "${RSA[@]}"
pki_ee sw-rogue rogue DNS:sw.example "${EC[@]}"

SW_ID=sw.example ST_ID=st.example
swanctl_conf() { # AUTH (pubkey, rsa/pss) IKE_PROPOSALS
	swanctl_conf_text "$2" "$1" "local_ts = 192.168.4.0/24
		esp_proposals = aes128gcm16"
}
iked_conf() { # KIND IKE_PROPOSALS ESTABLISH [RSA_PSS]
	iked_conf_text "$2" "auth = \"certificate\";
		certificate = \"$PKI/st-$1.pem\";
		private-key = \"$PKI/st-$1.key\";
		ca = \"$PKI/ca.pem\";
		local-id = \"st.example\";
		remote-id = \"sw.example\";
		rsa-pss = ${4:-false};" "$3"
}

# 1. ECDSA P-256, sectun-iked initiating.
sw_creds ec
charon_start "$(swanctl_conf pubkey aes128gcm16-prfsha256-ecp256)"
iked_start "$(iked_conf ec aes128gcm16-prfsha256-ecp256 immediately)"
expect_children "ECDSA: IKE and child SA up"
check_eq "ECDSA: peer identity" "sw.example" "$(st sectun -j ike status | jget "j[0]['peer_id']")"
check_eq "strongSwan authenticated us by our certificate" 1 \
	"$(found 'authentication of .st.example. with .*successful' "$IKE_DIR/charon.log")"
ike_traffic_check "ECDSA"
iked_stop
sw swanctl --terminate --ike st > /dev/null 2>&1

# 2. RSA with RSA-PSS signatures, strongSwan initiating.
sw_creds rsa
sw_load "$(swanctl_conf rsa/pss aes256-sha256-modp2048)"
iked_start "$(iked_conf rsa aes256-sha256-modp2048 responder-only true)"
sw swanctl --initiate --child st --timeout 20 > "$IKE_DIR/initiate.log" 2>&1
expect_children "RSA-PSS: IKE and child SA up" 1 0
check_eq "RSA-PSS: algorithms" "aes256-sha256-prfsha256-modp2048" \
	"$(st sectun -j ike status | jget "j[0]['algorithms']")"
ike_traffic_check "RSA-PSS"
iked_stop
sw swanctl --terminate --ike st > /dev/null 2>&1

# 3. strongSwan with a certificate from a CA we do not trust.
sw_creds rogue
sw_load "$(swanctl_conf pubkey aes128gcm16-prfsha256-ecp256)"
iked_start "$(iked_conf ec aes128gcm16-prfsha256-ecp256 responder-only)"
sw swanctl --initiate --child st --timeout 10 > "$IKE_DIR/initiate2.log" 2>&1
check_eq "untrusted CA: refused, logged" 1 \
	"$(found 'authentication of the initiator failed: peer certificate' "$IKE_DIR/iked.log")"
check_eq "untrusted CA: strongSwan got AUTHENTICATION_FAILED" 1 \
	"$(found 'AUTHENTICATION_FAILED' "$IKE_DIR/charon.log")"
check_eq "untrusted CA: no SA in st0" 0 "$(st sectun -j sa show st0 | jget "len(j)")"
kill -0 "$IKED_PID" 2>/dev/null && pass "sectun-iked still running" || fail "sectun-iked died"
finish
