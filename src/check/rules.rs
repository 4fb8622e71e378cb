//! Rules and their actions, sections and reports.

use super::env::VocabKind;
use super::error::ActionError;
use super::expr::{ALL_VOCAB, OPTION_KINDS};
use super::repeats::Naming;
use super::types::Ty;
use super::Checker;
use crate::span::Name;
use crate::syntax::ast::*;

/// Statuses a `stop` rule may set.
pub const STOP_STATUSES: &[&str] = &["out-of-scope", "no-change", "referred", "needs-data"];

/// What an action does, for deciding which modifiers fit it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum ActionClass {
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

    pub(super) fn option_name(&mut self, name: &Name, kinds: &[VocabKind], class: ActionClass) {
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
}

fn title_of(rule: &Rule) -> String {
    rule.title
        .as_ref()
        .map(|t| format!(" \"{}\"", t.node))
        .unwrap_or_default()
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
