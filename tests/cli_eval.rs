//! Integration tests of `salvage eval`: inputs (JSON Lines, `.json`, folders,
//! stdin), one record per input record, exit codes, refusing drafts,
//! `--as-of`, unknown keys, determinism across runs and thread counts, and a
//! quiet stop when stdout closes. Every record written is checked against
//! `docs/decision.schema.json`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Output, Stdio};

use common::cli::{code, command, salvage, salvage_stdin, stderr};
use common::schema;
use common::temp::TempDir;
use serde_json::Value;

/// A scratch folder holding the brief's protocol as `dlbcl.salv`.
fn with_protocol() -> TempDir {
    let dir = TempDir::new();
    dir.write("dlbcl.salv", PROTOCOL);
    dir
}

/// The brief's example protocol and case.
const PROTOCOL: &str = include_str!("cases/eval/brief/dlbcl.salv");
const CASE: &str = include_str!("cases/eval/brief/c-17.json");

/// The brief's case on one line, with id `id`; `as_of` removed when `None`,
/// else set to it.
fn case(id: &str, as_of: Option<&str>) -> String {
    let mut json: Value = serde_json::from_str(CASE).unwrap();
    json["id"] = Value::from(id);
    let object = json.as_object_mut().unwrap();
    match as_of {
        Some(day) => {
            object.insert("as_of".into(), Value::from(day));
        }
        None => {
            object.remove("as_of");
        }
    }
    json.to_string()
}

/// `n` cases, one per line, ids `c-1` … `c-n`, alternating ECOG so decisions differ.
fn many(n: usize) -> String {
    (1..=n)
        .map(|i| {
            let line = case(&format!("c-{i}"), Some("2026-01-01"));
            let line = if i % 3 == 0 {
                line.replace("\"ecog\":1", "\"ecog\":3")
            } else {
                line
            };
            format!("{line}\n")
        })
        .collect()
}

/// The output's records, each checked against the schema.
fn records(output: &Output) -> Vec<Value> {
    let text = String::from_utf8(output.stdout.clone()).unwrap();
    text.lines().map(schema::assert_valid_line).collect()
}

fn is_error(record: &Value) -> bool {
    record.get("error").is_some()
}

#[test]
fn json_lines_give_one_record_per_non_blank_line_with_errors_in_place() {
    let dir = with_protocol();
    let lines = [
        case("c-1", None),
        String::new(),
        "   \t".to_string(),
        "{\"id\": \"c-2\", ".to_string(),
        case("c-3", None),
        "[1, 2]".to_string(),
    ];
    dir.write("cases.jsonl", &(lines.join("\n") + "\n"));
    let output = salvage(
        dir.path(),
        &["eval", "dlbcl.salv", "cases.jsonl", "--as-of", "2026-01-01"],
    );
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let records = records(&output);
    assert_eq!(records.len(), 4);
    let places: Vec<(bool, u64)> = records
        .iter()
        .map(|r| (is_error(r), r["source"]["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(places, [(false, 1), (true, 4), (false, 5), (true, 6)]);
    let malformed = &records[1];
    assert_eq!(malformed["case"], Value::Null);
    assert_eq!(malformed["source"]["file"], "cases.jsonl");
    assert_eq!(malformed["error"]["path"], "");
    assert!(malformed["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("invalid JSON"));
    assert_eq!(records[2]["case"], "c-3");
}

#[test]
fn every_record_a_decision_exits_0() {
    let dir = with_protocol();
    dir.write("c-17.json", CASE);
    let output = salvage(dir.path(), &["eval", "dlbcl.salv", "c-17.json"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let records = records(&output);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["status"], "recommended");
    assert_eq!(
        records[0]["source"],
        serde_json::json!({"file": "c-17.json"})
    );
    assert!(records[0].get("trace").is_none());
}

#[test]
fn explain_adds_the_trace() {
    let dir = with_protocol();
    dir.write("c-17.json", CASE);
    let output = salvage(
        dir.path(),
        &["eval", "dlbcl.salv", "c-17.json", "--explain"],
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let trace = records(&output)[0]["trace"].as_array().unwrap().clone();
    assert!(trace
        .iter()
        .any(|t| t["rule"] == "renal" && t["result"] == "unknown"));
}

#[test]
fn a_dash_reads_json_lines_on_stdin() {
    let dir = with_protocol();
    let input = format!(
        "{}\n\n{}\n",
        case("a", Some("2026-01-01")),
        case("b", Some("2026-01-01"))
    );
    let output = salvage_stdin(dir.path(), &["eval", "dlbcl.salv", "-"], &input);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let sources: Vec<Value> = records(&output)
        .iter()
        .map(|r| r["source"].clone())
        .collect();
    assert_eq!(
        sources,
        [
            serde_json::json!({"file": "-", "line": 1}),
            serde_json::json!({"file": "-", "line": 3})
        ]
    );
}

#[test]
fn a_folder_gives_its_json_and_jsonl_files_recursively_in_sorted_order() {
    let dir = with_protocol();
    dir.write(
        "cases/b.jsonl",
        &format!("{}\n", case("b", Some("2026-01-01"))),
    );
    dir.write("cases/a.json", &case("a", Some("2026-01-01")));
    dir.write(
        "cases/sub/c.json",
        &format!("[{}]", case("c", Some("2026-01-01"))),
    );
    dir.write("cases/notes.txt", "not a case");
    dir.write("cases/.hidden.json", "not a case");
    let output = salvage(dir.path(), &["eval", "dlbcl.salv", "cases"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let ids: Vec<Value> = records(&output).iter().map(|r| r["case"].clone()).collect();
    assert_eq!(ids, ["a", "b", "c"]);
}

#[test]
fn a_json_array_gives_each_element_with_the_line_it_starts_on() {
    let dir = with_protocol();
    let text = format!(
        "[\n  {},\n  {}\n,\n  42\n]\n",
        case("a", Some("2026-01-01")),
        case("b", Some("2026-01-01"))
    );
    dir.write("cases.json", &text);
    let output = salvage(dir.path(), &["eval", "dlbcl.salv", "cases.json"]);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let records = records(&output);
    let lines: Vec<u64> = records
        .iter()
        .map(|r| r["source"]["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [2, 3, 5]);
    assert!(is_error(&records[2]));
}

#[test]
fn as_of_applies_only_to_cases_without_one() {
    let dir = with_protocol();
    let input = format!(
        "{}\n{}\n",
        case("own", Some("2026-01-01")),
        case("none", None)
    );
    dir.write("cases.jsonl", &input);
    let output = salvage(
        dir.path(),
        &["eval", "dlbcl.salv", "cases.jsonl", "--as-of", "2026-03-01"],
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let records = records(&output);
    assert_eq!(
        (&records[0]["as_of"], &records[0]["as_of_source"]),
        (&"2026-01-01".into(), &"case".into())
    );
    assert_eq!(
        (&records[1]["as_of"], &records[1]["as_of_source"]),
        (&"2026-03-01".into(), &"command-line".into())
    );
    let without = salvage(dir.path(), &["eval", "dlbcl.salv", "cases.jsonl"]);
    assert_eq!(code(&without), 1);
    assert_eq!(records_of_errors(&without), [false, true]);
}

fn records_of_errors(output: &Output) -> Vec<bool> {
    records(output).iter().map(is_error).collect()
}

#[test]
fn a_draft_protocol_is_refused_unless_allowed() {
    let dir = with_protocol();
    dir.write(
        "draft.salv",
        &PROTOCOL.replace("status approved", "status draft"),
    );
    dir.write("c-17.json", CASE);
    let refused = salvage(dir.path(), &["eval", "draft.salv", "c-17.json"]);
    assert_eq!(code(&refused), 1);
    assert!(refused.stdout.is_empty());
    let message = stderr(&refused);
    assert!(
        message.contains("status `draft`") && message.contains("--allow-draft"),
        "{message}"
    );
    let allowed = salvage(
        dir.path(),
        &["eval", "draft.salv", "c-17.json", "--allow-draft"],
    );
    assert_eq!(code(&allowed), 0, "{}", stderr(&allowed));
    assert_eq!(records(&allowed)[0]["protocol"]["status"], "draft");
}

#[test]
fn a_protocol_with_errors_gives_diagnostics_and_no_records() {
    let dir = with_protocol();
    dir.write(
        "broken.salv",
        &PROTOCOL.replace("when ecog >= 3", "when ecgo >= 3"),
    );
    dir.write("c-17.json", CASE);
    let output = salvage(dir.path(), &["eval", "broken.salv", "c-17.json"]);
    assert_eq!(code(&output), 1);
    assert!(output.stdout.is_empty());
    assert!(
        stderr(&output).contains("broken.salv:"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn usage_errors_exit_2() {
    let dir = with_protocol();
    std::fs::create_dir_all(dir.path().join("empty")).unwrap();
    for args in [
        &["eval", "dlbcl.salv", "empty"][..],
        &["eval", "dlbcl.salv", "-", "-"],
        &["eval", "dlbcl.salv", "-", "--jobs", "0"],
        &["eval", "dlbcl.salv", "-", "--as-of", "2026-13-01"],
        &["eval", "dlbcl.salv"],
    ] {
        let output = salvage(dir.path(), args);
        assert_eq!(code(&output), 2, "{args:?}: {}", stderr(&output));
        assert!(output.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn unknown_keys_are_reported_once_per_run_or_are_errors_when_strict() {
    let dir = with_protocol();
    let odd = |id: &str| case(id, Some("2026-01-01")).replacen('{', "{\"ward\":\"B\",", 1);
    dir.write("cases.jsonl", &format!("{}\n{}\n", odd("a"), odd("b")));
    let output = salvage(dir.path(), &["eval", "dlbcl.salv", "cases.jsonl"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(
        stderr(&output).matches("unknown key `ward`").count(),
        1,
        "{}",
        stderr(&output)
    );
    for record in records(&output) {
        assert!(record["warnings"][0].as_str().unwrap().contains("`ward`"));
    }
    let strict = salvage(
        dir.path(),
        &["eval", "dlbcl.salv", "cases.jsonl", "--strict"],
    );
    assert_eq!(code(&strict), 1);
    assert_eq!(records_of_errors(&strict), [true, true]);
    assert_eq!(records(&strict)[0]["error"]["path"], "/ward");
}

#[test]
fn output_is_byte_identical_across_runs_and_thread_counts() {
    let dir = with_protocol();
    // More than one chunk (1024 records), with error records mixed in.
    let mut input = many(4200);
    input.insert_str(0, "not json\n");
    dir.write("cases.jsonl", &input);
    let run = |jobs: &str| {
        let output = salvage(
            dir.path(),
            &[
                "eval",
                "dlbcl.salv",
                "cases.jsonl",
                "--explain",
                "--jobs",
                jobs,
            ],
        );
        assert_eq!(code(&output), 1, "{}", stderr(&output));
        output.stdout
    };
    let first = run("1");
    assert_eq!(first, run("1"), "two runs differ");
    assert_eq!(first, run("4"), "--jobs 1 and --jobs 4 differ");
    let text = String::from_utf8(first).unwrap();
    assert_eq!(text.lines().count(), 4201);
    let last = schema::assert_valid_line(text.lines().last().unwrap());
    assert_eq!(
        (&last["case"], &last["source"]["line"]),
        (&"c-4200".into(), &4201.into())
    );
}

#[test]
fn closing_stdout_early_stops_quietly_with_exit_0() {
    let dir = with_protocol();
    dir.write("cases.jsonl", &many(600));
    let mut child = command(dir.path(), &["eval", "dlbcl.salv", "cases.jsonl"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    schema::assert_valid_line(first.trim_end());
    let output = child.wait_with_output().unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(stderr(&output).is_empty(), "{}", stderr(&output));
}
