//! Named unknowns, `let` and bound names (S0370, S0372–S0374; S0371 is
//! the parser's).

use super::decls::Hidden;
use crate::diag::{Code, Diagnostic};
use crate::span::{Name, Span};

/// A named unknown or a `let` the checker refuses.
#[derive(Debug, Clone)]
pub enum BindingError {
    /// `define brca = unknown as "brca"`: nothing says what type it is (S0370).
    UntypedUnknown {
        /// The named unknown.
        span: Span,
    },
    /// `let a = … in` where `a` is already a bound variable, parameter or
    /// `let` name (S0372).
    Rebound {
        /// The `let` name.
        name: Name,
    },
    /// `let r = m[k] in true`: the body never reads `r` (S0373).
    Unread {
        /// The `let` name.
        name: Name,
    },
    /// `any DLBCL in histologies where …` beside `enum Histology { DLBCL, FL }`:
    /// a bound name that hides a vocabulary name or an enum value (S0374).
    HidesName {
        /// The bound name.
        name: Name,
        /// What it hides.
        hidden: Hidden,
    },
}

impl BindingError {
    /// The diagnostic.
    pub fn diagnostic(self) -> Diagnostic {
        match self {
            BindingError::UntypedUnknown { span } => Diagnostic::new(
                Code::S0370,
                span,
                "nothing here says what type this unknown is",
            )
            .label("a named unknown takes the type of where it stands")
            .note("it takes the type of the other side of `otherwise` or a comparison, of another branch of `if` or `match`, of a parameter, or of a condition")
            .help("write it as a default: `latest brca otherwise unknown as \"brca\"`"),
            BindingError::Rebound { name } => Diagnostic::new(
                Code::S0372,
                name.span,
                format!("`{}` is already bound here", name.node),
            )
            .label("a second binding of this name")
            .note("a `let` name may not hide a bound variable, a parameter or an enclosing `let`")
            .help("give the `let` a name of its own"),
            BindingError::Unread { name } => Diagnostic::new(
                Code::S0373,
                name.span,
                format!("`{}` is never read in the body of its `let`", name.node),
            )
            .label("bound here")
            .help(format!(
                "use `{}` after `in`, or write the body without the `let`",
                name.node
            )),
            BindingError::HidesName { name, hidden } => Diagnostic::new(
                Code::S0374,
                name.span,
                format!("`{}` hides {}", name.node, hidden.words),
            )
            .label(format!("every `{}` in its scope reads this binding", name.node))
            .also(hidden.at, "hidden here")
            .note("a bound name is found before an enum value or a vocabulary name")
            .help("give the binding a name of its own"),
        }
    }
}
