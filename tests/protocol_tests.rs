//! `salvage test`: the protocols' own tests pass (this is how CI runs them),
//! and a failing test is reported with its line, the failing expectation
//! and the differing part of the decision.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::process::Output;

use common::cli::{code, salvage, stderr, stdout};
use common::temp::TempDir;
use salvage::testing::{self, Outcome};

/// The brief's example protocol (approved, effective 2026-01-01).
const PROTOCOL: &str = include_str!("cases/eval/brief/dlbcl.salv");
const CASE: &str = include_str!("cases/eval/brief/c-17.json");

/// The brief's late-relapse case as a `given` (R-ICE recommended, R-DHAP pending).
const LATE_RELAPSE: &str = r#"given {"age": 60, "ecog": 1, "histology": "DLBCL_NOS", "transplant_eligible": true,
         "crcl": [{"date": "2025-10-01", "value": 80, "unit": "mL/min"}],
         "lines": [{"regimen": "R-CHOP", "start_date": "2023-07-01", "end_date": "2024-01-01",
                    "best_response": "CR", "progression_date": "2025-10-01"}]}"#;

/// The brief's protocol followed by `tests`.
fn protocol_with(tests: &str) -> String {
    format!("{PROTOCOL}\n{tests}\n")
}

/// A test of the late-relapse case with these expectations.
fn late_relapse_test(name: &str, expectations: &str) -> String {
    format!("test \"{name}\" {{\n  as_of 2026-01-01\n  {LATE_RELAPSE}\n{expectations}\n}}\n")
}

fn last_line(output: &Output) -> String {
    stdout(output)
        .lines()
        .last()
        .unwrap_or_default()
        .to_string()
}

/// The 1-based line of the first line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn the_shipped_protocols_pass_their_tests() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = salvage(root, &["test", "protocols/"]);
    let out = stdout(&output);
    assert_eq!(code(&output), 0, "{out}\n{}", stderr(&output));
    let last = last_line(&output);
    let (passed, failed) = last.split_once(" passed, ").unwrap();
    assert!(passed.parse::<usize>().unwrap() > 0, "{last}");
    assert_eq!(failed, "0 failed");
    assert!(out.contains("rules fired by tests: "), "{out}");
    assert!(
        !out.contains("lymphoma-agents.salv"),
        "an imported vocabulary file is not a protocol:\n{out}"
    );
}

#[test]
fn the_worked_example_passes_its_tests_and_is_quoted_whole_in_the_reference() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let example = "docs/examples/bcr-after-prostatectomy.salv";
    let output = salvage(root, &["test", example]);
    assert_eq!(code(&output), 0, "{}\n{}", stdout(&output), stderr(&output));
    assert!(
        stdout(&output).contains("rules fired by tests: 4/4"),
        "{}",
        stdout(&output)
    );
    let text = std::fs::read_to_string(root.join(example)).unwrap();
    let body: String = text.lines().skip(2).map(|l| format!("{l}\n")).collect();
    let reference = std::fs::read_to_string(root.join("docs/language.md")).unwrap();
    assert!(
        reference.contains(&format!("```salv\n{body}```")),
        "docs/language.md must quote {example} (without its two comment lines) whole"
    );
}

#[test]
fn a_failing_expectation_shows_its_line_and_the_differing_part() {
    let dir = TempDir::new();
    let text = protocol_with(&late_relapse_test(
        "late relapse",
        "  expect recommend axi-cel rank 1",
    ));
    dir.write("p.salv", &text);
    let output = salvage(dir.path(), &["test", "p.salv"]);
    assert_eq!(code(&output), 1);
    let out = stdout(&output);
    let test_line = line_of(&text, "test \"late relapse\"");
    let expect_line = line_of(&text, "expect recommend axi-cel");
    assert!(
        out.contains(&format!("FAIL p.salv:{test_line}: \"late relapse\"\n")),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "  p.salv:{expect_line}: expect recommend axi-cel rank 1\n"
        )),
        "{out}"
    );
    assert!(
        out.contains("expected recommend axi-cel rank 1, but recommendations are: R-ICE (rank 1)"),
        "{out}"
    );
    assert_eq!(last_line(&output), "0 passed, 1 failed");
}

#[test]
fn every_kind_of_expectation_can_pass() {
    let dir = TempDir::new();
    let expectations = "  expect status recommended
  expect recommend R-ICE rank 1
  expect not recommend axi-cel
  expect not consider R-ICE
  expect pending R-DHAP
  expect not avoid cisplatin
  expect missing \"/crcl\"
  expect order \"PET-CT before salvage\"
  expect not refer \"anything\"
  expect not flag \"anything\"
  expect report risk = \"low\"
  expect not status needs-data";
    let text = protocol_with(&format!(
        "report risk = if ecog <= 1 then \"low\" else \"high\"\n{}",
        late_relapse_test("late relapse", expectations)
    ));
    dir.write("p.salv", &text);
    let output = salvage(dir.path(), &["test", "p.salv"]);
    assert_eq!(code(&output), 0, "{}\n{}", stdout(&output), stderr(&output));
    assert_eq!(last_line(&output), "1 passed, 0 failed");
}

/// A protocol whose recommendation has a role and a note computed from the case.
const ROLES_AND_NOTES: &str = r#"protocol "Roles" { version "1" status approved effective 2026-01-01 }
agent dolutegravir
case { insti_resistance: bool }
rule anchor when true
  then recommend dolutegravir rank 1 role "high-barrier anchor"
         note if insti_resistance then "50 mg twice daily" else "50 mg once daily"
test "resistance: twice daily" {
  as_of 2026-03-01
  given {"insti_resistance": true}
  expect recommend dolutegravir rank 1 role "high-barrier anchor" note "50 mg twice daily"
  expect not recommend dolutegravir note "50 mg once daily"
  expect not recommend dolutegravir role "partner"
}
test "wrong note" {
  as_of 2026-03-01
  given {"insti_resistance": false}
  expect recommend dolutegravir role "high-barrier anchor" note "50 mg twice daily"
}
"#;

#[test]
fn expectations_check_the_role_and_the_notes_of_an_option() {
    let dir = TempDir::new();
    dir.write("p.salv", ROLES_AND_NOTES);
    let output = salvage(dir.path(), &["test", "p.salv"]);
    assert_eq!(code(&output), 1);
    let out = stdout(&output);
    assert!(!out.contains("\"resistance: twice daily\""), "{out}");
    assert!(
        out.contains(
            "expected recommend dolutegravir role \"high-barrier anchor\" note \"50 mg twice daily\", \
             but recommendations are: dolutegravir (rank 1, role \"high-barrier anchor\", notes [\"50 mg once daily\"])"
        ),
        "{out}"
    );
    assert_eq!(last_line(&output), "1 passed, 1 failed");
}

#[test]
fn failures_name_the_status_and_the_report_they_found() {
    let dir = TempDir::new();
    let text = protocol_with(&format!(
        "report risk = if ecog <= 1 then \"low\" else \"high\"\n{}",
        late_relapse_test(
            "wrong",
            "  expect status needs-data\n  expect report risk = \"high\""
        )
    ));
    dir.write("p.salv", &text);
    let output = salvage(dir.path(), &["test", "p.salv"]);
    let out = stdout(&output);
    assert_eq!(code(&output), 1);
    assert!(
        out.contains("expected status needs-data, got recommended"),
        "{out}"
    );
    assert!(
        out.contains("expected report risk = \"high\", but it is \"low\""),
        "{out}"
    );
    assert_eq!(last_line(&output), "0 passed, 1 failed");
}

#[test]
fn a_missing_from_file_fails_the_test() {
    let dir = TempDir::new();
    let test = "test \"from a file\" from \"cases/none.jsonl\" case \"c-17\" { expect status recommended }";
    dir.write("p.salv", &protocol_with(test));
    let output = salvage(dir.path(), &["test", "p.salv"]);
    let out = stdout(&output);
    assert_eq!(code(&output), 1, "{out}");
    assert!(out.contains("FAIL p.salv:"), "{out}");
    assert!(
        out.contains("cannot read `") && out.contains("none.jsonl"),
        "{out}"
    );
    assert_eq!(last_line(&output), "0 passed, 1 failed");
}

#[test]
fn from_finds_the_case_by_id_relative_to_the_protocol() {
    let dir = TempDir::new();
    let other = CASE.replace("c-17", "c-99").replace('\n', " ");
    dir.write(
        "cases/all.jsonl",
        &format!("{other}\n\n{}\n", CASE.replace('\n', " ")),
    );
    dir.write("cases/one.json", CASE);
    let tests =
        "test \"jsonl\" from \"../cases/all.jsonl\" case \"c-17\" { expect recommend R-ICE rank 1 }
test \"json\" from \"../cases/one.json\" case \"c-17\" { expect pending R-DHAP }
test \"unknown id\" from \"../cases/all.jsonl\" case \"c-1\" { expect status recommended }";
    dir.write("protocols/p.salv", &protocol_with(tests));
    let output = salvage(dir.path(), &["test", "--root", ".", "protocols"]);
    let out = stdout(&output);
    assert_eq!(code(&output), 1, "{out}");
    assert!(out.contains("no case with id `c-1`"), "{out}");
    assert_eq!(last_line(&output), "2 passed, 1 failed");
}

#[test]
fn an_id_that_more_than_one_case_has_fails_the_test() {
    let dir = TempDir::new();
    let case = CASE.replace('\n', " ");
    let numeric = case.replace("\"c-17\"", "2017");
    let text = case.replace("c-17", "2017");
    dir.write("cases.jsonl", &format!("{numeric}\n{text}\n{}\n", case));
    let tests = "test \"both\" from \"cases.jsonl\" case \"2017\" { expect recommend R-ICE rank 1 }
test \"one\" from \"cases.jsonl\" case \"c-17\" { expect recommend R-ICE rank 1 }";
    dir.write("p.salv", &protocol_with(tests));
    let output = salvage(dir.path(), &["test", "p.salv"]);
    let out = stdout(&output);
    assert_eq!(code(&output), 1, "{out}");
    assert!(
        out.contains("2 cases with id `2017` in `") && out.contains("give each case its own id"),
        "{out}"
    );
    assert_eq!(last_line(&output), "1 passed, 1 failed");
}

#[test]
fn a_case_that_does_not_load_fails_the_test() {
    let dir = TempDir::new();
    let tests = "test \"bad value\" { as_of 2026-01-01 given {\"age\": \"sixty\"} expect status needs-data }
test \"no date\" { given {\"age\": 60} expect status needs-data }";
    dir.write("p.salv", &protocol_with(tests));
    let output = salvage(dir.path(), &["test", "p.salv"]);
    let out = stdout(&output);
    assert_eq!(code(&output), 1, "{out}");
    assert!(out.contains("`/age`"), "{out}");
    assert!(out.contains("no `as_of`"), "{out}");
    assert_eq!(last_line(&output), "0 passed, 2 failed");
}

#[test]
fn a_protocol_with_errors_fails_each_of_its_tests() {
    let dir = TempDir::new();
    let text = protocol_with(&late_relapse_test("one", "  expect status recommended"))
        .replace("when ecog >= 3", "when ecgo >= 3");
    dir.write("p.salv", &text);
    let output = salvage(dir.path(), &["test", "p.salv"]);
    assert_eq!(code(&output), 1);
    assert!(stderr(&output).contains("ecgo"), "{}", stderr(&output));
    assert_eq!(
        last_line(&output),
        "0 passed, 1 failed, 1 protocol did not compile"
    );
}

#[test]
fn tests_run_whatever_the_status_and_report_rule_coverage() {
    let dir = TempDir::new();
    let text = protocol_with(&late_relapse_test(
        "late relapse",
        "  expect status recommended",
    ))
    .replace("status approved", "status draft");
    dir.write("p.salv", &text);
    let output = salvage(dir.path(), &["test", "."]);
    let out = stdout(&output);
    assert_eq!(code(&output), 0, "{out}\n{}", stderr(&output));
    assert!(
        out.contains("p.salv: rules fired by tests: 1/5 (not fired: scope, unfit, car-t, renal)\n"),
        "{out}"
    );
}

#[test]
fn imported_vocabulary_files_are_not_protocols() {
    let dir = TempDir::new();
    dir.write("common/agents.salv", "agent x\n");
    let header = "protocol \"P\" { version \"1\" status approved effective 2026-01-01 }";
    let body = "import \"common/agents.salv\"\nregimen R = x\nrule r when true then recommend R\n";
    let test = "test \"t\" { as_of 2026-01-01 given {} expect recommend R rank 1 }";
    dir.write("p.salv", &format!("{header}\n{body}\n{test}\n"));
    let output = salvage(dir.path(), &["test", "."]);
    let out = stdout(&output);
    assert_eq!(code(&output), 0, "{out}\n{}", stderr(&output));
    assert!(!out.contains("agents.salv"), "{out}");
    assert_eq!(last_line(&output), "1 passed, 0 failed");
}

#[test]
fn the_library_returns_results_without_printing() {
    let dir = TempDir::new();
    let tests = format!(
        "{}{}",
        late_relapse_test("passes", "  expect recommend R-ICE"),
        late_relapse_test("fails", "  expect include R-ICE")
    );
    let path = dir.write("p.salv", &protocol_with(&tests));
    let run = testing::run_file(&path, None, false);
    assert_eq!((run.passed(), run.failed()), (1, 1));
    let Outcome::Failed(problems) = &run.tests[1].outcome else {
        panic!("{:?}", run.tests[1]);
    };
    assert_eq!(problems[0].text, "expect include R-ICE");
    assert_eq!(
        problems[0].message,
        "expected include R-ICE, but there are no included options"
    );
    let coverage = run.coverage.unwrap();
    assert_eq!((coverage.fired(), coverage.rules), (1, 5));
}
