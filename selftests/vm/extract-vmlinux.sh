#!/bin/bash
# Print the uncompressed ELF vmlinux inside a bzImage: find each candidate
# compressed stream by its magic number, decompress, keep the first ELF.
set -uo pipefail
img=$1
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

try() { # magic(hex) decompressor...
	local magic=$1 off
	shift
	for off in $(LC_ALL=C grep -obUaP "$magic" "$img" 2>/dev/null | cut -d: -f1); do
		tail -c +$((off + 1)) "$img" | "$@" > "$tmp" 2>/dev/null
		if [[ $(head -c 4 "$tmp" | od -An -tx1 | tr -d ' ') == 7f454c46 ]]; then
			cat "$tmp"
			exit 0
		fi
	done
}

try '\xfd7zXZ\x00' xz -dc
try '\x28\xb5\x2f\xfd' zstd -dc
try '\x1f\x8b\x08' gzip -dc
try '\x02\x21\x4c\x18' lz4 -dc
try '\x89LZO' lzop -dc
echo "extract-vmlinux.sh: no compressed vmlinux found in $img" >&2
exit 1
