#!/bin/bash
# The packet fuzzer (packet_fuzz.py): ESP, AH and ESP in UDP from the
# tunnels' remote endpoint for FUZZ_SECONDS (12 s here, 180 s under make
# check-debug's KASAN), many of them authentic so that what follows
# decryption is fuzzed too. Every packet that reaches sectun is counted
# once, by one of its drop counters or as received; the short ones go to
# xfrm, which counts them as header errors. A kernel report fails the
# test (the harness reads the log).
source "$(dirname "$0")/lib.sh"

secs=${FUZZ_SECONDS:-12}
debug_kernel && secs=${FUZZ_SECONDS:-180}
load_sectun
modprobe -a esp4 ah4 xfrm_user 2>/dev/null
netns_add pz
netns_add pz-peer
Z() { ip netns exec pz "$@"; }
veth_link pz veth-pz 10.0.0.1/24 pz-peer veth-pp 10.0.0.2/24

gcm=$(printf '%040x' 0x11) cbc=$(printf '%032x' 0x22) hm=$(printf '%064x' 0x33)
udp=$(printf '%040x' 0x44) ah=$(printf '%064x' 0x55)
check ip -n pz link add st0 type sectun
check Z sectun set st0 local 10.0.0.1 remote 10.0.0.2 replay-window 128
check Z sectun sa add st0 in spi 0x1001 enc aes-gcm-128 key "$gcm"
check Z sectun sa add st0 in spi 0x1002 enc aes-128-cbc key "$cbc" auth hmac-sha-256-128 key "$hm"
check Z sectun sa add st0 in spi 0x1003 proto ah auth sha256 key "$ah"
check Z sectun policy add st0 local 192.168.0.0/16 remote 10.128.0.0/9
check Z sectun sa add st0 in spi 0x1004 enc aes-gcm-128 key "$gcm" policy 1
check ip -n pz link add st1 type sectun
check Z sectun set st1 local 10.0.0.1 remote 10.0.0.2 encap udp port 4500
check Z sectun sa add st1 in spi 0x2001 enc aes-gcm-128 key "$udp"
for d in st0 st1; do
	ip -n pz link set "$d" addrgenmode none
	ip -n pz link set "$d" up
done
Z sectun encap listen > /dev/null &
at_exit "kill $!"
# Neighbours resolved first: packets queued for ARP could be dropped there.
ip netns exec pz-peer ping -c 1 -W 2 10.0.0.1 > /dev/null
Z ping -c 1 -W 2 10.0.0.2 > /dev/null

outcomes() { # every counter a received packet ends in, summed over the tunnels
	Z sectun -j stats | jget "sum(d['stats'][k] for d in j for k in ('rx_packets', 'ah_auth_failures', 'replay_errors', 'esp_auth_failures', 'esp_decryption_failures', 'bad_headers', 'bad_trailers', 'invalid_spi', 'ts_check_fail', 'discarded'))"
}
hdr_errors() { Z awk '$1 == "XfrmInHdrError" { print $2 }' /proc/net/xfrm_stat; }
# Drops before any handler: the CPUs' input backlogs, reassembly.
backlog_drops() { "$PY" -c 'print(sum(int(l.split()[1], 16) for l in open("/proc/net/softnet_stat")))'; }
reasm_fails() { Z awk '/^Ip: [0-9]/ { print $17 }' /proc/net/snmp; }
o0=$(outcomes) h0=$(hdr_errors) b0=$(backlog_drops) f0=$(reasm_fails)
out=$(ip netns exec pz-peer "$PY" "$SRCDIR/selftests/packet_fuzz.py" --seconds "$secs" \
	--src 10.0.0.2 --dst 10.0.0.1 --gcm "0x1001:$gcm" --cbc "0x1002:$cbc:$hm" --ah 0x1003 \
	--udp "0x2001:$udp")
check_eq "the fuzzer ran" 0 "$?"
log "$out"
sleep 2
log "dropped before the handlers: backlog $(($(backlog_drops) - b0)), reassembly $(($(reasm_fails) - f0))"
to_sectun=$(jget "j['to_sectun']" <<< "$out")
short=$(jget "j['xfrm_header_errors']" <<< "$out")
sent=$(jget "j['sent']" <<< "$out")
((sent > 20 * secs)) && pass "packets sent" || fail "only $sent packets in $secs s"
# ESP in UDP under 20 bytes: Linux 6.1 drops it before any handler, newer
# kernels may not (packet_fuzz.py).
maybe=$(jget "j['udp_esp_short']" <<< "$out")
got=$(($(outcomes) - o0))
if ((got >= to_sectun && got <= to_sectun + maybe)); then
	pass "every packet that reached sectun was counted once"
else
	fail "$to_sectun (+ up to $maybe short ESP in UDP) packets reached sectun, $got counted"
fi
check_eq "those too short for xfrm were its header errors" "$short" $(($(hdr_errors) - h0))
log "$(Z cat /proc/net/xfrm_stat | awk '$2 != 0' | tr '\n' ' ')"
# Each SA counted every packet that came with its SPI.
for spi in 0x1001 0x1002 0x1003 0x2001; do
	proto=esp
	[[ $spi == 0x1003 ]] && proto=ah
	sent_spi=$(jget "sum(v for k, v in j['owned'].items() if k.split()[0] in ('$proto', 'udp' if '$proto' == 'esp' else '-') and int(k.split()[1], 16) == $spi)" <<< "$out")
	counted=$(Z sectun -j sa show | jget "[sum(v for k, v in s['stats'].items() if k != 'bytes') for s in j if s['spi'] == $spi and s['proto'] == '$proto'][0]")
	if [[ $spi == 0x2001 ]] && ((counted >= sent_spi)); then
		pass "SA $spi counted its $sent_spi (+ short ones)"
	else
		check_eq "SA $spi counted each of its packets" "$sent_spi" "$counted"
	fi
done
received=$(Z sectun -j stats | jget "sum(d['stats']['rx_packets'] for d in j)")
log "$(Z sectun -j stats | jget "', '.join('%s %s' % (k, sum(d['stats'][k] for d in j)) for k in ('rx_packets', 'esp_auth_failures', 'replay_errors', 'bad_headers', 'bad_trailers', 'invalid_spi', 'ts_check_fail', 'ah_auth_failures', 'discarded'))")"
((received > 0)) && pass "authentic packets got through" || fail "no fuzzed packet was authentic enough to be received"
# Still working: a good packet on a new SA is received.
check Z sectun sa add st0 in spi 0x1005 enc aes-gcm-128 key "$gcm"
r0=$(Z sectun -j stats st0 | jget "j[0]['stats']['rx_packets']")
ip netns exec pz-peer "$PY" "$SRCDIR/selftests/esp_craft.py" --src 10.0.0.2 --dst 10.0.0.1 \
	--spi 0x1005 --key "$gcm" --inner-src 10.99.0.1 --inner-dst 10.99.0.2 good
sleep 0.5
check_eq "a good packet after the fuzzing is received" $((r0 + 1)) "$(Z sectun -j stats st0 | jget "j[0]['stats']['rx_packets']")"
finish
