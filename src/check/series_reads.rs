//! Series as collections of points (`any p in psa where p.value > …`) and
//! the parts of a series between dates (`psa since D`).

use super::error::{NameError, TypeError};
use super::lower::Resolved;
use super::types::Ty;
use super::Checker;
use crate::span::Name;
use crate::syntax::ast::{Expr, SeriesPart};

/// The fields of a series point, in the order the diagnostics list them.
pub(super) const POINT_FIELDS: [&str; 3] = ["date", "value", "comparator"];

impl Checker<'_> {
    /// `psa since D` and the other parts: a series of the same unit, bounded by dates.
    pub(super) fn series_part(&mut self, series: &Expr, part: &SeriesPart) -> Ty {
        let ty = self.expr(series);
        let ty = self.value(ty, series);
        for bound in part.bounds() {
            self.part_bound(bound, part);
        }
        match ty {
            Ty::Series(unit) => Ty::Series(unit),
            other if other.has_error() => Ty::Error,
            found => {
                let (span, read) = (series.span, part_word(part));
                self.report(TypeError::NotASeries { span, read, found });
                Ty::Error
            }
        }
    }

    /// A bound of a part must be a date (S0301).
    fn part_bound(&mut self, bound: &Expr, part: &SeriesPart) {
        let ty = self.expr(bound);
        let ty = self.value(ty, bound);
        if matches!(ty, Ty::Date) || ty.has_error() {
            return;
        }
        let context = format!("`{}` bounds a series by dates", part_word(part));
        self.report(TypeError::Mismatch {
            span: bound.span,
            expected: Ty::Date,
            found: ty,
            context,
        });
    }

    /// `p.date`, `p.value`, `p.comparator` on a point of a series.
    pub(super) fn point_field(&mut self, unit: Option<super::types::UnitTy>, field: &Name) -> Ty {
        let ty = match field.node.as_str() {
            "date" => Ty::Date,
            "value" => Ty::Num { int: false, unit },
            "comparator" => Ty::Optional(Box::new(Ty::Text)),
            _ => {
                self.unknown_point_field(field);
                return Ty::Error;
            }
        };
        self.resolved.record(field.span, Resolved::PointField);
        ty
    }

    /// Reports a field a series point does not have (S0110).
    fn unknown_point_field(&mut self, field: &Name) {
        let suggestion = self.suggestion(&field.node, POINT_FIELDS);
        self.report(NameError::UnknownField {
            record: "series point".to_string(),
            field: field.clone(),
            fields: POINT_FIELDS.iter().map(|f| f.to_string()).collect(),
            suggestion,
        });
    }
}

/// What ranges over a type: its members, or a series' points.
pub(super) fn iterated(ty: &Ty) -> Option<Ty> {
    match ty {
        Ty::Series(unit) => Some(Ty::Point(unit.clone())),
        other => other.element(),
    }
}

/// The part as written, for diagnostics.
fn part_word(part: &SeriesPart) -> &'static str {
    match part {
        SeriesPart::Since(_) => "since",
        SeriesPart::Before(_) => "before",
        SeriesPart::OnOrBefore(_) => "on or before",
        SeriesPart::Between(..) => "between",
    }
}
