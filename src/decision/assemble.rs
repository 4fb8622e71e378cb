//! The decision semantics: order and stop, candidates, avoids, pending,
//! ranks, status, and the missing facts that could change the decision.

use super::output::{
    Avoided, Conflict, Contraindicated, Decision, Included, Indeterminate, Message, MissingItem,
    OptionKind, Pending, Recommendation, Status, TraceEntry, TraceResult, VocabKind,
};
use super::{ActionKind, ActionOutcome, RuleOutcome, Vocabulary};
use crate::eval::outcome::{DecisionView, HigherStrata};
use crate::eval::truth::{Missing, Support, Truth};

/// One unknown that relevance forces true and false: a rule's condition, an
/// action's `if`, or one member of an `each`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Unit {
    rule: usize,
    action: Option<usize>,
    member: Option<usize>,
}

/// Unknowns forced to a value for one relevance test (none for the decision itself).
type Force<'a> = &'a [(Unit, bool)];

/// Assembles the decision from every rule's outcome: writes its status,
/// options, messages, `missing` and `indeterminate` into `decision`, and
/// returns the trace, the final decision as reports read it (with
/// `want_view`), and the failure of a reached rule, if one failed. `outcomes` holds the rules of stratum 0 evaluated; `higher`
/// evaluates each higher stratum against the decision below it.
pub fn assemble(
    outcomes: Vec<RuleOutcome>,
    strata: &[u32],
    higher: &mut dyn HigherStrata,
    vocab: &dyn Vocabulary,
    reasons: &[String],
    want_view: bool,
    decision: &mut Decision,
) -> Assembled {
    let mut rules = Stratified::new(outcomes, strata, higher, vocab, reasons);
    rules.want_view = want_view;
    let base = rules.settle(&[]);
    let mut found: Vec<(usize, Missing, String)> = Vec::new();
    let mut indeterminate = Vec::new();
    let relevant = relevant_units(&mut rules, &base);
    for (unit, support) in base.unknowns.iter().filter(|(u, _)| relevant.contains(u)) {
        let rule = rules.name(unit.rule);
        for fact in &support.facts {
            found.push((unit.rule, fact.clone(), rule.clone()));
        }
        let listed = |i: &Indeterminate| i.rule.as_ref() == Some(&rule);
        if support.is_indeterminate() && !indeterminate.iter().any(listed) {
            indeterminate.push(Indeterminate {
                rule: Some(rule.clone()),
                report: None,
                reason: support.reason(),
            });
        }
    }
    for (index, name, rule) in &base.missing_actions {
        found.push((*index, Missing::Named(name.clone()), rule.clone()));
    }
    found.sort_by_key(|(index, _, _)| *index);
    let mut missing: Vec<MissingItem> = Vec::new();
    for (_, fact, rule) in &found {
        add_missing(&mut missing, fact, rule);
    }
    decision.missing = missing;
    decision.indeterminate = indeterminate;
    let view = want_view.then(|| base.view(vocab, reasons, rules.outcomes.len()));
    let failure = base.failure.clone();
    Assembled {
        trace: base.finish(vocab, reasons, decision),
        view,
        failure,
    }
}

/// What the assembly gives beside the decision it writes.
pub struct Assembled {
    /// Each rule's result, in evaluation order.
    pub trace: Vec<TraceEntry>,
    /// The final decision, as reports read it (when asked for).
    pub view: Option<DecisionView>,
    /// Why the case cannot be decided, when a reached rule could not be evaluated.
    pub failure: Option<String>,
}

/// The unknown units whose knowledge could change the decision: forced true
/// and forced false differ, or either differs from leaving it unknown (an
/// unknown `stop` rule holds the decision at `needs-data` either way).
fn relevant_units(rules: &mut Stratified<'_>, base: &Pass) -> Vec<Unit> {
    let mut relevant = Vec::new();
    let mut base_core = None;
    for (unit, _) in &base.unknowns {
        let forced_true = rules
            .settle(&[(*unit, true)])
            .core(rules.vocab, rules.reasons);
        let forced_false = rules
            .settle(&[(*unit, false)])
            .core(rules.vocab, rules.reasons);
        let differs = forced_true != forced_false || {
            let core = base_core.get_or_insert_with(|| base.core(rules.vocab, rules.reasons));
            forced_true != *core
        };
        if differs {
            relevant.push(*unit);
        }
    }
    relevant
}

/// The rules in evaluation order, stratum by stratum: each stratum above 0
/// is evaluated against the decision of the strata below it, and not at all
/// once a `stop` rule below it is reached.
struct Stratified<'a> {
    outcomes: Vec<RuleOutcome>,
    strata: Vec<u32>,
    top: u32,
    /// Every rule's file index, in evaluation order.
    order: Vec<usize>,
    higher: &'a mut dyn HigherStrata,
    vocab: &'a dyn Vocabulary,
    reasons: &'a [String],
    /// Whether the final decision is read (by reports).
    want_view: bool,
}

impl<'a> Stratified<'a> {
    fn new(
        outcomes: Vec<RuleOutcome>,
        strata: &[u32],
        higher: &'a mut dyn HigherStrata,
        vocab: &'a dyn Vocabulary,
        reasons: &'a [String],
    ) -> Stratified<'a> {
        let stratum = |i: usize| strata.get(i).copied().unwrap_or(0);
        let mut order: Vec<usize> = (0..outcomes.len()).collect();
        order.sort_by_key(|i| (stratum(*i), *i));
        Stratified {
            top: strata.iter().copied().max().unwrap_or(0),
            strata: strata.to_vec(),
            order,
            outcomes,
            higher,
            vocab,
            reasons,
            want_view: false,
        }
    }

    fn name(&self, rule: usize) -> String {
        self.outcomes
            .get(rule)
            .map(|r| r.name.clone())
            .unwrap_or_default()
    }

    /// One walk over every rule with `force` applied; the higher strata are
    /// evaluated again against the decision below them as forced.
    fn settle(&mut self, force: Force<'_>) -> Pass {
        if self.top == 0 {
            return Pass::run(&self.outcomes, &self.order, force, self.want_view);
        }
        let mut current = self.outcomes.clone();
        for k in 1..=self.top {
            let below: Vec<usize> = self
                .order
                .iter()
                .copied()
                .filter(|i| self.strata.get(*i).is_some_and(|s| *s < k))
                .collect();
            let pass = Pass::run(&current, &below, force, true);
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
        Pass::run(&current, &self.order, force, self.want_view)
    }
}

fn add_missing(list: &mut Vec<MissingItem>, fact: &Missing, rule: &str) {
    let item = to_item(fact, vec![rule.to_string()]);
    for existing in list.iter_mut() {
        if same_fact(existing, &item) {
            let rules = match existing {
                MissingItem::Fact { rules, .. } | MissingItem::Named { rules, .. } => rules,
            };
            if !rules.iter().any(|r| r == rule) {
                rules.push(rule.to_string());
            }
            return;
        }
    }
    list.push(item);
}

fn same_fact(a: &MissingItem, b: &MissingItem) -> bool {
    match (a, b) {
        (
            MissingItem::Fact {
                path: p,
                need: n,
                why: w,
                ..
            },
            MissingItem::Fact {
                path, need, why, ..
            },
        ) => p == path && n == need && w == why,
        (MissingItem::Named { name: a, .. }, MissingItem::Named { name: b, .. }) => a == b,
        _ => false,
    }
}

/// A missing fact in output form.
pub fn to_item(fact: &Missing, rules: Vec<String>) -> MissingItem {
    match fact {
        Missing::Fact { path, need, why } => MissingItem::Fact {
            path: path.clone(),
            need: need.clone(),
            why: why.clone(),
            rules,
        },
        Missing::Named(name) => MissingItem::Named {
            name: name.clone(),
            rules,
        },
    }
}

/// An option some reached action names.
#[derive(Debug, Clone)]
struct Candidate {
    option: String,
    kind: OptionKind,
    tier: u32,
    rules: Vec<String>,
    truth: Truth,
    action: ActionOutcome,
    fallbacks: Vec<String>,
    /// The rules whose actions named the fallbacks.
    fallback_rules: Vec<String>,
}

/// A reached `avoid` of one target.
#[derive(Debug, Clone)]
struct Avoid {
    target: String,
    truth: Truth,
    code: Option<String>,
    because: Option<String>,
    rule: String,
}

/// One walk over the rules, with at most one unknown forced.
#[derive(Default)]
struct Pass {
    candidates: Vec<Candidate>,
    avoids: Vec<Avoid>,
    includes: Vec<(String, Option<String>, String)>,
    orders: Vec<Message>,
    referrals: Vec<Message>,
    flags: Vec<Message>,
    /// Fired `missing "…"` actions: rule index, text, rule name.
    missing_actions: Vec<(usize, String, String)>,
    stop_status: Option<String>,
    unknown_stop: bool,
    /// Whether a reached `stop` rule (true or unknown) ended the walk.
    stopped: bool,
    /// Each reached rule's condition (forced where forced), by file index.
    conditions: Vec<(usize, Truth)>,
    /// The failure of the first reached rule that could not be evaluated.
    failure: Option<String>,
    trace: Vec<TraceEntry>,
    unknowns: Vec<(Unit, Support)>,
    max_tier: u32,
}

impl Pass {
    /// Walks the rules in `order` (file indices, in evaluation order).
    /// `record_conditions` keeps each condition for the view later strata or
    /// reports read.
    fn run(
        outcomes: &[RuleOutcome],
        order: &[usize],
        force: Force<'_>,
        record_conditions: bool,
    ) -> Pass {
        let mut pass = Pass::default();
        for (i, rule) in order.iter().filter_map(|i| Some((*i, outcomes.get(*i)?))) {
            if pass.stopped {
                pass.trace.push(trace(rule, TraceResult::NotReached));
                continue;
            }
            let unit = Unit {
                rule: i,
                action: None,
                member: None,
            };
            let condition = forced(&rule.condition, unit, force);
            pass.trace.push(trace(rule, trace_result(&condition)));
            if record_conditions {
                pass.conditions.push((i, condition.clone()));
            }
            if pass.failure.is_none() {
                pass.failure = rule.failure.clone();
            }
            if condition == Truth::False {
                continue;
            }
            pass.note_unknown(unit, &condition);
            for (j, action) in rule.actions.iter().enumerate() {
                pass.action(rule, i, j, action, &condition, force);
            }
            if rule.stop {
                pass.stopped = true;
                match condition {
                    Truth::True => {
                        pass.stop_status = pass.stop_status.take().or(Some(String::new()))
                    }
                    _ => pass.unknown_stop = true,
                }
            }
        }
        pass
    }

    /// Options an unknown avoid may yet remove: pending candidates it holds
    /// back, and regimens it names directly (listed in `avoided` once known,
    /// candidates or not), each with what would settle it.
    fn unknown_avoids(
        &self,
        resolved: &Resolved,
        vocab: &dyn Vocabulary,
    ) -> Vec<(String, Support)> {
        let mut out: Vec<(String, Support)> = resolved
            .pending
            .iter()
            .filter_map(|p| Some((p.option.clone(), p.held_by_avoid.clone()?)))
            .collect();
        for avoid in &self.avoids {
            let Truth::Unknown(support) = &avoid.truth else {
                continue;
            };
            let settled = resolved.avoided.iter().any(|a| a.option == avoid.target);
            if !vocab.is_regimen(&avoid.target) || settled {
                continue;
            }
            match out.iter_mut().find(|(o, _)| *o == avoid.target) {
                Some((_, s)) => s.merge(support),
                None => out.push((avoid.target.clone(), support.clone())),
            }
        }
        out
    }

    /// The decision so far, as a later stratum reads it.
    fn view(&self, vocab: &dyn Vocabulary, reasons: &[String], rules: usize) -> DecisionView {
        let resolved = Resolver::new(self, vocab, reasons).resolve();
        let fired = (0..rules)
            .map(|i| {
                let found = self.conditions.iter().find(|(r, _)| *r == i);
                found.map_or(Truth::False, |(_, t)| t.clone())
            })
            .collect();
        DecisionView {
            recommended: resolved
                .recommended
                .iter()
                .map(|p| p.option.clone())
                .collect(),
            pending: resolved
                .pending
                .iter()
                .map(|p| (p.option.clone(), p.support.clone()))
                .collect(),
            pending_avoid: self.unknown_avoids(&resolved, vocab),
            avoided: resolved.avoided.iter().map(|a| a.option.clone()).collect(),
            candidates: merge(&self.candidates)
                .into_iter()
                .map(|c| (c.option, c.truth))
                .collect(),
            fired,
        }
    }

    fn note_unknown(&mut self, unit: Unit, truth: &Truth) {
        if let Truth::Unknown(s) = truth {
            self.unknowns.push((unit, s.clone()));
        }
    }

    fn action(
        &mut self,
        rule: &RuleOutcome,
        i: usize,
        j: usize,
        action: &ActionOutcome,
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
        let truth = condition.clone().and(guard);
        if truth == Truth::False {
            return;
        }
        match action.kind {
            ActionKind::Recommend | ActionKind::Consider => {
                self.options(rule, i, j, action, &truth, force)
            }
            ActionKind::Avoid => self.avoid(rule, i, j, action, &truth, force),
            _ if truth != Truth::True => {}
            ActionKind::Include => {
                for option in &action.options {
                    self.includes.push((
                        option.name.clone(),
                        action.because.clone(),
                        rule.name.clone(),
                    ));
                }
            }
            ActionKind::Order => push_message(&mut self.orders, &action.message),
            ActionKind::Refer => push_message(&mut self.referrals, &action.message),
            ActionKind::Flag => push_message(&mut self.flags, &action.message),
            ActionKind::Missing => {
                if let Some(m) = &action.message {
                    self.missing_actions
                        .push((i, m.text.clone(), rule.name.clone()));
                }
            }
            ActionKind::Status if rule.stop => {
                self.stop_status = action.message.as_ref().map(|m| m.text.clone())
            }
            ActionKind::Status => {}
        }
    }

    fn member_truth(
        &mut self,
        i: usize,
        j: usize,
        k: usize,
        member: &Truth,
        truth: &Truth,
        force: Force<'_>,
    ) -> Truth {
        let unit = Unit {
            rule: i,
            action: Some(j),
            member: Some(k),
        };
        let member = forced(member, unit, force);
        self.note_unknown(unit, &member);
        truth.clone().and(member)
    }

    fn options(
        &mut self,
        rule: &RuleOutcome,
        i: usize,
        j: usize,
        action: &ActionOutcome,
        truth: &Truth,
        force: Force<'_>,
    ) {
        let tier = match (action.rank, action.unranked) {
            (Some(n), _) => n,
            (None, true) => 1,
            (None, false) => self.max_tier + 1,
        };
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
            self.candidates.push(Candidate {
                option: option.name.clone(),
                kind,
                tier,
                rules: vec![rule.name.clone()],
                truth: t,
                action: action.clone(),
                fallbacks: action.fallbacks.clone(),
                fallback_rules: if action.fallbacks.is_empty() {
                    Vec::new()
                } else {
                    vec![rule.name.clone()]
                },
            });
        }
    }

    fn avoid(
        &mut self,
        rule: &RuleOutcome,
        i: usize,
        j: usize,
        action: &ActionOutcome,
        truth: &Truth,
        force: Force<'_>,
    ) {
        for (k, option) in action.options.iter().enumerate() {
            let t = self.member_truth(i, j, k, &option.member, truth, force);
            if t == Truth::False {
                continue;
            }
            self.avoids.push(Avoid {
                target: option.name.clone(),
                truth: t,
                code: action.code.clone(),
                because: action.because.clone(),
                rule: rule.name.clone(),
            });
        }
    }

    /// The parts of the decision relevance compares.
    fn core(&self, vocab: &dyn Vocabulary, reasons: &[String]) -> Core {
        Core::of(self, vocab, reasons)
    }

    fn finish(
        self,
        vocab: &dyn Vocabulary,
        reasons: &[String],
        decision: &mut Decision,
    ) -> Vec<TraceEntry> {
        let resolved = Resolver::new(&self, vocab, reasons).resolve();
        fill(decision, resolved, self)
    }
}

/// What differs between two decisions: status, options with ranks, orders, referrals and flags.
#[derive(Debug, PartialEq)]
struct Core {
    status: Status,
    options: Vec<(String, u32, bool)>,
    avoided: Vec<String>,
    included: Vec<String>,
    messages: Vec<Message>,
}

impl Core {
    fn of(pass: &Pass, vocab: &dyn Vocabulary, reasons: &[String]) -> Core {
        let resolved = Resolver::new(pass, vocab, reasons).resolve();
        Core {
            status: resolved.status,
            options: resolved
                .recommended
                .iter()
                .map(|c| (c.option.clone(), c.rank, true))
                .chain(
                    resolved
                        .pending
                        .iter()
                        .map(|c| (c.option.clone(), c.rank, false)),
                )
                .collect(),
            avoided: resolved.avoided.iter().map(|a| a.option.clone()).collect(),
            included: pass.includes.iter().map(|(o, _, _)| o.clone()).collect(),
            messages: pass
                .orders
                .iter()
                .chain(&pass.referrals)
                .chain(&pass.flags)
                .cloned()
                .collect(),
        }
    }
}

fn forced(truth: &Truth, unit: Unit, force: Force<'_>) -> Truth {
    match force.iter().find(|(u, _)| *u == unit) {
        Some((_, value)) if truth.is_unknown() => Truth::known(*value),
        _ => truth.clone(),
    }
}

fn trace(rule: &RuleOutcome, result: TraceResult) -> TraceEntry {
    let history = match result {
        TraceResult::NotReached => Vec::new(),
        _ => rule.history.clone(),
    };
    TraceEntry {
        rule: rule.name.clone(),
        result,
        at: rule.at.clone(),
        history,
    }
}

fn trace_result(truth: &Truth) -> TraceResult {
    match truth {
        Truth::True => TraceResult::True,
        Truth::False => TraceResult::False,
        Truth::Unknown(_) => TraceResult::Unknown,
    }
}

/// A candidate after avoids: recommended, pending or avoided.
#[derive(Debug, Clone)]
struct Placed {
    option: String,
    kind: OptionKind,
    tier: u32,
    rank: u32,
    rules: Vec<String>,
    action: ActionOutcome,
    support: Support,
    /// When an unknown avoid holds it back: that avoid's support.
    held_by_avoid: Option<Support>,
}

struct Resolved {
    status: Status,
    recommended: Vec<Placed>,
    pending: Vec<Placed>,
    avoided: Vec<Avoided>,
    contraindicated: Vec<Contraindicated>,
    conflicts: Vec<Conflict>,
}

struct Resolver<'a> {
    pass: &'a Pass,
    vocab: &'a dyn Vocabulary,
    reasons: &'a [String],
}

impl<'a> Resolver<'a> {
    fn new(pass: &'a Pass, vocab: &'a dyn Vocabulary, reasons: &'a [String]) -> Resolver<'a> {
        Resolver {
            pass,
            vocab,
            reasons,
        }
    }

    fn resolve(&self) -> Resolved {
        let merged = merge(&self.pass.candidates);
        let mut recommended = Vec::new();
        let mut pending = Vec::new();
        let mut avoided: Vec<Avoided> = Vec::new();
        for candidate in &merged {
            self.place(candidate, &mut recommended, &mut pending, &mut avoided);
        }
        let conflicts = self.conflicts();
        self.avoided_regimens(&mut avoided);
        rank(&mut recommended, &mut pending);
        let status = self.status(&recommended, &pending, &avoided, &merged);
        Resolved {
            status,
            recommended,
            pending,
            avoided,
            contraindicated: self.contraindicated(),
            conflicts,
        }
    }

    /// Sorts one candidate (and its fallbacks) into recommended, pending or avoided.
    fn place(
        &self,
        candidate: &Candidate,
        recommended: &mut Vec<Placed>,
        pending: &mut Vec<Placed>,
        avoided: &mut Vec<Avoided>,
    ) {
        let included = !self.included_by(&candidate.option).is_empty();
        let known: Vec<&Avoid> = if included {
            Vec::new()
        } else {
            self.hits(&candidate.option, true)
        };
        let unknown: Vec<&Avoid> = if included {
            Vec::new()
        } else {
            self.hits(&candidate.option, false)
        };
        let placed = to_placed(candidate);
        if !known.is_empty() {
            if !avoided.iter().any(|a| a.option == candidate.option) {
                avoided.push(self.avoided_entry(&candidate.option, &known));
            }
            self.fallback(candidate, recommended, pending, avoided);
            return;
        }
        if !unknown.is_empty() {
            let mut p = placed;
            let mut held = Support::default();
            for a in &unknown {
                if let Truth::Unknown(s) = &a.truth {
                    p.support.merge(s);
                    held.merge(s);
                }
                if !p.rules.contains(&a.rule) {
                    p.rules.push(a.rule.clone());
                }
            }
            p.held_by_avoid = Some(held);
            let fallbacks: Vec<Placed> = candidate
                .fallbacks
                .iter()
                .map(|fallback| Placed {
                    option: fallback.clone(),
                    kind: OptionKind::Fallback,
                    rules: unknown
                        .iter()
                        .map(|a| a.rule.clone())
                        .fold(candidate.fallback_rules.clone(), push_new),
                    held_by_avoid: None,
                    ..p.clone()
                })
                .collect();
            pending.push(p);
            pending.extend(fallbacks);
            return;
        }
        match candidate.truth {
            Truth::True => recommended.push(placed),
            _ => pending.push(placed),
        }
    }

    /// Options both included and known to be avoided: they stay included.
    fn conflicts(&self) -> Vec<Conflict> {
        let mut out: Vec<Conflict> = Vec::new();
        for (option, _, _) in &self.pass.includes {
            let known = self.hits(option, true);
            if known.is_empty() || out.iter().any(|c| &c.option == option) {
                continue;
            }
            out.push(Conflict {
                option: option.clone(),
                included_by: self.included_by(option),
                avoided_by: known
                    .iter()
                    .map(|a| a.rule.clone())
                    .fold(Vec::new(), push_new),
            });
        }
        out
    }

    /// `fallback B` takes A's tier and is a candidate exactly when A is avoided.
    fn fallback(
        &self,
        candidate: &Candidate,
        recommended: &mut Vec<Placed>,
        pending: &mut Vec<Placed>,
        avoided: &mut Vec<Avoided>,
    ) {
        let Some((first, rest)) = candidate.fallbacks.split_first() else {
            return;
        };
        let next = Candidate {
            option: first.clone(),
            kind: OptionKind::Fallback,
            rules: candidate.fallback_rules.clone(),
            fallbacks: rest.to_vec(),
            ..candidate.clone()
        };
        self.place(&next, recommended, pending, avoided);
    }

    /// Avoids that hit an option: known ones (`true`) or unknown ones.
    fn hits(&self, option: &str, known: bool) -> Vec<&'a Avoid> {
        self.pass
            .avoids
            .iter()
            .filter(|a| (a.truth == Truth::True) == known && self.vocab.has(option, &a.target))
            .collect()
    }

    fn included_by(&self, option: &str) -> Vec<String> {
        self.pass
            .includes
            .iter()
            .filter(|(o, _, _)| o == option)
            .map(|(_, _, rule)| rule.clone())
            .collect()
    }

    /// The avoided entry with the code of highest precedence among the known avoids.
    fn avoided_entry(&self, option: &str, known: &[&Avoid]) -> Avoided {
        let precedence = |a: &&&Avoid| {
            a.code
                .as_ref()
                .and_then(|c| self.reasons.iter().position(|r| r == c))
                .unwrap_or(usize::MAX)
        };
        let best = known.iter().min_by_key(precedence);
        let mut rules: Vec<String> = Vec::new();
        for a in known {
            if !rules.contains(&a.rule) {
                rules.push(a.rule.clone());
            }
        }
        Avoided {
            option: option.to_string(),
            code: best.and_then(|a| a.code.clone()),
            reason: best.and_then(|a| a.because.clone()),
            rules,
            because: best
                .filter(|a| a.target != option)
                .map(|a| a.target.clone()),
        }
    }

    /// A known avoid of a regimen lists it whether or not anything recommended
    /// it; an agent, class or tag avoid reaches candidates only, so a regimen
    /// that is not a candidate is listed with its direct avoids alone.
    fn avoided_regimens(&self, avoided: &mut Vec<Avoided>) {
        for a in &self.pass.avoids {
            let listed = avoided.iter().any(|x| x.option == a.target);
            let included = !self.included_by(&a.target).is_empty();
            if a.truth == Truth::True && self.vocab.is_regimen(&a.target) && !listed && !included {
                let direct: Vec<&Avoid> = self
                    .pass
                    .avoids
                    .iter()
                    .filter(|d| d.truth == Truth::True && d.target == a.target)
                    .collect();
                avoided.push(self.avoided_entry(&a.target, &direct));
            }
        }
    }

    fn contraindicated(&self) -> Vec<Contraindicated> {
        let mut out: Vec<Contraindicated> = Vec::new();
        for a in self.pass.avoids.iter().filter(|a| a.truth == Truth::True) {
            if self.vocab.is_regimen(&a.target) {
                continue;
            }
            if let Some(existing) = out.iter_mut().find(|c| c.what == a.target) {
                if !existing.rules.contains(&a.rule) {
                    existing.rules.push(a.rule.clone());
                }
                continue;
            }
            out.push(Contraindicated {
                what: a.target.clone(),
                kind: if self.vocab.is_agent(&a.target) {
                    VocabKind::Agent
                } else if self.vocab.is_tag(&a.target) {
                    VocabKind::Tag
                } else {
                    VocabKind::Class
                },
                code: a.code.clone(),
                reason: a.because.clone(),
                rules: vec![a.rule.clone()],
            });
        }
        out
    }

    /// The first status that applies (the brief's order).
    fn status(
        &self,
        recommended: &[Placed],
        pending: &[Placed],
        avoided: &[Avoided],
        merged: &[Candidate],
    ) -> Status {
        if let Some(status) = self.pass.stop_status.as_deref().and_then(Status::from_name) {
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
        let all_avoided = !merged.is_empty()
            && merged
                .iter()
                .all(|c| avoided.iter().any(|a| a.option == c.option));
        if all_avoided {
            return Status::AllAvoided;
        }
        Status::NoRecommendation
    }
}

/// Writes the rule-decided parts into the decision; returns the trace.
fn fill(decision: &mut Decision, resolved: Resolved, pass: Pass) -> Vec<TraceEntry> {
    decision.status = resolved.status;
    decision.recommendations = resolved.recommended.iter().map(recommendation).collect();
    decision.pending = resolved.pending.iter().map(pending).collect();
    decision.avoided = resolved.avoided;
    decision.contraindicated = resolved.contraindicated;
    decision.included = included(&pass.includes);
    decision.conflicts = resolved.conflicts;
    decision.orders = pass.orders;
    decision.referrals = pass.referrals;
    decision.flags = pass.flags;
    pass.trace
}

/// One entry per option: its smallest tier, the rules of every naming action,
/// true if any naming action is true.
fn merge(candidates: &[Candidate]) -> Vec<Candidate> {
    let mut merged: Vec<Candidate> = Vec::new();
    for c in candidates {
        match merged.iter_mut().find(|m| m.option == c.option) {
            Some(m) => {
                for rule in &c.rules {
                    if !m.rules.contains(rule) {
                        m.rules.push(rule.clone());
                    }
                }
                if c.tier < m.tier {
                    m.tier = c.tier;
                    m.kind = c.kind;
                    m.action = c.action.clone();
                }
                m.truth = m.truth.clone().or(c.truth.clone());
                for f in &c.fallbacks {
                    if !m.fallbacks.contains(f) {
                        m.fallbacks.push(f.clone());
                    }
                }
                for r in &c.fallback_rules {
                    if !m.fallback_rules.contains(r) {
                        m.fallback_rules.push(r.clone());
                    }
                }
            }
            None => merged.push(c.clone()),
        }
    }
    merged
}

fn to_placed(c: &Candidate) -> Placed {
    Placed {
        option: c.option.clone(),
        kind: c.kind,
        tier: c.tier,
        rank: 0,
        rules: c.rules.clone(),
        action: c.action.clone(),
        support: match &c.truth {
            Truth::Unknown(s) => s.clone(),
            _ => Support::default(),
        },
        held_by_avoid: None,
    }
}

/// Adds an order, referral or flag unless an identical one (same code and
/// text) is already listed.
fn push_message(list: &mut Vec<Message>, message: &Option<Message>) {
    if let Some(m) = message {
        if !list.contains(m) {
            list.push(m.clone());
        }
    }
}

fn push_new(mut list: Vec<String>, item: String) -> Vec<String> {
    if !list.contains(&item) {
        list.push(item);
    }
    list
}

/// Ranks are dense over recommended ∪ pending tiers.
fn rank(recommended: &mut [Placed], pending: &mut [Placed]) {
    let mut tiers: Vec<u32> = recommended
        .iter()
        .chain(pending.iter())
        .map(|p| p.tier)
        .collect();
    tiers.sort_unstable();
    tiers.dedup();
    let dense = |tier: u32| {
        tiers
            .iter()
            .position(|t| *t == tier)
            .map_or(1, |i| i as u32 + 1)
    };
    for p in recommended.iter_mut().chain(pending.iter_mut()) {
        p.rank = dense(p.tier);
    }
    recommended.sort_by_key(|p| p.rank);
    pending.sort_by_key(|p| p.rank);
}

fn recommendation(p: &Placed) -> Recommendation {
    Recommendation {
        option: p.option.clone(),
        rank: p.rank,
        kind: p.kind,
        rules: p.rules.clone(),
        goal: p.action.goal.clone(),
        evidence: p.action.evidence.clone(),
        citations: p.action.citations.clone(),
        role: p.action.role.clone(),
        notes: p.action.notes.clone(),
    }
}

fn pending(p: &Placed) -> Pending {
    Pending {
        option: p.option.clone(),
        rank: p.rank,
        kind: p.kind,
        rules: p.rules.clone(),
        missing: p
            .support
            .facts
            .iter()
            .map(|f| to_item(f, Vec::new()))
            .collect(),
    }
}

fn included(includes: &[(String, Option<String>, String)]) -> Vec<Included> {
    let mut out: Vec<Included> = Vec::new();
    for (option, reason, rule) in includes {
        match out.iter_mut().find(|i| &i.option == option) {
            Some(i) => {
                if !i.rules.contains(rule) {
                    i.rules.push(rule.clone());
                }
            }
            None => out.push(Included {
                option: option.clone(),
                reason: reason.clone(),
                rules: vec![rule.clone()],
            }),
        }
    }
    out
}
