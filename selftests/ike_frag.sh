#!/bin/bash
# IKEv2 fragmentation (RFC 7383) against strongSwan, over an underlay that
# drops every IP fragment (as many NATs and firewalls do): certificates
# of 4096-bit RSA keys under an intermediate CA make IKE_AUTH larger than
# 1500 bytes each way. With fragmentation on, the tunnel comes up with
# sectun-iked initiating and responding; with it off, IKE_AUTH is cut by
# IP, dropped, and nothing comes up (the control that proves the setup).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_ike.sh"

ike_topology
modprobe -a nf_tables 2>/dev/null
for ns in st sw; do
	ip netns exec $ns nft -f - <<-'NFT'
	table ip nofrag {
		chain pre {
			type filter hook prerouting priority -500;
			ip frag-off & 0x3fff != 0 counter drop
		}
	}
	NFT
done
ip_frags_dropped() { # NS
	ip netns exec "$1" nft list chain ip nofrag pre | sed -n 's/.*packets \([0-9]*\).*/\1/p'
}

EC=(-newkey ec -pkeyopt ec_paramgen_curve:P-256)
RSA=(-newkey rsa:4096)
pki_ca ca "${EC[@]}"
pki_int int ca "${RSA[@]}"
pki_ee st-big int DNS:st.example "${RSA[@]}"
pki_ee sw-big int DNS:sw.example "${RSA[@]}"

SW_ID=sw.example ST_ID=st.example
sw_creds big int
swanctl_conf() { # START_ACTION
	swanctl_conf_text aes256gcm16-prfsha384-ecp384 pubkey "local_ts = 192.168.4.0/24
		esp_proposals = aes256gcm16
		start_action = $1"
}
iked_conf() { # ESTABLISH FRAGMENTATION
	iked_conf_text aes256gcm16-prfsha384-ecp384 "auth = \"certificate\";
		certificate = \"$PKI/st-big.pem\";
		private-key = \"$PKI/st-big.key\";
		certificate-chain = \"$PKI/int.pem\";
		ca = \"$PKI/ca.pem\";
		local-id = \"st.example\";
		remote-id = \"sw.example\";
		fragmentation = $2;" "$1" 'proposals = "aes256gcm16";'
}
frag_field() { st sectun -j ike status | jget "j[0]['$1']"; }

# 1. sectun-iked initiates, fragments on.
charon_start "$(swanctl_conf none)"
iked_start "$(iked_conf immediately true)"
expect_children "initiator: IKE SA and child SA up through a fragment-dropping underlay" 1 30
check_eq "initiator: both ends announced fragmentation" "True" "$(frag_field fragmentation)"
check_ge "initiator: IKE_AUTH sent in fragments" 4 "$(frag_field fragments_sent)"
check_ge "initiator: strongSwan's answer reassembled" 1 "$(frag_field fragments_reassembled)"
check_ge "initiator: the debug log counts the fragments" 1 \
	"$(grep -c 'sent in [0-9]* fragments' "$IKE_DIR/iked.log")"
echo "# $(grep -m1 -o 'message 1 ([0-9]* bytes) sent in [0-9]* fragments' "$IKE_DIR/iked.log")"
check_ge "strongSwan reassembled ours" 1 \
	"$(grep -c 'received fragment #\|reassembled fragmented IKE message' "$IKE_DIR/charon.log")"
ike_traffic_check "initiator"
iked_stop
sw_clear

# 2. strongSwan initiates, sectun-iked responds.
iked_start "$(iked_conf responder-only true)"
sw swanctl --initiate --child st --timeout 30 > "$IKE_DIR/initiate.log" 2>&1
expect_children "responder: IKE SA and child SA up through a fragment-dropping underlay" 1 0
check_ge "responder: strongSwan's IKE_AUTH reassembled" 1 "$(frag_field fragments_reassembled)"
check_ge "responder: our answer sent in fragments" 4 "$(frag_field fragments_sent)"
ike_traffic_check "responder"
iked_stop
sw_clear

# 3. Fragmentation off at our end: IKE_AUTH goes whole, IP cuts it, and
#    the underlay drops the pieces.
before=$(($(ip_frags_dropped st) + $(ip_frags_dropped sw)))
iked_start "$(iked_conf immediately false)"
sleep 8
check_eq "fragmentation off: no tunnel" 0 "$(iked_children)"
check_ge "fragmentation off: IP fragments were dropped" 1 \
	"$(($(ip_frags_dropped st) + $(ip_frags_dropped sw) - before))"
check_eq "fragmentation off: nothing sent in fragments" 0 \
	"$(st sectun -j ike status | jget "sum(s['fragments_sent'] for s in j)")"
iked_stop

finish
