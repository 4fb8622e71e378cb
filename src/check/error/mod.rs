//! The checker's problems as data, and the one place that words them.
//!
//! The checker records a [`CheckError`] where it finds a problem, with the
//! names, candidates, spans and types involved; [`CheckError::diagnostic`]
//! turns it into the [`Diagnostic`] a person reads. So each code is worded in
//! one place, and a problem about a value whose type already had an error is
//! dropped there (its cause was reported where it was made).

mod actions;
mod bindings;
mod collections;
mod dated;
mod decls;
mod functions;
mod names;
mod quantities;
mod types;
mod warnings;

pub use actions::ActionError;
pub use bindings::BindingError;
pub use collections::CollectionError;
pub use dated::DatedError;
pub use decls::{DeclError, Hidden, Spelling};
pub use functions::FunctionError;
pub use names::NameError;
pub use quantities::QuantityError;
pub use types::TypeError;
pub use warnings::Warning;

use crate::diag::Diagnostic;

/// A problem found by the checker, by family.
#[derive(Debug, Clone)]
pub enum CheckError {
    /// Names that do not resolve (S0101–S0106, S0109–S0112).
    Name(NameError),
    /// Declarations: repeated, hiding, clashing, cyclic (S0002, S0107, S0108, S0113, S0114).
    Decl(DeclError),
    /// Types and optionals (S0301, S0305, S0306).
    Type(TypeError),
    /// Units and ranges (S0302–S0304, S0307, S0308, S0320).
    Quantity(QuantityError),
    /// Headers, actions, modifiers, history mappings, decision reads and
    /// tests (S0002, S0204, S0205, S0309–S0318, S0330, S0331).
    Action(ActionError),
    /// Built-in functions and `^` (S0343, S0344).
    Function(FunctionError),
    /// Warnings (S0501–S0507, S0510, S0511).
    Warning(Warning),
    /// Dated lists (S0340, S0341).
    Dated(DatedError),
    /// Lookups, positions, sorts, repeats and neighbours (S0360–S0364).
    Collection(CollectionError),
    /// Named unknowns and `let` (S0370, S0372, S0373).
    Binding(BindingError),
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
            CheckError::Decl(e) => Some(e.diagnostic()),
            CheckError::Type(e) => e.diagnostic(),
            CheckError::Quantity(e) => Some(e.diagnostic()),
            CheckError::Action(e) => Some(e.diagnostic()),
            CheckError::Function(e) => e.diagnostic(),
            CheckError::Warning(e) => Some(e.diagnostic()),
            CheckError::Dated(e) => Some(e.diagnostic()),
            CheckError::Collection(e) => e.diagnostic(),
            CheckError::Binding(e) => Some(e.diagnostic()),
        }
    }
}

impl From<FunctionError> for CheckError {
    fn from(e: FunctionError) -> CheckError {
        CheckError::Function(e)
    }
}

impl From<BindingError> for CheckError {
    fn from(e: BindingError) -> CheckError {
        CheckError::Binding(e)
    }
}

impl From<NameError> for CheckError {
    fn from(e: NameError) -> CheckError {
        CheckError::Name(e)
    }
}

impl From<DeclError> for CheckError {
    fn from(e: DeclError) -> CheckError {
        CheckError::Decl(e)
    }
}

impl From<TypeError> for CheckError {
    fn from(e: TypeError) -> CheckError {
        CheckError::Type(e)
    }
}

impl From<QuantityError> for CheckError {
    fn from(e: QuantityError) -> CheckError {
        CheckError::Quantity(e)
    }
}

impl From<ActionError> for CheckError {
    fn from(e: ActionError) -> CheckError {
        CheckError::Action(e)
    }
}

impl From<CollectionError> for CheckError {
    fn from(e: CollectionError) -> CheckError {
        CheckError::Collection(e)
    }
}

impl From<DatedError> for CheckError {
    fn from(e: DatedError) -> CheckError {
        CheckError::Dated(e)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::types::Ty;
    use crate::diag::Code;
    use crate::span::{Name, Span};

    fn name(text: &str) -> Name {
        Name::new(text.to_string(), Span::default())
    }

    fn list_of(t: Ty) -> Ty {
        Ty::List(Box::new(t))
    }

    #[test]
    fn a_type_holding_an_error_is_not_reported() {
        let mismatch = TypeError::Mismatch {
            span: Span::default(),
            expected: list_of(Ty::Error),
            found: Ty::Bool,
            context: "both sides".to_string(),
        };
        assert!(CheckError::from(mismatch).diagnostic().is_none());
        let field = NameError::NoFields {
            field: name("size"),
            found: list_of(Ty::Error),
            inner: Span::default(),
        };
        assert!(CheckError::from(field).diagnostic().is_none());
    }

    #[test]
    fn an_unguarded_optional_is_reported_even_when_its_type_had_an_error() {
        let none = TypeError::MayBeNone {
            span: Span::default(),
            shown: "previous".to_string(),
            inner: list_of(Ty::Error),
            narrowable: true,
            grouped: false,
        };
        let diag = CheckError::from(none).diagnostic();
        let diag = diag.unwrap_or_else(|| panic!("S0305 should be reported"));
        assert_eq!(diag.code, Code::S0305);
        assert_eq!(diag.primary.message, "this is optional");
        assert!(!diag.help.concat().contains("error"));
    }

    #[test]
    fn a_subtraction_hint_replaces_the_suggestion() {
        let unknown = NameError::UnknownName {
            name: name("age-years"),
            subtraction: Some("age - years".to_string()),
            suggestion: Some("ages".to_string()),
        };
        let diag = CheckError::from(unknown).diagnostic();
        let help = diag.map(|d| d.help).unwrap_or_default();
        assert_eq!(
            help,
            vec!["to subtract, put spaces around `-`: `age - years`".to_string()]
        );
    }

    #[test]
    fn every_repeat_is_worded_one_way() {
        let twice = |what, name: Option<&str>| {
            let name = name.map(str::to_string);
            let (at, first) = (Span::default(), Span::default());
            DeclError::DefinedTwice {
                what,
                name,
                at,
                first,
            }
            .diagnostic()
        };
        let field = twice("field", Some("age"));
        let value = twice("enum value", Some("PR"));
        assert_eq!(field.message, "field `age` is defined twice");
        assert_eq!(value.message, "enum value `PR` is defined twice");
        assert_eq!(field.help, value.help);
        assert_eq!(field.primary.message, value.primary.message);
        let schema = twice("case schema", None);
        assert_eq!(schema.message, "the case schema is defined twice");
    }
}
