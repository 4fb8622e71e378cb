//! The typed schema: every record and case field with the type the checker
//! resolved for it. The checker lowers each written type once, here; its own
//! [`Ty`] is derived from the result, and the evaluator loads case data
//! with it.

use super::types::{Ty, UnitTy};
use crate::syntax::ast::Openness;
use crate::units::Unit;
use rust_decimal::Decimal;
use std::collections::HashMap;

/// A declared type, resolved: units with their exact factors, enum and record
/// names checked, openness and ranges kept.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldType {
    /// A type whose problem the checker reported (an unknown name or unit).
    /// A protocol that checked has none.
    Error,
    /// `bool`
    Bool,
    /// `int` or `number`, with unit and inclusive bounds.
    Num {
        /// Whether it must be whole.
        int: bool,
        /// The declared unit.
        unit: Option<Unit>,
        /// Inclusive bounds.
        range: Option<(Decimal, Decimal)>,
    },
    /// `text`
    Text,
    /// `date`
    Date,
    /// `duration`
    Duration,
    /// `T?`
    Optional(Box<FieldType>),
    /// `list of T`
    List(Box<FieldType>),
    /// `set of T`
    Set(Box<FieldType>),
    /// `map of K to V`
    Map(Box<FieldType>, Box<FieldType>),
    /// `series UNIT`
    Series(Unit),
    /// `history of R`
    History(String),
    /// An agent (with how unknown text is read); a class name as a type is one.
    Agent(Openness),
    /// A regimen (with how unknown text is read).
    Regimen(Openness),
    /// An enum by name.
    Enum(String),
    /// A record by name.
    Record(String),
}

impl FieldType {
    /// The type the checker gives a value of this declared type.
    pub fn ty(&self) -> Ty {
        match self {
            FieldType::Error => Ty::Error,
            FieldType::Bool => Ty::Bool,
            FieldType::Num { int, unit, .. } => Ty::Num {
                int: *int,
                unit: unit.as_ref().map(UnitTy::of),
            },
            FieldType::Text => Ty::Text,
            FieldType::Date => Ty::Date,
            FieldType::Duration => Ty::Duration,
            FieldType::Optional(t) => Ty::Optional(Box::new(t.ty())),
            FieldType::List(t) => Ty::List(Box::new(t.ty())),
            FieldType::Set(t) => Ty::Set(Box::new(t.ty())),
            FieldType::Map(k, v) => Ty::Map(Box::new(k.ty()), Box::new(v.ty())),
            FieldType::Series(unit) => Ty::Series(Some(UnitTy::of(unit))),
            FieldType::History(record) => Ty::History(record.clone()),
            FieldType::Agent(_) => Ty::Agent,
            FieldType::Regimen(_) => Ty::Regimen,
            FieldType::Enum(name) => Ty::Enum(name.clone()),
            FieldType::Record(name) => Ty::Record(name.clone()),
        }
    }
}

/// A declared field of a record or of the case.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldSchema {
    /// Its name: the JSON key.
    pub name: String,
    /// Its type.
    pub ty: FieldType,
    /// Whether declared `T? = none` (an absent key reads as none).
    pub absent_is_none: bool,
    /// `dated by FIELD [complete]`, on a list of records the checker accepted.
    pub dated: Option<Dated>,
    /// `from LIST where KEY = "…"`, on a case series the checker accepted.
    pub from: Option<Box<SeriesSource>>,
    /// `= false`, `= 0`, `= "text"`, `= 2026-01-01`: what an absent key
    /// reads as, as the JSON a case would give for it (`= none` is
    /// `absent_is_none`).
    pub default: Option<serde_json::Value>,
}

impl FieldSchema {
    /// The case key its value is read from: its own name, or the list a
    /// series is read `from`.
    pub fn key(&self) -> &str {
        self.from.as_ref().map_or(&self.name, |f| &f.list)
    }
}

/// Where a series read from part of a list finds its values: the records of
/// the case list `list` whose `key` holds one of `accepts` (compared as names
/// are: NFKC, case folded, space, `-` and `_` alike), each value's parts
/// under the record keys named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesSource {
    /// The case key of the list.
    pub list: String,
    /// The record key that tells which records belong.
    pub key: String,
    /// The texts it may hold, folded.
    pub accepts: Vec<String>,
    /// The test as written, for `missing`: `test = "creatinine_clearance"`.
    pub shown: String,
    /// The record keys of a value's value, date, unit and comparator.
    pub value: String,
    /// See `value`.
    pub date: String,
    /// See `value`.
    pub unit: String,
    /// See `value`.
    pub comparator: String,
}

/// How a dated list is dated: see [`crate::syntax::ast::DatedBy`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dated {
    /// The date field's position in the record's schema.
    pub field: usize,
    /// Whether no qualifying record means there is none.
    pub complete: bool,
}

/// Every record's fields and the case's, as the checker typed them.
#[derive(Debug, Clone, Default)]
pub struct Schema {
    /// Records by name: their fields in declared order.
    pub records: HashMap<String, Vec<FieldSchema>>,
    /// The case's fields in declared order.
    pub case: Vec<FieldSchema>,
}

impl Schema {
    /// The field `name` of a record (`Some(record)`) or of the case (`None`);
    /// of a name declared twice (reported), the last.
    pub fn field(&self, record: Option<&str>, name: &str) -> Option<&FieldSchema> {
        let fields = match record {
            None => &self.case,
            Some(r) => self.records.get(r)?,
        };
        fields.iter().rev().find(|f| f.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(name: &str, ty: FieldType) -> FieldSchema {
        FieldSchema {
            name: name.to_string(),
            ty,
            absent_is_none: false,
            dated: None,
            from: None,
            default: None,
        }
    }

    #[test]
    fn the_checker_type_follows_the_declared_one() {
        let opt_list = FieldType::Optional(Box::new(FieldType::List(Box::new(FieldType::Date))));
        assert_eq!(opt_list.ty().to_string(), "(list of date)?");
        let open = FieldType::Agent(Openness::Open);
        assert_eq!(open.ty(), Ty::Agent);
        let error = FieldType::Map(Box::new(FieldType::Text), Box::new(FieldType::Error));
        assert!(error.ty().has_error());
    }

    #[test]
    fn a_field_is_found_in_its_record_or_the_case() {
        let mut schema = Schema::default();
        schema.case.push(field("age", FieldType::Bool));
        schema.case.push(field("age", FieldType::Text));
        let line = vec![field("start", FieldType::Date)];
        schema.records.insert("Line".to_string(), line);
        let found = |r: Option<&str>, n: &str| schema.field(r, n).map(|f| f.ty.clone());
        assert_eq!(found(None, "age"), Some(FieldType::Text));
        assert_eq!(found(Some("Line"), "start"), Some(FieldType::Date));
        assert_eq!(found(Some("Line"), "age"), None);
        assert_eq!(found(Some("Other"), "start"), None);
    }

    /// The schema, and the code and message of each diagnostic, of loading
    /// and checking `body` under a header.
    fn checked(body: &str) -> (Schema, Vec<String>) {
        let header = "protocol \"p\" {\n version \"1\"\n status draft\n effective 2026-01-01\n}\n";
        let (program, loading) = crate::load::load_str("p.salv", &format!("{header}{body}"));
        let found = crate::check::check(&program, &loading);
        let all = loading.iter().chain(&found.diagnostics);
        let codes = all.map(|d| format!("{:?} {}", d.code, d.message));
        (found.schema, codes.collect())
    }

    #[test]
    fn the_checker_resolves_every_case_field_once() {
        let (schema, codes) = checked(
            "agent cisplatin class platinum\nenum Histology { DLBCL, FL }\n\
             case {\n ecog: int 0..4\n weight: number kg\n crcl: series mL/min\n\
             histology: Histology\n drug: platinum\n other: agent open other\n\
             comment: text? = none\n}\n",
        );
        let ty = |name: &str| schema.field(None, name).map(|f| f.ty.clone());
        assert!(codes.is_empty(), "{codes:?}");
        let range = Some((Decimal::from(0), Decimal::from(4)));
        let ecog = FieldType::Num {
            int: true,
            unit: None,
            range,
        };
        assert_eq!(ty("ecog"), Some(ecog));
        let kg = crate::units::UnitTable::new().lookup("kg");
        assert!(kg.is_some());
        let weight = FieldType::Num {
            int: false,
            unit: kg,
            range: None,
        };
        assert_eq!(ty("weight"), Some(weight));
        assert!(matches!(ty("crcl"), Some(FieldType::Series(u)) if u.spelling() == "mL/min"));
        assert_eq!(
            ty("histology"),
            Some(FieldType::Enum("Histology".to_string()))
        );
        assert_eq!(ty("drug"), Some(FieldType::Agent(Openness::Closed)));
        assert_eq!(ty("other"), Some(FieldType::Agent(Openness::OpenOther)));
        let comment = schema.field(None, "comment").map(|f| f.absent_is_none);
        assert_eq!(comment, Some(true));
    }

    #[test]
    fn an_unknown_type_name_is_an_error_not_an_agent() {
        let (schema, codes) = checked("case {\n drug: Agnet\n doses: list of Agnet\n}\n");
        assert!(codes.iter().any(|c| c.starts_with("S0109")), "{codes:?}");
        let ty = |name: &str| schema.field(None, name).map(|f| f.ty.clone());
        assert_eq!(ty("drug"), Some(FieldType::Error));
        let doses = FieldType::List(Box::new(FieldType::Error));
        assert_eq!(ty("doses"), Some(doses));
    }
}
