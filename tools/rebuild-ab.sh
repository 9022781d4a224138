#!/usr/bin/env bash
# Two builds' rebuilds in turn: how a change to the read side moves the rebuild's time, on a
# machine whose speed drifts. Runs `rebuild_profile EVENTS [PROJECTION]` of build A, then of build
# B, N times, and prints for wall time, folding and CPU the medians of each and the median of the
# paired ratios B/A (each pair ran a few seconds apart, so the drift weighs on both alike), and in
# how many pairs B was faster. Differences under about 3 % needed 20 pairs or more to stand out
# from the noise on the shared 2-core VM; callgrind (instruction counts) settles smaller ones.
#
# Keep a copy of the baseline binary before rebuilding: cp build/tests/rebuild_profile /tmp/before
set -euo pipefail

usage() {
  cat <<'EOF'
usage: tools/rebuild-ab.sh [--pairs N] [--events N] [--projection NAME] BEFORE AFTER
  BEFORE, AFTER       two rebuild_profile binaries (build/tests/rebuild_profile of each build)
  --pairs N           runs of each, in turn (default 20)
  --events N          events of the generated service desk log (default 300000)
  --projection NAME   rebuild that projection alone (e.g. tickets, subject_index; default all)
Prints, for wall, fold and cpu: "A <median s>  B <median s>  B/A <paired median>  B faster <k>/<N>".
EOF
}

pairs=20
events=300000
projection=()
binaries=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --pairs|--events|--projection)
      [[ $# -ge 2 ]] || { echo "rebuild-ab.sh: $1 needs a value" >&2; usage >&2; exit 2; } ;;
  esac
  case "$1" in
    --pairs) pairs="$2"; shift 2 ;;
    --events) events="$2"; shift 2 ;;
    --projection) projection=("$2"); shift 2 ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "rebuild-ab.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) binaries+=("$1"); shift ;;
  esac
done
if [[ ${#binaries[@]} -ne 2 ]]; then
  echo "rebuild-ab.sh: give two rebuild_profile binaries, BEFORE and AFTER" >&2
  usage >&2
  exit 2
fi
for binary in "${binaries[@]}"; do
  [[ -x "$binary" ]] || { echo "rebuild-ab.sh: $binary is not an executable" >&2; exit 2; }
done
[[ "$pairs" =~ ^[1-9][0-9]*$ && "$events" =~ ^[1-9][0-9]*$ ]] ||
  { echo "rebuild-ab.sh: --pairs and --events take positive whole numbers" >&2; exit 2; }

# rebuild_profile's last line: "N events in W s: ... C s CPU (...) ... (folding F s, writing ..."
measure() {
  local line
  line=$("$1" "$events" "${projection[@]}" 2>&1 | tail -1)
  sed -nE 's/.* in ([0-9.]+) s:.* ([0-9.]+) s CPU.*folding ([0-9.]+) s.*/\1 \3 \2/p' <<<"$line" |
    grep . || { echo "rebuild-ab.sh: $1 printed no timing: $line" >&2; return 1; }
}

results=$(mktemp)
trap 'rm -f "$results"' EXIT
for ((i = 1; i <= pairs; i++)); do
  before=$(measure "${binaries[0]}")
  after=$(measure "${binaries[1]}")
  echo "$before $after" >> "$results"
  printf '\rpair %d/%d' "$i" "$pairs" >&2
done
echo >&2

awk '
  function median(values, count,   sorted, i, j, swap) {
    for (i = 1; i <= count; i++) sorted[i] = values[i]
    for (i = 2; i <= count; i++)
      for (j = i; j > 1 && sorted[j - 1] > sorted[j]; j--) {
        swap = sorted[j]; sorted[j] = sorted[j - 1]; sorted[j - 1] = swap
      }
    return count % 2 ? sorted[(count + 1) / 2] : (sorted[count / 2] + sorted[count / 2 + 1]) / 2
  }
  { for (k = 1; k <= 3; k++) { a[k, NR] = $k; b[k, NR] = $(k + 3) } }
  END {
    split("wall fold cpu", names, " ")
    for (k = 1; k <= 3; k++) {
      faster = 0
      for (i = 1; i <= NR; i++) {
        as[i] = a[k, i]; bs[i] = b[k, i]; ratio[i] = a[k, i] > 0 ? b[k, i] / a[k, i] : 1
        if (ratio[i] < 1) faster++
      }
      printf "%-4s  A %.3f s  B %.3f s  B/A %.3f  B faster %d/%d\n", names[k], median(as, NR),
             median(bs, NR), median(ratio, NR), faster, NR
    }
  }' "$results"
