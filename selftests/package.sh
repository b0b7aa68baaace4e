#!/bin/bash
# The Debian packages as an admin gets them. Both .deb files go in with
# dpkg -i, into a writable copy of the guest's root (an overlay over the
# host root, entered with chroot, gone when the test ends). The
# sectun-dkms postinst hands the module to DKMS, which installs it; that
# module is loaded. (Compiling it under TCG takes over four minutes, so
# the postinst finds it prebuilt, as DKMS allows: the "make check" static
# part built it with DKMS from the same package and packed it with "dkms
# mktarball".) sectun-iked starts with its unit's ExecStart= command
# line (this guest has no systemd: its readiness message and syslog are
# caught by sockets of our own) and brings a tunnel up against strongSwan.
# The daemon must then run as the user "sectun" with CAP_NET_ADMIN and
# CAP_NET_BIND_SERVICE only, and "sectun ike" must find it through
# iked.conf without $SECTUN_IKED_SOCKET.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_ike.sh"
unset SECTUN_IKED_SOCKET

# The packages' DKMS build is for Debian's kernel; what the debug kernel
# checks (KASAN, lockdep, leaks) the other tests cover.
debug_kernel && skip "the packages are built for Debian's kernel, not the debug one"

deb_cli=$(ls "$SRCDIR"/build/deb/sectun_*_amd64.deb 2>/dev/null)
deb_dkms=$(ls "$SRCDIR"/build/deb/sectun-dkms_*_all.deb 2>/dev/null)
prebuilt=$(ls "$SRCDIR"/build/dkms/sectun-*.dkms.tar.gz 2>/dev/null)
if [[ -z $deb_cli || -z $deb_dkms || -z $prebuilt ]]; then
	fail "the packages and DKMS's build are there (make check makes them first)"
	finish
fi
kver=$(uname -r)

# --- A root to install into --------------------------------------------
pkg=/run/pkg
root=$pkg/root
mkdir -p "$pkg/lower" "$pkg/upper" "$pkg/work" "$root"
# Not recursive: the host root as it is, without the guest's overlays.
mount --bind / "$pkg/lower" || { fail "bind the host root"; finish; }
at_exit "umount -l $pkg/lower"
mount -t overlay -o "lowerdir=$pkg/lower,upperdir=$pkg/upper,workdir=$pkg/work" overlay "$root" ||
	{ fail "overlay root"; finish; }
at_exit "umount -R -l $root"
mount --bind /proc "$root/proc"
mount --bind /sys "$root/sys"
mount --rbind /dev "$root/dev"
mount -t tmpfs tmpfs "$root/tmp"
mount -t tmpfs tmpfs "$root/run"
# (the tree may be under /tmp, now the fresh tmpfs: make its mount point)
mkdir -p "$root$SRCDIR"
mount --bind "$SRCDIR" "$root$SRCDIR"
# This kernel's module directory holds only its index files and the
# headers link: depmod (which DKMS runs) then reads one module, not the
# whole tree over 9p (40 s here). What sectun.ko needs is loaded first.
kmods=$root/lib/modules/$kver
mount -t tmpfs tmpfs "$kmods"
ln -s "$(readlink "/lib/modules/$kver/build")" "$kmods/build"
cp "/lib/modules/$kver"/modules.{order,builtin,builtin.modinfo} "$kmods/"
# Inside, PATH finds the installed files, not the tree's build/.
R() { chroot "$root" env PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; }
# check_that WHAT CMD...: CMD must succeed.
check_that() {
	local what=$1
	shift
	if "$@" > /dev/null 2>&1; then pass "$what"; else fail "$what"; fi
}

# --- dpkg -i, DKMS -----------------------------------------------------
# man-db's trigger would index every manual page over 9p: not this test's.
rm -f "$root/var/lib/man-db/auto-update"
mkdir -p "$root/usr/share/sectun-dkms"
cp "$prebuilt" "$root/usr/share/sectun-dkms/"
start=$(date +%s%N)
mkdir -p "$IKE_DIR"
( while sleep 20; do echo "# --- $(date +%T)"; ps -eo pid,etime,args --forest | grep -v ' \[' | tail -n 12 | sed 's/^/#   /'; done ) &
watcher=$!
if R env DEBIAN_FRONTEND=noninteractive timeout 240 dpkg -i "$deb_dkms" "$deb_cli" 2>&1 | tee "$IKE_DIR/dpkg.log" | sed 's/^/# dpkg: /'; then
	pass "dpkg -i sectun-dkms sectun"
else
	fail "dpkg -i sectun-dkms sectun"
	finish
fi
kill $watcher
ms=$((($(date +%s%N) - start) / 1000000))
log "dpkg -i with DKMS took $((ms / 1000)).$((ms % 1000 / 100)) s"
check_eq "DKMS reports the module installed for $kver" 1 \
	"$(R dkms status sectun -k "$kver" | grep -c ': installed')"
check_that "the module is where DKMS puts it" test -f "$kmods/updates/dkms/sectun.ko"
check_that "the user sectun exists" R getent passwd sectun
check_eq "/etc/sectun belongs to group sectun" sectun "$(R stat -c %G /etc/sectun)"
check_that "the unit file is installed" test -f "$root/lib/systemd/system/sectun-iked.service"
check_that "bash completion is installed" test -f "$root/usr/share/bash-completion/completions/sectun"

# The module from the package, not the one the other tests use.
modprobe sectun
ip -all netns delete 2> /dev/null
rmmod sectun || fail "rmmod sectun (still in use?)"
at_exit "rmmod sectun 2>/dev/null; modprobe sectun"
loaded=$(R modprobe -v sectun 2>&1)
echo "# $loaded"
check_eq "modprobe loads the DKMS-built module" 1 \
	"$(grep -c "insmod /lib/modules/$kver/updates/dkms/sectun.ko" <<< "$loaded")"

# --- The daemon as its unit starts it --------------------------------
ike_topology
charon_start "$(swanctl_conf_text aes256gcm16-prfsha256-ecp256 psk "local_ts = 192.168.4.0/24
	esp_proposals = aes256gcm16" \
	"a secret for the package test")"
cat > "$root/etc/sectun/iked.conf" <<EOF
control-socket = "/run/sectun/pkg-test.sock";
$(iked_conf_text aes256gcm16-prfsha256-ecp256 'psk = "a secret for the package test";' immediately \
	'proposals = "aes256gcm16";')
EOF
R chown root:sectun /etc/sectun/iked.conf
R chmod 0640 /etc/sectun/iked.conf
unit=$root/lib/systemd/system/sectun-iked.service
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
exec_pre=$(sed -n 's/^ExecStartPre=//p' "$unit")
log "ExecStartPre=$exec_pre"
log "ExecStart=$exec_start"
check_that "ExecStartPre (the configuration check) passes" st chroot "$root" $exec_pre

# Stand-ins for journald and systemd's notify socket.
syslog=$IKE_DIR/syslog
notify=$IKE_DIR/notify
: > "$syslog"
: > "$notify"
# (syslog datagrams carry no newline: each starts with its "<priority>")
socat -u UNIX-RECV:"$root/dev/log",mode=666 OPEN:"$syslog",append &
at_exit "kill $! 2>/dev/null; rm -f $root/dev/log"
st socat -u ABSTRACT-RECV:sectun-pkg-notify OPEN:"$notify",append &
at_exit "kill $! 2>/dev/null"
wait_for "the syslog socket" 10 test -S "$root/dev/log"
sleep 0.3
# shellcheck disable=SC2086
ip netns exec st env NOTIFY_SOCKET=@sectun-pkg-notify chroot "$root" $exec_start &
at_exit "kill $! 2>/dev/null"
iked_pid() {
	local p
	for p in $(ip netns pids st); do
		[[ $(readlink "/proc/$p/exe") == "$root/usr/sbin/sectun-iked" ]] && { echo "$p"; return 0; }
	done
	return 1
}
wait_for "sectun-iked" 10 iked_pid
pid=$(iked_pid)
check_that "sectun-iked is running" test -n "$pid"
at_exit "kill ${pid:-0} 2>/dev/null"
wait_for "READY=1" 10 grep -q READY=1 "$notify"
check_eq "the daemon told the service manager it is ready, once" 1 "$(grep -c '^READY=1$' "$notify")"

if wait_for "the tunnel" 30 bash -c "chroot $root /usr/sbin/sectun ike status | grep -q 'UP'" &&
	wait_for "a child SA" 10 bash -c "ip netns exec st chroot $root /usr/sbin/sectun sa show st0 | grep -q outbound"; then
	pass "the tunnel is up (sectun ike found the daemon through iked.conf)"
else
	R sectun ike status 2>&1
	tr '<' '\n' < "$syslog" | tail -n 40
	fail "the tunnel is up (sectun ike found the daemon through iked.conf)"
fi
ike_traffic_check "installed packages"

# The installed completion, against this daemon and this module.
complete_in_guest() { # WORDS...: what completing the last (empty) word offers
	ip netns exec st chroot "$root" env PATH=/usr/sbin:/usr/bin:/sbin:/bin bash -c '
		source /usr/share/bash-completion/bash_completion
		source /usr/share/bash-completion/completions/sectun
		COMP_WORDS=("$@" ""); COMP_CWORD=$#; COMP_LINE="$* "; COMP_POINT=${#COMP_LINE}
		_sectun
		printf "%s\n" "${COMPREPLY[@]}" | sort | xargs' sh "$@"
}
spi_in=$(st sectun -j sa show st0 in | jget "'0x%08x' % j[0]['spi']")
check_eq "completion offers the VPN the daemon has" to-sw "$(complete_in_guest sectun ike up)"
check_eq "completion offers the inbound SPI st0 has" "$spi_in" \
	"$(complete_in_guest sectun sa show st0 in spi)"

# --- What the daemon can still do ------------------------------------
if [[ -n $pid ]]; then
	grep -E '^(Uid|Gid|Cap|NoNewPrivs)' "/proc/$pid/status" | sed 's/^/# /'
	uid=$(R id -u sectun)
	check_eq "runs as sectun (real, effective, saved, fs uid)" "$uid $uid $uid $uid" \
		"$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$pid/status")"
	for f in CapPrm CapEff CapBnd; do
		check_eq "$f is CAP_NET_ADMIN and CAP_NET_BIND_SERVICE only" 0000000000001400 \
			"$(awk -v f="$f:" '$1 == f { print $2 }' "/proc/$pid/status")"
	done
	check_eq "no inheritable or ambient capability" 0000000000000000 \
		"$(awk '/^Cap(Inh|Amb):/ { print $2 }' "/proc/$pid/status" | sort -u)"
	check_eq "no new privileges" 1 "$(awk '/^NoNewPrivs:/ { print $2 }' "/proc/$pid/status")"
fi
out=$(R sectun ike reload 2>&1)
echo "# $out"
check_eq "reload as sectun re-reads iked.conf (root:sectun 0640), the tunnel kept" \
	"reloaded: 1 gateways, 1 VPNs; kept 1 IKE SAs and 1 child SAs, deleted 0 and 0" "$out"
check_eq "the reload was announced (RELOADING=1, then READY=1 again)" "1 2" \
	"$(grep -c '^RELOADING=1$' "$notify") $(grep -c '^READY=1$' "$notify")"
wait_for "the tunnel again" 30 bash -c "ip netns exec st chroot $root /usr/sbin/sectun sa show st0 | grep -q outbound"
ike_traffic_check "after reload"
check_eq "the daemon logged to syslog that it dropped privileges" 1 \
	"$(tr '<' '\n' < "$syslog" | grep -c 'running as sectun with CAP_NET_ADMIN and CAP_NET_BIND_SERVICE only')"
kill "$pid"
wait_for "the daemon to stop" 10 bash -c "! kill -0 $pid"
check_eq "it said it was stopping" 1 "$(grep -c '^STOPPING=1$' "$notify")"
finish
