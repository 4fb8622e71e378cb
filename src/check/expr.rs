//! Types of expressions: one dispatch `match`, small helpers per kind.

use super::env::VocabKind;
use super::error::{BindingError, NameError, TypeError};
use super::types::{Ty, UnitTy};
use super::Checker;
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
            ExprKind::UnknownAs(_) => self.named_unknown(hint, e.span),
            ExprKind::Let { name, value, body } => self.let_expr(name, value, body, hint),
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
                read: SeriesRead::Latest | SeriesRead::Earliest,
                series,
                within: None,
            } if self.dated_source(series).is_some() => self.pick_all(series, e),
            ExprKind::Series {
                read,
                series,
                within,
            } => self.series_expr(*read, series, within, e),
            ExprKind::Pick { latest, binding } => self.pick(*latest, binding),
            ExprKind::SeriesPart(series, part) => self.series_part(series, part),
            ExprKind::NadirChange(change, series) => self.nadir_change(*change, series),
            ExprKind::Trend(series, trend, count) => self.trend(series, *trend, count),
            ExprKind::Consecutive { count, test, apart } => {
                self.consecutive(count, test, apart.as_deref())
            }
            ExprKind::Run(test) => self.run(test),
            ExprKind::DoublingTime(series) => self.doubling_time(series, e),
            ExprKind::Quantified(_, comp) => self.quantified(comp),
            ExprKind::Aggregate {
                agg,
                projection,
                over,
            } => self.aggregate(*agg, projection, over),
            ExprKind::Comprehension(comp) => self.comprehension(comp),
            ExprKind::Projection {
                set,
                value,
                binding,
            } => self.projection(*set, value, binding),
            ExprKind::Sorted { over, key, .. } => self.sorted(over, key.as_deref()),
            ExprKind::Distinct(source) => self.distinct(source),
            ExprKind::Neighbour { next, member, list } => {
                let ty = self.neighbour(*next, member, list);
                self.narrow(ty, e)
            }
            ExprKind::Vocab(set) => self.vocab_set(set),
            ExprKind::YearsFrom(from, to) => self.years_from(from, to),
            ExprKind::MonthsFrom(from, to) => self.months_from(from, to),
            ExprKind::InUnit(inner, unit) => self.as_duration(inner, unit),
            ExprKind::Decision(r) => self.decision_ref(r),
        }
    }

    /// Checks a condition: it must be a truth value (S0306).
    pub(super) fn condition(&mut self, e: &Expr) {
        let ty = if is_named_unknown(e) {
            self.expr_hint(e, Some(&Ty::Bool))
        } else {
            self.expr(e)
        };
        let ty = self.value(ty, e);
        if !matches!(ty, Ty::Bool) {
            let (span, found) = (e.span, ty);
            self.report(TypeError::NotACondition { span, found });
        }
    }

    /// A value read where a plain value is needed: an optional that was not
    /// narrowed is an error (S0305) with a help line showing the guard.
    pub(super) fn value(&mut self, ty: Ty, e: &Expr) -> Ty {
        let Ty::Optional(inner) = ty else {
            return ty;
        };
        self.report(TypeError::MayBeNone {
            span: e.span,
            shown: self.quote(e.span),
            inner: (*inner).clone(),
            narrowable: super::narrow::narrowable(e),
            grouped: matches!(e.kind, ExprKind::Group(_)),
        });
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
        self.report(TypeError::Mismatch {
            span,
            expected: expected.clone(),
            found: found.clone(),
            context: context.to_string(),
        });
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

    fn field_expr(&mut self, inner: &Expr, field: &Name, whole: &Expr) -> Ty {
        let ty = self.expr(inner);
        let ty = self.value(ty, inner);
        let record = match &ty {
            Ty::Record(r) | Ty::Line(r) => r.clone(),
            Ty::Point(unit) => {
                let t = self.point_field(unit.clone(), field);
                return self.narrow(t, whole);
            }
            _ if ty.has_error() => return Ty::Error,
            other => {
                let (field, found, inner) = (field.clone(), other.clone(), inner.span);
                self.report(NameError::NoFields {
                    field,
                    found,
                    inner,
                });
                return Ty::Error;
            }
        };
        match self.field_type(Some(&record), &field.node) {
            Some(t) => {
                let resolved = super::lower::Resolved::Field(record);
                self.resolved.record(field.span, resolved);
                self.narrow(t, whole)
            }
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
        self.report(NameError::UnknownField {
            record: record.to_string(),
            field: field.clone(),
            fields,
            suggestion,
        });
    }

    fn call_expr(&mut self, name: &Name, args: &[Expr]) -> Ty {
        let Some(define) = self.env.defines.get(&name.node).copied() else {
            if let Some(ty) = self.builtin_call(name, args) {
                return ty;
            }
            for arg in args {
                self.expr(arg);
            }
            self.unknown_name(name);
            return Ty::Error;
        };
        if define.params.len() != args.len() {
            self.report(NameError::WrongArgumentCount {
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
        if hint.is_none() && is_named_unknown(t) {
            // The other branch says what type the named unknown is.
            let depth = self.narrowed.len();
            self.assume(c, false);
            let ft = self.expr(f);
            self.narrowed.truncate(depth);
            let tt = self.expr_hint(t, Some(&ft));
            return self.join(tt, ft, f);
        }
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
        let mut deferred = Vec::new();
        let depth = self.narrowed.len();
        for (guard, value) in arms {
            self.condition(guard);
            if hint.or(result.as_ref()).is_none() && is_named_unknown(value) {
                // A later branch says what type the named unknown is.
                deferred.push(value);
                self.assume(guard, false);
                continue;
            }
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
        let ty = match result {
            None => ty,
            Some(prev) => self.join(prev, ty, other),
        };
        for value in deferred {
            self.expr_hint(value, Some(&ty));
        }
        ty
    }

    /// `unknown as "name"`: the type its context gives it (S0370 without one).
    fn named_unknown(&mut self, hint: Option<&Ty>, span: Span) -> Ty {
        match hint {
            Some(ty) => ty.strip_optional().clone(),
            None => {
                self.report(BindingError::UntypedUnknown { span });
                Ty::Error
            }
        }
    }

    /// `let x = value in body`: `x` has the value's type in the body, and is
    /// narrowed there like any name.
    fn let_expr(&mut self, name: &Name, value: &Expr, body: &Expr, hint: Option<&Ty>) -> Ty {
        let ty = self.expr(value);
        if self.locals.iter().any(|(n, _)| *n == name.node) {
            self.report(BindingError::Rebound { name: name.clone() });
        }
        if !reads_name(body, &name.node) {
            self.report(BindingError::Unread { name: name.clone() });
        }
        self.bind(name, ty);
        let depth = self.narrowed.len();
        let body_ty = self.expr_hint(body, hint);
        self.narrowed.truncate(depth);
        self.locals.pop();
        body_ty
    }

    /// Puts a bound name in scope; one that hides a vocabulary name or an
    /// enum value is S0374.
    pub(super) fn bind(&mut self, name: &Name, ty: Ty) {
        if let Some(hidden) = self.env.hidden_by_binding(&name.node) {
            let name = name.clone();
            self.report(BindingError::HidesName { name, hidden });
        }
        self.locals.push((name.node.clone(), ty));
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
            unit: self.named_unit("years"),
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
                    self.report(NameError::UnknownRule { name, suggestion });
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

/// Whether `e` is `unknown as "name"`, perhaps in parentheses.
pub(super) fn is_named_unknown(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::UnknownAs(_) => true,
        ExprKind::Group(inner) => is_named_unknown(inner),
        _ => false,
    }
}

/// Whether `e` reads the name `name` anywhere (as a value or a history target).
fn reads_name(e: &Expr, name: &str) -> bool {
    let here = match &e.kind {
        ExprKind::Name(n) => n.node == name,
        ExprKind::Call(f, _) => f.node == name,
        ExprKind::History {
            target: HistoryTarget::Name(n),
            ..
        } => n.node == name,
        ExprKind::History {
            target: HistoryTarget::Set(names),
            ..
        } => names.iter().any(|n| n.node == name),
        _ => false,
    };
    here || e.children().into_iter().any(|c| reads_name(c, name))
}

fn same_dimension(a: &Option<UnitTy>, b: &Option<UnitTy>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => x.dimension == y.dimension,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::{is_named_unknown, reads_name};
    use crate::span::FileId;
    use crate::syntax::ast::{Expr, Item};

    fn body(text: &str) -> Expr {
        let (file, diags) = crate::syntax::parse(FileId(0), &format!("define x = {text}"));
        assert!(diags.is_empty(), "{diags:?}");
        match file.items.into_iter().next() {
            Some(Item::Define(d)) => d.body,
            other => panic!("expected a define, got {other:?}"),
        }
    }

    #[test]
    fn a_name_is_read_as_a_value_a_callee_or_a_history_target() {
        assert!(reads_name(&body("r > 3 and c"), "r"));
        assert!(reads_name(&body("f(1) > 3"), "f"));
        assert!(reads_name(&body("received {a, d}"), "d"));
        assert!(!reads_name(&body("l.r > 3"), "r"));
        assert!(!reads_name(&body("\"r\" = t"), "r"));
    }

    #[test]
    fn a_named_unknown_in_parentheses_is_still_one() {
        assert!(is_named_unknown(&body("((unknown as \"n\"))")));
        assert!(!is_named_unknown(&body("x otherwise unknown as \"n\"")));
    }
}
