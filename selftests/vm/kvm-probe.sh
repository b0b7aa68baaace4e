#!/bin/bash
# Print "kvm" if a guest really boots under KVM here, else "tcg". On some
# machines /dev/kvm exists but a nested guest hangs after decompression,
# so the probe boots the real kernel with a short timeout. The answer is
# cached per host boot. SECTUN_ACCEL=kvm|tcg overrides.
kernel=$1
initrd=$2
[[ -n ${SECTUN_ACCEL:-} ]] && { echo "$SECTUN_ACCEL"; exit 0; }
[[ -r /dev/kvm && -w /dev/kvm ]] || { echo tcg; exit 0; }

cache=${SECTUN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sectun}
key=$(cat /proc/sys/kernel/random/boot_id)-$(basename "$kernel")
stamp=$cache/kvm-probe-$key
[[ -s $stamp ]] && { cat "$stamp"; exit 0; }

log=$(mktemp)
(timeout 20 qemu-system-x86_64 -machine q35 -accel kvm -cpu host -m 256M \
	-nodefaults -no-user-config -display none -no-reboot \
	-kernel "$kernel" -initrd "$initrd" -serial file:"$log" \
	-append "console=ttyS0 panic=-1 sectunvm.probe=1" > /dev/null 2>&1) 2> /dev/null
if grep -q 'sectun-kvm-probe-ok' "$log"; then
	accel=kvm
else
	accel=tcg
fi
rm -f "$log"
mkdir -p "$cache"
rm -f "$cache"/kvm-probe-*
echo "$accel" | tee "$stamp"
