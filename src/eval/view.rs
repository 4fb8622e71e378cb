//! Reading the decision so far: `candidates`, `recommended X`, `pending X`,
//! `avoided X`, `fired R`, for rules of the strata above.

use super::expr::{from_truth, internal, Evaluator};
use super::outcome::DecisionView;
use super::truth::{Support, Truth};
use super::value::{Partial, Val, Value, VocabValue};
use super::vocab::Vocabulary;
use crate::check::ir::{DecisionRef, OptionName};

impl Evaluator<'_> {
    /// `candidates`: the options of the decision below.
    pub(super) fn candidates(&self) -> Val {
        let vocab = &self.protocol.vocab;
        self.view
            .as_ref()
            .map_or_else(internal, |view| candidates(vocab, view))
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
        let option = |x: &OptionName| -> Result<String, Truth> {
            match x {
                OptionName::Named(name) => Ok(name.clone()),
                OptionName::Local(slot) => match self.local(*slot) {
                    Val::Known(Value::Vocab(VocabValue::Known(id))) => {
                        Ok(self.protocol.vocab.name(id).to_string())
                    }
                    Val::Unknown(s) => Err(Truth::Unknown(s)),
                    Val::Known(_) => Err(Truth::False),
                },
            }
        };
        // Settled in `settled`, else unknown while listed in `open`, else false.
        let read = |settled: &[String], open: &[(String, Support)], x: &str| {
            if settled.iter().any(|o| o == x) {
                return Truth::True;
            }
            listed(open, x).map_or(Truth::False, Truth::Unknown)
        };
        // An option held by a variable that is unknown, or not an option.
        let truth = match r {
            DecisionRef::Recommended(x) => match option(x) {
                Ok(x) => read(&view.recommended, &view.pending, &x),
                Err(t) => t,
            },
            DecisionRef::Pending(x) => match option(x) {
                Ok(x) => Truth::known(listed(&view.pending, &x).is_some()),
                Err(t) => t,
            },
            DecisionRef::Avoided(x) => match option(x) {
                Ok(x) => read(&view.avoided, &view.pending_avoid, &x),
                Err(t) => t,
            },
            DecisionRef::Fired(rule) => view.fired.get(*rule).cloned().unwrap_or(Truth::False),
        };
        from_truth(truth)
    }
}

/// `candidates` as a set: options whose action is known to apply are
/// members, the others undecided.
fn candidates(vocab: &Vocabulary, view: &DecisionView) -> Val {
    let members = view.candidates.iter().filter_map(|(o, t)| {
        let id = vocab.id(o)?;
        Some((Val::Known(Value::Vocab(VocabValue::Known(id))), t.clone()))
    });
    Val::Known(Partial::of(members))
}
