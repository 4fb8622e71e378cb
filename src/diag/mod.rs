//! Diagnostics as plain data: every phase reports problems as [`Diagnostic`]s,
//! and only [`render`] turns them into text or JSON.

mod codes;
pub mod render;

pub use codes::{Code, Explanation};

use crate::span::Span;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The protocol cannot be used.
    Error,
    /// The protocol works but probably not as meant.
    Warning,
}

/// A span with a short message shown under it.
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    /// What is underlined.
    pub span: Span,
    /// What is said about it (may be empty).
    pub message: String,
}

/// One problem found in a protocol.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// The stable code, explained by `salvage explain`.
    pub code: Code,
    /// The one-line message: lowercase, no final period.
    pub message: String,
    /// The main place, underlined.
    pub primary: Label,
    /// Other places that explain it.
    pub secondary: Vec<Label>,
    /// Why it is a problem.
    pub notes: Vec<String>,
    /// How to fix it.
    pub help: Vec<String>,
}

impl Diagnostic {
    /// A diagnostic with a code, a message and a main place.
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            message: message.into(),
            primary: Label {
                span,
                message: String::new(),
            },
            secondary: Vec::new(),
            notes: Vec::new(),
            help: Vec::new(),
        }
    }

    /// The severity, fixed by the code.
    pub fn severity(&self) -> Severity {
        self.code.severity()
    }

    /// Sets the label under the main place.
    pub fn label(mut self, message: impl Into<String>) -> Diagnostic {
        self.primary.message = message.into();
        self
    }

    /// Adds another place with its label.
    pub fn also(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.secondary.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    /// Adds a note (why).
    pub fn note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    /// Adds a help line (how to fix).
    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help.push(help.into());
        self
    }

    /// Adds "did you mean `x`?" when a suggestion was found.
    pub fn suggest(self, suggestion: Option<String>) -> Diagnostic {
        match suggestion {
            Some(s) => self.help(format!("did you mean `{s}`?")),
            None => self,
        }
    }
}

/// The closest name to `wanted` among `candidates`, if one is close enough to suggest.
pub fn did_you_mean<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let wanted_folded = wanted.to_lowercase();
    let wanted_len = wanted_folded.chars().count();
    let mut best: Option<(f64, &str)> = None;
    for candidate in candidates {
        if candidate == wanted
            || candidate.chars().count().abs_diff(wanted_len) > wanted_len.max(3) / 2
        {
            continue;
        }
        let folded = candidate.to_lowercase();
        let score = strsim::jaro_winkler(&wanted_folded, &folded);
        if !best.is_none_or(|(b, _)| score > b) {
            continue;
        }
        // The edit distance (the costly test) only where it can decide: it
        // is at least the difference in length.
        let most = wanted_len.max(3) / 3;
        let close = score >= 0.88
            || (folded.chars().count().abs_diff(wanted_len) <= most
                && strsim::damerau_levenshtein(&wanted_folded, &folded) <= most);
        if close {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, name)| name.to_string())
}
