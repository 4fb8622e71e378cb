//! Problems with declarations: a name declared twice or hiding another,
//! spellings case data cannot tell apart, defines in a cycle or too deep.

use super::article;
use crate::diag::{Code, Diagnostic};
use crate::span::{Name, Span};

/// A problem with how names are declared.
#[derive(Debug, Clone)]
pub enum DeclError {
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

impl DeclError {
    /// The diagnostic.
    pub fn diagnostic(self) -> Diagnostic {
        match self {
            DeclError::DefinedTwice {
                what,
                name,
                at,
                first,
            } => defined_twice(what, name, at, first),
            DeclError::AlreadyDeclared {
                name,
                taken,
                used,
                first,
            } => already_declared(&name, &taken, used, first),
            DeclError::DefineCycle {
                name,
                used_at,
                path,
                defined_at,
            } => define_cycle(&name, used_at, &path, defined_at),
            DeclError::TooDeep {
                name,
                used_at,
                limit,
            } => too_deep(&name, used_at, limit),
            DeclError::Hides { name, what, hidden } => hides(&name, what, &hidden),
            DeclError::SpellingClash {
                first,
                later,
                folded,
            } => spelling_clash(&first, &later, &folded),
        }
    }
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
