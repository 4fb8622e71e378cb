//! What the prompt offers while a line is typed: completion candidates for
//! the word at the cursor, and whether the input so far is complete or
//! continues on the next line.

use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Helper};
use salvage::eval::model::Protocol;
use salvage::span::FileId;
use salvage::syntax::{RESERVED, TOP_LEVEL};

use super::command::COMMANDS;

/// Contextual words offered beside the reserved ones: the history
/// predicates and durations an expression most often needs.
const CONTEXTUAL: &[&str] = &[
    "refractory",
    "relapse",
    "after",
    "received",
    "latest",
    "months",
    "days",
    "weeks",
    "years",
];

/// The names a protocol gives, sorted, for completion.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Words {
    /// Case fields (JSON keys).
    pub facts: Vec<String>,
    /// Defines.
    pub defines: Vec<String>,
    /// Rules.
    pub rules: Vec<String>,
    /// Agents and regimens: what can be recommended.
    pub options: Vec<String>,
    /// Classes and tags.
    pub groups: Vec<String>,
    /// Every enum's values.
    pub enum_values: Vec<String>,
}

impl Words {
    /// The names of `protocol`; none without one.
    pub fn of(protocol: Option<&Protocol>) -> Words {
        let Some(protocol) = protocol else {
            return Words::default();
        };
        let vocab = &protocol.vocab;
        let (mut options, mut groups) = (Vec::new(), Vec::new());
        for (name, id) in vocab.ids() {
            match vocab.is_agent(*id) || vocab.is_regimen(*id) {
                true => options.push(name.clone()),
                false => groups.push(name.clone()),
            }
        }
        let words = Words {
            facts: protocol
                .case
                .fields
                .iter()
                .map(|f| f.name.clone())
                .collect(),
            defines: protocol.defines.iter().map(|d| d.name.clone()).collect(),
            rules: protocol.rules.iter().map(|r| r.name.clone()).collect(),
            options,
            groups,
            enum_values: protocol
                .enums
                .iter()
                .flat_map(|e| e.values.iter().cloned())
                .collect(),
        };
        words.sorted()
    }

    fn sorted(mut self) -> Words {
        for list in [
            &mut self.facts,
            &mut self.defines,
            &mut self.rules,
            &mut self.options,
            &mut self.groups,
            &mut self.enum_values,
        ] {
            list.sort();
            list.dedup();
        }
        self
    }
}

/// Where the word being completed starts, and what it could become, for
/// the text before the cursor. Files are completed by the caller (for
/// `:load` and `:case`, [`Offer::Files`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Offer {
    /// Candidates for the word starting at the byte offset.
    Words(usize, Vec<String>),
    /// A file name.
    Files,
}

/// What can complete the word that ends at the cursor (`before` is the
/// line up to the cursor).
pub fn candidates(words: &Words, before: &str) -> Offer {
    let start = word_start(before);
    let word = before.get(start..).unwrap_or_default();
    let head = before.get(..start).unwrap_or_default();
    let pool: Vec<&str> = match command_context(head) {
        Wanted::CommandName => COMMANDS.iter().map(|(name, _, _)| *name).collect(),
        Wanted::File => return Offer::Files,
        Wanted::Rule => names(&[&words.rules]),
        Wanted::Option => names(&[&words.options]),
        Wanted::Fact => names(&[&words.facts]),
        Wanted::Value => {
            let mut pool = names(&[&words.enum_values, &words.options]);
            pool.extend(["true", "false", "null"]);
            pool
        }
        Wanted::Decide => vec!["json"],
        Wanted::Expression => {
            let mut pool = names(&[
                &words.facts,
                &words.defines,
                &words.options,
                &words.groups,
                &words.enum_values,
            ]);
            pool.extend(RESERVED.iter().chain(CONTEXTUAL));
            pool
        }
    };
    let mut found: Vec<String> = pool
        .into_iter()
        .filter(|candidate| candidate.starts_with(word) && *candidate != word)
        .map(str::to_string)
        .collect();
    found.sort();
    found.dedup();
    Offer::Words(start, found)
}

/// What kind of word the text before it asks for.
enum Wanted {
    CommandName,
    File,
    Rule,
    Option,
    Fact,
    Value,
    Decide,
    Expression,
}

fn command_context(head: &str) -> Wanted {
    let trimmed = head.trim_start();
    if trimmed == ":" {
        return Wanted::CommandName;
    }
    let Some(command) = trimmed.strip_prefix(':') else {
        return Wanted::Expression;
    };
    let (name, rest) = command
        .split_once(char::is_whitespace)
        .unwrap_or((command, ""));
    match name {
        "load" | "case" => Wanted::File,
        "why" => Wanted::Rule,
        "whynot" | "why-not" => Wanted::Option,
        "unset" => Wanted::Fact,
        "set" | "what-if" | "whatif" if rest.contains('=') => Wanted::Value,
        "set" | "what-if" | "whatif" => Wanted::Fact,
        "decide" => Wanted::Decide,
        _ => Wanted::Expression,
    }
}

fn names<'w>(lists: &[&'w Vec<String>]) -> Vec<&'w str> {
    lists
        .iter()
        .flat_map(|list| list.iter().map(String::as_str))
        .collect()
}

/// Where the word ending at the end of `before` starts: names hold
/// letters, digits, `_` and `-` (regimens such as `R-ICE`).
fn word_start(before: &str) -> usize {
    before
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphanumeric() || *c == '_' || *c == '-')
        .last()
        .map_or(before.len(), |(at, _)| at)
}

/// Whether `text` is a whole input, or continues on the next line: an open
/// bracket or quote, or (outside `:commands`) text that stops where the
/// grammar expects more, such as `ecog <= 2 and` or `rule r when fit then`.
pub fn is_complete(text: &str) -> bool {
    if !balanced(text) {
        return false;
    }
    let trimmed = text.trim();
    if trimmed.is_empty() || trimmed.starts_with(':') || trimmed.starts_with('#') {
        return true;
    }
    !ends_early(trimmed)
}

/// Whether every bracket and quote opened in `text` is closed.
fn balanced(text: &str) -> bool {
    let mut depth: i64 = 0;
    let mut in_string = false;
    let mut escaped = false;
    for c in text.chars() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            _ => {}
        }
    }
    // A closing bracket too many is an error to report, not more to read.
    !in_string && depth <= 0
}

/// Whether the parser stops at the end of `text` wanting more: an item as
/// it stands, an expression as the body of a define.
fn ends_early(text: &str) -> bool {
    let first = text.split_whitespace().next().unwrap_or_default();
    let (source, end) = match TOP_LEVEL.contains(&first) {
        true => (text.to_string(), text.len()),
        false => {
            let wrapped = format!("define prompt_expression = {text}");
            let end = wrapped.len();
            (wrapped, end)
        }
    };
    let (_, diagnostics) = salvage::syntax::parse(FileId(0), &source);
    diagnostics
        .iter()
        .any(|d| d.primary.span.start as usize >= end)
}

/// The prompt's helper for rustyline: completion and continuation lines.
pub struct PromptHelper {
    /// The loaded protocol's names.
    pub words: Words,
    files: FilenameCompleter,
}

impl PromptHelper {
    /// A helper offering `words`.
    pub fn new(words: Words) -> PromptHelper {
        PromptHelper {
            words,
            files: FilenameCompleter::new(),
        }
    }
}

impl Completer for PromptHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let before = line.get(..pos).unwrap_or(line);
        match candidates(&self.words, before) {
            Offer::Files => self.files.complete(line, pos, ctx),
            Offer::Words(start, found) => Ok((
                start,
                found
                    .into_iter()
                    .map(|word| Pair {
                        display: word.clone(),
                        replacement: word,
                    })
                    .collect(),
            )),
        }
    }
}

impl Validator for PromptHelper {
    fn validate(&self, ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
        Ok(match is_complete(ctx.input()) {
            true => ValidationResult::Valid(None),
            false => ValidationResult::Incomplete,
        })
    }
}

impl Hinter for PromptHelper {
    type Hint = String;
}

impl Highlighter for PromptHelper {}

impl Helper for PromptHelper {}

#[cfg(test)]
mod tests {
    use super::*;

    fn words() -> Words {
        Words {
            facts: vec!["ecog".into(), "histology".into(), "lines".into()],
            defines: vec!["early_failure".into(), "fit".into()],
            rules: vec!["car-t".into(), "late-relapse".into()],
            options: vec!["R-DHAP".into(), "R-ICE".into(), "axi-cel".into()],
            groups: vec!["platinum".into()],
            enum_values: vec!["CR".into(), "PR".into(), "DLBCL_NOS".into()],
        }
    }

    fn offered(before: &str) -> (usize, Vec<String>) {
        match candidates(&words(), before) {
            Offer::Words(start, found) => (start, found),
            Offer::Files => panic!("files offered for {before:?}"),
        }
    }

    #[test]
    fn commands_complete_after_a_colon() {
        assert_eq!(offered(":de"), (1, vec!["decide".to_string()]));
        let (_, all) = offered(":");
        assert_eq!(all.len(), COMMANDS.len());
    }

    #[test]
    fn each_command_offers_its_own_kind_of_name() {
        assert_eq!(offered(":why ca"), (5, vec!["car-t".to_string()]));
        assert_eq!(
            offered(":whynot R-"),
            (8, vec!["R-DHAP".into(), "R-ICE".into()])
        );
        assert_eq!(offered(":set hi"), (5, vec!["histology".to_string()]));
        assert_eq!(
            offered(":set histology = DL"),
            (17, vec!["DLBCL_NOS".to_string()])
        );
        assert_eq!(offered(":decide j"), (8, vec!["json".to_string()]));
        assert_eq!(candidates(&words(), ":case exa"), Offer::Files);
    }

    #[test]
    fn expressions_complete_facts_defines_vocabulary_values_and_keywords() {
        assert_eq!(offered("ec"), (0, vec!["ecog".to_string()]));
        assert_eq!(
            offered("fit and ear"),
            (8, vec!["early_failure".to_string()])
        );
        assert_eq!(
            offered("refractory to R-I"),
            (14, vec!["R-ICE".to_string()])
        );
        assert_eq!(offered("best_response is P"), (17, vec!["PR".to_string()]));
        let (_, found) = offered("ecog <= 2 an");
        assert_eq!(found, vec!["and".to_string(), "any".to_string()]);
        assert_eq!(offered("plat"), (0, vec!["platinum".to_string()]));
    }

    #[test]
    fn an_open_bracket_quote_or_operator_continues_the_input() {
        assert!(!is_complete(":set lines = [{\"regimen\": \"R-CHOP\","));
        assert!(is_complete(":set lines = [{\"regimen\": \"R-CHOP\"}]"));
        assert!(!is_complete("ecog <= 2 and"));
        assert!(!is_complete("(ecog <= 2"));
        assert!(!is_complete("\"an open text"));
        assert!(is_complete("ecog <= 2"));
        assert!(!is_complete("rule r when fit then"));
        assert!(!is_complete("rule r when fit"));
        assert!(is_complete("rule r when fit then recommend R-ICE"));
        assert!(!is_complete("define x ="));
        assert!(is_complete("define x = ecog"));
    }

    #[test]
    fn a_mistake_is_complete_so_that_it_is_reported_not_waited_on() {
        assert!(is_complete("ecog <= <= 2"));
        assert!(is_complete("ecog )"));
        assert!(is_complete(":no-such-command )"));
        assert!(is_complete(""));
    }
}
