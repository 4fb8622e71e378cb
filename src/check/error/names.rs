//! Problems with names that do not resolve: unknown names, fields, types,
//! rules, reasons and citations, and calls with the wrong arguments.

use super::plural;
use crate::check::types::Ty;
use crate::diag::{Code, Diagnostic};
use crate::span::{Name, Span};

/// A name that does not resolve to what its place needs.
#[derive(Debug, Clone)]
pub enum NameError {
    /// `ecog_scor > 2` where nothing is called `ecog_scor` (S0101); `a-b`
    /// where `a` and `b` resolve gets the subtraction hint instead.
    UnknownName {
        /// The name as written.
        name: Name,
        /// `a - b`, when the name reads as a subtraction without spaces.
        subtraction: Option<String>,
        /// The closest name in scope.
        suggestion: Option<String>,
    },
    /// `expect report risk = high` with no `report risk` (S0101).
    UnknownReport {
        /// The report name.
        name: Name,
        /// The closest report name.
        suggestion: Option<String>,
    },
    /// `recommend R-ICEE`, `received platinun` (S0102).
    UnknownVocab {
        /// The name.
        name: Name,
        /// What was wanted: "regimen or agent", "class", ….
        what: &'static str,
        /// The closest name of those kinds.
        suggestion: Option<String>,
    },
    /// `regimen axi-cel : car-t` (S0102).
    UnknownModality {
        /// The modality as written.
        name: Name,
        /// The closest modality.
        suggestion: Option<String>,
        /// Every modality.
        modalities: &'static [&'static str],
    },
    /// `last line is R-CHPO`, `hbv is tru` (S0102).
    UnknownAfterIs {
        /// The name after `is`.
        name: Name,
        /// The closest test word, vocabulary name or enum value.
        suggestion: Option<String>,
    },
    /// `hbv is coinfected` where `coinfected` is a define (S0102).
    ValueAfterIs {
        /// The case field, define or bound name after `is`.
        name: Name,
    },
    /// `histology in {DLBCL_NSO}`, `response is CRR` (S0104).
    NotAnEnumValue {
        /// The name as written.
        name: Name,
        /// The enum the context wants.
        enum_name: String,
        /// Its values.
        values: Vec<String>,
        /// The closest value (or test word, after `is`).
        suggestion: Option<String>,
        /// Whether the name follows `is` (test words may follow it too).
        after_is: bool,
    },
    /// `avoid cisplatin code renal` with no reason `renal` (S0105).
    UnknownReason {
        /// The code as written.
        code: Name,
        /// The closest declared reason.
        suggestion: Option<String>,
        /// Whether the protocol declares no reasons at all.
        none_declared: bool,
    },
    /// `cite [coarl]` with no citation `coarl` in the header (S0106).
    UnknownCitation {
        /// The key as written.
        key: Name,
        /// The closest citation key.
        suggestion: Option<String>,
    },
    /// `stage: Stag`, `history of Lines` (S0109).
    UnknownType {
        /// The type name as written.
        name: Name,
        /// The closest type name.
        suggestion: Option<String>,
        /// Whether it names a history's record.
        for_history: bool,
    },
    /// `l.start_dat` on a `Line` without that field (S0110).
    UnknownField {
        /// The record's name.
        record: String,
        /// The field as written.
        field: Name,
        /// The record's fields.
        fields: Vec<String>,
        /// The closest field.
        suggestion: Option<String>,
    },
    /// `age.years` on an `int years` (S0110).
    NoFields {
        /// The field read.
        field: Name,
        /// The type of what it is read from.
        found: Ty,
        /// What it is read from.
        inner: Span,
    },
    /// `fired car-tt` (S0111).
    UnknownRule {
        /// The rule name as written.
        name: Name,
        /// The closest rule name.
        suggestion: Option<String>,
    },
    /// `refractory_to` used without its arguments (S0112).
    TakesArguments {
        /// The define.
        name: Name,
    },
    /// `refractory_to(a, b)` for a define of one parameter (S0112).
    WrongArgumentCount {
        /// The define called.
        name: Name,
        /// How many parameters it has.
        expected: usize,
        /// How many arguments were given.
        given: usize,
        /// Where it is declared.
        defined_at: Span,
    },
}

impl NameError {
    /// The diagnostic, unless it is about a type that holds an error.
    pub fn diagnostic(self) -> Option<Diagnostic> {
        Some(match self {
            NameError::UnknownName {
                name,
                subtraction,
                suggestion,
            } => unknown_name(name, subtraction, suggestion),
            NameError::UnknownReport { name, suggestion } => unknown(
                Code::S0101,
                &name,
                "cannot find report",
                "no report of this name",
            )
            .suggest(suggestion),
            NameError::UnknownVocab {
                name,
                what,
                suggestion,
            } => unknown_vocab(&name, what).suggest(suggestion),
            NameError::UnknownModality {
                name,
                suggestion,
                modalities,
            } => unknown(Code::S0102, &name, "unknown modality", "not a modality")
                .suggest(suggestion)
                .note(format!("the modalities are {}", modalities.join(", "))),
            NameError::UnknownAfterIs { name, suggestion } => unknown_after_is(&name, suggestion),
            NameError::ValueAfterIs { name } => value_after_is(&name),
            NameError::NotAnEnumValue {
                name,
                enum_name,
                values,
                suggestion,
                after_is,
            } => not_an_enum_value(&name, &enum_name, &values, after_is).suggest(suggestion),
            NameError::UnknownReason {
                code,
                suggestion,
                none_declared,
            } => unknown_reason(&code, none_declared).suggest(suggestion),
            NameError::UnknownCitation { key, suggestion } => unknown_citation(&key, suggestion),
            NameError::UnknownType {
                name,
                suggestion,
                for_history,
            } => unknown_type(&name, for_history).suggest(suggestion),
            NameError::UnknownField {
                record,
                field,
                fields,
                suggestion,
            } => unknown_field(&record, &field, &fields).suggest(suggestion),
            NameError::NoFields {
                field,
                found,
                inner,
            } => return no_fields(&field, &found, inner),
            NameError::UnknownRule { name, suggestion } => {
                unknown(Code::S0111, &name, "unknown rule", "no rule of this name")
                    .suggest(suggestion)
            }
            NameError::TakesArguments { name } => takes_arguments(&name),
            NameError::WrongArgumentCount {
                name,
                expected,
                given,
                defined_at,
            } => wrong_argument_count(&name, expected, given, defined_at),
        })
    }
}

/// "`{what} `name``", labelled.
fn unknown(code: Code, name: &Name, what: &str, label: &str) -> Diagnostic {
    Diagnostic::new(code, name.span, format!("{what} `{}`", name.node)).label(label)
}

fn unknown_name(name: Name, subtraction: Option<String>, suggestion: Option<String>) -> Diagnostic {
    let diag = unknown(Code::S0101, &name, "cannot find", "not defined");
    match subtraction {
        Some(split) => diag.help(format!("to subtract, put spaces around `-`: `{split}`")),
        None => diag.suggest(suggestion),
    }
}

fn unknown_vocab(name: &Name, what: &str) -> Diagnostic {
    let label = format!("no {what} of this name is declared");
    unknown(Code::S0102, name, &format!("unknown {what}"), &label)
}

/// What may follow `is`, for notes.
const AFTER_IS: &str = "after `is` comes `none`, `true`, `false`, `known`, `unknown` or `missing`, or a regimen, agent, class, tag or enum value";

fn unknown_after_is(name: &Name, suggestion: Option<String>) -> Diagnostic {
    Diagnostic::new(
        Code::S0102,
        name.span,
        format!("unknown name `{}` after `is`", name.node),
    )
    .label("not a test, regimen, agent, class, tag or enum value")
    .suggest(suggestion)
    .note(AFTER_IS)
}

fn value_after_is(name: &Name) -> Diagnostic {
    Diagnostic::new(
        Code::S0102,
        name.span,
        format!("`{}` cannot follow `is`", name.node),
    )
    .label("a case field, define or bound name")
    .note(AFTER_IS)
    .help(format!(
        "to compare with its value, write `= {}`",
        name.node
    ))
}

fn not_an_enum_value(
    name: &Name,
    enum_name: &str,
    values: &[String],
    after_is: bool,
) -> Diagnostic {
    let diag = Diagnostic::new(
        Code::S0104,
        name.span,
        format!("`{}` is not a value of `{enum_name}`", name.node),
    )
    .label(format!("not in enum `{enum_name}`"))
    .note(format!("`{enum_name}` is one of {}", values.join(", ")));
    match after_is {
        true => diag
            .note("after `is` also come `none`, `true`, `false`, `known`, `unknown` and `missing`"),
        false => diag,
    }
}

fn unknown_reason(code: &Name, none_declared: bool) -> Diagnostic {
    let diag = unknown(
        Code::S0105,
        code,
        "unknown reason code",
        "not in `reasons { … }`",
    );
    match none_declared {
        true => diag.help(format!("declare it: `reasons {{ {} }}`", code.node)),
        false => diag,
    }
}

fn unknown_citation(key: &Name, suggestion: Option<String>) -> Diagnostic {
    unknown(
        Code::S0106,
        key,
        "unknown citation",
        "not cited in the protocol header",
    )
    .suggest(suggestion)
    .help(format!(
        "add it to the header: `cite {} \"Author. Journal Year;Vol:Pages\"`",
        key.node
    ))
}

fn unknown_type(name: &Name, for_history: bool) -> Diagnostic {
    match for_history {
        true => unknown(
            Code::S0109,
            name,
            "unknown record",
            "a history's lines need a `record`",
        ),
        false => unknown(
            Code::S0109,
            name,
            "unknown type",
            "no enum, record or class of this name",
        ),
    }
}

fn unknown_field(record: &str, field: &Name, fields: &[String]) -> Diagnostic {
    Diagnostic::new(
        Code::S0110,
        field.span,
        format!("`{record}` has no field `{}`", field.node),
    )
    .label("unknown field")
    .note(format!(
        "the fields of `{record}` are {}",
        fields.join(", ")
    ))
}

fn no_fields(field: &Name, found: &Ty, inner: Span) -> Option<Diagnostic> {
    if found.has_error() {
        return None;
    }
    let diag = Diagnostic::new(Code::S0110, field.span, format!("`{found}` has no fields"))
        .label(format!("`.{}` read here", field.node))
        .also(inner, format!("this is `{found}`"));
    Some(diag)
}

fn takes_arguments(name: &Name) -> Diagnostic {
    Diagnostic::new(
        Code::S0112,
        name.span,
        format!("`{}` takes arguments", name.node),
    )
    .label("used without its arguments")
    .help(format!("call it: `{}(…)`", name.node))
}

fn wrong_argument_count(
    name: &Name,
    expected: usize,
    given: usize,
    defined_at: Span,
) -> Diagnostic {
    Diagnostic::new(
        Code::S0112,
        name.span,
        format!(
            "`{}` takes {}, {given} given",
            name.node,
            plural(expected, "argument")
        ),
    )
    .label("called here")
    .also(defined_at, "defined here")
}
