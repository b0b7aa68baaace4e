#!/bin/bash
# ESP interop with Linux xfrm for the combined-mode algorithms: AES-GCM
# with 8, 12 and 16-byte ICVs and 128/192/256-bit keys, AES-GMAC and
# ChaCha20-Poly1305, over IPv4 and IPv6 underlays with IPv4 and IPv6 inside.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_ipsec.sh"

ipsec_topology
esp_interop_matrix "$(esp_aead_algs)"
finish
