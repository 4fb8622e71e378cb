//! Series read from part of a list: `crcl: series mL/min from labs where
//! test = "creatinine_clearance" { value = result, date = collected }`.

use super::error::DatedError;
use super::schema::{FieldType, SeriesSource};
use super::spellings::fold;
use super::Checker;
use crate::syntax::ast::{Field, SeriesFrom};

/// The parts of a series value, each read from the record key of its name
/// unless the source names another.
const PARTS: [&str; 4] = ["value", "date", "unit", "comparator"];

impl Checker<'_> {
    /// Where a case field declared `from` a list finds its values, or
    /// `None` (reported) when it is not a series.
    pub(super) fn series_source(
        &mut self,
        field: &Field,
        ty: &FieldType,
    ) -> Option<Box<SeriesSource>> {
        let from = field.from.as_ref()?;
        if !matches!(ty, FieldType::Series(_)) {
            let why = "this field is not a `series UNIT`".to_string();
            self.report(DatedError::NotACaseSeries {
                span: from.list.span,
                why,
            });
            return None;
        }
        if let Some(why) = self.head_key(&from.list.node) {
            self.report(DatedError::NotACaseSeries {
                span: from.list.span,
                why,
            });
            return None;
        }
        let parts = self.source_parts(from);
        let [value, date, unit, comparator] = parts;
        Some(Box::new(SeriesSource {
            list: from.list.node.clone(),
            key: from.key.node.clone(),
            accepts: from.accepts.iter().map(|t| fold(&t.node)).collect(),
            shown: shown_test(from),
            value,
            date,
            unit,
            comparator,
        }))
    }

    /// The record key of each part, in [`PARTS`] order; an unknown or
    /// repeated part is reported and left out.
    fn source_parts(&mut self, from: &SeriesFrom) -> [String; 4] {
        let mut keys = PARTS.map(str::to_string);
        let mut named = [false; 4];
        for (part, key) in &from.keys {
            match PARTS.iter().position(|p| *p == part.node) {
                Some(at) if named.get(at).copied().unwrap_or(false) => {
                    self.report(DatedError::SourceKey {
                        part: part.clone(),
                        repeated: true,
                    });
                }
                Some(at) => {
                    if let (Some(slot), Some(flag)) = (keys.get_mut(at), named.get_mut(at)) {
                        *slot = key.node.clone();
                        *flag = true;
                    }
                }
                None => self.report(DatedError::SourceKey {
                    part: part.clone(),
                    repeated: false,
                }),
            }
        }
        keys
    }

    /// Why `key` cannot hold a list: it is the case id's key or `as_of`.
    fn head_key(&self, key: &str) -> Option<String> {
        let id = self
            .env
            .case
            .and_then(|c| c.id_key.as_ref())
            .map_or("id", |k| k.node.as_str());
        (key == id || key == "as_of")
            .then(|| format!("`{key}` holds the case's id or date, not a list"))
    }

    /// Reports `from` on a record's field: only case fields are read from a list.
    pub(super) fn record_field_not_sourced(&mut self, field: &Field) {
        if let Some(from) = &field.from {
            let why = "a record's field is read from its own key".to_string();
            self.report(DatedError::NotACaseSeries {
                span: from.list.span,
                why,
            });
        }
    }
}

/// The test as the protocol writes it: `test = "crcl"`, `test in {"a", "b"}`.
fn shown_test(from: &SeriesFrom) -> String {
    let quoted: Vec<String> = from
        .accepts
        .iter()
        .map(|t| format!("\"{}\"", t.node))
        .collect();
    match quoted.as_slice() {
        [one] => format!("{} = {one}", from.key.node),
        many => format!("{} in {{{}}}", from.key.node, many.join(", ")),
    }
}
