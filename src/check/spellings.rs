//! S0114: two declared spellings that case data cannot tell apart.
//!
//! Free text in a case resolves to an agent, a regimen or an enum value by
//! its [`fold`]ed spelling, so two spellings that fold alike — an agent's
//! alias and a regimen's name, two agents' aliases, two aliases of values of
//! one enum — would make one of them silently unreachable.

use crate::diag::{Code, Diagnostic};
use crate::span::{Span, Spanned};
use crate::syntax::ast::*;
use std::collections::HashMap;
use unicode_normalization::UnicodeNormalization;

/// Folds free text for matching: Unicode NFKC, case folding, and space, `-`
/// and `_` treated as one. The evaluator matches case text by the same rule.
pub fn fold(text: &str) -> String {
    let normal: String = text.trim().nfkc().collect();
    normal
        .to_lowercase()
        .split(|c: char| c.is_whitespace() || c == '-' || c == '_')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// One declared spelling: a name or an alias of an agent, regimen or enum value.
#[derive(Clone, Copy)]
struct Spelling<'a> {
    text: &'a str,
    span: Span,
    /// The name it belongs to, and what that is (`agent`, `regimen`, `enum value`).
    owner: &'a str,
    kind: &'static str,
    alias: bool,
}

impl Spelling<'_> {
    fn describe(&self) -> String {
        match self.alias {
            true => format!("alias \"{}\" of {} `{}`", self.text, self.kind, self.owner),
            false => format!("{} `{}`", self.kind, self.owner),
        }
    }
}

/// Reports every spelling that folds like an earlier one of another name:
/// among all agents and regimens, and among the values of each enum.
pub fn clashes(files: &[&File], diags: &mut Vec<Diagnostic>) {
    let items = || files.iter().flat_map(|f| &f.items);
    let vocabulary = items().flat_map(|item| match item {
        Item::Agent(a) => spellings(&a.name, &a.aliases, "agent"),
        Item::Regimen(r) => spellings(&r.name, &r.aliases, "regimen"),
        _ => Vec::new(),
    });
    report_clashes(vocabulary, diags);
    for item in items() {
        if let Item::Enum(e) = item {
            let values = e.values.iter();
            let all = values.flat_map(|v| spellings(&v.name, &v.aliases, "enum value"));
            report_clashes(all, diags);
        }
    }
}

fn spellings<'a>(
    name: &'a Spanned<String>,
    aliases: &'a [Spanned<String>],
    kind: &'static str,
) -> Vec<Spelling<'a>> {
    let own = |text: &'a Spanned<String>, alias| Spelling {
        text: &text.node,
        span: text.span,
        owner: &name.node,
        kind,
        alias,
    };
    let mut all = vec![own(name, false)];
    all.extend(aliases.iter().map(|a| own(a, true)));
    all
}

fn report_clashes<'a>(all: impl Iterator<Item = Spelling<'a>>, diags: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<String, Spelling<'a>> = HashMap::new();
    for spelling in all {
        let key = fold(spelling.text);
        match seen.get(&key) {
            Some(first) if clash(first, &spelling) => {
                diags.push(clash_diagnostic(first, &spelling))
            }
            Some(_) => {}
            None => {
                seen.insert(key, spelling);
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

fn clash_diagnostic(first: &Spelling, later: &Spelling) -> Diagnostic {
    Diagnostic::new(
        Code::S0114,
        later.span,
        format!(
            "{} reads the same as {} in case data",
            later.describe(),
            first.describe()
        ),
    )
    .label(format!("reads as \"{}\"", fold(later.text)))
    .also(first.span, format!("{} here", first.describe()))
    .note("case text is matched after Unicode NFKC, case folding and treating space, `-` and `_` alike, so text spelled either way could mean either")
    .help(if first.alias || later.alias {
        "remove the alias, or change one of the spellings"
    } else {
        "declare it once (another spelling can be an alias), or rename one of them"
    })
}

#[cfg(test)]
mod tests {
    use super::fold;

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
