//! `salvage eval`: cases in, one JSON line per case out, streaming, in input
//! order; or, with `--summary`, the audit table of the run.
//!
//! Every input record gives exactly one output record: what cannot be read
//! or evaluated gives an error record in its place (see [`super::inputs`]).
//! On a terminal, stderr shows a progress bar and a one-line summary at the
//! end; elsewhere stderr has only diagnostics and warnings.

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use salvage::decision::output::Source;
use salvage::eval::model::Protocol;

use super::audit::{Audit, Counted, SummaryFormat};
use super::batch::{
    compile, group_size, in_groups, pool, unknown_keys, CaseOptions, Evaluator, Warned,
};
use super::common::{check_root, Refusal};
use super::inputs::{inputs, total_size, CaseStream, Input};
use super::item::Item;
use super::progress::Progress;
use super::sink::{check_out, Sink, Stopped};

/// Arguments of `salvage eval`.
#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// The protocol to evaluate with.
    #[arg(value_name = "PROTOCOL")]
    pub protocol: PathBuf,
    /// Case files: `.json` (a case or an array of cases), JSON Lines (any
    /// other extension, one case per line), folders (every `.json` and
    /// `.jsonl` inside, recursively, in sorted order), or `-` for JSON Lines
    /// on standard input.
    #[arg(required = true, value_name = "CASES")]
    pub cases: Vec<PathBuf>,
    /// Add each rule's result to every decision (`trace`).
    #[arg(long)]
    pub explain: bool,
    /// Evaluate a protocol whose status is not `approved` (draft, review, retired).
    #[arg(long)]
    pub allow_draft: bool,
    /// Write the records to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Stop at the first error record (it is written); exit 1.
    #[arg(long)]
    pub fail_fast: bool,
    /// Print the audit table (cases by status, recommended options, error
    /// records) on standard output instead of the records (which still go
    /// to `--out FILE` if given); `--summary=json` for JSON.
    #[arg(long, value_enum, value_name = "FORMAT", num_args = 0..=1,
          require_equals = true, default_missing_value = "text")]
    pub summary: Option<SummaryFormat>,
    /// No progress bar and no summary line on a terminal.
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub cases_options: CaseOptions,
}

/// `salvage eval`.
pub fn eval(args: &EvalArgs) -> Result<ExitCode, Refusal> {
    let inputs = inputs(&args.cases).map_err(|refusal| summary_hint(refusal, args))?;
    let options = &args.cases_options;
    check_root(options.root.as_deref())?;
    check_out(args.out.as_deref(), &read_paths(&args.protocol, &inputs))?;
    let pool = pool(options.jobs)?;
    let Some(protocol) = compile(&args.protocol, options.root.as_deref()) else {
        return Ok(ExitCode::FAILURE);
    };
    if !args.allow_draft && protocol.header.status != "approved" {
        refuse(&args.protocol, &protocol.header.status);
        return Ok(ExitCode::FAILURE);
    }
    let records = match records(args) {
        Ok(records) => records,
        Err(stopped) => return Ok(stopped.code()),
    };
    Ok(run(args, &protocol, &pool, inputs, records))
}

/// Where records go: `--out FILE`, standard output, or nowhere with
/// `--summary` alone.
fn records(args: &EvalArgs) -> Result<Option<Sink>, Stopped> {
    match (&args.out, args.summary) {
        (None, Some(_)) => Ok(None),
        (out, _) => Sink::open(out.as_deref()).map(Some),
    }
}

/// Evaluates every case of `inputs` and writes its record to `records`,
/// then the summary; the exit code.
fn run(
    args: &EvalArgs,
    protocol: &Protocol,
    pool: &rayon::ThreadPool,
    inputs: Vec<Input>,
    records: Option<Sink>,
) -> ExitCode {
    let produce = Produce {
        evaluator: Evaluator {
            protocol,
            options: args.cases_options.run_options(args.explain),
        },
        lines: records.is_some(),
        options: args.summary.is_some(),
    };
    let to_stdout = records.is_some() && args.out.is_none();
    let mut progress = Progress::start(total_size(&inputs), args.quiet, to_stdout);
    let mut output = Output {
        records,
        fail_fast: args.fail_fast,
        audit: Audit::default(),
        warned: Warned::default(),
    };
    let cases = CaseStream::new(inputs);
    let group = |items| produce.group(items);
    let size = group_size(protocol.rules.len());
    let flow = in_groups(
        pool,
        cases,
        size,
        &mut progress,
        group,
        |written, progress| output.group(written, progress),
    );
    let shown = progress.on_terminal();
    let elapsed = progress.finish();
    output.end(flow, args.summary, shown.then_some(elapsed))
}

/// `--summary json` reads `json` as a case file: the message says how to
/// choose the format.
fn summary_hint(refusal: Refusal, args: &EvalArgs) -> Refusal {
    let format = args
        .cases
        .iter()
        .find(|path| ["json", "text"].iter().any(|f| path.as_os_str() == *f) && !path.exists());
    match (args.summary, format, refusal) {
        (Some(_), Some(format), Refusal::Input(message)) => Refusal::Usage(format!(
            "{message}\n  = help: to choose the summary's format, write `--summary={}`",
            format.display()
        )),
        (_, _, refusal) => refusal,
    }
}

/// The files the run reads, which `--out` may not overwrite.
fn read_paths<'a>(protocol: &'a Path, inputs: &'a [Input]) -> Vec<&'a Path> {
    std::iter::once(protocol)
        .chain(inputs.iter().filter_map(Input::path))
        .collect()
}

/// The message for a protocol that is not approved.
fn refuse(path: &Path, status: &str) {
    let shown = if status.is_empty() {
        "no status".to_string()
    } else {
        format!("status `{status}`")
    };
    eprintln!(
        "error: `{}` has {shown}; `eval` evaluates only approved protocols\n  = help: pass `--allow-draft` to evaluate it anyway",
        path.display()
    );
}

/// The records of a group of consecutive items, ready to write and count.
struct Written {
    /// The records' JSON lines, each ended by a newline; empty when no
    /// records are written.
    text: String,
    records: Vec<Counting>,
}

/// One record of a [`Written`] group, as the writer counts it.
struct Counting {
    /// Where its line ends in the group's text (after its newline).
    end: usize,
    counted: Counted,
    /// Warnings about unknown case keys, to report once per run.
    unknown_keys: Vec<String>,
    source: Source,
}

/// The room a group's text starts with per record: more than most decision
/// lines take, with or without a trace it grows as needed.
const LINE_ROOM: usize = 2048;

/// What turns a group of items into a [`Written`], on the evaluation threads.
struct Produce<'p> {
    evaluator: Evaluator<'p>,
    /// Whether records are written (not with `--summary` alone).
    lines: bool,
    /// Whether the audit counts options (with `--summary`).
    options: bool,
}

impl Produce<'_> {
    fn group(&self, items: Vec<Item>) -> Written {
        // Room for typical records, so that the text seldom grows.
        let room = if self.lines {
            items.len() * LINE_ROOM
        } else {
            0
        };
        let mut written = Written {
            text: String::with_capacity(room),
            records: Vec::with_capacity(items.len()),
        };
        self.evaluator.with_group_records(&items, |item, record| {
            // A second call for the same item (the engine panicked while its
            // record was written) starts its line afresh.
            let start = written.records.last().map_or(0, |last| last.end);
            written.text.truncate(start);
            if self.lines {
                record.write_json_line(&mut written.text);
                written.text.push('\n');
            }
            written.records.push(Counting {
                counted: Counted::of(&record, self.options),
                unknown_keys: unknown_keys(&record),
                end: written.text.len(),
                source: item.source.clone(),
            });
        });
        written
    }
}

/// Why a run ended before its last case.
enum Early {
    /// The output closed or could not be written.
    Stopped(Stopped),
    /// `--fail-fast` met an error record.
    FailFast,
}

/// Where records go and what they add up to, on the main thread.
struct Output {
    records: Option<Sink>,
    fail_fast: bool,
    audit: Audit,
    warned: Warned,
}

impl Output {
    /// Reports the new unknown keys of a group, then writes and counts its
    /// records; with `--fail-fast`, up to the first error record.
    fn group(&mut self, group: Written, progress: &Progress) -> ControlFlow<Early> {
        for record in &group.records {
            self.warned
                .report(&record.unknown_keys, &record.source, progress);
        }
        let Written { text, records } = group;
        for record in records {
            let error = record.counted == Counted::Error;
            self.audit.add(record.counted);
            if error && self.fail_fast {
                stop_if(self.write(text.get(..record.end).unwrap_or_default()))?;
                stop_if(self.flush())?;
                return ControlFlow::Break(Early::FailFast);
            }
        }
        stop_if(self.write(&text))?;
        stop_if(self.flush())
    }

    /// Writes whole lines (each ended by its newline).
    fn write(&mut self, lines: &str) -> Result<(), Stopped> {
        match &mut self.records {
            Some(sink) => sink.write(lines),
            None => Ok(()),
        }
    }

    fn flush(&mut self) -> Result<(), Stopped> {
        match &mut self.records {
            Some(sink) => sink.flush(),
            None => Ok(()),
        }
    }

    /// The end of the run: the audit table with `--summary`, the summary
    /// line when the run took `elapsed` on a terminal, and the exit code:
    /// 0 when every record is a decision (or the output closed), 1 when any
    /// is an error record or writing failed.
    fn end(
        self,
        flow: ControlFlow<Early>,
        summary: Option<SummaryFormat>,
        elapsed: Option<Duration>,
    ) -> ExitCode {
        if let ControlFlow::Break(Early::Stopped(stopped)) = flow {
            return stopped.code();
        }
        if let Some(format) = summary {
            let mut out = Sink::stdout();
            let table = out
                .write(&self.audit.table(format))
                .and_then(|()| out.flush());
            if let Err(stopped) = table {
                return stopped.code();
            }
        }
        if let Some(elapsed) = elapsed {
            eprintln!("{}", self.audit.line(elapsed));
        }
        ExitCode::from(u8::from(self.audit.errors() > 0))
    }
}

/// A failed write as the end of the run.
fn stop_if(written: Result<(), Stopped>) -> ControlFlow<Early> {
    match written {
        Ok(()) => ControlFlow::Continue(()),
        Err(stopped) => ControlFlow::Break(Early::Stopped(stopped)),
    }
}
