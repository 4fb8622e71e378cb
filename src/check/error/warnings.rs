//! Warnings: what works, but probably not as meant.

use crate::diag::{Code, Diagnostic};
use crate::span::{Name, Span};

/// A protocol that checks but probably does not do what its author meant.
#[derive(Debug, Clone)]
pub enum Warning {
    /// `define fit = ecog <= 2` that nothing uses (S0501).
    UnusedDefine {
        /// The define.
        name: Name,
    },
    /// `cite coral "…"` in the header that no action cites (S0502).
    UnusedCitation {
        /// The key.
        key: Name,
    },
    /// `reasons { renal }` that no `avoid … code renal` uses (S0503).
    UnusedReason {
        /// The code.
        code: Name,
    },
    /// `ecog > 3 and ecog < 2` (S0504).
    NeverTrue {
        /// The condition.
        at: Span,
        /// Why, in words.
        reason: String,
    },
    /// `recommend BR, R-mono, BR` (S0505).
    NamedTwice {
        /// The option.
        name: Name,
        /// Where it was first named.
        first: Span,
    },
    /// `recommend R-ICE` and `avoid R-ICE code c` in one rule (S0505).
    OfferedAndAvoided {
        /// The option, where it is named the second time.
        name: Name,
        /// What the second action does: "avoided".
        done: &'static str,
        /// Where it was first named.
        first: Span,
        /// What the first action does: "recommended".
        first_done: &'static str,
    },
    /// A rule after `rule all stop when true then …` (S0506).
    Unreachable {
        /// The rule never reached.
        rule: Name,
        /// The unconditional stop rule.
        stop: Span,
    },
    /// Two `report bcr = …` (S0510): the first that applies gives the value.
    ReportTwice {
        /// The second report's name.
        name: Name,
        /// Where the first was declared.
        first: Span,
    },
    /// `ecog otherwise 1` where `ecog` is never none (S0511).
    DefaultNeverUsed {
        /// The default.
        at: Span,
        /// The value it would replace, as written.
        shown: String,
    },
    /// `because "resistance to {a}"` with `a` in scope: printed as written
    /// (S0513).
    BracesInText {
        /// The text.
        at: Span,
        /// The name in braces.
        name: String,
    },
    /// An ordered check after one that always holds (S0512).
    CheckNeverReached {
        /// The check never reached.
        at: Span,
        /// The check that always holds.
        always: Span,
    },
    /// `alias word "--"`, or a word alias whose every match is also a match
    /// of another name's word alias (S0507).
    WordNeverMatches {
        /// The word alias.
        at: Span,
        /// Its owner, an agent or regimen.
        owner: String,
        /// The other name's word alias it always meets, if that is why.
        shadowed_by: Option<(String, Span)>,
    },
}

impl Warning {
    /// The diagnostic.
    pub fn diagnostic(self) -> Diagnostic {
        match self {
            Warning::UnusedDefine { name } => unused_define(&name),
            Warning::CheckNeverReached { at, always } => {
                Diagnostic::new(Code::S0512, at, "this check can never be reached")
                    .label("never evaluated")
                    .also(always, "this check always holds, so its code always wins")
                    .help("put the check that always holds last, or give it a real condition")
            }
            Warning::BracesInText { at, name } => Diagnostic::new(
                Code::S0513,
                at,
                format!("`{{{name}}}` in this text is printed as written"),
            )
            .label(format!("`{name}` is not put in here"))
            .note("texts are not templates: a `because` or `note` text appears exactly as written")
            .help(
                "say it without the braces, or compute the text: `note if … then \"…\" else \"…\"`; the decision already names the option",
            ),
            Warning::UnusedCitation { key } => unused_citation(&key),
            Warning::UnusedReason { code } => unused_reason(&code),
            Warning::NeverTrue { at, reason } => {
                Diagnostic::new(Code::S0504, at, "this condition can never be true")
                    .label(reason)
                    .help("check the comparison signs and numbers")
            }
            Warning::NamedTwice { name, first } => named_twice(&name, first),
            Warning::OfferedAndAvoided {
                name,
                done,
                first,
                first_done,
            } => offered_and_avoided(&name, (done, first_done), first),
            Warning::Unreachable { rule, stop } => unreachable(&rule, stop),
            Warning::WordNeverMatches {
                at,
                owner,
                shadowed_by,
            } => word_never_matches(at, &owner, shadowed_by),
            Warning::ReportTwice { name, first } => report_twice(&name, first),
            Warning::DefaultNeverUsed { at, shown } => default_never_used(at, &shown),
        }
    }
}

fn unused_define(name: &Name) -> Diagnostic {
    Diagnostic::new(
        Code::S0501,
        name.span,
        format!("`{}` is never used", name.node),
    )
    .label("defined here")
    .help("use it in a rule or report, or remove it")
}

fn unused_citation(key: &Name) -> Diagnostic {
    Diagnostic::new(
        Code::S0502,
        key.span,
        format!("citation `{}` is never cited", key.node),
    )
    .label("declared here")
    .help(format!(
        "cite it on an action with `cite [{}]`, or remove it",
        key.node
    ))
}

fn unused_reason(code: &Name) -> Diagnostic {
    Diagnostic::new(
        Code::S0503,
        code.span,
        format!("reason code `{}` is never used", code.node),
    )
    .label("declared here")
    .help(format!(
        "use it with `avoid X code {}`, or remove it",
        code.node
    ))
}

fn named_twice(name: &Name, first: Span) -> Diagnostic {
    Diagnostic::new(
        Code::S0505,
        name.span,
        format!("`{}` is named twice by this rule", name.node),
    )
    .label("named again here")
    .also(first, "first named here")
    .help("name each option once per rule")
}

fn offered_and_avoided(name: &Name, done: (&str, &str), first: Span) -> Diagnostic {
    let (done, first_done) = done;
    Diagnostic::new(
        Code::S0505,
        name.span,
        format!(
            "`{}` is both {first_done} and {done} by this rule",
            name.node
        ),
    )
    .label(format!("{done} here"))
    .also(first, format!("{first_done} here"))
    .note("the two actions apply under the same condition, so the avoid always undoes the other")
    .help("give one of the actions its own condition (`if …`), or remove one of them")
}

fn unreachable(rule: &Name, stop: Span) -> Diagnostic {
    Diagnostic::new(
        Code::S0506,
        rule.span,
        format!("rule `{}` can never be reached", rule.node),
    )
    .label("never evaluated")
    .also(stop, "this `stop` rule always fires first")
    .help("move the unconditional `stop` rule last, or give it a condition")
}

fn report_twice(name: &Name, first: Span) -> Diagnostic {
    Diagnostic::new(
        Code::S0510,
        name.span,
        format!("a second report named `{}`", name.node),
    )
    .label("this one gives the value only when the first does not apply")
    .also(first, "the first report of this name")
    .note("reports of one name are tried in file order: the first whose `only when` is not false gives the value")
    .help("give each report its own name, or make them alternatives with `only when`")
}

fn default_never_used(at: Span, shown: &str) -> Diagnostic {
    Diagnostic::new(
        Code::S0511,
        at,
        format!("`{shown}` is never none, so this default is never used"),
    )
    .label("never used")
    .note(
        "`otherwise` replaces only none; an absent fact stays unknown, with the fact in `missing`",
    )
    .help(format!(
        "remove the default, or declare what `{shown}` reads as optional (`T?`)"
    ))
}

fn word_never_matches(at: Span, owner: &str, shadowed_by: Option<(String, Span)>) -> Diagnostic {
    let message = format!("this word alias of `{owner}` can never match");
    match shadowed_by {
        None => Diagnostic::new(Code::S0507, at, message)
            .label("it has no letters or digits")
            .note("a word alias matches the words of case text, and punctuation is not a word")
            .help("write the words to look for, e.g. `alias word \"harvoni\"`, or remove it"),
        Some((other, other_at)) => Diagnostic::new(Code::S0507, at, message)
            .label("every text with these words also has the words of the other alias")
            .also(other_at, format!("word alias of `{other}` here"))
            .note("text that matches the word aliases of two names is ambiguous: it is read as unknown, with `why: ambiguous`")
            .help("make the two word aliases differ, e.g. by a word only one of them has, or give the longer text an exact alias"),
    }
}
