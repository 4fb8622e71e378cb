//! Operators: logic, comparisons, membership, arithmetic, union,
//! `otherwise` and ranges.

use super::error::{QuantityError, TypeError, Warning};
use super::types::Ty;
use super::Checker;
use crate::span::Span;
use crate::syntax::ast::*;

impl Checker<'_> {
    /// The type of `l op r`.
    pub(super) fn binary(&mut self, op: BinOp, l: &Expr, r: &Expr, span: Span) -> Ty {
        match op {
            BinOp::And | BinOp::Or => self.logic(op, l, r),
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                self.compare(op, l, r)
            }
            BinOp::In | BinOp::NotIn => self.membership(span, l, r),
            BinOp::Contains => self.contains(l, r),
            BinOp::StartsWith => self.starts_with(l, r),
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => self.arithmetic(op, l, r, span),
            BinOp::Union => self.union(l, r),
            BinOp::Pow => self.power(l, r),
            BinOp::Otherwise => self.otherwise(l, r),
            BinOp::Range => self.range(l, r),
        }
    }

    fn logic(&mut self, op: BinOp, l: &Expr, r: &Expr) -> Ty {
        self.condition(l);
        let depth = self.narrowed.len();
        self.assume(l, op == BinOp::And);
        self.condition(r);
        self.narrowed.truncate(depth);
        Ty::Bool
    }

    fn compare(&mut self, op: BinOp, l: &Expr, r: &Expr) -> Ty {
        let (lt, rt) = if super::expr::is_named_unknown(l) {
            let rt = self.expr(r);
            (self.expr_hint(l, Some(&rt)), rt)
        } else {
            let lt = self.expr(l);
            let rt = self.expr_hint(r, Some(&lt));
            (lt, rt)
        };
        if matches!(lt, Ty::NoneLit) || matches!(rt, Ty::NoneLit) {
            let side = if matches!(lt, Ty::NoneLit) { r } else { l };
            let span = side.span.to(l.span.to(r.span));
            let shown = self.quote(side.span);
            self.report(TypeError::NoneCompared { span, shown });
            return Ty::Bool;
        }
        let lt = self.value(lt, l);
        let rt = self.value(rt, r);
        let ordered = !matches!(op, BinOp::Eq | BinOp::Ne);
        self.comparable(&lt, &rt, l, r, ordered);
        self.literal_in_range(l, r);
        self.literal_in_range(r, l);
        Ty::Bool
    }

    /// Checks that two values can be compared, with unit and duration rules.
    pub(super) fn comparable(&mut self, lt: &Ty, rt: &Ty, l: &Expr, r: &Expr, ordered: bool) {
        match (lt, rt) {
            (Ty::Num { unit: a, .. }, Ty::Num { unit: b, .. }) => {
                self.units_agree(a, b, l, r, "compared");
            }
            (Ty::Date, Ty::Date) => {}
            (Ty::Enum(a), Ty::Enum(b)) if a == b => self.ordered_enum(a, ordered, l),
            (Ty::Duration, other) | (other, Ty::Duration)
                if other.is_duration() || *other == Ty::Duration => {}
            (Ty::Bool | Ty::Text, _) if ordered && lt == rt => {
                let (span, ty) = (l.span.to(r.span), lt.clone());
                self.report(TypeError::NoOrder { span, ty });
            }
            _ if self.compatible(lt, rt) => {}
            (Ty::Series(_), _) | (_, Ty::Series(_)) => self.series_compared(lt, l, r),
            _ => self.mismatch(
                r.span,
                lt,
                rt,
                "both sides of a comparison must have the same type",
            ),
        }
    }

    fn series_compared(&mut self, lt: &Ty, l: &Expr, r: &Expr) {
        let series = if matches!(lt, Ty::Series(_)) { l } else { r };
        let shown = self.quote(series.span);
        let span = series.span;
        self.report(TypeError::SeriesCompared { span, shown });
    }

    fn ordered_enum(&mut self, name: &str, ordered: bool, at: &Expr) {
        let is_ordered = self.env.enums.get(name).is_some_and(|e| e.ordered);
        if ordered && !is_ordered {
            let (span, name) = (at.span, name.to_string());
            self.report(TypeError::EnumNoOrder { span, name });
        }
    }

    fn membership(&mut self, whole: Span, l: &Expr, r: &Expr) -> Ty {
        let lt = self.expr(l);
        if self.line_membership(whole, &lt, l, r) {
            return Ty::Bool;
        }
        let hint = Ty::Set(Box::new(lt.strip_optional().clone()));
        let rt = self.expr_hint(r, Some(&hint));
        let lt = self.value(lt, l);
        let rt = self.value(rt, r);
        match rt.element() {
            Some(element) => self.comparable(&lt, &element, l, r, false),
            None => self.mismatch(
                r.span,
                &hint,
                &rt,
                "`in` needs a set, a list or a range on its right",
            ),
        }
        Ty::Bool
    }

    fn contains(&mut self, l: &Expr, r: &Expr) -> Ty {
        let lt = self.expr(l);
        let rt = self.expr(r);
        let lt = self.value(lt, l);
        let rt = self.value(rt, r);
        if lt == Ty::Text {
            self.text_operand(&rt, r, "contains");
            return Ty::Bool;
        }
        let holds_agents = lt.is_vocab() || matches!(lt, Ty::Line(_)) || lt.element().is_some();
        if !holds_agents {
            self.mismatch(
                l.span,
                &Ty::Regimen,
                &lt,
                "`contains` asks whether a regimen or collection holds something",
            );
        }
        if let Some(element) = lt.element() {
            if !self.compatible(&element, &rt) {
                self.mismatch(
                    r.span,
                    &element,
                    &rt,
                    "the collection's members are of another type",
                );
            }
        }
        Ty::Bool
    }

    /// `t starts with "R-"`: both sides text.
    fn starts_with(&mut self, l: &Expr, r: &Expr) -> Ty {
        let lt = self.expr(l);
        let rt = self.expr(r);
        let lt = self.value(lt, l);
        let rt = self.value(rt, r);
        if lt != Ty::Text {
            self.mismatch(
                l.span,
                &Ty::Text,
                &lt,
                "`starts with` asks whether a text begins with another",
            );
        }
        self.text_operand(&rt, r, "starts with");
        Ty::Bool
    }

    /// The right side of a text `contains` or `starts with`.
    fn text_operand(&mut self, ty: &Ty, at: &Expr, op: &str) {
        if *ty != Ty::Text {
            let why = format!("`{op}` on a text looks for another text in it");
            self.mismatch(at.span, &Ty::Text, ty, &why);
        }
    }

    fn arithmetic(&mut self, op: BinOp, l: &Expr, r: &Expr, span: Span) -> Ty {
        let lt = self.expr(l);
        let rt = self.expr(r);
        let lt = self.value(lt, l);
        let rt = self.value(rt, r);
        match (op, &lt, &rt) {
            (_, Ty::Error, _) | (_, _, Ty::Error) => Ty::Error,
            (BinOp::Add | BinOp::Sub, Ty::Date, d) if d.is_duration() => Ty::Date,
            (BinOp::Sub, Ty::Date, Ty::Date) => Ty::Num {
                int: true,
                unit: self.named_unit("days"),
            },
            (BinOp::Add | BinOp::Sub, Ty::Num { int: i, unit: a }, Ty::Num { int: j, unit: b }) => {
                if !self.units_agree(a, b, l, r, "added") {
                    return Ty::Error;
                }
                Ty::Num {
                    int: *i && *j,
                    unit: a.clone().or(b.clone()),
                }
            }
            (BinOp::Mul | BinOp::Div, Ty::Num { unit: a, .. }, Ty::Num { unit: b, .. }) => {
                self.scaled(op, a, b, span)
            }
            _ => {
                let expected = if matches!(lt, Ty::Date) {
                    Ty::Duration
                } else {
                    lt.clone()
                };
                self.mismatch(
                    r.span,
                    &expected,
                    &rt,
                    &format!("`{}` cannot combine these", op.symbol()),
                );
                Ty::Error
            }
        }
    }

    fn union(&mut self, l: &Expr, r: &Expr) -> Ty {
        let lt = self.expr(l);
        let rt = self.expr(r);
        for (ty, e) in [(&lt, l), (&rt, r)] {
            let ok = matches!(ty, Ty::Set(_) | Ty::Error) || ty.is_vocab();
            if !ok {
                self.mismatch(e.span, &Ty::Set(Box::new(Ty::Agent)), ty, "`|` joins sets");
            }
        }
        match lt {
            Ty::Set(_) => lt,
            _ => Ty::Set(Box::new(Ty::Agent)),
        }
    }

    /// `a otherwise b`: `b` when `a` is none. A plain default gives a plain
    /// value; an optional one (`T?`, or `none`) gives `T?`.
    fn otherwise(&mut self, l: &Expr, r: &Expr) -> Ty {
        let lt = self.expr(l);
        if !lt.is_optional() && !matches!(lt, Ty::NoneLit) && !lt.has_error() {
            let (at, shown) = (r.span, self.quote(l.span));
            self.report(Warning::DefaultNeverUsed { at, shown });
        }
        let inner = lt.strip_optional().clone();
        let rt = self.expr_hint(r, Some(&inner));
        if !self.compatible(&inner, rt.strip_optional()) && !matches!(rt, Ty::NoneLit) {
            self.mismatch(
                r.span,
                &inner,
                &rt,
                "the default must have the type of the value it replaces",
            );
        }
        if rt.is_optional() || matches!(rt, Ty::NoneLit) {
            Ty::Optional(Box::new(inner))
        } else {
            inner
        }
    }

    fn range(&mut self, l: &Expr, r: &Expr) -> Ty {
        let lt = self.expr(l);
        let rt = self.expr_hint(r, Some(&lt));
        let lt = self.value(lt, l);
        let rt = self.value(rt, r);
        if !matches!(lt, Ty::Num { .. } | Ty::Date | Ty::Error) {
            self.mismatch(
                l.span,
                &Ty::bare_number(),
                &lt,
                "a range runs between numbers or dates",
            );
        }
        self.comparable(&lt, &rt, l, r, true);
        if let (ExprKind::Number { value: a, .. }, ExprKind::Number { value: b, .. }) =
            (&l.kind, &r.kind)
        {
            if a > b {
                let (span, low, high) = (l.span.to(r.span), *a, *b);
                self.report(QuantityError::EmptyRange { span, low, high });
            }
        }
        Ty::Range(Box::new(lt))
    }
}
