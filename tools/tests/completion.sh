#!/bin/bash
# The bash completion for sectun, driven as bash drives it (COMP_WORDS,
# COMP_CWORD, then COMPREPLY), with ip and sectun replaced by functions
# that print what a host with two st devices and a daemon would.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
bc=/usr/share/bash-completion/bash_completion
[[ -r $bc ]] || { echo "no $bc (make deps installs bash-completion)"; exit 1; }
# shellcheck disable=SC1090
source "$bc"
# shellcheck disable=SC1091
source "$top/tools/completion/sectun"

ip() {
	[[ "$*" == "-o link show type sectun" ]] || return 1
	printf '5: st0: <POINTOPOINT,NOARP,UP,LOWER_UP> mtu 1436 qdisc noqueue\n'
	printf '6: st1@NONE: <POINTOPOINT,NOARP> mtu 1436 qdisc noop\n'
}
sectun() {
	case "$*" in
	"sa show st0 in")
		printf 'st0: inbound ESP SA, SPI 0x00001001\n  serves selector 1\n'
		printf 'st0: inbound ESP SA, SPI 0xc845fb29, soft-expired\n' ;;
	"ike vpns") printf 'to-branch\nto-dc\n' ;;
	"ike -f /etc/other.conf vpns") printf 'other\n' ;;
	*) return 1 ;;
	esac
}

failures=0
# expect "WORDS..." "EXPECTED REPLIES": the last word is the one completed.
expect() {
	local -a COMP_WORDS COMPREPLY=()
	local COMP_CWORD COMP_LINE COMP_POINT got
	read -ra COMP_WORDS <<< "$1"
	[[ $1 == *" " ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE=$1
	COMP_POINT=${#COMP_LINE}
	_sectun
	got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | xargs)
	if [[ $got == "$2" ]]; then
		echo "ok: '$1' -> $got"
	else
		echo "FAIL: '$1': expected '$2', got '$got'"
		failures=$((failures + 1))
	fi
}

expect "sectun " "-batch -force -j encap help ike monitor policy sa set show stats"
expect "sectun s" "sa set show stats"
expect "sectun show " "st0 st1"
expect "sectun sa " "add del flush set show"
expect "sectun sa show " "st0 st1"
expect "sectun sa show st0 " "in out"
expect "sectun sa show st0 in spi " "0x00001001 0xc845fb29"
expect "sectun sa add st0 out spi 1 enc aes-gcm-1" "aes-gcm-128 aes-gcm-192"
expect "sectun set st0 df-bit " "clear copy set"
expect "sectun policy add st0 local 10.0.0.0/8 proto " "any gre icmp ipv6-icmp sctp tcp udp"
expect "sectun ike " "-f down reload statistics status up vpns"
expect "sectun ike up " "to-branch to-dc"
expect "sectun -j ike down to-" "to-branch to-dc"
expect "sectun ike -f /etc/other.conf up " "other"
expect "sectun ike status " "detail"
expect "sectun help i" "ike"

((failures == 0)) || { echo "$failures completion(s) wrong"; exit 1; }
echo "all completions as expected"
