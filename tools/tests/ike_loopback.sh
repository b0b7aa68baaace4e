#!/bin/bash
# Two sectun-iked on loopback with --no-kernel (nothing installed, no
# module needed): the IKEv2 exchanges run on the host in seconds, under
# the sanitizer build when given. Positive and negative cases; the VM
# selftests repeat them against strongSwan with the module.
#
#   ike_loopback.sh [SECTUN_IKED]
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
IKED=${1:-$top/build/sectun-iked}
SECTUN=$top/build/sectun
dir=$(mktemp -d /tmp/ike_loopback.XXXXXX)
base=$((20000 + $$ % 20000))
pids=()
failed=0

cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	[[ -n ${KEEP:-} ]] || rm -rf "$dir"
}
trap cleanup EXIT

pass() { echo "ok - $*"; }
fail() { echo "FAIL - $*"; failed=1; }
expect() { # DESCRIPTION EXPECTED ACTUAL
	if [[ $2 == "$3" ]]; then pass "$1"; else fail "$1: expected '$2', got '$3'"; fi
}

# conf SIDE PEER_PORT IKE_PROPOSALS PSK ESTABLISH [VPN_EXTRA]
# PSK "cert:KIND" authenticates with $dir/SIDE-KIND.pem instead.
conf() {
	local auth="psk = \"$4\";" other=b
	[[ $1 == b ]] && other=a
	if [[ $4 == cert:* ]]; then
		auth="auth = \"certificate\"; certificate = \"$dir/$1-${4#cert:}.pem\";
		private-key = \"$dir/$1-${4#cert:}.key\"; ca = \"$dir/ca.pem\";
		local-id = \"$1.example\"; remote-id = \"$other.example\"; rsa-pss = true;"
	fi
	local vprops='proposals = "aes128gcm16";'
	[[ ${6:-} == *proposals* ]] && vprops=
	cat > "$dir/$1.conf" <<-EOF
	control-socket = "$dir/$1.sock";
	gateways = ( { name = "peer"; address = "127.0.0.1"; port = $2; $auth ${GW_EXTRA:-}
		proposals = [ $3 ]; retransmit-timeout-ms = 200; retransmit-tries = 2; } );
	vpns = ( { name = "v"; gateway = "peer"; bind-interface = "st0";
		$vprops establish-tunnels = "$5"; ${6:-} } );
	EOF
}

start() { # SIDE PORT; -d unless $NO_DEBUG, and $IKED_ARGS
	"$IKED" -f "$dir/$1.conf" -p "$2" --natt-port 0 --no-kernel ${NO_DEBUG:--d} ${IKED_ARGS:-} \
		2> "$dir/$1.log" &
	pids+=($!)
	eval "pid_$1=$!"
	local i
	for ((i = 0; i < 50; i++)); do
		[[ -S $dir/$1.sock ]] && return
		sleep 0.1
	done
	fail "$1 did not start"; cat "$dir/$1.log"
}

# stop SIDE: SIGTERM, and the exit status must be clean (LeakSanitizer).
stop() {
	local pid_var=pid_$1 rc
	kill "${!pid_var}" 2>/dev/null
	wait "${!pid_var}"
	rc=$?
	expect "$1 exits cleanly" 0 "$rc"
	[[ $rc == 0 ]] || tail -n 30 "$dir/$1.log"
	rm -f "$dir/$1.sock"
}

status() { # SIDE PYTHON-EXPRESSION-ON-j
	SECTUN_IKED_SOCKET=$dir/$1.sock "$SECTUN" -j ike status |
		python3 -c "import json,sys; j = json.load(sys.stdin); print($2)"
}

wait_log() { # SIDE PATTERN
	local i
	for ((i = 0; i < 40; i++)); do
		grep -q "$2" "$dir/$1.log" && return 0
		sleep 0.1
	done
	return 1
}

scenario() { # NAME A_PROPS B_PROPS A_PSK B_PSK [A_VPN_EXTRA] [B_VPN_EXTRA]
	echo "# $1"
	rm -f "$dir"/*.log
	conf a $((base + 1)) "$2" "$4" immediately "${6:-}"
	conf b $base "$3" "$5" responder-only "${7:-}"
	start b $((base + 1))
	start a $base
}

ctl() { # SIDE ARGS...: sectun ike ARGS on SIDE's daemon
	local side=$1
	shift
	SECTUN_IKED_SOCKET=$dir/$side.sock "$SECTUN" ike "$@"
}

# 1. Up, status on both sides, down from the initiator.
scenario "PSK, AES-GCM-256, PRF-SHA384, ECP-384" '"aes256gcm16-prfsha384-ecp384"' \
	'"aes256gcm16-prfsha384-ecp384"' secret secret
wait_log a "VPN v up" || fail "initiator: child SA up"
wait_log b "VPN v up" || fail "responder: child SA up"
expect "initiator state" "UP initiator 1" "$(status a "j[0]['state'], j[0]['role'], len(j[0]['children'])" | tr -d "(),'")"
expect "responder state" "UP responder 1" "$(status b "j[0]['state'], j[0]['role'], len(j[0]['children'])" | tr -d "(),'")"
expect "SPIs mirror" "$(status a "j[0]['children'][0]['spi_in']")" "$(status b "j[0]['children'][0]['spi_out']")"
expect "algorithms" "aes256gcm16-prfsha384-ecp384" "$(status b "j[0]['algorithms']")"
expect "PSK both ways" "pre-shared key|pre-shared key" \
	"$(status b "j[0]['auth_sent'] + '|' + j[0]['auth_received']")"
SECTUN_IKED_SOCKET=$dir/a.sock "$SECTUN" ike down v > /dev/null
wait_log b "the peer deleted the IKE SA" || fail "down: the responder saw the delete"
sleep 0.3
expect "down: initiator has no SA" 0 "$(status a "len(j)")"
expect "down: responder has no SA" 0 "$(status b "len(j)")"
expect "no keys in the log unless asked" 0 "$(cat "$dir/a.log" "$dir/b.log" | grep -c 'keys:')"
stop a; stop b

# --log-keys: both sides log the same keys, each direction under its SPI.
echo "# --log-keys"
rm -f "$dir"/*.log
conf a $((base + 1)) '"aes128-sha256-modp2048"' s immediately 'proposals = "aes128-sha256";'
conf b $base '"aes128-sha256-modp2048"' s responder-only 'proposals = "aes128-sha256";'
IKED_ARGS=--log-keys start b $((base + 1))
IKED_ARGS=--log-keys start a $base
wait_log b "VPN v up" || fail "--log-keys: up"
ike_keys() { grep -o 'keys: IKE SA .*' "$dir/$1.log"; }
expect "IKE SA keys logged alike on both sides" "$(ike_keys a)" "$(ike_keys b)"
expect "SK_ei, SK_ai of AES-128 and HMAC-SHA256" "32 64" \
	"$(ike_keys a | awk '{for (i = 1; i < NF; i++) if ($i == "SK_ei" || $i == "SK_ai") printf "%d ", length($(i + 1))}' | sed 's/ $//')"
spi=$(status a "j[0]['children'][0]['spi_out']")
expect "a's outbound keys are b's inbound" "$(grep -o "keys: ESP SPI $spi out.*" "$dir/a.log" | sed 's/ out / /')" \
	"$(grep -o "keys: ESP SPI $spi in.*" "$dir/b.log" | sed 's/ in / /')"
expect "two child key lines each side" "2 2" "$(grep -c 'keys: ESP SPI' "$dir/a.log") $(grep -c 'keys: ESP SPI' "$dir/b.log")"
stop a; stop b

# 2. X25519 with ChaCha20-Poly1305; INVALID_KE_PAYLOAD: the initiator's
#    first group (modp2048) is not the responder's choice.
scenario "INVALID_KE_PAYLOAD, then X25519 + ChaCha20-Poly1305" \
	'"chacha20poly1305-prfsha256-modp2048-x25519"' '"chacha20poly1305-prfsha256-x25519"' s s
wait_log a "the peer prefers DH group 31" || fail "INVALID_KE_PAYLOAD handled"
wait_log a "VPN v up" || fail "up after INVALID_KE_PAYLOAD"
expect "X25519 negotiated" "chacha20poly1305-prfsha256-curve25519" "$(status a "j[0]['algorithms']")"
stop a; stop b

# 3. Wrong PSK: AUTHENTICATION_FAILED both ways, nothing up.
scenario "wrong PSK" '"aes128gcm16-prfsha256-ecp256"' '"aes128gcm16-prfsha256-ecp256"' one other
wait_log b "pre-shared key mismatch" || fail "responder: PSK mismatch logged"
wait_log a "refused us: AUTHENTICATION_FAILED" || fail "initiator: AUTHENTICATION_FAILED received"
expect "wrong PSK: no SA at the responder" 0 "$(status b "len(j)")"
stop a; stop b

# 4. No common proposal.
scenario "proposal mismatch" '"aes128-sha256-modp2048"' '"aes256gcm16-prfsha384-ecp384"' s s
wait_log b "answers NO_PROPOSAL_CHOSEN" || fail "responder: NO_PROPOSAL_CHOSEN sent"
wait_log a "IKE_SA_INIT refused: NO_PROPOSAL_CHOSEN" || fail "initiator: NO_PROPOSAL_CHOSEN received"
stop a; stop b

# 5. Selectors that do not overlap: TS_UNACCEPTABLE, the IKE SA stays up.
scenario "TS mismatch" '"aes128gcm16-prfsha256-ecp256"' '"aes128gcm16-prfsha256-ecp256"' s s \
	'traffic-selectors = ( { local = "10.1.0.0/16"; remote = "10.2.0.0/16"; } );' \
	'traffic-selectors = ( { local = "10.3.0.0/16"; remote = "10.1.0.0/16"; } );'
wait_log a "no child SA for VPN v: TS_UNACCEPTABLE" || fail "initiator: TS_UNACCEPTABLE received"
expect "TS mismatch: IKE SA up, childless" "UP 0" "$(status a "j[0]['state'], len(j[0]['children'])" | tr -d "(),'")"
stop a; stop b

# 6. Narrowing: the responder's selectors are inside the initiator's.
scenario "narrowing" '"aes128gcm16-prfsha256-ecp256"' '"aes128gcm16-prfsha256-ecp256"' s s \
	'traffic-selectors = ( { local = "10.1.0.0/16"; remote = "10.2.0.0/16"; } );' \
	'traffic-selectors = ( { local = "10.2.5.0/24"; remote = "10.1.0.0/24"; protocol = "tcp"; } );'
wait_log a "VPN v up" || fail "narrowed child up"
expect "narrowed selectors" "10.1.0.0/24 proto 6|10.2.5.0/24 proto 6" \
	"$(status a "j[0]['children'][0]['local_ts'] + '|' + j[0]['children'][0]['remote_ts']")"
stop a; stop b

# 7. Two selectors: the second child by CREATE_CHILD_SA, with PFS.
scenario "two selectors, CREATE_CHILD_SA with PFS" '"aes128gcm16-prfsha256-ecp256"' \
	'"aes128gcm16-prfsha256-ecp256"' s s \
	'proposals = "aes128gcm16-ecp256"; traffic-selectors = ( { local = "10.1.0.0/16"; remote = "10.2.0.0/16"; },
		{ local = "10.11.0.0/16"; remote = "10.12.0.0/16"; } );' \
	'proposals = "aes128gcm16-ecp256"; traffic-selectors = ( { local = "10.2.0.0/16"; remote = "10.1.0.0/16"; },
		{ local = "10.12.0.0/16"; remote = "10.11.0.0/16"; } );'
wait_log a "10.11.0.0/16 <-> 10.12.0.0/16" || fail "second selector's child up"
expect "two children on each side" "2 2" "$(status a "len(j[0]['children'])") $(status b "len(j[0]['children'])")"
expect "one IKE SA" 1 "$(status a "len(j)")"
stop a; stop b

# 8. Malformed messages: dropped and logged, the established SA unharmed.
scenario "malformed burst" '"aes128gcm16-prfsha256-ecp256"' '"aes128gcm16-prfsha256-ecp256"' s s
wait_log a "VPN v up" || fail "up before the burst"
python3 - "$base" <<'PY'
import os, socket, struct, sys
port = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
def hdr(nxt, exch, flags, msgid, length, spi=None):
    return (spi or os.urandom(8)) + bytes(8) + bytes([nxt, 0x20, exch, flags]) + struct.pack("!II", msgid, length)
msgs = [b"\x00" * 10,
        hdr(33, 34, 8, 0, 200) + bytes(20),
        hdr(33, 34, 8, 0, 32) + b"\x00\x00\x00\x02",
        hdr(33, 34, 8, 0, 36) + b"\x00\x00\x00\x40" + bytes(4),
        hdr(33, 34, 8, 0, 36) + struct.pack("!BBH", 0, 0, 8) + bytes(4),
        hdr(200, 34, 8, 0, 32) + struct.pack("!BBH", 0, 0x80, 4),
        bytes([0x20] * 28),
        os.urandom(2000)]
for _ in range(25):
    for m in msgs:
        s.sendto(m, ("127.0.0.1", port))
PY
sleep 0.5
kill -0 "$pid_a" && pass "malformed burst: daemon alive" || fail "malformed burst: daemon died"
expect "malformed burst: logged (debug)" 1 "$(grep -c '(malformed)' "$dir/a.log" | awk '{print ($1 >= 25)}')"
expect "malformed burst: counted" 1 "$(SECTUN_IKED_SOCKET=$dir/a.sock "$SECTUN" -j ike statistics |
	python3 -c "import json,sys; print(int(json.load(sys.stdin)['dropped']['malformed'] >= 100))")"
expect "unknown critical payload refused" 1 "$(grep -c 'unsupported critical payload 200' "$dir/a.log" | awk '{print ($1 > 0)}')"
expect "established SA unharmed" "UP 1" "$(status a "j[0]['state'], len(j[0]['children'])" | tr -d "(),'")"
stop a; stop b

# 9. Certificates: a CA, ECDSA P-256 and RSA (PSS) end entities named by
#    their DNS SANs; one more signed by a CA the peer does not trust.
(
	cd "$dir" || exit 1
	ossl() { openssl "$@" > /dev/null 2>&1 || echo "openssl $* failed" >&2; }
	ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key \
		-out ca.pem -subj "/CN=sectun test CA" -days 2
	ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout rogue.key \
		-out rogue.pem -subj "/CN=rogue CA" -days 2
	for side in a b; do
		for kind in ec rsa rogue; do
			key=(-newkey ec -pkeyopt ec_paramgen_curve:P-256)
			[[ $kind == rsa ]] && key=(-newkey rsa:2048)
			ca=ca
			[[ $kind == rogue ]] && ca=rogue
			ossl req "${key[@]}" -nodes -keyout "$side-$kind.key" -out "$side-$kind.csr" \
				-subj "/CN=$side.example"
			printf 'subjectAltName=DNS:%s.example\n' "$side" > "$side.ext"
			ossl x509 -req -in "$side-$kind.csr" -CA "$ca.pem" -CAkey "$ca.key" \
				-CAcreateserial -out "$side-$kind.pem" -days 2 -extfile "$side.ext"
		done
	done
)
scenario "ECDSA P-256 certificates" '"aes128gcm16-prfsha256-ecp256"' '"aes128gcm16-prfsha256-ecp256"' \
	cert:ec cert:ec
wait_log a "VPN v up" || { fail "ECDSA certificates: up"; tail -5 "$dir/a.log" "$dir/b.log"; }
expect "ECDSA: peer identity" "b.example" "$(status a "j[0]['peer_id']")"
expect "ECDSA: RFC 7427 both ways" "digital signature|digital signature" \
	"$(status a "j[0]['auth_sent'] + '|' + j[0]['auth_received']")"
stop a; stop b

scenario "RSA-PSS certificates" '"aes256-sha256-modp2048"' '"aes256-sha256-modp2048"' cert:rsa cert:rsa
wait_log a "VPN v up" || { fail "RSA-PSS certificates: up"; tail -5 "$dir/a.log" "$dir/b.log"; }
expect "RSA-PSS: peer identity" "a.example" "$(status b "j[0]['peer_id']")"
stop a; stop b

# IKEv1 main mode with certificates (RFC 2409 5.1, RFC 4754): SIG payloads
# over HASH_I/HASH_R, with ECDSA P-256 and with RSA.
for kind in ec rsa; do
	GW_EXTRA="version = 1;" scenario "IKEv1 main mode, $kind certificates" \
		'"aes128-sha256-ecp256"' '"aes128-sha256-ecp256"' cert:$kind cert:$kind \
		'proposals = "aes128gcm16";' 'proposals = "aes128gcm16";'
	wait_log a "VPN v up" || { fail "IKEv1 $kind certificates: up"; tail -5 "$dir/a.log" "$dir/b.log"; }
	expect "IKEv1 $kind certificates: version, mode, peer identity" "1 Main b.example" \
		"$(status a "'%d %s %s' % (j[0]['version'], j[0]['mode'], j[0]['peer_id'])")"
	expect "IKEv1 $kind certificates: signatures both ways" \
		"$([[ $kind == ec ]] && echo 'ECDSA P-256 SHA-256' || echo 'RSA signature')" \
		"$(status b "j[0]['auth_received']")"
	stop a; stop b
done
GW_EXTRA="version = 1;" scenario "IKEv1 untrusted certificate" '"aes128-sha256-ecp256"' \
	'"aes128-sha256-ecp256"' cert:rogue cert:ec 'proposals = "aes128gcm16";' \
	'proposals = "aes128gcm16";'
wait_log b "peer certificate" || fail "IKEv1 untrusted certificate refused"
expect "IKEv1 untrusted: nothing up" 0 "$(status b "len([s for s in j if s['state'] == 'UP'])")"
stop a; stop b

scenario "untrusted certificate" '"aes128gcm16-prfsha256-ecp256"' '"aes128gcm16-prfsha256-ecp256"' \
	cert:rogue cert:ec
wait_log b "authentication of the initiator failed: peer certificate" ||
	fail "untrusted certificate refused"
wait_log a "refused us: AUTHENTICATION_FAILED" || fail "untrusted: initiator told"
expect "untrusted: nothing up" 0 "$(status b "len(j)")"
stop a; stop b

# Reload: a file with errors is refused and the SAs stay; a good one
# that changes only the log level keeps the IKE SA (its log-level holds:
# debug drops to info); one that changes the gateway deletes its IKE SA.
echo "# reload"
rm -f "$dir"/*.log
conf a $((base + 1)) '"aes128gcm16-prfsha256-ecp256"' s immediately
conf b $base '"aes128gcm16-prfsha256-ecp256"' s responder-only
sed -i '1i log-level = "debug";' "$dir/b.conf"
start a $base
NO_DEBUG=' ' start b $((base + 1))
wait_log b "VPN v up" || fail "reload: up"
expect "log-level debug from the file" 1 "$(grep -c 'debug: .*IKE_AUTH request' "$dir/b.log")"
cp "$dir/b.conf" "$dir/b.good"
echo 'vpns = (' >> "$dir/b.conf"
expect "a file with errors is refused" 1 "$(ctl b reload 2>&1 | grep -c 'kept the old one')"
expect "and the SA stays" "UP 1" "$(status b "j[0]['state'], len(j[0]['children'])" | tr -d "(),'")"
sed 's/log-level = "debug"/log-level = "info"/' "$dir/b.good" > "$dir/b.conf"
lines=$(wc -l < "$dir/b.log")
spis=$(status b "j[0]['spi_i'], j[0]['children'][0]['spi_in']")
expect "reload: nothing changed but the log level" 1 \
	"$(ctl b reload | grep -c 'kept 1 IKE SAs and 1 child SAs, deleted 0 and 0')"
expect "reload: the IKE SA and child SA stay, same SPIs" "$spis" \
	"$(status b "j[0]['spi_i'], j[0]['children'][0]['spi_in']")"
expect "log-level info after the reload: no debug lines" 0 \
	"$(tail -n +$((lines + 1)) "$dir/b.log" | grep -c 'debug:')"
# The gateway's proposals change: its IKE SA goes, the peer told.
sed 's/\[ "aes128gcm16-prfsha256-ecp256" \]/[ "aes128gcm16-prfsha256-ecp256", "aes256gcm16-prfsha384-ecp384" ]/' \
	"$dir/b.conf" > "$dir/b.new" && mv "$dir/b.new" "$dir/b.conf"
expect "reload: a changed gateway's IKE SA deleted" 1 \
	"$(ctl b reload | grep -c 'kept 0 IKE SAs and 0 child SAs, deleted 1 and 0')"
wait_log a "the peer deleted the IKE SA" || fail "reload: the peer heard of it"
ctl a up v > /dev/null
for ((i = 0; i < 40; i++)); do
	[[ $(status b "len(j) and len(j[0]['children'])") == 1 ]] && break
	sleep 0.1
done
expect "up again after the reload" "UP 1" "$(status b "j[0]['state'], len(j[0]['children'])" | tr -d "(),'")"
stop a; stop b

exit $failed
