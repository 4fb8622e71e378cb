//! What rules did on a case, as the decision assembly reads it: each rule's
//! condition and evaluated actions, and the decision so far as later strata
//! read it (`recommended X`, `fired R`, `candidates`).

use super::truth::{Support, Truth};
use crate::check::ir::{Citations, VocabId};
use serde::Serialize;

/// How one rule came out on a case: its condition and its actions, each
/// already evaluated. Every rule is evaluated (conditions are pure); the
/// assembly decides which were reached. What the protocol fixes (names,
/// places, texts) is borrowed from it (`'p`), never copied per case.
#[derive(Debug, Clone)]
pub struct RuleOutcome<'p> {
    /// The rule's name.
    pub name: &'p str,
    /// Where it is written (`file:line:col`).
    pub at: &'p str,
    /// Whether it is a `stop` rule.
    pub stop: bool,
    /// Its condition (section guards and `when`).
    pub condition: Truth,
    /// Its actions in order.
    pub actions: Vec<std::rc::Rc<ActionOutcome<'p>>>,
    /// The lines that made its history predicates true (for the trace).
    pub history: Vec<HistoryMatch>,
    /// Why the case cannot be decided if this rule is reached (`the` with two matches).
    pub failure: Option<String>,
}

/// What an action does: the compiled program's kinds.
pub use crate::check::ir::ActionKind;

/// One evaluated action.
#[derive(Debug, Clone)]
pub struct ActionOutcome<'p> {
    /// What it does.
    pub kind: ActionKind,
    /// Its `if` condition (true when absent).
    pub guard: Truth,
    /// The options it names; under `each`, every member with the truth of its condition.
    pub options: Vec<OptionOutcome<'p>>,
    /// `recommend components …`
    pub components: bool,
    /// `fallback B fallback C`: replacements in order.
    pub fallbacks: Vec<VocabId>,
    /// `rank N`
    pub rank: Option<u32>,
    /// `unranked`
    pub unranked: bool,
    /// `goal …` (computed or as written)
    pub goal: Option<std::borrow::Cow<'p, str>>,
    /// `evidence "…"`
    pub evidence: Option<&'p str>,
    /// Full citation texts of `cite [..]`.
    pub citations: std::borrow::Cow<'p, Citations>,
    /// `role …` (computed or as written)
    pub role: Option<std::borrow::Cow<'p, str>>,
    /// `note …`, evaluated.
    pub notes: Vec<String>,
    /// `code REASON`
    pub code: Option<&'p str>,
    /// `because …`, evaluated.
    pub because: Option<String>,
    /// The code and text of an order, referral, flag or `missing`, or the status of `status`.
    pub message: Option<&'p (Option<String>, String)>,
    /// Whether what the modifiers settle is known: the ordered checks of an
    /// avoid hold (false: none does), and a computed rank, goal or role is
    /// known. Each option's truth is its member's `and` this.
    pub holds: Truth,
}

/// An option named by an action.
#[derive(Debug, Clone)]
pub struct OptionOutcome<'p> {
    /// The declared name.
    pub id: VocabId,
    /// Under `each`: the truth of the member's condition (true otherwise),
    /// `and` what the modifiers settle.
    pub member: Truth,
    /// Under `each`, when a modifier is an expression: the action as this
    /// member's modifiers make it (its rank, goal, role, notes, code).
    pub own: Option<std::rc::Rc<ActionOutcome<'p>>>,
}

/// What the assembly needs to know of the vocabulary.
pub trait Vocabulary {
    /// The declared name of `id`.
    fn name(&self, id: VocabId) -> &str;
    /// Whether `id` is a regimen.
    fn is_regimen(&self, id: VocabId) -> bool;
    /// Whether `id` is an agent.
    fn is_agent(&self, id: VocabId) -> bool;
    /// Whether `id` is a tag.
    fn is_tag(&self, id: VocabId) -> bool;
    /// Whether option `option` is X, contains agent X, or has X as a class or tag.
    fn has(&self, option: VocabId, x: VocabId) -> bool;
    /// Every X for which [`Vocabulary::has`] is true of `option`, in id
    /// order: what an avoid must target to reach it.
    fn everything_in(&self, option: VocabId) -> &[VocabId];
    /// Whether `id` is an option: a regimen, or an agent some action names.
    fn is_option(&self, id: VocabId) -> bool;
}

/// A history line that a history predicate matched.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct HistoryMatch {
    /// The predicate as written (`relapse after R-CHOP`).
    pub predicate: String,
    /// The line's index in the case's history array (0-based).
    pub line: usize,
    /// An RFC 6901 pointer to the line (`/lines/0`).
    pub path: String,
}

/// The decision so far, as rules of a later stratum read it.
#[derive(Debug, Clone, Default)]
pub struct DecisionView {
    /// Options recommended or considered.
    pub recommended: Vec<VocabId>,
    /// Pending options, each with what would settle it.
    pub pending: Vec<(VocabId, Support)>,
    /// Pending options held back by an unknown avoid, with that avoid's support.
    pub pending_avoid: Vec<(VocabId, Support)>,
    /// Avoided options.
    pub avoided: Vec<VocabId>,
    /// Candidates: options named by a reached recommend, consider, fallback or
    /// each, with whether their action is known to apply.
    pub candidates: Vec<(VocabId, Truth)>,
    /// Each rule's outcome by file index: its condition if it was reached,
    /// false otherwise (and for rules of this or a later stratum).
    pub fired: Vec<Truth>,
}

/// Evaluates the rules of a stratum above 0 against the decision below it.
pub trait HigherStrata<'p> {
    /// The outcomes of the rules of `stratum`, by file index, read against `view`.
    fn stratum_outcomes(
        &mut self,
        stratum: u32,
        view: DecisionView,
    ) -> Vec<(usize, RuleOutcome<'p>)>;
}
