#!/bin/bash
# Shared helpers for the selftests. Each test runs as root in the QEMU
# guest, in its own network namespaces, and exits 0 (pass), 1 (fail) or
# 4 (skip, kselftest's KSFT_SKIP).
set -uo pipefail

SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH=$SRCDIR/build:/usr/sbin:/usr/bin:/sbin:/bin
PY=/usr/bin/python3
KSFT_SKIP=4

_failures=0
_checks=0
_cleanups=()

log() { echo "# $*"; }

# fail MESSAGE: record a failed check and go on.
fail() {
	echo "FAIL: $*"
	_failures=$((_failures + 1))
}

pass() {
	_checks=$((_checks + 1))
	[[ -n ${VERBOSE:-} ]] && echo "ok: $*"
	return 0
}

skip() {
	echo "SKIP: $*"
	exit $KSFT_SKIP
}

# Fold in the FAIL lines of checks that ran in the background (whose
# counters were in a subshell), from their output files.
collect_results() {
	local f line
	for f in "$@"; do
		while read -r line; do
			if [[ $line == FAIL:* ]]; then
				echo "$line"
				_failures=$((_failures + 1))
			fi
		done < "$f"
		_checks=$((_checks + 1))
		rm -f "$f"
	done
}

# check_eq WHAT EXPECTED ACTUAL
check_eq() {
	if [[ "$2" == "$3" ]]; then
		pass "$1"
	else
		fail "$1: expected '$2', got '$3'"
	fi
}

# found PATTERN [FILE...]: 1 if grep finds PATTERN (in stdin without
# FILE), else 0; for check_eq.
found() { grep -q -- "$1" "${@:2}" && echo 1 || echo 0; }

# check CMD...: the command must succeed.
check() {
	local out
	if out=$("$@" 2>&1); then
		pass "$*"
	else
		fail "'$*' failed: $out"
	fi
}

# check_fails_with MESSAGE CMD...: the command must fail and say MESSAGE.
check_fails_with() {
	local msg=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	if [[ $rc -eq 0 ]]; then
		fail "'$*' succeeded, expected failure with '$msg'"
	elif [[ $out != *"$msg"* ]]; then
		fail "'$*' failed without '$msg': $out"
	else
		pass "$*"
	fi
}

# at_exit CMD: run CMD when the test ends (last registered runs first).
at_exit() { _cleanups+=("$*"); }

# The debug kernel of make check-debug (KASAN, kmemleak: every step several
# times slower): wall-clock bounds that are not the property under test
# get its slack. Debian's kernels carry the "-amd64" flavour; it does not.
debug_kernel() { [[ $(uname -r) != *-* ]]; }

_run_cleanups() {
	local i
	for ((i = ${#_cleanups[@]} - 1; i >= 0; i--)); do
		eval "${_cleanups[i]}" > /dev/null 2>&1
	done
}

# Call at the end of every test.
finish() {
	_run_cleanups
	_cleanups=()
	if ((_failures)); then
		echo "# $_failures check(s) failed, $_checks passed"
		exit 1
	fi
	echo "# all $_checks checks passed"
	exit 0
}
trap '_run_cleanups' EXIT

# New network namespace NAME, removed when the test ends.
netns_add() {
	ip netns add "$1" || { fail "ip netns add $1"; finish; }
	at_exit "ip netns del $1"
	# No router solicitations: their retries, minutes apart, would ride
	# a tunnel whose selector is ::/0 into a test's counters.
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.router_solicitations=0 \
		net.ipv6.conf.default.router_solicitations=0
	ip -n "$1" link set lo up
}

# veth_link NS_A IF_A ADDR_A NS_B IF_B ADDR_B: a veth pair between two
# namespaces, each end addressed (ADDR/LEN) and up.
veth_link() {
	ip link add "$2" netns "$1" type veth peer "$5" netns "$4"
	ip -n "$1" addr add "$3" dev "$2"
	ip -n "$4" addr add "$6" dev "$5"
	ip -n "$1" link set "$2" up
	ip -n "$4" link set "$5" up
}

load_sectun() {
	modprobe sectun || { echo "FAIL: modprobe sectun"; exit 1; }
}

# The sectun generic-netlink tool for raw (possibly malformed) requests.
genl() { "$PY" "$SRCDIR/selftests/genl.py" "$@"; }

# JSON field from stdin: jget 'expr' (python expression on j). The VM's
# runner keeps a jget_server.py on SECTUN_JGET_PORT, which answers in
# milliseconds where starting python3 takes 0.4 s; without it (a test run
# by hand, another namespace) python3 is started here.
jget() {
	local fd data status len answer LC_ALL=C
	if [[ -n ${SECTUN_JGET_PORT:-} ]] &&
		{ exec {fd}<> "/dev/tcp/127.0.0.1/$SECTUN_JGET_PORT"; } 2> /dev/null; then
		data=$(< /proc/self/fd/0)
		printf '%d\n%s%s\0' "${#1}" "$1" "$data" >&"$fd"
		read -r -u "$fd" status len
		# read takes a byte per system call from a socket: cat for a long answer.
		if ((${len:-0} > 512)); then
			answer=$(cat <&"$fd")
		elif ((${len:-0})); then
			read -r -d '' -N "$len" -u "$fd" answer
		else
			answer=
		fi
		exec {fd}>&-
		case $status in
		O) printf '%s\n' "$answer"; return 0 ;;
		E) printf '%s\n' "$answer" >&2; return 1 ;;
		esac
		echo "jget: no answer from jget_server.py" >&2
		return 1
	fi
	"$PY" -c "import json,sys; j=json.load(sys.stdin); print($1)"
}
