//! `salvage check`: parse and type-check protocols and their imports, then
//! one summary line on stderr when nothing is wrong.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use salvage::diag::{render, Severity};
use salvage::{check_files, check_text, check_tree, unreadable, CheckReport};

use super::common::{check_root, find_files, print_diagnostics, Format, Usage};
use super::sink::{print, Stopped};

/// Arguments of `salvage check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Protocol files, folders (searched recursively for `.salv` files), or
    /// `-` for a protocol on standard input.
    #[arg(required = true, value_name = "FILES")]
    pub files: Vec<PathBuf>,
    /// How to print diagnostics: on stderr for people, or a JSON document on stdout.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// The folder imports may not leave [default: each protocol's folder;
    /// for `-`, the current folder].
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
}

/// What a command-line path names.
pub enum Target {
    /// A protocol named on the command line.
    File(PathBuf),
    /// `-`: a protocol on standard input.
    Stdin,
    /// The protocols found in a folder.
    Tree(Vec<PathBuf>),
}

/// `salvage check`.
pub fn check(args: &CheckArgs) -> Result<ExitCode, Usage> {
    check_root(args.root.as_deref())?;
    let targets = args
        .files
        .iter()
        .map(|path| target(path))
        .collect::<Result<Vec<_>, _>>()?;
    let root = args.root.as_deref();
    let reports: Vec<CheckReport> = targets.iter().flat_map(|t| run_target(t, root)).collect();
    if let Err(stopped) = print_reports(&reports, args.format) {
        return Ok(stopped.code());
    }
    let failed = reports.iter().any(CheckReport::has_errors);
    if !failed {
        eprintln!("{}", summary(&reports));
    }
    Ok(ExitCode::from(u8::from(failed)))
}

/// The line after a check without errors: `checked 3 files: no errors, 1 warning`.
fn summary(reports: &[CheckReport]) -> String {
    let warnings: usize = reports.iter().map(|r| r.count(Severity::Warning)).sum();
    format!(
        "checked {}: no errors, {}",
        counted(reports.len(), "file"),
        counted(warnings, "warning")
    )
}

/// `1 file`, `3 files`.
pub fn counted(n: usize, noun: &str) -> String {
    match n {
        1 => format!("1 {noun}"),
        n => format!("{n} {noun}s"),
    }
}

/// What a command-line path names.
pub fn target(path: &Path) -> Result<Target, Usage> {
    if path.as_os_str() == "-" {
        return Ok(Target::Stdin);
    }
    if !path.is_dir() {
        return Ok(Target::File(path.to_path_buf()));
    }
    let mut found = Vec::new();
    find_files(path, &["salv"], &mut found)
        .map_err(|e| Usage(format!("cannot search `{}`: {e}", path.display())))?;
    if found.is_empty() {
        return Err(Usage(format!("no `.salv` files in `{}`", path.display())));
    }
    found.sort();
    Ok(Target::Tree(found))
}

fn run_target(target: &Target, root: Option<&Path>) -> Vec<CheckReport> {
    match target {
        Target::File(path) => vec![check_files(path, root)],
        Target::Stdin => vec![check_stdin(root.unwrap_or(Path::new(".")))],
        Target::Tree(paths) => check_tree(paths, root),
    }
}

/// Checks the protocol on standard input, named `<stdin>`; its imports are
/// resolved in `root`.
fn check_stdin(root: &Path) -> CheckReport {
    const NAME: &str = "<stdin>";
    let mut bytes = Vec::new();
    if let Err(e) = std::io::stdin().read_to_end(&mut bytes) {
        return unreadable(NAME, &e.to_string());
    }
    match String::from_utf8(bytes) {
        Ok(text) => check_text(NAME, &text, root),
        Err(_) => unreadable(NAME, "it is not UTF-8 text"),
    }
}

/// Prints every report: on stderr for people, as one document on stdout for
/// tools (a failed write stops the command).
fn print_reports(reports: &[CheckReport], format: Format) -> Result<(), Stopped> {
    match format {
        Format::Human => {
            print_diagnostics(reports);
            Ok(())
        }
        Format::Json => print(&format!("{:#}\n", json_document(reports))),
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
