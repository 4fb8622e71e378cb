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
use fnv::{FnvHashMap as HashMap, FnvHashSet as HashSet};
use std::cell::OnceCell;
use std::collections::BTreeSet;

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
    /// (placed when first asked for: most entries never are).
    placings: Vec<OnceCell<Placing>>,
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
    /// The avoided options, in order.
    avoided_order: Vec<VocabId>,
    status: Status,
    /// The tiers of the recommended and pending options, each once.
    tiers: BTreeSet<u32>,
    /// How many recommended and pending options each tier has.
    tier_counts: Vec<(u32, isize)>,
    recommended: usize,
    pending: usize,
}

/// Whether [`Delta::change`] can judge a unit at all: its rule is not a
/// `stop` rule and has no `include` or `status` action.
pub(super) fn applies(outcomes: &[RuleOutcome<'_>], unit: Unit) -> bool {
    let touches = |k: ActionKind| matches!(k, ActionKind::Include | ActionKind::Status);
    outcomes
        .get(unit.rule)
        .is_some_and(|rule| !rule.stop && !rule.actions.iter().any(|a| touches(a.kind)))
}

/// What placing the merged entries around the forced rule's gives.
enum Window {
    Same,
    Differs,
    /// The same but for the avoided options: those of entries `from..to`
    /// are then these.
    Avoided(usize, usize, Vec<VocabId>),
    Unsure,
}

/// What placing some candidates gives: recommended and pending options
/// with their tiers, avoided options.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
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
        let mut entry_of = HashMap::default();
        let mut entries_with: HashMap<VocabId, Vec<usize>> = HashMap::default();
        for (e, m) in merged.iter().enumerate() {
            entry_of.insert(m.option, e);
            for option in std::iter::once(&m.option).chain(&m.fallbacks) {
                entries_with.entry(*option).or_default().push(e);
            }
        }
        let mut naming: HashMap<VocabId, Vec<usize>> = HashMap::default();
        for (i, c) in base.candidates.iter().enumerate() {
            naming.entry(c.option).or_default().push(i);
        }
        let resolver = Resolver::lean(base, vocab, reasons);
        let placings = merged.iter().map(|_| OnceCell::new()).collect();
        let first_of = |m: &Merged<'p>| naming.get(&m.option).and_then(|v| v.first()).copied();
        let anchors = merged
            .iter()
            .map(|m| first_of(m).unwrap_or(usize::MAX))
            .collect();
        let mut first_known_avoid = HashMap::default();
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
            avoided_order: resolved.avoided.iter().map(|a| a.option).collect(),
            status: resolved.status,
            tiers: placed_tiers(resolved).collect(),
            tier_counts: tier_counts(resolved),
            recommended: resolved.recommended.len(),
            pending: resolved.pending.len(),
        }
    }

    /// Whether the walk forcing `unit` to `value` resolves to a decision
    /// other than the decision's own.
    pub(super) fn change(&self, unit: Unit, value: bool) -> Change {
        let r = unit.rule;
        if !applies(self.outcomes, unit) {
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
        let affected = self.affected(&old);
        // The affected entries as the forced walk places them, each under
        // the index of the candidate that first names it there; and the
        // span of those indices, in either walk.
        let mut placed: Vec<(usize, Placing)> = Vec::new();
        let (mut lo, mut hi) = (usize::MAX, 0);
        for e in affected.iter().copied() {
            let (Some(entry), Some(was), Some(anchor)) =
                (self.merged.get(e), self.placing(e), self.anchors.get(e))
            else {
                return Change::Unsure;
            };
            let candidates = self.forced_candidates(entry.option, r, &new);
            let now = match forced_entry(&candidates) {
                Some(now) => place(&forced, now),
                None => Placing::default(),
            };
            recommended += count(&now).0 - count(was).0;
            pending += count(&now).1 - count(was).1;
            (lo, hi) = (lo.min(*anchor), hi.max(*anchor));
            if let Some((i, _)) = candidates.first() {
                hi = hi.max(*i);
                placed.push((*i, now));
            }
        }
        if (recommended, pending) != (0, 0) {
            return Change::Differs;
        }
        // Whether the forced walk's avoided options are to be listed in
        // full (a known avoid may list one elsewhere), and whether they were.
        let (mut avoided_moves, mut avoided_listed) = (false, false);
        match self.window(lo, hi, &affected, placed) {
            Window::Same => {}
            Window::Avoided(from, to, now) => {
                if self.avoided_after((from, to, &now), r, &new) != self.avoided_order {
                    return Change::Differs;
                }
                avoided_listed = true;
            }
            Window::Differs => return Change::Differs,
            Window::Unsure => sure = false,
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
            avoided_moves |= self
                .first_known_avoid
                .get(&a.target)
                .is_none_or(|s| *s >= r);
        }
        if sure
            && avoided_moves
            && !avoided_listed
            && self.avoided_after((0, 0, &[]), r, &new) != self.avoided_order
        {
            return Change::Differs;
        }
        if sure {
            Change::Same
        } else {
            Change::Unsure
        }
    }

    /// What merged entry `e` places alone in the decision's walk.
    fn placing(&self, e: usize) -> Option<&Placing> {
        let cell = self.placings.get(e)?;
        let entry = self.merged.get(e)?;
        Some(cell.get_or_init(|| place(&self.resolver, entry.clone())))
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

    /// The merged entries first named between candidates `lo` and `hi`
    /// (by index in walk order) placed in both walks, the affected ones
    /// as `placed` (each under the candidate first naming it in the forced
    /// walk), the others as in the decision's: every entry outside them
    /// places the same in both walks and keeps its place. `Same` when the
    /// recommended and the pending read the same tier by tier and the
    /// avoided options come in the same order; `Differs` when, over the
    /// same tiers, the recommended or the pending do not.
    fn window(
        &self,
        lo: usize,
        hi: usize,
        affected: &BTreeSet<usize>,
        mut placed: Vec<(usize, Placing)>,
    ) -> Window {
        if lo > hi {
            return Window::Same;
        }
        let from = self.anchors.partition_point(|a| *a < lo);
        let to = self.anchors.partition_point(|a| *a <= hi);
        let mut was = Placing::default();
        for e in from..to {
            let (Some(p), Some(anchor)) = (self.placing(e), self.anchors.get(e)) else {
                return Window::Unsure;
            };
            was.extend(p);
            if !affected.contains(&e) {
                placed.push((*anchor, p.clone()));
            }
        }
        placed.sort_by_key(|(anchor, _)| *anchor);
        let mut now = Placing::default();
        for (_, p) in &placed {
            now.extend(p);
        }
        let same_tiers = self.tiers_after(&was, &now) == self.tiers;
        let lists_agree = by_tier(&was.recommended) == by_tier(&now.recommended)
            && by_tier(&was.pending) == by_tier(&now.pending);
        match (lists_agree, same_tiers) {
            (false, true) => Window::Differs,
            (true, true) if was.avoided == now.avoided => Window::Same,
            (true, true) => Window::Avoided(from, to, now.avoided),
            _ => Window::Unsure,
        }
    }

    /// The avoided options of the forced walk, in order, when the merged
    /// entries `from..to` avoid `window` (in the order placed) and every
    /// other entry what it avoids in the decision's walk: those its
    /// candidates' placing avoids, each once, then the options its known
    /// avoids name that are not listed yet (see [`Resolver::avoided_options`]).
    fn avoided_after(
        &self,
        window: (usize, usize, &[VocabId]),
        r: usize,
        new: &Pass<'p>,
    ) -> Vec<VocabId> {
        let (from, to, avoided) = window;
        let mut listed = HashSet::default();
        let mut out = Vec::new();
        let entries = |range: std::ops::Range<usize>| {
            let placings = range.filter_map(|e| self.placing(e));
            placings.flat_map(|p| p.avoided.iter().copied())
        };
        let placed = entries(0..from)
            .chain(avoided.iter().copied())
            .chain(entries(to..self.placings.len()));
        for option in placed {
            if listed.insert(option) {
                out.push(option);
            }
        }
        let base = &self.base.avoids;
        let avoids = (base.iter().filter(|a| a.index < r))
            .chain(&new.avoids)
            .chain(base.iter().filter(|a| a.index > r));
        for a in avoids.filter(|a| a.truth == Truth::True) {
            let included = self.base.includes.iter().any(|i| i.option == a.target);
            if !listed.contains(&a.target) && self.vocab.is_option(a.target) && !included {
                listed.insert(a.target);
                out.push(a.target);
            }
        }
        out
    }

    /// The tiers of the forced walk's recommended and pending options, when
    /// `was` of the decision's are placed as `now`.
    fn tiers_after(&self, was: &Placing, now: &Placing) -> BTreeSet<u32> {
        let mut count: HashMap<u32, isize> = HashMap::default();
        for t in &self.tier_counts {
            *count.entry(t.0).or_default() += t.1;
        }
        let items = |p: &Placing| -> Vec<u32> {
            p.recommended
                .iter()
                .chain(&p.pending)
                .map(|(_, t)| *t)
                .collect()
        };
        for t in items(was) {
            *count.entry(t).or_default() -= 1;
        }
        for t in items(now) {
            *count.entry(t).or_default() += 1;
        }
        count
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|(t, _)| t)
            .collect()
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

/// The tiers of a resolution's recommended and pending options.
fn placed_tiers<'r>(resolved: &'r Resolved<'_>) -> impl Iterator<Item = u32> + 'r {
    let placed = resolved.recommended.iter().chain(&resolved.pending);
    placed.map(|p| p.tier)
}

/// How many recommended and pending options each tier has.
fn tier_counts(resolved: &Resolved<'_>) -> Vec<(u32, isize)> {
    let mut count: HashMap<u32, isize> = HashMap::default();
    for tier in placed_tiers(resolved) {
        *count.entry(tier).or_default() += 1;
    }
    count.into_iter().collect()
}

/// Placed options sorted by tier, stably, as the ranks sort them.
fn by_tier(list: &[(VocabId, u32)]) -> Vec<(VocabId, u32)> {
    let mut sorted = list.to_vec();
    sorted.sort_by_key(|(_, t)| *t);
    sorted
}

impl Placing {
    fn extend(&mut self, other: &Placing) {
        self.recommended.extend(&other.recommended);
        self.pending.extend(&other.pending);
        self.avoided.extend(&other.avoided);
    }
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
