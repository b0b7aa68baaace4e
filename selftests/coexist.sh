#!/bin/bash
# sectun and native xfrm side by side on one host, to the same peer: st4
# (sectun) and an xfrm interface tunnel (xfrm9, its own SAs) both run
# between 10.0.0.1 and 10.0.0.2. ESP whose SPI sectun does not own goes on
# down the handler chain to xfrm, whoever sent it; traffic flows through
# both tunnels at once and each SA counts its own packets. Only an SPI
# neither knows is counted as "invalid SPI" on st4 (and xfrm drops it).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_ipsec.sh"

ipsec_topology
EKEY_BYTES=20
ipsec_sa_pair 4 "enc aes128gcm16 key @EKEY@" "aead 'rfc4106(gcm(aes))' 0x@EKEY@ 128" ||
	fail "installing st4's SAs"

# The xfrm tunnel at st's end, and its twin at xf's: inner 192.168.9.4 <-> 192.168.19.1.
ip -n st addr add 192.168.9.4/32 dev lo
ip -n xf addr add 192.168.19.1/32 dev lo
ip -n st link add xfrm9 type xfrm dev veth-st if_id 9
ip -n st link set xfrm9 up
ip -n st route add 192.168.19.1/32 dev xfrm9 src 192.168.9.4
ip -n xf link add ipsec9 type xfrm dev veth-xf if_id 9
ip -n xf link set ipsec9 up
ip -n xf route add 192.168.9.4/32 dev ipsec9 src 192.168.19.1
hexkey k1 20
hexkey k2 20
for ns in st xf; do
	if [[ $ns == st ]]; then me=10.0.0.1 peer=10.0.0.2; else me=10.0.0.2 peer=10.0.0.1; fi
	for dir in out in fwd; do
		src=$peer dst=$me
		[[ $dir == out ]] && { src=$me; dst=$peer; }
		ip -n $ns xfrm policy add src 0.0.0.0/0 dst 0.0.0.0/0 dir $dir \
			tmpl src "$src" dst "$dst" proto esp reqid 9 mode tunnel if_id 9
	done
	ip -n $ns xfrm state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x9001 reqid 9 \
		mode tunnel if_id 9 aead 'rfc4106(gcm(aes))' "0x$k1" 128
	ip -n $ns xfrm state add src 10.0.0.2 dst 10.0.0.1 proto esp spi 0x9002 reqid 9 \
		mode tunnel if_id 9 aead 'rfc4106(gcm(aes))' "0x$k2" 128
done

# Both tunnels at once, each way.
st ping -q -c 20 -i 0.05 -W 2 -I 192.168.1.4 192.168.4.1 > /tmp/coexist.st4 2>&1 &
p1=$!
st ping -q -c 20 -i 0.05 -W 2 -I 192.168.9.4 192.168.19.1 > /tmp/coexist.xfrm9 2>&1 &
p2=$!
xf ping -q -c 20 -i 0.05 -W 2 -I 192.168.19.1 192.168.9.4 > /tmp/coexist.back 2>&1 &
p3=$!
wait $p1 && pass "through st4 (sectun)" || fail "through st4 (sectun): $(cat /tmp/coexist.st4)"
wait $p2 && pass "through xfrm9 (xfrm, same peer)" ||
	fail "through xfrm9 (xfrm, same peer): $(cat /tmp/coexist.xfrm9)"
wait $p3 && pass "into xfrm9 from the peer" || fail "into xfrm9 from the peer"

check_eq "sectun's inbound SA counted its own (20 echo replies)" 1 \
	"$(st sectun -j sa show st4 in spi 0x2004 | jget "int(j[0]['stats']['packets'] >= 20)")"
xfrm_in=$(st ip -s xfrm state get src 10.0.0.2 dst 10.0.0.1 proto esp spi 0x9002 |
	sed -n 's/.* \([0-9]*\)(packets).*/\1/p')
check_eq "xfrm's inbound SA counted its own (20 replies, 20 requests)" 1 \
	"$(( ${xfrm_in:-0} >= 40 ))"
check_eq "nothing of xfrm's counted as invalid SPI on st4" 0 \
	"$(st sectun -j stats st4 | jget "j[0]['stats']['invalid_spi']")"

# An SPI nobody has, from the peer: counted on st4, and xfrm saw it too.
nostate() { st awk '/XfrmInNoStates/ {print $2}' /proc/net/xfrm_stat 2>/dev/null; }
before=$(nostate)
hexkey k3 20
xf "$PY" "$SRCDIR/selftests/esp_craft.py" --src 10.0.0.2 --dst 10.0.0.1 --spi 0x7777 \
	--key "$k3" --inner-src 192.168.4.1 --inner-dst 192.168.1.4 good:1
sleep 0.5
check_eq "an SPI nobody owns: invalid SPI on st4" 1 \
	"$(st sectun -j stats st4 | jget "j[0]['stats']['invalid_spi']")"
# (The debug kernel is built without CONFIG_XFRM_STATISTICS.)
if [[ -n $before ]]; then
	check_eq "and handed on to xfrm, which has no state for it" 1 "$(($(nostate) - before))"
fi
finish
