//! Case loading: one JSON case read against a compiled protocol's schema
//! (`salvage::eval::case`). Every rule of the loader has a test here: the
//! shape of each field type, unknown vs none, units and bounds, free-text
//! vocabulary, series, unknown keys, and the pointer of every error.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::engine::compile_text;
use jiff::civil::{date, time, Date};
use rust_decimal::Decimal;
use salvage::eval::case::{
    escape_pointer, load_case, load_field, parse_json, CaseError, LoadOptions,
};
use salvage::eval::model::Protocol;
use salvage::eval::truth::{Missing, Support};
use salvage::eval::value::{Case, CaseId, Comparator, DateRange, Val, Value, VocabValue};
use std::str::FromStr;

/// A header for small protocols.
const HEADER: &str = "protocol \"p\" { version \"1\" status draft effective 2026-01-01 }\n";

/// A protocol with every field type.
const PROTOCOL: &str = r#"
protocol "Case loading" {
  version "1"
  status draft
  effective 2026-01-01
}

agent cisplatin class platinum
agent carboplatin class platinum alias "paraplatin"
agent rituximab
agent ifosfamide
agent etoposide
agent cyclophosphamide
agent doxorubicin
agent vincristine
agent prednisone
regimen R-CHOP = rituximab + cyclophosphamide + doxorubicin + vincristine + prednisone
regimen R-ICE = rituximab + ifosfamide + carboplatin + etoposide
regimen best-supportive-care : supportive

unit alias "ml/min" = mL/min

enum Histology { DLBCL_NOS alias "DLBCL, NOS", HGBL, PMBCL }
enum Response { CR, PR, SD, PD }

record Line {
  `regimen`: regimen open
  start_date: date
  end_date: date? = none
  best_response: Response
  progression_date: date? = none
}

record Allergy {
  `agent`: agent
  severity: text
}

case {
  id = case_id
  ignore vignette
  age: int years 0..120
  ecog: int 0..4
  weight: number kg
  hb: number g/L
  score: number
  histology: Histology
  transplant_eligible: bool
  comment: text
  diagnosis_date: date
  onset: date?
  interval: duration
  deauville: int?
  prior_agent: agent
  planned: regimen
  trial_drug: agent open other
  other_regimen: regimen open other
  tags: list of text
  exposed: set of agent
  calls: map of agent to Response
  seen_calls: map of (agent open) to Response
  doses: map of int to number mg
  maybe: map of text to int?
  allergy: Allergy
  crcl: series mL/min
  hb_series: series g/L
  lines: history of Line { start = start_date, end = end_date, event = progression_date,
                           response = best_response responding {CR, PR} }
}
"#;

fn protocol() -> Protocol {
    compile_text(PROTOCOL)
}

/// Loads `json` with the test protocol.
fn load(json: &str) -> Result<Case, CaseError> {
    load_with(json, false)
}

fn load_with(json: &str, strict: bool) -> Result<Case, CaseError> {
    load_options(json, strict, false)
}

fn load_options(json: &str, strict: bool, show_values: bool) -> Result<Case, CaseError> {
    let value = parse_json(json)?;
    let options = LoadOptions {
        strict,
        show_values,
    };
    load_case(&protocol(), &value, &options)
}

/// Loads a case with an id and the given extra fields, its values shown
/// in messages (`--show-values`).
fn shown(fields: &str) -> Result<Case, CaseError> {
    load_options(&format!(r#"{{"case_id": "c-1", {fields}}}"#), false, true)
}

fn err_shown(fields: &str) -> CaseError {
    match shown(fields) {
        Ok(c) => panic!("case should not load: {c:#?}"),
        Err(e) => e,
    }
}

/// Loads a case with an id and the given extra fields.
fn case(fields: &str) -> Result<Case, CaseError> {
    let sep = if fields.trim().is_empty() { "" } else { ", " };
    load(&format!(r#"{{"case_id": "c-1"{sep}{fields}}}"#))
}

fn ok(fields: &str) -> Case {
    case(fields).unwrap_or_else(|e| panic!("case should load: {e}"))
}

fn err(fields: &str) -> CaseError {
    match case(fields) {
        Ok(c) => panic!("case should not load: {c:#?}"),
        Err(e) => e,
    }
}

fn field<'a>(case: &'a Case, name: &str) -> &'a Val {
    slot_of(case, name).unwrap_or_else(|| panic!("no field {name}"))
}

/// The test protocol, compiled once for the lookups below.
fn shared() -> &'static Protocol {
    static PROTOCOL: std::sync::OnceLock<Protocol> = std::sync::OnceLock::new();
    PROTOCOL.get_or_init(protocol)
}

/// The id of a declared agent or regimen.
fn id(name: &str) -> salvage::check::ir::VocabId {
    shared()
        .vocab
        .id(name)
        .unwrap_or_else(|| panic!("no {name}"))
}

/// The name of an enum value's enum.
fn enum_of(e: &salvage::eval::value::EnumValue) -> String {
    shared().enums[e.ty.0 as usize].name.clone()
}

/// A case field by name: the case holds its fields in schema order.
fn slot_of<'a>(case: &'a Case, name: &str) -> Option<&'a Val> {
    let slot = shared().case.fields.iter().position(|f| f.name == name)?;
    case.fields.get(slot)
}

fn known<'a>(case: &'a Case, name: &str) -> &'a Value {
    match field(case, name) {
        Val::Known(v) => v,
        Val::Unknown(s) => panic!("{name} is unknown: {s:?}"),
    }
}

fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

/// The number and unit spelling of a numeric value.
fn num(value: &Value) -> (Decimal, Option<String>) {
    match value {
        Value::Num(q) => (q.value, q.unit.as_ref().map(|u| u.spelling().to_string())),
        other => panic!("not a number: {other:?}"),
    }
}

fn unknown_at(path: &str) -> Val {
    Val::Unknown(Support::of(Missing::fact(path)))
}

fn day(y: i16, m: i8, d: i8) -> Value {
    Value::Date(DateRange::day(date(y, m, d)))
}

fn range(first: Date, last: Date) -> Value {
    Value::Date(DateRange { first, last })
}

fn assert_error(e: &CaseError, path: &str, contains: &str) {
    assert_eq!(e.path, path, "path of {e:?}");
    assert!(
        e.message.contains(contains),
        "message {:?} should contain {contains:?}",
        e.message
    );
}

// ---- the case object, its id and as_of -------------------------------------------------------

#[test]
fn a_full_case_loads_every_field() {
    let c = ok(r#"
        "age": 55, "ecog": 1, "weight": 70.5, "hb": 120, "score": 0.7,
        "histology": "DLBCL_NOS", "transplant_eligible": true, "comment": "seen in clinic",
        "diagnosis_date": "2024-03-01", "onset": null, "interval": "30 days", "deauville": 4,
        "prior_agent": "cisplatin", "planned": "R-ICE", "trial_drug": "glofitamab",
        "other_regimen": "R-CHOP", "tags": ["a", "b"], "exposed": ["cisplatin"],
        "calls": {"cisplatin": "CR"}, "doses": {"1": 100}, "maybe": {"x": 1},
        "allergy": {"agent": "carboplatin", "severity": "mild"},
        "crcl": [{"date": "2025-12-20", "value": 90, "unit": "mL/min"}],
        "hb_series": [],
        "lines": [{"regimen": "R-CHOP", "start_date": "2025-01-10", "end_date": "2025-06-01",
                   "best_response": "CR", "progression_date": "2025-11-01"}]"#);
    assert_eq!(c.id, CaseId::Text("c-1".into()));
    assert_eq!(c.as_of, None);
    assert!(
        c.warnings.len() == 1,
        "only the open-other warning: {:?}",
        c.warnings
    );
    assert_eq!(num(known(&c, "age")), (dec("55"), Some("years".into())));
    assert_eq!(num(known(&c, "score")), (dec("0.7"), None));
    assert_eq!(known(&c, "transplant_eligible"), &Value::Bool(true));
    assert_eq!(known(&c, "comment"), &Value::Text("seen in clinic".into()));
    assert_eq!(known(&c, "diagnosis_date"), &day(2024, 3, 1));
    assert_eq!(known(&c, "onset"), &Value::None);
    assert_eq!(
        known(&c, "planned"),
        &Value::Vocab(VocabValue::Known(id("R-ICE")))
    );
    // every declared field is present
    assert_eq!(c.fields.len(), protocol().case.fields.len());
}

#[test]
fn a_case_must_be_an_object() {
    let e = load("[1, 2]").unwrap_err();
    assert_eq!(e.case, None);
    assert_error(&e, "", "a case is a JSON object, found a list");
}

#[test]
fn invalid_json_is_an_error_at_the_root() {
    let e = load(r#"{"case_id": "c-1", "#).unwrap_err();
    assert_error(&e, "", "invalid JSON");
}

#[test]
fn missing_id_is_an_error_without_a_case() {
    let e = load(r#"{"age": 55}"#).unwrap_err();
    assert_eq!(e.case, None);
    assert_error(&e, "/case_id", "`case_id`");
    let e = load(r#"{"case_id": null}"#).unwrap_err();
    assert_error(&e, "/case_id", "no id");
}

#[test]
fn an_integer_id_is_kept_as_a_number() {
    let c = load(r#"{"case_id": 17}"#).unwrap();
    assert_eq!(c.id, CaseId::Number("17".into()));
    assert_ne!(c.id, CaseId::Text("17".into()));
    let e = load(r#"{"case_id": 1.5}"#).unwrap_err();
    assert_error(&e, "/case_id", "text or a whole number");
    let e = load(r#"{"case_id": true}"#).unwrap_err();
    assert_error(&e, "/case_id", "found true");
}

#[test]
fn the_default_id_key_is_id() {
    let p = compile_text(&format!("{HEADER}case {{ age: int }}"));
    let c = load_case(
        &p,
        &parse_json(r#"{"id": "x"}"#).unwrap(),
        &LoadOptions::default(),
    )
    .unwrap();
    assert_eq!(c.id, CaseId::Text("x".into()));
    let e = load_case(
        &p,
        &parse_json(r#"{"age": 3}"#).unwrap(),
        &LoadOptions::default(),
    )
    .unwrap_err();
    assert_eq!(e.path, "/id");
}

#[test]
fn errors_after_the_id_carry_the_case_id() {
    let e = err(r#""ecog": 9"#);
    assert_eq!(e.case, Some(CaseId::Text("c-1".into())));
    assert_eq!(e.to_string(), "`/ecog`: 9 is outside 0..4");
}

#[test]
fn as_of_is_read_from_its_key() {
    let c = ok(r#""as_of": "2026-01-01""#);
    assert_eq!(c.as_of, Some(date(2026, 1, 1)));
    assert!(
        c.warnings.is_empty(),
        "as_of is not an unknown key: {:?}",
        c.warnings
    );
    let c = ok(r#""as_of": null"#);
    assert_eq!(c.as_of, None);
}

#[test]
fn a_bad_as_of_is_an_error_at_its_pointer() {
    assert_error(
        &err(r#""as_of": "2026-13-01""#),
        "/as_of",
        "expected a date `YYYY-MM-DD`",
    );
    assert_error(
        &err(r#""as_of": "2026-01""#),
        "/as_of",
        "found a text of 7 characters",
    );
    assert_error(
        &err_shown(r#""as_of": "2026-01""#),
        "/as_of",
        "found text \"2026-01\"",
    );
    assert_error(
        &err(r#""as_of": 20260101"#),
        "/as_of",
        "found a number of 8 characters",
    );
    assert_error(
        &err_shown(r#""as_of": 20260101"#),
        "/as_of",
        "found the number 20260101",
    );
}

#[test]
fn as_of_declared_as_a_date_field_is_read_from_that_field() {
    let p = compile_text(&format!(
        "{HEADER}case {{ as_of = visit_date\n visit_date: date\n age: int }}"
    ));
    let opts = LoadOptions::default();
    let c = load_case(
        &p,
        &parse_json(r#"{"id": "a", "visit_date": "2025-05-05"}"#).unwrap(),
        &opts,
    )
    .unwrap();
    assert_eq!(c.as_of, Some(date(2025, 5, 5)));
    // the `as_of` key comes first
    let json = r#"{"id": "a", "visit_date": "2025-05-05", "as_of": "2025-06-06"}"#;
    let c = load_case(&p, &parse_json(json).unwrap(), &opts).unwrap();
    assert_eq!(c.as_of, Some(date(2025, 6, 6)));
    // absent: no as_of
    let c = load_case(&p, &parse_json(r#"{"id": "a"}"#).unwrap(), &opts).unwrap();
    assert_eq!(c.as_of, None);
    // a partial date cannot be the evaluation date
    let json = r#"{"id": "a", "visit_date": "2025-05"}"#;
    let e = load_case(&p, &parse_json(json).unwrap(), &opts).unwrap_err();
    assert_error(&e, "/visit_date", "must be an exact date");
}

// ---- unknown vs none -------------------------------------------------------------------------

#[test]
fn an_absent_plain_field_is_unknown_with_its_pointer() {
    let c = ok("");
    assert_eq!(field(&c, "age"), &unknown_at("/age"));
    assert_eq!(field(&c, "lines"), &unknown_at("/lines"));
}

#[test]
fn null_on_a_plain_field_is_unknown() {
    let c = ok(r#""age": null, "histology": null, "crcl": null"#);
    assert_eq!(field(&c, "age"), &unknown_at("/age"));
    assert_eq!(field(&c, "histology"), &unknown_at("/histology"));
    assert_eq!(field(&c, "crcl"), &unknown_at("/crcl"));
}

#[test]
fn null_on_an_optional_field_is_none() {
    let c = ok(r#""onset": null, "deauville": null"#);
    assert_eq!(field(&c, "onset"), &Val::Known(Value::None));
    assert_eq!(field(&c, "deauville"), &Val::Known(Value::None));
}

#[test]
fn an_absent_optional_field_without_default_is_unknown() {
    let c = ok("");
    assert_eq!(field(&c, "onset"), &unknown_at("/onset"));
    assert_eq!(field(&c, "deauville"), &unknown_at("/deauville"));
}

#[test]
fn an_optional_field_with_a_value_is_that_value() {
    let c = ok(r#""onset": "2024-01-02", "deauville": 3"#);
    assert_eq!(known(&c, "onset"), &day(2024, 1, 2));
    assert_eq!(num(known(&c, "deauville")), (dec("3"), None));
}

#[test]
fn an_absent_key_on_a_none_default_field_is_none() {
    let c = ok(
        r#""lines": [{"regimen": "R-CHOP", "start_date": "2025-01-10", "best_response": "CR"}]"#,
    );
    let Value::List(lines) = known(&c, "lines") else {
        panic!("lines")
    };
    let Some(Val::Known(Value::Record(line))) = lines.first() else {
        panic!("a record")
    };
    assert_eq!(
        line.get(shared(), "end_date"),
        Some(&Val::Known(Value::None))
    );
    assert_eq!(
        line.get(shared(), "progression_date"),
        Some(&Val::Known(Value::None))
    );
}

#[test]
fn null_and_absent_inside_records_name_the_record_pointer() {
    let c = ok(r#""lines": [{"regimen": "R-CHOP", "start_date": null, "end_date": null}]"#);
    let Value::List(lines) = known(&c, "lines") else {
        panic!("lines")
    };
    let Some(Val::Known(Value::Record(line))) = lines.first() else {
        panic!("a record")
    };
    assert_eq!(line.path, "/lines/0");
    assert_eq!(
        line.get(shared(), "start_date"),
        Some(&unknown_at("/lines/0/start_date"))
    );
    assert_eq!(
        line.get(shared(), "best_response"),
        Some(&unknown_at("/lines/0/best_response"))
    );
    assert_eq!(
        line.get(shared(), "end_date"),
        Some(&Val::Known(Value::None))
    );
}

// ---- numbers ---------------------------------------------------------------------------------

#[test]
fn numbers_are_exact_decimals_from_their_text() {
    // the binary float nearest 0.1, written out: 34 significant digits is an
    // error, never silently rounded
    let e = err(r#""score": 0.1000000000000000055511151231257827"#);
    assert_error(&e, "/score", "more than 28 significant digits");
}

#[test]
fn a_decimal_keeps_its_exact_value() {
    let c = ok(r#""score": 0.7, "weight": 70.10"#);
    assert_eq!(num(known(&c, "score")).0, dec("0.7"));
    assert_eq!(num(known(&c, "weight")).0, dec("70.10"));
    assert_eq!(num(known(&c, "score")).0 - dec("0.2"), dec("0.5"));
}

#[test]
fn twenty_eight_significant_digits_are_accepted_and_twenty_nine_are_not() {
    let c = ok(r#""score": 1.234567890123456789012345678"#);
    assert_eq!(
        num(known(&c, "score")).0,
        dec("1.234567890123456789012345678")
    );
    let e = err(r#""score": 1.2345678901234567890123456789"#);
    assert_error(
        &e,
        "/score",
        "this number has more than 28 significant digits",
    );
    let e = err_shown(r#""score": 1.2345678901234567890123456789"#);
    assert_error(
        &e,
        "/score",
        "the number `1.2345678901234567890123456789` has more than 28 significant digits",
    );
    // trailing zeros are not significant
    let c = ok(r#""score": 1234567890123456789012345678.000"#);
    assert_eq!(
        num(known(&c, "score")).0,
        dec("1234567890123456789012345678")
    );
    // nor are leading ones, but a value keeps at most 28 decimal places
    let c = ok(r#""score": 0.0000000000000000000000000001"#);
    assert_eq!(
        num(known(&c, "score")).0,
        dec("0.0000000000000000000000000001")
    );
    let e = err(r#""score": 0.00000000000000000000000000001"#);
    assert_error(&e, "/score", "has more than 28 decimal places");
}

#[test]
fn scientific_notation_is_read_exactly() {
    let c = ok(r#""score": 1.5e2, "weight": 7E-1"#);
    assert_eq!(num(known(&c, "score")).0, dec("150"));
    assert_eq!(num(known(&c, "weight")).0, dec("0.7"));
    assert_error(
        &err(r#""score": 1e-30"#),
        "/score",
        "more than 28 decimal places",
    );
    assert_error(&err(r#""score": 1e40"#), "/score", "is too large");
}

#[test]
fn int_must_be_whole() {
    assert_error(
        &err(r#""ecog": 1.5"#),
        "/ecog",
        "expected a whole number, found 1.5",
    );
    let c = ok(r#""ecog": 2.0"#);
    assert_eq!(num(known(&c, "ecog")).0.to_string(), "2");
}

#[test]
fn text_where_a_number_is_expected_is_an_error() {
    let e = err(r#""age": "55""#);
    assert_error(&e, "/age", "expected a number, found text \"55\"");
    assert_error(
        &err(r#""age": true"#),
        "/age",
        "expected a number, found true",
    );
    assert_error(
        &err(r#""age": [55]"#),
        "/age",
        "expected a number, found a list",
    );
}

#[test]
fn a_value_outside_the_bounds_is_an_error() {
    assert_error(&err(r#""ecog": 5"#), "/ecog", "5 is outside 0..4");
    assert_error(&err(r#""ecog": -1"#), "/ecog", "-1 is outside 0..4");
    assert_error(
        &err(r#""age": 130"#),
        "/age",
        "130 years is outside 0..120 years",
    );
}

#[test]
fn a_value_exactly_at_a_bound_is_accepted() {
    assert_eq!(num(known(&ok(r#""ecog": 4"#), "ecog")).0, dec("4"));
    assert_eq!(num(known(&ok(r#""ecog": 0"#), "ecog")).0, dec("0"));
    assert_eq!(num(known(&ok(r#""age": 120"#), "age")).0, dec("120"));
}

#[test]
fn bounds_apply_after_conversion_to_the_declared_unit() {
    // 1440 months = 120 years: at the bound
    let c = ok(r#""age": {"value": 1440, "unit": "months"}"#);
    assert_eq!(num(known(&c, "age")), (dec("120"), Some("years".into())));
    assert_error(
        &err(r#""age": {"value": 1441, "unit": "months"}"#),
        "/age",
        "expected a whole number",
    );
    assert_error(
        &err(r#""age": {"value": 1452, "unit": "months"}"#),
        "/age",
        "121 years is outside 0..120 years",
    );
}

// ---- units -----------------------------------------------------------------------------------

#[test]
fn a_bare_number_is_in_the_declared_unit() {
    let c = ok(r#""hb": 120, "weight": 70"#);
    assert_eq!(num(known(&c, "hb")), (dec("120"), Some("g/L".into())));
    assert_eq!(num(known(&c, "weight")), (dec("70"), Some("kg".into())));
}

#[test]
fn a_value_with_a_unit_converts_to_the_declared_unit() {
    let c = ok(r#""hb": {"value": 12.5, "unit": "g/dL"}, "weight": {"value": 70500, "unit": "g"}"#);
    assert_eq!(num(known(&c, "hb")), (dec("125"), Some("g/L".into())));
    assert_eq!(num(known(&c, "weight")), (dec("70.5"), Some("kg".into())));
    let c = ok(r#""hb": {"value": 120, "unit": "g/L"}"#);
    assert_eq!(num(known(&c, "hb")), (dec("120"), Some("g/L".into())));
    // a null value reads as null does: unknown
    let c = ok(r#""hb": {"value": null, "unit": "g/dL"}"#);
    assert_eq!(field(&c, "hb"), &unknown_at("/hb"));
}

#[test]
fn a_unit_of_another_dimension_is_an_error_naming_both() {
    let e = err(r#""hb": {"value": 5.2, "unit": "mmol/L"}"#);
    assert_eq!(e.path, "/hb/unit");
    assert!(
        e.message.contains("`mmol/L`") && e.message.contains("`g/L`"),
        "{}",
        e.message
    );
    assert!(
        e.message.contains("molar concentration") && e.message.contains("mass concentration"),
        "{}",
        e.message
    );
}

#[test]
fn an_unknown_unit_is_an_error_with_a_suggestion() {
    let e = err(r#""hb": {"value": 12, "unit": "g/dl"}"#);
    assert_error(&e, "/hb/unit", "unknown unit `g/dl`; did you mean `g/dL`?");
}

#[test]
fn a_unit_on_a_unitless_number_is_an_error() {
    assert_error(
        &err(r#""score": {"value": 1, "unit": "mg"}"#),
        "/score/unit",
        "this number has no unit",
    );
}

#[test]
fn a_number_object_needs_a_value_and_takes_no_comparator() {
    assert_error(&err(r#""hb": {"unit": "g/L"}"#), "/hb", "needs a `value`");
    // exactly `value` and `unit`: no unit, or a third key, is an error
    assert_error(&err(r#""hb": {"value": 99}"#), "/hb", "needs a `unit`");
    assert_error(
        &err(r#""hb": {"value": 9, "unit": "g/dL", "at": 1}"#),
        "/hb/at",
        "only the keys `value` and `unit`",
    );
    assert_error(
        &err(r#""hb": {"value": 10, "comparator": "<"}"#),
        "/hb/comparator",
        "only allowed in a series",
    );
    // the text of a value that is not a number is not repeated
    let e = err(r#""hb": {"value": "ten, said Jane", "unit": "g/L"}"#);
    assert_error(&e, "/hb/value", "expected a number, found text");
    assert!(!e.message.contains("Jane"), "{}", e.message);
}

#[test]
fn a_long_unknown_unit_is_not_repeated() {
    let e = err(r#""hb": {"value": 9, "unit": "as noted by Dr Jane Doe"}"#);
    assert_error(&e, "/hb/unit", "not a unit Salvage knows");
    assert!(!e.message.contains("Jane"), "{}", e.message);
    let e = err(r#""hb": {"value": 9, "unit": "g/dl"}"#);
    assert_error(&e, "/hb/unit", "unknown unit `g/dl`");
}

// ---- bool, text, dates, durations ------------------------------------------------------------

#[test]
fn bool_takes_only_true_and_false() {
    assert_eq!(
        known(
            &ok(r#""transplant_eligible": false"#),
            "transplant_eligible"
        ),
        &Value::Bool(false)
    );
    assert_error(
        &err(r#""transplant_eligible": "yes""#),
        "/transplant_eligible",
        "expected true or false, found text \"yes\"",
    );
    assert_error(
        &err(r#""transplant_eligible": 1"#),
        "/transplant_eligible",
        "expected true or false, found the number 1",
    );
}

#[test]
fn text_takes_only_strings() {
    assert_error(
        &err(r#""comment": 5"#),
        "/comment",
        "expected text, found a number of 1 character",
    );
    assert_error(
        &err_shown(r#""comment": 5"#),
        "/comment",
        "expected text, found the number 5",
    );
}

#[test]
fn an_exact_date_is_one_day() {
    assert_eq!(
        known(&ok(r#""diagnosis_date": "2024-02-29""#), "diagnosis_date"),
        &day(2024, 2, 29)
    );
}

#[test]
fn a_partial_date_is_the_interval_of_its_days() {
    let c = ok(r#""diagnosis_date": "2025-06""#);
    assert_eq!(
        known(&c, "diagnosis_date"),
        &range(date(2025, 6, 1), date(2025, 6, 30))
    );
    let c = ok(r#""diagnosis_date": "2024-02""#);
    assert_eq!(
        known(&c, "diagnosis_date"),
        &range(date(2024, 2, 1), date(2024, 2, 29))
    );
    let c = ok(r#""diagnosis_date": "2025""#);
    assert_eq!(
        known(&c, "diagnosis_date"),
        &range(date(2025, 1, 1), date(2025, 12, 31))
    );
}

#[test]
fn a_datetime_in_a_date_field_is_its_date() {
    let c = ok(r#""diagnosis_date": "2025-12-20T23:30:00-05:00""#);
    assert_eq!(known(&c, "diagnosis_date"), &day(2025, 12, 20));
    let c = ok(r#""diagnosis_date": "2025-12-20T08:30:00.250Z""#);
    assert_eq!(known(&c, "diagnosis_date"), &day(2025, 12, 20));
}

#[test]
fn bad_dates_are_errors() {
    assert_error(
        &err(r#""diagnosis_date": "2025-02-30""#),
        "/diagnosis_date",
        "a text of 10 characters is not a calendar date",
    );
    assert_error(
        &err_shown(r#""diagnosis_date": "2025-02-30""#),
        "/diagnosis_date",
        "\"2025-02-30\" is not a calendar date",
    );
    assert_error(
        &err(r#""diagnosis_date": "2025-13""#),
        "/diagnosis_date",
        "is not a calendar date",
    );
    assert_error(
        &err(r#""diagnosis_date": "01/06/2025""#),
        "/diagnosis_date",
        "expected a date `YYYY-MM-DD`",
    );
    assert_error(
        &err(r#""diagnosis_date": "2025-6-1""#),
        "/diagnosis_date",
        "expected a date `YYYY-MM-DD`",
    );
    assert_error(
        &err(r#""diagnosis_date": "2025-06-01T08:30""#),
        "/diagnosis_date",
        "RFC 3339 datetime",
    );
    assert_error(
        &err(r#""diagnosis_date": 2025"#),
        "/diagnosis_date",
        "found a number of 4 characters",
    );
}

#[test]
fn a_duration_is_a_number_with_a_unit_of_time() {
    let c = ok(r#""interval": {"value": 12, "unit": "months"}"#);
    assert_eq!(
        num(known(&c, "interval")),
        (dec("12"), Some("months".into()))
    );
    let c = ok(r#""interval": "30 days""#);
    assert_eq!(num(known(&c, "interval")), (dec("30"), Some("days".into())));
    let c = ok(r#""interval": "1.5 years""#);
    assert_eq!(
        num(known(&c, "interval")),
        (dec("1.5"), Some("years".into()))
    );
}

#[test]
fn a_bad_duration_is_an_error() {
    assert_error(
        &err(r#""interval": 30"#),
        "/interval",
        "expected a duration such as \"30 days\"",
    );
    assert_error(
        &err(r#""interval": "30""#),
        "/interval",
        "expected a duration such as \"30 days\"",
    );
    assert_error(
        &err(r#""interval": "5 mg""#),
        "/interval",
        "`mg` is not a unit of time",
    );
    assert_error(
        &err(r#""interval": {"value": 5}"#),
        "/interval",
        "a quantity needs a `unit`",
    );
    assert_error(
        &err(r#""interval": "30 dayz""#),
        "/interval",
        "unknown unit `dayz`; did you mean",
    );
}

// ---- enums and vocabulary --------------------------------------------------------------------

#[test]
fn an_enum_value_resolves_by_name_or_alias_after_folding() {
    for text in [
        "DLBCL_NOS",
        "dlbcl nos",
        "DLBCL-NOS",
        "DLBCL, NOS",
        "ｄｌｂｃｌ_ｎｏｓ",
    ] {
        let c = ok(&format!(r#""histology": {text:?}"#));
        let Value::Enum(e) = known(&c, "histology") else {
            panic!("enum")
        };
        assert_eq!(
            (enum_of(e).as_str(), shared().enum_name(*e), e.index),
            ("Histology", "DLBCL_NOS", 0),
            "{text}"
        );
    }
    let Value::Enum(e) = known(&ok(r#""histology": "pmbcl""#), "histology").clone() else {
        panic!()
    };
    assert_eq!((shared().enum_name(e), e.index), ("PMBCL", 2));
}

#[test]
fn an_unknown_enum_value_is_an_error_with_a_suggestion() {
    let e = err(r#""histology": "HGBLL""#);
    assert_error(
        &e,
        "/histology",
        "\"HGBLL\" is not a value of `Histology`; did you mean `HGBL`?",
    );
    let e = err(r#""histology": "melanoma""#);
    assert_eq!(e.message, "\"melanoma\" is not a value of `Histology`");
    assert_error(
        &err(r#""histology": 3"#),
        "/histology",
        "expected a value of `Histology`, found the number 3",
    );
}

#[test]
fn an_agent_resolves_by_name_or_alias() {
    let c = ok(r#""prior_agent": "Paraplatin""#);
    assert_eq!(
        known(&c, "prior_agent"),
        &Value::Vocab(VocabValue::Known(id("carboplatin")))
    );
    let c = ok(r#""planned": "r chop""#);
    assert_eq!(
        known(&c, "planned"),
        &Value::Vocab(VocabValue::Known(id("R-CHOP")))
    );
}

#[test]
fn an_unknown_agent_in_a_closed_field_is_an_error_with_a_suggestion() {
    let e = err(r#""prior_agent": "cisplatine""#);
    assert_error(
        &e,
        "/prior_agent",
        "a text of 10 characters is not a known agent; did you mean `cisplatin`?",
    );
    let e = err_shown(r#""prior_agent": "cisplatine""#);
    assert_error(
        &e,
        "/prior_agent",
        "\"cisplatine\" is not a known agent; did you mean `cisplatin`?",
    );
    let e = err(r#""planned": "R-ICEE""#);
    assert_error(
        &e,
        "/planned",
        "is not a known regimen; did you mean `R-ICE`?",
    );
}

#[test]
fn a_vocabulary_field_takes_only_its_own_kind() {
    let e = err(r#""prior_agent": "R-ICE""#);
    assert_error(
        &e,
        "/prior_agent",
        "a text of 5 characters names `R-ICE`, a regimen, not an agent",
    );
    let e = err_shown(r#""prior_agent": "R-ICE""#);
    assert_error(
        &e,
        "/prior_agent",
        "\"R-ICE\" names `R-ICE`, a regimen, not an agent",
    );
    let e = err(r#""planned": "cisplatin""#);
    assert_error(&e, "/planned", "names `cisplatin`, an agent, not a regimen");
}

#[test]
fn unknown_text_in_an_open_field_is_unknown_and_unrecognised_with_a_warning() {
    let c = ok(
        r#""lines": [{"regimen": "R-CHOPP", "start_date": "2025-01-10", "best_response": "CR"}]"#,
    );
    let Value::List(lines) = known(&c, "lines") else {
        panic!("lines")
    };
    let Some(Val::Known(Value::Record(line))) = lines.first() else {
        panic!("a record")
    };
    assert_eq!(
        line.get(shared(), "regimen"),
        Some(&Val::Unknown(Support::unrecognised("/lines/0/regimen")))
    );
    assert_eq!(
        c.warnings,
        vec!["`/lines/0/regimen`: a text of 7 characters is not a known regimen; matches on it are unknown (add an alias); did you mean `R-CHOP`?".to_string()]
    );
    let c = shown(
        r#""lines": [{"regimen": "R-CHOPP", "start_date": "2025-01-10", "best_response": "CR"}]"#,
    );
    assert_eq!(
        c.map(|c| c.warnings),
        Ok(vec!["`/lines/0/regimen`: \"R-CHOPP\" is not a known regimen; matches on it are unknown (add an alias); did you mean `R-CHOP`?".to_string()])
    );
}

#[test]
fn unknown_text_in_an_open_other_field_is_outside_the_vocabulary_with_a_warning() {
    let c = ok(r#""trial_drug": "glofitamab", "other_regimen": "Pola-R-CHP""#);
    assert_eq!(
        known(&c, "trial_drug"),
        &Value::Vocab(VocabValue::Other("glofitamab".into()))
    );
    assert_eq!(
        known(&c, "other_regimen"),
        &Value::Vocab(VocabValue::Other("Pola-R-CHP".into()))
    );
    assert_eq!(c.warnings.len(), 2);
    assert!(c.warnings[0].starts_with("`/trial_drug`: a text of 10 characters is not a known agent; read as an agent outside the vocabulary"), "{:?}", c.warnings);
    let c = shown(r#""trial_drug": "glofitamab""#).unwrap_or_else(|e| panic!("{e}"));
    assert!(c.warnings[0].starts_with("`/trial_drug`: \"glofitamab\" is not a known agent; read as an agent outside the vocabulary"), "{:?}", c.warnings);
    // a known name still resolves
    let c = ok(r#""trial_drug": "cisplatin""#);
    assert_eq!(
        known(&c, "trial_drug"),
        &Value::Vocab(VocabValue::Known(id("cisplatin")))
    );
    assert!(c.warnings.is_empty());
}

#[test]
fn a_name_of_the_wrong_kind_in_an_open_field_is_unknown_and_unrecognised() {
    let c = ok(r#""trial_drug": "R-ICE""#);
    assert_eq!(
        slot_of(&c, "trial_drug"),
        Some(&Val::Unknown(Support::unrecognised("/trial_drug")))
    );
    assert!(
        c.warnings[0].contains("a regimen, not an agent; matches on it are unknown"),
        "{:?}",
        c.warnings
    );
}

// ---- collections and records -----------------------------------------------------------------

#[test]
fn a_list_loads_each_element_at_its_pointer() {
    let c = ok(r#""tags": ["a", null, "a"]"#);
    assert_eq!(
        known(&c, "tags"),
        &Value::List(vec![
            Val::Known(Value::Text("a".into())),
            unknown_at("/tags/1"),
            Val::Known(Value::Text("a".into())),
        ])
    );
    assert_error(
        &err(r#""tags": ["a", 3]"#),
        "/tags/1",
        "expected text, found a number of 1 character",
    );
    assert_error(
        &err(r#""tags": "a""#),
        "/tags",
        "expected a list, found text \"a\"",
    );
}

#[test]
fn a_set_removes_repeats() {
    let c = ok(r#""exposed": ["cisplatin", "Cisplatin", "paraplatin", "carboplatin"]"#);
    assert_eq!(
        known(&c, "exposed"),
        &Value::List(vec![
            Val::Known(Value::Vocab(VocabValue::Known(id("cisplatin")))),
            Val::Known(Value::Vocab(VocabValue::Known(id("carboplatin")))),
        ])
    );
}

#[test]
fn a_map_converts_its_keys_and_values() {
    let c = ok(
        r#""calls": {"Cisplatin": "CR", "paraplatin": null}, "doses": {"1": 100, "2": {"value": 1, "unit": "g"}}"#,
    );
    let Value::Map(calls) = known(&c, "calls") else {
        panic!("map")
    };
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].0, Value::Vocab(VocabValue::Known(id("cisplatin"))));
    assert!(matches!(&calls[0].1, Val::Known(Value::Enum(e)) if shared().enum_name(*e) == "CR"));
    assert_eq!(calls[1].1, unknown_at("/calls/paraplatin"));
    let Value::Map(doses) = known(&c, "doses") else {
        panic!("map")
    };
    assert_eq!(num(&doses[0].0), (dec("1"), None));
    assert_eq!(num(&doses[1].0), (dec("2"), None));
    assert!(matches!(&doses[1].1, Val::Known(v) if num(v) == (dec("1000"), Some("mg".into()))));
}

#[test]
fn a_null_map_value_of_an_optional_type_is_none() {
    let c = ok(r#""maybe": {"x": null}"#);
    let Value::Map(m) = known(&c, "maybe") else {
        panic!("map")
    };
    assert_eq!(m[0].1, Val::Known(Value::None));
}

#[test]
fn an_unrecognised_key_of_an_open_map_is_an_error_at_the_key() {
    // A key that resolves to no declared name cannot be looked up (any
    // `m[k]` might be it), so the case is refused rather than read wrong.
    assert_error(
        &err(r#""seen_calls": {"cisplatn": "CR"}"#),
        "/seen_calls/cisplatn",
        "a map key must name a declared agent or regimen (add an alias)",
    );
    let c = ok(r#""seen_calls": {"Cisplatin": "CR"}"#);
    let Value::Map(calls) = known(&c, "seen_calls") else {
        panic!("map")
    };
    assert_eq!(calls[0].0, Value::Vocab(VocabValue::Known(id("cisplatin"))));
}

#[test]
fn bad_map_keys_are_errors_at_the_key() {
    assert_error(
        &err(r#""calls": {"R/x": "CR"}"#),
        "/calls/R~1x",
        "a text of 3 characters is not a known agent",
    );
    assert_error(
        &err_shown(r#""calls": {"R/x": "CR"}"#),
        "/calls/R~1x",
        "\"R/x\" is not a known agent",
    );
    assert_error(
        &err(r#""doses": {"one": 1}"#),
        "/doses/one",
        "expected a number, found text \"one\"",
    );
    assert_error(
        &err(r#""calls": {"cisplatin": "CR", "CISPLATIN": "PR"}"#),
        "/calls/CISPLATIN",
        "names the same key as \"cisplatin\"",
    );
    assert_error(
        &err(r#""calls": ["cisplatin"]"#),
        "/calls",
        "expected a map (a JSON object), found a list",
    );
}

#[test]
fn a_record_loads_by_its_schema() {
    let c = ok(r#""allergy": {"agent": "carboplatin", "severity": "mild"}"#);
    let Value::Record(r) = known(&c, "allergy") else {
        panic!("record")
    };
    assert_eq!(r.path, "/allergy");
    assert_eq!(
        r.get(shared(), "agent"),
        Some(&Val::Known(Value::Vocab(VocabValue::Known(id(
            "carboplatin"
        )))))
    );
    assert_eq!(
        r.get(shared(), "severity"),
        Some(&Val::Known(Value::Text("mild".into())))
    );
    assert_error(
        &err(r#""allergy": "carboplatin""#),
        "/allergy",
        "expected a `Allergy` record",
    );
}

#[test]
fn history_lines_are_records_with_their_pointers() {
    let c = ok(r#""lines": [
        {"regimen": "R-CHOP", "start_date": "2024-01-10", "end_date": "2024-06-01", "best_response": "CR"},
        {"regimen": "r-ice", "start_date": "2025-01-10", "best_response": "pd"}]"#);
    let Value::List(lines) = known(&c, "lines") else {
        panic!("lines")
    };
    assert_eq!(lines.len(), 2);
    let Some(Val::Known(Value::Record(second))) = lines.get(1) else {
        panic!("a record")
    };
    assert_eq!(second.path, "/lines/1");
    assert_eq!(
        second.get(shared(), "regimen"),
        Some(&Val::Known(Value::Vocab(VocabValue::Known(id("R-ICE")))))
    );
    assert_eq!(
        second.get(shared(), "start_date"),
        Some(&Val::Known(day(2025, 1, 10)))
    );
    assert_error(
        &err(r#""lines": [{"regimen": "R-CHOP", "start_date": "2025-1-10"}]"#),
        "/lines/0/start_date",
        "expected a date",
    );
}

#[test]
fn an_unknown_key_in_a_record_is_a_warning_or_a_strict_error() {
    let line = r#""lines": [{"regimen": "R-CHOP", "start_date": "2025-01-10", "best_response": "CR", "end_dat": "2025-02-01"}]"#;
    let c = ok(line);
    assert_eq!(
        c.warnings,
        vec!["unknown key `end_dat` in a `Line` record; did you mean `end_date`?".to_string()]
    );
    let e = load_with(&format!(r#"{{"case_id": "c-1", {line}}}"#), true).unwrap_err();
    assert_error(
        &e,
        "/lines/0/end_dat",
        "unknown key `end_dat` in a `Line` record; did you mean `end_date`?",
    );
}

// ---- series ----------------------------------------------------------------------------------

/// A series point as a tuple: date, time, value, comparator, array index.
type PointParts = (
    Date,
    Option<jiff::civil::Time>,
    Decimal,
    Option<Comparator>,
    usize,
);

fn points(case: &Case, name: &str) -> Vec<PointParts> {
    let Value::Series(s) = known(case, name) else {
        panic!("series")
    };
    assert_eq!(s.path, format!("/{name}"));
    s.points
        .iter()
        .map(|p| {
            assert_eq!(
                p.value.unit.as_ref().map(|u| u.spelling()),
                Some(if name == "crcl" { "mL/min" } else { "g/L" })
            );
            (p.date, p.time, p.value.value, p.comparator, p.index)
        })
        .collect()
}

#[test]
fn a_series_is_ordered_by_date_then_time_then_position() {
    let c = ok(r#""crcl": [
        {"date": "2025-12-20", "value": 90},
        {"date": "2025-12-01T10:00:00Z", "value": 80},
        {"date": "2025-12-01T08:30:00+01:00", "value": 70},
        {"date": "2025-12-20", "value": 91},
        {"date": "2025-11-01", "value": 60}]"#);
    assert_eq!(
        points(&c, "crcl"),
        vec![
            (date(2025, 11, 1), None, dec("60"), None, 4),
            (
                date(2025, 12, 1),
                Some(time(8, 30, 0, 0)),
                dec("70"),
                None,
                2
            ),
            (
                date(2025, 12, 1),
                Some(time(10, 0, 0, 0)),
                dec("80"),
                None,
                1
            ),
            (date(2025, 12, 20), None, dec("90"), None, 0),
            (date(2025, 12, 20), None, dec("91"), None, 3),
        ]
    );
}

#[test]
fn series_values_convert_to_the_declared_unit() {
    let c = ok(r#""hb_series": [
        {"date": "2025-12-01", "value": 12.5, "unit": "g/dL"},
        {"date": "2025-12-02", "value": 118, "unit": "g/L"},
        {"date": "2025-12-03", "value": 119}]"#);
    let values: Vec<Decimal> = points(&c, "hb_series").into_iter().map(|p| p.2).collect();
    assert_eq!(values, vec![dec("125"), dec("118"), dec("119")]);
    let c = ok(r#""crcl": [{"date": "2025-12-01", "value": 1, "unit": "ml/min"}]"#);
    assert_eq!(points(&c, "crcl")[0].2, dec("1"));
}

#[test]
fn a_series_unit_of_another_dimension_is_an_error() {
    let e = err(r#""hb_series": [{"date": "2025-12-01", "value": 7, "unit": "mmol/L"}]"#);
    assert_eq!(e.path, "/hb_series/0/unit");
    assert!(
        e.message.contains("`mmol/L`") && e.message.contains("`g/L`"),
        "{}",
        e.message
    );
}

#[test]
fn series_comparators_are_censored_values() {
    let c = ok(r#""crcl": [
        {"date": "2025-12-01", "value": 20, "comparator": "<"},
        {"date": "2025-12-02", "value": 20, "comparator": "<="},
        {"date": "2025-12-03", "value": 20, "comparator": ">"},
        {"date": "2025-12-04", "value": 20, "comparator": ">="},
        {"date": "2025-12-05", "value": 20, "comparator": null},
        {"date": "2025-12-06", "value": 20, "comparator": "="}]"#);
    let comparators: Vec<Option<Comparator>> =
        points(&c, "crcl").into_iter().map(|p| p.3).collect();
    assert_eq!(
        comparators,
        vec![
            Some(Comparator::Below),
            Some(Comparator::AtMost),
            Some(Comparator::Above),
            Some(Comparator::AtLeast),
            None,
            None
        ]
    );
    assert_error(
        &err(r#""crcl": [{"date": "2025-12-01", "value": 20, "comparator": "~"}]"#),
        "/crcl/0/comparator",
        "expected a comparator `<`, `<=`, `>`, `>=`, `=` or null, found a text of 1 character",
    );
    assert_error(
        &err_shown(r#""crcl": [{"date": "2025-12-01", "value": 20, "comparator": "~"}]"#),
        "/crcl/0/comparator",
        "found text \"~\"",
    );
}

#[test]
fn a_series_point_needs_a_date_and_a_value() {
    assert_error(
        &err(r#""crcl": [{"value": 20}]"#),
        "/crcl/0",
        "a series value needs a `date`",
    );
    assert_error(
        &err(r#""crcl": [{"date": "2025-12-01"}]"#),
        "/crcl/0",
        "a series value needs a `value`",
    );
    assert_error(
        &err(r#""crcl": [{"date": "2025-12-01", "value": null}]"#),
        "/crcl/0",
        "needs a `value`",
    );
    assert_error(
        &err(r#""crcl": [{"date": "2025-12", "value": 20}]"#),
        "/crcl/0/date",
        "needs an exact date",
    );
    assert_error(
        &err(r#""crcl": [{"date": "2025-12-01", "value": "20"}]"#),
        "/crcl/0/value",
        "expected a number, or a censored value as text such as \"<20\"",
    );
    assert_error(&err(r#""crcl": [90]"#), "/crcl/0", "expected a dated value");
    assert_error(
        &err(r#""crcl": {"date": "2025-12-01", "value": 1}"#),
        "/crcl",
        "expected a series",
    );
    assert_error(
        &err(r#""crcl": [{"date": "2025-12-01T25:00:00Z", "value": 1}]"#),
        "/crcl/0/date",
        "RFC 3339",
    );
}

#[test]
fn an_unknown_key_in_a_series_value_is_a_warning() {
    let c = ok(r#""crcl": [{"date": "2025-12-01", "value": 20, "source": "lab"}]"#);
    assert_eq!(
        c.warnings,
        vec!["unknown key `source` in a value of `crcl`".to_string()]
    );
}

// ---- unknown keys ----------------------------------------------------------------------------

#[test]
fn an_unknown_top_level_key_is_a_warning_with_a_suggestion() {
    let c = ok(r#""ecgo": 1, "foo": 2"#);
    assert_eq!(
        c.warnings,
        vec![
            "unknown key `ecgo` in the case; did you mean `ecog`?".to_string(),
            "unknown key `foo` in the case".to_string()
        ]
    );
}

#[test]
fn ignored_keys_raise_no_warning() {
    let c = ok(r#""vignette": "a long story""#);
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
}

#[test]
fn an_unknown_key_is_an_error_when_strict() {
    let e = load_with(r#"{"case_id": "c-9", "ecgo": 1}"#, true).unwrap_err();
    assert_eq!(e.case, Some(CaseId::Text("c-9".into())));
    assert_error(
        &e,
        "/ecgo",
        "unknown key `ecgo` in the case; did you mean `ecog`?",
    );
    // ignored keys and as_of are fine when strict
    assert!(load_with(
        r#"{"case_id": "c-9", "vignette": 1, "as_of": "2026-01-01"}"#,
        true
    )
    .is_ok());
}

#[test]
fn json_pointers_escape_tilde_and_slash() {
    assert_eq!(escape_pointer("a/b~c"), "a~1b~0c");
    assert_eq!(escape_pointer("~1"), "~01");
    let e = load_with(r#"{"case_id": "c-1", "a/b~c": 1}"#, true).unwrap_err();
    assert_eq!(e.path, "/a~1b~0c");
    let e = err(r#""maybe": {"m~/n": "x"}"#);
    assert_error(&e, "/maybe/m~0~1n", "expected a number");
}

// ---- parse_json and load_field ---------------------------------------------------------------

#[test]
fn parse_json_keeps_number_text() {
    let v = parse_json(r#"{"x": 0.1000000000000000000001}"#).unwrap();
    let serde_json::Value::Object(o) = v else {
        panic!("object")
    };
    let Some(serde_json::Value::Number(n)) = o.get("x") else {
        panic!("number")
    };
    assert_eq!(n.as_str(), "0.1000000000000000000001");
}

#[test]
fn load_field_reads_one_value_as_a_case_would() {
    let p = protocol();
    let opts = LoadOptions::default();
    let (val, warnings) = load_field(&p, "ecog", &serde_json::json!(4), &opts).unwrap();
    assert!(matches!(val, Val::Known(ref v) if num(v).0 == dec("4")));
    assert!(warnings.is_empty());
    let (val, _) = load_field(&p, "onset", &serde_json::Value::Null, &opts).unwrap();
    assert_eq!(val, Val::Known(Value::None));
    let e = load_field(&p, "ecgo", &serde_json::json!(4), &opts).unwrap_err();
    assert_error(
        &e,
        "/ecgo",
        "unknown case field `ecgo`; did you mean `ecog`?",
    );
    let e = load_field(&p, "ecog", &serde_json::json!(7), &opts).unwrap_err();
    assert_error(&e, "/ecog", "7 is outside 0..4");
}
