//! Resolving a walk's candidates and avoids into the decision: what is
//! recommended, pending or avoided, with ranks and status.

use super::assemble::to_item;
use super::output::{
    Avoided, Conflict, Contraindicated, Decision, Included, OptionKind, Pending, Recommendation,
    Status, TraceEntry, VocabKind,
};
use super::pass::{Avoid, Candidate, Pass};
use super::{ActionOutcome, Vocabulary};
use crate::eval::truth::{Support, Truth};

/// A candidate after avoids: recommended, pending or avoided.
#[derive(Debug, Clone)]
pub(super) struct Placed {
    pub(super) option: String,
    pub(super) kind: OptionKind,
    pub(super) tier: u32,
    pub(super) rank: u32,
    pub(super) rules: Vec<String>,
    pub(super) action: std::rc::Rc<ActionOutcome>,
    pub(super) support: Support,
    /// When an unknown avoid holds it back: that avoid's support.
    pub(super) held_by_avoid: Option<Support>,
}

pub(super) struct Resolved {
    pub(super) status: Status,
    pub(super) recommended: Vec<Placed>,
    pub(super) pending: Vec<Placed>,
    pub(super) avoided: Vec<Avoided>,
    pub(super) contraindicated: Vec<Contraindicated>,
    pub(super) conflicts: Vec<Conflict>,
}

pub(super) struct Resolver<'a> {
    pub(super) pass: &'a Pass,
    pub(super) vocab: &'a dyn Vocabulary,
    pub(super) reasons: &'a [String],
}

impl<'a> Resolver<'a> {
    pub(super) fn new(
        pass: &'a Pass,
        vocab: &'a dyn Vocabulary,
        reasons: &'a [String],
    ) -> Resolver<'a> {
        Resolver {
            pass,
            vocab,
            reasons,
        }
    }

    pub(super) fn resolve(&self) -> Resolved {
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
    pub(super) fn place(
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
    pub(super) fn conflicts(&self) -> Vec<Conflict> {
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
    pub(super) fn fallback(
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
    pub(super) fn hits(&self, option: &str, known: bool) -> Vec<&'a Avoid> {
        self.pass
            .avoids
            .iter()
            .filter(|a| (a.truth == Truth::True) == known && self.vocab.has(option, &a.target))
            .collect()
    }

    pub(super) fn included_by(&self, option: &str) -> Vec<String> {
        self.pass
            .includes
            .iter()
            .filter(|(o, _, _)| o == option)
            .map(|(_, _, rule)| rule.clone())
            .collect()
    }

    /// The avoided entry with the code of highest precedence among the known avoids.
    pub(super) fn avoided_entry(&self, option: &str, known: &[&Avoid]) -> Avoided {
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
    pub(super) fn avoided_regimens(&self, avoided: &mut Vec<Avoided>) {
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

    pub(super) fn contraindicated(&self) -> Vec<Contraindicated> {
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
    pub(super) fn status(
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
pub(super) fn fill(decision: &mut Decision, resolved: Resolved, pass: Pass) -> Vec<TraceEntry> {
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
pub(super) fn merge(candidates: &[Candidate]) -> Vec<Candidate> {
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

pub(super) fn to_placed(c: &Candidate) -> Placed {
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

pub(super) fn push_new(mut list: Vec<String>, item: String) -> Vec<String> {
    if !list.contains(&item) {
        list.push(item);
    }
    list
}

/// Ranks are dense over recommended ∪ pending tiers.
pub(super) fn rank(recommended: &mut [Placed], pending: &mut [Placed]) {
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

pub(super) fn recommendation(p: &Placed) -> Recommendation {
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

pub(super) fn pending(p: &Placed) -> Pending {
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

pub(super) fn included(includes: &[(String, Option<String>, String)]) -> Vec<Included> {
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
