//! What `eval` and `diff` share: the options cases are evaluated with, the
//! evaluation threads, one record per input item, the run in ordered groups
//! that keeps input order, and the unknown-key warnings reported once per run.
//!
//! Cases are read in groups of [`GROUP`] items; each group is a task of the
//! pool (rayon, `--jobs` threads), a bounded number of groups are queued
//! ahead while the calling thread writes the finished ones in input order, so
//! memory stays constant and the output is the same bytes on every run,
//! whatever the number of threads.

use std::collections::{HashSet, VecDeque};
use std::io::Write;
use std::ops::ControlFlow;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use jiff::civil::Date;
use salvage::decision::output::{ErrorDetail, ErrorRecord, Record, Source};
use salvage::decision::{evaluate_case, evaluate_rules, load_text, Evaluated, RunOptions};
use salvage::eval::case::TextError;
use salvage::eval::model::Protocol;
use salvage::eval::value::{Case as LoadedCase, CaseId};

use super::common::{print_diagnostics, Usage};
use super::item::{Case, Item};
use super::progress::Progress;

/// How many consecutive items one task evaluates together at most: their
/// records are written into one buffer (one allocation, one write).
const GROUP: usize = 64;

/// How many rules a group evaluates at most, all its cases together: a
/// group of a protocol of more than 256 rules has fewer than [`GROUP`] cases
/// (one case for 16,384 rules or more), since what a case holds while it is
/// decided, and its record, grow with the rules (a megabyte for 50,000), and
/// the cases of the groups in flight would otherwise take gigabytes.
const GROUP_RULES: usize = GROUP * 256;

/// How many groups per evaluation thread are read ahead of the one being
/// written: enough that the pool always has work queued, few enough that
/// memory stays small (here 8 groups of up to 64 items a thread).
const IN_FLIGHT: usize = 8;

/// How many items a group holds when each is decided by `rules` rules in all.
pub fn group_size(rules: usize) -> usize {
    (GROUP_RULES / rules.max(1)).clamp(1, GROUP)
}

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
    /// Error records and warnings repeat the case's values (they describe
    /// them otherwise), for debugging on one's own data.
    #[arg(long)]
    pub show_values: bool,
}

impl CaseOptions {
    /// The run options, with or without the trace.
    pub fn run_options(&self, explain: bool) -> RunOptions {
        RunOptions {
            as_of: self.as_of,
            explain,
            strict: self.strict,
            show_values: self.show_values,
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
        print_diagnostics(std::slice::from_ref(&compiled.report));
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

/// An item's case as loaded, or the error record in its place.
type Loaded = Result<LoadedCase, ErrorRecord>;

impl Evaluator<'_> {
    /// Hands the record of one item to `use_record` while the case it was
    /// decided from is loaded (the record borrows from it); a panic in the
    /// engine gives an error record instead, handed over in its place (so
    /// `use_record` must start afresh when it is called a second time).
    pub fn with_record<R>(&self, item: &Item, mut use_record: impl FnMut(Record<'_>) -> R) -> R {
        let guarded = catch_unwind(AssertUnwindSafe(|| match self.load(item) {
            Ok(case) => use_record(self.decide(item, &case)),
            Err(error) => use_record(Record::Error(error)),
        }));
        guarded.unwrap_or_else(|panic| use_record(Record::Error(panicked(item, panic))))
    }

    /// Hands the records of a group of items to `use_record` in order, as
    /// [`Evaluator::with_record`] does one at a time, but in phases: every
    /// case of the group is loaded, then the rules of every one evaluated,
    /// then every decision assembled, then each record handed over, so that
    /// each phase's code stays in the processor's instruction cache across
    /// the group (about half the misses of going case by case).
    pub fn with_group_records(
        &self,
        items: &[Item],
        mut use_record: impl FnMut(&Item, Record<'_>),
    ) {
        let mut loaded: Vec<Loaded> = items
            .iter()
            .map(|item| guarded(item, || self.load(item)))
            .collect();
        let mut evaluated: Vec<Result<Evaluated<'_>, ErrorRecord>> = items
            .iter()
            .zip(loaded.iter_mut())
            .map(|(item, loaded)| match loaded {
                Ok(case) => {
                    let case = &*case;
                    guarded(item, || self.evaluate_rules(item, case))
                }
                Err(error) => Err(std::mem::take(error)),
            })
            .collect();
        let records: Vec<Record<'_>> = items
            .iter()
            .zip(evaluated.iter_mut())
            .map(|(item, evaluated)| match evaluated {
                Ok(evaluated) => {
                    guarded(item, || Ok(evaluated.take_record())).unwrap_or_else(Record::Error)
                }
                Err(error) => Record::Error(std::mem::take(error)),
            })
            .collect();
        for (item, record) in items.iter().zip(records) {
            let handed = catch_unwind(AssertUnwindSafe(|| use_record(item, record)));
            if let Err(panic) = handed {
                use_record(item, Record::Error(panicked(item, panic)));
            }
        }
    }

    /// The case of one item, or the error record in its place (JSON errors
    /// told at their place in the input).
    fn load(&self, item: &Item) -> Loaded {
        let (text, place) = match &item.case {
            Case::Text(text) => (text, None),
            Case::Element { text, line, column } => (text, Some((*line, *column))),
            Case::Unreadable(message) => {
                return Err(error(None, item, String::new(), message.clone()))
            }
        };
        match load_text(self.protocol, text, &self.options) {
            Ok(case) => Ok(case),
            Err(TextError::Case(e)) => Err(error(e.case, item, e.path, e.message)),
            Err(TextError::Json(e)) => {
                let message = match place {
                    Some(start) => in_file(e.message, start),
                    None => on_one_line(e.message),
                };
                Err(error(None, item, e.path, message))
            }
        }
    }

    /// The record of one loaded case.
    fn decide<'c>(&'c self, item: &Item, case: &'c LoadedCase) -> Record<'c> {
        evaluate_case(
            self.protocol,
            case,
            Some(item.source.clone()),
            &self.options,
        )
    }

    /// The rules of one loaded case evaluated, or its error record.
    fn evaluate_rules<'c>(
        &'c self,
        item: &Item,
        case: &'c LoadedCase,
    ) -> Result<Evaluated<'c>, ErrorRecord> {
        evaluate_rules(
            self.protocol,
            case,
            Some(item.source.clone()),
            &self.options,
        )
    }
}

/// `work`'s result, or an error record when the engine panicked in it.
fn guarded<T>(
    item: &Item,
    work: impl FnOnce() -> Result<T, ErrorRecord>,
) -> Result<T, ErrorRecord> {
    catch_unwind(AssertUnwindSafe(work)).unwrap_or_else(|panic| Err(panicked(item, panic)))
}

/// The error record of an item whose case the engine panicked on.
fn panicked(item: &Item, panic: Box<dyn std::any::Any + Send>) -> ErrorRecord {
    let reason = panic_text(panic.as_ref());
    let message = format!("internal error: the engine panicked ({reason}); please report it");
    error(None, item, String::new(), message)
}

/// An item's error record.
fn error(case: Option<CaseId>, item: &Item, path: String, message: String) -> ErrorRecord {
    ErrorRecord {
        case,
        source: Some(item.source.clone()),
        error: ErrorDetail { path, message },
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

/// Reads `cases` in groups of up to `size` consecutive items (at least
/// one; see [`group_size`]), maps each
/// group with `group` on `pool`, and hands the results to `each` in input
/// order, until the cases end or `each` breaks. The progress bar advances by
/// each group.
///
/// Every group is one task of its own (no task waits inside another), and
/// up to [`IN_FLIGHT`] groups per thread are queued ahead, so the pool is
/// never idle while this thread writes one group and reads the next; results
/// that finish early wait in order for the ones before them.
pub fn in_groups<T: Send, B>(
    pool: &rayon::ThreadPool,
    mut cases: impl Iterator<Item = Item>,
    size: usize,
    progress: &mut Progress,
    group: impl Fn(Vec<Item>) -> T + Sync + Send,
    mut each: impl FnMut(T, &Progress) -> ControlFlow<B>,
) -> ControlFlow<B> {
    let group = &group;
    let limit = IN_FLIGHT * pool.current_num_threads().max(1);
    pool.in_place_scope(|scope| {
        let (sender, receiver) = mpsc::channel::<(usize, Finished<T>)>();
        // The groups started and not yet handed on, oldest first: their
        // sizes, and their results once they arrive.
        let mut waiting: VecDeque<(u64, u64, Option<T>)> = VecDeque::new();
        let mut first = 0usize;
        let mut ended = false;
        loop {
            while !ended && waiting.len() < limit {
                let items: Vec<Item> = cases.by_ref().take(size.max(1)).collect();
                if items.is_empty() {
                    ended = true;
                    break;
                }
                let bytes = items.iter().map(|item| item.bytes).sum();
                let count = items.len() as u64;
                let index = first + waiting.len();
                let sender = sender.clone();
                scope.spawn(move |_| {
                    let finished = catch_unwind(AssertUnwindSafe(|| group(items)));
                    // The receiver is gone only when the run already stopped.
                    let _ = sender.send((index, finished));
                });
                waiting.push_back((count, bytes, None));
            }
            if waiting.is_empty() {
                // Nothing more could be started: the cases have ended.
                return ControlFlow::Continue(());
            }
            // This thread holds a sender, so the channel stays open.
            let Ok((index, finished)) = receiver.recv() else {
                unreachable!("the results channel closed while groups were waiting")
            };
            match (finished, waiting.get_mut(index - first)) {
                (Ok(result), Some(slot)) => slot.2 = Some(result),
                (Ok(_), None) => unreachable!("group {index} arrived twice"),
                // A panic outside the per-record guard ends the run as it
                // would have ended the thread.
                (Err(panic), _) => std::panic::resume_unwind(panic),
            }
            while let Some((_, _, Some(_))) = waiting.front() {
                if let Some((count, bytes, Some(result))) = waiting.pop_front() {
                    first += 1;
                    each(result, progress)?;
                    progress.advance(count, bytes);
                }
            }
        }
    })
}

/// What a group's task sends back: its results, or the panic that stopped it.
type Finished<T> = std::thread::Result<T>;

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

    /// Items numbered 1 to `count`, as lines of one file.
    fn numbered(count: u64) -> impl Iterator<Item = Item> {
        (1..=count).map(|line| Item {
            source: Source {
                file: "cases.jsonl".into(),
                line: Some(line),
            },
            case: Case::Text("{}".into()),
            bytes: 3,
        })
    }

    /// The bundled example cases and bad cases, as items of one file, with
    /// an unreadable item among them.
    fn example_items() -> Vec<Item> {
        let mut text = String::new();
        for file in [
            "examples/dlbcl-cases.jsonl",
            "examples/dlbcl-bad-cases.jsonl",
        ] {
            match std::fs::read_to_string(file) {
                Ok(more) => text.push_str(&more),
                Err(e) => panic!("cannot read {file}: {e}"),
            }
        }
        let mut items: Vec<Item> = text
            .lines()
            .enumerate()
            .map(|(index, line)| Item {
                source: Source {
                    file: "cases.jsonl".into(),
                    line: Some(index as u64 + 1),
                },
                case: Case::Text(line.into()),
                bytes: line.len() as u64 + 1,
            })
            .collect();
        items.insert(
            3,
            Item {
                source: Source {
                    file: "cases.jsonl".into(),
                    line: None,
                },
                case: Case::Unreadable("the line is not UTF-8".into()),
                bytes: 1,
            },
        );
        items
    }

    fn json_line(record: &Record<'_>) -> String {
        let mut line = String::new();
        record.write_json_line(&mut line);
        line
    }

    fn example_evaluator(protocol: &Protocol) -> Evaluator<'_> {
        Evaluator {
            protocol,
            options: RunOptions::default(),
        }
    }

    fn example_protocol() -> Protocol {
        match compile(Path::new("protocols/dlbcl-second-line.salv"), None) {
            Some(protocol) => protocol,
            None => panic!("the bundled protocol does not compile"),
        }
    }

    #[test]
    fn a_group_in_phases_gives_the_records_of_one_case_at_a_time() {
        let protocol = example_protocol();
        let evaluator = example_evaluator(&protocol);
        let items = example_items();
        let one_at_a_time: Vec<String> = items
            .iter()
            .map(|item| evaluator.with_record(item, |record| json_line(&record)))
            .collect();
        let mut in_phases = Vec::new();
        evaluator.with_group_records(&items, |_, record| in_phases.push(json_line(&record)));
        assert_eq!(in_phases, one_at_a_time);
        assert!(one_at_a_time.iter().any(|line| line.contains("\"error\"")));
        assert!(one_at_a_time.iter().any(|line| line.contains("\"status\"")));
    }

    #[test]
    fn a_panic_while_a_record_is_handed_over_gives_an_error_record_in_its_place() {
        let protocol = example_protocol();
        let evaluator = example_evaluator(&protocol);
        let items = example_items();
        let mut handed: Vec<(Option<u64>, String)> = Vec::new();
        let mut panicked_once = false;
        evaluator.with_group_records(&items, |item, record| {
            if item.source.line == Some(2) && !panicked_once {
                panicked_once = true;
                panic!("the writer broke");
            }
            handed.push((item.source.line, json_line(&record)));
        });
        assert_eq!(handed.len(), items.len());
        let lines: Vec<Option<u64>> = handed.iter().map(|(line, _)| *line).collect();
        let expected: Vec<Option<u64>> = items.iter().map(|item| item.source.line).collect();
        assert_eq!(lines, expected);
        let Some((_, second)) = handed.get(1) else {
            panic!("no second record")
        };
        assert!(second.contains("internal error: the engine panicked (the writer broke)"));
    }

    fn lines_of(items: Vec<Item>) -> Vec<u64> {
        items.iter().filter_map(|item| item.source.line).collect()
    }

    #[test]
    fn every_group_is_handed_on_in_order_when_the_first_is_the_slowest() {
        // Every group queued after the first finishes before it: when the
        // first comes, every group started is written at once, and the run
        // must start more, not end.
        let Ok(pool) = pool(Some(3)) else {
            panic!("cannot start the pool")
        };
        let mut progress = Progress::start(None, true, false);
        let slow_first = |items: Vec<Item>| {
            let lines = lines_of(items);
            if lines.first() == Some(&1) {
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            lines
        };
        let mut seen = Vec::new();
        let flow: ControlFlow<()> = in_groups(
            &pool,
            numbered(2_000),
            GROUP,
            &mut progress,
            slow_first,
            |lines, _| {
                seen.extend(lines);
                ControlFlow::Continue(())
            },
        );
        assert_eq!(flow, ControlFlow::Continue(()));
        assert_eq!(seen, (1..=2_000).collect::<Vec<u64>>());
    }

    #[test]
    fn a_break_from_the_writer_ends_the_run_after_its_group() {
        let Ok(pool) = pool(Some(2)) else {
            panic!("cannot start the pool")
        };
        let mut progress = Progress::start(None, true, false);
        let mut seen = Vec::new();
        let flow = in_groups(
            &pool,
            numbered(1_000),
            GROUP,
            &mut progress,
            lines_of,
            |lines, _| {
                seen.extend(lines);
                match seen.len() >= 100 {
                    true => ControlFlow::Break("stopped"),
                    false => ControlFlow::Continue(()),
                }
            },
        );
        assert_eq!(flow, ControlFlow::Break("stopped"));
        // The writer breaks inside the group that reaches 100 lines.
        let lines = 100_usize.div_ceil(GROUP) * GROUP;
        assert_eq!(seen, (1..=lines as u64).collect::<Vec<u64>>());
    }

    #[test]
    fn a_group_holds_fewer_cases_of_a_larger_protocol() {
        assert_eq!(group_size(0), GROUP);
        assert_eq!(group_size(256), GROUP);
        assert_eq!(group_size(257), 63);
        assert_eq!(group_size(8_192), 2);
        assert_eq!(group_size(GROUP_RULES), 1);
        assert_eq!(group_size(50_000), 1);
    }

    #[test]
    fn groups_have_the_size_asked_for() {
        let Ok(pool) = pool(Some(2)) else {
            panic!("cannot start the pool")
        };
        let mut progress = Progress::start(None, true, false);
        let mut sizes = Vec::new();
        let flow: ControlFlow<()> = in_groups(
            &pool,
            numbered(100),
            7,
            &mut progress,
            lines_of,
            |lines, _| {
                sizes.push(lines.len());
                ControlFlow::Continue(())
            },
        );
        assert_eq!(flow, ControlFlow::Continue(()));
        assert_eq!(sizes, [vec![7; 14], vec![2]].concat());
    }

    #[test]
    fn a_panic_outside_the_record_guard_is_not_a_shorter_run() {
        let Ok(pool) = pool(Some(2)) else {
            panic!("cannot start the pool")
        };
        let mut progress = Progress::start(None, true, false);
        let run = catch_unwind(AssertUnwindSafe(|| {
            let group = |items: Vec<Item>| {
                let lines = lines_of(items);
                assert!(!lines.contains(&500), "a group that cannot be evaluated");
                lines
            };
            let _: ControlFlow<()> = in_groups(
                &pool,
                numbered(1_000),
                GROUP,
                &mut progress,
                group,
                |_, _| ControlFlow::Continue(()),
            );
        }));
        assert!(run.is_err(), "the panic reaches the caller");
    }

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
