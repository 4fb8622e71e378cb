//! Rules run on a case: every condition and action evaluated into outcomes
//! for the decision, and the reports.

use super::expr::Evaluator;
use super::outcome::{ActionOutcome, DecisionView, HigherStrata, OptionOutcome, RuleOutcome};
use super::show::{display, to_json};
use super::truth::{Support, Truth};
use super::value::{Val, Value, VocabValue};
use crate::check::ir::{self, Citations, Modifier, OptionName, Options};
use crate::check::GOALS;
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
            holds: Truth::True,
        };
        match &action.options {
            Options::Each(binding) => self.each_options(binding, action, &mut outcome),
            Options::List(names) | Options::Components(names) => {
                outcome.options = names.iter().filter_map(|n| self.option(n)).collect();
                self.modifiers(action, &mut outcome);
                for option in &mut outcome.options {
                    option.member = outcome.holds.clone();
                }
            }
            Options::None => self.modifiers(action, &mut outcome),
        }
        outcome
    }

    /// An option by name, or the one a bound variable holds (none when it
    /// holds no declared option).
    fn option(&self, name: &OptionName) -> Option<OptionOutcome<'p>> {
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
            own: None,
        })
    }

    /// `each a in S where P`: one option per member, with `P`'s truth; the
    /// modifiers are read with `a` bound: the first member's for the action
    /// (an unknown value when there is no member), and, when a modifier is
    /// an expression, each member's own.
    fn each_options(
        &mut self,
        binding: &ir::Binding,
        action: &'p ir::Action,
        outcome: &mut ActionOutcome<'p>,
    ) {
        let per_member = action.modifiers.iter().any(Modifier::per_member);
        match self.filtered(binding) {
            Ok(members) => {
                for (member, keep) in members {
                    let first = outcome.options.is_empty() && outcome.notes.is_empty();
                    let id = match &member {
                        Val::Known(Value::Vocab(VocabValue::Known(id))) => Some(*id),
                        _ => None,
                    };
                    let own = match per_member && id.is_some() {
                        true => Some(self.member_outcome(action, outcome, member.clone())),
                        false => None,
                    };
                    if first || own.is_none() && outcome.notes.is_empty() {
                        self.with_local(member, |ev| ev.modifiers(action, outcome));
                    }
                    if let Some(id) = id {
                        let settled = own.as_ref().map_or(&outcome.holds, |o| &o.holds);
                        outcome.options.push(OptionOutcome {
                            id,
                            member: keep.and(settled.clone()),
                            own,
                        });
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

    /// One member's own outcome of an `each` action: the action's, with the
    /// modifiers read with the member bound.
    fn member_outcome(
        &mut self,
        action: &'p ir::Action,
        shared: &ActionOutcome<'p>,
        member: Val,
    ) -> std::rc::Rc<ActionOutcome<'p>> {
        let mut own = ActionOutcome {
            options: Vec::new(),
            holds: Truth::True,
            ..shared.clone()
        };
        self.with_local(member, |ev| ev.modifiers(action, &mut own));
        std::rc::Rc::new(own)
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
        outcome.holds = Truth::True;
        for m in &action.modifiers {
            match m {
                Modifier::Rank(n) => outcome.rank = Some(*n),
                Modifier::RankExpr(e) => self.computed_rank(e, outcome),
                Modifier::GoalExpr(e) => {
                    outcome.goal = self.computed_text(e, outcome, Some(GOALS));
                }
                Modifier::RoleExpr(e) => outcome.role = self.computed_text(e, outcome, None),
                // Read last: its code and `because` beat the action's.
                Modifier::First(_) => {}
                Modifier::Unranked => outcome.unranked = true,
                Modifier::Goal(g) => outcome.goal = Some(std::borrow::Cow::Borrowed(g)),
                Modifier::Evidence(e) => outcome.evidence = Some(e),
                Modifier::Code(c) => outcome.code = Some(c),
                Modifier::Because(e) => outcome.because = Some(self.text_of(e)),
                Modifier::Role(r) => outcome.role = Some(std::borrow::Cow::Borrowed(r)),
                Modifier::Note(e) => outcome.notes.push(self.text_of(e)),
                Modifier::Fallback(f) => outcome.fallbacks.push(*f),
                Modifier::If(c) => outcome.guard = self.condition(c),
                Modifier::Cite(texts) if outcome.citations.is_empty() => {
                    outcome.citations = std::borrow::Cow::Borrowed(texts);
                }
                Modifier::Cite(texts) => outcome.citations.to_mut().extend(texts),
            }
        }
        for m in &action.modifiers {
            if let Modifier::First(checks) = m {
                self.ordered_checks(checks, outcome);
            }
        }
    }

    /// `rank E`: a whole number of at least 1 (anything else is a case
    /// error); while unknown, the option is pending at the action's tier.
    fn computed_rank(&mut self, e: &ir::Expr, outcome: &mut ActionOutcome<'p>) {
        match self.eval(e) {
            Val::Known(Value::Num(q)) => match u32::try_from(q.value).ok().filter(|n| *n >= 1) {
                Some(n) if q.value.fract().is_zero() => outcome.rank = Some(n),
                _ => self.fail(format!(
                    "the rank at {} is {}: a rank is a whole number from 1",
                    self.protocol.location(e.span),
                    self.reveal.number(&q.value.to_string())
                )),
            },
            Val::Known(_) => self.fail(format!(
                "the rank at {} is not a number",
                self.protocol.location(e.span)
            )),
            Val::Unknown(s) => outcome.holds = outcome.holds.clone().and(Truth::Unknown(s)),
        }
    }

    /// `goal E`, `role E`: the value as text (a goal one of `allowed`, or a
    /// case error); while unknown, the option is pending.
    fn computed_text(
        &mut self,
        e: &ir::Expr,
        outcome: &mut ActionOutcome<'p>,
        allowed: Option<&[&str]>,
    ) -> Option<std::borrow::Cow<'p, str>> {
        let value = match self.eval(e) {
            Val::Known(v) => display(self.protocol, &v),
            Val::Unknown(s) => {
                outcome.holds = outcome.holds.clone().and(Truth::Unknown(s));
                return None;
            }
        };
        if allowed.is_some_and(|a| !a.contains(&value.as_str())) {
            let at = self.protocol.location(e.span);
            self.fail(format!(
                "the goal at {at} is {}: a goal is curative, disease-control or palliative",
                self.reveal.private().quote(&value)
            ));
            return None;
        }
        Some(std::borrow::Cow::Owned(value))
    }

    /// `first [C code R, …]`: the checks in order. The first check known to
    /// hold gives the avoid its code (and its `because`, if it has one);
    /// an unknown check before it that has another code could still win, so
    /// the avoid is then unknown, with those checks' facts. No check known
    /// to hold: unknown with every unknown check's facts, or false when
    /// every check is false. Checks after the one that holds are not read.
    fn ordered_checks(&mut self, checks: &'p [ir::Check], outcome: &mut ActionOutcome<'p>) {
        let mut unknown: Vec<(&'p ir::Check, Support)> = Vec::new();
        let mut found = None;
        for check in checks {
            match self.condition(&check.when) {
                Truth::False => {}
                Truth::Unknown(s) => unknown.push((check, s)),
                Truth::True => {
                    found = Some(check);
                    break;
                }
            }
        }
        let (truth, winner) = match found {
            Some(win) => {
                let mut rivals = unknown
                    .into_iter()
                    .filter(|(c, _)| c.code != win.code)
                    .peekable();
                let truth = match rivals.peek() {
                    None => Truth::True,
                    Some(_) => {
                        Truth::Unknown(rivals.fold(Support::default(), |mut all, (_, s)| {
                            all.merge(&s);
                            all
                        }))
                    }
                };
                (truth, Some(win))
            }
            None => {
                let first = unknown.first().map(|(c, _)| *c);
                let truth = match unknown.is_empty() {
                    true => Truth::False,
                    false => Truth::Unknown(unknown.into_iter().fold(
                        Support::default(),
                        |mut all, (_, s)| {
                            all.merge(&s);
                            all
                        },
                    )),
                };
                (truth, first)
            }
        };
        if let Some(check) = winner {
            outcome.code = Some(&check.code);
            if let Some(because) = &check.because {
                outcome.because = Some(self.text_of(because));
            }
        }
        outcome.holds = outcome.holds.clone().and(truth);
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
