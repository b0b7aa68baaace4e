#!/bin/bash
# PID 1 inside the test VM, on the host's root (read-only 9p with tmpfs
# overlays). Sets up the guest, runs the selftests or a shell, powers off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=${TERM:-linux} LANG=C.UTF-8

cmdline_arg() {
	local arg
	for arg in $(</proc/cmdline); do
		[[ $arg == "$1="* ]] && { echo "${arg#*=}"; return; }
	done
}

mode=$(cmdline_arg sectunvm.mode)
srcdir=$(cmdline_arg sectunvm.srcdir)
out=/run/sectun-out

mkdir -p /dev/pts /dev/shm "$out"
mark() { echo "sectun-vm: $*" > /dev/kmsg; }
mark "guest init"
mount -t devpts -o gid=5,mode=620 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t 9p -o trans=virtio,version=9p2000.L,cache=none,msize=262144 out "$out"
ln -sf /proc/self/fd /dev/fd
echo 1 > /proc/sys/kernel/sysrq
hostname sectun-vm
ip link set lo up

# No udev here: load what udev would, so the crypto API picks the
# accelerated drivers (aesni, clmul, ssse3/avx sha, chacha/poly simd).
mark() { echo "sectun-vm: $*" > /dev/kmsg; }
mark "crypto modules"
modprobe -qa aesni_intel ghash_clmulni_intel sha1_ssse3 sha256_ssse3 \
	sha512_ssse3 chacha_x86_64 poly1305_x86_64 2>/dev/null

# Make the freshly built module visible to modprobe (so its dependencies
# load too): the host staged it with a fresh depmod index; layer that
# over the host's module tree.
kdir=/lib/modules/$(uname -r)
if [[ $(<"$out/modules-mode") == overlay ]]; then
	mount -t overlay -o "lowerdir=$out/modules$kdir:$kdir" overlay "$kdir"
else
	mkdir -p "$kdir"
	mount --bind "$out/modules$kdir" "$kdir"
fi

mark "ready"
cd "$srcdir" || exit 1
if [[ $mode == shell ]]; then
	echo "sectun VM shell: the tree is at $srcdir, tests in selftests/. Exit the shell to power off."
	setsid -c bash -l </dev/ttyS0 >/dev/ttyS0 2>&1
	rc=0
else
	bash selftests/vm/runner.sh "$out"
	rc=$?
fi
dmesg > "$out/dmesg.log"
echo "$rc" > "$out/exit-status"
sync
echo o > /proc/sysrq-trigger
sleep 10
