//! Golden tests of the checker's diagnostics.
//!
//! Every case under `tests/cases/check/` is a small protocol with one
//! mistake (or none), checked with [`salvage::check_files`] and rendered
//! with [`salvage::diag::render::to_text`] (no colour). The rendering must
//! equal the case's `.expected` file, byte for byte except line endings.
//!
//! A case is either
//! - a `.salv` file directly in `tests/cases/check/` (`NAME.salv`, compared
//!   with `NAME.expected`), or
//! - a folder `tests/cases/check/NAME/` holding `main.salv` and the files it
//!   imports (compared with `NAME/main.expected`).
//!
//! The folder `tests/cases/check/pending/` is skipped: it holds cases whose
//! current output is wrong, waiting for a checker fix. `GOLDEN_PENDING=1`
//! runs them too (with `BLESS=1`, it writes their expected files), to see
//! which of them a fix has settled before moving them up.
//!
//! Each case's first line says which codes it is about:
//! `// expect: S0101`, `// expect: S0101 S0305`, or `// expect: ok`. The set
//! of codes among the diagnostics must be exactly that set (`ok`: no
//! diagnostics at all), and the case's name must start with one of them
//! (`s0101-…`, `ok-…`). So a case fails when the checker stops reporting its
//! mistake, even if someone blesses the new output.
//!
//! `BLESS=1 cargo test --test golden` (re)writes the `.expected` files; the
//! `expect:` line is still checked.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};

use common::report::{indent, panic_message};
use salvage::diag::Code;

/// The folder of cases, relative to the package root (the working directory
/// of integration tests). Paths are given relative, so the file names in the
/// rendered diagnostics do not depend on where the repository is.
const CASES: &str = "tests/cases/check";

/// Folders directly under [`CASES`] that hold no cases.
const SKIPPED: &[&str] = &["pending"];

/// One golden case.
struct Case {
    /// What the case is called in reports: `s0101-unknown-name.salv`,
    /// `s0201-import-not-found/` or `pending/s0501-unused-define.salv`.
    name: String,
    /// Its file or folder name, which starts with what it tests.
    file_name: String,
    /// The protocol to check.
    protocol: PathBuf,
    /// The file its rendering is compared with.
    expected: PathBuf,
}

#[test]
fn golden_diagnostics() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::env::set_current_dir(root).expect("cannot enter the package root");
    let bless = std::env::var_os("BLESS").is_some_and(|v| v == "1");

    let (mut cases, mut failures) = find_cases(Path::new(CASES), "");
    if std::env::var_os("GOLDEN_PENDING").is_some_and(|v| v == "1") {
        let (pending, problems) = find_cases(&Path::new(CASES).join("pending"), "pending/");
        cases.extend(pending);
        failures.extend(problems);
    }
    assert!(
        !cases.is_empty(),
        "no golden cases found under {CASES}/ (run from the package root)"
    );
    let mut blessed = 0;
    for case in &cases {
        match run_case(case, bless) {
            Ok(true) => blessed += 1,
            Ok(false) => {}
            Err(problems) => failures.push(format!("{}\n{}", case.name, problems)),
        }
    }
    if bless && blessed > 0 {
        eprintln!("blessed {blessed} expected file(s)");
    }
    if !failures.is_empty() {
        let mut report = String::new();
        for failure in &failures {
            let _ = writeln!(report, "\n---- {failure}");
        }
        let _ = write!(
            report,
            "\n{} of {} golden case(s) failed (BLESS=1 rewrites the .expected files)",
            failures.len(),
            cases.len()
        );
        panic!("{report}");
    }
}

/// Finds every case, and the problems with files that are neither a case
/// nor its expected output.
/// Case names are prefixed with `prefix`.
fn find_cases(dir: &Path, prefix: &str) -> (Vec<Case>, Vec<String>) {
    let mut cases = Vec::new();
    let mut problems = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("cannot read a folder entry").path())
        .collect();
    entries.sort();
    for path in entries {
        let file_name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        if path.is_dir() {
            if SKIPPED.contains(&file_name.as_str()) {
                continue;
            }
            let main = path.join("main.salv");
            if main.is_file() {
                cases.push(Case {
                    name: format!("{prefix}{file_name}/"),
                    file_name: file_name.clone(),
                    expected: path.join("main.expected"),
                    protocol: main,
                });
            } else {
                problems.push(format!(
                    "{prefix}{file_name}/\na folder case needs a `main.salv`: {} has none",
                    path.display()
                ));
            }
        } else if let Some(stem) = file_name.strip_suffix(".salv") {
            cases.push(Case {
                name: format!("{prefix}{file_name}"),
                file_name: file_name.clone(),
                expected: dir.join(format!("{stem}.expected")),
                protocol: path.clone(),
            });
        } else if let Some(stem) = file_name.strip_suffix(".expected") {
            if !dir.join(format!("{stem}.salv")).is_file() {
                problems.push(format!(
                    "{prefix}{file_name}\nan expected file without its case `{stem}.salv`"
                ));
            }
        }
    }
    (cases, problems)
}

/// Checks one case. `Ok(true)` when an expected file was written (bless),
/// `Err` with every problem found otherwise.
fn run_case(case: &Case, bless: bool) -> Result<bool, String> {
    let mut problems = Vec::new();
    let expect = match read_expect_line(&case.protocol) {
        Ok(expect) => Some(expect),
        Err(problem) => {
            problems.push(problem);
            None
        }
    };
    if let Some(expect) = &expect {
        if let Err(problem) = check_name_prefix(&case.file_name, expect) {
            problems.push(problem);
        }
    }

    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
        let report = salvage::check_files(&case.protocol, None);
        let text = salvage::diag::render::to_text(&report.diagnostics, &report.sources, false);
        let codes: BTreeSet<Code> = report.diagnostics.iter().map(|d| d.code).collect();
        (text, codes)
    }));
    let (actual, codes) = match outcome {
        Ok(result) => result,
        Err(panic) => {
            problems.push(format!("the checker panicked: {}", panic_message(&*panic)));
            return Err(problems.join("\n"));
        }
    };
    let actual = normalise_line_endings(&actual);

    if let Some(expect) = &expect {
        if let Err(problem) = check_codes(expect, &codes) {
            problems.push(problem);
        }
    }

    let mut wrote = false;
    if bless {
        let current = std::fs::read_to_string(&case.expected).ok();
        if current.as_deref().map(normalise_line_endings) != Some(actual.clone()) {
            std::fs::write(&case.expected, &actual)
                .unwrap_or_else(|e| panic!("cannot write {}: {e}", case.expected.display()));
            wrote = true;
        }
    } else {
        match std::fs::read_to_string(&case.expected) {
            Ok(expected) => {
                let expected = normalise_line_endings(&expected);
                if expected != actual {
                    problems.push(format!(
                        "the output differs from {} (- expected, + actual):\n{}",
                        case.expected.display(),
                        diff(&expected, &actual)
                    ));
                }
            }
            Err(e) => problems.push(format!(
                "cannot read {} ({e}); run with BLESS=1 to create it. The output is:\n{}",
                case.expected.display(),
                indent(&actual)
            )),
        }
    }

    if problems.is_empty() {
        Ok(wrote)
    } else {
        Err(problems.join("\n"))
    }
}

/// What a case's `// expect:` line says.
#[derive(Debug)]
enum Expect {
    /// `ok`: no diagnostics at all.
    Clean,
    /// These codes, and no others.
    Codes(BTreeSet<Code>),
}

/// Reads the `// expect: …` first line of a case. Only the first line is
/// decoded, so a case may hold bytes that are not UTF-8 after it.
fn read_expect_line(protocol: &Path) -> Result<Expect, String> {
    let bytes =
        std::fs::read(protocol).map_err(|e| format!("cannot read {}: {e}", protocol.display()))?;
    let first = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    let first = std::str::from_utf8(first).unwrap_or_default().trim();
    let words = first
        .strip_prefix("//")
        .map(str::trim_start)
        .and_then(|rest| rest.strip_prefix("expect:"))
        .ok_or_else(|| {
            format!(
                "{} must start with a line `// expect: S0101` (codes) or `// expect: ok`",
                protocol.display()
            )
        })?;
    let words: Vec<&str> = words.split_whitespace().collect();
    if words == ["ok"] {
        return Ok(Expect::Clean);
    }
    if words.is_empty() {
        return Err(format!(
            "{}: the `// expect:` line names no code",
            protocol.display()
        ));
    }
    let mut codes = BTreeSet::new();
    for word in words {
        let code = Code::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == word)
            .ok_or_else(|| {
                format!(
                    "{}: `{word}` in the `// expect:` line is not a diagnostic code",
                    protocol.display()
                )
            })?;
        codes.insert(code);
    }
    Ok(Expect::Codes(codes))
}

/// The case's name must start with what it tests: `ok-` for a clean case,
/// else one of its codes in lowercase (`s0101-…`).
fn check_name_prefix(name: &str, expect: &Expect) -> Result<(), String> {
    let prefix = name.split(['-', '.', '/']).next().unwrap_or_default();
    let fits = match expect {
        Expect::Clean => prefix == "ok",
        Expect::Codes(codes) => codes.iter().any(|c| c.as_str().to_lowercase() == prefix),
    };
    if fits {
        Ok(())
    } else {
        let wanted = match expect {
            Expect::Clean => "`ok-`".to_string(),
            Expect::Codes(codes) => codes
                .iter()
                .map(|c| format!("`{}-`", c.as_str().to_lowercase()))
                .collect::<Vec<_>>()
                .join(" or "),
        };
        Err(format!(
            "the case's name should start with {wanted}, as its `// expect:` line says"
        ))
    }
}

/// The codes reported must be exactly the expected ones.
fn check_codes(expect: &Expect, found: &BTreeSet<Code>) -> Result<(), String> {
    let shown = |codes: &BTreeSet<Code>| {
        if codes.is_empty() {
            "none".to_string()
        } else {
            codes
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        }
    };
    match expect {
        Expect::Clean if found.is_empty() => Ok(()),
        Expect::Clean => Err(format!(
            "`// expect: ok`, but the checker reported {}",
            shown(found)
        )),
        Expect::Codes(codes) if codes == found => Ok(()),
        Expect::Codes(codes) => {
            let missing: BTreeSet<Code> = codes.difference(found).copied().collect();
            let extra: BTreeSet<Code> = found.difference(codes).copied().collect();
            let mut message = format!(
                "`// expect: {}`, but the checker reported {}",
                shown(codes),
                shown(found)
            );
            if !missing.is_empty() {
                let _ = write!(message, "; not reported: {}", shown(&missing));
            }
            if !extra.is_empty() {
                let _ = write!(message, "; not expected: {}", shown(&extra));
            }
            Err(message)
        }
    }
}

fn normalise_line_endings(text: &str) -> String {
    text.replace("\r\n", "\n")
}

/// A line diff of `expected` against `actual`: ` ` for common lines, `-`
/// for lines only expected, `+` for lines only produced, with up to three
/// lines of context around each change.
fn diff(expected: &str, actual: &str) -> String {
    let old: Vec<&str> = expected.lines().collect();
    let new: Vec<&str> = actual.lines().collect();
    // Longest common subsequence table, from the ends.
    let mut lcs = vec![vec![0usize; new.len() + 1]; old.len() + 1];
    for i in (0..old.len()).rev() {
        for j in (0..new.len()).rev() {
            lcs[i][j] = if old[i] == new[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut lines: Vec<(char, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < old.len() || j < new.len() {
        if i < old.len() && j < new.len() && old[i] == new[j] {
            lines.push((' ', old[i]));
            i += 1;
            j += 1;
        } else if i < old.len() && (j == new.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            lines.push(('-', old[i]));
            i += 1;
        } else {
            lines.push(('+', new[j]));
            j += 1;
        }
    }
    if expected.ends_with('\n') != actual.ends_with('\n') {
        lines.push(('~', "(the files differ in their final newline)"));
    }
    const CONTEXT: usize = 3;
    let changed: Vec<usize> = (0..lines.len()).filter(|&k| lines[k].0 != ' ').collect();
    let mut out = String::new();
    let mut last_shown: Option<usize> = None;
    for (k, (mark, line)) in lines.iter().enumerate() {
        let near = changed
            .iter()
            .any(|&c| k + CONTEXT >= c && k <= c + CONTEXT);
        if !near {
            continue;
        }
        if last_shown.is_some_and(|l| l + 1 < k) || (last_shown.is_none() && k > 0) {
            out.push_str("    ...\n");
        }
        let _ = writeln!(out, "  {mark} {line}");
        last_shown = Some(k);
    }
    if last_shown.is_some_and(|l| l + 1 < lines.len()) {
        out.push_str("    ...\n");
    }
    out
}
