//! Every diagnostic code's explanation (`docs/codes/CODE.md`, shown by
//! `salvage explain CODE`) is checked against the real checker: its title
//! line matches the code's title, it has a summary and a `## How to fix`
//! (which, for a warning, says when to ignore it), its `## Wrong` example
//! reports the code, and its `## Right` example checks clean (no errors, and
//! no warnings either).
//!
//! Examples in a ```` ```salv ```` block are checked in memory with
//! `check_source`. A few codes can only be shown with files on disk (imports,
//! unreadable files): their examples are ```` ```salv-multi ```` blocks, in
//! which each file starts with a `// file: PATH` line (the first file is the
//! protocol; `// file: PATH (latin-1)` writes that file in Latin-1, not
//! UTF-8). `Code::explanation()` only sees ```` ```salv ```` blocks, so those
//! examples are skipped by the in-memory check and checked from a temporary
//! folder with `check_files` instead.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::PathBuf;

use common::temp::TempDir;
use salvage::diag::{render, Code, Severity};
use salvage::{check_files, check_source, CheckReport};

/// Codes whose examples need files on disk, and which of their examples
/// (wrong, right) are therefore ```` ```salv-multi ```` blocks.
const MULTI_FILE: &[(Code, bool, bool)] = &[
    // a file that cannot be read: an import saved in Latin-1
    (Code::S0008, true, true),
    // the wrong example is one file (checked in memory every import is
    // S0201); the fix needs the imported file
    (Code::S0201, false, true),
    // in memory every import is S0201, so leaving the root needs the disk
    (Code::S0202, true, true),
    // a cycle needs two files
    (Code::S0203, true, true),
    // an imported file holding a rule
    (Code::S0206, true, true),
];

/// Codes no protocol can be written to show: they report a defect of
/// Salvage itself, so their explanation has no examples.
const NO_EXAMPLES: &[Code] = &[Code::S0009];

/// One example of an explanation.
#[derive(Debug)]
enum Example {
    /// A ```` ```salv ```` block: one protocol, checked in memory.
    Single(String),
    /// A ```` ```salv-multi ```` block: files (path, text, latin-1?), the
    /// protocol first.
    Multi(Vec<(String, String, bool)>),
    /// No block under the heading.
    Missing,
}

/// The first code block in the section that starts at `heading`.
fn example_after(text: &str, heading: &str) -> Example {
    let Some(at) = text.find(heading) else {
        return Example::Missing;
    };
    let section = &text[at + heading.len()..];
    let section = match section.find("\n## ") {
        Some(end) => &section[..end],
        None => section,
    };
    let single = section.find("```salv\n");
    let multi = section.find("```salv-multi\n");
    let (open, is_multi) = match (single, multi) {
        (Some(s), Some(m)) if m < s => (m + "```salv-multi\n".len(), true),
        (Some(s), _) => (s + "```salv\n".len(), false),
        (None, Some(m)) => (m + "```salv-multi\n".len(), true),
        (None, None) => return Example::Missing,
    };
    let body = &section[open..];
    let Some(close) = body.find("```") else {
        return Example::Missing;
    };
    let body = &body[..close];
    if is_multi {
        Example::Multi(split_files(body))
    } else {
        Example::Single(body.to_string())
    }
}

/// Splits a multi-file block at its `// file: PATH` lines.
fn split_files(body: &str) -> Vec<(String, String, bool)> {
    let mut files: Vec<(String, String, bool)> = Vec::new();
    for line in body.lines() {
        if let Some(rest) = line.strip_prefix("// file: ") {
            let rest = rest.trim();
            let (path, latin1) = match rest.strip_suffix("(latin-1)") {
                Some(path) => (path.trim().to_string(), true),
                None => (rest.to_string(), false),
            };
            files.push((path, String::new(), latin1));
        } else if let Some((_, text, _)) = files.last_mut() {
            text.push_str(line);
            text.push('\n');
        }
    }
    files
}

/// Text as Latin-1 bytes (every character must be in Latin-1).
fn latin1(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).expect("a Latin-1 character"))
        .collect()
}

/// Writes a multi-file example into a fresh folder and checks its protocol.
fn check_on_disk(files: &[(String, String, bool)]) -> CheckReport {
    let dir = TempDir::new();
    // The root is a folder inside `dir`, so that `../` imports have
    // somewhere to point that is outside the root.
    let mut protocol: Option<PathBuf> = None;
    for (path, text, is_latin1) in files {
        let relative = format!("protocols/{path}");
        let full = if *is_latin1 {
            dir.write_bytes(&relative, &latin1(text))
        } else {
            dir.write(&relative, text)
        };
        protocol.get_or_insert(full);
    }
    let protocol = protocol.expect("a multi-file example names at least one file");
    check_files(&protocol, None)
}

/// Checks one example; `None` when there is none to check.
fn check(example: &Example) -> Option<CheckReport> {
    match example {
        Example::Single(text) if text.trim().is_empty() => None,
        Example::Single(text) => Some(check_source("example.salv", text)),
        Example::Multi(files) if !files.is_empty() => Some(check_on_disk(files)),
        Example::Multi(_) | Example::Missing => None,
    }
}

/// The codes a report found, in order.
fn codes(report: &CheckReport) -> Vec<&'static str> {
    report.diagnostics.iter().map(|d| d.code.as_str()).collect()
}

/// The report rendered as plain text, indented, for a failure message.
fn shown(report: &CheckReport) -> String {
    let text = render::to_text(&report.diagnostics, &report.sources, false);
    let text = if text.trim().is_empty() {
        "(no diagnostics)".to_string()
    } else {
        text
    };
    text.lines()
        .map(|line| format!("        {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every problem with one code's explanation, and a one-line summary of
/// what its examples report.
fn problems(code: Code) -> (Vec<String>, String) {
    let mut found = Vec::new();
    let text = code.explanation_text();
    let explanation = code.explanation();
    let (wrong_multi, right_multi) = MULTI_FILE
        .iter()
        .find(|(c, _, _)| *c == code)
        .map_or((false, false), |(_, w, r)| (*w, *r));

    let heading = format!("# {}: {}", code.as_str(), code.title());
    if text.lines().next() != Some(heading.as_str()) {
        found.push(format!(
            "the first line should be `{heading}`, found `{}`",
            text.lines().next().unwrap_or("")
        ));
    }
    let summary = explanation.summary.trim();
    if summary.is_empty() || summary.contains("TODO") {
        found.push(format!("no summary (found `{summary}`)"));
    }
    if !text.contains("## How to fix") {
        found.push("no `## How to fix` section".to_string());
    }
    if code.severity() == Severity::Warning && !text.contains("When to ignore") {
        found.push("a warning's explanation should say when to ignore it".to_string());
    }
    if NO_EXAMPLES.contains(&code) {
        if text.contains("## Wrong") || text.contains("## Right") {
            found.push("a code about a defect of Salvage has no examples".to_string());
        }
        return (found, format!("{}: no examples", code.as_str()));
    }

    let wrong = example_after(text, "## Wrong");
    let right = example_after(text, "## Right");
    for (part, example, multi, parsed) in [
        ("wrong", &wrong, wrong_multi, &explanation.wrong),
        ("right", &right, right_multi, &explanation.right),
    ] {
        match (example, multi) {
            (Example::Single(body), false) => {
                if body.trim().is_empty() {
                    found.push(format!("the {part} example is empty"));
                } else if body != parsed {
                    found.push(format!(
                        "`Code::explanation()` reads another {part} example than the one under its heading"
                    ));
                }
            }
            (Example::Multi(files), true) if !files.is_empty() => {}
            (_, true) => found.push(format!(
                "the {part} example should be a ```salv-multi block"
            )),
            (_, false) => found.push(format!("the {part} example should be a ```salv block")),
        }
    }

    let wrong_report = check(&wrong);
    let right_report = check(&right);
    let listed = |r: &Option<CheckReport>| match r {
        Some(report) => format!("[{}]", codes(report).join(", ")),
        None => "(not checked)".to_string(),
    };
    let line = format!(
        "{}: wrong reports {}, right reports {}",
        code.as_str(),
        listed(&wrong_report),
        listed(&right_report)
    );
    if let Some(report) = &wrong_report {
        if !report.diagnostics.iter().any(|d| d.code == code) {
            found.push(format!(
                "the wrong example does not report {}; it reports [{}]:\n{}",
                code.as_str(),
                codes(report).join(", "),
                shown(report)
            ));
        }
    }
    if let Some(report) = &right_report {
        let errors = report.count(Severity::Error);
        let own = report.diagnostics.iter().any(|d| d.code == code);
        if own || errors > 0 {
            found.push(format!(
                "the right example reports {}; it reports [{}]:\n{}",
                match (own, errors) {
                    (true, 0) => code.as_str().to_string(),
                    (true, n) => format!("{} and {n} error(s)", code.as_str()),
                    (false, n) => format!("{n} error(s)"),
                },
                codes(report).join(", "),
                shown(report)
            ));
        } else if !report.diagnostics.is_empty() {
            // A fixed example shows a clean protocol: a warning there would
            // leave the reader wondering what else is wrong.
            found.push(format!(
                "the right example should check clean, but reports [{}]:\n{}",
                codes(report).join(", "),
                shown(report)
            ));
        }
    }
    (found, line)
}

#[test]
fn every_code_has_an_explanation_whose_examples_check() {
    let mut failures = Vec::new();
    let mut lines = Vec::new();
    for &code in Code::ALL {
        let (found, line) = problems(code);
        lines.push(line);
        if !found.is_empty() {
            failures.push(format!(
                "{} ({}):\n{}",
                code.as_str(),
                code.title(),
                found
                    .iter()
                    .map(|p| format!("  - {p}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            ));
        }
    }
    // Shown with `--nocapture`, or when the test fails.
    eprintln!("{}", lines.join("\n"));
    if !failures.is_empty() {
        eprintln!("\n{}", failures.join("\n\n"));
    }
    assert!(
        failures.is_empty(),
        "{} of {} explanations fail: {}",
        failures.len(),
        Code::ALL.len(),
        failures
            .iter()
            .map(|f| f.split(' ').next().unwrap_or(""))
            .collect::<Vec<_>>()
            .join(", ")
    );
}

#[test]
fn the_multi_file_list_names_real_codes_once() {
    for (i, (code, wrong, right)) in MULTI_FILE.iter().enumerate() {
        assert!(
            *wrong || *right,
            "{} is listed but has no multi-file example",
            code.as_str()
        );
        assert!(
            MULTI_FILE[i + 1..].iter().all(|(c, _, _)| c != code),
            "{} is listed twice",
            code.as_str()
        );
    }
}
