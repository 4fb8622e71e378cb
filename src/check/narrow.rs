//! Narrowing optionals: `x is not none` proves `x` is not none in the right
//! operand of `and`, in a rule's actions, in an `if`'s `then` and in later
//! `match` guards; `x is none` does so in the right operand of `or`, in
//! `else` and in later arms.
//!
//! What can be narrowed is a *path*: a name, a field of a path (`l.end_date`),
//! `last line`, a series read of a path (`previous vl`), a `date of …` form,
//! a map or list lookup of a path by a path or literal (`calls[a]`), and a
//! call of a parameterised define with paths or literals (`first_dose(a)`).
//! Two paths are the same when they are written the same (spans and
//! parentheses aside). Evaluation is deterministic, so a path proven not none
//! stays not none — unless a name it reads is bound again in between
//! (`any a in … where calls[a] …` inside a guard about another `a`).

use super::types::Ty;
use super::Checker;
use crate::syntax::ast::*;

/// A path proven not none, and how many local names were bound when it was.
#[derive(Debug, Clone)]
pub(super) struct Fact {
    path: Expr,
    scope: usize,
}

impl Checker<'_> {
    /// Records what `e` proves when it is `truth` (undone by truncating
    /// `self.narrowed` to its earlier length).
    pub(super) fn assume(&mut self, e: &Expr, truth: bool) {
        let scope = self.locals.len();
        let facts = narrowed_by(e, truth).into_iter().map(|path| Fact {
            path: path.clone(),
            scope,
        });
        self.narrowed.extend(facts);
    }

    /// Strips the optional from a path that has been narrowed.
    pub(super) fn narrow(&self, ty: Ty, e: &Expr) -> Ty {
        match ty {
            Ty::Optional(inner) if self.is_narrowed(e) => *inner,
            other => other,
        }
    }

    fn is_narrowed(&self, e: &Expr) -> bool {
        let path = unparen(e);
        narrowable(path)
            && self
                .narrowed
                .iter()
                .any(|fact| fact.path == *path && !self.rebound_since(fact))
    }

    /// Whether a name the fact's path reads was bound again after it was learnt.
    fn rebound_since(&self, fact: &Fact) -> bool {
        let mut names = Vec::new();
        names_read(&fact.path, &mut names);
        let later = self.locals.get(fact.scope..).unwrap_or_default();
        later
            .iter()
            .any(|(bound, _)| names.contains(&bound.as_str()))
    }
}

/// Whether an expression is a path that `is not none` can narrow.
pub fn narrowable(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Name(_) | ExprKind::LastLine => true,
        ExprKind::Group(inner) | ExprKind::Field(inner, _) => narrowable(inner),
        ExprKind::Series { series, within, .. } => {
            narrowable(series) && within.as_deref().is_none_or(is_literal)
        }
        ExprKind::DateOf(_, inner) => narrowable(inner) || is_history_read(inner),
        ExprKind::DoublingTime(series) => narrowable(series),
        ExprKind::SeriesPart(inner, part) => {
            narrowable(inner) && part.bounds().into_iter().all(is_argument)
        }
        ExprKind::Index(inner, key) => narrowable(inner) && is_argument(key),
        ExprKind::Neighbour { member, list, .. } => is_argument(member) && narrowable(list),
        ExprKind::Call(_, args) => args.iter().all(is_argument),
        _ => false,
    }
}

/// A key or an argument a narrowable path may hold: a path or a literal.
fn is_argument(e: &Expr) -> bool {
    narrowable(e) || is_literal(e)
}

fn is_literal(e: &Expr) -> bool {
    matches!(
        e.kind,
        ExprKind::Number { .. } | ExprKind::Text(_) | ExprKind::Date(_) | ExprKind::Bool(_)
    )
}

/// `relapse after R-CHOP within 12 months`, under a `date of`.
fn is_history_read(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::History { within, .. } => within.as_deref().is_none_or(is_literal),
        ExprKind::Group(inner) => is_history_read(inner),
        _ => false,
    }
}

/// The names a narrowable path reads (fields after `.` are not names).
fn names_read<'e>(e: &'e Expr, out: &mut Vec<&'e str>) {
    match &e.kind {
        ExprKind::Name(n) => out.push(&n.node),
        ExprKind::Group(inner)
        | ExprKind::Field(inner, _)
        | ExprKind::DateOf(_, inner)
        | ExprKind::DoublingTime(inner)
        | ExprKind::Series { series: inner, .. } => names_read(inner, out),
        ExprKind::Index(inner, key)
        | ExprKind::Neighbour {
            member: key,
            list: inner,
            ..
        } => {
            names_read(inner, out);
            names_read(key, out);
        }
        ExprKind::Call(_, args) => args.iter().for_each(|a| names_read(a, out)),
        ExprKind::SeriesPart(inner, part) => {
            names_read(inner, out);
            part.bounds().into_iter().for_each(|b| names_read(b, out));
        }
        ExprKind::History { target, .. } => target_names(target, out),
        _ => {}
    }
}

fn target_names<'e>(target: &'e HistoryTarget, out: &mut Vec<&'e str>) {
    match target {
        HistoryTarget::Name(n) => out.push(&n.node),
        HistoryTarget::Set(names) => out.extend(names.iter().map(|n| n.node.as_str())),
        HistoryTarget::LastLine => {}
    }
}

/// The paths an expression proves not none when it is `truth`.
fn narrowed_by(e: &Expr, truth: bool) -> Vec<&Expr> {
    match &e.kind {
        ExprKind::Is(inner, negated, IsTest::None) if *negated == truth && narrowable(inner) => {
            vec![unparen(inner)]
        }
        ExprKind::Binary(BinOp::And, l, r) if truth => {
            [narrowed_by(l, true), narrowed_by(r, true)].concat()
        }
        ExprKind::Binary(BinOp::Or, l, r) if !truth => {
            [narrowed_by(l, false), narrowed_by(r, false)].concat()
        }
        ExprKind::Not(inner) => narrowed_by(inner, !truth),
        ExprKind::Group(inner) => narrowed_by(inner, truth),
        _ => Vec::new(),
    }
}

fn unparen(e: &Expr) -> &Expr {
    match &e.kind {
        ExprKind::Group(inner) => unparen(inner),
        _ => e,
    }
}
