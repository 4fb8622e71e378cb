#!/usr/bin/env bash
# Runs examples/spark/job.py in Spark local mode on generated cases and checks
# that its decisions are the bytes a single `salvage eval` writes.
#
#   examples/spark/run.sh [CASES]      default 20000
#
# Too heavy for CI: it installs PySpark (some 400 MB) into a virtual
# environment, needs Java 17 or later, and starts a Spark JVM. Run it by hand.
#
# 1. Builds `salvage` (release) and creates examples/spark/.venv with pyspark
#    (once; VENV names another folder).
# 2. Writes CASES cases (scripts/gen-cases.py, seed SEED, default 1), with a
#    blank line now and then and a cut-off last line, so that line numbers and
#    error records are part of the comparison.
# 3. Evaluates them once with `salvage eval` and once with the Spark job
#    (`local[2]`, PARTITIONS partitions, default 8), and compares the two
#    outputs byte for byte.
#
# Environment: SEED, PARTITIONS, VENV, CARGO_TARGET_DIR (as for cargo).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../.."
cases="${1:-20000}"
seed="${SEED:-1}"
partitions="${PARTITIONS:-8}"
venv="${VENV:-$here/.venv}"
target_dir="${CARGO_TARGET_DIR:-target}"
protocol="$PWD/protocols/dlbcl-second-line.salv"

if ! command -v java >/dev/null; then
    echo "run.sh: Spark needs Java 17 or later (e.g. apt-get install openjdk-17-jre-headless)" >&2
    exit 2
fi

cargo build --release --quiet --bin salvage
salvage="$(cd "$target_dir/release" && pwd)/salvage"

if [ ! -x "$venv/bin/spark-submit" ]; then
    echo "== installing pyspark into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet pyspark
fi

# spark-submit finds Spark through `python` on PATH; workers run PYSPARK_PYTHON.
export PATH="$venv/bin:$PATH" PYSPARK_PYTHON="$venv/bin/python"

work="$(mktemp -d "${TMPDIR:-/tmp}/salvage-spark.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cases_file="$work/cases.jsonl"
python3 scripts/gen-cases.py "$cases" --seed "$seed" |
    awk 'NR % 4999 == 0 { print "" } { print } END { printf "{\"id\": \"cut-off" }' >"$cases_file"

# salvage eval exits 1 when some record is an error record (the cut-off line).
single_status=0
"$salvage" eval "$protocol" "$cases_file" >"$work/single.jsonl" 2>/dev/null || single_status=$?
if [ "$single_status" -gt 1 ]; then
    echo "run.sh: salvage eval exited with $single_status" >&2
    exit 1
fi

echo "== spark-submit --master local[2] job.py ($partitions partitions)"
if ! spark-submit --master "local[2]" --conf spark.ui.enabled=false \
    "$here/job.py" --salvage "$salvage" --protocol "$protocol" \
    --partitions "$partitions" "$cases_file" "$work/out" >"$work/spark.log" 2>&1; then
    tail -n 40 "$work/spark.log" >&2
    exit 1
fi
cat "$work"/out/part-* >"$work/spark.jsonl"

records=$(wc -l <"$work/single.jsonl")
parts=$(find "$work/out" -name 'part-*' | wc -l)
if cmp -s "$work/single.jsonl" "$work/spark.jsonl"; then
    echo "identical: $records records from $parts Spark partitions, the same bytes as one salvage eval"
else
    echo "run.sh: the Spark job's decisions differ from salvage eval's:" >&2
    diff <(head -c 100000 "$work/single.jsonl") <(head -c 100000 "$work/spark.jsonl") | head -n 10 >&2
    exit 1
fi
