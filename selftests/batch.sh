#!/bin/bash
# sectun -batch: 1,000 selectors in one process against separate calls
# (the figures are printed), a failing line named by its number with
# nothing after it run, -force going on past it, standard input, quotes,
# comments and continued lines.
source "$(dirname "$0")/lib.sh"

load_sectun
netns_add bt
B() { ip netns exec bt "$@"; }
B ip link add st0 type sectun
dir=$(mktemp -d)
at_exit "rm -rf $dir"
selectors() { B sectun -j policy show st0 | jget 'len(j)'; }
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

# --- 1,000 selectors, one process ---
for ((i = 0; i < 1000; i++)); do
	echo "policy add st0 local 10.$((i / 250)).$((i % 250)).0/24 remote 172.16.0.0/16 proto tcp"
done > "$dir/sel.batch"
start=$(date +%s%N)
check B sectun -batch "$dir/sel.batch"
batch_ms=$(ms_since "$start")
check_eq "1,000 selectors from one batch" 1000 "$(selectors)"
check B sectun policy flush st0

# --- the same one process each, for the first SEPARATE of them ---
separate=50
start=$(date +%s%N)
head -n "$separate" "$dir/sel.batch" | while read -r line; do
	# shellcheck disable=SC2086
	B sectun $line || echo "failed: $line"
done > "$dir/separate.log"
separate_ms=$(ms_since "$start")
check_eq "$separate selectors from separate calls" "$separate" "$(selectors)"
check_eq "no separate call failed" "" "$(cat "$dir/separate.log")"
per_call=$((separate_ms / separate))
log "1,000 selectors with -batch: $batch_ms ms; $separate separate calls: $separate_ms ms" \
	"($per_call ms each, so 1,000 would take about $per_call s):" \
	"$((per_call * 1000 / (batch_ms > 0 ? batch_ms : 1)))x faster in one process"
# Measured 69x; five times is a margin a loaded machine keeps.
if ((batch_ms * 5 < per_call * 1000)); then
	pass "-batch is at least five times faster than separate calls"
else
	fail "-batch is at least five times faster than separate calls ($batch_ms ms vs $((per_call * 1000)) ms)"
fi
check B sectun policy flush st0

# --- a bad line: its number, and nothing after it ---
cat > "$dir/bad.batch" <<'EOF'
# three good lines, a bad one, two more \
policy add st0 local 10.9.1.0/24 remote 172.16.0.0/16
policy add st0 local 10.9.2.0/24\
remote 172.16.0.0/16

policy add st0 local "10.9.3.0/24" remote '172.16.0.0/16' # a comment \
policy add st0 local 10.9.4.0/24 remote not-an-address
policy add st0 local 10.9.5.0/24 remote 172.16.0.0/16
policy add st0 local 10.9.6.0/24 remote 172.16.0.0/16
EOF
B sectun -batch "$dir/bad.batch" > "$dir/out" 2> "$dir/err"
check_eq "a failing batch exits 1" 1 "$?"
check_eq "the error names file and line 7" 1 "$(found "$dir/bad.batch:7: 'policy' failed" "$dir/err")"
check_eq "the lines before it ran, none after" 3 "$(selectors)"
check B sectun policy flush st0
B sectun -force -batch - < "$dir/bad.batch" > "$dir/out" 2> "$dir/err"
check_eq "-force still exits 1" 1 "$?"
check_eq "-force runs every good line (from standard input)" 5 "$(selectors)"
check_eq "-force counts the failures" 1 "$(found "-: 1 commands failed" "$dir/err")"
check_eq "a quoted word and a continued line were read" \
	"10.9.2.0/24 10.9.3.0/24" \
	"$(B sectun -j policy show st0 | jget "' '.join(p['local'] for p in j[1:3])")"
printf 'policy add st0 local "10.9.7.0/24 remote 172.16.0.0/16\n' > "$dir/quote.batch"
check_fails_with "unterminated quote" B sectun -batch "$dir/quote.batch"
check_fails_with "-batch takes no command" B sectun -batch "$dir/sel.batch" show
finish
