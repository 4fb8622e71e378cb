//! Rules run on a case: every condition and action evaluated into outcomes
//! for the decision, and the reports.

use super::expr::Evaluator;
use super::model::RuleDef;
use super::outcome::{
    ActionKind, ActionOutcome, DecisionView, HigherStrata, Message, OptionOutcome, RuleOutcome,
};
use super::truth::{Support, Truth};
use super::value::{Quantity, Val, Value, VocabValue};
use crate::syntax::ast::{self, ModifierKind, Options};
use std::collections::BTreeMap;

impl Evaluator<'_> {
    /// Every rule's outcome, in file order: the rules of stratum 0 evaluated,
    /// the others not yet (they read the decision of the strata below).
    pub fn outcomes(&mut self) -> Vec<RuleOutcome> {
        let protocol = self.protocol;
        protocol
            .rules
            .iter()
            .map(|def| match def.stratum {
                0 => self.rule_outcome(def),
                _ => not_yet(def),
            })
            .collect()
    }

    fn rule_outcome(&mut self, def: &RuleDef) -> RuleOutcome {
        self.matches.clear();
        let mut condition = Truth::True;
        for guard in &def.guards {
            condition = condition.and(self.condition(guard));
        }
        if condition != Truth::False {
            condition = condition.and(self.condition(&def.rule.when));
        }
        let mut history = Vec::new();
        for m in std::mem::take(&mut self.matches) {
            if !history.contains(&m) {
                history.push(m);
            }
        }
        let actions = def
            .rule
            .actions
            .iter()
            .map(|a| self.action_outcome(a))
            .collect();
        RuleOutcome {
            name: def.rule.name.node.clone(),
            at: def.at.clone(),
            stop: def.rule.stop,
            condition,
            actions,
            history,
            failure: self.failure.take(),
        }
    }

    fn action_outcome(&mut self, action: &ast::Action) -> ActionOutcome {
        let (kind, options, message) = self.action_kind(&action.kind);
        let mut outcome = ActionOutcome {
            kind,
            guard: Truth::True,
            options: Vec::new(),
            components: matches!(options, Some(Options::Components(_))),
            fallbacks: Vec::new(),
            rank: None,
            unranked: false,
            goal: None,
            evidence: None,
            citations: Vec::new(),
            role: None,
            notes: Vec::new(),
            code: None,
            because: None,
            message,
        };
        match options {
            Some(Options::Each(comp)) => self.each_options(comp, action, &mut outcome),
            Some(Options::List(names) | Options::Components(names)) => {
                outcome.options = names.iter().map(|n| self.option(&n.node)).collect();
                self.modifiers(action, &mut outcome);
            }
            None => self.modifiers(action, &mut outcome),
        }
        outcome
    }

    fn action_kind<'a>(
        &self,
        kind: &'a ast::ActionKind,
    ) -> (ActionKind, Option<&'a Options>, Option<Message>) {
        let message = |m: &ast::Message| Message {
            code: m.code.as_ref().map(|c| c.node.clone()),
            text: m.text.node.clone(),
        };
        match kind {
            ast::ActionKind::Recommend(o) => (ActionKind::Recommend, Some(o), None),
            ast::ActionKind::Consider(o) => (ActionKind::Consider, Some(o), None),
            ast::ActionKind::Avoid(o) => (ActionKind::Avoid, Some(o), None),
            ast::ActionKind::Include(o) => (ActionKind::Include, Some(o), None),
            ast::ActionKind::Order(m) => (ActionKind::Order, None, Some(message(m))),
            ast::ActionKind::Refer(m) => (ActionKind::Refer, None, Some(message(m))),
            ast::ActionKind::Flag(m) => (ActionKind::Flag, None, Some(message(m))),
            ast::ActionKind::Missing(t) => (
                ActionKind::Missing,
                None,
                Some(Message::plain(t.node.clone())),
            ),
            ast::ActionKind::Status(s) => (
                ActionKind::Status,
                None,
                Some(Message::plain(s.node.clone())),
            ),
        }
    }

    /// An option by name, or the vocabulary value a bound variable holds.
    fn option(&self, name: &str) -> OptionOutcome {
        match self.local(name) {
            Some(Val::Known(Value::Vocab(VocabValue::Known(n)))) => OptionOutcome {
                name: n,
                member: Truth::True,
            },
            _ => OptionOutcome {
                name: name.to_string(),
                member: Truth::True,
            },
        }
    }

    /// `each a in S where P`: one option per member, with `P`'s truth; the
    /// modifiers are read with `a` bound (the first member's, for shared text).
    fn each_options(
        &mut self,
        comp: &ast::Comprehension,
        action: &ast::Action,
        outcome: &mut ActionOutcome,
    ) {
        match self.filtered(comp) {
            Ok(members) => {
                for (member, keep) in members {
                    if let Val::Known(Value::Vocab(VocabValue::Known(name))) = &member {
                        outcome.options.push(OptionOutcome {
                            name: name.clone(),
                            member: keep,
                        });
                    }
                    if outcome.notes.is_empty() {
                        self.with_local(&comp.var.node, member, |ev| ev.modifiers(action, outcome));
                    }
                }
                if outcome.options.is_empty() {
                    self.modifiers(action, outcome);
                }
            }
            Err(support) => {
                outcome.guard = Truth::Unknown(support);
                self.modifiers(action, outcome);
            }
        }
    }

    fn modifiers(&mut self, action: &ast::Action, outcome: &mut ActionOutcome) {
        outcome.notes.clear();
        for m in &action.modifiers {
            match &m.kind {
                ModifierKind::Rank(n) => outcome.rank = Some(n.node),
                ModifierKind::Unranked => outcome.unranked = true,
                ModifierKind::Goal(g) => outcome.goal = Some(g.node.clone()),
                ModifierKind::Evidence(e) => outcome.evidence = Some(e.node.clone()),
                ModifierKind::Code(c) => outcome.code = Some(c.node.clone()),
                ModifierKind::Because(e) => outcome.because = Some(self.text_of(e)),
                ModifierKind::Role(r) => outcome.role = Some(r.node.clone()),
                ModifierKind::Note(e) => outcome.notes.push(self.text_of(e)),
                ModifierKind::Fallback(f) => outcome.fallbacks.push(f.node.clone()),
                ModifierKind::If(c) => outcome.guard = self.condition(c),
                ModifierKind::Cite(keys) => outcome.citations.extend(self.citations(keys)),
            }
        }
    }

    fn citations(&self, keys: &[crate::span::Name]) -> Vec<String> {
        keys.iter()
            .filter_map(|k| self.protocol.header.citations.get(&k.node).cloned())
            .collect()
    }

    /// An expression's value as text, for `note` and `because`.
    fn text_of(&mut self, e: &ast::Expr) -> String {
        match self.eval(e) {
            Val::Known(v) => display(&v),
            Val::Unknown(_) => "unknown".to_string(),
        }
    }

    /// The protocol's reports: known values, and unknown ones with what would
    /// settle them. A list with undecided members gives its definite members
    /// and lists what would decide the others in `unknown_reports`.
    pub fn reports(&mut self) -> Reports {
        let mut out = Reports::default();
        let protocol = self.protocol;
        for report in &protocol.reports {
            let shown = match &report.only_when {
                Some(cond) => self.condition(cond),
                None => Truth::True,
            };
            let value = match shown {
                Truth::False => continue,
                Truth::Unknown(s) => Val::Unknown(s),
                Truth::True => self.eval(&report.value),
            };
            let name = report.name.node.clone();
            match value {
                Val::Known(Value::Partial(p)) => {
                    out.known
                        .insert(name.clone(), to_json(&Value::List(p.definite.clone())));
                    out.unknown(name, &p.support());
                }
                Val::Known(Value::Bounds(b)) => out.unknown(name, &b.support),
                Val::Known(v) => {
                    out.known.insert(name, to_json(&v));
                }
                Val::Unknown(s) => out.unknown(name, &s),
            }
        }
        out
    }
}

impl HigherStrata for Evaluator<'_> {
    fn stratum_outcomes(&mut self, stratum: u32, view: DecisionView) -> Vec<(usize, RuleOutcome)> {
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

/// A rule of a higher stratum before its stratum runs: it has done nothing.
fn not_yet(def: &RuleDef) -> RuleOutcome {
    RuleOutcome {
        name: def.rule.name.node.clone(),
        at: def.at.clone(),
        stop: def.rule.stop,
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

/// A value as text.
pub fn display(v: &Value) -> String {
    match v {
        Value::None => "none".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Num(q) => quantity_text(q),
        Value::Text(t) => t.clone(),
        Value::Date(d) => match d.exact() {
            Some(day) => day.to_string(),
            None => format!("{}..{}", d.first, d.last),
        },
        Value::Enum(e) => e.name.clone(),
        Value::Vocab(VocabValue::Known(n) | VocabValue::Other(n)) => n.clone(),
        Value::List(items) => {
            let parts: Vec<String> = items
                .iter()
                .map(|i| match i {
                    Val::Known(v) => display(v),
                    Val::Unknown(_) => "unknown".to_string(),
                })
                .collect();
            parts.join(", ")
        }
        Value::Partial(p) => display(&Value::List(p.definite.clone())),
        Value::Bounds(b) => format!("{} to {}", quantity_text(&b.low), quantity_text(&b.high)),
        Value::Map(_) | Value::Record(_) | Value::Series(_) => String::new(),
    }
}

fn quantity_text(q: &Quantity) -> String {
    match &q.unit {
        Some(u) => format!("{} {}", q.value.normalize(), u.spelling()),
        None => q.value.normalize().to_string(),
    }
}

/// A known value as JSON (numbers exact, with their unit when they have one).
pub fn to_json(v: &Value) -> serde_json::Value {
    match v {
        Value::None => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Num(q) => {
            let number = serde_json::from_str(&q.value.normalize().to_string())
                .unwrap_or(serde_json::Value::Null);
            match &q.unit {
                Some(u) => serde_json::json!({"value": number, "unit": u.spelling()}),
                None => number,
            }
        }
        Value::List(items) => serde_json::Value::Array(items.iter().map(val_json).collect()),
        Value::Record(r) => serde_json::Value::Object(
            r.fields
                .iter()
                .map(|(k, v)| (k.clone(), val_json(v)))
                .collect(),
        ),
        Value::Map(entries) => serde_json::Value::Object(
            entries
                .iter()
                .map(|(k, v)| (display(k), val_json(v)))
                .collect(),
        ),
        other => serde_json::Value::String(display(other)),
    }
}

/// A value as JSON, `null` where it is unknown.
fn val_json(v: &Val) -> serde_json::Value {
    match v {
        Val::Known(v) => to_json(v),
        Val::Unknown(_) => serde_json::Value::Null,
    }
}
