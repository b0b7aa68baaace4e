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

count=1500
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
finish
