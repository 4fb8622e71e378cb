//! Evaluation semantics against the design brief ("Core concepts",
//! "Decision semantics", "Output"): one behaviour per test, each with a tiny
//! protocol and a one-line case, asserting on the decision record's JSON.
//!
//! A test marked `#[ignore = "bug: …"]` states what the brief requires where
//! the engine currently disagrees; remove the `ignore` once it is fixed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::{json, Value};

#[path = "common/schema.rs"]
mod schema;

// ---------------------------------------------------------------------------
// Helpers

/// Compiles protocol text, panicking with the rendered diagnostics if it
/// does not check.
fn compile(src: &str) -> salvage::eval::model::Protocol {
    let c = salvage::compile_source("t.salv", src);
    match c.protocol {
        Some(p) => p,
        None => panic!(
            "protocol does not check:\n{}",
            salvage::diag::render::to_text(&c.report.diagnostics, &c.report.sources, false)
        ),
    }
}

/// The record (decision or error) for one case, as JSON.
fn decide(protocol_src: &str, case_json: &str) -> Value {
    let protocol = compile(protocol_src);
    record_line(&protocol, case_json).1
}

/// The record's exact JSON line and its parsed value.
fn record_line(protocol: &salvage::eval::model::Protocol, case_json: &str) -> (String, Value) {
    let json = salvage::eval::case::parse_json(case_json).expect("case JSON");
    let options = salvage::decision::RunOptions {
        as_of: None,
        explain: true,
        strict: false,
    };
    let line = salvage::decision::evaluate(protocol, &json, None, &options).to_json_line();
    // Every decision these tests produce is valid against docs/decision.schema.json.
    let value = schema::assert_valid_line(&line);
    (line, value)
}

const HEADER: &str = r#"protocol "T" {
  version "1"
  institution "Test"
  status approved
  effective 2025-01-01
}
"#;

/// A protocol: the header, then `body`.
fn protocol(body: &str) -> String {
    format!("{HEADER}{body}\n")
}

/// Vocabulary and four boolean facts `a`..`d`, for decision tests.
const DECISION_BASE: &str = r#"
agent cisplatin class platinum tag nephrotoxic
agent carboplatin class platinum
agent rituximab class anti-CD20
agent ifosfamide
agent etoposide
regimen R-DHAP = rituximab + cisplatin
regimen R-ICE = rituximab + ifosfamide + carboplatin
regimen R-IE = rituximab + ifosfamide
regimen R-E = rituximab + etoposide
regimen BSC : supportive
reasons { renal_function, prior_failure, other }
case {
  a: bool
  b: bool
  c: bool
  d: bool
}
"#;

fn decision_protocol(rules: &str) -> String {
    protocol(&format!("{DECISION_BASE}\n{rules}"))
}

/// A therapy history, as in the brief's example.
const HISTORY_BASE: &str = r#"
agent rituximab class anti-CD20
agent cyclophosphamide class alkylator
agent doxorubicin class anthracycline
agent vincristine
agent prednisone
agent cisplatin class platinum
agent cytarabine
agent dexamethasone
regimen R-CHOP = rituximab + cyclophosphamide + doxorubicin + vincristine + prednisone
  class rchop-like alias "RCHOP"
regimen R-DHAP = rituximab + dexamethasone + cytarabine + cisplatin class platinum-salvage
  alias "rituximab dexamethasone cytarabine cisplatin"
enum Response { CR, PR, SD, PD }
record Line {
  `regimen`: regimen open
  start_date: date
  end_date: date? = none
  best_response: Response
  progression_date: date? = none
}
case {
  lines: history of Line { start = start_date, end = end_date, event = progression_date,
                           response = best_response responding {CR, PR} }
}
"#;

fn history_protocol(rules: &str) -> String {
    protocol(&format!("{HISTORY_BASE}\n{rules}"))
}

/// A case JSON with `as_of` 2026-01-01 and the given therapy lines.
fn lines_case(lines: Value) -> String {
    json!({"id": "k", "as_of": "2026-01-01", "lines": lines}).to_string()
}

/// One R-CHOP line.
fn rchop(start: &str, end: Value, response: &str, progression: Value) -> Value {
    json!({"regimen": "R-CHOP", "start_date": start, "end_date": end,
           "best_response": response, "progression_date": progression})
}

/// The flags' texts (or codes), in order.
fn flags(v: &Value) -> Vec<String> {
    messages(v, "flags")
}

fn messages(v: &Value, key: &str) -> Vec<String> {
    v[key]
        .as_array()
        .unwrap_or_else(|| panic!("no `{key}` in {v}"))
        .iter()
        .map(|m| match m {
            Value::String(s) => s.clone(),
            other => other["code"].as_str().unwrap().to_string(),
        })
        .collect()
}

fn has_flag(v: &Value, flag: &str) -> bool {
    flags(v).iter().any(|f| f == flag)
}

/// `(option, rank)` of a list of recommendations or pending entries.
fn ranked(v: &Value, key: &str) -> Vec<(String, u64)> {
    v[key]
        .as_array()
        .unwrap_or_else(|| panic!("no `{key}` in {v}"))
        .iter()
        .map(|o| {
            (
                o["option"].as_str().unwrap().to_string(),
                o["rank"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, u64)]) -> Vec<(String, u64)> {
    list.iter().map(|(o, r)| (o.to_string(), *r)).collect()
}

/// The `option`s of `avoided`, `included`, … in order.
fn options(v: &Value, key: &str) -> Vec<String> {
    v[key]
        .as_array()
        .unwrap_or_else(|| panic!("no `{key}` in {v}"))
        .iter()
        .map(|o| o["option"].as_str().unwrap().to_string())
        .collect()
}

fn entry<'a>(v: &'a Value, key: &str, option: &str) -> &'a Value {
    v[key]
        .as_array()
        .unwrap_or_else(|| panic!("no `{key}` in {v}"))
        .iter()
        .find(|o| o["option"] == option)
        .unwrap_or_else(|| panic!("no `{option}` in `{key}` of {v}"))
}

/// The paths (or names) of the decision's `missing`, in order.
fn missing(v: &Value) -> Vec<String> {
    v["missing"]
        .as_array()
        .unwrap_or_else(|| panic!("no `missing` in {v}"))
        .iter()
        .map(|m| {
            m.get("path")
                .or_else(|| m.get("name"))
                .unwrap()
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

fn status(v: &Value) -> &str {
    v["status"]
        .as_str()
        .unwrap_or_else(|| panic!("no status in {v}"))
}

/// A rule's result in the trace.
fn traced(v: &Value, rule: &str) -> String {
    v["trace"]
        .as_array()
        .unwrap_or_else(|| panic!("no trace in {v}"))
        .iter()
        .find(|t| t["rule"] == rule)
        .unwrap_or_else(|| panic!("no rule `{rule}` in the trace of {v}"))["result"]
        .as_str()
        .unwrap()
        .to_string()
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

// ---------------------------------------------------------------------------
// Kleene logic, two-valued tests, none vs unknown

const LOGIC: &str = r#"
case {
  x: bool
  y: bool
}
rule and-rule when x and y then flag "and"
rule or-rule when x or y then flag "or"
rule not-rule when not x then flag "not"
"#;

/// Evaluates the three connectives for x, y given as JSON (absent = unknown).
fn logic(x: Option<bool>, y: Option<bool>) -> Value {
    let mut case = json!({"id": "k", "as_of": "2026-01-01"});
    if let Some(x) = x {
        case["x"] = json!(x);
    }
    if let Some(y) = y {
        case["y"] = json!(y);
    }
    decide(&protocol(LOGIC), &case.to_string())
}

#[test]
fn kleene_and_truth_table() {
    let table = [
        (Some(true), Some(true), "true"),
        (Some(true), Some(false), "false"),
        (Some(false), Some(true), "false"),
        (Some(false), Some(false), "false"),
        (Some(true), None, "unknown"),
        (None, Some(true), "unknown"),
        (Some(false), None, "false"),
        (None, Some(false), "false"),
        (None, None, "unknown"),
    ];
    for (x, y, want) in table {
        let v = logic(x, y);
        assert_eq!(traced(&v, "and-rule"), want, "{x:?} and {y:?}");
    }
}

#[test]
fn kleene_or_truth_table() {
    let table = [
        (Some(true), Some(true), "true"),
        (Some(true), Some(false), "true"),
        (Some(false), Some(true), "true"),
        (Some(false), Some(false), "false"),
        (Some(true), None, "true"),
        (None, Some(true), "true"),
        (Some(false), None, "unknown"),
        (None, Some(false), "unknown"),
        (None, None, "unknown"),
    ];
    for (x, y, want) in table {
        let v = logic(x, y);
        assert_eq!(traced(&v, "or-rule"), want, "{x:?} or {y:?}");
    }
}

#[test]
fn kleene_not_truth_table() {
    assert_eq!(traced(&logic(Some(true), Some(true)), "not-rule"), "false");
    assert_eq!(traced(&logic(Some(false), Some(true)), "not-rule"), "true");
    assert_eq!(traced(&logic(None, Some(true)), "not-rule"), "unknown");
}

#[test]
fn false_and_unknown_is_false_with_nothing_missing() {
    let v = logic(Some(false), None);
    assert_eq!(traced(&v, "and-rule"), "false");
    // Only `or` and `not`… read y / x: `x or y` is unknown (support /y); the
    // `and` contributes nothing.
    let and_rules: Vec<&Value> = v["missing"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| {
            m["rules"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r == "and-rule")
        })
        .collect();
    assert!(and_rules.is_empty(), "{v}");
}

#[test]
fn true_or_unknown_is_true_with_nothing_missing() {
    let v = logic(Some(true), None);
    assert_eq!(traced(&v, "or-rule"), "true");
    assert!(has_flag(&v, "or"));
    // `x and y` is unknown and reads /y; `x or y` adds nothing.
    for m in v["missing"].as_array().unwrap() {
        assert!(
            !m["rules"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r == "or-rule"),
            "{v}"
        );
    }
}

#[test]
fn unknown_support_is_the_union_over_unknown_operands() {
    let v = logic(None, None);
    assert_eq!(
        v["missing"],
        json!([{"path": "/x", "rules": ["and-rule", "or-rule", "not-rule"]},
               {"path": "/y", "rules": ["and-rule", "or-rule"]}])
    );
}

const TWO_VALUED: &str = r#"
case {
  x: bool
}
rule is-known when x is known then flag "known"
rule is-unknown when x is unknown then flag "unknown"
rule is-true when x is true then flag "true"
rule is-false when x is false then flag "false"
rule is-not-true when x is not true then flag "not-true"
"#;

#[test]
fn two_valued_tests_are_always_known() {
    let p = protocol(TWO_VALUED);
    let unknown = decide(&p, r#"{"id": "k", "as_of": "2026-01-01"}"#);
    assert_eq!(flags(&unknown), strings(&["unknown", "not-true"]));
    assert_eq!(
        unknown["missing"],
        json!([]),
        "two-valued tests give no support"
    );
    for rule in [
        "is-known",
        "is-unknown",
        "is-true",
        "is-false",
        "is-not-true",
    ] {
        assert_ne!(traced(&unknown, rule), "unknown", "{rule}");
    }
    let t = decide(&p, r#"{"id": "k", "as_of": "2026-01-01", "x": true}"#);
    assert_eq!(flags(&t), strings(&["known", "true"]));
    let f = decide(&p, r#"{"id": "k", "as_of": "2026-01-01", "x": false}"#);
    assert_eq!(flags(&f), strings(&["known", "false", "not-true"]));
}

const NONE_VS_UNKNOWN: &str = r#"
case {
  plain: int
  opt: int?
  opt_default: int? = none
}
rule plain-none when plain is none then flag "plain-none"
rule opt-none when opt is none then flag "opt-none"
rule opt-default-none when opt_default is none then flag "opt-default-none"
rule opt-otherwise when (opt otherwise 5) = 5 then flag "opt-otherwise-5"
"#;

#[test]
fn null_on_an_optional_is_none_and_on_a_plain_field_unknown() {
    let v = decide(
        &protocol(NONE_VS_UNKNOWN),
        r#"{"id": "k", "as_of": "2026-01-01", "plain": null, "opt": null}"#,
    );
    assert_eq!(traced(&v, "plain-none"), "unknown");
    assert_eq!(traced(&v, "opt-none"), "true");
    assert_eq!(
        traced(&v, "opt-default-none"),
        "true",
        "absent on `T? = none` is none"
    );
    assert_eq!(missing(&v), strings(&["/plain"]));
}

#[test]
fn absent_optional_without_default_is_unknown() {
    let v = decide(
        &protocol(NONE_VS_UNKNOWN),
        r#"{"id": "k", "as_of": "2026-01-01", "plain": 1}"#,
    );
    assert_eq!(traced(&v, "plain-none"), "false");
    assert_eq!(traced(&v, "opt-none"), "unknown");
    assert_eq!(traced(&v, "opt-otherwise"), "unknown");
    assert_eq!(
        v["missing"],
        json!([{"path": "/opt", "rules": ["opt-none", "opt-otherwise"]}])
    );
}

#[test]
fn otherwise_gives_the_default_only_for_none() {
    let p = protocol(NONE_VS_UNKNOWN);
    let none = decide(
        &p,
        r#"{"id": "k", "as_of": "2026-01-01", "plain": 1, "opt": null}"#,
    );
    assert_eq!(traced(&none, "opt-otherwise"), "true");
    let seven = decide(
        &p,
        r#"{"id": "k", "as_of": "2026-01-01", "plain": 1, "opt": 7}"#,
    );
    assert_eq!(traced(&seven, "opt-otherwise"), "false");
    let five = decide(
        &p,
        r#"{"id": "k", "as_of": "2026-01-01", "plain": 1, "opt": 5}"#,
    );
    assert_eq!(traced(&five, "opt-otherwise"), "true");
}

#[test]
fn match_with_an_unknown_guard_is_known_when_every_possible_result_agrees() {
    let p = protocol(
        r#"
case {
  n: int
  x: bool
}
rule same when (match { n > 10 => 1, n > 5 => 1, else => 1 }) = 1 then flag "same"
rule differ when (match { n > 10 => 1, else => 2 }) = 1 then flag "differ"
rule if-same when (if x then 3 else 3) = 3 then flag "if-same"
"#,
    );
    let v = decide(&p, r#"{"id": "k", "as_of": "2026-01-01"}"#);
    assert_eq!(traced(&v, "same"), "true");
    assert_eq!(traced(&v, "differ"), "unknown");
    assert_eq!(traced(&v, "if-same"), "true");
    assert_eq!(v["missing"], json!([{"path": "/n", "rules": ["differ"]}]));
}

#[test]
fn missing_as_names_the_fact() {
    let p = protocol(
        r#"
case {
  x: bool
}
rule r when (x missing as "an echocardiogram") then flag "x"
"#,
    );
    let v = decide(&p, r#"{"id": "k", "as_of": "2026-01-01"}"#);
    assert_eq!(
        v["missing"],
        json!([{"name": "an echocardiogram", "rules": ["r"]}])
    );
}

// ---------------------------------------------------------------------------
// Numbers and units

const NUMBERS: &str = r#"
case {
  ecog: int 0..4
  hb: number g/L
  n: number
}
rule exact when 0.7 - 0.2 >= 0.5 then flag "exact"
rule sum when 0.1 + 0.2 = 0.3 then flag "sum"
rule at-threshold when ecog <= 2 then flag "ecog<=2"
rule strict when ecog < 2 then flag "ecog<2"
rule dl when hb >= 9 g/dL then flag "hb>=9g/dL"
rule case-number when n = 0.3 then flag "n=0.3"
"#;

#[test]
fn decimal_arithmetic_is_exact() {
    let v = decide(
        &protocol(NUMBERS),
        r#"{"id": "k", "as_of": "2026-01-01", "ecog": 0, "hb": 100, "n": 0.30}"#,
    );
    assert_eq!(traced(&v, "exact"), "true");
    assert_eq!(traced(&v, "sum"), "true");
    assert_eq!(
        traced(&v, "case-number"),
        "true",
        "0.30 from JSON equals 0.3"
    );
}

#[test]
fn a_value_exactly_at_a_threshold() {
    let p = protocol(NUMBERS);
    let v = decide(
        &p,
        r#"{"id": "k", "as_of": "2026-01-01", "ecog": 2, "hb": 100, "n": 1}"#,
    );
    assert_eq!(traced(&v, "at-threshold"), "true");
    assert_eq!(traced(&v, "strict"), "false");
    let three = decide(
        &p,
        r#"{"id": "k", "as_of": "2026-01-01", "ecog": 3, "hb": 100, "n": 1}"#,
    );
    assert_eq!(traced(&three, "at-threshold"), "false");
}

#[test]
fn unit_conversion_in_a_comparison() {
    let p = protocol(NUMBERS);
    // 9 g/dL given in the case is 90 g/L: exactly at the 9 g/dL threshold.
    let at = decide(
        &p,
        r#"{"id": "k", "as_of": "2026-01-01", "ecog": 0, "hb": {"value": 9, "unit": "g/dL"}, "n": 1}"#,
    );
    assert_eq!(traced(&at, "dl"), "true");
    // 89.9 g/L (bare: the declared unit) is below 9 g/dL.
    let below = decide(
        &p,
        r#"{"id": "k", "as_of": "2026-01-01", "ecog": 0, "hb": 89.9, "n": 1}"#,
    );
    assert_eq!(traced(&below, "dl"), "false");
    // 8.99 g/dL is below too.
    let below_dl = decide(
        &p,
        r#"{"id": "k", "as_of": "2026-01-01", "ecog": 0, "hb": {"value": 8.99, "unit": "g/dL"}, "n": 1}"#,
    );
    assert_eq!(traced(&below_dl, "dl"), "false");
}

#[test]
fn a_value_out_of_its_declared_range_is_an_error_record() {
    let v = decide(
        &protocol(NUMBERS),
        r#"{"id": "k", "as_of": "2026-01-01", "ecog": 5, "hb": 100, "n": 1}"#,
    );
    assert_eq!(v["case"], "k");
    assert_eq!(v["error"]["path"], "/ecog");
}

#[test]
fn more_than_28_significant_digits_is_a_case_error() {
    let p = protocol("case {\n  n: number\n}\nrule r when n > 1 then flag \"big\"");
    let ok = decide(
        &p,
        r#"{"id": "k", "as_of": "2026-01-01", "n": 1.000000000000000000000000001}"#,
    );
    assert_eq!(
        traced(&ok, "r"),
        "true",
        "28 significant digits are kept exactly"
    );
    let v = decide(
        &p,
        r#"{"id": "k", "as_of": "2026-01-01", "n": 1.0000000000000000000000000001}"#,
    );
    assert_eq!(v["error"]["path"], "/n");
}

#[test]
fn division_by_zero_is_indeterminate_not_missing() {
    let p = protocol(
        "case {\n  n: number\n  m: number\n}\nrule ratio when n / m > 1 then flag \"ratio\"",
    );
    let v = decide(&p, r#"{"id": "k", "as_of": "2026-01-01", "n": 1, "m": 0}"#);
    assert_eq!(traced(&v, "ratio"), "unknown");
    assert_eq!(v["missing"], json!([]));
    assert_eq!(v["indeterminate"][0]["rule"], "ratio");
}

#[test]
fn division_by_zero_warns() {
    let p = protocol(
        "case {\n  n: number\n  m: number\n}\nrule ratio when n / m > 1 then flag \"ratio\"",
    );
    let v = decide(&p, r#"{"id": "k", "as_of": "2026-01-01", "n": 1, "m": 0}"#);
    let warnings = v["warnings"].as_array().unwrap();
    assert!(
        warnings
            .iter()
            .any(|w| w.as_str().unwrap().contains("division by zero")),
        "{v}"
    );
}

// ---------------------------------------------------------------------------
// Dates

const DATES: &str = r#"
case {
  d: date
  e: date
}
rule leap when d + 12 months = 2025-02-28 then flag "leap"
rule diff when e - d = 366 days then flag "diff"
rule years when years from d to e = 1 years then flag "years"
"#;

#[test]
fn twelve_months_after_29_february_is_28_february() {
    let v = decide(
        &protocol(DATES),
        r#"{"id": "k", "as_of": "2026-01-01", "d": "2024-02-29", "e": "2025-03-01"}"#,
    );
    assert_eq!(traced(&v, "leap"), "true");
}

#[test]
fn date_minus_date_is_days() {
    let p = protocol(DATES);
    let v = decide(
        &p,
        r#"{"id": "k", "as_of": "2026-01-01", "d": "2024-02-29", "e": "2025-03-01"}"#,
    );
    assert_eq!(traced(&v, "diff"), "true");
    let w = decide(
        &p,
        r#"{"id": "k", "as_of": "2026-01-01", "d": "2024-02-29", "e": "2025-02-28"}"#,
    );
    assert_eq!(traced(&w, "diff"), "false");
}

#[test]
fn years_from_counts_whole_calendar_years() {
    let p = protocol(
        r#"
case {
  born: date
}
rule adult when years from born to as_of >= 18 years then flag "adult"
"#,
    );
    let birthday = decide(
        &p,
        r#"{"id": "k", "as_of": "2026-01-01", "born": "2008-01-01"}"#,
    );
    assert_eq!(traced(&birthday, "adult"), "true");
    let day_before = decide(
        &p,
        r#"{"id": "k", "as_of": "2026-01-01", "born": "2008-01-02"}"#,
    );
    assert_eq!(traced(&day_before, "adult"), "false");
}

#[test]
fn a_partial_date_is_an_interval_and_an_undecided_comparison_is_indeterminate() {
    let p = protocol(
        r#"
case {
  d: date
}
rule whole-month when d <= 2025-06-30 then flag "by end of June"
rule mid-month when d < 2025-06-15 then flag "before mid June"
"#,
    );
    let v = decide(&p, r#"{"id": "k", "as_of": "2026-01-01", "d": "2025-06"}"#);
    assert_eq!(traced(&v, "whole-month"), "true");
    assert_eq!(traced(&v, "mid-month"), "unknown");
    assert_eq!(v["missing"], json!([]), "no fact settles a partial date");
    assert_eq!(v["indeterminate"][0]["rule"], "mid-month");
}

// ---------------------------------------------------------------------------
// History predicates

#[test]
fn relapse_within_12_months_is_inclusive_of_end_plus_12_months() {
    let p =
        history_protocol("rule r when relapse after R-CHOP within 12 months then flag \"early\"");
    let at = decide(
        &p,
        &lines_case(json!([rchop(
            "2024-01-01",
            json!("2024-06-01"),
            "CR",
            json!("2025-06-01")
        )])),
    );
    assert_eq!(traced(&at, "r"), "true");
    let after = decide(
        &p,
        &lines_case(json!([rchop(
            "2024-01-01",
            json!("2024-06-01"),
            "CR",
            json!("2025-06-02")
        )])),
    );
    assert_eq!(traced(&after, "r"), "false");
}

#[test]
fn relapse_window_from_29_february_is_calendar_based() {
    let p =
        history_protocol("rule r when relapse after R-CHOP within 12 months then flag \"early\"");
    let at = decide(
        &p,
        &lines_case(json!([rchop(
            "2023-09-01",
            json!("2024-02-29"),
            "CR",
            json!("2025-02-28")
        )])),
    );
    assert_eq!(traced(&at, "r"), "true");
    let after = decide(
        &p,
        &lines_case(json!([rchop(
            "2023-09-01",
            json!("2024-02-29"),
            "CR",
            json!("2025-03-01")
        )])),
    );
    assert_eq!(traced(&after, "r"), "false");
}

#[test]
fn relapse_after_requires_a_response_and_an_event_strictly_after_the_end() {
    let p = history_protocol("rule r when relapse after R-CHOP then flag \"relapse\"");
    let relapse = |response: &str, end: Value, event: Value| {
        let v = decide(
            &p,
            &lines_case(json!([rchop("2024-01-01", end, response, event)])),
        );
        traced(&v, "r")
    };
    assert_eq!(
        relapse("CR", json!("2024-06-01"), json!("2024-06-02")),
        "true"
    );
    assert_eq!(
        relapse("PR", json!("2024-06-01"), json!("2024-06-02")),
        "true"
    );
    assert_eq!(
        relapse("CR", json!("2024-06-01"), json!("2024-06-01")),
        "false",
        "event == end"
    );
    assert_eq!(
        relapse("SD", json!("2024-06-01"), json!("2025-01-01")),
        "false",
        "no response"
    );
    assert_eq!(
        relapse("PD", json!("2024-06-01"), json!("2025-01-01")),
        "false",
        "no response"
    );
    assert_eq!(
        relapse("CR", json!(null), json!("2025-01-01")),
        "false",
        "ongoing: end is none"
    );
    assert_eq!(
        relapse("CR", json!("2024-06-01"), json!(null)),
        "false",
        "no event"
    );
}

#[test]
fn progression_on_is_an_event_within_start_and_end() {
    let p = history_protocol("rule r when progression on R-CHOP then flag \"progression on\"");
    let on = |start: &str, end: Value, event: Value| {
        let v = decide(&p, &lines_case(json!([rchop(start, end, "PR", event)])));
        traced(&v, "r")
    };
    assert_eq!(
        on("2024-01-01", json!("2024-06-01"), json!("2024-01-01")),
        "true",
        "event = start"
    );
    assert_eq!(
        on("2024-01-01", json!("2024-06-01"), json!("2024-06-01")),
        "true",
        "event = end"
    );
    assert_eq!(
        on("2024-01-01", json!("2024-06-01"), json!("2024-06-02")),
        "false",
        "a day after the end"
    );
    assert_eq!(
        on("2024-01-01", json!("2024-06-01"), json!("2023-12-31")),
        "false",
        "before the start"
    );
    assert_eq!(
        on("2025-06-01", json!(null), json!("2025-12-01")),
        "true",
        "ongoing line"
    );
    assert_eq!(
        on("2025-06-01", json!(null), json!(null)),
        "false",
        "no event"
    );
}

#[test]
fn refractory_to_is_no_response_or_progression_on() {
    let p = history_protocol("rule r when refractory to R-CHOP then flag \"refractory\"");
    let refractory = |response: &str, event: Value| {
        let v = decide(
            &p,
            &lines_case(json!([rchop(
                "2024-01-01",
                json!("2024-06-01"),
                response,
                event
            )])),
        );
        traced(&v, "r")
    };
    assert_eq!(refractory("SD", json!(null)), "true");
    assert_eq!(refractory("PD", json!(null)), "true");
    assert_eq!(
        refractory("PR", json!("2024-05-01")),
        "true",
        "progression on the line"
    );
    assert_eq!(refractory("CR", json!(null)), "false");
    assert_eq!(
        refractory("CR", json!("2024-09-01")),
        "false",
        "a relapse is not refractory"
    );
}

#[test]
fn within_on_refractory_widens_the_window_to_end_plus_d() {
    let p = history_protocol(
        "rule r when refractory to R-CHOP within 60 days then flag \"refractory\"\n\
         rule plain when refractory to R-CHOP then flag \"refractory, no window\"",
    );
    // 2024-06-01 + 60 days = 2024-07-31.
    let at = decide(
        &p,
        &lines_case(json!([rchop(
            "2024-01-01",
            json!("2024-06-01"),
            "PR",
            json!("2024-07-31")
        )])),
    );
    assert_eq!(traced(&at, "r"), "true");
    assert_eq!(traced(&at, "plain"), "false");
    let after = decide(
        &p,
        &lines_case(json!([rchop(
            "2024-01-01",
            json!("2024-06-01"),
            "PR",
            json!("2024-08-01")
        )])),
    );
    assert_eq!(traced(&after, "r"), "false");
}

#[test]
fn received_within_uses_the_end_or_as_of_when_ongoing() {
    let p = history_protocol("rule r when received R-CHOP within 30 days then flag \"recent\"");
    // as_of 2026-01-01 − 30 days = 2025-12-02.
    let at = decide(
        &p,
        &lines_case(json!([rchop(
            "2025-06-01",
            json!("2025-12-02"),
            "CR",
            json!(null)
        )])),
    );
    assert_eq!(traced(&at, "r"), "true");
    let before = decide(
        &p,
        &lines_case(json!([rchop(
            "2025-06-01",
            json!("2025-12-01"),
            "CR",
            json!(null)
        )])),
    );
    assert_eq!(traced(&before, "r"), "false");
    let ongoing = decide(
        &p,
        &lines_case(json!([rchop("2025-01-01", json!(null), "CR", json!(null))])),
    );
    assert_eq!(traced(&ongoing, "r"), "true");
}

#[test]
fn a_null_event_on_an_optional_is_none_and_an_absent_plain_event_is_unknown() {
    // Optional with `= none`: null and absent are both none: no relapse.
    let p = history_protocol("rule r when relapse after R-CHOP then flag \"relapse\"");
    let null = decide(
        &p,
        &lines_case(json!([rchop(
            "2024-01-01",
            json!("2024-06-01"),
            "CR",
            json!(null)
        )])),
    );
    assert_eq!(traced(&null, "r"), "false");
    assert_eq!(null["missing"], json!([]));
    let absent = decide(
        &p,
        &lines_case(
            json!([{"regimen": "R-CHOP", "start_date": "2024-01-01", "end_date": "2024-06-01", "best_response": "CR"}]),
        ),
    );
    assert_eq!(traced(&absent, "r"), "false");
    // A plain `date` event: absent is unknown, and the line's event is missing.
    let plain = HISTORY_BASE.replace("progression_date: date? = none", "progression_date: date");
    let p = protocol(&format!(
        "{plain}\nrule r when relapse after R-CHOP then flag \"relapse\""
    ));
    let absent = decide(
        &p,
        &lines_case(
            json!([{"regimen": "R-CHOP", "start_date": "2024-01-01", "end_date": "2024-06-01", "best_response": "CR"}]),
        ),
    );
    assert_eq!(traced(&absent, "r"), "unknown");
    assert_eq!(
        absent["missing"],
        json!([{"path": "/lines/0/progression_date", "rules": ["r"]}])
    );
}

#[test]
fn a_line_starting_after_as_of_does_not_exist() {
    let p = history_protocol(
        "rule recv when received R-CHOP then flag \"received\"\n\
         rule l1 when line = 1 then flag \"line 1\"",
    );
    let v = decide(
        &p,
        &lines_case(json!([rchop("2026-01-02", json!(null), "CR", json!(null))])),
    );
    assert_eq!(traced(&v, "recv"), "false");
    assert_eq!(traced(&v, "l1"), "true");
    let on = decide(
        &p,
        &lines_case(json!([rchop("2026-01-01", json!(null), "CR", json!(null))])),
    );
    assert_eq!(traced(&on, "recv"), "true", "a start on as_of exists");
}

#[test]
fn an_event_or_end_after_as_of_reads_as_none() {
    let p = history_protocol(
        "rule rel when relapse after R-CHOP then flag \"relapse\"\n\
         rule prog when progression on R-CHOP then flag \"progression on\"",
    );
    let event = decide(
        &p,
        &lines_case(json!([rchop(
            "2024-01-01",
            json!("2024-06-01"),
            "CR",
            json!("2026-01-02")
        )])),
    );
    assert_eq!(traced(&event, "rel"), "false");
    // The end after as_of reads as none: the line is ongoing, so a
    // progression after the recorded (future) end date… is on the line.
    let end = decide(
        &p,
        &lines_case(json!([rchop(
            "2025-06-01",
            json!("2026-03-01"),
            "PR",
            json!("2025-12-01")
        )])),
    );
    assert_eq!(traced(&end, "prog"), "true");
    assert_eq!(traced(&end, "rel"), "false");
}

#[test]
fn a_regimen_given_twice_is_existential_over_its_lines() {
    let p = history_protocol(
        "rule early when relapse after R-CHOP within 12 months then flag \"early\"\n\
         rule l3 when line = 3 then flag \"line 3\"",
    );
    let v = decide(
        &p,
        &lines_case(json!([
            rchop("2022-01-01", json!("2022-06-01"), "CR", json!("2024-01-01")),
            rchop("2024-02-01", json!("2024-07-01"), "CR", json!("2025-03-01")),
        ])),
    );
    assert_eq!(
        traced(&v, "early"),
        "true",
        "the second line relapsed within 12 months"
    );
    assert_eq!(traced(&v, "l3"), "true");
}

const AGENT_LINES: &str = r#"
agent rituximab class anti-CD20
agent cyclophosphamide class alkylator
agent doxorubicin class anthracycline
agent vincristine
agent prednisone
agent cisplatin class platinum tag nephrotoxic
agent cytarabine
agent dexamethasone
regimen R-CHOP = rituximab + cyclophosphamide + doxorubicin + vincristine + prednisone
regimen R-DHAP = rituximab + dexamethasone + cytarabine + cisplatin
enum Response { CR, PR, SD, PD }
record Line {
  `regimen`: regimen open? = none
  agents: (list of agent open)? = none
  start_date: date
  end_date: date? = none
  best_response: Response
}
case {
  lines: history of Line { start = start_date, end = end_date,
                           response = best_response responding {CR, PR} }
}
rule rchop when received R-CHOP then flag "R-CHOP"
rule rdhap when received R-DHAP then flag "R-DHAP"
rule platinum when received platinum then flag "platinum"
rule cisplatin when received cisplatin then flag "cisplatin"
rule nephrotoxic when received nephrotoxic then flag "nephrotoxic"
rule anthracycline when received anthracycline then flag "anthracycline"
"#;

fn agent_line(regimen: Option<&str>, agents: &[&str]) -> String {
    let mut line = json!({"agents": agents, "start_date": "2025-01-01", "end_date": "2025-06-01", "best_response": "CR"});
    if let Some(r) = regimen {
        line["regimen"] = json!(r);
    }
    lines_case(json!([line]))
}

#[test]
fn an_agent_only_line_matches_the_regimen_with_exactly_its_agents() {
    let p = protocol(AGENT_LINES);
    let v = decide(
        &p,
        &agent_line(
            None,
            &["cisplatin", "rituximab", "DEXAMETHASONE", "cytarabine"],
        ),
    );
    assert_eq!(
        flags(&v),
        strings(&["R-DHAP", "platinum", "cisplatin", "nephrotoxic"])
    );
    let rchop = decide(
        &p,
        &agent_line(
            None,
            &[
                "rituximab",
                "cyclophosphamide",
                "doxorubicin",
                "vincristine",
                "prednisone",
            ],
        ),
    );
    assert_eq!(flags(&rchop), strings(&["R-CHOP", "anthracycline"]));
    // A subset of R-CHOP's agents is not R-CHOP, but still matches its agents' classes.
    let subset = decide(
        &p,
        &agent_line(
            None,
            &[
                "rituximab",
                "cyclophosphamide",
                "doxorubicin",
                "vincristine",
            ],
        ),
    );
    assert_eq!(flags(&subset), strings(&["anthracycline"]));
}

#[test]
fn listed_agents_decide_agent_matches_and_the_regimen_text_regimen_matches() {
    let p = protocol(AGENT_LINES);
    // R-DHAP given without its cisplatin: the regimen matches R-DHAP, agent
    // and class matches use the listed agents only.
    let v = decide(
        &p,
        &agent_line(
            Some("R-DHAP"),
            &["rituximab", "dexamethasone", "cytarabine"],
        ),
    );
    assert_eq!(flags(&v), strings(&["R-DHAP"]));
    // Without listed agents, the regimen's agents count.
    let v = decide(
        &p,
        &lines_case(
            json!([{"regimen": "R-DHAP", "start_date": "2025-01-01", "best_response": "CR"}]),
        ),
    );
    assert_eq!(
        flags(&v),
        strings(&["R-DHAP", "platinum", "cisplatin", "nephrotoxic"])
    );
}

#[test]
fn free_text_matches_aliases_case_insensitively_with_dash_underscore_space_equal() {
    let p = history_protocol(
        "rule rchop when received R-CHOP then flag \"R-CHOP\"\n\
         rule rdhap when received R-DHAP then flag \"R-DHAP\"\n\
         rule class when received platinum-salvage then flag \"platinum-salvage\"",
    );
    for text in ["R-CHOP", "r chop", "R_CHOP", "rchop", "r-Chop", "RCHOP"] {
        let v = decide(
            &p,
            &lines_case(
                json!([{"regimen": text, "start_date": "2025-01-01", "best_response": "CR"}]),
            ),
        );
        assert_eq!(flags(&v), strings(&["R-CHOP"]), "{text}");
        assert_eq!(v["warnings"], json!([]), "{text}");
    }
    for text in ["Rituximab-Dexamethasone Cytarabine_CISPLATIN", "r_dhap"] {
        let v = decide(
            &p,
            &lines_case(
                json!([{"regimen": text, "start_date": "2025-01-01", "best_response": "CR"}]),
            ),
        );
        assert_eq!(
            flags(&v),
            strings(&["R-DHAP", "platinum-salvage"]),
            "{text}"
        );
    }
}

#[test]
fn an_unrecognised_regimen_makes_every_match_it_could_decide_unknown() {
    let p = history_protocol(
        "rule rchop when received R-CHOP then flag \"R-CHOP\"\n\
         rule class when received platinum-salvage then flag \"platinum-salvage\"\n\
         rule rel when relapse after R-CHOP then flag \"relapse\"\n\
         rule l2 when line = 2 then flag \"line 2\"",
    );
    let v = decide(
        &p,
        &lines_case(
            json!([{"regimen": "R-mystery", "start_date": "2025-01-01", "end_date": "2025-06-01", "best_response": "CR"}]),
        ),
    );
    assert_eq!(traced(&v, "rchop"), "unknown");
    assert_eq!(traced(&v, "class"), "unknown");
    assert_eq!(
        traced(&v, "rel"),
        "false",
        "no progression: false whatever the regimen is"
    );
    assert_eq!(traced(&v, "l2"), "true");
    assert_eq!(
        v["missing"],
        json!([{"path": "/lines/0/regimen", "why": "unrecognised", "rules": ["rchop", "class"]}])
    );
    assert_eq!(v["warnings"].as_array().unwrap().len(), 1, "{v}");
    assert!(v["warnings"][0]
        .as_str()
        .unwrap()
        .contains("/lines/0/regimen"));
}

#[test]
fn an_unrecognised_agent_cannot_decide_a_regimen_with_more_agents() {
    let p = protocol(AGENT_LINES);
    // Two listed agents can never be R-CHOP's five or R-DHAP's four, whatever
    // "zzz" turns out to be; only the class/agent matches are undecided.
    let v = decide(&p, &agent_line(None, &["rituximab", "zzz"]));
    assert_eq!(traced(&v, "rchop"), "false");
    assert_eq!(traced(&v, "rdhap"), "false");
    assert_eq!(traced(&v, "platinum"), "unknown");
}

#[test]
fn last_line_is_the_latest_start_and_a_tie_goes_to_the_later_entry() {
    let p = history_protocol(
        "rule last-rchop when last line is R-CHOP then flag \"last R-CHOP\"\n\
         rule last-rdhap when last line is R-DHAP then flag \"last R-DHAP\"\n\
         rule rel when relapse after last line then flag \"relapse after last\"",
    );
    let line = |regimen: &str, start: &str| json!({"regimen": regimen, "start_date": start, "best_response": "CR"});
    let tie = decide(
        &p,
        &lines_case(json!([
            line("R-DHAP", "2025-01-01"),
            line("R-CHOP", "2025-01-01")
        ])),
    );
    assert_eq!(flags(&tie), strings(&["last R-CHOP"]));
    let tie = decide(
        &p,
        &lines_case(json!([
            line("R-CHOP", "2025-01-01"),
            line("R-DHAP", "2025-01-01")
        ])),
    );
    assert_eq!(flags(&tie), strings(&["last R-DHAP"]));
    // Out of array order: the latest start wins; a line after as_of does not count.
    let v = decide(
        &p,
        &lines_case(json!([
            {"regimen": "R-DHAP", "start_date": "2025-06-01", "end_date": "2025-07-01", "best_response": "CR", "progression_date": "2025-09-01"},
            rchop("2024-01-01", json!("2024-06-01"), "CR", json!("2025-01-01")),
            line("R-CHOP", "2026-02-01"),
        ])),
    );
    assert_eq!(flags(&v), strings(&["last R-DHAP", "relapse after last"]));
}

#[test]
fn line_counts_existing_lines_plus_one() {
    let p = history_protocol(
        "rule l1 when line = 1 then flag \"1\"\n\
         rule l2 when line = 2 then flag \"2\"\n\
         rule l3 when line >= 3 then flag \"3+\"",
    );
    assert_eq!(flags(&decide(&p, &lines_case(json!([])))), strings(&["1"]));
    let one = json!([rchop("2024-01-01", json!("2024-06-01"), "CR", json!(null))]);
    assert_eq!(flags(&decide(&p, &lines_case(one))), strings(&["2"]));
    let two = json!([
        rchop("2024-01-01", json!("2024-06-01"), "CR", json!(null)),
        rchop("2025-01-01", json!("2025-06-01"), "CR", json!(null)),
    ]);
    assert_eq!(flags(&decide(&p, &lines_case(two))), strings(&["3+"]));
}

// ---------------------------------------------------------------------------
// Series

const SERIES: &str = r#"
unit copies/mL
case {
  crcl: series mL/min
  vl: series copies/mL
}
rule renal when latest crcl within 30 days < 60 mL/min then flag "renal"
rule previous-none when previous vl is none then flag "no previous"
rule rising when previous vl is not none and latest vl > previous vl then flag "rising"
"#;

#[test]
fn latest_within_30_days_includes_a_value_exactly_30_days_old() {
    let v = decide(
        &protocol(SERIES),
        r#"{"id": "k", "as_of": "2026-01-01", "crcl": [{"date": "2025-12-02", "value": 50}], "vl": []}"#,
    );
    assert_eq!(traced(&v, "renal"), "true");
}

#[test]
fn latest_within_30_days_excludes_a_value_31_days_old() {
    let v = decide(
        &protocol(SERIES),
        r#"{"id": "k", "as_of": "2026-01-01", "crcl": [{"date": "2025-12-01", "value": 50}], "vl": []}"#,
    );
    assert_eq!(traced(&v, "renal"), "unknown");
    assert_eq!(
        v["missing"],
        json!([{"path": "/crcl", "need": "a value dated on or after 2025-12-02", "rules": ["renal"]}])
    );
}

#[test]
fn series_values_after_as_of_are_ignored_and_units_convert() {
    let v = decide(
        &protocol(SERIES),
        r#"{"id": "k", "as_of": "2026-01-01", "crcl": [
              {"date": "2025-12-20", "value": 3.5, "unit": "L/h"},
              {"date": "2026-01-02", "value": 90, "unit": "mL/min"}], "vl": []}"#,
    );
    // 3.5 L/h is 58.33… mL/min, below 60; the later 90 is after as_of.
    assert_eq!(traced(&v, "renal"), "true");
}

#[test]
fn previous_on_a_single_value_is_none() {
    let p = protocol(SERIES);
    let one = decide(
        &p,
        r#"{"id": "k", "as_of": "2026-01-01", "crcl": [], "vl": [{"date": "2025-01-01", "value": 30}]}"#,
    );
    assert_eq!(traced(&one, "previous-none"), "true");
    assert_eq!(traced(&one, "rising"), "false");
    let two = decide(
        &p,
        r#"{"id": "k", "as_of": "2026-01-01", "crcl": [],
            "vl": [{"date": "2025-02-01", "value": 90}, {"date": "2025-01-01", "value": 30}]}"#,
    );
    assert_eq!(traced(&two, "previous-none"), "false");
    assert_eq!(
        traced(&two, "rising"),
        "true",
        "ordered by date, not array position"
    );
}

#[test]
#[ignore = "not yet supported: censored series values are read as indeterminate, not as intervals (docs/language.md, Evaluation)"]
fn a_censored_value_is_an_interval() {
    let p = protocol(
        r#"
unit copies/mL
case {
  vl: series copies/mL
}
rule suppressed when latest vl < 200 copies/mL then flag "below 200"
rule below-ten when latest vl < 10 copies/mL then flag "below 10"
"#,
    );
    let v = decide(
        &p,
        r#"{"id": "k", "as_of": "2026-01-01", "vl": [{"date": "2025-12-01", "value": 20, "comparator": "<"}]}"#,
    );
    assert_eq!(traced(&v, "suppressed"), "true");
    assert_eq!(traced(&v, "below-ten"), "unknown");
    assert_eq!(v["missing"], json!([]));
}

// ---------------------------------------------------------------------------
// Decision rules: order and stop

#[test]
fn a_fired_stop_rule_ends_evaluation() {
    let p = decision_protocol(
        r#"
rule early when true then recommend R-E order "kept"
rule scope stop when a then status out-of-scope
rule later when b then recommend R-ICE order "never"
"#,
    );
    // b is unknown, but `later` is not reached and asks for nothing.
    let v = decide(&p, r#"{"id": "k", "as_of": "2026-01-01", "a": true}"#);
    assert_eq!(status(&v), "out-of-scope");
    assert_eq!(traced(&v, "later"), "not-reached");
    assert_eq!(messages(&v, "orders"), strings(&["kept"]));
    assert_eq!(v["missing"], json!([]));
    assert_eq!(v["pending"], json!([]));
}

#[test]
fn an_unknown_stop_rule_ends_evaluation_with_its_options_pending() {
    let p = decision_protocol(
        r#"
rule early when true then recommend R-E order "kept"
rule unfit stop when a then recommend BSC order "not yet"
rule later when true then recommend R-ICE
"#,
    );
    let v = decide(&p, r#"{"id": "k", "as_of": "2026-01-01"}"#);
    assert_eq!(
        status(&v),
        "needs-data",
        "an unknown stop rule wins over `recommended`"
    );
    assert_eq!(ranked(&v, "recommendations"), pairs(&[("R-E", 1)]));
    assert_eq!(ranked(&v, "pending"), pairs(&[("BSC", 2)]));
    assert_eq!(
        entry(&v, "pending", "BSC")["missing"],
        json!([{"path": "/a"}])
    );
    assert_eq!(traced(&v, "unfit"), "unknown");
    assert_eq!(traced(&v, "later"), "not-reached");
    assert_eq!(messages(&v, "orders"), strings(&["kept"]));
    assert_eq!(v["missing"], json!([{"path": "/a", "rules": ["unfit"]}]));
}

#[test]
fn a_fired_stop_rule_without_a_status_keeps_its_recommendation() {
    let p = decision_protocol(
        "rule unfit stop when a then recommend BSC\nrule later when true then recommend R-ICE",
    );
    let v = decide(&p, r#"{"id": "k", "as_of": "2026-01-01", "a": true}"#);
    assert_eq!(status(&v), "recommended");
    assert_eq!(ranked(&v, "recommendations"), pairs(&[("BSC", 1)]));
}

// ---------------------------------------------------------------------------
// Avoid

#[test]
fn a_regimen_is_avoided_even_if_not_recommended() {
    let p = decision_protocol(
        r#"
rule rec when true then recommend R-ICE
rule no-bsc when true then avoid BSC code other because "not here"
"#,
    );
    let v = decide(&p, r#"{"id": "k", "as_of": "2026-01-01"}"#);
    assert_eq!(
        v["avoided"],
        json!([{"option": "BSC", "code": "other", "reason": "not here", "rules": ["no-bsc"]}])
    );
    assert_eq!(
        v["contraindicated"],
        json!([]),
        "a regimen is an option, not contraindicated"
    );
}

#[test]
fn an_agent_is_avoided_only_when_it_is_a_candidate() {
    let p = decision_protocol(
        r#"
rule single when a then consider cisplatin
rule renal when true then avoid cisplatin code renal_function because "kidneys"
"#,
    );
    let candidate = decide(&p, r#"{"id": "k", "as_of": "2026-01-01", "a": true}"#);
    assert_eq!(options(&candidate, "avoided"), strings(&["cisplatin"]));
    assert_eq!(status(&candidate), "all-avoided");
    let not_candidate = decide(&p, r#"{"id": "k", "as_of": "2026-01-01", "a": false}"#);
    assert_eq!(not_candidate["avoided"], json!([]));
    assert_eq!(
        not_candidate["contraindicated"],
        json!([{"what": "cisplatin", "kind": "agent", "code": "renal_function", "reason": "kidneys", "rules": ["renal"]}])
    );
    assert_eq!(status(&not_candidate), "no-recommendation");
}

#[test]
fn a_candidate_containing_an_avoided_agent_is_avoided_because_of_it() {
    let p = decision_protocol(
        r#"
rule rec when true then recommend R-DHAP, R-ICE
rule renal when true then avoid cisplatin code renal_function because "kidneys"
"#,
    );
    let v = decide(&p, r#"{"id": "k", "as_of": "2026-01-01"}"#);
    assert_eq!(ranked(&v, "recommendations"), pairs(&[("R-ICE", 1)]));
    assert_eq!(
        v["avoided"],
        json!([{"option": "R-DHAP", "code": "renal_function", "reason": "kidneys", "rules": ["renal"], "because": "cisplatin"}])
    );
    assert_eq!(
        v["contraindicated"],
        json!([{"what": "cisplatin", "kind": "agent", "code": "renal_function", "reason": "kidneys", "rules": ["renal"]}])
    );
}

#[test]
fn a_candidate_with_an_avoided_class_is_avoided_and_the_class_contraindicated() {
    let p = decision_protocol(
        r#"
rule rec when true then recommend R-DHAP, R-ICE, R-IE
rule failed when true then avoid platinum code prior_failure because "platinum-refractory"
"#,
    );
    let v = decide(&p, r#"{"id": "k", "as_of": "2026-01-01"}"#);
    assert_eq!(ranked(&v, "recommendations"), pairs(&[("R-IE", 1)]));
    assert_eq!(options(&v, "avoided"), strings(&["R-DHAP", "R-ICE"]));
    assert_eq!(entry(&v, "avoided", "R-ICE")["because"], "platinum");
    assert_eq!(
        v["contraindicated"],
        json!([{"what": "platinum", "kind": "class", "code": "prior_failure", "reason": "platinum-refractory", "rules": ["failed"]}])
    );
}

#[test]
fn an_avoided_tag_is_contraindicated_as_a_tag() {
    let p = decision_protocol(
        r#"
rule rec when true then recommend R-DHAP, R-ICE
rule kidney when true then avoid nephrotoxic code renal_function because "kidneys"
"#,
    );
    let v = decide(&p, r#"{"id": "k", "as_of": "2026-01-01"}"#);
    assert_eq!(options(&v, "avoided"), strings(&["R-DHAP"]));
    assert_eq!(
        v["contraindicated"],
        json!([{"what": "nephrotoxic", "kind": "tag", "code": "renal_function", "reason": "kidneys", "rules": ["kidney"]}])
    );
}

#[test]
fn the_code_of_highest_precedence_wins_among_known_avoids() {
    // `reasons { renal_function, prior_failure, other }`: renal_function first,
    // although the prior_failure avoid comes first in the file.
    let p = decision_protocol(
        r#"
rule rec when true then recommend R-DHAP, R-E
rule failed when true then avoid platinum code prior_failure because "platinum-refractory"
rule renal when true then avoid cisplatin code renal_function because "kidneys"
"#,
    );
    let v = decide(&p, r#"{"id": "k", "as_of": "2026-01-01"}"#);
    assert_eq!(
        v["avoided"],
        json!([{"option": "R-DHAP", "code": "renal_function", "reason": "kidneys", "rules": ["failed", "renal"], "because": "cisplatin"}])
    );
}

#[test]
fn an_avoid_written_before_the_recommendation_still_applies() {
    let p = decision_protocol(
        r#"
rule renal when true then avoid cisplatin code renal_function because "kidneys"
rule rec when true then recommend R-DHAP, R-ICE
"#,
    );
    let v = decide(&p, r#"{"id": "k", "as_of": "2026-01-01"}"#);
    assert_eq!(ranked(&v, "recommendations"), pairs(&[("R-ICE", 1)]));
    assert_eq!(options(&v, "avoided"), strings(&["R-DHAP"]));
}

#[test]
fn an_unknown_avoid_moves_the_candidate_to_pending_with_its_facts() {
    let p = decision_protocol(
        r#"
rule rec when true then recommend R-DHAP, R-ICE
rule renal when a then avoid cisplatin code renal_function because "kidneys"
"#,
    );
    let v = decide(&p, r#"{"id": "k", "as_of": "2026-01-01"}"#);
    assert_eq!(status(&v), "recommended");
    assert_eq!(ranked(&v, "recommendations"), pairs(&[("R-ICE", 1)]));
    assert_eq!(
        v["pending"],
        json!([{"option": "R-DHAP", "rank": 1, "kind": "recommend", "rules": ["rec", "renal"], "missing": [{"path": "/a"}]}])
    );
    assert_eq!(v["avoided"], json!([]));
    assert_eq!(v["missing"], json!([{"path": "/a", "rules": ["renal"]}]));
}

#[test]
fn a_known_avoid_beats_an_unknown_one_whose_facts_are_not_missing() {
    let p = decision_protocol(
        r#"
rule rec when true then recommend R-DHAP, R-ICE
rule renal when true then avoid cisplatin code renal_function because "kidneys"
rule kidney when a then avoid nephrotoxic code other because "maybe"
"#,
    );
    let v = decide(&p, r#"{"id": "k", "as_of": "2026-01-01"}"#);
    assert_eq!(options(&v, "avoided"), strings(&["R-DHAP"]));
    assert_eq!(entry(&v, "avoided", "R-DHAP")["code"], "renal_function");
    assert_eq!(v["pending"], json!([]));
    assert_eq!(v["missing"], json!([]));
    assert_eq!(traced(&v, "kidney"), "unknown");
}

#[test]
fn include_beats_avoid_and_records_a_conflict() {
    let p = decision_protocol(
        r#"
rule rec when true then recommend R-DHAP
rule keep when true then include R-DHAP because "must keep"
rule renal when true then avoid cisplatin code renal_function because "kidneys"
"#,
    );
    let v = decide(&p, r#"{"id": "k", "as_of": "2026-01-01"}"#);
    assert_eq!(
        v["included"],
        json!([{"option": "R-DHAP", "reason": "must keep", "rules": ["keep"]}])
    );
    assert_eq!(
        v["conflicts"],
        json!([{"option": "R-DHAP", "included_by": ["keep"], "avoided_by": ["renal"]}])
    );
    assert_eq!(v["avoided"], json!([]));
    // The avoid loses: the option is still recommended.
    assert_eq!(ranked(&v, "recommendations"), pairs(&[("R-DHAP", 1)]));
    assert_eq!(status(&v), "recommended");
}

#[test]
fn an_included_candidate_avoided_is_a_conflict_not_avoided() {
    let p = decision_protocol(
        r#"
rule rec when true then recommend R-DHAP, R-ICE
rule keep when true then include R-DHAP because "must keep"
rule renal when true then avoid cisplatin code renal_function because "kidneys"
"#,
    );
    let v = decide(&p, r#"{"id": "k", "as_of": "2026-01-01"}"#);
    assert_eq!(options(&v, "included"), strings(&["R-DHAP"]));
    assert_eq!(
        v["conflicts"],
        json!([{"option": "R-DHAP", "included_by": ["keep"], "avoided_by": ["renal"]}])
    );
    assert_eq!(v["avoided"], json!([]));
}

#[test]
fn an_included_option_avoided_without_being_recommended_is_a_conflict() {
    let p = decision_protocol(
        r#"
rule keep when true then include R-DHAP, R-ICE because "must keep"
rule renal when true then avoid cisplatin code renal_function because "kidneys"
rule no-ice when true then avoid R-ICE code other because "no"
"#,
    );
    let v = decide(&p, r#"{"id": "k", "as_of": "2026-01-01"}"#);
    assert_eq!(options(&v, "included"), strings(&["R-DHAP", "R-ICE"]));
    assert_eq!(v["avoided"], json!([]));
    assert_eq!(
        v["conflicts"],
        json!([{"option": "R-DHAP", "included_by": ["keep"], "avoided_by": ["renal"]},
               {"option": "R-ICE", "included_by": ["keep"], "avoided_by": ["no-ice"]}])
    );
}

// ---------------------------------------------------------------------------
// Pending and ranks

#[test]
fn a_pending_first_choice_keeps_rank_1() {
    let p = decision_protocol(
        r#"
rule first when a then recommend R-ICE
rule second when true then recommend R-E
"#,
    );
    let v = decide(&p, r#"{"id": "k", "as_of": "2026-01-01"}"#);
    assert_eq!(status(&v), "recommended");
    assert_eq!(ranked(&v, "pending"), pairs(&[("R-ICE", 1)]));
    assert_eq!(ranked(&v, "recommendations"), pairs(&[("R-E", 2)]));
    assert_eq!(v["missing"], json!([{"path": "/a", "rules": ["first"]}]));
    // Known false: R-E is the first choice.
    let f = decide(&p, r#"{"id": "k", "as_of": "2026-01-01", "a": false}"#);
    assert_eq!(ranked(&f, "recommendations"), pairs(&[("R-E", 1)]));
}

#[test]
fn an_unknown_if_on_an_action_puts_its_options_in_pending() {
    let p = decision_protocol("rule r when true then recommend R-ICE if a\n  recommend R-E");
    let v = decide(&p, r#"{"id": "k", "as_of": "2026-01-01"}"#);
    assert_eq!(ranked(&v, "pending"), pairs(&[("R-ICE", 1)]));
    assert_eq!(ranked(&v, "recommendations"), pairs(&[("R-E", 2)]));
    assert_eq!(v["missing"], json!([{"path": "/a", "rules": ["r"]}]));
}

#[test]
fn ranks_are_tiers_made_dense() {
    let p = decision_protocol(
        r#"
rule r1 when true then recommend R-ICE, R-DHAP
rule r2 when true then consider R-E rank 5
rule r3 when true then recommend BSC
rule r4 when a then recommend R-IE unranked
"#,
    );
    let v = decide(&p, r#"{"id": "k", "as_of": "2026-01-01", "a": true}"#);
    // Tiers: R-ICE, R-DHAP 1 (alternatives share it); R-E 5; BSC 1 + 5 = 6;
    // R-IE unranked: 1. Dense: 1, 2, 3.
    assert_eq!(
        ranked(&v, "recommendations"),
        pairs(&[
            ("R-ICE", 1),
            ("R-DHAP", 1),
            ("R-IE", 1),
            ("R-E", 2),
            ("BSC", 3)
        ])
    );
    assert_eq!(entry(&v, "recommendations", "R-E")["kind"], "consider");
}

#[test]
fn avoided_options_take_no_rank() {
    let p = decision_protocol(
        r#"
rule r1 when true then recommend R-DHAP
rule r2 when true then recommend R-ICE
rule renal when true then avoid cisplatin code renal_function because "kidneys"
"#,
    );
    let v = decide(&p, r#"{"id": "k", "as_of": "2026-01-01"}"#);
    assert_eq!(ranked(&v, "recommendations"), pairs(&[("R-ICE", 1)]));
}

#[test]
fn an_option_named_twice_appears_once_at_its_smallest_tier_with_both_rules() {
    let p = decision_protocol(
        r#"
rule r1 when true then recommend R-E
rule r2 when true then recommend R-ICE
rule r3 when true then recommend R-ICE, R-E rank 7
"#,
    );
    let v = decide(&p, r#"{"id": "k", "as_of": "2026-01-01"}"#);
    assert_eq!(
        ranked(&v, "recommendations"),
        pairs(&[("R-E", 1), ("R-ICE", 2)])
    );
    assert_eq!(
        entry(&v, "recommendations", "R-E")["rules"],
        json!(["r1", "r3"])
    );
    assert_eq!(
        entry(&v, "recommendations", "R-ICE")["rules"],
        json!(["r2", "r3"])
    );
}

#[test]
fn a_fallback_is_a_candidate_exactly_when_its_option_is_avoided() {
    let p = decision_protocol(
        r#"
rule r1 when true then recommend R-DHAP fallback R-ICE
rule r2 when true then recommend BSC
rule renal when a then avoid cisplatin code renal_function because "kidneys"
"#,
    );
    let no_avoid = decide(&p, r#"{"id": "k", "as_of": "2026-01-01", "a": false}"#);
    assert_eq!(
        ranked(&no_avoid, "recommendations"),
        pairs(&[("R-DHAP", 1), ("BSC", 2)])
    );
    let avoided = decide(&p, r#"{"id": "k", "as_of": "2026-01-01", "a": true}"#);
    assert_eq!(
        ranked(&avoided, "recommendations"),
        pairs(&[("R-ICE", 1), ("BSC", 2)])
    );
    assert_eq!(
        entry(&avoided, "recommendations", "R-ICE")["kind"],
        "fallback"
    );
    assert_eq!(
        entry(&avoided, "recommendations", "R-ICE")["rules"],
        json!(["r1"])
    );
    assert_eq!(options(&avoided, "avoided"), strings(&["R-DHAP"]));
}

#[test]
fn a_fallback_chain_moves_on_past_avoided_fallbacks() {
    let p = decision_protocol(
        r#"
rule r1 when true then recommend R-DHAP fallback R-ICE fallback BSC
rule renal when true then avoid cisplatin code renal_function because "kidneys"
rule no-ice when true then avoid R-ICE code other because "no"
"#,
    );
    let v = decide(&p, r#"{"id": "k", "as_of": "2026-01-01"}"#);
    assert_eq!(ranked(&v, "recommendations"), pairs(&[("BSC", 1)]));
    assert_eq!(options(&v, "avoided"), strings(&["R-DHAP", "R-ICE"]));
}

#[test]
fn when_the_avoid_is_unknown_the_option_and_its_fallback_are_pending() {
    let p = decision_protocol(
        r#"
rule r1 when true then recommend R-DHAP fallback R-ICE
rule renal when a then avoid cisplatin code renal_function because "kidneys"
"#,
    );
    let v = decide(&p, r#"{"id": "k", "as_of": "2026-01-01"}"#);
    assert_eq!(status(&v), "needs-data");
    assert_eq!(ranked(&v, "pending"), pairs(&[("R-DHAP", 1), ("R-ICE", 1)]));
    assert_eq!(entry(&v, "pending", "R-ICE")["kind"], "fallback");
    assert_eq!(v["missing"], json!([{"path": "/a", "rules": ["renal"]}]));
}

#[test]
fn a_pending_fallback_carries_the_facts_that_would_settle_it() {
    let p = decision_protocol(
        r#"
rule r1 when true then recommend R-DHAP fallback R-ICE
rule renal when a then avoid cisplatin code renal_function because "kidneys"
"#,
    );
    let v = decide(&p, r#"{"id": "k", "as_of": "2026-01-01"}"#);
    assert_eq!(
        entry(&v, "pending", "R-ICE"),
        &json!({"option": "R-ICE", "rank": 1, "kind": "fallback", "rules": ["r1", "renal"], "missing": [{"path": "/a"}]})
    );
}

#[test]
fn a_fallback_lists_only_the_rules_that_named_it() {
    let p = decision_protocol(
        r#"
rule r1 when true then recommend R-DHAP fallback R-ICE
rule r2 when true then recommend R-DHAP rank 3
rule renal when true then avoid cisplatin code renal_function because "kidneys"
"#,
    );
    let v = decide(&p, r#"{"id": "k", "as_of": "2026-01-01"}"#);
    assert_eq!(
        entry(&v, "recommendations", "R-ICE")["rules"],
        json!(["r1"])
    );
}

// ---------------------------------------------------------------------------
// Status, one test each

#[test]
fn status_out_of_scope_from_a_stop_rule() {
    let p = decision_protocol(
        "rule scope stop when a then status out-of-scope\nrule r when true then recommend R-E",
    );
    let v = decide(&p, r#"{"id": "k", "as_of": "2026-01-01", "a": true}"#);
    assert_eq!(status(&v), "out-of-scope");
    assert_eq!(v["recommendations"], json!([]));
}

#[test]
fn status_no_change_from_a_stop_rule() {
    let p = decision_protocol("rule steady stop when a then status no-change flag \"keep going\"");
    let v = decide(&p, r#"{"id": "k", "as_of": "2026-01-01", "a": true}"#);
    assert_eq!(status(&v), "no-change");
    assert_eq!(flags(&v), strings(&["keep going"]));
}

#[test]
fn status_referred_from_a_stop_rule() {
    let p = decision_protocol(
        "rule board stop when a then status referred refer tumour_board \"Tumour board\"\nrule r when true then recommend R-E",
    );
    let v = decide(&p, r#"{"id": "k", "as_of": "2026-01-01", "a": true}"#);
    assert_eq!(status(&v), "referred");
    assert_eq!(
        v["referrals"],
        json!([{"code": "tumour_board", "text": "Tumour board"}])
    );
}

#[test]
fn status_needs_data_from_a_pending_option() {
    let p = decision_protocol("rule r when a then recommend R-E");
    let v = decide(&p, r#"{"id": "k", "as_of": "2026-01-01"}"#);
    assert_eq!(status(&v), "needs-data");
    assert_eq!(ranked(&v, "pending"), pairs(&[("R-E", 1)]));
}

#[test]
fn status_needs_data_from_a_missing_action() {
    let p = decision_protocol("rule echo when a then missing \"echocardiogram\"");
    let v = decide(&p, r#"{"id": "k", "as_of": "2026-01-01", "a": true}"#);
    assert_eq!(status(&v), "needs-data");
    assert_eq!(
        v["missing"],
        json!([{"name": "echocardiogram", "rules": ["echo"]}])
    );
}

#[test]
fn status_recommended_and_include_alone_does_not_count() {
    let p = decision_protocol(
        "rule r when a then consider R-E\nrule keep when true then include R-ICE because \"HBV\"",
    );
    let considered = decide(&p, r#"{"id": "k", "as_of": "2026-01-01", "a": true}"#);
    assert_eq!(status(&considered), "recommended");
    let include_only = decide(&p, r#"{"id": "k", "as_of": "2026-01-01", "a": false}"#);
    assert_eq!(status(&include_only), "no-recommendation");
    assert_eq!(options(&include_only, "included"), strings(&["R-ICE"]));
}

#[test]
fn status_all_avoided_when_every_candidate_is_avoided() {
    let p = decision_protocol(
        "rule r when true then recommend R-DHAP, R-ICE\nrule failed when true then avoid platinum code prior_failure because \"refractory\"",
    );
    let v = decide(&p, r#"{"id": "k", "as_of": "2026-01-01"}"#);
    assert_eq!(status(&v), "all-avoided");
}

#[test]
fn status_no_recommendation_when_no_rule_gives_anything() {
    let p = decision_protocol("rule r when a then recommend R-E");
    let v = decide(&p, r#"{"id": "k", "as_of": "2026-01-01", "a": false}"#);
    assert_eq!(status(&v), "no-recommendation");
}

// ---------------------------------------------------------------------------
// Missing, messages, reports

#[test]
fn missing_leaves_out_an_unknown_that_cannot_change_the_decision() {
    let p = decision_protocol(
        r#"
rule r1 when true then recommend R-ICE, R-E
rule r2 when a then recommend R-ICE rank 1
"#,
    );
    let v = decide(&p, r#"{"id": "k", "as_of": "2026-01-01"}"#);
    assert_eq!(traced(&v, "r2"), "unknown");
    assert_eq!(
        ranked(&v, "recommendations"),
        pairs(&[("R-ICE", 1), ("R-E", 1)])
    );
    assert_eq!(v["missing"], json!([]));
}

#[test]
fn missing_paths_are_json_pointers() {
    let p = history_protocol("rule r when received R-CHOP then flag \"R-CHOP\"");
    let v = decide(
        &p,
        &lines_case(json!([
            rchop("2024-01-01", json!("2024-06-01"), "CR", json!(null)),
            {"regimen": "unknown-regimen", "start_date": "2025-01-01", "best_response": "CR"}
        ])),
    );
    // The first line already matches: the unrecognised second one cannot change anything.
    assert_eq!(v["missing"], json!([]));
    let v = decide(
        &p,
        &lines_case(json!([
            {"regimen": "R-GemOx", "start_date": "2024-01-01", "best_response": "CR"},
            {"regimen": "weird/name~1", "start_date": "2025-01-01", "best_response": "CR"}
        ])),
    );
    assert_eq!(
        v["missing"],
        json!([{"path": "/lines/0/regimen", "why": "unrecognised", "rules": ["r"]},
               {"path": "/lines/1/regimen", "why": "unrecognised", "rules": ["r"]}])
    );
}

#[test]
fn missing_is_in_file_order() {
    let p = decision_protocol(
        r#"
rule first when true then missing "echocardiogram"
rule second when a then recommend R-ICE
rule third when true then missing "biopsy"
"#,
    );
    let v = decide(&p, r#"{"id": "k", "as_of": "2026-01-01"}"#);
    assert_eq!(
        v["missing"],
        json!([{"name": "echocardiogram", "rules": ["first"]},
               {"path": "/a", "rules": ["second"]},
               {"name": "biopsy", "rules": ["third"]}])
    );
}

#[test]
fn orders_referrals_and_flags_come_only_from_true_rules() {
    let p = decision_protocol(
        r#"
rule sure when true then order "o1" refer "r1" flag "f1"
rule maybe when a then order "o2" refer "r2" flag "f2"
rule guarded when true then order "o3" if b
"#,
    );
    let v = decide(&p, r#"{"id": "k", "as_of": "2026-01-01"}"#);
    assert_eq!(messages(&v, "orders"), strings(&["o1"]));
    assert_eq!(messages(&v, "referrals"), strings(&["r1"]));
    assert_eq!(flags(&v), strings(&["f1"]));
    assert_eq!(
        v["missing"],
        json!([{"path": "/a", "rules": ["maybe"]}, {"path": "/b", "rules": ["guarded"]}])
    );
    let t = decide(
        &p,
        r#"{"id": "k", "as_of": "2026-01-01", "a": true, "b": true}"#,
    );
    assert_eq!(messages(&t, "orders"), strings(&["o1", "o2", "o3"]));
}

#[test]
fn coded_messages_are_objects() {
    let p = decision_protocol("rule r when true then order pet_ct \"PET-CT\" flag \"plain\"");
    let v = decide(&p, r#"{"id": "k", "as_of": "2026-01-01"}"#);
    assert_eq!(v["orders"], json!([{"code": "pet_ct", "text": "PET-CT"}]));
    assert_eq!(v["flags"], json!(["plain"]));
}

#[test]
fn reports_and_unknown_reports() {
    let p = decision_protocol(
        r#"
report risk = if a then "high" else "standard"
report only_b = "b holds" only when b
report cd = if c then 1 else 2
"#,
    );
    let known = decide(
        &p,
        r#"{"id": "k", "as_of": "2026-01-01", "a": true, "b": false, "c": false}"#,
    );
    assert_eq!(known["reports"], json!({"cd": 2, "risk": "high"}));
    assert_eq!(known["unknown_reports"], json!({}));
    let unknown = decide(
        &p,
        r#"{"id": "k", "as_of": "2026-01-01", "b": true, "c": true}"#,
    );
    assert_eq!(unknown["reports"], json!({"cd": 1, "only_b": "b holds"}));
    assert_eq!(
        unknown["unknown_reports"],
        json!({"risk": [{"path": "/a"}]})
    );
}

// ---------------------------------------------------------------------------
// Errors and reproducibility

#[test]
fn as_of_before_effective_is_an_error_record() {
    let p = decision_protocol("rule r when true then recommend R-E");
    let v = decide(&p, r#"{"id": "k", "as_of": "2024-12-31"}"#);
    assert_eq!(v["case"], "k");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("effective"),
        "{v}"
    );
    assert!(v.get("status").is_none());
    // On the effective date itself: fine.
    let on = decide(&p, r#"{"id": "k", "as_of": "2025-01-01"}"#);
    assert_eq!(status(&on), "recommended");
}

#[test]
fn a_case_without_as_of_is_an_error_record() {
    let p = decision_protocol("rule r when true then recommend R-E");
    let v = decide(&p, r#"{"id": "k"}"#);
    assert_eq!(v["case"], "k");
    assert_eq!(v["error"]["path"], "/as_of");
}

#[test]
fn a_case_without_id_is_an_error_record() {
    let p = decision_protocol("rule r when true then recommend R-E");
    let v = decide(&p, r#"{"as_of": "2026-01-01"}"#);
    assert_eq!(v["case"], Value::Null);
    assert_eq!(v["error"]["path"], "/id");
}

#[test]
fn output_is_byte_identical_across_runs() {
    let src = history_protocol(
        r#"
rule early when relapse after R-CHOP within 12 months then flag "early"
rule refr when refractory to R-CHOP then flag "refractory"
rule unrec when received platinum-salvage then flag "platinum-salvage"
"#,
    );
    let case = lines_case(json!([
        rchop("2024-01-01", json!("2024-06-01"), "CR", json!("2025-01-01")),
        {"regimen": "mystery", "start_date": "2025-02-01", "best_response": "PR"}
    ]));
    let first = record_line(&compile(&src), &case).0;
    for _ in 0..3 {
        assert_eq!(record_line(&compile(&src), &case).0, first);
    }
}
