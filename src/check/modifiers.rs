//! Modifiers: which fit which action, and the goals, reason codes and
//! citations they name.

use super::error::{ActionError, NameError, Warning};
use super::expr::OPTION_KINDS;
use super::rules::ActionClass;
use super::types::Ty;
use super::Checker;
use crate::span::Name;
use crate::span::Span;
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
        self.checks_alone(action);
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
                self.braces_in_text(e);
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
            ModifierKind::RankExpr(e) => self.computed_rank(e),
            ModifierKind::GoalExpr(e) => self.textual(e, "goal"),
            ModifierKind::RoleExpr(e) => self.textual(e, "role"),
            ModifierKind::First(checks) => self.ordered_checks(checks),
            ModifierKind::Rank(_)
            | ModifierKind::Unranked
            | ModifierKind::Evidence(_)
            | ModifierKind::Role(_) => {}
        }
    }

    /// `rank E`: a whole number (S0381), in every branch of an `if` or `match`.
    fn computed_rank(&mut self, e: &Expr) {
        let ty = self.expr(e);
        let ty = self.value(ty, e);
        if ty.has_error() {
            return;
        }
        let mut leaves = vec![e];
        while let Some(leaf) = leaves.pop() {
            match &leaf.kind {
                ExprKind::If(_, t, f) => leaves.extend([&**t, &**f]),
                ExprKind::Match(arms, other) => {
                    leaves.push(other);
                    leaves.extend(arms.iter().map(|(_, v)| v));
                }
                _ => {
                    let ty = self.type_only(leaf);
                    if !matches!(
                        ty,
                        Ty::Num {
                            int: true,
                            unit: None,
                            ..
                        } | Ty::Error
                    ) {
                        let found = ty.to_string();
                        self.report(ActionError::RankNotInt {
                            at: leaf.span,
                            found,
                        });
                    }
                }
            }
        }
    }

    /// The type of an expression already checked in its place (its
    /// problems are reported there, not again).
    fn type_only(&mut self, e: &Expr) -> Ty {
        let reported = self.problems.len();
        let ty = self.expr(e);
        self.problems.truncate(reported);
        ty.strip_optional().clone()
    }

    /// `goal E`, `role E`: text or an enum value (S0382).
    fn textual(&mut self, e: &Expr, modifier: &'static str) {
        let ty = self.expr(e);
        let ty = self.value(ty, e);
        if !matches!(ty, Ty::Text | Ty::Enum(_) | Ty::Error) {
            let (at, found) = (e.span, ty.to_string());
            self.report(ActionError::NotTextual {
                at,
                modifier,
                found,
            });
        }
    }

    /// `first [C code R, …]`: each check a condition with a reason code; a
    /// check after one that always holds is never reached (S0512).
    fn ordered_checks(&mut self, checks: &[Check]) {
        let mut always: Option<Span> = None;
        for check in checks {
            self.condition(&check.when);
            self.reason_code(&check.code);
            if let Some(because) = &check.because {
                self.expr(because);
                self.braces_in_text(because);
            }
            if let Some(first) = always {
                self.report(Warning::CheckNeverReached {
                    at: check.span,
                    always: first,
                });
            } else if matches!(check.when.kind, ExprKind::Bool(true)) {
                always = Some(check.span);
            }
        }
    }

    /// `because "resistance to {a}"` with `a` in scope: texts are printed as
    /// written, so the braces would reach the clinician (S0513). Only a name
    /// that means something here is reported; other braces are prose.
    fn braces_in_text(&mut self, e: &Expr) {
        let ExprKind::Text(text) = &e.kind else {
            return;
        };
        let named = braced_names(text).find(|name| self.is_declared_value(name));
        if let Some(name) = named {
            let name = name.to_string();
            self.report(Warning::BracesInText { at: e.span, name });
        }
    }

    /// An avoid's ordered checks give its codes: a `code` beside them, or a
    /// second `first`, is S0380.
    fn checks_alone(&mut self, action: &Action) {
        let mut checks = action
            .modifiers
            .iter()
            .filter(|m| matches!(m.kind, ModifierKind::First(_)));
        let Some(first) = checks.next() else {
            return;
        };
        let second = checks.map(|m| m.span);
        let codes = action
            .modifiers
            .iter()
            .filter(|m| matches!(m.kind, ModifierKind::Code(_)));
        for at in codes.map(|m| m.span).chain(second).collect::<Vec<_>>() {
            self.report(ActionError::CodeBesideChecks {
                at,
                checks: first.span,
            });
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
        | ModifierKind::Role(_)
        | ModifierKind::RankExpr(_)
        | ModifierKind::GoalExpr(_)
        | ModifierKind::RoleExpr(_) => class == Option,
        ModifierKind::Code(_) | ModifierKind::First(_) => class == Avoid,
        ModifierKind::Because(_) => matches!(class, Option | Avoid | Include),
        ModifierKind::Note(_) | ModifierKind::Cite(_) => true,
        ModifierKind::If(_) => class != Status,
    }
}

fn modifier_word(kind: &ModifierKind) -> &'static str {
    match kind {
        ModifierKind::Rank(_) | ModifierKind::RankExpr(_) => "rank",
        ModifierKind::GoalExpr(_) => "goal",
        ModifierKind::RoleExpr(_) => "role",
        ModifierKind::First(_) => "first",
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
        ModifierKind::Code(_) | ModifierKind::First(_) => "an `avoid`",
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

/// The names written in braces in a text: `x` in `"… {x} …"`.
fn braced_names(text: &str) -> impl Iterator<Item = &str> {
    text.split('{').skip(1).filter_map(|after| {
        let (inside, _) = after.split_once('}')?;
        let name = inside.trim();
        let is_name = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == '.');
        is_name.then_some(name)
    })
}
