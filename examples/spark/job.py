"""Evaluates a JSON Lines case file with `salvage eval -` on Spark, partition by partition.

    spark-submit [--master URL] job.py --salvage BIN --protocol FILE CASES OUT
                 [--partitions N] [--source NAME] [--jobs N]

Each partition of CASES is piped through one `salvage eval PROTOCOL -` process
(`RDD.pipe`). Each line that is not blank gives exactly one record, in order, so
a partition's records line up with its lines; the job puts back the source
`salvage eval` gives a file it reads itself, `{"file": NAME, "line": N}` with N
the line in CASES (NAME defaults to CASES as written), and writes the records
to the folder OUT as text parts in input order: `cat OUT/part-*` is the
file a single `salvage eval PROTOCOL CASES` writes.

The same code runs in local mode and on a cluster; there, BIN and PROTOCOL
(with the files it imports) must be at that path on every executor.
"""

import argparse
import json
import re
import shlex

from pyspark.sql import SparkSession

# What Rust's `str::trim` removes (Unicode White_Space), which is how
# `salvage eval` tells a blank line, which gives no record.
WHITE_SPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005" \
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"

# The source of a record read from standard input; the first match on a line is
# the record's own (a case id cannot hold an unescaped quote).
STDIN_SOURCE = re.compile(r'"source":\{"file":"-","line":[0-9]+\}')


def arguments():
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", help="JSON Lines case file (any path Spark reads)")
    parser.add_argument("out", help="folder to write the decisions to (must not exist)")
    parser.add_argument("--salvage", required=True, help="the salvage binary, on every executor")
    parser.add_argument("--protocol", required=True, help="the protocol, on every executor")
    parser.add_argument("--partitions", type=int, default=8, help="at least this many partitions")
    parser.add_argument("--source", help="file name the records give (default: CASES)")
    parser.add_argument("--jobs", type=int, default=1,
                        help="threads of each salvage process (default 1: a task a core)")
    return parser.parse_args()


def eval_command(salvage, protocol, jobs):
    """`salvage eval --jobs JOBS PROTOCOL -`, for which exit 1 (some error records) is success.

    RDD.pipe starts it with an empty environment, so the shell is named by path.
    Any other exit code (2, a signal) fails the task.
    """
    script = 'status=0; "$0" eval --jobs "$2" "$1" - || status=$?; [ "$status" -le 1 ]'
    return shlex.join(["/bin/sh", "-c", script, salvage, protocol, str(jobs)])


def source_json(name, line):
    """`"source":{"file":NAME,"line":LINE}` as salvage writes it."""
    return '"source":{"file":' + json.dumps(name, ensure_ascii=False) + f',"line":{line}}}'


def with_source(record, source):
    """The record with its stdin source replaced by the file and line it came from."""
    return STDIN_SOURCE.sub(lambda _: source, record, count=1)


def main():
    """Reads, pipes, restores sources and writes."""
    args = arguments()
    name = args.source or args.cases
    spark = SparkSession.builder.appName("salvage-eval").getOrCreate()
    lines = spark.sparkContext.textFile(args.cases, minPartitions=args.partitions)
    # (line, index) for each line that gives a record; kept, as both sides of the zip read it.
    numbered = lines.zipWithIndex().filter(lambda pair: pair[0].strip(WHITE_SPACE)).cache()
    command = eval_command(args.salvage, args.protocol, args.jobs)
    records = numbered.keys().pipe(command, checkCode=True)
    # zip fails if a partition's record count differs from its line count.
    sources = numbered.values().map(lambda index: source_json(name, index + 1))
    sources.zip(records).map(lambda pair: with_source(pair[1], pair[0])).saveAsTextFile(args.out)
    spark.stop()


if __name__ == "__main__":
    main()
