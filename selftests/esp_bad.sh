#!/bin/bash
# Malformed, replayed and forged ESP: each dropped and counted in the
# right counter, per tunnel and per SA, and traffic flows afterwards.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_ipsec.sh"

ipsec_topology
key=$(printf '%040x' 0x5ec7)	# 16-byte AES key + 4-byte salt, as hex
check st sectun sa add st4 in spi 0x3000 enc aes-gcm-128 key "$key" replay-window 64
check st sectun sa add st4 out spi 0x3001 enc aes-gcm-128 key "$key"

craft() {
	xf "$PY" "$SRCDIR/selftests/esp_craft.py" --src 10.0.0.2 --dst 10.0.0.1 \
		--spi 0x3000 --key "$key" --inner-src 192.168.4.1 --inner-dst 192.168.1.4 "$@"
}

stat_of() { st sectun -j stats st4 | jget "j[0]['stats']['$1']"; }
sa_stat() { st sectun -j sa show st4 "$1" spi "$2" | jget "j[0]['stats']['$3']"; }

# Three good packets, then one of each kind of bad one.
check craft good:1 good:2 good:3 sleep \
	good:2 tamper:4 truncate:5 misalign:6 badpad:7 badnh:8 padlen:9 \
	dummy:10 garbage:11 wrongkey:12 badspi:13 sleep \
	good:1000 good:900 good:990 good:990 good:1001 sleep
sleep 1

# Echo requests delivered: 1, 2, 3, 1000, 990, 1001.
check_eq "delivered inner packets" 6 "$(stat_of rx_packets)"
# ... plus the one that decrypted fine but held no IPv4 packet.
check_eq "ESP decrypted packets" 7 "$(stat_of esp_decrypted_packets)"
check_eq "replay errors (2 replayed, 1 older than the window)" 3 "$(stat_of replay_errors)"
check_eq "ESP auth failures (tampered ICV, wrong key)" 2 "$(stat_of esp_auth_failures)"
check_eq "bad headers (truncated, misaligned, no IPv4 inside)" 3 "$(stat_of bad_headers)"
check_eq "bad trailers (padding, next header, pad length)" 3 "$(stat_of bad_trailers)"
check_eq "discarded (TFC dummy)" 1 "$(stat_of discarded)"
check_eq "invalid SPI" 1 "$(stat_of invalid_spi)"
check_eq "SA: replay errors" 3 "$(sa_stat in 0x3000 replay_errors)"
check_eq "SA: auth failures" 2 "$(sa_stat in 0x3000 auth_failures)"
check_eq "SA: bad trailers" 3 "$(sa_stat in 0x3000 bad_trailers)"
check_eq "SA: accepted packets" 6 "$(sa_stat in 0x3000 packets)"
check_eq "highest sequence number" 1001 "$(st sectun -j sa show st4 in spi 0x3000 | jget "j[0]['seq']")"
# Each delivered echo request was answered through the outbound SA.
check_eq "replies sent" 6 "$(sa_stat out 0x3001 packets)"
# ESP bytes exclude the outer IP header: 8 header + 8 IV + 60-byte echo
# padded to 64 + 16 ICV.
check_eq "ESP encrypted packets and bytes" "6 576" "$(stat_of esp_encrypted_packets) $(stat_of esp_encrypted_bytes)"
check_eq "ESP decrypted bytes" 672 "$(stat_of esp_decrypted_bytes)"

# CBC: a packet whose ICV is right but whose ciphertext is no whole number
# of blocks authenticates, then fails to decrypt.
ekey=$(printf '%032x' 0xcbc) akey=$(printf '%064x' 0xa07)
check st sectun sa add st4 in spi 0x3020 enc aes-128-cbc key "$ekey" auth hmac-sha-256-128 key "$akey"
check xf "$PY" "$SRCDIR/selftests/esp_craft.py" --src 10.0.0.2 --dst 10.0.0.1 --spi 0x3020 \
	--cbc --key "$ekey" --auth-key "$akey" --inner-src 192.168.4.1 --inner-dst 192.168.1.4 \
	good:1 blockcut:2 good:3
sleep 0.5
check_eq "CBC: decryption failure counted (tunnel)" 1 "$(stat_of esp_decryption_failures)"
check_eq "CBC: decryption failure counted (SA)" 1 "$(sa_stat in 0x3020 decryption_failures)"
check_eq "CBC: not an auth failure" 2 "$(stat_of esp_auth_failures)"
check_eq "CBC: the good ones delivered" 2 "$(sa_stat in 0x3020 packets)"

# An unknown SPI from an address that is no tunnel's peer is not ours:
# it goes down the chain to xfrm, which drops it, and no tunnel counts it.
ip -n xf addr add 10.0.0.3/24 dev veth-xf
xf "$PY" "$SRCDIR/selftests/esp_craft.py" --src 10.0.0.3 --dst 10.0.0.1 \
	--spi 0x4444 --key "$key" --inner-src 192.168.4.1 --inner-dst 192.168.1.4 good:1
sleep 0.5
check_eq "not counted as invalid SPI" 1 "$(stat_of invalid_spi)"
# (The debug kernel is built without CONFIG_XFRM_STATISTICS.)
if [[ -r /proc/net/xfrm_stat ]]; then
	check_eq "kernel xfrm saw it" 1 "$(st cat /proc/net/xfrm_stat | awk '/XfrmInNoStates/ {print ($2 > 0)}')"
fi

# The same stream with ESN and the window near the 2^32 boundary.
check st sectun sa add st4 in spi 0x3010 enc aes-gcm-128 key "$key" esn on seq 0xfffffff0
craftesn() {
	xf "$PY" "$SRCDIR/selftests/esp_craft.py" --src 10.0.0.2 --dst 10.0.0.1 \
		--spi 0x3010 --key "$key" --inner-src 192.168.4.1 --inner-dst 192.168.1.4 "$@"
}
check craftesn --esn-hi 0 good:0xfffffffe
check craftesn --esn-hi 1 good:2
check craftesn --esn-hi 0 good:0xffffffff
check craftesn --esn-hi 0 good:0xfffffffe
check craftesn --esn-hi 1 good:2
sleep 1
check_eq "ESN: accepted across 2^32" 3 "$(sa_stat in 0x3010 packets)"
check_eq "ESN: replays caught across 2^32" 2 "$(sa_stat in 0x3010 replay_errors)"
check_eq "ESN: highest is 2^32 + 2" $((0x100000002)) "$(st sectun -j sa show st4 in spi 0x3010 | jget "j[0]['seq']")"
finish
