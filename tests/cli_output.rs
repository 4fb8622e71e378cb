//! Every command's writes to standard output are checked: a full device is
//! one line on stderr and exit 1, a closed pipe ends quietly with exit 0.
//! Also the exit-code table, row by row, for every command.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::process::{Output, Stdio};

use common::cli::{code, command, salvage, salvage_stdin, stderr};
use common::temp::TempDir;

const PROTOCOL: &str = "protocols/dlbcl-second-line.salv";
const CASES: &str = "examples/dlbcl-cases.jsonl";

/// The package root, where the bundled protocols and examples are.
fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every command, with arguments that write to standard output.
fn writers() -> Vec<(Vec<&'static str>, Option<&'static str>)> {
    vec![
        (vec!["check", "--format", "json", PROTOCOL], None),
        (vec!["eval", PROTOCOL, CASES], None),
        (vec!["eval", "--summary", PROTOCOL, CASES], None),
        (
            vec!["diff", PROTOCOL, PROTOCOL, CASES, "--format", "text"],
            None,
        ),
        (vec!["test", PROTOCOL], None),
        (vec!["explain", "S0101"], None),
        (vec!["explain", "--list"], None),
        (vec!["explain", "--list", "--format", "json"], None),
        (vec!["repl", PROTOCOL], Some(":help\n")),
        (vec!["completions", "bash"], None),
    ]
}

/// Runs `args` with standard output sent to `/dev/full`.
fn to_full_device(args: &[&str], input: Option<&str>) -> Output {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let mut child = command(root(), args)
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(full)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let (Some(text), Some(mut stdin)) = (input, child.stdin.take()) {
        use std::io::Write;
        stdin.write_all(text.as_bytes()).unwrap();
    }
    child.wait_with_output().unwrap()
}

/// Runs `args` with standard output a pipe whose reading end is closed
/// before the command writes anything.
fn to_closed_pipe(args: &[&str]) -> Output {
    let mut child = command(root(), args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    child.wait_with_output().unwrap()
}

#[test]
fn a_full_device_on_stdout_is_one_line_on_stderr_and_exit_1() {
    for (args, input) in writers() {
        let output = to_full_device(&args, input);
        assert_eq!(code(&output), 1, "{args:?}: {}", stderr(&output));
        assert_eq!(
            stderr(&output),
            "salvage: cannot write to standard output: no space left on the device\n",
            "{args:?}"
        );
    }
}

#[test]
fn a_closed_pipe_on_stdout_ends_quietly_with_exit_0() {
    for args in [
        &["check", "--format", "json", PROTOCOL][..],
        &["eval", PROTOCOL, CASES],
        &["explain", "S0302"],
        &["explain", "--list"],
        &["test", PROTOCOL],
        &["diff", PROTOCOL, PROTOCOL, CASES, "--format", "text"],
        &["completions", "zsh"],
    ] {
        let output = to_closed_pipe(args);
        assert_eq!(code(&output), 0, "{args:?}: {}", stderr(&output));
        assert_eq!(stderr(&output), "", "{args:?}");
    }
}

#[test]
fn a_closed_pipe_ends_a_repl_script_quietly() {
    let mut child = command(root(), &["repl", PROTOCOL])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        let _ = stdin.write_all(b":help\n:help\n");
    }
    let output = child.wait_with_output().unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(stderr(&output), "");
}

/// The exit code of `args` run in `dir`.
fn exit(dir: &Path, args: &[&str]) -> i32 {
    code(&salvage(dir, args))
}

/// A folder with a broken protocol, a draft with a failing test, and
/// nothing else.
fn scratch() -> TempDir {
    let dir = TempDir::new();
    dir.write("broken.salv", "protocol \"B\" { version \"1\" status approved effective 2026-01-01 }\nrule r when nothing then recommend X\n");
    dir.write(
        "failing.salv",
        "protocol \"F\" { version \"1\" status approved effective 2026-01-01 }\nagent x\nregimen R = x\nrule r when true then recommend R\ntest \"t\" { as_of 2026-01-01 given {} expect status needs-data }\n",
    );
    dir
}

#[test]
fn check_exits_0_1_and_2() {
    let dir = scratch();
    let bundled = root().join(PROTOCOL);
    let bundled = bundled.to_str().unwrap();
    assert_eq!(exit(dir.path(), &["check", bundled]), 0);
    assert_eq!(exit(dir.path(), &["check", "broken.salv"]), 1);
    assert_eq!(exit(dir.path(), &["check", "nope.salv"]), 1);
    assert_eq!(exit(dir.path(), &["check", "--bogus", bundled]), 2);
    assert_eq!(exit(dir.path(), &["check"]), 2);
}

#[test]
fn eval_exits_0_1_and_2() {
    let dir = scratch();
    assert_eq!(exit(root(), &["eval", PROTOCOL, CASES]), 0);
    assert_eq!(
        exit(
            root(),
            &["eval", PROTOCOL, "examples/dlbcl-bad-cases.jsonl"]
        ),
        1
    );
    let broken = dir.path().join("broken.salv");
    assert_eq!(exit(root(), &["eval", broken.to_str().unwrap(), CASES]), 1);
    assert_eq!(exit(root(), &["eval", "nope.salv", CASES]), 1);
    let missing_case = salvage(root(), &["eval", PROTOCOL, "nope.jsonl"]);
    assert_eq!(code(&missing_case), 1);
    assert!(missing_case.stdout.is_empty());
    assert_eq!(
        stderr(&missing_case),
        "error: cannot find the case file `nope.jsonl`\n"
    );
    assert_eq!(exit(root(), &["eval", "--bogus", PROTOCOL, CASES]), 2);
    assert_eq!(exit(root(), &["eval", PROTOCOL]), 2);
}

#[test]
fn diff_exits_0_1_and_2() {
    assert_eq!(exit(root(), &["diff", PROTOCOL, PROTOCOL, CASES]), 0);
    assert_eq!(exit(root(), &["diff", PROTOCOL, "nope.salv", CASES]), 1);
    assert_eq!(exit(root(), &["diff", PROTOCOL, PROTOCOL, "nope.jsonl"]), 1);
    assert_eq!(
        exit(root(), &["diff", "--bogus", PROTOCOL, PROTOCOL, CASES]),
        2
    );
    assert_eq!(exit(root(), &["diff", PROTOCOL]), 2);
}

#[test]
fn test_exits_0_1_and_2() {
    let dir = scratch();
    assert_eq!(exit(root(), &["test", PROTOCOL]), 0);
    assert_eq!(exit(dir.path(), &["test", "failing.salv"]), 1);
    assert_eq!(exit(dir.path(), &["test", "broken.salv"]), 1);
    assert_eq!(exit(dir.path(), &["test", "nope.salv"]), 1);
    assert_eq!(exit(dir.path(), &["test", "--bogus"]), 2);
    assert_eq!(exit(dir.path(), &["test", "-"]), 2);
}

#[test]
fn explain_repl_and_completions_exit_0_and_2() {
    assert_eq!(exit(root(), &["explain", "S0101"]), 0);
    assert_eq!(exit(root(), &["explain", "S9999"]), 2);
    assert_eq!(exit(root(), &["explain"]), 2);
    assert_eq!(exit(root(), &["explain", "S0101", "--list"]), 2);
    let help = salvage_stdin(root(), &["repl", PROTOCOL], ":help\n");
    assert_eq!(code(&help), 0, "{}", stderr(&help));
    let unknown = salvage_stdin(root(), &["repl", PROTOCOL], ":nonsense\n");
    assert_eq!(code(&unknown), 1);
    assert_eq!(exit(root(), &["repl", "--bogus"]), 2);
    assert_eq!(exit(root(), &["completions", "bash"]), 0);
    assert_eq!(exit(root(), &["completions", "tcsh"]), 2);
}
