//! Problems with dated lists: a `dated by` that names no date field of the
//! list's records, and `latest`/`earliest` over a list that is not dated.

use crate::diag::{Code, Diagnostic};
use crate::span::{Name, Span};

/// A problem with a dated list or a pick over one.
#[derive(Debug, Clone)]
pub enum DatedError {
    /// `labs: list of Lab dated by result` where `result` is not a `date`
    /// field of `Lab`, or `dated by` on a field that is not a case field
    /// holding a list of records (S0340).
    NotADateField {
        /// The name after `dated by`.
        field: Name,
        /// Why it cannot date the list, worded for the label.
        why: String,
    },
    /// `latest l in courses where …` where `courses` is not declared
    /// `dated by` (S0341).
    NotDated {
        /// The list.
        span: Span,
        /// `latest` or `earliest`.
        read: &'static str,
    },
}

impl DatedError {
    /// The diagnostic that reports it.
    pub fn diagnostic(self) -> Diagnostic {
        match self {
            DatedError::NotADateField { field, why } => Diagnostic::new(
                Code::S0340,
                field.span,
                format!("`{}` cannot date this list", field.node),
            )
            .label(why)
            .help("name a `date` field of the list's records: `list of Lab dated by collected`"),
            DatedError::NotDated { span, read } => {
                Diagnostic::new(Code::S0341, span, format!("`{read}` needs a dated list"))
                    .label("this list is not declared `dated by` a field")
                    .note(format!(
                        "`{read} x in xs where P` picks by the date the list is declared dated by"
                    ))
                    .help("declare the case field `dated by` its records' date field")
            }
        }
    }
}
