#!/bin/bash
# The debug kernel of "make check-debug", built once from Debian's
# linux-source-6.1 and cached outside the tree:
#   tinyconfig + kvm_guest.config + selftests/config + vm/debug.config
#
#   debug-kernel.sh build     build it (no-op when the cache is current)
#   debug-kernel.sh vm-args   run-vm.sh options that boot it
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cache=${SECTUN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sectun}
dk=$cache/debug-kernel
tarball=/usr/src/linux-source-6.1.tar.xz
obj=$dk/build
root=$dk/root
fragments=("$top/selftests/config" "$here/debug.config")

# Bump when the recipe below changes in a way that needs a rebuild.
recipe=1

inputs_hash() {
	{ cat "${fragments[@]}"; echo "$recipe"; } | sha256sum | cut -c1-16
	stat -c %Y "$tarball"
}

build() {
	local want src start
	want=$(inputs_hash | tr '\n' ' ')
	if [[ -f $dk/stamp && $(<"$dk/stamp") == "$want" && -f $obj/arch/x86/boot/bzImage ]]; then
		return 0
	fi
	echo "debug-kernel: building (about 15 minutes on 2 cores) in $dk" >&2
	start=$(date +%s)
	mkdir -p "$dk"
	src=$(ls -d "$dk"/linux-source-6.1 2>/dev/null || true)
	if [[ -z $src ]]; then
		tar -C "$dk" -xJf "$tarball"
		src=$dk/linux-source-6.1
	fi
	rm -rf "$obj" "$root"
	mkdir -p "$obj"
	local log=$dk/build.log
	: > "$log"
	make -s -C "$src" O="$obj" tinyconfig >> "$log" 2>&1
	"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" \
		"$src/kernel/configs/kvm_guest.config" "${fragments[@]}" >> "$log" 2>&1
	make -s -C "$src" O="$obj" olddefconfig >> "$log" 2>&1
	# Every option asked for must have survived olddefconfig.
	local missing=0 opt
	while read -r opt; do
		grep -qx "$opt" "$obj/.config" || { echo "debug-kernel: not set: $opt" >&2; missing=1; }
	done < <(grep -hE '^CONFIG_[A-Z0-9_]+=y' "${fragments[@]}")
	((missing == 0)) || return 1
	if ! make -s -C "$src" O="$obj" -j"$(nproc)" bzImage modules >> "$log" 2>&1 ||
		! make -s -C "$src" O="$obj" INSTALL_MOD_PATH="$root" modules_install >> "$log" 2>&1; then
		tail -n 30 "$log" >&2
		return 1
	fi
	echo "$(($(date +%s) - start))" > "$dk/build-seconds"
	echo "$want" > "$dk/stamp"
	echo "debug-kernel: built in $(<"$dk/build-seconds")s" >&2
}

case ${1:-} in
build) build ;;
vm-args)
	build >&2
	# KASAN kernels do not come up through the PVH entry: boot the bzImage.
	echo "-B -k $obj/arch/x86/boot/bzImage -r $root -K $top/build/kmod-debug/kmod/sectun.ko -m 4G -t 1200 -T 10800"
	;;
kdir) echo "$obj" ;;
*) echo "usage: debug-kernel.sh build|vm-args|kdir" >&2; exit 2 ;;
esac
