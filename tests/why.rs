//! `:why RULE` and `:whynot OPTION` (`salvage::decision::why`) on the DLBCL
//! pathway and its example cases: golden answers in `tests/why/` (`BLESS=1
//! cargo test --test why` rewrites them; review before committing), and,
//! over every example case and every rule, agreement with the decision's own
//! trace.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use salvage::decision::output::{Record, TraceResult};
use salvage::decision::why::{why_not, why_rule, Asked};
use salvage::decision::{evaluate, RunOptions};
use salvage::eval::model::Protocol;
use salvage::Sources;
use std::path::Path;

/// The DLBCL protocol, its sources and its example cases.
struct Fixture {
    protocol: Protocol,
    sources: Sources,
    cases: Vec<serde_json::Value>,
}

impl Fixture {
    fn load() -> Fixture {
        let compiled = salvage::compile_file(Path::new("protocols/dlbcl-second-line.salv"), None);
        let sources = compiled.report.sources.clone();
        let protocol = compiled.protocol.expect("the DLBCL protocol compiles");
        let text = std::fs::read_to_string("examples/dlbcl-cases.jsonl").unwrap();
        let cases = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        Fixture {
            protocol,
            sources,
            cases,
        }
    }

    fn case(&self, id: &str) -> &serde_json::Value {
        self.cases.iter().find(|c| c["id"] == id).unwrap()
    }

    fn why(&self, id: &str, rule: &str) -> Result<Vec<String>, String> {
        why_rule(
            &self.protocol,
            &self.sources,
            self.case(id),
            Asked::default(),
            rule,
        )
    }

    fn why_not(&self, id: &str, option: &str) -> Result<Vec<String>, String> {
        why_not(
            &self.protocol,
            &self.sources,
            self.case(id),
            Asked::default(),
            option,
        )
    }
}

/// Compares `lines` with `tests/why/NAME.txt` (written with `BLESS=1`).
fn golden(name: &str, lines: &[String]) {
    let path = Path::new("tests/why").join(format!("{name}.txt"));
    let actual = lines.join("\n") + "\n";
    if std::env::var_os("BLESS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all("tests/why").unwrap();
        std::fs::write(&path, &actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (BLESS=1 writes it)", path.display()));
    assert_eq!(
        actual,
        expected,
        "{} differs (BLESS=1 rewrites it)",
        path.display()
    );
}

#[test]
fn a_rule_that_fired_opens_its_defines_down_to_the_facts() {
    let f = Fixture::load();
    golden("fired-car-t", &f.why("c-06", "car-t").unwrap());
}

#[test]
fn a_rule_that_is_false_shows_which_part_is_false() {
    let f = Fixture::load();
    golden(
        "false-late-relapse",
        &f.why("c-06", "late-relapse").unwrap(),
    );
}

#[test]
fn an_unknown_rule_names_the_facts_that_would_settle_it() {
    let f = Fixture::load();
    let lines = f.why("c-07", "car-t").unwrap();
    assert!(lines
        .iter()
        .any(|l| l.contains("would be settled by /transplant_eligible")));
    golden("unknown-car-t", &lines);
}

#[test]
fn an_unknown_series_read_says_what_value_it_needs() {
    let f = Fixture::load();
    golden("unknown-renal", &f.why("c-15", "renal").unwrap());
}

#[test]
fn a_rule_after_a_true_stop_rule_names_that_rule() {
    let f = Fixture::load();
    golden("not-reached-car-t", &f.why("c-01", "car-t").unwrap());
}

#[test]
fn a_history_predicate_names_the_line_that_decided_it() {
    let f = Fixture::load();
    let lines = f.why("c-03", "later-line").unwrap();
    assert!(lines
        .iter()
        .any(|l| l.contains("received platinum-salvage: true") && l.contains("/lines/1")));
    golden("history-later-line", &lines);
}

#[test]
fn why_not_a_recommended_option_gives_its_rank_and_rule() {
    let f = Fixture::load();
    golden(
        "whynot-recommended-axi-cel",
        &f.why_not("c-06", "axi-cel").unwrap(),
    );
}

#[test]
fn why_not_a_pending_option_gives_the_missing_facts_and_rules() {
    let f = Fixture::load();
    golden(
        "whynot-pending-liso-cel",
        &f.why_not("c-07", "liso-cel").unwrap(),
    );
}

#[test]
fn why_not_an_avoided_option_gives_the_avoiding_rule_and_code() {
    let f = Fixture::load();
    golden(
        "whynot-avoided-r-dhap",
        &f.why_not("c-12", "R-DHAP").unwrap(),
    );
}

#[test]
fn why_not_lists_the_first_failing_parts_of_each_rule_that_could_recommend_it() {
    let f = Fixture::load();
    golden(
        "whynot-failed-liso-cel",
        &f.why_not("c-12", "liso-cel").unwrap(),
    );
}

#[test]
fn why_not_an_option_no_rule_reached() {
    let f = Fixture::load();
    golden(
        "whynot-not-reached-r-ice",
        &f.why_not("c-01", "R-ICE").unwrap(),
    );
}

#[test]
fn why_not_a_contraindicated_agent_gives_the_avoiding_rule() {
    let f = Fixture::load();
    golden(
        "whynot-contraindicated-cisplatin",
        &f.why_not("c-12", "cisplatin").unwrap(),
    );
}

#[test]
fn why_not_an_option_no_rule_recommends() {
    let f = Fixture::load();
    let lines = f.why_not("c-06", "cisplatin").unwrap();
    assert_eq!(
        lines,
        ["cisplatin is not recommended: no rule of the protocol recommends or considers it"]
    );
}

#[test]
fn unknown_names_are_errors_with_a_did_you_mean() {
    let f = Fixture::load();
    assert_eq!(
        f.why_not("c-06", "axicel").unwrap_err(),
        "no option `axicel` in this protocol; did you mean `axi-cel`?"
    );
    assert_eq!(
        f.why("c-06", "car_t").unwrap_err(),
        "no rule `car_t` in this protocol; did you mean `car-t`?"
    );
    assert_eq!(
        f.why("c-06", "zzzz").unwrap_err(),
        "no rule `zzzz` in this protocol"
    );
}

#[test]
fn a_case_that_cannot_be_decided_is_an_error_naming_its_place() {
    let f = Fixture::load();
    let mut case = f.case("c-06").clone();
    case["ecog"] = serde_json::json!("two");
    let error = why_rule(&f.protocol, &f.sources, &case, Asked::default(), "car-t").unwrap_err();
    assert!(error.starts_with("the case cannot be decided: "), "{error}");
    assert!(error.ends_with("(at `/ecog`)"), "{error}");
    let mut undated = f.case("c-06").clone();
    undated.as_object_mut().unwrap().remove("as_of");
    let error = why_not(
        &f.protocol,
        &f.sources,
        &undated,
        Asked::default(),
        "axi-cel",
    )
    .unwrap_err();
    assert!(error.contains("no `as_of`"), "{error}");
    let day = jiff::civil::date(2026, 2, 1);
    assert!(why_not(
        &f.protocol,
        &f.sources,
        &undated,
        Asked {
            as_of: Some(day),
            show_values: false
        },
        "axi-cel"
    )
    .is_ok());
}

/// The outcome `why_rule` gives on its first line, as the trace words it.
fn stated_outcome(first: &str) -> TraceResult {
    match first.rsplit(": ").next() {
        Some("fired") => TraceResult::True,
        Some("did not fire") => TraceResult::False,
        Some("unknown") => TraceResult::Unknown,
        Some("not reached") => TraceResult::NotReached,
        other => panic!("no outcome in {first:?}: {other:?}"),
    }
}

/// The truth the tree's root line gives the whole condition.
fn root_truth(root: &str) -> TraceResult {
    let head = root.split("  (").next().unwrap_or(root).trim_end();
    match head.rsplit(": ").next() {
        Some("true") => TraceResult::True,
        Some("false") => TraceResult::False,
        Some("unknown") => TraceResult::Unknown,
        other => panic!("no truth in {root:?}: {other:?}"),
    }
}

#[test]
fn every_answer_agrees_with_the_decisions_trace_on_every_case_and_rule() {
    let f = Fixture::load();
    let options = RunOptions {
        explain: true,
        ..RunOptions::default()
    };
    let mut checked = 0;
    for case in &f.cases {
        let Record::Decision(decision) = evaluate(&f.protocol, case, None, &options) else {
            panic!("{case}: not decided");
        };
        for entry in decision.trace.as_deref().unwrap() {
            let lines =
                why_rule(&f.protocol, &f.sources, case, Asked::default(), &entry.rule).unwrap();
            let context = format!("{} {}:\n{}", case["id"], entry.rule, lines.join("\n"));
            assert_eq!(stated_outcome(&lines[0]), entry.result, "{context}");
            assert!(lines[0].contains(&entry.at), "{context}");
            if entry.result != TraceResult::NotReached {
                assert_eq!(root_truth(&lines[1]), entry.result, "{context}");
            }
            checked += 1;
        }
    }
    assert!(checked >= 19 * 13, "only {checked} rules checked");
}

/// A protocol with a section and a rule of a higher stratum (it reads the
/// decision), to show both are read as the decision reads them.
const STRATA: &str = r#"protocol "Why strata" {
  version "1"
  status draft
  effective 2025-01-01
}

agent a1
agent a2
regimen first-choice = a1
regimen second-choice = a2

case {
  adult: bool
  ok: bool
}

section "Adults" when adult {
  rule first when ok then recommend first-choice
}
rule second when not recommended first-choice then recommend second-choice
"#;

#[test]
fn section_guards_and_higher_strata_are_read_as_the_decision_reads_them() {
    let compiled = salvage::compile_source("strata.salv", STRATA);
    let sources = compiled.report.sources.clone();
    let protocol = compiled.protocol.expect("the strata protocol compiles");
    let case =
        serde_json::json!({"id": "child", "as_of": "2026-01-01", "adult": false, "ok": true});
    let lines = |rule| why_rule(&protocol, &sources, &case, Asked::default(), rule).unwrap();
    golden("section-first", &lines("first"));
    golden("stratum-second", &lines("second"));
    let options = RunOptions {
        explain: true,
        ..RunOptions::default()
    };
    for adult in [true, false] {
        for ok in [
            serde_json::json!(true),
            serde_json::json!(false),
            serde_json::Value::Null,
        ] {
            let case =
                serde_json::json!({"id": "x", "as_of": "2026-01-01", "adult": adult, "ok": ok});
            let Record::Decision(decision) = evaluate(&protocol, &case, None, &options) else {
                panic!("{case}: not decided");
            };
            for entry in decision.trace.as_deref().unwrap() {
                let lines =
                    why_rule(&protocol, &sources, &case, Asked::default(), &entry.rule).unwrap();
                let context = format!("{case} {}:\n{}", entry.rule, lines.join("\n"));
                assert_eq!(stated_outcome(&lines[0]), entry.result, "{context}");
                assert_eq!(root_truth(&lines[1]), entry.result, "{context}");
            }
        }
    }
}

#[test]
fn odd_input_gives_an_error_line_never_a_panic() {
    let f = Fixture::load();
    let (p, s) = (&f.protocol, &f.sources);
    let not_a_case = serde_json::json!(42);
    assert!(why_rule(p, s, &not_a_case, Asked::default(), "car-t")
        .unwrap_err()
        .starts_with("the case cannot be decided: "));
    assert!(why_not(p, s, &serde_json::json!({}), Asked::default(), "axi-cel").is_err());
    for name in ["", " ", "car-t ", "ℝ-CHOP", "a\nb", &"x".repeat(10_000)] {
        assert!(
            why_rule(p, s, f.case("c-06"), Asked::default(), name).is_err(),
            "{name:?}"
        );
    }
    for name in ["", " ", "a\nb", &"x".repeat(10_000)] {
        assert!(
            why_not(p, s, f.case("c-06"), Asked::default(), name).is_err(),
            "{name:?}"
        );
    }
    // An option is found by any spelling case data may use, as case data
    // finds it: another case, spaces around it, compatibility forms.
    let exact = why_not(p, s, f.case("c-06"), Asked::default(), "R-CHOP").unwrap();
    for spelling in ["r-chop", "R-CHOP ", "ℝ-CHOP"] {
        let spelled = why_not(p, s, f.case("c-06"), Asked::default(), spelling).unwrap();
        assert_eq!(spelled, exact, "{spelling:?}");
    }
    // a class is no option: only regimens and agents are recommended
    let error = why_not(p, s, f.case("c-06"), Asked::default(), "platinum-salvage").unwrap_err();
    assert!(error.starts_with("no option `platinum-salvage`"), "{error}");
}

/// A rule that recommends through `each`, over a set of two regimens.
const EACH: &str = r#"protocol "Each" {
  version "1"
  status approved
  effective 2025-01-01
}

agent x
agent y
agent z
regimen rx = x
regimen ry = y
regimen rz = z

case {
  ok: bool
}

rule r when ok then recommend each r in {rx, ry}
"#;

#[test]
fn a_rule_that_recommends_through_each_is_among_those_that_could() {
    let compiled = salvage::compile_source("each.salv", EACH);
    let sources = compiled.report.sources.clone();
    let protocol = compiled.protocol.expect("the each protocol compiles");
    let case = |ok: bool| serde_json::json!({"id": "c", "as_of": "2026-01-01", "ok": ok});
    let not_fired = why_not(&protocol, &sources, &case(false), Asked::default(), "rx").unwrap();
    assert!(
        not_fired[0].contains("the rules that could recommend it"),
        "{not_fired:?}"
    );
    assert!(
        not_fired.iter().any(|l| l.contains("rule r (each.salv:")),
        "{not_fired:?}"
    );
    assert!(
        not_fired.iter().any(|l| l.contains("ok: false")),
        "{not_fired:?}"
    );
    // Fired, but its `each` ranges over {rx, ry}: rz is not taken.
    let left_out = why_not(&protocol, &sources, &case(true), Asked::default(), "rz").unwrap();
    assert!(
        left_out
            .iter()
            .any(|l| l.contains("its `each` did not take this option")),
        "{left_out:?}"
    );
    let taken = why_not(&protocol, &sources, &case(true), Asked::default(), "rx").unwrap();
    assert!(taken[0].starts_with("rx is recommended"), "{taken:?}");
}
