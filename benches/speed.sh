#!/usr/bin/env bash
# The reference, the fast path and PyTorch's F.scaled_dot_product_attention in
# one run: one head, d = 64, no mask, L = 1024 ... 8192, one and two threads;
# then the fast path's peak extra heap at L = 32768.
#
# For each L the three are timed one after the other (medians of up to 30
# runs within about a second each), so they see the same machine load. A
# ratio is PyTorch's time over ours: 1.0 = as fast as PyTorch, 0.5 = half
# its speed. The reference is single-threaded; it is timed once per L.
#
# PyTorch runs when `import torch` works in $PYTHON (default: the venv at
# target/torch-venv if there is one, else python3); otherwise it says
# "PyTorch: skipped (not importable)" and prints our times alone.
#
# Usage: benches/speed.sh [LENGTHS [THREADS [MEMORY_L]]]
#   defaults: 1024,2048,4096,8192  1,2  32768  (MEMORY_L = 0 skips the memory run)
#   CAUSAL=1 benches/speed.sh ...  times causal attention instead (PyTorch's
#   is_causal=True, which equals our aligned causal mask when l_q = l_k).
set -euo pipefail
cd "$(dirname "$0")/.."
lengths=${1:-1024,2048,4096,8192}
threads=${2:-1,2}
memory_len=${3:-32768}
if [ -z "${PYTHON:-}" ]; then
  if [ -x target/torch-venv/bin/python ]; then PYTHON=target/torch-venv/bin/python; else PYTHON=python3; fi
fi

cargo bench --quiet --bench speed --no-run 2>/dev/null || cargo bench --bench speed --no-run
causal_flag=() causal_py=False
if [ "${CAUSAL:-0}" = 1 ]; then causal_flag=(--causal) causal_py=True; echo "causal attention"; fi
ours() { cargo bench --quiet --bench speed -- "${causal_flag[@]}" "$@"; }

pytorch_script='
import sys, time, torch, torch.nn.functional as F
threads, length, causal = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "True"
torch.set_num_threads(threads)
q, k, v = (torch.randn(1, 1, length, 64) for _ in range(3))
with torch.no_grad():
    F.scaled_dot_product_attention(q, k, v, is_causal=causal)
    times, start = [], time.perf_counter()
    while len(times) < 3 or (len(times) < 30 and time.perf_counter() - start < 1.0):
        t = time.perf_counter()
        F.scaled_dot_product_attention(q, k, v, is_causal=causal)
        times.append((time.perf_counter() - t) * 1e3)
times.sort()
print(f"pytorch {threads} {length} {times[len(times) // 2]:.4f} {len(times)}")
'
if "$PYTHON" -c 'import torch' 2>/dev/null; then
  have_torch=1
  echo "PyTorch: $("$PYTHON" -c 'import torch; print(torch.__version__, "CPU capability", torch.backends.cpu.get_cpu_capability())' 2>/dev/null)"
else
  have_torch=0
  echo "PyTorch: skipped (not importable)"
fi
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"

results=$(mktemp)
trap 'rm -f "$results"' EXIT
for len in ${lengths//,/ }; do
  ours --lengths "$len" --threads "$threads" >>"$results"
  if [ "$have_torch" = 1 ]; then
    for t in ${threads//,/ }; do "$PYTHON" -c "$pytorch_script" "$t" "$len" "$causal_py" 2>/dev/null >>"$results"; done
  fi
done

echo
printf '%6s %7s %14s %9s %11s %16s %11s\n' L threads reference_ms fast_ms pytorch_ms reference/pytorch fast/pytorch
awk -v threads="$threads" '
  { key = $1 " " $2 " " $3; ms[key] = $4; if (!($3 in seen)) { seen[$3] = 1; order[++n] = $3 } }
  END {
    split(threads, ts, ",")
    for (i = 1; i <= n; i++) {
      len = order[i]
      for (j = 1; j in ts; j++) {
        t = ts[j]; ref = (t == 1) ? ms["reference 1 " len] : ""
        fast = ms["fast " t " " len]; pt = ms["pytorch " t " " len]
        r1 = (ref != "" && pt != "") ? sprintf("%.2fx", pt / ref) : "-"
        r2 = (fast != "" && pt != "") ? sprintf("%.2fx", pt / fast) : "-"
        printf "%6d %7d %14s %9.2f %11s %16s %11s\n", len, t, (ref == "" ? "-" : sprintf("%.2f", ref)), fast, (pt == "" ? "-" : sprintf("%.2f", pt)), r1, r2
      }
    }
  }' "$results"
echo "(ratio = PyTorch time / our time; load average after: $(cut -d' ' -f1-3 /proc/loadavg))"
echo
echo "peak extra heap per call (first run), bytes:"
awk '$1 != "pytorch" { printf "  %-9s threads=%s L=%-5s %12d\n", $1, $2, $3, $6 }' "$results"
if [ "$memory_len" != 0 ]; then
  echo
  ours --memory "$memory_len"
fi
