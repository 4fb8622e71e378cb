//! The stable diagnostic codes and their explanations (`salvage explain CODE`).
//!
//! Each code's explanation lives in `docs/codes/CODE.md`, with a wrong and a
//! right example that the test suite checks against the real checker.

use super::Severity;

macro_rules! codes {
    ($($variant:ident $severity:ident $title:literal,)*) => {
        /// A stable diagnostic code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $(#[doc = $title] $variant,)*
        }

        impl Code {
            /// Every code, in order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as written (`S0104`).
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => stringify!($variant),)* }
            }

            /// A short title.
            pub fn title(self) -> &'static str {
                match self { $(Code::$variant => $title,)* }
            }

            /// Whether it is an error or a warning.
            pub fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$severity,)* }
            }

            /// The explanation text (markdown).
            pub fn explanation_text(self) -> &'static str {
                match self {
                    $(Code::$variant => include_str!(concat!("../../docs/codes/", stringify!($variant), ".md")),)*
                }
            }
        }
    };
}

codes! {
    S0001 Error "the text does not follow the grammar",
    S0002 Error "nesting or an expression too deep, too large or too intricate to parse",
    S0003 Error "`==` used to compare",
    S0004 Error "a date literal that is not a calendar date",
    S0005 Error "a number literal that is not a valid exact decimal",
    S0006 Error "comparisons chained in a way that does not read as a range",
    S0007 Error "a space before the `[` of an index",
    S0008 Error "a file that cannot be read",
    S0009 Error "a protocol the checker accepted but could not compile",
    S0101 Error "a name that is not defined",
    S0102 Error "an unknown regimen, agent, class or tag",
    S0104 Error "an unknown enum value",
    S0105 Error "an unknown reason code",
    S0106 Error "an unknown citation key",
    S0107 Error "a name defined twice",
    S0108 Error "defines that depend on each other in a cycle",
    S0109 Error "an unknown type name",
    S0110 Error "an unknown field of a record",
    S0111 Error "an unknown rule name",
    S0112 Error "a call with the wrong arguments",
    S0113 Error "a case field or define that hides an enum value or a vocabulary name",
    S0114 Error "two names or aliases that case data cannot tell apart",
    S0201 Error "an imported file that does not exist",
    S0202 Error "an import or test case file that leaves the protocol's root",
    S0203 Error "imports that import each other in a cycle",
    S0204 Error "a missing, repeated or incomplete protocol header",
    S0205 Error "a protocol status that is not a lifecycle state",
    S0206 Error "an imported file that holds more than vocabulary",
    S0301 Error "a value of the wrong type",
    S0302 Error "units of different dimensions compared or combined",
    S0303 Error "a bare number used with a value that has a unit",
    S0304 Error "fixed and calendar durations compared",
    S0305 Error "an optional value used before it is narrowed",
    S0306 Error "a condition that is not a truth value",
    S0307 Error "a literal outside the declared range",
    S0308 Error "an unknown unit",
    S0309 Error "`recommend` of something that is not a regimen or agent",
    S0310 Error "`avoid` or `include` of something that is not a regimen, agent, class or tag",
    S0311 Error "a `status` action misplaced or with an unknown status",
    S0312 Error "`fallback` on an action that names several options",
    S0313 Error "a modifier that does not fit its action",
    S0314 Error "a history predicate that needs a role the history does not map",
    S0315 Error "a history mapping without its required roles",
    S0316 Error "an unknown history role",
    S0317 Error "an unknown goal",
    S0318 Error "a test whose `given` is not valid JSON",
    S0319 Error "an enum mixing `,` and `<`",
    S0320 Error "a range with its bounds reversed",
    S0330 Error "rules that read one another's outcome",
    S0331 Error "`include` in a rule that reads the decision",
    S0340 Error "a `dated by` that names no date field of the list's records",
    S0341 Error "`latest` or `earliest` over a list that is not dated",
    S0343 Error "a built-in function called with the wrong arguments",
    S0344 Error "a unit where a function or power needs a plain number",
    S0345 Error "a series read from part of a list where only a case series may be",
    S0346 Error "an unknown or repeated part in a series source",
    S0350 Error "an unknown analyte",
    S0351 Error "an analyte declaration that cannot hold",
    S0352 Error "`analyte` on a field whose unit the analyte does not convert",
    S0360 Error "a map looked up by a key of another type",
    S0361 Error "`sorted` by a key that has no order",
    S0362 Error "repeats removed among values that cannot be compared",
    S0363 Error "a list indexed by something that is not a whole number",
    S0364 Error "`previous of` or `next of` over something that is not a list",
    S0370 Error "a named unknown whose type nothing gives",
    S0371 Error "an unknown without a name",
    S0372 Error "a `let` name that is already bound",
    S0373 Error "a `let` whose body never reads its name",
    S0374 Error "a bound name that hides an enum value or a vocabulary name",
    S0380 Error "a `code` beside the ordered checks of an avoid",
    S0381 Error "a computed rank that is not a whole number",
    S0382 Error "a computed goal or role that is not text or an enum value",
    S0501 Warning "a definition that is never used",
    S0502 Warning "a citation that is never cited",
    S0503 Warning "a reason code that is never used",
    S0504 Warning "a condition that can never be true",
    S0505 Warning "the same option named twice by one rule",
    S0506 Warning "a rule after an unconditional `stop` rule",
    S0507 Warning "a word alias that can never match",
    S0510 Warning "two reports with the same name",
    S0511 Warning "a default that is never used",
    S0512 Warning "an ordered check after one that always holds",
    S0513 Warning "a name in braces in a text, which is printed as written",
}

/// An explanation split into its parts, for `salvage explain` and the tests.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// The first paragraph: what the code means.
    pub summary: String,
    /// The protocol text that triggers the code.
    pub wrong: String,
    /// The same protocol, fixed.
    pub right: String,
}

impl Code {
    /// Looks a code up by its text, ignoring case (`s0104` works too).
    pub fn parse(text: &str) -> Option<Code> {
        Code::ALL
            .iter()
            .copied()
            .find(|code| code.as_str().eq_ignore_ascii_case(text.trim()))
    }

    /// The explanation's parts: its summary and the `salv` code blocks under
    /// `## Wrong` and `## Right`.
    pub fn explanation(self) -> Explanation {
        let text = self.explanation_text();
        Explanation {
            summary: first_paragraph(text),
            wrong: code_block_after(text, "## Wrong"),
            right: code_block_after(text, "## Right"),
        }
    }
}

fn first_paragraph(text: &str) -> String {
    text.lines()
        .skip_while(|line| line.starts_with('#') || line.trim().is_empty())
        .take_while(|line| !line.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn code_block_after(text: &str, heading: &str) -> String {
    let Some(at) = text.find(heading) else {
        return String::new();
    };
    let rest = &text[at..];
    let Some(open) = rest.find("```salv\n") else {
        return String::new();
    };
    let body = &rest[open + "```salv\n".len()..];
    match body.find("```") {
        Some(close) => body[..close].to_string(),
        None => String::new(),
    }
}
