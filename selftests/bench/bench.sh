#!/bin/bash
# "make bench": st0 against an xfrm interface with the same algorithm, in
# the same VM and run, interleaved: TCP single-flow throughput and 64-byte
# UDP packet rate, median of RUNS with the spread; then the time to add
# 100,000 SAs and the throughput with them installed.
source "$(dirname "$0")/../lib.sh"

# "make bench RUNS=5 PARTS=sas ..." reaches the guest through this file.
[[ -r $SRCDIR/build/bench.env ]] && source "$SRCDIR/build/bench.env"
RUNS=${RUNS:-3}
SECS=${SECS:-4}
NSAS=${NSAS:-100000}
# Which parts: tput (TCP and UDP per algorithm), sel (1,000 selectors),
# sas (NSAS SAs), ike (IKE_SA setups a second, sectun-iked against
# charon as responder); all by default.
PARTS=${PARTS:-tput sel sas ike}
NIKE=${NIKE:-200}	# IKE SAs per run of the ike part
JIKE=${JIKE:-16}	# of them in setup at once
part() { [[ " $PARTS " == *" $1 "* ]]; }

load_sectun
modprobe -a xfrm_interface esp4 xfrm_user
netns_add ba
netns_add bb
A() { ip netns exec ba "$@"; }
B() { ip netns exec bb "$@"; }

ip link add veth-a netns ba type veth peer veth-b netns bb
# sectun and xfrm get their own underlay addresses: sectun claims all ESP
# between its tunnel's endpoints.
ip -n ba addr add 10.9.0.1/24 dev veth-a
ip -n ba addr add 10.9.1.1/24 dev veth-a
ip -n bb addr add 10.9.0.2/24 dev veth-b
ip -n bb addr add 10.9.1.2/24 dev veth-b
ip -n ba link set veth-a up
ip -n bb link set veth-b up
ip -n ba addr add 172.16.1.1/32 dev lo
ip -n bb addr add 172.16.2.1/32 dev lo
ip -n ba addr add 172.17.1.1/32 dev lo
ip -n bb addr add 172.17.2.1/32 dev lo

for side in a b; do
	ns=b$side
	if [[ $side == a ]]; then l=1 r=2; else l=2 r=1; fi
	ip -n $ns link add st0 type sectun
	ip netns exec $ns sectun set st0 local 10.9.0.$l remote 10.9.0.$r
	ip -n $ns link set st0 addrgenmode none
	ip -n $ns link set st0 up
	ip -n $ns route add 172.16.$r.1/32 dev st0 src 172.16.$l.1
	ip -n $ns link add ipsec0 type xfrm dev veth-$side if_id 7
	ip -n $ns link set ipsec0 up
	ip -n $ns route add 172.17.$r.1/32 dev ipsec0 src 172.17.$l.1
	for dir in out in; do
		if [[ $dir == out ]]; then s=10.9.1.$l d=10.9.1.$r; else s=10.9.1.$r d=10.9.1.$l; fi
		ip -n $ns xfrm policy add src 0.0.0.0/0 dst 0.0.0.0/0 dir $dir \
			tmpl src $s dst $d proto esp reqid 7 mode tunnel if_id 7
	done
done

# install ALG XALG [POLICY]: the same keys for st0 (sectun both ends) and
# ipsec0 (xfrm); with POLICY, ba's st0 SAs serve that selector.
install() {
	local sname=$1 xalg=$2 pol=${3:+policy $3} k1 k2
	k1=$(head -c 36 /dev/urandom | od -An -v -tx1 | tr -d ' \n')
	k2=$(head -c 36 /dev/urandom | od -An -v -tx1 | tr -d ' \n')
	[[ $sname == aes-gcm-128 ]] && { k1=${k1:0:40}; k2=${k2:0:40}; }
	A sectun sa flush st0; B sectun sa flush st0
	A ip xfrm state flush; B ip xfrm state flush
	A sectun sa add st0 out spi 0x101 enc "$sname" key "$k1" $pol
	B sectun sa add st0 in spi 0x101 enc "$sname" key "$k1"
	B sectun sa add st0 out spi 0x102 enc "$sname" key "$k2"
	A sectun sa add st0 in spi 0x102 enc "$sname" key "$k2" $pol
	local ns
	for ns in ba bb; do
		ip -n $ns xfrm state add src 10.9.1.1 dst 10.9.1.2 proto esp spi 0x201 reqid 7 \
			mode tunnel if_id 7 aead "$xalg" "0x$k1" 128
		ip -n $ns xfrm state add src 10.9.1.2 dst 10.9.1.1 proto esp spi 0x202 reqid 7 \
			mode tunnel if_id 7 aead "$xalg" "0x$k2" 128
	done
}

B iperf3 -s -D -1 > /dev/null 2>&1
iperf_server() { B iperf3 -s -D > /dev/null 2>&1; sleep 0.5; }
B pkill iperf3; iperf_server
at_exit "ip netns exec bb pkill iperf3"

# tcp SRC DST -> Mbit/s received
tcp() {
	A iperf3 -c "$2" -B "$1" -t "$SECS" -J 2>/dev/null |
		"$PY" -c 'import json,sys; print("%.1f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e6))'
}
# udp SRC DST -> thousand 64-byte packets per second received
udp() {
	A iperf3 -c "$2" -B "$1" -u -l 64 -b 0 -t "$SECS" -J 2>/dev/null |
		"$PY" -c 'import json,sys; s = json.load(sys.stdin)["end"]["sum"]; print("%.1f" % ((s["packets"] - s["lost_packets"]) / s["seconds"] / 1e3))'
}
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
spread() { printf '%s\n' "$@" | sort -g | awk 'NR == 1 {lo = $1} {hi = $1} END {printf "%s-%s", lo, hi}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

results=()
row() { results+=("$(printf '%-34s %12s %-15s %12s %-15s %6s' "$@")"); }

compare() { # LABEL KIND(tcp|udp) UNIT
	local st=() xf=() i
	for ((i = 0; i < RUNS; i++)); do
		st+=("$($2 172.16.1.1 172.16.2.1)")
		xf+=("$($2 172.17.1.1 172.17.2.1)")
	done
	local ms mx
	ms=$(median "${st[@]}") mx=$(median "${xf[@]}")
	row "$1 ($3)" "$ms" "($(spread "${st[@]}"))" "$mx" "($(spread "${xf[@]}"))" "$(ratio "$ms" "$mx")"
	last_st=$ms last_st_spread=$(spread "${st[@]}")
	echo "# $1: st0 ${st[*]} / xfrm ${xf[*]}" >&2
}

part tput && for spec in "aes-gcm-128|rfc4106(gcm(aes))" "chacha20-poly1305|rfc7539esp(chacha20,poly1305)"; do
	install "${spec%%|*}" "${spec#*|}"
	A ping -c 1 -W 2 -I 172.16.1.1 172.16.2.1 > /dev/null || fail "st0 path down"
	A ping -c 1 -W 2 -I 172.17.1.1 172.17.2.1 > /dev/null || fail "xfrm path down"
	compare "TCP, ${spec%%|*}" tcp "Mbit/s"
	compare "UDP 64 B, ${spec%%|*}" udp "kpps"
	[[ ${spec%%|*} == aes-gcm-128 ]] && { udp_none=$last_st udp_none_spread=$last_st_spread; }
done

# 1,000 selectors on ba's tunnel, each a remote /24 of its own, the one the
# traffic matches configured last (a linear scan's worst case); xfrm gets
# the same 999 extra policies in front of its catch-all.
NSEL=${NSEL:-1000}
if part sel; then
A bash -c "for ((i = 1; i < $NSEL; i++)); do
	sectun policy add st0 local 172.16.1.1/32 remote 172.\$((20 + i / 256)).\$((i % 256)).0/24 || exit 1
done" || fail "adding selectors"
A sectun policy add st0 local 172.16.1.1/32 remote 172.16.2.1/32
xfrm_policies() { # add|delete
	awk -v n="$NSEL" -v verb="$1" 'BEGIN { for (i = 1; i < n; i++) {
		printf "xfrm policy %s src 172.17.1.1/32 dst 172.%d.%d.0/24 dir out", verb, 20 + int(i / 256), i % 256
		if (verb == "add") printf " tmpl src 10.9.1.1 dst 10.9.1.2 proto esp reqid 7 mode tunnel"
		printf " if_id 7\n" } }' | ip -n ba -batch -
}
xfrm_policies add || fail "adding xfrm policies"
install aes-gcm-128 "rfc4106(gcm(aes))" "$NSEL"
A ping -c 1 -W 2 -I 172.16.1.1 172.16.2.1 > /dev/null || fail "st0 path down with selectors"
compare "UDP 64 B, $NSEL selectors" udp "kpps"
row "st0 UDP, $NSEL selectors vs none" "$last_st" "($last_st_spread)" "$udp_none" "($udp_none_spread)" "$(ratio "$last_st" "$udp_none")"
A sectun policy flush st0
xfrm_policies delete
fi

# 100,000 SAs: the time to add them, and the datapath with them in place.
if part sas; then
netns_add bc
ip -n bc link add st9 type sectun
ip netns exec bc sectun set st9 local 10.9.9.1 remote 10.9.9.2
st_add=$(ip netns exec bc "$SRCDIR/build/bench/sa_flood" add st9 "$NSAS" 0x100000)
echo "# st0: $NSAS SAs added in $st_add s" >&2
awk -v n="$NSAS" 'BEGIN { for (i = 0; i < n; i++)
	printf "xfrm state add src 10.9.9.2 dst 10.9.9.1 proto esp spi %d mode tunnel aead rfc4106(gcm(aes)) 0x0102030405060708090a0b0c0d0e0f1011121314 128\n", 0x100000 + i }' > /tmp/xfrm.batch
t0=$(date +%s.%N)
ip -n bc -batch /tmp/xfrm.batch
xf_add=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }')
rm -f /tmp/xfrm.batch
echo "# xfrm: $NSAS states added in $xf_add s" >&2
row "add $NSAS SAs (s, lower is better)" "$st_add" "" "$xf_add" "" "$(ratio "$xf_add" "$st_add")"

install aes-gcm-128 "rfc4106(gcm(aes))"
one=()
for ((i = 0; i < RUNS; i++)); do one+=("$(tcp 172.16.1.1 172.16.2.1)"); done
B "$SRCDIR/build/bench/sa_flood" add st0 "$NSAS" 0x100000 > /dev/null
many=()
for ((i = 0; i < RUNS; i++)); do many+=("$(tcp 172.16.1.1 172.16.2.1)"); done
m1=$(median "${one[@]}") m2=$(median "${many[@]}")
row "TCP with $NSAS SAs vs 1 (Mbit/s)" "$m2" "($(spread "${many[@]}"))" "$m1" "($(spread "${one[@]}"))" "$(ratio "$m2" "$m1")"
fi

# IKE_SA establishment as responder: the same initiator (build/bench/
# ike_load, sectun-iked's engine without a kernel) against sectun-iked
# (child SAs into st0) and charon (into xfrm), interleaved. PSK, ECP-256,
# one child SA each; COOKIE thresholds raised on both, as the load comes
# from one address.
if part ike; then
source "$SRCDIR/selftests/lib_ike.sh"
mkdir -p "$IKE_DIR"
netns_add il
netns_add st
netns_add sw
ip link add veth-il netns il type veth peer veth-st netns st
ip link add veth-il2 netns il type veth peer veth-sw netns sw
ip -n il addr add 10.8.0.1/24 dev veth-il
ip -n st addr add 10.8.0.2/24 dev veth-st
ip -n il addr add 10.8.1.1/24 dev veth-il2
ip -n sw addr add 10.8.1.2/24 dev veth-sw
for l in "il veth-il" "il veth-il2" "st veth-st" "sw veth-sw"; do ip -n ${l% *} link set ${l#* } up; done
ip -n st link add st0 type sectun
ip -n st link set st0 up
IKE_PSK="sectun bench secret"
cat > "$IKE_DIR/load-st.conf" <<-EOF2
	gateways = ( { name = "r"; address = "10.8.0.2"; local-address = "10.8.0.1";
		psk = "$IKE_PSK"; proposals = "aes128gcm16-prfsha256-ecp256"; } );
	vpns = ( { name = "v"; gateway = "r"; bind-interface = "st0"; proposals = "aes128gcm16"; } );
	EOF2
sed 's/10.8.0/10.8.1/g' "$IKE_DIR/load-st.conf" > "$IKE_DIR/load-sw.conf"
cat > "$IKE_DIR/resp.conf" <<-EOF2
	control-socket = "$IKE_DIR/iked.sock";
	log-level = "warning";
	limits = { cookie-threshold = 100000; cookie-threshold-per-address = 100000;
		half-open-per-address = 100000; };
	gateways = ( { name = "ld"; address = "10.8.0.1"; local-address = "10.8.0.2";
		psk = "$IKE_PSK"; proposals = "aes128gcm16-prfsha256-ecp256"; } );
	vpns = ( { name = "v"; gateway = "ld"; bind-interface = "st0"; proposals = "aes128gcm16";
		establish-tunnels = "responder-only"; } );
	EOF2
CHARON_OPTS="cookie_threshold = 100000
		cookie_threshold_ip = 100000
		block_threshold = 100000"
sw_start_bench() {
	SW_ADDR=10.8.1.2 ST_ADDR=10.8.1.1 charon_start "$(SW_ADDR=10.8.1.2 ST_ADDR=10.8.1.1 \
		swanctl_conf_text aes128gcm16-prfsha256-ecp256 psk "local_ts = 0.0.0.0/0
			remote_ts = 0.0.0.0/0
			esp_proposals = aes128gcm16" "$IKE_PSK")"
}
sw_start_bench
# load CONF: one run of the initiator; its line to the log, the rate out.
load() {
	local out
	out=$(ip netns exec il "$SRCDIR/build/bench/ike_load" -f "$1" -n "$NIKE" -j "$JIKE")
	echo "# $(date +%T) $1: $out" >&2
	"$PY" -c 'import re,sys; m = re.search(r": ([0-9.]+)/s", sys.argv[1]); print(m.group(1) if m else 0)' "$out"
}
ike_st=() ike_sw=()
for ((i = 0; i < RUNS; i++)); do
	ip netns exec st sectun-iked -f "$IKE_DIR/resp.conf" 2> "$IKE_DIR/resp.log" &
	resp=$!
	wait_for "responder" 10 test -S "$IKE_DIR/iked.sock" || { cat "$IKE_DIR/resp.log" >&2; fail "sectun-iked did not start"; }
	ike_st+=("$(load "$IKE_DIR/load-st.conf")")
	kill "$resp"; wait "$resp" 2>/dev/null
	tail -n 3 "$IKE_DIR/resp.log" | sed 's/^/# responder: /' >&2
	ip netns exec st sectun sa flush st0
	ike_sw+=("$(load "$IKE_DIR/load-sw.conf")")
	# Restarted rather than cleared: terminating 200 IKE SAs one by one is slow.
	pkill -f /usr/lib/ipsec/charon; sleep 0.5; rm -f /var/run/charon.pid /var/run/charon.vici
	sw ip xfrm state flush; sw ip xfrm policy flush
	((i + 1 < RUNS)) && sw_start_bench
	echo "# IKE_SA setups/s, run $i: sectun-iked ${ike_st[-1]}, charon ${ike_sw[-1]}" >&2
done
ms=$(median "${ike_st[@]}") mx=$(median "${ike_sw[@]}")
row "IKE_SA/s as responder vs charon" "$ms" "($(spread "${ike_st[@]}"))" "$mx" \
	"($(spread "${ike_sw[@]}"))" "$(ratio "$ms" "$mx")"
fi

echo
echo "sectun benchmark: $(nproc) vCPUs, $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
printf '%-34s %12s %-15s %12s %-15s %6s\n' "" "st0" "(spread)" "xfrmi" "(spread)" "ratio"
printf '%s\n' "${results[@]}"
echo "(median of $RUNS runs of ${SECS}s each, st0 and xfrm interleaved; the \"vs\" rows compare st0 with itself)"
finish
