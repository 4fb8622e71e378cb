//! Collections built from case data: projections (`[E for x in xs]`,
//! `{E for x in xs}`), `sorted`, `distinct`, positions (`xs[i]`) and
//! `previous of`/`next of`.

use super::error::CollectionError;
use super::types::Ty;
use super::Checker;
use crate::syntax::ast::*;

impl Checker<'_> {
    /// `[E for x in xs where P]`: a list of E; `{…}`: a set of E, whose
    /// values must compare for repeats (S0362).
    pub(super) fn projection(&mut self, set: bool, value: &Expr, binding: &Comprehension) -> Ty {
        let element = self.with_binding(binding, |c, _| {
            let t = c.expr(value);
            c.value(t, value)
        });
        if !set {
            return Ty::List(Box::new(element));
        }
        self.comparable_members(&element, value, "a set");
        Ty::Set(Box::new(element))
    }

    /// `sorted x in xs by K`, `sorted xs`: a list of the members, ordered by
    /// a key that orders (S0361).
    pub(super) fn sorted(&mut self, over: &AggregateOver, key: Option<&Expr>) -> Ty {
        let (element, key_ty, key_at) = match (over, key) {
            (AggregateOver::Binding(comp), Some(k)) => {
                let (element, key_ty) = self.with_binding(comp, |c, element| {
                    let t = c.expr(k);
                    (element, c.value(t, k))
                });
                (element, key_ty, k)
            }
            (AggregateOver::Binding(comp), None) => {
                let element = self.with_binding(comp, |_, e| e);
                (element.clone(), element, &comp.source)
            }
            (AggregateOver::Collection(source), _) => {
                let (_, element) = self.members_of(source, "`sorted` orders a collection");
                (element.clone(), element, &**source)
            }
        };
        if !self.orders(&key_ty) {
            let (span, found) = (key_at.span, key_ty);
            self.report(CollectionError::NotOrderable { span, found });
        }
        Ty::List(Box::new(element))
    }

    /// `distinct xs`: the same kind of collection, repeats removed (S0362
    /// when its members cannot be compared).
    pub(super) fn distinct(&mut self, source: &Expr) -> Ty {
        let (collection, element) =
            self.members_of(source, "`distinct` removes repeats from a collection");
        self.comparable_members(&element, source, "`distinct`");
        match collection {
            Ty::Set(_) => Ty::Set(Box::new(element)),
            _ => Ty::List(Box::new(element)),
        }
    }

    /// `previous of x in xs`, `next of x in xs`: the member beside `x` in a
    /// list (S0364 on anything else), none at the ends.
    pub(super) fn neighbour(&mut self, next: bool, member: &Expr, list: &Expr) -> Ty {
        let read = if next { "next of" } else { "previous of" };
        let list_ty = self.expr(list);
        let element = match self.value(list_ty, list) {
            Ty::List(t) => *t,
            Ty::Error => Ty::Error,
            found => {
                let span = list.span;
                self.report(CollectionError::NotAList { span, found, read });
                Ty::Error
            }
        };
        let found = self.expr_hint(member, Some(&element));
        let found = self.value(found, member);
        if !self.compatible(&element, &found) {
            self.mismatch(
                member.span,
                &element,
                &found,
                "the member must have the list's member type",
            );
        }
        Ty::Optional(Box::new(element))
    }

    /// The type of `m[k]` (S0360 for a key of another type) or `xs[i]`
    /// (S0363 for a position that is not a whole number).
    pub(super) fn index_expr(&mut self, inner: &Expr, key: &Expr) -> Ty {
        let ty = self.expr(inner);
        match self.value(ty, inner) {
            Ty::Map(k, v) => {
                let found = self.expr_hint(key, Some(&k));
                if !self.compatible(&k, &found) {
                    let (span, expected) = (key.span, *k);
                    self.report(CollectionError::WrongKey {
                        span,
                        expected,
                        found,
                    });
                }
                Ty::Optional(v)
            }
            Ty::List(t) => {
                let found = self.expr(key);
                let found = self.value(found, key);
                if !matches!(
                    found,
                    Ty::Num {
                        int: true,
                        unit: None
                    } | Ty::Error
                ) {
                    let span = key.span;
                    self.report(CollectionError::NotAPosition { span, found });
                }
                Ty::Optional(t)
            }
            other if other.has_error() => Ty::Error,
            found => {
                let span = inner.span;
                self.report(super::error::TypeError::NotIndexable { span, found });
                Ty::Error
            }
        }
    }

    /// A collection operand's type and its member type (S0301 when it is
    /// not a collection).
    fn members_of(&mut self, source: &Expr, context: &'static str) -> (Ty, Ty) {
        let t = self.expr(source);
        let t = self.value(t, source);
        let element = super::series_reads::iterated(&t).unwrap_or_else(|| {
            let (span, found) = (source.span, t.clone());
            self.report(super::error::TypeError::NotACollection {
                span,
                found,
                context,
            });
            Ty::Error
        });
        (t, element)
    }

    /// Refuses members whose repeats cannot be found (S0362).
    fn comparable_members(&mut self, element: &Ty, at: &Expr, what: &'static str) {
        if !keyed(element.strip_optional()) {
            let (span, found) = (at.span, element.clone());
            self.report(CollectionError::NotComparable { span, found, what });
        }
    }

    /// Whether a sort key of this type orders: numbers, dates, text and
    /// values of an ordered enum.
    fn orders(&self, ty: &Ty) -> bool {
        match ty {
            Ty::Num { .. } | Ty::Date | Ty::Text | Ty::Error => true,
            Ty::Enum(name) => self.env.enums.get(name).is_some_and(|e| e.ordered),
            _ => false,
        }
    }
}

/// Whether values of this type are found again by a key: truth values,
/// numbers, text, dates, enum values and vocabulary names.
fn keyed(ty: &Ty) -> bool {
    matches!(
        ty,
        Ty::Bool
            | Ty::Num { .. }
            | Ty::Text
            | Ty::Date
            | Ty::Enum(_)
            | Ty::Agent
            | Ty::Regimen
            | Ty::Class
            | Ty::Tag
            | Ty::Error
    )
}
