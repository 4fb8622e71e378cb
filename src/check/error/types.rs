//! Problems with types, units and optionals.

use crate::check::types::{Ty, UnitTy};
use crate::diag::{Code, Diagnostic};
use crate::span::Span;
use rust_decimal::Decimal;

/// A problem with the type, unit or optionality of a value.
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
    /// `hb < 60 mL/min` on a `g/dL` value (S0302).
    DimensionMismatch {
        /// The left side and its unit.
        left: (Span, UnitTy),
        /// The right side and its unit.
        right: (Span, UnitTy),
        /// "compared" or "added".
        how: &'static str,
    },
    /// `crcl * weight` in two units (S0302).
    UnnamedUnit {
        /// The product or ratio.
        span: Span,
    },
    /// `latest crcl < 60` on a `series mL/min` (S0303).
    BareNumber {
        /// The value without a unit.
        span: Span,
        /// It, as written.
        shown: String,
        /// Whether it is a number literal (else a field or define).
        literal: bool,
        /// The other side and its unit.
        other: (Span, String),
    },
    /// `x days < 12 months` (S0304).
    FixedAndCalendar {
        /// The comparison or sum.
        span: Span,
        /// The fixed unit (`days`).
        fixed: String,
        /// The calendar unit (`months`).
        calendar: String,
        /// "compared" or "added".
        how: &'static str,
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
    /// `ecog > 7` on an `int 0..4` (S0307).
    OutsideRange {
        /// The literal.
        span: Span,
        /// It, as written.
        shown: String,
        /// The field.
        field: String,
        /// The declared bounds.
        low: Decimal,
        /// The declared upper bound.
        high: Decimal,
        /// Where they are declared.
        bounds: Span,
    },
    /// `crcl: series ml/min` (S0308).
    UnknownUnit {
        /// The unit.
        span: Span,
        /// It, as written.
        spelling: String,
        /// The closest known unit.
        suggestion: Option<String>,
    },
    /// `unit alias "x" = nope` (S0308).
    UnitDeclaration {
        /// The unit refused.
        span: Span,
        /// Why.
        error: crate::units::UnitError,
    },
    /// `ecog in 4..0`, `int 10..1` (S0320).
    EmptyRange {
        /// The bounds.
        span: Span,
        /// The lower bound as written.
        low: Decimal,
        /// The upper bound as written.
        high: Decimal,
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
            TypeError::DimensionMismatch { left, right, how } => {
                dimension_mismatch(&left, &right, how)
            }
            TypeError::UnnamedUnit { span } => unnamed_unit(span),
            TypeError::BareNumber {
                span,
                shown,
                literal,
                other,
            } => bare_number(span, &shown, literal, &other),
            TypeError::FixedAndCalendar {
                span,
                fixed,
                calendar,
                how,
            } => fixed_and_calendar(span, &fixed, &calendar, how),
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
            TypeError::OutsideRange {
                span,
                shown,
                field,
                low,
                high,
                bounds,
            } => outside_range(span, &shown, &field, (low, high), bounds),
            TypeError::UnknownUnit {
                span,
                spelling,
                suggestion,
            } => unknown_unit(span, &spelling, suggestion),
            TypeError::UnitDeclaration { span, error } => {
                Diagnostic::new(Code::S0308, span, error.to_string())
                    .label("in this unit declaration")
            }
            TypeError::EmptyRange { span, low, high } => {
                Diagnostic::new(Code::S0320, span, "this range is empty")
                    .label(format!("{low} is greater than {high}"))
                    .help("write the smaller bound first: `low..high`")
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

fn dimension_mismatch(left: &(Span, UnitTy), right: &(Span, UnitTy), how: &str) -> Diagnostic {
    let ((l, x), (r, y)) = (left, right);
    Diagnostic::new(
        Code::S0302,
        *r,
        format!(
            "`{}` and `{}` are different kinds of quantity",
            x.spelling, y.spelling
        ),
    )
    .label(format!("this is in `{}`", y.spelling))
    .also(*l, format!("this is in `{}`", x.spelling))
    .note(format!(
        "{} cannot be {how} with {}",
        x.dimension, y.dimension
    ))
}

fn unnamed_unit(span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::S0302,
        span,
        "this product or ratio has a unit Salvage cannot name",
    )
    .label("units multiplied or divided")
    .help("divide values of one dimension (a ratio), or scale by a bare number")
}

fn bare_number(span: Span, shown: &str, literal: bool, other: &(Span, String)) -> Diagnostic {
    let (other_span, unit) = other;
    let help = match literal {
        true => format!("write the unit: `{shown} {unit}`"),
        false => format!("give `{shown}` a unit in its declaration"),
    };
    Diagnostic::new(
        Code::S0303,
        span,
        format!("`{shown}` has no unit, but is used with `{unit}`"),
    )
    .label("no unit")
    .also(*other_span, format!("this is in `{unit}`"))
    .help(help)
}

fn fixed_and_calendar(span: Span, fixed: &str, calendar: &str, how: &str) -> Diagnostic {
    Diagnostic::new(
        Code::S0304,
        span,
        format!("`{fixed}` and `{calendar}` cannot be {how}"),
    )
    .label("a fixed duration and a calendar duration")
    .note("a month or a year has no fixed number of days")
    .help("work with dates instead, e.g. `progression_date <= end_date + 12 months`")
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

fn outside_range(
    span: Span,
    shown: &str,
    field: &str,
    bounds: (Decimal, Decimal),
    at: Span,
) -> Diagnostic {
    let (low, high) = bounds;
    Diagnostic::new(
        Code::S0307,
        span,
        format!("{shown} is outside the range of `{field}`"),
    )
    .label(format!("`{field}` is declared {low}..{high}"))
    .also(at, "declared here")
    .note("a comparison with a value that cannot occur is always the same")
}

fn unknown_unit(span: Span, spelling: &str, suggestion: Option<String>) -> Diagnostic {
    Diagnostic::new(Code::S0308, span, format!("unknown unit `{spelling}`"))
        .label("not a unit Salvage knows")
        .suggest(suggestion)
        .help("declare it with `unit NAME`, or a spelling with `unit alias \"…\" = UNIT`")
}
