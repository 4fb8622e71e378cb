//! S0114: two declared spellings that case data cannot tell apart.
//!
//! Free text in a case resolves to an agent, a regimen or an enum value by
//! its [`fold`]ed spelling, so two spellings that fold alike — an agent's
//! alias and a regimen's name, two agents' aliases, two aliases of values of
//! one enum — would make one of them silently unreachable.

use super::error::{CheckError, DeclError, Spelling, Warning};
use crate::span::Spanned;
use crate::syntax::ast::*;
use std::collections::HashMap;
use unicode_normalization::UnicodeNormalization;

/// Folds free text for matching: Unicode NFKC, case folding, and space, `-`
/// and `_` treated as one. The evaluator matches case text by the same rule.
pub fn fold(text: &str) -> String {
    if text.is_ascii() {
        return fold_ascii(text);
    }
    fold_unicode(text)
}

/// [`fold`] of any text.
fn fold_unicode(text: &str) -> String {
    let normal: String = text.trim().nfkc().collect();
    normal
        .to_lowercase()
        .split(|c: char| c.is_whitespace() || c == '-' || c == '_')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// [`fold`] of ASCII text (which NFKC leaves as it is), without the
/// intermediate strings.
fn fold_ascii(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut gap = false;
    for c in text.chars() {
        if c.is_ascii_whitespace() || c == '\x0b' || c == '-' || c == '_' {
            gap = !out.is_empty();
            continue;
        }
        if gap {
            out.push(' ');
            gap = false;
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// Whether `text` folds to `folded` (a folded spelling), as
/// `fold(text) == folded` is, without building the folded text when `text`
/// is ASCII: case data is checked against a protocol's spellings record by
/// record.
pub fn folds_to(text: &str, folded: &str) -> bool {
    if !text.is_ascii() {
        return fold(text) == folded;
    }
    let want = folded.as_bytes();
    let mut at = 0;
    let mut started = false;
    let mut gap = false;
    for &b in text.as_bytes() {
        let f = ASCII_FOLDED.get(usize::from(b)).copied().unwrap_or(GAP);
        if f == GAP {
            gap = started;
            continue;
        }
        if gap {
            if want.get(at) != Some(&b' ') {
                return false;
            }
            at += 1;
            gap = false;
        }
        started = true;
        if want.get(at) != Some(&f) {
            return false;
        }
        at += 1;
    }
    at == want.len()
}

/// What [`ASCII_FOLDED`] gives the bytes that fold into a gap between words.
const GAP: u8 = 0x80;

/// Each ASCII byte as [`fold_ascii`] folds it: lowercase, or [`GAP`] for
/// whitespace, `\x0b`, `-` and `_` (one table lookup a byte, where
/// [`folds_to`] reads case text record by record).
static ASCII_FOLDED: [u8; 256] = ascii_folded();

const fn ascii_folded() -> [u8; 256] {
    let mut table = [GAP; 256];
    let mut b: u8 = 0;
    while b < 0x80 {
        table[b as usize] = match b {
            b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r' | b'-' | b'_' => GAP,
            _ => b.to_ascii_lowercase(),
        };
        b += 1;
    }
    table
}

/// The words of free text, for word aliases: after Unicode NFKC and case
/// folding, the runs of letters and digits (`"Harvoni 90/400 mg"` has the
/// words `harvoni`, `90`, `400`, `mg`). The evaluator matches case text by
/// the same rule.
pub fn words(text: &str) -> Vec<String> {
    let normal: String = text.nfkc().collect();
    normal
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_string)
        .collect()
}

/// Whether `pattern` occurs in `words` as consecutive words. An empty
/// pattern occurs nowhere: it could only match everything.
pub fn has_words(words: &[String], pattern: &[String]) -> bool {
    !pattern.is_empty() && words.windows(pattern.len()).any(|w| w == pattern)
}

/// Reports every spelling that folds like an earlier one of another name:
/// among all agents and regimens, and among the values of each enum.
pub fn clashes(files: &[&File], problems: &mut Vec<CheckError>) {
    let items = || files.iter().flat_map(|f| &f.items);
    let vocabulary = items().flat_map(|item| match item {
        Item::Agent(a) => spellings(&a.name, &a.aliases, "agent"),
        Item::Regimen(r) => spellings(&r.name, &r.aliases, "regimen"),
        _ => Vec::new(),
    });
    report_clashes(vocabulary, problems);
    let agents = items().filter_map(|item| match item {
        Item::Agent(a) => Some((&a.name, &a.words)),
        _ => None,
    });
    report_dead_words(agents.collect(), problems);
    let regimens = items().filter_map(|item| match item {
        Item::Regimen(r) => Some((&r.name, &r.words)),
        _ => None,
    });
    report_dead_words(regimens.collect(), problems);
    for item in items() {
        if let Item::Enum(e) = item {
            let values = e.values.iter();
            let all = values.flat_map(|v| spellings(&v.name, &v.aliases, "enum value"));
            report_clashes(all, problems);
        }
    }
}

fn spellings(
    name: &Spanned<String>,
    aliases: &[Spanned<String>],
    kind: &'static str,
) -> Vec<Spelling> {
    let own = |text: &Spanned<String>, alias| Spelling {
        text: text.node.clone(),
        span: text.span,
        owner: name.node.clone(),
        kind,
        alias,
    };
    let mut all = vec![own(name, false)];
    all.extend(aliases.iter().map(|a| own(a, true)));
    all
}

fn report_clashes(all: impl Iterator<Item = Spelling>, problems: &mut Vec<CheckError>) {
    let mut seen: HashMap<String, Spelling> = HashMap::new();
    for later in all {
        let folded = fold(&later.text);
        match seen.get(&folded) {
            Some(first) if clash(first, &later) => {
                let first = first.clone();
                problems.push(
                    DeclError::SpellingClash {
                        first,
                        later,
                        folded,
                    }
                    .into(),
                );
            }
            Some(_) => {}
            None => {
                seen.insert(folded, later);
            }
        }
    }
}

/// S0507 for each word alias among names of one kind (agents, or regimens:
/// a field reads one kind) that can never name its owner: one without words,
/// or one whose words always include another name's word alias, so that
/// text matching it is ambiguous.
fn report_dead_words(
    names: Vec<(&Spanned<String>, &Vec<Spanned<String>>)>,
    problems: &mut Vec<CheckError>,
) {
    let patterns: Vec<(&str, &Spanned<String>, Vec<String>)> = names
        .iter()
        .flat_map(|(name, patterns)| {
            patterns
                .iter()
                .map(|p| (name.node.as_str(), p, words(&p.node)))
        })
        .collect();
    for (owner, pattern, own) in &patterns {
        let shadowed_by = patterns
            .iter()
            .find(|(other, _, theirs)| other != owner && has_words(own, theirs));
        let dead = match (own.is_empty(), shadowed_by) {
            (true, _) => Some(None),
            (false, Some((other, at, _))) => Some(Some((other.to_string(), at.span))),
            (false, None) => None,
        };
        if let Some(shadowed_by) = dead {
            let warning = Warning::WordNeverMatches {
                at: pattern.span,
                owner: owner.to_string(),
                shadowed_by,
            };
            problems.push(CheckError::Warning(warning));
        }
    }
}

/// Two spellings clash when they belong to different names; two equal names
/// are S0107 already.
fn clash(first: &Spelling, later: &Spelling) -> bool {
    let same_name_twice = !first.alias && !later.alias && first.text == later.text;
    first.owner != later.owner && !same_name_twice
}

#[cfg(test)]
mod tests {
    use super::{fold, fold_ascii, fold_unicode, folds_to, has_words, words};

    #[test]
    fn folding_in_place_agrees_with_folding() {
        for text in [
            "creatinine_clearance",
            "Creatinine Clearance",
            "  creatinine--clearance ",
            "creatinine clearancex",
            "creatinine",
            "",
            "Créatinine",
            "CRCL",
        ] {
            for folded in ["creatinine clearance", "crcl", "", "créatinine"] {
                assert_eq!(
                    folds_to(text, folded),
                    fold(text) == folded,
                    "{text:?} {folded:?}"
                );
            }
        }
    }

    #[test]
    fn every_ascii_byte_folds_in_place_as_folding_does() {
        for b in 0u8..0x80 {
            let c = char::from(b);
            for text in [format!("{c}"), format!("x{c}y"), format!("X{c}{c}Y")] {
                for folded in [fold(&text), format!("x{c}y"), "x y".into(), "xy".into()] {
                    assert_eq!(
                        folds_to(&text, &folded),
                        fold(&text) == folded,
                        "{text:?} {folded:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn words_are_runs_of_letters_and_digits_folded() {
        assert_eq!(
            words("Harvoni 90/400 mg, daily"),
            ["harvoni", "90", "400", "mg", "daily"]
        );
        assert_eq!(words("ＨＡＲＶＯＮＩ"), ["harvoni"]);
        assert!(words("-- / --").is_empty());
    }

    #[test]
    fn a_word_alias_matches_whole_words_in_order() {
        let text = words("ledipasvir/sofosbuvir 90/400");
        assert!(has_words(&text, &words("ledipasvir sofosbuvir")));
        assert!(has_words(&text, &words("sofosbuvir")));
        assert!(!has_words(&text, &words("sofosbuvir ledipasvir")));
        assert!(!has_words(&text, &words("sofos")));
        assert!(!has_words(&text, &[]));
    }
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn folding_in_place_agrees_with_folding_any_text(
            text in "[ -~\t\u{e9}A-Z_-]{0,12}", other in "[a-z _-]{0,12}",
        ) {
            let folded = fold(&other);
            prop_assert_eq!(folds_to(&text, &folded), fold(&text) == folded);
            prop_assert!(folds_to(&other, &folded));
        }

        #[test]
        fn ascii_text_folds_by_the_general_rule(text in "[ -~\t\n\r\x0b\x0c]{0,24}") {
            prop_assert_eq!(fold_ascii(&text), fold_unicode(&text));
        }
    }

    #[test]
    fn fold_is_the_matching_rule() {
        assert_eq!(fold("R-CHOP"), "r chop");
        assert_eq!(fold("  r_chop "), "r chop");
        assert_eq!(fold("R  -  CHOP"), "r chop");
        assert_eq!(fold("Polatuzumab Vedotin"), "polatuzumab vedotin");
        assert_eq!(fold("ﬁlgrastim"), "filgrastim");
        assert_eq!(fold("ＲＩＣＥ"), "rice");
        assert_eq!(fold("DRV/r"), "drv/r");
        assert_eq!(fold("--"), "");
    }
}
