#!/bin/bash
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_ipsec.sh"
ipsec_topology
EKEY_BYTES=20
for t in 4 6; do
ipsec_sa_pair $t "enc aes-gcm-128 key @EKEY@" "aead 'rfc4106(gcm(aes))' 0x@EKEY@ 128" || fail "sa pair"
done
st sectun sa show
for t in 4 6; do for f in 4 6; do
ping_check "ping st$t v$f" st $t $f
done; done
tcp_check "tcp" st 4 4 100000
st sectun stats
xf ip -s xfrm state | head -30
finish
