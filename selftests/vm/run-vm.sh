#!/bin/bash
# Host side of the QEMU harness: boot the kernel with the host root shared
# read-only over 9p, run the listed selftests in one boot (or a shell),
# stream their TAP lines, and fail on a guest that dies or logs a kernel
# report.
#
# Usage: run-vm.sh [-s] [-k KERNEL] [-r MODROOT] [-K SECTUN_KO]
#                  [-t PER_TEST_TIMEOUT] [-T GLOBAL_TIMEOUT] [-m MEM] [-c VCPUS]
#                  -o OUTDIR [TEST...]
#   -s  interactive shell instead of tests
#   -k  kernel image (default: Debian's installed one)
#   -r  where its lib/modules/VERSION lives (default /)
#   -K  the sectun.ko built for it (default kmod/sectun.ko)
#   -B  boot KERNEL as it is (no vmlinux extraction for the PVH entry)
#   -m  guest memory, as QEMU's -m takes it (default 2G)
#   -c  guest vCPUs (default 2; make bench VCPUS=N)
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "$here/../.." && pwd)
kver=
kernel=
modroot=/
sectun_ko=$srcdir/kmod/sectun.ko
mode=test
per_test_timeout=300
global_timeout=2700
mem=2G
vcpus=2
out=
extra_append=${SECTUN_VM_APPEND:-}

pvh=1
while getopts "sBk:r:K:t:T:m:c:o:" opt; do
	case $opt in
	B) pvh= ;;
	s) mode=shell ;;
	k) kernel=$OPTARG ;;
	r) modroot=$OPTARG ;;
	K) sectun_ko=$OPTARG ;;
	t) per_test_timeout=$OPTARG ;;
	T) global_timeout=$OPTARG ;;
	m) mem=$OPTARG ;;
	c) vcpus=$OPTARG ;;
	o) out=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[[ -n $out ]] || { echo "run-vm.sh: -o OUTDIR is required" >&2; exit 2; }
[[ $vcpus =~ ^[1-9][0-9]*$ ]] || { echo "run-vm.sh: -c needs a number of vCPUs" >&2; exit 2; }
if [[ $modroot == / ]]; then
	kver=${KVER:-$(ls /lib/modules | sort -V | tail -n 1)}
else
	kver=$(ls "$modroot/lib/modules" | tail -n 1)
fi
kernel=${kernel:-/boot/vmlinuz-$kver}

cache=${SECTUN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sectun}
mkdir -p "$cache" "$out"
rm -rf "${out:?}"/*

# An uncompressed vmlinux boots through the PVH entry point, skipping the
# firmware and the decompressor (seconds under TCG).
boot_image() {
	local img=$1 vmlinux
	[[ -n $pvh ]] || { echo "$img"; return; }
	file -b "$img" | grep -q '^ELF' && { echo "$img"; return; }
	vmlinux=$cache/vmlinux-$(basename "$img")-$(stat -c %Y "$img")
	if [[ ! -s $vmlinux ]]; then
		"$here/extract-vmlinux.sh" "$img" > "$vmlinux.tmp" 2>/dev/null &&
			mv "$vmlinux.tmp" "$vmlinux" || { rm -f "$vmlinux.tmp"; echo "$img"; return; }
	fi
	echo "$vmlinux"
}

initrd=$cache/initramfs-$kver.cpio
if [[ ! -s $initrd || $here/initramfs-init -nt $initrd || $here/mkinitramfs.sh -nt $initrd ]]; then
	"$here/mkinitramfs.sh" "$kver" "$initrd" "$modroot" || exit 1
fi

accel=$("$here/kvm-probe.sh" "$(boot_image "$kernel")" "$initrd")
case $accel in
kvm) accel_args=(-accel kvm -cpu host) ;;
*) accel_args=(-accel tcg,thread=multi -cpu max) ;;
esac

printf '%s\n' "$@" > "$out/tests"

# depmod over 9p under TCG takes ~40 s; on the host it takes one. The
# guest layers this index and the module over the host's module tree
# (or, for a kernel the host does not have, mounts it as the tree: the
# symlinks then resolve through the shared host root).
stage_modules() {
	local src=$modroot/lib/modules/$kver dst=$out/modules/lib/modules/$kver f
	mkdir -p "$dst/updates"
	for f in "$src"/*; do
		case ${f##*/} in
		modules.order | modules.builtin | modules.builtin.modinfo) ;;
		modules.*) continue ;;
		esac
		ln -s "$(readlink -f "$f")" "$dst/"
	done
	cp "$sectun_ko" "$dst/updates/" && depmod -b "$out/modules" "$kver" || return 1
	if [[ $modroot == / ]]; then
		find "$dst" -maxdepth 1 -type l -delete
		echo overlay > "$out/modules-mode"
	else
		echo bind > "$out/modules-mode"
	fi
}
stage_modules || { echo "run-vm.sh: cannot stage the module (is kmod/sectun.ko built?)" >&2; exit 1; }
echo "$per_test_timeout" > "$out/timeout"

append="console=ttyS0 panic=-1 loglevel=4 pci=noacpi"
append+=" cryptomgr.notests=1 random.trust_cpu=on"
append+=" sectunvm.init=$srcdir/selftests/vm/guest-init.sh sectunvm.srcdir=$srcdir"
append+=" sectunvm.mode=$mode $extra_append"

qemu=(qemu-system-x86_64 -machine q35 "${accel_args[@]}" -smp "$vcpus" -m "$mem"
	-nodefaults -no-user-config -display none -no-reboot
	-kernel "$(boot_image "$kernel")" -initrd "$initrd" -append "$append"
	-fsdev local,id=root,path=/,security_model=none,readonly=on,multidevs=remap
	-device virtio-9p-pci,fsdev=root,mount_tag=hostroot
	-fsdev local,id=src,path="$srcdir",security_model=none,readonly=on,multidevs=remap
	-device virtio-9p-pci,fsdev=src,mount_tag=src
	-fsdev local,id=out,path="$out",security_model=none
	-device virtio-9p-pci,fsdev=out,mount_tag=out
	-device virtio-rng-pci)

if [[ $mode == shell ]]; then
	exec "${qemu[@]}" -serial mon:stdio
fi

start=$(date +%s)
"${qemu[@]}" -serial file:"$out/console.log" > "$out/qemu.log" 2>&1 &
qpid=$!

# Stream TAP lines as the guest writes them.
shown=0
while kill -0 "$qpid" 2>/dev/null; do
	if (($(date +%s) - start > global_timeout)); then
		echo "run-vm.sh: global timeout (${global_timeout}s) reached, killing the VM" >&2
		kill "$qpid"
		echo "global timeout" > "$out/killed"
		break
	fi
	if [[ -f $out/tap ]]; then
		lines=$(wc -l < "$out/tap")
		if ((lines > shown)); then
			sed -n "$((shown + 1)),${lines}p" "$out/tap"
			shown=$lines
		fi
	fi
	sleep 0.5
done
wait "$qpid" 2>/dev/null
[[ -f $out/tap ]] && sed -n "$((shown + 1)),\$p" "$out/tap"
echo "# VM ($accel) ran $(($(date +%s) - start))s; boot log: $out/console.log" >&2

# A test the guest never reported on failed: the guest died or hung.
n=$(cat "$out/tap" 2>/dev/null | wc -l)
rc=0
if [[ ! -f $out/exit-status ]]; then
	why=$(grep -m1 -E 'Kernel panic|BUG:|Oops|general protection' "$out/console.log" 2>/dev/null)
	i=0
	for name in "$@"; do
		i=$((i + 1))
		((i > n)) || continue
		echo "not ok $i $name # the VM died or hung: ${why:-$(cat "$out/killed" 2>/dev/null || echo no exit status)}"
	done
	rc=1
elif [[ $(<"$out/exit-status") != 0 ]]; then
	rc=1
fi
exit $rc
