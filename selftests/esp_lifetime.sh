#!/bin/bash
# SA lifetimes: soft and hard limits by packets, bytes and time raise the
# events "sectun monitor" prints; after a hard expiry the SA is gone and
# traffic stops.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_ipsec.sh"

ipsec_topology
EKEY_BYTES=20 AKEY_BYTES=0
gcm_s="enc aes-gcm-128 key @EKEY@"
gcm_x="aead 'rfc4106(gcm(aes))' 0x@EKEY@ 128"

st sectun monitor > /tmp/monitor.txt 2>&1 &
at_exit "kill $!"
st sectun -j monitor > /tmp/monitor.json 2>&1 &
at_exit "kill $!"
sleep 0.5

pings() { st ping -c "$1" -i 0.1 -W 2 -I 192.168.1.4 192.168.4.1 2>/dev/null | grep -o '[0-9]* received' | cut -d' ' -f1; }
has_event() { # WHAT LINE
	if grep -q "^$2\$" /tmp/monitor.txt; then pass "$1"; else fail "$1: no '$2' in: $(cat /tmp/monitor.txt)"; fi
}

# By packets, on the outbound SA: soft at 5, hard at 10.
ipsec_sa_pair 4 "$gcm_s" "$gcm_x"
check st sectun sa set st4 out spi 0x1004 soft-packets 5 hard-packets 10
check_eq "exactly 10 packets pass" 10 "$(pings 14)"
sleep 0.5
has_event "soft expiry by packets" "expire soft st4 out esp spi 0x00001004 reason packets"
has_event "hard expiry by packets" "expire hard st4 out esp spi 0x00001004 reason packets"
has_event "deletion after hard expiry" "delete st4 out esp spi 0x00001004 reason packets"
check_eq "hard-expired SA is gone" "[]" "$(st sectun -j sa show st4 out)"
check_eq "no traffic after hard expiry" 0 "$(pings 2)"
check_eq "counted as no SA" 1 "$(st sectun -j stats st4 | jget "int(j[0]['stats']['no_sa'] >= 2)")"
ipsec_flush

# By bytes, on the inbound SA (inner bytes: a ping is 84).
ipsec_sa_pair 4 "$gcm_s" "$gcm_x" "soft-bytes 200 hard-bytes 400"
check_eq "hard byte limit lets 5 echo replies in" 5 "$(pings 8)"
sleep 0.5
has_event "soft expiry by bytes" "expire soft st4 in esp spi 0x00002004 reason bytes"
has_event "hard expiry by bytes" "expire hard st4 in esp spi 0x00002004 reason bytes"
ipsec_flush

# By time: soft after 3 s, hard after 5 s (room for a slow debug kernel
# to install the pair and ping before the end).
: > /tmp/monitor.txt
ipsec_sa_pair 4 "$gcm_s" "$gcm_x" "soft-seconds 3 hard-seconds 5"
check_eq "traffic while young" 2 "$(pings 2)"
sleep 6
has_event "soft expiry by time (out)" "expire soft st4 out esp spi 0x00001004 reason seconds"
has_event "hard expiry by time (in)" "expire hard st4 in esp spi 0x00002004 reason seconds"
has_event "deletion by time" "delete st4 in esp spi 0x00002004 reason seconds"
check_eq "both SAs gone after their time" "[]" "$(st sectun -j sa show st4)"
check_eq "no traffic after hard expiry by time" 0 "$(pings 2)"

# "sa set" moves a lifetime; deleting by hand says so.
ipsec_flush
ipsec_sa_pair 4 "$gcm_s" "$gcm_x" "hard-seconds 100"
check st sectun sa set st4 in spi 0x2004 hard-seconds 1
sleep 2
has_event "a shortened lifetime takes effect" "delete st4 in esp spi 0x00002004 reason seconds"
check st sectun sa del st4 out spi 0x1004
sleep 0.3
has_event "deletion by hand" "delete st4 out esp spi 0x00001004 reason user"

# The JSON stream says the same, one object per line.
check_eq "JSON events" "True" "$("$PY" -c '
import json
ev = [json.loads(l) for l in open("/tmp/monitor.json")]
print(any(e["event"] == "expire hard" and e["sa"]["spi"] == 0x1004 and e["sa"]["reason"] == "packets" for e in ev))')"

# Limits that make no sense are refused.
check_fails_with "soft packet limit is above the hard one" \
	st sectun sa add st4 in spi 0x2222 enc aes-gcm-128 key "$(printf '%040x' 1)" soft-packets 10 hard-packets 5
finish
