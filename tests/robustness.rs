//! Robustness of the front end: `salvage::check_source` must return a report
//! (diagnostics, or none) for any text at all, and never panic, overflow its
//! stack or hang.
//!
//! Every test runs its body in a child process (this test binary, run again
//! on that one test): a stack overflow aborts a process and cannot be caught,
//! so without the child one overflow would take every other test down with
//! it. The parent reports how the child ended, with the tail of its stderr,
//! and kills it after a time limit. A child writes each input to
//! `$TMPDIR/salvage-robustness/<test>.salv` before checking it, so the input
//! that crashed is on disk afterwards.
//!
//! The property tests use a fixed seed per test so that CI is reproducible.
//! To explore further: `PROPTEST_RNG_SEED=<n>` picks another seed,
//! `PROPTEST_CASES=<n>` runs more cases, `SALVAGE_TRUNCATE_STEP=1` truncates
//! the protocol at every character.
//!
//! Speed is measured by `cargo bench --bench check`, never here: the time
//! limit on a child only catches hangs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{TestCaseError, TestRunner};
use salvage::diag::{render, Code, Severity};
use salvage::span::FileId;
use salvage::CheckReport;

/// The real protocol, with its import (not followed by `check_source`).
const PROTOCOL: &str = include_str!("../protocols/dlbcl-second-line.salv");
/// The vocabulary it imports.
const VOCABULARY: &str = include_str!("../protocols/common/lymphoma-agents.salv");
const IMPORT_LINE: &str = "import \"common/lymphoma-agents.salv\"";

/// A header and case schema for the synthetic inputs below.
const HEADER: &str = r#"protocol "Robustness" {
  version "1"
  institution "Test"
  status approved
  effective 2026-01-01
  cite src "A source"
}
case {
  x: bool
  n: int 0..100
  crcl: series mL/min
}
"#;

/// The protocol with its import replaced by the vocabulary, so that it
/// checks on its own and mutations reach the checker's deeper paths.
fn inlined() -> String {
    PROTOCOL.replace(IMPORT_LINE, VOCABULARY)
}

// ---------------------------------------------------------------------------
// The oracle

/// Checks `text` as `check_source` does for the CLI, renders the report as
/// text and JSON (as `salvage check` does), and asserts what must hold for
/// any input: every label lies inside the text, on character boundaries.
/// A panic anywhere in here is a bug in `src/`.
fn robust(text: &str) -> CheckReport {
    record_input(text);
    let report = salvage::check_source("robust.salv", text);
    for diagnostic in &report.diagnostics {
        let labels = std::iter::once(&diagnostic.primary).chain(&diagnostic.secondary);
        for label in labels {
            let span = label.span;
            let (start, end) = (span.start as usize, span.end as usize);
            assert_eq!(
                span.file,
                FileId(0),
                "{diagnostic:?}: a label in an unknown file"
            );
            assert!(
                start <= end && end <= text.len(),
                "{:?} {}: label {start}..{end} outside the text (length {})",
                diagnostic.code,
                diagnostic.message,
                text.len()
            );
            assert!(
                text.is_char_boundary(start) && text.is_char_boundary(end),
                "{:?} {}: label {start}..{end} splits a character",
                diagnostic.code,
                diagnostic.message
            );
        }
    }
    let rendered = render::to_text(&report.diagnostics, &report.sources, false);
    assert_eq!(rendered.is_empty(), report.diagnostics.is_empty());
    let json = render::to_json(&report.diagnostics, &report.sources);
    assert_eq!(
        json.as_array().map(Vec::len),
        Some(report.diagnostics.len())
    );
    report
}

/// The codes of a report's errors.
fn error_codes(report: &CheckReport) -> Vec<Code> {
    report
        .diagnostics
        .iter()
        .filter(|d| d.severity() == Severity::Error)
        .map(|d| d.code)
        .collect()
}

/// Asserts that the report has an error with this code.
fn assert_error(report: &CheckReport, code: Code) {
    let codes = error_codes(report);
    assert!(
        codes.contains(&code),
        "expected an error {code:?}, found {codes:?}: {:#?}",
        report.diagnostics.iter().take(3).collect::<Vec<_>>()
    );
}

/// Checks `text`, prints how long it took, and returns the report.
fn timed(label: &str, text: &str) -> CheckReport {
    let start = Instant::now();
    let report = robust(text);
    eprintln!(
        "{label}: {} bytes checked in {:.2?}, {} diagnostics (errors {:?})",
        text.len(),
        start.elapsed(),
        report.diagnostics.len(),
        first_codes(&report)
    );
    report
}

fn first_codes(report: &CheckReport) -> Vec<Code> {
    let mut codes = error_codes(report);
    codes.dedup();
    codes.truncate(5);
    codes
}

// ---------------------------------------------------------------------------
// Running each test in a child process

/// Set in a child to the name of the one test it runs.
const CHILD: &str = "SALVAGE_ROBUSTNESS_CHILD";

/// How long a child may run before it counts as hung.
const CHILD_LIMIT: Duration = if cfg!(debug_assertions) {
    Duration::from_secs(600)
} else {
    Duration::from_secs(120)
};

/// Runs `body` in a child process: in the child, runs it; in the parent,
/// starts the child and fails if it fails, crashes or hangs.
fn isolated(name: &str, body: impl FnOnce()) {
    if std::env::var(CHILD).as_deref() == Ok(name) {
        body();
        return;
    }
    let exe = std::env::current_exe().unwrap();
    let mut child = Command::new(exe)
        .args([
            name,
            "--exact",
            "--nocapture",
            "--test-threads=1",
            "--include-ignored",
        ])
        .env(CHILD, name)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = drain(child.stdout.take().unwrap());
    let stderr = drain(child.stderr.take().unwrap());
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if start.elapsed() > CHILD_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = stdout.join().unwrap();
    let stderr = stderr.join().unwrap();
    // Pass the child's own report (timings) on to the parent's output.
    for line in stderr.lines().filter(|l| l.starts_with("[robust]")) {
        eprintln!("{line}");
    }
    eprintln!("[robust] `{name}` took {:.1?}", start.elapsed());
    let tail = tail(&stderr, 6000);
    let input = input_path(name);
    match status {
        None => panic!(
            "`{name}` did not finish within {CHILD_LIMIT:?} (a hang?); its last input is in {}\n{tail}",
            input.display()
        ),
        Some(status) if !status.success() => panic!(
            "`{name}` failed ({}); its last input is in {}\n--- stderr (tail) ---\n{tail}",
            describe_exit(status),
            input.display()
        ),
        Some(_) => assert!(
            stdout.contains("1 passed"),
            "the child for `{name}` did not run it:\n{stdout}"
        ),
    }
}

fn drain(mut from: impl Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = from.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

fn tail(text: &str, max: usize) -> &str {
    let mut at = text.len().saturating_sub(max);
    while !text.is_char_boundary(at) {
        at += 1;
    }
    &text[at..]
}

#[cfg(unix)]
fn describe_exit(status: std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match status.signal() {
        Some(6) => "killed by SIGABRT: a stack overflow or an abort".to_string(),
        Some(11) => "killed by SIGSEGV".to_string(),
        Some(signal) => format!("killed by signal {signal}"),
        None => format!("exit status {status}"),
    }
}

#[cfg(not(unix))]
fn describe_exit(status: std::process::ExitStatus) -> String {
    format!("exit status {status}")
}

/// Where a child writes the input it is about to check.
fn input_path(name: &str) -> PathBuf {
    std::env::temp_dir()
        .join("salvage-robustness")
        .join(format!("{name}.salv"))
}

/// In a child, writes `text` where the parent will point to it.
fn record_input(text: &str) {
    if let Ok(name) = std::env::var(CHILD) {
        let path = input_path(&name);
        if let Some(folder) = path.parent() {
            let _ = std::fs::create_dir_all(folder);
        }
        let _ = std::fs::write(path, text);
    }
}

/// `#[test]` functions whose body runs in a child process.
macro_rules! robust_test {
    ($($(#[$meta:meta])* fn $name:ident() $body:block)*) => {$(
        $(#[$meta])*
        #[test]
        fn $name() {
            isolated(stringify!($name), || $body)
        }
    )*};
}

// ---------------------------------------------------------------------------
// Property tests

/// Whether to run at full size: `SALVAGE_ROBUSTNESS_FULL=1`, or a release
/// build. The default sizes keep the whole file at about a minute of CPU in
/// a debug build; the full ones take many minutes.
fn full() -> bool {
    cfg!(not(debug_assertions)) || std::env::var("SALVAGE_ROBUSTNESS_FULL").is_ok_and(|v| v == "1")
}

/// `quick` by default, `full` at full size.
fn scale<T>(quick: T, full_size: T) -> T {
    if full() {
        full_size
    } else {
        quick
    }
}

/// The shared runner, shrinking at most 2,000 steps.
fn runner(cases: u32, seed: u64) -> TestRunner {
    common::property::runner(cases, seed, 2000)
}

/// Runs a property; a failure panics with the smallest failing value.
fn property<S: Strategy>(cases: u32, seed: u64, strategy: S, test: impl Fn(S::Value) -> String)
where
    S::Value: std::fmt::Debug,
{
    let mut runner = runner(cases, seed);
    let started = Instant::now();
    let result = runner.run(&strategy, |value| {
        let text = test(value);
        let _ = robust(&text);
        Ok::<(), TestCaseError>(())
    });
    eprintln!(
        "[robust] property: {cases} cases in {:.1?}",
        started.elapsed()
    );
    if let Err(error) = result {
        panic!("{error}");
    }
}

/// Characters worth inserting: every bracket, quote and operator, the
/// characters that end or start lexical items, and some multi-byte ones.
const INTERESTING: &[char] = &[
    '(',
    ')',
    '{',
    '}',
    '[',
    ']',
    '"',
    '`',
    '\\',
    '/',
    '*',
    '+',
    '-',
    '=',
    '<',
    '>',
    '!',
    '?',
    '.',
    ',',
    ':',
    '|',
    '%',
    '^',
    '_',
    '#',
    '\n',
    '\r',
    '\t',
    ' ',
    '\0',
    '0',
    '9',
    'a',
    'Z',
    'µ',
    'μ',
    'é',
    '·',
    '\u{FEFF}',
    '\u{2028}',
    '\u{202E}',
    '\u{301}',
    '😀',
    '\u{10FFFF}',
];

fn interesting_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => proptest::sample::select(INTERESTING),
        1 => any::<char>(),
    ]
}

/// Words worth inserting whole: keywords and the pieces of two-part words.
const WORDS: &[&str] = &[
    "not ",
    " and ",
    " or ",
    "rule ",
    "define ",
    "when ",
    "then ",
    "stop ",
    "if ",
    "else ",
    "match ",
    "within ",
    "recommend ",
    "avoid ",
    "each ",
    "where ",
    "in ",
    "is ",
    "none",
    "unknown",
    "\"",
    "//",
    "..",
    "==",
    "=>",
    "?",
    "`",
    "last line",
    "prior lines",
    "latest ",
    "relapse after ",
    "refractory to ",
    "mL/min",
    "months",
    "2026-02-30",
    "0.",
    "1e9",
    "99999999999999999999999999999999",
    "-",
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    "[]",
    "section ",
    "test ",
    "given ",
    "{\"a\": [",
    "expect ",
    "as_of ",
    "rank 0 ",
    "rank 4294967296 ",
];

#[derive(Debug, Clone)]
enum CharEdit {
    Delete(Index),
    Insert(Index, char),
    Replace(Index, char),
    InsertWord(Index, &'static str),
}

fn char_edit() -> impl Strategy<Value = CharEdit> {
    prop_oneof![
        any::<Index>().prop_map(CharEdit::Delete),
        (any::<Index>(), interesting_char()).prop_map(|(i, c)| CharEdit::Insert(i, c)),
        (any::<Index>(), interesting_char()).prop_map(|(i, c)| CharEdit::Replace(i, c)),
        (any::<Index>(), proptest::sample::select(WORDS))
            .prop_map(|(i, w)| CharEdit::InsertWord(i, w)),
    ]
}

/// Applies one edit at a character position.
fn apply_char_edit(text: &mut String, edit: &CharEdit) {
    let boundaries: usize = text.chars().count() + 1;
    let at = |index: &Index| {
        let nth = index.index(boundaries);
        text.char_indices()
            .nth(nth)
            .map_or(text.len(), |(at, _)| at)
    };
    match edit {
        CharEdit::Delete(i) => {
            let at = at(i);
            if at < text.len() {
                text.remove(at);
            }
        }
        CharEdit::Insert(i, c) => {
            let at = at(i);
            text.insert(at, *c);
        }
        CharEdit::Replace(i, c) => {
            let at = at(i);
            if at < text.len() {
                text.remove(at);
            }
            text.insert(at, *c);
        }
        CharEdit::InsertWord(i, w) => {
            let at = at(i);
            text.insert_str(at, w);
        }
    }
}

#[derive(Debug, Clone)]
enum ByteEdit {
    Delete(Index),
    Insert(Index, u8),
    Replace(Index, u8),
    FlipBit(Index, u8),
}

fn byte_edit() -> impl Strategy<Value = ByteEdit> {
    prop_oneof![
        any::<Index>().prop_map(ByteEdit::Delete),
        (any::<Index>(), any::<u8>()).prop_map(|(i, b)| ByteEdit::Insert(i, b)),
        (any::<Index>(), any::<u8>()).prop_map(|(i, b)| ByteEdit::Replace(i, b)),
        (any::<Index>(), 0u8..8).prop_map(|(i, b)| ByteEdit::FlipBit(i, b)),
    ]
}

fn apply_byte_edit(bytes: &mut Vec<u8>, edit: &ByteEdit) {
    let len = bytes.len();
    match edit {
        ByteEdit::Delete(i) if len > 0 => {
            bytes.remove(i.index(len));
        }
        ByteEdit::Insert(i, b) => bytes.insert(i.index(len + 1), *b),
        ByteEdit::Replace(i, b) if len > 0 => bytes[i.index(len)] = *b,
        ByteEdit::FlipBit(i, bit) if len > 0 => bytes[i.index(len)] ^= 1 << bit,
        _ => {}
    }
}

// ---------------------------------------------------------------------------
// Tokens, for shuffles

/// A token with the whitespace written before it.
#[derive(Debug, Clone)]
struct Token<'a> {
    before: &'a str,
    text: &'a str,
}

/// Splits a protocol into tokens (comments dropped, whitespace kept with the
/// token after it): strings, backticked names, words (letters, digits, `_`,
/// `-`, and a `.` between digits), two-character operators, single characters.
fn tokenize(text: &str) -> Vec<Token<'_>> {
    let mut tokens = Vec::new();
    let mut at = 0;
    let mut space_from = 0;
    let is_word = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
    while at < text.len() {
        let rest = &text[at..];
        let c = rest.chars().next().unwrap_or(' ');
        if c.is_whitespace() {
            at += c.len_utf8();
            continue;
        }
        if rest.starts_with("//") {
            at += rest.find('\n').unwrap_or(rest.len());
            continue;
        }
        let len = if c == '"' {
            let mut escaped = false;
            let mut end = rest.len();
            for (i, ch) in rest.char_indices().skip(1) {
                match ch {
                    '\\' if !escaped => escaped = true,
                    '"' | '\n' if !escaped => {
                        end = i + ch.len_utf8();
                        break;
                    }
                    _ => escaped = false,
                }
            }
            end
        } else if c == '`' {
            rest[1..].find('`').map_or(rest.len(), |i| i + 2)
        } else if is_word(c) {
            let mut end = 0;
            let mut previous = ' ';
            let mut chars = rest.char_indices().peekable();
            while let Some((i, ch)) = chars.next() {
                let next_digit = chars.peek().is_some_and(|(_, n)| n.is_ascii_digit());
                if is_word(ch) || (ch == '.' && previous.is_ascii_digit() && next_digit) {
                    end = i + ch.len_utf8();
                    previous = ch;
                } else {
                    break;
                }
            }
            end
        } else if ["<=", ">=", "!=", "==", "=>", "..", "[]"]
            .iter()
            .any(|op| rest.starts_with(op))
        {
            2
        } else {
            c.len_utf8()
        };
        tokens.push(Token {
            before: &text[space_from..at],
            text: &rest[..len],
        });
        at += len;
        space_from = at;
    }
    tokens
}

fn join(tokens: &[Token<'_>]) -> String {
    let mut out = String::new();
    for token in tokens {
        // A token whose original space was a comment keeps a newline.
        let space = if token.before.contains("//") {
            "\n"
        } else {
            token.before
        };
        out.push_str(space);
        out.push_str(token.text);
    }
    out
}

#[derive(Debug, Clone)]
enum TokenEdit {
    /// Swaps two tokens' texts (the whitespace stays in place).
    Swap(Index, Index),
    /// Shuffles the texts of a window of tokens.
    ShuffleWindow(Index, usize, u64),
    /// Reverses a window.
    Reverse(Index, usize),
    /// Repeats a run of tokens right after itself.
    Duplicate(Index, usize),
    /// Deletes a run of tokens.
    Delete(Index, usize),
    /// Moves one token elsewhere.
    Move(Index, Index),
}

fn token_edit() -> impl Strategy<Value = TokenEdit> {
    prop_oneof![
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| TokenEdit::Swap(a, b)),
        (any::<Index>(), 2usize..16, any::<u64>())
            .prop_map(|(a, n, s)| TokenEdit::ShuffleWindow(a, n, s)),
        (any::<Index>(), 2usize..16).prop_map(|(a, n)| TokenEdit::Reverse(a, n)),
        (any::<Index>(), 1usize..24).prop_map(|(a, n)| TokenEdit::Duplicate(a, n)),
        (any::<Index>(), 1usize..24).prop_map(|(a, n)| TokenEdit::Delete(a, n)),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| TokenEdit::Move(a, b)),
    ]
}

fn apply_token_edit<'a>(tokens: &mut Vec<Token<'a>>, edit: &TokenEdit) {
    let len = tokens.len();
    if len == 0 {
        return;
    }
    let window = |a: &Index, n: usize| {
        let start = a.index(len);
        start..(start + n).min(len)
    };
    match edit {
        TokenEdit::Swap(a, b) => {
            let (a, b) = (a.index(len), b.index(len));
            let text = tokens[a].text;
            tokens[a].text = tokens[b].text;
            tokens[b].text = text;
        }
        TokenEdit::ShuffleWindow(a, n, seed) => shuffle(tokens, window(a, *n), *seed),
        TokenEdit::Reverse(a, n) => {
            let range = window(a, *n);
            let mut texts: Vec<&str> = tokens[range.clone()].iter().map(|t| t.text).collect();
            texts.reverse();
            for (token, text) in tokens[range].iter_mut().zip(texts) {
                token.text = text;
            }
        }
        TokenEdit::Duplicate(a, n) => {
            let range = window(a, *n);
            let copy: Vec<Token<'a>> = tokens[range.clone()].to_vec();
            let end = range.end;
            tokens.splice(end..end, copy);
        }
        TokenEdit::Delete(a, n) => {
            let range = window(a, *n);
            tokens.drain(range);
        }
        TokenEdit::Move(a, b) => {
            let token = tokens.remove(a.index(len));
            let to = b.index(tokens.len() + 1);
            tokens.insert(to, token);
        }
    }
}

/// Shuffles the texts of `tokens[range]` (the whitespace stays in place)
/// with a small Fisher-Yates driven by `seed`.
fn shuffle(tokens: &mut [Token<'_>], range: std::ops::Range<usize>, seed: u64) {
    let mut texts: Vec<&str> = tokens[range.clone()].iter().map(|t| t.text).collect();
    let mut state = seed | 1;
    for i in (1..texts.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        texts.swap(i, (state % (i as u64 + 1)) as usize);
    }
    for (token, text) in tokens[range].iter_mut().zip(texts) {
        token.text = text;
    }
}

/// The protocol's top-level items (each from a line starting with a
/// top-level word to the next), for shuffles at the level of items.
fn items(text: &str) -> Vec<String> {
    const TOP: &[&str] = &[
        "protocol", "import", "agent", "regimen", "enum", "reasons", "record", "case", "unit",
        "define", "rule", "section", "report", "test",
    ];
    let mut out: Vec<String> = Vec::new();
    for line in text.split_inclusive('\n') {
        let first = line.split_whitespace().next().unwrap_or("");
        let starts = !line.starts_with(char::is_whitespace) && TOP.contains(&first);
        match out.last_mut() {
            Some(last) if !starts => last.push_str(line),
            _ => out.push(line.to_string()),
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Generated inputs

/// `n` valid rules with distinct names after a header, each reading a
/// define and two fields and flagging with a message, with `pad` bytes of
/// plain words in its title and in its message. With `pad` = 0 a rule is
/// about 180 bytes; with `pad` = 5,000, 1,000 rules make 10 MB that parses
/// fast, since most of it is string contents.
fn many_rules(n: usize, pad: usize) -> String {
    let words = "a title long enough to read like a real one, ".repeat(pad / 45 + 1);
    let words = &words[..pad];
    let mut text = String::with_capacity(n * (180 + 2 * pad) + 1000);
    text.push_str(HEADER);
    text.push_str("define low = n <= 10\n");
    for i in 0..n {
        text.push_str(&format!(
            "rule r{i} \"Rule number {i}, generated: {words}\"\n  \
             when low and x and n >= {}\n  then flag f{i} \"Message {i}: {words}\" cite [src]\n",
            i % 100
        ));
    }
    text
}

/// A rule whose condition is `open` × n, then `x`, then `close` × n.
fn nested_condition(open: &str, close: &str, n: usize) -> String {
    format!(
        "{HEADER}rule deep when {}x{} then flag deep \"deep\"\n",
        open.repeat(n),
        close.repeat(n)
    )
}

/// A test block whose `given` is a JSON array nested `n` deep.
fn deep_given(n: usize) -> String {
    format!(
        "{HEADER}rule r when x then flag f \"f\"\ntest \"deep\" {{\n  as_of 2026-02-01\n  \
         given {{\"x\": true, \"n\": 1, \"crcl\": [], \"deep\": {}{}}}\n  expect status recommended\n}}\n",
        "[".repeat(n),
        "]".repeat(n)
    )
}

// ===========================================================================
// The tests

robust_test! {
    /// The protocol itself checks (as is, and with its import inlined), so
    /// the inputs below start from something valid.
    fn protocol_checks() {
        let report = timed("[robust] protocol", PROTOCOL);
        assert_error(&report, Code::S0201);
        let report = timed("[robust] protocol, import inlined", &inlined());
        assert!(!report.has_errors(), "{:#?}", report.diagnostics);
    }

    /// Random bytes, read as UTF-8 with replacement characters.
    fn random_bytes() {
        let bytes = proptest::collection::vec(any::<u8>(), 0..4000);
        property(scale(128, 2000), 1, bytes, |bytes| String::from_utf8_lossy(&bytes).into_owned());
    }

    /// Random ASCII, control characters included.
    fn random_ascii() {
        let ascii = proptest::collection::vec(0u8..128, 0..4000);
        property(scale(128, 2000), 2, ascii, |bytes| bytes.into_iter().map(char::from).collect());
    }

    /// Random sequences of the protocol's own tokens and the language's
    /// words, after the header half of the time: more of them get past the
    /// first token than random text does.
    fn token_soup() {
        let text = inlined();
        let mut vocabulary: Vec<String> =
            tokenize(&text).iter().map(|t| t.text.to_string()).collect();
        vocabulary.extend(WORDS.iter().map(|w| w.trim().to_string()));
        vocabulary.sort();
        vocabulary.dedup();
        let strategy = (
            any::<bool>(),
            proptest::collection::vec((any::<Index>(), 0u8..8), 0..400),
        );
        property(scale(128, 2000), 3, strategy, move |(header, picks)| {
            let mut out = if header { HEADER.to_string() } else { String::new() };
            for (pick, space) in picks {
                out.push_str(&vocabulary[pick.index(vocabulary.len())]);
                out.push_str(match space {
                    0 => "",
                    1 => "\n",
                    _ => " ",
                });
            }
            out
        });
    }

    /// The protocol cut off after every STEP-th byte (moved forward to a
    /// character boundary), and with its first bytes cut off at every
    /// 10 × STEP-th. STEP is 7 at full size, 137 by default (a check of the
    /// protocol takes about 40 ms in a debug build), or
    /// `SALVAGE_TRUNCATE_STEP`.
    fn truncations() {
        let step: usize = std::env::var("SALVAGE_TRUNCATE_STEP")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(scale(137, 7))
            .max(1);
        let text = PROTOCOL;
        let started = Instant::now();
        let mut checked = 0;
        let boundary = |mut at: usize| {
            while !text.is_char_boundary(at) {
                at += 1;
            }
            at
        };
        for at in (0..=text.len()).step_by(step).map(boundary) {
            let _ = robust(&text[..at]);
            checked += 1;
        }
        for at in (0..=text.len()).step_by(step * 10).map(boundary) {
            let _ = robust(&text[at..]);
            checked += 1;
        }
        eprintln!(
            "[robust] truncations: {checked} prefixes and suffixes (step {step}) in {:.1?}",
            started.elapsed()
        );
    }

    /// One to three character edits (delete, insert, replace, insert a
    /// keyword) of the protocol with its vocabulary inlined.
    fn char_mutations() {
        let text = inlined();
        let edits = proptest::collection::vec(char_edit(), 1..4);
        property(scale(64, 3000), 4, edits, move |edits| {
            let mut text = text.clone();
            for edit in &edits {
                apply_char_edit(&mut text, edit);
            }
            text
        });
    }

    /// One or two byte edits of the protocol, read back as UTF-8 with
    /// replacement characters.
    fn byte_mutations() {
        let edits = proptest::collection::vec(byte_edit(), 1..3);
        property(scale(48, 1000), 5, edits, |edits| {
            let mut bytes = PROTOCOL.as_bytes().to_vec();
            for edit in &edits {
                apply_byte_edit(&mut bytes, edit);
            }
            String::from_utf8_lossy(&bytes).into_owned()
        });
    }

    /// Token swaps, moves, window shuffles and reversals, duplicated and
    /// deleted runs, on the protocol with its vocabulary inlined.
    fn token_shuffles() {
        let text = inlined();
        let edits = proptest::collection::vec(token_edit(), 1..5);
        property(scale(64, 2000), 6, edits, move |edits| {
            let mut tokens = tokenize(&text);
            for edit in &edits {
                apply_token_edit(&mut tokens, edit);
            }
            join(&tokens)
        });
    }

    /// The whole protocol's tokens in a random order.
    fn full_token_shuffle() {
        let text = inlined();
        property(scale(16, 200), 7, any::<u64>(), move |seed| {
            let mut tokens = tokenize(&text);
            let len = tokens.len();
            shuffle(&mut tokens, 0..len, seed);
            join(&tokens)
        });
    }

    /// The protocol's top-level items, some dropped, some repeated, in a
    /// random order: use before declaration, duplicates, a missing header
    /// or case schema.
    fn item_shuffles() {
        let parts = items(&inlined());
        let picks = proptest::collection::vec(any::<Index>(), 0..80);
        property(scale(32, 500), 8, picks, move |picks| {
            picks.iter().map(|p| parts[p.index(parts.len())].as_str()).collect()
        });
    }

    /// 10,000 parentheses around a rule's condition: S0002, not a crash.
    fn nested_parens_10k() {
        let report = timed("[robust] 10,000 parentheses", &nested_condition("(", ")", 10_000));
        assert_error(&report, Code::S0002);
    }

    /// The same, unclosed.
    fn unclosed_parens_10k() {
        let report = timed("[robust] 10,000 open parentheses", &nested_condition("(", "", 10_000));
        assert_error(&report, Code::S0002);
    }

    /// 10,000 `not`s before a name (over the 20,000-part limit: S0002).
    fn not_chain_10k() {
        let report = timed("[robust] not × 10,000", &nested_condition("not ", "", 10_000));
        assert_error(&report, Code::S0002);
    }

    /// As many `not`s and unary minuses as the expression limit allows.
    fn prefix_chains_near_the_limit() {
        let _ = timed("[robust] not × 9,000", &nested_condition("not ", "", 9_000));
        let text = format!("{HEADER}define d = {}1\nrule r when d < n then flag f \"f\"\n", "- ".repeat(9_000));
        let _ = timed("[robust] - × 9,000", &text);
    }

    /// `a + a + …` with 100,000 terms: S0002 (too large), not a crash. The
    /// slowest test here: pest parses the whole chain before the limit is
    /// applied (about 17 s in a debug build).
    fn plus_chain_100k() {
        let text = format!(
            "{HEADER}define a = 1\ndefine d = a{}\nrule r when d > 0 then flag f \"f\"\n",
            " + a".repeat(99_999)
        );
        let report = timed("[robust] a + a + … (100,000 terms)", &text);
        assert_error(&report, Code::S0002);
    }

    /// Left-deep chains of the other binary operators and postfixes, under
    /// the expression limit, and one over it.
    fn operator_chains() {
        let n = scale(2_000, 6_000);
        // `<` and `|` give one diagnostic per operand, each showing the whole
        // line: kept shorter, since rendering is quadratic in the line length.
        let m = scale(500, 6_000);
        for (label, first, each, n) in [
            ("and", "x", " and x", n),
            ("or", "x", " or x", n),
            ("not x and …", "x", " and not x", n),
            ("*", "n", " * n", n),
            ("otherwise", "n", " otherwise n", n),
            ("field", "x", ".a", n),
            ("is none", "n", " is none", n),
            ("missing as", "n", " missing as \"n\"", n),
            ("<", "n", " < n", m),
            ("| union", "x", " | x", m),
        ] {
            let text = format!("{HEADER}rule r when {first}{} then flag f \"f\"\n", each.repeat(n));
            let _ = timed(&format!("[robust] {label} × {n}"), &text);
        }
        let over = format!("{HEADER}rule r when x{} then flag f \"f\"\n", " and x".repeat(7_000));
        let report = timed("[robust] and × 7,000", &over);
        assert_error(&report, Code::S0002);
    }

    /// Right-nested expressions written without brackets: `if … then if …`,
    /// quantifiers inside quantifiers, `years from` inside `years from`; under
    /// the expression limit, and over it.
    fn nesting_without_brackets() {
        for (label, open, close, n) in [
            ("if-then-else", "if x then ", " else x", scale(800, 2_500)),
            ("else if", "if x then x else ", "", scale(800, 3_000)),
            ("any … where", "any y in [x] where ", "", scale(800, 2_500)),
            ("years from", "years from 2020-01-01 to ", "", scale(300, 3_000)),
        ] {
            let _ = timed(&format!("[robust] {label} × {n}"), &nested_condition(open, close, n));
        }
        let over = nested_condition("any y in [x] where ", "", 4_000);
        let report = timed("[robust] any … where × 4,000", &over);
        assert_error(&report, Code::S0002);
    }

    /// 10,000 nested sets `{{{…}}}`, closed and unclosed, and 100,000 `{`
    /// at the top level: S0002.
    fn nested_sets_10k() {
        let report = timed("[robust] {{{…}}} × 10,000", &nested_condition("x in {", "}", 10_000));
        assert_error(&report, Code::S0002);
        let report = timed("[robust] { × 10,000, unclosed", &nested_condition("{", "", 10_000));
        assert_error(&report, Code::S0002);
        let text = format!("{HEADER}{}", "{".repeat(100_000));
        let report = timed("[robust] { × 100,000 at top level", &text);
        assert_error(&report, Code::S0002);
    }

    /// Every kind of bracket nested just under the limit (128) and just
    /// over: parentheses, sets, lists, calls, indexes, quantifiers in
    /// parentheses, sections, parenthesised types, `given` arrays.
    fn brackets_at_the_limit() {
        for n in [127, 128, 129] {
            for (label, open, close) in [
                ("()", "(", ")"),
                ("{}", "x in {", "}"),
                ("[]", "[x, ", "]"),
                ("call", "f(", ")"),
                ("index", "crcl[", "]"),
                ("quantifier", "any y in [x] where (", ")"),
            ] {
                let report = timed(&format!("[robust] {label} × {n}"), &nested_condition(open, close, n));
                if n > 128 {
                    assert_error(&report, Code::S0002);
                }
            }
            let sections = format!(
                "{HEADER}{}rule r when x then flag f \"f\"\n{}",
                "section \"s\" when x {\n".repeat(n),
                "}\n".repeat(n)
            );
            let _ = timed(&format!("[robust] sections × {n}"), &sections);
            let types = format!("{HEADER}record R {{ f: {}int{} }}\n", "(".repeat(n), ")?".repeat(n));
            let _ = timed(&format!("[robust] (type)? × {n}"), &types);
            let _ = timed(&format!("[robust] given [] × {n}"), &deep_given(n));
        }
    }

    /// Comprehensions nested in a comprehension's collection, with an
    /// unknown name innermost: one S0101, in time linear in the depth.
    fn nested_comprehensions() {
        for n in [3, 10, 20, 40, 127] {
            for (open, close) in [("[y in ", "]"), ("[y in ", " where true]")] {
                let text = format!(
                    "{HEADER}rule deep when n in {}nope{} then flag deep \"deep\"\n",
                    open.repeat(n),
                    close.repeat(n)
                );
                let report = timed(&format!("[robust] {open}…{close} × {n}"), &text);
                let unknown = report.diagnostics.iter().filter(|d| d.code == Code::S0101).count();
                assert_eq!(unknown, 1, "`nope` reported {unknown} times at depth {n}");
            }
        }
    }

    /// A `given` JSON nested 10,000 deep in a test block: S0002.
    fn deep_given_json_10k() {
        let report = timed("[robust] given nested 10,000 deep", &deep_given(10_000));
        assert_error(&report, Code::S0002);
        let objects = format!(
            "{HEADER}test \"deep\" {{\n  as_of 2026-02-01\n  given {}1{}\n}}\n",
            "{\"a\": ".repeat(10_000),
            "}".repeat(10_000)
        );
        let report = timed("[robust] given objects nested 10,000 deep", &objects);
        assert_error(&report, Code::S0002);
    }

    /// A `given` JSON error inside a character of two or more bytes (an
    /// escape `\é`, a `\` before a replacement character): S0318, its
    /// label on the whole character. Found by the `check_protocol` fuzz
    /// target, whose input is the second text.
    fn given_json_error_inside_a_character() {
        let escape = format!(
            "{HEADER}test \"t\" {{\n  as_of 2026-02-01\n  given {{\"note\": \"seen\\é\"}}\n}}\n"
        );
        let report = robust(&escape);
        assert_error(&report, Code::S0318);
        let s0318 = report.diagnostics.iter().find(|d| d.code == Code::S0318);
        let label = s0318.map(|d| (d.primary.span.start as usize, d.primary.span.end as usize));
        let at = escape.find('é').map(|at| (at, at + 'é'.len_utf8()));
        assert_eq!(label, at, "the label covers the whole character");
        let found: &[u8] = b"// expec age: int years, note_\xff\xff\xff\xff\xfftext: text }\n\nrule \
            r when age > 18 years then recommend R-mono\n\ntest \"adult\" {\n  as\
            _of 4052-02-01\n  given {\"age\": 40, \"note_t\xc2\xb5ext\": \"s\x9b\x9a\
            \x91/\xc2\xb5\xdain clagenti\xff\xff\xff\xff\xff\xff\xff\x7f\xff\xff\xff\
            \xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xffnic\\\xff\
            \xff\xffq\"}\n  expect recommend R-mono\n}\n";
        let found = String::from_utf8_lossy(found);
        assert_error(&robust(&found), Code::S0318);
    }

    /// Text the grammar can read in exponentially many ways (`sorted [`
    /// nested and left open: each level reads as a sorted list and as an
    /// indexed name): S0002 at the parser's step limit, in milliseconds,
    /// where it took minutes. The fixture is what the `mutate_protocol`
    /// fuzz target found (a timeout).
    fn text_that_backtracks_exponentially() {
        let found = include_str!("fuzz/mutate-protocol-timeout.salv");
        let report = timed("[robust] fuzz timeout (sorted sorted [ …)", found);
        assert_error(&report, Code::S0002);
        for (label, each) in [
            ("sorted [", "sorted [ "),
            ("distinct [", "distinct [ "),
        ] {
            let text = format!("{HEADER}define d = {}x\n", each.repeat(40));
            let report = timed(&format!("[robust] {label} × 40, unclosed"), &text);
            assert_error(&report, Code::S0002);
        }
    }

    /// Nested types written without brackets: `list of list of … int`,
    /// `map of text to map of …`. At 100,000 (full size) pest's stack guard
    /// answers with a syntax error.
    fn nested_types() {
        for n in scale(vec![1_000, 20_000], vec![1_000, 10_000, 100_000]) {
            let text = format!("{HEADER}record R {{ f: {}int }}\n", "list of ".repeat(n));
            let _ = timed(&format!("[robust] list of × {n}"), &text);
            let text = format!("{HEADER}record R {{ f: {}int }}\n", "map of text to ".repeat(n / 2));
            let _ = timed(&format!("[robust] map of text to × {}", n / 2), &text);
        }
    }

    /// `int??…?` with 100,000 marks.
    fn optional_marks_100k() {
        let text = format!("{HEADER}record R {{ f: int{} }}\n", "?".repeat(100_000));
        let _ = timed("[robust] int?…? (100,000 marks)", &text);
    }

    /// `int??…?` with 1,000,000 marks (a 1 MB file).
    fn optional_marks_1m() {
        let text = format!("{HEADER}record R {{ f: int{} }}\n", "?".repeat(1_000_000));
        let _ = timed("[robust] int?…? (1,000,000 marks)", &text);
    }

    /// A chain of defines, each naming the next, and a cycle of as many.
    fn define_chains() {
        let n = scale(2_000, 50_000);
        let mut chain = HEADER.to_string();
        for i in 0..n {
            chain.push_str(&format!("define d{i} = d{} and x\n", i + 1));
        }
        chain.push_str(&format!("define d{n} = x\nrule r when d0 then flag f \"f\"\n"));
        let _ = timed(&format!("[robust] {n} chained defines"), &chain);
        let cycle = chain.replace(&format!("define d{n} = x"), &format!("define d{n} = d0"));
        let report = timed(&format!("[robust] a cycle of {n} defines"), &cycle);
        // Longer than the define depth limit: reported as too deep (S0002).
        assert_error(&report, Code::S0002);
        let short = (0..100).map(|i| format!("define c{i} = c{} and x\n", (i + 1) % 100)).collect::<String>();
        let report = timed("[robust] a cycle of 100 defines", &format!("{HEADER}{short}rule r when c0 then flag f \"f\"\n"));
        assert_error(&report, Code::S0108);
    }

    /// 20,000 defines each naming the next, and as many parameterised defines
    /// each calling the next: far past the define depth limit, one S0002 each.
    fn define_chains_20k() {
        let n = 20_000;
        let mut chain = HEADER.to_string();
        for i in 0..n {
            chain.push_str(&format!("define d{i} = d{}\n", i + 1));
        }
        chain.push_str(&format!("define d{n} = x\nrule r when d0 then flag f \"f\"\n"));
        assert_error(&timed(&format!("[robust] {n} chained defines"), &chain), Code::S0002);
        let mut calls = HEADER.to_string();
        for i in 0..n {
            calls.push_str(&format!("define f{i}(v: bool) = f{}(v)\n", i + 1));
        }
        calls.push_str(&format!("define f{n}(v: bool) = v\nrule r when f0(x) then flag f \"f\"\n"));
        assert_error(&timed(&format!("[robust] {n} chained calls"), &calls), Code::S0002);
    }

    /// 2,000 rules (20,000 at full size) each reading the one before with
    /// `fired`: far past the strata limit (32), one S0002, in bounded time;
    /// and a chain of 32 strata that checks and is evaluated on a case.
    fn fired_chains() {
        let chain = |n: usize| {
            let mut text = format!("{HEADER}regimen R : observation\nrule r0 when x then recommend R\n");
            for i in 1..n {
                text.push_str(&format!("rule r{i} when fired r{} then flag f{i} \"f\"\n", i - 1));
            }
            text
        };
        let n = scale(2_000, 20_000);
        let report = timed(&format!("[robust] {n} rules chained by fired"), &chain(n));
        assert_error(&report, Code::S0002);
        let text = chain(33);
        let report = timed("[robust] 33 rules chained by fired", &text);
        assert!(!report.has_errors(), "{:#?}", report.diagnostics);
        let protocol = salvage::compile_source("chain.salv", &text).protocol.unwrap();
        let case = serde_json::json!({"id": "k", "as_of": "2026-02-01", "x": true, "n": 1, "crcl": []});
        let options = salvage::decision::RunOptions::default();
        let line = salvage::decision::evaluate(&protocol, &case, None, &options).to_json_line();
        let record: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(record["flags"].as_array().map(Vec::len), Some(32), "{record}");
    }

    /// About 10 MB of valid rules: it checks, reports, and finishes. By
    /// default 1,000 rules with 5 kB of words in each title and message
    /// (strings parse fast: about 10 s in a debug build); at full size
    /// 82,000 short rules (over 2 minutes in a debug build).
    fn ten_megabytes() {
        let (n, pad) = scale((1_000, 5_000), (82_000, 0));
        let text = many_rules(n, pad);
        let report = timed(&format!("[robust] ~10 MB: {n} rules"), &text);
        assert!(text.len() >= 9_500_000, "{}", text.len());
        assert!(!report.has_errors(), "{:#?}", report.diagnostics.first());
    }

    /// The same, with one syntax error at the end: the whole file is then
    /// parsed again in chunks. 1 MB by default, 10 MB at full size.
    fn large_file_with_a_syntax_error() {
        let mut text = many_rules(scale(100, 1_000), 5_000);
        text.push_str("rule broken when ( then flag f \"f\"\n");
        let report = timed("[robust] large file, one broken rule", &text);
        assert_error(&report, Code::S0001);
    }

    /// Huge single tokens: a string, a name, a number, a decimal, a comment,
    /// a backticked name, a unit, a rank.
    fn huge_tokens() {
        let mb = scale(100_000, 1_000_000);
        let big = "a".repeat(mb);
        let cases = [
            ("string", format!("{HEADER}rule r when x then flag f \"{}\"\n", "s".repeat(10 * mb))),
            ("name", format!("{HEADER}rule r when {big} then flag f \"f\"\n")),
            ("number", format!("{HEADER}rule r when n > {} then flag f \"f\"\n", "9".repeat(mb))),
            ("decimal", format!("{HEADER}rule r when n > 0.{} then flag f \"f\"\n", "1".repeat(mb))),
            ("comment", format!("{HEADER}// {big}\n")),
            ("backticked name", format!("{HEADER}define `{big}` = x\n")),
            ("rank", format!("{HEADER}rule r when x then recommend R rank {}\n", "9".repeat(mb))),
            ("unit", format!("{HEADER}rule r when latest crcl < 60 {} then flag f \"f\"\n", &big[..10_000])),
        ];
        for (label, text) in cases {
            let _ = timed(&format!("[robust] huge {label}"), &text);
        }
    }

    /// A 1 MB unknown unit: its "did you mean" must not compare all of it
    /// with every unit (once about 50 s in a debug build; now about 2 s).
    fn huge_unknown_unit() {
        let text = format!(
            "{HEADER}rule r when latest crcl < 60 {} then flag f \"f\"\n",
            "a".repeat(1_000_000)
        );
        let report = timed("[robust] 1 MB unknown unit", &text);
        assert_error(&report, Code::S0308);
    }

    /// A file that is only an unterminated string, and other short files.
    fn tiny_files() {
        let report = timed("[robust] an unterminated string", "\"abc");
        assert!(report.has_errors());
        for text in [
            "", " ", "\n", "\"", "\"\\", "`", "`abc", "//", "/", "{", "}", "(", "[", "\0",
            "\u{FEFF}", "\u{FEFF}\u{FEFF}", "\r", "\r\n", "protocol", "protocol \"", "rule",
            "rule r when", "rule r when x then", "test \"t\" { given", "test \"t\" { given {",
            "define d =", "define f(", "define f(x: ", "case {", "case { x: int", "record R {",
            "enum E {", "enum E { A <", "import \"", "import \"/etc/passwd\"", "import \"../x\"",
            "unit alias \"", "section \"s\" when x {", "é", "😀", "\u{10FFFF}", "\u{202E}rule",
        ] {
            let _ = robust(text);
        }
    }

    /// Strange but plausible values: impossible dates, huge numbers, huge
    /// ranks, ranges and durations, zero-width and right-to-left characters,
    /// CRLF line ends, NULs, self-referring declarations.
    fn strange_values() {
        let cases = [
            "protocol \"p\" { effective 2026-02-30 }",
            "protocol \"p\" { effective 0000-00-00 }",
            "protocol \"p\" { effective 9999-99-99 }",
            "case { a: int 99999999999999999999999999999999..1 }",
            "case { a: int 5..-5 }",
            "case { a: number -0.000000000000000000000000000001..1e9 }",
            "case { a: series `` }",
            "case { a: series log10 copies/mL }",
            "rule r when x then recommend R rank 0",
            "rule r when x then recommend R rank 18446744073709551616",
            "rule r when x then recommend R rank 4294967296",
            "rule r when relapse after R within 99999999999999999999 months then flag f \"f\"",
            "rule r when relapse after R within 18446744073709551615 days then flag f \"f\"",
            "rule r when latest crcl within 0 days < 0.0000000000000000000000000000001 mL/min then flag f \"f\"",
            "rule r when n > 79228162514264337593543950335 then flag f \"f\"",
            "rule r when n > 79228162514264337593543950336 then flag f \"f\"",
            "rule r when n / 0 > 1 then flag f \"f\"",
            "rule r when 2026-02-29 < 2024-02-29 + 12 months then flag f \"f\"",
            "rule r when years from 0001-01-01 to 9999-12-31 > 1 then flag f \"f\"",
            "define d = 9999-12-31 + 99999999 years",
            "define d = 0001-01-01 - 99999999 days",
            "test \"t\" { as_of 2026-13-45 given {\"x\": 1e999999999} }",
            "test \"t\" { as_of 2026-01-01 given {\"x\": 123456789012345678901234567890123456789} }",
            "test \"t\" { as_of 2026-01-01 given {\"x\": \"\\ud800\"} }",
            "test \"t\" from \"../../../../etc/passwd\" case \"x\" { }",
            "rule r\r\nwhen x\r\nthen flag f \"f\"\r\n",
            "rule r\rwhen x\rthen flag f \"f\"\r",
            "rule r\u{2028}when x then flag f \"f\"",
            "rule r\u{200B} when x then flag f \"f\"",
            "rule r\0 when x then flag f \"f\"",
            "rule `` when x then flag f \"f\"",
            "rule `\u{202E}` when x then flag f \"f\"",
            "rule r when x then flag f \"\\",
            "rule r when x then flag f \"\\u{110000}\"",
            "agent a alias \"\", \"\"\nagent b alias \"\"",
            "regimen R = R\nregimen S = S + S : S class S",
            "enum E { A < B < A }",
            "reasons { a, a, a }",
            "record R { r: R }\ncase { r: R }",
            "record A { b: B }\nrecord B { a: A }\ncase { a: A }",
            "define f(x: int) = f(x)\nrule r when f(1) then flag f \"f\"",
            "define f(x: int, x: int) = x\nrule r when f(1, 2, 3) > 0 then flag f \"f\"",
            "case { lines: history of Line { start = start } }",
            "case { lines: history of Line { agents = agents[].drug, agents = x[].y } }",
            "unit a = 1 a\nunit b = 1 c\nunit c = 1 b",
            "unit alias \"mL/min\" = mL/min\nunit alias \"mL/min\" = mg",
        ];
        for case in cases {
            let _ = robust(case);
            let _ = robust(&format!("{HEADER}{case}\n"));
        }
    }

    /// Many mistakes in one file: rules naming unknown defines, unknown
    /// fields, unknown regimens, each of which looks for a "did you mean".
    fn many_unknown_names() {
        let n = scale(1_000, 2_000);
        let report = timed(&format!("[robust] {n} unknown names"), &unknown_names(n, false));
        assert_error(&report, Code::S0101);
    }

    /// The same rule, define and agent written many times.
    fn many_duplicates() {
        let report = timed("[robust] duplicates", &duplicates(scale(1_000, 5_000)));
        assert!(report.has_errors());
    }

}

/// `n` defines, then `n` rules each naming an unknown define (`knwn…`), an
/// unknown field and an unknown regimen; with `known`, the same shape with
/// every name known.
fn unknown_names(n: usize, known: bool) -> String {
    let mut text = HEADER.to_string();
    text.push_str("agent a\n");
    for i in 0..n {
        text.push_str(&format!("define known{i} = x\n"));
    }
    for i in 0..n {
        text.push_str(&if known {
            format!("rule r{i} when known{i} and n > 1 then recommend a\n")
        } else {
            format!("rule r{i} when knwn{i} and field{i} > 1 then recommend regimen{i}\n")
        });
    }
    text
}

/// The same agent, define and rule, `n` times each.
fn duplicates(n: usize) -> String {
    let mut text = HEADER.to_string();
    for _ in 0..n {
        text.push_str("agent a\ndefine d = x\nrule r when d then recommend a\n");
    }
    text
}
