//! `salvage diff OLD NEW CASES…`: two versions of a protocol on the same
//! cases, and the cases whose decision changes.
//!
//! A decision changes when its status, its recommended options (with rank
//! and kind), its pending options (with rank and kind) or its avoided
//! options (with code) differ; a case that gives an error record on either
//! side changes when the two records differ. Each changed case is one JSON
//! line (or a few readable lines with `--format text`) holding only the
//! parts that changed, old and new; a summary of the counts follows.

use std::ops::ControlFlow;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;
use salvage::decision::output::Source;
use salvage::eval::model::Protocol;

use super::audit::counted;
use super::batch::{
    compile, group_size, in_groups, pool, unknown_keys, CaseOptions, Evaluator, Warned,
};
use super::change::{compare, Part, PARTS};
use super::common::{check_root, Refusal};
use super::inputs::{inputs, total_size, CaseStream, Input};
use super::item::Item;
use super::progress::Progress;
use super::sink::{check_out, Sink, Stopped};

/// Arguments of `salvage diff`.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The protocol as it is.
    #[arg(value_name = "OLD")]
    pub old: PathBuf,
    /// The protocol as it would be.
    #[arg(value_name = "NEW")]
    pub new: PathBuf,
    /// Case files, folders or `-`, as for `salvage eval`.
    #[arg(required = true, value_name = "CASES")]
    pub cases: Vec<PathBuf>,
    /// JSON Lines (one per changed case, the summary on stderr), or a
    /// readable listing with the summary at its end.
    #[arg(long, value_enum, default_value_t = DiffFormat::Jsonl)]
    pub format: DiffFormat,
    /// Exit 1 when any decision changed.
    #[arg(long)]
    pub exit_code: bool,
    /// Write the changes to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// No progress bar on a terminal, and no summary on stderr.
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub cases_options: CaseOptions,
}

/// How `salvage diff` prints the changed cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// One JSON line per changed case.
    Jsonl,
    /// A few readable lines per changed case.
    Text,
}

/// `salvage diff`. Drafts are compared too: judging a version before it is
/// approved is what the command is for.
pub fn diff(args: &DiffArgs) -> Result<ExitCode, Refusal> {
    let inputs = inputs(&args.cases)?;
    let options = &args.cases_options;
    check_root(options.root.as_deref())?;
    let mut read = vec![args.old.as_path(), args.new.as_path()];
    read.extend(inputs.iter().filter_map(Input::path));
    check_out(args.out.as_deref(), &read)?;
    let pool = pool(options.jobs)?;
    let root = options.root.as_deref();
    let (old, new) = (compile(&args.old, root), compile(&args.new, root));
    let (Some(old), Some(new)) = (old, new) else {
        return Ok(ExitCode::FAILURE);
    };
    let sink = match Sink::open(args.out.as_deref()) {
        Ok(sink) => sink,
        Err(stopped) => return Ok(stopped.code()),
    };
    Ok(run(args, [&old, &new], &pool, inputs, sink))
}

/// Evaluates every case of `inputs` with both `protocols` (old, new) and
/// writes the changes to `sink`, then the summary; the exit code.
fn run(
    args: &DiffArgs,
    [old, new]: [&Protocol; 2],
    pool: &rayon::ThreadPool,
    inputs: Vec<Input>,
    mut sink: Sink,
) -> ExitCode {
    let evaluator = |protocol| Evaluator {
        protocol,
        options: args.cases_options.run_options(false),
    };
    let pair = Pair {
        old: evaluator(old),
        new: evaluator(new),
        format: args.format,
    };
    let to_stdout = args.out.is_none();
    let mut progress = Progress::start(total_size(&inputs), args.quiet, to_stdout);
    let mut counts = Counts::default();
    let mut warned = Warned::default();
    let cases = CaseStream::new(inputs);
    let group = |items: Vec<Item>| items.into_iter().map(|item| pair.compare(item)).collect();
    // A case is decided by both protocols: its group holds the rules of both.
    let size = group_size(old.rules.len() + new.rules.len());
    let flow = in_groups(
        pool,
        cases,
        size,
        &mut progress,
        group,
        |group: Vec<Compared>, progress| {
            for compared in &group {
                warned.report(&compared.unknown_keys, &compared.source, progress);
            }
            write_group(&mut sink, group, &mut counts)
        },
    );
    progress.finish();
    match flow {
        ControlFlow::Break(stopped) => stopped.code(),
        ControlFlow::Continue(()) => finish(&mut sink, &counts, args),
    }
}

/// Writes a group's changed cases and counts them.
fn write_group(sink: &mut Sink, group: Vec<Compared>, counts: &mut Counts) -> ControlFlow<Stopped> {
    for compared in group {
        counts.add(&compared.parts);
        if let Some(text) = &compared.text {
            if let Err(stopped) = sink.write(text) {
                return ControlFlow::Break(stopped);
            }
        }
    }
    match sink.flush() {
        Ok(()) => ControlFlow::Continue(()),
        Err(stopped) => ControlFlow::Break(stopped),
    }
}

/// The summary (on stderr, or at the end of the text listing) and the exit code.
fn finish(sink: &mut Sink, counts: &Counts, args: &DiffArgs) -> ExitCode {
    let summary = counts.summary();
    match args.format {
        DiffFormat::Text => {
            let written = sink
                .write(&format!("{summary}\n"))
                .and_then(|()| sink.flush());
            if let Err(stopped) = written {
                return stopped.code();
            }
        }
        DiffFormat::Jsonl if !args.quiet => eprintln!("{summary}"),
        DiffFormat::Jsonl => {}
    }
    ExitCode::from(u8::from(args.exit_code && counts.changed > 0))
}

/// The two versions, evaluating the same items.
struct Pair<'p> {
    old: Evaluator<'p>,
    new: Evaluator<'p>,
    format: DiffFormat,
}

/// One case compared.
struct Compared {
    /// What changed (empty when nothing did).
    parts: Vec<Part>,
    /// The change as written, `None` when nothing changed.
    text: Option<String>,
    unknown_keys: Vec<String>,
    source: Source,
}

impl Pair<'_> {
    fn compare(&self, item: Item) -> Compared {
        // Both records are compared while their cases are loaded (they
        // borrow from them), so neither is copied.
        let (parts, change, unknown) = self.old.with_record(&item, |old| {
            self.new.with_record(&item, |new| {
                let mut unknown = unknown_keys(&old);
                unknown.extend(unknown_keys(&new));
                let (parts, change) = compare(&old, &new, &item.source);
                (parts, change, unknown)
            })
        });
        let text = change.map(|change| match self.format {
            DiffFormat::Jsonl => change.json_line(),
            DiffFormat::Text => change.text(),
        });
        Compared {
            parts,
            text,
            unknown_keys: unknown,
            source: item.source,
        }
    }
}

/// The counts of a diff run.
#[derive(Debug, Default)]
struct Counts {
    compared: u64,
    changed: u64,
    /// By part, in the order of [`PARTS`].
    parts: [u64; PARTS.len()],
}

impl Counts {
    fn add(&mut self, parts: &[Part]) {
        self.compared += 1;
        if parts.is_empty() {
            return;
        }
        self.changed += 1;
        for (count, part) in self.parts.iter_mut().zip(PARTS) {
            *count += u64::from(parts.contains(&part));
        }
    }

    /// `19 cases compared, 2 changed: 2 recommended, 1 avoided`.
    fn summary(&self) -> String {
        let head = format!("{} compared", counted(self.compared, "case"));
        if self.changed == 0 {
            return format!("{head}, none changed");
        }
        let by_part: Vec<String> = PARTS
            .iter()
            .zip(self.parts)
            .filter(|(_, n)| *n > 0)
            .map(|(part, n)| format!("{n} {}", part.name()))
            .collect();
        format!("{head}, {} changed: {}", self.changed, by_part.join(", "))
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_counts_cases_by_part() {
        let mut counts = Counts::default();
        counts.add(&[]);
        assert_eq!(counts.summary(), "1 case compared, none changed");
        counts.add(&[Part::Recommended, Part::Avoided]);
        counts.add(&[Part::Recommended]);
        assert_eq!(
            counts.summary(),
            "3 cases compared, 2 changed: 2 recommended, 1 avoided"
        );
    }
}
