#!/bin/bash
# sectun-iked against an attacker on the path, strongSwan being the real
# peer. Nothing unauthenticated may tear down, stall or move a tunnel:
#   1. a forged response of the wrong exchange type to our IKE_SA_INIT,
#      before the peer is up: the tunnel comes up as soon as it is;
#   2. unencrypted INFORMATIONALs with the live SPIs (DELETE of the IKE SA
#      from the peer's address on ports 500 and 4500, empty ones from
#      another address): nothing changes, traffic flows;
#   3. 20,000 mutated datagrams from the peer's address with the live SPIs:
#      the same IKE SA, peer address and message IDs, and the peer's next
#      real request is taken;
#   4. strongSwan as responder demanding a COOKIE: we return it and get in;
#   5. a flood of 6,000 IKE_SA_INIT from the peer's address with random
#      ports, half of them with a KE value that is no point (refused, but
#      only after a key pair is made), while strongSwan initiates: COOKIEs,
#      strongSwan gets in, every half-open SA gone after the setup
#      timeout, bounded memory and log.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_ike.sh"

ike_topology
ip -n sw addr add 10.0.0.3/24 dev veth-sw
PSK="sectun-hostile-psk-0123456789"
PROPS=aes128gcm16-prfsha256-ecp256
CRAFT="$PY $SRCDIR/selftests/ike_craft.py"
ike() { st sectun -j ike status | jget "$1"; }
stat() { st sectun -j ike statistics | jget "$1"; }
drops() { stat "j['dropped'].get('$1', 0)"; }

swanctl_conf() {
	swanctl_conf_text "$PROPS" psk "local_ts = 192.168.4.0/24
		esp_proposals = aes128gcm16
		start_action = ${1:-none}" "$PSK"
}
iked_conf() { # ESTABLISH [LIMITS] [GATEWAY SETTINGS]
	printf 'limits = { %s };\n' "${2:-}"
	iked_conf_text "$PROPS" "psk = \"$PSK\"; ${3:-}" "$1" 'proposals = "aes128gcm16";'
}

# The IKE SA with SPIi $1 (the newest without one): its identity and
# message IDs, what no forgery may change. Forged IKE_SA_INITs may add
# half-open SAs beside it.
the_sa() { echo "[s for s in j if s['spi_i'] == '${1:-}' or not '${1:-}'][0]"; }
ike_state() { ike "(lambda s: ' '.join([s['spi_i'], s['spi_r'], s['state'], s['remote'], str(s['msgid_in']), str(s['msgid_out'])]))($(the_sa "${1:-}"))"; }
sw_has_sa() { sw swanctl --list-sas --raw 2>/dev/null | grep 'state=ESTABLISHED' | grep -c "$1"; }

# 1. A forged answer to our IKE_SA_INIT, before the peer is there.
iked_start "$(iked_conf immediately '' 'retransmit-timeout-ms = 500; retransmit-tries = 6;')"
wait_for "connecting" 10 bash -c '[[ $(ip netns exec st sectun -j ike status | python3 -c "import json,sys; print(json.load(sys.stdin)[0][\"state\"])") == CONNECTING ]]' ||
	fail "forged answer: our IKE_SA_INIT went out"
spi_i=$(ike "j[0]['spi_i']")
sw $CRAFT forge --src 10.0.0.2 --dst 10.0.0.1 --spi-i "$spi_i" --spi-r 0102030405060708 \
	--exchange 37 --flags 32 --msgid 0
sleep 0.3
check_eq "forged answer: counted as unexpected" 1 "$(drops 'unexpected response' | awk '{print ($1 >= 1)}')"
check_eq "forged answer: still connecting, same SPI" "CONNECTING $spi_i" "$(ike "j[0]['state'] + ' ' + j[0]['spi_i']")"
charon_start "$(swanctl_conf)"
t0=$(date +%s)
expect_children "forged answer: up once the peer is" 1 20
log "up $(($(date +%s) - t0)) s after strongSwan started"
ike_traffic_check "after the forged answer"

# 2. Unencrypted INFORMATIONALs with the live SPIs and the next message ID.
read -r spi_i spi_r state remote msgid_in msgid_out <<< "$(ike_state)"
before="$spi_i $spi_r $state $remote $msgid_in $msgid_out"
# We initiated: the peer's requests have neither I nor R.
sw $CRAFT forge --src 10.0.0.2 --dst 10.0.0.1 --dport 500 --spi-i "$spi_i" --spi-r "$spi_r" \
	--exchange 37 --flags 0 --msgid "$msgid_in" --delete-ike
sw $CRAFT forge --src 10.0.0.2 --sport 4500 --dst 10.0.0.1 --dport 4500 --spi-i "$spi_i" \
	--spi-r "$spi_r" --exchange 37 --flags 0 --msgid "$msgid_in" --delete-ike
sw $CRAFT forge --src 10.0.0.3 --dst 10.0.0.1 --spi-i "$spi_i" --spi-r "$spi_r" \
	--exchange 37 --flags 0 --msgid "$msgid_in"
sleep 0.5
check_eq "plaintext: the IKE SA unchanged" "$before" "$(ike_state "$spi_i")"
check_eq "plaintext: three counted unencrypted" 1 "$(drops unencrypted | awk '{print ($1 >= 3)}')"
check_eq "plaintext: strongSwan keeps its SA" 1 "$(sw_has_sa "$spi_i")"
ike_traffic_check "after plaintext forgeries"

# 3. 20,000 mutations: IKE_SA_INIT requests and messages with the live SPIs.
sw $CRAFT mutate --src 10.0.0.2 --dst 10.0.0.1 --count 20000 --spi-i "$spi_i" \
	--spi-r "$spi_r" --msgid "$msgid_in" --seed 7
sleep 2
if kill -0 "$IKED_PID" 2>/dev/null; then pass "mutations: alive"; else fail "mutations: sectun-iked died"; fi
check_eq "mutations: the IKE SA, its peer and message IDs unchanged" "$before" "$(ike_state "$spi_i")"
check_eq "mutations: strongSwan keeps its SA" 1 "$(sw_has_sa "$spi_i")"
ike_traffic_check "after 20,000 mutations"
log "dropped: $(stat "', '.join('%s %d' % kv for kv in j['dropped'].items())")"
# The peer's next real request (a child delete) is in window and taken.
child=$(ike "$(the_sa "$spi_i")['children'][0]['spi_in']")
sw swanctl --terminate --child st --timeout 10 > /dev/null 2>&1
check_eq "mutations: the peer's next request is taken" "0 $((msgid_in + 1))" \
	"$(ike "(lambda s: str(len(s['children'])) + ' ' + str(s['msgid_in']))($(the_sa "$spi_i"))")"
check_eq "mutations: its child left st0" 0 \
	"$(st sectun -j sa show st0 | jget "sum('%08x' % s['spi'] == '$child' for s in j)")"
iked_stop
sw_clear
charon_stop_all() { sw swanctl --terminate --ike st --force > /dev/null 2>&1; }

# 4. strongSwan demands a COOKIE once it holds a half-open SA.
pkill -f /usr/lib/ipsec/charon; sleep 0.5; rm -f /var/run/charon.pid /var/run/charon.vici
CHARON_OPTS="cookie_threshold = 1" charon_start "$(swanctl_conf)"
st $CRAFT hold --src 10.0.0.1 --dst 10.0.0.2 --count 2
iked_start "$(iked_conf immediately)"
expect_children "COOKIE from strongSwan: up" 1 20
check_eq "COOKIE from strongSwan: followed" 1 "$(found 'asks for a COOKIE' "$IKE_DIR/iked.log")"
ike_traffic_check "through strongSwan's COOKIE"
iked_stop
sw_clear
pkill -f /usr/lib/ipsec/charon; sleep 0.5; rm -f /var/run/charon.pid /var/run/charon.vici

# 5. The flood, strongSwan initiating in the middle of it; no -d.
charon_start "$(swanctl_conf)"
# The flood's first half-open SAs outlive it: no gap for anyone to slip in.
IKED_QUIET=1 iked_start "$(iked_conf responder-only 'setup-timeout = 12;')"
rss0=$(awk '/VmRSS/ {print $2}' "/proc/$IKED_PID/status")
# Long enough to outlast strongSwan's way in, on the debug kernel too.
flood_count=6000
debug_kernel && flood_count=18000
sw $CRAFT flood --dst 10.0.0.1 --count "$flood_count" --group 19 --random-ports --rate 1000 --mix \
	> "$IKE_DIR/flood.log" 2>&1 &
flood=$!
# Python takes a while to start in the guest: strongSwan goes once it floods.
flooding() { [[ $(stat "int(j['cookies_sent'] > 50)") == 1 ]]; }
wait_for "flood under way" 30 flooding || fail "flood: under way"
flood_start=$(date +%s)
sw swanctl --initiate --child st --timeout 30 > "$IKE_DIR/initiate.log" 2>&1
log "flood: strongSwan up $(($(date +%s) - flood_start)) s after the flood began"
expect_children "flood: strongSwan gets in" 1 0
check_eq "flood: it came in during the flood" 1 "$(kill -0 "$flood" 2>/dev/null && echo 1)"
check_eq "flood: through a COOKIE" 1 "$(stat "int(j['cookies_accepted'] >= 1)")"
wait "$flood"
log "$(cat "$IKE_DIR/flood.log")"
if kill -0 "$IKED_PID" 2>/dev/null; then pass "flood: alive"; else fail "flood: sectun-iked died"; fi
check_eq "flood: COOKIEs sent" 1 "$(stat "int(j['cookies_sent'] > 100)")"
check_eq "flood: few refused before COOKIEs were asked" 1 \
	"$(stat "int(j['dropped'].get('IKE_SA_INIT refused', 0) <= 16)")"
log "flood: $(stat "'cookies sent %d, accepted %d, half-open %d' % (j['cookies_sent'], j['cookies_accepted'], j['half_open'])")"
# The last half-open SA the flood made goes a setup timeout (12 s) after
# the flood, however long a slow kernel made it last.
no_half_open() { [[ $(stat "j['half_open']") == 0 ]]; }
wait_for "half-open SAs gone" 14 no_half_open
check_eq "flood: every half-open SA gone after the setup timeout" 0 "$(stat "j['half_open']")"
check_eq "flood: the tunnel stays" 1 "$(ike "len([s for s in j if s['state'] == 'UP'])")"
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$IKED_PID/status")
log "flood: RSS $rss0 KiB before, peak $hwm KiB, growth $(((hwm - rss0) / 1024)) MiB"
check_eq "flood: RSS growth below 16 MiB" 1 "$(( hwm - rss0 < 16384 ))"
lines=$(wc -l < "$IKE_DIR/iked.log")
log "flood: $lines log lines"
check_eq "flood: the log stays short" 1 "$((lines < 100))"
ike_traffic_check "after the flood"
finish
