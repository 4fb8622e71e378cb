//! The rules in evaluation order, stratum by stratum.

use super::assemble::Wants;
use super::pass::{Force, Pass};
use super::{RuleOutcome, Vocabulary};
use crate::eval::outcome::HigherStrata;

/// The rules in evaluation order, stratum by stratum: each stratum above 0
/// is evaluated against the decision of the strata below it, and not at all
/// once a `stop` rule below it is reached.
pub(super) struct Stratified<'a, 'p> {
    pub(super) outcomes: Vec<RuleOutcome<'p>>,
    pub(super) strata: &'a [u32],
    pub(super) top: u32,
    /// Every rule's file index, in evaluation order (left empty when every
    /// rule is of stratum 0: the order is then the file order).
    pub(super) order: Vec<usize>,
    pub(super) higher: &'a mut dyn HigherStrata<'p>,
    pub(super) vocab: &'p dyn Vocabulary,
    pub(super) reasons: &'a [String],
    /// What the caller wants besides the decision (the view, the trace).
    pub(super) wants: Wants,
}

impl<'a, 'p> Stratified<'a, 'p> {
    pub(super) fn new(
        outcomes: Vec<RuleOutcome<'p>>,
        strata: &'a [u32],
        higher: &'a mut dyn HigherStrata<'p>,
        vocab: &'p dyn Vocabulary,
        reasons: &'a [String],
    ) -> Stratified<'a, 'p> {
        let top = strata.iter().copied().max().unwrap_or(0);
        let mut order = Vec::new();
        if top > 0 {
            let stratum = |i: usize| strata.get(i).copied().unwrap_or(0);
            order = (0..outcomes.len()).collect();
            order.sort_by_key(|i| (stratum(*i), *i));
        }
        Stratified {
            top,
            strata,
            order,
            outcomes,
            higher,
            vocab,
            reasons,
            wants: Wants::default(),
        }
    }

    /// Whether each walk evaluates rules afresh (those of higher strata).
    pub(super) fn evaluates_on_every_walk(&self) -> bool {
        self.top > 0
    }

    pub(super) fn name(&self, rule: usize) -> &'p str {
        self.outcomes.get(rule).map_or("", |r| r.name)
    }

    /// One walk over every rule with `force` applied, for protocols of one
    /// stratum: nothing is evaluated again.
    pub(super) fn settle_flat(&self, force: Force<'_>) -> Pass<'p> {
        // Only the unforced pass is the decision; the trace is its alone.
        let traced = self.wants.trace && force.is_empty();
        // Forced walks are compared, never read: they keep no conditions.
        let view = self.wants.view && force.is_empty();
        Pass::run(&self.outcomes, 0..self.outcomes.len(), force, view, traced)
    }

    /// One walk over every rule with `force` applied; the higher strata are
    /// evaluated again against the decision below them as forced.
    pub(super) fn settle(&mut self, force: Force<'_>) -> Pass<'p> {
        // Only the unforced pass is the decision; the trace is its alone.
        let traced = self.wants.trace && force.is_empty();
        // Forced walks are compared, never read: they keep no conditions.
        let view = self.wants.view && force.is_empty();
        if self.top == 0 {
            return self.settle_flat(force);
        }
        let mut current = self.outcomes.clone();
        for k in 1..=self.top {
            let below: Vec<usize> = self
                .order
                .iter()
                .copied()
                .filter(|i| self.strata.get(*i).is_some_and(|s| *s < k))
                .collect();
            let pass = Pass::run(&current, below, force, true, false);
            if pass.stopped {
                break;
            }
            let view = pass.view(self.vocab, self.reasons, current.len());
            for (i, outcome) in self.higher.stratum_outcomes(k, view) {
                if let Some(slot) = current.get_mut(i) {
                    *slot = outcome;
                }
            }
        }
        Pass::run(&current, self.order.iter().copied(), force, view, traced)
    }
}
