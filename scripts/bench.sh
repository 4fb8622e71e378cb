#!/usr/bin/env bash
# Front-end benchmarks, for people (CI does not run this).
#
#   scripts/bench.sh [RULES...]      default: 2000 20000
#
# 1. `cargo bench --bench check`: criterion on a generated protocol of 2,000
#    rules (check_source, and parse alone as a baseline).
# 2. Builds `target/release/salvage`, writes the generated protocol with each
#    number of RULES to a temporary folder, and times `salvage check` on it
#    (RUNS runs, default 5): best and median wall time, MB/s and rules/s at
#    the median, and peak resident memory when GNU time (/usr/bin/time -v) is
#    there. Installs nothing.
#
# Environment: RUNS (runs per file), SKIP_CRITERION=1 (only step 2),
# CARGO_TARGET_DIR (as for cargo).
set -euo pipefail

cd "$(dirname "$0")/.."
target_dir="${CARGO_TARGET_DIR:-target}"
runs="${RUNS:-5}"
sizes=("$@")
if [ ${#sizes[@]} -eq 0 ]; then
    sizes=(2000 20000)
fi

if [ "${SKIP_CRITERION:-0}" != 1 ]; then
    echo "== cargo bench --bench check"
    cargo bench --bench check
fi

echo
echo "== salvage check (release binary)"
cargo build --release --bin salvage --quiet
salvage="$target_dir/release/salvage"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/salvage-bench.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

gnu_time=""
if [ -x /usr/bin/time ] && /usr/bin/time -v true >/dev/null 2>&1; then
    gnu_time=/usr/bin/time
fi

now_ns() { date +%s%N; }

printf '%8s %10s %10s %10s %10s %12s %12s\n' \
    rules bytes best_ms median_ms MB/s rules/s peak_RSS_MB
for rules in "${sizes[@]}"; do
    file="$tmp/bench-$rules.salv"
    SALVAGE_BENCH_WRITE="$file" SALVAGE_BENCH_RULES="$rules" \
        cargo bench --bench check --quiet 2>/dev/null
    bytes=$(wc -c <"$file")

    status=0
    "$salvage" check "$file" >/dev/null 2>"$tmp/diagnostics.txt" || status=$?
    if [ "$status" -ne 0 ]; then
        echo "salvage check exited with $status on the generated protocol:" >&2
        head -n 20 "$tmp/diagnostics.txt" >&2
        exit 1
    fi

    times=()
    for _ in $(seq "$runs"); do
        start=$(now_ns)
        "$salvage" check "$file" >/dev/null 2>&1
        end=$(now_ns)
        times+=($(((end - start) / 1000)))
    done
    sorted=($(printf '%s\n' "${times[@]}" | sort -n))
    best_us=${sorted[0]}
    median_us=${sorted[$((runs / 2))]}

    peak="n/a"
    if [ -n "$gnu_time" ]; then
        "$gnu_time" -v -o "$tmp/time.txt" "$salvage" check "$file" >/dev/null 2>&1 || true
        kb=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$tmp/time.txt")
        peak=$(awk -v kb="$kb" 'BEGIN { printf "%.1f", kb / 1024 }')
    fi

    awk -v rules="$rules" -v bytes="$bytes" -v best="$best_us" -v median="$median_us" -v peak="$peak" \
        'BEGIN {
            printf "%8d %10d %10.1f %10.1f %10.2f %12.0f %12s\n",
                rules, bytes, best / 1000, median / 1000,
                bytes / 1e6 / (median / 1e6), rules / (median / 1e6), peak
        }'
done
echo "(wall time of the whole process: start, read, parse, check, render; $runs runs each)"
