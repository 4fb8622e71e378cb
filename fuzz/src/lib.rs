//! What the fuzz targets share: the oracles (what must hold for any input,
//! a panic being the failure), the bundled protocols compiled once, and the
//! token-level mutator of `mutate_protocol`.
//!
//! Each oracle runs the library the way `salvage check` and `salvage eval`
//! do and asserts what holds for every input: labels lie inside the text on
//! character boundaries, rendering works, a protocol the checker accepts
//! compiles (no S0009), and the two case readers give the same record.

pub mod mutate;

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use salvage::decision::RunOptions;
use salvage::diag::{render, Code, Severity};
use salvage::eval::model::Protocol;
use salvage::span::FileId;
use salvage::CheckReport;

/// Where the main crate is (the fuzz crate sits in its `fuzz/` folder).
fn repository() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// Every bundled protocol (`protocols/*.salv`), compiled with its imports.
/// One that does not compile is a broken repository: it panics at once.
pub static BUNDLED: LazyLock<Vec<(PathBuf, Protocol)>> = LazyLock::new(|| {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(repository().join("protocols"))
        .map(|dir| {
            dir.filter_map(|entry| entry.ok().map(|e| e.path()))
                .collect()
        })
        .unwrap_or_default();
    paths.retain(|p| p.extension().is_some_and(|e| e == "salv"));
    paths.sort();
    assert!(!paths.is_empty(), "no bundled protocol found");
    paths
        .into_iter()
        .map(|path| {
            let compiled = salvage::compile_file(&path, None);
            let shown = render::to_text(
                &compiled.report.diagnostics,
                &compiled.report.sources,
                false,
            );
            let protocol = compiled
                .protocol
                .unwrap_or_else(|| panic!("{} does not compile:\n{shown}", path.display()));
            (path, protocol)
        })
        .collect()
});

/// Example cases (the bundled protocols' `examples/*.jsonl`), evaluated on
/// each mutated protocol that compiles.
pub const EXAMPLE_CASES: &[&str] = &[
    include_str!("../../examples/dlbcl-cases.jsonl"),
    include_str!("../../examples/dlbcl-bad-cases.jsonl"),
    include_str!("../../examples/hiv-cases.jsonl"),
    include_str!("../../examples/mbc-cases.jsonl"),
    include_str!("../../examples/prostate-bcr-cases.jsonl"),
];

/// The options cases are evaluated with: a trace, and a date for cases
/// that give none, so that they reach the rules; values described, not
/// repeated, as by default.
pub fn options() -> RunOptions {
    RunOptions {
        as_of: "2026-01-01".parse().ok(),
        explain: true,
        strict: false,
        show_values: false,
    }
}

/// Asserts what holds for any report of `text` (checked alone, as file 0):
/// every label inside the text on character boundaries, and the report
/// renders as text and as JSON with one entry per diagnostic.
pub fn assert_report(text: &str, report: &CheckReport) {
    for diagnostic in &report.diagnostics {
        let labels = std::iter::once(&diagnostic.primary).chain(&diagnostic.secondary);
        for label in labels {
            let span = label.span;
            let (start, end) = (span.start as usize, span.end as usize);
            assert_eq!(
                span.file,
                FileId(0),
                "{diagnostic:?}: a label in an unknown file"
            );
            assert!(
                start <= end && end <= text.len(),
                "{:?} {}: label {start}..{end} outside the text (length {})",
                diagnostic.code,
                diagnostic.message,
                text.len()
            );
            assert!(
                text.is_char_boundary(start) && text.is_char_boundary(end),
                "{:?} {}: label {start}..{end} splits a character",
                diagnostic.code,
                diagnostic.message
            );
        }
    }
    let rendered = render::to_text(&report.diagnostics, &report.sources, false);
    assert_eq!(rendered.is_empty(), report.diagnostics.is_empty());
    let json = render::to_json(&report.diagnostics, &report.sources);
    assert_eq!(
        json.as_array().map(Vec::len),
        Some(report.diagnostics.len())
    );
}

/// Checks `text` as `salvage check` does and asserts [`assert_report`].
pub fn check(text: &str) {
    let report = salvage::check_source("fuzz.salv", text);
    assert_report(text, &report);
}

/// Compiles `text` (imports are not followed) and asserts [`assert_report`]
/// and that a protocol without errors compiles (S0009 is a defect).
pub fn compile(text: &str) -> Option<Protocol> {
    let compiled = salvage::compile_source("fuzz.salv", text);
    assert_report(text, &compiled.report);
    let defect = compiled
        .report
        .diagnostics
        .iter()
        .find(|d| d.code == Code::S0009);
    assert!(
        defect.is_none(),
        "the checker accepted what did not compile: {defect:?}"
    );
    let errors = compiled.report.count(Severity::Error);
    assert_eq!(
        compiled.protocol.is_some(),
        errors == 0,
        "a protocol with {errors} errors"
    );
    compiled.protocol
}

/// Decides one case's text as `salvage eval` does and asserts that the
/// record is one line of JSON and that, for text that is JSON, the
/// schema-directed reader and the `Value` reader give the same record.
pub fn decide(protocol: &Protocol, text: &str) {
    let options = options();
    let from_text = salvage::decision::evaluate_text(protocol, text, None, &options);
    let Ok(record) = from_text else {
        assert!(
            salvage::eval::case::parse_json(text).is_err(),
            "JSON text rejected as not JSON"
        );
        return;
    };
    let line = record.to_json_line();
    assert!(
        !line.contains('\n'),
        "a record on more than one line: {line}"
    );
    let parsed: Result<serde_json::Value, _> = serde_json::from_str(&line);
    assert!(parsed.is_ok(), "a record that is not JSON: {line}");
    if let Ok(json) = salvage::eval::case::parse_json(text) {
        let from_value = salvage::decision::evaluate(protocol, &json, None, &options);
        assert_eq!(
            line,
            from_value.to_json_line(),
            "the two case readers differ"
        );
    }
}
