//! Compiling protocols and evaluating cases through the library, the way the
//! `salvage` binary does.

use std::path::Path;

use salvage::decision::output::{Record, Source};
use salvage::decision::RunOptions;
use salvage::eval::model::Protocol;
use serde_json::Value;

use super::schema;

/// The protocol at `path` with its imports (the root is its folder), or its
/// diagnostics rendered as text when it does not check.
pub fn try_compile_file(path: &Path) -> Result<Protocol, String> {
    let compiled = salvage::compile_file(path, None);
    compiled.protocol.ok_or_else(|| render(&compiled.report))
}

/// The protocol at `path`, panicking with its diagnostics if it does not check.
pub fn compile_file(path: &Path) -> Protocol {
    try_compile_file(path)
        .unwrap_or_else(|shown| panic!("{} does not check:\n{shown}", path.display()))
}

/// Protocol text held in memory (imports are not followed), panicking with
/// its diagnostics if it does not check.
pub fn compile_text(text: &str) -> Protocol {
    let compiled = salvage::compile_source("t.salv", text);
    compiled
        .protocol
        .unwrap_or_else(|| panic!("protocol does not check:\n{}", render(&compiled.report)))
}

fn render(report: &salvage::CheckReport) -> String {
    salvage::diag::render::to_text(&report.diagnostics, &report.sources, false)
}

/// Options as `salvage eval` has them without `--as-of` and `--strict`.
pub fn options(explain: bool) -> RunOptions {
    RunOptions {
        as_of: None,
        explain,
        strict: false,
        show_values: false,
    }
}

/// The record `salvage eval` writes for one record of case text: its
/// decision, or an error record when the text is not JSON or the case does
/// not load.
pub fn record(
    protocol: &Protocol,
    text: &str,
    source: Option<Source>,
    options: &RunOptions,
) -> Record<'static> {
    match salvage::decision::evaluate_text(protocol, text, source.clone(), options) {
        Ok(record) => record,
        Err(e) => salvage::decision::error_record(None, source, e.path, on_one_line(e.message)),
    }
}

/// serde_json's "… at line 1 column 13" as "… at column 13", as `salvage
/// eval` writes it: a record of JSON Lines is one line, named in `source`.
fn on_one_line(message: String) -> String {
    match message.rsplit_once(" at line 1 column ") {
        Some((what, column)) => format!("{what} at column {column}"),
        None => message,
    }
}

/// [`record`] as its JSON line and that line parsed, after checking it
/// against `docs/decision.schema.json` (panicking if it does not match).
pub fn record_line(
    protocol: &Protocol,
    text: &str,
    source: Option<Source>,
    options: &RunOptions,
) -> (String, Value) {
    let line = record(protocol, text, source, options).to_json_line();
    let value = schema::assert_valid_line(&line);
    (line, value)
}
