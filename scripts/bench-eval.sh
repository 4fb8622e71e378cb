#!/usr/bin/env bash
# Measures `salvage eval` on generated cases against the parse-only baseline, in
# one run on one file, for people (CI does not run this).
#
#   scripts/bench-eval.sh [CASES]      default 200000
#
# 1. Builds `salvage` and the `parse_baseline` example (release).
# 2. Writes CASES cases for protocols/dlbcl-second-line.salv with
#    scripts/gen-cases.py (seed SEED, default 1: the same file every time).
# 3. Runs on that file, each once, output to a file:
#      parse-only baseline   each line into serde_json::Value, a fixed record written
#      eval --jobs 1         salvage eval, one thread
#      eval --jobs N         salvage eval, one thread per core
#    and prints wall seconds, cases/s, MB/s of input, peak resident memory
#    (GNU time's %M) and the time as a multiple of the baseline's.
# 4. Checks that every run wrote one record per case and that the two eval
#    outputs are byte-identical.
#
# Wall time moves with whatever else the machine is doing; for a figure that
# does not, see scripts/bench-callgrind.sh (instructions per case).
#
# Environment: SEED (generator seed), CARGO_TARGET_DIR (as for cargo).
set -euo pipefail

cd "$(dirname "$0")/.."
cases="${1:-200000}"
seed="${SEED:-1}"
target_dir="${CARGO_TARGET_DIR:-target}"
protocol=protocols/dlbcl-second-line.salv
cores=$(nproc)

if [ ! -x /usr/bin/time ]; then
    echo "bench-eval: GNU time (/usr/bin/time) is needed for peak memory: apt-get install time" >&2
    exit 2
fi

cargo build --release --quiet --bin salvage --example parse_baseline
salvage="$target_dir/release/salvage"
baseline="$target_dir/release/examples/parse_baseline"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/salvage-bench.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
input="$tmp/cases.jsonl"
python3 scripts/gen-cases.py "$cases" --seed "$seed" -o "$input"
bytes=$(wc -c <"$input")

now_ns() { date +%s%N; }

# run LABEL OUTPUT COMMAND...: times one run and prints its row; `salvage eval`
# exits 1 when some case gives an error record, which is not a failure here.
run() {
    local label=$1 output=$2
    shift 2
    local start end status=0
    start=$(now_ns)
    /usr/bin/time -f %M -o "$tmp/rss" "$@" >"$output" 2>"$tmp/stderr" || status=$?
    end=$(now_ns)
    if [ "$status" -gt 1 ]; then
        echo "bench-eval: '$label' exited with $status:" >&2
        head -n 20 "$tmp/stderr" >&2
        exit 1
    fi
    local records
    records=$(wc -l <"$output")
    if [ "$records" -ne "$cases" ]; then
        echo "bench-eval: '$label' wrote $records records for $cases cases" >&2
        exit 1
    fi
    local ns=$((end - start))
    [ -n "${baseline_ns:-}" ] || baseline_ns=$ns
    awk -v label="$label" -v ns="$ns" -v base="$baseline_ns" -v cases="$cases" \
        -v bytes="$bytes" -v kb="$(tail -n 1 "$tmp/rss")" -v out="$(wc -c <"$output")" \
        'BEGIN {
            s = ns / 1e9
            printf "%-22s %8.2f %11.0f %8.1f %9.1f %9.1f %8.2fx\n",
                label, s, cases / s, bytes / s / 1e6, kb / 1024, out / cases, ns / base
        }'
}

echo "$cases cases ($(awk -v b="$bytes" -v n="$cases" 'BEGIN { printf "%.1f MB, %.0f bytes a case", b / 1e6, b / n }')), seed $seed, $cores cores"
printf '%-22s %8s %11s %8s %9s %9s %9s\n' run seconds cases/s MB/s peak_MiB out_B/case baseline
run "parse-only baseline" "$tmp/baseline.jsonl" "$baseline" "$input"
run "eval --jobs 1" "$tmp/eval-1.jsonl" "$salvage" eval --jobs 1 "$protocol" "$input"
run "eval --jobs $cores" "$tmp/eval-n.jsonl" "$salvage" eval --jobs "$cores" "$protocol" "$input"

if cmp -s "$tmp/eval-1.jsonl" "$tmp/eval-n.jsonl"; then
    echo "eval output byte-identical with --jobs 1 and --jobs $cores"
else
    echo "bench-eval: eval output differs between --jobs 1 and --jobs $cores" >&2
    exit 1
fi

python3 - "$tmp/eval-1.jsonl" <<'PY'
import collections, json, sys
mix = collections.Counter()
for line in open(sys.argv[1], encoding="utf-8"):
    record = json.loads(line)
    mix["error record" if "error" in record else record["status"]] += 1
print("decisions: " + ", ".join(f"{status} {count}" for status, count in mix.most_common()))
PY
