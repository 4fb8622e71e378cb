//! Case-file tests of evaluation: "this protocol on these cases gives these
//! decisions".
//!
//! Every folder `tests/cases/eval/NAME/` holds
//! - `protocol.salv`: the protocol (a draft is allowed), starting with `//`
//!   lines that say what the folder shows; it may import files beside it;
//! - `cases.jsonl`: one case per line, each with its `id` and `as_of` (blank
//!   lines are not records, as in `salvage eval`);
//! - `expected.jsonl`: one record per case, in order, exactly as `salvage eval
//!   --explain` writes it when run in the folder (`source.file` is
//!   `cases.jsonl`, trace locations are `protocol.salv:LINE:COL`);
//! - optionally `options.json`: `{"explain": false}` leaves the trace out,
//!   `{"as_of": "YYYY-MM-DD"}` dates the cases that give none (`--as-of`),
//!   `{"strict": true}` makes unknown keys errors (`--strict`),
//!   `{"show_values": true}` lets messages repeat the cases' values
//!   (`--show-values`).
//!
//! Each case is evaluated through the library as `salvage eval` does, its
//! record is checked against `docs/decision.schema.json`, and compared with
//! its expected record as parsed JSON; a difference is reported by folder,
//! case and JSON pointer. Every folder is checked before the test fails.
//!
//! `BLESS=1 cargo test --test eval_cases` (re)writes every `expected.jsonl`.
//! Read the records it writes before committing them: a wrong bless bakes a
//! bug into the suite.
//!
//! This file holds one test on purpose: it changes the working directory
//! (into each folder, as `salvage eval` would be run there).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::fmt::Write as _;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};

use common::report::{indent, panic_message};
use common::{engine, schema};
use jiff::civil::Date;
use salvage::decision::output::Source;
use salvage::decision::RunOptions;
use salvage::eval::model::Protocol;
use serde_json::Value;

/// The folder of case folders, relative to the package root.
const CASES: &str = "tests/cases/eval";

/// Folders under [`CASES`] in another format: `brief/` is the design brief's
/// own example (a pretty-printed case and an excerpt of its decision),
/// compared in part by `tests/eval_golden.rs`.
const SKIPPED: &[&str] = &["brief"];

/// The files a case folder holds, besides the `.salv` files it imports.
const FOLDER_FILES: &[&str] = &[PROTOCOL, CASE_FILE, EXPECTED, OPTIONS];
const PROTOCOL: &str = "protocol.salv";
const CASE_FILE: &str = "cases.jsonl";
const EXPECTED: &str = "expected.jsonl";
const OPTIONS: &str = "options.json";

/// How many differing pointers are listed for one case.
const MAX_DIFFERENCES: usize = 20;

const BLESS_HINT: &str = "`BLESS=1 cargo test --test eval_cases` writes the expected records; \
                          read them before committing";

#[test]
fn eval_case_folders() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let bless = std::env::var_os("BLESS").is_some_and(|v| v == "1");
    let (folders, mut failures) = find_folders(&root.join(CASES));
    assert!(!folders.is_empty(), "no case folders under {CASES}/");
    failures.extend(folders.iter().filter_map(|f| checked(f, bless).err()));
    if bless {
        eprintln!("wrote expected.jsonl in the folders that evaluated cleanly");
    }
    assert!(
        failures.is_empty(),
        "{}",
        failure_report(&failures, folders.len())
    );
}

/// Runs one folder; `Err` names it with every problem found, or what it
/// panicked with.
fn checked(folder: &Folder, bless: bool) -> Result<(), String> {
    match std::panic::catch_unwind(AssertUnwindSafe(|| run_folder(folder, bless))) {
        Ok(Ok(())) => Ok(()),
        Ok(Err(problems)) => Err(format!("{}/\n{problems}", folder.name)),
        Err(panic) => Err(format!(
            "{}/\n  panicked: {}",
            folder.name,
            panic_message(panic.as_ref())
        )),
    }
}

fn failure_report(failures: &[String], folders: usize) -> String {
    let mut report = String::new();
    for failure in failures {
        let _ = writeln!(report, "\n---- {failure}");
    }
    let _ = write!(
        report,
        "\n{} failure(s) in {CASES}/ ({folders} case folders; {BLESS_HINT})",
        failures.len()
    );
    report
}

// ---------------------------------------------------------------------------
// Finding folders

/// One case folder.
struct Folder {
    /// Its name, as reports show it.
    name: String,
    /// Where it is.
    path: PathBuf,
}

/// Every case folder, sorted, and the problems with what else is there.
fn find_folders(dir: &Path) -> (Vec<Folder>, Vec<String>) {
    let mut folders = Vec::new();
    let mut problems = Vec::new();
    for path in sorted_entries(dir) {
        let name = file_name(&path);
        if !path.is_dir() {
            problems.push(format!(
                "{name}\n  a file directly in {CASES}/: each case is a folder"
            ));
        } else if !SKIPPED.contains(&name.as_str()) {
            folders.push(Folder { name, path });
        }
    }
    (folders, problems)
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut paths: Vec<PathBuf> = entries
        .map(|entry| entry.expect("cannot read a folder entry").path())
        .collect();
    paths.sort();
    paths
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Files in a case folder that are not part of the format (a misspelt
/// `options.json` would otherwise be ignored without a word).
fn unexpected_files(folder: &Path) -> Vec<String> {
    sorted_entries(folder)
        .into_iter()
        .filter(|path| path.is_file())
        .map(|path| file_name(&path))
        .filter(|name| !FOLDER_FILES.contains(&name.as_str()) && !name.ends_with(".salv"))
        .collect()
}

// ---------------------------------------------------------------------------
// Running one folder

/// Evaluates a folder's cases and compares (or, blessing, writes) their
/// records; `Err` lists every problem found.
fn run_folder(folder: &Folder, bless: bool) -> Result<(), String> {
    let unexpected = unexpected_files(&folder.path);
    if !unexpected.is_empty() {
        return Err(format!(
            "  unexpected file(s) {}: a case folder holds {} and the `.salv` files it imports",
            unexpected.join(", "),
            FOLDER_FILES.join(", ")
        ));
    }
    let options = read_options(&folder.path).map_err(|e| format!("  {OPTIONS}: {e}"))?;
    let records = evaluate_folder(&folder.path, &options)?;
    let mut problems: Vec<String> = records
        .iter()
        .flat_map(Evaluated::record_problems)
        .collect();
    if bless {
        if problems.is_empty() {
            write_expected(&folder.path, &records);
        }
    } else {
        problems.extend(compare(&folder.path, &records));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

/// What `options.json` asks for; `salvage eval` defaults without it
/// (except that the trace is on: the records are those of `--explain`).
fn read_options(folder: &Path) -> Result<RunOptions, String> {
    let mut options = engine::options(true);
    let path = folder.join(OPTIONS);
    if !path.exists() {
        return Ok(options);
    }
    let text = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
    let json: Value = serde_json::from_str(&text).map_err(|e| format!("not JSON: {e}"))?;
    let Some(object) = json.as_object() else {
        return Err("must be a JSON object".to_string());
    };
    for (key, value) in object {
        match (key.as_str(), value) {
            ("explain", Value::Bool(b)) => options.explain = *b,
            ("strict", Value::Bool(b)) => options.strict = *b,
            ("show_values", Value::Bool(b)) => options.show_values = *b,
            ("as_of", Value::String(day)) => options.as_of = Some(parse_date(day)?),
            ("explain" | "strict" | "show_values", _) => {
                return Err(format!("`{key}` must be true or false"))
            }
            ("as_of", _) => return Err("`as_of` must be a date written \"YYYY-MM-DD\"".into()),
            _ => {
                return Err(format!(
                "unknown key `{key}` (the keys are `explain`, `as_of`, `strict` and `show_values`)"
            ))
            }
        }
    }
    Ok(options)
}

/// A date written `YYYY-MM-DD`, as `--as-of` takes it.
fn parse_date(text: &str) -> Result<Date, String> {
    let well_formed = text.len() == 10 && text.as_bytes().get(4) == Some(&b'-');
    match text.parse::<Date>() {
        Ok(day) if well_formed => Ok(day),
        _ => Err(format!("`as_of` `{text}` is not a date written YYYY-MM-DD")),
    }
}

/// One case's record.
struct Evaluated {
    /// The line of `cases.jsonl` it came from.
    line: u64,
    /// The record's JSON line, as `salvage eval` writes it.
    text: String,
    /// The same, parsed.
    value: Value,
}

impl Evaluated {
    /// How reports name the case: its id and line.
    fn label(&self) -> String {
        match self.value.get("case").and_then(Value::as_str) {
            Some(id) => format!("case `{id}` (line {})", self.line),
            None => format!("the case on line {}", self.line),
        }
    }

    /// Why the record breaks `docs/decision.schema.json`, if it does, and
    /// whether it admits an internal error of the engine (a value the
    /// checker should have refused), which no case may show.
    fn record_problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let errors = schema::schema_errors(&self.value);
        if !errors.is_empty() {
            problems.push(format!(
                "  {}: the record does not match docs/decision.schema.json:\n    {}\n    record: {}",
                self.label(),
                errors.join("\n    "),
                self.text
            ));
        }
        if self.text.contains("internal error") {
            problems.push(format!(
                "  {}: the engine met a value it could not evaluate:\n    record: {}",
                self.label(),
                self.text
            ));
        }
        problems
    }
}

/// Compiles the folder's protocol and evaluates every case line, in the
/// folder (so file names read as `salvage eval` shows them when run there).
fn evaluate_folder(folder: &Path, options: &RunOptions) -> Result<Vec<Evaluated>, String> {
    for needed in [PROTOCOL, CASE_FILE] {
        if !folder.join(needed).is_file() {
            return Err(format!("  no `{needed}`: a case folder needs one"));
        }
    }
    let _inside = WorkingDir::enter(folder);
    let protocol = engine::try_compile_file(Path::new(PROTOCOL)).map_err(|shown| {
        format!(
            "  {PROTOCOL} does not check:\n{}",
            indent(&shown).trim_end()
        )
    })?;
    let bytes = std::fs::read(CASE_FILE).map_err(|e| format!("  {CASE_FILE}: {e}"))?;
    let records: Vec<Evaluated> = case_lines(&bytes)
        .into_iter()
        .map(|(line, text)| evaluate_line(&protocol, line, text, options))
        .collect::<Result<_, _>>()?;
    if records.is_empty() {
        return Err(format!("  `{CASE_FILE}` holds no cases"));
    }
    Ok(records)
}

/// The record of one line of `cases.jsonl`.
fn evaluate_line(
    protocol: &Protocol,
    line: u64,
    text: Result<String, String>,
    options: &RunOptions,
) -> Result<Evaluated, String> {
    let source = Some(Source {
        file: CASE_FILE.to_string(),
        line: Some(line),
    });
    let record = match text {
        Ok(text) => engine::record(protocol, &text, source, options),
        Err(message) => salvage::decision::error_record(None, source, String::new(), message),
    };
    let text = record.to_json_line();
    let value = serde_json::from_str(&text).map_err(|e| format!("  {e}: {text}"))?;
    Ok(Evaluated { line, text, value })
}

/// The records of JSON Lines, numbered from 1, as `salvage eval` reads them:
/// blank lines skipped, a byte-order mark on the first line dropped, a line
/// that is not UTF-8 an error in its place.
fn case_lines(bytes: &[u8]) -> Vec<(u64, Result<String, String>)> {
    let mut lines = Vec::new();
    for (i, line) in bytes.split(|b| *b == b'\n').enumerate() {
        let number = i as u64 + 1;
        let line = match line.strip_prefix(b"\xEF\xBB\xBF") {
            Some(rest) if number == 1 => rest,
            _ => line,
        };
        match std::str::from_utf8(line) {
            Ok(text) if text.trim().is_empty() => {}
            Ok(text) => lines.push((number, Ok(text.trim_end_matches('\r').to_string()))),
            Err(e) => lines.push((
                number,
                Err(format!(
                    "the line is not UTF-8 text (invalid byte at column {})",
                    e.valid_up_to() + 1
                )),
            )),
        }
    }
    lines
}

/// The working directory, set to a folder until dropped.
struct WorkingDir(PathBuf);

impl WorkingDir {
    fn enter(folder: &Path) -> WorkingDir {
        let before = std::env::current_dir().expect("no working directory");
        std::env::set_current_dir(folder)
            .unwrap_or_else(|e| panic!("cannot enter {}: {e}", folder.display()));
        WorkingDir(before)
    }
}

impl Drop for WorkingDir {
    fn drop(&mut self) {
        let _ = std::env::set_current_dir(&self.0);
    }
}

fn write_expected(folder: &Path, records: &[Evaluated]) {
    let text: String = records.iter().map(|r| format!("{}\n", r.text)).collect();
    let path = folder.join(EXPECTED);
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

// ---------------------------------------------------------------------------
// Comparing

/// Every way the records differ from `expected.jsonl`.
fn compare(folder: &Path, records: &[Evaluated]) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(folder.join(EXPECTED)) else {
        return vec![format!("  no `{EXPECTED}`: {BLESS_HINT}")];
    };
    let expected: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let mut problems = Vec::new();
    for (i, record) in records.iter().enumerate() {
        let Some(line) = expected.get(i) else {
            problems.push(format!("  {}: no expected record", record.label()));
            continue;
        };
        match serde_json::from_str::<Value>(line) {
            Ok(want) if want == record.value => {}
            Ok(want) => problems.push(difference_report(record, &want)),
            Err(e) => problems.push(format!(
                "  {}: expected record {} is not JSON ({e})",
                record.label(),
                i + 1
            )),
        }
    }
    if expected.len() > records.len() {
        problems.push(format!(
            "  {} expected record(s) more than there are cases",
            expected.len() - records.len()
        ));
    }
    problems
}

/// A case whose record differs: each differing pointer, expected vs found.
fn difference_report(record: &Evaluated, expected: &Value) -> String {
    let mut differences = Vec::new();
    differ(expected, &record.value, "", &mut differences);
    let total = differences.len();
    differences.truncate(MAX_DIFFERENCES);
    let mut report = format!("  {} differs:", record.label());
    for d in &differences {
        let _ = write!(report, "\n    {d}");
    }
    if total > MAX_DIFFERENCES {
        let _ = write!(report, "\n    … and {} more", total - MAX_DIFFERENCES);
    }
    let _ = write!(report, "\n    record: {}", record.text);
    report
}

/// Appends `POINTER: expected E, found F` for every place `found` differs
/// from `expected` (objects by key, arrays by position).
fn differ(expected: &Value, found: &Value, at: &str, out: &mut Vec<String>) {
    match (expected, found) {
        (Value::Object(e), Value::Object(f)) => {
            for (key, value) in e {
                let here = format!("{at}/{}", escape(key));
                match f.get(key) {
                    Some(other) => differ(value, other, &here, out),
                    None => out.push(format!("{here}: expected {value}, found nothing")),
                }
            }
            for (key, value) in f.iter().filter(|(key, _)| !e.contains_key(*key)) {
                out.push(format!(
                    "{at}/{}: expected nothing, found {value}",
                    escape(key)
                ));
            }
        }
        (Value::Array(e), Value::Array(f)) => {
            for (i, pair) in e.iter().zip(f).enumerate() {
                differ(pair.0, pair.1, &format!("{at}/{i}"), out);
            }
            for (i, value) in e.iter().enumerate().skip(f.len()) {
                out.push(format!("{at}/{i}: expected {value}, found nothing"));
            }
            for (i, value) in f.iter().enumerate().skip(e.len()) {
                out.push(format!("{at}/{i}: expected nothing, found {value}"));
            }
        }
        _ if expected == found => {}
        _ => {
            let shown = if at.is_empty() { "(the record)" } else { at };
            out.push(format!("{shown}: expected {expected}, found {found}"));
        }
    }
}

/// A key as a JSON pointer token.
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}
