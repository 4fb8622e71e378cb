#!/usr/bin/env bash
# Fuzzing, for people (CI does not run this): each cargo-fuzz target in fuzz/
# for SECONDS, one after another.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]   default: 60 s, every target
#
# Targets (fuzz/fuzz_targets/):
#   check_protocol   any text, parsed and checked (`salvage::check_source`)
#   eval_case        any text as a case's JSON, decided on each bundled protocol
#   mutate_protocol  bundled protocols mutated token by token, compiled, and
#                    four of the example cases decided on what compiles
#
# Installs cargo-fuzz when it is missing (`cargo install cargo-fuzz`).
# cargo-fuzz needs nightly compiler flags; this runs it on the stable
# toolchain with RUSTC_BOOTSTRAP=1. It builds with `--sanitizer none`
# (safe Rust: the crashes looked for are panics, overflows and hangs, which
# need no sanitizer, and a run is several times faster) and release
# optimisation. Each target runs under `nice -n 10`.
#
# The seed corpus is made at run time in fuzz/corpus/<target>/ (not
# committed): protocols/*.salv, docs/examples, tests/cases/**/*.salv, and
# one file per case of examples/*.jsonl and tests/cases/eval/*/cases.jsonl;
# for mutate_protocol, protocols with their imports inlined. What libFuzzer
# adds to the corpus stays there for the next run.
#
# Prints, per target, the executions, executions per second and whether it
# found a crash (then in fuzz/artifacts/<target>/; reproduce with
# `RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer none TARGET ARTIFACT`).
# Each target's whole libFuzzer log is left in fuzz/target/<target>.log.
# Exits 1 when any target found a crash.
#
# Environment: FUZZ_JOBS is not used (one process per target, the machine
# is shared); TIMEOUT (seconds for one input before it counts as a hang,
# default 10); MAX_LEN (largest input, default 4096, and 65536 for
# mutate_protocol, whose seeds are whole protocols); RUNS (stop a target
# after that many executions, as libFuzzer's -runs, even before SECONDS;
# SECONDS 0 means no time limit); TRACE_COMPARES=0 (build without
# libFuzzer's comparison tracing: about twice the executions per second,
# for runs meant to reach a number of executions).
#
# The runs reported for the project were
#   RUNS=10000000 MAX_LEN=256 TRACE_COMPARES=0 scripts/fuzz.sh 0 check_protocol
#   RUNS=10000000 TRACE_COMPARES=0 scripts/fuzz.sh 0 eval_case
#   RUNS=10000000 MAX_LEN=1024 TRACE_COMPARES=0 scripts/fuzz.sh 0 mutate_protocol
# (protocol text is parsed at about a microsecond a byte under the
# fuzzer's instrumentation: short inputs are what make 10^7 executions
# possible in hours rather than days; mutate_protocol's mutants of whole
# protocols run at a few hundred a second, of protocols cut to 1024 bytes
# at 500 to 1,200).
set -euo pipefail

cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(check_protocol eval_case mutate_protocol)
fi
timeout="${TIMEOUT:-10}"
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "== cargo install cargo-fuzz"
    cargo install cargo-fuzz
fi

# Copies a file into a corpus folder, named by its hash (so reruns dedupe).
seed() {
    local dir="$1" file="$2"
    cp "$file" "$dir/seed-$(sha1sum "$file" | cut -c1-16)"
}

# A protocol with each `import "X"` line replaced by the file X beside it.
inlined() {
    local file="$1" dir
    dir="$(dirname "$file")"
    while IFS= read -r line; do
        if [[ "$line" =~ ^import\ \"([^\"]+)\" ]] && [ -f "$dir/${BASH_REMATCH[1]}" ]; then
            cat "$dir/${BASH_REMATCH[1]}"
        else
            printf '%s\n' "$line"
        fi
    done <"$file"
}

make_corpus() {
    local base=fuzz/corpus tmp
    mkdir -p "$base/check_protocol" "$base/eval_case" "$base/mutate_protocol"
    while IFS= read -r -d '' file; do
        seed "$base/check_protocol" "$file"
    done < <(find protocols docs/examples tests/cases -name '*.salv' -print0)
    tmp="$(mktemp -d)"
    local n=0
    while IFS= read -r -d '' file; do
        while IFS= read -r line; do
            [ -z "$line" ] && continue
            n=$((n + 1))
            printf '%s' "$line" >"$tmp/case-$n"
            seed "$base/eval_case" "$tmp/case-$n"
        done <"$file"
    done < <(find examples tests/cases/eval -name '*cases.jsonl' -print0)
    while IFS= read -r -d '' file; do
        inlined "$file" >"$tmp/protocol"
        seed "$base/mutate_protocol" "$tmp/protocol"
    done < <(find protocols docs/examples -maxdepth 1 -name '*.salv' -print0;
             find tests/cases/eval -name protocol.salv -print0)
    rm -rf "$tmp"
}

echo "== seed corpus"
make_corpus
for target in "${targets[@]}"; do
    echo "   $target: $(find "fuzz/corpus/$target" -type f | wc -l) inputs"
done

build_flags=(--sanitizer none --release)
if [ "${TRACE_COMPARES:-1}" = 0 ]; then
    build_flags+=(--no-trace-compares)
fi
limits=(-max_total_time="$seconds")
if [ -n "${RUNS:-}" ]; then
    limits+=(-runs="$RUNS")
fi

echo "== cargo fuzz build"
nice -n 10 cargo fuzz build "${build_flags[@]}"

crashed=0
summary=()
for target in "${targets[@]}"; do
    echo "== $target for ${seconds}s${RUNS:+ or $RUNS runs}"
    mkdir -p fuzz/target
    log="fuzz/target/$target.log"
    max_len="${MAX_LEN:-4096}"
    if [ "$target" = mutate_protocol ]; then
        max_len="${MAX_LEN:-65536}"
    fi
    set +e
    nice -n 10 cargo fuzz run "${build_flags[@]}" "$target" -- \
        "${limits[@]}" -timeout="$timeout" -max_len="$max_len" \
        -print_final_stats=1 2>&1 | tee "$log" |
        grep --line-buffered -E '^#[0-9]+.*(pulse|DONE)|panicked|SUMMARY|Test unit written'
    status="${PIPESTATUS[0]}"
    set -e
    runs="$(grep -oE 'stat::number_of_executed_units: +[0-9]+' "$log" | grep -oE '[0-9]+$' || echo '?')"
    rate="$(grep -oE 'stat::average_exec_per_sec: +[0-9]+' "$log" | grep -oE '[0-9]+$' || echo '?')"
    if [ "$status" -eq 0 ]; then
        result="no crash"
    else
        result="CRASH (exit $status): $(grep -oE 'fuzz/artifacts/[^ ]+' "$log" | head -1)"
        crashed=1
    fi
    summary+=("$(printf '%-16s %12s runs %8s/s  %s' "$target" "$runs" "$rate" "$result")")
done

echo "== summary (${seconds}s per target)"
printf '%s\n' "${summary[@]}"
exit "$crashed"
