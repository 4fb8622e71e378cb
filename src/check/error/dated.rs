//! Problems with dated case data: a `dated by` that names no date field of
//! the list's records, `latest`/`earliest` over a list that is not dated, and
//! a series read `from` part of a list declared where it cannot be.

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
    /// `from labs where …` on a field that is not a `series` of the case
    /// schema (S0345).
    NotACaseSeries {
        /// The list named after `from`.
        span: Span,
        /// Why it cannot be read from a list, worded for the label.
        why: String,
    },
    /// `{ valeu = result }` or a part named twice in a series source (S0346).
    SourceKey {
        /// The part as written.
        part: Name,
        /// Whether it is a known part given a second time.
        repeated: bool,
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
            DatedError::NotACaseSeries { span, why } => Diagnostic::new(
                Code::S0345,
                span,
                "only a series of the case schema is read from part of a list",
            )
            .label(why)
            .help("declare it in `case { … }` as `NAME: series UNIT from LIST where KEY = \"…\"`"),
            DatedError::SourceKey {
                part,
                repeated: true,
            } => Diagnostic::new(
                Code::S0346,
                part.span,
                format!("the key of a value's `{}` is named twice", part.node),
            )
            .label("named again here")
            .help("name each of `value`, `date`, `unit` and `comparator` at most once"),
            DatedError::SourceKey {
                part,
                repeated: false,
            } => {
                let known = ["value", "date", "unit", "comparator"];
                let diagnostic = Diagnostic::new(
                    Code::S0346,
                    part.span,
                    format!("`{}` is not a part of a series value", part.node),
                )
                .label("a series value has a `value`, `date`, `unit` and `comparator`");
                match crate::diag::did_you_mean(&part.node, known.iter().copied()) {
                    Some(near) => diagnostic.help(format!("did you mean `{near}`?")),
                    None => diagnostic.help(
                        "name the record key of each part: `{ value = result, date = collected }`",
                    ),
                }
            }
        }
    }
}
