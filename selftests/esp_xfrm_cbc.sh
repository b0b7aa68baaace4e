#!/bin/bash
# ESP interop with Linux xfrm for AES-CBC (128/192/256), 3DES and NULL
# encryption, each with HMAC-MD5-96, HMAC-SHA1-96, HMAC-SHA2-256-128,
# -384-192 and -512-256, over IPv4 and IPv6 underlays with IPv4 and IPv6
# inside.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_ipsec.sh"

ipsec_topology
esp_interop_matrix "$(esp_cbc_algs)"
finish
