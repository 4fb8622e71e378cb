//! What every command shares: the usage error, the `--root` check, the
//! folder search, the wording of IO errors and the printing of check reports.

use std::io::{ErrorKind, IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use salvage::diag::{render, Severity};
use salvage::CheckReport;

/// How diagnostics are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// codespan style on stderr, coloured on a terminal.
    Human,
    /// One JSON document on stdout.
    Json,
}

/// A usage problem found after parsing the arguments (exit 2).
pub struct Usage(pub String);

/// A `--root` that is not a folder is a usage error.
pub fn check_root(root: Option<&Path>) -> Result<(), Usage> {
    match root {
        Some(root) if !root.is_dir() => Err(Usage(format!(
            "`--root {}` is not a folder",
            root.display()
        ))),
        _ => Ok(()),
    }
}

/// Collects the files under `folder` whose extension is one of `extensions`,
/// skipping hidden entries and not following symlinked folders.
pub fn find_files(
    folder: &Path,
    extensions: &[&str],
    found: &mut Vec<PathBuf>,
) -> std::io::Result<()> {
    for entry in std::fs::read_dir(folder)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if entry.file_type()?.is_dir() {
            find_files(&path, extensions, found)?;
        } else if path
            .extension()
            .is_some_and(|e| extensions.iter().any(|x| e == *x))
            && path.is_file()
        {
            found.push(path);
        }
    }
    Ok(())
}

/// A short, lowercase reason for an IO error.
pub fn describe(error: &std::io::Error) -> String {
    match error.kind() {
        ErrorKind::NotFound => "no such file or folder".to_string(),
        ErrorKind::PermissionDenied => "permission denied".to_string(),
        ErrorKind::IsADirectory => "it is a folder".to_string(),
        ErrorKind::StorageFull => "no space left on the device".to_string(),
        _ => error.to_string(),
    }
}

/// Prints every report: on stderr for people, as one document on stdout for tools.
pub fn print_reports(reports: &[CheckReport], format: Format) {
    match format {
        Format::Human => {
            let color = use_color();
            for report in reports {
                let text = render::to_text(&report.diagnostics, &report.sources, color);
                let _ = std::io::stderr().lock().write_all(text.as_bytes());
            }
        }
        Format::Json => {
            let document = json_document(reports);
            let _ = writeln!(std::io::stdout().lock(), "{document:#}");
        }
    }
}

/// The JSON document of `salvage check --format json`. Stable keys:
///
/// - `checked`: the shown path of every protocol checked, in order
/// - `errors`, `warnings`: how many of each, over all protocols
/// - `diagnostics`: every diagnostic, protocol by protocol, each as
///   documented at [`render::to_json`]
fn json_document(reports: &[CheckReport]) -> serde_json::Value {
    let checked: Vec<&str> = reports
        .iter()
        .map(|r| r.sources.path(salvage::span::FileId(0)))
        .collect();
    let diagnostics: Vec<serde_json::Value> = reports
        .iter()
        .flat_map(|r| match render::to_json(&r.diagnostics, &r.sources) {
            serde_json::Value::Array(items) => items,
            other => vec![other],
        })
        .collect();
    let total = |severity| reports.iter().map(|r| r.count(severity)).sum::<usize>();
    serde_json::json!({
        "checked": checked,
        "errors": total(Severity::Error),
        "warnings": total(Severity::Warning),
        "diagnostics": diagnostics,
    })
}

/// Colours only when stderr is a terminal and `NO_COLOR` is unset or empty.
pub fn use_color() -> bool {
    let no_color = matches!(std::env::var_os("NO_COLOR"), Some(v) if !v.is_empty());
    std::io::stderr().is_terminal() && !no_color
}
