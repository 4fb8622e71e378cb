//! Resolving a walk's candidates and avoids into the decision: what is
//! recommended, pending or avoided, with ranks and status.

use super::assemble::to_item;
use super::few::{FewMap, FewSet};
use super::output::{
    Avoided, Conflict, Contraindicated, Decision, Included, Message, OptionKind, Pending,
    Recommendation, Status, Text, VocabKind,
};
use super::pass::{Avoid, Candidate, Include, Pass};
use super::{ActionOutcome, Vocabulary};
use crate::check::ir::VocabId;
use crate::eval::truth::{Support, Truth};
use std::borrow::Cow;
use std::rc::Rc;

/// A candidate after avoids: recommended, pending or avoided.
#[derive(Debug, Clone)]
pub(super) struct Placed<'p> {
    pub(super) option: VocabId,
    pub(super) kind: OptionKind,
    pub(super) tier: u32,
    pub(super) rank: u32,
    pub(super) rules: Vec<&'p str>,
    pub(super) action: Rc<ActionOutcome<'p>>,
    pub(super) support: Support,
    /// When an unknown avoid holds it back: that avoid's support.
    pub(super) held_by_avoid: Option<Support>,
}

/// An avoided option: the known avoid of highest precedence, and every
/// rule whose known avoid hit it.
#[derive(Debug, Clone)]
pub(super) struct AvoidedEntry<'p> {
    pub(super) option: VocabId,
    /// The avoid of highest precedence.
    pub(super) best: Option<Avoid<'p>>,
    pub(super) rules: Vec<&'p str>,
}

pub(super) struct Resolved<'p> {
    pub(super) status: Status,
    pub(super) recommended: Vec<Placed<'p>>,
    pub(super) pending: Vec<Placed<'p>>,
    pub(super) avoided: Vec<AvoidedEntry<'p>>,
}

pub(super) struct Resolver<'a, 'p> {
    pub(super) pass: &'a Pass<'p>,
    pub(super) vocab: &'p dyn Vocabulary,
    pub(super) reasons: &'a [String],
    /// Whether the placed options carry their rules and supports, and the
    /// avoided ones their rules and code (the decision and the view need
    /// them; relevance compares without them).
    full: bool,
    /// The walk's avoids by target, each target once in the order first
    /// avoided, with the indices of its avoids in walk order: finding what
    /// hits an option looks at each target once, not at every avoid.
    by_target: Cow<'a, ByTarget>,
    /// A rule whose avoids are replaced, and the avoids it has instead
    /// (see [`Resolver::swapped`]).
    swap: Option<(usize, &'a [Avoid<'p>])>,
}

impl<'a, 'p> Resolver<'a, 'p> {
    pub(super) fn new(
        pass: &'a Pass<'p>,
        vocab: &'p dyn Vocabulary,
        reasons: &'a [String],
    ) -> Resolver<'a, 'p> {
        Resolver::with_targets(pass, vocab, reasons, ByTarget::new(&pass.avoids))
    }

    /// [`Resolver::new`] with the walk's avoids by target already made
    /// (by [`Resolver::into_targets`] of another resolver of the same walk).
    pub(super) fn with_targets(
        pass: &'a Pass<'p>,
        vocab: &'p dyn Vocabulary,
        reasons: &'a [String],
        targets: ByTarget,
    ) -> Resolver<'a, 'p> {
        Resolver {
            pass,
            vocab,
            reasons,
            full: true,
            by_target: Cow::Owned(targets),
            swap: None,
        }
    }

    /// The walk's avoids by target, for another resolver of the same walk.
    pub(super) fn into_targets(self) -> ByTarget {
        self.by_target.into_owned()
    }

    /// A resolver for what relevance compares only (see [`Core`]): placed
    /// options without their rules and supports.
    ///
    /// [`Core`]: super::pass::Core
    pub(super) fn lean(
        pass: &'a Pass<'p>,
        vocab: &'p dyn Vocabulary,
        reasons: &'a [String],
    ) -> Resolver<'a, 'p> {
        Resolver {
            full: false,
            ..Resolver::new(pass, vocab, reasons)
        }
    }

    /// This lean resolver, for the walk that differs from its own only in
    /// what the rule of file index `rule` avoids: `avoids` instead. It
    /// places candidates only (see [`Resolver::place`]).
    pub(super) fn swapped<'b>(&'b self, rule: usize, avoids: &'b [Avoid<'p>]) -> Resolver<'b, 'p> {
        Resolver {
            pass: self.pass,
            vocab: self.vocab,
            reasons: self.reasons,
            full: false,
            by_target: Cow::Borrowed(&*self.by_target),
            swap: Some((rule, avoids)),
        }
    }

    pub(super) fn resolve(&self) -> Resolved<'p> {
        let mut recommended = Vec::new();
        let mut pending = Vec::new();
        let mut avoided: Vec<AvoidedEntry<'p>> = Vec::new();
        for candidate in merge(&self.pass.candidates, self.full) {
            self.place(candidate, &mut recommended, &mut pending, &mut avoided);
        }
        self.avoided_options(&mut avoided);
        rank(&mut recommended, &mut pending);
        let status = self.status(&recommended, &pending, &avoided);
        Resolved {
            status,
            recommended,
            pending,
            avoided,
        }
    }

    /// Sorts one candidate (and its fallbacks) into recommended, pending or avoided.
    pub(super) fn place(
        &self,
        candidate: Merged<'p>,
        recommended: &mut Vec<Placed<'p>>,
        pending: &mut Vec<Placed<'p>>,
        avoided: &mut Vec<AvoidedEntry<'p>>,
    ) {
        let avoids = !self.pass.avoids.is_empty() || self.swap.is_some();
        let checked = avoids && !self.is_included(candidate.option);
        let known: Vec<&Avoid<'p>> = if checked {
            self.hits(candidate.option, true)
        } else {
            Vec::new()
        };
        if !known.is_empty() {
            if !avoided.iter().any(|a| a.option == candidate.option) {
                avoided.push(self.avoided_entry(candidate.option, &known));
            }
            self.fallback(candidate, recommended, pending, avoided);
            return;
        }
        let unknown: Vec<&Avoid<'p>> = if checked {
            self.hits(candidate.option, false)
        } else {
            Vec::new()
        };
        if !unknown.is_empty() {
            self.hold(candidate, &unknown, pending);
            return;
        }
        let known_true = candidate.truth == Truth::True;
        let placed = to_placed(candidate);
        if known_true {
            recommended.push(placed);
        } else {
            pending.push(placed);
        }
    }

    /// A candidate that unknown avoids hold back, and its fallbacks, go to
    /// `pending` with the avoids' rules and supports (when full).
    fn hold(&self, candidate: Merged<'p>, unknown: &[&Avoid<'p>], pending: &mut Vec<Placed<'p>>) {
        let fallback_ids = candidate.fallbacks.clone();
        let mut fallback_rules = Vec::new();
        if self.full {
            let rules = unknown.iter().map(|a| a.rule);
            fallback_rules = rules.fold(candidate.fallback_rules.clone(), push_new);
        }
        let mut p = to_placed(candidate);
        let mut held = Support::default();
        for a in unknown.iter().filter(|_| self.full) {
            if let Truth::Unknown(s) = &a.truth {
                p.support.merge(s);
                held.merge(s);
            }
            if !p.rules.contains(&a.rule) {
                p.rules.push(a.rule);
            }
        }
        p.held_by_avoid = Some(held);
        let fallbacks: Vec<Placed<'p>> = fallback_ids
            .iter()
            .map(|fallback| Placed {
                option: *fallback,
                kind: OptionKind::Fallback,
                rules: fallback_rules.clone(),
                held_by_avoid: None,
                ..p.clone()
            })
            .collect();
        pending.push(p);
        pending.extend(fallbacks);
    }

    /// Options both included and known to be avoided: they stay included.
    pub(super) fn conflicts(&self) -> Vec<Conflict<'p>> {
        let mut out: Vec<Conflict<'p>> = Vec::new();
        let vocab = self.vocab;
        let name = |id: VocabId| Text::Borrowed(vocab.name(id));
        for include in &self.pass.includes {
            let known = self.hits(include.option, true);
            if known.is_empty() {
                continue;
            }
            let option = name(include.option);
            if out.iter().any(|c| c.option == option) {
                continue;
            }
            out.push(Conflict {
                option,
                included_by: self.included_by(include.option),
                avoided_by: known
                    .iter()
                    .map(|a| a.rule)
                    .fold(Vec::new(), push_new)
                    .into_iter()
                    .map(Text::Borrowed)
                    .collect(),
            });
        }
        out
    }

    /// `fallback B` takes A's tier and is a candidate exactly when A is avoided.
    pub(super) fn fallback(
        &self,
        mut candidate: Merged<'p>,
        recommended: &mut Vec<Placed<'p>>,
        pending: &mut Vec<Placed<'p>>,
        avoided: &mut Vec<AvoidedEntry<'p>>,
    ) {
        let mut fallbacks = std::mem::take(&mut candidate.fallbacks);
        if fallbacks.is_empty() {
            return;
        }
        let first = fallbacks.remove(0);
        let next = Merged {
            option: first,
            kind: OptionKind::Fallback,
            rules: candidate.fallback_rules.clone(),
            fallbacks,
            ..candidate
        };
        self.place(next, recommended, pending, avoided);
    }

    /// Avoids that hit an option, in walk order: known ones (`true`) or unknown ones.
    pub(super) fn hits(&self, option: VocabId, known: bool) -> Vec<&'a Avoid<'p>> {
        let mut indices: Vec<usize> = Vec::new();
        self.by_target.reaching(option, self.vocab, &mut indices);
        indices.sort_unstable();
        let avoids = &self.pass.avoids;
        let avoid_at = |i: usize| avoids.get(i);
        let (swapped, instead) = self.swap.unwrap_or((usize::MAX, &[]));
        let hit = |a: &&Avoid<'p>| self.vocab.has(option, a.target);
        indices
            .into_iter()
            .filter_map(avoid_at)
            .filter(|a| a.index != swapped)
            .chain(instead.iter().filter(hit))
            .filter(|a| (a.truth == Truth::True) == known)
            .collect()
    }

    fn is_included(&self, option: VocabId) -> bool {
        self.pass.includes.iter().any(|i| i.option == option)
    }

    pub(super) fn included_by(&self, option: VocabId) -> Vec<Text<'p>> {
        self.pass
            .includes
            .iter()
            .filter(|i| i.option == option)
            .map(|i| Text::Borrowed(i.rule))
            .collect()
    }

    /// The avoided entry with the code of highest precedence among the known avoids.
    pub(super) fn avoided_entry(&self, option: VocabId, known: &[&Avoid<'p>]) -> AvoidedEntry<'p> {
        if !self.full {
            // Relevance compares which options are avoided, not why.
            return AvoidedEntry {
                option,
                best: None,
                rules: Vec::new(),
            };
        }
        let precedence = |a: &&&Avoid<'p>| {
            a.code()
                .and_then(|c| self.reasons.iter().position(|r| r == c))
                .unwrap_or(usize::MAX)
        };
        let best = known.iter().min_by_key(precedence);
        let mut rules: Vec<&'p str> = Vec::new();
        let mut listed: FewSet<&'p str> = FewSet::default();
        for a in known {
            if listed.insert(a.rule) {
                rules.push(a.rule);
            }
        }
        AvoidedEntry {
            option,
            best: best.map(|a| (*a).clone()),
            rules,
        }
    }

    /// A known avoid of an option (a regimen, or an agent some action
    /// names) lists it whether or not it is a candidate in this case; an
    /// avoid of anything else reaches candidates only, so an option that is
    /// not a candidate is listed with its direct avoids alone.
    pub(super) fn avoided_options(&self, avoided: &mut Vec<AvoidedEntry<'p>>) {
        let mut listed: FewSet<VocabId> = avoided.iter().map(|x| x.option).collect();
        for a in &self.pass.avoids {
            let (target, known) = (a.target, a.truth == Truth::True);
            if !known || listed.contains(&target) || !self.vocab.is_option(target) {
                continue;
            }
            if self.is_included(target) {
                continue;
            }
            let direct: Vec<&Avoid<'p>> = (self.by_target.of(target).iter())
                .filter_map(|i| self.pass.avoids.get(*i))
                .filter(|d| d.truth == Truth::True)
                .collect();
            listed.insert(target);
            avoided.push(self.avoided_entry(target, &direct));
        }
    }

    pub(super) fn contraindicated(&self) -> Vec<Contraindicated<'p>> {
        let mut out: Vec<(VocabId, Contraindicated<'p>)> = Vec::new();
        let mut at: FewMap<VocabId, usize> = FewMap::default();
        let mut listed: FewSet<(VocabId, &'p str)> = FewSet::default();
        for a in self.pass.avoids.iter().filter(|a| a.truth == Truth::True) {
            if self.vocab.is_regimen(a.target) {
                continue;
            }
            let first = listed.insert((a.target, a.rule));
            if let Some((_, existing)) = at.get(&a.target).and_then(|i| out.get_mut(*i)) {
                if first {
                    existing.rules.push(Text::Borrowed(a.rule));
                }
                continue;
            }
            at.insert_new(a.target, out.len());
            let entry = Contraindicated {
                what: Text::Borrowed(self.vocab.name(a.target)),
                kind: if self.vocab.is_agent(a.target) {
                    VocabKind::Agent
                } else if self.vocab.is_tag(a.target) {
                    VocabKind::Tag
                } else {
                    VocabKind::Class
                },
                code: a.code().map(Text::Borrowed),
                reason: a.because().map(|b| Text::Owned(b.to_string())),
                rules: vec![Text::Borrowed(a.rule)],
            };
            out.push((a.target, entry));
        }
        out.into_iter().map(|(_, c)| c).collect()
    }

    /// The first status that applies (the brief's order).
    pub(super) fn status(
        &self,
        recommended: &[Placed<'p>],
        pending: &[Placed<'p>],
        avoided: &[AvoidedEntry<'p>],
    ) -> Status {
        if let Some(status) = self.pass.stop_status.and_then(Status::from_name) {
            return status;
        }
        if self.pass.unknown_stop {
            return Status::NeedsData;
        }
        if !recommended.is_empty() {
            return Status::Recommended;
        }
        if !pending.is_empty() || !self.pass.missing_actions.is_empty() {
            return Status::NeedsData;
        }
        // The candidates name the same options as their merged entries.
        let candidates = &self.pass.candidates;
        let avoided: FewSet<VocabId> = avoided.iter().map(|a| a.option).collect();
        let all_avoided =
            !candidates.is_empty() && candidates.iter().all(|c| avoided.contains(&c.option));
        if all_avoided {
            return Status::AllAvoided;
        }
        Status::NoRecommendation
    }
}

/// Writes the rule-decided parts into the decision.
pub(super) fn fill<'p>(
    decision: &mut Decision<'p>,
    resolver: &Resolver<'_, 'p>,
    resolved: Resolved<'p>,
) {
    let vocab = resolver.vocab;
    let pass = resolver.pass;
    decision.status = resolved.status;
    decision.recommendations = resolved
        .recommended
        .iter()
        .map(|p| recommendation(vocab, p))
        .collect();
    decision.pending = resolved.pending.iter().map(|p| pending(vocab, p)).collect();
    decision.avoided = resolved.avoided.iter().map(|a| avoided(vocab, a)).collect();
    decision.contraindicated = resolver.contraindicated();
    decision.included = included(vocab, &pass.includes);
    decision.conflicts = resolver.conflicts();
    decision.orders = messages(&pass.orders);
    decision.referrals = messages(&pass.referrals);
    decision.flags = messages(&pass.flags);
}

/// Orders, referrals or flags in output form.
fn messages<'p>(list: &[&'p (Option<String>, String)]) -> Vec<Message<'p>> {
    list.iter()
        .map(|(code, text)| Message {
            code: code.as_deref().map(Text::Borrowed),
            text: Text::Borrowed(text),
        })
        .collect()
}

/// One option's candidates merged: its smallest tier (with that action and
/// kind), the rules of every naming action, true if any naming action is true,
/// and the fallbacks of every naming action.
#[derive(Debug, Clone)]
pub(super) struct Merged<'p> {
    pub(super) option: VocabId,
    pub(super) kind: OptionKind,
    pub(super) tier: u32,
    pub(super) rules: Vec<&'p str>,
    pub(super) truth: Truth,
    pub(super) action: Rc<ActionOutcome<'p>>,
    pub(super) fallbacks: Vec<VocabId>,
    /// The rules whose actions named the fallbacks.
    pub(super) fallback_rules: Vec<&'p str>,
}

impl<'p> Merged<'p> {
    /// The entry of an option first named by `c`; with `full`, it keeps rules and supports.
    pub(super) fn of(c: &Candidate<'p>, full: bool) -> Merged<'p> {
        let fallbacks = c.action.fallbacks.clone();
        Merged {
            option: c.option,
            kind: c.kind,
            tier: c.tier,
            rules: if full { vec![c.rule] } else { Vec::new() },
            truth: if full {
                c.truth.clone()
            } else {
                bare(&c.truth)
            },
            action: Rc::clone(&c.action),
            fallback_rules: if fallbacks.is_empty() {
                Vec::new()
            } else {
                vec![c.rule]
            },
            fallbacks,
        }
    }

    pub(super) fn absorb(&mut self, c: &Candidate<'p>, full: bool) {
        if full && !self.rules.contains(&c.rule) {
            self.rules.push(c.rule);
        }
        if c.tier < self.tier {
            self.tier = c.tier;
            self.kind = c.kind;
            self.action = Rc::clone(&c.action);
        }
        if full {
            or_into(&mut self.truth, &c.truth);
        } else {
            or_into(&mut self.truth, &bare(&c.truth));
        }
        for f in &c.action.fallbacks {
            if !self.fallbacks.contains(f) {
                self.fallbacks.push(*f);
            }
        }
        if !c.action.fallbacks.is_empty() && !self.fallback_rules.contains(&c.rule) {
            self.fallback_rules.push(c.rule);
        }
    }
}

/// Kleene `or` of `other` into `truth`, cloning only what it keeps.
fn or_into(truth: &mut Truth, other: &Truth) {
    match (&mut *truth, other) {
        (Truth::True, _) | (_, Truth::False) => {}
        (Truth::Unknown(s), Truth::Unknown(o)) => s.merge(o),
        (t, o) => *t = o.clone(),
    }
}

/// A truth without its support: what a lean resolution keeps of it.
fn bare(truth: &Truth) -> Truth {
    match truth {
        Truth::Unknown(_) => Truth::Unknown(Support::default()),
        known => known.clone(),
    }
}

/// One entry per option, in the order first named; with `full`, each keeps
/// its rules and support.
pub(super) fn merge<'p>(candidates: &[Candidate<'p>], full: bool) -> Vec<Merged<'p>> {
    let mut merged: Vec<Merged<'p>> = Vec::new();
    let mut at: FewMap<VocabId, usize> = FewMap::default();
    for c in candidates {
        match at.get(&c.option).and_then(|i| merged.get_mut(*i)) {
            Some(m) => m.absorb(c, full),
            None => {
                at.insert_new(c.option, merged.len());
                merged.push(Merged::of(c, full));
            }
        }
    }
    merged
}

pub(super) fn to_placed(c: Merged<'_>) -> Placed<'_> {
    Placed {
        option: c.option,
        kind: c.kind,
        tier: c.tier,
        rank: 0,
        rules: c.rules,
        action: c.action,
        support: match c.truth {
            Truth::Unknown(s) => s,
            _ => Support::default(),
        },
        held_by_avoid: None,
    }
}

pub(super) fn push_new<'p>(mut list: Vec<&'p str>, item: &'p str) -> Vec<&'p str> {
    if !list.contains(&item) {
        list.push(item);
    }
    list
}

/// The avoids by target: each target once, in the order first avoided,
/// with the indices of its avoids in walk order.
#[derive(Debug, Clone)]
pub(super) struct ByTarget(FewMap<VocabId, Vec<usize>>);

impl ByTarget {
    pub(super) fn new(avoids: &[Avoid<'_>]) -> ByTarget {
        let mut targets: FewMap<VocabId, Vec<usize>> = FewMap::default();
        for (i, a) in avoids.iter().enumerate() {
            match targets.get_mut(&a.target) {
                Some(indices) => indices.push(i),
                None => {
                    targets.insert_new(a.target, vec![i]);
                }
            }
        }
        ByTarget(targets)
    }

    /// Adds to `indices` those of the avoids of each target that reaches
    /// `option`, in no particular order: by testing each target when there
    /// are few, else found from what the option has when that is the
    /// shorter list (a protocol of thousands of avoids).
    fn reaching(&self, option: VocabId, vocab: &dyn Vocabulary, indices: &mut Vec<usize>) {
        const FEW: usize = 8;
        if self.0.len() > FEW {
            let has = vocab.everything_in(option);
            if has.len() < self.0.len() {
                for of_x in has.iter().filter_map(|x| self.0.get(x)) {
                    indices.extend_from_slice(of_x);
                }
                return;
            }
        }
        for (target, of_target) in self.0.iter() {
            if vocab.has(option, *target) {
                indices.extend_from_slice(of_target);
            }
        }
    }

    /// The indices of the avoids of `target`, in walk order.
    fn of(&self, target: VocabId) -> &[usize] {
        self.0.get(&target).map_or(&[], Vec::as_slice)
    }
}

/// Ranks are dense over recommended ∪ pending tiers.
pub(super) fn rank<'p>(recommended: &mut [Placed<'p>], pending: &mut [Placed<'p>]) {
    let mut tiers: Vec<u32> = recommended
        .iter()
        .chain(pending.iter())
        .map(|p| p.tier)
        .collect();
    tiers.sort_unstable();
    tiers.dedup();
    let dense = |tier: u32| tiers.binary_search(&tier).map_or(1, |i| i as u32 + 1);
    for p in recommended.iter_mut().chain(pending.iter_mut()) {
        p.rank = dense(p.tier);
    }
    recommended.sort_by_key(|p| p.rank);
    pending.sort_by_key(|p| p.rank);
}

/// A goal or role as a decision text: borrowed when written in the protocol.
fn cow_text<'p>(value: Option<&std::borrow::Cow<'p, str>>) -> Option<Text<'p>> {
    value.map(|v| match v {
        std::borrow::Cow::Borrowed(s) => Text::Borrowed(s),
        std::borrow::Cow::Owned(s) => Text::Owned(s.clone()),
    })
}

/// Rule names as decision texts, borrowed from the protocol.
fn names<'p>(list: &[&'p str]) -> Vec<Text<'p>> {
    list.iter().copied().map(Text::Borrowed).collect()
}

pub(super) fn recommendation<'p>(vocab: &'p dyn Vocabulary, p: &Placed<'p>) -> Recommendation<'p> {
    Recommendation {
        option: Text::Borrowed(vocab.name(p.option)),
        rank: p.rank,
        kind: p.kind,
        rules: names(&p.rules),
        goal: cow_text(p.action.goal.as_ref()),
        evidence: p.action.evidence.map(Text::Borrowed),
        citations: p.action.citations.clone(),
        role: cow_text(p.action.role.as_ref()),
        notes: p.action.notes.clone(),
    }
}

pub(super) fn pending<'p>(vocab: &'p dyn Vocabulary, p: &Placed<'p>) -> Pending<'p> {
    Pending {
        option: Text::Borrowed(vocab.name(p.option)),
        rank: p.rank,
        kind: p.kind,
        rules: names(&p.rules),
        missing: p
            .support
            .facts()
            .iter()
            .map(|f| to_item(f, Vec::new()))
            .collect(),
    }
}

fn avoided<'p>(vocab: &'p dyn Vocabulary, a: &AvoidedEntry<'p>) -> Avoided<'p> {
    let best = a.best.as_ref();
    Avoided {
        option: Text::Borrowed(vocab.name(a.option)),
        code: best.and_then(Avoid::code).map(Text::Borrowed),
        reason: best
            .and_then(Avoid::because)
            .map(|b| Text::Owned(b.to_string())),
        rules: names(&a.rules),
        because: best
            .filter(|b| b.target != a.option)
            .map(|b| Text::Borrowed(vocab.name(b.target))),
    }
}

pub(super) fn included<'p>(
    vocab: &'p dyn Vocabulary,
    includes: &[Include<'p>],
) -> Vec<Included<'p>> {
    let mut out: Vec<(VocabId, Included<'p>)> = Vec::new();
    for include in includes {
        match out.iter_mut().find(|(id, _)| *id == include.option) {
            Some((_, i)) => {
                if !i.rules.iter().any(|r| r == include.rule) {
                    i.rules.push(Text::Borrowed(include.rule));
                }
            }
            None => out.push((
                include.option,
                Included {
                    option: Text::Borrowed(vocab.name(include.option)),
                    reason: include.action.because.clone().map(Text::Owned),
                    rules: vec![Text::Borrowed(include.rule)],
                },
            )),
        }
    }
    out.into_iter().map(|(_, i)| i).collect()
}
