//! Modifiers: which fit which action, and the goals, reason codes and
//! citations they name.

use super::error::{ActionError, NameError};
use super::expr::OPTION_KINDS;
use super::rules::ActionClass;
use super::Checker;
use crate::span::Name;
use crate::syntax::ast::*;

/// The goals a recommendation may have.
pub const GOALS: &[&str] = &["curative", "disease-control", "palliative"];

impl Checker<'_> {
    /// `fallback` on an action naming several options (S0312).
    pub(super) fn single_option_modifiers(&mut self, action: &Action, count: usize) {
        for m in &action.modifiers {
            if let ModifierKind::Fallback(_) = m.kind {
                let at = m.span;
                self.report(ActionError::FallbackOnSeveral { at, count });
            }
        }
    }

    /// Checks each modifier of an action, and that it fits the action (S0313).
    pub(super) fn modifiers(&mut self, action: &Action, class: ActionClass) {
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
