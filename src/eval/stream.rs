//! The schema-directed case reader: one pass over a case's JSON text, straight
//! into the slots of the case schema, with no `serde_json::Value` for the
//! case, its records or its lists. Keys the protocol does not read are
//! skipped without building anything; a field's path is built only where a
//! value needs it (a record, an absent or unknown fact). Scalars are read
//! by the same functions as the `Value` reader (`case.rs`), so both give the
//! same values and warnings, in the same order (schema order, then unknown
//! keys in the order written).
//!
//! It reads only what it reads cleanly: at the first problem (text that is
//! not JSON, a value of the wrong shape, an error of the case) it gives up,
//! and [`super::case::load_case_text`] reads the case through `Value`, whose
//! error records are the reference.

use super::case::{base_type, case_id, dedup, pointer, unknown, LoadOptions, Loader};
use super::model::Protocol;
use super::value::{Case, Point, Quantity, Record, Series, Val, Value};
use crate::check::schema::{FieldSchema, FieldType};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value as Json};
use std::fmt;

/// The key serde_json's `arbitrary_precision` gives a number read as a map.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// Why the reader stopped: the `Value` reader takes over.
#[derive(Debug)]
struct GiveUp;

impl fmt::Display for GiveUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("read again through serde_json::Value")
    }
}

impl std::error::Error for GiveUp {}

impl de::Error for GiveUp {
    fn custom<T: fmt::Display>(_: T) -> GiveUp {
        GiveUp
    }
}

fn give_up<E: de::Error>() -> E {
    E::custom(GiveUp)
}

/// The case in `text`, when it reads cleanly; `None` sends it to the
/// `Value` reader.
pub(super) fn read_case(protocol: &Protocol, text: &str, options: &LoadOptions) -> Option<Case> {
    let mut loader = Loader::new(protocol, options);
    let mut de = serde_json::Deserializer::from_str(text);
    let top = CaseSeed {
        loader: &mut loader,
    }
    .deserialize(&mut de)
    .ok()?;
    de.end().ok()?;
    let mut head = Map::new();
    for (key, value) in top.head {
        head.insert(key, value);
    }
    let id = case_id(&protocol.case.id_key, &head).ok()?;
    let (fields, warnings) = top.fields;
    loader.warnings.extend(warnings);
    let as_of = loader.as_of(&head, &fields).ok()?;
    if !top.unknown.is_empty() {
        let schema = &protocol.case;
        let mut known: Vec<&str> = schema.fields.iter().map(|f| f.name.as_str()).collect();
        known.push(&schema.id_key);
        known.push("as_of");
        known.extend(schema.ignore.iter().map(String::as_str));
        for key in &top.unknown {
            loader.unknown_key(key, &known, "", "the case").ok()?;
        }
    }
    Some(Case {
        id,
        as_of,
        fields,
        warnings: loader.warnings,
    })
}

/// What a top-level key is.
enum TopKey {
    /// A case field, by slot (and also the id or `as_of` key, if it is one).
    Field(usize, bool),
    /// The id key or `as_of`, read as JSON.
    Head(String),
    /// A key the schema says to ignore.
    Ignored,
    /// A key nobody declared.
    Unknown(String),
}

/// Recognises a top-level key without allocating for declared fields.
struct TopKeySeed<'p>(&'p Protocol);

impl<'de> DeserializeSeed<'de> for TopKeySeed<'_> {
    type Value = TopKey;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<TopKey, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for TopKeySeed<'_> {
    type Value = TopKey;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<TopKey, E> {
        let schema = &self.0.case;
        let head = key == schema.id_key || key == "as_of";
        if let Some(slot) = schema.fields.iter().position(|f| f.name == key) {
            return Ok(TopKey::Field(slot, head));
        }
        if head {
            return Ok(TopKey::Head(key.to_string()));
        }
        if schema.ignore.iter().any(|k| k == key) {
            return Ok(TopKey::Ignored);
        }
        Ok(TopKey::Unknown(key.to_string()))
    }
}

/// The top level as read: the id and `as_of` keys, the fields with their
/// warnings (schema order), and undeclared keys (first-written order).
struct Top {
    head: Vec<(String, Json)>,
    fields: (Vec<Val>, Vec<String>),
    unknown: Vec<String>,
}

struct CaseSeed<'l, 'a> {
    loader: &'l mut Loader<'a>,
}

impl<'de> DeserializeSeed<'de> for CaseSeed<'_, '_> {
    type Value = Top;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Top, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for CaseSeed<'_, '_> {
    type Value = Top;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a case object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Top, A::Error> {
        let protocol = self.loader.protocol;
        let schema = &protocol.case.fields;
        let mut slots = Slots::new(schema.len());
        let mut head: Vec<(String, Json)> = Vec::new();
        let mut unknown: Vec<String> = Vec::new();
        while let Some(key) = map.next_key_seed(TopKeySeed(protocol))? {
            match key {
                TopKey::Field(slot, false) => {
                    let field = schema.get(slot).ok_or_else(give_up)?;
                    let step = Step::Key(&field.name);
                    slots.fill(self.loader, slot, |loader| {
                        map.next_value_seed(FieldSeed::new(loader, &field.ty, "", step))
                    })?;
                }
                TopKey::Field(slot, true) => {
                    // A declared field that is also the id or `as_of` key.
                    let field = schema.get(slot).ok_or_else(give_up)?;
                    let json: Json = map.next_value()?;
                    let path = pointer("", &field.name);
                    slots.fill(self.loader, slot, |loader| {
                        loader.value(&field.ty, &json, &path).map_err(|_| give_up())
                    })?;
                    replace(&mut head, field.name.clone(), json);
                }
                TopKey::Head(key) => {
                    let json: Json = map.next_value()?;
                    replace(&mut head, key, json);
                }
                TopKey::Ignored => {
                    map.next_value::<IgnoredAny>()?;
                }
                TopKey::Unknown(key) => {
                    map.next_value::<IgnoredAny>()?;
                    if !unknown.contains(&key) {
                        unknown.push(key);
                    }
                }
            }
        }
        Ok(Top {
            head,
            fields: slots.finish(schema, ""),
            unknown,
        })
    }
}

/// A key written again replaces its value (as in `serde_json::Map`).
fn replace(entries: &mut Vec<(String, Json)>, key: String, value: Json) {
    match entries.iter_mut().find(|(k, _)| *k == key) {
        Some(entry) => entry.1 = value,
        None => entries.push((key, value)),
    }
}

/// The fields of a case or record as read so far: each slot's value and the
/// warnings loading it raised (a field written twice keeps its last value).
struct Slots {
    values: Vec<Option<(Val, Vec<String>)>>,
}

impl Slots {
    fn new(len: usize) -> Slots {
        Slots {
            values: (0..len).map(|_| None).collect(),
        }
    }

    /// Loads slot `slot` with `load`, keeping the warnings it raised apart.
    fn fill<E>(
        &mut self,
        loader: &mut Loader<'_>,
        slot: usize,
        load: impl FnOnce(&mut Loader<'_>) -> Result<Val, E>,
    ) -> Result<(), E> {
        let before = loader.warnings.len();
        let value = load(loader)?;
        let warnings = loader.warnings.split_off(before);
        if let Some(entry) = self.values.get_mut(slot) {
            *entry = Some((value, warnings));
        }
        Ok(())
    }

    /// Every field in schema order (absent ones none or unknown, as
    /// declared) and the warnings in that order.
    fn finish(self, schema: &[FieldSchema], base: &str) -> (Vec<Val>, Vec<String>) {
        let mut fields = Vec::with_capacity(schema.len());
        let mut warnings = Vec::new();
        for (field, entry) in schema.iter().zip(self.values) {
            match entry {
                Some((value, raised)) => {
                    fields.push(value);
                    warnings.extend(raised);
                }
                None if field.absent_is_none => fields.push(Val::Known(Value::None)),
                None => fields.push(unknown(&pointer(base, &field.name))),
            }
        }
        (fields, warnings)
    }
}

/// The last step of a value's path: built into a JSON pointer only when
/// the value needs it.
#[derive(Clone, Copy)]
enum Step<'k> {
    Key(&'k str),
    Index(usize),
}

/// One value of a declared type at `base` + `step`.
struct FieldSeed<'l, 'a, 't, 'b> {
    loader: &'l mut Loader<'a>,
    ty: &'t FieldType,
    base: &'b str,
    step: Step<'b>,
}

impl<'l, 'a, 't, 'b> FieldSeed<'l, 'a, 't, 'b> {
    fn new(loader: &'l mut Loader<'a>, ty: &'t FieldType, base: &'b str, step: Step<'b>) -> Self {
        FieldSeed {
            loader,
            ty,
            base,
            step,
        }
    }

    fn path(&self) -> String {
        match self.step {
            Step::Key(key) => pointer(self.base, key),
            Step::Index(i) => pointer(self.base, &i.to_string()),
        }
    }

    /// A value given as JSON, read by the `Value` reader's rules.
    fn scalar<E: de::Error>(self, json: Json) -> Result<Val, E> {
        let path = self.path();
        self.loader
            .value(self.ty, &json, &path)
            .map_err(|_| give_up())
    }
}

impl<'de> DeserializeSeed<'de> for FieldSeed<'_, '_, '_, '_> {
    type Value = Val;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Val, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for FieldSeed<'_, '_, '_, '_> {
    type Value = Val;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value of the case")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Val, E> {
        match super::case::plain::boolean(self.ty, v) {
            Some(value) => Ok(value),
            None => self.scalar(Json::Bool(v)),
        }
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Val, E> {
        self.scalar(Json::from(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Val, E> {
        self.scalar(Json::from(v))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Val, E> {
        // Numbers arrive as their text (`arbitrary_precision`), never as f64.
        Err(give_up())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Val, E> {
        match super::case::plain::text(self.loader.protocol, self.ty, v) {
            Some(value) => Ok(value),
            None => self.scalar(Json::String(v.to_string())),
        }
    }

    fn visit_unit<E: de::Error>(self) -> Result<Val, E> {
        self.scalar(Json::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Val, E> {
        self.scalar(Json::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Val, A::Error> {
        if let FieldType::Series(unit) = base_type(self.ty) {
            return read_series(self.loader.protocol, unit, self.path(), seq);
        }
        let element = match base_type(self.ty) {
            FieldType::List(t) => Element::List(t),
            FieldType::Set(t) => Element::Set(t),
            FieldType::History(record) => Element::Lines(FieldType::Record(record.clone())),
            _ => return self.scalar(collect_seq(seq)?),
        };
        let path = self.path();
        let items = read_elements(self.loader, element.ty(), &path, seq)?;
        Ok(Val::Known(Value::List(match element {
            Element::Set(_) => dedup(items),
            Element::List(_) | Element::Lines(_) => items,
        })))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Val, A::Error> {
        let FieldType::Record(name) = base_type(self.ty) else {
            let json = collect_map(map)?;
            if let Json::Number(n) = &json {
                if let Some(value) = super::case::plain::number(self.ty, n.as_str()) {
                    return Ok(value);
                }
            }
            return self.scalar(json);
        };
        let path = self.path();
        let protocol = self.loader.protocol;
        let (ty, schema) = protocol.record_type(name).ok_or_else(give_up)?;
        let mut slots = Slots::new(schema.len());
        let mut unknown: Vec<String> = Vec::new();
        while let Some(key) = map.next_key_seed(RecordKeySeed(schema))? {
            match key {
                RecordKey::Field(slot) => {
                    let field = schema.get(slot).ok_or_else(give_up)?;
                    let step = Step::Key(&field.name);
                    slots.fill(self.loader, slot, |loader| {
                        map.next_value_seed(FieldSeed::new(loader, &field.ty, &path, step))
                    })?;
                }
                RecordKey::Other(key) => {
                    map.next_value::<IgnoredAny>()?;
                    if !unknown.contains(&key) {
                        unknown.push(key);
                    }
                }
            }
        }
        let (fields, warnings) = slots.finish(schema, &path);
        self.loader.warnings.extend(warnings);
        let known: Vec<&str> = schema.iter().map(|f| f.name.as_str()).collect();
        let within = format!("a `{name}` record");
        for key in &unknown {
            self.loader
                .unknown_key(key, &known, &path, &within)
                .map_err(|_| give_up())?;
        }
        Ok(Val::Known(Value::Record(Record { fields, ty, path })))
    }
}

/// A series whose values are all plain (`{"date", "value"}`), in date
/// order then array order; anything else is read through `Value`.
fn read_series<'de, A: SeqAccess<'de>>(
    protocol: &Protocol,
    unit: &crate::units::Unit,
    path: String,
    mut seq: A,
) -> Result<Val, A::Error> {
    let mut points = Vec::with_capacity(seq.size_hint().unwrap_or(0));
    while let Some((date, value)) = seq.next_element_seed(PointSeed { protocol, unit })? {
        points.push(Point {
            date,
            time: None,
            value: Quantity {
                value,
                unit: Some(*unit),
            },
            comparator: None,
            index: points.len(),
        });
    }
    points.sort_by_key(|p| (p.date, p.time, p.index));
    Ok(Val::Known(Value::Series(Series { points, path })))
}

/// A plain series value: `{"date": "YYYY-MM-DD", "value": N, "unit"?: U}`.
struct PointSeed<'p> {
    protocol: &'p Protocol,
    unit: &'p crate::units::Unit,
}

impl<'de> DeserializeSeed<'de> for PointSeed<'_> {
    type Value = (jiff::civil::Date, rust_decimal::Decimal);

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for PointSeed<'_> {
    type Value = (jiff::civil::Date, rust_decimal::Decimal);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a dated value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut date: Option<String> = None;
        let mut value: Option<String> = None;
        let mut unit: Option<String> = None;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match key.as_ref() {
                "date" if date.is_none() => date = Some(map.next_value()?),
                "value" if value.is_none() => value = Some(number_text(map.next_value()?)?),
                "unit" if unit.is_none() => unit = Some(map.next_value()?),
                _ => return Err(give_up()),
            }
        }
        let (date, value) = date.zip(value).ok_or_else(give_up)?;
        let (protocol, declared) = (self.protocol, self.unit);
        super::case::plain::point(protocol, declared, &date, &value, unit.as_deref())
            .ok_or_else(give_up)
    }
}

/// The text of a JSON number (as `arbitrary_precision` keeps it).
fn number_text<E: de::Error>(json: Json) -> Result<String, E> {
    match json {
        Json::Number(n) => Ok(n.as_str().to_string()),
        _ => Err(give_up()),
    }
}

/// What a list's elements are.
enum Element<'t> {
    List(&'t FieldType),
    Set(&'t FieldType),
    Lines(FieldType),
}

impl Element<'_> {
    fn ty(&self) -> &FieldType {
        match self {
            Element::List(t) | Element::Set(t) => t,
            Element::Lines(t) => t,
        }
    }
}

/// Each element of a JSON array, read as `ty` at `path/i`.
fn read_elements<'de, A: SeqAccess<'de>>(
    loader: &mut Loader<'_>,
    ty: &FieldType,
    path: &str,
    mut seq: A,
) -> Result<Vec<Val>, A::Error> {
    let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
    loop {
        let seed = FieldSeed::new(loader, ty, path, Step::Index(items.len()));
        match seq.next_element_seed(seed)? {
            Some(item) => items.push(item),
            None => return Ok(items),
        }
    }
}

/// A key of a record: a declared field's slot, or another key.
enum RecordKey {
    Field(usize),
    Other(String),
}

struct RecordKeySeed<'s>(&'s [FieldSchema]);

impl<'de> DeserializeSeed<'de> for RecordKeySeed<'_> {
    type Value = RecordKey;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<RecordKey, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for RecordKeySeed<'_> {
    type Value = RecordKey;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<RecordKey, E> {
        if key == NUMBER_TOKEN {
            // A number where a record was expected.
            return Err(give_up());
        }
        Ok(match self.0.iter().position(|f| f.name == key) {
            Some(slot) => RecordKey::Field(slot),
            None => RecordKey::Other(key.to_string()),
        })
    }
}

/// The rest of an array as JSON.
fn collect_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<Json, A::Error> {
    let mut items = Vec::new();
    while let Some(item) = seq.next_element::<Json>()? {
        items.push(item);
    }
    Ok(Json::Array(items))
}

/// An object, or a number (`arbitrary_precision` gives it as a map), as JSON.
fn collect_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<Json, A::Error> {
    let Some(first) = map.next_key::<String>()? else {
        return Ok(Json::Object(Map::new()));
    };
    if first == NUMBER_TOKEN {
        let text: String = map.next_value()?;
        return text.parse().map(Json::Number).map_err(|_| give_up());
    }
    let mut object = Map::new();
    object.insert(first, map.next_value()?);
    while let Some((key, value)) = map.next_entry::<String, Json>()? {
        object.insert(key, value);
    }
    Ok(Json::Object(object))
}

#[cfg(test)]
mod tests {
    //! The reader against the `Value` reader, on every case file in the
    //! repository and on variants of each (keys in reverse order, an
    //! undeclared key, a key written twice), lenient and strict: wherever
    //! it reads a case, it reads the same case, warnings included.
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::read_case;
    use crate::eval::case::{load_case, parse_json, LoadOptions};
    use crate::eval::model::Protocol;
    use serde_json::Value as Json;
    use std::path::{Path, PathBuf};

    fn root() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
    }

    fn compiled(path: &Path) -> Option<Protocol> {
        crate::compile::compile_file(path, None).protocol
    }

    /// Each protocol with the case lines written for it.
    fn corpus() -> Vec<(Protocol, Vec<String>)> {
        let lines = |path: &Path| -> Vec<String> {
            std::fs::read_to_string(path)
                .unwrap_or_default()
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_string)
                .collect()
        };
        let mut out = Vec::new();
        let dlbcl = compiled(&root().join("protocols/dlbcl-second-line.salv")).unwrap();
        let mut examples = lines(&root().join("examples/dlbcl-cases.jsonl"));
        examples.extend(lines(&root().join("examples/dlbcl-bad-cases.jsonl")));
        out.push((dlbcl, examples));
        let mut folders: Vec<PathBuf> = std::fs::read_dir(root().join("tests/cases/eval"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        folders.sort();
        for folder in folders {
            if let Some(protocol) = compiled(&folder.join("protocol.salv")) {
                out.push((protocol, lines(&folder.join("cases.jsonl"))));
            }
        }
        out
    }

    /// The line, and the same case written differently.
    fn variants(line: &str) -> Vec<String> {
        let mut out = vec![line.to_string()];
        let Ok(Json::Object(object)) = serde_json::from_str::<Json>(line) else {
            return out;
        };
        let entries: Vec<(&String, &Json)> = object.iter().collect();
        let pairs = |entries: &[(&String, &Json)]| -> Vec<String> {
            entries
                .iter()
                .map(|(k, v)| format!("{}: {v}", Json::String((*k).clone())))
                .collect()
        };
        let reversed: Vec<(&String, &Json)> = entries.iter().rev().copied().collect();
        out.push(format!("{{{}}}", pairs(&reversed).join(", ")));
        let mut extra = pairs(&entries);
        extra.insert(0, "\"zz_undeclared\": [1, {\"a\": null}]".to_string());
        out.push(format!("{{{}}}", extra.join(", ")));
        if let Some(first) = pairs(&entries).first() {
            let mut twice = pairs(&entries);
            twice.push(first.clone());
            out.push(format!("{{{}}}", twice.join(", ")));
        }
        out
    }

    #[test]
    fn reads_every_case_as_the_value_reader_does() {
        let mut read = 0;
        let mut handed_over = 0;
        for (protocol, lines) in corpus() {
            for line in lines.iter().flat_map(|l| variants(l)) {
                for strict in [false, true] {
                    let options = LoadOptions { strict };
                    let reference =
                        parse_json(&line).and_then(|j| load_case(&protocol, &j, &options));
                    match read_case(&protocol, &line, &options) {
                        Some(case) => {
                            read += 1;
                            assert_eq!(Ok(case), reference, "{line}");
                        }
                        None => {
                            handed_over += 1;
                            assert!(reference.is_err(), "read only through Value: {line}");
                        }
                    }
                }
            }
        }
        assert!(
            read > 1000 && read > handed_over,
            "{read} read, {handed_over} handed over"
        );
    }

    #[test]
    fn a_declared_field_that_is_also_the_id_key_is_read_as_both() {
        let text = "protocol \"Id field\" { version \"1\" status draft effective 2025-01-01 }\n\
                    case { id: text\n k: bool }\n\
                    rule r when k then flag x \"x\"\n";
        let protocol = crate::compile::compile_source("id.salv", text)
            .protocol
            .unwrap();
        let options = LoadOptions::default();
        for line in [
            r#"{"id": "a", "as_of": "2026-01-01", "k": true}"#,
            r#"{"k": false, "id": "b", "as_of": "2026-01-01", "id": "c"}"#,
        ] {
            let reference = parse_json(line).and_then(|j| load_case(&protocol, &j, &options));
            let case = read_case(&protocol, line, &options).expect("read directly");
            assert_eq!(Ok(case), reference, "{line}");
        }
    }

    /// A value a case field might be given: right, wrong-typed, or odd.
    fn any_value() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let scalar = prop_oneof![
            Just("null".to_string()),
            Just("true".to_string()),
            Just("false".to_string()),
            Just("0".to_string()),
            Just("61".to_string()),
            Just("2.50".to_string()),
            Just("-3".to_string()),
            Just("1e2".to_string()),
            Just("\"DLBCL_NOS\"".to_string()),
            Just("\"dlbcl nos\"".to_string()),
            Just("\"PMBCL\"".to_string()),
            Just("\"R-CHOP\"".to_string()),
            Just("\"r chop\"".to_string()),
            Just("\"R-CHOPP\"".to_string()),
            Just("\"CR\"".to_string()),
            Just("\"2025-01-10\"".to_string()),
            Just("\"2025-01\"".to_string()),
            Just("\"2025-02-30\"".to_string()),
            Just("{\"value\": 70, \"unit\": \"years\"}".to_string()),
            Just("{}".to_string()),
            Just("[]".to_string()),
        ];
        scalar.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..3)
                    .prop_map(|items| format!("[{}]", items.join(", "))),
                proptest::collection::vec(
                    (
                        prop_oneof![
                            Just("date"),
                            Just("value"),
                            Just("unit"),
                            Just("regimen"),
                            Just("start_date"),
                            Just("end_date"),
                            Just("best_response"),
                            Just("progression_date"),
                            Just("comparator"),
                            Just("other")
                        ],
                        inner
                    ),
                    0..5
                )
                .prop_map(|entries| {
                    let entries: Vec<String> = entries
                        .iter()
                        .map(|(k, v)| format!("\"{k}\": {v}"))
                        .collect();
                    format!("{{{}}}", entries.join(", "))
                }),
            ]
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(400))]
        /// Generated cases of every shape: wherever the reader reads one, it
        /// reads what the `Value` reader reads, and it never reads a case the
        /// `Value` reader refuses.
        #[test]
        fn reads_generated_cases_as_the_value_reader_does(
            fields in proptest::collection::vec(
                (
                    proptest::prelude::prop_oneof![
                        proptest::prelude::Just("id"),
                        proptest::prelude::Just("as_of"),
                        proptest::prelude::Just("age"),
                        proptest::prelude::Just("ecog"),
                        proptest::prelude::Just("histology"),
                        proptest::prelude::Just("transplant_eligible"),
                        proptest::prelude::Just("cns_involvement"),
                        proptest::prelude::Just("crcl"),
                        proptest::prelude::Just("lines"),
                        proptest::prelude::Just("extra")
                    ],
                    any_value()
                ),
                0..12
            ),
            strict in proptest::bool::ANY,
        ) {
            let protocol = dlbcl();
            let entries: Vec<String> =
                fields.iter().map(|(k, v)| format!("\"{k}\": {v}")).collect();
            let line = format!("{{\"id\": \"g\", \"as_of\": \"2026-01-01\", {}}}", entries.join(", "));
            let options = LoadOptions { strict };
            let reference = parse_json(&line).and_then(|j| load_case(protocol, &j, &options));
            if let Some(case) = read_case(protocol, &line, &options) {
                proptest::prop_assert_eq!(Ok(case), reference, "{}", line);
            }
        }
    }

    fn dlbcl() -> &'static Protocol {
        static PROTOCOL: std::sync::OnceLock<Protocol> = std::sync::OnceLock::new();
        PROTOCOL.get_or_init(|| compiled(&root().join("protocols/dlbcl-second-line.salv")).unwrap())
    }
}
