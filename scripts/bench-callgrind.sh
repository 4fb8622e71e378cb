#!/usr/bin/env bash
# Instructions per case under `valgrind --tool=callgrind`, for the parse-only
# baseline and `salvage eval --jobs 1`: a figure that stays the same on a busy
# machine, unlike wall time. For people (CI does not run this).
#
#   scripts/bench-callgrind.sh [CASES]      default 10000
#
# Writes CASES generated cases (scripts/gen-cases.py, seed SEED, default 1) and a
# slice of their first 10, runs each program on both under callgrind, and
# reports (instructions on CASES - instructions on 10) / (CASES - 10): the
# start-up (protocol loading and checking, allocator, threads) does not count.
# Needs valgrind (`apt-get install valgrind`); installs nothing.
#
# Environment: SEED (generator seed), CARGO_TARGET_DIR (as for cargo).
set -euo pipefail

cd "$(dirname "$0")/.."
cases="${1:-10000}"
seed="${SEED:-1}"
small=10
target_dir="${CARGO_TARGET_DIR:-target}"
protocol=protocols/dlbcl-second-line.salv

if ! command -v valgrind >/dev/null; then
    echo "bench-callgrind: valgrind is needed: apt-get install valgrind" >&2
    exit 2
fi
if [ "$cases" -le "$small" ]; then
    echo "bench-callgrind: CASES must be more than $small" >&2
    exit 2
fi

cargo build --release --quiet --bin salvage --example parse_baseline
salvage="$target_dir/release/salvage"
baseline="$target_dir/release/examples/parse_baseline"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/salvage-callgrind.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
python3 scripts/gen-cases.py "$cases" --seed "$seed" -o "$tmp/cases.jsonl"
head -n "$small" "$tmp/cases.jsonl" >"$tmp/small.jsonl"

# instructions FILE COMMAND...: the instructions callgrind counts for COMMAND FILE
# (every thread); `salvage eval` exits 1 when a case gives an error record.
instructions() {
    local file=$1
    shift
    local status=0
    valgrind --tool=callgrind --callgrind-out-file="$tmp/callgrind.out" \
        "$@" "$file" >/dev/null 2>"$tmp/stderr" || status=$?
    if [ "$status" -gt 1 ]; then
        echo "bench-callgrind: '$*' exited with $status:" >&2
        tail -n 20 "$tmp/stderr" >&2
        exit 1
    fi
    awk '/^summary:/ { print $2 }' "$tmp/callgrind.out"
}

# per_case LABEL COMMAND...: prints the row of one program and sets $per_case.
per_case() {
    local label=$1
    shift
    local full few
    full=$(instructions "$tmp/cases.jsonl" "$@")
    few=$(instructions "$tmp/small.jsonl" "$@")
    per_case=$(((full - few) / (cases - small)))
    printf '%-22s %16d %16d %12d\n' "$label" "$full" "$few" "$per_case"
}

echo "instructions under callgrind: $cases cases, less a run on $small (seed $seed)"
printf '%-22s %16s %16s %12s\n' run "on $cases" "on $small" per_case
per_case "parse-only baseline" "$baseline"
baseline_per_case=$per_case
per_case "eval --jobs 1" "$salvage" eval --jobs 1 "$protocol"
awk -v e="$per_case" -v b="$baseline_per_case" \
    'BEGIN { printf "eval / baseline: %.2fx the instructions per case\n", e / b }'
