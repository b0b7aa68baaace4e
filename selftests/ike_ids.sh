#!/bin/bash
# sectun-iked against strongSwan with what the other IKE tests leave out:
#  1. ECDSA P-384 by the classic AUTH method 10 (strongSwan told not to
#     use RFC 7427), distinguished names as identities, and each side's
#     certificate issued by an intermediate CA that only the sender holds;
#  2. RSA by the classic method 1, user@FQDN identities in the
#     certificates' SANs, strongSwan initiating;
#  3. a PSK with a key ID and an IPv6 address as identities over an IPv6
#     underlay, carrying an IPv4 and an IPv6 selector pair.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_ike.sh"

ike_topology
P384=(-newkey ec -pkeyopt ec_paramgen_curve:P-384)
RSA=(-newkey rsa:2048)
pki_ca ca "${P384[@]}"
pki_int st-int ca "${P384[@]}"
pki_int sw-int ca "${P384[@]}"
pki_ee st-ec st-int DNS:st.example "${P384[@]}"
pki_ee sw-ec sw-int DNS:sw.example "${P384[@]}"
pki_ee st-rsa st-int email:st@example.net "${RSA[@]}"
pki_ee sw-rsa sw-int email:sw@example.net "${RSA[@]}"

# We hold the root only; our intermediate goes out with our certificate.
iked_cert_conf() { # KIND LOCAL_ID REMOTE_ID IKE_PROPOSALS ESTABLISH
	iked_conf_text "$4" "auth = \"certificate\";
		certificate = \"$PKI/st-$1.pem\";
		certificate-chain = \"$PKI/st-int.pem\";
		private-key = \"$PKI/st-$1.key\";
		ca = \"$PKI/ca.pem\";
		local-id = \"$2\";
		remote-id = \"$3\";" "$5"
}
swanctl_child="local_ts = 192.168.4.0/24
		esp_proposals = aes128gcm16"
auth_methods() { st sectun -j ike status | jget "j[0]['auth_sent'] + '|' + j[0]['auth_received']"; }
# strongSwan checked our chain with the intermediate we sent.
sw_used_our_intermediate() {
	check_eq "$1: strongSwan built our chain from the intermediate we sent" 1 \
		"$(found 'using untrusted intermediate certificate "CN=st-int"' "$IKE_DIR/charon.log")"
}

# 1. ECDSA P-384, method 10 both ways, DNs, sectun-iked initiating.
CHARON_OPTS="signature_authentication = no"
sw_creds ec sw-int	# its own intermediate, not ours
SW_ID="O=sectun test, CN=sw.example" ST_ID="O=sectun test, CN=st.example"
charon_start "$(swanctl_conf_text aes256gcm16-prfsha384-ecp384 pubkey "$swanctl_child")"
iked_start "$(iked_cert_conf ec "$ST_ID" "$SW_ID" aes256gcm16-prfsha384-ecp384 immediately)"
expect_children "P-384: IKE and child SA up"
check_eq "P-384: peer's DN" "O=sectun test, CN=sw.example" \
	"$(st sectun -j ike status | jget "j[0]['peer_id']")"
check_eq "P-384: classic method 10 both ways" "ECDSA P-384 SHA-384|ECDSA P-384 SHA-384" \
	"$(auth_methods)"
check_eq "strongSwan verified our method-10 AUTH" 1 \
	"$(found "authentication of 'O=sectun test, CN=st.example' with ECDSA-384 signature successful" "$IKE_DIR/charon.log")"
sw_used_our_intermediate "P-384"
ike_traffic_check "P-384"
iked_stop
sw_clear

# 2. RSA, method 1 both ways, user@FQDN, strongSwan initiating.
sw_creds rsa sw-int
SW_ID=sw@example.net ST_ID=st@example.net
sw_load "$(swanctl_conf_text aes256-sha256-modp2048 pubkey "$swanctl_child")"
iked_start "$(iked_cert_conf rsa "$ST_ID" "$SW_ID" aes256-sha256-modp2048 responder-only)"
sw swanctl --initiate --child st --timeout 20 > "$IKE_DIR/initiate.log" 2>&1
expect_children "RSA: IKE and child SA up" 1 0
check_eq "RSA: peer's user@FQDN" "sw@example.net" "$(st sectun -j ike status | jget "j[0]['peer_id']")"
check_eq "RSA: classic method 1 both ways" "RSA signature|RSA signature" "$(auth_methods)"
check_eq "strongSwan verified our method-1 AUTH" 1 \
	"$(found "authentication of 'st@example.net' with RSA signature successful" "$IKE_DIR/charon.log")"
sw_used_our_intermediate "RSA"
ike_traffic_check "RSA"
iked_stop
sw_clear

# 3. IPv6 underlay, PSK, key ID and IPv6 address (ours by default: the
#    local address), IPv4 and IPv6 inside.
ike_underlay_v6
PSK="v6 underlay key"
ST_ADDR=fd00::1 SW_ADDR=fd00::2 SW_ID="@#5357ab" ST_ID=
sw_load "$(swanctl_conf_text aes128gcm16-prfsha256-ecp256 psk \
	"local_ts = 192.168.4.0/24,fd04::/64
	remote_ts = 192.168.1.0/24,fd01::/64
	esp_proposals = aes128gcm16" "$PSK")"
iked_start "$(iked_conf_text aes128gcm16-prfsha256-ecp256 "psk = \"$PSK\";
		remote-id = \"$SW_ID\";" immediately \
	'proposals = "aes128gcm16";
	traffic-selectors = ( { local = "192.168.1.0/24"; remote = "192.168.4.0/24"; },
			      { local = "fd01::/64"; remote = "fd04::/64"; } );')"
expect_children "IPv6 underlay: two child SAs" 2
check_eq "IPv6 underlay: the IKE SA runs between the IPv6 addresses" "[fd00::2]" \
	"$(st sectun -j ike status | jget "j[0]['remote'].rsplit(':', 1)[0]")"
check_eq "IPv6 underlay: the peer's key ID" "@#5357ab" "$(st sectun -j ike status | jget "j[0]['peer_id']")"
check_eq "strongSwan saw our IPv6 address as our identity" 1 \
	"$(sw swanctl --list-sas --raw 2>/dev/null | found 'remote-id=fd00::1')"
ike_traffic_check "IPv4 inside IPv6" 192.168.1.4 192.168.4.1
ike_traffic_check "IPv6 inside IPv6" fd01::4 fd04::1
check_eq "each pair on its own SA" 2 \
	"$(st sectun -j sa show st0 out | jget "sum(1 for s in j if s['stats']['packets'] >= 3)")"
kill -0 "$IKED_PID" 2>/dev/null && pass "sectun-iked still running" || fail "sectun-iked died"
finish
