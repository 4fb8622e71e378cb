//! Reading the decision so far: `candidates`, `recommended X`, `pending X`,
//! `avoided X`, `fired R`, for rules of the strata above.

use super::expr::{from_truth, internal, Evaluator};
use super::outcome::DecisionView;
use super::truth::{Support, Truth};
use super::value::{Partial, Val, Value, VocabValue};
use crate::check::ir::{DecisionRef, OptionName, VocabId};

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
        let listed = |list: &[(VocabId, Support)], x: VocabId| {
            list.iter().find(|(o, _)| *o == x).map(|(_, s)| s.clone())
        };
        let option = |x: &OptionName| -> Result<VocabId, Truth> {
            match x {
                OptionName::Named(id) => Ok(*id),
                OptionName::Local(slot) => match self.local(*slot) {
                    Val::Known(Value::Vocab(VocabValue::Known(id))) => Ok(id),
                    Val::Unknown(s) => Err(Truth::Unknown(s)),
                    Val::Known(_) => Err(Truth::False),
                },
            }
        };
        // Settled in `settled`, else unknown while listed in `open`, else false.
        let read = |settled: &[VocabId], open: &[(VocabId, Support)], x: VocabId| {
            if settled.contains(&x) {
                return Truth::True;
            }
            listed(open, x).map_or(Truth::False, Truth::Unknown)
        };
        // An option held by a variable that is unknown, or not an option.
        let truth = match r {
            DecisionRef::Recommended(x) => match option(x) {
                Ok(x) => read(&view.recommended, &view.pending, x),
                Err(t) => t,
            },
            DecisionRef::Pending(x) => match option(x) {
                Ok(x) => Truth::known(listed(&view.pending, x).is_some()),
                Err(t) => t,
            },
            DecisionRef::Avoided(x) => match option(x) {
                Ok(x) => read(&view.avoided, &view.pending_avoid, x),
                Err(t) => t,
            },
            DecisionRef::Fired(rule) => view.fired.get(*rule).cloned().unwrap_or(Truth::False),
        };
        from_truth(truth)
    }
}

/// `candidates` as a set: options whose action is known to apply are
/// members, the others undecided.
fn candidates(view: &DecisionView) -> Val {
    let members = view
        .candidates
        .iter()
        .map(|(id, t)| (Val::Known(Value::Vocab(VocabValue::Known(*id))), t.clone()));
    Val::Known(Partial::of(members))
}
