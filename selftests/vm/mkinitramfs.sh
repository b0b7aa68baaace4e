#!/bin/bash
# Build the small initramfs that mounts the host's root read-only over 9p
# and switches to it. Usage: mkinitramfs.sh KVER OUTPUT.cpio [MODROOT]
# (MODROOT holds lib/modules/KVER; default /). Built-in drivers are skipped.
set -euo pipefail

kver=$1
out=$2
modroot=${3:-/}
here=$(cd "$(dirname "$0")" && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage"/{bin,dev,proc,sys,newroot,lib/modules}
cp /bin/busybox "$stage/bin/busybox"
ln -s busybox "$stage/bin/sh"

# Only what it takes to reach the 9p root; everything else is modprobed
# from the host's /lib/modules once there.
: > "$stage/modules.order"
for mod in virtio_pci 9pnet_virtio 9p overlay; do
	modprobe -d "$modroot" -S "$kver" --show-depends "$mod" | while read -r cmd path _; do
		[ "$cmd" = insmod ] || continue
		name=$(basename "$path")
		name=${name%.xz}
		grep -qx "$name" "$stage/modules.order" && continue
		case "$path" in
		*.xz) xz -dc "$path" > "$stage/lib/modules/$name" ;;
		*.zst) zstd -qdc "$path" > "$stage/lib/modules/$name" ;;
		*) cp "$path" "$stage/lib/modules/$name" ;;
		esac
		echo "$name" >> "$stage/modules.order"
	done
done

install -m 0755 "$here/initramfs-init" "$stage/init"
# Uncompressed: the kernel unpacks it faster than it can decompress it under TCG.
(cd "$stage" && find . -print0 | cpio --null -o -H newc --quiet) > "$out.tmp"
mv "$out.tmp" "$out"
