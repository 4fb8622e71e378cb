//! Where cases come from: the command line's CASES, expanded into inputs,
//! and the stream of input records read from them, one [`Item`] per record.
//!
//! Every input record gives exactly one item: a JSON Lines line that is not
//! blank, a `.json` file's one case, or an element of its array (split in
//! [`super::array`]); what cannot be read is an item too, whose record is an
//! error.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufRead, BufReader, ErrorKind};
use std::path::{Path, PathBuf};

use salvage::decision::output::Source;

use super::array;
use super::common::{describe, find_files, Refusal, Usage};
use super::item::{Case, Item};

/// One source of cases, in command-line order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// `-`: JSON Lines on standard input.
    Stdin,
    /// A JSON Lines file.
    Lines(PathBuf),
    /// A `.json` file: one case, or an array of cases.
    Document(PathBuf),
}

impl Input {
    /// The file read, `None` for standard input.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Input::Stdin => None,
            Input::Lines(path) | Input::Document(path) => Some(path),
        }
    }
}

/// What the command line's CASES name, folders expanded; an empty folder or
/// `-` twice is a usage error, a path that does not exist an input error.
pub fn inputs(paths: &[PathBuf]) -> Result<Vec<Input>, Refusal> {
    if paths.iter().filter(|p| p.as_os_str() == "-").count() > 1 {
        return Err(Refusal::Usage(
            "`-` (standard input) is given more than once".into(),
        ));
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
            return Err(Refusal::Input(format!(
                "cannot find the case file `{}`",
                path.display()
            )));
        }
    }
    Ok(inputs)
}

/// The total size in bytes of the inputs, when every one is a file whose
/// size is known (standard input has none).
pub fn total_size(inputs: &[Input]) -> Option<u64> {
    inputs
        .iter()
        .map(|input| Some(std::fs::metadata(input.path()?).ok()?.len()))
        .sum()
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

// ---------- records ----------

/// Every record of every input, in order.
pub struct CaseStream {
    inputs: VecDeque<Input>,
    current: Option<Box<dyn Iterator<Item = Item>>>,
}

impl CaseStream {
    /// The records of `inputs`, read lazily, one input after another.
    pub fn new(inputs: Vec<Input>) -> CaseStream {
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
            Ok(bytes) => array::document(shown(&path), bytes),
            Err(e) => Box::new(std::iter::once(unreadable_file(&path, &e))),
        },
    }
}

/// A path as records show it: as named on the command line.
fn shown(path: &Path) -> String {
    path.display().to_string()
}

fn unreadable_file(path: &Path, error: &std::io::Error) -> Item {
    let source = Source {
        file: shown(path),
        line: None,
    };
    let message = format!("cannot read `{}`: {}", path.display(), describe(error));
    Item {
        source,
        case: Case::Unreadable(message),
        bytes: 0,
    }
}

/// The records of a JSON Lines stream: one per line that is not blank.
struct JsonLines {
    file: String,
    reader: Box<dyn BufRead>,
    line: u64,
    /// Bytes read since the last record.
    unreported: u64,
    /// The length of the line read last: a line that runs past the
    /// reader's buffer is given room for as much, so that reading it seldom
    /// grows its buffer (one long line does not make every later buffer
    /// long).
    last: usize,
    done: bool,
}

impl JsonLines {
    fn new(file: String, reader: Box<dyn BufRead>) -> JsonLines {
        JsonLines {
            file,
            reader,
            line: 0,
            unreported: 0,
            last: 0,
            done: false,
        }
    }

    fn item(&mut self, case: Case) -> Item {
        let bytes = std::mem::take(&mut self.unreported);
        Item {
            source: Source {
                file: self.file.clone(),
                line: Some(self.line),
            },
            case,
            bytes,
        }
    }

    fn read_failed(&mut self, error: &std::io::Error) -> Item {
        self.done = true;
        self.line += 1;
        let message = format!(
            "cannot read `{}` past line {}: {}",
            self.file,
            self.line - 1,
            describe(error)
        );
        self.item(Case::Unreadable(message))
    }
}

impl Iterator for JsonLines {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        while !self.done {
            let mut bytes = Vec::new();
            match read_line(&mut *self.reader, &mut bytes, line_capacity(self.last)) {
                Ok(0) => self.done = true,
                Ok(n) => {
                    self.line += 1;
                    self.unreported += n as u64;
                    self.last = n;
                    if let Some(case) = line_case(bytes, self.line) {
                        return Some(self.item(case));
                    }
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Some(self.read_failed(&e)),
            }
        }
        None
    }
}

/// The room to give a line that runs past the reader's buffer when the
/// line before had `last` bytes: as much (lines of a file are mostly of a
/// size), within bounds. The text keeps the buffer, so the bound keeps a
/// chunk of short lines after a long one small.
fn line_capacity(last: usize) -> usize {
    const LEAST: usize = 256;
    const MOST: usize = 64 << 10;
    (last + 16).clamp(LEAST, MOST)
}

/// Appends the bytes up to and including the next `\n` (or to the end) to
/// `line`, as [`BufRead::read_until`] does, finding the `\n` with `memchr`
/// (many bytes at a time); the count of bytes read, 0 at the end. An empty
/// `line` is given room for the whole line when the reader's buffer holds
/// it (mostly), else for at least `room` bytes, so that it seldom grows.
fn read_line(reader: &mut dyn BufRead, line: &mut Vec<u8>, room: usize) -> std::io::Result<usize> {
    let mut read = 0;
    loop {
        let available = match reader.fill_buf() {
            Ok(available) => available,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let (taken, ended) = match memchr::memchr(b'\n', available) {
            Some(at) => (available.get(..=at).unwrap_or(available), true),
            None => (available, available.is_empty()),
        };
        if line.capacity() == 0 {
            line.reserve_exact(if ended {
                taken.len()
            } else {
                room.max(taken.len())
            });
        }
        line.extend_from_slice(taken);
        let used = taken.len();
        reader.consume(used);
        read += used;
        if ended {
            return Ok(read);
        }
    }
}

/// A line's record, `None` for a blank line. A byte-order mark on the first
/// line is skipped. The line's bytes become its text without a copy.
fn line_case(mut bytes: Vec<u8>, line: u64) -> Option<Case> {
    if line == 1 && bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    match String::from_utf8(bytes) {
        Ok(text) if text.trim().is_empty() => None,
        Ok(mut text) => {
            let kept = text.trim_end_matches(['\n', '\r']).len();
            text.truncate(kept);
            Some(Case::Text(text))
        }
        Err(e) => Some(Case::Unreadable(format!(
            "the line is not UTF-8 text (invalid byte at column {})",
            e.utf8_error().valid_up_to() + 1
        ))),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::{line_capacity, JsonLines};
    use crate::cli::item::Case;

    /// Each record of `text` read as JSON Lines: its line and its text or
    /// message.
    fn records(text: &[u8]) -> Vec<(Option<u64>, String)> {
        let whole = records_in_chunks(text, text.len().max(1));
        // Lines that straddle the reader's buffer read the same.
        for chunk in [1, 2, 3, 7, 64] {
            assert_eq!(records_in_chunks(text, chunk), whole, "chunks of {chunk}");
        }
        whole
    }

    /// [`records`] through a buffer of `chunk` bytes.
    fn records_in_chunks(text: &[u8], chunk: usize) -> Vec<(Option<u64>, String)> {
        let cursor = std::io::Cursor::new(text.to_vec());
        let reader = Box::new(std::io::BufReader::with_capacity(chunk, cursor));
        JsonLines::new("f".into(), reader)
            .map(|item| {
                let shown = match item.case {
                    Case::Text(text) => format!("text {text}"),
                    Case::Unreadable(message) => format!("error {message}"),
                    Case::Element { text, .. } => format!("element {text}"),
                };
                (item.source.line, shown)
            })
            .collect()
    }

    #[test]
    fn lines_are_read_as_written_without_their_line_ends() {
        let text = b"\xEF\xBB\xBF{\"a\": 1}\r\n\n  \t\r\n\xC2\xA0\n{\"b\": \"\xC3\xA9\"}\r\r\n\xEF\xBB\xBF{}\n{\"c\": \xFF}\n{\"d\": 2}";
        let expected = vec![
            (Some(1), "text {\"a\": 1}".to_string()),
            (Some(5), "text {\"b\": \"é\"}".to_string()),
            (Some(6), "text \u{feff}{}".to_string()),
            (
                Some(7),
                "error the line is not UTF-8 text (invalid byte at column 7)".to_string(),
            ),
            (Some(8), "text {\"d\": 2}".to_string()),
        ];
        assert_eq!(records(text), expected);
    }

    #[test]
    fn long_and_short_lines_alike_are_read_whole() {
        let long = format!("{{\"k\": \"{}\"}}", "x".repeat(5000));
        let text = format!("{long}\n{{}}\n{long}\n{}\n", "[1]".repeat(400));
        let read = records(text.as_bytes());
        let texts: Vec<&str> = read.iter().map(|(_, t)| t.as_str()).collect();
        let expected = [
            format!("text {long}"),
            "text {}".to_string(),
            format!("text {long}"),
            format!("text {}", "[1]".repeat(400)),
        ];
        assert_eq!(texts, expected);
        assert_eq!(line_capacity(0), 256);
        assert_eq!(line_capacity(460), 476);
        assert_eq!(line_capacity(usize::MAX / 2), 64 << 10);
    }

    /// A long line does not make the buffers of the short lines after it
    /// long: each is sized by the line before it, within bounds.
    #[test]
    fn short_lines_after_a_long_one_keep_small_buffers() {
        let long = format!("{{\"k\": \"{}\"}}", "x".repeat(200_000));
        let text = format!("{long}\n{{}}\n{{}}\n");
        let cursor = std::io::Cursor::new(text.into_bytes());
        let lines = JsonLines::new("f".into(), Box::new(std::io::BufReader::new(cursor)));
        let room: Vec<usize> = lines
            .map(|item| match item.case {
                Case::Text(text) => text.capacity(),
                _ => 0,
            })
            .collect();
        assert_eq!(room.len(), 3);
        assert!(room[1] <= 64 << 10 && room[2] <= 256, "{room:?}");
    }
}
