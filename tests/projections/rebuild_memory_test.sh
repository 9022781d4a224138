#!/bin/bash
# `ledgerdesk projections rebuild --memory-mb` bounds what a rebuild holds: the same generated log
# rebuilt with the default budget (its rows fit: written once) and with 96 MB (written out several
# times) gives the same digest, and the kernel's peak for the bounded run is far lower; so is a
# rebuild of the largest projection alone (`--only tickets`), whose rows then replace the store's.
# 96 MB is more than the rows' own bytes come to (~80 MB; they take ~300 MB of memory), so only
# the measured memory, not the rows' count, can make the rebuild write out.
# Usage: rebuild_memory_test.sh REBUILD_PROFILE LEDGERDESK SCRATCH_DIR
set -euo pipefail
profile=$1 ledgerdesk=$2 dir=$3
rm -rf "$dir"
"$profile" --write-log "$dir" 300000 > /dev/null

# rebuild WHAT WRITTEN OPTIONS...: runs the rebuild, checks that it says WHAT and WRITTEN
# (patterns), that its progress on stderr ended at every record, and prints the peak memory in
# MB it reported.
rebuild() {
  local what=$1 written=$2 out
  shift 2
  out=$("$ledgerdesk" projections rebuild --data-dir "$dir" "$@" 2> "$dir.progress")
  echo "$out" >&2
  grep -q "$what" <<< "$out"
  grep -q "$written" <<< "$out"
  tail -n 1 "$dir.progress" | grep -q '^100% 300000/300000 events .*(done)$'
  sed -n 's/^peak memory \([0-9]*\) MB.*/\1/p' <<< "$out"
}
once='the rows fitted in --memory-mb'
several='rows written out [0-9]* times before the end'

digest() { "$ledgerdesk" projections digest --data-dir "$dir" | cut -d' ' -f1; }
all='rebuilt 6 projections to log position 300000 .*(300000 applied'

whole_peak=$(rebuild "$all" "$once" --memory-mb 1024)
whole_digest=$(digest)
bounded_peak=$(rebuild "$all" "$several" --memory-mb 96)
bounded_digest=$(digest)
only_peak=$(rebuild 'rebuilt projection tickets to log position 300000' "$several" --only tickets \
  --memory-mb 96)
only_digest=$(digest)
echo "peak memory: ${whole_peak} MB with the rows held at once, ${bounded_peak} MB within 96 MB," \
  "${only_peak} MB for tickets alone within 96 MB"
fail() { echo "$1" >&2; exit 1; }
[[ "$bounded_digest" == "$whole_digest" ]] || fail "the bounded rebuild's digest differs"
[[ "$only_digest" == "$whole_digest" ]] || fail "the digest after --only tickets differs"
# About 300 MB of rows, against the budget, a third more (writing out takes room too) and ~35 MB.
(( bounded_peak <= 230 )) || fail "the bounded rebuild peaked at ${bounded_peak} MB"
(( only_peak <= 230 )) || fail "the bounded rebuild of tickets alone peaked at ${only_peak} MB"
(( whole_peak >= bounded_peak + 100 )) || fail "the budget saved less than 100 MB"
rm -rf "$dir" "$dir.progress"
