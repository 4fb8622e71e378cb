//! Units in expressions: looking units up, dimensions that must agree, bare
//! numbers beside units, literals outside a field's declared range, and
//! products and ratios.

use super::error::QuantityError;
use super::types::{Ty, UnitTy};
use super::Checker;
use crate::span::{Span, Spanned};
use crate::syntax::ast::*;
use crate::units::Unit;
use rust_decimal::Decimal;

impl Checker<'_> {
    /// Looks a unit up, reporting S0308 with a suggestion if it is unknown.
    pub(super) fn unit(&mut self, spelling: &str, span: Span) -> Option<UnitTy> {
        self.table_unit(spelling, span).map(|u| UnitTy::of(&u))
    }

    /// Looks a unit of the table up (with its exact factor), reporting S0308
    /// with a suggestion if it is unknown.
    pub(super) fn table_unit(&mut self, spelling: &str, span: Span) -> Option<Unit> {
        let found = self.units.lookup(spelling);
        if found.is_none() {
            let suggestion = self.unit_suggestion(spelling);
            let spelling = spelling.to_string();
            self.report(QuantityError::UnknownUnit {
                span,
                spelling,
                suggestion,
            });
        }
        found
    }

    /// A unit the table knows, as the checker sees it.
    pub(super) fn named_unit(&self, spelling: &str) -> Option<UnitTy> {
        self.units.lookup(spelling).map(|u| UnitTy::of(&u))
    }

    /// The unit to suggest for an unknown one: the same unit in another case,
    /// else the closest in a likely dimension, else the closest of all.
    fn unit_suggestion(&self, spelling: &str) -> Option<String> {
        if let Some(same) = self.units.other_case(spelling) {
            return Some(same.to_string());
        }
        let normal = crate::units::normalize_spelling(spelling);
        let likely = self.units.likely(spelling);
        let near = self.suggestion(&normal, likely.iter().copied());
        near.or_else(|| self.suggestion(&normal, self.units.names()))
    }

    /// Units in one dimension compare; a bare number beside a unit is an error.
    /// Returns whether they agree (after reporting why not).
    pub(super) fn units_agree(
        &mut self,
        a: &Option<UnitTy>,
        b: &Option<UnitTy>,
        l: &Expr,
        r: &Expr,
        how: &'static str,
    ) -> bool {
        match (a, b) {
            (Some(x), Some(y)) if !x.converts_to(y) => self.dimension_error(x, y, l, r, how),
            (Some(u), None) => self.bare_number(u, r, l),
            (None, Some(u)) => self.bare_number(u, l, r),
            _ => return true,
        }
        false
    }

    fn dimension_error(&mut self, x: &UnitTy, y: &UnitTy, l: &Expr, r: &Expr, how: &'static str) {
        let durations = x.is_duration() && y.is_duration();
        if durations {
            let (fixed, calendar) = if x.calendar { (y, x) } else { (x, y) };
            self.report(QuantityError::FixedAndCalendar {
                span: l.span.to(r.span),
                fixed: fixed.spelling.clone(),
                calendar: calendar.spelling.clone(),
                how,
            });
            return;
        }
        self.report(QuantityError::DimensionMismatch {
            left: (l.span, x.clone()),
            right: (r.span, y.clone()),
            how,
        });
    }

    fn bare_number(&mut self, unit: &UnitTy, bare: &Expr, other: &Expr) {
        self.report(QuantityError::BareNumber {
            span: bare.span,
            shown: self.quote(bare.span),
            literal: matches!(bare.kind, ExprKind::Number { .. }),
            other: (other.span, unit.spelling.clone()),
        });
    }

    /// A literal compared with a field declared with a range must fit it (S0307),
    /// after converting it to the field's unit.
    pub(super) fn literal_in_range(&mut self, field: &Expr, literal: &Expr) {
        let ExprKind::Number { value, unit } = &literal.kind else {
            return;
        };
        let ExprKind::Name(name) = &field.kind else {
            return;
        };
        let Some(declared) = self.env.case_field(&name.node) else {
            return;
        };
        let Some((bounds, field_unit)) = declared_range(&declared.ty) else {
            return;
        };
        let (low, high) = (bounds.low.node, bounds.high.node);
        let Some(value) = self.in_unit(*value, unit.as_ref(), field_unit) else {
            return;
        };
        if low <= high && (value < low || value > high) {
            self.report(QuantityError::OutsideRange {
                span: literal.span,
                shown: self.quote(literal.span),
                field: name.node.clone(),
                low,
                high,
                bounds: bounds.low.span.to(bounds.high.span),
            });
        }
    }

    /// A literal's value in another unit (itself when neither has a unit).
    fn in_unit(
        &self,
        value: Decimal,
        from: Option<&Spanned<String>>,
        to: Option<&Spanned<String>>,
    ) -> Option<Decimal> {
        match (from, to) {
            (None, None) => Some(value),
            (Some(f), Some(t)) => {
                let (f, t) = (self.units.lookup(&f.node)?, self.units.lookup(&t.node)?);
                crate::units::convert(value, &f, &t)
            }
            _ => None,
        }
    }

    /// `*` and `/` keep a unit only when one side is a bare number.
    pub(super) fn scaled(
        &mut self,
        op: BinOp,
        a: &Option<UnitTy>,
        b: &Option<UnitTy>,
        span: Span,
    ) -> Ty {
        match (a, b) {
            (unit, None) => Ty::Num {
                int: false,
                unit: unit.clone(),
            },
            (None, unit) if op == BinOp::Mul => Ty::Num {
                int: false,
                unit: unit.clone(),
            },
            (Some(x), Some(y)) if op == BinOp::Div && x.dimension == y.dimension => {
                Ty::bare_number()
            }
            _ => {
                self.report(QuantityError::UnnamedUnit { span });
                Ty::Error
            }
        }
    }
}

/// A numeric type's declared bounds and unit.
fn declared_range(ty: &Type) -> Option<(&RangeBounds, Option<&Spanned<String>>)> {
    match &ty.kind {
        TypeKind::Int { range, unit } | TypeKind::Number { range, unit } => {
            Some((range.as_ref()?, unit.as_ref()))
        }
        TypeKind::Optional(inner) => declared_range(inner),
        _ => None,
    }
}
