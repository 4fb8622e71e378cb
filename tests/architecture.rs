//! The module graph is a straight line: no top-level module of `src/`
//! depends, directly or through others, on itself.
//!
//! An edge `Y → X` is a `crate::X` path anywhere in module `Y` (a file
//! `src/Y.rs` or under `src/Y/`), outside its `#[cfg(test)] mod tests`.
//! `lib.rs` and `main.rs` are the facade and the binary's root: they may
//! name every module and are left out. `docs/architecture.md` draws the graph.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Module → the modules it names.
type Graph = BTreeMap<String, BTreeSet<String>>;

#[test]
fn the_module_graph_has_no_cycle() {
    let graph = graph_of(&src());
    let unexpected: Vec<String> = cycles(&graph).iter().map(|c| shown(c)).collect();
    assert!(
        unexpected.is_empty(),
        "module cycles:\n  {}\nedges:\n{}",
        unexpected.join("\n  "),
        edges_text(&graph)
    );
}

#[test]
fn the_graph_of_the_tree_has_the_phases_in_order() {
    let graph = graph_of(&src());
    let has = |from: &str, to: &str| graph.get(from).is_some_and(|to_set| to_set.contains(to));
    assert!(has("syntax", "span"), "{}", edges_text(&graph));
    assert!(has("check", "syntax"), "{}", edges_text(&graph));
    assert!(has("compile", "check"), "{}", edges_text(&graph));
    assert!(!has("check", "compile"), "{}", edges_text(&graph));
    assert!(has("decision", "eval"), "{}", edges_text(&graph));
    assert!(!has("eval", "decision"), "{}", edges_text(&graph));
}

#[test]
fn paths_and_groups_are_edges_and_tests_are_not() {
    let text = "use crate::{diag::{Code, Severity}, span::Span};\n\
                use crate::check::types;\n\
                fn f() -> u32 { crate::units::zero() + other_crate::x() }\n\
                #[cfg(test)]\nmod tests {\n    use crate::eval::model;\n}\n";
    let found = named_modules(text, "syntax");
    let expected = ["check", "diag", "span", "units"].map(String::from);
    assert_eq!(found, BTreeSet::from(expected));
}

#[test]
fn a_cycle_is_found_once_from_its_first_module() {
    let graph: Graph = [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")]
        .into_iter()
        .fold(Graph::new(), |mut graph, (from, to)| {
            graph.entry(from.into()).or_default().insert(to.into());
            graph
        });
    let found: Vec<String> = cycles(&graph).iter().map(|c| shown(c)).collect();
    assert_eq!(found, ["a -> b -> c -> a"]);
}

/// The crate's `src/` folder.
fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The edges between the top-level modules of the crate rooted at `src`.
fn graph_of(src: &Path) -> Graph {
    let mut graph = Graph::new();
    for (module, text) in module_files(src, src) {
        let named = named_modules(&text, &module);
        graph.entry(module).or_default().extend(named);
    }
    graph
}

/// Every `.rs` file under `dir` with the top-level module it belongs to,
/// leaving out the crate roots.
fn module_files(src: &Path, dir: &Path) -> Vec<(String, String)> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(module_files(src, &path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            let relative = path.strip_prefix(src).unwrap();
            let first = relative.components().next().unwrap().as_os_str();
            let module = first.to_str().unwrap().trim_end_matches(".rs").to_string();
            if module != "lib" && module != "main" {
                files.push((module, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    files
}

/// The modules other than `own` that `text` names with a `crate::` path.
fn named_modules(text: &str, own: &str) -> BTreeSet<String> {
    let text = without_tests(text);
    let mut named = BTreeSet::new();
    for (at, _) in text.match_indices("crate::") {
        let before = text[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        named.extend(heads(&text[at + "crate::".len()..]));
    }
    named.remove(own);
    named.remove("self");
    named
}

/// The module names a path starts with: `x::…` gives `x`, a group
/// `{x::…, y}` gives `x` and `y`.
fn heads(rest: &str) -> Vec<String> {
    match rest.strip_prefix('{') {
        Some(group) => top_level_items(group)
            .into_iter()
            .filter_map(|item| identifier(item.trim_start()))
            .collect(),
        None => identifier(rest).into_iter().collect(),
    }
}

/// The comma-separated items of a group up to its closing brace.
fn top_level_items(group: &str) -> Vec<&str> {
    let (mut depth, mut start, mut items) = (0usize, 0, Vec::new());
    for (at, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => {
                items.push(&group[start..at]);
                return items;
            }
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&group[start..at]);
                start = at + 1;
            }
            _ => {}
        }
    }
    items
}

/// The identifier `text` starts with, if any.
fn identifier(text: &str) -> Option<String> {
    let end = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    (end > 0).then(|| text[..end].to_string())
}

/// The text before a `#[cfg(test)]` that opens `mod tests`.
fn without_tests(text: &str) -> &str {
    let mut from = 0;
    while let Some(at) = text[from..].find("#[cfg(test)]") {
        let at = from + at;
        let after = text[at + "#[cfg(test)]".len()..].trim_start();
        if after.starts_with("mod tests") {
            return &text[..at];
        }
        from = at + 1;
    }
    text
}

/// Every elementary cycle of the graph, each once, written from its
/// alphabetically first module and closed by repeating it.
fn cycles(graph: &Graph) -> BTreeSet<Vec<String>> {
    let mut found = BTreeSet::new();
    for start in graph.keys() {
        walk(graph, vec![start.clone()], &mut found);
    }
    found
}

/// Extends `path` by every edge out of its last module; a step back to the
/// start closes a cycle. Only modules after the start are visited, so each
/// cycle is found from its first module alone.
fn walk(graph: &Graph, path: Vec<String>, found: &mut BTreeSet<Vec<String>>) {
    let (Some(start), Some(last)) = (path.first(), path.last()) else {
        return;
    };
    for next in graph.get(last).into_iter().flatten() {
        if next == start {
            let mut cycle = path.clone();
            cycle.push(start.clone());
            found.insert(cycle);
        } else if next > start && !path.contains(next) {
            let mut longer = path.clone();
            longer.push(next.clone());
            walk(graph, longer, found);
        }
    }
}

fn shown(cycle: &[String]) -> String {
    cycle.join(" -> ")
}

/// One `module -> a, b` line per module.
fn edges_text(graph: &Graph) -> String {
    graph
        .iter()
        .map(|(from, to)| {
            let to: Vec<&str> = to.iter().map(String::as_str).collect();
            format!("  {from} -> {}\n", to.join(", "))
        })
        .collect()
}
