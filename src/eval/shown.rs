//! How a message names a value from a case. Decision and error records go
//! to audit files and logs, so by default a message never repeats the
//! value of a `text` field, of an agent or regimen field (free text by
//! nature, open or not: "R-CHOP for Jane Doe"), of a date field (dates are
//! identifiers of a person: a birth, an admission), of any field of a
//! record or of a series value. Elsewhere (a top-level number, enum,
//! duration, unit or comparator) it repeats a value only when it is a
//! short code ([`is_short_code`]). Any other value is described by its
//! JSON kind and length ("a text of 24 characters"). `--show-values` shows
//! every value, for debugging on one's own data. Paths, keys and the
//! protocol's own names (a did-you-mean) are always shown.

use serde_json::Value as Json;

/// How much of a case value a message may show.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Reveal {
    /// Every value, as written (`--show-values`).
    All,
    /// Short codes only ([`is_short_code`]).
    #[default]
    Codes,
    /// No value: one of a `text`, agent, regimen, date or record field,
    /// or of a series value.
    Nothing,
}

/// The longest value, in characters, a message repeats by default.
pub const SHORT_CODE_CHARS: usize = 12;

/// Whether `text` is a short code a message may repeat: at most
/// [`SHORT_CODE_CHARS`] characters, each a letter, a digit or one of
/// `- + . _ / * % ^ < > =` (no space, so no name and surname, no address).
pub fn is_short_code(text: &str) -> bool {
    let allowed = |c: char| c.is_alphanumeric() || "-+._/*%^<>=".contains(c);
    !text.is_empty() && text.chars().count() <= SHORT_CODE_CHARS && text.chars().all(allowed)
}

impl Reveal {
    /// The policy of a run: everything with `--show-values`, else short
    /// codes.
    pub fn of_run(show_values: bool) -> Reveal {
        if show_values {
            Reveal::All
        } else {
            Reveal::Codes
        }
    }

    /// This policy for a value that is never shown by default (a `text`,
    /// agent, regimen, date or record field's, a series value's).
    pub fn private(self) -> Reveal {
        match self {
            Reveal::All => Reveal::All,
            Reveal::Codes | Reveal::Nothing => Reveal::Nothing,
        }
    }

    /// Whether a message may repeat `text`.
    pub fn shows(self, text: &str) -> bool {
        match self {
            Reveal::All => true,
            Reveal::Codes => is_short_code(text),
            Reveal::Nothing => false,
        }
    }

    /// Text in double quotes (shortened past 60 characters), or what it is:
    /// `a text of 24 characters`.
    pub fn quote(self, text: &str) -> String {
        if self.shows(text) {
            quoted(text)
        } else {
            counted("a text", text)
        }
    }

    /// Text after "found": `text "2025-13-01"`, or `a text of 24 characters`.
    pub fn text(self, text: &str) -> String {
        if self.shows(text) {
            format!("text {}", quoted(text))
        } else {
            counted("a text", text)
        }
    }

    /// A number's JSON text as a message repeats it: `150`, or `a number of
    /// 15 characters`.
    pub fn number(self, text: &str) -> String {
        if self.shows(text) {
            text.to_string()
        } else {
            counted("a number", text)
        }
    }

    /// What a JSON value is, for "expected …, found …": `null`, `true`,
    /// `the number 150`, `text "PRR"`, `a list`, `an object`, or, for a
    /// value not shown, its kind and length.
    pub fn describe(self, json: &Json) -> String {
        match json {
            Json::Null => "null".to_string(),
            Json::Bool(b) => b.to_string(),
            Json::Number(n) if self.shows(n.as_str()) => format!("the number {}", n.as_str()),
            Json::Number(n) => counted("a number", n.as_str()),
            Json::String(s) => self.text(s),
            Json::Array(_) => "a list".to_string(),
            Json::Object(_) => "an object".to_string(),
        }
    }
}

/// Text in double quotes, shortened past 60 characters.
fn quoted(text: &str) -> String {
    const LIMIT: usize = 60;
    let mut shown: String = text.chars().take(LIMIT).collect();
    if text.chars().count() > LIMIT {
        shown.push('…');
    }
    format!("{shown:?}")
}

/// `a text of 24 characters`: `kind` and the length of `text`.
fn counted(kind: &str, text: &str) -> String {
    match text.chars().count() {
        1 => format!("{kind} of 1 character"),
        n => format!("{kind} of {n} characters"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_codes_are_letters_digits_and_a_few_signs() {
        for code in [
            "PRR",
            "DLBCL_NOS",
            "2025-13-01",
            "mL/min",
            "x10^9/L",
            "<=",
            "150.5",
        ] {
            assert!(is_short_code(code), "{code}");
        }
        for text in [
            "Jane Doe",
            "12 Elm St",
            "",
            "a-very-long-code",
            "O'Brien",
            "a,b",
        ] {
            assert!(!is_short_code(text), "{text}");
        }
    }

    #[test]
    fn a_value_not_shown_is_its_kind_and_length() {
        let reveal = Reveal::Codes;
        assert_eq!(reveal.quote("Jane Doe"), "a text of 8 characters");
        assert_eq!(reveal.quote("PRR"), "\"PRR\"");
        assert_eq!(Reveal::Nothing.quote("PRR"), "a text of 3 characters");
        assert_eq!(Reveal::Nothing.quote("P"), "a text of 1 character");
        assert_eq!(Reveal::All.quote("Jane Doe"), "\"Jane Doe\"");
        let long: Json = serde_json::from_str("12345678901234567").unwrap_or_default();
        assert_eq!(reveal.describe(&long), "a number of 17 characters");
        assert_eq!(Reveal::All.describe(&long), "the number 12345678901234567");
    }
}
