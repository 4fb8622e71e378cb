//! The decision semantics: the walk over the rules (`pass.rs`) stratum by
//! stratum (`stratified.rs`), resolved into options, ranks and status
//! (`resolve.rs`), and here the missing facts that could change it.

use super::delta::{self, Change, Delta};
use super::few::{FewMap, FewSet};
use super::output::OptionKind;
use super::output::{Decision, Indeterminate, MissingItem, Text, TraceEntry};
use super::pass::{Core, Pass, Unit};
use super::resolve::Resolved;
use super::stratified::Stratified;
use super::{ActionKind, ActionOutcome, RuleOutcome, Vocabulary};
use crate::check::ir::VocabId;
use crate::eval::outcome::{DecisionView, HigherStrata};
use crate::eval::truth::Missing;
use crate::eval::truth::Truth;
use std::cell::OnceCell;

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
    let relevant: FewSet<Unit> = relevant_units(&mut rules, &base, &base_core)
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
        .then(|| base.view_of(&resolved.0, vocab, rules.outcomes.len()));
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
/// walk already differs needs no forced-false walk. Without higher strata
/// each forced walk is first judged from its rule alone ([`Delta`]), and
/// walked only when that cannot settle it.
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
    if both_walks {
        for (unit, _) in &base.unknowns {
            let true_differs = rules.settle(&[(*unit, true)]).core(vocab, reasons) != *base_core;
            let false_differs = rules.settle(&[(*unit, false)]).core(vocab, reasons) != *base_core;
            if true_differs || false_differs {
                relevant.push(*unit);
            }
        }
        return relevant;
    }
    // Without higher strata a forced walk is the decision's with one rule
    // changed: most are seen from that rule alone, the rest walked.
    let rules: &Stratified<'_, '_> = rules;
    let seen = Seen::of(base, base_core);
    // Indexing the walk costs about a resolution: done once a unit needs it.
    let delta = OnceCell::new();
    let outcomes = &rules.outcomes;
    let judged = |unit: Unit, value: bool| {
        if !delta::applies(outcomes, unit) {
            return Change::Unsure;
        }
        let delta =
            delta.get_or_init(|| Delta::new(outcomes, base, base_core.resolved(), vocab, reasons));
        delta.change(unit, value)
    };
    let differs = |unit: Unit, value: bool| match judged(unit, value) {
        Change::Same => false,
        Change::Differs => true,
        Change::Unsure => rules.settle_flat(&[(unit, value)]).core(vocab, reasons) != *base_core,
    };
    for (unit, _) in &base.unknowns {
        let shows = forcing_true_shows(*unit, &rules.outcomes, &seen, vocab);
        if shows || differs(*unit, true) || differs(*unit, false) {
            relevant.push(*unit);
        }
    }
    relevant
}

/// Whether forcing `unit` true is sure to change the decision, seen without
/// walking the rules again: true when the unit is the condition of a rule
/// that is not `stop`, or the `if` of one of its actions under a true
/// condition, and forcing it makes a known order, referral or flag the walk
/// does not list, recommends an option that is only pending (no avoid
/// reaches it), or avoids an option the walk does not list as avoided.
/// Such a forced walk differs from the decision's only in what that rule
/// does (every other rule's truths stay, and no tier moves: the rule's
/// actions are reached either way), so the test is exact; `false` leaves
/// the unit to the walks. Only for protocols of one stratum.
fn forcing_true_shows<'p>(
    unit: Unit,
    outcomes: &[RuleOutcome<'p>],
    seen: &Seen<'_, 'p>,
    vocab: &dyn Vocabulary,
) -> bool {
    let Some(rule) = outcomes.get(unit.rule) else {
        return false;
    };
    if rule.stop || unit.member.is_some() {
        return false;
    }
    let touches = |kind: ActionKind| matches!(kind, ActionKind::Include | ActionKind::Status);
    if rule.actions.iter().any(|a| touches(a.kind)) {
        return false;
    }
    let forced_actions: Vec<&ActionOutcome<'p>> = match unit.action {
        None => rule
            .actions
            .iter()
            .filter(|a| a.guard == Truth::True)
            .map(|a| &**a)
            .collect(),
        Some(j) if rule.condition == Truth::True => {
            rule.actions.get(j).map(|a| &**a).into_iter().collect()
        }
        Some(_) => return false,
    };
    forced_actions
        .iter()
        .any(|action| action_shows(action, seen, vocab))
}

/// What the decision's walk settled, as [`forcing_true_shows`] reads it.
struct Seen<'a, 'p> {
    pass: &'a Pass<'p>,
    resolved: &'a Resolved<'p>,
    /// Every target of the walk's avoids, known or not, each once.
    avoid_targets: Vec<VocabId>,
    avoided: FewSet<VocabId>,
}

impl<'a, 'p> Seen<'a, 'p> {
    fn of(pass: &'a Pass<'p>, core: &'a Core<'_, 'p>) -> Seen<'a, 'p> {
        let resolved = core.resolved();
        let mut targets = FewSet::default();
        let avoid_targets = pass
            .avoids
            .iter()
            .map(|a| a.target)
            .filter(|t| targets.insert(*t))
            .collect();
        Seen {
            pass,
            resolved,
            avoid_targets,
            avoided: resolved.avoided.iter().map(|a| a.option).collect(),
        }
    }
}

/// Whether an action, known to apply once its unit is forced, changes what
/// the walk `base` resolved to (see [`forcing_true_shows`]).
fn action_shows<'p>(
    action: &ActionOutcome<'p>,
    seen: &Seen<'_, 'p>,
    vocab: &dyn Vocabulary,
) -> bool {
    let known_members = || action.options.iter().filter(|o| o.member == Truth::True);
    match action.kind {
        ActionKind::Order | ActionKind::Refer | ActionKind::Flag => action
            .message
            .is_some_and(|m| !seen.pass.lists(action.kind, m)),
        ActionKind::Recommend | ActionKind::Consider => {
            known_members().any(|o| only_pending(o.id, seen, vocab))
        }
        ActionKind::Avoid => known_members().any(|o| {
            let listed = seen.avoided.contains(&o.id);
            let included = seen.pass.includes.iter().any(|i| i.option == o.id);
            vocab.is_option(o.id) && !listed && !included
        }),
        _ => false,
    }
}

/// Whether `option` is pending once, as itself (not a fallback), is not
/// recommended, and no avoid of the walk reaches it: a true candidate for
/// it would recommend it.
fn only_pending(option: VocabId, seen: &Seen<'_, '_>, vocab: &dyn Vocabulary) -> bool {
    let resolved = seen.resolved;
    let recommended = resolved.recommended.iter().any(|p| p.option == option);
    let mut pending = resolved.pending.iter().filter(|p| p.option == option);
    let once_as_itself = match (pending.next(), pending.next()) {
        (Some(p), None) => p.kind != OptionKind::Fallback && p.held_by_avoid.is_none(),
        _ => false,
    };
    let avoided = seen.avoid_targets.iter().any(|t| vocab.has(option, *t));
    once_as_itself && !recommended && !avoided
}

/// One item per distinct fact, in the order first found, each with the
/// rules that read it (each once, in the order found).
fn missing_items<'p>(found: &[(usize, Missing, &'p str)]) -> Vec<MissingItem<'p>> {
    let mut list: Vec<MissingItem<'p>> = Vec::new();
    let mut at: FewMap<&Missing, usize> = FewMap::default();
    let mut listed: FewSet<(usize, &'p str)> = FewSet::default();
    for (_, fact, rule) in found {
        at.insert_new(fact, list.len());
        let index = at.get(&fact).copied().unwrap_or(list.len());
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

    /// Runs `check` on the rules of every example case that loads: the case's
    /// line, its stratified rules, the protocol's vocabulary and reasons.
    fn for_each_example_case(
        mut check: impl FnMut(&str, &mut Stratified<'_, '_>, &dyn Vocabulary, &[String]),
    ) {
        let examples = examples();
        assert!(examples.len() > 50, "the example folders were not found");
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
                check(line, &mut rules, vocab, reasons);
            }
        }
    }

    /// The lean resolution relevance compares agrees with the full one the
    /// decision is filled from, on the decision's walk and on every forced
    /// walk of every example case.
    #[test]
    fn the_lean_core_agrees_with_the_full_resolution_on_every_walk() {
        let mut walks = 0;
        for_each_example_case(|line, rules, vocab, reasons| {
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
        });
        assert!(walks > 100, "only {walks} walks");
    }

    /// What relevance sees from a forced unit's rule alone is what the
    /// forced walk resolves to, on every unit of every example case of one
    /// stratum.
    #[test]
    fn the_change_seen_from_one_rule_agrees_with_the_forced_walk() {
        let (mut seen, mut walks) = (0, 0);
        for_each_example_case(|line, rules, vocab, reasons| {
            if rules.evaluates_on_every_walk() {
                return;
            }
            let base = rules.settle_flat(&[]);
            let core = Core::full(&base, vocab, reasons);
            let delta = Delta::new(&rules.outcomes, &base, core.resolved(), vocab, reasons);
            for (unit, value) in base
                .unknowns
                .iter()
                .flat_map(|(u, _)| [(*u, true), (*u, false)])
            {
                let forced = rules.settle_flat(&[(unit, value)]);
                let differs = forced.core(vocab, reasons) != core;
                match delta.change(unit, value) {
                    Change::Same => assert!(!differs, "{line} {unit:?} {value}"),
                    Change::Differs => assert!(differs, "{line} {unit:?} {value}"),
                    Change::Unsure => walks += 1,
                }
                seen += 1;
            }
        });
        assert!(seen > 100, "only {seen} units seen");
        eprintln!("{seen} forced units, {walks} left to a walk");
    }
}
