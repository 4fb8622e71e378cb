//! Relevance without a walk: whether forcing one unknown changes the
//! decision, found from the rule it is in alone against the decision's own
//! walk and resolution. Only for protocols of one stratum.
//!
//! A forced unit changes only its rule: the forced walk is the decision's
//! with that rule's candidates, avoids, messages and `missing` actions
//! replaced, as long as the rule leaves the same largest tier behind it
//! (else later tiers move, and the answer is left to a walk). The options
//! the rule names, and the candidates its avoids could reach, are placed
//! again under both walks; every other candidate places the same.

use super::output::Status;
use super::pass::{Candidate, Pass, Unit};
use super::resolve::{Merged, Placed, Resolved, Resolver};
use super::{ActionKind, RuleOutcome, Vocabulary};
use crate::check::ir::VocabId;
use crate::eval::truth::Truth;
use std::collections::{BTreeSet, HashMap, HashSet};

/// What forcing one unit does to the decision, as far as it can be seen
/// without a walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Change {
    Same,
    Differs,
    /// Not settled here: a walk decides.
    Unsure,
}

/// The decision's walk, indexed for [`Delta::change`].
pub(super) struct Delta<'a, 'p> {
    outcomes: &'a [RuleOutcome<'p>],
    base: &'a Pass<'p>,
    vocab: &'p dyn Vocabulary,
    resolver: Resolver<'a, 'p>,
    /// The walk's candidates merged, in the order first named.
    merged: Vec<Merged<'p>>,
    /// Each option's merged entry.
    entry_of: HashMap<VocabId, usize>,
    /// The merged entries of each option or fallback.
    entries_with: HashMap<VocabId, Vec<usize>>,
    /// Each option's candidates, by index in walk order.
    naming: HashMap<VocabId, Vec<usize>>,
    /// The file index of the first rule with a known avoid of each target.
    first_known_avoid: HashMap<VocabId, usize>,
    avoided: HashSet<VocabId>,
    status: Status,
    recommended: usize,
    pending: usize,
}

/// What placing some candidates gives: recommended and pending options
/// with their tiers, avoided options.
#[derive(Debug, Default, PartialEq, Eq)]
struct Placing {
    recommended: Vec<(VocabId, u32)>,
    pending: Vec<(VocabId, u32)>,
    avoided: Vec<VocabId>,
}

impl<'a, 'p> Delta<'a, 'p> {
    /// Indexes the decision's walk `base` with its resolution `resolved`.
    pub(super) fn new(
        outcomes: &'a [RuleOutcome<'p>],
        base: &'a Pass<'p>,
        resolved: &Resolved<'p>,
        vocab: &'p dyn Vocabulary,
        reasons: &'a [String],
    ) -> Delta<'a, 'p> {
        let merged = super::resolve::merge(&base.candidates, false);
        let mut entry_of = HashMap::new();
        let mut entries_with: HashMap<VocabId, Vec<usize>> = HashMap::new();
        for (e, m) in merged.iter().enumerate() {
            entry_of.insert(m.option, e);
            for option in std::iter::once(&m.option).chain(&m.fallbacks) {
                entries_with.entry(*option).or_default().push(e);
            }
        }
        let mut naming: HashMap<VocabId, Vec<usize>> = HashMap::new();
        for (i, c) in base.candidates.iter().enumerate() {
            naming.entry(c.option).or_default().push(i);
        }
        let mut first_known_avoid = HashMap::new();
        for a in base.avoids.iter().filter(|a| a.truth == Truth::True) {
            first_known_avoid.entry(a.target).or_insert(a.index);
        }
        Delta {
            outcomes,
            base,
            vocab,
            resolver: Resolver::lean(base, vocab, reasons),
            merged,
            entry_of,
            entries_with,
            naming,
            first_known_avoid,
            avoided: resolved.avoided.iter().map(|a| a.option).collect(),
            status: resolved.status,
            recommended: resolved.recommended.len(),
            pending: resolved.pending.len(),
        }
    }

    /// Whether the walk forcing `unit` to `value` resolves to a decision
    /// other than the decision's own.
    pub(super) fn change(&self, unit: Unit, value: bool) -> Change {
        let r = unit.rule;
        let Some(rule) = self.outcomes.get(r) else {
            return Change::Unsure;
        };
        let touches = |k: ActionKind| matches!(k, ActionKind::Include | ActionKind::Status);
        if rule.stop || rule.actions.iter().any(|a| touches(a.kind)) {
            return Change::Unsure;
        }
        let Some(before) = self.base.tier_before(r) else {
            return Change::Unsure;
        };
        let old = Pass::rule_alone(self.outcomes, r, &[], before);
        let new = Pass::rule_alone(self.outcomes, r, &[(unit, value)], before);
        if old.max_tier != new.max_tier {
            return Change::Unsure;
        }
        let mut sure = true;
        let forced = self.resolver.swapped(r, &new.avoids);
        // How many options the forced walk recommends and holds pending,
        // less the decision's.
        let (mut recommended, mut pending) = (0isize, 0isize);
        let count = |p: &Placing| (p.recommended.len() as isize, p.pending.len() as isize);
        for e in self.affected(&old) {
            let Some(entry) = self.merged.get(e) else {
                return Change::Unsure;
            };
            let was = place(&self.resolver, entry.clone());
            let now = match self.forced_entry(entry.option, r, &new) {
                Some(Some(now)) => place(&forced, now),
                Some(None) => Placing::default(),
                None => return Change::Unsure,
            };
            sure &= self.same_anchor(entry.option, r, &new) && was == now;
            recommended += count(&now).0 - count(&was).0;
            pending += count(&now).1 - count(&was).1;
        }
        if (recommended, pending) != (0, 0) {
            return Change::Differs;
        }
        let missing = !self.base.missing_actions.is_empty() || !new.missing_actions.is_empty();
        match self.forced_status(missing) {
            Some(status) if status != self.status => return Change::Differs,
            None if matches!(self.status, Status::Recommended | Status::NeedsData) => {
                return Change::Differs
            }
            _ => {}
        }
        for (kind, message) in new.listed_messages() {
            match self.base.first_listed(kind, message) {
                None => return Change::Differs,
                Some(s) => sure &= s < r,
            }
        }
        for a in new.avoids.iter().filter(|a| a.truth == Truth::True) {
            let included = self.base.includes.iter().any(|i| i.option == a.target);
            if !self.vocab.is_option(a.target) || included {
                continue;
            }
            if !self.avoided.contains(&a.target) {
                return Change::Differs;
            }
            sure &= self
                .first_known_avoid
                .get(&a.target)
                .is_some_and(|s| *s < r);
        }
        if sure {
            Change::Same
        } else {
            Change::Unsure
        }
    }

    /// The merged entries the rule could place otherwise: those of the
    /// options it names, and those whose option or a fallback its avoids
    /// could reach; in the order first named.
    fn affected(&self, old: &Pass<'p>) -> BTreeSet<usize> {
        let mut out = BTreeSet::new();
        for c in &old.candidates {
            out.extend(self.entry_of.get(&c.option));
        }
        if old.avoids.is_empty() {
            return out;
        }
        for (option, entries) in &self.entries_with {
            if old.avoids.iter().any(|a| self.vocab.has(*option, a.target)) {
                out.extend(entries);
            }
        }
        out
    }

    /// `option`'s candidates in the forced walk, in walk order: the
    /// decision's, with those of rule `r` replaced by the forced rule's.
    fn forced_candidates<'b>(
        &'b self,
        option: VocabId,
        r: usize,
        new: &'b Pass<'p>,
    ) -> Vec<&'b Candidate<'p>> {
        let named = self.naming.get(&option).map_or(&[][..], |v| v.as_slice());
        let base = named.iter().filter_map(|i| self.base.candidates.get(*i));
        let (before, after): (Vec<_>, Vec<_>) =
            base.filter(|c| c.at.0 != r).partition(|c| c.at.0 < r);
        let own = new.candidates.iter().filter(|c| c.option == option);
        before.into_iter().chain(own).chain(after).collect()
    }

    /// `option`'s merged entry in the forced walk: `Some(None)` when no
    /// candidate names it there.
    fn forced_entry(
        &self,
        option: VocabId,
        r: usize,
        new: &Pass<'p>,
    ) -> Option<Option<Merged<'p>>> {
        let named_here = new.candidates.iter().any(|c| c.option == option)
            || self.naming.get(&option).is_some_and(|v| {
                v.iter()
                    .any(|i| self.base.candidates.get(*i).is_some_and(|c| c.at.0 == r))
            });
        if !named_here {
            return self
                .entry_of
                .get(&option)
                .and_then(|e| self.merged.get(*e))
                .cloned()
                .map(Some);
        }
        let candidates = self.forced_candidates(option, r, new);
        let mut iter = candidates.into_iter();
        let Some(first) = iter.next() else {
            return Some(None);
        };
        let mut merged = Merged::of(first, false);
        for c in iter {
            merged.absorb(c, false);
        }
        Some(Some(merged))
    }

    /// Whether `option` is first named by the same candidate in both walks
    /// (so its entry keeps its place among the others).
    fn same_anchor(&self, option: VocabId, r: usize, new: &Pass<'p>) -> bool {
        let first = self
            .naming
            .get(&option)
            .and_then(|v| v.first())
            .and_then(|i| self.base.candidates.get(*i));
        let forced = self.forced_candidates(option, r, new);
        match (first, forced.first()) {
            (Some(a), Some(b)) => a.at == b.at,
            _ => false,
        }
    }

    /// The status of the forced walk, when its counts settle it (a `stop`
    /// rule's status stays: the forced rule is not one).
    /// Its counts are the decision's (the caller has seen to it).
    fn forced_status(&self, missing: bool) -> Option<Status> {
        let stop_status = self.base.stop_status.and_then(Status::from_name);
        if stop_status.is_some() || self.base.unknown_stop {
            return Some(self.status);
        }
        if self.recommended > 0 {
            return Some(Status::Recommended);
        }
        (self.pending > 0 || missing).then_some(Status::NeedsData)
    }
}

/// Places one merged entry alone, as the resolution would.
fn place<'p>(resolver: &Resolver<'_, 'p>, entry: Merged<'p>) -> Placing {
    let (mut recommended, mut pending, mut avoided) = (Vec::new(), Vec::new(), Vec::new());
    resolver.place(entry, &mut recommended, &mut pending, &mut avoided);
    let tiers = |list: Vec<Placed<'p>>| list.into_iter().map(|p| (p.option, p.tier)).collect();
    Placing {
        recommended: tiers(recommended),
        pending: tiers(pending),
        avoided: avoided.into_iter().map(|a| a.option).collect(),
    }
}
