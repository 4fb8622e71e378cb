//! S0505: one rule naming the same option twice — a repeat (`recommend BR,
//! R-mono, BR`), or an offer and an avoid of it that always fire together
//! (`recommend R-ICE` and `avoid R-ICE`). Namings under different `if`
//! conditions, and avoids under different codes, are separate decisions and
//! are not reported.

use super::error::Warning;
use super::Checker;
use crate::span::Name;
use crate::syntax::ast::*;

/// One option named by one action of a rule.
pub(super) struct Naming<'a> {
    name: &'a Name,
    role: Role,
    /// What the action does to it, in words: "recommended", "avoided", ….
    done: &'static str,
    /// The `code` of an avoid.
    code: Option<&'a str>,
    /// The action's `if`, if any.
    condition: Option<&'a Expr>,
}

/// What an action does with the options it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Offer,
    Avoid,
    Include,
}

impl<'a> Naming<'a> {
    /// How `action` names `name`; `None` for actions that name no options.
    pub(super) fn of(name: &'a Name, action: &'a Action) -> Option<Naming<'a>> {
        let (role, done) = match &action.kind {
            ActionKind::Recommend(_) => (Role::Offer, "recommended"),
            ActionKind::Consider(_) => (Role::Offer, "considered"),
            // An avoid by ordered checks fires only when a check holds: it is
            // conditional, as under `if`, so it never undoes an offer beside it.
            ActionKind::Avoid(_) if has_checks(action) => return None,
            ActionKind::Avoid(_) => (Role::Avoid, "avoided"),
            ActionKind::Include(_) => (Role::Include, "included"),
            _ => return None,
        };
        let code = action.modifiers.iter().find_map(|m| match &m.kind {
            ModifierKind::Code(c) => Some(c.node.as_str()),
            _ => None,
        });
        let condition = action.modifiers.iter().find_map(|m| match &m.kind {
            ModifierKind::If(e) => Some(e),
            _ => None,
        });
        Some(Naming {
            name,
            role,
            done,
            code,
            condition,
        })
    }

    /// The warning when `later` names the same option under the same
    /// condition: a repeat, or an offer and an avoid that always fire together.
    fn clash(&self, later: &Naming) -> Option<Warning> {
        if self.name.node != later.name.node || self.condition != later.condition {
            return None;
        }
        let (name, first) = (later.name.clone(), self.name.span);
        match (self.role, later.role) {
            (Role::Avoid, Role::Avoid) if self.code != later.code => None,
            (a, b) if a == b => Some(Warning::NamedTwice { name, first }),
            (Role::Avoid, _) | (_, Role::Avoid) => Some(Warning::OfferedAndAvoided {
                name,
                done: later.done,
                first,
                first_done: self.done,
            }),
            _ => None,
        }
    }
}

/// Whether an action is an avoid by ordered checks (`first [C code R, …]`).
fn has_checks(action: &Action) -> bool {
    action
        .modifiers
        .iter()
        .any(|m| matches!(m.kind, ModifierKind::First(_)))
}

impl<'a> Checker<'a> {
    /// Records one naming of an option by a rule, reporting S0505 when it
    /// clashes with an earlier naming by the same rule.
    pub(super) fn named(&mut self, naming: Naming<'a>, earlier: &mut Vec<Naming<'a>>) {
        match earlier.iter().find_map(|first| first.clash(&naming)) {
            Some(warning) => self.report(warning),
            None => earlier.push(naming),
        }
    }
}
