//! Checks output records against `docs/decision.schema.json`.
//!
//! Any test can use it: `mod common;` and `use common::schema;`, then
//! `schema::assert_valid_decision(&value)` on every record the engine writes.

use std::sync::OnceLock;

use jsonschema::Validator;
use serde_json::Value;

/// The schema's text, as shipped in `docs/`.
pub const SCHEMA_TEXT: &str = include_str!("../../docs/decision.schema.json");

/// The schema as JSON.
pub fn schema() -> Value {
    match serde_json::from_str(SCHEMA_TEXT) {
        Ok(value) => value,
        Err(err) => panic!("docs/decision.schema.json is not JSON: {err}"),
    }
}

/// The compiled schema, built once per test binary.
fn validator() -> &'static Validator {
    static VALIDATOR: OnceLock<Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| compile(schema()))
}

/// The same schema with its root narrowed to one kind of record, so that a
/// failure names the key at fault instead of "not valid under any of the
/// schemas listed in the 'oneOf' keyword".
fn narrowed(def: &str) -> Value {
    let mut schema = schema();
    if let Some(root) = schema.as_object_mut() {
        root.shift_remove("oneOf");
        root.insert("$ref".into(), Value::from(format!("#/$defs/{def}")));
    }
    schema
}

/// The schema narrowed to decisions and to error records.
fn narrowed_validators() -> &'static (Validator, Validator) {
    static NARROWED: OnceLock<(Validator, Validator)> = OnceLock::new();
    NARROWED.get_or_init(|| {
        (
            compile(narrowed("decision")),
            compile(narrowed("error_record")),
        )
    })
}

fn compile(schema: Value) -> Validator {
    match jsonschema::draft202012::new(&schema) {
        Ok(validator) => validator,
        Err(err) => panic!("docs/decision.schema.json is not a valid schema: {err}"),
    }
}

/// Every way `record` breaks the schema, one line each as `at POINTER: message`
/// (empty when it is valid). A record with an `error` key is explained as an
/// error record, any other as a decision.
pub fn schema_errors(record: &Value) -> Vec<String> {
    if validator().is_valid(record) {
        return Vec::new();
    }
    let (decision, error) = narrowed_validators();
    let closest = if record.get("error").is_some() {
        error
    } else {
        decision
    };
    let errors: Vec<String> = closest
        .iter_errors(record)
        .map(|err| format!("at `{}`: {err}", err.instance_path()))
        .collect();
    if errors.is_empty() {
        return vec![String::from("neither a decision nor an error record")];
    }
    errors
}

/// Panics, listing every problem, unless `json` is a valid output record (a
/// decision or an error record).
pub fn assert_valid_decision(json: &Value) {
    let errors = schema_errors(json);
    assert!(
        errors.is_empty(),
        "record does not match docs/decision.schema.json:\n  {}\nrecord: {json}",
        errors.join("\n  ")
    );
}

/// Panics unless `json` breaks the schema.
pub fn assert_invalid_decision(json: &Value) {
    assert!(
        !validator().is_valid(json),
        "record should not match docs/decision.schema.json: {json}"
    );
}

/// Parses one line of output (as written by `Record::to_json_line`) and
/// checks it.
pub fn assert_valid_line(line: &str) -> Value {
    assert!(!line.contains('\n'), "a record must be one line: {line:?}");
    let value: Value = match serde_json::from_str(line) {
        Ok(value) => value,
        Err(err) => panic!("output line is not JSON ({err}): {line}"),
    };
    assert_valid_decision(&value);
    value
}
