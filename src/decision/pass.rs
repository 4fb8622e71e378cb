//! One walk over the rules in evaluation order, with some unknowns forced:
//! what each reached rule and action contributes to the decision.

use super::output::{Decision, Message, OptionKind, Status, TraceEntry, TraceResult};
use super::resolve::{fill, merge, Resolved, Resolver};
use super::{ActionKind, ActionOutcome, RuleOutcome, Vocabulary};
use crate::eval::outcome::DecisionView;
use crate::eval::truth::{Support, Truth};

/// One unknown that relevance forces true and false: a rule's condition, an
/// action's `if`, or one member of an `each`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Unit {
    pub(super) rule: usize,
    pub(super) action: Option<usize>,
    pub(super) member: Option<usize>,
}

/// Unknowns forced to a value for one relevance test (none for the decision itself).
pub(super) type Force<'a> = &'a [(Unit, bool)];

/// An option some reached action names.
#[derive(Debug, Clone)]
pub(super) struct Candidate {
    pub(super) option: String,
    pub(super) kind: OptionKind,
    pub(super) tier: u32,
    pub(super) rules: Vec<String>,
    pub(super) truth: Truth,
    pub(super) action: std::rc::Rc<ActionOutcome>,
    pub(super) fallbacks: Vec<String>,
    /// The rules whose actions named the fallbacks.
    pub(super) fallback_rules: Vec<String>,
}

/// A reached `avoid` of one target.
#[derive(Debug, Clone)]
pub(super) struct Avoid {
    pub(super) target: String,
    pub(super) truth: Truth,
    pub(super) code: Option<String>,
    pub(super) because: Option<String>,
    pub(super) rule: String,
}

/// One walk over the rules, with at most one unknown forced.
#[derive(Default)]
pub(super) struct Pass {
    pub(super) candidates: Vec<Candidate>,
    pub(super) avoids: Vec<Avoid>,
    pub(super) includes: Vec<(String, Option<String>, String)>,
    pub(super) orders: Vec<Message>,
    pub(super) referrals: Vec<Message>,
    pub(super) flags: Vec<Message>,
    /// Fired `missing "…"` actions: rule index, text, rule name.
    pub(super) missing_actions: Vec<(usize, String, String)>,
    pub(super) stop_status: Option<String>,
    pub(super) unknown_stop: bool,
    /// Whether a reached `stop` rule (true or unknown) ended the walk.
    pub(super) stopped: bool,
    /// Each reached rule's condition (forced where forced), by file index.
    pub(super) conditions: Vec<(usize, Truth)>,
    /// The failure of the first reached rule that could not be evaluated.
    pub(super) failure: Option<String>,
    pub(super) trace: Vec<TraceEntry>,
    pub(super) unknowns: Vec<(Unit, Support)>,
    pub(super) max_tier: u32,
}

impl Pass {
    /// Walks the rules in `order` (file indices, in evaluation order).
    /// `record_conditions` keeps each condition for the view later strata or
    /// reports read; `traced` writes the trace (of the decision's own pass,
    /// not of those that force unknowns).
    pub(super) fn run(
        outcomes: &[RuleOutcome],
        order: &[usize],
        force: Force<'_>,
        record_conditions: bool,
        traced: bool,
    ) -> Pass {
        let mut pass = Pass::default();
        for (i, rule) in order.iter().filter_map(|i| Some((*i, outcomes.get(*i)?))) {
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
    pub(super) fn unknown_avoids(
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
    pub(super) fn view(
        &self,
        vocab: &dyn Vocabulary,
        reasons: &[String],
        rules: usize,
    ) -> DecisionView {
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

    pub(super) fn note_unknown(&mut self, unit: Unit, truth: &Truth) {
        if let Truth::Unknown(s) = truth {
            self.unknowns.push((unit, s.clone()));
        }
    }

    pub(super) fn action(
        &mut self,
        rule: &RuleOutcome,
        i: usize,
        j: usize,
        action: &std::rc::Rc<ActionOutcome>,
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

    pub(super) fn member_truth(
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

    pub(super) fn options(
        &mut self,
        rule: &RuleOutcome,
        i: usize,
        j: usize,
        action: &std::rc::Rc<ActionOutcome>,
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

    pub(super) fn avoid(
        &mut self,
        rule: &RuleOutcome,
        i: usize,
        j: usize,
        action: &std::rc::Rc<ActionOutcome>,
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
    pub(super) fn core(&self, vocab: &dyn Vocabulary, reasons: &[String]) -> Core {
        Core::of(self, vocab, reasons)
    }

    pub(super) fn finish(
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
pub(super) struct Core {
    pub(super) status: Status,
    pub(super) options: Vec<(String, u32, bool)>,
    pub(super) avoided: Vec<String>,
    pub(super) included: Vec<String>,
    pub(super) messages: Vec<Message>,
}

impl Core {
    pub(super) fn of(pass: &Pass, vocab: &dyn Vocabulary, reasons: &[String]) -> Core {
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

pub(super) fn forced(truth: &Truth, unit: Unit, force: Force<'_>) -> Truth {
    match force.iter().find(|(u, _)| *u == unit) {
        Some((_, value)) if truth.is_unknown() => Truth::known(*value),
        _ => truth.clone(),
    }
}

pub(super) fn trace(rule: &RuleOutcome, result: TraceResult) -> TraceEntry {
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

pub(super) fn trace_result(truth: &Truth) -> TraceResult {
    match truth {
        Truth::True => TraceResult::True,
        Truth::False => TraceResult::False,
        Truth::Unknown(_) => TraceResult::Unknown,
    }
}

/// Adds an order, referral or flag unless an identical one (same code and
/// text) is already listed.
pub(super) fn push_message(list: &mut Vec<Message>, message: &Option<Message>) {
    if let Some(m) = message {
        if !list.contains(m) {
            list.push(m.clone());
        }
    }
}
