//! What `eval` and `diff` share: the options cases are evaluated with, the
//! evaluation threads, one record per input item, the chunked run that keeps
//! input order, and the unknown-key warnings reported once per run.
//!
//! Cases are read in chunks of [`CHUNK`] items; a chunk is evaluated in
//! parallel (rayon, `--jobs` threads) while the calling thread writes the
//! chunk before and reads the one after, then handed on in input order, so
//! memory stays constant and the output is the same bytes on every run,
//! whatever the number of threads.

use std::collections::HashSet;
use std::io::Write;
use std::ops::ControlFlow;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use jiff::civil::Date;
use rayon::prelude::*;
use salvage::decision::output::{Record, Source};
use salvage::decision::{error_record, with_text_record, RunOptions};
use salvage::eval::model::Protocol;

use super::common::{print_reports, Format, Usage};
use super::inputs::CaseStream;
use super::item::{Case, Item};
use super::progress::Progress;

/// How many items are read, evaluated and handed on at a time: enough to keep
/// the pool busy, few enough that the two chunks in flight stay small.
const CHUNK: usize = 1024;

/// How many consecutive items of a chunk one task evaluates together: their
/// records are written into one buffer (one allocation, one write), and the
/// pool still has CHUNK / GROUP tasks to balance.
const GROUP: usize = 32;

/// Stack of each evaluation thread: deep but legal expressions must not overflow.
const STACK_SIZE: usize = 64 * 1024 * 1024;

/// The options of every command that evaluates cases.
#[derive(Debug, clap::Args)]
pub struct CaseOptions {
    /// Threads evaluating cases [default: one per core].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
    /// The evaluation date of cases that give none, `YYYY-MM-DD`.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<Date>,
    /// Unknown case keys are errors (an error record per case) instead of warnings.
    #[arg(long)]
    pub strict: bool,
    /// The folder imports may not leave [default: the protocol's folder].
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
}

impl CaseOptions {
    /// The run options, with or without the trace.
    pub fn run_options(&self, explain: bool) -> RunOptions {
        RunOptions {
            as_of: self.as_of,
            explain,
            strict: self.strict,
        }
    }
}

/// `--as-of`: a calendar date written `YYYY-MM-DD`.
fn parse_date(text: &str) -> Result<Date, String> {
    let well_formed = text.len() == 10 && text.as_bytes().get(4) == Some(&b'-');
    match text.parse::<Date>() {
        Ok(date) if well_formed => Ok(date),
        _ => Err(format!("`{text}` is not a date written `YYYY-MM-DD`")),
    }
}

/// The evaluation threads: `jobs` of them, or one per core.
pub fn pool(jobs: Option<u16>) -> Result<rayon::ThreadPool, Usage> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.map_or(0, usize::from))
        .stack_size(STACK_SIZE)
        .thread_name(|i| format!("salvage-eval-{i}"))
        .build()
        .map_err(|e| Usage(format!("cannot start the evaluation threads: {e}")))
}

/// The protocol at `path`, or `None` once its diagnostics are printed.
pub fn compile(path: &Path, root: Option<&Path>) -> Option<Protocol> {
    let compiled = salvage::compile_file(path, root);
    if compiled.protocol.is_none() {
        print_reports(std::slice::from_ref(&compiled.report), Format::Human);
    }
    compiled.protocol
}

/// A protocol and the options to evaluate cases with.
pub struct Evaluator<'p> {
    /// The protocol.
    pub protocol: &'p Protocol,
    /// The options.
    pub options: RunOptions,
}

impl Evaluator<'_> {
    /// Hands the record of one item to `use_record` while the case it was
    /// decided from is loaded (the record borrows from it); a panic in the
    /// engine gives an error record instead, handed over in its place (so
    /// `use_record` must start afresh when it is called a second time).
    pub fn with_record<R>(&self, item: &Item, mut use_record: impl FnMut(Record<'_>) -> R) -> R {
        let guarded = catch_unwind(AssertUnwindSafe(|| self.evaluate(item, &mut use_record)));
        guarded.unwrap_or_else(|panic| {
            let reason = panic_text(panic.as_ref());
            let message =
                format!("internal error: the engine panicked ({reason}); please report it");
            use_record(error_record(
                None,
                Some(item.source.clone()),
                String::new(),
                message,
            ))
        })
    }

    fn evaluate<R>(&self, item: &Item, use_record: &mut impl FnMut(Record<'_>) -> R) -> R {
        let source = || Some(item.source.clone());
        let (text, place) = match &item.case {
            Case::Text(text) => (text, None),
            Case::Element { text, line, column } => (text, Some((*line, *column))),
            Case::Unreadable(message) => {
                return use_record(error_record(None, source(), String::new(), message.clone()))
            }
        };
        match with_text_record(
            self.protocol,
            text,
            source(),
            &self.options,
            &mut *use_record,
        ) {
            Ok(used) => used,
            Err(e) => {
                let message = match place {
                    Some(start) => in_file(e.message, start),
                    None => on_one_line(e.message),
                };
                use_record(error_record(None, source(), e.path, message))
            }
        }
    }
}

/// serde_json's "… at line 1 column 13" as "… at column 13": a JSON Lines
/// record is one line, and its line is in `source`.
fn on_one_line(message: String) -> String {
    match message.rsplit_once(" at line 1 column ") {
        Some((what, column)) => format!("{what} at column {column}"),
        None => message,
    }
}

/// serde_json's "… at line L column C", counted inside an array element
/// that starts at `start` (line, column), as the place in the file.
fn in_file(message: String, (line, column): (u64, u64)) -> String {
    let Some((what, place)) = message.rsplit_once(" at line ") else {
        return message;
    };
    let parsed = place
        .split_once(" column ")
        .and_then(|(l, c)| Some((l.parse::<u64>().ok()?, c.parse::<u64>().ok()?)));
    match parsed {
        Some((1, c)) => format!("{what} at line {line} column {}", column + c - 1),
        Some((l, c)) => format!("{what} at line {} column {c}", line + l - 1),
        None => message,
    }
}

fn panic_text(panic: &(dyn std::any::Any + Send)) -> &str {
    panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("no message")
}

/// Reads `cases` chunk by chunk, maps each group of up to [`GROUP`]
/// consecutive items with `group` on `pool`, and hands each chunk's results,
/// one per group in input order, to `each`, until the cases end or `each`
/// breaks. The progress bar advances by each chunk.
///
/// Pipelined: while the pool evaluates one chunk, this thread hands the
/// previous chunk's results to `each` (the writer) and reads the next, so
/// reading and writing do not hold the pool up.
pub fn in_chunks<T: Send, B>(
    pool: &rayon::ThreadPool,
    mut cases: CaseStream,
    progress: &mut Progress,
    group: impl Fn(Vec<Item>) -> T + Sync + Send,
    mut each: impl FnMut(Vec<T>, &Progress) -> ControlFlow<B>,
) -> ControlFlow<B> {
    let group = &group;
    pool.in_place_scope(|scope| {
        let mut previous: Option<(std::sync::mpsc::Receiver<Vec<T>>, u64, u64)> = None;
        loop {
            let chunk: Vec<Item> = cases.by_ref().take(CHUNK).collect();
            let started = (!chunk.is_empty()).then(|| {
                let bytes = chunk.iter().map(|item| item.bytes).sum();
                let count = chunk.len() as u64;
                let (sender, receiver) = std::sync::mpsc::channel();
                scope.spawn(move |_| {
                    let results: Vec<T> = chunk.into_par_iter().chunks(GROUP).map(group).collect();
                    // The receiver is gone only when the run already stopped.
                    let _ = sender.send(results);
                });
                (receiver, count, bytes)
            });
            if let Some((receiver, count, bytes)) = previous.take() {
                let Ok(results) = receiver.recv() else {
                    // The chunk's job panicked outside the per-record guard:
                    // the scope raises that panic again as it ends.
                    return ControlFlow::Continue(());
                };
                each(results, progress)?;
                progress.advance(count, bytes);
            }
            match started {
                Some(next) => previous = Some(next),
                None => return ControlFlow::Continue(()),
            }
        }
    })
}

/// The unknown-key warnings of a decision record (empty for an error record).
pub fn unknown_keys(record: &Record<'_>) -> Vec<String> {
    match record {
        Record::Decision(d) => d
            .warnings
            .iter()
            .filter(|w| w.starts_with("unknown key `"))
            .cloned()
            .collect(),
        Record::Error(_) => Vec::new(),
    }
}

/// The unknown-key warnings already reported in this run.
#[derive(Default)]
pub struct Warned(HashSet<String>);

impl Warned {
    /// Prints each of `warnings` (of the record from `source`) the first
    /// time it is seen in the run.
    pub fn report(&mut self, warnings: &[String], source: &Source, progress: &Progress) {
        let new: Vec<&String> = warnings
            .iter()
            .filter(|w| self.0.insert((*w).clone()))
            .collect();
        if new.is_empty() {
            return;
        }
        let at = match source.line {
            Some(line) => format!("`{}` line {line}", source.file),
            None => format!("`{}`", source.file),
        };
        progress.suspend(|| {
            let mut err = std::io::stderr().lock();
            for warning in new {
                let _ = writeln!(
                    err,
                    "warning: {warning}\n  = note: first seen in {at}; each unknown key is reported once per run (`--strict` makes them errors)"
                );
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_json_error_inside_an_element_is_told_at_its_place_in_the_file() {
        let message = "invalid JSON: expected value at line 1 column 4".to_string();
        assert_eq!(
            in_file(message, (7, 3)),
            "invalid JSON: expected value at line 7 column 6"
        );
        let message = "invalid JSON: expected value at line 3 column 4".to_string();
        assert_eq!(
            in_file(message, (7, 3)),
            "invalid JSON: expected value at line 9 column 4"
        );
        let message = "a case is a JSON object".to_string();
        assert_eq!(in_file(message.clone(), (7, 3)), message);
    }
}
