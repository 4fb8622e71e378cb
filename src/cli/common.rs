//! What every command shares: the usage error, the `--root` check, the
//! folder search, the wording of IO errors, the colour choice and the
//! printing of check reports.

use std::io::{ErrorKind, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use clap::ValueEnum;
use salvage::diag::render;
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

/// Why a command stopped before doing its work; the message goes to stderr.
pub enum Refusal {
    /// A usage problem: exit 2.
    Usage(String),
    /// An input named on the command line that cannot be read: exit 1.
    Input(String),
}

impl From<Usage> for Refusal {
    fn from(Usage(message): Usage) -> Refusal {
        Refusal::Usage(message)
    }
}

/// When diagnostics are coloured (`--color`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// When stderr is a terminal and `NO_COLOR` is unset or empty.
    Auto,
    /// Always, even off a terminal and with `NO_COLOR`.
    Always,
    /// Never.
    Never,
}

/// The `--color` of this run, set once at the start.
static COLOR: OnceLock<ColorChoice> = OnceLock::new();

/// Records the `--color` of this run for [`use_color`].
pub fn set_color(choice: ColorChoice) {
    let _ = COLOR.set(choice);
}

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

/// Prints every report's diagnostics on stderr, for people.
pub fn print_diagnostics(reports: &[CheckReport]) {
    let color = use_color();
    for report in reports {
        let text = render::to_text(&report.diagnostics, &report.sources, color);
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
    }
}

/// Whether diagnostics are coloured: as `--color` says; by default only
/// when stderr is a terminal and `NO_COLOR` is unset or empty.
pub fn use_color() -> bool {
    match COLOR.get().copied().unwrap_or(ColorChoice::Auto) {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            let no_color = matches!(std::env::var_os("NO_COLOR"), Some(v) if !v.is_empty());
            std::io::stderr().is_terminal() && !no_color
        }
    }
}
