#!/bin/bash
# NAT traversal against strongSwan (RFC 7296 2.23, RFC 3948): sectun-iked
# initiating from behind a masquerading NAT that picks random ports;
# strongSwan initiating from behind one (found by sectun-iked's "%any"
# gateway through its identity); strongSwan responding from behind a NAT
# that forwards UDP 500 and 4500 to it, alone and with sectun-iked behind
# its NAT too; "force" without a NAT and "false" with one. Each time: where
# the NAT was found, the tunnel's ESP in UDP on the IKE SA's ports, only
# UDP/4500 on the public link (no IP protocol 50), traffic both ways;
# behind the random-port NAT, keepalives, and traffic back within a
# keepalive interval and a few seconds once the NAT forgets its mappings.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_ike.sh"

modprobe -a nf_tables nft_chain_nat nft_nat nft_masq nf_conntrack nf_nat 2>/dev/null
PSK="sectun-nat-psk-0123456789"
KEEPALIVE=2
nst() { ip netns exec nst "$@"; }
nsw() { ip netns exec nsw "$@"; }

# behind NS NAT_NS NET: NS at NET.1 or NET.2 (st, sw), routed through its
# NAT at NET.254.
behind() {
	local own=$3.$([[ $1 == st ]] && echo 1 || echo 2)
	ip link add "$1-in" netns "$1" type veth peer "$2-in" netns "$2"
	ip -n "$1" addr add "$own/24" dev "$1-in"
	ip -n "$2" addr add "$3.254/24" dev "$2-in"
	ip -n "$1" link set "$1-in" up
	ip -n "$2" link set "$2-in" up
	ip -n "$1" route add default via "$3.254"
	ip netns exec "$2" sysctl -qw net.ipv4.ip_forward=1
}

# masquerade NS IFACE: NS hides what leaves by IFACE behind its address,
# UDP from random ports 20000-30000.
masquerade() {
	ip netns exec "$1" nft -f - <<-NFT
	table ip nat {
		chain post {
			type nat hook postrouting priority srcnat;
			oifname "$2" meta l4proto udp masquerade to :20000-30000 random
			oifname "$2" masquerade
		}
	}
	NFT
}

#   st [10.1.0.1 -- nst 10.1.0.254] 10.0.0.1 --public-- 10.0.0.2 [nsw 10.2.0.254 -- 10.2.0.2] sw
# nat_topology ST_NAT SW_NAT: each side behind its NAT or on the public
# link itself (0); the public addresses stay 10.0.0.1 and 10.0.0.2. st's
# NAT (1) masquerades with random UDP ports and, as many home routers,
# passes no IP protocol 50; sw's forwards UDP 500 and 4500 to sw (1) or
# masquerades with random ports too (2).
nat_topology() {
	local st_nat=$1 sw_nat=$2 pub_st=st pub_sw=sw
	load_sectun
	modprobe -a esp4 xfrm_user 2>/dev/null
	mkdir -p "$IKE_DIR"
	netns_add st
	netns_add sw
	ST_OWN=10.0.0.1 SW_OWN=10.0.0.2
	if ((sw_nat)); then
		netns_add nsw
		pub_sw=nsw SW_OWN=10.2.0.2
	fi
	if ((st_nat)); then
		netns_add nst
		pub_st=nst ST_OWN=10.1.0.1
		behind st nst 10.1.0
		masquerade nst pub-st
		nst nft -f - <<-'NFT'
		table ip nat {
			chain no_esp {
				type filter hook forward priority filter;
				ip protocol esp counter drop
			}
		}
		NFT
	fi
	ip link add pub-st netns "$pub_st" type veth peer pub-sw netns "$pub_sw"
	ip -n "$pub_st" addr add 10.0.0.1/24 dev pub-st
	ip -n "$pub_sw" addr add 10.0.0.2/24 dev pub-sw
	ip -n "$pub_st" link set pub-st up
	ip -n "$pub_sw" link set pub-sw up
	if ((sw_nat)); then
		behind sw nsw 10.2.0
		if ((sw_nat == 1)); then
			nsw nft -f - <<-'NFT'
			table ip nat {
				chain pre {
					type nat hook prerouting priority dstnat;
					iifname "pub-sw" udp dport { 500, 4500 } dnat to 10.2.0.2
				}
				chain post {
					type nat hook postrouting priority srcnat;
					oifname "pub-sw" masquerade
				}
			}
			NFT
		else
			masquerade nsw pub-sw
		fi
	fi
	ip -n st addr add 192.168.1.4/32 dev lo
	ip -n sw addr add 192.168.4.1/32 dev lo
	# charon's policies pick the traffic up on its way out.
	ip -n sw route add 192.168.1.0/24 via "$( ((sw_nat)) && echo 10.2.0.254 || echo 10.0.0.1)" \
		src 192.168.4.1
	ip -n st link add st0 type sectun
	ip -n st link set st0 addrgenmode none
	ip -n st link set st0 up
	ip -n st route add 192.168.4.0/24 dev st0 src 192.168.1.4
	sw ping -c 1 -W 3 10.0.0.1 > /dev/null 2>&1
}

nat_topology_down() {
	iked_stop
	sw_clear
	_run_cleanups
	_cleanups=()
	ip netns del st 2>/dev/null
	ip netns del sw 2>/dev/null
	ip netns del nst 2>/dev/null
	ip netns del nsw 2>/dev/null
	sleep 0.5
}

# strongSwan: sw.example, st.example by PSK; START_ACTION, and more for
# the connection (encap, dpd) as EXTRA.
sw_conf() { # START_ACTION [EXTRA]
	cat <<-EOF
	connections {
		st {
			local_addrs = $SW_OWN
			remote_addrs = 10.0.0.1
			version = 2
			proposals = aes256gcm16-prfsha384-ecp384
			${2:-}
			local { auth = psk
				id = sw.example }
			remote { auth = psk
				id = st.example }
			children {
				st {
					local_ts = 192.168.4.0/24
					remote_ts = 192.168.1.0/24
					esp_proposals = aes256gcm16
					start_action = $1
				}
			}
		}
	}
	secrets {
		ike-st { id-1 = sw.example
			id-2 = st.example
			secret = "$PSK" }
	}
	EOF
}

# sectun-iked: gateway "sw" at ADDRESS with GATEWAY_EXTRA, VPN to-sw.
st_conf() { # ADDRESS ESTABLISH [GATEWAY_EXTRA] [MORE_GATEWAYS]
	cat <<-EOF
	gateways = ( ${4:-} {
		name = "sw";
		address = "$1";
		proposals = "aes256gcm16-prfsha384-ecp384";
		local-id = "st.example";
		remote-id = "sw.example";
		psk = "$PSK";
		nat-keepalive = $KEEPALIVE;
		${3:-}
	} );
	vpns = ( {
		name = "to-sw";
		gateway = "sw";
		bind-interface = "st0";
		establish-tunnels = "$2";
		proposals = "aes256gcm16";
	} );
	EOF
}

ike_field() { st sectun -j ike status | jget "j[0]['$1']"; }
# The IKE SA's ports, and the ports st0 sends ESP in UDP between.
sa_ports() { st sectun -j ike status | jget "'%d %d' % (j[0]['local_port'], j[0]['remote_port'])"; }
tunnel_ports() {
	st sectun -j show st0 | jget "'%s %d %d' % (j[0]['encap'], j[0]['encap_local_port'], j[0]['encap_remote_port'])"
}
check_tunnel_ports() { # WHAT
	check_eq "$1: st0 sends ESP in UDP between the IKE SA's ports" "udp $(sa_ports)" \
		"$(tunnel_ports)"
}
sw_encap() { sw swanctl --list-sas --raw 2>/dev/null | grep -c 'encap=yes'; }

# public_capture SECONDS FILTER...: for each FILTER, the packets matching
# it on the public link (strongSwan's end of it) while st pings
# strongSwan, one capture per filter, all at once.
public_capture() {
	local ns=sw secs=$1 i pids=()
	shift
	ip netns list | grep -qw nsw && ns=nsw
	for ((i = 1; i <= $#; i++)); do
		ip netns exec $ns timeout "$secs" tcpdump -ni pub-sw -c 50 "${!i}" 2> /dev/null \
			> "$IKE_DIR/cap$i.txt" &
		pids+=($!)
	done
	# tcpdump takes a moment to listen, more on a loaded TCG guest.
	sleep 1
	st ping -c 5 -i 0.2 -W 1 -I 192.168.1.4 192.168.4.1 > /dev/null 2>&1
	wait "${pids[@]}"
	for ((i = 1; i <= $#; i++)); do
		grep -c . "$IKE_DIR/cap$i.txt"
	done
}

# esp_public WHAT: ESP crossed the public link in UDP/4500 and never as
# IP protocol 50.
esp_public() {
	local counts
	counts=($(public_capture 3 "ip proto 50" "udp port 4500 and udp[8:4] != 0 and udp[8] != 0xff"))
	check_eq "$1: no IP protocol 50 on the public link" 0 "${counts[0]:-}"
	check_ge "$1: ESP in UDP/4500 on the public link" 2 "${counts[1]:-0}"
}

# 1. sectun-iked behind the random-port NAT initiates.
nat_topology 1 0
charon_start "$(sw_conf none)"
iked_start "$(st_conf 10.0.0.2 immediately)"
expect_children "behind a NAT: IKE SA and child SA up" 1 20
check_eq "behind a NAT: NAT found here" "local" "$(ike_field nat)"
check_eq "behind a NAT: ESP in UDP, IKE on 4500" "True 4500 4500" \
	"$(st sectun -j ike status | jget "'%s %s %s' % (j[0]['udp_encap'], j[0]['local_port'], j[0]['remote_port'])")"
check_eq "behind a NAT: keepalive interval" "$KEEPALIVE" "$(ike_field nat_keepalive)"
check_eq "behind a NAT: strongSwan encapsulates" 1 "$(sw_encap)"
check_tunnel_ports "behind a NAT"
ike_traffic_check "behind a NAT"
esp_public "behind a NAT"
ka=$(sw timeout $((KEEPALIVE * 2 + 1)) tcpdump -ni pub-sw -c 2 \
	"udp and dst port 4500 and udp[8] = 0xff and udp[4:2] = 9" 2> /dev/null | grep -c .)
check_ge "behind a NAT: keepalives every $KEEPALIVE s" 2 "$ka"
st sectun ike status detail > "$IKE_DIR/status.txt"
check_eq "status detail shows the NAT" 1 \
	"$(grep -c "NAT: local (nat-traversal on); ESP in UDP, ports 4500 -> 4500, keepalive every $KEEPALIVE s" "$IKE_DIR/status.txt")"

# The NAT forgets every mapping: the next packet out gets a new random
# port, and traffic must come back within a keepalive interval and a
# few seconds.
nst conntrack -F > /dev/null 2>&1
start=$(date +%s)
back=
for ((i = 0; i < 2 * (KEEPALIVE + 8); i++)); do
	if st ping -c 1 -W 1 -I 192.168.1.4 192.168.4.1 > /dev/null 2>&1; then
		back=$(($(date +%s) - start))
		break
	fi
done
echo "# traffic back ${back:-never} s after the NAT's mappings were flushed"
if [[ -n $back ]] && ((back <= KEEPALIVE + 6)); then
	pass "behind a NAT: traffic back after the mappings were flushed"
else
	ike_logs
	fail "behind a NAT: traffic back after the mappings were flushed (${back:-never} s)"
fi
ike_traffic_check "behind a NAT, after the flush"
nat_topology_down

# 2. strongSwan behind a random-port NAT initiates to a "%any" gateway;
#    another "%any" gateway, first in the file, is not its own.
nat_topology 0 2
charon_start "$(sw_conf none)"
decoy='{ name = "other"; address = "%any"; remote-id = "other.example";
	local-id = "st.example"; psk = "another-psk-0123456789";
	proposals = "aes256gcm16-prfsha384-ecp384"; },'
iked_start "$(st_conf %any responder-only "" "$decoy")"
sw swanctl --initiate --child st --timeout 20 > "$IKE_DIR/initiate.log" 2>&1
expect_children "peer behind a NAT: IKE SA and child SA up" 1 0
check_eq "peer behind a NAT: its gateway, by identity" "sw responder" \
	"$(st sectun -j ike status | jget "j[0]['gateway'] + ' ' + j[0]['role']")"
check_eq "peer behind a NAT: NAT found there" "remote" "$(ike_field nat)"
check_eq "peer behind a NAT: ESP in UDP, no keepalives from us" "True 0" \
	"$(st sectun -j ike status | jget "'%s %s' % (j[0]['udp_encap'], j[0]['nat_keepalive'])")"
check_eq "peer behind a NAT: strongSwan encapsulates" 1 "$(sw_encap)"
check_eq "peer behind a NAT: IKE SA moved to the NAT's port for 4500" 1 \
	"$(st sectun -j ike status | jget "int(j[0]['remote_port'] >= 20000 and j[0]['local_port'] == 4500)")"
check_tunnel_ports "peer behind a NAT"
ike_traffic_check "peer behind a NAT"
esp_public "peer behind a NAT"
nat_topology_down

# 3. strongSwan responds from behind a port-forwarding NAT.
nat_topology 0 1
charon_start "$(sw_conf none)"
iked_start "$(st_conf 10.0.0.2 immediately)"
expect_children "responder behind a NAT: IKE SA and child SA up" 1 20
check_eq "responder behind a NAT: NAT found there" "remote" "$(ike_field nat)"
check_tunnel_ports "responder behind a NAT"
ike_traffic_check "responder behind a NAT"
esp_public "responder behind a NAT"
nat_topology_down

# 4. Both behind NATs; sectun-iked initiates.
nat_topology 1 1
charon_start "$(sw_conf none)"
iked_start "$(st_conf 10.0.0.2 immediately)"
expect_children "both behind NATs: IKE SA and child SA up" 1 20
check_eq "both behind NATs: NAT found at both ends" "both" "$(ike_field nat)"
check_tunnel_ports "both behind NATs"
ike_traffic_check "both behind NATs"
esp_public "both behind NATs"
nat_topology_down

# 5. "force" without a NAT: ESP in UDP all the same, at both ends.
nat_topology 0 0
charon_start "$(sw_conf none)"
iked_start "$(st_conf 10.0.0.2 immediately 'nat-traversal = "force";')"
expect_children "force: IKE SA and child SA up" 1 20
check_eq "force: no NAT found, ESP in UDP" "none True" \
	"$(st sectun -j ike status | jget "'%s %s' % (j[0]['nat'], j[0]['udp_encap'])")"
check_eq "force: strongSwan encapsulates" 1 "$(sw_encap)"
check_tunnel_ports "force"
ike_traffic_check "force"
esp_public "force"
nat_topology_down

# 6. "false" behind a NAT that passes no ESP: up, but no traffic, and said so.
nat_topology 1 0
charon_start "$(sw_conf none)"
iked_start "$(st_conf 10.0.0.2 immediately 'nat-traversal = false;')"
expect_children "nat-traversal off: IKE SA and child SA up" 1 20
check_eq "nat-traversal off: NAT found, ESP not in UDP" "local False 500" \
	"$(st sectun -j ike status | jget "'%s %s %s' % (j[0]['nat'], j[0]['udp_encap'], j[0]['local_port'])")"
if st ping -c 3 -i 0.3 -W 1 -I 192.168.1.4 192.168.4.1 > /dev/null 2>&1; then
	fail "nat-traversal off: the tunnel carries no traffic"
else
	pass "nat-traversal off: the tunnel carries no traffic"
fi
check_ge "nat-traversal off: logged" 1 "$(grep -c 'nat-traversal is off' "$IKE_DIR/iked.log")"
check_ge "nat-traversal off: the NAT dropped ESP" 1 \
	"$(nst nft list chain ip nat no_esp | sed -n 's/.*packets \([0-9]*\).*/\1/p')"
nat_topology_down

# 7. IKEv1 (RFC 3947): sectun-iked behind the random-port NAT initiates
#    main mode to strongSwan; then strongSwan behind its random-port NAT
#    initiates to our "%any" aggressive mode gateway.
v1() { sed 's/version = 2/version = 1/; s/aes256gcm16-prfsha384-ecp384/aes256-sha384-ecp384/'; }
nat_topology 1 0
charon_start "$(sw_conf none | v1)"
iked_start "$(st_conf 10.0.0.2 immediately 'version = 1;' | v1)"
expect_children "IKEv1 behind a NAT: ISAKMP SA and IPsec SA up" 1 20
check_eq "IKEv1 behind a NAT: NAT found here, ESP in UDP, IKE on 4500" "1 local True 4500 4500" \
	"$(st sectun -j ike status | jget "'%d %s %s %s %s' % (j[0]['version'], j[0]['nat'], j[0]['udp_encap'], j[0]['local_port'], j[0]['remote_port'])")"
check_eq "IKEv1 behind a NAT: strongSwan encapsulates" 1 "$(sw_encap)"
check_tunnel_ports "IKEv1 behind a NAT"
ike_traffic_check "IKEv1 behind a NAT"
esp_public "IKEv1 behind a NAT"
nat_topology_down

nat_topology 0 2
CHARON_OPTS="i_dont_care_about_security_and_use_aggressive_mode_psk = yes" \
	charon_start "$(sw_conf none 'aggressive = yes' | v1)"
iked_start "$(st_conf %any responder-only 'version = 1; mode = "aggressive";' | v1)"
sw swanctl --initiate --child st --timeout 20 > "$IKE_DIR/initiate.log" 2>&1
expect_children "IKEv1 peer behind a NAT: up" 1 0
check_eq "IKEv1 peer behind a NAT: aggressive mode, NAT found there, ESP in UDP" \
	"Aggressive remote True" \
	"$(st sectun -j ike status | jget "'%s %s %s' % (j[0]['mode'], j[0]['nat'], j[0]['udp_encap'])")"
check_eq "IKEv1 peer behind a NAT: IKE SA moved to the NAT's port for 4500" 1 \
	"$(st sectun -j ike status | jget "int(j[0]['remote_port'] >= 20000 and j[0]['local_port'] == 4500)")"
check_tunnel_ports "IKEv1 peer behind a NAT"
ike_traffic_check "IKEv1 peer behind a NAT"
esp_public "IKEv1 peer behind a NAT"
nat_topology_down

collect_results
finish
