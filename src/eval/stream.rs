//! The schema-directed case reader: one pass over a case's JSON text by a
//! hand-written scanner, straight into the slots of the case schema, with no
//! `serde_json::Value` for the case, its records or its lists. Keys are
//! compared as bytes with the names of a [`Plan`] compiled once per
//! protocol; keys the protocol does not read are skipped without building
//! anything; a field's path is built only where a value needs it (a record,
//! a series, an absent or unknown fact). What the plan does not settle is
//! read by the same functions as the `Value` reader (`case.rs`), so both give
//! the same values and warnings, in the same order (schema order, then
//! unknown keys in the order written).
//!
//! It reads only what it reads cleanly: at the first problem (text that is
//! not JSON or nests too deep, a string it does not decode, a value of the
//! wrong shape, an error of the case) it gives up, and
//! [`super::case::load_case_text`] reads the case through `Value`, whose
//! error records are the reference.

use super::case::{
    base_type, case_id, dedup, exact_date, exact_day, pointer, unknown, LoadOptions, Loader,
    VocabKind, VocabReading,
};
use super::model::Protocol;
use super::shown::Reveal;
use super::value::{
    Case, CaseId, Comparator, DateRange, EnumValue, Point, Quantity, Record, Series, Val, Value,
    VocabValue,
};
use super::vocab::Vocabulary;
use crate::check::fold;
use crate::check::ir::{EnumId, VocabId};
use crate::check::schema::{FieldSchema, FieldType};
use crate::syntax::ast::Openness;
use crate::units::Unit;
use fnv::FnvBuildHasher;
use serde_json::{Map, Value as Json};
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

/// The case in `text`, when it reads cleanly; `None` sends it to the
/// `Value` reader.
pub(super) fn read_case(protocol: &Protocol, text: &str, options: &LoadOptions) -> Option<Case> {
    let mut reader = Reader {
        scan: Scanner::new(text),
        loader: Loader::new(protocol, options),
        plan: Plan::of(protocol),
    };
    let top = reader.top()?;
    reader.scan.end()?;
    let id = top.id(&protocol.case.id_key)?;
    let mut loader = reader.loader;
    let as_of = top.as_of(&loader)?;
    if !top.unknown.is_empty() {
        let known = protocol.case.known_keys();
        for key in &top.unknown {
            loader.unknown_key(key, &known, "", "the case").ok()?;
        }
    }
    Some(Case {
        id,
        as_of,
        fields: top.fields,
        warnings: loader.warnings,
    })
}

/// The case schema compiled for the reader, once per protocol: what each
/// top-level key is, and each field's type with the enum and record it
/// names resolved, so that reading a case looks nothing up by name.
#[derive(Debug)]
pub(super) struct Plan {
    /// What each top-level key is: the fields, then the id and `as_of`
    /// keys, then the ignored keys (a name is what it is first).
    top: Names<TopKey>,
    /// Each case field's type, by slot.
    fields: Vec<Kind>,
    /// Each record type, by index.
    records: Vec<RecordPlan>,
    /// The keys of a plain series value.
    point: Names<PointKey>,
    /// Agent and regimen spellings that need no folding (every declared
    /// name and every folded spelling), each with what its folded
    /// spelling names.
    names: HashMap<Box<str>, VocabId, FnvBuildHasher>,
    /// This plan among all plans of the process, for the readings each
    /// thread remembers ([`Remembered`]).
    id: u64,
    /// How many enum and vocabulary types it has (each numbered by its
    /// `memo`).
    memos: usize,
    /// Each case field's path, by slot.
    paths: Vec<String>,
    /// The lists series are read from part of.
    sources: Vec<SourcePlan>,
}

/// A case list that series are read from part of (`crcl: series mL/min
/// from labs where …`): read once for all of them, straight from the text
/// (through `Value` when the list is a declared field too).
#[derive(Debug)]
struct SourcePlan {
    /// The list's key.
    key: String,
    /// The field the list is itself, if one is declared with its name.
    field: Option<usize>,
    /// The series read from it, by slot.
    series: Vec<usize>,
    /// Every record key one of the series reads, each numbered.
    keys: Names<usize>,
    /// Each series' keys, by their numbers in `keys`, in `series` order.
    parts: Vec<SourceParts>,
}

/// The numbers (in [`SourcePlan::keys`]) of the keys one series reads.
#[derive(Debug, Clone, Copy)]
struct SourceParts {
    test: usize,
    value: usize,
    date: usize,
    unit: usize,
    comparator: usize,
}

impl SourcePlan {
    /// Numbers the keys `source` reads, adding those not yet numbered.
    fn number_keys(&mut self, source: &crate::check::schema::SeriesSource) -> SourceParts {
        let mut number = |key: &str| match self.keys.0.iter().position(|k| k.text == key) {
            Some(at) => at,
            None => {
                let at = self.keys.0.len();
                self.keys.add(key, at);
                at
            }
        };
        SourceParts {
            test: number(&source.key),
            value: number(&source.value),
            date: number(&source.date),
            unit: number(&source.unit),
            comparator: number(&source.comparator),
        }
    }
}

/// One record key's value in a list series are read from: only what a
/// series value's parts can be (anything else is read through `Value`).
enum Piece<'t> {
    Text(Cow<'t, str>),
    Number(&'t str),
    Null,
    /// A list, an object or a boolean: never a part of a plain value.
    Other,
}

/// The lists series are read from part of, each with the fields it feeds.
fn source_plans(protocol: &Protocol) -> Vec<SourcePlan> {
    let fields = &protocol.case.fields;
    let mut plans: Vec<SourcePlan> = Vec::new();
    for (slot, field) in fields.iter().enumerate() {
        let Some(source) = &field.from else { continue };
        let at = match plans.iter().position(|p| p.key == source.list) {
            Some(at) => at,
            None => {
                plans.push(SourcePlan {
                    key: source.list.clone(),
                    field: fields
                        .iter()
                        .position(|f| f.from.is_none() && f.name == source.list),
                    series: Vec::new(),
                    keys: Names::new(),
                    parts: Vec::new(),
                });
                plans.len() - 1
            }
        };
        if let Some(plan) = plans.get_mut(at) {
            let parts = plan.number_keys(source);
            plan.series.push(slot);
            plan.parts.push(parts);
        }
    }
    plans
}

/// A record type: its fields' slots by name, and their types by slot.
#[derive(Debug)]
struct RecordPlan {
    slots: Names<usize>,
    fields: Vec<Kind>,
}

/// Names, each once, with what each stands for. Keys mostly come in the
/// order of the names, so a lookup tries the name after the last one found
/// first.
#[derive(Debug)]
struct Names<T>(Vec<Name<T>>);

/// One of [`Names`].
#[derive(Debug)]
struct Name<T> {
    text: String,
    what: T,
    /// Whether JSON writes it as it is (nothing in it is escaped), so
    /// that a key can be matched in the text without reading it.
    plain: bool,
}

impl<T: Copy> Names<T> {
    fn new() -> Names<T> {
        Names(Vec::new())
    }

    /// Adds `name` unless it is there already.
    fn add(&mut self, name: &str, what: T) {
        if !self.0.iter().any(|known| known.text == name) {
            self.0.push(Name {
                text: name.to_string(),
                what,
                plain: !name.bytes().any(needs_decoding),
            });
        }
    }

    /// The name to try first, `next` (the one after the last found), when
    /// it can be matched in the text.
    fn expected(&self, next: usize) -> Option<&Name<T>> {
        self.0.get(next).filter(|name| name.plain)
    }

    /// What `key` stands for; `*next` moves past the name found.
    fn find(&self, key: &str, next: &mut usize) -> Option<T> {
        let is_key = |name: &Name<T>| name.text.as_bytes() == key.as_bytes();
        let at = match self.0.get(*next) {
            Some(name) if is_key(name) => *next,
            _ => self.0.iter().position(is_key)?,
        };
        *next = at + 1;
        self.0.get(at).map(|name| name.what)
    }
}

/// An object's key: one of the names looked for, or another.
enum Key<'t, T> {
    Known(T),
    Other(Cow<'t, str>),
}

/// What a top-level key is.
#[derive(Debug, Clone, Copy)]
enum TopKey {
    /// A case field, by slot.
    Field(usize),
    /// A case field that is also the id key or `as_of`.
    HeadField { slot: usize, head: HeadKey },
    /// The id key or `as_of`.
    Head(HeadKey),
    /// A list that series are read from part of, by its index among the
    /// plan's sources.
    Source(usize),
    /// A key the schema says to ignore.
    Ignored,
}

/// Which of the id key and `as_of` a key is (a case may name `as_of` its id).
#[derive(Debug, Clone, Copy)]
struct HeadKey {
    id: bool,
    as_of: bool,
}

/// A declared type with what the reader needs of it resolved.
#[derive(Debug)]
struct Kind {
    /// The type as declared (what the `Value` reader's rules read).
    ty: FieldType,
    /// Its shape under any `?`.
    shape: Shape,
}

/// The shape of a type, as far as the reader reads it itself.
#[derive(Debug)]
enum Shape {
    /// `text`
    Text,
    /// `date`
    Date,
    /// An enum, by id, with the value each declared name folds to, and
    /// its number among the plan's enum and vocabulary types.
    Enum {
        id: EnumId,
        names: Vec<(String, usize)>,
        memo: usize,
    },
    /// An agent or a regimen, how it takes unknown names, and its number
    /// among the plan's enum and vocabulary types.
    Vocab {
        kind: VocabKind,
        open: Openness,
        memo: usize,
    },
    /// A list, set or history, with its elements' type.
    List { element: Box<Kind>, set: bool },
    /// A record, by index.
    Record(usize),
    /// A series in its unit.
    Series(Unit),
    /// Anything else: booleans and numbers by the plain rules, the rest by
    /// the `Value` reader's.
    Other,
}

impl Plan {
    /// The protocol's plan, compiled the first time it is asked for.
    fn of(protocol: &Protocol) -> &Plan {
        protocol.scan.get_or_init(|| Plan::compile(protocol))
    }

    fn compile(protocol: &Protocol) -> Plan {
        static PLANS: AtomicU64 = AtomicU64::new(0);
        let mut memos = 0;
        let mut kinds = |fields: &[FieldSchema]| -> Vec<Kind> {
            let mut kinds = Vec::with_capacity(fields.len());
            for field in fields {
                kinds.push(Kind::of(protocol, &field.ty, &mut memos));
            }
            kinds
        };
        let fields = kinds(&protocol.case.fields);
        let mut records = Vec::with_capacity(protocol.record_types.len());
        for record in &protocol.record_types {
            let mut slots = Names::new();
            for (slot, field) in record.iter().enumerate() {
                slots.add(&field.name, slot);
            }
            let fields = kinds(record);
            records.push(RecordPlan { slots, fields });
        }
        let sources = source_plans(protocol);
        Plan {
            top: top_keys(protocol, &sources),
            fields,
            records,
            point: point_keys(),
            names: unfolded_names(&protocol.vocab),
            id: PLANS.fetch_add(1, Ordering::Relaxed),
            memos,
            paths: protocol
                .case
                .fields
                .iter()
                .map(|field| pointer("", &field.name))
                .collect(),
            sources,
        }
    }
}

/// The top-level keys in the order the `Value` reader tells them apart.
fn top_keys(protocol: &Protocol, sources: &[SourcePlan]) -> Names<TopKey> {
    let schema = &protocol.case;
    let head = |name: &str| HeadKey {
        id: name == schema.id_key,
        as_of: name == "as_of",
    };
    let mut keys = Names::new();
    for (index, source) in sources.iter().enumerate() {
        keys.add(&source.key, TopKey::Source(index));
    }
    for (slot, field) in schema.fields.iter().enumerate() {
        if field.from.is_some() {
            continue;
        }
        let head = head(&field.name);
        match head.id || head.as_of {
            true => keys.add(&field.name, TopKey::HeadField { slot, head }),
            false => keys.add(&field.name, TopKey::Field(slot)),
        }
    }
    keys.add(&schema.id_key, TopKey::Head(head(&schema.id_key)));
    keys.add("as_of", TopKey::Head(head("as_of")));
    for name in &schema.ignore {
        keys.add(name, TopKey::Ignored);
    }
    // A case usually begins with its id and `as_of`.
    keys.0
        .sort_by_key(|name| !matches!(name.what, TopKey::Head(_)));
    keys
}

/// A key of a series value.
#[derive(Debug, Clone, Copy)]
enum PointKey {
    Date,
    Value,
    Unit,
    Comparator,
}

/// The keys of a plain series value.
fn point_keys() -> Names<PointKey> {
    let mut keys = Names::new();
    keys.add("date", PointKey::Date);
    keys.add("value", PointKey::Value);
    keys.add("unit", PointKey::Unit);
    keys.add("comparator", PointKey::Comparator);
    keys
}

/// Every spelling whose folded form is itself or a declared name, with the
/// agent or regimen it names: text written so is resolved without folding.
fn unfolded_names(vocab: &Vocabulary) -> HashMap<Box<str>, VocabId, FnvBuildHasher> {
    let names = vocab.ids().keys().map(String::as_str);
    let spellings = vocab.spellings().map(|(spelling, _)| spelling);
    names
        .chain(spellings)
        .filter_map(|text| Some((text.into(), vocab.spelled(&fold(text))?)))
        .collect()
}

impl Kind {
    /// The kind of `ty`; each enum and vocabulary type in it takes the next
    /// number of `memos`.
    fn of(protocol: &Protocol, ty: &FieldType, memos: &mut usize) -> Kind {
        let mut memo = || {
            *memos += 1;
            *memos - 1
        };
        let shape = match base_type(ty) {
            FieldType::Text => Shape::Text,
            FieldType::Date => Shape::Date,
            FieldType::Enum(name) => enum_shape(protocol, name, memo()),
            FieldType::Agent(open) => Shape::Vocab {
                kind: VocabKind::Agent,
                open: *open,
                memo: memo(),
            },
            FieldType::Regimen(open) => Shape::Vocab {
                kind: VocabKind::Regimen,
                open: *open,
                memo: memo(),
            },
            FieldType::List(inner) => Shape::List {
                element: Box::new(Kind::of(protocol, inner, memos)),
                set: false,
            },
            FieldType::Set(inner) => Shape::List {
                element: Box::new(Kind::of(protocol, inner, memos)),
                set: true,
            },
            FieldType::History(record) => Shape::List {
                element: Box::new(Kind::of(
                    protocol,
                    &FieldType::Record(record.clone()),
                    memos,
                )),
                set: false,
            },
            FieldType::Record(name) => protocol
                .record_ids
                .get(name)
                .map_or(Shape::Other, |index| Shape::Record(*index)),
            FieldType::Series(unit) => Shape::Series(*unit),
            _ => Shape::Other,
        };
        Kind {
            ty: ty.clone(),
            shape,
        }
    }
}

/// An enum's shape: its id and the value of each of its names (by their
/// folded spelling, as the `Value` reader reads them).
fn enum_shape(protocol: &Protocol, name: &str, memo: usize) -> Shape {
    let Some(info) = protocol
        .enum_ids
        .get(name)
        .and_then(|id| Some((*id, protocol.enums.get(id.0 as usize)?)))
    else {
        return Shape::Other;
    };
    let (id, info) = info;
    let names = info
        .values
        .iter()
        .filter_map(|v| Some((v.clone(), *info.spellings.get(&fold(v))?)))
        .collect();
    Shape::Enum { id, names, memo }
}

/// The top level as read: the fields (schema order), the id and `as_of`
/// values, and undeclared keys (first-written order).
struct Top<'t> {
    fields: Vec<Val>,
    id: Option<Head<'t>>,
    as_of: Option<Head<'t>>,
    unknown: Vec<Cow<'t, str>>,
}

/// The value of the id key or `as_of`: text, or any other JSON.
#[derive(Clone)]
enum Head<'t> {
    Text(Cow<'t, str>),
    Json(Json),
}

impl Top<'_> {
    /// The case id, by the `Value` reader's rule for anything but text.
    fn id(&self, key: &str) -> Option<CaseId> {
        match &self.id {
            Some(Head::Text(text)) if !text.is_empty() => Some(CaseId::Text(text.to_string())),
            Some(Head::Json(json)) => case_id(key, &single(key, json.clone()), Reveal::Codes).ok(),
            _ => None,
        }
    }

    /// The evaluation date, by the `Value` reader's rule for anything but
    /// text.
    fn as_of(&self, loader: &Loader<'_>) -> Option<Option<jiff::civil::Date>> {
        let fields = &self.fields;
        match &self.as_of {
            Some(Head::Text(text)) => exact_date(text).map(Some),
            Some(Head::Json(json)) => loader.as_of(&single("as_of", json.clone()), fields).ok(),
            None => loader.as_of(&Map::new(), fields).ok(),
        }
    }
}

/// A JSON object of one entry.
fn single(key: &str, value: Json) -> Map<String, Json> {
    let mut map = Map::new();
    map.insert(key.to_string(), value);
    map
}

/// The last step of a value's path: built into a JSON pointer only when
/// the value needs it.
#[derive(Clone, Copy)]
enum Step<'k> {
    Key(&'k str),
    Index(usize),
    /// A case field, whose whole path the plan holds (the base is the
    /// case's, empty).
    Field(&'k str),
}

impl Step<'_> {
    /// The path of the value at this step from `base`.
    fn path(self, base: &str) -> String {
        match self {
            Step::Key(key) => pointer(base, key),
            Step::Index(index) => index_pointer(base, index),
            Step::Field(path) => path.to_string(),
        }
    }
}

/// `base` extended by an array index.
fn index_pointer(base: &str, index: usize) -> String {
    let mut path = String::with_capacity(base.len() + 4);
    path.push_str(base);
    path.push('/');
    path.push_str(itoa::Buffer::new().format(index));
    path
}

/// The fields of a case or record as read so far, and the warnings loading
/// each raised (a field written twice keeps its last value and warnings).
struct Slots {
    /// The values of the slots up to the last one read (none where a slot
    /// was not read).
    values: Vec<Val>,
    /// Which slots were read.
    read: Bits,
    /// The warnings of each slot that raised any.
    raised: Vec<(usize, Vec<String>)>,
}

impl Slots {
    fn new(len: usize) -> Slots {
        Slots {
            values: Vec::with_capacity(len),
            read: Bits::default(),
            raised: Vec::new(),
        }
    }

    /// Keeps `value` in `slot`, with the warnings reading it raised (those
    /// of `warnings` from `before` on) taken apart.
    #[inline(always)]
    fn put(
        &mut self,
        slot: usize,
        value: Val,
        warnings: &mut Vec<String>,
        before: usize,
    ) -> Option<()> {
        // Mostly the next slot, read without a warning.
        if slot == self.values.len() && slot < 64 && warnings.len() == before {
            self.read.first |= 1 << slot;
            if self.raised.is_empty() {
                self.values.push(value);
                return Some(());
            }
        }
        self.put_any(slot, value, warnings, before)
    }

    /// [`Slots::put`], for any slot and warnings.
    fn put_any(
        &mut self,
        slot: usize,
        value: Val,
        warnings: &mut Vec<String>,
        before: usize,
    ) -> Option<()> {
        if !self.raised.is_empty() {
            self.raised.retain(|(s, _)| *s != slot);
        }
        if warnings.len() > before {
            self.raised.push((slot, warnings.split_off(before)));
        }
        self.read.set(slot);
        if slot < self.values.len() {
            *self.values.get_mut(slot)? = value;
            return Some(());
        }
        // Keys mostly come in schema order: the value goes at the end.
        self.fill_to(slot);
        self.values.push(value);
        Some(())
    }

    /// Puts none in every slot from the last one read to `len`.
    fn fill_to(&mut self, len: usize) {
        while self.values.len() < len {
            self.values.push(Val::Known(Value::None));
        }
    }

    /// Every field in schema order (absent ones none or unknown, as
    /// declared), their warnings added to `warnings` in that order (each
    /// once, as the `Value` reader raises them).
    fn finish(
        mut self,
        schema: &[FieldSchema],
        base: &str,
        warnings: &mut Vec<String>,
    ) -> Vec<Val> {
        self.fill_to(schema.len());
        let mut fields = self.values;
        if !self.read.all_below(schema.len()) {
            for (slot, (value, field)) in fields.iter_mut().zip(schema).enumerate() {
                if !self.read.get(slot) && !field.absent_is_none {
                    *value = unknown(&pointer(base, field.key()));
                }
            }
        }
        if !self.raised.is_empty() {
            let mut raised = self.raised;
            raised.sort_by_key(|(slot, _)| *slot);
            for message in raised.into_iter().flat_map(|(_, messages)| messages) {
                if !warnings.contains(&message) {
                    warnings.push(message);
                }
            }
        }
        fields
    }
}

/// A set of small numbers: the first 64 in a word, the rest in more words.
#[derive(Default)]
struct Bits {
    first: u64,
    more: Vec<u64>,
}

impl Bits {
    fn set(&mut self, n: usize) {
        let (word, bit) = (n / 64, 1 << (n % 64));
        if word == 0 {
            self.first |= bit;
            return;
        }
        if self.more.len() < word {
            self.more.resize(word, 0);
        }
        if let Some(w) = self.more.get_mut(word - 1) {
            *w |= bit;
        }
    }

    /// Whether every number below `len` is in the set (told at once for
    /// the first 64: mostly every key of a record is written).
    fn all_below(&self, len: usize) -> bool {
        match len {
            0..64 => self.first == (1 << len) - 1,
            _ => (0..len).all(|n| self.get(n)),
        }
    }

    fn get(&self, n: usize) -> bool {
        let (word, bit) = (n / 64, 1 << (n % 64));
        let w = match word {
            0 => self.first,
            _ => self.more.get(word - 1).copied().unwrap_or(0),
        };
        w & bit != 0
    }
}

/// How many elements a list or series is first given room for (a case's
/// lists are mostly short: growing from none would reallocate two or three
/// times).
const LIST_CAPACITY: usize = 4;

/// The scanner, the loader and the plan of one case.
struct Reader<'t, 'a> {
    scan: Scanner<'t>,
    loader: Loader<'a>,
    plan: &'a Plan,
}

impl<'t> Reader<'t, '_> {
    /// The case object.
    fn top(&mut self) -> Option<Top<'t>> {
        let protocol = self.loader.protocol;
        let schema = &protocol.case.fields;
        let mut slots = Slots::new(schema.len());
        let mut top = Top {
            fields: Vec::new(),
            id: None,
            as_of: None,
            unknown: Vec::new(),
        };
        let mut next = 0;
        let mut members = self.scan.open(b'{')?;
        while self.scan.next_member(&mut members)? {
            match self.scan.key(&self.plan.top, &mut next)? {
                Key::Known(TopKey::Field(slot)) => {
                    let kind = self.plan.fields.get(slot)?;
                    let before = self.loader.warnings.len();
                    let path = self.plan.paths.get(slot).map_or("", String::as_str);
                    let value = self.value(kind, "", Step::Field(path))?;
                    slots.put(slot, value, &mut self.loader.warnings, before)?;
                }
                Key::Known(TopKey::HeadField { slot, head }) => {
                    let field = schema.get(slot)?;
                    let json = self.scan.json()?;
                    let before = self.loader.warnings.len();
                    let path = pointer("", &field.name);
                    let value = self.loader.value(&field.ty, &json, &path).ok()?;
                    slots.put(slot, value, &mut self.loader.warnings, before)?;
                    top.set(head, Head::Json(json));
                }
                Key::Known(TopKey::Head(head)) => {
                    let value = self.head()?;
                    top.set(head, value);
                }
                Key::Known(TopKey::Source(index)) => self.source(index, &mut slots)?,
                Key::Known(TopKey::Ignored) => self.scan.skip_value()?,
                Key::Other(key) => {
                    self.scan.skip_value()?;
                    if !top.unknown.contains(&key) {
                        top.unknown.push(key);
                    }
                }
            }
        }
        self.defaults(schema, "", &mut slots)?;
        top.fields = slots.finish(schema, "", &mut self.loader.warnings);
        Some(top)
    }

    /// A list series are read from part of: the list itself when it is a
    /// field too, and each series, through `Value`.
    fn source(&mut self, index: usize, slots: &mut Slots) -> Option<()> {
        let plan = self.plan;
        let source = plan.sources.get(index)?;
        let schema = &self.loader.protocol.case.fields;
        if source.field.is_none() {
            return self.source_records(source, slots);
        }
        let json = self.scan.json()?;
        let path = pointer("", &source.key);
        if let Some(slot) = source.field {
            let field = schema.get(slot)?;
            let before = self.loader.warnings.len();
            let value = self.loader.value(&field.ty, &json, &path).ok()?;
            slots.put(slot, value, &mut self.loader.warnings, before)?;
        }
        for &slot in &source.series {
            let field = schema.get(slot)?;
            let from = field.from.as_deref()?;
            let before = self.loader.warnings.len();
            let value = self.loader.sourced_series(field, from, &json, &path).ok()?;
            slots.put(slot, value, &mut self.loader.warnings, before)?;
        }
        Some(())
    }

    /// The series read from part of a list that is not itself a field:
    /// each record's keys of interest read from the text, the others
    /// skipped; anything a series value cannot be is read through `Value`.
    fn source_records(&mut self, source: &SourcePlan, slots: &mut Slots) -> Option<()> {
        let protocol = self.loader.protocol;
        let path = pointer("", &source.key);
        if self.scan.token()? == b'n' {
            // `null`: every series read from the list is unknown, as for a plain field.
            self.scan.word("null")?;
            for slot in &source.series {
                let before = self.loader.warnings.len();
                slots.put(*slot, unknown(&path), &mut self.loader.warnings, before)?;
            }
            return Some(());
        }
        // Each series' source and unit, looked up once, not once a record.
        let mut reads = Vec::with_capacity(source.series.len());
        for (slot, parts) in source.series.iter().zip(&source.parts) {
            let field = protocol.case.fields.get(*slot)?;
            let (from, FieldType::Series(unit)) = (field.from.as_deref()?, &field.ty) else {
                return None;
            };
            reads.push((from, unit, parts));
        }
        let mut points: Vec<Vec<Point>> = source.series.iter().map(|_| Vec::new()).collect();
        let mut pieces: Vec<Option<Piece<'t>>> = Vec::new();
        let mut records = self.scan.open(b'[')?;
        let mut index = 0;
        while self.scan.next_member(&mut records)? {
            self.source_record(source, &mut pieces)?;
            for ((from, unit, parts), found) in reads.iter().zip(&mut points) {
                if let Some(point) = source_point(protocol, from, unit, parts, &pieces, index)? {
                    found.push(point);
                }
            }
            index += 1;
        }
        for ((slot, (from, _, _)), mut found) in source.series.iter().zip(&reads).zip(points) {
            found.sort_by_key(|p| (p.date, p.time, p.index));
            let series = Series {
                points: found,
                path: path.clone(),
                selector: Some(from.shown.clone()),
            };
            let before = self.loader.warnings.len();
            let value = Val::Known(Value::Series(Box::new(series)));
            slots.put(*slot, value, &mut self.loader.warnings, before)?;
        }
        Some(())
    }

    /// One record of a list series are read from: the value of each key
    /// the series read, by its number; other keys skipped. `None` for a
    /// record that is not an object.
    fn source_record(
        &mut self,
        source: &SourcePlan,
        pieces: &mut Vec<Option<Piece<'t>>>,
    ) -> Option<()> {
        pieces.clear();
        pieces.resize_with(source.keys.0.len(), || None);
        let mut next = 0;
        let mut members = self.scan.open(b'{')?;
        while self.scan.next_member(&mut members)? {
            match self.scan.key(&source.keys, &mut next)? {
                Key::Known(at) => {
                    let piece = match self.scan.token()? {
                        b'"' => Piece::Text(self.scan.string()?),
                        b'n' => self.scan.word("null").map(|()| Piece::Null)?,
                        b'-' | b'0'..=b'9' => Piece::Number(self.scan.next_number()?),
                        _ => self.scan.skip_value().map(|()| Piece::Other)?,
                    };
                    // A key written twice keeps its last value, as `Value` does.
                    *pieces.get_mut(at)? = Some(piece);
                }
                Key::Other(_) => self.scan.skip_value()?,
            }
        }
        Some(())
    }

    /// Each field declared `= LITERAL` whose key was absent, read as its
    /// literal (as the `Value` reader reads it).
    fn defaults(&mut self, schema: &[FieldSchema], base: &str, slots: &mut Slots) -> Option<()> {
        for (slot, field) in schema.iter().enumerate() {
            if field.default.is_none() || slots.read.get(slot) {
                continue;
            }
            let before = self.loader.warnings.len();
            let value = self
                .loader
                .default_of(field, &pointer(base, &field.name))
                .ok()?;
            slots.put(slot, value, &mut self.loader.warnings, before)?;
        }
        Some(())
    }

    /// The value of the id key or `as_of`.
    fn head(&mut self) -> Option<Head<'t>> {
        match self.scan.token()? {
            b'"' => self.scan.string().map(Head::Text),
            _ => self.scan.json().map(Head::Json),
        }
    }

    /// One value of type `kind` at `base` + `step`.
    fn value(&mut self, kind: &Kind, base: &str, step: Step<'_>) -> Option<Val> {
        let token = self.scan.token()?;
        if let (b'"', Shape::Date) = (token, &kind.shape) {
            if let Some(date) = self.scan.plain_date() {
                return Some(Val::Known(Value::Date(DateRange::day(date))));
            }
        }
        match (token, &kind.shape) {
            (b'"', Shape::Vocab { kind, open, memo }) => {
                let text = self.scan.string()?;
                self.vocab(*kind, *open, *memo, &text, base, step)
            }
            (b'"', _) => {
                let text = self.scan.string()?;
                match self.plain_text(kind, &text) {
                    Some(value) => Some(value),
                    None => self.by_rules(kind, Json::String(text.into_owned()), base, step),
                }
            }
            (b't' | b'f', _) => {
                let b = self.scan.boolean()?;
                match super::case::plain::boolean(&kind.ty, b) {
                    Some(value) => Some(value),
                    None => self.by_rules(kind, Json::Bool(b), base, step),
                }
            }
            (b'n', _) => {
                self.scan.word("null")?;
                match kind.ty {
                    // As the `Value` reader reads it, without its path.
                    FieldType::Optional(_) => Some(Val::Known(Value::None)),
                    _ => self.by_rules(kind, Json::Null, base, step),
                }
            }
            (b'[', Shape::List { element, set }) => match step {
                Step::Field(path) => self.list(element, *set, path),
                _ => self.list(element, *set, &step.path(base)),
            },
            (b'[', Shape::Series(unit)) => self.series(unit, step.path(base)),
            (b'{', Shape::Record(index)) => self.record(*index, step.path(base)),
            (b'-' | b'0'..=b'9', _) => {
                let number = self.scan.number()?;
                match super::case::plain::number(&kind.ty, number) {
                    Some(value) => Some(value),
                    None => {
                        let json = serde_json::from_str(number).ok()?;
                        self.by_rules(kind, json, base, step)
                    }
                }
            }
            _ => {
                let json = self.scan.json()?;
                self.by_rules(kind, json, base, step)
            }
        }
    }

    /// A value given as JSON, read by the `Value` reader's rules.
    fn by_rules(&mut self, kind: &Kind, json: Json, base: &str, step: Step<'_>) -> Option<Val> {
        self.loader.value(&kind.ty, &json, &step.path(base)).ok()
    }

    /// A text value written as the protocol declares it (or as it folds);
    /// `None` for anything else.
    fn plain_text(&mut self, kind: &Kind, text: &str) -> Option<Val> {
        let value = match &kind.shape {
            Shape::Text => Value::Text(text.to_string()),
            Shape::Date => Value::Date(DateRange::day(exact_date(text)?)),
            Shape::Enum { id, names, memo } => {
                Value::Enum(self.enum_value(*id, names, *memo, text)?)
            }
            _ => return None,
        };
        Some(Val::Known(value))
    }

    /// The value of enum `id` spelled `text`: a declared name, or any
    /// spelling that folds like one of its names or aliases (remembered
    /// per thread under `memo`).
    fn enum_value(
        &mut self,
        id: EnumId,
        names: &[(String, usize)],
        memo: usize,
        text: &str,
    ) -> Option<EnumValue> {
        let protocol = self.loader.protocol;
        let info = protocol.enums.get(id.0 as usize)?;
        let index = match names.iter().find(|(name, _)| name == text) {
            Some((_, index)) => *index,
            None => {
                let spelled =
                    |_: &Loader<'_>| Some(Reading::Enum(*info.spellings.get(&fold(text))?));
                let read = |_: &mut Loader<'_>, reading: &Reading| match reading {
                    Reading::Enum(index) => Some(*index),
                    Reading::Vocab(_) => None,
                };
                remembered(self.plan, memo, text, &mut self.loader, spelled, read)??
            }
        };
        (index < info.values.len()).then_some(EnumValue { ty: id, index })
    }

    /// Text in an agent or regimen field at `base` + `step`: a declared
    /// name as written, else as the `Value` reader reads it (remembered
    /// per thread under `memo`); `None` where that is an error.
    fn vocab(
        &mut self,
        kind: VocabKind,
        open: Openness,
        memo: usize,
        text: &str,
        base: &str,
        step: Step<'_>,
    ) -> Option<Val> {
        let protocol = self.loader.protocol;
        if let Some(id) = self.plan.names.get(text) {
            if kind.declares(protocol, *id) {
                return Some(Val::Known(Value::Vocab(VocabValue::Known(*id))));
            }
        }
        let reading = |loader: &Loader<'_>| {
            let reveal = loader.private();
            Some(Reading::Vocab(
                loader.vocab_reading(kind, open, text, reveal),
            ))
        };
        let read = |loader: &mut Loader<'_>, reading: &Reading| match reading {
            Reading::Vocab(VocabReading::Known(id)) => {
                Some(Val::Known(Value::Vocab(VocabValue::Known(*id))))
            }
            Reading::Vocab(
                reading @ (VocabReading::Other(_)
                | VocabReading::Unknown(_)
                | VocabReading::Ambiguous(_)),
            ) => loader.read_vocab(reading, text, &step.path(base)).ok(),
            Reading::Vocab(VocabReading::Refused(_)) | Reading::Enum(_) => None,
        };
        if self.loader.private() == Reveal::All {
            // Readings that show the text are for one run; none is kept.
            let reading = reading(&self.loader)?;
            return read(&mut self.loader, &reading);
        }
        remembered(self.plan, memo, text, &mut self.loader, reading, read)?
    }

    /// A JSON array at `path`, each element read as `element`.
    fn list(&mut self, element: &Kind, set: bool, path: &str) -> Option<Val> {
        let mut items = Vec::with_capacity(LIST_CAPACITY);
        let mut members = self.scan.open(b'[')?;
        while self.scan.next_member(&mut members)? {
            let item = self.value(element, path, Step::Index(items.len()))?;
            items.push(item);
        }
        Some(Val::Known(Value::List(match set {
            true => dedup(items),
            false => items,
        })))
    }

    /// A record of type `index` at `path`.
    fn record(&mut self, index: usize, path: String) -> Option<Val> {
        let protocol = self.loader.protocol;
        let schema = protocol.record_schema(index);
        let plan = self.plan.records.get(index)?;
        let mut slots = Slots::new(schema.len());
        let mut unknown: Vec<Cow<'t, str>> = Vec::new();
        let mut next = 0;
        let mut members = self.scan.open(b'{')?;
        while self.scan.next_member(&mut members)? {
            let slot = match self.scan.key(&plan.slots, &mut next)? {
                Key::Known(slot) => slot,
                Key::Other(key) => {
                    self.scan.skip_value()?;
                    if !unknown.contains(&key) {
                        unknown.push(key);
                    }
                    continue;
                }
            };
            let (field, kind) = (schema.get(slot)?, plan.fields.get(slot)?);
            let before = self.loader.warnings.len();
            let value = self.value(kind, &path, Step::Key(&field.name))?;
            slots.put(slot, value, &mut self.loader.warnings, before)?;
        }
        self.defaults(schema, &path, &mut slots)?;
        let fields = slots.finish(schema, &path, &mut self.loader.warnings);
        if !unknown.is_empty() {
            let known: Vec<&str> = schema.iter().map(|f| f.name.as_str()).collect();
            let name = protocol.record_ids.iter().find(|(_, i)| **i == index)?.0;
            let within = format!("a `{name}` record");
            for key in &unknown {
                self.loader.unknown_key(key, &known, &path, &within).ok()?;
            }
        }
        Some(Val::Known(Value::Record(Box::new(Record {
            fields,
            ty: index,
            path,
        }))))
    }

    /// A series whose values are all plain (`{"date", "value"}`, with a unit
    /// or a comparator), in date order then array order; anything else is
    /// read through `Value`.
    fn series(&mut self, unit: &Unit, path: String) -> Option<Val> {
        let mut points = Vec::with_capacity(LIST_CAPACITY);
        let mut members = self.scan.open(b'[')?;
        while self.scan.next_member(&mut members)? {
            let (date, value, comparator) = self.point(unit)?;
            points.push(Point {
                date,
                time: None,
                value: Quantity {
                    value,
                    unit: Some(*unit),
                },
                comparator,
                index: points.len(),
            });
        }
        points.sort_by_key(|p| (p.date, p.time, p.index));
        Some(Val::Known(Value::Series(Box::new(Series {
            points,
            path,
            selector: None,
        }))))
    }

    /// A series value: `{"date": "YYYY-MM-DD", "value": N, "unit"?: U,
    /// "comparator"?: C}`, each key once; a censored value with its
    /// comparator in the key or in the text of its value (`"<20"`).
    fn point(
        &mut self,
        unit: &Unit,
    ) -> Option<(jiff::civil::Date, rust_decimal::Decimal, Option<Comparator>)> {
        let (mut date, mut value, mut given, mut keyed) = (None, None, None, None);
        let mut next = 0;
        let mut members = self.scan.open(b'{')?;
        while self.scan.next_member(&mut members)? {
            match self.scan.key(&self.plan.point, &mut next)? {
                Key::Known(PointKey::Date) if date.is_none() => {
                    date = Some(self.scan.next_string()?)
                }
                Key::Known(PointKey::Value) if value.is_none() => {
                    value = Some(match self.scan.token()? {
                        b'"' => super::case::censored_text(&self.scan.string()?, "").ok()?,
                        _ => (super::case::plain::decimal(self.scan.next_number()?)?, None),
                    });
                }
                Key::Known(PointKey::Unit) if given.is_none() => {
                    given = Some(self.scan.next_string()?);
                }
                Key::Known(PointKey::Comparator) if keyed.is_none() => {
                    keyed = Some(match self.scan.token()? {
                        b'n' => self.scan.word("null").map(|()| None)?,
                        _ => super::case::comparator_symbol(&self.scan.next_string()?)?,
                    });
                }
                _ => return None,
            }
        }
        let protocol = self.loader.protocol;
        let (date, (written, in_text)) = (date?, value?);
        let comparator = match (in_text, keyed.flatten()) {
            (Some(_), Some(_)) => return None,
            (in_text, keyed) => in_text.or(keyed),
        };
        let (date, value) =
            super::case::plain::point(protocol, unit, &date, written, given.as_deref())?;
        Some((date, value, comparator))
    }
}

/// A record's value of one series read from part of a list: `Some(None)`
/// when the record is another test's; `None` (read through `Value`) for
/// anything but a plain value of the series.
fn source_point(
    protocol: &Protocol,
    source: &crate::check::schema::SeriesSource,
    unit: &Unit,
    parts: &SourceParts,
    pieces: &[Option<Piece<'_>>],
    index: usize,
) -> Option<Option<Point>> {
    let piece = |at: usize| pieces.get(at).and_then(Option::as_ref);
    let Some(Piece::Text(test)) = piece(parts.test) else {
        return None;
    };
    if !source
        .accepts
        .iter()
        .any(|a| crate::check::folds_to(test, a))
    {
        return Some(None);
    }
    let Some(Piece::Text(date)) = piece(parts.date) else {
        return None;
    };
    let (written, in_text) = match piece(parts.value)? {
        Piece::Number(text) => (super::case::plain::decimal(text)?, None),
        Piece::Text(text) => super::case::censored_text(text, "").ok()?,
        Piece::Null | Piece::Other => return None,
    };
    let keyed = match piece(parts.comparator) {
        None | Some(Piece::Null) => None,
        Some(Piece::Text(text)) => super::case::comparator_symbol(text)?,
        Some(Piece::Number(_) | Piece::Other) => return None,
    };
    let comparator = match (in_text, keyed) {
        (Some(_), Some(_)) => return None,
        (in_text, keyed) => in_text.or(keyed),
    };
    let given = match piece(parts.unit) {
        None | Some(Piece::Null) => None,
        Some(Piece::Text(text)) => Some(&**text),
        Some(Piece::Number(_) | Piece::Other) => return None,
    };
    let (date, time) = super::case::plain::point_day(date)?;
    let value = super::case::plain::in_series_unit(protocol, unit, written, given)?;
    Some(Some(Point {
        date,
        time,
        value: Quantity {
            value,
            unit: Some(*unit),
        },
        comparator,
        index,
    }))
}

/// How text that needed folding read in an enum or vocabulary type.
enum Reading {
    /// The value of the enum.
    Enum(usize),
    /// What the `Value` reader reads it as.
    Vocab(VocabReading),
}

/// The readings of one plan a thread remembers, by the type's `memo` and
/// the text: registries repeat their spellings, so folding a spelling and
/// wording its warning is done once per thread, not once per case.
struct Remembered {
    plan: u64,
    memos: Vec<HashMap<Box<str>, Reading, FnvBuildHasher>>,
}

/// How many plans a thread remembers readings for, and how many readings
/// of one type (past either it starts afresh).
const REMEMBERED_PLANS: usize = 4;
const REMEMBERED_READINGS: usize = 4096;

thread_local! {
    static REMEMBERED: RefCell<Vec<Remembered>> = const { RefCell::new(Vec::new()) };
}

/// `read` of the reading of `text` in type `memo` of `plan`: remembered by
/// this thread, else `compute`d (`None` when it has none) and remembered.
fn remembered<R>(
    plan: &Plan,
    memo: usize,
    text: &str,
    loader: &mut Loader<'_>,
    compute: impl FnOnce(&Loader<'_>) -> Option<Reading>,
    read: impl FnOnce(&mut Loader<'_>, &Reading) -> R,
) -> Option<R> {
    REMEMBERED.with(|cell| {
        let Ok(mut all) = cell.try_borrow_mut() else {
            return compute(loader).map(|reading| read(loader, &reading));
        };
        let memos = plan_memos(&mut all, plan)?;
        let known = memos.get_mut(memo)?;
        if let Some(reading) = known.get(text) {
            return Some(read(loader, reading));
        }
        let reading = compute(loader)?;
        let out = read(loader, &reading);
        if known.len() >= REMEMBERED_READINGS {
            known.clear();
        }
        known.insert(text.into(), reading);
        Some(out)
    })
}

/// The readings this thread remembers for `plan`.
fn plan_memos<'r>(
    all: &'r mut Vec<Remembered>,
    plan: &Plan,
) -> Option<&'r mut Vec<HashMap<Box<str>, Reading, FnvBuildHasher>>> {
    let at = match all.iter().position(|r| r.plan == plan.id) {
        Some(at) => at,
        None => {
            if all.len() >= REMEMBERED_PLANS {
                all.clear();
            }
            all.push(Remembered {
                plan: plan.id,
                memos: (0..plan.memos).map(|_| HashMap::default()).collect(),
            });
            all.len() - 1
        }
    };
    all.get_mut(at).map(|remembered| &mut remembered.memos)
}

impl<'t> Top<'t> {
    /// Keeps the value of the id key or `as_of` (a key written again
    /// replaces it).
    fn set(&mut self, key: HeadKey, value: Head<'t>) {
        match (key.id, key.as_of) {
            (true, true) => {
                self.id = Some(value.clone());
                self.as_of = Some(value);
            }
            (true, false) => self.id = Some(value),
            (false, true) => self.as_of = Some(value),
            (false, false) => {}
        }
    }
}

/// How deep objects and arrays may nest before the reader gives up (well
/// within serde_json's limit, so every text it gives up on for depth the
/// `Value` reader reads or refuses by its own rule).
const MAX_DEPTH: usize = 64;

/// A cursor over a case's JSON text. Every method reads one token or value
/// and returns `None` for anything that is not JSON as serde_json reads it
/// (or that the scanner does not decode).
struct Scanner<'t> {
    text: &'t str,
    pos: usize,
    depth: usize,
}

/// The members of an open object or array, as [`Scanner::next_member`]
/// walks them.
struct Members {
    close: u8,
    first: bool,
}

impl<'t> Scanner<'t> {
    fn new(text: &'t str) -> Scanner<'t> {
        Scanner {
            text,
            pos: 0,
            depth: 0,
        }
    }

    /// The first byte of the next token, after any whitespace. Mostly the
    /// byte here (every token begins above the space) or after one space.
    #[inline(always)]
    fn token(&mut self) -> Option<u8> {
        let bytes = self.text.as_bytes();
        match bytes.get(self.pos) {
            Some(&byte) if byte > b' ' => return Some(byte),
            Some(b' ') => match bytes.get(self.pos + 1) {
                Some(&byte) if byte > b' ' => {
                    self.pos += 1;
                    return Some(byte);
                }
                _ => {}
            },
            _ => {}
        }
        self.spaced_token()
    }

    /// [`Scanner::token`] past any run of whitespace.
    #[inline(never)]
    fn spaced_token(&mut self) -> Option<u8> {
        let bytes = self.text.as_bytes();
        let mut at = self.pos;
        while let Some(&byte) = bytes.get(at) {
            if !matches!(byte, b' ' | b'\t' | b'\n' | b'\r') {
                self.pos = at;
                return Some(byte);
            }
            at += 1;
        }
        self.pos = at;
        None
    }

    /// Consumes `byte` as the next token.
    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.token()? == byte).then(|| self.pos += 1)
    }

    /// Nothing but whitespace is left.
    fn end(&mut self) -> Option<()> {
        self.token().is_none().then_some(())
    }

    /// Opens an object (`{`) or array (`[`).
    fn open(&mut self, byte: u8) -> Option<Members> {
        self.expect(byte)?;
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return None;
        }
        let close = if byte == b'{' { b'}' } else { b']' };
        Some(Members { close, first: true })
    }

    /// Whether another member follows (past its `,`), or the object or
    /// array closes here.
    fn next_member(&mut self, members: &mut Members) -> Option<bool> {
        let next = self.token()?;
        if next == members.close {
            self.pos += 1;
            self.depth -= 1;
            return Some(false);
        }
        if members.first {
            members.first = false;
            return Some(true);
        }
        (next == b',').then(|| self.pos += 1)?;
        Some(true)
    }

    /// An object's key, one of `names` or another, and its `:`. The name
    /// at `*next` is matched in the text first; `*next` moves past the
    /// name found.
    fn key<T: Copy>(&mut self, names: &Names<T>, next: &mut usize) -> Option<Key<'t, T>> {
        self.token()?;
        if let Some(name) = names.expected(*next) {
            if self.at_key(name.text.as_bytes()) {
                *next += 1;
                self.expect(b':')?;
                return Some(Key::Known(name.what));
            }
        }
        let key = self.string()?;
        self.expect(b':')?;
        Some(match names.find(&key, next) {
            Some(what) => Key::Known(what),
            None => Key::Other(key),
        })
    }

    /// Consumes the string `"name"` if it is next (`name` has nothing to
    /// decode).
    #[inline(always)]
    fn at_key(&mut self, name: &[u8]) -> bool {
        let bytes = self.text.as_bytes();
        let end = self.pos + 1 + name.len();
        let found = bytes.get(self.pos) == Some(&b'"')
            && bytes.get(end) == Some(&b'"')
            && bytes.get(self.pos + 1..end) == Some(name);
        if found {
            self.pos = end + 1;
        }
        found
    }

    /// A date written as a plain `"YYYY-MM-DD"` string, consumed; `None`
    /// (nothing consumed) for anything else.
    #[inline(always)]
    fn plain_date(&mut self) -> Option<jiff::civil::Date> {
        let bytes = self.text.as_bytes();
        let quoted = bytes.get(self.pos..self.pos + 12)?;
        let [b'"', inner @ .., b'"'] = quoted else {
            return None;
        };
        let date = exact_day(inner)?;
        self.pos += 12;
        Some(date)
    }

    /// The string after any whitespace.
    fn next_string(&mut self) -> Option<Cow<'t, str>> {
        self.token()?;
        self.string()
    }

    /// The number after any whitespace.
    fn next_number(&mut self) -> Option<&'t str> {
        self.token()?;
        self.number()
    }

    /// The string that begins here, decoded; borrowed from the text when
    /// it has no escape.
    fn string(&mut self) -> Option<Cow<'t, str>> {
        let bytes = self.text.as_bytes();
        if bytes.get(self.pos) != Some(&b'"') {
            return None;
        }
        let start = self.pos + 1;
        let end = start + plain_run(bytes.get(start..)?);
        match bytes.get(end)? {
            b'"' => {
                self.pos = end + 1;
                self.text.get(start..end).map(Cow::Borrowed)
            }
            b'\\' => self.escaped(start, end).map(Cow::Owned),
            _ => None,
        }
    }

    /// The rest of a string from its first escape at `at`.
    #[cold]
    #[inline(never)]
    fn escaped(&mut self, start: usize, mut at: usize) -> Option<String> {
        let bytes = self.text.as_bytes();
        let mut out = String::from(self.text.get(start..at)?);
        loop {
            match bytes.get(at)? {
                b'"' => {
                    self.pos = at + 1;
                    return Some(out);
                }
                b'\\' => {
                    let (c, len) = unescape(bytes.get(at + 1..)?)?;
                    out.push(c);
                    at += 1 + len;
                }
                _ => return None,
            }
            let run = plain_run(bytes.get(at..)?);
            out.push_str(self.text.get(at..at + run)?);
            at += run;
        }
    }

    /// The text of the number that begins here, as JSON writes numbers.
    fn number(&mut self) -> Option<&'t str> {
        let bytes = self.text.as_bytes();
        let start = self.pos;
        let digits_from = |mut at: usize| {
            while bytes.get(at).is_some_and(u8::is_ascii_digit) {
                at += 1;
            }
            at
        };
        let mut at = start + usize::from(bytes.get(start) == Some(&b'-'));
        at = match bytes.get(at)? {
            b'0' => at + 1,
            b'1'..=b'9' => digits_from(at + 1),
            _ => return None,
        };
        if bytes.get(at) == Some(&b'.') {
            at = digits_after(bytes, at + 1, digits_from)?;
        }
        if matches!(bytes.get(at), Some(b'e' | b'E')) {
            at += 1 + usize::from(matches!(bytes.get(at + 1), Some(b'+' | b'-')));
            at = digits_after(bytes, at, digits_from)?;
        }
        self.pos = at;
        self.text.get(start..at)
    }

    /// `true` or `false`.
    fn boolean(&mut self) -> Option<bool> {
        if self.word("true").is_some() {
            return Some(true);
        }
        self.word("false").map(|()| false)
    }

    /// The literal `word` (`true`, `false`, `null`).
    fn word(&mut self, word: &str) -> Option<()> {
        self.token()?;
        self.text
            .get(self.pos..)?
            .starts_with(word)
            .then(|| self.pos += word.len())
    }

    /// Any JSON value, checked and passed over.
    fn skip_value(&mut self) -> Option<()> {
        match self.token()? {
            b'"' => self.string().map(drop),
            b'-' | b'0'..=b'9' => self.number().map(drop),
            b't' | b'f' => self.boolean().map(drop),
            b'n' => self.word("null"),
            byte @ (b'{' | b'[') => {
                let mut members = self.open(byte)?;
                while self.next_member(&mut members)? {
                    if byte == b'{' {
                        self.next_string()?;
                        self.expect(b':')?;
                    }
                    self.skip_value()?;
                }
                Some(())
            }
            _ => None,
        }
    }

    /// Any JSON value as serde_json reads it.
    fn json(&mut self) -> Option<Json> {
        self.token()?;
        let start = self.pos;
        self.skip_value()?;
        serde_json::from_str(self.text.get(start..self.pos)?).ok()
    }
}

/// How many bytes from the start of `bytes` need no decoding: up to the
/// first `"`, backslash or control character (or the end). Eight bytes are
/// tested at a time: a byte's high bit is set in a mask where the byte is
/// zero (or below `0x20`), and the lowest such bit is always exact.
fn plain_run(bytes: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let zero_in = |word: u64| word.wrapping_sub(ONES) & !word;
    let mut run = 0;
    while let Some(eight) = bytes.get(run..run + 8) {
        let Ok(eight) = <[u8; 8]>::try_from(eight) else {
            break;
        };
        let word = u64::from_le_bytes(eight);
        let stops = (zero_in(word ^ (ONES * u64::from(b'"')))
            | zero_in(word ^ (ONES * u64::from(b'\\')))
            | (word.wrapping_sub(ONES * 0x20) & !word))
            & HIGHS;
        if stops != 0 {
            return run + (stops.trailing_zeros() / 8) as usize;
        }
        run += 8;
    }
    let rest = bytes.get(run..).unwrap_or_default();
    run + rest
        .iter()
        .position(|b| needs_decoding(*b))
        .unwrap_or(rest.len())
}

/// `"`, backslash, or a control character (which JSON text may not hold).
fn needs_decoding(byte: u8) -> bool {
    byte == b'"' || byte == b'\\' || byte < 0x20
}

/// Past one or more digits from `at` (none is not JSON).
fn digits_after(bytes: &[u8], at: usize, digits_from: impl Fn(usize) -> usize) -> Option<usize> {
    bytes.get(at).filter(|b| b.is_ascii_digit())?;
    Some(digits_from(at))
}

/// The character an escape stands for (`rest` follows its backslash) and
/// how many bytes of `rest` it takes. Surrogates (`\ud83d…`) are left to
/// serde_json.
fn unescape(rest: &[u8]) -> Option<(char, usize)> {
    let c = match *rest.first()? {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        b'u' => {
            let hex = std::str::from_utf8(rest.get(1..5)?).ok()?;
            if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            let code = u32::from_str_radix(hex, 16).ok()?;
            return char::from_u32(code).map(|c| (c, 5));
        }
        _ => return None,
    };
    Some((c, 1))
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
                for (strict, show_values) in [(false, false), (true, false), (false, true)] {
                    let options = LoadOptions {
                        strict,
                        show_values,
                    };
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

    /// A generated DLBCL case as `scripts/gen-cases.py` writes one: an
    /// alias, a free-text regimen, a null, a unit to convert, a lab record
    /// of another test.
    const GENERATED: &str = r#"{"id": "gen-0000001", "as_of": "2026-02-08", "age": 43, "ecog": 0, "histology": "DLBCL, NOS", "transplant_eligible": true, "cns_involvement": false, "labs": [{"test": "creatinine_clearance", "collected": "2026-01-20", "result": 5.5, "units": "L/h"}, {"test": "haemoglobin", "collected": "2026-02-02", "result": 12.6, "units": "g/dL"}, {"test": "creatinine_clearance", "collected": "2026-02-07", "result": 98, "units": "mL/min"}], "lines": [{"regimen": "R-CHOP", "start_date": "2022-11-28", "end_date": "2023-04-03", "best_response": "PR", "progression_date": "2023-05-31"}, {"regimen": "R-CHOP x6", "start_date": "2023-06-10", "end_date": "2023-08-05", "best_response": "CR", "progression_date": null}, {"regimen": "RICE", "start_date": "2023-09-10", "best_response": "SD"}]}"#;

    /// Whether the reader read `line` leniently; wherever it read it
    /// (lenient or strict), it read what the `Value` reader reads.
    fn agrees(protocol: &Protocol, line: &str) -> bool {
        let mut lenient = false;
        for strict in [false, true] {
            let options = LoadOptions {
                strict,
                show_values: false,
            };
            let reference = parse_json(line).and_then(|j| load_case(protocol, &j, &options));
            let case = read_case(protocol, line, &options);
            if let Some(case) = &case {
                assert_eq!(Ok(case.clone()), reference, "{line}");
            }
            lenient |= !strict && case.is_some();
        }
        lenient
    }

    /// `GENERATED` with `from` replaced by `to` (which must be in it).
    fn generated_with(from: &str, to: &str) -> String {
        assert!(GENERATED.contains(from), "{from}");
        GENERATED.replacen(from, to, 1)
    }

    #[test]
    fn a_generated_case_is_read_directly() {
        let protocol = dlbcl();
        let options = LoadOptions::default();
        let case = read_case(protocol, GENERATED, &options).expect("read directly");
        assert_eq!(case.warnings.len(), 1, "{:?}", case.warnings);
        assert!(agrees(protocol, GENERATED));
    }

    #[test]
    fn quantity_objects_read_as_the_value_reader_reads_them() {
        let protocol = dlbcl();
        let age = r#""age": 43"#;
        let point = r#""result": 98, "units": "mL/min""#;
        let read = [
            (age, r#""age": {"value": 516, "unit": "months"}"#),
            (age, r#""age": {"value": null, "unit": "years"}"#),
            (point, r#""result": 1.5, "units": "L/h""#),
        ];
        for (from, to) in read {
            assert!(agrees(protocol, &generated_with(from, to)), "{to}");
        }
        for refused in [
            r#""age": {"value": 2, "unit": "weeks"}"#,
            r#""age": {"value": 43}"#,
            r#""age": {"value": 43, "unit": "years", "at": 1}"#,
        ] {
            let line = generated_with(r#""age": 43"#, refused);
            assert!(!agrees(protocol, &line), "{line}");
        }
    }

    #[test]
    fn readings_remembered_across_cases_read_as_the_value_reader_does() {
        let protocol = dlbcl();
        // Free text and an enum alias, met first, again, and at another
        // path (whose warning names that path).
        let moved = GENERATED
            .replacen(r#""R-CHOP x6""#, r#""RICE""#, 1)
            .replacen(
                r#""regimen": "RICE", "start_date": "2023-09-10""#,
                r#""regimen": "R-CHOP x6", "start_date": "2023-09-10""#,
                1,
            );
        assert_ne!(moved, GENERATED);
        let other = GENERATED.replace("R-CHOP x6", "R-CHOP x4 then RT");
        for line in [
            GENERATED,
            GENERATED,
            moved.as_str(),
            other.as_str(),
            GENERATED,
        ] {
            assert!(agrees(protocol, line), "not read: {line}");
        }
        // Another protocol read in between remembers its own readings.
        let text = "protocol \"Other\" { version \"1\" status draft effective 2025-01-01 }\n\
                    agent rituximab class anti-CD20\n\
                    regimen R-CHOP = rituximab alias \"RCHOP\"\n\
                    enum Histology { DLBCL_NOS alias \"DLBCL, NOS\" }\n\
                    case { histology: Histology\n r: regimen open other }\n\
                    rule x when histology is DLBCL_NOS then flag x \"x\"\n";
        let second = crate::compile::compile_source("other.salv", text)
            .protocol
            .unwrap();
        for line in [
            r#"{"id": "a", "histology": "DLBCL, NOS", "r": "R-CHOP x6"}"#,
            r#"{"id": "b", "histology": "dlbcl nos", "r": "r chop"}"#,
        ] {
            assert!(agrees(&second, line), "not read: {line}");
            assert!(agrees(protocol, GENERATED));
            assert!(agrees(&second, line), "not read: {line}");
        }
    }

    #[test]
    fn escaped_strings_are_decoded() {
        let protocol = dlbcl();
        for (from, to) in [
            (
                r#""gen-0000001""#,
                r#""gen-\"1\"\\\/\b\f\n\r\t\u00e9\u0000""#,
            ),
            (r#""DLBCL, NOS""#, r#""DLBCL\u002c NOS""#),
            (r#""histology""#, r#""hist\u006flogy""#),
            (r#""regimen": "RICE""#, r#""re\u0067imen": "R\u0049CE""#),
            (r#""R-CHOP x6""#, r#""R-CHOP \u00d76""#),
            (r#""mL/min""#, r#""mL\/min""#),
            (r#""age""#, r#""\u00e2ge""#),
        ] {
            let line = generated_with(from, to);
            assert!(agrees(protocol, &line), "not read: {line}");
        }
        // Surrogates are left to serde_json, and so are escapes it refuses.
        for (from, to) in [
            (r#""R-CHOP x6""#, r#""R-CHOP \ud83d\ude00""#),
            (r#""R-CHOP x6""#, r#""R-CHOP \ud83d""#),
            (r#""R-CHOP x6""#, r#""R-CHOP \x41""#),
            (r#""R-CHOP x6""#, r#""R-CHOP \u12""#),
            (r#""R-CHOP x6""#, "\"R-CHOP \u{0}\""),
            (r#""R-CHOP x6""#, "\"R-CHOP\tx6\""),
        ] {
            agrees(protocol, &generated_with(from, to));
        }
    }

    #[test]
    fn whitespace_anywhere_between_tokens_is_read() {
        let protocol = dlbcl();
        let mut spaced = String::new();
        let mut in_string = false;
        let mut escaped = false;
        for c in GENERATED.chars() {
            let structural = !in_string && matches!(c, '{' | '}' | '[' | ']' | ':' | ',');
            if structural {
                spaced.push_str(" \t\r\n");
            }
            spaced.push(c);
            if structural {
                spaced.push_str("\n\t ");
            }
            in_string ^= c == '"' && !escaped;
            escaped = c == '\\' && !escaped;
        }
        assert!(agrees(protocol, &spaced), "not read: {spaced}");
        let compact: String = GENERATED.replace(": ", ":").replace(", \"", ",\"");
        assert!(agrees(protocol, &compact), "not read: {compact}");
        // Only JSON's four whitespace characters separate tokens.
        for odd in ["\u{0}", "\u{b}", "\u{c}", "\u{a0}", "\u{feff}"] {
            let line = GENERATED.replacen(", \"age\"", &format!(",{odd}\"age\""), 1);
            assert!(!agrees(protocol, &line), "read: {line:?}");
            assert!(read_case(
                protocol,
                &format!("{odd}{GENERATED}"),
                &LoadOptions::default()
            )
            .is_none());
        }
    }

    #[test]
    fn undeclared_values_of_every_shape_are_skipped() {
        let protocol = dlbcl();
        for value in [
            r#"{"a": [1, -2.5e-3, true, false, null, "x\"y", {}, []], "b": {"c": {"d": [[]]}}}"#,
            r#"[{"value": 1}, {"date": "2025-13-45"}, "é", 1E+400]"#,
            r#""a string with \u00e9, \\ and \"""#,
            "-0",
            "null",
        ] {
            let line = generated_with(r#""age": 43"#, &format!(r#""zz": {value}, "age": 43"#));
            assert!(agrees(protocol, &line), "not read: {line}");
            let line = generated_with(
                r#""best_response": "PR""#,
                &format!(r#""zz": {value}, "best_response": "PR""#),
            );
            assert!(agrees(protocol, &line), "not read: {line}");
        }
        for bad in [
            "[1,]",
            "{\"a\" 1}",
            "{\"a\": 1,}",
            "[1 2]",
            "tru",
            "nul",
            "01",
            "1.",
            ".5",
            "+1",
            "1e",
            "-",
            "\"\\q\"",
        ] {
            let line = generated_with(r#""age": 43"#, &format!(r#""zz": {bad}, "age": 43"#));
            assert!(!agrees(protocol, &line), "read: {line}");
        }
    }

    #[test]
    fn numbers_are_read_from_their_exact_text() {
        let protocol = dlbcl();
        for age in [
            "1e2", "1E+2", "100e-0", "43.0", "4.3e1", "-0", "0", "1.50", "430e-1", "0.0",
        ] {
            agrees(
                protocol,
                &generated_with(r#""age": 43"#, &format!(r#""age": {age}"#)),
            );
        }
        for value in [
            "98.50",
            "1e2",
            "-0",
            "0.000",
            "12345678901234567890123456",
            "1e-30",
            "9.99e27",
        ] {
            let line = generated_with(r#""result": 98"#, &format!(r#""result": {value}"#));
            agrees(protocol, &line);
        }
        let read = |age: &str| {
            let line = generated_with(r#""age": 43"#, &format!(r#""age": {age}"#));
            agrees(protocol, &line)
        };
        assert!(read("1e2") && read("43.0") && read("0") && read("-0"));
        assert!(!read("43.5") && !read("1e400") && !read("043"));
    }

    #[test]
    fn keys_written_twice_keep_their_last_value() {
        let protocol = dlbcl();
        for (from, to) in [
            (r#""age": 43"#, r#""age": "old", "age": 43"#),
            (r#""age": 43"#, r#""age": 43, "age": 50"#),
            (r#""age": 43"#, r#""age": 43, "age": "new""#),
            (r#""id": "gen-0000001""#, r#""id": 7, "id": "gen-0000001""#),
            (
                r#""as_of": "2026-02-08""#,
                r#""as_of": "2026-02-08", "as_of": null"#,
            ),
            (
                r#""regimen": "RICE""#,
                r#""regimen": "R-CHOP x6", "regimen": "RICE""#,
            ),
            (
                r#""regimen": "RICE""#,
                r#""regimen": "RICE", "regimen": "R-CHOP x6""#,
            ),
            (
                r#""best_response": "SD""#,
                r#""best_response": "SD", "zz": 1, "zz": 2"#,
            ),
            (r#""age": 43"#, r#""zz": 1, "age": 43, "zz": 2, "yy": 3"#),
            (r#""result": 98"#, r#""result": 98, "result": 99"#),
        ] {
            agrees(protocol, &generated_with(from, to));
        }
    }

    #[test]
    fn every_truncation_of_a_case_is_handed_over() {
        let protocol = dlbcl();
        let options = LoadOptions::default();
        for end in (0..GENERATED.len()).filter(|e| GENERATED.is_char_boundary(*e)) {
            let text = &GENERATED[..end];
            assert!(read_case(protocol, text, &options).is_none(), "{text}");
            assert!(parse_json(text).is_err(), "{text}");
        }
        for trailing in [" x", "{}", ",", "\u{0}", "]"] {
            let text = format!("{GENERATED}{trailing}");
            assert!(read_case(protocol, &text, &options).is_none(), "{text}");
        }
        assert!(read_case(protocol, &format!(" \n{GENERATED}\r\n\t "), &options).is_some());
        for not_a_case in ["", " ", "[]", "\"x\"", "1", "null", "{"] {
            assert!(
                read_case(protocol, not_a_case, &options).is_none(),
                "{not_a_case}"
            );
        }
    }

    #[test]
    fn deep_nesting_is_left_to_serde_json() {
        let protocol = dlbcl();
        for depth in [10, 60, 63, 64, 100, 127, 128, 129, 500] {
            let nested = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
            let line = generated_with(r#""age": 43"#, &format!(r#""zz": {nested}, "age": 43"#));
            // The case object is one level more.
            let within = depth < super::MAX_DEPTH;
            assert_eq!(agrees(protocol, &line), within, "depth {depth}");
            let objects = format!("{}1{}", "{\"a\": ".repeat(depth), "}".repeat(depth));
            let line = generated_with(r#""age": 43"#, &format!(r#""zz": {objects}, "age": 43"#));
            assert_eq!(agrees(protocol, &line), within, "depth {depth}");
        }
    }

    #[test]
    fn short_numbers_read_as_parse_decimal_reads_them() {
        use crate::eval::case::{parse_decimal, plain::decimal};
        for text in [
            "0",
            "-0",
            "0.0",
            "-0.000",
            "7",
            "007",
            "-3",
            "1.50",
            "98.6",
            "-12.345",
            "123456789012345678",
            "-999999999999999999",
            "1234567890123456789",
            "0.000000000000000001",
            "1e2",
            "1E+2",
            "2.5e-3",
            "+1",
            "1.",
            ".5",
            "-",
            "",
            "1.2.3",
            "١٢",
        ] {
            let exact = parse_decimal(text).ok();
            let read = decimal(text);
            assert_eq!(read, exact, "{text}");
            // The same scale too: `1.50` stays `1.50`.
            assert_eq!(
                read.map(|d| d.to_string()),
                exact.map(|d| d.to_string()),
                "{text}"
            );
        }
    }

    #[test]
    fn exact_dates_are_calendar_days() {
        use crate::eval::case::exact_date;
        let day = |text: &str| exact_date(text).map(|d| d.to_string());
        assert_eq!(day("2024-02-29").as_deref(), Some("2024-02-29"));
        assert_eq!(day("0001-01-01").as_deref(), Some("0001-01-01"));
        assert_eq!(day("9999-12-31").as_deref(), Some("9999-12-31"));
        for bad in [
            "2023-02-29",
            "2025-00-10",
            "2025-13-01",
            "2025-01-32",
            "2025-1-01",
            "2025/01/01",
            "2025-01-01 ",
            "20250101",
            "2025-01",
            "+025-01-01",
            "2025-01-0a",
            "",
        ] {
            assert_eq!(day(bad), None, "{bad}");
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
            Just("\"creatinine_clearance\"".to_string()),
            Just("\"Creatinine Clearance\"".to_string()),
            Just("\"2025-01-10\"".to_string()),
            Just("\"2025-01\"".to_string()),
            Just("\"2025-02-30\"".to_string()),
            Just("{\"value\": 70, \"unit\": \"years\"}".to_string()),
            Just("{}".to_string()),
            Just("[]".to_string()),
            Just("-0".to_string()),
            Just("1.50".to_string()),
            Just("1E+2".to_string()),
            Just("\"DLBCL\\u005fNOS\"".to_string()),
            Just("\"R\\u002dCHOP\\n\"".to_string()),
            Just("\"2025-01-10T08:30:00Z\"".to_string()),
            Just("{ \"value\" :70 , \"value\": 71 }".to_string()),
            Just("\"<20\"".to_string()),
            Just("\">= 1.5\"".to_string()),
            Just("\"<\"".to_string()),
            // Quantities: converted, of another dimension, calendar in
            // fixed, null, without a unit, with a third key, unknown units.
            Just("{\"value\": 840, \"unit\": \"months\"}".to_string()),
            Just("{\"value\": 2, \"unit\": \"weeks\"}".to_string()),
            Just("{\"value\": 1.5, \"unit\": \"L/h\"}".to_string()),
            Just("{\"value\": 2, \"unit\": \"×10⁹/L\"}".to_string()),
            Just("{\"value\": null, \"unit\": \"years\"}".to_string()),
            Just("{\"value\": null, \"unit\": \"mg/dl\"}".to_string()),
            Just("{\"value\": 61}".to_string()),
            Just("{\"unit\": \"years\"}".to_string()),
            Just("{\"value\": 61, \"unit\": \"years\", \"date\": \"2025-01-01\"}".to_string()),
            Just("{\"value\": \"61\", \"unit\": \"years\"}".to_string()),
            Just("{\"value\": 61, \"unit\": \"years of age, as the patient said\"}".to_string()),
            Just("{\"value\": 61, \"unit\": 12}".to_string()),
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
                            Just("test"),
                            Just("collected"),
                            Just("result"),
                            Just("units"),
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
                        proptest::prelude::Just("labs"),
                        proptest::prelude::Just("lines"),
                        proptest::prelude::Just("extra")
                    ],
                    any_value()
                ),
                0..12
            ),
            strict in proptest::bool::ANY,
            show_values in proptest::bool::ANY,
        ) {
            let protocol = dlbcl();
            let entries: Vec<String> =
                fields.iter().map(|(k, v)| format!("\"{k}\": {v}")).collect();
            let line = format!("{{\"id\": \"g\", \"as_of\": \"2026-01-01\", {}}}", entries.join(", "));
            let options = LoadOptions { strict, show_values };
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
