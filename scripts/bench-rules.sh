#!/usr/bin/env bash
# How `salvage check` and `salvage eval` scale with the number of rules, for
# people (CI does not run this).
#
#   scripts/bench-rules.sh [N...]      default 2000 5000 10000 20000 50000
#
# For each N, writes a protocol of N rules with scripts/gen-protocol.py (seed
# SEED, default 1), one case and 100 cases for it, and reports the wall time
# (the fastest of REPEAT runs, default 3) and the time per rule of:
#   check        salvage check
#   eval 1       salvage eval --jobs 1 on one case
#   eval 100     salvage eval --jobs 1 on 100 cases
# and, for N up to CALLGRIND_MAX (default 10000; set 50000 to include the
# largest, a few minutes), the instructions per rule under
# `valgrind --tool=callgrind` of check and of eval on one case. Per-rule
# figures that stay flat as N grows mean linear work. Instructions do not
# move with a busy machine; wall time does.
# Needs valgrind for the instruction counts (`apt-get install valgrind`);
# without it they are left out. Installs nothing.
#
# Environment: SEED, REPEAT, CALLGRIND_MAX, SALVAGE (a binary to measure
# instead of building one), CARGO_TARGET_DIR (as for cargo).
set -euo pipefail

cd "$(dirname "$0")/.."
sizes=("$@")
if [ ${#sizes[@]} -eq 0 ]; then
    sizes=(2000 5000 10000 20000 50000)
fi
seed="${SEED:-1}"
repeat="${REPEAT:-3}"
callgrind_max="${CALLGRIND_MAX:-10000}"
target_dir="${CARGO_TARGET_DIR:-target}"

if [ -n "${SALVAGE:-}" ]; then
    salvage="$SALVAGE"
else
    cargo build --release --quiet --bin salvage
    salvage="$target_dir/release/salvage"
fi
have_valgrind=true
if ! command -v valgrind >/dev/null; then
    echo "bench-rules: no valgrind: instruction counts left out (apt-get install valgrind)" >&2
    have_valgrind=false
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/salvage-rules.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

now_ns() { date +%s%N; }

# fastest COMMAND...: the fastest wall seconds of $repeat runs of COMMAND;
# exit status 1 (an error record from eval) is not a failure here.
fastest() {
    local best="" start end status ns
    for _ in $(seq "$repeat"); do
        status=0
        start=$(now_ns)
        "$@" >/dev/null 2>"$tmp/stderr" || status=$?
        end=$(now_ns)
        if [ "$status" -gt 1 ]; then
            echo "bench-rules: '$*' exited with $status:" >&2
            tail -n 20 "$tmp/stderr" >&2
            exit 1
        fi
        ns=$((end - start))
        if [ -z "$best" ] || [ "$ns" -lt "$best" ]; then
            best=$ns
        fi
    done
    awk -v ns="$best" 'BEGIN { printf "%.3f", ns / 1e9 }'
}

# instructions COMMAND...: what callgrind counts for COMMAND (every thread).
instructions() {
    local status=0
    valgrind --tool=callgrind --dump-instr=no --callgrind-out-file="$tmp/callgrind.out" \
        "$@" >/dev/null 2>"$tmp/stderr" || status=$?
    if [ "$status" -gt 1 ]; then
        echo "bench-rules: '$*' exited with $status under callgrind:" >&2
        tail -n 20 "$tmp/stderr" >&2
        exit 1
    fi
    awk '/^summary:/ { print $2 }' "$tmp/callgrind.out"
}

# per_rule SECONDS N: microseconds per rule.
per_rule() { awk -v s="$1" -v n="$2" 'BEGIN { printf "%.1f", s * 1e6 / n }'; }

echo "salvage check and eval --jobs 1 on generated protocols (seed $seed, fastest of $repeat)"
printf '%7s | %8s %7s | %8s %7s | %8s %7s | %10s %10s\n' rules "check s" "us/rule" \
    "eval1 s" "us/rule" "eval100" "us/rule" "check Ir/r" "eval1 Ir/r"
for n in "${sizes[@]}"; do
    protocol="$tmp/p$n.salv"
    python3 scripts/gen-protocol.py "$n" --seed "$seed" -o "$protocol" --cases "$tmp/one.jsonl"
    python3 scripts/gen-protocol.py "$n" --seed "$seed" -o /dev/null \
        --cases "$tmp/hundred.jsonl" --count 100
    check=$(fastest "$salvage" check "$protocol")
    one=$(fastest "$salvage" eval --jobs 1 "$protocol" "$tmp/one.jsonl")
    hundred=$(fastest "$salvage" eval --jobs 1 "$protocol" "$tmp/hundred.jsonl")
    check_ir=-
    eval_ir=-
    if $have_valgrind && [ "$n" -le "$callgrind_max" ]; then
        check_ir=$(( $(instructions "$salvage" check "$protocol") / n ))
        eval_ir=$(( $(instructions "$salvage" eval --jobs 1 "$protocol" "$tmp/one.jsonl") / n ))
    fi
    printf '%7d | %8s %7s | %8s %7s | %8s %7s | %10s %10s\n' "$n" \
        "$check" "$(per_rule "$check" "$n")" "$one" "$(per_rule "$one" "$n")" \
        "$hundred" "$(per_rule "$hundred" "$n")" "$check_ir" "$eval_ir"
done
echo "us/rule: microseconds per rule (eval100: for all 100 cases); Ir/r: instructions per rule"
