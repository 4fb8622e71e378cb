//! The decision semantics: the walk over the rules (`pass.rs`) stratum by
//! stratum (`stratified.rs`), resolved into options, ranks and status
//! (`resolve.rs`), and here the missing facts that could change it.

use super::output::{Decision, Indeterminate, MissingItem, Text, TraceEntry};
use super::pass::{Core, Pass, Unit};
use super::stratified::Stratified;
use super::{RuleOutcome, Vocabulary};
use crate::eval::outcome::{DecisionView, HigherStrata};
use crate::eval::truth::Missing;
use std::collections::{HashMap, HashSet};

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
    vocab: &'p dyn Vocabulary,
    reasons: &[String],
    wants: Wants,
    decision: &mut Decision<'p>,
) -> Assembled {
    let mut rules = Stratified::new(outcomes, strata, higher, vocab, reasons);
    rules.wants = wants;
    let base = rules.settle(&[]);
    // The decision's own resolution, made once: relevance compares the
    // forced walks with it, and the decision is filled from it.
    let base_core = Core::full(&base, vocab, reasons);
    let mut found: Vec<(usize, Missing, &'p str)> = Vec::new();
    let mut indeterminate = Vec::new();
    let relevant: HashSet<Unit> = relevant_units(&mut rules, &base, &base_core)
        .into_iter()
        .collect();
    for (unit, support) in base.unknowns.iter().filter(|(u, _)| relevant.contains(u)) {
        let rule = rules.name(unit.rule);
        for fact in support.facts() {
            found.push((unit.rule, fact.clone(), rule));
        }
        let listed = |i: &Indeterminate| i.rule.as_deref() == Some(rule);
        if support.is_indeterminate() && !indeterminate.iter().any(listed) {
            indeterminate.push(Indeterminate {
                rule: Some(Text::Borrowed(rule)),
                report: None,
                reason: support.reason(),
            });
        }
    }
    for (index, name, rule) in &base.missing_actions {
        found.push((*index, Missing::Named(name.to_string()), rule));
    }
    found.sort_by_key(|(index, _, _)| *index);
    decision.missing = missing_items(&found);
    decision.indeterminate = indeterminate;
    let resolved = base_core.into_resolved();
    let view = wants
        .view
        .then(|| base.view_of(&resolved, vocab, rules.outcomes.len()));
    let failure = base.failure.clone();
    Assembled {
        trace: base.finish(resolved, vocab, reasons, decision),
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
/// unknown `stop` rule holds the decision at `needs-data` either way). That
/// is: not both equal to the decision itself, so a unit whose forced-true
/// walk already differs needs no forced-false walk.
fn relevant_units(
    rules: &mut Stratified<'_, '_>,
    base: &Pass<'_>,
    base_core: &Core<'_, '_>,
) -> Vec<Unit> {
    let (vocab, reasons) = (rules.vocab, rules.reasons);
    // Higher strata are evaluated afresh on every walk, and what evaluating
    // them warns of is kept: with them, both walks always run.
    let both_walks = rules.evaluates_on_every_walk();
    let mut relevant = Vec::new();
    for (unit, _) in &base.unknowns {
        let true_differs = rules.settle(&[(*unit, true)]).core(vocab, reasons) != *base_core;
        if true_differs && !both_walks {
            relevant.push(*unit);
            continue;
        }
        let false_differs = rules.settle(&[(*unit, false)]).core(vocab, reasons) != *base_core;
        if true_differs || false_differs {
            relevant.push(*unit);
        }
    }
    relevant
}

/// One item per distinct fact, in the order first found, each with the
/// rules that read it (each once, in the order found).
fn missing_items<'p>(found: &[(usize, Missing, &'p str)]) -> Vec<MissingItem<'p>> {
    let mut list: Vec<MissingItem<'p>> = Vec::new();
    let mut at: HashMap<&Missing, usize> = HashMap::new();
    let mut listed: HashSet<(usize, &'p str)> = HashSet::new();
    for (_, fact, rule) in found {
        let index = *at.entry(fact).or_insert(list.len());
        if !listed.insert((index, rule)) {
            continue;
        }
        match list.get_mut(index) {
            Some(MissingItem::Fact { rules, .. } | MissingItem::Named { rules, .. }) => {
                rules.push(Text::Borrowed(rule));
            }
            None => list.push(to_item(fact, vec![Text::Borrowed(rule)])),
        }
    }
    list
}

/// A missing fact in output form.
pub fn to_item<'p>(fact: &Missing, rules: Vec<Text<'p>>) -> MissingItem<'p> {
    match fact {
        Missing::Fact { path, need, why } => MissingItem::Fact {
            path: path.clone(),
            need: need.clone(),
            why: why.clone(),
            rules,
        },
        Missing::Named(name) => MissingItem::Named {
            name: Text::Owned(name.clone()),
            rules,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::case::{load_case_text, LoadOptions};
    use crate::eval::expr::Evaluator;
    use crate::eval::model::Protocol;
    use std::path::Path;

    /// Every protocol folder of `tests/cases/eval` with its cases, and the
    /// DLBCL example with its cases.
    fn examples() -> Vec<(Protocol, String)> {
        let mut folders: Vec<_> = std::fs::read_dir("tests/cases/eval")
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| (e.path().join("protocol.salv"), e.path().join("cases.jsonl")))
            .collect();
        folders.push((
            Path::new("protocols/dlbcl-second-line.salv").to_path_buf(),
            Path::new("examples/dlbcl-cases.jsonl").to_path_buf(),
        ));
        let compiled = folders.into_iter().filter_map(|(protocol, cases)| {
            let protocol = crate::compile_file(&protocol, None).protocol?;
            Some((protocol, std::fs::read_to_string(cases).ok()?))
        });
        compiled.collect()
    }

    /// The lean resolution relevance compares agrees with the full one the
    /// decision is filled from, on the decision's walk and on every forced
    /// walk of every example case.
    #[test]
    fn the_lean_core_agrees_with_the_full_resolution_on_every_walk() {
        let examples = examples();
        assert!(examples.len() > 50, "the example folders were not found");
        let mut walks = 0;
        for (protocol, cases) in &examples {
            for line in cases.lines().filter(|l| !l.trim().is_empty()) {
                let Ok(case) = load_case_text(protocol, line, &LoadOptions::default()) else {
                    continue;
                };
                let as_of = case.as_of.unwrap_or(jiff::civil::date(2026, 1, 1));
                let mut evaluator = Evaluator::new(protocol, &case, as_of);
                let outcomes = evaluator.outcomes();
                let (vocab, reasons) = (&protocol.vocab, &protocol.reasons[..]);
                let mut rules =
                    Stratified::new(outcomes, &protocol.strata, &mut evaluator, vocab, reasons);
                let base = rules.settle(&[]);
                let mut forces = vec![Vec::new()];
                for (unit, _) in &base.unknowns {
                    forces.push(vec![(*unit, true)]);
                    forces.push(vec![(*unit, false)]);
                }
                for force in &forces {
                    let pass = rules.settle(force);
                    let lean = Core::of(&pass, vocab, reasons);
                    assert!(
                        lean == Core::full(&pass, vocab, reasons),
                        "{line} {force:?}"
                    );
                    walks += 1;
                }
            }
        }
        assert!(walks > 100, "only {walks} walks");
    }
}
