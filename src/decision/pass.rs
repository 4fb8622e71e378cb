//! One walk over the rules in evaluation order, with some unknowns forced:
//! what each reached rule and action contributes to the decision.

use super::few::{FewMap, FewSet};
use super::output::{Decision, OptionKind, TraceEntry, TraceResult};
use super::resolve::{fill, merge, ByTarget, Resolved, Resolver};
use super::{ActionKind, ActionOutcome, RuleOutcome, Vocabulary};
use crate::check::ir::VocabId;
use crate::eval::outcome::DecisionView;
use crate::eval::truth::{Support, Truth};
use std::borrow::Cow;
use std::rc::Rc;

/// One unknown that relevance forces true and false: a rule's condition, an
/// action's `if`, or one member of an `each`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct Unit {
    pub(super) rule: usize,
    pub(super) action: Option<usize>,
    pub(super) member: Option<usize>,
}

/// Unknowns forced to a value for one relevance test (none for the decision itself).
pub(super) type Force<'a> = &'a [(Unit, bool)];

/// An option some reached action names (its fallbacks are the action's).
#[derive(Debug, Clone)]
pub(super) struct Candidate<'p> {
    pub(super) option: VocabId,
    pub(super) kind: OptionKind,
    pub(super) tier: u32,
    /// The rule whose action named it.
    pub(super) rule: &'p str,
    pub(super) truth: Truth,
    pub(super) action: Rc<ActionOutcome<'p>>,
    /// Where it was named: rule (file index), action and member.
    pub(super) at: (usize, usize, usize),
}

/// A reached `avoid` of one target.
#[derive(Debug, Clone)]
pub(super) struct Avoid<'p> {
    pub(super) target: VocabId,
    pub(super) truth: Truth,
    /// The action, for its `code` and `because`.
    pub(super) action: Rc<ActionOutcome<'p>>,
    pub(super) rule: &'p str,
    /// The file index of its rule.
    pub(super) index: usize,
}

impl<'p> Avoid<'p> {
    pub(super) fn code(&self) -> Option<&'p str> {
        self.action.code
    }

    pub(super) fn because(&self) -> Option<&str> {
        self.action.because.as_deref()
    }
}

/// A reached `include`: the option, its action (for `because`) and the rule.
#[derive(Debug, Clone)]
pub(super) struct Include<'p> {
    pub(super) option: VocabId,
    pub(super) action: Rc<ActionOutcome<'p>>,
    pub(super) rule: &'p str,
}

/// One walk over the rules, with at most one unknown forced.
#[derive(Default)]
pub(super) struct Pass<'p> {
    pub(super) candidates: Vec<Candidate<'p>>,
    pub(super) avoids: Vec<Avoid<'p>>,
    pub(super) includes: Vec<Include<'p>>,
    pub(super) orders: Vec<&'p (Option<String>, String)>,
    pub(super) referrals: Vec<&'p (Option<String>, String)>,
    pub(super) flags: Vec<&'p (Option<String>, String)>,
    /// The orders, referrals and flags listed so far, each under its kind,
    /// so that listing one more is a lookup rather than a scan of its list,
    /// with the file index of the rule that listed it first.
    listed: FewMap<(MessageKind, &'p (Option<String>, String)), usize>,
    /// Fired `missing "…"` actions: rule index, text, rule name.
    pub(super) missing_actions: Vec<(usize, &'p str, &'p str)>,
    pub(super) stop_status: Option<&'p str>,
    pub(super) unknown_stop: bool,
    /// Whether a reached `stop` rule (true or unknown) ended the walk.
    pub(super) stopped: bool,
    /// Each reached rule's condition (forced where forced), by file index.
    pub(super) conditions: Vec<(usize, Truth)>,
    /// The failure of the first reached rule that could not be evaluated.
    pub(super) failure: Option<String>,
    pub(super) trace: Vec<TraceEntry>,
    /// The unknown units met (only by the unforced walk: relevance reads
    /// the decision's own unknowns, never those of a forced walk).
    pub(super) unknowns: Vec<(Unit, Support)>,
    /// Whether this walk notes its unknowns (it forces nothing).
    noting: bool,
    pub(super) max_tier: u32,
    /// The largest tier before each reached rule whose condition is not
    /// false, by file index in walk order (only by the unforced walk).
    tiers_before: Vec<(usize, u32)>,
}

impl<'p> Pass<'p> {
    /// Walks the rules in `order` (file indices, in evaluation order).
    /// `record_conditions` keeps each condition for the view later strata or
    /// reports read; `traced` writes the trace (of the decision's own pass,
    /// not of those that force unknowns).
    pub(super) fn run(
        outcomes: &[RuleOutcome<'p>],
        order: impl IntoIterator<Item = usize>,
        force: Force<'_>,
        record_conditions: bool,
        traced: bool,
    ) -> Pass<'p> {
        let noting = force.is_empty();
        let mut pass = Pass {
            noting,
            // The unforced walk notes a tier for most rules: room for all.
            tiers_before: Vec::with_capacity(if noting { outcomes.len() } else { 0 }),
            ..Pass::default()
        };
        pass.walk(outcomes, order, force, record_conditions, traced);
        pass
    }

    /// What the rule of file index `rule` alone contributes under `force`,
    /// after rules that reached the tier `tier_before`.
    pub(super) fn rule_alone(
        outcomes: &[RuleOutcome<'p>],
        rule: usize,
        force: Force<'_>,
        tier_before: u32,
    ) -> Pass<'p> {
        let mut pass = Pass {
            max_tier: tier_before,
            ..Pass::default()
        };
        pass.walk(outcomes, [rule], force, false, false);
        pass
    }

    /// The largest tier before the rule of file index `rule`, when the
    /// unforced walk reached it with a condition not false.
    pub(super) fn tier_before(&self, rule: usize) -> Option<u32> {
        let at = self.tiers_before.binary_search_by_key(&rule, |(r, _)| *r);
        at.ok()
            .and_then(|i| self.tiers_before.get(i))
            .map(|(_, t)| *t)
    }

    fn walk(
        &mut self,
        outcomes: &[RuleOutcome<'p>],
        order: impl IntoIterator<Item = usize>,
        force: Force<'_>,
        record_conditions: bool,
        traced: bool,
    ) {
        let pass = self;
        let rules = order
            .into_iter()
            .filter_map(|i| Some((i, outcomes.get(i)?)));
        for (i, rule) in rules {
            if pass.stopped {
                if traced {
                    pass.trace.push(trace(rule, TraceResult::NotReached));
                }
                continue;
            }
            let unit = Unit {
                rule: i,
                action: None,
                member: None,
            };
            let condition = forced(&rule.condition, unit, force);
            if traced {
                pass.trace.push(trace(rule, trace_result(&condition)));
            }
            if record_conditions {
                pass.conditions.push((i, condition.clone().into_owned()));
            }
            if pass.failure.is_none() && rule.failure.is_some() {
                pass.failure = rule.failure.clone();
            }
            if *condition == Truth::False {
                continue;
            }
            if pass.noting {
                pass.tiers_before.push((i, pass.max_tier));
            }
            pass.note_unknown(unit, &condition);
            for (j, action) in rule.actions.iter().enumerate() {
                pass.action(rule, i, j, action, &condition, force);
            }
            if rule.stop {
                pass.stopped = true;
                match *condition {
                    Truth::True => pass.stop_status = pass.stop_status.take().or(Some("")),
                    _ => pass.unknown_stop = true,
                }
            }
        }
    }

    /// Options an unknown avoid may yet remove: pending candidates it holds
    /// back, and options it names directly (listed in `avoided` once known,
    /// candidates or not), each with what would settle it.
    pub(super) fn unknown_avoids(
        &self,
        resolved: &Resolved<'p>,
        vocab: &'p dyn Vocabulary,
    ) -> Vec<(VocabId, Support)> {
        let mut out: Vec<(VocabId, Support)> = resolved
            .pending
            .iter()
            .filter_map(|p| Some((p.option, p.held_by_avoid.clone()?)))
            .collect();
        let mut at: FewMap<VocabId, usize> = FewMap::default();
        for (i, (option, _)) in out.iter().enumerate() {
            at.insert_new(*option, i);
        }
        let settled: FewSet<VocabId> = resolved.avoided.iter().map(|a| a.option).collect();
        for avoid in &self.avoids {
            let Truth::Unknown(support) = &avoid.truth else {
                continue;
            };
            if !vocab.is_option(avoid.target) || settled.contains(&avoid.target) {
                continue;
            }
            match at.get(&avoid.target).and_then(|i| out.get_mut(*i)) {
                Some((_, s)) => s.merge(support),
                None => {
                    at.insert_new(avoid.target, out.len());
                    out.push((avoid.target, support.clone()));
                }
            }
        }
        out
    }

    /// The decision so far, as a later stratum reads it.
    pub(super) fn view(
        &self,
        vocab: &'p dyn Vocabulary,
        reasons: &[String],
        rules: usize,
    ) -> DecisionView {
        let resolved = Resolver::new(self, vocab, reasons).resolve();
        self.view_of(&resolved, vocab, rules)
    }

    /// The decision as a later stratum (or a report) reads it, from this
    /// walk's full resolution.
    pub(super) fn view_of(
        &self,
        resolved: &Resolved<'p>,
        vocab: &dyn Vocabulary,
        rules: usize,
    ) -> DecisionView {
        let mut fired = vec![Truth::False; rules];
        // The first condition noted for a rule is its own (a walk reaches it once).
        for (r, t) in self.conditions.iter().rev() {
            if let Some(slot) = fired.get_mut(*r) {
                *slot = t.clone();
            }
        }
        DecisionView {
            recommended: resolved.recommended.iter().map(|p| p.option).collect(),
            pending: resolved
                .pending
                .iter()
                .map(|p| (p.option, p.support.clone()))
                .collect(),
            pending_avoid: self.unknown_avoids(resolved, vocab),
            avoided: resolved.avoided.iter().map(|a| a.option).collect(),
            candidates: merge(&self.candidates, true)
                .into_iter()
                .map(|c| (c.option, c.truth))
                .collect(),
            fired,
        }
    }

    pub(super) fn note_unknown(&mut self, unit: Unit, truth: &Truth) {
        match truth {
            Truth::Unknown(s) if self.noting => self.unknowns.push((unit, s.clone())),
            _ => {}
        }
    }

    pub(super) fn action(
        &mut self,
        rule: &RuleOutcome<'p>,
        i: usize,
        j: usize,
        action: &Rc<ActionOutcome<'p>>,
        condition: &Truth,
        force: Force<'_>,
    ) {
        let unit = Unit {
            rule: i,
            action: Some(j),
            member: None,
        };
        let guard = forced(&action.guard, unit, force);
        self.note_unknown(unit, &guard);
        if *guard == Truth::False || *condition == Truth::False {
            return;
        }
        let truth = [condition, &*guard];
        match action.kind {
            ActionKind::Recommend | ActionKind::Consider => {
                self.options(rule, i, j, action, truth, force)
            }
            ActionKind::Avoid => self.avoid(rule, i, j, action, truth, force),
            _ if truth.iter().any(|t| **t != Truth::True) => {}
            ActionKind::Include => {
                for option in &action.options {
                    self.includes.push(Include {
                        option: option.id,
                        action: Rc::clone(action),
                        rule: rule.name,
                    });
                }
            }
            ActionKind::Order => self.push_message(MessageKind::Order, action.message, i),
            ActionKind::Refer => self.push_message(MessageKind::Referral, action.message, i),
            ActionKind::Flag => self.push_message(MessageKind::Flag, action.message, i),
            ActionKind::Missing => {
                if let Some((_, text)) = action.message {
                    self.missing_actions.push((i, text, rule.name));
                }
            }
            ActionKind::Status if rule.stop => {
                self.stop_status = action.message.map(|(_, text)| text.as_str())
            }
            ActionKind::Status => {}
        }
    }

    pub(super) fn member_truth(
        &mut self,
        i: usize,
        j: usize,
        k: usize,
        member: &Truth,
        truth: Applies<'_>,
        force: Force<'_>,
    ) -> Truth {
        let unit = Unit {
            rule: i,
            action: Some(j),
            member: Some(k),
        };
        let member = forced(member, unit, force);
        self.note_unknown(unit, &member);
        and(truth, &member)
    }

    pub(super) fn options(
        &mut self,
        rule: &RuleOutcome<'p>,
        i: usize,
        j: usize,
        action: &Rc<ActionOutcome<'p>>,
        truth: Applies<'_>,
        force: Force<'_>,
    ) {
        let next = self.max_tier + 1;
        let tier_of = |a: &ActionOutcome<'_>| match (a.rank, a.unranked) {
            (Some(n), _) => n,
            (None, true) => 1,
            (None, false) => next,
        };
        let tier = tier_of(action);
        self.max_tier = self.max_tier.max(tier);
        let kind = match (action.kind, action.components) {
            (_, true) => OptionKind::Component,
            (ActionKind::Consider, _) => OptionKind::Consider,
            _ => OptionKind::Recommend,
        };
        for (k, option) in action.options.iter().enumerate() {
            let t = self.member_truth(i, j, k, &option.member, truth, force);
            if t == Truth::False {
                continue;
            }
            // A member's own modifiers (under `each`) give its own tier.
            let own = option.own.as_ref().unwrap_or(action);
            let tier = tier_of(own);
            self.max_tier = self.max_tier.max(tier);
            self.candidates.push(Candidate {
                option: option.id,
                kind,
                tier,
                rule: rule.name,
                truth: t,
                action: Rc::clone(own),
                at: (i, j, k),
            });
        }
    }

    pub(super) fn avoid(
        &mut self,
        rule: &RuleOutcome<'p>,
        i: usize,
        j: usize,
        action: &Rc<ActionOutcome<'p>>,
        truth: Applies<'_>,
        force: Force<'_>,
    ) {
        for (k, option) in action.options.iter().enumerate() {
            let t = self.member_truth(i, j, k, &option.member, truth, force);
            if t == Truth::False {
                continue;
            }
            self.avoids.push(Avoid {
                target: option.id,
                truth: t,
                action: Rc::clone(option.own.as_ref().unwrap_or(action)),
                rule: rule.name,
                index: i,
            });
        }
    }

    /// The parts of the decision relevance compares.
    pub(super) fn core<'a>(
        &'a self,
        vocab: &'p dyn Vocabulary,
        reasons: &[String],
    ) -> Core<'a, 'p> {
        Core::of(self, vocab, reasons)
    }

    /// Fills the decision from this walk and its full resolution `resolved`;
    /// gives the trace.
    pub(super) fn finish(
        self,
        (resolved, targets): (Resolved<'p>, ByTarget),
        vocab: &'p dyn Vocabulary,
        reasons: &[String],
        decision: &mut Decision<'p>,
    ) -> Vec<TraceEntry> {
        let resolver = Resolver::with_targets(&self, vocab, reasons, targets);
        fill(decision, &resolver, resolved);
        self.trace
    }
}

/// What differs between two decisions: status, options with ranks, orders,
/// referrals and flags, compared straight from a walk and its lean resolution.
pub(super) struct Core<'a, 'p> {
    pass: &'a Pass<'p>,
    resolved: Resolved<'p>,
    /// The walk's avoids by target, kept from a full resolution for the
    /// decision to be filled from.
    targets: Option<ByTarget>,
}

impl<'a, 'p> Core<'a, 'p> {
    pub(super) fn of(pass: &'a Pass<'p>, vocab: &'p dyn Vocabulary, reasons: &[String]) -> Self {
        let resolved = Resolver::lean(pass, vocab, reasons).resolve();
        Core {
            pass,
            resolved,
            targets: None,
        }
    }

    /// The same parts from the full resolution the decision is filled from
    /// (the lean one agrees with it).
    pub(super) fn full(pass: &'a Pass<'p>, vocab: &'p dyn Vocabulary, reasons: &[String]) -> Self {
        let resolver = Resolver::new(pass, vocab, reasons);
        let resolved = resolver.resolve();
        Core {
            pass,
            resolved,
            targets: Some(resolver.into_targets()),
        }
    }

    /// The resolution compared.
    pub(super) fn resolved(&self) -> &Resolved<'p> {
        &self.resolved
    }

    /// The resolution compared (the full one, when made by [`Core::full`]),
    /// with the walk's avoids by target.
    pub(super) fn into_resolved(self) -> (Resolved<'p>, ByTarget) {
        let targets = match self.targets {
            Some(targets) => targets,
            None => ByTarget::new(&self.pass.avoids),
        };
        (self.resolved, targets)
    }

    /// Options with their ranks, recommended (`true`) or pending.
    fn options(&self) -> impl Iterator<Item = (VocabId, u32, bool)> + '_ {
        let recommended = self.resolved.recommended.iter();
        let pending = self.resolved.pending.iter();
        recommended
            .map(|c| (c.option, c.rank, true))
            .chain(pending.map(|c| (c.option, c.rank, false)))
    }

    /// Orders, referrals and flags, in that order.
    fn messages(&self) -> impl Iterator<Item = &'p (Option<String>, String)> + '_ {
        let pass = self.pass;
        pass.orders
            .iter()
            .chain(&pass.referrals)
            .chain(&pass.flags)
            .copied()
    }
}

impl PartialEq for Core<'_, '_> {
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (&self.resolved, &other.resolved);
        a.status == b.status
            && self.options().eq(other.options())
            && a.avoided
                .iter()
                .map(|x| x.option)
                .eq(b.avoided.iter().map(|x| x.option))
            && self.pass.includes.iter().map(|i| i.option).eq(other
                .pass
                .includes
                .iter()
                .map(|i| i.option))
            && self.messages().eq(other.messages())
    }
}

/// The truth of `unit` in a walk that forces `force`: borrowed unless forced.
pub(super) fn forced<'t>(truth: &'t Truth, unit: Unit, force: Force<'_>) -> Cow<'t, Truth> {
    if !truth.is_unknown() {
        return Cow::Borrowed(truth);
    }
    match force.iter().find(|(u, _)| *u == unit) {
        Some((_, value)) => Cow::Owned(Truth::known(*value)),
        None => Cow::Borrowed(truth),
    }
}

/// The truths an action's options hang on: its rule's condition and its `if`,
/// neither of them false.
pub(super) type Applies<'t> = [&'t Truth; 2];

/// Kleene `and` of what an action hangs on and one member's truth, cloning
/// only the support it keeps.
pub(super) fn and(applies: Applies<'_>, member: &Truth) -> Truth {
    let [condition, guard] = applies;
    if *member == Truth::False {
        return Truth::False;
    }
    let mut out = Truth::True;
    for t in [condition, guard, member] {
        match (&mut out, t) {
            (_, Truth::True | Truth::False) => {}
            (Truth::Unknown(s), Truth::Unknown(o)) => s.merge(o),
            (known, unknown) => *known = unknown.clone(),
        }
    }
    out
}

pub(super) fn trace(rule: &RuleOutcome<'_>, result: TraceResult) -> TraceEntry {
    let history = match result {
        TraceResult::NotReached => Vec::new(),
        _ => rule.history.clone(),
    };
    TraceEntry {
        rule: rule.name.to_string(),
        result,
        at: rule.at.to_string(),
        history,
    }
}

pub(super) fn trace_result(truth: &Truth) -> TraceResult {
    match truth {
        Truth::True => TraceResult::True,
        Truth::False => TraceResult::False,
        Truth::Unknown(_) => TraceResult::Unknown,
    }
}

/// The list an order, referral or flag goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum MessageKind {
    Order,
    Referral,
    Flag,
}

impl<'p> Pass<'p> {
    /// Whether this walk lists the order, referral or flag `message` of an
    /// action of `kind` (false for an action of any other kind).
    pub(super) fn lists(&self, kind: ActionKind, message: &'p (Option<String>, String)) -> bool {
        self.first_listed(kind, message).is_some()
    }

    /// The file index of the rule that first listed the order, referral or
    /// flag `message` of an action of `kind`, if this walk lists it.
    pub(super) fn first_listed(
        &self,
        kind: ActionKind,
        message: &'p (Option<String>, String),
    ) -> Option<usize> {
        let kind = match kind {
            ActionKind::Order => MessageKind::Order,
            ActionKind::Refer => MessageKind::Referral,
            ActionKind::Flag => MessageKind::Flag,
            _ => return None,
        };
        self.listed.get(&(kind, message)).copied()
    }

    /// Every order, referral and flag this walk lists, with its action kind.
    pub(super) fn listed_messages(
        &self,
    ) -> impl Iterator<Item = (ActionKind, &'p (Option<String>, String))> + '_ {
        let of = |kind: ActionKind| move |m: &&'p (Option<String>, String)| (kind, *m);
        (self.orders.iter().map(of(ActionKind::Order)))
            .chain(self.referrals.iter().map(of(ActionKind::Refer)))
            .chain(self.flags.iter().map(of(ActionKind::Flag)))
    }

    /// Adds an order, referral or flag to its list unless an identical one
    /// (same code and text) is already listed.
    fn push_message(
        &mut self,
        kind: MessageKind,
        message: Option<&'p (Option<String>, String)>,
        rule: usize,
    ) {
        let Some(m) = message else { return };
        if !self.listed.insert_new((kind, m), rule) {
            return;
        }
        let list = match kind {
            MessageKind::Order => &mut self.orders,
            MessageKind::Referral => &mut self.referrals,
            MessageKind::Flag => &mut self.flags,
        };
        list.push(m);
    }
}
