//! `E is …`: `is none`, the two-valued tests (`is true`, `is known`, …) and
//! `is NAME`, where NAME is a vocabulary name (`last line is R-CHOP`) or a
//! value of E's enum (`response is CR`).

use super::error::NameError;
use super::types::Ty;
use super::Checker;
use crate::span::{Name, Span};
use crate::syntax::ast::*;

/// The words that may follow `is` other than a name.
const IS_WORDS: &[&str] = &["none", "true", "false", "known", "unknown", "missing"];

impl Checker<'_> {
    /// The type of `inner is test` (always a truth value).
    pub(super) fn is_expr(&mut self, inner: &Expr, test: &IsTest) -> Ty {
        let ty = self.expr(inner);
        match test {
            IsTest::None | IsTest::Missing | IsTest::Known | IsTest::Unknown => {}
            IsTest::True | IsTest::False => {
                if !matches!(ty.strip_optional(), Ty::Bool | Ty::Error) {
                    self.mismatch(
                        inner.span,
                        &Ty::Bool,
                        &ty,
                        "`is true` and `is false` test a truth value",
                    );
                }
            }
            IsTest::Vocab(name) => self.is_name(&ty, name, inner),
            IsTest::AnyOf(names) => {
                for name in names {
                    self.is_name(&ty, name, inner);
                }
            }
        }
        Ty::Bool
    }

    /// `L in {X, Y}` for a history line `L` (none when there is no line):
    /// `L is {X, Y}`; `L in members of C` (a union of vocabulary sets): `L
    /// is X` for any member X. Whether `r` is such a set; each name is
    /// checked as after `is`, and the place recorded for lowering.
    pub(super) fn line_membership(&mut self, whole: Span, ty: &Ty, l: &Expr, r: &Expr) -> bool {
        if !matches!(ty.strip_optional(), Ty::Line(_)) {
            return false;
        }
        let Some(found) = LineSet::of(r) else {
            return false;
        };
        for name in found.names {
            self.is_name(ty, name, l);
        }
        for set in found.sets {
            self.vocab_set(set);
        }
        let resolved = super::lower::Resolved::LineMembership;
        self.resolved.record(whole, resolved);
        true
    }

    /// `E is NAME`: a value of E's enum, or a vocabulary name E can be.
    fn is_name(&mut self, ty: &Ty, name: &Name, inner: &Expr) {
        match ty.strip_optional() {
            Ty::Enum(e) => self.is_enum_value(e, name),
            _ if self.env.vocab.contains_key(&name.node) => self.is_vocab_name(ty, inner),
            _ => self.is_other_name(ty, name, inner),
        }
    }

    /// `response is CR`: CR must be a value of `response`'s enum.
    fn is_enum_value(&mut self, enum_name: &str, name: &Name) {
        let Some(decl) = self.env.enums.get(enum_name).copied() else {
            return;
        };
        let values: Vec<String> = decl.values.iter().map(|v| v.name.node.clone()).collect();
        if values.contains(&name.node) {
            let resolved = super::lower::Resolved::Enum(enum_name.to_string());
            self.resolved.record(name.span, resolved);
        } else {
            self.not_an_enum_value(name, enum_name, values, IS_WORDS);
        }
    }

    /// `last line is R-CHOP`: only a history line or an option is a vocabulary name.
    fn is_vocab_name(&mut self, ty: &Ty, inner: &Expr) {
        let fits = matches!(ty.strip_optional(), Ty::Line(_)) || ty.strip_optional().is_vocab();
        if !fits {
            self.mismatch(
                inner.span,
                &Ty::Regimen,
                ty,
                "`is NAME` tests a history line or an option",
            );
        }
    }

    /// A name after `is` that is no vocabulary name: an enum value of another
    /// enum, a field or define, or nothing at all.
    fn is_other_name(&mut self, ty: &Ty, name: &Name, inner: &Expr) {
        if let Some(owner) = self.env.enums_with_value(&name.node).first() {
            let wanted = Ty::Enum(owner.name.node.clone());
            self.mismatch(
                inner.span,
                &wanted,
                ty,
                "`is VALUE` tests a value of its own enum",
            );
            return;
        }
        if self.imports_failed {
            return;
        }
        let name = name.clone();
        if self.is_declared_value(&name.node) {
            self.used.insert(name.node.clone());
            self.report(NameError::ValueAfterIs { name });
        } else {
            let suggestion = self.is_suggestion(&name.node);
            self.report(NameError::UnknownAfterIs { name, suggestion });
        }
    }

    /// "did you mean" over everything that may follow `is`.
    fn is_suggestion(&self, wanted: &str) -> Option<String> {
        let values = self.env.enums.values().flat_map(|e| &e.values);
        let values = values.map(|v| v.name.node.as_str());
        let vocab = self.env.vocab.keys().map(String::as_str);
        self.suggestion(wanted, IS_WORDS.iter().copied().chain(vocab).chain(values))
    }
}

/// What a history line may be tested against with `in`: the names of set
/// literals (`{R-ICE, R-DHAP}`) and vocabulary sets (`members of C`), and
/// unions of them; none when `r` is anything else.
#[derive(Default)]
pub(super) struct LineSet<'a> {
    /// The names written in set literals.
    pub names: Vec<&'a Name>,
    /// The vocabulary sets.
    pub sets: Vec<&'a VocabSet>,
}

impl<'a> LineSet<'a> {
    /// The names and vocabulary sets `r` is the union of.
    pub fn of(r: &'a Expr) -> Option<LineSet<'a>> {
        let mut found = LineSet::default();
        found.add(r).then_some(found)
    }

    fn add(&mut self, r: &'a Expr) -> bool {
        match &r.kind {
            ExprKind::Vocab(set) => self.sets.push(set),
            ExprKind::Set(items) => {
                for item in items {
                    let ExprKind::Name(name) = &item.kind else {
                        return false;
                    };
                    self.names.push(name);
                }
            }
            ExprKind::Group(inner) => return self.add(inner),
            ExprKind::Binary(BinOp::Union, a, b) => return self.add(a) && self.add(b),
            _ => return false,
        }
        true
    }
}
