//! Rules run on a case: every condition and action evaluated into outcomes
//! for the decision, and the reports.

use super::expr::Evaluator;
use super::outcome::{ActionOutcome, DecisionView, HigherStrata, OptionOutcome, RuleOutcome};
use super::show::{display, to_json};
use super::truth::{Support, Truth};
use super::value::{Val, Value, VocabValue};
use crate::check::ir::{self, Citations, Modifier, OptionName, Options};
use std::collections::BTreeMap;

impl<'p> Evaluator<'p> {
    /// Every rule's outcome, in file order: the rules of stratum 0 evaluated,
    /// the others not yet (they read the decision of the strata below).
    ///
    /// Stratum 0 runs in file order, so a `stop` rule known to be true ends
    /// it for every walk of the assembly (forcing changes only unknowns): the
    /// rules after it are never reached, and are not evaluated.
    pub fn outcomes(&mut self) -> Vec<RuleOutcome<'p>> {
        let protocol = self.protocol;
        let mut stopped = false;
        protocol
            .rules
            .iter()
            .map(|def| {
                if def.stratum != 0 || stopped {
                    return not_yet(def);
                }
                let outcome = self.rule_outcome(def);
                stopped = def.stop && outcome.condition == Truth::True;
                outcome
            })
            .collect()
    }

    fn rule_outcome(&mut self, def: &'p ir::Rule) -> RuleOutcome<'p> {
        self.matches.clear();
        let mut condition = Truth::True;
        for guard in &def.guards {
            condition = condition.and(self.condition(guard));
        }
        if condition != Truth::False {
            condition = condition.and(self.condition(&def.when));
        }
        let mut history = Vec::new();
        for m in std::mem::take(&mut self.matches) {
            if !history.contains(&m) {
                history.push(m);
            }
        }
        // A rule whose condition is false does nothing, whatever its actions
        // would give (the decision never reads them, even when it forces
        // unknowns), so they are not evaluated.
        let actions = match condition {
            Truth::False => Vec::new(),
            _ => def
                .actions
                .iter()
                .map(|a| std::rc::Rc::new(self.action_outcome(a)))
                .collect(),
        };
        RuleOutcome {
            name: &def.name,
            at: &def.at,
            stop: def.stop,
            condition,
            actions,
            history,
            failure: self.failure.take(),
        }
    }

    fn action_outcome(&mut self, action: &'p ir::Action) -> ActionOutcome<'p> {
        let mut outcome = ActionOutcome {
            kind: action.kind,
            guard: Truth::True,
            options: Vec::new(),
            components: matches!(action.options, Options::Components(_)),
            fallbacks: Vec::new(),
            rank: None,
            unranked: false,
            goal: None,
            evidence: None,
            citations: std::borrow::Cow::Owned(Citations::default()),
            role: None,
            notes: Vec::new(),
            code: None,
            because: None,
            message: action.message.as_ref(),
        };
        match &action.options {
            Options::Each(binding) => self.each_options(binding, action, &mut outcome),
            Options::List(names) | Options::Components(names) => {
                outcome.options = names.iter().filter_map(|n| self.option(n)).collect();
                self.modifiers(action, &mut outcome);
            }
            Options::None => self.modifiers(action, &mut outcome),
        }
        outcome
    }

    /// An option by name, or the one a bound variable holds (none when it
    /// holds no declared option).
    fn option(&self, name: &OptionName) -> Option<OptionOutcome> {
        let id = match name {
            OptionName::Named(id) => *id,
            OptionName::Local(slot) => match self.local(*slot) {
                Val::Known(Value::Vocab(VocabValue::Known(id))) => id,
                _ => return None,
            },
        };
        Some(OptionOutcome {
            id,
            member: Truth::True,
        })
    }

    /// `each a in S where P`: one option per member, with `P`'s truth; the
    /// modifiers are read with `a` bound (the first member's, for shared
    /// text; an unknown value when there is no member).
    fn each_options(
        &mut self,
        binding: &ir::Binding,
        action: &'p ir::Action,
        outcome: &mut ActionOutcome<'p>,
    ) {
        match self.filtered(binding) {
            Ok(members) => {
                for (member, keep) in members {
                    if let Val::Known(Value::Vocab(VocabValue::Known(id))) = &member {
                        outcome.options.push(OptionOutcome {
                            id: *id,
                            member: keep,
                        });
                    }
                    if outcome.notes.is_empty() {
                        self.with_local(member, |ev| ev.modifiers(action, outcome));
                    }
                }
                if outcome.options.is_empty() {
                    self.without_member(action, outcome);
                }
            }
            Err(support) => {
                outcome.guard = Truth::Unknown(support);
                self.without_member(action, outcome);
            }
        }
    }

    /// The modifiers of an `each` action that has no member to bind.
    fn without_member(&mut self, action: &'p ir::Action, outcome: &mut ActionOutcome<'p>) {
        let nothing = Val::Unknown(Support::default());
        self.with_local(nothing, |ev| ev.modifiers(action, outcome));
    }

    fn modifiers(&mut self, action: &'p ir::Action, outcome: &mut ActionOutcome<'p>) {
        // Read once per member under `each`: what they add to is read afresh,
        // so a citation or fallback is listed once, not once per member.
        outcome.notes.clear();
        outcome.citations = std::borrow::Cow::Owned(Citations::default());
        outcome.fallbacks.clear();
        for m in &action.modifiers {
            match m {
                Modifier::Rank(n) => outcome.rank = Some(*n),
                Modifier::Unranked => outcome.unranked = true,
                Modifier::Goal(g) => outcome.goal = Some(g),
                Modifier::Evidence(e) => outcome.evidence = Some(e),
                Modifier::Code(c) => outcome.code = Some(c),
                Modifier::Because(e) => outcome.because = Some(self.text_of(e)),
                Modifier::Role(r) => outcome.role = Some(r),
                Modifier::Note(e) => outcome.notes.push(self.text_of(e)),
                Modifier::Fallback(f) => outcome.fallbacks.push(*f),
                Modifier::If(c) => outcome.guard = self.condition(c),
                Modifier::Cite(texts) if outcome.citations.is_empty() => {
                    outcome.citations = std::borrow::Cow::Borrowed(texts);
                }
                Modifier::Cite(texts) => outcome.citations.to_mut().extend(texts),
            }
        }
    }

    /// An expression's value as text, for `note` and `because`.
    fn text_of(&mut self, e: &ir::Expr) -> String {
        match self.eval(e) {
            Val::Known(v) => display(self.protocol, &v),
            Val::Unknown(_) => "unknown".to_string(),
        }
    }

    /// The protocol's reports: known values, and unknown ones with what would
    /// settle them. A list with undecided members gives its definite members
    /// and lists what would decide the others in `unknown_reports`. Of
    /// reports sharing a name, the first (in file order) whose `only when` is
    /// not false gives the value; the later ones are not evaluated.
    pub fn reports(&mut self) -> Reports {
        let mut out = Reports::default();
        let protocol = self.protocol;
        let mut given: Vec<&str> = Vec::new();
        for report in &protocol.reports {
            if given.contains(&report.name.as_str()) {
                continue;
            }
            let shown = match &report.only_when {
                Some(cond) => self.condition(cond),
                None => Truth::True,
            };
            let value = match shown {
                Truth::False => continue,
                Truth::Unknown(s) => Val::Unknown(s),
                Truth::True => self.eval(&report.value),
            };
            given.push(&report.name);
            let name = report.name.clone();
            match value {
                Val::Known(Value::List(items))
                    if items.iter().any(|i| !matches!(i, Val::Known(_))) =>
                {
                    out.unknown(name, &unknown_members(&items));
                }
                Val::Known(Value::Partial(p)) => {
                    out.known
                        .insert(name.clone(), to_json(protocol, &Value::List(p.definite())));
                    out.unknown(name, &p.support().union(&unknown_members(&p.definite())));
                }
                // An interval no fact can narrow (a censored value) is the
                // report's value; one that facts could narrow is unknown.
                Val::Known(Value::Bounds(b)) if b.support.facts().is_empty() => {
                    out.known.insert(name, to_json(protocol, &Value::Bounds(b)));
                }
                Val::Known(Value::Bounds(b)) => out.unknown(name, &b.support),
                Val::Known(v) => {
                    out.known.insert(name, to_json(protocol, &v));
                }
                Val::Unknown(s) => out.unknown(name, &s),
            }
        }
        out
    }
}

impl<'p> HigherStrata<'p> for Evaluator<'p> {
    fn stratum_outcomes(
        &mut self,
        stratum: u32,
        view: DecisionView,
    ) -> Vec<(usize, RuleOutcome<'p>)> {
        self.set_view(view);
        let protocol = self.protocol;
        protocol
            .rules
            .iter()
            .enumerate()
            .filter(|(_, def)| def.stratum == stratum)
            .map(|(i, def)| (i, self.rule_outcome(def)))
            .collect()
    }
}

/// A rule not evaluated: of a higher stratum before its stratum runs, or
/// after a true `stop` rule. It has done nothing.
fn not_yet(def: &ir::Rule) -> RuleOutcome<'_> {
    RuleOutcome {
        name: &def.name,
        at: &def.at,
        stop: def.stop,
        condition: Truth::False,
        actions: Vec::new(),
        history: Vec::new(),
        failure: None,
    }
}

/// The reports of one case.
#[derive(Debug, Default)]
pub struct Reports {
    /// Known values by report name.
    pub known: BTreeMap<String, serde_json::Value>,
    /// Unknown (or partly unknown) reports, with what would settle them.
    pub unknown: BTreeMap<String, Support>,
    /// Reports left unknown by what no fact settles: report name and reason.
    pub indeterminate: Vec<(String, String)>,
}

impl Reports {
    fn unknown(&mut self, name: String, support: &Support) {
        if support.is_indeterminate() {
            self.indeterminate.push((name.clone(), support.reason()));
        }
        self.unknown.insert(name, support.clone());
    }
}

/// What would settle the members of a list whose values are unknown.
fn unknown_members(items: &[Val]) -> Support {
    let mut all = Support::default();
    for item in items {
        if let Val::Unknown(s) = item {
            all.merge(s);
        }
    }
    all
}
