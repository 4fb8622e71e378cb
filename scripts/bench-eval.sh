#!/usr/bin/env bash
# Measures `salvage eval` on generated cases against the parse-only baseline, in
# one run on one file, for people (CI does not run this).
#
#   scripts/bench-eval.sh [CASES]      default 200000
#
# 1. Builds `salvage` and the `parse_baseline` example (release).
# 2. Writes CASES cases for protocols/dlbcl-second-line.salv with
#    scripts/gen-cases.py (seed SEED, default 1: the same file every time).
# 3. Runs on that file, REPEAT rounds (default 5), each round one run of each,
#    output to a file:
#      parse-only baseline   each line into serde_json::Value, a fixed record written
#      eval --jobs 1         salvage eval, one thread
#      eval --jobs N         salvage eval, one thread per core
#      eval, one core        --jobs 1 held to one core with taskset (the
#                            reading and writing thread shares it), the
#                            figure --jobs N is compared with
#    and prints, per program, the fastest and the median wall seconds, cases/s
#    and MB/s of input at the fastest, peak resident memory (GNU time's %M,
#    the largest of the rounds) and the fastest and median times as multiples
#    of the baseline's.
# 4. Checks that every run wrote one record per case and that the eval
#    outputs are byte-identical.
#
# Wall time moves with whatever else the machine is doing: the rounds
# interleave the programs so that a busy spell slows all of them, and the
# fastest run is the one least disturbed. For a figure that does not move, see
# scripts/bench-callgrind.sh (instructions per case).
#
# Environment: SEED (generator seed), REPEAT (rounds), CARGO_TARGET_DIR (as for
# cargo).
set -euo pipefail

cd "$(dirname "$0")/.."
cases="${1:-200000}"
seed="${SEED:-1}"
repeat="${REPEAT:-5}"
target_dir="${CARGO_TARGET_DIR:-target}"
protocol=protocols/dlbcl-second-line.salv
cores=$(nproc)

if ! command -v taskset >/dev/null; then
    echo "bench-eval: taskset is needed to hold a run to one core: apt-get install util-linux" >&2
    exit 2
fi
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

# run NAME OUTPUT COMMAND...: times one run, appending its nanoseconds to
# $tmp/NAME.ns and its peak kilobytes to $tmp/NAME.kb; `salvage eval` exits 1
# when some case gives an error record, which is not a failure here.
run() {
    local name=$1 output=$2
    shift 2
    local start end status=0
    start=$(now_ns)
    /usr/bin/time -f %M -o "$tmp/rss" "$@" >"$output" 2>"$tmp/stderr" || status=$?
    end=$(now_ns)
    if [ "$status" -gt 1 ]; then
        echo "bench-eval: '$name' exited with $status:" >&2
        head -n 20 "$tmp/stderr" >&2
        exit 1
    fi
    local records
    records=$(wc -l <"$output")
    if [ "$records" -ne "$cases" ]; then
        echo "bench-eval: '$name' wrote $records records for $cases cases" >&2
        exit 1
    fi
    echo $((end - start)) >>"$tmp/$name.ns"
    tail -n 1 "$tmp/rss" >>"$tmp/$name.kb"
}

# median FILE: the median of the numbers in FILE, one a line (the lower of two).
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# row LABEL NAME OUTPUT: prints the row of one program from its rounds.
row() {
    local label=$1 name=$2 output=$3
    sort -n "$tmp/$name.ns" | awk -v label="$label" -v cases="$cases" -v bytes="$bytes" \
        -v kb="$(sort -n "$tmp/$name.kb" | tail -n 1)" -v out="$(wc -c <"$output")" \
        -v base_min="$(sort -n "$tmp/baseline.ns" | head -n 1)" \
        -v base_median="$(median "$tmp/baseline.ns")" \
        '{ v[NR] = $1 }
        END {
            fastest = v[1] / 1e9
            median = v[int((NR + 1) / 2)] / 1e9
            printf "%-20s %7.2f %7.2f %10.0f %7.1f %8.1f %7.1f %6.2fx %6.2fx\n",
                label, fastest, median, cases / fastest, bytes / fastest / 1e6, kb / 1024,
                out / cases, v[1] / base_min, v[int((NR + 1) / 2)] / base_median
        }'
}

echo "$cases cases ($(awk -v b="$bytes" -v n="$cases" 'BEGIN { printf "%.1f MB, %.0f bytes a case", b / 1e6, b / n }')), seed $seed, $cores cores, $repeat rounds"
for _ in $(seq "$repeat"); do
    run baseline "$tmp/baseline.jsonl" "$baseline" "$input"
    run eval-1 "$tmp/eval-1.jsonl" "$salvage" eval --jobs 1 "$protocol" "$input"
    run eval-n "$tmp/eval-n.jsonl" "$salvage" eval --jobs "$cores" "$protocol" "$input"
    run eval-core "$tmp/eval-core.jsonl" taskset -c 0 "$salvage" eval --jobs 1 "$protocol" "$input"
    for output in eval-n eval-core; do
        if ! cmp -s "$tmp/eval-1.jsonl" "$tmp/$output.jsonl"; then
            echo "bench-eval: eval output differs between --jobs 1 and $output" >&2
            exit 1
        fi
    done
done
printf '%-20s %7s %7s %10s %7s %8s %7s %7s %7s\n' run fastest median cases/s MB/s peak_MiB out_B/c "x base" "median"
row "parse-only baseline" baseline "$tmp/baseline.jsonl"
row "eval --jobs 1" eval-1 "$tmp/eval-1.jsonl"
row "eval --jobs $cores" eval-n "$tmp/eval-n.jsonl"
row "eval, one core" eval-core "$tmp/eval-core.jsonl"
awk -v one="$(sort -n "$tmp/eval-core.ns" | head -n 1)" -v n="$(sort -n "$tmp/eval-n.ns" | head -n 1)" \
    -v one_median="$(median "$tmp/eval-core.ns")" -v n_median="$(median "$tmp/eval-n.ns")" \
    -v cores="$cores" 'BEGIN {
        printf "--jobs %d against one core: %.2fx as fast (fastest), %.2fx (median)\n",
            cores, one / n, one_median / n_median
    }'
echo "eval output byte-identical with --jobs 1, --jobs $cores and on one core in every round"

python3 - "$tmp/eval-1.jsonl" <<'PY'
import collections, json, sys
mix = collections.Counter()
for line in open(sys.argv[1], encoding="utf-8"):
    record = json.loads(line)
    mix["error record" if "error" in record else record["status"]] += 1
print("decisions: " + ", ".join(f"{status} {count}" for status, count in mix.most_common()))
PY
