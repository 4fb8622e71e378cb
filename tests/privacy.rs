//! No patient data in output by default: `salvage eval`, `diff`, `test` and
//! `repl` on cases that carry identifying text in every kind of bad field
//! (`tests/cases/eval/private-values/`) write none of it, on stdout or
//! stderr; `--show-values` brings it back. Case ids are kept as given.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::cli::{salvage, salvage_stdin, stderr, stdout};
use common::temp::TempDir;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

/// The identifying strings the cases carry.
const IDENTIFYING: [&str; 3] = ["Jane Doe", "12 Elm St", "MRN-0012345"];

fn folder(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cases/eval")
        .join(name)
}

fn private_values() -> PathBuf {
    folder("private-values")
}

/// Everything the run wrote, stdout then stderr.
fn written(output: &Output) -> String {
    format!("{}{}", stdout(output), stderr(output))
}

/// Fails naming each identifying string found in `text`.
fn assert_none_shown(text: &str) {
    let found: Vec<&str> = IDENTIFYING
        .into_iter()
        .filter(|s| text.contains(s))
        .collect();
    assert!(found.is_empty(), "{found:?} appear in:\n{text}");
}

fn assert_all_shown(text: &str) {
    for s in IDENTIFYING {
        assert!(text.contains(s), "{s:?} does not appear in:\n{text}");
    }
}

/// `salvage eval --explain` on the folder's cases, with `extra` flags: the
/// run and its records.
fn eval(extra: &[&str]) -> (Output, Vec<Value>) {
    let mut args = vec![
        "eval",
        "--allow-draft",
        "--explain",
        "protocol.salv",
        "cases.jsonl",
    ];
    args.extend_from_slice(extra);
    let output = salvage(&private_values(), &args);
    let records = stdout(&output)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    (output, records)
}

/// The record of case `id`.
fn record<'r>(records: &'r [Value], id: &str) -> &'r Value {
    records
        .iter()
        .find(|r| r["case"] == id)
        .unwrap_or_else(|| panic!("no record for {id}"))
}

/// What a record says about the case's data: its error message, or its
/// warnings.
fn said(record: &Value) -> String {
    match record.get("error") {
        Some(error) => error["message"].as_str().unwrap().to_string(),
        None => record["warnings"].to_string(),
    }
}

#[test]
fn eval_repeats_no_identifying_value() {
    let (output, records) = eval(&[]);
    assert_none_shown(&written(&output));
    let lines = std::fs::read_to_string(private_values().join("cases.jsonl")).unwrap();
    assert_eq!(records.len(), lines.lines().count(), "one record per case");
    for record in &records {
        common::schema::assert_valid_decision(record);
    }
}

#[test]
fn eval_describes_what_it_does_not_show() {
    let (_, records) = eval(&[]);
    let says = |id: &str| said(record(&records, id));
    assert_eq!(
        says("wrong-type"),
        "expected a number, found a text of 8 characters"
    );
    assert_eq!(
        says("not-a-value"),
        "a text of 25 characters is not a value of `Histology`"
    );
    assert_eq!(
        says("short-code"),
        "\"DLBCL_NOSS\" is not a value of `Histology`; did you mean `DLBCL_NOS`?"
    );
    assert!(
        says("free-text-regimen").contains("`/lines/0/regimen`: a text of 31 characters"),
        "{}",
        says("free-text-regimen")
    );
    assert_eq!(
        says("record-field"),
        "a text of 11 characters is not a value of `Response`"
    );
}

#[test]
fn eval_with_show_values_repeats_each_bad_value() {
    let (output, records) = eval(&["--show-values"]);
    assert_all_shown(&written(&output));
    let shown = [
        ("wrong-type", "\"Jane Doe\""),
        ("not-a-value", "\"Jane Doe biopsy 12 Elm St\""),
        ("free-text-regimen", "R-CHOP for Jane Doe MRN-0012345"),
        ("open-other", "study drug for Jane Doe"),
        ("bad-date", "\"12 Elm St\""),
        ("bad-date-code", "\"2025-02-30\""),
        ("bad-as-of", "\"Jane Doe\""),
        ("bad-unit", "`Jane Doe`"),
        ("bad-duration", "`Elm St`"),
        ("long-out-of-range", "12345678901234"),
        ("record-field", "\"MRN-0012345\""),
        ("record-date", "\"Jane Doe\""),
        ("series-date", "\"MRN-0012345\""),
        ("nested-record", "\"MRN-0012345\""),
    ];
    for (id, value) in shown {
        let says = said(record(&records, id));
        assert!(says.contains(value), "{id}: {says:?} lacks {value}");
    }
}

#[test]
fn a_line_that_is_not_json_is_never_echoed() {
    let (_, records) = eval(&["--show-values"]);
    let unreadable: Vec<String> = records
        .iter()
        .filter(|r| r["case"].is_null())
        .map(said)
        .filter(|message| message.starts_with("invalid JSON"))
        .collect();
    assert_eq!(unreadable.len(), 2, "{unreadable:?}");
    for message in unreadable {
        assert_none_shown(&message);
    }
}

/// A protocol that reads none of the cases' fields, so every case is
/// decided: beside `private-values` its cases change to error records.
const LENIENT: &str = r#"protocol "lenient" {
  version "1"
  status draft
  effective 2025-01-01
}
agent rituximab
regimen R = rituximab
case {
  id = id
}
rule r when true then recommend R
"#;

fn diff(extra: &[&str]) -> Output {
    let dir = TempDir::new();
    let old = dir.write("old.salv", LENIENT);
    let new = private_values().join("protocol.salv");
    let cases = private_values().join("cases.jsonl");
    let mut args = vec![
        "diff",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        cases.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    salvage(dir.path(), &args)
}

#[test]
fn diff_repeats_no_identifying_value() {
    for format in ["jsonl", "text"] {
        let output = diff(&["--format", format]);
        assert!(
            stdout(&output).contains("wrong-type"),
            "{}",
            written(&output)
        );
        assert_none_shown(&written(&output));
        let shown = diff(&["--format", format, "--show-values"]);
        assert_all_shown(&written(&shown));
    }
}

/// A protocol whose tests give bad cases, inline and from a file.
const TESTED: &str = r#"protocol "tested" {
  version "1"
  status draft
  effective 2025-01-01
}
agent rituximab
regimen R = rituximab
enum Histology { DLBCL_NOS, HGBL }
record Line {
  `regimen`: regimen open
  start_date: date
}
case {
  histology: Histology
  lines: history of Line { start = start_date }
}
rule r when received R then recommend R
test "a sentence for a histology" {
  as_of 2026-01-01
  given {"histology": "Jane Doe biopsy 12 Elm St"}
  expect status recommended
}
test "a code for a date in a line" {
  as_of 2026-01-01
  given {"histology": "HGBL", "lines": [{"regimen": "R", "start_date": "MRN-0012345"}]}
  expect recommend R
}
test "a case from a file" from "cases.jsonl" case "bad-date" { expect status recommended }
"#;

fn test_run(extra: &[&str]) -> Output {
    let dir = TempDir::new();
    dir.write("tested.salv", TESTED);
    dir.write(
        "cases.jsonl",
        "{\"id\": \"bad-date\", \"as_of\": \"2026-01-01\", \"lines\": [{\"regimen\": \"R\", \"start_date\": \"12 Elm St\"}]}\n",
    );
    let mut args = vec!["test", "tested.salv"];
    args.extend_from_slice(extra);
    salvage(dir.path(), &args)
}

#[test]
fn salvage_test_repeats_no_identifying_value() {
    let output = test_run(&[]);
    let text = written(&output);
    assert!(text.contains("3 failed"), "{text}");
    assert_none_shown(&text);
    assert_all_shown(&written(&test_run(&["--show-values"])));
}

/// `salvage repl` on the `private-values` protocol, asked about a case with
/// a bad value and one with free text in a line.
fn repl(extra: &[&str]) -> Output {
    let dir = TempDir::new();
    dir.write(
        "bad.json",
        r#"{"id": "bad", "as_of": "2026-01-01", "histology": "Jane Doe biopsy 12 Elm St"}"#,
    );
    dir.write(
        "free.json",
        r#"{"id": "free", "as_of": "2026-01-01", "ecog": 1, "lines": [{"regimen": "R-CHOP for MRN-0012345", "start_date": "2025-01-10", "best_response": "CR"}]}"#,
    );
    let protocol = private_values().join("protocol.salv");
    let mut args = vec!["repl", protocol.to_str().unwrap()];
    args.extend_from_slice(extra);
    let script = ":case bad.json\n:decide\n:why r\necog\n:case free.json\n:decide json\n";
    salvage_stdin(dir.path(), &args, script)
}

#[test]
fn the_repl_repeats_no_identifying_value() {
    let output = repl(&[]);
    let text = written(&output);
    assert!(text.contains("a text of 25 characters"), "{text}");
    assert_none_shown(&text);
    assert_all_shown(&written(&repl(&["--show-values"])));
}

#[test]
fn a_numeric_id_stays_a_number_and_a_string_id_a_string() {
    let ids = folder("case-ids-as-given");
    let output = salvage(
        &ids,
        &["eval", "--allow-draft", "protocol.salv", "cases.jsonl"],
    );
    let cases: Vec<String> = stdout(&output)
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap()["case"].to_string())
        .collect();
    assert_eq!(cases, ["2017", "\"2017\"", "-3", "null", "\"c-1\""]);
}

#[test]
fn diff_tells_a_numeric_id_from_the_same_digits_as_text() {
    let dir = TempDir::new();
    let ids = folder("case-ids-as-given");
    let old = ids.join("protocol.salv");
    let new = dir.write(
        "new.salv",
        &LENIENT.replace("when true then recommend R", "when false then recommend R"),
    );
    let cases = ids.join("cases.jsonl");
    let args = [
        "diff",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        cases.to_str().unwrap(),
    ];
    let output = salvage(dir.path(), &args);
    let changed: Vec<Value> = stdout(&output)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let case_of = |line: usize| {
        changed
            .iter()
            .find(|c| c["source"]["line"] == line)
            .map(|c| c["case"].clone())
    };
    assert_eq!(case_of(1), Some(serde_json::json!(2017)));
    assert_eq!(case_of(2), Some(serde_json::json!("2017")));
    assert_ne!(case_of(1), case_of(2));
    assert_eq!(case_of(3), Some(serde_json::json!(-3)));
}
