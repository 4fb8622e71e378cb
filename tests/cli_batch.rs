//! Integration tests of batch evaluation on the command line: `.json` arrays
//! that lose nothing (a broken element, an unterminated string, an array
//! never closed), `--out`, `--fail-fast`, the audit table of `--summary`,
//! `salvage diff` on two versions of the bundled DLBCL protocol, input order
//! under parallelism, and the summary line on a terminal.
//!
//! The bundled protocol and example cases are copied into a scratch folder,
//! so that paths in the output are short and stable. The text outputs are
//! compared with golden files in `tests/cli/`; `BLESS=1 cargo test --test
//! cli_batch` rewrites them (read the diff before committing it).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Command, Output};

use common::cli::{code, salvage, stderr, stdout};
use common::schema;
use common::temp::TempDir;
use serde_json::{json, Value};

fn repo(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn read(relative: &str) -> String {
    std::fs::read_to_string(repo(relative)).unwrap()
}

/// The bundled protocol's text.
fn protocol() -> String {
    read("protocols/dlbcl-second-line.salv")
}

/// A scratch folder with the bundled protocol as `dlbcl.salv` (and its
/// import), the example cases as `cases.jsonl` and the bad ones as `bad.jsonl`.
fn scratch() -> TempDir {
    let dir = TempDir::new();
    dir.write("dlbcl.salv", &protocol());
    dir.write(
        "common/lymphoma-agents.salv",
        &read("protocols/common/lymphoma-agents.salv"),
    );
    dir.write("cases.jsonl", &read("examples/dlbcl-cases.jsonl"));
    dir.write("bad.jsonl", &read("examples/dlbcl-bad-cases.jsonl"));
    dir
}

/// The example cases, one JSON text each.
fn example_cases() -> Vec<String> {
    read("examples/dlbcl-cases.jsonl")
        .lines()
        .map(str::to_string)
        .collect()
}

/// The output's records, each checked against the decision schema.
fn records(output: &Output) -> Vec<Value> {
    stdout(output)
        .lines()
        .map(schema::assert_valid_line)
        .collect()
}

fn lines_and_errors(records: &[Value]) -> Vec<(u64, bool)> {
    records
        .iter()
        .map(|r| {
            (
                r["source"]["line"].as_u64().unwrap(),
                r.get("error").is_some(),
            )
        })
        .collect()
}

fn message(record: &Value) -> &str {
    record["error"]["message"].as_str().unwrap()
}

/// Compares `actual` with the golden file `tests/cli/NAME`, or rewrites it
/// with `BLESS=1`.
fn golden(name: &str, actual: &str) {
    let path = repo("tests/cli").join(name);
    if std::env::var_os("BLESS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (BLESS=1 cargo test --test cli_batch writes it)",
            path.display()
        )
    });
    assert_eq!(
        actual,
        expected,
        "{} differs (BLESS=1 rewrites it; review before committing)",
        path.display()
    );
}

// ---------- `.json` arrays: nothing lost ----------

#[test]
fn a_broken_middle_element_gets_an_error_record_and_the_rest_are_read() {
    let dir = scratch();
    let cases = example_cases();
    let text = format!(
        "[\n  {},\n  {{\"id\": \"b\", \"x\": }},\n  {}\n]\n",
        cases[9], cases[10]
    );
    dir.write("three.json", &text);
    let output = salvage(dir.path(), &["eval", "dlbcl.salv", "three.json"]);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let records = records(&output);
    assert_eq!(
        lines_and_errors(&records),
        [(2, false), (3, true), (4, false)]
    );
    assert_eq!(
        (&records[0]["case"], &records[2]["case"]),
        (&json!("c-10"), &json!("c-11"))
    );
    assert_eq!(records[1]["case"], Value::Null);
    assert_eq!(
        message(&records[1]),
        "invalid JSON: expected value at line 3 column 20"
    );
}

#[test]
fn an_unterminated_string_gives_one_record_for_the_rest_of_the_file() {
    let dir = scratch();
    let cases = example_cases();
    let text = format!(
        "[\n  {},\n  {{\"id\": \"b\", \"histology\": \"DLBCL\n  ,{}\n]\n",
        cases[0], cases[1]
    );
    dir.write("cut.json", &text);
    let output = salvage(dir.path(), &["eval", "dlbcl.salv", "cut.json"]);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let records = records(&output);
    assert_eq!(lines_and_errors(&records), [(2, false), (3, true)]);
    assert_eq!(
        message(&records[1]),
        "invalid JSON: cannot read the rest of the file (lines 3 to 5): \
         the string at line 3, column 28 is not closed on its line"
    );
}

#[test]
fn an_array_never_closed_keeps_its_complete_elements_and_says_so() {
    let dir = scratch();
    let cases = example_cases();
    dir.write("open.json", &format!("[{},\n{}\n", cases[0], cases[1]));
    dir.write(
        "bracket.json",
        &format!("[{},\n{{\"id\": \"c\",\n\"lines\": [", cases[0]),
    );
    let open = salvage(dir.path(), &["eval", "dlbcl.salv", "open.json"]);
    assert_eq!(code(&open), 1, "{}", stderr(&open));
    let records = records(&open);
    assert_eq!(
        lines_and_errors(&records),
        [(1, false), (2, false), (2, true)]
    );
    assert_eq!(
        message(&records[2]),
        "invalid JSON: the array is not closed with `]`"
    );
    let bracket = salvage(dir.path(), &["eval", "dlbcl.salv", "bracket.json"]);
    let records = self::records(&bracket);
    assert_eq!(lines_and_errors(&records), [(1, false), (2, true)]);
    assert_eq!(
        message(&records[1]),
        "invalid JSON: cannot read the rest of the file (lines 2 to 3): \
         the `{` at line 2, column 1 is never closed"
    );
}

#[test]
fn empty_elements_trailing_text_and_mismatched_brackets_each_get_a_record() {
    let dir = scratch();
    let cases = example_cases();
    let text = format!(
        "[{},\n,\n{{\"id\": \"m\", \"lines\": [1}},\n{},\n] tail\n",
        cases[0], cases[1]
    );
    dir.write("odd.json", &text);
    let output = salvage(dir.path(), &["eval", "dlbcl.salv", "odd.json"]);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let records = records(&output);
    assert_eq!(
        lines_and_errors(&records),
        [
            (1, false),
            (2, true),
            (3, true),
            (4, false),
            (5, true),
            (5, true)
        ]
    );
    let messages: Vec<&str> = [1, 4, 5].iter().map(|i| message(&records[*i])).collect();
    assert_eq!(
        messages,
        [
            "invalid JSON: expected a value before `,`",
            "invalid JSON: expected a value before `]`",
            "invalid JSON: trailing characters after the array",
        ]
    );
    assert_eq!(records[3]["case"], "c-02");
}

#[test]
fn json_lines_still_give_one_record_per_line_that_is_not_blank() {
    let dir = scratch();
    let cases = example_cases();
    let mut bytes = Vec::new();
    for line in [
        cases[0].as_bytes(),
        b"",
        b"{\"id\": \"x\", \xff}",
        b"  \t ",
        b"{\"id\": \0}",
        b"[",
        cases[1].as_bytes(),
        b"{\"id\": \"cut\", \"ag",
    ] {
        bytes.extend_from_slice(line);
        bytes.push(b'\n');
    }
    bytes.pop();
    dir.write_bytes("mixed.jsonl", &bytes);
    let output = salvage(dir.path(), &["eval", "dlbcl.salv", "mixed.jsonl"]);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    assert_eq!(
        lines_and_errors(&records(&output)),
        [
            (1, false),
            (3, true),
            (5, true),
            (6, true),
            (7, false),
            (8, true)
        ]
    );
}

// ---------- `--out` and `--fail-fast` ----------

#[test]
fn out_writes_the_records_to_a_file_and_nothing_to_stdout() {
    let dir = scratch();
    let plain = salvage(dir.path(), &["eval", "dlbcl.salv", "cases.jsonl"]);
    assert_eq!(code(&plain), 0, "{}", stderr(&plain));
    let output = salvage(
        dir.path(),
        &[
            "eval",
            "dlbcl.salv",
            "cases.jsonl",
            "--out",
            "decisions.jsonl",
        ],
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(output.stdout.is_empty() && output.stderr.is_empty());
    let written = std::fs::read(dir.path().join("decisions.jsonl")).unwrap();
    assert_eq!(written, plain.stdout);
}

#[test]
fn out_to_a_full_device_exits_1_with_one_line_on_stderr() {
    let dir = scratch();
    let output = salvage(
        dir.path(),
        &["eval", "dlbcl.salv", "cases.jsonl", "--out", "/dev/full"],
    );
    assert_eq!(code(&output), 1);
    let message = stderr(&output);
    assert_eq!(message.lines().count(), 1, "{message}");
    assert!(
        message.starts_with("error: cannot write the output to `/dev/full`: no space left"),
        "{message}"
    );
}

#[test]
fn out_may_not_overwrite_a_file_the_run_reads() {
    let dir = scratch();
    let before = std::fs::read(dir.path().join("cases.jsonl")).unwrap();
    for target in ["cases.jsonl", "dlbcl.salv", "./cases.jsonl"] {
        let output = salvage(
            dir.path(),
            &["eval", "dlbcl.salv", "cases.jsonl", "--out", target],
        );
        assert_eq!(code(&output), 2, "{target}: {}", stderr(&output));
        assert!(stderr(&output).contains("which this run reads"));
    }
    assert_eq!(
        std::fs::read(dir.path().join("cases.jsonl")).unwrap(),
        before
    );
}

#[test]
fn fail_fast_stops_after_writing_the_first_error_record() {
    let dir = scratch();
    let cases = example_cases();
    let lines = [
        cases[0].as_str(),
        cases[1].as_str(),
        "{\"id\": \"c-x\", \"age\": \"old\"}",
        cases[2].as_str(),
        "not json",
    ];
    dir.write("some-bad.jsonl", &(lines.join("\n") + "\n"));
    let output = salvage(
        dir.path(),
        &["eval", "dlbcl.salv", "some-bad.jsonl", "--fail-fast"],
    );
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    assert_eq!(
        lines_and_errors(&records(&output)),
        [(1, false), (2, false), (3, true)]
    );
    let all = salvage(dir.path(), &["eval", "dlbcl.salv", "some-bad.jsonl"]);
    assert_eq!(records(&all).len(), 5);
    let good = salvage(
        dir.path(),
        &["eval", "dlbcl.salv", "cases.jsonl", "--fail-fast"],
    );
    assert_eq!((code(&good), records(&good).len()), (0, 19));
}

// ---------- `--summary` ----------

/// The audit counts computed from plain records.
struct Counts {
    cases: usize,
    errors: usize,
    statuses: BTreeMap<String, u64>,
    /// Per option: how many cases ranked it first, how many at any rank.
    options: BTreeMap<String, (u64, u64)>,
}

fn counts_of(records: &[Value]) -> Counts {
    let mut statuses = BTreeMap::new();
    let mut options: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let decisions: Vec<&Value> = records
        .iter()
        .filter(|r| r.get("error").is_none())
        .collect();
    for d in &decisions {
        *statuses
            .entry(d["status"].as_str().unwrap().to_string())
            .or_default() += 1;
        for r in d["recommendations"].as_array().unwrap() {
            let entry = options
                .entry(r["option"].as_str().unwrap().to_string())
                .or_default();
            entry.0 += u64::from(r["rank"] == 1);
            entry.1 += 1;
        }
    }
    Counts {
        cases: records.len(),
        errors: records.len() - decisions.len(),
        statuses,
        options,
    }
}

#[test]
fn the_summary_table_counts_what_the_records_say() {
    let dir = scratch();
    let args = ["eval", "dlbcl.salv", "cases.jsonl", "bad.jsonl"];
    let plain = salvage(dir.path(), &args);
    let Counts {
        cases,
        errors,
        statuses,
        options,
    } = counts_of(&records(&plain));
    assert_eq!((cases, errors), (23, 4));
    let json_run = salvage(dir.path(), &[&args[..], &["--summary=json"]].concat());
    assert_eq!(code(&json_run), 1, "{}", stderr(&json_run));
    let table: Value = serde_json::from_str(&stdout(&json_run)).unwrap();
    assert_eq!(table["cases"], cases);
    assert_eq!(table["errors"], errors);
    assert_eq!(table["decisions"], cases - errors);
    let table_statuses = table["statuses"].as_object().unwrap();
    assert!(statuses.keys().all(|s| table_statuses.contains_key(s)));
    for (status, n) in table_statuses {
        assert_eq!(n, statuses.get(status).copied().unwrap_or(0), "{status}");
    }
    let listed: BTreeMap<String, (u64, u64)> = table["recommended"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            let n = |key: &str| o[key].as_u64().unwrap();
            (
                o["option"].as_str().unwrap().to_string(),
                (n("first"), n("any")),
            )
        })
        .collect();
    assert_eq!(listed, options);
    let text_run = salvage(dir.path(), &[&args[..], &["--summary"]].concat());
    assert_eq!(code(&text_run), 1);
    assert!(text_run.stderr.is_empty(), "{}", stderr(&text_run));
    golden("summary.txt", &stdout(&text_run));
}

#[test]
fn the_summary_with_out_writes_the_records_there_and_the_table_on_stdout() {
    let dir = scratch();
    let output = salvage(
        dir.path(),
        &[
            "eval",
            "dlbcl.salv",
            "cases.jsonl",
            "--summary=json",
            "--out",
            "d.jsonl",
        ],
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let table: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(table["cases"], 19);
    let written = std::fs::read_to_string(dir.path().join("d.jsonl")).unwrap();
    assert_eq!(written.lines().count(), 19);
}

#[test]
fn summary_json_without_the_equals_sign_is_a_usage_error_that_says_how() {
    let dir = scratch();
    let output = salvage(
        dir.path(),
        &["eval", "dlbcl.salv", "cases.jsonl", "--summary", "json"],
    );
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("write `--summary=json`"),
        "{}",
        stderr(&output)
    );
}

// ---------- `salvage diff` ----------

/// The bundled protocol with the renal rule's threshold raised from 60 to
/// 90 mL/min: one rule differs.
fn renal_90() -> String {
    let old = "when latest crcl within 30 days < 60 mL/min";
    let text = protocol();
    assert!(
        text.contains(old),
        "the renal rule has changed: update this test"
    );
    text.replace(old, "when latest crcl within 30 days < 90 mL/min")
        .replace("version \"2026.1\"", "version \"2026.2\"")
        .replace("status approved", "status draft")
}

/// The four compared parts of a decision record, as `diff` writes them.
fn parts(record: &Value) -> BTreeMap<&'static str, Value> {
    let ranked = |key: &str| {
        let list = record[key].as_array().unwrap();
        Value::from_iter(
            list.iter()
                .map(|o| json!({"option": o["option"], "rank": o["rank"], "kind": o["kind"]})),
        )
    };
    let avoided = record["avoided"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| match a.get("code") {
            Some(code) => json!({"option": a["option"], "code": code}),
            None => json!({"option": a["option"]}),
        });
    BTreeMap::from([
        ("status", record["status"].clone()),
        ("recommended", ranked("recommendations")),
        ("pending", ranked("pending")),
        ("avoided", Value::from_iter(avoided)),
    ])
}

#[test]
fn diff_lists_exactly_the_cases_that_two_evals_decide_differently() {
    let dir = scratch();
    dir.write("new.salv", &renal_90());
    let old = records(&salvage(dir.path(), &["eval", "dlbcl.salv", "cases.jsonl"]));
    let new = records(&salvage(
        dir.path(),
        &["eval", "new.salv", "cases.jsonl", "--allow-draft"],
    ));
    let mut expected = Vec::new();
    for (o, n) in old.iter().zip(&new) {
        let (o, n) = (parts(o), parts(n));
        let changed: Vec<&str> = ["status", "recommended", "pending", "avoided"]
            .into_iter()
            .filter(|p| o[p] != n[p])
            .collect();
        if !changed.is_empty() {
            let side = |s: &BTreeMap<&str, Value>| {
                Value::from_iter(changed.iter().map(|p| (p.to_string(), s[p].clone())))
            };
            expected.push((changed.clone(), side(&o), side(&n)));
        }
    }
    assert!(
        !expected.is_empty(),
        "the two versions decide every case alike"
    );
    let output = salvage(
        dir.path(),
        &["diff", "dlbcl.salv", "new.salv", "cases.jsonl"],
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let changes: Vec<Value> = stdout(&output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let found: Vec<(Vec<&str>, Value, Value)> = changes
        .iter()
        .map(|c| {
            let changed = c["changed"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p.as_str().unwrap())
                .collect();
            (changed, c["old"].clone(), c["new"].clone())
        })
        .collect();
    assert_eq!(found, expected);
    assert_eq!(changes[0]["case"], "c-10");
    assert_eq!(
        changes[0]["source"],
        json!({"file": "cases.jsonl", "line": 10})
    );
    assert_eq!(
        stderr(&output).trim_end(),
        format!(
            "19 cases compared, {} changed: 1 recommended, 1 avoided",
            expected.len()
        )
    );
}

#[test]
fn diff_exit_code_and_the_text_listing() {
    let dir = scratch();
    dir.write("new.salv", &renal_90());
    let args = ["diff", "dlbcl.salv", "new.salv", "cases.jsonl"];
    let flagged = salvage(dir.path(), &[&args[..], &["--exit-code"]].concat());
    assert_eq!(code(&flagged), 1, "{}", stderr(&flagged));
    let same = salvage(
        dir.path(),
        &[
            "diff",
            "dlbcl.salv",
            "dlbcl.salv",
            "cases.jsonl",
            "--exit-code",
        ],
    );
    assert_eq!(code(&same), 0, "{}", stderr(&same));
    assert!(same.stdout.is_empty());
    assert_eq!(stderr(&same).trim_end(), "19 cases compared, none changed");
    let text = salvage(dir.path(), &[&args[..], &["--format", "text"]].concat());
    assert_eq!(code(&text), 0, "{}", stderr(&text));
    assert!(text.stderr.is_empty(), "{}", stderr(&text));
    golden("diff-renal.txt", &stdout(&text));
}

#[test]
fn diff_counts_error_records_as_a_change_only_when_they_differ() {
    let dir = scratch();
    dir.write(
        "later.salv",
        &protocol().replace("effective 2026-01-01", "effective 2026-03-01"),
    );
    let output = salvage(
        dir.path(),
        &[
            "diff",
            "dlbcl.salv",
            "later.salv",
            "cases.jsonl",
            "bad.jsonl",
        ],
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let changes: Vec<Value> = stdout(&output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        changes.len(),
        19,
        "the 4 bad cases fail alike on both sides"
    );
    assert!(changes.iter().all(|c| c["changed"] == json!(["error"])));
    assert_eq!(changes[0]["old"]["status"], "out-of-scope");
    assert_eq!(
        changes[0]["new"]["error"]["message"],
        "`as_of` is before the protocol's effective date 2026-03-01"
    );
    assert_eq!(
        stderr(&output).trim_end(),
        "23 cases compared, 19 changed: 19 error"
    );
}

#[test]
fn diff_reports_protocol_errors_and_usage() {
    let dir = scratch();
    dir.write(
        "broken.salv",
        &protocol().replace("when ecog >= 3", "when ecgo >= 3"),
    );
    let broken = salvage(
        dir.path(),
        &["diff", "dlbcl.salv", "broken.salv", "cases.jsonl"],
    );
    assert_eq!(code(&broken), 1);
    assert!(broken.stdout.is_empty());
    assert!(
        stderr(&broken).contains("broken.salv:"),
        "{}",
        stderr(&broken)
    );
    let usage = salvage(dir.path(), &["diff", "dlbcl.salv", "dlbcl.salv"]);
    assert_eq!(code(&usage), 2);
}

// ---------- order under parallelism ----------

/// `n` cases from the examples, ids `k-1` … `k-n`, more than one chunk.
fn numbered(n: usize) -> Vec<String> {
    let cases = example_cases();
    (0..n)
        .map(|i| {
            let mut case: Value = serde_json::from_str(&cases[i % cases.len()]).unwrap();
            case["id"] = Value::from(format!("k-{}", i + 1));
            case.to_string()
        })
        .collect()
}

#[test]
fn order_is_kept_with_two_jobs_for_json_lines_arrays_and_diff() {
    let dir = scratch();
    // 4500 lines and a 300-element array: more than one chunk (1024 records).
    let cases = numbered(4500);
    dir.write("many.jsonl", &(cases.join("\n") + "\n"));
    let mut elements = cases[..300].to_vec();
    elements[200] = "{\"id\": \"broken\", }".to_string();
    dir.write("many.json", &format!("[\n{}\n]\n", elements.join(",\n")));
    dir.write("new.salv", &renal_90());
    let eval = ["eval", "dlbcl.salv", "many.jsonl", "many.json"];
    let diff = ["diff", "dlbcl.salv", "new.salv", "many.jsonl", "many.json"];
    let mut outputs = Vec::new();
    for args in [&eval[..], &diff] {
        let run = |jobs: &str| salvage(dir.path(), &[args, &["--jobs", jobs]].concat());
        let (one, two) = (run("1"), run("2"));
        assert_eq!(
            one.stdout, two.stdout,
            "{args:?}: --jobs 1 and --jobs 2 differ"
        );
        assert_eq!(code(&one), code(&two));
        outputs.push(two);
    }
    let records = records(&outputs[0]);
    let ids: Vec<&str> = records
        .iter()
        .map(|r| r["case"].as_str().unwrap_or("-"))
        .collect();
    let expected: Vec<String> = (0..4800)
        .map(|i| match i {
            4700 => "-".to_string(),
            i => format!("k-{}", i % 4500 + 1),
        })
        .collect();
    assert_eq!(ids, expected);
    assert_eq!(
        records[4700]["source"],
        json!({"file": "many.json", "line": 202})
    );
    assert!(
        !outputs[1].stdout.is_empty(),
        "the renal threshold changes some decisions"
    );
}

// ---------- the terminal ----------

#[test]
fn on_a_terminal_a_summary_line_ends_the_run_and_elsewhere_stderr_stays_empty() {
    let dir = scratch();
    let plain = salvage(
        dir.path(),
        &["eval", "dlbcl.salv", "cases.jsonl", "bad.jsonl"],
    );
    assert!(plain.stderr.is_empty(), "{}", stderr(&plain));
    let Some(screen) = on_terminal(&dir, "eval dlbcl.salv cases.jsonl bad.jsonl > out.jsonl")
    else {
        eprintln!("no `script` to give the command a terminal: skipped");
        return;
    };
    assert!(
        screen.contains("23 cases in ")
            && screen.contains(" s: 3 out-of-scope, 1 no-change, 2 needs-data, 12 recommended, 1 no-recommendation; 4 error records"),
        "{screen}"
    );
    let written = std::fs::read(dir.path().join("out.jsonl")).unwrap();
    assert_eq!(written, plain.stdout);
    let quiet = on_terminal(&dir, "eval dlbcl.salv cases.jsonl --quiet > out.jsonl").unwrap();
    assert!(!quiet.contains("cases in"), "{quiet}");
}

/// What the terminal shows when the binary runs with the shell arguments
/// `args` under `script`, which gives it one; `None` without `script`.
fn on_terminal(dir: &TempDir, args: &str) -> Option<String> {
    let line = format!("'{}' {args}", env!("CARGO_BIN_EXE_salvage"));
    let run = Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .output()
        .ok()?;
    Some(String::from_utf8_lossy(&run.stdout).into_owned())
}
