#!/usr/bin/env bash
# How fast `attn-quiz check` answers, side by side with rustlings in the same run.
#
#  1. The first check after `cargo build`, with a cold check cache: the
#     learner's surface of the library is extracted and compiled, the
#     dependencies come from the project's target/.
#  2. Re-checks after an edit of the learner's file (a correct MHA, 200 random
#     cases plus the edge cases), interleaved with rustlings re-running its
#     tested exercise `if1` (solved) after an edit: median of N each (default 10).
#
# rustlings 6.5.0 is installed once into target/bench-tools with `cargo install`
# (from crates.io) if it is not there; its exercises are written by
# `rustlings init` into a scratch folder, and if1 gets the shipped solution.
#
# Usage: benches/check_speed.sh [N]   (run from anywhere inside the project)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
cargo build --quiet
binary=$PWD/target/debug/attn-quiz
solution=tests/solutions/mha/correct_reference.rs
[ -f "$solution" ] || { echo "needs $solution (the judge's solution corpus)" >&2; exit 2; }

tools=$PWD/target/bench-tools
rustlings=$tools/bin/rustlings
if ! "$rustlings" --version 2>/dev/null | grep -q '6\.5\.0'; then
  echo "installing rustlings 6.5.0 into $tools (once)..." >&2
  cargo install --quiet --locked rustlings --version 6.5.0 --root "$tools"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export ATTN_QUIZ_CACHE_DIR="$work/cache" ATTN_QUIZ_STATE_DIR="$work/state" NO_COLOR=1
cp "$solution" "$work/mha.rs"
(cd "$work" && "$rustlings" init </dev/null >/dev/null)
exercises=$work/rustlings
cp "$exercises/solutions/03_if/if1.rs" "$exercises/exercises/03_if/if1.rs"

seconds() { # runs "$@", prints its wall time in seconds; fails loudly if it fails
  local start end
  start=$(date +%s.%N)
  "$@" </dev/null >"$work/out" 2>&1 || { cat "$work/out" >&2; exit 1; }
  end=$(date +%s.%N)
  awk "BEGIN { print $end - $start }"
}
check() { seconds "$binary" check "$work/mha.rs" --seed 1; }
rustlings_run() { (cd "$exercises" && seconds "$rustlings" run if1); }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

printf 'first check after cargo build, cold cache: %6.2f s\n' "$(check)"
grep -m1 passed "$work/out"
rustlings_run >/dev/null # rustlings' first build, not counted
ours=() theirs=()
for i in $(seq "$runs"); do
  echo "// edit $i" >>"$work/mha.rs"
  ours+=("$(check)")
  echo "// edit $i" >>"$exercises/exercises/03_if/if1.rs"
  theirs+=("$(rustlings_run)")
done
ours_median=$(printf '%s\n' "${ours[@]}" | median)
theirs_median=$(printf '%s\n' "${theirs[@]}" | median)
printf 're-check after an edit (attn-quiz mha):    %6.3f s median of %d (min %.3f, max %.3f)\n' \
  "$ours_median" "$runs" "$(printf '%s\n' "${ours[@]}" | sort -n | head -1)" \
  "$(printf '%s\n' "${ours[@]}" | sort -n | tail -1)"
printf 're-run after an edit (rustlings run if1):  %6.3f s median of %d (min %.3f, max %.3f)\n' \
  "$theirs_median" "$runs" "$(printf '%s\n' "${theirs[@]}" | sort -n | head -1)" \
  "$(printf '%s\n' "${theirs[@]}" | sort -n | tail -1)"
awk "BEGIN { printf \"attn-quiz / rustlings: %.2fx\\n\", $ours_median / $theirs_median }"
