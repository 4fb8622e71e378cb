//! The one place diagnostics become text: codespan-style for people
//! ([`to_text`]) and JSON for tools ([`to_json`]).

use std::cell::RefCell;
use std::collections::HashMap;
use std::io::Write;
use std::ops::Range;

use codespan_reporting::diagnostic::{
    Diagnostic as Report, Label as Mark, LabelStyle, Severity as Level,
};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::termcolor::{Buffer, Color, ColorSpec, WriteColor};
use codespan_reporting::term::{self, Config};
use serde_json::{json, Value};

use super::{Diagnostic, Label, Severity};
use crate::source::{LineIndex, Sources};
use crate::span::{FileId, Span};

/// Renders diagnostics as rustc renders them: `error[S0101]: message`, the
/// place as `file:line:col`, the source line with the label underlined, then
/// `= note: …` and `= help: …`, a blank line between diagnostics, and a
/// closing summary naming the protocol (the first source), such as
/// ``error: `x.salv` has 2 errors and 1 warning``. Nothing for no diagnostics.
/// `color` adds ANSI colours.
pub fn to_text(diagnostics: &[Diagnostic], sources: &Sources, color: bool) -> String {
    render_text(diagnostics, sources, color, true)
}

/// [`to_text`] without the closing summary, for diagnostics about text
/// typed at a prompt rather than about a protocol file.
pub fn to_text_alone(diagnostics: &[Diagnostic], sources: &Sources, color: bool) -> String {
    render_text(diagnostics, sources, color, false)
}

fn render_text(
    diagnostics: &[Diagnostic],
    sources: &Sources,
    color: bool,
    summarise: bool,
) -> String {
    let files = files_of(sources);
    let config = Config::default();
    let mut buffer = if color {
        Buffer::ansi()
    } else {
        Buffer::no_color()
    };
    for diagnostic in diagnostics {
        let report = to_report(diagnostic, sources);
        if term::emit_to_write_style(&mut buffer, &config, &files, &report).is_err() {
            plain_header(&mut buffer, diagnostic);
        }
    }
    if summarise {
        summary(&mut buffer, diagnostics, sources);
    }
    String::from_utf8_lossy(buffer.as_slice()).into_owned()
}

/// Renders diagnostics as a JSON array, one object per diagnostic, in order.
/// These keys are stable; new keys may be added, none removed or renamed:
///
/// - `code`: the stable code, `"S0101"` (see `salvage explain`)
/// - `severity`: `"error"` or `"warning"`
/// - `message`: the one-line message
/// - `file`: the file's shown path (as given for the protocol, root-relative
///   with `/` for imports)
/// - `line`, `column`: where the main place starts, 1-based, the column
///   counted in Unicode characters
/// - `end_line`, `end_column`: just after where it ends, likewise
/// - `labels`: every underlined place, the main one first, each
///   `{file, line, column, end_line, end_column, message, primary}`
/// - `notes`: why it is a problem (strings)
/// - `help`: how to fix it (strings)
///
/// A file that could not be read at all has an empty text, and its place is
/// line 1, column 1.
pub fn to_json(diagnostics: &[Diagnostic], sources: &Sources) -> Value {
    let places = Places::new(sources);
    Value::Array(
        diagnostics
            .iter()
            .map(|d| diagnostic_json(d, &places))
            .collect(),
    )
}

/// The line index of each source, built once per rendering and only for
/// the files a label is in.
struct Places<'a> {
    sources: &'a Sources,
    lines: RefCell<HashMap<FileId, LineIndex>>,
}

impl<'a> Places<'a> {
    fn new(sources: &'a Sources) -> Places<'a> {
        Places {
            sources,
            lines: RefCell::new(HashMap::new()),
        }
    }

    /// The 1-based line and character column of a byte offset in a file.
    fn line_column(&self, file: FileId, offset: usize) -> (usize, usize) {
        let text = self.sources.text(file);
        let mut cache = self.lines.borrow_mut();
        let index = cache.entry(file).or_insert_with(|| LineIndex::new(text));
        index.line_column(text, offset)
    }
}

fn diagnostic_json(diagnostic: &Diagnostic, places: &Places) -> Value {
    let labels = std::iter::once((&diagnostic.primary, true))
        .chain(diagnostic.secondary.iter().map(|label| (label, false)))
        .map(|(label, primary)| label_json(label, primary, places))
        .collect::<Vec<_>>();
    let mut object = json!({
        "code": diagnostic.code.as_str(),
        "severity": severity_name(diagnostic.severity()),
        "message": diagnostic.message,
    });
    merge(&mut object, place_json(diagnostic.primary.span, places));
    let rest = json!({ "labels": labels, "notes": diagnostic.notes, "help": diagnostic.help });
    merge(&mut object, rest);
    object
}

fn label_json(label: &Label, primary: bool, places: &Places) -> Value {
    let mut object = place_json(label.span, places);
    let rest = json!({ "message": label.message, "primary": primary });
    merge(&mut object, rest);
    object
}

/// `{file, line, column, end_line, end_column}` for a span.
fn place_json(span: Span, places: &Places) -> Value {
    let text = places.sources.text(span.file);
    let range = clamp(text, span);
    let (line, column) = places.line_column(span.file, range.start);
    let (end_line, end_column) = places.line_column(span.file, range.end);
    json!({
        "file": places.sources.path(span.file),
        "line": line,
        "column": column,
        "end_line": end_line,
        "end_column": end_column,
    })
}

/// Copies the keys of `from` into `into` (both objects).
fn merge(into: &mut Value, from: Value) {
    if let (Value::Object(into), Value::Object(from)) = (into, from) {
        into.extend(from);
    }
}

/// The span's byte range, kept inside the text and on character boundaries.
fn clamp(text: &str, span: Span) -> Range<usize> {
    let start = boundary(text, span.start as usize);
    let end = boundary(text, span.end as usize).max(start);
    start..end
}

/// The nearest character boundary at or before `offset`.
fn boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

fn severity_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// The files in codespan's form; ids follow [`Sources`], so `FileId(n)` is `n`.
fn files_of(sources: &Sources) -> SimpleFiles<&str, &str> {
    let mut files = SimpleFiles::new();
    for (_, file) in sources.iter() {
        files.add(file.path.as_str(), file.text.as_str());
    }
    files
}

/// A diagnostic in codespan's form. A place in a file with no text (one that
/// could not be read) gets no snippet.
fn to_report(diagnostic: &Diagnostic, sources: &Sources) -> Report<usize> {
    let level = match diagnostic.severity() {
        Severity::Error => Level::Error,
        Severity::Warning => Level::Warning,
    };
    let primary = mark(&diagnostic.primary, sources, LabelStyle::Primary);
    let secondary = diagnostic
        .secondary
        .iter()
        .filter_map(|label| mark(label, sources, LabelStyle::Secondary));
    let notes = diagnostic
        .notes
        .iter()
        .map(|note| format!("note: {note}"))
        .chain(diagnostic.help.iter().map(|help| format!("help: {help}")));
    Report::new(level)
        .with_code(diagnostic.code.as_str())
        .with_message(&diagnostic.message)
        .with_labels(primary.into_iter().chain(secondary).collect())
        .with_notes(notes.collect())
}

fn mark(label: &Label, sources: &Sources, style: LabelStyle) -> Option<Mark<usize>> {
    let file = sources.get(label.span.file)?;
    if file.text.is_empty() {
        return None;
    }
    let range = clamp(&file.text, label.span);
    Some(Mark::new(style, label.span.file.0 as usize, range).with_message(&label.message))
}

/// The header alone, should codespan fail to render a diagnostic.
fn plain_header(buffer: &mut Buffer, diagnostic: &Diagnostic) {
    let severity = severity_name(diagnostic.severity());
    let code = diagnostic.code.as_str();
    let _ = writeln!(buffer, "{severity}[{code}]: {}\n", diagnostic.message);
}

/// The closing line: ``error: `x.salv` has 2 errors and 1 warning``.
fn summary(buffer: &mut Buffer, diagnostics: &[Diagnostic], sources: &Sources) {
    let errors = count(diagnostics, Severity::Error);
    let warnings = count(diagnostics, Severity::Warning);
    let (word, color) = match (errors, warnings) {
        (0, 0) => return,
        (0, _) => ("warning", Color::Yellow),
        _ => ("error", Color::Red),
    };
    let name = match sources.get(FileId(0)) {
        Some(file) => format!("`{}`", file.path),
        None => "the protocol".to_string(),
    };
    let counts = match (errors, warnings) {
        (0, w) => plural(w, "warning"),
        (e, 0) => plural(e, "error"),
        (e, w) => format!("{} and {}", plural(e, "error"), plural(w, "warning")),
    };
    let mut style = ColorSpec::new();
    style.set_fg(Some(color)).set_bold(true).set_intense(true);
    let _ = buffer.set_color(&style);
    let _ = write!(buffer, "{word}");
    let _ = buffer.set_color(ColorSpec::new().set_bold(true));
    let _ = write!(buffer, ": {name} has {counts}");
    let _ = buffer.reset();
    let _ = writeln!(buffer);
}

fn count(diagnostics: &[Diagnostic], severity: Severity) -> usize {
    diagnostics
        .iter()
        .filter(|d| d.severity() == severity)
        .count()
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}
