#!/bin/bash
# Runs inside the VM: every test named in $out/tests, each under its own
# timeout, one TAP line per test in $out/tap. A test also fails when the
# kernel logged a BUG, WARNING, oops, KASAN/UBSAN, lockdep or kmemleak
# report while it ran.
out=$1
per_test_timeout=$(<"$out/timeout")
mkdir -p "$out/logs"
: > "$out/tap"

kernel_report='BUG:|WARNING:|Oops|KASAN|UBSAN|kernel BUG|general protection fault|Kernel panic|possible (recursive|circular) locking|inconsistent lock state|suspicious RCU usage|lock held when returning|unreferenced object|refcount_t:|list_(add|del) corruption|RCU detected stall|self-detected stall|blocked for more than|scheduling while atomic|sleeping function called from invalid context'

# Kernel messages logged since the marker for this test.
kernel_log_since() {
	dmesg --notime 2>/dev/null | awk -v m="sectun-selftest: begin $1" \
		'index($0, m) { buf = ""; next } { buf = buf $0 "\n" } END { printf "%s", buf }'
}

# On a kernel with kmemleak, forget what boot left and scan after the suite.
kmemleak=/sys/kernel/debug/kmemleak
[[ -w $kmemleak ]] && echo clear > "$kmemleak"

# The tests' JSON expressions (lib.sh's jget), answered by one interpreter.
/usr/bin/python3 selftests/jget_server.py 7999 &
jget_pid=$!
export SECTUN_JGET_PORT=7999

n=0
failed=0
for name in $(<"$out/tests"); do
	n=$((n + 1))
	log=$out/logs/${name//\//_}.log
	echo "sectun-selftest: begin $name" > /dev/kmsg
	start=$(date +%s%N)
	(cd selftests && exec timeout -k 5 "$per_test_timeout" bash "./$name") > "$log" 2>&1 < /dev/null
	rc=$?
	ms=$((($(date +%s%N) - start) / 1000000))
	secs=$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))
	# A failed IKE test's daemon logs, whole, beside its own log.
	if [[ $rc -ne 0 && $rc -ne 4 && -d /tmp/ike ]]; then
		mkdir -p "$log.d" && cp /tmp/ike/*.log "$log.d/" 2>/dev/null
	fi

	report=$(kernel_log_since "$name" | grep -E "$kernel_report" | head -n 3)
	if [[ -n $report ]]; then
		{ echo "--- kernel report while $name ran:"; kernel_log_since "$name"; } >> "$log"
		echo "not ok $n $name # ${secs}s kernel report: $(echo "$report" | head -n 1)" >> "$out/tap"
		failed=$((failed + 1))
	elif [[ $rc -eq 0 ]]; then
		echo "ok $n $name # ${secs}s" >> "$out/tap"
	elif [[ $rc -eq 4 ]]; then
		why=$(grep -m1 '^SKIP:' "$log" | cut -c6-)
		echo "ok $n $name # SKIP${why:+ $why} (${secs}s)" >> "$out/tap"
	elif [[ $rc -eq 124 || $rc -eq 137 ]]; then
		echo "not ok $n $name # ${secs}s timed out after ${per_test_timeout}s" >> "$out/tap"
		failed=$((failed + 1))
	else
		echo "not ok $n $name # ${secs}s exit status $rc" >> "$out/tap"
		failed=$((failed + 1))
	fi
done
kill "$jget_pid" 2> /dev/null
if [[ -w $kmemleak ]]; then
	n=$((n + 1))
	# Objects freed after a grace period need time; two scans settle it.
	sleep 5
	echo scan > "$kmemleak"
	sleep 5
	echo scan > "$kmemleak"
	cat "$kmemleak" > "$out/logs/kmemleak.log"
	leaks=$(grep -c 'unreferenced object' "$out/logs/kmemleak.log")
	if ((leaks)); then
		echo "not ok $n kmemleak # $leaks unreferenced objects, see logs/kmemleak.log" >> "$out/tap"
		failed=$((failed + 1))
	else
		echo "ok $n kmemleak # no leak" >> "$out/tap"
	fi
fi
[[ $failed -eq 0 ]]
