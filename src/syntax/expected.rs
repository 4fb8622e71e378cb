//! Syntax errors in human words: pest's rule names never reach the user.

use super::parse::Rule;
use crate::diag::{Code, Diagnostic};
use crate::span::{FileId, Span};
use pest::error::{Error, ErrorVariant, InputLocation};

/// Words for what a grammar rule stands for, as a person would say it.
fn describe(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::name | Rule::bare_name | Rule::tick_name => "a name",
        Rule::field_name | Rule::field_word => "a field name",
        Rule::string | Rule::string_inner => "a quoted text",
        Rule::date => "a date (YYYY-MM-DD)",
        Rule::number | Rule::signed_number | Rule::quantity => "a number",
        Rule::int => "a whole number",
        Rule::unit | Rule::unit_text => "a unit",
        Rule::expr | Rule::expr_add | Rule::expr_within | Rule::let_value => "an expression",
        Rule::part_bound => "a date",
        Rule::type_expr | Rule::named_type => "a type",
        Rule::protocol_decl => "`protocol`",
        Rule::import_decl => "`import`",
        Rule::agent_decl => "`agent`",
        Rule::regimen_decl => "`regimen`",
        Rule::enum_decl => "`enum`",
        Rule::reasons_decl => "`reasons`",
        Rule::record_decl => "`record`",
        Rule::case_decl => "`case`",
        Rule::unit_decl => "`unit`",
        Rule::analyte_decl => "`analyte`",
        Rule::analyte_scale | Rule::analyte_affine => {
            "an analyte's conversion (`1 mg/dL = 17.1 µmol/L`)"
        }
        Rule::analyte_of => "`analyte NAME`",
        Rule::define_decl => "`define`",
        Rule::rule_decl => "`rule`",
        Rule::section_decl => "`section`",
        Rule::report_decl => "`report`",
        Rule::test_decl => "`test`",
        Rule::options | Rule::option_list => "a regimen or agent name",
        Rule::field => "a field (`name: type`)",
        Rule::role => "a history role (`start = start_date`)",
        Rule::json_value => "a JSON value",
        Rule::expectation => "`expect`",
        Rule::stop_kw => "`stop`",
        Rule::cite_mod => "`cite [..]`",
        Rule::comprehension_body => "`x in xs`",
        Rule::by_kw => "`by`",
        Rule::agg_operand => "a sort key",
        Rule::coll_operand => "a collection",
        Rule::descending_kw => "`descending`",
        Rule::projection_for => "`for`",
        Rule::history_target => "a regimen, agent, class, `{..}` or `last line`",
        Rule::within => "`within`",
        Rule::type_range => "a range (`0..4`)",
        Rule::EOI => "the end of the file",
        _ => return None,
    })
}

/// Turns a pest error into a diagnostic with file:line:col and human words.
///
/// Example: `rule r when x then recommend` gives
/// "expected a regimen or agent name after `recommend`".
pub fn syntax_error(file: FileId, base: usize, text: &str, error: &Error<Rule>) -> Diagnostic {
    let at = match error.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    if let Some(open) = unclosed_text(text, at) {
        return unclosed_text_error(file, base, text, open);
    }
    // The only custom error pest gives is its step limit (see `parse`).
    if let ErrorVariant::CustomError { .. } = error.variant {
        return too_intricate(file, base, text, at);
    }
    let found = found_token(text, at);
    let expected = expected_words(error);
    let message = match (&expected[..], previous_word(text, at)) {
        ([], _) => format!("unexpected {}", found_words(found)),
        (words, Some(prev)) => format!("expected {} after `{prev}`", join_or(words)),
        (words, None) => format!("expected {}", join_or(words)),
    };
    // When what follows is the next item (or the end of the file), the mistake
    // is at the end of what came before: point there, not at the next item.
    // A top-level word on the line of what came before is a name misspelt
    // as a reserved word (`define unit = 1`): the hints below say so.
    let next_item = TOP_LEVEL.contains(&found) && !on_the_same_line(text, at);
    if found.is_empty() || next_item {
        let end = text.get(..at).map_or(at, |t| t.trim_end().len());
        let span = Span::new(file, base + end, base + end);
        let label = format!("{} follows here", found_words(found));
        return Diagnostic::new(Code::S0001, span, message).label(label);
    }
    let len = found.len().max(1).min(text.len().saturating_sub(at).max(1));
    let span = Span::new(file, base + at, base + at + len);
    let diag =
        Diagnostic::new(Code::S0001, span, message).label(format!("found {}", found_words(found)));
    if found == "for" {
        return projection_hint(diag, text, at);
    }
    add_hints(diag, found, &expected, &keywords(error))
}

/// Words that start an aggregate, which a projection `E for x in xs` follows.
const AGGREGATES: &[&str] = &["count", "min", "max", "sum", "first", "last"];

/// `for` where a projection did not parse: what comes before it is more
/// than arithmetic (`min l.end is none for …`), or no aggregate precedes it.
fn projection_hint(diag: Diagnostic, text: &str, at: usize) -> Diagnostic {
    let line_start = text
        .get(..at)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |i| i + 1);
    let line = text.get(line_start..at).unwrap_or("");
    let Some((start, word)) = last_aggregate(line) else {
        return diag
            .note("`for` follows an aggregate and what it aggregates")
            .help("write `sum E for x in xs`, `min E for x in xs where P`, …");
    };
    let diag = diag.note(
        "before `for` an aggregate reads arithmetic only: calls, fields, indexes, `+ - * /` and `otherwise`",
    );
    if word == "count" {
        return diag
            .help("to count the members that meet a condition, write `count x in xs where …`");
    }
    let projection = line.get(start + word.len()..).unwrap_or("").trim();
    diag.help(format!(
        "put it in parentheses: `{word} ({projection}) for …`"
    ))
}

/// The last aggregate word in `line`, written as a whole word, and where it starts.
fn last_aggregate(line: &str) -> Option<(usize, &'static str)> {
    let is_word_char = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
    let whole = |at: usize, len: usize| {
        let before = line.get(..at).and_then(|t| t.chars().next_back());
        let after = line.get(at + len..).and_then(|t| t.chars().next());
        !before.is_some_and(is_word_char) && !after.is_some_and(is_word_char)
    };
    AGGREGATES
        .iter()
        .filter_map(|w| {
            let at = line
                .rmatch_indices(w)
                .map(|(i, _)| i)
                .find(|&i| whole(i, w.len()))?;
            Some((at, *w))
        })
        .max_by_key(|(at, _)| *at)
}

/// Words that begin a clause or an item and are never a field's name: found
/// where an operand was expected, they end an unfinished expression rather
/// than misname a value (words that make plausible field names, such as
/// `test` or `agent`, keep the backtick hint).
const CLAUSE_WORDS: &[&str] = &["then", "else", "when", "rule", "define", "section"];

fn add_hints(
    diag: Diagnostic,
    found: &str,
    expected: &[String],
    keywords: &[String],
) -> Diagnostic {
    let wants_name = expected.iter().any(|w| w.contains("name"));
    if wants_name && CLAUSE_WORDS.contains(&found) {
        // `when x and then …`: the word is where it belongs; what is missing
        // is the operand before it.
        return diag
            .note(format!(
                "`{found}` begins the next part, so something is missing before it"
            ))
            .help(format!(
                "complete the expression before `{found}`, or remove its last operator"
            ));
    }
    if wants_name && is_reserved(found) {
        return diag
            .note(format!("`{found}` is a reserved word"))
            .help(format!(
                "write `` `{found}` `` in backticks to use it as a name"
            ));
    }
    if found == "==" {
        return diag.help("`=` compares two values: write `a = b`");
    }
    diag.suggest(crate::diag::did_you_mean(
        found,
        keywords.iter().map(String::as_str),
    ))
}

/// Whether something other than white space comes before `at` on its line.
fn on_the_same_line(text: &str, at: usize) -> bool {
    let before = text.get(..at).unwrap_or("");
    let code = before.trim_end();
    !code.is_empty() && !before.get(code.len()..).unwrap_or("").contains('\n')
}

/// The offset of a quote opened on `at`'s line before `at` and never closed.
fn unclosed_text(text: &str, at: usize) -> Option<usize> {
    let line_start = text.get(..at)?.rfind('\n').map_or(0, |i| i + 1);
    let line_end = text.get(at..)?.find('\n').map_or(text.len(), |i| at + i);
    let line = text.get(line_start..line_end)?;
    let mut open = None;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match (c, escaped, open) {
            (_, true, _) => escaped = false,
            ('\\', false, Some(_)) => escaped = true,
            ('"', false, None) => open = Some(line_start + i),
            ('"', false, Some(_)) => open = None,
            _ => {}
        }
    }
    open.filter(|o| *o <= at)
}

fn unclosed_text_error(file: FileId, base: usize, text: &str, open: usize) -> Diagnostic {
    let line_end = text
        .get(open..)
        .and_then(|t| t.find('\n'))
        .map_or(text.len(), |i| open + i);
    Diagnostic::new(
        Code::S0001,
        Span::new(file, base + open, base + line_end),
        "this text is never closed",
    )
    .label("the text starts here")
    .note("a quoted text ends on the line it starts")
    .help("close it with `\"`")
}

fn expected_words(error: &Error<Rule>) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let mut push = |w: String| {
        if !words.contains(&w) {
            words.push(w);
        }
    };
    if let pest::error::ErrorVariant::ParsingError { positives, .. } = &error.variant {
        for rule in positives {
            if let Some(w) = describe(*rule) {
                push(w.to_string());
            } else if let Some(word) = keyword_of(*rule) {
                push(format!("`{word}`"));
            }
        }
    }
    if let Some(attempts) = error.parse_attempts() {
        for token in attempts.expected_tokens() {
            let token = token.to_string();
            if is_literal_token(&token) {
                push(format!("`{token}`"));
            }
        }
    }
    group_words(words)
}

/// Groups of tokens listed once, by what they are, so that a message names
/// the few things that could come next rather than every keyword.
const GROUPS: &[(&str, &[&str])] = &[
    (
        "an operator",
        &[
            "and",
            "or",
            "not",
            "in",
            "contains",
            "starts",
            "is",
            "otherwise",
            "=",
            "!=",
            "<",
            "<=",
            ">",
            ">=",
            "+",
            "-",
            "*",
            "/",
            "^",
            "|",
            "..",
            "==",
            ".",
            "[",
            "since",
            "before",
            "between",
            "on",
            "rising",
            "falling",
            // `2 consecutive psa >= 0.2 ng/mL`: a number that counts values
            "consecutive",
            // `(2 * k) months`: a number read as a duration
            "days",
            "weeks",
            "months",
            "years",
        ],
    ),
    (
        "a modifier",
        &[
            "rank", "unranked", "goal", "evidence", "code", "because", "role", "note", "fallback",
            "if", "cite", "first",
        ],
    ),
    (
        "another action",
        &[
            "recommend",
            "consider",
            "avoid",
            "include",
            "order",
            "refer",
            "flag",
            "missing",
            "status",
        ],
    ),
    (
        "a new item",
        &[
            "protocol", "import", "agent", "regimen", "enum", "reasons", "record", "case", "unit",
            "analyte", "define", "rule", "section", "report", "test",
        ],
    ),
];

/// Characters that only continue a unit or a name: never worth listing.
const UNIT_CHARS: &[&str] = &["%", "^", "µ", "μ", "·", "*"];

fn group_words(words: Vec<String>) -> Vec<String> {
    let mut kept = Vec::new();
    let mut groups = Vec::new();
    for word in words {
        let bare = word.trim_matches('`');
        if (UNIT_CHARS.contains(&bare) || bare == "missing") && word.starts_with('`') {
            continue;
        }
        let group = GROUPS
            .iter()
            .find(|(_, members)| word.starts_with('`') && members.contains(&bare));
        match group {
            Some((name, _)) if !groups.contains(name) => groups.push(*name),
            Some(_) => {}
            None if word == "the end of the file" => {}
            None => kept.push(word),
        }
    }
    kept.truncate(6);
    kept.extend(groups.into_iter().map(str::to_string));
    kept
}

/// The word of a keyword rule (`kw_when` is `when`).
fn keyword_of(rule: Rule) -> Option<String> {
    let name = format!("{rule:?}");
    name.strip_prefix("kw_").map(str::to_string)
}

/// Every keyword among the expected words, for "did you mean".
fn keywords(error: &Error<Rule>) -> Vec<String> {
    let mut words = Vec::new();
    if let Some(attempts) = error.parse_attempts() {
        words.extend(
            attempts
                .expected_tokens()
                .into_iter()
                .map(|t| t.to_string()),
        );
    }
    if let pest::error::ErrorVariant::ParsingError { positives, .. } = &error.variant {
        words.extend(positives.iter().filter_map(|r| keyword_of(*r)));
    }
    words.retain(|w| w.len() > 2 && w.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
    words
}

/// Whether a pest token is a literal worth naming (not a character range,
/// whitespace or a built-in rule).
fn is_literal_token(token: &str) -> bool {
    let chars: Vec<char> = token.chars().collect();
    let is_range = chars.len() == 4 && chars.get(1..3) == Some(&['.', '.'][..]);
    const NOISE: &[&str] = &["BUILTIN_RULE", "//", "_", "`", "\u{feff}", "\"", "-"];
    !is_range && !NOISE.contains(&token) && token.chars().any(|c| !c.is_whitespace())
}

fn join_or(words: &[String]) -> String {
    match words {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn found_token(text: &str, at: usize) -> &str {
    let rest = text.get(at..).unwrap_or("");
    let word_len: usize = rest
        .char_indices()
        .find(|(_, c)| !(c.is_alphanumeric() || *c == '_' || *c == '-'))
        .map(|(i, _)| i)
        .unwrap_or(rest.len());
    if word_len > 0 {
        return rest.get(..word_len).unwrap_or("");
    }
    if rest.starts_with("==") {
        return "==";
    }
    rest.chars()
        .next()
        .map(|c| rest.get(..c.len_utf8()).unwrap_or(""))
        .unwrap_or("")
}

fn found_words(found: &str) -> String {
    match found {
        "" => "the end of the file".to_string(),
        "\n" | "\r" => "the end of the line".to_string(),
        other => format!("`{other}`"),
    }
}

fn previous_word(text: &str, at: usize) -> Option<&str> {
    let before = text.get(..at)?.trim_end();
    let start = before
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace())
        .map(|(i, c)| i + c.len_utf8())
        .unwrap_or(0);
    let word = before.get(start..)?;
    (!word.is_empty() && word.len() <= 24 && !word.contains('"')).then_some(word)
}

/// The language's reserved words (`docs/language.md`, "Reserved words").
pub const RESERVED: &[&str] = &[
    "protocol",
    "import",
    "agent",
    "regimen",
    "enum",
    "reasons",
    "record",
    "case",
    "define",
    "rule",
    "report",
    "test",
    "unit",
    "when",
    "then",
    "stop",
    "if",
    "else",
    "match",
    "and",
    "or",
    "not",
    "in",
    "is",
    "true",
    "false",
    "none",
    "unknown",
    "each",
    "where",
    "any",
    "all",
    "no",
    "have",
    "the",
    "of",
    "to",
    "as",
    "only",
    "within",
    "consecutive",
    "recommend",
    "consider",
    "avoid",
    "include",
    "order",
    "refer",
    "flag",
    "missing",
    "status",
    "rank",
    "unranked",
    "goal",
    "evidence",
    "code",
    "because",
    "role",
    "note",
    "fallback",
    "cite",
    "section",
    "components",
    "otherwise",
    "contains",
];

/// Whether `word` is one of the language's reserved words.
pub fn is_reserved(word: &str) -> bool {
    RESERVED.contains(&word)
}

/// The words that start a top-level item.
pub const TOP_LEVEL: &[&str] = &[
    "protocol", "import", "agent", "regimen", "enum", "reasons", "record", "case", "unit",
    "define", "rule", "section", "report", "test",
];

/// Byte ranges of top-level chunks: each starts at a line whose first column
/// holds a top-level word. Used to report one syntax error per broken item.
pub fn top_level_chunks(text: &str) -> Vec<(usize, usize)> {
    let mut starts = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let first = line.split(|c: char| c.is_whitespace()).next().unwrap_or("");
        if TOP_LEVEL.contains(&first) {
            starts.push(offset);
        }
        offset += line.len();
    }
    let mut chunks = Vec::new();
    for (i, &start) in starts.iter().enumerate() {
        let end = starts.get(i + 1).copied().unwrap_or(text.len());
        chunks.push((start, end));
    }
    chunks
}

/// An error if brackets nest deeper than `limit`, found before parsing so that
/// deep input can never exhaust the stack.
pub fn nesting_error(file: FileId, text: &str, limit: usize) -> Option<Diagnostic> {
    let mut depth = 0usize;
    let mut state = Scan::Code;
    for (i, c) in text.char_indices() {
        state = match (state, c) {
            (Scan::Code, '"') => Scan::Text,
            (Scan::Code, '`') => Scan::Tick,
            (Scan::Code, '/') if text.get(i + 1..i + 2) == Some("/") => Scan::Comment,
            (Scan::Code, '(' | '[' | '{') => {
                depth += 1;
                if depth > limit {
                    return Some(too_deep(file, i, limit));
                }
                Scan::Code
            }
            (Scan::Code, ')' | ']' | '}') => {
                depth = depth.saturating_sub(1);
                Scan::Code
            }
            (Scan::Text, '\\') => Scan::Escape,
            (Scan::Escape, _) => Scan::Text,
            (Scan::Text, '"') | (Scan::Tick, '`') | (Scan::Comment, '\n') => Scan::Code,
            (s, _) => s,
        };
    }
    None
}

#[derive(Clone, Copy)]
enum Scan {
    Code,
    Text,
    Escape,
    Tick,
    Comment,
}

/// Text on which the grammar backtracked past its step limit; `at` is the
/// furthest it read (when that is the next item, the end of what came before,
/// where the unfinished expression is).
fn too_intricate(file: FileId, base: usize, text: &str, at: usize) -> Diagnostic {
    let found = found_token(text, at);
    let span = if found.is_empty() || (TOP_LEVEL.contains(&found) && !on_the_same_line(text, at)) {
        let end = text.get(..at).map_or(at, |t| t.trim_end().len());
        Span::new(file, base + end, base + end)
    } else {
        let len = text
            .get(at..)
            .and_then(|rest| rest.chars().next())
            .map_or(0, char::len_utf8);
        Span::new(file, base + at, base + at + len)
    };
    Diagnostic::new(Code::S0002, span, "this text is too intricate to parse")
        .label("the parser tried too many readings of the text up to here")
        .note("nested expressions with a mistake inside (an unclosed `[` or `(`, a missing keyword) can be read in very many ways")
        .help("check the brackets and keywords before this point, or split the expression into several `define`s")
}

fn too_deep(file: FileId, at: usize, limit: usize) -> Diagnostic {
    Diagnostic::new(
        Code::S0002,
        Span::new(file, at, at + 1),
        "brackets nested too deeply",
    )
    .label(format!("more than {limit} levels deep here"))
    .help("split the expression into several `define`s")
}
