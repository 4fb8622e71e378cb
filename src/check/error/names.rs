//! Problems with names: unknown, defined twice, hidden, in a cycle.

use super::{article, plural};
use crate::check::types::Ty;
use crate::diag::{Code, Diagnostic};
use crate::span::{Name, Span};

/// A problem with a name.
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
    /// Two `define fit = …`, two `rule r`, two values `PR` of one enum, two
    /// `case { … }` (S0107).
    DefinedTwice {
        /// What is declared: "name", "rule", "enum value", "case schema", ….
        what: &'static str,
        /// The name, if the thing has one.
        name: Option<String>,
        /// The second declaration.
        at: Span,
        /// The first one.
        first: Span,
    },
    /// `define age = …` beside a case field `age`; `agent platinum` beside a
    /// class `platinum` (S0107).
    AlreadyDeclared {
        /// The name.
        name: Name,
        /// What it already is: "a case field", "an agent", "a class", ….
        taken: String,
        /// What it is used as again: "define", "report", "class", "agent", ….
        used: &'static str,
        /// Where it already is that.
        first: Span,
    },
    /// `define a = b`, `define b = a` (S0108).
    DefineCycle {
        /// The define reached again.
        name: String,
        /// The use that closes the cycle.
        used_at: Span,
        /// The defines of the cycle, in order, ending where it started.
        path: Vec<String>,
        /// Where the define is declared.
        defined_at: Option<Span>,
    },
    /// A chain of more than 512 defines each using the next (S0002).
    TooDeep {
        /// The define reached too deep.
        name: String,
        /// Where it is used.
        used_at: Span,
        /// The limit.
        limit: usize,
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
    /// `define high = …` beside `enum Risk { low, high }`; a case field
    /// `rituximab` beside `agent rituximab` (S0113).
    Hides {
        /// The define or case field.
        name: Name,
        /// "define" or "case field".
        what: &'static str,
        /// What it hides.
        hidden: Hidden,
    },
    /// `agent rituximab alias "r-chop"` beside `regimen R-CHOP` (S0114).
    SpellingClash {
        /// The earlier spelling.
        first: Spelling,
        /// The later spelling that reads the same.
        later: Spelling,
        /// What both read as.
        folded: String,
    },
}

/// A name a case field or define hides.
#[derive(Debug, Clone)]
pub struct Hidden {
    /// What it is, in words: "the class `platinum`".
    pub words: String,
    /// Where it is declared (or first used, for a class or tag).
    pub at: Span,
    /// What it is: `agent`, `regimen`, `class`, `tag` or `enum value`.
    pub kind: &'static str,
}

/// One declared spelling: a name or an alias of an agent, regimen or enum value.
#[derive(Debug, Clone)]
pub struct Spelling {
    /// The spelling as written.
    pub text: String,
    /// Where.
    pub span: Span,
    /// The name it belongs to.
    pub owner: String,
    /// What that is: `agent`, `regimen` or `enum value`.
    pub kind: &'static str,
    /// Whether it is an alias (else the name itself).
    pub alias: bool,
}

impl Spelling {
    fn describe(&self) -> String {
        match self.alias {
            true => format!("alias \"{}\" of {} `{}`", self.text, self.kind, self.owner),
            false => format!("{} `{}`", self.kind, self.owner),
        }
    }
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
            NameError::DefinedTwice {
                what,
                name,
                at,
                first,
            } => defined_twice(what, name, at, first),
            NameError::AlreadyDeclared {
                name,
                taken,
                used,
                first,
            } => already_declared(&name, &taken, used, first),
            NameError::DefineCycle {
                name,
                used_at,
                path,
                defined_at,
            } => define_cycle(&name, used_at, &path, defined_at),
            NameError::TooDeep {
                name,
                used_at,
                limit,
            } => too_deep(&name, used_at, limit),
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
            NameError::Hides { name, what, hidden } => hides(&name, what, &hidden),
            NameError::SpellingClash {
                first,
                later,
                folded,
            } => spelling_clash(&first, &later, &folded),
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

fn defined_twice(what: &str, name: Option<String>, at: Span, first: Span) -> Diagnostic {
    let (message, help) = match name {
        Some(n) => (
            format!("{what} `{n}` is defined twice"),
            "rename one of them, or remove the repeat".to_string(),
        ),
        None => (
            format!("the {what} is defined twice"),
            "put every field in one `case { … }`".to_string(),
        ),
    };
    Diagnostic::new(Code::S0107, at, message)
        .label("defined again here")
        .also(first, "first defined here")
        .help(help)
}

fn already_declared(name: &Name, taken: &str, used: &str, first: Span) -> Diagnostic {
    Diagnostic::new(
        Code::S0107,
        name.span,
        format!("`{}` is already {taken}", name.node),
    )
    .label(format!("used as {} {used} here", article(used)))
    .also(first, format!("{taken} here"))
    .help(format!("give the {used} its own name"))
}

fn define_cycle(
    name: &str,
    used_at: Span,
    path: &[String],
    defined_at: Option<Span>,
) -> Diagnostic {
    let path = path
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(" → ");
    let diag = Diagnostic::new(Code::S0108, used_at, format!("`{name}` depends on itself"))
        .label("this use closes the cycle")
        .note(format!("the cycle: {path}"))
        .help("a define cannot use itself, directly or through others: break the cycle");
    match defined_at {
        Some(at) => diag.also(at, "defined here"),
        None => diag,
    }
}

fn too_deep(name: &str, used_at: Span, limit: usize) -> Diagnostic {
    Diagnostic::new(
        Code::S0002,
        used_at,
        format!("`{name}` is reached through more than {limit} defines"),
    )
    .label("too deep here")
    .help("flatten the chain: let a define use the condition itself rather than another define")
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

fn hides(name: &Name, what: &str, hidden: &Hidden) -> Diagnostic {
    let help = match hidden.kind {
        "class" | "tag" => format!("rename the {what}, or the {} where it is used", hidden.kind),
        kind => format!(
            "rename one of them; a renamed {kind} keeps its spelling in case data with `alias \"{}\"`",
            name.node
        ),
    };
    Diagnostic::new(
        Code::S0113,
        name.span,
        format!("{what} `{}` hides {}", name.node, hidden.words),
    )
    .label(format!("every `{}` in an expression reads this {what}", name.node))
    .also(hidden.at, "hidden here")
    .note("in an expression a case field or define is found before an enum value or a vocabulary name")
    .help(help)
}

fn spelling_clash(first: &Spelling, later: &Spelling, folded: &str) -> Diagnostic {
    let help = match first.alias || later.alias {
        true => "remove the alias, or change one of the spellings",
        false => "declare it once (another spelling can be an alias), or rename one of them",
    };
    Diagnostic::new(
        Code::S0114,
        later.span,
        format!(
            "{} reads the same as {} in case data",
            later.describe(),
            first.describe()
        ),
    )
    .label(format!("reads as \"{folded}\""))
    .also(first.span, format!("{} here", first.describe()))
    .note("case text is matched after Unicode NFKC, case folding and treating space, `-` and `_` alike, so text spelled either way could mean either")
    .help(help)
}
