//! Problems with collections built from case data: a map looked up by a key
//! of the wrong type, a list indexed by something that is not a position, a
//! sort key that does not order, repeats that cannot be compared, and
//! `previous of`/`next of` over something that is not a list.

use crate::check::types::Ty;
use crate::diag::{Code, Diagnostic};
use crate::span::Span;

/// A problem with a lookup, a sort, a set of values or a neighbour read.
#[derive(Debug, Clone)]
pub enum CollectionError {
    /// `doses[2026-01-01]` on a `map of agent to number` (S0360).
    WrongKey {
        /// The key.
        span: Span,
        /// The map's key type.
        expected: Ty,
        /// The key's type.
        found: Ty,
    },
    /// `doses["first"]` on a `list of number` (S0363).
    NotAPosition {
        /// The index.
        span: Span,
        /// Its type.
        found: Ty,
    },
    /// `sorted l in lines by l.regimen` (S0361).
    NotOrderable {
        /// The key.
        span: Span,
        /// Its type.
        found: Ty,
    },
    /// `distinct prior lines`, `{l for l in lines}` over records (S0362).
    NotComparable {
        /// The values.
        span: Span,
        /// Their type.
        found: Ty,
        /// `distinct` or "a set".
        what: &'static str,
    },
    /// `previous of x in courses_set` on a set (S0364).
    NotAList {
        /// The collection.
        span: Span,
        /// Its type.
        found: Ty,
        /// `previous of` or `next of`.
        read: &'static str,
    },
}

impl CollectionError {
    /// The diagnostic, or `None` when a type in it holds an error already reported.
    pub fn diagnostic(self) -> Option<Diagnostic> {
        if self.types().iter().any(|t| t.has_error()) {
            return None;
        }
        Some(match self {
            CollectionError::WrongKey {
                span,
                expected,
                found,
            } => Diagnostic::new(Code::S0360, span, format!("a `{found}` key for a map whose keys are `{expected}`"))
                .label(format!("this key is `{found}`"))
                .note("`m[k]` looks `k` up among the map's keys, so `k` must have their type")
                .help(format!("look it up by a key of type `{expected}`")),
            CollectionError::NotAPosition { span, found } => Diagnostic::new(
                Code::S0363,
                span,
                format!("a list is indexed by a whole number, found `{found}`"),
            )
            .label("this is not a position")
            .note("`xs[0]` is the first member, `xs[count xs - 1]` the last")
            .help("index by an `int` without a unit"),
            CollectionError::NotOrderable { span, found } => Diagnostic::new(
                Code::S0361,
                span,
                format!("`sorted` by a `{found}`, which has no order"),
            )
            .label("this key cannot be ordered")
            .note("a sort key is a number, a date, a value of an ordered enum, or text")
            .help("sort by a field that orders, such as a date or a number"),
            CollectionError::NotComparable { span, found, what } => Diagnostic::new(
                Code::S0362,
                span,
                format!("{what} of `{found}` values, which cannot be compared for repeats"),
            )
            .label(format!("these values are `{found}`"))
            .note("repeats are found among numbers, dates, text, truth values, enum values and vocabulary names")
            .help("project a field that identifies each member: `{l.regimen for l in prior lines}`"),
            CollectionError::NotAList { span, found, read } => Diagnostic::new(
                Code::S0364,
                span,
                format!("`{read}` needs a list, found `{found}`"),
            )
            .label("this has no order of its own")
            .note(format!("`{read} x in xs` reads the member beside `x` in the list's order"))
            .help("give it a list: `sorted c in courses by c.start`, or a list field"),
        })
    }

    fn types(&self) -> Vec<&Ty> {
        match self {
            CollectionError::WrongKey {
                expected, found, ..
            } => vec![expected, found],
            CollectionError::NotAPosition { found, .. }
            | CollectionError::NotOrderable { found, .. }
            | CollectionError::NotComparable { found, .. }
            | CollectionError::NotAList { found, .. } => vec![found],
        }
    }
}
