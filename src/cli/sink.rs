//! Where records are written: standard output, or the file of `--out`.
//!
//! A closed standard output (`salvage eval … | head -1`) ends the run
//! quietly with exit 0; any other write error is one line on stderr and
//! exit 1. Every command writes its standard output through here.

use std::fs::File;
use std::io::{BufWriter, ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::common::{describe, Usage};

/// Why writing stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    /// The reader closed the output: the run ends quietly, exit 0.
    Closed,
    /// Writing failed; the error is already on stderr: exit 1.
    Failed,
}

impl Stopped {
    /// The exit code of a run that stopped so.
    pub fn code(self) -> ExitCode {
        match self {
            Stopped::Closed => ExitCode::SUCCESS,
            Stopped::Failed => ExitCode::FAILURE,
        }
    }
}

/// The output of records, buffered.
pub struct Sink {
    out: BufWriter<Box<dyn Write>>,
    /// The file written, `None` for standard output.
    path: Option<PathBuf>,
}

impl Sink {
    /// Standard output.
    pub fn stdout() -> Sink {
        Sink {
            out: BufWriter::new(Box::new(std::io::stdout().lock())),
            path: None,
        }
    }

    /// The file of `--out` (created or emptied), or standard output.
    pub fn open(path: Option<&Path>) -> Result<Sink, Stopped> {
        let Some(path) = path else {
            return Ok(Sink::stdout());
        };
        match File::create(path) {
            Ok(file) => Ok(Sink {
                out: BufWriter::new(Box::new(file)),
                path: Some(path.to_path_buf()),
            }),
            Err(e) => {
                eprintln!("error: cannot write `{}`: {}", path.display(), describe(&e));
                Err(Stopped::Failed)
            }
        }
    }

    /// Writes `text` (the caller ends it with a newline).
    pub fn write(&mut self, text: &str) -> Result<(), Stopped> {
        self.out
            .write_all(text.as_bytes())
            .map_err(|e| self.failed(&e))
    }

    /// Sends what is buffered on.
    pub fn flush(&mut self) -> Result<(), Stopped> {
        self.out.flush().map_err(|e| self.failed(&e))
    }

    fn failed(&self, error: &std::io::Error) -> Stopped {
        if error.kind() == ErrorKind::BrokenPipe {
            return Stopped::Closed;
        }
        match &self.path {
            Some(path) => eprintln!(
                "error: cannot write the output to `{}`: {}",
                path.display(),
                describe(error)
            ),
            None => eprintln!(
                "salvage: cannot write to standard output: {}",
                describe(error)
            ),
        }
        Stopped::Failed
    }
}

/// Writes `text` to standard output and flushes it.
pub fn print(text: &str) -> Result<(), Stopped> {
    let mut out = Sink::stdout();
    out.write(text)?;
    out.flush()
}

/// `--out` may not name a file the run reads (it would be emptied first).
pub fn check_out(out: Option<&Path>, read: &[&Path]) -> Result<(), Usage> {
    let Some(out) = out else { return Ok(()) };
    let Ok(target) = out.canonicalize() else {
        return Ok(());
    };
    let same = |path: &&Path| path.canonicalize().is_ok_and(|p| p == target);
    match read.iter().copied().find(same) {
        Some(path) => Err(Usage(format!(
            "`--out {}` would overwrite `{}`, which this run reads",
            out.display(),
            path.display()
        ))),
        None => Ok(()),
    }
}
