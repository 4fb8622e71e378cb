//! The records of a `.json` file: its one case, or each element of its
//! top-level array.
//!
//! An array is split at its top-level commas by a scanner that follows
//! strings (with their escapes) and brackets without parsing the elements.
//! Each element is parsed when it is evaluated, so an element with a JSON
//! error gets an error record in its place and the elements after it are
//! still read. Only where the scanner cannot go on — a string or a bracket
//! still open at the end of the file — does one error record stand for the
//! rest of the file, saying from which line it could not be read.

use std::collections::VecDeque;

use salvage::decision::output::Source;

use super::item::{Case, Item};

/// The records of a `.json` file read as `bytes` and shown as `file`.
pub fn document(file: String, bytes: Vec<u8>) -> Box<dyn Iterator<Item = Item>> {
    let size = bytes.len() as u64;
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let message = format!(
                "`{file}` is not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            );
            return Box::new(std::iter::once(whole(
                file,
                Case::Unreadable(message),
                size,
            )));
        }
    };
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    };
    let body = text.trim_start();
    let (empty, array) = (body.is_empty(), body.starts_with('['));
    let start = text.len() - body.len();
    if empty {
        Box::new(std::iter::empty())
    } else if array {
        Box::new(JsonArray::new(file, text, start + 1))
    } else {
        Box::new(std::iter::once(whole(file, Case::Text(text), size)))
    }
}

/// The record of a whole file (no line).
fn whole(file: String, case: Case, bytes: u64) -> Item {
    Item {
        source: Source { file, line: None },
        case,
        bytes,
    }
}

/// How the text of one element ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Boundary {
    /// A top-level `,` at this offset: another element follows.
    Comma(usize),
    /// The `]` closing the array, at this offset.
    Close(usize),
    /// The end of the file, outside any string or bracket.
    End,
    /// The end of the file inside a string or bracket: the string at this
    /// offset is not closed on its line (a JSON string holds no raw line
    /// break), so it is where the text went wrong.
    OpenString(usize),
    /// The end of the file inside the bracket opened at this offset (the
    /// outermost one still open), with every string closed on its line.
    OpenBracket(usize),
}

/// Where the element starting at `from` ends. A closing bracket closes the
/// innermost open bracket of its kind (and those opened inside it), so one
/// mismatched bracket does not hide the rest of the array; a `]` with no
/// `[` open is the array's end.
fn boundary(bytes: &[u8], from: usize) -> Boundary {
    let mut open: Vec<(u8, usize)> = Vec::new();
    let mut broken_string = None;
    let mut at = from;
    while let Some(&byte) = bytes.get(at) {
        match byte {
            b'"' => match string_end(bytes, at) {
                Some(end) => {
                    let on_one_line = bytes.get(at..end).is_some_and(|s| !s.contains(&b'\n'));
                    broken_string = broken_string.or((!on_one_line).then_some(at));
                    at = end;
                }
                None => return Boundary::OpenString(broken_string.unwrap_or(at)),
            },
            b'{' => open.push((b'}', at)),
            b'[' => open.push((b']', at)),
            b'}' | b']' => match open.iter().rposition(|(closer, _)| *closer == byte) {
                Some(depth) => open.truncate(depth),
                None if byte == b']' => return Boundary::Close(at),
                None => {}
            },
            b',' if open.is_empty() => return Boundary::Comma(at),
            _ => {}
        }
        at += 1;
    }
    match (broken_string, open.first()) {
        (_, None) => Boundary::End,
        (Some(at), Some(_)) => Boundary::OpenString(at),
        (None, Some(&(_, at))) => Boundary::OpenBracket(at),
    }
}

/// The offset of the `"` that closes the string opened at `start`, `None`
/// when the file ends first.
fn string_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut at = start + 1;
    loop {
        match bytes.get(at)? {
            b'"' => return Some(at),
            b'\\' => at += 2,
            _ => at += 1,
        }
    }
}

/// 1-based lines and columns (in bytes) of offsets that only grow.
struct Lines {
    /// The last offset asked for, its line, and the offset its line starts at.
    at: usize,
    line: u64,
    line_start: usize,
}

impl Lines {
    fn new() -> Lines {
        Lines {
            at: 0,
            line: 1,
            line_start: 0,
        }
    }

    /// The line and column of `offset` in `text`.
    fn of(&mut self, text: &str, offset: usize) -> (u64, u64) {
        let between = text.get(self.at..offset).unwrap_or("");
        for (i, byte) in between.bytes().enumerate() {
            if byte == b'\n' {
                self.line += 1;
                self.line_start = self.at + i + 1;
            }
        }
        self.at = self.at.max(offset);
        let column = offset.saturating_sub(self.line_start) as u64 + 1;
        (self.line, column)
    }
}

/// The elements of a top-level JSON array, split one at a time.
struct JsonArray {
    file: String,
    text: String,
    /// Offset of the next element's text (just after `[` or `,`).
    pos: usize,
    /// Offset up to which bytes were counted in an item's `bytes`.
    counted: usize,
    first: bool,
    done: bool,
    lines: Lines,
    /// Items found but not yet returned.
    ready: VecDeque<Item>,
}

impl JsonArray {
    fn new(file: String, text: String, pos: usize) -> JsonArray {
        JsonArray {
            file,
            text,
            pos,
            counted: 0,
            first: true,
            done: false,
            lines: Lines::new(),
            ready: VecDeque::new(),
        }
    }

    /// Splits off the next element, queueing its record and any error
    /// record that ends the array.
    fn step(&mut self) {
        let start = self.pos;
        let found = boundary(self.text.as_bytes(), start);
        let first = std::mem::replace(&mut self.first, false);
        match found {
            Boundary::Comma(at) => {
                self.element(start, at, "`,`");
                self.pos = at + 1;
            }
            Boundary::Close(at) => {
                self.done = true;
                if !(first && self.blank(start, at)) {
                    self.element(start, at, "`]`");
                }
                self.after_close(at + 1);
            }
            Boundary::End => {
                self.done = true;
                if !self.blank(start, self.text.len()) {
                    self.element(start, self.text.len(), "the end of the file");
                }
                let message = "invalid JSON: the array is not closed with `]`".to_string();
                self.error(self.text.trim_end().len(), message);
            }
            Boundary::OpenString(at) | Boundary::OpenBracket(at) => self.rest_unreadable(start, at),
        }
    }

    fn blank(&self, start: usize, end: usize) -> bool {
        self.text
            .get(start..end)
            .is_none_or(|t| t.trim().is_empty())
    }

    /// The record of the element between `start` and `end` (a separator,
    /// named `before` in the message of an empty element).
    fn element(&mut self, start: usize, end: usize, before: &str) {
        let raw = self.text.get(start..end).unwrap_or("");
        let lead = raw.len() - raw.trim_start().len();
        let text = raw.trim().to_string();
        if text.is_empty() {
            let message = format!("invalid JSON: expected a value before {before}");
            return self.error(end, message);
        }
        let (line, column) = self.lines.of(&self.text, start + lead);
        let case = Case::Element { text, line, column };
        self.push(line, case, end);
    }

    /// After the closing `]` only whitespace may follow.
    fn after_close(&mut self, from: usize) {
        let rest = self.text.get(from..).unwrap_or("");
        let trailing = rest.len() - rest.trim_start().len();
        if !rest.trim().is_empty() {
            let message = "invalid JSON: trailing characters after the array".to_string();
            self.error(from + trailing, message);
        }
    }

    /// One error record for everything from the element at `start` to the
    /// end of the file: the string or bracket opened at `open` is never closed.
    fn rest_unreadable(&mut self, start: usize, open: usize) {
        self.done = true;
        let raw = self.text.get(start..).unwrap_or("");
        let first = start + (raw.len() - raw.trim_start().len());
        let (from, _) = self.lines.of(&self.text, first);
        let (line, column) = self.lines.of(&self.text, open);
        let (last, _) = self.lines.of(&self.text, self.text.trim_end().len());
        let what = match self.text.get(open..=open) {
            Some("\"") | None => "the string".to_string(),
            Some(bracket) => format!("the `{bracket}`"),
        };
        let closed = match what.as_str() {
            "the string" => "is not closed on its line",
            _ => "is never closed",
        };
        let lines = if from == last {
            format!("line {from}")
        } else {
            format!("lines {from} to {last}")
        };
        let message = format!(
            "invalid JSON: cannot read the rest of the file ({lines}): {what} at line {line}, column {column} {closed}"
        );
        self.push(from, Case::Unreadable(message), self.text.len());
    }

    /// An error record at the line of `offset`.
    fn error(&mut self, offset: usize, message: String) {
        let (line, _) = self.lines.of(&self.text, offset);
        self.push(line, Case::Unreadable(message), offset);
    }

    /// Queues a record at `line` that read the input up to `end`.
    fn push(&mut self, line: u64, case: Case, end: usize) {
        let end = end.max(self.counted);
        let bytes = (end - self.counted) as u64;
        self.counted = end;
        self.ready.push_back(Item {
            source: Source {
                file: self.file.clone(),
                line: Some(line),
            },
            case,
            bytes,
        });
    }
}

impl Iterator for JsonArray {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        while self.ready.is_empty() && !self.done {
            self.step();
        }
        self.ready.pop_front()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ends(text: &str) -> Vec<Boundary> {
        let bytes = text.as_bytes();
        let mut found = Vec::new();
        let mut from = 1;
        loop {
            let end = boundary(bytes, from);
            found.push(end);
            match end {
                Boundary::Comma(at) => from = at + 1,
                _ => return found,
            }
        }
    }

    #[test]
    fn commas_inside_strings_and_brackets_do_not_split() {
        let text = r#"[{"a": "x,]\"y", "b": [1, 2]}, 3]"#;
        assert_eq!(ends(text), [Boundary::Comma(29), Boundary::Close(32)]);
    }

    #[test]
    fn a_mismatched_bracket_closes_the_innermost_of_its_kind() {
        let text = r#"[{"a": [1, 2}, 3]"#;
        assert_eq!(ends(text), [Boundary::Comma(13), Boundary::Close(16)]);
    }

    #[test]
    fn the_end_of_the_file_inside_a_string_or_bracket_is_told() {
        assert_eq!(
            ends(r#"[1, "ab"#),
            [Boundary::Comma(2), Boundary::OpenString(4)]
        );
        assert_eq!(
            ends(r#"[1, {"a": 1"#),
            [Boundary::Comma(2), Boundary::OpenBracket(4)]
        );
        assert_eq!(ends("[1, 2"), [Boundary::Comma(2), Boundary::End]);
    }

    #[test]
    fn a_string_broken_across_lines_is_blamed_rather_than_the_last_one() {
        let text = "[1, {\"a\": \"x\n}, {\"b\": 2}]";
        assert_eq!(ends(text), [Boundary::Comma(2), Boundary::OpenString(10)]);
    }

    #[test]
    fn an_escaped_backslash_ends_before_the_quote() {
        assert_eq!(
            ends(r#"["a\\", 1]"#),
            [Boundary::Comma(6), Boundary::Close(9)]
        );
    }

    #[test]
    fn lines_and_columns_count_on_from_the_last_offset() {
        let text = "ab\ncd\n\nef";
        let mut lines = Lines::new();
        assert_eq!(lines.of(text, 1), (1, 2));
        assert_eq!(lines.of(text, 4), (2, 2));
        assert_eq!(lines.of(text, 7), (4, 1));
    }
}
