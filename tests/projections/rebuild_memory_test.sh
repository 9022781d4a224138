#!/bin/bash
# `ledgerdesk projections rebuild --memory-mb` bounds what a rebuild holds: the same generated log
# rebuilt with the default budget (its rows fit: written once) and with 96 MB (written out several
# times) gives the same digest, and the kernel's peak for the bounded run is far lower. 96 MB is
# more than the rows' own bytes come to (~80 MB; they take ~300 MB of memory), so only the
# measured memory, not the rows' count, can make the rebuild write out.
# Usage: rebuild_memory_test.sh REBUILD_PROFILE LEDGERDESK SCRATCH_DIR
set -euo pipefail
profile=$1 ledgerdesk=$2 dir=$3
rm -rf "$dir"
"$profile" --write-log "$dir" 300000 > /dev/null

# Prints the peak memory in MB a rebuild reported; fails unless its rows were written out as
# `$2` says (once / several times).
rebuild() {
  local out
  out=$("$ledgerdesk" projections rebuild --data-dir "$dir" --memory-mb "$1")
  echo "$out" >&2
  case $2 in
    once) grep -q 'the rows fitted in --memory-mb' <<< "$out" ;;
    several) grep -q 'rows written out [0-9]* times before the end' <<< "$out" ;;
  esac
  grep -q 'rebuilt 6 projections to log position 300000 .*(300000 applied' <<< "$out"
  sed -n 's/^peak memory \([0-9]*\) MB.*/\1/p' <<< "$out"
}
digest() { "$ledgerdesk" projections digest --data-dir "$dir" | cut -d' ' -f1; }

whole_peak=$(rebuild 1024 once)
whole_digest=$(digest)
bounded_peak=$(rebuild 96 several)
bounded_digest=$(digest)
echo "peak memory: ${whole_peak} MB with the rows held at once, ${bounded_peak} MB within 96 MB"
[[ "$bounded_digest" == "$whole_digest" ]] || { echo "digests differ" >&2; exit 1; }
# About 300 MB of rows, against the budget, a third more (writing out takes room too) and ~35 MB.
(( bounded_peak <= 230 )) || { echo "the bounded rebuild peaked at ${bounded_peak} MB" >&2; exit 1; }
(( whole_peak >= bounded_peak + 100 )) || { echo "the budget saved less than 100 MB" >&2; exit 1; }
rm -rf "$dir"
