//! Golden decisions: the brief's output example, the example cases in
//! `examples/` (DLBCL and prostate BCR) against their reviewed expected
//! records, and the same bytes on every run.
//!
//! `BLESS=1 cargo test --test eval_golden` rewrites the
//! `examples/*.expected.jsonl` files from the engine's output; review the
//! diff against the protocol's intent before committing it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use common::engine::{compile_file, options, record_line};
use salvage::decision::output::Source;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The record for one line of case text, as `salvage eval` writes it (and
/// valid against docs/decision.schema.json).
fn evaluate_line(
    protocol: &salvage::eval::model::Protocol,
    text: &str,
    source: Source,
    explain: bool,
) -> String {
    record_line(protocol, text, Some(source), &options(explain)).0
}

// ---------------------------------------------------------------------------
// The brief's output example

/// Whether `actual` has every field `expected` shows, with the same value.
/// Objects may have more keys; arrays must match element by element; a string
/// the brief elides (`"Gisselbrecht C et al. …"`) matches any completion.
fn shows(expected: &Value, actual: &Value, at: &str, problems: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (key, value) in e {
                match a.get(key) {
                    Some(found) => shows(value, found, &format!("{at}/{key}"), problems),
                    None => problems.push(format!("{at}/{key}: absent, expected {value}")),
                }
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                problems.push(format!("{at}: expected {expected}, found {actual}"));
                return;
            }
            for (i, (x, y)) in e.iter().zip(a).enumerate() {
                shows(x, y, &format!("{at}/{i}"), problems);
            }
        }
        (Value::String(e), Value::String(a)) if e.ends_with('…') => {
            let prefix = e.trim_end_matches('…');
            if !a.starts_with(prefix) {
                problems.push(format!("{at}: expected {e:?}, found {a:?}"));
            }
        }
        _ if expected == actual => {}
        _ => problems.push(format!("{at}: expected {expected}, found {actual}")),
    }
}

#[test]
fn the_briefs_output_example() {
    let dir = root().join("tests/cases/eval/brief");
    let protocol = compile_file(&dir.join("dlbcl.salv"));
    let case = std::fs::read_to_string(dir.join("c-17.json")).unwrap();
    let source = Source {
        file: "cases.jsonl".to_string(),
        line: Some(17),
    };
    let line = evaluate_line(&protocol, &case, source, true);
    let actual: Value = serde_json::from_str(&line).unwrap();
    let mut expected: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("c-17.expected.json")).unwrap())
            .unwrap();
    // Not compared: the hash (of this file, not the brief's), where the case
    // came from, and the trace (the brief shows one entry of it, at its own
    // line numbers).
    let object = expected.as_object_mut().unwrap();
    object.remove("source");
    object.remove("trace");
    object["protocol"].as_object_mut().unwrap().remove("sha256");
    let mut problems = Vec::new();
    shows(&expected, &actual, "", &mut problems);
    assert!(
        problems.is_empty(),
        "the brief's example differs:\n{}\nrecord: {line}",
        problems.join("\n")
    );
    // What the comparison skips is still there, in its documented form.
    let sha = actual["protocol"]["sha256"].as_str().unwrap();
    assert!(
        sha.len() == 64 && sha.bytes().all(|b| b.is_ascii_hexdigit()),
        "{sha}"
    );
    assert_eq!(
        actual["source"],
        serde_json::json!({"file": "cases.jsonl", "line": 17})
    );
    let renal = actual["trace"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["rule"] == "renal")
        .unwrap();
    assert_eq!(renal["result"], "unknown");
}

// ---------------------------------------------------------------------------
// examples/: one case per rule, and bad cases that give error records

/// An example case file, the protocol it is decided by, and its expected records.
struct Example {
    protocol: &'static str,
    cases: &'static str,
    expected: &'static str,
}

const DLBCL: &str = "protocols/dlbcl-second-line.salv";
const PROSTATE: &str = "protocols/prostate-bcr.salv";
const HIV: &str = "protocols/hiv-virologic-failure.salv";
const MBC: &str = "protocols/mbc-second-line.salv";

/// Each example case file with its protocol and expected records.
const EXAMPLES: &[Example] = &[
    Example {
        protocol: DLBCL,
        cases: "examples/dlbcl-cases.jsonl",
        expected: "examples/dlbcl-cases.expected.jsonl",
    },
    Example {
        protocol: DLBCL,
        cases: "examples/dlbcl-bad-cases.jsonl",
        expected: "examples/dlbcl-bad-cases.expected.jsonl",
    },
    Example {
        protocol: PROSTATE,
        cases: "examples/prostate-bcr-cases.jsonl",
        expected: "examples/prostate-bcr-cases.expected.jsonl",
    },
    Example {
        protocol: HIV,
        cases: "examples/hiv-cases.jsonl",
        expected: "examples/hiv-cases.expected.jsonl",
    },
    Example {
        protocol: MBC,
        cases: "examples/mbc-cases.jsonl",
        expected: "examples/mbc-cases.expected.jsonl",
    },
];

/// Every record of a case file decided by `protocol`, in order.
fn example_records(protocol: &str, cases_file: &str) -> Vec<String> {
    let protocol = compile_file(&root().join(protocol));
    let cases = std::fs::read_to_string(root().join(cases_file)).unwrap();
    let mut records = Vec::new();
    for (i, text) in cases.lines().enumerate() {
        if text.trim().is_empty() {
            continue;
        }
        let source = Source {
            file: cases_file.to_string(),
            line: Some(i as u64 + 1),
        };
        records.push(evaluate_line(&protocol, text, source, false));
    }
    records
}

/// Compares the records with the expected lines.
fn compare(records: &[String], expected_file: &str) -> Vec<String> {
    let expected = std::fs::read_to_string(root().join(expected_file)).unwrap_or_default();
    let want: Vec<&str> = expected.lines().collect();
    let mut problems = Vec::new();
    for (i, got) in records.iter().enumerate() {
        match want.get(i) {
            Some(w) if w == got => {}
            Some(w) => problems.push(format!(
                "{expected_file} record {}:\n  expected {w}\n  found    {got}",
                i + 1
            )),
            None => problems.push(format!(
                "{expected_file} record {}: not expected\n  found    {got}",
                i + 1
            )),
        }
    }
    if want.len() > records.len() {
        problems.push(format!(
            "{expected_file}: {} expected records were not produced",
            want.len() - records.len()
        ));
    }
    problems
}

#[test]
fn example_cases() {
    let bless = std::env::var_os("BLESS").is_some_and(|v| v == "1");
    let mut problems = Vec::new();
    for example in EXAMPLES {
        let records = example_records(example.protocol, example.cases);
        if bless {
            let out: String = records.iter().map(|r| format!("{r}\n")).collect();
            std::fs::write(root().join(example.expected), out).unwrap();
            continue;
        }
        problems.extend(compare(&records, example.expected));
    }
    assert!(
        problems.is_empty(),
        "example decisions differ (BLESS=1 regenerates them; review before committing):\n{}",
        problems.join("\n")
    );
}

#[test]
fn every_example_case_has_one_record_and_good_cases_decide() {
    for example in EXAMPLES {
        let cases_file = example.cases;
        let cases = std::fs::read_to_string(root().join(cases_file)).unwrap();
        let expected = std::fs::read_to_string(root().join(example.expected)).unwrap();
        let count = cases.lines().filter(|l| !l.trim().is_empty()).count();
        assert_eq!(
            expected.lines().count(),
            count,
            "one record per case in {cases_file}"
        );
        let bad = cases_file.contains("bad");
        for (i, line) in expected.lines().enumerate() {
            let record: Value = serde_json::from_str(line).unwrap();
            assert_eq!(record["source"]["line"], i as u64 + 1);
            assert_eq!(record.get("error").is_some(), bad, "{line}");
            if !bad {
                assert!(record["as_of"].is_string(), "{line}");
                assert_eq!(record["as_of_source"], "case", "{line}");
            }
        }
    }
}

#[test]
fn the_protocol_hash_does_not_depend_on_how_the_path_was_given() {
    let relative = compile_file(Path::new("protocols/dlbcl-second-line.salv"));
    let absolute = compile_file(&root().join("protocols/dlbcl-second-line.salv"));
    assert_eq!(relative.sha256, absolute.sha256);
    assert_eq!(relative.sha256.len(), 64);
}

#[test]
fn output_is_byte_identical_across_runs() {
    let dir = root().join("tests/cases/eval/repeatable-output");
    let cases = std::fs::read_to_string(dir.join("cases.jsonl")).unwrap();
    let case = cases.lines().next().unwrap();
    let source = || Source {
        file: "cases.jsonl".to_string(),
        line: Some(1),
    };
    let first = evaluate_line(
        &compile_file(&dir.join("protocol.salv")),
        case,
        source(),
        true,
    );
    for _ in 0..3 {
        let again = evaluate_line(
            &compile_file(&dir.join("protocol.salv")),
            case,
            source(),
            true,
        );
        assert_eq!(again, first);
    }
}
