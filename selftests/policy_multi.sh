#!/bin/bash
# One SA pair for several selectors (an IKEv2 child SA with two subnets on
# each side, RFC 7296 2.9), against Linux xfrm with the same four policies
# on one SA pair: traffic of all four combinations goes by the one SA each
# way; an inbound packet matching none of them fails the TS check; a new
# SA made current moves all four at once; deleting one selector takes the
# SAs; malformed selector lists are refused without leaving an SA.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_ipsec.sh"

ipsec_topology
# Ours: 192.168.41.0/24 and .42.0/24; the peer's: .44.0/24 and .45.0/24.
LOCAL=(- 41 42)
REMOTE=(- 44 45)
for a in 1 2; do
	ip -n st addr add "192.168.${LOCAL[a]}.1/32" dev lo
	ip -n xf addr add "192.168.${REMOTE[a]}.1/32" dev lo
	ip -n st route add "192.168.${REMOTE[a]}.0/24" dev st4
	ip -n xf route add "192.168.${LOCAL[a]}.0/24" via 10.0.0.1
done
sel() { echo $((($1 - 1) * 2 + $2)); }	# local A, remote B: selector index

hexkey KEY_OUT 20
hexkey KEY_IN 20
batch=
for a in 1 2; do
	for b in 1 2; do
		check st sectun policy add st4 index "$(sel "$a" "$b")" \
			local "192.168.${LOCAL[a]}.0/24" remote "192.168.${REMOTE[b]}.0/24"
		for d in out in fwd; do
			if [[ $d == out ]]; then
				s=192.168.${REMOTE[b]}.0/24 t=192.168.${LOCAL[a]}.0/24 x=10.0.0.2 y=10.0.0.1
			else
				s=192.168.${LOCAL[a]}.0/24 t=192.168.${REMOTE[b]}.0/24 x=10.0.0.1 y=10.0.0.2
			fi
			batch+="xfrm policy add src $s dst $t dir $d tmpl src $x dst $y proto esp reqid 300 mode tunnel"$'\n'
		done
	done
done
batch+="xfrm state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x3101 reqid 300 mode tunnel aead rfc4106(gcm(aes)) 0x$KEY_OUT 128"$'\n'
batch+="xfrm state add src 10.0.0.2 dst 10.0.0.1 proto esp spi 0x3201 reqid 300 mode tunnel aead rfc4106(gcm(aes)) 0x$KEY_IN 128"$'\n'
ip -n xf -batch - <<< "$batch" || fail "xfrm side"
check st sectun sa add st4 out spi 0x3101 enc aes-gcm-128 key "$KEY_OUT" policy 1,2,3,4
check st sectun sa add st4 in spi 0x3201 enc aes-gcm-128 key "$KEY_IN" policy 1,2,3,4

sa_json() { st sectun -j sa show st4 "$1" spi "$2"; }
sa_packets() { sa_json "$1" "$2" | jget "j[0]['stats']['packets']"; }
ping_pair() { # A B [COUNT]: ping from our subnet A to the peer's subnet B
	st ping -c "${3:-2}" -i 0.1 -W 2 -I "192.168.${LOCAL[$1]}.1" \
		"192.168.${REMOTE[$2]}.1" > /dev/null 2>&1
}

check_eq "sa show -j lists the selectors" "1 [1, 2, 3, 4]" \
	"$(sa_json out 0x3101 | jget "str(j[0]['policy']) + ' ' + str(j[0]['policies'])")"
check_eq "sa show: one line for the selectors" 1 \
	"$(st sectun sa show st4 in spi 0x3201 | grep -c '^  serves selectors 1, 2, 3, 4$')"
for a in 1 2; do
	for b in 1 2; do
		ping_pair "$a" "$b" && pass "192.168.${LOCAL[a]} -> ${REMOTE[b]}: ping" ||
			fail "192.168.${LOCAL[a]} -> ${REMOTE[b]}: ping"
	done
done
check_eq "the one outbound SA carried all four" 8 "$(sa_packets out 0x3101)"
check_eq "the one inbound SA accepted all four" 8 "$(sa_packets in 0x3201)"
check_eq "each selector matched its own" "2 2 2 2" \
	"$(st sectun -j policy show st4 | jget "' '.join(str(p['packets']) for p in j)")"
check_eq "each selector names the SA" "$((0x3101)) $((0x3101)) $((0x3101)) $((0x3101))" \
	"$(st sectun -j policy show st4 | jget "' '.join(str(p['out_spi']) for p in j)")"
check_eq "xfrm's SA counted the same" 8 \
	"$(ip -n xf -s xfrm state get src 10.0.0.2 dst 10.0.0.1 proto esp spi 0x3201 |
		sed -n 's/.* \([0-9]*\)(packets).*/\1/p' | head -1)"

# A successor on standby, then current: every selector moves to it.
hexkey KEY_OUT2 20
ip -n xf xfrm state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x3102 reqid 300 mode tunnel \
	aead 'rfc4106(gcm(aes))' "0x$KEY_OUT2" 128 || fail "xfrm: second SA"
check st sectun sa add st4 out spi 0x3102 enc aes-gcm-128 key "$KEY_OUT2" policy 4,3,2,1 standby
check_eq "on standby, the selectors keep the old SA" "$((0x3101))" \
	"$(st sectun -j policy show st4 | jget "' '.join(sorted(set(str(p['out_spi']) for p in j)))")"
check st sectun sa set st4 out spi 0x3102 current
check_eq "made current, all four selectors take it" "$((0x3102))" \
	"$(st sectun -j policy show st4 | jget "' '.join(sorted(set(str(p['out_spi']) for p in j)))")"
check_eq "the old SA is no longer current" False "$(sa_json out 0x3101 | jget "j[0]['current']")"
for a in 1 2; do
	for b in 1 2; do
		ping_pair "$a" "$b" 1 || fail "after the switch: ${LOCAL[a]} -> ${REMOTE[b]}"
	done
done
check_eq "the successor carries all four" 4 "$(sa_packets out 0x3102)"
check_eq "the old SA carries none" 8 "$(sa_packets out 0x3101)"

# Inbound, the TS check takes any of the four pairs and nothing else. (An
# authentic packet: it moves the replay window past xfrm's numbers, so last.)
ip -n xf addr add 192.168.46.1/32 dev lo
tsfail() { st sectun -j sa show st4 in spi 0x3201 | jget "j[0]['stats']['ts_check_fail']"; }
xf "$PY" "$SRCDIR/selftests/esp_craft.py" --src 10.0.0.2 --dst 10.0.0.1 --spi 0x3201 \
	--key "$KEY_IN" --inner-src 192.168.46.1 --inner-dst 192.168.41.1 good:100
sleep 0.5
check_eq "a pair outside all four fails the TS check" 1 "$(tsfail)"
check_eq "and is not delivered" 12 "$(sa_packets in 0x3201)"

# Malformed lists: refused, with nothing left behind.
n_sas() { st sectun -j sa show st4 | jget "len(j)"; }
n0=$(n_sas)
refused() { # WHAT EXPECTED-MESSAGE-PART SA-ATTRIBUTES...
	local what=$1 want=$2 out
	shift 2
	out=$(st "$PY" "$SRCDIR/selftests/genl.py" new_sa ifname=str:st4 sa.spi=u32:0x3301 \
		sa.dir=u8:0 sa.encr=u16:20 sa.encr_key=raw:"$KEY_IN" "$@")
	if [[ $out == *"$want"* ]]; then pass "$what"; else fail "$what: got '$out'"; fi
}
refused "one and a list: refused" "give one selector or a list, not both" \
	sa.policy=u32:1 sa.policies=u32s:policy:2
refused "a selector twice: refused" "a selector is listed twice" sa.policies=u32s:policy:1,2,1
refused "index 0 in a list: refused" "selector index 0 is no selector" sa.policies=u32s:policy:1,0
refused "an empty list: refused" "an empty selector list" sa.policies=u32s:policy:
refused "other attributes in the list: refused" "u32 SECTUN_SA_A_POLICY attributes only" \
	sa.policies=u32s:spi:1
refused "65 selectors: refused" "E2BIG" sa.policies=u32s:policy:"$(seq -s, 1 65)"
refused "an unknown selector: refused" "no selector with this index" sa.policies=u32s:policy:1,99
check_eq "no SA was left by the refusals" "$n0" "$(n_sas)"
check_eq "CLI: a repeated selector is refused" 1 \
	"$(st sectun sa add st4 in spi 0x3301 enc aes-gcm-128 key "$KEY_IN" policy 1,1 2>&1 |
		grep -c 'policy is a selector index')"

# Deleting one of the selectors takes the SAs serving it.
check st sectun policy del st4 index 2
check_eq "the SAs went with selector 2" "0 0 0" \
	"$(for s in "out 0x3101" "out 0x3102" "in 0x3201"; do
		st sectun -j sa show st4 $s 2>/dev/null | jget "len(j)" 2>/dev/null || echo 0
	done | tr '\n' ' ' | sed 's/ $//')"
check_eq "the other selectors have no SA now" "None None None" \
	"$(st sectun -j policy show st4 | jget "' '.join(str(p['out_spi']) for p in j)")"

finish
