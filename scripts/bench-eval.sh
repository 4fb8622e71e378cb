#!/usr/bin/env bash
# Measures `salvage eval` on many cases: cases per second, MB/s and peak memory,
# against a load-only baseline (the same cases and schema, no rules).
# Usage: scripts/bench-eval.sh [CASES]   (default 200000)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-200000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --release --quiet
cp -r protocols "$work/"
# The load-only baseline: the protocol's header, vocabulary and schema without rules or tests.
awk '/^rule |^\/\/ -----/{exit} {print}' protocols/dlbcl-second-line.salv > "$work/protocols/load-only.salv"
python3 - "$n" "$work/cases.jsonl" <<'PY'
import sys
n, out = int(sys.argv[1]), sys.argv[2]
lines = [l for l in open("examples/dlbcl-cases.jsonl") if l.strip()]
with open(out, "w") as f:
    for i in range(n):
        f.write(lines[i % len(lines)])
PY
size=$(stat -c %s "$work/cases.jsonl")
run() {
  local label=$1; shift
  local start end
  start=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$work/mem" "$@" > /dev/null 2>&1 || true
  end=$(date +%s.%N)
  python3 -c "
s=$end-$start; print(f'{\"$label\":<28} {s:7.2f} s  {$n/s:9.0f} cases/s  {$size/s/1e6:6.1f} MB/s  peak {int(open(\"$work/mem\").read())/1024:6.1f} MiB')"
}
echo "$n cases, $(python3 -c "print(f'{$size/1e6:.1f}')") MB, $(nproc) cores"
run "load only (no rules)" target/release/salvage eval --allow-draft "$work/protocols/load-only.salv" "$work/cases.jsonl"
run "eval, 1 job" target/release/salvage eval --jobs 1 protocols/dlbcl-second-line.salv "$work/cases.jsonl"
run "eval, all cores" target/release/salvage eval protocols/dlbcl-second-line.salv "$work/cases.jsonl"
run "eval --explain, all cores" target/release/salvage eval --explain protocols/dlbcl-second-line.salv "$work/cases.jsonl"
