//! The parse-only baseline of `scripts/bench-eval.sh`: the least work a JSON Lines
//! evaluator must do. It reads JSON Lines from a file (or `-`, standard input),
//! parses each line that is not whitespace into a `serde_json::Value` (with the
//! crate's features, exact numbers and key order), and writes one small record per
//! line, `{"line":N,"object":BOOL}`, to standard output through a `BufWriter`.
//!
//! ```sh
//! cargo run --release --example parse_baseline -- cases.jsonl > /dev/null
//! ```

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: parse_baseline FILE (or - for standard input)");
        return ExitCode::from(2);
    };
    match run(&path) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("parse_baseline: {path}: {error}");
            ExitCode::from(1)
        }
    }
}

/// Opens the input and copies one record per line to standard output.
fn run(path: &str) -> io::Result<()> {
    let input: Box<dyn Read> = if path == "-" {
        Box::new(io::stdin().lock())
    } else {
        Box::new(File::open(path)?)
    };
    let mut out = BufWriter::new(io::stdout().lock());
    parse_lines(BufReader::new(input), &mut out)?;
    out.flush()
}

/// Parses every line that is not whitespace and writes its fixed record.
fn parse_lines(mut input: impl BufRead, out: &mut impl Write) -> io::Result<()> {
    let mut line = Vec::new();
    let mut number = 0u64;
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        number += 1;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let object = is_object(&line);
        writeln!(out, "{{\"line\":{number},\"object\":{object}}}")?;
    }
}

/// Whether a line parses as a JSON object.
fn is_object(line: &[u8]) -> bool {
    matches!(
        serde_json::from_slice::<serde_json::Value>(line),
        Ok(serde_json::Value::Object(_))
    )
}
