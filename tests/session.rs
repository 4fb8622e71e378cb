//! The REPL's library side: a protocol loaded at the prompt, items added to
//! it, expressions evaluated on a case (`salvage::session`).

use salvage::decision::why::Asked;
use salvage::diag::render;
use salvage::session::{Answer, Problem, Session};
use std::path::Path;

const PROTOCOL: &str = "protocols/dlbcl-second-line.salv";

fn session() -> Session {
    Session::load(Path::new(PROTOCOL), None)
}

/// Case `c-03` of the examples: DLBCL, ECOG 1, R-CHOP then R-ICE then ASCT.
fn case(id: &str) -> serde_json::Value {
    let text = std::fs::read_to_string("examples/dlbcl-cases.jsonl").unwrap_or_default();
    text.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|c| c["id"] == id)
        .unwrap_or_default()
}

fn answer(session: &Session, text: &str, case: &serde_json::Value) -> Answer {
    match session.expression(text, case, Asked::default()) {
        Ok(answer) => answer,
        Err(problem) => panic!("`{text}` has no answer: {}", shown(&problem)),
    }
}

/// `value : type`, as the REPL prints it.
fn value(session: &Session, text: &str) -> String {
    let a = answer(session, text, &case("c-03"));
    format!("{} : {}", a.value, a.ty)
}

fn shown(problem: &Problem) -> String {
    match problem {
        Problem::Diagnostics(report) => {
            render::to_text(&report.diagnostics, &report.sources, false)
        }
        other => format!("{other:?}"),
    }
}

/// The rendered diagnostics of an expression that does not check.
fn error_of(session: &Session, text: &str) -> String {
    match session.expression(text, &case("c-03"), Asked::default()) {
        Ok(a) => panic!("`{text}` checked: {a:?}"),
        Err(problem) => shown(&problem),
    }
}

#[test]
fn expressions_of_each_kind_have_their_value_and_type() {
    let s = session();
    assert_eq!(value(&s, "ecog <= 2"), "true : bool");
    assert_eq!(value(&s, "age"), "58 years : int years");
    assert_eq!(value(&s, "ecog + 1"), "2 : int");
    assert_eq!(value(&s, "as_of"), "2026-02-01 : date");
    assert_eq!(value(&s, "histology"), "DLBCL_NOS : Histology");
    assert_eq!(
        value(&s, "{R-CHOP, R-ICE}"),
        "{R-CHOP, R-ICE} : set of regimen"
    );
    assert_eq!(value(&s, "\"x\""), "\"x\" : text");
}

#[test]
fn defines_and_history_predicates_of_the_protocol_are_in_scope() {
    let s = session();
    assert_eq!(value(&s, "early_failure"), "false : bool");
    assert_eq!(value(&s, "relapse after R-CHOP"), "true : bool");
    assert_eq!(value(&s, "refractory to R-CHOP"), "false : bool");
}

#[test]
fn an_unknown_value_names_the_facts_that_would_settle_it() {
    let s = session();
    let mut c = case("c-03");
    c.as_object_mut().map(|o| o.remove("ecog"));
    let a = answer(&s, "car_t_fit", &c);
    assert_eq!(a.value, "unknown");
    assert_eq!(a.ty, "bool");
    assert_eq!(a.missing, vec!["/ecog".to_string()]);
}

#[test]
fn type_of_needs_no_case() {
    let s = session();
    assert_eq!(s.type_of("crcl").ok().as_deref(), Some("series mL/min"));
    assert_eq!(s.type_of("ecog <= 2").ok().as_deref(), Some("bool"));
}

#[test]
fn an_unknown_name_points_into_the_prompt_with_a_suggestion() {
    let shown = error_of(&session(), "ecgo");
    assert!(
        shown.contains("error[S0101]: cannot find `ecgo`"),
        "{shown}"
    );
    assert!(shown.contains("<prompt>:1:1"), "{shown}");
    assert!(shown.contains("1 │ ecgo\n  │ ^^^^ not defined"), "{shown}");
    assert!(shown.contains("did you mean `ecog`?"), "{shown}");
    assert!(
        !shown.contains("salvage_prompt") && !shown.contains("<expression>"),
        "{shown}"
    );
}

#[test]
fn a_type_error_points_at_the_operand() {
    let shown = error_of(&session(), "ecog + true");
    assert!(
        shown.contains("error[S0301]: expected `int`, found `bool`"),
        "{shown}"
    );
    assert!(shown.contains("<prompt>:1:8"), "{shown}");
}

#[test]
fn a_parse_error_points_into_the_typed_text() {
    let shown = error_of(&session(), "1 +");
    assert!(shown.contains("error[S0001]"), "{shown}");
    assert!(shown.contains("<prompt>:1:4"), "{shown}");
    let shown = error_of(&session(), ")");
    assert!(shown.contains("<prompt>:1:1"), "{shown}");
    assert!(!shown.contains("after `=`"), "{shown}");
}

#[test]
fn nothing_typed_panics() {
    let s = session();
    let deep = "(".repeat(100_000);
    for text in [
        "",
        "   ",
        ")",
        "1 define y = 2",
        "rule",
        deep.as_str(),
        "\"",
        "1 //",
    ] {
        let result = s.expression(text, &case("c-03"), Asked::default());
        assert!(
            matches!(result, Err(Problem::Diagnostics(ref r)) if r.has_errors()) || text == "1 //",
            "`{text:.20}`: {result:?}"
        );
    }
    let shown = error_of(&s, "1 define y = 2");
    assert!(
        shown.contains("expected one expression, found more after it"),
        "{shown}"
    );
}

#[test]
fn an_added_define_can_be_used() {
    let mut s = session();
    assert!(!s.modified());
    assert!(s.add("define old = age >= 55 years").is_ok());
    assert!(s.modified());
    assert_eq!(value(&s, "old and early_failure"), "false : bool");
    assert_eq!(value(&s, "old"), "true : bool");
}

#[test]
fn a_failed_addition_leaves_the_session_unchanged() {
    let mut s = session();
    let before = s.compiled().protocol.as_ref().map(|p| p.sha256.clone());
    let report = s.add("define old = ag >= 55 years").err();
    let shown = report
        .map(|r| render::to_text(&r.diagnostics, &r.sources, false))
        .unwrap_or_default();
    assert!(shown.contains("<prompt 1>:1:14"), "{shown}");
    assert!(!s.modified());
    assert_eq!(
        s.compiled().protocol.as_ref().map(|p| p.sha256.clone()),
        before
    );
    let shown = match s.add("rule car-t when true then order x \"X\"") {
        Err(r) => render::to_text(&r.diagnostics, &r.sources, false),
        Ok(()) => panic!("a second `car-t` was added"),
    };
    assert!(shown.contains("<prompt 1>"), "{shown}");
    assert!(s.add("").is_err());
    assert!(!s.modified());
}

fn record(s: &Session, id: &str) -> serde_json::Value {
    let protocol = s.compiled().protocol.as_ref();
    let record = protocol.map(|p| {
        salvage::decision::evaluate(p, &case(id), None, &Default::default()).to_json_line()
    });
    serde_json::from_str(&record.unwrap_or_default()).unwrap_or_default()
}

#[test]
fn an_added_rule_changes_the_decision_of_a_draft() {
    let mut s = session();
    let ids: Vec<String> = (1..=12).map(|n| format!("c-{n:02}")).collect();
    let statuses = |s: &Session| -> Vec<serde_json::Value> {
        ids.iter()
            .map(|id| record(s, id)["status"].clone())
            .collect()
    };
    let before_statuses = statuses(&s);
    let before = record(&s, "c-03");
    assert!(before["protocol"].get("modified").is_none());
    let added =
        s.add("rule typed \"Typed at the prompt\" stop\n  when true\n  then status referred");
    assert!(added.is_ok(), "{added:?}");
    let after = record(&s, "c-03");
    assert_eq!(after["protocol"]["modified"], true);
    assert_eq!(after["protocol"]["status"], "draft");
    assert_ne!(after["protocol"]["sha256"], before["protocol"]["sha256"]);
    assert_ne!(statuses(&s), before_statuses);
}

#[test]
fn reload_keeps_the_additions() {
    let mut s = session();
    assert!(s.add("define old = age >= 55 years").is_ok());
    let sha = s.compiled().protocol.as_ref().map(|p| p.sha256.clone());
    s.reload();
    assert!(s.modified());
    assert_eq!(
        s.compiled().protocol.as_ref().map(|p| p.sha256.clone()),
        sha
    );
    assert_eq!(value(&s, "old"), "true : bool");
}

#[test]
fn an_empty_session_evaluates_expressions_over_no_fields() {
    let s = Session::empty();
    let day = Asked {
        as_of: jiff::civil::Date::new(2026, 1, 1).ok(),
        show_values: false,
    };
    let one = s.expression("1 + 2", &serde_json::json!({"id": "x"}), day);
    assert_eq!(
        one.as_ref().map(|a| a.value.as_str()).ok(),
        Some("3"),
        "{one:?}"
    );
    let shown = match s.expression("ecog", &serde_json::json!({}), day) {
        Err(p) => shown(&p),
        Ok(a) => panic!("{a:?}"),
    };
    assert!(shown.contains("cannot find `ecog`"), "{shown}");
}

#[test]
fn a_protocol_with_errors_has_nothing_to_evaluate_in() {
    let s = Session::load(Path::new("no/such/protocol.salv"), None);
    assert!(s.compiled().protocol.is_none());
    let result = s.expression("1", &serde_json::json!({}), Asked::default());
    assert!(matches!(result, Err(Problem::NoProtocol)), "{result:?}");
}

#[test]
fn a_case_that_cannot_be_loaded_is_a_case_problem() {
    let s = session();
    let result = s.expression(
        "ecog",
        &serde_json::json!({"id": "x", "ecog": "high"}),
        Asked::default(),
    );
    assert!(
        matches!(result, Err(Problem::Case(ref m)) if m.starts_with("/")),
        "{result:?}"
    );
}
