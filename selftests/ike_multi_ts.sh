#!/bin/bash
# One child SA with two subnets on each side (strongSwan's local_ts and
# remote_ts with two each; one traffic-selectors entry of ours with two
# ranges a side): sectun-iked initiating, responding, and on traffic. Each
# time one SA pair carries all four combinations both ways; st0 has one
# selector per pair, all served by that SA pair; strongSwan has one child.
# As responder we narrow away a subnet we do not have, and a rekey by the
# peer moves all four selectors to the new SAs.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_ike.sh"

ike_topology
PSK="sectun-test-psk-multi-ts-42"
OURS="192.168.1.0/24, 192.168.2.0/24"
THEIRS="192.168.4.0/24, 192.168.5.0/24"

swanctl_conf() { # START_ACTION [REMOTE_TS]
	swanctl_conf_text aes128gcm16-prfsha256-ecp256 psk \
		"local_ts = 192.168.4.0/24,192.168.5.0/24
		remote_ts = ${2:-192.168.1.0/24,192.168.2.0/24}
		esp_proposals = aes128gcm16
		start_action = $1" "$PSK"
}
iked_conf() { # ESTABLISH
	iked_conf_text aes128gcm16-prfsha256-ecp256 "psk = \"$PSK\";" "$1" \
		"proposals = \"aes128gcm16\";
		traffic-selectors = ( { local = \"$OURS\"; remote = \"$THEIRS\"; } );"
}

# All four combinations, both ways, and what carried them.
four_ways() { # WHAT
	local what=$1 l r
	for l in 1 2; do
		for r in 4 5; do
			st ping -c 2 -i 0.2 -W 2 -I "192.168.$l.4" "192.168.$r.1" > /dev/null 2>&1 &&
				pass "$what: 192.168.$l.4 -> 192.168.$r.1" ||
				{ ike_logs; fail "$what: 192.168.$l.4 -> 192.168.$r.1"; }
			sw ping -c 1 -W 2 -I "192.168.$r.1" "192.168.$l.4" > /dev/null 2>&1 &&
				pass "$what: 192.168.$r.1 -> 192.168.$l.4" ||
				fail "$what: 192.168.$r.1 -> 192.168.$l.4"
		done
	done
}

# One child of ours with both subnets a side; st0: four selectors, each
# served by the child's one outbound SA, which carried every packet we sent.
one_child_four_selectors() { # WHAT
	local what=$1 spi_out
	check_eq "$what: one child SA" 1 "$(iked_children)"
	check_eq "$what: its selectors" "$OURS | $THEIRS" \
		"$(st sectun -j ike status | jget "j[0]['children'][0]['local_ts'] + ' | ' + j[0]['children'][0]['remote_ts']")"
	check_eq "$what: strongSwan has one child SA" 1 \
		"$(sw swanctl --list-sas --raw 2>/dev/null | grep -o 'state=INSTALLED' | wc -l)"
	spi_out=$(st sectun -j ike status | jget "int(j[0]['children'][0]['spi_out'], 16)")
	check_eq "$what: st0 has four selectors, all on the child's SA" "4 $spi_out" \
		"$(st sectun -j policy show st0 | jget "'%d %s' % (len(j), ' '.join(sorted(set(str(p['out_spi']) for p in j))))")"
	check_eq "$what: the outbound SA serves all four" 4 \
		"$(st sectun -j sa show st0 out spi "$spi_out" | jget "len(j[0]['policies'])")"
	check_eq "$what: one outbound SA carried all (8 pings, 4 replies)" 12 \
		"$(st sectun -j sa show st0 out spi "$spi_out" | jget "j[0]['stats']['packets']")"
	check_eq "$what: each selector matched its own" "3 3 3 3" \
		"$(st sectun -j policy show st0 | jget "' '.join(str(p['packets']) for p in j)")"
}

# 1. sectun-iked initiates.
charon_start "$(swanctl_conf none)"
iked_start "$(iked_conf immediately)"
expect_children "initiator: child SA up" 1 15
four_ways "initiator"
one_child_four_selectors "initiator"
iked_stop
sw_clear
check_eq "our selectors went with the child" 0 "$(st sectun -j policy show st0 | jget "len(j)")"

# 2. strongSwan initiates with a third subnet of ours we do not have: we
#    narrow it away and answer with both of the others.
sw_load "$(swanctl_conf none 192.168.1.0/24,192.168.2.0/24,192.168.3.0/24)"
iked_start "$(iked_conf responder-only)"
sw swanctl --initiate --child st --timeout 20 > "$IKE_DIR/initiate.log" 2>&1
expect_children "responder: child SA up" 1 0
check_eq "responder: strongSwan got our two subnets, not the third" "192.168.1.0/24 192.168.2.0/24" \
	"$(sw swanctl --list-sas --raw 2>/dev/null | sed -n 's/.*remote-ts=\[\([^]]*\)\].*/\1/p' | head -1)"
four_ways "responder"
one_child_four_selectors "responder"

# strongSwan rekeys the child: the new SA pair serves all four selectors.
old_spi=$(st sectun -j ike status | jget "j[0]['children'][0]['spi_out']")
sw swanctl --rekey --child st > /dev/null 2>&1
new_spi() {
	local s
	s=$(st sectun -j ike status | jget "' '.join(c['spi_out'] for c in j[0]['children'] if c['state'] == 'installed')")
	[[ -n $s && $s != *"$old_spi"* && $s != *" "* ]] && echo "$s"
}
if wait_for "rekeyed" 15 new_spi; then pass "rekeyed by strongSwan"; else ike_logs; fail "rekeyed by strongSwan"; fi
spi=$(new_spi)
sleep 1
four_ways "after the rekey"
check_eq "after the rekey: all four selectors on the new SA" "$((16#${spi:-0}))" \
	"$(st sectun -j policy show st0 | jget "' '.join(sorted(set(str(p['out_spi']) for p in j)))")"
check_eq "after the rekey: still four selectors" 4 "$(st sectun -j policy show st0 | jget "len(j)")"
iked_stop
sw_clear

# 3. On traffic: four traps (one per pair); traffic for the last pair
#    brings the child up, which takes the traps' places; "down" puts the
#    traps back.
sw_load "$(swanctl_conf none)"
iked_start "$(iked_conf on-traffic)"
check_eq "on-traffic: four traps" "4 None" \
	"$(st sectun -j policy show st0 | jget "'%d %s' % (len(j), ' '.join(sorted(set(str(p['out_spi']) for p in j))))")"
st ping -c 1 -W 1 -I 192.168.2.4 192.168.5.1 > /dev/null 2>&1
expect_children "on-traffic: child SA up" 1 15
spi=$(st sectun -j ike status | jget "int(j[0]['children'][0]['spi_out'], 16)")
check_eq "on-traffic: the child took the traps' places" "1,2,3,4 $spi" \
	"$(st sectun -j policy show st0 | jget "'%s %s' % (','.join(str(p['index']) for p in j), ' '.join(sorted(set(str(p['out_spi']) for p in j))))")"
four_ways "on-traffic"
check st sectun ike down to-sw
if wait_for "traps back" 10 bash -c "[[ \$(ip netns exec st sectun -j policy show st0 | python3 -c \"import json,sys; j=json.load(sys.stdin); print(len(j), all(p['out_spi'] is None for p in j))\") == '4 True' ]]"; then
	pass "down: the four traps are back"
else
	st sectun policy show st0
	fail "down: the four traps are back"
fi
iked_stop
check_eq "stopped: no selector left" 0 "$(st sectun -j policy show st0 | jget "len(j)")"
finish
