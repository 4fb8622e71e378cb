//! `salvage eval`: cases in, one JSON line per case out, streaming.
//!
//! Cases are read in chunks of [`CHUNK`] records; a chunk is evaluated in
//! parallel (rayon, `--jobs` threads), then its records are written in input
//! order, so memory stays constant and the output is the same bytes on every
//! run, whatever the number of threads. Every input record gives exactly one
//! output record: a line that is not JSON gives an error record in its place.

use std::collections::HashSet;
use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, ErrorKind, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use jiff::civil::Date;
use rayon::prelude::*;
use salvage::decision::output::{Record, Source};
use salvage::decision::{error_record, evaluate, RunOptions};
use salvage::eval::case::parse_json;
use salvage::eval::model::Protocol;
use serde::de::IgnoredAny;

use super::common::{check_root, find_files, print_reports, Format, Usage};

/// How many records are read, evaluated and written at a time.
const CHUNK: usize = 4096;

/// Stack of each evaluation thread: deep but legal expressions must not overflow.
const STACK_SIZE: usize = 64 * 1024 * 1024;

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
    /// Threads evaluating cases [default: one per core].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
    /// The evaluation date of cases that give none, `YYYY-MM-DD`.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<Date>,
    /// Evaluate a protocol whose status is not `approved` (draft, review, retired).
    #[arg(long)]
    pub allow_draft: bool,
    /// Unknown case keys are errors (an error record per case) instead of warnings.
    #[arg(long)]
    pub strict: bool,
    /// The folder imports may not leave [default: the protocol's folder].
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
}

/// `--as-of`: a calendar date written `YYYY-MM-DD`.
fn parse_date(text: &str) -> Result<Date, String> {
    let well_formed = text.len() == 10 && text.as_bytes().get(4) == Some(&b'-');
    match text.parse::<Date>() {
        Ok(date) if well_formed => Ok(date),
        _ => Err(format!("`{text}` is not a date written `YYYY-MM-DD`")),
    }
}

/// `salvage eval`.
pub fn eval(args: &EvalArgs) -> Result<ExitCode, Usage> {
    let inputs = inputs(&args.cases)?;
    check_root(args.root.as_deref())?;
    let pool = pool(args.jobs)?;
    let compiled = salvage::compile_file(&args.protocol, args.root.as_deref());
    let Some(protocol) = compiled.protocol else {
        print_reports(std::slice::from_ref(&compiled.report), Format::Human);
        return Ok(ExitCode::FAILURE);
    };
    if !args.allow_draft && protocol.header.status != "approved" {
        refuse(&args.protocol, &protocol.header.status);
        return Ok(ExitCode::FAILURE);
    }
    let options = RunOptions {
        as_of: args.as_of,
        explain: args.explain,
        strict: args.strict,
    };
    let batch = Batch {
        protocol: &protocol,
        options,
        pool,
    };
    Ok(batch.run(CaseStream::new(inputs)))
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

/// The evaluation threads: `jobs` of them, or one per core.
fn pool(jobs: Option<u16>) -> Result<rayon::ThreadPool, Usage> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.map_or(0, usize::from))
        .stack_size(STACK_SIZE)
        .thread_name(|i| format!("salvage-eval-{i}"))
        .build()
        .map_err(|e| Usage(format!("cannot start the evaluation threads: {e}")))
}

// ---------- inputs ----------

/// One source of cases, in command-line order.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Input {
    /// `-`: JSON Lines on standard input.
    Stdin,
    /// A JSON Lines file.
    Lines(PathBuf),
    /// A `.json` file: one case, or an array of cases.
    Document(PathBuf),
}

/// What the command line's CASES name, folders expanded; a path that does
/// not exist, an empty folder, or `-` twice is a usage error.
fn inputs(paths: &[PathBuf]) -> Result<Vec<Input>, Usage> {
    if paths.iter().filter(|p| p.as_os_str() == "-").count() > 1 {
        return Err(Usage("`-` (standard input) is given more than once".into()));
    }
    let mut inputs = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            inputs.push(Input::Stdin);
        } else if path.is_dir() {
            inputs.extend(folder(path)?);
        } else if path.exists() {
            inputs.push(file_input(path.clone()));
        } else {
            return Err(Usage(format!(
                "cannot find the case file `{}`",
                path.display()
            )));
        }
    }
    Ok(inputs)
}

/// A file named on the command line or found in a folder.
fn file_input(path: PathBuf) -> Input {
    if path.extension().is_some_and(|e| e == "json") {
        Input::Document(path)
    } else {
        Input::Lines(path)
    }
}

/// The `.json` and `.jsonl` files under a folder, sorted.
fn folder(path: &Path) -> Result<Vec<Input>, Usage> {
    let mut found = Vec::new();
    find_files(path, &["json", "jsonl"], &mut found)
        .map_err(|e| Usage(format!("cannot search `{}`: {e}", path.display())))?;
    if found.is_empty() {
        return Err(Usage(format!(
            "no `.json` or `.jsonl` files in `{}`",
            path.display()
        )));
    }
    found.sort();
    Ok(found.into_iter().map(file_input).collect())
}

// ---------- reading ----------

/// One input record, not yet evaluated.
struct Item {
    source: Source,
    case: Case,
}

/// An input record's content.
enum Case {
    /// A line of JSON Lines, a `.json` file's one case, or an element of its
    /// array: parsed when evaluated (in parallel).
    Text(String),
    /// What could not be read: the message of its error record.
    Unreadable(String),
}

/// Every record of every input, in order.
struct CaseStream {
    inputs: VecDeque<Input>,
    current: Option<Box<dyn Iterator<Item = Item>>>,
}

impl CaseStream {
    fn new(inputs: Vec<Input>) -> CaseStream {
        CaseStream {
            inputs: inputs.into(),
            current: None,
        }
    }
}

impl Iterator for CaseStream {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        loop {
            if let Some(item) = self.current.as_mut().and_then(Iterator::next) {
                return Some(item);
            }
            self.current = Some(open(self.inputs.pop_front()?));
        }
    }
}

/// The records of one input; a file that cannot be opened is one error record.
fn open(input: Input) -> Box<dyn Iterator<Item = Item>> {
    match input {
        Input::Stdin => Box::new(JsonLines::new(
            "-".into(),
            Box::new(std::io::stdin().lock()),
        )),
        Input::Lines(path) => match File::open(&path) {
            Ok(file) => Box::new(JsonLines::new(shown(&path), Box::new(BufReader::new(file)))),
            Err(e) => Box::new(std::iter::once(unreadable_file(&path, &e))),
        },
        Input::Document(path) => match std::fs::read(&path) {
            Ok(bytes) => document(&path, bytes),
            Err(e) => Box::new(std::iter::once(unreadable_file(&path, &e))),
        },
    }
}

fn shown(path: &Path) -> String {
    path.display().to_string()
}

fn unreadable_file(path: &Path, error: &std::io::Error) -> Item {
    let source = Source {
        file: shown(path),
        line: None,
    };
    Item {
        source,
        case: Case::Unreadable(format!(
            "cannot read `{}`: {}",
            path.display(),
            describe(error)
        )),
    }
}

/// A short, lowercase reason for an IO error.
fn describe(error: &std::io::Error) -> String {
    match error.kind() {
        ErrorKind::NotFound => "no such file or folder".to_string(),
        ErrorKind::PermissionDenied => "permission denied".to_string(),
        ErrorKind::IsADirectory => "it is a folder".to_string(),
        _ => error.to_string(),
    }
}

/// The records of a JSON Lines stream: one per line that is not blank.
struct JsonLines {
    file: String,
    reader: Box<dyn BufRead>,
    line: u64,
    done: bool,
}

impl JsonLines {
    fn new(file: String, reader: Box<dyn BufRead>) -> JsonLines {
        JsonLines {
            file,
            reader,
            line: 0,
            done: false,
        }
    }

    fn item(&self, case: Case) -> Item {
        Item {
            source: Source {
                file: self.file.clone(),
                line: Some(self.line),
            },
            case,
        }
    }
}

impl Iterator for JsonLines {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        let mut bytes = Vec::new();
        while !self.done {
            bytes.clear();
            match self.reader.read_until(b'\n', &mut bytes) {
                Ok(0) => self.done = true,
                Ok(_) => {
                    self.line += 1;
                    if let Some(case) = line_case(&bytes, self.line) {
                        return Some(self.item(case));
                    }
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => {
                    self.done = true;
                    self.line += 1;
                    let message = format!(
                        "cannot read `{}` past line {}: {}",
                        self.file,
                        self.line - 1,
                        describe(&e)
                    );
                    return Some(self.item(Case::Unreadable(message)));
                }
            }
        }
        None
    }
}

/// A line's record, `None` for a blank line. A byte-order mark on the first line is skipped.
fn line_case(bytes: &[u8], line: u64) -> Option<Case> {
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) if line == 1 => rest,
        _ => bytes,
    };
    match std::str::from_utf8(bytes) {
        Ok(text) if text.trim().is_empty() => None,
        Ok(text) => Some(Case::Text(text.trim_end_matches(['\n', '\r']).to_string())),
        Err(e) => Some(Case::Unreadable(format!(
            "the line is not UTF-8 text (invalid byte at column {})",
            e.valid_up_to() + 1
        ))),
    }
}

/// The records of a `.json` file: the file's one case (no line), or each
/// element of its top-level array (at the line where the element starts).
fn document(path: &Path, bytes: Vec<u8>) -> Box<dyn Iterator<Item = Item>> {
    let file = shown(path);
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let message = format!(
                "`{file}` is not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            );
            return Box::new(std::iter::once(Item {
                source: Source { file, line: None },
                case: Case::Unreadable(message),
            }));
        }
    };
    let text = text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text);
    let body = text.trim_start();
    if body.is_empty() {
        return Box::new(std::iter::empty());
    }
    if !body.starts_with('[') {
        return Box::new(std::iter::once(Item {
            source: Source { file, line: None },
            case: Case::Text(text),
        }));
    }
    let start = text.len() - body.len() + 1;
    Box::new(JsonArray {
        file,
        text,
        pos: start,
        first: true,
        done: false,
        counted: (0, 1),
    })
}

/// The elements of a top-level JSON array, parsed one at a time.
struct JsonArray {
    file: String,
    text: String,
    /// Byte offset of what is still to read.
    pos: usize,
    first: bool,
    done: bool,
    /// A byte offset and its 1-based line.
    counted: (usize, u64),
}

impl JsonArray {
    fn skip_whitespace(&mut self) {
        let rest = &self.text[self.pos..];
        self.pos += rest.len() - rest.trim_start().len();
    }

    /// The 1-based line of a byte offset, counted on from the last offset
    /// asked for (offsets only grow).
    fn line_at(&mut self, offset: usize) -> u64 {
        let (counted, line) = self.counted;
        let between = self.text.get(counted..offset).unwrap_or("");
        let line = line + between.bytes().filter(|b| *b == b'\n').count() as u64;
        self.counted = (offset.max(counted), line);
        line
    }

    fn item(&mut self, offset: usize, case: Case) -> Item {
        let line = self.line_at(offset);
        self.item_on(line, case)
    }

    /// An item at `line`; an unreadable one ends the array (there is no way to resynchronise).
    fn item_on(&mut self, line: u64, case: Case) -> Item {
        if matches!(case, Case::Unreadable(_)) {
            self.done = true;
        }
        Item {
            source: Source {
                file: self.file.clone(),
                line: Some(line),
            },
            case,
        }
    }

    /// Past the `,` before the next element; `Err` when the array ends or is broken.
    fn separator(&mut self) -> Result<(), Option<Item>> {
        self.skip_whitespace();
        let rest = &self.text[self.pos..];
        if let Some(after) = rest.strip_prefix(']') {
            self.done = true;
            if after.trim().is_empty() {
                return Err(None);
            }
            let at = self.pos + 1 + (after.len() - after.trim_start().len());
            return Err(Some(self.item(
                at,
                Case::Unreadable("invalid JSON: trailing characters after the array".into()),
            )));
        }
        if self.first {
            self.first = false;
            return Ok(());
        }
        if rest.starts_with(',') {
            self.pos += 1;
            self.skip_whitespace();
            return Ok(());
        }
        let message = if rest.is_empty() {
            "invalid JSON: the array is not closed with `]`"
        } else {
            "invalid JSON: expected `,` or `]`"
        };
        Err(Some(self.item(self.pos, Case::Unreadable(message.into()))))
    }
}

impl Iterator for JsonArray {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        if self.done {
            return None;
        }
        if let Err(end) = self.separator() {
            return end;
        }
        let at = self.pos;
        let mut stream =
            serde_json::Deserializer::from_str(&self.text[at..]).into_iter::<IgnoredAny>();
        let scanned = stream.next();
        match scanned {
            Some(Ok(_)) => {
                self.pos = at + stream.byte_offset();
                let element = self.text[at..self.pos].to_string();
                Some(self.item(at, Case::Text(element)))
            }
            Some(Err(e)) => {
                let line = self.line_at(at) + (e.line() as u64).saturating_sub(1);
                let message = e.to_string();
                let message = message
                    .rsplit_once(" at line ")
                    .map_or(message.as_str(), |(m, _)| m);
                Some(self.item_on(line, Case::Unreadable(format!("invalid JSON: {message}"))))
            }
            None => Some(self.item(
                at,
                Case::Unreadable("invalid JSON: the array is not closed with `]`".into()),
            )),
        }
    }
}

// ---------- evaluating and writing ----------

/// A batch run: the protocol, the options, the threads.
struct Batch<'p> {
    protocol: &'p Protocol,
    options: RunOptions,
    pool: rayon::ThreadPool,
}

/// One evaluated record, ready to write.
struct Written {
    line: String,
    error: bool,
    /// Warnings about unknown case keys, to report once per run.
    unknown_keys: Vec<String>,
    source: Source,
}

impl Batch<'_> {
    /// Reads, evaluates and writes chunk by chunk. Exit 0 when every record
    /// is a decision (or stdout closed), 1 when any is an error record.
    fn run(&self, mut cases: CaseStream) -> ExitCode {
        let mut out = BufWriter::new(std::io::stdout().lock());
        let mut warned: HashSet<String> = HashSet::new();
        let mut failed = false;
        loop {
            let chunk: Vec<Item> = cases.by_ref().take(CHUNK).collect();
            if chunk.is_empty() {
                break;
            }
            let written: Vec<Written> = self
                .pool
                .install(|| chunk.into_par_iter().map(|item| self.one(item)).collect());
            failed |= written.iter().any(|w| w.error);
            report_unknown_keys(&written, &mut warned);
            if let Err(e) = write_chunk(&mut out, &written) {
                return write_failed(&e);
            }
        }
        ExitCode::from(u8::from(failed))
    }

    /// Evaluates one record; a panic in the engine gives an error record.
    fn one(&self, item: Item) -> Written {
        let source = item.source.clone();
        let record = catch_unwind(AssertUnwindSafe(|| self.record(item))).unwrap_or_else(|panic| {
            let reason = panic_text(panic.as_ref());
            let message =
                format!("internal error: the engine panicked ({reason}); please report it");
            error_record(None, Some(source.clone()), String::new(), message)
        });
        let (error, unknown_keys) = match &record {
            Record::Decision(d) => (
                false,
                d.warnings
                    .iter()
                    .filter(|w| w.starts_with("unknown key `"))
                    .cloned()
                    .collect(),
            ),
            Record::Error(_) => (true, Vec::new()),
        };
        Written {
            line: record.to_json_line(),
            error,
            unknown_keys,
            source,
        }
    }

    fn record(&self, item: Item) -> Record {
        let source = Some(item.source);
        match item.case {
            Case::Text(text) => match parse_json(&text) {
                Ok(json) => evaluate(self.protocol, &json, source, &self.options),
                Err(e) => error_record(None, source, e.path, on_one_line(e.message)),
            },
            Case::Unreadable(message) => error_record(None, source, String::new(), message),
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

fn panic_text(panic: &(dyn std::any::Any + Send)) -> &str {
    panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("no message")
}

/// Prints each unknown-key warning the first time it is seen in the run.
fn report_unknown_keys(written: &[Written], warned: &mut HashSet<String>) {
    let mut err = std::io::stderr().lock();
    for w in written {
        for warning in w
            .unknown_keys
            .iter()
            .filter(|k| warned.insert((*k).clone()))
        {
            let at = match w.source.line {
                Some(line) => format!("`{}` line {line}", w.source.file),
                None => format!("`{}`", w.source.file),
            };
            let _ = writeln!(
                err,
                "warning: {warning}\n  = note: first seen in {at}; each unknown key is reported once per run (`--strict` makes them errors)"
            );
        }
    }
}

fn write_chunk(out: &mut impl Write, written: &[Written]) -> std::io::Result<()> {
    for w in written {
        out.write_all(w.line.as_bytes())?;
        out.write_all(b"\n")?;
    }
    out.flush()
}

/// A closed stdout ends the run quietly (exit 0); any other write error is reported.
fn write_failed(error: &std::io::Error) -> ExitCode {
    if error.kind() == ErrorKind::BrokenPipe {
        return ExitCode::SUCCESS;
    }
    eprintln!("error: cannot write the decisions: {}", describe(error));
    ExitCode::FAILURE
}
