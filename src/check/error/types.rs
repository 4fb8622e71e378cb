//! Problems with types and optionals.

use crate::check::types::Ty;
use crate::diag::{Code, Diagnostic};
use crate::span::Span;

/// A value of the wrong type, or optional where a value is needed.
#[derive(Debug, Clone)]
pub enum TypeError {
    /// `histology = 3`, `-"text"`, `{CR, 3}` (S0301).
    Mismatch {
        /// The value of the wrong type.
        span: Span,
        /// The type wanted there.
        expected: Ty,
        /// Its type.
        found: Ty,
        /// Why that type is wanted: "both sides of a comparison must have the same type".
        context: String,
    },
    /// `any e in ecog where …` on an `int` (S0301).
    NotACollection {
        /// The value ranged over.
        span: Span,
        /// Its type.
        found: Ty,
        /// What ranges over it: "`in` ranges over a collection".
        context: &'static str,
    },
    /// `ecog[1]` on an `int` (S0301).
    NotIndexable {
        /// The value indexed.
        span: Span,
        /// Its type.
        found: Ty,
    },
    /// `age: int = "old"`, `end: date = none` (S0301).
    DefaultDoesNotFit {
        /// The field's name.
        field: String,
        /// The field's type.
        ty: Ty,
        /// The default.
        span: Span,
        /// Whether the default is `none` (the field should be optional).
        is_none: bool,
    },
    /// `case { as_of = age }` on an `int` (S0301).
    AsOfNotADate {
        /// The expression.
        span: Span,
        /// Its type.
        found: Ty,
    },
    /// `end_date = none` (S0301).
    NoneCompared {
        /// The comparison.
        span: Span,
        /// The other side, as written.
        shown: String,
    },
    /// `hbv < true`, `"a" > "b"` (S0301).
    NoOrder {
        /// The comparison.
        span: Span,
        /// The type compared (`bool` or `text`).
        ty: Ty,
    },
    /// `histology > DLBCL_NOS` on a plain enum (S0301).
    EnumNoOrder {
        /// The left side.
        span: Span,
        /// The enum.
        name: String,
    },
    /// `crcl < 60 mL/min` on a `series mL/min` (S0301).
    SeriesCompared {
        /// The series.
        span: Span,
        /// It, as written.
        shown: String,
    },
    /// `outcome = stop_reason intolerance {…}` on a `text` field (S0301).
    RoleNeedsEnum {
        /// The word `responding` or `intolerance`.
        span: Span,
        /// The word.
        word: String,
        /// The role's field type.
        found: Ty,
    },
    /// `received R-CHOP within 12` (S0301).
    WithinNotDuration {
        /// The duration expression.
        span: Span,
        /// Its type.
        found: Ty,
    },
    /// `latest age` on an `int` (S0301).
    NotASeries {
        /// The value read.
        span: Span,
        /// The read: `latest`, `previous`, ….
        read: &'static str,
        /// Its type.
        found: Ty,
    },
    /// `end_date < 2025-01-01` on a `date?` (S0305).
    MayBeNone {
        /// The optional value.
        span: Span,
        /// It, as written.
        shown: String,
        /// The type inside the optional.
        inner: Ty,
        /// Whether `shown is not none and …` would narrow it.
        narrowable: bool,
        /// Whether it is written in parentheses.
        grouped: bool,
    },
    /// `when ecog` on an `int` (S0306).
    NotACondition {
        /// The condition.
        span: Span,
        /// Its type.
        found: Ty,
    },
}

impl TypeError {
    /// The diagnostic, or `None` when a type in it holds an error already reported.
    pub fn diagnostic(self) -> Option<Diagnostic> {
        if self.types().iter().any(|t| t.has_error()) {
            return None;
        }
        Some(match self {
            TypeError::Mismatch {
                span,
                expected,
                found,
                context,
            } => typed(
                span,
                format!("expected `{expected}`, found `{found}`"),
                &found,
            )
            .note(context),
            TypeError::NotACollection {
                span,
                found,
                context,
            } => not_a_collection(span, &found).note(context),
            TypeError::NotIndexable { span, found } => typed(
                span,
                format!("expected a map or a list, found `{found}`"),
                &found,
            )
            .note("only maps and lists are indexed"),
            TypeError::DefaultDoesNotFit {
                field,
                ty,
                span,
                is_none,
            } => default_does_not_fit(&field, &ty, span, is_none),
            TypeError::AsOfNotADate { span, found } => {
                typed(span, "`as_of` must be a date".to_string(), &found)
            }
            TypeError::NoneCompared { span, shown } => none_compared(span, &shown),
            TypeError::NoOrder { span, ty } => no_order(span, &ty),
            TypeError::EnumNoOrder { span, name } => enum_no_order(span, &name),
            TypeError::SeriesCompared { span, shown } => series_compared(span, &shown),
            TypeError::RoleNeedsEnum { span, word, found } => Diagnostic::new(
                Code::S0301,
                span,
                format!("`{word}` needs a field of an enum type"),
            )
            .label(format!("the role's field is `{found}`")),
            TypeError::WithinNotDuration { span, found } => {
                typed(span, "`within` needs a duration".to_string(), &found)
                    .help("write a length of time, e.g. `within 12 months` or `within 30 days`")
            }
            TypeError::NotASeries { span, read, found } => typed(
                span,
                format!("`{read}` reads a series, not `{found}`"),
                &found,
            )
            .help("declare the field as `series UNIT`"),
            TypeError::MayBeNone {
                span,
                shown,
                inner,
                narrowable,
                grouped,
            } => may_be_none(span, &shown, &inner, narrowable, grouped),
            TypeError::NotACondition { span, found } => {
                Diagnostic::new(Code::S0306, span, "this condition is not true or false")
                    .label(format!("this is `{found}`"))
                    .help("compare it with something, e.g. `x = …` or `x > …`")
            }
        })
    }

    /// The types the diagnostic would show (the optional's inner type is
    /// worded apart: an optional stays a mistake of its own).
    fn types(&self) -> Vec<&Ty> {
        match self {
            TypeError::Mismatch {
                expected, found, ..
            } => vec![expected, found],
            TypeError::NotACollection { found, .. }
            | TypeError::NotIndexable { found, .. }
            | TypeError::AsOfNotADate { found, .. }
            | TypeError::RoleNeedsEnum { found, .. }
            | TypeError::WithinNotDuration { found, .. }
            | TypeError::NotASeries { found, .. }
            | TypeError::NotACondition { found, .. } => vec![found],
            TypeError::DefaultDoesNotFit { ty, .. } | TypeError::NoOrder { ty, .. } => vec![ty],
            _ => Vec::new(),
        }
    }
}

/// An S0301 whose label shows the value's type.
fn typed(span: Span, message: String, found: &Ty) -> Diagnostic {
    Diagnostic::new(Code::S0301, span, message).label(format!("this is `{found}`"))
}

fn not_a_collection(span: Span, found: &Ty) -> Diagnostic {
    let message = format!("expected a list, set, map, range or history, found `{found}`");
    typed(span, message, found)
}

fn default_does_not_fit(field: &str, ty: &Ty, span: Span, is_none: bool) -> Diagnostic {
    let help = match is_none {
        true => format!("make the field optional: `{field}: {ty}?`"),
        false => "give a default of the field's type".to_string(),
    };
    Diagnostic::new(
        Code::S0301,
        span,
        format!("this default does not fit field `{field}`"),
    )
    .label(format!("the field is `{ty}`"))
    .help(help)
}

fn none_compared(span: Span, shown: &str) -> Diagnostic {
    Diagnostic::new(Code::S0301, span, "`none` is compared with `=`")
        .label("this comparison")
        .help(format!("write `{shown} is none` (or `is not none`)"))
}

fn no_order(span: Span, ty: &Ty) -> Diagnostic {
    Diagnostic::new(Code::S0301, span, format!("`{ty}` values have no order"))
        .label("compared with `<` or `>`")
        .help("use `=` or `!=`")
}

fn enum_no_order(span: Span, name: &str) -> Diagnostic {
    Diagnostic::new(Code::S0301, span, format!("enum `{name}` has no order"))
        .label("compared with `<` or `>`")
        .help(format!(
            "declare it ordered with `<` between values: `enum {name} {{ A < B }}`, or use `=`"
        ))
}

fn series_compared(span: Span, shown: &str) -> Diagnostic {
    Diagnostic::new(
        Code::S0301,
        span,
        format!("`{shown}` is a series of dated values, not one value"),
    )
    .label("a series")
    .help(format!(
        "read one value: `latest {shown}`, `latest {shown} within 30 days`, `nadir {shown}`"
    ))
}

fn may_be_none(span: Span, shown: &str, inner: &Ty, narrowable: bool, grouped: bool) -> Diagnostic {
    let label = match inner.has_error() {
        true => "this is optional".to_string(),
        false => format!("this is `{}`", Ty::Optional(Box::new(inner.clone()))),
    };
    let help = if narrowable {
        format!("guard it: `{shown} is not none and …`, or give a default: `{shown} otherwise …`")
    } else {
        let grouped = if grouped {
            shown.to_string()
        } else {
            format!("({shown})")
        };
        format!("give a default: `{grouped} otherwise …`, or name it with a define and guard the name: `NAME is not none and …`")
    };
    Diagnostic::new(Code::S0305, span, format!("`{shown}` may be none here"))
        .label(label)
        .note("an optional value must be narrowed before it is compared or computed with")
        .help(help)
}
