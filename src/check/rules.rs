//! Rules, their actions and modifiers, sections, reports and tests.

use super::env::VocabKind;
use super::error::{ActionError, NameError};
use super::expr::{ALL_VOCAB, OPTION_KINDS};
use super::repeats::Naming;
use super::types::Ty;
use super::Checker;
use crate::span::{Name, Span};
use crate::syntax::ast::*;

/// Statuses a `stop` rule may set.
pub const STOP_STATUSES: &[&str] = &["out-of-scope", "no-change", "referred", "needs-data"];
/// Every decision status, for `expect status`.
pub const DECISION_STATUSES: &[&str] = &[
    "out-of-scope",
    "no-change",
    "referred",
    "needs-data",
    "recommended",
    "all-avoided",
    "no-recommendation",
];
/// The goals a recommendation may have.
pub const GOALS: &[&str] = &["curative", "disease-control", "palliative"];

/// What an action does, for deciding which modifiers fit it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ActionClass {
    Option,
    Avoid,
    Include,
    Message,
    Missing,
    Status,
}

impl<'a> Checker<'a> {
    /// Checks a rule; `guard` is the enclosing sections' shared condition.
    pub(super) fn rule(&mut self, rule: &'a Rule, guard: Option<&Expr>) {
        self.condition(&rule.when);
        let depth = self.narrowed.len();
        if let Some(g) = guard {
            self.assume(g, true);
        }
        self.assume(&rule.when, true);
        let mut named: Vec<Naming<'a>> = Vec::new();
        for action in &rule.actions {
            self.action(rule, action, &mut named);
        }
        self.narrowed.truncate(depth);
        self.contradiction(&rule.when);
    }

    /// Checks a section's guard and the rules inside it.
    pub(super) fn section(&mut self, section: &'a Section, outer: Option<&Expr>) {
        self.condition(&section.when);
        let depth = self.narrowed.len();
        self.assume(&section.when, true);
        for item in &section.items {
            match item {
                Item::Rule(r) => self.rule(r, Some(&section.when)),
                Item::Section(s) => self.section(s, Some(&section.when)),
                _ => {}
            }
        }
        let _ = outer;
        self.narrowed.truncate(depth);
    }

    /// Checks a report's value and its `only when` condition.
    pub(super) fn report_decl(&mut self, report: &Report) {
        let depth = self.narrowed.len();
        if let Some(cond) = &report.only_when {
            self.condition(cond);
            self.assume(cond, true);
        }
        self.expr(&report.value);
        self.narrowed.truncate(depth);
    }

    fn action(&mut self, rule: &Rule, action: &'a Action, named: &mut Vec<Naming<'a>>) {
        match &action.kind {
            ActionKind::Recommend(opts) | ActionKind::Consider(opts) => {
                self.options(opts, &OPTION_KINDS, named, action)
            }
            ActionKind::Avoid(opts) | ActionKind::Include(opts) => {
                self.options(opts, &ALL_VOCAB, named, action)
            }
            ActionKind::Order(_)
            | ActionKind::Refer(_)
            | ActionKind::Flag(_)
            | ActionKind::Missing(_) => self.modifiers(action, action_class(&action.kind)),
            ActionKind::Status(status) => {
                self.status_action(rule, status);
                self.modifiers(action, ActionClass::Status);
            }
        }
    }

    fn options(
        &mut self,
        opts: &'a Options,
        kinds: &[VocabKind],
        named: &mut Vec<Naming<'a>>,
        action: &'a Action,
    ) {
        let class = action_class(&action.kind);
        match opts {
            Options::List(names) | Options::Components(names) => {
                for name in names {
                    self.option_name(name, kinds, class);
                    if let Some(naming) = Naming::of(name, action) {
                        self.named(naming, named);
                    }
                }
                if names.len() > 1 {
                    self.single_option_modifiers(action, names.len());
                }
                self.modifiers(action, class);
            }
            Options::Each(comp) => {
                self.with_binding(comp, |c, element| {
                    c.each_element(&comp.source, &element, class);
                    c.modifiers(action, class);
                });
            }
        }
    }

    fn each_element(&mut self, source: &Expr, element: &Ty, class: ActionClass) {
        let fits = match class {
            ActionClass::Option => element.is_option(),
            _ => element.is_vocab(),
        };
        if !fits {
            let want = if class == ActionClass::Option {
                Ty::Regimen
            } else {
                Ty::Agent
            };
            self.mismatch(
                source.span,
                &want,
                element,
                "`each` ranges over regimens or agents here",
            );
        }
    }

    /// Checks a name that must be a regimen or agent (`recommended X`).
    pub(super) fn option_reference(&mut self, name: &Name) {
        self.option_name(name, &OPTION_KINDS, ActionClass::Option);
    }

    fn option_name(&mut self, name: &Name, kinds: &[VocabKind], class: ActionClass) {
        if let Some((_, ty)) = self.locals.iter().rev().find(|(n, _)| *n == name.node) {
            let ty = ty.clone();
            let fits = if class == ActionClass::Option {
                ty.is_option()
            } else {
                ty.is_vocab()
            };
            if !fits {
                self.mismatch(
                    name.span,
                    &Ty::Regimen,
                    &ty,
                    "an action names regimens, agents, classes or tags",
                );
            }
            return;
        }
        match self.env.vocab.get(&name.node).map(|(k, _)| *k) {
            Some(kind) if kinds.contains(&kind) => {}
            Some(kind) if class == ActionClass::Option => {
                let members = match self.env.regimen_classes.contains(&name.node) {
                    true => "regimens with class",
                    false if kind == VocabKind::Tag => "agents with tag",
                    false => "agents with class",
                };
                self.report(ActionError::GroupRecommended {
                    name: name.clone(),
                    kind: kind.word(),
                    members,
                });
            }
            Some(_) => {}
            None => self.unknown_option(name, kinds, class),
        }
    }

    fn unknown_option(&mut self, name: &Name, kinds: &[VocabKind], class: ActionClass) {
        let is_other_value = self.field_type(None, &name.node).is_some()
            || self.env.defines.contains_key(&name.node)
            || !self.env.enums_with_value(&name.node).is_empty();
        if is_other_value {
            let option = class == ActionClass::Option;
            let name = name.clone();
            self.report(ActionError::NotVocabulary { name, option });
            return;
        }
        let what = if class == ActionClass::Option {
            "regimen or agent"
        } else {
            "regimen, agent, class or tag"
        };
        self.unknown_vocab(name, what, kinds);
    }

    fn single_option_modifiers(&mut self, action: &Action, count: usize) {
        for m in &action.modifiers {
            if let ModifierKind::Fallback(_) = m.kind {
                let at = m.span;
                self.report(ActionError::FallbackOnSeveral { at, count });
            }
        }
    }

    fn modifiers(&mut self, action: &Action, class: ActionClass) {
        for m in &action.modifiers {
            if !fits(&m.kind, class) {
                self.report(ActionError::MisplacedModifier {
                    at: m.span,
                    modifier: modifier_word(&m.kind),
                    action: action_word(&action.kind),
                    target: modifier_target(&m.kind),
                });
                continue;
            }
            self.modifier(&m.kind);
        }
    }

    fn modifier(&mut self, kind: &ModifierKind) {
        match kind {
            ModifierKind::Goal(goal) => self.goal(goal),
            ModifierKind::Code(code) => self.reason_code(code),
            ModifierKind::Because(e) | ModifierKind::Note(e) => {
                self.expr(e);
            }
            ModifierKind::If(e) => self.condition(e),
            ModifierKind::Cite(keys) => {
                for key in keys {
                    self.citation_key(key);
                }
            }
            ModifierKind::Fallback(name) => {
                self.option_name(name, &OPTION_KINDS, ActionClass::Option)
            }
            ModifierKind::Rank(rank) if rank.node == 0 => {
                self.report(ActionError::RankZero { at: rank.span });
            }
            ModifierKind::Rank(_)
            | ModifierKind::Unranked
            | ModifierKind::Evidence(_)
            | ModifierKind::Role(_) => {}
        }
    }

    fn goal(&mut self, goal: &Name) {
        if !GOALS.contains(&goal.node.as_str()) {
            let suggestion = self.suggestion(&goal.node, GOALS.iter().copied());
            let goal = goal.clone();
            self.report(ActionError::UnknownGoal { goal, suggestion });
        }
    }

    /// Checks a reason code and records its use.
    pub(super) fn reason_code(&mut self, code: &Name) {
        self.used.insert(format!("reason:{}", code.node));
        if self.env.reasons.iter().any(|r| r.node == code.node) {
            return;
        }
        let suggestion =
            self.suggestion(&code.node, self.env.reasons.iter().map(|r| r.node.as_str()));
        self.report(NameError::UnknownReason {
            code: code.clone(),
            suggestion,
            none_declared: self.env.reasons.is_empty(),
        });
    }

    fn citation_key(&mut self, key: &Name) {
        self.used.insert(format!("cite:{}", key.node));
        if self.env.citations.iter().any(|c| c.node == key.node) {
            return;
        }
        let suggestion = self.suggestion(
            &key.node,
            self.env.citations.iter().map(|c| c.node.as_str()),
        );
        let key = key.clone();
        self.report(NameError::UnknownCitation { key, suggestion });
    }

    fn status_action(&mut self, rule: &Rule, status: &Name) {
        if !STOP_STATUSES.contains(&status.node.as_str()) {
            let suggestion = self.suggestion(&status.node, STOP_STATUSES.iter().copied());
            self.report(ActionError::UnknownStopStatus {
                status: status.clone(),
                suggestion,
                statuses: STOP_STATUSES,
            });
        }
        if !rule.stop {
            self.report(ActionError::StatusWithoutStop {
                at: status.span,
                rule: rule.name.clone(),
                title: title_of(rule),
            });
        }
    }

    /// Checks a test block: its JSON case and the names its expectations use.
    pub(super) fn test(&mut self, test: &Test) {
        if let TestCase::Given(json) = &test.source {
            self.given_json(json.node.as_str(), json.span);
        }
        for expectation in &test.expectations {
            self.expectation(&expectation.kind, expectation.span);
        }
    }

    fn given_json(&mut self, text: &str, span: Span) {
        match serde_json::from_str::<serde_json::Value>(text) {
            Ok(serde_json::Value::Object(_)) => {}
            Ok(_) => self.report(ActionError::GivenNotObject { at: span }),
            Err(error) => {
                let at = offset_of(text, error.line(), error.column());
                let here = Span::new(
                    span.file,
                    span.start as usize + at,
                    span.start as usize + at + 1,
                );
                let message = error.to_string();
                let message = message
                    .rsplit_once(" at line ")
                    .map_or(message.as_str(), |(m, _)| m)
                    .to_string();
                self.report(ActionError::GivenNotJson {
                    at: here,
                    whole: span,
                    message,
                });
            }
        }
    }

    fn expectation(&mut self, kind: &ExpectKind, span: Span) {
        match kind {
            ExpectKind::Status(s) => self.expected_status(s),
            ExpectKind::Recommend(x, _) | ExpectKind::Consider(x, _) | ExpectKind::Pending(x) => {
                self.option_name(x, &OPTION_KINDS, ActionClass::Option)
            }
            ExpectKind::Avoid(x, code) => {
                self.option_name(x, &ALL_VOCAB, ActionClass::Avoid);
                if let Some(c) = code {
                    self.reason_code(c);
                }
            }
            ExpectKind::Include(x) => self.option_name(x, &ALL_VOCAB, ActionClass::Include),
            ExpectKind::Report(name, value) => self.expected_report(name, value),
            ExpectKind::Missing(_)
            | ExpectKind::Order(_)
            | ExpectKind::Refer(_)
            | ExpectKind::Flag(_) => {
                let _ = span;
            }
        }
    }

    fn expected_status(&mut self, status: &Name) {
        if !DECISION_STATUSES.contains(&status.node.as_str()) {
            let suggestion = self.suggestion(&status.node, DECISION_STATUSES.iter().copied());
            self.report(ActionError::UnknownDecisionStatus {
                status: status.clone(),
                suggestion,
                statuses: DECISION_STATUSES,
            });
        }
    }

    fn expected_report(&mut self, name: &Name, value: &Expr) {
        if !self.env.reports.contains_key(&name.node) {
            let suggestion =
                self.suggestion(&name.node, self.env.reports.keys().map(String::as_str));
            let name = name.clone();
            self.report(NameError::UnknownReport { name, suggestion });
        }
        self.expr(value);
    }
}

fn title_of(rule: &Rule) -> String {
    rule.title
        .as_ref()
        .map(|t| format!(" \"{}\"", t.node))
        .unwrap_or_default()
}

fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (line_start + column.saturating_sub(1)).min(text.len().saturating_sub(1))
}

fn action_class(kind: &ActionKind) -> ActionClass {
    match kind {
        ActionKind::Recommend(_) | ActionKind::Consider(_) => ActionClass::Option,
        ActionKind::Avoid(_) => ActionClass::Avoid,
        ActionKind::Include(_) => ActionClass::Include,
        ActionKind::Order(_) | ActionKind::Refer(_) | ActionKind::Flag(_) => ActionClass::Message,
        ActionKind::Missing(_) => ActionClass::Missing,
        ActionKind::Status(_) => ActionClass::Status,
    }
}

/// Which modifiers fit which actions.
fn fits(kind: &ModifierKind, class: ActionClass) -> bool {
    use ActionClass::*;
    match kind {
        ModifierKind::Rank(_)
        | ModifierKind::Unranked
        | ModifierKind::Goal(_)
        | ModifierKind::Evidence(_)
        | ModifierKind::Fallback(_)
        | ModifierKind::Role(_) => class == Option,
        ModifierKind::Code(_) => class == Avoid,
        ModifierKind::Because(_) => matches!(class, Option | Avoid | Include),
        ModifierKind::Note(_) | ModifierKind::Cite(_) => true,
        ModifierKind::If(_) => class != Status,
    }
}

fn modifier_word(kind: &ModifierKind) -> &'static str {
    match kind {
        ModifierKind::Rank(_) => "rank",
        ModifierKind::Unranked => "unranked",
        ModifierKind::Goal(_) => "goal",
        ModifierKind::Evidence(_) => "evidence",
        ModifierKind::Code(_) => "code",
        ModifierKind::Because(_) => "because",
        ModifierKind::Role(_) => "role",
        ModifierKind::Note(_) => "note",
        ModifierKind::Fallback(_) => "fallback",
        ModifierKind::If(_) => "if",
        ModifierKind::Cite(_) => "cite",
    }
}

fn modifier_target(kind: &ModifierKind) -> &'static str {
    match kind {
        ModifierKind::Code(_) => "an `avoid`",
        ModifierKind::Because(_) => "a `recommend`, `consider`, `avoid` or `include`",
        ModifierKind::Note(_) | ModifierKind::Cite(_) => "any action",
        ModifierKind::If(_) => "any action but `status`",
        _ => "a `recommend` or `consider`",
    }
}

fn action_word(kind: &ActionKind) -> &'static str {
    match kind {
        ActionKind::Recommend(_) => "recommend",
        ActionKind::Consider(_) => "consider",
        ActionKind::Avoid(_) => "avoid",
        ActionKind::Include(_) => "include",
        ActionKind::Order(_) => "order",
        ActionKind::Refer(_) => "refer",
        ActionKind::Flag(_) => "flag",
        ActionKind::Missing(_) => "missing",
        ActionKind::Status(_) => "status",
    }
}
