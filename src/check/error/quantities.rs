//! Problems with units: dimensions that differ, bare numbers beside units,
//! literals out of a declared range, unknown units, empty ranges.

use crate::check::types::UnitTy;
use crate::diag::{Code, Diagnostic};
use crate::span::Span;
use rust_decimal::Decimal;

/// A problem with the unit or the range of a quantity.
#[derive(Debug, Clone)]
pub enum QuantityError {
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
    /// `analyte bilirubin: 1 mg/dL = 10 mg/L` (S0351).
    AnalyteDeclaration {
        /// The declaration.
        span: Span,
        /// Why it cannot hold.
        error: crate::units::UnitError,
    },
    /// `bilirubin: number mg/dL analyte bilirubn` (S0350).
    UnknownAnalyte {
        /// The name.
        span: Span,
        /// It, as written.
        name: String,
        /// The closest declared analyte.
        suggestion: Option<String>,
    },
    /// `bilirubin: number mL/min analyte bilirubin`, `note: text analyte
    /// bilirubin` (S0352).
    AnalyteUnit {
        /// The `analyte NAME`.
        span: Span,
        /// The analyte.
        name: String,
        /// The field's unit, if it has one.
        unit: Option<String>,
        /// The two dimensions the analyte relates, in words.
        dimensions: [String; 2],
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

impl QuantityError {
    /// The diagnostic.
    pub fn diagnostic(self) -> Diagnostic {
        match self {
            QuantityError::DimensionMismatch { left, right, how } => {
                dimension_mismatch(&left, &right, how)
            }
            QuantityError::UnnamedUnit { span } => unnamed_unit(span),
            QuantityError::BareNumber {
                span,
                shown,
                literal,
                other,
            } => bare_number(span, &shown, literal, &other),
            QuantityError::FixedAndCalendar {
                span,
                fixed,
                calendar,
                how,
            } => fixed_and_calendar(span, &fixed, &calendar, how),
            QuantityError::OutsideRange {
                span,
                shown,
                field,
                low,
                high,
                bounds,
            } => outside_range(span, &shown, &field, (low, high), bounds),
            QuantityError::UnknownUnit {
                span,
                spelling,
                suggestion,
            } => unknown_unit(span, &spelling, suggestion),
            QuantityError::UnitDeclaration { span, error } => {
                Diagnostic::new(Code::S0308, span, error.to_string())
                    .label("in this unit declaration")
            }
            QuantityError::AnalyteDeclaration { span, error } => {
                Diagnostic::new(Code::S0351, span, error.to_string())
                    .label("in this analyte declaration")
                    .help("relate units of two dimensions by positive amounts: `analyte bilirubin: 1 mg/dL = 17.1 µmol/L`")
            }
            QuantityError::UnknownAnalyte {
                span,
                name,
                suggestion,
            } => Diagnostic::new(Code::S0350, span, format!("unknown analyte `{name}`"))
                .label("no analyte of this name is declared")
                .suggest(suggestion)
                .help("declare it: `analyte NAME: 1 mg/dL = FACTOR µmol/L`"),
            QuantityError::AnalyteUnit {
                span,
                name,
                unit,
                dimensions,
            } => analyte_unit(span, &name, unit.as_deref(), &dimensions),
            QuantityError::EmptyRange { span, low, high } => {
                Diagnostic::new(Code::S0320, span, "this range is empty")
                    .label(format!("{low} is greater than {high}"))
                    .help("write the smaller bound first: `low..high`")
            }
        }
    }
}

fn dimension_mismatch(left: &(Span, UnitTy), right: &(Span, UnitTy), how: &str) -> Diagnostic {
    let ((l, x), (r, y)) = (left, right);
    let diag = Diagnostic::new(
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
    ));
    if let (Some(a), Some(b)) = (&x.analyte, &y.analyte) {
        return diag.note(format!(
            "`{}` and `{}` are different analytes, which never convert",
            a.name, b.name
        ));
    }
    match analyte_would_relate(x, y) {
        true => diag.help(
            "one substance's mass and molar concentrations convert through an analyte: \
             declare `analyte NAME: 1 mg/dL = FACTOR µmol/L` and mark the field `analyte NAME`",
        ),
        false => diag,
    }
}

/// Whether the two units are a mass and a molar concentration, which an
/// analyte declaration would relate (neither measures one yet).
fn analyte_would_relate(x: &UnitTy, y: &UnitTy) -> bool {
    if x.analyte.is_some() || y.analyte.is_some() {
        return false;
    }
    use crate::units::Dimension;
    let (mass, molar) = (
        Dimension::MassConcentration.describe(),
        Dimension::MolarConcentration.describe(),
    );
    let pair = [x.dimension.as_str(), y.dimension.as_str()];
    pair == [mass.as_str(), molar.as_str()] || pair == [molar.as_str(), mass.as_str()]
}

fn analyte_unit(span: Span, name: &str, unit: Option<&str>, dims: &[String; 2]) -> Diagnostic {
    let [a, b] = dims;
    let message = match unit {
        Some(unit) => format!("the analyte `{name}` does not convert `{unit}`"),
        None => format!("the analyte `{name}` needs a number or series with a unit"),
    };
    Diagnostic::new(Code::S0352, span, message)
        .label("this analyte")
        .note(format!("`{name}` converts between {a} and {b}"))
        .help("give the field a unit of one of them, e.g. `number mg/dL analyte NAME`")
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
    let diag = Diagnostic::new(Code::S0308, span, format!("unknown unit `{spelling}`"))
        .label("not a unit Salvage knows");
    // `2/x` is 2 in the unit `/x`: the author most likely meant to divide.
    if let Some(divisor) = spelling.strip_prefix('/') {
        return diag
            .note("a `/` right after a number, before a letter, starts a unit")
            .help(format!("to divide, put spaces around `/`: `… / {divisor}`"));
    }
    diag.suggest(suggestion)
        .help("declare it with `unit NAME`, or a spelling with `unit alias \"…\" = UNIT`")
}
