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
# Callgrind's cache model (--cache-sim) also counts the misses of the first-level
# caches (instructions and data) and of the last level, per case the same way,
# and the estimated cycles callgrind_annotate uses by default: instructions
# + 10 x first-level misses + 100 x last-level misses. Wall time differs from
# the instruction count mostly by those misses; the estimate stays the same on
# a busy machine.
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

# events FILE COMMAND...: what callgrind counts for COMMAND FILE (every
# thread), with its cache model, as "instructions L1-misses last-level-misses";
# `salvage eval` exits 1 when a case gives an error record.
events() {
    local file=$1
    shift
    local status=0
    valgrind --tool=callgrind --cache-sim=yes --callgrind-out-file="$tmp/callgrind.out" \
        "$@" "$file" >/dev/null 2>"$tmp/stderr" || status=$?
    if [ "$status" -gt 1 ]; then
        echo "bench-callgrind: '$*' exited with $status:" >&2
        tail -n 20 "$tmp/stderr" >&2
        exit 1
    fi
    # events: Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw
    awk '/^summary:/ { print $2, $5 + $6 + $7, $8 + $9 + $10 }' "$tmp/callgrind.out"
}

# per_case LABEL COMMAND...: prints the row of one program and sets $per_case
# (instructions) and $cycles (estimated cycles) per case.
per_case() {
    local label=$1
    shift
    local full few
    full=$(events "$tmp/cases.jsonl" "$@")
    few=$(events "$tmp/small.jsonl" "$@")
    read -r per_case l1 ll cycles < <(awk -v full="$full" -v few="$few" -v n=$((cases - small)) '
        BEGIN {
            split(full, f, " "); split(few, s, " ")
            ir = (f[1] - s[1]) / n; l1 = (f[2] - s[2]) / n; ll = (f[3] - s[3]) / n
            printf "%d %.0f %.1f %d\n", ir, l1, ll, ir + 10 * l1 + 100 * ll
        }')
    printf '%-22s %16s %12d %10d %10s %12d\n' "$label" "${full%% *}" "$per_case" "$l1" "$ll" "$cycles"
}

echo "under callgrind: $cases cases, less a run on $small (seed $seed)"
printf '%-22s %16s %12s %10s %10s %12s\n' run "instructions" "per case:" "L1 misses" "LL misses" "est. cycles"
per_case "parse-only baseline" "$baseline"
baseline_per_case=$per_case
baseline_cycles=$cycles
per_case "eval --jobs 1" "$salvage" eval --jobs 1 "$protocol"
awk -v e="$per_case" -v b="$baseline_per_case" -v ec="$cycles" -v bc="$baseline_cycles" \
    'BEGIN {
        printf "eval / baseline: %.2fx the instructions per case, %.2fx the estimated cycles\n", e / b, ec / bc
    }'
