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

hexkey() { head -c "$1" /dev/urandom | od -An -v -tx1 | tr -d ' \n'; }

# ipsec_sa_pair TUNNEL SECTUN_ALG_ARGS XFRM_ALG_ARGS [EXTRA_SECTUN] [EXTRA_XFRM]
# Installs SPI 0x1TTT (st -> xf) and 0x2TTT (xf -> st) on both sides. The
# algorithm argument strings contain @EKEY@ and @AKEY@ placeholders
# filled with the same keys on both sides.
ipsec_sa_pair() {
	local t=$1 st_alg=$2 xf_alg=$3 st_extra=${4:-} xf_extra=${5:-}
	local out_spi=$((0x1000 + t)) in_spi=$((0x2000 + t)) dir spi src dst
	for dir in out in; do
		local ekey akey
		ekey=$(hexkey "$EKEY_BYTES")
		akey=$(hexkey "${AKEY_BYTES:-0}")
		local s=${st_alg//@EKEY@/$ekey} x=${xf_alg//@EKEY@/$ekey}
		s=${s//@AKEY@/$akey}
		x=${x//@AKEY@/$akey}
		if [[ $dir == out ]]; then
			spi=$out_spi src=${ST_OUTER[$t]} dst=${XF_OUTER[$t]}
		else
			spi=$in_spi src=${XF_OUTER[$t]} dst=${ST_OUTER[$t]}
		fi
		# shellcheck disable=SC2086
		st sectun sa add "st$t" "$dir" spi "$spi" $s $st_extra || return 1
		# shellcheck disable=SC2086
		eval xf ip xfrm state add src "$src" dst "$dst" proto esp spi "$spi" \
			reqid "$t" mode tunnel if_id "$t" flag af-unspec $x $xf_extra || return 1
	done
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
	if ip netns exec "$from" ping -c 2 -i 0.2 -W 2 -I "$src" "$dst" > /dev/null 2>&1; then
		pass "$what"
	else
		fail "$what: ping $src -> $dst"
	fi
}

# tcp_check WHAT FROM(st|xf) TUNNEL FAMILY BYTES: content must arrive intact.
tcp_check() {
	local what=$1 from=$2 t=$3 fam=$4 bytes=$5 to src dst got sent
	if [[ $from == st ]]; then
		to=xf src=${ST_INNER[$t,$fam]} dst=${XF_INNER[$t,$fam]}
	else
		to=st src=${XF_INNER[$t,$fam]} dst=${ST_INNER[$t,$fam]}
	fi
	ip netns exec "$to" "$PY" "$SRCDIR/selftests/tcp_xfer.py" serve "$dst" 5001 > /tmp/xfer.$$ 2>&1 &
	local server=$!
	sleep 0.5
	sent=$(ip netns exec "$from" "$PY" "$SRCDIR/selftests/tcp_xfer.py" send "$dst" 5001 "$bytes" 2>&1)
	wait "$server"
	got=$(cat /tmp/xfer.$$)
	rm -f /tmp/xfer.$$
	if [[ -n $sent && $sent == "$got" ]]; then
		pass "$what"
	else
		fail "$what: sent '$sent', received '$got'"
	fi
}
