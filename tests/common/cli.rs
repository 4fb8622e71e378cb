//! Running the `salvage` binary from a test.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// The binary with `args`, run in `dir` with `NO_COLOR` set.
pub fn command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_salvage"));
    command.args(args).current_dir(dir).env("NO_COLOR", "1");
    command
}

/// Runs the binary in `dir` and waits for it.
pub fn salvage(dir: &Path, args: &[&str]) -> Output {
    command(dir, args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run salvage: {e}"))
}

/// Runs the binary with `input` on stdin (written from another thread, so a
/// large input cannot dead-lock against a full stdout).
pub fn salvage_stdin(dir: &Path, args: &[&str], input: &str) -> Output {
    let mut child = command(dir, args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run salvage: {e}"));
    let Some(mut stdin) = child.stdin.take() else {
        panic!("salvage has no stdin");
    };
    let input = input.to_string();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("salvage did not finish: {e}"));
    match writer.join() {
        Ok(Ok(())) => output,
        Ok(Err(e)) => panic!("cannot write salvage's stdin: {e}"),
        Err(_) => panic!("the stdin writer panicked"),
    }
}

/// The exit code (a test fails if the process was killed by a signal).
pub fn code(output: &Output) -> i32 {
    output
        .status
        .code()
        .unwrap_or_else(|| panic!("salvage ended without an exit code: {}", output.status))
}

/// Standard output as text.
pub fn stdout(output: &Output) -> String {
    text(&output.stdout, "stdout")
}

/// Standard error as text.
pub fn stderr(output: &Output) -> String {
    text(&output.stderr, "stderr")
}

fn text(bytes: &[u8], what: &str) -> String {
    String::from_utf8(bytes.to_vec()).unwrap_or_else(|e| panic!("{what} is not UTF-8: {e}"))
}
