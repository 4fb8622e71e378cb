//! Case loading: one JSON case turned into a typed [`Case`] against a
//! compiled protocol's schema.
//!
//! Every declared field appears in the loaded case. An absent key, or `null`
//! on a plain field, is unknown (its support is the field's JSON pointer);
//! `null` on an optional field is none, and so is an absent key on a field
//! declared `T? = none`. Numbers are read from their exact JSON text (serde_json
//! `arbitrary_precision`), never through a binary float. Values that do not fit
//! their declared type are a [`CaseError`] at the value's RFC 6901 pointer;
//! keys the schema does not declare, and free text an `open` vocabulary field
//! does not recognise, are warnings in [`Case::warnings`] (unknown keys are an
//! error with [`LoadOptions::strict`]). No error or warning repeats a
//! value the privacy rule of [`super::shown`] keeps out, unless
//! [`LoadOptions::show_values`] is set.

use super::model::{fold, Protocol};
use super::shown::Reveal;
use super::truth::{Missing, Support};
use super::value::{
    Case, CaseId, Comparator, DateRange, EnumValue, Point, Quantity, Record, Series, Val, Value,
    VocabValue,
};
use crate::check::ir::VocabId;
use crate::check::schema::{FieldSchema, FieldType, SeriesSource};
use crate::diag::did_you_mean;
use crate::syntax::ast::Openness;
use crate::syntax::number::MAX_DIGITS;
use crate::units::{convert, Unit};
use jiff::civil::{Date, Time};
use rust_decimal::Decimal;
use serde_json::{Map, Value as Json};
use std::fmt;

/// How strictly a case is read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoadOptions {
    /// Unknown keys (top level, in records, in series values) are errors
    /// instead of warnings.
    pub strict: bool,
    /// Errors and warnings repeat the case's values (`--show-values`)
    /// instead of describing them.
    pub show_values: bool,
}

/// Why a case could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseError {
    /// The case id, when it was read before the error.
    pub case: Option<CaseId>,
    /// The RFC 6901 pointer of the offending value (`""` for the whole case).
    pub path: String,
    /// What is wrong: lowercase, no final period, names in backticks.
    pub message: String,
}

impl CaseError {
    fn at(path: &str, message: impl Into<String>) -> CaseError {
        CaseError {
            case: None,
            path: path.to_string(),
            message: message.into(),
        }
    }
}

impl fmt::Display for CaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "`{}`: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for CaseError {}

type Loaded<T> = Result<T, CaseError>;

/// Reads one case's JSON text (numbers kept as their exact text via
/// serde_json's `arbitrary_precision`).
pub fn parse_json(text: &str) -> Result<Json, CaseError> {
    serde_json::from_str(text).map_err(|e| CaseError::at("", format!("invalid JSON: {e}")))
}

/// Loads one case against the protocol's case schema.
///
/// The error carries the case id when the id was read before the problem.
pub fn load_case(
    protocol: &Protocol,
    json: &Json,
    options: &LoadOptions,
) -> Result<Case, CaseError> {
    let mut loader = Loader::new(protocol, options);
    let Json::Object(object) = json else {
        return Err(CaseError::at(
            "",
            format!(
                "a case is a JSON object, found {}",
                loader.private().describe(json)
            ),
        ));
    };
    let id = case_id(&protocol.case.id_key, object, loader.reveal)?;
    let loaded = loader.case(object);
    match loaded {
        Ok((fields, as_of)) => Ok(Case {
            id,
            as_of,
            fields,
            warnings: loader.warnings,
        }),
        Err(mut error) => {
            error.case = Some(id);
            Err(error)
        }
    }
}

/// Why a case's text could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextError {
    /// The text is not JSON (the message is serde_json's).
    Json(CaseError),
    /// The JSON is not a case of the protocol.
    Case(CaseError),
}

/// Loads one case from its JSON text. The schema-directed reader
/// (`stream.rs`) reads the text straight into the case's slots; whatever
/// it does not read cleanly (bad JSON, a value of the wrong shape, any
/// error) is read again through `serde_json::Value` by [`load_case`], so
/// every error record is the same whichever reader met it first.
pub fn load_case_text(
    protocol: &Protocol,
    text: &str,
    options: &LoadOptions,
) -> Result<Case, TextError> {
    if let Some(case) = super::stream::read_case(protocol, text, options) {
        return Ok(case);
    }
    let json = parse_json(text).map_err(TextError::Json)?;
    load_case(protocol, &json, options).map_err(TextError::Case)
}

/// Loads one top-level field's value, as `salvage repl` sets a fact: the value
/// and the warnings it raised. `json` is the field's value (`null` reads as it
/// does in a case). An undeclared name is an error at its pointer.
pub fn load_field(
    protocol: &Protocol,
    name: &str,
    json: &Json,
    options: &LoadOptions,
) -> Result<(Val, Vec<String>), CaseError> {
    let path = pointer("", name);
    let Some(schema) = protocol.field(None, name) else {
        let names = protocol.case.fields.iter().map(|f| f.name.as_str());
        let message = with_suggestion(
            format!("unknown case field `{name}`"),
            did_you_mean(name, names),
        );
        return Err(CaseError::at(&path, message));
    };
    let mut loader = Loader::new(protocol, options);
    let val = loader.value(&schema.ty, json, &path)?;
    Ok((val, loader.warnings))
}

/// One reference token of a JSON pointer: `~` written `~0`, `/` written `~1`.
pub fn escape_pointer(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// `base` extended by one reference token.
pub(super) fn pointer(base: &str, token: &str) -> String {
    let mut path = String::with_capacity(base.len() + token.len() + 1);
    path.push_str(base);
    path.push('/');
    if token.bytes().any(|b| b == b'~' || b == b'/') {
        path.push_str(&escape_pointer(token));
    } else {
        path.push_str(token);
    }
    path
}

/// Reads an exact decimal from a JSON number's text (or the number in a
/// duration such as `"30 days"`): plain or scientific notation, at most 28
/// significant digits (counted from the first to the last non-zero digit)
/// and 28 decimal places. The written scale is kept when it fits (`90.0`).
pub fn parse_decimal(text: &str) -> Result<Decimal, String> {
    let parts = DecimalParts::read(text).ok_or_else(|| format!("`{text}` is not a number"))?;
    parts
        .to_decimal()
        .map_err(|problem| format!("the number `{text}` {problem}"))
}

/// The case id, as given: text, or a whole JSON number.
pub(super) fn case_id(key: &str, object: &Map<String, Json>, reveal: Reveal) -> Loaded<CaseId> {
    let path = pointer("", key);
    match object.get(key) {
        Some(Json::String(id)) if !id.is_empty() => Ok(CaseId::Text(id.clone())),
        Some(Json::String(_)) => Err(CaseError::at(&path, "the case id is empty")),
        Some(Json::Number(n)) if is_whole_text(n.as_str()) => {
            Ok(CaseId::Number(n.as_str().to_string()))
        }
        None | Some(Json::Null) => Err(CaseError::at(
            &path,
            format!("the case has no id (key `{key}`)"),
        )),
        Some(other) => Err(CaseError::at(
            &path,
            format!(
                "the case id must be text or a whole number, found {}",
                reveal.describe(other)
            ),
        )),
    }
}

fn is_whole_text(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Loads values, collecting warnings.
pub(super) struct Loader<'a> {
    pub(super) protocol: &'a Protocol,
    strict: bool,
    pub(super) warnings: Vec<String>,
    /// What messages may show of the values at hand: short codes, or
    /// everything with `--show-values`; nothing inside a record.
    reveal: Reveal,
}

/// The keys of a series value.
const POINT_KEYS: &[&str] = &["date", "value", "unit", "comparator"];
/// The keys of a quantity: a number written with its unit.
const QUANTITY_KEYS: &[&str] = &["value", "unit"];
/// What a quantity without a unit is told.
const QUANTITY_NEEDS_UNIT: &str =
    "a quantity needs a `unit` (text), as in {\"value\": 2, \"unit\": \"weeks\"}";

impl<'a> Loader<'a> {
    pub(super) fn new(protocol: &'a Protocol, options: &LoadOptions) -> Loader<'a> {
        Loader {
            protocol,
            strict: options.strict,
            warnings: Vec::new(),
            reveal: Reveal::of_run(options.show_values),
        }
    }

    /// What messages may show of a value that is never shown by default.
    pub(super) fn private(&self) -> Reveal {
        self.reveal.private()
    }

    /// `read` of a record's fields: no value inside a record is shown.
    fn in_record<T>(&mut self, read: impl FnOnce(&mut Self) -> T) -> T {
        let outside = self.reveal;
        self.reveal = outside.private();
        let read = read(self);
        self.reveal = outside;
        read
    }

    /// The declared fields, the evaluation date, and warnings for unknown keys.
    fn case(&mut self, object: &Map<String, Json>) -> Loaded<(Vec<Val>, Option<Date>)> {
        let schema = &self.protocol.case;
        let fields = self.fields(&schema.fields, object, "")?;
        let as_of = self.as_of(object, &fields)?;
        let known = schema.known_keys();
        for key in object.keys() {
            if !known.contains(&key.as_str()) {
                self.unknown_key(key, &known, "", "the case")?;
            }
        }
        Ok((fields, as_of))
    }

    /// Every declared field of a record (or the case) at `base`.
    fn fields(
        &mut self,
        schema: &[FieldSchema],
        object: &Map<String, Json>,
        base: &str,
    ) -> Loaded<Vec<Val>> {
        let mut fields = Vec::with_capacity(schema.len());
        for field in schema {
            let path = pointer(base, field.key());
            let val = match (object.get(field.key()), &field.from) {
                (Some(json), Some(source)) => self.sourced_series(field, source, json, &path)?,
                (Some(json), None) => self.value(&field.ty, json, &path)?,
                (None, _) if field.absent_is_none => Val::Known(Value::None),
                (None, _) if field.default.is_some() => self.default_of(field, &path)?,
                (None, _) => unknown(&path),
            };
            fields.push(val);
        }
        Ok(fields)
    }

    /// What an absent key of a field declared `= LITERAL` reads as: the
    /// literal, read as the field's value would be.
    pub(super) fn default_of(&mut self, field: &FieldSchema, path: &str) -> Loaded<Val> {
        match &field.default {
            Some(json) => self.value(&field.ty, json, path),
            None => Ok(unknown(path)),
        }
    }

    /// The `as_of` key; else the field the schema's `as_of = NAME` names.
    pub(super) fn as_of(&self, object: &Map<String, Json>, fields: &[Val]) -> Loaded<Option<Date>> {
        match object.get("as_of") {
            None | Some(Json::Null) => {}
            Some(Json::String(text)) => {
                return exact_date(text).map(Some).ok_or_else(|| {
                    CaseError::at(
                        "/as_of",
                        format!(
                            "expected a date `YYYY-MM-DD`, found {}",
                            self.private().text(text)
                        ),
                    )
                });
            }
            Some(other) => {
                return Err(CaseError::at(
                    "/as_of",
                    format!(
                        "expected a date `YYYY-MM-DD`, found {}",
                        self.private().describe(other)
                    ),
                ))
            }
        }
        let Some((slot, name)) = self.declared_as_of() else {
            return Ok(None);
        };
        match fields.get(slot) {
            Some(Val::Known(Value::Date(range))) => range.exact().map(Some).ok_or_else(|| {
                CaseError::at(
                    &pointer("", name),
                    format!(
                        "the evaluation date `{name}` must be an exact date, found a partial date"
                    ),
                )
            }),
            _ => Ok(None),
        }
    }

    /// The field named by `as_of = NAME` (its slot and name), when it is a
    /// date field.
    fn declared_as_of(&self) -> Option<(usize, &'a str)> {
        let slot = self.protocol.case.as_of?;
        let field = self.protocol.case.fields.get(slot)?;
        Some((slot, field.name.as_str()))
    }

    /// A key the schema does not declare: a warning, or an error when strict.
    pub(super) fn unknown_key(
        &mut self,
        key: &str,
        known: &[&str],
        base: &str,
        within: &str,
    ) -> Loaded<()> {
        let suggestion = did_you_mean(key, known.iter().copied());
        let message = with_suggestion(format!("unknown key `{key}` in {within}"), suggestion);
        if self.strict {
            return Err(CaseError::at(&pointer(base, key), message));
        }
        self.warn(message);
        Ok(())
    }

    fn warn(&mut self, message: String) {
        if !self.warnings.contains(&message) {
            self.warnings.push(message);
        }
    }

    /// A value of type `ty` at `path`.
    pub(super) fn value(&mut self, ty: &FieldType, json: &Json, path: &str) -> Loaded<Val> {
        if json.is_null() || self.null_quantity(ty, json, path)? {
            return Ok(match ty {
                FieldType::Optional(_) => Val::Known(Value::None),
                _ => unknown(path),
            });
        }
        let value = match ty {
            FieldType::Optional(inner) => return self.value(inner, json, path),
            FieldType::Bool => boolean(json, path, self.reveal)?,
            FieldType::Num { int, unit, range } => {
                let spec = NumSpec {
                    int: *int,
                    unit: unit.as_ref(),
                    range: *range,
                };
                self.number(&spec, json, path)?
            }
            FieldType::Text => text(json, path, self.private())?,
            FieldType::Date => Value::Date(date_value(json, path, self.private())?),
            FieldType::Duration => self.duration(json, path)?,
            FieldType::Enum(name) => self.enumeration(name, json, path)?,
            FieldType::Agent(open) => return self.vocab(VocabKind::Agent, *open, json, path),
            FieldType::Regimen(open) => return self.vocab(VocabKind::Regimen, *open, json, path),
            FieldType::List(inner) => Value::List(self.list(inner, json, path)?),
            FieldType::Set(inner) => Value::List(dedup(self.list(inner, json, path)?)),
            FieldType::Map(key, val) => self.map(key, val, json, path)?,
            FieldType::Series(unit) => Value::Series(Box::new(self.series(unit, json, path)?)),
            FieldType::History(record) => {
                let lines = self.list(&FieldType::Record(record.clone()), json, path)?;
                Value::List(lines)
            }
            FieldType::Record(name) => Value::Record(Box::new(self.record(name, json, path)?)),
            FieldType::Error => return Err(CaseError::at(path, "the protocol did not check")),
        };
        Ok(Val::Known(value))
    }

    /// A JSON array, each element loaded as `ty` at `path/i`.
    fn list(&mut self, ty: &FieldType, json: &Json, path: &str) -> Loaded<Vec<Val>> {
        let Json::Array(items) = json else {
            return Err(CaseError::at(
                path,
                format!("expected a list, found {}", self.reveal.describe(json)),
            ));
        };
        items
            .iter()
            .enumerate()
            .map(|(i, item)| self.value(ty, item, &pointer(path, &i.to_string())))
            .collect()
    }

    /// A JSON object whose keys are read as `key` and values as `val`.
    fn map(&mut self, key: &FieldType, val: &FieldType, json: &Json, path: &str) -> Loaded<Value> {
        let Json::Object(object) = json else {
            return Err(CaseError::at(
                path,
                format!(
                    "expected a map (a JSON object), found {}",
                    self.reveal.describe(json)
                ),
            ));
        };
        let mut entries: Vec<(Value, Val)> = Vec::with_capacity(object.len());
        let mut written: Vec<&str> = Vec::with_capacity(object.len());
        for (text, item) in object {
            let item_path = pointer(path, text);
            let k = self.map_key(key, text, &item_path)?;
            if let Some(i) = entries.iter().position(|(other, _)| *other == k) {
                let first = written.get(i).copied().unwrap_or_default();
                return Err(CaseError::at(
                    &item_path,
                    format!(
                        "the key {} names the same key as {}",
                        self.reveal.quote(text),
                        self.reveal.quote(first)
                    ),
                ));
            }
            let v = self.value(val, item, &item_path)?;
            entries.push((k, v));
            written.push(text);
        }
        Ok(Value::Map(entries))
    }

    /// A map key read as its declared type: numbers and booleans from their text.
    fn map_key(&mut self, ty: &FieldType, text: &str, path: &str) -> Loaded<Value> {
        let json = match base_type(ty) {
            FieldType::Num { .. } | FieldType::Bool => serde_json::from_str::<Json>(text)
                .ok()
                .filter(|j| j.is_number() || j.is_boolean()),
            _ => None,
        }
        .unwrap_or_else(|| Json::String(text.to_string()));
        match self.value(ty, &json, path)? {
            Val::Known(Value::None) => Err(CaseError::at(path, "a map key cannot be none")),
            Val::Unknown(_) => Err(CaseError::at(
                path,
                "a map key must name a declared agent or regimen (add an alias)",
            )),
            Val::Known(value) => Ok(value),
        }
    }

    /// A record of type `name` at `path`.
    fn record(&mut self, name: &str, json: &Json, path: &str) -> Loaded<Record> {
        let Json::Object(object) = json else {
            return Err(CaseError::at(
                path,
                format!(
                    "expected a `{name}` record (a JSON object), found {}",
                    self.reveal.describe(json)
                ),
            ));
        };
        let protocol = self.protocol;
        let Some((ty, schema)) = protocol.record_type(name) else {
            return Err(CaseError::at(
                path,
                format!("the protocol has no record `{name}`"),
            ));
        };
        let fields = self.in_record(|loader| loader.fields(schema, object, path))?;
        let known: Vec<&str> = schema.iter().map(|f| f.name.as_str()).collect();
        for key in object.keys() {
            if !known.contains(&key.as_str()) {
                self.unknown_key(key, &known, path, &format!("a `{name}` record"))?;
            }
        }
        Ok(Record {
            fields,
            ty,
            path: path.to_string(),
        })
    }

    /// A number: bare in the declared unit, or `{"value": …, "unit": …}`
    /// converted to it; whole for `int`; within the declared bounds.
    fn number(&mut self, spec: &NumSpec<'_>, json: &Json, path: &str) -> Loaded<Value> {
        let (written, unit) = self.quantity(json, path)?;
        let value = match (&unit, spec.unit) {
            (None, _) => written,
            (Some(given), Some(declared)) => in_unit(
                written,
                given,
                declared,
                &pointer(path, "unit"),
                self.reveal,
            )?,
            (Some(given), None) => {
                return Err(CaseError::at(
                    &pointer(path, "unit"),
                    format!("this number has no unit, found a value in `{given}`"),
                ))
            }
        };
        let value = if spec.int {
            whole(value, path, self.reveal)?
        } else {
            value
        };
        if let Some((low, high)) = spec.range {
            if value < low || value > high {
                let unit = spec.unit.map(|u| format!(" {u}")).unwrap_or_default();
                let written = value.to_string();
                let shown = match self.reveal.shows(&written) {
                    true => format!("{written}{unit}"),
                    false => "the value".to_string(),
                };
                return Err(CaseError::at(
                    path,
                    format!("{shown} is outside {low}..{high}{unit}"),
                ));
            }
        }
        Ok(Value::Num(Quantity {
            value,
            unit: spec.unit.cloned(),
        }))
    }

    /// A bare number, or a quantity `{"value": N, "unit": U}`: the value
    /// and its unit.
    fn quantity(&mut self, json: &Json, path: &str) -> Loaded<(Decimal, Option<Unit>)> {
        let Json::Object(object) = json else {
            return Ok((number_of(json, path, self.reveal)?, None));
        };
        match self.quantity_object(object, path)? {
            (Some(value), unit) => Ok((value, Some(unit))),
            // `value()` reads a null value as `null` before it gets here.
            (None, _) => Err(CaseError::at(path, "a quantity needs a `value`")),
        }
    }

    /// `{"value": N, "unit": U}` with exactly those keys: the value (`None`
    /// for `null`) and the unit, looked up in the protocol's table.
    fn quantity_object(
        &self,
        object: &Map<String, Json>,
        path: &str,
    ) -> Loaded<(Option<Decimal>, Unit)> {
        if object.contains_key("comparator") {
            return Err(CaseError::at(
                &pointer(path, "comparator"),
                "a censored value (`comparator`) is only allowed in a series",
            ));
        }
        if let Some(key) = object.keys().find(|k| !QUANTITY_KEYS.contains(&k.as_str())) {
            return Err(CaseError::at(
                &pointer(path, key),
                "a quantity has only the keys `value` and `unit`",
            ));
        }
        let unit = match self.unit_of(object, "unit", path)? {
            Some(unit) => unit,
            None => return Err(CaseError::at(path, QUANTITY_NEEDS_UNIT)),
        };
        let value_path = pointer(path, "value");
        let value = match object.get("value") {
            None => return Err(CaseError::at(path, "a quantity needs a `value`")),
            Some(Json::Null) => None,
            Some(v @ Json::Number(_)) => Some(number_of(v, &value_path, self.reveal)?),
            Some(other) => {
                return Err(CaseError::at(
                    &value_path,
                    format!("expected a number, found {}", kind_of(other)),
                ))
            }
        };
        Ok((value, unit))
    }

    /// Whether `json` is a quantity whose value is `null` in a number or
    /// duration field: it reads as `null` does (its keys and unit must
    /// still be right).
    fn null_quantity(&self, ty: &FieldType, json: &Json, path: &str) -> Loaded<bool> {
        let (FieldType::Num { .. } | FieldType::Duration) = base_type(ty) else {
            return Ok(false);
        };
        let Json::Object(object) = json else {
            return Ok(false);
        };
        if !matches!(object.get("value"), Some(Json::Null)) {
            return Ok(false);
        }
        self.quantity_object(object, path)?;
        Ok(true)
    }

    /// The `unit` key of an object, if given.
    fn unit_of(&self, object: &Map<String, Json>, key: &str, path: &str) -> Loaded<Option<Unit>> {
        let unit_path = pointer(path, key);
        match object.get(key) {
            None | Some(Json::Null) => Ok(None),
            Some(Json::String(text)) => self.lookup_unit(text, &unit_path).map(Some),
            Some(other) => Err(CaseError::at(
                &unit_path,
                format!("expected a unit as text, found {}", kind_of(other)),
            )),
        }
    }

    /// The unit `text` names. An unknown one is named in the error only
    /// when the privacy rule shows it (free text in a unit key is not
    /// echoed); the suggestion, a unit name, always is.
    fn lookup_unit(&self, text: &str, path: &str) -> Loaded<Unit> {
        self.protocol.units.lookup(text).ok_or_else(|| {
            let suggestion = did_you_mean(text, self.protocol.units.names());
            let problem = match self.reveal.shows(text) {
                true => format!("unknown unit `{text}`"),
                false => "this text is not a unit Salvage knows".to_string(),
            };
            CaseError::at(path, with_suggestion(problem, suggestion))
        })
    }

    /// A duration: `{"value": 12, "unit": "months"}` or `"30 days"`, kept in
    /// the unit written.
    fn duration(&mut self, json: &Json, path: &str) -> Loaded<Value> {
        let (value, unit) = match json {
            Json::String(text) => self.duration_text(text, path)?,
            Json::Object(_) => self.quantity(json, path)?,
            other => {
                return Err(CaseError::at(
                    path,
                    format!(
                        "expected a duration such as \"30 days\" or {{\"value\": 30, \"unit\": \"days\"}}, found {}",
                        self.reveal.describe(other)
                    ),
                ))
            }
        };
        let Some(unit) = unit else {
            return Err(CaseError::at(
                path,
                "a duration needs a unit (`days`, `weeks`, `months`, `years`, …)",
            ));
        };
        if !unit.is_duration() {
            return Err(CaseError::at(
                path,
                format!("`{unit}` is not a unit of time"),
            ));
        }
        Ok(Value::Num(Quantity {
            value,
            unit: Some(unit),
        }))
    }

    /// `"30 days"`: a number, then a unit.
    fn duration_text(&self, text: &str, path: &str) -> Loaded<(Decimal, Option<Unit>)> {
        let trimmed = text.trim();
        let split = trimmed
            .find(|c: char| c.is_whitespace() || c.is_alphabetic())
            .unwrap_or(trimmed.len());
        let (number, unit) = (
            trimmed.get(..split).unwrap_or(""),
            trimmed.get(split..).unwrap_or("").trim(),
        );
        if number.is_empty() || unit.is_empty() {
            return Err(CaseError::at(
                path,
                format!(
                    "expected a duration such as \"30 days\", found {}",
                    self.reveal.text(text)
                ),
            ));
        }
        let value = decimal_at(number, path, self.reveal)?;
        Ok((value, Some(self.lookup_unit(unit, path)?)))
    }

    /// A value of the enum `name`, by any of its spellings.
    fn enumeration(&self, name: &str, json: &Json, path: &str) -> Loaded<Value> {
        let id = self.protocol.enum_ids.get(name).copied();
        let Some((id, info)) =
            id.and_then(|id| Some((id, self.protocol.enums.get(id.0 as usize)?)))
        else {
            return Err(CaseError::at(
                path,
                format!("the protocol has no enum `{name}`"),
            ));
        };
        let Json::String(text) = json else {
            return Err(CaseError::at(
                path,
                format!(
                    "expected a value of `{name}`, found {}",
                    self.reveal.describe(json)
                ),
            ));
        };
        let folded = fold(text);
        let value =
            |index: usize| (index < info.values.len()).then_some(EnumValue { ty: id, index });
        if let Some(found) = info.spellings.get(&folded).and_then(|i| value(*i)) {
            return Ok(Value::Enum(found));
        }
        let suggestion = did_you_mean(&folded, info.spellings.keys().map(String::as_str))
            .and_then(|s| info.spellings.get(&s))
            .and_then(|i| info.values.get(*i))
            .cloned();
        Err(CaseError::at(
            path,
            with_suggestion(
                format!("{} is not a value of `{name}`", self.reveal.quote(text)),
                suggestion,
            ),
        ))
    }

    /// An agent or regimen named in free text. Text in an `open` field that
    /// resolves to nothing is unknown, its path asked for with `why: unrecognised`.
    fn vocab(&mut self, kind: VocabKind, open: Openness, json: &Json, path: &str) -> Loaded<Val> {
        let Json::String(text) = json else {
            return Err(CaseError::at(
                path,
                format!(
                    "expected {} name as text, found {}",
                    kind.article(),
                    self.private().describe(json)
                ),
            ));
        };
        let reading = self.vocab_reading(kind, open, text, self.private());
        self.read_vocab(&reading, text, path)
    }

    /// How `text` reads in a field of `kind` and openness `open`, worded
    /// as `reveal` allows: a function of the protocol, the text and
    /// `reveal` only (not of the path), so the case reader may keep it
    /// across cases.
    pub(super) fn vocab_reading(
        &self,
        kind: VocabKind,
        open: Openness,
        text: &str,
        reveal: Reveal,
    ) -> VocabReading {
        let vocab = &self.protocol.vocab;
        let resolved = vocab.spelled(&fold(text));
        if let Some(id) = resolved.filter(|id| kind.declares(self.protocol, *id)) {
            return VocabReading::Known(id);
        }
        if let Some(reading) = self.reading_by_words(kind, text, reveal) {
            return reading;
        }
        let suggestion = self.vocab_suggestion(kind, text);
        let problem = match resolved.map(|id| vocab.name(id)) {
            Some(name) => format!(
                "{} names `{name}`, {}, not {}",
                reveal.quote(text),
                kind.other().article(),
                kind.article()
            ),
            None => format!("{} is not a known {}", reveal.quote(text), kind.word()),
        };
        match open {
            Openness::Closed => VocabReading::Refused(with_suggestion(problem, suggestion)),
            Openness::OpenOther if resolved.is_none() => {
                let note = format!(
                    "read as {} outside the vocabulary (`open other`)",
                    kind.article()
                );
                VocabReading::Other(with_suggestion(format!("{problem}; {note}"), suggestion))
            }
            Openness::Open | Openness::OpenOther => {
                let note = if resolved.is_none() {
                    "matches on it are unknown (add an alias)"
                } else {
                    "matches on it are unknown"
                };
                VocabReading::Unknown(with_suggestion(format!("{problem}; {note}"), suggestion))
            }
        }
    }

    /// How `text` reads by the word aliases of names of `kind`: the one name
    /// they match, or ambiguous when they match two or more; `None` when they
    /// match none.
    fn reading_by_words(
        &self,
        kind: VocabKind,
        text: &str,
        reveal: Reveal,
    ) -> Option<VocabReading> {
        let vocab = &self.protocol.vocab;
        let mut named = vocab.named_by_words(text);
        named.retain(|id| kind.declares(self.protocol, *id));
        match named[..] {
            [] => None,
            [id] => Some(VocabReading::Known(id)),
            _ => {
                let names: Vec<String> = named
                    .iter()
                    .map(|id| format!("`{}`", vocab.name(*id)))
                    .collect();
                Some(VocabReading::Ambiguous(format!(
                    "{} matches the word aliases of {}; matches on it are unknown",
                    reveal.quote(text),
                    names.join(" and ")
                )))
            }
        }
    }

    /// The value of vocabulary text `text` at `path` as `reading` reads it,
    /// with its warning.
    pub(super) fn read_vocab(
        &mut self,
        reading: &VocabReading,
        text: &str,
        path: &str,
    ) -> Loaded<Val> {
        match reading {
            VocabReading::Known(id) => Ok(Val::Known(Value::Vocab(VocabValue::Known(*id)))),
            VocabReading::Refused(problem) => Err(CaseError::at(path, problem.as_str())),
            VocabReading::Other(warning) => {
                self.warn(at_path(path, warning));
                Ok(Val::Known(Value::Vocab(VocabValue::Other(
                    text.to_string(),
                ))))
            }
            VocabReading::Unknown(warning) => {
                self.warn(at_path(path, warning));
                Ok(Val::Unknown(Support::unrecognised(path)))
            }
            VocabReading::Ambiguous(warning) => {
                self.warn(at_path(path, warning));
                Ok(Val::Unknown(Support::ambiguous(path)))
            }
        }
    }

    /// The declared agent or regimen closest to `text`.
    fn vocab_suggestion(&self, kind: VocabKind, text: &str) -> Option<String> {
        let key = format!("{}\u{0}{text}", kind.word());
        let protocol = self.protocol;
        protocol
            .suggestions
            .get_or(key, || self.closest_vocab(kind, text))
    }

    /// The declared agent or regimen closest to `text`, searched afresh.
    fn closest_vocab(&self, kind: VocabKind, text: &str) -> Option<String> {
        let vocab = &self.protocol.vocab;
        let candidates = vocab
            .spellings()
            .filter(|(_, id)| kind.declares(self.protocol, *id))
            .map(|(spelling, _)| spelling);
        let best = did_you_mean(&fold(text), candidates)?;
        vocab.spelled(&best).map(|id| vocab.name(id).to_string())
    }

    /// A series: dated values in the declared unit, in date, time, array order.
    fn series(&mut self, declared: &Unit, json: &Json, path: &str) -> Loaded<Series> {
        let Json::Array(items) = json else {
            return Err(CaseError::at(
                path,
                format!(
                    "expected a series (a list of dated values), found {}",
                    self.reveal.describe(json)
                ),
            ));
        };
        let name = path
            .rsplit('/')
            .next()
            .unwrap_or(path)
            .replace("~1", "/")
            .replace("~0", "~");
        let mut points = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            let point_path = pointer(path, &index.to_string());
            points.push(self.point(declared, item, index, &point_path, &name)?);
        }
        points.sort_by_key(|p| (p.date, p.time, p.index));
        Ok(Series {
            points,
            path: path.to_string(),
            selector: None,
        })
    }

    /// One series value: `{"date", "value", "unit"?, "comparator"?}`.
    fn point(
        &mut self,
        declared: &Unit,
        json: &Json,
        index: usize,
        path: &str,
        series: &str,
    ) -> Loaded<Point> {
        let Json::Object(object) = json else {
            return Err(CaseError::at(
                path,
                format!(
                    "expected a dated value {{\"date\": …, \"value\": …}}, found {}",
                    self.reveal.describe(json)
                ),
            ));
        };
        for key in object.keys() {
            if !POINT_KEYS.contains(&key.as_str()) {
                self.unknown_key(key, POINT_KEYS, path, &format!("a value of `{series}`"))?;
            }
        }
        self.in_record(|loader| {
            loader.point_parts(declared, object, index, path, &PointKeys::PLAIN)
        })
    }

    /// A series value's parts, each under its key: its date, its value
    /// (a number, or a censored value in its text or with a comparator), in
    /// the declared unit.
    fn point_parts(
        &mut self,
        declared: &Unit,
        object: &Map<String, Json>,
        index: usize,
        path: &str,
        keys: &PointKeys<'_>,
    ) -> Loaded<Point> {
        let (date, time) = point_date(object, keys.date, path, self.reveal)?;
        let value_path = pointer(path, keys.value);
        let (value, written) = match object.get(keys.value) {
            None | Some(Json::Null) => {
                return Err(CaseError::at(
                    path,
                    format!("a series value needs a `{}`", keys.value),
                ))
            }
            Some(Json::String(text)) => censored_text(text, &value_path)?,
            Some(v) => (number_of(v, &value_path, self.reveal)?, None),
        };
        let comparator_path = pointer(path, keys.comparator);
        let keyed = comparator(object.get(keys.comparator), &comparator_path, self.reveal)?;
        let comparator = match (written, keyed) {
            (Some(_), Some(_)) => {
                return Err(CaseError::at(
                    &pointer(path, keys.comparator),
                    format!(
                    "a censored value gives its comparator once: in the text of `{}` or in `{}`",
                    keys.value, keys.comparator
                ),
                ))
            }
            (written, keyed) => written.or(keyed),
        };
        let value = match self.unit_of(object, keys.unit, path)? {
            Some(given) => in_unit(
                value,
                &given,
                declared,
                &pointer(path, keys.unit),
                self.reveal,
            )?,
            None => value,
        };
        Ok(Point {
            date,
            time,
            value: Quantity {
                value,
                unit: Some(*declared),
            },
            comparator,
            index,
        })
    }

    /// A series read from the records of a case list whose key holds one of
    /// the source's texts, in date, time, array order; the other records
    /// are not read. A record without the key (or not a record) is an
    /// error: it could be one of the series' values.
    pub(super) fn sourced_series(
        &mut self,
        field: &FieldSchema,
        source: &SeriesSource,
        json: &Json,
        path: &str,
    ) -> Loaded<Val> {
        let FieldType::Series(declared) = &field.ty else {
            return Err(CaseError::at(
                path,
                "a series read from a list is not a series",
            ));
        };
        let items = match json {
            Json::Null => return Ok(unknown(path)),
            Json::Array(items) => items,
            other => {
                return Err(CaseError::at(
                    path,
                    format!("expected a list of records, found {}", kind_of(other)),
                ))
            }
        };
        let keys = PointKeys::of(source);
        let mut points = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let item_path = pointer(path, &index.to_string());
            let Json::Object(record) = item else {
                return Err(CaseError::at(
                    &item_path,
                    format!("expected a record {{…}}, found {}", kind_of(item)),
                ));
            };
            if belongs(record, source, &item_path, &field.name)? {
                let point = self.in_record(|loader| {
                    loader.point_parts(declared, record, index, &item_path, &keys)
                })?;
                points.push(point);
            }
        }
        points.sort_by_key(|p| (p.date, p.time, p.index));
        Ok(Val::Known(Value::Series(Box::new(Series {
            points,
            path: path.to_string(),
            selector: Some(source.shown.clone()),
        }))))
    }
}

/// The record keys a series value's parts are read from.
pub(super) struct PointKeys<'k> {
    value: &'k str,
    date: &'k str,
    unit: &'k str,
    comparator: &'k str,
}

impl<'k> PointKeys<'k> {
    /// A series value's own keys.
    const PLAIN: PointKeys<'static> = PointKeys {
        value: "value",
        date: "date",
        unit: "unit",
        comparator: "comparator",
    };

    /// The keys a series source names.
    fn of(source: &'k SeriesSource) -> PointKeys<'k> {
        PointKeys {
            value: &source.value,
            date: &source.date,
            unit: &source.unit,
            comparator: &source.comparator,
        }
    }
}

/// Whether a record of a series source's list is one of the series'
/// values: its key holds one of the texts, compared as names are.
fn belongs(
    record: &Map<String, Json>,
    source: &SeriesSource,
    path: &str,
    series: &str,
) -> Loaded<bool> {
    match record.get(&source.key) {
        Some(Json::String(text)) => Ok(source
            .accepts
            .iter()
            .any(|a| crate::check::folds_to(text, a))),
        None | Some(Json::Null) => Err(CaseError::at(
            path,
            format!(
                "a record of `{}` needs `{}`: the series `{series}` reads the records where {}",
                source.list, source.key, source.shown
            ),
        )),
        Some(other) => Err(CaseError::at(
            &pointer(path, &source.key),
            format!("expected text, found {}", kind_of(other)),
        )),
    }
}

/// What a number field requires.
struct NumSpec<'t> {
    int: bool,
    unit: Option<&'t Unit>,
    range: Option<(Decimal, Decimal)>,
}

/// Agent or regimen.
#[derive(Debug, Clone, Copy)]
pub(super) enum VocabKind {
    Agent,
    Regimen,
}

impl VocabKind {
    fn word(self) -> &'static str {
        match self {
            VocabKind::Agent => "agent",
            VocabKind::Regimen => "regimen",
        }
    }

    fn article(self) -> &'static str {
        match self {
            VocabKind::Agent => "an agent",
            VocabKind::Regimen => "a regimen",
        }
    }

    fn other(self) -> VocabKind {
        match self {
            VocabKind::Agent => VocabKind::Regimen,
            VocabKind::Regimen => VocabKind::Agent,
        }
    }

    /// Whether `id` is declared as this kind.
    pub(super) fn declares(self, protocol: &Protocol, id: VocabId) -> bool {
        match self {
            VocabKind::Agent => protocol.vocab.is_agent(id),
            VocabKind::Regimen => protocol.vocab.is_regimen(id),
        }
    }
}

/// How free text in an agent or regimen field reads (see
/// [`Loader::vocab_reading`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum VocabReading {
    /// It names a declared agent or regimen of the field's kind.
    Known(VocabId),
    /// An error (a closed field): the message.
    Refused(String),
    /// A known name outside the vocabulary (`open other`): the warning
    /// after its path.
    Other(String),
    /// Unknown (`open`): the warning after its path.
    Unknown(String),
    /// Unknown because the word aliases of two or more names match it (in
    /// any field): the warning after its path.
    Ambiguous(String),
}

/// A warning about the value at `path`: "`path`: " then `message`.
fn at_path(path: &str, message: &str) -> String {
    let mut out = String::with_capacity(path.len() + message.len() + 4);
    out.push('`');
    out.push_str(path);
    out.push_str("`: ");
    out.push_str(message);
    out
}

/// Unknown, settled by the fact at `path`.
pub(super) fn unknown(path: &str) -> Val {
    Val::Unknown(Support::of(Missing::fact(path)))
}

/// The type under any `?`.
pub(super) fn base_type(ty: &FieldType) -> &FieldType {
    match ty {
        FieldType::Optional(inner) => base_type(inner),
        other => other,
    }
}

/// Removes repeats, keeping first occurrences.
pub(super) fn dedup(items: Vec<Val>) -> Vec<Val> {
    let mut out: Vec<Val> = Vec::with_capacity(items.len());
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

fn boolean(json: &Json, path: &str, reveal: Reveal) -> Loaded<Value> {
    match json {
        Json::Bool(b) => Ok(Value::Bool(*b)),
        other => Err(CaseError::at(
            path,
            format!("expected true or false, found {}", reveal.describe(other)),
        )),
    }
}

fn text(json: &Json, path: &str, reveal: Reveal) -> Loaded<Value> {
    match json {
        Json::String(s) => Ok(Value::Text(s.clone())),
        other => Err(CaseError::at(
            path,
            format!("expected text, found {}", reveal.describe(other)),
        )),
    }
}

/// A JSON number as an exact decimal.
fn number_of(json: &Json, path: &str, reveal: Reveal) -> Loaded<Decimal> {
    match json {
        Json::Number(n) => decimal_at(n.as_str(), path, reveal),
        other => Err(CaseError::at(
            path,
            format!("expected a number, found {}", reveal.describe(other)),
        )),
    }
}

/// The exact decimal of a number's text at `path`, or why it is not one
/// (naming the text only where `reveal` shows it).
fn decimal_at(text: &str, path: &str, reveal: Reveal) -> Loaded<Decimal> {
    let problem = match DecimalParts::read(text) {
        None => "is not a number",
        Some(parts) => match parts.to_decimal() {
            Ok(value) => return Ok(value),
            Err(problem) => problem,
        },
    };
    let message = match reveal.shows(text) {
        true => format!("the number `{text}` {problem}"),
        false => format!("this number {problem}"),
    };
    Err(CaseError::at(path, message))
}

/// `value` in `from`, converted to `to` (through the analyte `to`
/// measures, if it has one).
fn in_unit(value: Decimal, from: &Unit, to: &Unit, path: &str, reveal: Reveal) -> Loaded<Decimal> {
    if !from.converts_to(to) {
        return Err(CaseError::at(path, does_not_convert(from, to)));
    }
    convert(value, from, to).ok_or_else(|| {
        let written = value.to_string();
        let shown = match reveal.shows(&written) {
            true => format!("{written} {from}"),
            false => format!("the value in `{from}`"),
        };
        CaseError::at(path, format!("{shown} cannot be converted to `{to}`"))
    })
}

/// Why a value in `from` does not convert to the declared `to`.
fn does_not_convert(from: &Unit, to: &Unit) -> String {
    let (f, t) = (from.dimension(), to.dimension());
    if from.is_calendar() && to.is_fixed_duration() {
        return format!(
            "expected a fixed duration in `{to}`, found `{from}`: a calendar duration has no fixed number of days"
        );
    }
    format!("expected a value in `{to}` or a unit that converts to it, found `{from}`: a {f} does not convert to a {t}")
}

/// A whole number, with its trailing decimal zeros dropped.
fn whole(value: Decimal, path: &str, reveal: Reveal) -> Loaded<Decimal> {
    if value.fract().is_zero() {
        Ok(value.normalize())
    } else {
        Err(CaseError::at(
            path,
            format!(
                "expected a whole number, found {}",
                reveal.number(&value.to_string())
            ),
        ))
    }
}

/// A censored value written as text, as laboratory systems export it:
/// `"<20"`, `"<= 20"`, `">1000000"` (a comparator, optional spaces, a
/// number). Other text is an error that does not repeat it (it may be
/// anything a record holds).
pub(super) fn censored_text(text: &str, path: &str) -> Loaded<(Decimal, Option<Comparator>)> {
    let refuse = || {
        CaseError::at(
            path,
            "expected a number, or a censored value as text such as \"<20\"",
        )
    };
    let trimmed = text.trim();
    let (comparator, rest) = [
        ("<=", Comparator::AtMost),
        (">=", Comparator::AtLeast),
        ("<", Comparator::Below),
        (">", Comparator::Above),
    ]
    .into_iter()
    .find_map(|(symbol, c)| trimmed.strip_prefix(symbol).map(|rest| (c, rest)))
    .ok_or_else(refuse)?;
    let number = rest.trim_start();
    let value = parse_decimal(number).map_err(|_| refuse())?;
    Ok((value, Some(comparator)))
}

/// A `comparator` key: absent, `null` or `"="` is exact.
fn comparator(json: Option<&Json>, path: &str, reveal: Reveal) -> Loaded<Option<Comparator>> {
    let text = match json {
        None | Some(Json::Null) => return Ok(None),
        Some(Json::String(text)) => text.as_str(),
        Some(other) => {
            return Err(CaseError::at(
                path,
                format!(
                    "expected a comparator as text, found {}",
                    reveal.describe(other)
                ),
            ))
        }
    };
    comparator_symbol(text).ok_or_else(|| {
        CaseError::at(
            path,
            format!(
                "expected a comparator `<`, `<=`, `>`, `>=`, `=` or null, found {}",
                reveal.text(text)
            ),
        )
    })
}

/// A comparator as written: `Some(None)` for `=` (exact), `None` for text
/// that is not one.
pub(super) fn comparator_symbol(text: &str) -> Option<Option<Comparator>> {
    match text {
        "<" => Some(Some(Comparator::Below)),
        "<=" => Some(Some(Comparator::AtMost)),
        ">" => Some(Some(Comparator::Above)),
        ">=" => Some(Some(Comparator::AtLeast)),
        "=" => Some(None),
        _ => None,
    }
}

/// A series value's date: an exact date or an RFC 3339 datetime.
fn point_date(
    object: &Map<String, Json>,
    key: &str,
    path: &str,
    reveal: Reveal,
) -> Loaded<(Date, Option<Time>)> {
    let date_path = pointer(path, key);
    let text = match object.get(key) {
        None | Some(Json::Null) => {
            return Err(CaseError::at(
                path,
                format!("a series value needs a `{key}`"),
            ))
        }
        Some(Json::String(text)) => text,
        Some(other) => {
            return Err(CaseError::at(
                &date_path,
                format!(
                    "expected a date `YYYY-MM-DD`, found {}",
                    reveal.describe(other)
                ),
            ))
        }
    };
    let (range, time) = parse_date(text, reveal).map_err(|m| CaseError::at(&date_path, m))?;
    match range.exact() {
        Some(date) => Ok((date, time)),
        None => Err(CaseError::at(
            &date_path,
            format!(
                "a series value needs an exact date, found the partial date {}",
                reveal.quote(text)
            ),
        )),
    }
}

/// A `date` field's value: exact, partial (an interval) or a datetime's date.
fn date_value(json: &Json, path: &str, reveal: Reveal) -> Loaded<DateRange> {
    match json {
        Json::String(text) => parse_date(text, reveal)
            .map(|(range, _)| range)
            .map_err(|m| CaseError::at(path, m)),
        other => Err(CaseError::at(
            path,
            format!(
                "expected a date `YYYY-MM-DD`, found {}",
                reveal.describe(other)
            ),
        )),
    }
}

/// `YYYY-MM-DD`, `YYYY-MM`, `YYYY`, or an RFC 3339 datetime (its date and
/// time as written, in the offset written).
fn parse_date(text: &str, reveal: Reveal) -> Result<(DateRange, Option<Time>), String> {
    let parsed = match text.len() {
        4 => year_range(text),
        7 => month_range(text),
        10 => exact_date(text).map(|d| (DateRange::day(d), None)),
        _ => datetime(text).map(|(d, t)| (DateRange::day(d), Some(t))),
    };
    parsed.ok_or_else(|| date_problem(text, reveal))
}

/// Why `text` is not a date.
fn date_problem(text: &str, reveal: Reveal) -> String {
    if date_shape(text) || month_shape(text) {
        format!("{} is not a calendar date", reveal.quote(text))
    } else if text.len() > 10 && date_shape(text.get(..10).unwrap_or("")) {
        format!(
            "expected an RFC 3339 datetime such as `2025-12-20T08:30:00Z`, found {}",
            reveal.text(text)
        )
    } else {
        format!(
            "expected a date `YYYY-MM-DD` (or `YYYY-MM`, `YYYY`, or an RFC 3339 datetime), found {}",
            reveal.text(text)
        )
    }
}

/// Whether the bytes at these positions are ASCII digits.
fn digits_at(text: &str, positions: &[usize]) -> bool {
    positions
        .iter()
        .all(|i| text.as_bytes().get(*i).is_some_and(u8::is_ascii_digit))
}

/// `YYYY-MM` by shape, not yet checked as a month.
fn month_shape(text: &str) -> bool {
    text.len() == 7 && digits_at(text, &[0, 1, 2, 3, 5, 6]) && text.as_bytes().get(4) == Some(&b'-')
}

/// `YYYY-MM-DD` by shape (digits and dashes), not yet checked as a date.
fn date_shape(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 10
        && digits_at(text, &[0, 1, 2, 3, 5, 6, 8, 9])
        && bytes.get(4) == Some(&b'-')
        && bytes.get(7) == Some(&b'-')
}

/// A number of fixed width at `start..start + len`.
fn field_at(text: &str, start: usize, len: usize) -> Option<i16> {
    let part = text.get(start..start + len)?;
    if !part.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    part.parse().ok()
}

/// An exact `YYYY-MM-DD` date.
pub(super) fn exact_date(text: &str) -> Option<Date> {
    exact_day(text.as_bytes())
}

/// An exact `YYYY-MM-DD` date, from its bytes.
#[inline]
pub(super) fn exact_day(bytes: &[u8]) -> Option<Date> {
    let &[y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = bytes else {
        return None;
    };
    let digits = eight_digits([y0, y1, y2, y3, m0, m1, d0, d1])?;
    let [y0, y1, y2, y3, m0, m1, d0, d1] = digits.map(i16::from);
    let year = ((y0 * 10 + y1) * 10 + y2) * 10 + y3;
    let month = i8::try_from(m0 * 10 + m1).ok()?;
    let day = i8::try_from(d0 * 10 + d1).ok()?;
    Date::new(year, month, day).ok()
}

/// The values of eight ASCII digits, `None` if any byte is not one. The
/// eight are tested at once (dates are read by the thousand): every byte's
/// high nibble must be 3 and its low nibble at most 9 (a nibble above 9
/// carries into the high nibble when 6 is added; no byte carries into the
/// next).
fn eight_digits(bytes: [u8; 8]) -> Option<[u8; 8]> {
    const LOWS: u64 = 0x0F0F_0F0F_0F0F_0F0F;
    const SIXES: u64 = 0x0606_0606_0606_0606;
    const THREES: u64 = 0x3030_3030_3030_3030;
    let word = u64::from_le_bytes(bytes);
    let low = word & LOWS;
    let digits = word & !LOWS == THREES && (low + SIXES) & !LOWS == 0;
    digits.then(|| low.to_le_bytes())
}

/// `YYYY`: every day of the year.
fn year_range(text: &str) -> Option<(DateRange, Option<Time>)> {
    if !digits_at(text, &[0, 1, 2, 3]) {
        return None;
    }
    let year = field_at(text, 0, 4)?;
    let first = Date::new(year, 1, 1).ok()?;
    let last = Date::new(year, 12, 31).ok()?;
    Some((DateRange { first, last }, None))
}

/// `YYYY-MM`: every day of the month.
fn month_range(text: &str) -> Option<(DateRange, Option<Time>)> {
    if !month_shape(text) {
        return None;
    }
    let month = i8::try_from(field_at(text, 5, 2)?).ok()?;
    let first = Date::new(field_at(text, 0, 4)?, month, 1).ok()?;
    Some((
        DateRange {
            first,
            last: first.last_of_month(),
        },
        None,
    ))
}

/// An RFC 3339 datetime: `YYYY-MM-DD`, `T` (or `t` or a space),
/// `HH:MM:SS`, an optional fraction, then `Z` or `±HH:MM`.
fn datetime(text: &str) -> Option<(Date, Time)> {
    let date = exact_date(text.get(..10)?)?;
    if !matches!(text.as_bytes().get(10), Some(b'T' | b't' | b' ')) {
        return None;
    }
    let rest = text.get(11..)?;
    let (clock, offset) = split_offset(rest)?;
    valid_offset(offset).then_some(())?;
    Some((date, clock_time(clock)?))
}

/// `HH:MM:SS[.fff]` and the offset after it.
fn split_offset(rest: &str) -> Option<(&str, &str)> {
    let at = rest.find(['Z', 'z', '+', '-'])?;
    Some((rest.get(..at)?, rest.get(at..)?))
}

/// `Z`, `z` or `±HH:MM`.
fn valid_offset(offset: &str) -> bool {
    if offset == "Z" || offset == "z" {
        return true;
    }
    let sign_ok = offset.starts_with(['+', '-']);
    let hours = field_at(offset, 1, 2);
    let minutes = field_at(offset, 4, 2);
    sign_ok
        && offset.len() == 6
        && offset.as_bytes().get(3) == Some(&b':')
        && hours.is_some_and(|h| h <= 23)
        && minutes.is_some_and(|m| m <= 59)
}

/// `HH:MM:SS` with an optional fraction (a leap second reads as :59).
fn clock_time(clock: &str) -> Option<Time> {
    let (whole, fraction) = match clock.split_once('.') {
        Some((w, f)) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => (w, f),
        Some(_) => return None,
        None => (clock, ""),
    };
    let bytes = whole.as_bytes();
    if bytes.len() != 8 || bytes.get(2) != Some(&b':') || bytes.get(5) != Some(&b':') {
        return None;
    }
    let hour = i8::try_from(field_at(whole, 0, 2)?).ok()?;
    let minute = i8::try_from(field_at(whole, 3, 2)?).ok()?;
    let second = match field_at(whole, 6, 2)? {
        60 => 59,
        s => i8::try_from(s).ok()?,
    };
    Time::new(hour, minute, second, nanos(fraction)?).ok()
}

/// A fraction of a second's digits as nanoseconds (digits past nine dropped).
fn nanos(fraction: &str) -> Option<i32> {
    let digits: String = fraction
        .chars()
        .chain(std::iter::repeat('0'))
        .take(9)
        .collect();
    digits.parse().ok()
}

/// A number's text split into sign, digits and a power of ten.
struct DecimalParts {
    negative: bool,
    /// The digits, leading zeros removed.
    digits: String,
    /// value = digits × 10^exponent
    exponent: i64,
}

impl DecimalParts {
    /// Plain or scientific notation, with an optional sign.
    fn read(text: &str) -> Option<DecimalParts> {
        let (negative, rest) = match text.as_bytes().first() {
            Some(b'-') => (true, text.get(1..)?),
            Some(b'+') => (false, text.get(1..)?),
            _ => (false, text),
        };
        let (mantissa, exponent) = match rest.split_once(['e', 'E']) {
            Some((m, e)) => (m, read_exponent(e)?),
            None => (rest, 0),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if int.is_empty()
            || !all_digits(int)
            || !all_digits(frac)
            || (mantissa.contains('.') && frac.is_empty())
        {
            return None;
        }
        let digits = format!("{int}{frac}").trim_start_matches('0').to_string();
        let exponent = exponent.checked_sub(i64::try_from(frac.len()).ok()?)?;
        Some(DecimalParts {
            negative,
            digits,
            exponent,
        })
    }

    /// The exact decimal, or what is wrong with it.
    fn to_decimal(&self) -> Result<Decimal, &'static str> {
        if self.digits.is_empty() {
            return Ok(Decimal::ZERO);
        }
        let significant = self.digits.trim_end_matches('0');
        if significant.len() > MAX_DIGITS {
            return Err("has more than 28 significant digits");
        }
        let trailing = self.digits.len() - significant.len();
        let kept =
            self.digits.len() <= MAX_DIGITS && self.exponent >= -i64::from(Decimal::MAX_SCALE);
        let (digits, exponent) = if kept {
            (self.digits.as_str(), self.exponent)
        } else {
            (
                significant,
                self.exponent + i64::try_from(trailing).map_err(|_| "is too large")?,
            )
        };
        let mantissa: i128 = digits.parse().map_err(|_| "is not a number")?;
        let mantissa = if self.negative { -mantissa } else { mantissa };
        build_decimal(mantissa, exponent)
    }
}

/// `mantissa × 10^exponent` as a Decimal, if it fits.
fn build_decimal(mantissa: i128, exponent: i64) -> Result<Decimal, &'static str> {
    if exponent < 0 {
        let scale = u32::try_from(-exponent).map_err(|_| "has more than 28 decimal places")?;
        if scale > Decimal::MAX_SCALE {
            return Err("has more than 28 decimal places");
        }
        return Decimal::try_from_i128_with_scale(mantissa, scale).map_err(|_| "is too large");
    }
    let power = u32::try_from(exponent).map_err(|_| "is too large")?;
    let scaled = 10_i128
        .checked_pow(power)
        .and_then(|p| mantissa.checked_mul(p))
        .ok_or("is too large")?;
    Decimal::try_from_i128_with_scale(scaled, 0).map_err(|_| "is too large")
}

/// The exponent after `e`: an optional sign and digits.
fn read_exponent(text: &str) -> Option<i64> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Exponents too long for i64 are far outside Decimal's range either way.
    let magnitude: i64 = digits.parse().unwrap_or(i64::MAX / 2);
    Some(if text.starts_with('-') {
        -magnitude
    } else {
        magnitude
    })
}

/// Adds "; did you mean `x`?" when there is a suggestion.
fn with_suggestion(message: String, suggestion: Option<String>) -> String {
    match suggestion {
        Some(s) => format!("{message}; did you mean `{s}`?"),
        None => message,
    }
}

/// What kind of JSON value it is, without repeating its text.
fn kind_of(json: &Json) -> &'static str {
    match json {
        Json::Null => "null",
        Json::Bool(_) => "true or false",
        Json::Number(_) => "a number",
        Json::String(_) => "text",
        Json::Array(_) => "a list",
        Json::Object(_) => "an object",
    }
}

/// The common, clean spellings of a scalar, read without a path: a bare
/// number within its declared bounds, a plain series value, a boolean.
/// `None` for anything else; the full rules (units, warnings, errors) then
/// read it. (The case reader reads text values by its own plan.)
pub(super) mod plain {
    use super::{exact_date, parse_decimal, whole};
    use crate::check::schema::FieldType;
    use crate::eval::model::Protocol;
    use crate::eval::value::{Quantity, Val, Value};
    use rust_decimal::Decimal;

    /// The exact decimal of a JSON number's text, as [`parse_decimal`]
    /// reads it: at most 18 digits with an optional fraction and sign are
    /// read without building strings, the rest by `parse_decimal`.
    pub fn decimal(text: &str) -> Option<Decimal> {
        short_decimal(text).or_else(|| parse_decimal(text).ok())
    }

    /// `[-]D+[.D+]` in at most 18 bytes (after the sign): digits ×
    /// 10^-(fraction digits), zero as [`Decimal::ZERO`] (as `parse_decimal`
    /// gives it).
    fn short_decimal(text: &str) -> Option<Decimal> {
        let (negative, unsigned) = match text.as_bytes() {
            [b'-', rest @ ..] => (true, rest),
            bytes => (false, bytes),
        };
        if unsigned.len() > 18 {
            return None;
        }
        let mut mantissa: i64 = 0;
        let mut point = None;
        for (at, byte) in unsigned.iter().enumerate() {
            match byte {
                b'0'..=b'9' => mantissa = mantissa * 10 + i64::from(byte - b'0'),
                b'.' if point.is_none() && at > 0 => point = Some(at),
                _ => return None,
            }
        }
        let scale = match point {
            Some(at) if at + 1 == unsigned.len() => return None,
            Some(at) => u32::try_from(unsigned.len() - at - 1).ok()?,
            None if unsigned.is_empty() => return None,
            None => 0,
        };
        if mantissa == 0 {
            return Some(Decimal::ZERO);
        }
        Decimal::try_new(if negative { -mantissa } else { mantissa }, scale).ok()
    }

    /// A bare number (its JSON text) of type `ty` (under any `?`).
    pub fn number(ty: &FieldType, text: &str) -> Option<Val> {
        let FieldType::Num { int, unit, range } = super::base_type(ty) else {
            return None;
        };
        let written = decimal(text)?;
        let value = match (*int, written.scale()) {
            // Written without a fraction: whole already (unless a negative
            // zero, which `whole` makes zero).
            (true, 0) if !written.is_sign_negative() || !written.is_zero() => written,
            (true, _) => whole(written, "", super::Reveal::Codes).ok()?,
            (false, _) => written,
        };
        if let Some((low, high)) = range {
            if value < *low || value > *high {
                return None;
            }
        }
        Some(Val::Known(Value::Num(Quantity { value, unit: *unit })))
    }

    /// A series value written `{"date": "YYYY-MM-DD", "value": N}` with an
    /// optional `"unit"` (the value already read as `written`): its date and
    /// its value in the series' unit `declared`.
    pub fn point(
        protocol: &Protocol,
        declared: &crate::units::Unit,
        date: &str,
        written: Decimal,
        unit: Option<&str>,
    ) -> Option<(jiff::civil::Date, rust_decimal::Decimal)> {
        let date = exact_date(date)?;
        Some((date, in_series_unit(protocol, declared, written, unit)?))
    }

    /// A series value's date or RFC 3339 datetime: its day and its time.
    pub fn point_day(text: &str) -> Option<(jiff::civil::Date, Option<jiff::civil::Time>)> {
        match text.len() {
            10 => exact_date(text).map(|day| (day, None)),
            _ => super::datetime(text).map(|(day, time)| (day, Some(time))),
        }
    }

    /// A series value written in `unit` (the series' own when none), in
    /// the series' unit `declared`.
    pub fn in_series_unit(
        protocol: &Protocol,
        declared: &crate::units::Unit,
        written: Decimal,
        unit: Option<&str>,
    ) -> Option<Decimal> {
        let value = match unit {
            None => written,
            // The series' own unit as it spells it: no conversion (the
            // table's conversion of a linear unit to itself is the identity).
            Some(text) if text == declared.spelling() && !declared.is_log10() => written,
            Some(text) => {
                let given = protocol.units.lookup(text)?;
                super::in_unit(written, &given, declared, "", super::Reveal::Codes).ok()?
            }
        };
        Some(value)
    }

    /// A boolean of type `ty` (under any `?`).
    pub fn boolean(ty: &FieldType, b: bool) -> Option<Val> {
        matches!(super::base_type(ty), FieldType::Bool).then_some(Val::Known(Value::Bool(b)))
    }
}

#[cfg(test)]
mod tests {
    use super::eight_digits;

    /// Any byte in any place: only ASCII digits pass, each read as its value.
    #[test]
    fn eight_digits_take_only_ascii_digits() {
        for at in 0..8 {
            for byte in 0..=u8::MAX {
                let mut bytes = *b"20260131";
                if let Some(place) = bytes.get_mut(at) {
                    *place = byte;
                }
                let expected = bytes
                    .iter()
                    .all(u8::is_ascii_digit)
                    .then(|| bytes.map(|b| b - b'0'));
                assert_eq!(eight_digits(bytes), expected, "{bytes:?}");
            }
        }
    }
}
