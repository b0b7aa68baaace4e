#!/bin/bash
# The whole suite, as "make check" runs it: static checks and unit tests
# on the host, then the selftests in one QEMU boot. Prints one TAP stream
# and ends with "N passed, N failed, N skipped"; exits non-zero on failure.
#
#   check.sh [--only NAME] [--debug-kernel]
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
build=$top/build
cache=${SECTUN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sectun}
kver=${KVER:-$(ls /lib/modules | sort -V | tail -n 1)}
kdir=${KDIR:-/lib/modules/$kver/build}
only=
debug=
while (($#)); do
	case $1 in
	--only) only=$2; shift ;;
	--debug-kernel) debug=1 ;;
	*) echo "check.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done

n=0 passed=0 failed=0 skipped=0
logdir=$build/check
rm -rf "$logdir"
mkdir -p "$logdir"
suite_start=$(date +%s)

# tap_result STATUS(ok|not ok|skip) NAME COMMENT
tap_result() {
	n=$((n + 1))
	case $1 in
	ok) passed=$((passed + 1)); echo "ok $n $2${3:+ # $3}" ;;
	skip) skipped=$((skipped + 1)); echo "ok $n $2 # SKIP ${3:-}" ;;
	*) failed=$((failed + 1)); echo "not ok $n $2${3:+ # $3}" ;;
	esac
}

# --only takes a name or a comma-separated list ("esp_bad,ah.sh").
wanted() { [[ -z $only || ,$only, == *",$1,"* || ,$only, == *",${1%.sh},"* ]]; }

# host_test NAME CMD...: run CMD, its output to the log, one TAP line.
host_test() {
	local name=$1 start rc secs
	shift
	wanted "$name" || return 0
	start=$(date +%s%N)
	"$@" > "$logdir/$name.log" 2>&1
	rc=$?
	secs=$(awk "BEGIN { printf \"%.2f\", ($(date +%s%N) - $start) / 1e9 }")
	if [[ $rc -eq 0 ]]; then
		tap_result ok "$name" "${secs}s"
	elif [[ $rc -eq 4 ]]; then
		tap_result skip "$name" "$(grep -m1 '^SKIP:' "$logdir/$name.log" | cut -c7-)"
	else
		tap_result "not ok" "$name" "${secs}s, log: build/check/$name.log"
		sed 's/^/#   /' "$logdir/$name.log" | tail -n 30
	fi
}

# --- Static checks of the kernel code -------------------------------------

kernel_tree_scripts() {
	local src=$cache/linux-source-6.1
	if [[ ! -f $src/scripts/checkpatch.pl ]]; then
		mkdir -p "$cache"
		tar -C "$cache" -xJf /usr/src/linux-source-6.1.tar.xz --wildcards \
			'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
			'*/scripts/const_structs.checkpatch' || return 1
	fi
	echo "$src/scripts"
}

static_checkpatch() {
	local scripts
	scripts=$(kernel_tree_scripts) || { echo "no linux-source-6.1"; return 1; }
	local files out
	files=$(ls kmod/*.c kmod/*.h include/uapi/linux/*.h | grep -v '\.mod\.c$')
	# shellcheck disable=SC2086
	out=$(perl "$scripts/checkpatch.pl" --no-tree --strict --terse --show-types \
		-f $files 2>&1 | grep -v '^total:')
	echo "$out"
	! grep -qE 'ERROR|WARNING|CHECK' <<< "$out"
}

# A private copy, so the flags do not touch the normal build.
kbuild_copy() {
	local dir=$build/kbuild-check
	rm -rf "$dir"
	mkdir -p "$dir"
	cp -r Kbuild kmod include "$dir/"
	find "$dir" \( -name '*.o' -o -name '*.ko' -o -name '.*.cmd' -o -name '*.mod*' \) -delete
	echo "$dir"
}

static_w1() {
	local dir out
	dir=$(kbuild_copy)
	out=$(make -C "$kdir" M="$dir" W=1 modules 2>&1)
	echo "$out"
	! grep -qE 'warning:|error:' <<< "$out"
}

static_sparse() {
	local dir out
	dir=$(kbuild_copy)
	out=$(make -C "$kdir" M="$dir" C=2 modules 2>&1)
	echo "$out"
	! grep -qE 'warning:|error:' <<< "$out"
}

# --- Packaging: the Debian packages, DKMS, the systemd units -------------

static_deb() {
	make -s --no-print-directory deb || return 1
	# Errors and warnings fail; the informational tags accepted are listed
	# in Documentation/packaging.rst.
	local out
	out=$(lintian -I --pedantic build/deb/sectun_*.deb build/deb/sectun-dkms_*.deb 2>&1 |
		grep -v '^running with root privileges')
	echo "lintian:"; echo "$out"
	! grep -qE '^[EW]:' <<< "$out"
}

# DKMS builds the module from the source the sectun-dkms package installs,
# for the installed kernel, as it would after a kernel update.
static_dkms() {
	local deb root=$build/dkms
	deb=$(ls build/deb/sectun-dkms_*.deb 2>/dev/null) || { make -s --no-print-directory deb || return 1; }
	deb=$(ls build/deb/sectun-dkms_*.deb) || return 1
	rm -rf "$root" && mkdir -p "$root/tree" && dpkg-deb -x "$deb" "$root/root" || return 1
	local ver
	ver=$(ls "$root/root/usr/src" | sed -n 's/^sectun-//p')
	dkms build -m sectun -v "$ver" -k "$kver" --dkmstree "$root/tree" \
		--sourcetree "$root/root/usr/src" || return 1
	modinfo "$root/tree/sectun/$ver/$kver/x86_64/module/sectun.ko"* | grep -E '^(filename|vermagic|alias)'
	# What package.sh loads in the guest, where compiling takes minutes:
	# DKMS's own prebuilt form, which the package's postinst picks up.
	dkms mktarball -m sectun -v "$ver" -k "$kver" --dkmstree "$root/tree" \
		--sourcetree "$root/root/usr/src" --archive "$root/sectun-$ver.dkms.tar.gz"
}

# The units as installed, checked by systemd itself; the exposure score
# is printed for the record.
static_units() {
	local dir=$build/units-verify
	rm -rf "$dir"
	make -s --no-print-directory install-tools PREFIX="$dir" UNITDIR="$dir/units" > /dev/null || return 1
	systemd-analyze verify --man=no "$dir/units/sectun-iked.service" "$dir/units/sectun@st0.service" || return 1
	systemd-analyze security --offline=yes "$dir/units/sectun-iked.service" 2>&1 | tail -n 1
}

# The host checks that need nothing from the VM run beside it (the guest
# waits on timers much of the time): their TAP lines go to host.tap and
# are numbered into the stream when the VM is done.
host_tests_beside_vm() {
	host_test static-units static_units
	host_test static-checkpatch static_checkpatch
	host_test static-kbuild-w1 static_w1
	host_test static-sparse static_sparse
	for t in build/tests/test_* build/asan/tests/test_*; do
		[[ -x $t ]] || continue
		name=unit-$(basename "$t" | sed 's/^test_//')
		[[ $t == build/asan/* ]] && name=$name-asan
		host_test "$name" "$t"
	done
	# Two daemons on loopback, no module: the IKEv2 exchanges, plain and
	# under the sanitizers.
	host_test unit-completion tools/tests/completion.sh
	host_test unit-ike-loopback tools/tests/ike_loopback.sh build/sectun-iked
	host_test unit-ike-loopback-asan tools/tests/ike_loopback.sh build/asan/sectun-iked
	# The codecs and the engine under libFuzzer, briefly (5 s each) ("make fuzz" runs
	# them longer).
	host_test fuzz-codec make -s --no-print-directory fuzz FUZZ_SECS=5 FUZZ_TARGETS=codec
	host_test fuzz-engine make -s --no-print-directory fuzz FUZZ_SECS=5 FUZZ_TARGETS=engine
	host_test fuzz-isakmp make -s --no-print-directory fuzz FUZZ_SECS=5 FUZZ_TARGETS=isakmp
	host_test fuzz-ikev1 make -s --no-print-directory fuzz FUZZ_SECS=5 FUZZ_TARGETS=ikev1
}

# take_tap_line LINE [VM]: one TAP line of the VM or of host.tap into the
# stream, renumbered; a failed VM test's log tail follows it.
take_tap_line() {
	local line=$1 name
	case $line in
	"ok "*"# SKIP"*)
		name=$(awk '{print $3}' <<< "$line")
		tap_result skip "$name" "${line#*# SKIP }" ;;
	"ok "*)
		name=$(awk '{print $3}' <<< "$line")
		tap_result ok "$name" "${line#*# }" ;;
	"not ok "*)
		name=$(awk '{print $4}' <<< "$line")
		[[ -n ${2:-} && $name == kmemleak ]] &&
			sed 's/^/#   /' "$build/vm/logs/kmemleak.log" | head -n 60
		tap_result "not ok" "$name" "${line#*# }"
		[[ -n ${2:-} && -f $build/vm/logs/$name.log ]] &&
			sed 's/^/#   /' "$build/vm/logs/$name.log" | tail -n 40 ;;
	"vm-exit-status "*) ;;
	"#"*) echo "$line" ;;
	*) echo "# $line" ;;
	esac
}

host_pid=
if [[ -z $debug ]]; then
	# package.sh, in the VM, installs these packages.
	host_test static-deb static_deb
	host_test static-dkms static_dkms
	host_tests_beside_vm > "$logdir/host.tap" 2>&1 &
	host_pid=$!
fi

# --- Selftests in the VM --------------------------------------------------

all_vm_tests=$(make -s -C selftests list)
vm_tests=()
for t in $all_vm_tests; do
	wanted "$t" && vm_tests+=("$t")
done

# package.sh installs the .deb files: built from this tree, now.
if [[ " ${vm_tests[*]:-} " == *" package.sh "* ]] && ! wanted static-dkms; then
	{ make -s --no-print-directory deb && static_dkms; } > "$logdir/deb.log" 2>&1 ||
		{ cat "$logdir/deb.log"; exit 1; }
fi

if ((${#vm_tests[@]})); then
	vm_args=(-o "$build/vm")
	if [[ -n $debug ]]; then
		dargs=$("$top/selftests/vm/debug-kernel.sh" vm-args) || exit 1
		# The module, built for the debug kernel from a private copy.
		dcopy=$build/kmod-debug
		rm -rf "$dcopy" && mkdir -p "$dcopy" && cp -r Kbuild kmod include "$dcopy/"
		find "$dcopy" \( -name '*.o' -o -name '*.ko' -o -name '.*.cmd' -o -name '*.mod*' \) -delete
		make -s -C "$("$top/selftests/vm/debug-kernel.sh" kdir)" M="$dcopy" modules > "$logdir/kmod-debug.log" 2>&1 ||
			{ cat "$logdir/kmod-debug.log"; exit 1; }
		read -ra darr <<< "$dargs"
		vm_args+=("${darr[@]}")
	fi
	# Results stream in as the guest reports them.
	while read -r line; do
		echo "$line" >> "$logdir/vm.tap"
		take_tap_line "$line" vm
	done < <("$top/selftests/vm/run-vm.sh" "${vm_args[@]}" "${vm_tests[@]}" 2>&1
		echo "vm-exit-status $?")
	vm_rc=$(awk '/^vm-exit-status/ {print $2}' "$logdir/vm.tap")
	if ((vm_rc)) && ! grep -q '^not ok' "$logdir/vm.tap"; then
		tap_result "not ok" vm "the VM run failed: see build/vm/console.log"
	fi
fi

if [[ -n $host_pid ]]; then
	wait "$host_pid"
	while IFS= read -r line; do
		take_tap_line "$line"
	done < "$logdir/host.tap"
fi

if ((n == 0)); then
	echo "check.sh: no test is named '$only'" >&2
	exit 2
fi
echo "1..$n"
echo "# suite took $(($(date +%s) - suite_start))s"
echo "$passed passed, $failed failed, $skipped skipped"
((failed == 0))
