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
    /// What each merged entry places, alone.
    placings: Vec<Placing>,
    /// The candidate that first names each merged entry's option, by index
    /// in walk order (increasing: the entries are in that order).
    anchors: Vec<usize>,
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
pub(super) struct Placing {
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
        let resolver = Resolver::lean(base, vocab, reasons);
        let placings = merged.iter().map(|m| place(&resolver, m.clone())).collect();
        let first_of = |m: &Merged<'p>| naming.get(&m.option).and_then(|v| v.first()).copied();
        let anchors = merged
            .iter()
            .map(|m| first_of(m).unwrap_or(usize::MAX))
            .collect();
        let mut first_known_avoid = HashMap::new();
        for a in base.avoids.iter().filter(|a| a.truth == Truth::True) {
            first_known_avoid.entry(a.target).or_insert(a.index);
        }
        Delta {
            outcomes,
            base,
            vocab,
            resolver,
            merged,
            placings,
            anchors,
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
        // Entries that place as before but surely reorder the lists, were
        // nothing else to change.
        let mut reordered = 0;
        let count = |p: &Placing| (p.recommended.len() as isize, p.pending.len() as isize);
        let affected = self.affected(&old);
        for e in affected.iter().copied() {
            let (Some(entry), Some(was)) = (self.merged.get(e), self.placings.get(e)) else {
                return Change::Unsure;
            };
            let candidates = self.forced_candidates(entry.option, r, &new);
            let now = match forced_entry(&candidates) {
                Some(now) => place(&forced, now),
                None => Placing::default(),
            };
            recommended += count(&now).0 - count(was).0;
            pending += count(&now).1 - count(was).1;
            if *was != now {
                sure = false;
                continue;
            }
            let anchor = candidates.first().map(|(i, _)| *i);
            match self.keeps_order(e, anchor, &now, &affected) {
                Change::Same => {}
                Change::Differs => reordered += 1,
                Change::Unsure => sure = false,
            }
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
        let mut moved = 0;
        for (kind, message) in new.listed_messages() {
            if old.lists(kind, message) {
                // Listed by the rule in both walks, in the same order.
                continue;
            }
            match self.base.first_listed(kind, message) {
                None => return Change::Differs,
                Some(s) if s < r => {}
                Some(s) => match self.message_moves(kind, r, s, &new) {
                    Change::Differs => return Change::Differs,
                    Change::Same => moved += 1,
                    Change::Unsure => sure = false,
                },
            }
        }
        sure &= moved <= 1;
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
        match (sure, reordered) {
            (true, 0) => Change::Same,
            (true, 1) => Change::Differs,
            _ => Change::Unsure,
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
    /// decision's, with those of rule `r` replaced by the forced rule's;
    /// each with the index in walk order of the decision's candidate it is
    /// (a forced one is one of the decision's, by where it was named).
    fn forced_candidates<'b>(
        &'b self,
        option: VocabId,
        r: usize,
        new: &'b Pass<'p>,
    ) -> Vec<(usize, &'b Candidate<'p>)> {
        let named = self.naming.get(&option).map_or(&[][..], |v| v.as_slice());
        let base = named
            .iter()
            .filter_map(|i| Some((*i, self.base.candidates.get(*i)?)));
        let mut out = Vec::new();
        let mut own = new.candidates.iter().filter(|c| c.option == option);
        let mut placed_own = false;
        for (i, c) in base {
            if c.at.0 < r {
                out.push((i, c));
                continue;
            }
            if !placed_own {
                placed_own = true;
                for forced in own.by_ref() {
                    let same = |j: &usize| {
                        self.base
                            .candidates
                            .get(*j)
                            .is_some_and(|b| b.at == forced.at)
                    };
                    out.extend(named.iter().copied().find(same).map(|j| (j, forced)));
                }
            }
            if c.at.0 > r {
                out.push((i, c));
            }
        }
        out
    }

    /// Whether merged entry `e`, first named in the forced walk by the
    /// candidate of index `anchor` and placing `now` there (what it placed
    /// in the decision's walk), keeps the decision's lists in their order:
    /// `Same` when it keeps its place, or moves only past entries it
    /// commutes with (in each tier of the recommended and of the pending
    /// its items and theirs read the same in either order, and no avoided
    /// option beside its own); `Differs` when it moves past unaffected
    /// entries it does not commute with, so that the lists differ unless
    /// something else changes too.
    fn keeps_order(
        &self,
        e: usize,
        anchor: Option<usize>,
        now: &Placing,
        affected: &BTreeSet<usize>,
    ) -> Change {
        let (Some(old), Some(new)) = (self.anchors.get(e).copied(), anchor) else {
            return if anchor.is_none() && now == &Placing::default() {
                Change::Same
            } else {
                Change::Unsure
            };
        };
        if old == new {
            return Change::Same;
        }
        let from = self.anchors.partition_point(|a| *a <= old);
        let to = self.anchors.partition_point(|a| *a < new);
        let mut passed = Placing::default();
        for between in from..to {
            let Some(p) = self.placings.get(between) else {
                return Change::Unsure;
            };
            if affected.contains(&between) {
                return Change::Unsure;
            }
            passed.recommended.extend(&p.recommended);
            passed.pending.extend(&p.pending);
            passed.avoided.extend(&p.avoided);
        }
        if !now.avoided.is_empty() && !passed.avoided.is_empty() {
            return Change::Unsure;
        }
        let commute = commutes(&now.recommended, &passed.recommended)
            && commutes(&now.pending, &passed.pending);
        if commute {
            Change::Same
        } else {
            Change::Differs
        }
    }

    /// What listing `message` (of an action of `kind`) at rule `r` rather
    /// than at rule `s` after it does to the list: `Differs` when a message
    /// first listed between them, and not listed by the forced rule, then
    /// comes after it; `Same` when nothing is listed between them.
    fn message_moves(&self, kind: ActionKind, r: usize, s: usize, new: &Pass<'p>) -> Change {
        let mut between = false;
        for (k, m) in self.base.listed_messages().filter(|(k, _)| *k == kind) {
            let Some(at) = self.base.first_listed(k, m) else {
                continue;
            };
            if at == r {
                return Change::Unsure;
            }
            if at > r && at < s {
                if !new.lists(k, m) {
                    return Change::Differs;
                }
                between = true;
            }
        }
        if between {
            Change::Unsure
        } else {
            Change::Same
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

/// Whether two runs of placed options read the same in either order once
/// sorted by tier (stably): in every tier, `a`'s items then `b`'s are `b`'s
/// then `a`'s.
fn commutes(a: &[(VocabId, u32)], b: &[(VocabId, u32)]) -> bool {
    let tiers: BTreeSet<u32> = a.iter().map(|(_, t)| *t).collect();
    tiers.into_iter().all(|tier| {
        let of = |list: &[(VocabId, u32)]| -> Vec<VocabId> {
            list.iter()
                .filter(|(_, t)| *t == tier)
                .map(|(o, _)| *o)
                .collect()
        };
        let (x, y) = (of(a), of(b));
        let xy: Vec<VocabId> = x.iter().chain(&y).copied().collect();
        let yx: Vec<VocabId> = y.iter().chain(&x).copied().collect();
        xy == yx
    })
}

/// An option's merged entry from its candidates, if any names it.
fn forced_entry<'p>(candidates: &[(usize, &Candidate<'p>)]) -> Option<Merged<'p>> {
    let mut iter = candidates.iter();
    let (_, first) = iter.next()?;
    let mut merged = Merged::of(first, false);
    for (_, c) in iter {
        merged.absorb(c, false);
    }
    Some(merged)
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
