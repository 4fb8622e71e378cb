//! Values of case facts and expressions.

use super::truth::Support;
use crate::check::ir::{EnumId, VocabId};
use crate::units::Unit;
use jiff::civil::{Date, Time};
use rust_decimal::Decimal;

/// A value that may be unknown: unknown values carry what would settle them.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    /// A known value (possibly `Value::None`, a known absence).
    Known(Value),
    /// Not known.
    Unknown(Support),
}

/// A known value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A known absence (`null` on an optional field, an ongoing line's end date).
    None,
    /// `true` or `false`.
    Bool(bool),
    /// An exact decimal with its unit.
    Num(Quantity),
    /// Free text.
    Text(String),
    /// A calendar date, or a partial date (`2025-06`) read as the interval of its days.
    Date(DateRange),
    /// A value of an enum.
    Enum(EnumValue),
    /// An agent or regimen named in the case.
    Vocab(VocabValue),
    /// A list (also a set: the loader removes repeats).
    List(Vec<Val>),
    /// A map from keys to values.
    Map(Vec<(Value, Val)>),
    /// A record: its fields by name (boxed, as the series and partial
    /// lists are, to keep every value small: values are moved constantly).
    Record(Box<Record>),
    /// A series of dated values.
    Series(Box<Series>),
    /// One dated value of a series, as a collection member (`p in psa`).
    Point(Box<Point>),
    /// A list some of whose members are undecided: a comprehension over
    /// members whose condition is unknown.
    Partial(Box<Partial>),
    /// A number known only to lie between two bounds: a `count` over members
    /// whose condition is unknown, or arithmetic on one.
    Bounds(Box<Bounds>),
}

/// A list with undecided members: every member in the collection's order,
/// each undecided one with the facts that would decide it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Partial {
    /// The members in order: `None` for a member whose condition is true,
    /// `Some` (what would decide it) for one whose condition is unknown.
    pub members: Vec<(Val, Option<Support>)>,
}

impl Partial {
    /// The collection of the members that hold, with those whose truth is
    /// unknown kept as undecided in their place: a plain list when none is.
    pub fn of(members: impl IntoIterator<Item = (Val, super::truth::Truth)>) -> Value {
        use super::truth::Truth;
        let kept = members
            .into_iter()
            .filter_map(|(member, truth)| match truth {
                Truth::True => Some((member, None)),
                Truth::Unknown(s) => Some((member, Some(s))),
                Truth::False => None,
            });
        Partial::from_members(kept.collect())
    }

    /// Members in order, each undecided one with its support: a plain list
    /// when none is undecided.
    pub fn from_members(members: Vec<(Val, Option<Support>)>) -> Value {
        if members.iter().all(|(_, s)| s.is_none()) {
            Value::List(members.into_iter().map(|(v, _)| v).collect())
        } else {
            Value::Partial(Box::new(Partial { members }))
        }
    }

    /// The members whose condition is true, in order.
    pub fn definite(&self) -> Vec<Val> {
        self.members
            .iter()
            .filter(|(_, s)| s.is_none())
            .map(|(v, _)| v.clone())
            .collect()
    }

    /// The facts that would decide every undecided member.
    pub fn support(&self) -> Support {
        let mut all = Support::default();
        for s in self.members.iter().filter_map(|(_, s)| s.as_ref()) {
            all.merge(s);
        }
        all
    }
}

/// A number known only to lie in an interval, with the facts that would
/// narrow it: a `count` over undecided members (both ends inclusive), or a
/// censored value (`<20` is [0, 20), `>1000` is (1000, ∞)), and arithmetic
/// on either.
#[derive(Debug, Clone, PartialEq)]
pub struct Bounds {
    /// The least it can be; `None` when it is unbounded below.
    pub low: Option<End>,
    /// The most it can be; `None` when it is unbounded above.
    pub high: Option<End>,
    /// What would settle where it lies (`indeterminate` for a censored value).
    pub support: Support,
}

/// One end of an interval.
#[derive(Debug, Clone, PartialEq)]
pub struct End {
    /// Where it lies.
    pub at: Quantity,
    /// Whether the end itself is excluded (`<20` never reaches 20).
    pub open: bool,
}

impl End {
    /// An end the interval reaches.
    pub fn closed(at: Quantity) -> End {
        End { at, open: false }
    }

    /// An end the interval only approaches.
    pub fn open(at: Quantity) -> End {
        End { at, open: true }
    }
}

impl Bounds {
    /// A number between `low` and `high`, both inclusive: a plain number
    /// when they are equal.
    pub fn value(low: Quantity, high: Quantity, support: Support) -> Value {
        Bounds::interval(Some(End::closed(low)), Some(End::closed(high)), support)
    }

    /// A number in an interval: a plain number when both ends are one
    /// inclusive point.
    pub fn interval(low: Option<End>, high: Option<End>, support: Support) -> Value {
        if let (Some(l), Some(h)) = (&low, &high) {
            if !l.open && !h.open && l.at == h.at {
                return Value::Num(l.at.clone());
            }
        }
        Value::Bounds(Box::new(Bounds { low, high, support }))
    }

    /// A censored value as its interval: `<v` is [0, v), `<=v` is [0, v],
    /// `>v` is (v, ∞), `>=v` is [v, ∞). Below a value of zero or less (a
    /// log scale) the interval is unbounded below. No fact of the case can
    /// narrow it, so its support is `indeterminate`.
    pub fn censored(q: &Quantity, comparator: Comparator) -> Value {
        let support = Support::indeterminate(super::truth::Cause::Censored);
        let zero = Quantity {
            value: Decimal::ZERO,
            unit: q.unit,
        };
        let floor = (q.value > Decimal::ZERO).then(|| End::closed(zero));
        let (low, high) = match comparator {
            Comparator::Below => (floor, Some(End::open(q.clone()))),
            Comparator::AtMost => (floor, Some(End::closed(q.clone()))),
            Comparator::Above => (Some(End::open(q.clone())), None),
            Comparator::AtLeast => (Some(End::closed(q.clone())), None),
        };
        Bounds::interval(low, high, support)
    }
}

/// A number and its unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Quantity {
    /// The exact value.
    pub value: Decimal,
    /// Its unit, if any.
    pub unit: Option<Unit>,
}

/// A date, or the days a partial date may be (both ends inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateRange {
    /// The earliest day.
    pub first: Date,
    /// The latest day.
    pub last: Date,
}

impl DateRange {
    /// An exact date.
    pub fn day(date: Date) -> DateRange {
        DateRange {
            first: date,
            last: date,
        }
    }

    /// The date, when it is exact.
    pub fn exact(&self) -> Option<Date> {
        (self.first == self.last).then_some(self.first)
    }
}

/// A value of an enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnumValue {
    /// The enum.
    pub ty: EnumId,
    /// Its position among the enum's values (the order of an ordered enum).
    pub index: usize,
}

/// An agent or regimen as read from a case. (Free text in an `open` field that
/// resolves to nothing is not a value: the loader reads it as unknown.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VocabValue {
    /// A declared agent or regimen.
    Known(VocabId),
    /// Free text in an `open other` field: a known agent or regimen outside the vocabulary.
    Other(String),
}

/// A record's fields, in its schema's order (every declared field is present).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Record {
    /// The fields, by position in the schema.
    pub fields: Vec<Val>,
    /// The record type, by its index among the protocol's record types
    /// ([`crate::eval::model::Protocol::record_schema`]).
    pub ty: usize,
    /// The record's JSON pointer, for naming missing facts inside it.
    pub path: String,
}

impl Record {
    /// A field by name (for tests and tools; the evaluator reads by position).
    pub fn get(&self, protocol: &crate::eval::model::Protocol, name: &str) -> Option<&Val> {
        let slot = protocol
            .record_schema(self.ty)
            .iter()
            .position(|f| f.name == name)?;
        self.fields.get(slot)
    }

    /// Each field with its name, in schema order.
    pub fn named<'r>(
        &'r self,
        protocol: &'r crate::eval::model::Protocol,
    ) -> impl Iterator<Item = (&'r str, &'r Val)> {
        let schema = protocol.record_schema(self.ty);
        schema.iter().map(|f| f.name.as_str()).zip(&self.fields)
    }
}

/// A series: dated values ordered by date, then time, then array position.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Series {
    /// The points, in order.
    pub points: Vec<Point>,
    /// The series' JSON pointer (a series read from part of a list: the list's).
    pub path: String,
    /// For a series read from part of a list, the test its records meet as
    /// the protocol writes it (`test = "creatinine_clearance"`), for `missing`.
    pub selector: Option<String>,
}

/// One dated value of a series.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// The day of the value.
    pub date: Date,
    /// The time of day, when an RFC 3339 datetime was given.
    pub time: Option<Time>,
    /// The value in the series' declared unit.
    pub value: Quantity,
    /// A censored value: `<` or `<=` (below the value), `>` or `>=` (above it).
    pub comparator: Option<Comparator>,
    /// Its position in the case's array.
    pub index: usize,
}

/// How a censored value relates to the number written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparator {
    /// `<`
    Below,
    /// `<=`
    AtMost,
    /// `>`
    Above,
    /// `>=`
    AtLeast,
}

impl Comparator {
    /// The comparator as a case writes it: `<`, `<=`, `>`, `>=`.
    pub fn symbol(self) -> &'static str {
        match self {
            Comparator::Below => "<",
            Comparator::AtMost => "<=",
            Comparator::Above => ">",
            Comparator::AtLeast => ">=",
        }
    }
}

/// One case, loaded and validated against the protocol's schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// The case id, as the case gives it.
    pub id: CaseId,
    /// The evaluation date from the case, if it gives one.
    pub as_of: Option<Date>,
    /// The case's fields, by position in the case schema: every declared
    /// field is present (unknown if absent).
    pub fields: Vec<Val>,
    /// Warnings about the input (unknown keys, unrecognised free text).
    pub warnings: Vec<String>,
}

/// A case's id, kept as the case gives it: text, or a whole JSON number
/// written back as the same number, so that `2017` and `"2017"` stay two
/// different ids.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CaseId {
    /// A JSON string.
    Text(String),
    /// A whole JSON number, as its text (`2017`, `-3`).
    Number(String),
}

impl CaseId {
    /// The id's text: the string, or the number's digits.
    pub fn as_str(&self) -> &str {
        match self {
            CaseId::Text(text) | CaseId::Number(text) => text,
        }
    }

    /// The id as JSON: a string, or the number itself.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            CaseId::Text(text) => serde_json::Value::String(text.clone()),
            CaseId::Number(text) => text
                .parse::<serde_json::Number>()
                .map_or_else(|_| serde_json::Value::String(text.clone()), Into::into),
        }
    }
}

impl From<&str> for CaseId {
    /// A text id.
    fn from(text: &str) -> Self {
        CaseId::Text(text.to_string())
    }
}

impl From<String> for CaseId {
    /// A text id.
    fn from(text: String) -> Self {
        CaseId::Text(text)
    }
}

impl std::fmt::Display for CaseId {
    /// The id as a person reads it: text as it is, a number as its digits.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for CaseId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}
