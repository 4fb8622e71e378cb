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
        let truth = match r {
            DecisionRef::Recommended(x) => match listed(&view.pending, &option(x)) {
                _ if view.recommended.contains(&option(x)) => Truth::True,
                Some(s) => Truth::Unknown(s),
                None => Truth::False,
            },
            DecisionRef::Pending(x) => Truth::known(listed(&view.pending, &option(x)).is_some()),
            DecisionRef::Avoided(x) => match listed(&view.pending_avoid, &option(x)) {
                _ if view.avoided.contains(&option(x)) => Truth::True,
                Some(s) => Truth::Unknown(s),
                None => Truth::False,
            },
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
    let mut partial = Partial::default();
    for (option, truth) in &view.candidates {
        match truth {
            Truth::True => partial.definite.push(vocab(option)),
            Truth::Unknown(s) => partial.undecided.push((vocab(option), s.clone())),
            Truth::False => {}
        }
    }
    if partial.undecided.is_empty() {
        Val::Known(Value::List(partial.definite))
    } else {
        Val::Known(Value::Partial(partial))
    }
}
