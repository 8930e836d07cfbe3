#!/usr/bin/env bash
# How long `attn-quiz check` takes on this machine:
#  1. the first check after `cargo build`, with a cold check cache (the library
#     is extracted and compiled; dependencies come from the project's target/);
#  2. re-checks after an edit of the learner's file: median of N (default 10).
# Usage: benches/check_speed.sh [N]   (run from anywhere inside the project)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
cargo build --quiet
binary=target/debug/attn-quiz
solution=tests/solutions/mha/correct_reference.rs
[ -f "$solution" ] || { echo "needs $solution (the checker's solution corpus)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export ATTN_QUIZ_CACHE_DIR="$work/cache" ATTN_QUIZ_STATE_DIR="$work/state" NO_COLOR=1
cp "$solution" "$work/mha.rs"

seconds() { # runs a check of mha.rs, prints its wall time in seconds
  local start end
  start=$(date +%s.%N)
  "$binary" check "$work/mha.rs" --seed 1 >"$work/out" 2>&1 || { cat "$work/out" >&2; exit 1; }
  end=$(date +%s.%N)
  awk "BEGIN { print $end - $start }"
}

printf 'first check, cold cache:      %6.2f s\n' "$(seconds)"
times=()
for i in $(seq "$runs"); do
  echo "// edit $i" >>"$work/mha.rs"
  times+=("$(seconds)")
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
median=$(echo "$sorted" | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}')
printf 're-check after an edit:       %6.2f s median of %d (min %.2f, max %.2f)\n' \
  "$median" "$runs" "$(echo "$sorted" | head -1)" "$(echo "$sorted" | tail -1)"
grep -m1 passed "$work/out"
