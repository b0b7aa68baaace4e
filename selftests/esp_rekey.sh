#!/bin/bash
# Rekeying without loss: while the peer floods pings through the tunnel,
# new SAs replace the old ones in both directions (the new inbound SA
# next to the old one, then the peer switches, then the old one goes; the
# outbound SA switched atomically), and not one packet is lost.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_ipsec.sh"

ipsec_topology
key() { local k; hexkey k 20; echo "$k"; }
xstate() { # SRC DST SPI KEY
	xf ip xfrm state add src "$1" dst "$2" proto esp spi "$3" reqid 4 mode tunnel \
		if_id 4 flag af-unspec aead 'rfc4106(gcm(aes))' "0x$4" 128
}

k1=$(key) k2=$(key) k3=$(key) k4=$(key)
check st sectun sa add st4 out spi 0x1004 enc aes-gcm-128 key "$k1"
check xstate 10.0.0.1 10.0.0.2 0x1004 "$k1"
check st sectun sa add st4 in spi 0x2004 enc aes-gcm-128 key "$k2"
check xstate 10.0.0.2 10.0.0.1 0x2004 "$k2"
# xfrm prefers the newest state by add time, in seconds.
sleep 1.2

# The flood outlasts every step below, however slow the kernel (the
# debug kernel's take several seconds each).
count=1500
debug_kernel && count=6000
xf ping -c $count -i 0.004 -W 2 -q -I 192.168.4.1 192.168.1.4 > /tmp/flood.txt 2>&1 &
flood=$!
sleep 1

# Inbound (peer -> us): the new SA joins the old one, the peer moves to
# it, only then does the old one go.
check st sectun sa add st4 in spi 0x2104 enc aes-gcm-128 key "$k3"
check xstate 10.0.0.2 10.0.0.1 0x2104 "$k3"
sleep 0.5
check xf ip xfrm state delete src 10.0.0.2 dst 10.0.0.1 proto esp spi 0x2004
sleep 0.3
check st sectun sa del st4 in spi 0x2004

# Outbound: the peer learns the new SA first, then ours switches at once.
check xstate 10.0.0.1 10.0.0.2 0x1104 "$k4"
check st sectun sa add st4 out spi 0x1104 enc aes-gcm-128 key "$k4"
sleep 0.3
check st sectun sa del st4 out spi 0x1004
sleep 0.3
check xf ip xfrm state delete src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x1004

wait $flood
summary=$(grep 'packets transmitted' /tmp/flood.txt)
check_eq "no packet lost during the rekey ($summary)" "$count $count" \
	"$(echo "$summary" | awk '{print $1, $4}')"
used() { st sectun -j sa show st4 "$1" spi "$2" | jget "int(j[0]['stats']['packets'] > 0)"; }
check_eq "the new inbound SA carried traffic" 1 "$(used in 0x2104)"
check_eq "the new outbound SA carried traffic" 1 "$(used out 0x1104)"
check_eq "no errors" 0 "$(st sectun -j stats st4 | jget "sum(v for k, v in j[0]['stats'].items() if k not in ('rx_packets','rx_bytes','tx_packets','tx_bytes') and not k.startswith('esp_'))")"

# A standby outbound SA is installed without carrying traffic until made
# current.
check st sectun sa add st4 out spi 0x1204 enc aes-gcm-128 key "$k1" standby
check_eq "standby is not current" "False" "$(st sectun -j sa show st4 out spi 0x1204 | jget "j[0]['current']")"
check st sectun sa set st4 out spi 0x1204 current
check_eq "made current" "True False" \
	"$(st sectun -j sa show st4 out | jget "' '.join(str(s['current']) for s in sorted(j, key=lambda s: -s['spi']))")"

# A reserved inbound SPI (an IKE daemon reserves the SPI of a child SA it
# asks for before it can know its keys) holds what the peer sends on it
# before the SA is added, and hands it over then: nothing is lost.
genl() { st "$PY" "$SRCDIR/selftests/genl.py" "$@"; }
reserve() { genl new_sa ifname=str:st4 "sa.spi=u32:$1" sa.dir=u8:0 "sa.pending_ms=u32:$2"; }
invalid_spi() { st sectun -j stats st4 | jget "j[0]['stats']['invalid_spi']"; }
# xf_to SPI KEY: the peer sends on that SA only from now on.
xf_to() {
	xf ip xfrm state deleteall src 10.0.0.2 dst 10.0.0.1 proto esp
	check xstate 10.0.0.2 10.0.0.1 "$1" "$2"
}
k5=$(key) k6=$(key) k7=$(key)
# Our answers go on an SA the peer knows.
check st sectun sa set st4 out spi 0x1104 current
check reserve 0x2804 30000
check_eq "reserving twice" "error 17 (EEXIST): this inbound SPI is reserved already" \
	"$(reserve 0x2804 5000 2>&1)"
check_eq "a reservation is no SA" 0 "$(st sectun -j sa show st4 | jget "sum(s['spi'] == 0x2804 for s in j)")"
check_eq "another tunnel's SA cannot take a reserved SPI" \
	"error 17 (EEXIST): this inbound SPI is reserved by another tunnel" \
	"$(genl new_sa ifname=str:st6 sa.spi=u32:0x2804 sa.dir=u8:0 sa.encr=u16:20 "sa.encr_key=raw:$k5" 2>&1)"
# A plain delete takes a reservation (before it runs out on a slow kernel).
check genl del_sa ifname=str:st4 sa.spi=u32:0x2804 sa.dir=u8:0
check_eq "reserving an SPI in use" \
	"error 17 (EEXIST): this inbound SPI is in use in the underlay namespace" \
	"$(reserve 0x2104 5000 2>&1)"
check_eq "reserving an outbound SPI" "error 22 (EINVAL): only an inbound SPI can be reserved" \
	"$(genl new_sa ifname=str:st4 sa.spi=u32:0x5555 sa.dir=u8:1 sa.pending_ms=u32:100 2>&1)"
check_eq "reserving with keys" "error 22 (EINVAL): a reserved SPI has no algorithms or keys" \
	"$(genl new_sa ifname=str:st4 sa.spi=u32:0x5555 sa.dir=u8:0 sa.pending_ms=u32:100 sa.encr=u16:20 2>&1)"
check_eq "reserving for too long" 1 "$(reserve 0x5555 30001 2>&1 | grep -c '^error 34 (ERANGE)')"
check_eq "reserving with more than SPI, direction and protocol" \
	"error 22 (EINVAL): a reserved SPI takes only SPI, direction and protocol" \
	"$(genl new_sa ifname=str:st4 sa.spi=u32:0x5555 sa.dir=u8:0 sa.pending_ms=u32:100 sa.hard_seconds=u32:9 2>&1)"
check_eq "a delete for a reservation never takes an outbound SA" \
	"error 22 (EINVAL): only an inbound SPI can be reserved" \
	"$(genl del_sa ifname=str:st4 sa.spi=u32:0x1104 sa.dir=u8:1 sa.pending_ms=u32:1 2>&1)"
check_eq "the outbound SA is still there" 1 "$(st sectun -j sa show st4 out | jget "sum(s['spi'] == 0x1104 for s in j)")"
check st ip xfrm state add src 10.0.0.2 dst 10.0.0.1 proto esp spi 0x9999 mode tunnel \
	aead 'rfc4106(gcm(aes))' "0x$k5" 128
check_eq "an SPI native xfrm uses cannot be reserved" \
	"error 17 (EEXIST): this inbound SPI is in use in the underlay namespace" "$(reserve 0x9999 1000 2>&1)"
check st ip xfrm state delete src 10.0.0.2 dst 10.0.0.1 proto esp spi 0x9999
before=$(invalid_spi)
check reserve 0x2304 20000
xf_to 0x2304 "$k5"
xf ping -c 5 -i 0.1 -W 5 -q -I 192.168.4.1 192.168.1.4 > /tmp/held.txt 2>&1 &
held=$!
sleep 1.5
check st sectun sa add st4 in spi 0x2304 enc aes-gcm-128 key "$k5"
wait $held
check_eq "held packets answered once the SA came" 5 "$(sed -n 's/.* \([0-9]*\) received.*/\1/p' /tmp/held.txt)"
check_eq "the new SA took the held packets" 5 \
	"$(st sectun -j sa show st4 in spi 0x2304 | jget "j[0]['stats']['packets']")"
check_eq "none counted as invalid SPI" "$before" "$(invalid_spi)"
# A reservation that runs out drops what it held, counted; a full one
# holds 32 packets and counts the rest.
xf_to 0x2404 "$k6"
check reserve 0x2404 300
xf ping -c 3 -i 0.05 -W 1 -q -I 192.168.4.1 192.168.1.4 > /dev/null 2>&1
sleep 0.5
check_eq "an expired reservation's packets counted as invalid SPI" $((before + 3)) "$(invalid_spi)"
check reserve 0x2504 20000
xf_to 0x2504 "$k7"
xf ping -c 40 -i 0.01 -W 1 -q -I 192.168.4.1 192.168.1.4 > /dev/null 2>&1
check_eq "a reservation holds 32 packets" $((before + 3 + 8)) "$(invalid_spi)"
check genl del_sa ifname=str:st4 sa.spi=u32:0x2504 sa.dir=u8:0 sa.pending_ms=u32:1
check_eq "its delete drops them, counted" $((before + 3 + 40)) "$(invalid_spi)"
check_eq "deleting a reservation that is not there" \
	"error 2 (ENOENT): no such reserved SPI on the device" \
	"$(genl del_sa ifname=str:st4 sa.spi=u32:0x2504 sa.dir=u8:0 sa.pending_ms=u32:1 2>&1)"
# The device going takes its reservations with it.
check reserve 0x2604 20000
check reserve 0x2704 20000
ip -n st link del st4
pass "a device with reservations deleted"
finish
