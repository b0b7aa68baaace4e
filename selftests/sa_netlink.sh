#!/bin/bash
# The SA commands: add, get, dump (complete across many messages), set,
# delete, flush; keys are never reported; every bad request is refused
# with its own extack message and changes nothing.
source "$(dirname "$0")/lib.sh"

load_sectun
netns_add sn
netns_add sn-other
in_ns() { ip netns exec sn "$@"; }
check ip -n sn link add st0 type sectun
check ip -n sn link add st1 type sectun
check in_ns sectun set st0 local 192.0.2.1 remote 192.0.2.2
check in_ns sectun set st1 local 192.0.2.1 remote 192.0.2.3

gcm_key=00112233445566778899aabbccddeeff01020304
check in_ns sectun sa add st0 in spi 0x1000 enc aes-gcm-128 key $gcm_key replay-window 4096 \
	soft-seconds 3000 hard-seconds 3600 hard-bytes 1000000
check in_ns sectun sa add st0 out spi 0x2000 enc aes-256-cbc key "$(printf '%064x' 7)" \
	auth hmac-sha-256-128 key "$(printf '%064x' 9)" esn on seq 100

j=$(in_ns sectun -j sa show st0 in spi 0x1000)
check_eq "get: identity" "in 4096 esp tunnel" "$(echo "$j" | jget "'%s %d %s %s' % (j[0]['dir'], j[0]['spi'], j[0]['proto'], j[0]['mode'])")"
check_eq "get: algorithm" "aes-gcm-128/None 16 False" "$(echo "$j" | jget "'%s %d %s' % (j[0]['algorithm'], j[0]['icv_len'], j[0]['esn'])")"
check_eq "get: replay window" 4096 "$(echo "$j" | jget "j[0]['replay_window']")"
check_eq "get: lifetimes" "3000 3600 1000000 0" "$(echo "$j" | jget "'%d %d %d %d' % (j[0]['soft_seconds'], j[0]['hard_seconds'], j[0]['hard_bytes'], j[0]['hard_packets'])")"
j=$(in_ns sectun -j sa show st0 out spi 0x2000)
check_eq "get: CBC/HMAC with ESN" "aes-256-cbc/hmac-sha-256-128 16 True 100 True" \
	"$(echo "$j" | jget "'%s %d %s %d %s' % (j[0]['algorithm'], j[0]['icv_len'], j[0]['esn'], j[0]['seq'], j[0]['current'])")"
check_eq "default replay window is the tunnel's" 64 \
	"$(in_ns sectun sa add st1 in spi 0x1001 enc null auth sha1 key "$(printf '%040x' 1)" && in_ns sectun -j sa show st1 in spi 0x1001 | jget "j[0]['replay_window']")"

# Keys never come back, in any reply.
dump=$(in_ns "$PY" genl.py --dump get_sa)
[[ $dump != *"$gcm_key"* && $dump != *00112233445566778899aabb* ]] && pass "no key in dumps" || fail "a key was dumped"
[[ $(in_ns sectun sa show) != *"$gcm_key"* ]] && pass "no key in sa show" || fail "sa show printed a key"

# A dump of hundreds of SAs over two devices is complete.
check in_ns "$PY" genl.py --repeat 300 new_sa ifname=str:st0 'sa.spi=u32:{0x10000+i}' \
	sa.dir=u8:0 sa.encr=u16:20 "sa.encr_key=raw:$gcm_key"
check in_ns "$PY" genl.py --repeat 300 new_sa ifname=str:st1 'sa.spi=u32:{0x20000+i}' \
	sa.dir=u8:1 sa.encr=u16:20 "sa.encr_key=raw:$gcm_key"
check_eq "dump of all SAs" 603 "$(in_ns "$PY" genl.py --dump --count get_sa)"
check_eq "dump of one device" 301 "$(in_ns "$PY" genl.py --dump --count get_sa ifname=str:st1)"
check_eq "distinct SPIs" 603 "$(in_ns sectun -j sa show | jget "len(set((s['ifname'], s['dir'], s['spi']) for s in j))")"
check in_ns sectun sa flush st0 in
check_eq "flush of one direction" 1 "$(in_ns "$PY" genl.py --dump --count get_sa ifname=str:st0)"

# set: lifetimes change, others stay.
check in_ns sectun sa set st0 out spi 0x2000 hard-packets 5000
check_eq "set lifetimes" "5000 0" "$(in_ns sectun -j sa show st0 out spi 0x2000 | jget "'%d %d' % (j[0]['hard_packets'], j[0]['soft_packets'])")"
check in_ns sectun sa del st0 out spi 0x2000
check_eq "deleted" "[]" "$(in_ns sectun -j sa show st0)"

# Bad requests.
check in_ns sectun sa add st0 in spi 0x1000 enc aes-gcm-128 key $gcm_key hard-seconds 3600
sa_state() { in_ns sectun -j sa show | jget "[{k: v for k, v in s.items() if k != 'age'} for s in j]"; }
before=$(sa_state)
bad() { # "ERRNO): message" genl.py args...
	local want=$1 out
	shift
	out=$(in_ns "$PY" genl.py "$@")
	[[ $out == "error "*"($want"* ]] && pass "$*" || fail "genl $*: expected ($want, got: $out"
}
K=sa.encr_key=raw:$gcm_key
bad "EINVAL): SA missing: give SECTUN_A_SA [missing sa]" new_sa ifname=str:st0
bad "EINVAL): SA attribute missing: it needs SPI and direction [missing sa.spi]" new_sa ifname=str:st0 sa.dir=u8:0 sa.encr=u16:20 "$K"
bad "EINVAL): ESP needs an encryption algorithm" new_sa ifname=str:st0 sa.spi=u32:0x5000 sa.dir=u8:0
bad "ERANGE): integer out of range" new_sa ifname=str:st0 sa.spi=u32:255 sa.dir=u8:0 sa.encr=u16:20 "$K"
bad "ERANGE): integer out of range" new_sa ifname=str:st0 sa.spi=u32:0x5000 sa.dir=u8:2 sa.encr=u16:20 "$K"
bad "EINVAL): unknown encryption algorithm" new_sa ifname=str:st0 sa.spi=u32:0x5000 sa.dir=u8:0 sa.encr=u16:99 "$K"
bad "EINVAL): AES-GCM/GMAC needs a 16, 24 or 32-byte key and a 4-byte salt" new_sa ifname=str:st0 sa.spi=u32:0x5000 sa.dir=u8:0 sa.encr=u16:20 sa.encr_key=raw:0011
bad "EINVAL): ChaCha20-Poly1305 needs a 32-byte key and a 4-byte salt" new_sa ifname=str:st0 sa.spi=u32:0x5000 sa.dir=u8:0 sa.encr=u16:28 "$K"
bad "EINVAL): combined-mode ciphers take no integrity algorithm" new_sa ifname=str:st0 sa.spi=u32:0x5000 sa.dir=u8:0 sa.encr=u16:20 "$K" sa.integ=u16:12
bad "EINVAL): this cipher needs an integrity algorithm" new_sa ifname=str:st0 sa.spi=u32:0x5000 sa.dir=u8:0 sa.encr=u16:12 "sa.encr_key=raw:$(printf '%032x' 1)"
bad "EINVAL): unknown integrity algorithm" new_sa ifname=str:st0 sa.spi=u32:0x5000 sa.dir=u8:0 sa.encr=u16:12 "sa.encr_key=raw:$(printf '%032x' 1)" sa.integ=u16:77
bad "EINVAL): integrity key length does not match the algorithm" new_sa ifname=str:st0 sa.spi=u32:0x5000 sa.dir=u8:0 sa.encr=u16:12 "sa.encr_key=raw:$(printf '%032x' 1)" sa.integ=u16:12 sa.integ_key=raw:0102
bad "EINVAL): AES-CBC needs a 16, 24 or 32-byte key" new_sa ifname=str:st0 sa.spi=u32:0x5000 sa.dir=u8:0 sa.encr=u16:12 sa.encr_key=raw:0102 sa.integ=u16:2 "sa.integ_key=raw:$(printf '%040x' 1)"
bad "EINVAL): 3DES needs a 24-byte key" new_sa ifname=str:st0 sa.spi=u32:0x5000 sa.dir=u8:0 sa.encr=u16:3 sa.encr_key=raw:0102 sa.integ=u16:2 "sa.integ_key=raw:$(printf '%040x' 1)"
bad "EINVAL): NULL encryption takes no key" new_sa ifname=str:st0 sa.spi=u32:0x5000 sa.dir=u8:0 sa.encr=u16:11 sa.encr_key=raw:0102 sa.integ=u16:2 "sa.integ_key=raw:$(printf '%040x' 1)"
bad "ERANGE): Attribute failed policy validation" new_sa ifname=str:st0 sa.spi=u32:0x5000 sa.dir=u8:0 sa.encr=u16:20 "sa.encr_key=raw:$(printf '%0130x' 1)"
bad "EINVAL): protocol must be ESP (50) or AH (51)" new_sa ifname=str:st0 sa.spi=u32:0x5000 sa.dir=u8:0 sa.proto=u8:6 sa.encr=u16:20 "$K"
bad "EINVAL): AH does not encrypt: no encryption algorithm" new_sa ifname=str:st0 sa.spi=u32:0x5000 sa.dir=u8:0 sa.proto=u8:51 sa.encr=u16:20 "$K"
bad "EINVAL): AH needs a known integrity algorithm" new_sa ifname=str:st0 sa.spi=u32:0x5000 sa.dir=u8:0 sa.proto=u8:51
bad "ERANGE): integer out of range" new_sa ifname=str:st0 sa.spi=u32:0x5000 sa.dir=u8:0 sa.mode=u8:2 sa.encr=u16:20 "$K"
bad "ENOENT): no selector with this index on the device" new_sa ifname=str:st0 sa.spi=u32:0x5000 sa.dir=u8:0 sa.encr=u16:20 "$K" sa.policy=u32:7
bad "EINVAL): soft byte limit is above the hard one" new_sa ifname=str:st0 sa.spi=u32:0x5000 sa.dir=u8:0 sa.encr=u16:20 "$K" sa.soft_bytes=u64:10 sa.hard_bytes=u64:5
bad "EINVAL): soft lifetime is above the hard one" new_sa ifname=str:st0 sa.spi=u32:0x5000 sa.dir=u8:0 sa.encr=u16:20 "$K" sa.soft_seconds=u32:10 sa.hard_seconds=u32:5
bad "EINVAL): initial sequence number leaves no room without ESN" new_sa ifname=str:st0 sa.spi=u32:0x5000 sa.dir=u8:1 sa.encr=u16:20 "$K" sa.seq=u64:0xffffffff
bad "EINVAL): initial sequence number leaves no room" new_sa ifname=str:st0 sa.spi=u32:0x5000 sa.dir=u8:1 sa.encr=u16:20 "$K" sa.esn=u8:1 sa.seq=u64:0xffffffffffffffff
bad "ERANGE): integer out of range" new_sa ifname=str:st0 sa.spi=u32:0x5000 sa.dir=u8:0 sa.encr=u16:20 "$K" sa.hard_seconds=u32:2000001
bad "ERANGE): integer out of range" set_sa ifname=str:st0 sa.spi=u32:0x1000 sa.dir=u8:0 sa.soft_seconds=u32:0xffffffff
bad "EINVAL): only outbound SAs can be on standby" new_sa ifname=str:st0 sa.spi=u32:0x5000 sa.dir=u8:0 sa.encr=u16:20 "$K" sa.standby=u8:1
bad "EEXIST): an SA with this direction, SPI and protocol exists on the device" new_sa ifname=str:st0 sa.spi=u32:0x1000 sa.dir=u8:0 sa.encr=u16:20 "$K"
bad "EEXIST): this inbound SPI is in use in the underlay namespace" new_sa ifname=str:st1 sa.spi=u32:0x1000 sa.dir=u8:0 sa.encr=u16:20 "$K"
bad "EINVAL): read-only attribute" new_sa ifname=str:st0 sa.spi=u32:0x5000 sa.dir=u8:0 sa.encr=u16:20 "$K" sa.icv_len=u8:16
bad "EINVAL): counters are read-only" new_sa ifname=str:st0 sa.spi=u32:0x5000 sa.dir=u8:0 sa.encr=u16:20 "$K" sa.stats=nest:
bad "ENOENT): no such SA on the device" del_sa ifname=str:st0 sa.spi=u32:0x9999 sa.dir=u8:0
bad "ENOENT): no such SA on the device" get_sa ifname=str:st0 sa.spi=u32:0x1000 sa.dir=u8:1
bad "EINVAL): only an outbound SA can be made current" set_sa ifname=str:st0 sa.spi=u32:0x1000 sa.dir=u8:0 sa.current=u8:1
bad "EINVAL): a soft limit is above its hard one" set_sa ifname=str:st0 sa.spi=u32:0x1000 sa.dir=u8:0 sa.soft_seconds=u32:4000
bad "ENODEV): no device with this name" new_sa ifname=str:st9 sa.spi=u32:0x5000 sa.dir=u8:0 sa.encr=u16:20 "$K"
check_fails_with "flush the tunnel's SAs before changing its underlay" in_ns sectun set st0 underlay-netns sn-other
check_eq "nothing changed" "$before" "$(sa_state)"
check_fails_with "Operation not permitted" in_ns capsh --drop=cap_net_admin -- -c \
	"sectun sa add st0 in spi 0x5000 enc aes-gcm-128 key $gcm_key"
check_fails_with "Operation not permitted" in_ns capsh --drop=cap_net_admin -- -c "sectun sa show"

# Selector requests.
bad "EINVAL): selector missing: give SECTUN_A_POLICY [missing policy]" new_policy ifname=str:st0
bad "EINVAL): a selector needs local and remote addresses [missing policy.local_start]" new_policy ifname=str:st0 policy.remote_start=ipv4:10.0.0.1
bad "EINVAL): addresses are 4 or 16 bytes, one family per selector" new_policy ifname=str:st0 policy.local_start=raw:0a000001aa policy.remote_start=ipv4:10.0.0.1
bad "EINVAL): local and remote ranges must be of one family" new_policy ifname=str:st0 policy.local_start=ipv4:10.0.0.1 policy.remote_start=ipv6:2001:db8::1
bad "EINVAL): range ends before it starts" new_policy ifname=str:st0 policy.local_start=ipv4:10.0.0.9 policy.local_end=ipv4:10.0.0.1 policy.remote_start=ipv4:10.0.1.1
bad "EINVAL): port range ends before it starts" new_policy ifname=str:st0 policy.local_start=ipv4:10.0.0.1 policy.remote_start=ipv4:10.0.1.1 policy.local_port_min=u16:90 policy.local_port_max=u16:80
bad "EINVAL): name the selector by its index [missing policy.index]" del_policy ifname=str:st0 policy.proto=u8:6
bad "ENOENT): no selector with this index on the device" del_policy ifname=str:st0 policy.index=u32:77
bad "EINVAL): read-only attribute" new_policy ifname=str:st0 policy.local_start=ipv4:10.0.0.1 policy.remote_start=ipv4:10.0.1.1 policy.packets=u64:1
check in_ns sectun policy add st0 index 5 local 10.9.0.0/24 remote 10.8.0.0/24
bad "EEXIST): a selector with this index exists" new_policy ifname=str:st0 policy.index=u32:5 policy.local_start=ipv4:10.0.0.1 policy.remote_start=ipv4:10.0.1.1
check_eq "selector range from a prefix" "10.9.0.0/24 10.8.0.0/24" \
	"$(in_ns sectun -j policy show st0 | jget "j[0]['local'] + ' ' + j[0]['remote']")"
check in_ns sectun policy flush st0

# The CLI checks what it can before asking the kernel.
usage() {
	local want=$1 out rc
	shift
	out=$(in_ns sectun "$@" 2>&1)
	rc=$?
	[[ $rc == 2 && $out == *"$want"* ]] && pass "sectun $*" || fail "sectun $*: rc $rc: $out"
}
usage "aes-gcm-128 needs a 20-byte key (the key, then 4 bytes of salt)" sa add st0 in spi 0x5000 enc aes-gcm-128 key 0011
usage "aes-256-cbc needs 'auth ALGORITHM key HEX'" sa add st0 in spi 0x5000 enc aes256 key "$(printf '%064x' 1)"
usage "unknown encryption algorithm 'rot13'" sa add st0 in spi 0x5000 enc rot13
usage "spi is a number from 256 to 0xffffffff" sa add st0 in spi 12 enc null
usage "name the SA: in|out spi SPI" sa del st0 spi 0x1000
usage "local and remote must be of one family" policy add st0 local 10.9.1.5-10.9.1.9 remote 2001:db8::/32
usage "bad local '10.1.1.1/40'" policy add st0 local 10.1.1.1/40 remote 10.2.0.0/16
usage "a selector needs 'local' and 'remote'" policy add st0 local 10.1.1.1
usage "AH needs 'auth ALGORITHM key HEX'" sa add st0 in spi 0x5000 proto ah

# Devices and the module go with their SAs, without leaks.
check ip -n sn link del st1
check_eq "SAs of a deleted device are gone" 1 "$(in_ns "$PY" genl.py --dump --count get_sa)"
check modprobe -r sectun
finish
