//! Decisions: rule outcomes assembled by the brief's "Decision semantics"
//! into the output record.

mod assemble;
pub mod output;
mod run;

pub use run::{decide, error_record, evaluate, RunOptions};

pub use assemble::{assemble, to_item};

use crate::eval::truth::Truth;

/// How one rule came out on a case: its condition and its actions, each
/// already evaluated. Every rule is evaluated (conditions are pure); the
/// assembly decides which were reached.
#[derive(Debug, Clone)]
pub struct RuleOutcome {
    /// The rule's name.
    pub name: String,
    /// Where it is written (`file:line:col`).
    pub at: String,
    /// Whether it is a `stop` rule.
    pub stop: bool,
    /// Its condition (section guards and `when`).
    pub condition: Truth,
    /// Its actions in order.
    pub actions: Vec<ActionOutcome>,
    /// The lines that made its history predicates true (for the trace).
    pub history: Vec<output::HistoryMatch>,
    /// Why the case cannot be decided if this rule is reached (`the` with two matches).
    pub failure: Option<String>,
}

/// What an action does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionKind {
    /// `recommend`
    Recommend,
    /// `consider`
    Consider,
    /// `avoid`
    Avoid,
    /// `include`
    Include,
    /// `order`
    Order,
    /// `refer`
    Refer,
    /// `flag`
    Flag,
    /// `missing "…"`
    Missing,
    /// `status S`
    Status,
}

/// One evaluated action.
#[derive(Debug, Clone)]
pub struct ActionOutcome {
    /// What it does.
    pub kind: ActionKind,
    /// Its `if` condition (true when absent).
    pub guard: Truth,
    /// The options it names; under `each`, every member with the truth of its condition.
    pub options: Vec<OptionOutcome>,
    /// `recommend components …`
    pub components: bool,
    /// `fallback B fallback C`: replacements in order.
    pub fallbacks: Vec<String>,
    /// `rank N`
    pub rank: Option<u32>,
    /// `unranked`
    pub unranked: bool,
    /// `goal …`
    pub goal: Option<String>,
    /// `evidence "…"`
    pub evidence: Option<String>,
    /// Full citation texts of `cite [..]`.
    pub citations: Vec<String>,
    /// `role …`
    pub role: Option<String>,
    /// `note …`, evaluated.
    pub notes: Vec<String>,
    /// `code REASON`
    pub code: Option<String>,
    /// `because …`, evaluated.
    pub because: Option<String>,
    /// The text (and code) of an order, referral, flag or `missing`, or the status of `status`.
    pub message: Option<output::Message>,
}

/// An option named by an action.
#[derive(Debug, Clone)]
pub struct OptionOutcome {
    /// The declared name.
    pub name: String,
    /// Under `each`: the truth of the member's condition (true otherwise).
    pub member: Truth,
}

/// What the assembly needs to know of the vocabulary.
pub trait Vocabulary {
    /// Whether `name` is a regimen.
    fn is_regimen(&self, name: &str) -> bool;
    /// Whether `name` is an agent.
    fn is_agent(&self, name: &str) -> bool;
    /// Whether `name` is a tag.
    fn is_tag(&self, name: &str) -> bool;
    /// Whether option `option` is X, contains agent X, or has X as a class or tag.
    fn has(&self, option: &str, x: &str) -> bool;
}
