#!/bin/bash
# ESP interop with Linux xfrm for AES-CBC (128/192/256), 3DES and NULL
# encryption, each with HMAC-MD5-96, HMAC-SHA1-96, HMAC-SHA2-256-128,
# -384-192 and -512-256, over IPv4 and IPv6 underlays with IPv4 and IPv6
# inside.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_ipsec.sh"

ipsec_topology
esp_interop_matrix "$(esp_cbc_algs)"

# CBC IVs must be unpredictable (RFC 3602 2.3): sectun's, for AES and
# 3DES, captured at xf, are all different and follow no pattern.
TEST_FILES_DIR=$(dirname "$0")
while IFS='|' read -r name s x EKEY_BYTES AKEY_BYTES ivlen; do
	ipsec_sa_pair 4 "$s" "$x" || { fail "$name: installing SAs"; continue; }
	# Not through xf(): $! must be tcpdump's, not a subshell's.
	ip netns exec xf tcpdump -i veth-xf -U -w /tmp/esp_iv.pcap "esp and src ${ST_OUTER[4]}" 2> /dev/null &
	dump=$!
	sleep 1
	st ping -c 20 -i 0.05 -W 2 -I "${ST_INNER[4,4]}" "${XF_INNER[4,4]}" > /dev/null ||
		fail "$name: ping for the IV capture"
	sleep 0.5
	kill "$dump"
	wait "$dump" 2> /dev/null
	if out=$("$PY" "$TEST_FILES_DIR/esp_iv.py" /tmp/esp_iv.pcap $((0x1004)) "$ivlen" 2>&1); then
		pass "$name IVs: $out"
		log "$name: $out"
	else
		fail "$name IVs: $out"
	fi
	ipsec_flush
done <<< "$(esp_cbc_algs | grep -e '^aes128-hmac-sha1-96|' -e '^3des-hmac-sha1-96|' |
	sed -e '/^aes/s/$/|16/' -e '/^3des/s/$/|8/')"
finish
