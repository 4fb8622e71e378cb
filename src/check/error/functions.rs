//! Problems with the built-in functions and the power operator: the wrong
//! number of arguments, an argument that is not a number, decimal places
//! that are not a literal, and a unit where only a plain number may be.

use crate::check::types::Ty;
use crate::diag::{Code, Diagnostic};
use crate::span::Span;

/// A misuse of a built-in function or of `^`.
#[derive(Debug, Clone)]
pub enum FunctionError {
    /// `round(x, 1, 2)`, `ln()` (S0343).
    ArgumentCount {
        /// The call.
        span: Span,
        /// The function.
        name: String,
        /// What it takes, in words ("1 or 2").
        takes: &'static str,
        /// How many were given.
        given: usize,
    },
    /// `abs(histology)` (S0343).
    NotANumber {
        /// The argument.
        span: Span,
        /// The function.
        name: String,
        /// Its type.
        found: Ty,
    },
    /// `round(x, n)`, `round(x, -1)`, `round(x, 1.5)` (S0343).
    Places {
        /// The second argument.
        span: Span,
        /// The function.
        name: String,
    },
    /// `ln(latest crcl)`, `10 ^ (2 days)`, `(60 mL/min) ^ 2` (S0344).
    UnitNotAllowed {
        /// The argument or operand.
        span: Span,
        /// What takes a plain number (`ln`, `^`).
        what: String,
        /// The unit found.
        unit: String,
    },
}

impl FunctionError {
    /// The diagnostic.
    pub fn diagnostic(self) -> Option<Diagnostic> {
        Some(match self {
            FunctionError::ArgumentCount {
                span,
                name,
                takes,
                given,
            } => Diagnostic::new(
                Code::S0343,
                span,
                format!("`{name}` takes {takes} argument(s), not {given}"),
            )
            .label(format!("{given} given"))
            .note(usage(&name)),
            FunctionError::NotANumber { found, .. } if found.has_error() => return None,
            FunctionError::NotANumber { span, name, found } => Diagnostic::new(
                Code::S0343,
                span,
                format!("`{name}` takes a number, found `{found}`"),
            )
            .label("not a number")
            .note(usage(&name)),
            FunctionError::Places { span, name } => Diagnostic::new(
                Code::S0343,
                span,
                format!("the decimal places of `{name}` must be a whole number written out"),
            )
            .label("not a literal whole number from 0 to 28")
            .help(format!("write the places as a literal: `{name}(x, 1)`")),
            FunctionError::UnitNotAllowed { span, what, unit } => Diagnostic::new(
                Code::S0344,
                span,
                format!("`{what}` takes a number without a unit, not one in `{unit}`"),
            )
            .label(format!("this is in `{unit}`"))
            .note(
                "a logarithm, an exponential or a power of a quantity has no unit Salvage can name",
            )
            .help(format!("divide by one unit first: `x / 1 {unit}`")),
        })
    }
}

/// How a function is called.
fn usage(name: &str) -> String {
    match name {
        "round" | "floor" | "ceil" => {
            format!("`{name}(x)` is to a whole number, `{name}(x, N)` to N decimal places")
        }
        _ => format!("`{name}(x)` takes one number"),
    }
}
