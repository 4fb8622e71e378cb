//! S0114: two declared spellings that case data cannot tell apart.
//!
//! Free text in a case resolves to an agent, a regimen or an enum value by
//! its [`fold`]ed spelling, so two spellings that fold alike — an agent's
//! alias and a regimen's name, two agents' aliases, two aliases of values of
//! one enum — would make one of them silently unreachable.

use super::error::{CheckError, DeclError, Spelling};
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

/// Two spellings clash when they belong to different names; two equal names
/// are S0107 already.
fn clash(first: &Spelling, later: &Spelling) -> bool {
    let same_name_twice = !first.alias && !later.alias && first.text == later.text;
    first.owner != later.owner && !same_name_twice
}

#[cfg(test)]
mod tests {
    use super::{fold, fold_ascii, fold_unicode};
    use proptest::prelude::*;

    proptest! {
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
