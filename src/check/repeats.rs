//! S0505: one rule naming the same option twice — a repeat (`recommend BR,
//! R-mono, BR`), or an offer and an avoid of it that always fire together
//! (`recommend R-ICE` and `avoid R-ICE`). Namings under different `if`
//! conditions, and avoids under different codes, are separate decisions and
//! are not reported.

use super::Checker;
use crate::diag::{Code, Diagnostic};
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

/// Why two namings of one option by one rule are reported.
enum Clash {
    /// The same thing twice: the repeat changes nothing.
    Repeat,
    /// Offered (or included) and avoided whenever the rule fires.
    Contradiction,
}

impl<'a> Naming<'a> {
    /// How `action` names `name`; `None` for actions that name no options.
    pub(super) fn of(name: &'a Name, action: &'a Action) -> Option<Naming<'a>> {
        let (role, done) = match &action.kind {
            ActionKind::Recommend(_) => (Role::Offer, "recommended"),
            ActionKind::Consider(_) => (Role::Offer, "considered"),
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

    fn clash(&self, later: &Naming) -> Option<Clash> {
        if self.name.node != later.name.node || self.condition != later.condition {
            return None;
        }
        match (self.role, later.role) {
            (Role::Avoid, Role::Avoid) if self.code != later.code => None,
            (a, b) if a == b => Some(Clash::Repeat),
            (Role::Avoid, _) | (_, Role::Avoid) => Some(Clash::Contradiction),
            _ => None,
        }
    }
}

impl<'a> Checker<'a> {
    /// Records one naming of an option by a rule, reporting S0505 when it
    /// clashes with an earlier naming by the same rule.
    pub(super) fn named(&mut self, naming: Naming<'a>, earlier: &mut Vec<Naming<'a>>) {
        let clash = earlier
            .iter()
            .find_map(|first| Some((first, first.clash(&naming)?)));
        match clash {
            Some((first, Clash::Repeat)) => self.report(repeat(first, &naming)),
            Some((first, Clash::Contradiction)) => self.report(contradiction(first, &naming)),
            None => earlier.push(naming),
        }
    }
}

fn repeat(first: &Naming, again: &Naming) -> Diagnostic {
    Diagnostic::new(
        Code::S0505,
        again.name.span,
        format!("`{}` is named twice by this rule", again.name.node),
    )
    .label("named again here")
    .also(first.name.span, "first named here")
    .help("name each option once per rule")
}

fn contradiction(first: &Naming, again: &Naming) -> Diagnostic {
    Diagnostic::new(
        Code::S0505,
        again.name.span,
        format!(
            "`{}` is both {} and {} by this rule",
            again.name.node, first.done, again.done
        ),
    )
    .label(format!("{} here", again.done))
    .also(first.name.span, format!("{} here", first.done))
    .note("the two actions apply under the same condition, so the avoid always undoes the other")
    .help("give one of the actions its own condition (`if …`), or remove one of them")
}
