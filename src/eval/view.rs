//! Reading the decision so far: `candidates`, `recommended X`, `pending X`,
//! `avoided X`, `fired R`, for rules of the strata above.

use super::expr::{from_truth, internal, Evaluator};
use super::outcome::DecisionView;
use super::truth::{Support, Truth};
use super::value::{Partial, Val, Value, VocabValue};
use crate::syntax::ast::DecisionRef;

impl Evaluator<'_> {
    /// `candidates`: the options of the decision below.
    pub(super) fn candidates(&self) -> Val {
        self.view.as_ref().map_or_else(internal, candidates)
    }

    /// `recommended X`, `pending X`, `avoided X`, `fired R`: read from the
    /// decision of the lower strata.
    pub(super) fn decision_ref(&mut self, r: &DecisionRef) -> Val {
        let Some(view) = &self.view else {
            return internal();
        };
        let listed = |list: &[(String, Support)], x: &str| {
            list.iter().find(|(o, _)| o == x).map(|(_, s)| s.clone())
        };
        let option = |x: &crate::span::Name| match self.local(&x.node) {
            Some(Val::Known(Value::Vocab(VocabValue::Known(name)))) => name,
            _ => x.node.clone(),
        };
        // Settled in `settled`, else unknown while listed in `open`, else false.
        let read = |settled: &[String], open: &[(String, Support)], x: &str| {
            if settled.iter().any(|o| o == x) {
                return Truth::True;
            }
            listed(open, x).map_or(Truth::False, Truth::Unknown)
        };
        let truth = match r {
            DecisionRef::Recommended(x) => read(&view.recommended, &view.pending, &option(x)),
            DecisionRef::Pending(x) => Truth::known(listed(&view.pending, &option(x)).is_some()),
            DecisionRef::Avoided(x) => read(&view.avoided, &view.pending_avoid, &option(x)),
            DecisionRef::Fired(rule) => self
                .protocol
                .rule_index(&rule.node)
                .and_then(|i| view.fired.get(i).cloned())
                .unwrap_or(Truth::False),
        };
        from_truth(truth)
    }
}

/// `candidates` as a set: options whose action is known to apply are
/// members, the others undecided.
fn candidates(view: &DecisionView) -> Val {
    let vocab = |name: &str| Val::Known(Value::Vocab(VocabValue::Known(name.to_string())));
    let members = view.candidates.iter().map(|(o, t)| (vocab(o), t.clone()));
    Val::Known(Partial::of(members))
}
