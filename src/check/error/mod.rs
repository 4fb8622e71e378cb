//! The checker's problems as data, and the one place that words them.
//!
//! The checker records a [`CheckError`] where it finds a problem, with the
//! names, candidates, spans and types involved; [`CheckError::diagnostic`]
//! turns it into the [`Diagnostic`] a person reads. So each code is worded in
//! one place, and a problem about a value whose type already had an error is
//! dropped there (its cause was reported where it was made).

mod actions;
mod names;
mod types;
mod warnings;

pub use actions::ActionError;
pub use names::{Hidden, NameError, Spelling};
pub use types::TypeError;
pub use warnings::Warning;

use crate::diag::Diagnostic;

/// A problem found by the checker, by family.
#[derive(Debug, Clone)]
pub enum CheckError {
    /// Names: unknown, defined twice, hidden, cycles (S0002, S0101–S0114).
    Name(NameError),
    /// Types, units and optionals (S0301–S0308, S0320).
    Type(TypeError),
    /// Headers, actions, modifiers, history mappings, decision reads and
    /// tests (S0002, S0204, S0205, S0309–S0318, S0330, S0331).
    Action(ActionError),
    /// Warnings (S0501–S0506).
    Warning(Warning),
}

impl CheckError {
    /// Whether it is an error (every family but the warnings).
    pub fn is_error(&self) -> bool {
        !matches!(self, CheckError::Warning(_))
    }

    /// The diagnostic that reports this problem, or `None` when it is about a
    /// value whose type holds an error already reported.
    pub fn diagnostic(self) -> Option<Diagnostic> {
        match self {
            CheckError::Name(e) => e.diagnostic(),
            CheckError::Type(e) => e.diagnostic(),
            CheckError::Action(e) => Some(e.diagnostic()),
            CheckError::Warning(e) => Some(e.diagnostic()),
        }
    }
}

impl From<NameError> for CheckError {
    fn from(e: NameError) -> CheckError {
        CheckError::Name(e)
    }
}

impl From<TypeError> for CheckError {
    fn from(e: TypeError) -> CheckError {
        CheckError::Type(e)
    }
}

impl From<ActionError> for CheckError {
    fn from(e: ActionError) -> CheckError {
        CheckError::Action(e)
    }
}

impl From<Warning> for CheckError {
    fn from(e: Warning) -> CheckError {
        CheckError::Warning(e)
    }
}

/// `1 argument`, `2 arguments`.
fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// `a` or `an` before a word.
fn article(word: &str) -> &'static str {
    match word.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    }
}
