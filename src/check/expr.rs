//! Types of expressions: one dispatch `match`, small helpers per kind.

use super::env::VocabKind;
use super::error::NameError;
use super::types::{Ty, UnitTy};
use super::Checker;
use crate::diag::{Code, Diagnostic};
use crate::span::{Name, Span};
use crate::syntax::ast::*;

impl<'a> Checker<'a> {
    /// The type of an expression.
    pub(super) fn expr(&mut self, e: &Expr) -> Ty {
        self.expr_hint(e, None)
    }

    /// The type of an expression, given the type its context wants (used to
    /// resolve enum values such as `PMBCL` in `histology in {PMBCL}`).
    pub(super) fn expr_hint(&mut self, e: &Expr, hint: Option<&Ty>) -> Ty {
        match &e.kind {
            ExprKind::Name(name) => self.name_expr(name, hint, e),
            ExprKind::Bool(_) => Ty::Bool,
            ExprKind::NoneLit => Ty::NoneLit,
            ExprKind::Number { value, unit } => self.number_literal(*value, unit),
            ExprKind::Text(_) => Ty::Text,
            ExprKind::Date(_) => Ty::Date,
            ExprKind::Set(items) => Ty::Set(Box::new(self.elements(items, hint))),
            ExprKind::List(items) => Ty::List(Box::new(self.elements(items, hint))),
            ExprKind::Group(inner) => self.expr_hint(inner, hint),
            ExprKind::Not(inner) => self.not_expr(inner),
            ExprKind::Neg(inner) => self.neg_expr(inner),
            ExprKind::Binary(op, l, r) => self.binary(*op, l, r, e.span),
            ExprKind::DoubleEq(l, r) => self.double_eq(l, r),
            ExprKind::Is(inner, _, test) => self.is_expr(inner, test),
            ExprKind::MissingAs(inner, _) => self.expr_hint(inner, hint),
            ExprKind::Field(inner, field) => self.field_expr(inner, field, e),
            ExprKind::Index(inner, key) => {
                let ty = self.index_expr(inner, key);
                self.narrow(ty, e)
            }
            ExprKind::Call(name, args) => {
                let ty = self.call_expr(name, args);
                self.narrow(ty, e)
            }
            ExprKind::If(c, t, f) => self.if_expr(c, t, f, hint),
            ExprKind::Match(arms, other) => self.match_expr(arms, other, hint),
            ExprKind::History {
                pred,
                target,
                within,
            } => self.history_expr(*pred, target, within, e.span),
            ExprKind::DateOf(part, inner) => {
                let ty = self.date_of(*part, inner);
                self.narrow(ty, e)
            }
            ExprKind::LastLine => {
                let ty = self.last_line(e.span);
                self.narrow(ty, e)
            }
            ExprKind::Invalid => Ty::Error,
            ExprKind::PriorLines => self.prior_lines(e.span),
            ExprKind::Series {
                read,
                series,
                within,
            } => self.series_expr(*read, series, within, e),
            ExprKind::Quantified(_, comp) => self.quantified(comp),
            ExprKind::Aggregate {
                agg,
                projection,
                over,
            } => self.aggregate(*agg, projection, over),
            ExprKind::Comprehension(comp) => self.comprehension(comp),
            ExprKind::Vocab(set) => self.vocab_set(set),
            ExprKind::YearsFrom(from, to) => self.years_from(from, to),
            ExprKind::Decision(r) => self.decision_ref(r),
        }
    }

    /// Checks a condition: it must be a truth value (S0306).
    pub(super) fn condition(&mut self, e: &Expr) {
        let ty = self.expr(e);
        let ty = self.value(ty, e);
        if !matches!(ty, Ty::Bool) && !ty.has_error() {
            self.report(
                Diagnostic::new(Code::S0306, e.span, "this condition is not true or false")
                    .label(format!("this is `{ty}`"))
                    .help("compare it with something, e.g. `x = …` or `x > …`"),
            );
        }
    }

    /// A value read where a plain value is needed: an optional that was not
    /// narrowed is an error (S0305) with a help line showing the guard.
    pub(super) fn value(&mut self, ty: Ty, e: &Expr) -> Ty {
        let Ty::Optional(inner) = ty else {
            return ty;
        };
        let shown = self.quote(e.span);
        let help = if super::narrow::narrowable(e) {
            format!(
                "guard it: `{shown} is not none and …`, or give a default: `{shown} otherwise …`"
            )
        } else {
            let grouped = match e.kind {
                ExprKind::Group(_) => shown.clone(),
                _ => format!("({shown})"),
            };
            format!("give a default: `{grouped} otherwise …`, or name it with a define and guard the name: `NAME is not none and …`")
        };
        self.report(
            Diagnostic::new(Code::S0305, e.span, format!("`{shown}` may be none here"))
                .label(optional_label(&inner))
                .note("an optional value must be narrowed before it is compared or computed with")
                .help(help),
        );
        *inner
    }

    fn number_literal(
        &mut self,
        value: rust_decimal::Decimal,
        unit: &Option<crate::span::Spanned<String>>,
    ) -> Ty {
        let int = value.scale() == 0;
        match unit {
            None => Ty::Num { int, unit: None },
            Some(u) => match self.unit(&u.node, u.span) {
                Some(unit) => Ty::Num {
                    int,
                    unit: Some(unit),
                },
                None => Ty::Error,
            },
        }
    }

    fn elements(&mut self, items: &[Expr], hint: Option<&Ty>) -> Ty {
        let element_hint = hint.and_then(|h| h.strip_optional().element());
        let mut first: Option<Ty> = None;
        for item in items {
            let ty = self.expr_hint(item, element_hint.as_ref().or(first.as_ref()));
            match &first {
                None => first = Some(ty),
                Some(f) if !self.compatible(f, &ty) => {
                    self.mismatch(item.span, f, &ty, "the set's other members")
                }
                Some(_) => {}
            }
        }
        first.unwrap_or(Ty::Error)
    }

    fn not_expr(&mut self, inner: &Expr) -> Ty {
        self.condition(inner);
        Ty::Bool
    }

    fn neg_expr(&mut self, inner: &Expr) -> Ty {
        let ty = self.expr(inner);
        let ty = self.value(ty, inner);
        match ty {
            Ty::Num { .. } | Ty::Error | Ty::Duration => ty,
            other => {
                self.mismatch(
                    inner.span,
                    &Ty::bare_number(),
                    &other,
                    "`-` negates a number",
                );
                Ty::Error
            }
        }
    }

    fn double_eq(&mut self, l: &Expr, r: &Expr) -> Ty {
        let lt = self.expr(l);
        self.expr_hint(r, Some(&lt));
        Ty::Bool
    }

    /// Reports a type mismatch (S0301).
    pub(super) fn mismatch(&mut self, span: Span, expected: &Ty, found: &Ty, context: &str) {
        if expected.has_error() || found.has_error() {
            return;
        }
        self.report(
            Diagnostic::new(
                Code::S0301,
                span,
                format!("expected `{expected}`, found `{found}`"),
            )
            .label(format!("this is `{found}`"))
            .note(context.to_string()),
        );
    }

    /// Reports a value that should be a collection and is not (S0301).
    fn not_a_collection(&mut self, span: Span, found: &Ty, context: &str) {
        if found.has_error() {
            return;
        }
        self.report(
            Diagnostic::new(
                Code::S0301,
                span,
                format!("expected a list, set, map, range or history, found `{found}`"),
            )
            .label(format!("this is `{found}`"))
            .note(context.to_string()),
        );
    }

    /// Whether a value of type `found` can stand where `expected` is wanted.
    pub(super) fn compatible(&self, expected: &Ty, found: &Ty) -> bool {
        match (expected, found) {
            (Ty::Error, _) | (_, Ty::Error) => true,
            (Ty::Optional(e), Ty::NoneLit) => matches!(**e, _),
            (Ty::Optional(e), f) => self.compatible(e, f.strip_optional()),
            (e, Ty::Optional(f)) => self.compatible(e, f),
            (Ty::Num { unit: a, .. }, Ty::Num { unit: b, .. }) => same_dimension(a, b),
            (Ty::Duration, f) | (f, Ty::Duration) => f.is_duration() || matches!(f, Ty::Duration),
            (a, b) if a.is_vocab() && b.is_vocab() => true,
            (Ty::List(a), Ty::List(b))
            | (Ty::Set(a), Ty::Set(b))
            | (Ty::List(a), Ty::Set(b))
            | (Ty::Set(a), Ty::List(b)) => self.compatible(a, b),
            (Ty::Line(a), Ty::Line(b))
            | (Ty::Line(a), Ty::Record(b))
            | (Ty::Record(a), Ty::Line(b)) => a == b,
            (a, b) => a == b,
        }
    }

    fn binary(&mut self, op: BinOp, l: &Expr, r: &Expr, span: Span) -> Ty {
        match op {
            BinOp::And | BinOp::Or => self.logic(op, l, r),
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                self.compare(op, l, r)
            }
            BinOp::In | BinOp::NotIn => self.membership(l, r),
            BinOp::Contains => self.contains(l, r),
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => self.arithmetic(op, l, r, span),
            BinOp::Union => self.union(l, r),
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
        let lt = self.expr(l);
        let rt = self.expr_hint(r, Some(&lt));
        if matches!(lt, Ty::NoneLit) || matches!(rt, Ty::NoneLit) {
            let side = if matches!(lt, Ty::NoneLit) { r } else { l };
            self.report(
                Diagnostic::new(
                    Code::S0301,
                    side.span.to(l.span.to(r.span)),
                    "`none` is compared with `=`",
                )
                .label("this comparison")
                .help(format!(
                    "write `{} is none` (or `is not none`)",
                    self.quote(side.span)
                )),
            );
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
    fn comparable(&mut self, lt: &Ty, rt: &Ty, l: &Expr, r: &Expr, ordered: bool) {
        match (lt, rt) {
            (Ty::Num { unit: a, .. }, Ty::Num { unit: b, .. }) => {
                self.units_agree(a, b, l, r, "compared");
            }
            (Ty::Date, Ty::Date) => {}
            (Ty::Enum(a), Ty::Enum(b)) if a == b => self.ordered_enum(a, ordered, l),
            (Ty::Duration, other) | (other, Ty::Duration)
                if other.is_duration() || *other == Ty::Duration => {}
            (Ty::Bool | Ty::Text, _) if ordered && lt == rt => {
                self.report(
                    Diagnostic::new(
                        Code::S0301,
                        l.span.to(r.span),
                        format!("`{lt}` values have no order"),
                    )
                    .label("compared with `<` or `>`")
                    .help("use `=` or `!=`"),
                );
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
        self.report(
            Diagnostic::new(Code::S0301, series.span, format!("`{shown}` is a series of dated values, not one value"))
                .label("a series")
                .help(format!("read one value: `latest {shown}`, `latest {shown} within 30 days`, `nadir {shown}`")),
        );
    }

    fn ordered_enum(&mut self, name: &str, ordered: bool, at: &Expr) {
        let is_ordered = self.env.enums.get(name).is_some_and(|e| e.ordered);
        if ordered && !is_ordered {
            self.report(
                Diagnostic::new(Code::S0301, at.span, format!("enum `{name}` has no order"))
                    .label("compared with `<` or `>`")
                    .help(format!("declare it ordered with `<` between values: `enum {name} {{ A < B }}`, or use `=`")),
            );
        }
    }

    /// Units in one dimension compare; a bare number beside a unit is an error.
    /// Returns whether they agree (after reporting why not).
    pub(super) fn units_agree(
        &mut self,
        a: &Option<UnitTy>,
        b: &Option<UnitTy>,
        l: &Expr,
        r: &Expr,
        how: &str,
    ) -> bool {
        match (a, b) {
            (Some(x), Some(y)) if x.dimension != y.dimension => {
                self.dimension_error(x, y, l, r, how)
            }
            (Some(u), None) => self.bare_number(u, r, l),
            (None, Some(u)) => self.bare_number(u, l, r),
            _ => return true,
        }
        false
    }

    fn dimension_error(&mut self, x: &UnitTy, y: &UnitTy, l: &Expr, r: &Expr, how: &str) {
        let durations = (x.calendar || x.fixed_duration) && (y.calendar || y.fixed_duration);
        if durations {
            let (fixed, calendar) = if x.calendar { (y, x) } else { (x, y) };
            self.report(
                Diagnostic::new(
                    Code::S0304,
                    l.span.to(r.span),
                    format!(
                        "`{}` and `{}` cannot be {how}",
                        fixed.spelling, calendar.spelling
                    ),
                )
                .label("a fixed duration and a calendar duration")
                .note("a month or a year has no fixed number of days")
                .help("work with dates instead, e.g. `progression_date <= end_date + 12 months`"),
            );
            return;
        }
        self.report(
            Diagnostic::new(
                Code::S0302,
                r.span,
                format!(
                    "`{}` and `{}` are different kinds of quantity",
                    x.spelling, y.spelling
                ),
            )
            .label(format!("this is in `{}`", y.spelling))
            .also(l.span, format!("this is in `{}`", x.spelling))
            .note(format!(
                "{} cannot be {how} with {}",
                x.dimension, y.dimension
            )),
        );
    }

    fn bare_number(&mut self, unit: &UnitTy, bare: &Expr, other: &Expr) {
        let shown = self.quote(bare.span);
        let help = match &bare.kind {
            ExprKind::Number { .. } => format!("write the unit: `{shown} {}`", unit.spelling),
            _ => format!("give `{shown}` a unit in its declaration"),
        };
        self.report(
            Diagnostic::new(
                Code::S0303,
                bare.span,
                format!(
                    "`{shown}` has no unit, but is used with `{}`",
                    unit.spelling
                ),
            )
            .label("no unit")
            .also(other.span, format!("this is in `{}`", unit.spelling))
            .help(help),
        );
    }

    /// A literal compared with a field declared with a range must fit it (S0307),
    /// after converting it to the field's unit.
    fn literal_in_range(&mut self, field: &Expr, literal: &Expr) {
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
        if bounds.low.node > bounds.high.node {
            return;
        }
        let Some(value) = self.in_unit(*value, unit.as_ref(), field_unit) else {
            return;
        };
        if value < bounds.low.node || value > bounds.high.node {
            let shown = self.quote(literal.span);
            self.report(
                Diagnostic::new(
                    Code::S0307,
                    literal.span,
                    format!("{shown} is outside the range of `{}`", name.node),
                )
                .label(format!(
                    "`{}` is declared {}..{}",
                    name.node, bounds.low.node, bounds.high.node
                ))
                .also(bounds.low.span.to(bounds.high.span), "declared here")
                .note("a comparison with a value that cannot occur is always the same"),
            );
        }
    }

    /// A literal's value in another unit (itself when neither has a unit).
    pub(super) fn in_unit(
        &self,
        value: rust_decimal::Decimal,
        from: Option<&crate::span::Spanned<String>>,
        to: Option<&crate::span::Spanned<String>>,
    ) -> Option<rust_decimal::Decimal> {
        match (from, to) {
            (None, None) => Some(value),
            (Some(f), Some(t)) => {
                let (f, t) = (self.units.lookup(&f.node)?, self.units.lookup(&t.node)?);
                crate::units::convert(value, &f, &t)
            }
            _ => None,
        }
    }

    fn membership(&mut self, l: &Expr, r: &Expr) -> Ty {
        let lt = self.expr(l);
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
                unit: self.units.lookup("days").map(|u| UnitTy {
                    spelling: u.spelling().to_string(),
                    dimension: u.dimension().describe(),
                    calendar: false,
                    fixed_duration: true,
                }),
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

    /// `*` and `/` keep a unit only when one side is a bare number.
    fn scaled(&mut self, op: BinOp, a: &Option<UnitTy>, b: &Option<UnitTy>, span: Span) -> Ty {
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
                self.report(
                    Diagnostic::new(
                        Code::S0302,
                        span,
                        "this product or ratio has a unit Salvage cannot name",
                    )
                    .label("units multiplied or divided")
                    .help("divide values of one dimension (a ratio), or scale by a bare number"),
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

    fn otherwise(&mut self, l: &Expr, r: &Expr) -> Ty {
        let lt = self.expr(l);
        let inner = lt.strip_optional().clone();
        let rt = self.expr_hint(r, Some(&inner));
        let rt = self.value(rt, r);
        if !self.compatible(&inner, &rt) {
            self.mismatch(
                r.span,
                &inner,
                &rt,
                "the default must have the type of the value it replaces",
            );
        }
        inner
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
                self.report(
                    Diagnostic::new(Code::S0320, l.span.to(r.span), "this range is empty")
                        .label(format!("{a} is greater than {b}"))
                        .help("write the smaller bound first: `low..high`"),
                );
            }
        }
        Ty::Range(Box::new(lt))
    }

    fn field_expr(&mut self, inner: &Expr, field: &Name, whole: &Expr) -> Ty {
        let ty = self.expr(inner);
        let ty = self.value(ty, inner);
        let record = match &ty {
            Ty::Record(r) | Ty::Line(r) => r.clone(),
            _ if ty.has_error() => return Ty::Error,
            other => {
                let (field, found, inner) = (field.clone(), other.clone(), inner.span);
                self.fail(NameError::NoFields {
                    field,
                    found,
                    inner,
                });
                return Ty::Error;
            }
        };
        match self.field_type(Some(&record), &field.node) {
            Some(t) => self.narrow(t, whole),
            None => {
                self.unknown_field(&record, field);
                Ty::Error
            }
        }
    }

    /// Reports a field the record does not have (S0110).
    pub(super) fn unknown_field(&mut self, record: &str, field: &Name) {
        let fields: Vec<String> = self
            .env
            .records
            .get(record)
            .map(|r| r.fields.iter().map(|f| f.name.node.clone()).collect())
            .unwrap_or_default();
        let suggestion = self.suggestion(&field.node, fields.iter().map(String::as_str));
        self.fail(NameError::UnknownField {
            record: record.to_string(),
            field: field.clone(),
            fields,
            suggestion,
        });
    }

    fn index_expr(&mut self, inner: &Expr, key: &Expr) -> Ty {
        let ty = self.expr(inner);
        let ty = self.value(ty, inner);
        match ty {
            Ty::Map(k, v) => {
                let kt = self.expr_hint(key, Some(&k));
                if !self.compatible(&k, &kt) {
                    self.mismatch(key.span, &k, &kt, "the key must have the map's key type");
                }
                Ty::Optional(v)
            }
            Ty::List(t) => {
                let kt = self.expr(key);
                if !matches!(
                    kt,
                    Ty::Num {
                        int: true,
                        unit: None
                    } | Ty::Error
                ) {
                    self.mismatch(
                        key.span,
                        &Ty::Num {
                            int: true,
                            unit: None,
                        },
                        &kt,
                        "a list is indexed by position",
                    );
                }
                Ty::Optional(t)
            }
            other if other.has_error() => Ty::Error,
            other => {
                self.report(
                    Diagnostic::new(
                        Code::S0301,
                        inner.span,
                        format!("expected a map or a list, found `{other}`"),
                    )
                    .label(format!("this is `{other}`"))
                    .note("only maps and lists are indexed"),
                );
                Ty::Error
            }
        }
    }

    fn call_expr(&mut self, name: &Name, args: &[Expr]) -> Ty {
        let Some(define) = self.env.defines.get(&name.node).copied() else {
            for arg in args {
                self.expr(arg);
            }
            self.unknown_name(name);
            return Ty::Error;
        };
        if define.params.len() != args.len() {
            self.fail(NameError::WrongArgumentCount {
                name: name.clone(),
                expected: define.params.len(),
                given: args.len(),
                defined_at: define.name.span,
            });
        }
        self.used.insert(name.node.clone());
        for (param, arg) in define.params.iter().zip(args) {
            let want = self.type_of(&param.ty);
            let got = self.expr_hint(arg, Some(&want));
            if !self.compatible(&want, &got) {
                self.mismatch(
                    arg.span,
                    &want,
                    &got,
                    &format!("parameter `{}` of `{}`", param.name.node, name.node),
                );
            }
        }
        self.define_type(&name.node, name.span)
    }

    fn if_expr(&mut self, c: &Expr, t: &Expr, f: &Expr, hint: Option<&Ty>) -> Ty {
        self.condition(c);
        let depth = self.narrowed.len();
        self.assume(c, true);
        let tt = self.expr_hint(t, hint);
        self.narrowed.truncate(depth);
        self.assume(c, false);
        let ft = self.expr_hint(f, hint.or(Some(&tt)));
        self.narrowed.truncate(depth);
        self.join(tt, ft, f)
    }

    fn match_expr(&mut self, arms: &[(Expr, Expr)], other: &Expr, hint: Option<&Ty>) -> Ty {
        let mut result: Option<Ty> = None;
        let depth = self.narrowed.len();
        for (guard, value) in arms {
            self.condition(guard);
            let before = self.narrowed.len();
            self.assume(guard, true);
            let ty = self.expr_hint(value, hint.or(result.as_ref()));
            self.narrowed.truncate(before);
            self.assume(guard, false);
            result = Some(match result {
                None => ty,
                Some(prev) => self.join(prev, ty, value),
            });
        }
        let ty = self.expr_hint(other, hint.or(result.as_ref()));
        self.narrowed.truncate(depth);
        match result {
            None => ty,
            Some(prev) => self.join(prev, ty, other),
        }
    }

    /// The type of two branches together (`none` in one makes the other optional).
    fn join(&mut self, a: Ty, b: Ty, at: &Expr) -> Ty {
        match (&a, &b) {
            (Ty::NoneLit, other) | (other, Ty::NoneLit) => {
                Ty::Optional(Box::new(other.strip_optional().clone()))
            }
            _ if self.compatible(&a, &b) => {
                if b.is_optional() && !a.is_optional() {
                    b
                } else {
                    a
                }
            }
            _ => {
                self.mismatch(at.span, &a, &b, "every branch must give the same type");
                Ty::Error
            }
        }
    }

    fn quantified(&mut self, comp: &Comprehension) -> Ty {
        self.with_binding(comp, |_, _| ());
        Ty::Bool
    }

    fn comprehension(&mut self, comp: &Comprehension) -> Ty {
        let (source, element) =
            self.with_binding(comp, |c, element| (c.last_source.take(), element));
        match source {
            Some(Ty::Set(_)) => Ty::Set(Box::new(element)),
            _ => Ty::List(Box::new(element)),
        }
    }

    /// Binds `x in xs`, checks `where P`, and runs `body` with `x` in scope.
    pub(super) fn with_binding<T>(
        &mut self,
        comp: &Comprehension,
        body: impl FnOnce(&mut Self, Ty) -> T,
    ) -> T {
        let source = self.expr(&comp.source);
        let source = self.value(source, &comp.source);
        let element = match source.element() {
            Some(e) => e,
            None => {
                self.not_a_collection(comp.source.span, &source, "`in` ranges over a collection");
                Ty::Error
            }
        };
        self.locals.push((comp.var.node.clone(), element.clone()));
        let depth = self.narrowed.len();
        if let Some(filter) = &comp.filter {
            self.condition(filter);
            self.assume(filter, true);
        }
        self.last_source = Some(source);
        let result = body(self, element);
        self.narrowed.truncate(depth);
        self.locals.pop();
        result
    }

    fn aggregate(
        &mut self,
        agg: Aggregate,
        projection: &Option<Box<Expr>>,
        over: &AggregateOver,
    ) -> Ty {
        let element = match (over, projection) {
            (AggregateOver::Binding(comp), Some(p)) => self.with_binding(comp, |c, _| {
                let t = c.expr(p);
                c.value(t, p)
            }),
            (AggregateOver::Binding(comp), None) => self.with_binding(comp, |_, e| e),
            (AggregateOver::Collection(source), _) => {
                let t = self.expr(source);
                let t = self.value(t, source);
                match t.element() {
                    Some(e) => e,
                    None => {
                        self.not_a_collection(
                            source.span,
                            &t,
                            "an aggregate ranges over a collection",
                        );
                        Ty::Error
                    }
                }
            }
        };
        match agg {
            Aggregate::Count => Ty::Num {
                int: true,
                unit: None,
            },
            Aggregate::Sum => element,
            _ => Ty::Optional(Box::new(element)),
        }
    }

    fn vocab_set(&mut self, set: &VocabSet) -> Ty {
        match set {
            VocabSet::With { of, by, value } => {
                let kind = if by.node == "tag" {
                    VocabKind::Tag
                } else {
                    VocabKind::Class
                };
                self.expect_vocab(value, kind);
                if of.node == "regimens" {
                    Ty::Set(Box::new(Ty::Regimen))
                } else {
                    Ty::Set(Box::new(Ty::Agent))
                }
            }
            VocabSet::MembersOf(class) => {
                self.expect_vocab(class, VocabKind::Class);
                Ty::Set(Box::new(Ty::Agent))
            }
        }
    }

    fn expect_vocab(&mut self, name: &Name, kind: VocabKind) {
        match self.env.vocab.get(&name.node) {
            Some((k, _)) if *k == kind => {}
            _ => self.unknown_vocab(name, kind.word(), &[kind]),
        }
    }

    fn years_from(&mut self, from: &Expr, to: &Expr) -> Ty {
        for e in [from, to] {
            let t = self.expr(e);
            let t = self.value(t, e);
            if !matches!(t, Ty::Date | Ty::Error) {
                self.mismatch(
                    e.span,
                    &Ty::Date,
                    &t,
                    "`years from A to B` counts whole years between two dates",
                );
            }
        }
        Ty::Num {
            int: true,
            unit: self.units.lookup("years").map(|u| UnitTy {
                spelling: u.spelling().to_string(),
                dimension: u.dimension().describe(),
                calendar: true,
                fixed_duration: false,
            }),
        }
    }

    fn decision_ref(&mut self, r: &DecisionRef) -> Ty {
        match r {
            DecisionRef::Recommended(option)
            | DecisionRef::Pending(option)
            | DecisionRef::Avoided(option) => {
                self.option_reference(option);
                Ty::Bool
            }
            DecisionRef::Fired(rule) => {
                if !self.env.rules.contains_key(&rule.node) {
                    let suggestion =
                        self.suggestion(&rule.node, self.env.rules.keys().map(String::as_str));
                    let name = rule.clone();
                    self.fail(NameError::UnknownRule { name, suggestion });
                }
                Ty::Bool
            }
        }
    }
}

/// Regimens and agents: the things that can be recommended.
pub const OPTION_KINDS: [VocabKind; 2] = [VocabKind::Regimen, VocabKind::Agent];
/// Every vocabulary kind.
pub const ALL_VOCAB: [VocabKind; 4] = [
    VocabKind::Regimen,
    VocabKind::Agent,
    VocabKind::Class,
    VocabKind::Tag,
];

fn same_dimension(a: &Option<UnitTy>, b: &Option<UnitTy>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => x.dimension == y.dimension,
        _ => true,
    }
}

/// A numeric type's declared bounds and unit.
fn declared_range(ty: &Type) -> Option<(&RangeBounds, Option<&crate::span::Spanned<String>>)> {
    match &ty.kind {
        TypeKind::Int { range, unit } | TypeKind::Number { range, unit } => {
            Some((range.as_ref()?, unit.as_ref()))
        }
        TypeKind::Optional(inner) => declared_range(inner),
        _ => None,
    }
}

/// The label under an optional used unguarded: its type, unless that type
/// holds an error already reported.
fn optional_label(inner: &Ty) -> String {
    if inner.has_error() {
        return "this is optional".to_string();
    }
    format!("this is `{}`", Ty::Optional(Box::new(inner.clone())))
}
