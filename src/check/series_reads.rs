//! Series as collections of points (`any p in psa where p.value > …`) and
//! the parts of a series between dates (`psa since D`).

use super::error::{NameError, TypeError};
use super::lower::Resolved;
use super::types::Ty;
use super::Checker;
use crate::span::Name;
use crate::syntax::ast::{Expr, NadirChange, SeriesPart, Trend};

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

    /// `rise of psa from nadir` (number UNIT), `percent change of psa from nadir` (number).
    pub(super) fn nadir_change(&mut self, change: NadirChange, series: &Expr) -> Ty {
        let word = match change {
            NadirChange::Rise => "rise of",
            NadirChange::Percent => "percent change of",
        };
        match self.series_of(series, word) {
            Some(unit) if change == NadirChange::Rise => Ty::Num { int: false, unit },
            Some(_) => Ty::bare_number(),
            None => Ty::Error,
        }
    }

    /// `psa rising over last N`: a truth; N is an int without a unit (S0301).
    pub(super) fn trend(&mut self, series: &Expr, trend: Trend, count: &Expr) -> Ty {
        let word = match trend {
            Trend::Rising => "rising",
            Trend::Falling => "falling",
        };
        let context = format!("`{word} over last N` counts values with a whole number");
        self.whole_count(count, &context);
        match self.series_of(series, word) {
            Some(_) => Ty::Bool,
            None => Ty::Error,
        }
    }

    /// A count of values must be an int without a unit (S0301).
    pub(super) fn whole_count(&mut self, count: &Expr, context: &str) {
        let counted = self.expr(count);
        let counted = self.value(counted, count);
        let is_count = matches!(
            counted,
            Ty::Num {
                int: true,
                unit: None
            }
        );
        if !is_count && !counted.has_error() {
            self.report(TypeError::Mismatch {
                span: count.span,
                expected: Ty::Num {
                    int: true,
                    unit: None,
                },
                found: counted,
                context: context.to_string(),
            });
        }
    }

    /// The unit of the series a read reads, or `None` after reporting what it is instead.
    pub(super) fn series_of(
        &mut self,
        series: &Expr,
        read: &'static str,
    ) -> Option<Option<super::types::UnitTy>> {
        let ty = self.expr(series);
        match self.value(ty, series) {
            Ty::Series(unit) => Some(unit),
            other if other.has_error() => None,
            found => {
                let span = series.span;
                self.report(TypeError::NotASeries { span, read, found });
                None
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
