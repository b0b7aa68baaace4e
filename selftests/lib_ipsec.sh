#!/bin/bash
# Two hosts for interop tests: "st" runs sectun, "xf" runs Linux xfrm with
# xfrm interfaces. Two tunnels: st4/ipsec4 over an IPv4 underlay and
# st6/ipsec6 over IPv6, each carrying IPv4 and IPv6 inside.
#
#   underlay  10.0.0.1 / fd00::1 (st)  <-veth->  10.0.0.2 / fd00::2 (xf)
#   inner     st: 192.168.1.4, fd01::4 via st4; 192.168.1.6, fd01::6 via st6
#             xf: 192.168.4.1, fd04::1 (via ipsec4); 192.168.6.1, fd06::1 (ipsec6)

# Inner addresses of each side, by tunnel and inner family.
declare -A ST_INNER=([4,4]=192.168.1.4 [4,6]=fd01::4 [6,4]=192.168.1.6 [6,6]=fd01::6)
declare -A XF_INNER=([4,4]=192.168.4.1 [4,6]=fd04::1 [6,4]=192.168.6.1 [6,6]=fd06::1)
declare -A ST_OUTER=([4]=10.0.0.1 [6]=fd00::1)
declare -A XF_OUTER=([4]=10.0.0.2 [6]=fd00::2)

st() { ip netns exec st "$@"; }
xf() { ip netns exec xf "$@"; }

ipsec_topology() {
	load_sectun
	modprobe -a xfrm_interface esp4 esp6 xfrm_user 2>/dev/null
	netns_add st
	netns_add xf
	ip link add veth-st netns st type veth peer veth-xf netns xf
	ip -n st addr add 10.0.0.1/24 dev veth-st
	ip -n xf addr add 10.0.0.2/24 dev veth-xf
	ip -n st addr add fd00::1/64 dev veth-st nodad
	ip -n xf addr add fd00::2/64 dev veth-xf nodad
	ip -n st link set veth-st up
	ip -n xf link set veth-xf up

	local t
	for t in 4 6; do
		ip -n st addr add "${ST_INNER[$t,4]}/32" dev lo
		ip -n st addr add "${ST_INNER[$t,6]}/128" dev lo nodad
		ip -n xf addr add "${XF_INNER[$t,4]}/32" dev lo
		ip -n xf addr add "${XF_INNER[$t,6]}/128" dev lo nodad

		ip -n st link add "st$t" type sectun
		st sectun set "st$t" local "${ST_OUTER[$t]}" remote "${XF_OUTER[$t]}"
		# No link-local address, so no router solicitations or MLD
		# reports to muddle the counters.
		ip -n st link set "st$t" addrgenmode none
		ip -n st link set "st$t" up
		ip -n st route add "${XF_INNER[$t,4]}/32" dev "st$t" src "${ST_INNER[$t,4]}"
		ip -n st -6 route add "${XF_INNER[$t,6]}/128" dev "st$t" src "${ST_INNER[$t,6]}"

		ip -n xf link add "ipsec$t" type xfrm dev veth-xf if_id "$t"
		ip -n xf link set "ipsec$t" up
		ip -n xf route add "${ST_INNER[$t,4]}/32" dev "ipsec$t" src "${XF_INNER[$t,4]}"
		ip -n xf -6 route add "${ST_INNER[$t,6]}/128" dev "ipsec$t" src "${XF_INNER[$t,6]}"
		local sel dir
		for sel in "0.0.0.0/0" "::/0"; do
			for dir in out in fwd; do
				local src=${ST_OUTER[$t]} dst=${XF_OUTER[$t]}
				[[ $dir == out ]] && { src=${XF_OUTER[$t]}; dst=${ST_OUTER[$t]}; }
				xf ip xfrm policy add src "$sel" dst "$sel" dir "$dir" \
					tmpl src "$src" dst "$dst" proto esp reqid "$t" mode tunnel \
					if_id "$t"
			done
		done
	done
	# Let the links come up.
	xf ping -c 1 -W 3 10.0.0.1 > /dev/null 2>&1
	xf ping -6 -c 1 -W 3 fd00::1 > /dev/null 2>&1
}

# hexkey VAR BYTES: random hex without spawning a process (keys only
# need to match on both sides here).
hexkey() {
	local -n _out=$1
	local i
	_out=
	for ((i = 0; i < $2; i++)); do
		printf -v _out '%s%02x' "$_out" $((SRANDOM & 255))
	done
}

# ipsec_sa_pair TUNNEL SECTUN_ALG_ARGS XFRM_ALG_ARGS [EXTRA_SECTUN] [EXTRA_XFRM]
# Installs SPI 0x1TTT (st -> xf) and 0x2TTT (xf -> st) on both sides. The
# algorithm argument strings contain @EKEY@ and @AKEY@ placeholders
# filled with the same keys on both sides.
ipsec_sa_pair() {
	local t=$1 st_alg=$2 xf_alg=$3 st_extra=${4:-} xf_extra=${5:-}
	local out_spi=$((0x1000 + t)) in_spi=$((0x2000 + t)) dir spi src dst
	local batch=
	for dir in out in; do
		local ekey akey s x
		hexkey ekey "$EKEY_BYTES"
		hexkey akey "${AKEY_BYTES:-0}"
		s=${st_alg//@EKEY@/$ekey} x=${xf_alg//@EKEY@/$ekey}
		s=${s//@AKEY@/$akey}
		x=${x//@AKEY@/$akey}
		if [[ $dir == out ]]; then
			spi=$out_spi src=${ST_OUTER[$t]} dst=${XF_OUTER[$t]}
		else
			spi=$in_spi src=${XF_OUTER[$t]} dst=${ST_OUTER[$t]}
		fi
		# shellcheck disable=SC2086
		st sectun sa add "st$t" "$dir" spi "$spi" $s $st_extra || return 1
		batch+="xfrm state add src $src dst $dst proto ${XPROTO:-esp} spi $spi reqid $t"
		batch+=" mode tunnel if_id $t flag af-unspec $x $xf_extra"$'\n'
	done
	ip -n xf -batch - <<< "$batch" || return 1
}

ipsec_flush() {
	st sectun sa flush st4
	st sectun sa flush st6
	xf ip xfrm state flush
}

# ping_check WHAT FROM(st|xf) TUNNEL FAMILY
ping_check() {
	local what=$1 from=$2 t=$3 fam=$4 src dst
	if [[ $from == st ]]; then
		src=${ST_INNER[$t,$fam]} dst=${XF_INNER[$t,$fam]}
	else
		src=${XF_INNER[$t,$fam]} dst=${ST_INNER[$t,$fam]}
	fi
	if ip netns exec "$from" ping -c 1 -W 2 -I "$src" "$dst" > /dev/null 2>&1; then
		pass "$what"
	else
		fail "$what: ping $src -> $dst"
	fi
}

# A stream server in both namespaces, for tcp_check.
tcp_servers() {
	local ns pid
	for ns in st xf; do
		ip netns exec "$ns" "$PY" "$SRCDIR/selftests/tcp_xfer.py" serve 5001 &
		pid=$!
		at_exit "kill $pid"
		for _ in $(seq 50); do
			[[ -e /tmp/tcp_xfer.ready.$pid ]] && break
			sleep 0.1
		done
	done
}

# tcp_check WHAT FROM(st|xf) BYTES DST...: streams from FROM to each DST
# must arrive intact (needs tcp_servers).
tcp_check() {
	local what=$1 from=$2 bytes=$3 out
	shift 3
	if out=$(ip netns exec "$from" "$PY" "$SRCDIR/selftests/tcp_xfer.py" check 5001 "$bytes" "$@" 2>&1); then
		pass "$what"
	else
		fail "$what: $out"
	fi
}

# The ESP algorithms of the interop matrix: NAME|SECTUN ARGS|XFRM ARGS|KEY BYTES|AUTH KEY BYTES
esp_aead_algs() {
	local bits icv
	for bits in 128 192 256; do
		for icv in 16 12 8; do
			echo "aes${bits}gcm${icv}|enc aes${bits}gcm${icv} key @EKEY@|aead 'rfc4106(gcm(aes))' 0x@EKEY@ $((icv * 8))|$((bits / 8 + 4))|0"
		done
		echo "aes${bits}gmac|enc aes-gmac-${bits} key @EKEY@|aead 'rfc4543(gcm(aes))' 0x@EKEY@ 128|$((bits / 8 + 4))|0"
	done
	echo "chacha20-poly1305|enc chacha20-poly1305 key @EKEY@|aead 'rfc7539esp(chacha20,poly1305)' 0x@EKEY@ 128|36|0"
}

esp_cbc_algs() {
	local integ bits spec
	# sectun name, kernel hmac, key bytes, truncation bits
	for spec in "hmac-md5-96 md5 16 96" "hmac-sha1-96 sha1 20 96" \
		    "hmac-sha-256-128 sha256 32 128" "sha384 sha384 48 192" \
		    "sha512 sha512 64 256"; do
		set -- $spec
		local auth="auth $1 key @AKEY@" xauth="auth-trunc 'hmac($2)' 0x@AKEY@ $4"
		for bits in 128 192 256; do
			echo "aes${bits}-$1|enc aes-${bits}-cbc key @EKEY@ $auth|enc 'cbc(aes)' 0x@EKEY@ $xauth|$((bits / 8))|$3"
		done
		echo "3des-$1|enc 3des key @EKEY@ $auth|enc 'cbc(des3_ede)' 0x@EKEY@ $xauth|24|$3"
		echo "null-$1|enc null $auth|enc 'ecb(cipher_null)' '' $xauth|0|$3"
	done
}

# Every algorithm in $1 (a list from the functions above), each over both
# tunnels (IPv4 and IPv6 underlay) with IPv4 and IPv6 inside: ping both
# ways and a verified TCP stream, alternating its direction.
esp_interop_matrix() {
	local name s x t f
	tcp_servers
	while IFS='|' read -r name s x EKEY_BYTES AKEY_BYTES; do
		for t in 4 6; do
			ipsec_sa_pair "$t" "$s" "$x" || { fail "$name: installing SAs"; continue 2; }
		done
		# Pings both ways and streams both ways over all four mixes, at once.
		local jobs=()
		for t in 4 6; do
			for f in 4 6; do
				ping_check "$name v$f-in-v$t ping" st "$t" "$f" > "/tmp/ping.$t$f" &
				jobs+=($!)
			done
		done
		tcp_check "$name tcp xf->st" xf 65536 "${ST_INNER[4,4]}" "${ST_INNER[4,6]}" \
			"${ST_INNER[6,4]}" "${ST_INNER[6,6]}" > /tmp/tcp.xf &
		jobs+=($!)
		tcp_check "$name tcp st->xf" st 65536 "${XF_INNER[4,4]}" "${XF_INNER[4,6]}" \
			"${XF_INNER[6,4]}" "${XF_INNER[6,6]}"
		wait "${jobs[@]}"
		collect_results /tmp/ping.44 /tmp/ping.46 /tmp/ping.64 /tmp/ping.66 /tmp/tcp.xf
		ipsec_flush
	done <<< "$1"
}

# Slab allocations by sectun.ko, traced while packets pass: the trace
# events of kmalloc and kmem_cache_alloc name their caller.
ALLOC_TRACE=/sys/kernel/tracing
alloc_trace() { # 1|0: tracing starts afresh, or stops
	[[ -d $ALLOC_TRACE/events ]] || mount -t tracefs nodev "$ALLOC_TRACE" 2> /dev/null
	if [[ $1 == 1 ]]; then
		echo 8192 > "$ALLOC_TRACE/buffer_size_kb"
		echo 0 > "$ALLOC_TRACE/options/overwrite"	# full: new events dropped, counted
		echo > "$ALLOC_TRACE/trace"
	fi
	echo "$1" > "$ALLOC_TRACE/events/kmem/kmalloc/enable"
	echo "$1" > "$ALLOC_TRACE/events/kmem/kmem_cache_alloc/enable"
	[[ $1 == 1 ]] || echo 1 > "$ALLOC_TRACE/options/overwrite"
}
# alloc_check WHAT PACKETS: none of the traced allocations was sectun's,
# of more than PACKETS seen (else the trace saw nothing, and proves nothing).
alloc_check() {
	local ours allocs
	ours=$(grep -c 'call_site=.*\[sectun\]' "$ALLOC_TRACE/trace")
	allocs=$(grep -c 'call_site=' "$ALLOC_TRACE/trace")
	log "$1: $ours of $allocs slab allocations by sectun, over $2 packets sent"
	((allocs > $2)) || fail "$1: the allocation trace saw only $allocs allocations"
	check_eq "$1: no allocation event lost to a full trace buffer" "" \
		"$(grep -hE '^(overrun|commit overrun|dropped events): [1-9]' "$ALLOC_TRACE"/per_cpu/cpu*/stats)"
	check_eq "$1: sectun allocated nothing per packet" 0 "$ours"
	grep 'call_site=.*\[sectun\]' "$ALLOC_TRACE/trace" | sed 's/^.*call_site=/# /' |
		sort | uniq -c | head -n 5
}
