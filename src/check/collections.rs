//! Collections: bindings (`x in xs where P`), quantifiers, comprehensions,
//! aggregates and vocabulary sets.

use super::env::VocabKind;
use super::error::TypeError;
use super::types::Ty;
use super::Checker;
use crate::span::{Name, Span};
use crate::syntax::ast::*;

impl Checker<'_> {
    pub(super) fn quantified(&mut self, comp: &Comprehension) -> Ty {
        self.with_binding(comp, |_, _| ());
        Ty::Bool
    }

    pub(super) fn comprehension(&mut self, comp: &Comprehension) -> Ty {
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
        let element = match super::series_reads::iterated(&source) {
            Some(e) => e,
            None => {
                self.not_a_collection(comp.source.span, &source, "`in` ranges over a collection");
                Ty::Error
            }
        };
        self.bind(&comp.var, element.clone());
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

    pub(super) fn aggregate(
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
                match super::series_reads::iterated(&t) {
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

    pub(super) fn vocab_set(&mut self, set: &VocabSet) -> Ty {
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

    /// Reports a value that should be a collection and is not (S0301).
    fn not_a_collection(&mut self, span: Span, found: &Ty, context: &'static str) {
        let found = found.clone();
        self.report(TypeError::NotACollection {
            span,
            found,
            context,
        });
    }
}
