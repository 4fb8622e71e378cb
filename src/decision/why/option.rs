//! `:whynot OPTION`: whether the decision recommends, holds pending, avoids
//! or contraindicates an option, and otherwise which rules could have
//! recommended it and the first parts of their conditions that failed.

use super::tree::{parts, Explainer};
use super::{item_words, outcome_words, Run};
use crate::check::ir::{self, ActionKind, Modifier, OptionName, Options, VocabId};
use crate::decision::output::{OptionKind, TraceResult};
use crate::eval::model::Protocol;
use crate::eval::truth::Truth;
use crate::source::Sources;
use crate::syntax::ast::BinOp;

impl Run<'_> {
    /// The lines of `:whynot OPTION`.
    pub(super) fn why_not(&self, sources: &Sources, id: VocabId) -> Vec<String> {
        let name = self.protocol.vocab.name(id);
        if let Some(lines) = self
            .recommended(name)
            .or_else(|| self.pending(name))
            .or_else(|| self.avoided(name))
            .or_else(|| self.contraindicated(name))
        {
            return lines;
        }
        let rules = recommending_rules(self.protocol, id);
        if rules.is_empty() {
            return vec![format!(
                "{name} is not recommended: no rule of the protocol recommends or considers it"
            )];
        }
        let mut out = vec![format!(
            "{name} is not recommended; the rules that could recommend it:"
        )];
        for index in rules {
            self.why_not_by(sources, index, id, &mut out);
        }
        out
    }

    /// `X is recommended: rank 1, by rule R (place)`.
    fn recommended(&self, name: &str) -> Option<Vec<String>> {
        let r = self
            .decision
            .recommendations
            .iter()
            .find(|r| r.option == name)?;
        let verb = match r.kind {
            OptionKind::Consider => "considered",
            _ => "recommended",
        };
        let mut out = vec![format!("{name} is {verb}: rank {}", r.rank)];
        out.extend(
            r.rules
                .iter()
                .map(|rule| format!("  by rule {}", self.named(rule))),
        );
        Some(out)
    }

    /// `X is pending`, with the facts that would settle it and its rules.
    fn pending(&self, name: &str) -> Option<Vec<String>> {
        let p = self.decision.pending.iter().find(|p| p.option == name)?;
        let mut out = vec![format!(
            "{name} is pending: it would have rank {} once these facts are known",
            p.rank
        )];
        out.extend(
            p.missing
                .iter()
                .map(|m| format!("  missing: {}", item_words(m))),
        );
        out.extend(
            p.rules
                .iter()
                .map(|rule| format!("  rule involved: {}", self.named(rule))),
        );
        Some(out)
    }

    /// `X is avoided`, with the rule, its code and its reason.
    fn avoided(&self, name: &str) -> Option<Vec<String>> {
        let a = self.decision.avoided.iter().find(|a| a.option == name)?;
        let mut head = format!("{name} is avoided");
        if let Some(code) = &a.code {
            head.push_str(&format!(": code {code}"));
        }
        let mut out = vec![head];
        if let Some(what) = &a.because {
            out.push(format!("  because it contains {what}, which is avoided"));
        }
        if let Some(reason) = &a.reason {
            out.push(format!("  reason: {reason}"));
        }
        out.extend(
            a.rules
                .iter()
                .map(|rule| format!("  by rule {}", self.named(rule))),
        );
        Some(out)
    }

    /// `X is contraindicated`: an agent a known `avoid` names, with its
    /// rule, code and reason.
    fn contraindicated(&self, name: &str) -> Option<Vec<String>> {
        let c = self
            .decision
            .contraindicated
            .iter()
            .find(|c| c.what == name)?;
        let mut head = format!("{name} is contraindicated");
        if let Some(code) = &c.code {
            head.push_str(&format!(": code {code}"));
        }
        let mut out = vec![head];
        if let Some(reason) = &c.reason {
            out.push(format!("  reason: {reason}"));
        }
        out.extend(
            c.rules
                .iter()
                .map(|rule| format!("  by rule {}", self.named(rule))),
        );
        Some(out)
    }

    /// `NAME (file:line:col)` of a rule named in the decision.
    fn named(&self, rule: &str) -> String {
        match self.protocol.rules.iter().find(|r| r.name == rule) {
            Some(r) => format!("{} ({})", r.name, r.at),
            None => rule.to_string(),
        }
    }

    /// Why rule `index`, which could recommend option `id`, did not.
    fn why_not_by(&self, sources: &Sources, index: usize, id: VocabId, out: &mut Vec<String>) {
        let Some(rule) = self.protocol.rules.get(index) else {
            return;
        };
        let result = self.traced(&rule.name).map(|t| t.result);
        out.push(format!(
            "  rule {} ({}): {}",
            rule.name,
            rule.at,
            outcome_words(result)
        ));
        let mut explainer = self.explainer(sources, index);
        match result {
            Some(TraceResult::NotReached) | None => out.push(format!("  {}", self.not_reached())),
            Some(TraceResult::True) => action_guards(&mut explainer, rule, id, out),
            Some(_) => failed_conjuncts(&mut explainer, rule, out),
        }
    }
}

/// The first false or unknown conjuncts of a rule's condition (its
/// section guards, then its `when`), up to the first false one.
fn failed_conjuncts<'p>(
    explainer: &mut Explainer<'_, 'p>,
    rule: &'p ir::Rule,
    out: &mut Vec<String>,
) {
    let guards = rule.guards.iter().flat_map(|g| parts(g, BinOp::And));
    for part in guards.chain(parts(&rule.when, BinOp::And)) {
        let truth = explainer.truth(part);
        if truth != Truth::True {
            out.push(explainer.leaf(part, 2, ""));
        }
        if truth == Truth::False {
            break;
        }
    }
}

/// Why a rule that fired did not recommend `id`: the `if` of its actions
/// that name it.
fn action_guards(
    explainer: &mut Explainer<'_, '_>,
    rule: &ir::Rule,
    id: VocabId,
    out: &mut Vec<String>,
) {
    let mut told = false;
    for action in rule.actions.iter().filter(|a| names(a, id)) {
        if matches!(action.options, Options::Each(_)) {
            out.push(
                "    its `each` did not take this option on this case \
                 (the set it ranges over, or its `where`, left it out)"
                    .to_string(),
            );
            told = true;
        }
        for m in &action.modifiers {
            if let Modifier::If(condition) = m {
                let text = format!("its action's if {}", explainer.quote(condition.span));
                out.push(explainer.leaf_labelled(condition, 2, &text));
                told = true;
            }
        }
    }
    if !told {
        out.push(
            "    it fired, but the option did not survive the decision's resolution".to_string(),
        );
    }
}

/// The rules with a `recommend` or `consider` that names `id`, or names it
/// as a fallback, in file order.
fn recommending_rules(protocol: &Protocol, id: VocabId) -> Vec<usize> {
    let could = |rule: &ir::Rule| rule.actions.iter().any(|a| names(a, id));
    protocol
        .rules
        .iter()
        .enumerate()
        .filter(|(_, r)| could(r))
        .map(|(i, _)| i)
        .collect()
}

/// Whether a `recommend` or `consider` names `id` (as an option or a
/// fallback), or may reach it through `each`: which members an `each` takes
/// depends on the case, so such a rule is always among those that could
/// (leaving it out would answer "no rule recommends it", which may be wrong).
fn names(action: &ir::Action, id: VocabId) -> bool {
    if !matches!(action.kind, ActionKind::Recommend | ActionKind::Consider) {
        return false;
    }
    let listed = match &action.options {
        Options::List(names) | Options::Components(names) => names.contains(&OptionName::Named(id)),
        Options::Each(_) => true,
        Options::None => false,
    };
    listed || action.modifiers.contains(&Modifier::Fallback(id))
}
