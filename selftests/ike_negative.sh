#!/bin/bash
# sectun-iked against strongSwan when things do not match: wrong PSK,
# no common proposal, no common traffic selector, each refused with the
# right notify and no SA installed; a burst of malformed IKE messages
# dropped and logged; an IKEv1 initiator refused (no fallback).
# sectun-iked keeps running throughout.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_ike.sh"

ike_topology

swanctl_conf() { # IKE_PROPOSALS LOCAL_TS SECRET
	swanctl_conf_text "$1" psk "local_ts = $2
		esp_proposals = aes128gcm16" "$3"
}
iked_conf() { # IKE_PROPOSALS PSK
	iked_conf_text "$1" "psk = \"$2\"; retransmit-tries = 2;" responder-only \
		'proposals = "aes128gcm16";
		traffic-selectors = ( { local = "192.168.1.0/24"; remote = "192.168.4.0/24"; } );'
}

no_sa_installed() { check_eq "$1: no SA in st0" 0 "$(st sectun -j sa show st0 | jget "len(j)")"; }
alive() {
	if kill -0 "$IKED_PID" 2>/dev/null; then pass "$1: sectun-iked still running"
	else fail "$1: sectun-iked died"; fi
}

# Wrong PSK, strongSwan initiating: we answer AUTHENTICATION_FAILED.
charon_start "$(swanctl_conf aes128gcm16-prfsha256-ecp256 192.168.4.0/24 wrong-secret)"
iked_start "$(iked_conf aes128gcm16-prfsha256-ecp256 right-secret)"
sw swanctl --initiate --child st --timeout 10 > "$IKE_DIR/init1.log" 2>&1
check_eq "wrong PSK: strongSwan got AUTHENTICATION_FAILED" 1 \
	"$(found 'AUTHENTICATION_FAILED' "$IKE_DIR/charon.log")"
check_eq "wrong PSK: logged" 1 "$(found 'pre-shared key mismatch' "$IKE_DIR/iked.log")"
no_sa_installed "wrong PSK"
alive "wrong PSK"

# Wrong PSK, sectun-iked initiating: strongSwan refuses us.
check st sectun ike up to-sw
wait_for "refused" 10 grep -q "the responder refused us: AUTHENTICATION_FAILED" "$IKE_DIR/iked.log" &&
	pass "wrong PSK as initiator: AUTHENTICATION_FAILED seen" ||
	fail "wrong PSK as initiator: AUTHENTICATION_FAILED seen"
no_sa_installed "wrong PSK as initiator"
check st sectun ike down to-sw
iked_stop

# No common IKE proposal: NO_PROPOSAL_CHOSEN.
sw_load
iked_start "$(iked_conf aes256-sha512-modp4096 right-secret)"
sw_load "$(swanctl_conf aes128gcm16-prfsha256-ecp256 192.168.4.0/24 right-secret)"
sw swanctl --initiate --child st --timeout 10 > "$IKE_DIR/init2.log" 2>&1
check_eq "proposal mismatch: strongSwan got NO_PROPOSAL_CHOSEN" 1 \
	"$(found 'NO_PROPOSAL_CHOSEN' "$IKE_DIR/charon.log")"
no_sa_installed "proposal mismatch"
alive "proposal mismatch"
iked_stop

# Traffic selectors that do not overlap: TS_UNACCEPTABLE, the IKE SA stays.
sw_load "$(swanctl_conf aes128gcm16-prfsha256-ecp256 10.99.0.0/16 right-secret)"
iked_start "$(iked_conf aes128gcm16-prfsha256-ecp256 right-secret)"
sw swanctl --initiate --child st --timeout 10 > "$IKE_DIR/init3.log" 2>&1
check_eq "TS mismatch: strongSwan got TS_UNACCEPTABLE" 1 \
	"$(found 'TS_UNACCEPTABLE' "$IKE_DIR/charon.log")"
no_sa_installed "TS mismatch"
check_eq "TS mismatch: the IKE SA is up, childless" "UP 0" \
	"$(st sectun -j ike status | jget "' '.join(s['state'] + ' ' + str(len(s['children'])) for s in j)")"
alive "TS mismatch"

# Malformed messages: truncated, bad lengths, an unknown critical payload.
sw "$PY" - <<'PY'
import os, socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
def hdr(spi_i, spi_r, nxt, exch, flags, msgid, length):
    return spi_i + spi_r + bytes([nxt, 0x20, exch, flags]) + struct.pack("!II", msgid, length)
spi = os.urandom(8)
msgs = [
    b"\x00" * 10,                                           # shorter than a header
    hdr(spi, bytes(8), 33, 34, 0x08, 0, 200) + b"\x00" * 20,  # length field lies
    hdr(spi, bytes(8), 33, 34, 0x08, 0, 32) + b"\x00\x00\x00\x02",  # payload length 2
    hdr(spi, bytes(8), 33, 34, 0x08, 0, 36) + b"\x00\x00\x00\x40" + b"\x00" * 4,  # runs past the end
    hdr(spi, bytes(8), 33, 34, 0x08, 0, 28 + 8) + struct.pack("!BBH", 0, 0, 8) + b"\x00" * 4,  # SA with garbage
    hdr(spi, bytes(8), 200, 34, 0x08, 0, 32) + struct.pack("!BBH", 0, 0x80, 4),  # unknown critical payload
    hdr(spi, bytes(8), 33, 34, 0x08, 0, 28) [:-4] + b"\xff\xff\xff\xff",  # version ok, huge length
    hdr(os.urandom(8), os.urandom(8), 46, 35, 0x08, 1, 28 + 40) + struct.pack("!BBH", 35, 0, 40) + os.urandom(36),  # SK for no SA
    bytes([0x20] * 28),                                     # wrong major version
]
for i in range(20):
    for m in msgs:
        s.sendto(m, ("10.0.0.1", 500))
s.sendto(os.urandom(3000), ("10.0.0.1", 500))
PY
sleep 1
alive "malformed burst"
check_eq "malformed messages logged" 1 "$(grep -c 'dropped from 10.0.0.2:[0-9]* (malformed)' "$IKE_DIR/iked.log" | awk '{print ($1 >= 20)}')"
check_eq "unknown critical payload answered" 1 \
	"$(found 'unsupported critical payload 200' "$IKE_DIR/iked.log")"
check_eq "the established IKE SA is untouched" "UP" "$(iked_state)"

# An IKEv1 initiator (strongSwan, version = 1) at our IKEv2 gateway: no
# fallback; dropped and logged with what it sent, no state made for it.
sw_load "$(swanctl_conf aes128-sha256-modp2048 192.168.4.0/24 right-secret |
	sed 's/version = 2/version = 1/')"
sw swanctl --initiate --child st --timeout 3 > "$IKE_DIR/init4.log" 2>&1
check_eq "IKEv1 initiator: refused, its main mode named in the log" 1 \
	"$(found 'sw: dropped from 10.0.0.2:500 (unsupported IKE version): IKEv1 Main Mode msgid 00000000 \[ SA V' \
		"$IKE_DIR/iked.log")"
check_eq "IKEv1 initiator: counted" 1 \
	"$(st sectun -j ike statistics | jget "int(j['dropped'].get('unsupported IKE version', 0) >= 1)")"
check_eq "IKEv1 initiator: no IKE SA made for it" "UP" "$(iked_state)"
grep -q "retransmit 1 of request" "$IKE_DIR/charon.log" &&
	pass "IKEv1 initiator: strongSwan got no answer" ||
	fail "IKEv1 initiator: strongSwan got no answer"
alive "IKEv1 initiator"
finish
