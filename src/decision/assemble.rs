//! The decision semantics: the walk over the rules (`pass.rs`) stratum by
//! stratum (`stratified.rs`), resolved into options, ranks and status
//! (`resolve.rs`), and here the missing facts that could change it.

use super::output::{Decision, Indeterminate, MissingItem, TraceEntry};
use super::pass::{Pass, Unit};
use super::stratified::Stratified;
use super::{RuleOutcome, Vocabulary};
use crate::eval::outcome::{DecisionView, HigherStrata};
use crate::eval::truth::Missing;

/// What the caller wants of the assembly besides the decision.
#[derive(Debug, Clone, Copy, Default)]
pub struct Wants {
    /// The final decision as reports read it.
    pub view: bool,
    /// The trace (for `--explain` and the protocol tests' rule coverage).
    pub trace: bool,
}

/// Assembles the decision from every rule's outcome: writes its status,
/// options, messages, `missing` and `indeterminate` into `decision`, and
/// returns the trace (when wanted, else empty), the final decision as
/// reports read it (when wanted), and the failure of a reached rule, if one
/// failed.
/// `outcomes` holds the rules of stratum 0 evaluated; `higher` evaluates each
/// higher stratum against the decision below it.
pub fn assemble<'p>(
    outcomes: Vec<RuleOutcome<'p>>,
    strata: &[u32],
    higher: &mut dyn HigherStrata<'p>,
    vocab: &dyn Vocabulary,
    reasons: &[String],
    wants: Wants,
    decision: &mut Decision,
) -> Assembled {
    let mut rules = Stratified::new(outcomes, strata, higher, vocab, reasons);
    rules.wants = wants;
    let base = rules.settle(&[]);
    let mut found: Vec<(usize, Missing, &str)> = Vec::new();
    let mut indeterminate = Vec::new();
    let relevant = relevant_units(&mut rules, &base);
    for (unit, support) in base.unknowns.iter().filter(|(u, _)| relevant.contains(u)) {
        let rule = rules.name(unit.rule);
        for fact in support.facts() {
            found.push((unit.rule, fact.clone(), rule));
        }
        let listed = |i: &Indeterminate| i.rule.as_deref() == Some(rule);
        if support.is_indeterminate() && !indeterminate.iter().any(listed) {
            indeterminate.push(Indeterminate {
                rule: Some(rule.to_string()),
                report: None,
                reason: support.reason(),
            });
        }
    }
    for (index, name, rule) in &base.missing_actions {
        found.push((*index, Missing::Named(name.to_string()), rule));
    }
    found.sort_by_key(|(index, _, _)| *index);
    let mut missing: Vec<MissingItem> = Vec::new();
    for (_, fact, rule) in &found {
        add_missing(&mut missing, fact, rule);
    }
    decision.missing = missing;
    decision.indeterminate = indeterminate;
    let view = wants
        .view
        .then(|| base.view(vocab, reasons, rules.outcomes.len()));
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
fn relevant_units(rules: &mut Stratified<'_, '_>, base: &Pass<'_>) -> Vec<Unit> {
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
