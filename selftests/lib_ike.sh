#!/bin/bash
# Two hosts for IKE interop: "st" runs sectun-iked with st0, "sw" runs
# strongSwan's charon (configured with swanctl, policy-based xfrm).
#
#   underlay  10.0.0.1 (st)  <-veth->  10.0.0.2 (sw)
#   inner     st: 192.168.1.4, 192.168.2.4 (lo)   sw: 192.168.4.1, 192.168.5.1 (lo)
#
# charon reads /etc/netns/sw/strongswan.conf and swanctl.conf, which
# "ip netns exec sw" puts over /etc (writable overlay in the VM).

st() { ip netns exec st "$@"; }
sw() { ip netns exec sw "$@"; }

IKE_DIR=/tmp/ike
export SECTUN_IKED_SOCKET=$IKE_DIR/iked.sock

ike_topology() {
	load_sectun
	modprobe -a esp4 esp6 ah4 xfrm_user 2>/dev/null
	mkdir -p "$IKE_DIR"
	netns_add st
	netns_add sw
	ip link add veth-st netns st type veth peer veth-sw netns sw
	ip -n st addr add 10.0.0.1/24 dev veth-st
	ip -n sw addr add 10.0.0.2/24 dev veth-sw
	ip -n st link set veth-st up
	ip -n sw link set veth-sw up
	ip -n st link set lo up
	ip -n sw link set lo up
	ip -n st addr add 192.168.1.4/32 dev lo
	ip -n st addr add 192.168.2.4/32 dev lo
	ip -n sw addr add 192.168.4.1/32 dev lo
	ip -n sw addr add 192.168.5.1/32 dev lo
	ip -n st link add st0 type sectun
	ip -n st link set st0 addrgenmode none
	ip -n st link set st0 up
	ip -n st route add 192.168.4.0/24 dev st0 src 192.168.1.4
	ip -n st route add 192.168.5.0/24 dev st0 src 192.168.2.4
	# charon's policies pick the traffic up on its way out of veth-sw.
	ip -n sw route add 192.168.1.0/24 via 10.0.0.1 src 192.168.4.1
	ip -n sw route add 192.168.2.0/24 via 10.0.0.1 src 192.168.5.1
	sw ping -c 1 -W 3 10.0.0.1 > /dev/null 2>&1
}

# ike_underlay_v6: IPv6 on ike_topology's link (st fd00::1, sw fd00::2)
# and inside (st fd01::4 via st0, sw fd04::1).
ike_underlay_v6() {
	ip -n st addr add fd00::1/64 dev veth-st nodad
	ip -n sw addr add fd00::2/64 dev veth-sw nodad
	ip -n st addr add fd01::4/128 dev lo
	ip -n sw addr add fd04::1/128 dev lo
	ip -n st route add fd04::/64 dev st0 src fd01::4
	ip -n sw route add fd01::/64 via fd00::1 src fd04::1
}

# charon_start SWANCTL_CONF_TEXT: charon in sw with that swanctl.conf
# (and $CHARON_OPTS among its strongswan.conf settings).
charon_start() {
	mkdir -p /etc/netns/sw/swanctl
	cat > /etc/netns/sw/strongswan.conf <<-EOF
	charon {
		${CHARON_OPTS:-}
		load_modular = yes
		install_routes = no
		retransmit_timeout = 1.0
		retransmit_tries = 3
		filelog {
			sw {
				path = $IKE_DIR/charon.log
				time_format = %T
				time_add_ms = yes
				default = 1
				ike = 2
				cfg = 2
				knl = 1
				flush_line = yes
			}
		}
		plugins {
			include /etc/strongswan.d/charon/*.conf
		}
	}
	include /etc/strongswan.d/*.conf
	EOF
	# Not through sw(): "ip netns exec" execs charon, so $! is charon.
	ip netns exec sw /usr/lib/ipsec/charon > /dev/null 2>&1 &
	at_exit "charon_stop $!"
	local i
	for ((i = 0; i < 50; i++)); do
		[[ -S /var/run/charon.vici ]] && break
		sleep 0.2
	done
	sw_load "$1"
}

# sw_load [SWANCTL_CONF_TEXT]: charon (re)loads swanctl.conf, with that
# text if given; a file swanctl refuses fails the test.
sw_load() {
	[[ $# -gt 0 ]] && printf '%s\n' "$1" > /etc/netns/sw/swanctl/swanctl.conf
	sw swanctl --load-all --noprompt > "$IKE_DIR/swanctl-load.log" 2>&1 ||
		{ cat "$IKE_DIR/swanctl-load.log"; fail "swanctl --load-all"; }
}

charon_stop() {
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	rm -f /var/run/charon.pid /var/run/charon.vici
}

# Every IKE SA charon holds, gone.
sw_clear() {
	local i
	for ((i = 0; i < 10; i++)); do
		sw swanctl --list-sas --raw 2>/dev/null | grep -q 'state=' || return 0
		sw swanctl --terminate --ike st --force --timeout 2 > /dev/null 2>&1
		sleep 0.3
	done
}

# iked_start CONF_TEXT [ARGS]: sectun-iked in st with that iked.conf.
iked_start() {
	printf '%s\ncontrol-socket = "%s";\n' "$1" "$SECTUN_IKED_SOCKET" > "$IKE_DIR/iked.conf"
	shift
	# $IKED_QUIET: without -d, as a daemon runs (rate-limited drop lines).
	ip netns exec st sectun-iked -f "$IKE_DIR/iked.conf" \
		$([[ -n ${IKED_QUIET:-} ]] || echo -d) "$@" 2> "$IKE_DIR/iked.log" &
	IKED_PID=$!
	at_exit "iked_stop"
	local i
	for ((i = 0; i < 50; i++)); do
		[[ -S $SECTUN_IKED_SOCKET ]] && return 0
		kill -0 "$IKED_PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$IKE_DIR/iked.log"
	fail "sectun-iked did not start"
}

iked_stop() {
	[[ -n ${IKED_PID:-} ]] || return 0
	kill "$IKED_PID" 2>/dev/null
	wait "$IKED_PID" 2>/dev/null
	IKED_PID=
	rm -f "$SECTUN_IKED_SOCKET"
}

# wait_for DESCRIPTION SECONDS CMD...: until CMD succeeds.
wait_for() {
	local what=$1 secs=$2 i
	shift 2
	for ((i = 0; i < secs * 5; i++)); do
		"$@" > /dev/null 2>&1 && return 0
		sleep 0.2
	done
	return 1
}

iked_state() { st sectun -j ike status | jget "' '.join(s['state'] for s in j)"; }
iked_children() { st sectun -j ike status | jget "sum(len(s['children']) for s in j)"; }
iked_up() { [[ $(iked_children) -ge ${1:-1} ]]; }

# expect_children DESCRIPTION [N [SECONDS]]: N child SAs (1) up within
# SECONDS (20; 0: now), else the logs and a failure.
expect_children() {
	local n=${2:-1} secs=${3:-20}
	if { [[ $secs == 0 ]] && iked_up "$n"; } || wait_for "$1" "$secs" iked_up "$n"; then
		pass "$1"
	else
		ike_logs
		fail "$1"
	fi
}

# sw_creds KIND [CA...]: strongSwan's certificate and key, $PKI/sw-KIND,
# and as its CAs our root and the further ones named.
sw_creds() {
	local kind=$1 ca
	shift
	mkdir -p /etc/netns/sw/swanctl/{x509,x509ca,private}
	rm -f /etc/netns/sw/swanctl/{x509,x509ca,private}/*
	cp "$PKI/sw-$kind.pem" /etc/netns/sw/swanctl/x509/sw.pem
	cp "$PKI/sw-$kind.key" /etc/netns/sw/swanctl/private/sw.key
	for ca in ca "$@"; do cp "$PKI/$ca.pem" /etc/netns/sw/swanctl/x509ca/; done
}

# Both ways through st0, and the tunnel's counters moved.
ike_traffic_check() {
	local what=$1 src=${2:-192.168.1.4} dst=${3:-192.168.4.1}
	if st ping -c 3 -i 0.2 -W 2 -I "$src" "$dst" > /dev/null 2>&1; then
		pass "$what: ping through st0"
	else
		ike_logs
		fail "$what: ping through st0"
	fi
	if sw ping -c 2 -i 0.2 -W 2 -I "$dst" "$src" > /dev/null 2>&1; then
		pass "$what: ping from strongSwan's side"
	else
		fail "$what: ping from strongSwan's side"
	fi
}

ike_logs() {
	echo "--- sectun-iked log"; tail -n 60 "$IKE_DIR/iked.log" 2>/dev/null
	echo "--- charon log"; tail -n 60 "$IKE_DIR/charon.log" 2>/dev/null
	echo "--- st0"; ip netns exec st sectun sa show st0; ip netns exec st sectun policy show st0
	echo "--- xfrm"; ip netns exec sw ip xfrm state; ip netns exec sw ip xfrm policy
}

# swanctl_conf_text PROPOSALS AUTH CHILD_SETTINGS [PSK]: strongSwan's side
# of the tunnel to st: its identity $SW_ID, ours $ST_ID (addresses by
# default, $SW_ADDR and $ST_ADDR or the IPv4 underlay's), with a
# certificate when AUTH is not psk.
swanctl_conf_text() {
	local certs= rts="remote_ts = 192.168.1.0/24"
	[[ $2 != psk ]] && certs="certs = sw.pem"
	[[ $3 == *remote_ts* ]] && rts=
	cat <<-EOF
	connections {
		st {
			local_addrs = ${SW_ADDR:-10.0.0.2}
			remote_addrs = ${ST_ADDR:-10.0.0.1}
			version = ${SW_VERSION:-2}
			proposals = $1
			local { auth = $2
				id = "${SW_ID:-${SW_ADDR:-10.0.0.2}}"
				$certs }
			remote { auth = $2
				id = "${ST_ID:-${ST_ADDR:-10.0.0.1}}" }
			children {
				st {
					$rts
					$3
				}
			}
		}
	}
	EOF
	[[ -n ${4:-} ]] && printf 'secrets {\n\tike-st { id = "%s"\n\t\tsecret = "%s" }\n}\n' \
		"${ST_ID:-${ST_ADDR:-10.0.0.1}}" "$4"
	return 0
}

# iked_conf_text PROPOSALS AUTH_SETTINGS ESTABLISH [VPN_SETTINGS]: our side,
# gateway "sw" and VPN "to-sw" on st0.
iked_conf_text() {
	cat <<-EOF
	gateways = ( {
		name = "sw";
		address = "${SW_ADDR:-10.0.0.2}";
		local-address = "${ST_ADDR:-10.0.0.1}";
		proposals = "$1";
		$2
	} );
	vpns = ( {
		name = "to-sw";
		gateway = "sw";
		bind-interface = "st0";
		establish-tunnels = "$3";
		${4:-proposals = \"aes128gcm16\";}
	} );
	EOF
}

# Certificates for the tests, in $PKI (OpenSSL 3 defaults: a self-signed
# root from "req -x509" is a CA).
#   pki_ca NAME KEYARGS...            a root CA, subject CN=NAME
#   pki_int NAME ISSUER KEYARGS...    an intermediate CA under ISSUER
#   pki_ee NAME ISSUER SAN KEYARGS... an end entity: SAN as "DNS:x" or
#                                     "email:x", subject "O=sectun test, CN=x"
PKI=$IKE_DIR/pki
pki_run() { openssl "$@" > /dev/null 2>&1 || fail "openssl $*"; }
# pki_key NAME KEYARGS...: "req" arguments for NAME's key in pki_args.
# An RSA key is taken from make test-keys' pool (build/test-keys, made on
# the host) while it has one not yet used by this test: generating a
# 4096-bit key under TCG takes from seconds to a minute.
_pki_pool_next=1
pki_key() {
	local n=$1 pool
	shift
	if [[ $# == 2 && $1 == -newkey && $2 =~ ^rsa:([0-9]+)$ ]]; then
		pool=$SRCDIR/build/test-keys/rsa${BASH_REMATCH[1]}-$_pki_pool_next.pem
		if [[ -f $pool ]]; then
			_pki_pool_next=$((_pki_pool_next + 1))
			cp "$pool" "$PKI/$n.key"
			pki_args=(-new -key "$PKI/$n.key")
			return
		fi
	fi
	pki_args=("$@" -nodes -keyout "$PKI/$n.key")
}
pki_ca() {
	local n=$1 pki_args
	shift
	mkdir -p "$PKI"
	pki_key "$n" "$@"
	pki_run req -x509 "${pki_args[@]}" -out "$PKI/$n.pem" -subj "/CN=$n" -days 2
}
pki_sign() { # NAME ISSUER SUBJECT EXTENSIONS KEYARGS...
	local n=$1 issuer=$2 subj=$3 pki_args
	printf '%b\n' "$4" > "$PKI/$n.ext"
	shift 4
	pki_key "$n" "$@"
	pki_run req "${pki_args[@]}" -out "$PKI/$n.csr" -subj "$subj"
	pki_run x509 -req -in "$PKI/$n.csr" -CA "$PKI/$issuer.pem" -CAkey "$PKI/$issuer.key" \
		-CAcreateserial -out "$PKI/$n.pem" -days 2 -extfile "$PKI/$n.ext"
}
pki_int() {
	local n=$1 issuer=$2
	shift 2
	pki_sign "$n" "$issuer" "/CN=$n" \
		"basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign" "$@"
}
pki_ee() {
	local n=$1 issuer=$2 san=$3
	shift 3
	pki_sign "$n" "$issuer" "/O=sectun test/CN=${san#*:}" "subjectAltName=$san" "$@"
}

# Flows through st0 while SAs come and go (ike_rekey.sh, ike_reauth.sh).
# flow WHAT: FLOW_SECONDS of pings at 50 a second (FLOW_SIZE bytes of
# data, 56); every one answered.
flow() {
	local n=$((FLOW_SECONDS * 50)) out sent got
	out=$(st ping -q -i 0.02 -s "${FLOW_SIZE:-56}" -c "$n" -W 2 -I 192.168.1.4 192.168.4.1 2>&1)
	sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' <<< "$out")
	got=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' <<< "$out")
	echo "# $1: $sent sent, $got answered"
	check_eq "$1: no packet lost" "$n $n" "${sent:-0} ${got:-0}"
	if [[ ${got:-0} != "$n" ]]; then
		# Counters last: CI shows only the tail of a failed run.
		grep -E "IKE_SA|ENC|delet|rekey" "$IKE_DIR/charon.log" | grep -v "CHILD_SA" | tail -n 120
		grep -Ev "debug|no-kernel" "$IKE_DIR/iked.log" | tail -n 60
		echo "# strongSwan's xfrm counters that are not 0:"
		sw grep -v ' 0$' /proc/net/xfrm_stat
		echo "# st0's counters that are not 0:"
		st sectun -j stats st0 | jget "' '.join('%s=%d' % kv for kv in j[0]['stats'].items() if kv[1])"
	fi
}

rekeys_seen() { # LOG PATTERN
	grep -c "$2" "$1"
}

# check_ge WHAT MIN ACTUAL
check_ge() {
	if [[ $3 =~ ^[0-9]+$ ]] && (($3 >= $2)); then
		pass "$1"
	else
		fail "$1: expected at least $2, got '$3'"
	fi
}

# One live child SA pair at each end, and no SA in st0 or in strongSwan's
# xfrm that its daemon does not know of (replaced ones linger a moment).
no_leak() {
	local ours st0 sw_sas xfrm
	ours=$(st sectun -j ike status) || return 1
	st0=$(st sectun -j sa show st0) || return 1
	sw_sas=$(sw swanctl --list-sas --raw 2>/dev/null)
	xfrm=$(sw ip xfrm state | sed -n 's/.*spi \(0x[0-9a-f]*\).*/\1/p')
	python3 - "$ours" "$st0" "$sw_sas" "$xfrm" <<-'EOF'
	import json, re, sys
	ours, st0, sw, xfrm = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3], sys.argv[4].split()
	known = {int(c[k], 16) for s in ours for c in s['children'] for k in ('spi_in', 'spi_out')}
	live = sum(c['state'] == 'installed' for s in ours for c in s['children'])
	sw_known = {int(x, 16) for x in re.findall(r'spi-(?:in|out)=([0-9a-f]+)', sw)}
	sw_live = sw.count('state=INSTALLED')
	orphans = [s['spi'] for s in st0 if s['spi'] not in known] + \
		  [x for x in xfrm if int(x, 16) not in sw_known]
	print(live, sw_live, orphans)
	sys.exit(0 if live == 1 and sw_live == 1 and not orphans else 1)
	EOF
}
expect_one_pair() {
	if wait_for "one pair" 15 no_leak; then
		pass "$1: one child SA pair on each side, no SA leaked"
	else
		no_leak
		st sectun ike status
		st sectun sa show st0
		sw ip xfrm state
		sw swanctl --list-sas
		fail "$1: one child SA pair on each side, no SA leaked"
	fi
}
