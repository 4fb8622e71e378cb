//! The command line's conventions: `salvage test` defaults and its summary,
//! test case files confined to the root, `check -` and imports, help
//! examples, shell completions, `--color`, `explain --list` and the summary
//! line of `check`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use common::cli::{code, command, salvage, salvage_stdin, stderr, stdout};
use common::temp::TempDir;
use salvage::diag::Code;
use serde_json::Value;

const HEADER: &str = r#"protocol "P" { version "1" status approved effective 2026-01-01 }"#;

/// A protocol with one rule and `tests`.
fn protocol_with(tests: &str) -> String {
    format!("{HEADER}\nagent x\nregimen R = x\nrule r when true then recommend R\n{tests}\n")
}

const PASSING: &str = "test \"t\" { as_of 2026-01-01 given {} expect recommend R rank 1 }";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn last_line(text: &str) -> &str {
    text.lines().last().unwrap_or_default()
}

#[test]
fn test_without_paths_tests_the_protocols_folder() {
    let dir = TempDir::new();
    dir.write("protocols/p.salv", &protocol_with(PASSING));
    dir.write("elsewhere/q.salv", &protocol_with(PASSING));
    let output = salvage(dir.path(), &["test"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let out = stdout(&output);
    assert!(
        out.contains("protocols/p.salv: rules fired by tests: 1/1"),
        "{out}"
    );
    assert!(!out.contains("q.salv"), "{out}");
    assert_eq!(last_line(&out), "1 passed, 0 failed");
}

#[test]
fn test_without_paths_and_without_a_protocols_folder_is_a_usage_error() {
    let dir = TempDir::new();
    dir.write("p.salv", &protocol_with(PASSING));
    let output = salvage(dir.path(), &["test"]);
    assert_eq!(code(&output), 2);
    assert!(output.stdout.is_empty());
    let err = stderr(&output);
    assert!(
        err.starts_with("error: no `protocols/` folder here to test"),
        "{err}"
    );
    assert!(err.contains("salvage test PATHS…"), "{err}");
}

#[test]
fn a_protocol_without_tests_is_not_a_failure() {
    let dir = TempDir::new();
    dir.write("p.salv", &protocol_with(""));
    let output = salvage(dir.path(), &["test", "p.salv"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(stdout(&output), "p.salv: no tests\n0 passed, 0 failed\n");
}

#[test]
fn a_vocabulary_file_is_tested_as_having_no_tests() {
    let dir = TempDir::new();
    dir.write("agents.salv", "agent x class platinum\nregimen R = x\n");
    let output = salvage(dir.path(), &["test", "agents.salv"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(stderr(&output), "");
    assert_eq!(
        stdout(&output),
        "agents.salv: vocabulary, no tests\n0 passed, 0 failed\n"
    );
}

#[test]
fn a_vocabulary_file_with_an_error_still_fails() {
    let dir = TempDir::new();
    dir.write("agents.salv", "agent x class platinum\nregimen R = y\n");
    let output = salvage(dir.path(), &["test", "agents.salv"]);
    assert_eq!(code(&output), 1);
    assert!(
        stderr(&output).contains("error[S0102]"),
        "{}",
        stderr(&output)
    );
    assert!(!stderr(&output).contains("S0204"), "{}", stderr(&output));
}

#[test]
fn the_summary_counts_protocols_that_did_not_compile() {
    let dir = TempDir::new();
    dir.write("protocols/a.salv", &protocol_with(PASSING));
    dir.write("protocols/b.salv", &protocol_with(PASSING));
    let broken = protocol_with(PASSING).replace("when true", "when nothing");
    dir.write("protocols/c.salv", &broken);
    let output = salvage(dir.path(), &["test"]);
    assert_eq!(code(&output), 1);
    let out = stdout(&output);
    assert!(
        out.contains("FAIL protocols/c.salv: the protocol has errors, so its 1 test did not run"),
        "{out}"
    );
    assert_eq!(
        last_line(&out),
        "2 passed, 1 failed, 1 protocol did not compile"
    );
}

#[test]
fn a_missing_protocol_is_an_input_error_not_usage() {
    let dir = TempDir::new();
    let output = salvage(dir.path(), &["test", "nope.salv"]);
    assert_eq!(code(&output), 1);
    assert!(stderr(&output).contains("error[S0008]: cannot read `nope.salv`"));
    assert_eq!(
        last_line(&stdout(&output)),
        "0 passed, 0 failed, 1 protocol did not compile"
    );
}

/// `salvage test` and `salvage check` on a protocol whose test reads its
/// case from `file`: the exit codes and stderr of both.
fn confined(file: &str) -> [(i32, String); 2] {
    let dir = TempDir::new();
    dir.write("outside.json", r#"{"id": "c1", "as_of": "2026-01-01"}"#);
    let test = format!("test \"t\" from \"{file}\" case \"c1\" {{ expect recommend R rank 1 }}");
    dir.write("protocols/p.salv", &protocol_with(&test));
    ["test", "check"].map(|command| {
        let output = salvage(dir.path(), &[command, "protocols/p.salv"]);
        (code(&output), stderr(&output))
    })
}

#[test]
fn an_absolute_test_case_file_is_an_error_at_its_place() {
    for (exit, err) in confined("/etc/passwd") {
        assert_eq!(exit, 1, "{err}");
        assert!(
            err.contains("error[S0202]: test case file `/etc/passwd` is an absolute path"),
            "{err}"
        );
        assert!(err.contains("protocols/p.salv:5:15"), "{err}");
    }
}

#[test]
fn a_test_case_file_outside_the_root_is_an_error_at_its_place() {
    for (exit, err) in confined("../outside.json") {
        assert_eq!(exit, 1, "{err}");
        assert!(
            err.contains("error[S0202]: test case file `../outside.json` leaves the root folder"),
            "{err}"
        );
        assert!(err.contains("protocols/p.salv:5:15"), "{err}");
        assert!(
            err.contains("test case files must stay inside the root folder `protocols`"),
            "{err}"
        );
    }
}

#[test]
fn a_wider_root_lets_a_test_read_a_case_file_beside_the_folder() {
    let dir = TempDir::new();
    dir.write("cases.jsonl", r#"{"id": "c1", "as_of": "2026-01-01"}"#);
    let test = "test \"t\" from \"../cases.jsonl\" case \"c1\" { expect recommend R rank 1 }";
    let with_case = protocol_with(test).replace("agent x", "case { n: int? }\nagent x");
    dir.write("protocols/p.salv", &with_case);
    let output = salvage(dir.path(), &["test", "--root", ".", "protocols/p.salv"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(last_line(&stdout(&output)), "1 passed, 0 failed");
}

#[cfg(unix)]
#[test]
fn a_symlink_out_of_the_root_is_refused_for_test_case_files() {
    let dir = TempDir::new();
    dir.write(
        "secret/cases.jsonl",
        r#"{"id": "c1", "as_of": "2026-01-01"}"#,
    );
    std::fs::create_dir_all(dir.path().join("protocols")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("secret"), dir.path().join("protocols/link"))
        .unwrap();
    let test = "test \"t\" from \"link/cases.jsonl\" case \"c1\" { expect recommend R rank 1 }";
    dir.write("protocols/p.salv", &protocol_with(test));
    let output = salvage(dir.path(), &["test", "protocols/p.salv"]);
    assert_eq!(code(&output), 1);
    assert!(
        stderr(&output).contains("a symlink points outside the root"),
        "{}",
        stderr(&output)
    );
}

/// `check -` in a folder holding `common/agents.salv`.
fn check_stdin(args: &[&str], protocol: &str) -> (i32, String) {
    let dir = TempDir::new();
    dir.write("common/agents.salv", "agent x\n");
    dir.write("sub/other.salv", "agent y\n");
    let output = salvage_stdin(dir.path(), args, protocol);
    (code(&output), stderr(&output))
}

const IMPORTING: &str = r#"protocol "P" { version "1" status approved effective 2026-01-01 }
import "common/agents.salv"
regimen R = x
rule r when true then recommend R
"#;

#[test]
fn check_stdin_resolves_imports_in_the_current_folder() {
    let (exit, err) = check_stdin(&["check", "-"], IMPORTING);
    assert_eq!(exit, 0, "{err}");
    assert_eq!(err, "checked 1 file: no errors, 0 warnings\n");
}

#[test]
fn check_stdin_resolves_imports_in_the_root() {
    let (exit, err) = check_stdin(&["check", "--root", "sub", "-"], IMPORTING);
    assert_eq!(exit, 1, "{err}");
    assert!(
        err.contains("error[S0201]: imported file `common/agents.salv` not found"),
        "{err}"
    );
    let in_sub = IMPORTING
        .replace("common/agents.salv", "other.salv")
        .replace("= x", "= y");
    let (exit, err) = check_stdin(&["check", "--root", "sub", "-"], &in_sub);
    assert_eq!(exit, 0, "{err}");
}

#[test]
fn check_stdin_imports_may_not_leave_the_root() {
    let escaping = IMPORTING.replace("common/agents.salv", "../common/agents.salv");
    let (exit, err) = check_stdin(&["check", "--root", "sub", "-"], &escaping);
    assert_eq!(exit, 1, "{err}");
    assert!(err.contains("error[S0202]"), "{err}");
    assert!(err.contains("<stdin>:2:8"), "{err}");
}

#[test]
fn check_ends_with_a_summary_line_on_stderr() {
    let output = salvage(root(), &["check", "protocols"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(stderr(&output), "checked 4 files: no errors, 0 warnings\n");
    let warned = "tests/cases/check/s0502-unused-citation.salv";
    let output = salvage(root(), &["check", warned]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains("warning[S0502]"), "{err}");
    assert_eq!(last_line(&err), "checked 1 file: no errors, 1 warning");
    let broken = salvage(root(), &["check", "nope.salv"]);
    assert!(!stderr(&broken).contains("checked"), "{}", stderr(&broken));
}

#[test]
fn the_top_level_help_holds_the_exit_codes() {
    let out = stdout(&salvage(root(), &["--help"]));
    assert!(
        out.contains("Exit codes:\n  0  fine (warnings allowed)\n  1  the input has errors"),
        "{out}"
    );
    assert!(out.contains("\n  2  usage"), "{out}");
}

#[test]
fn every_command_help_ends_with_a_runnable_example() {
    for command in [
        "check",
        "eval",
        "diff",
        "test",
        "repl",
        "explain",
        "completions",
    ] {
        for flag in ["-h", "--help"] {
            let output = salvage(root(), &[command, flag]);
            assert_eq!(code(&output), 0, "{command}");
            let out = stdout(&output);
            let example = out.rsplit("Example:\n").next().unwrap();
            assert!(out.contains("Example:\n"), "{command}: {out}");
            let first = example.lines().next().unwrap().trim();
            assert!(
                first.starts_with(&format!("salvage {command}")),
                "{command}: {first}"
            );
        }
    }
    // The examples name files that exist.
    for command in ["check", "eval", "test"] {
        let out = stdout(&salvage(root(), &[command, "--help"]));
        let example = out.rsplit("Example:\n").next().unwrap();
        for word in example
            .split_whitespace()
            .filter(|w| w.ends_with(".salv") || w.ends_with(".jsonl"))
        {
            assert!(root().join(word).is_file(), "{command}: {word}");
        }
    }
}

#[test]
fn bash_completions_name_every_subcommand() {
    let output = salvage(root(), &["completions", "bash"]);
    assert_eq!(code(&output), 0);
    let out = stdout(&output);
    for command in [
        "check",
        "eval",
        "diff",
        "test",
        "repl",
        "explain",
        "completions",
    ] {
        assert!(out.contains(command), "{command}");
    }
    assert!(out.contains("complete -F _salvage"), "{out}");
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        let output = salvage(root(), &["completions", shell]);
        assert_eq!(code(&output), 0, "{shell}");
        assert!(stdout(&output).contains("explain"), "{shell}");
    }
}

/// Stderr of checking a broken protocol with `args` before the path.
fn broken_stderr(args: &[&str], no_color: bool) -> String {
    let dir = TempDir::new();
    dir.write(
        "p.salv",
        &protocol_with("").replace("when true", "when nothing"),
    );
    let mut all = args.to_vec();
    all.extend(["check", "p.salv"]);
    let mut run = command(dir.path(), &all);
    if !no_color {
        run.env_remove("NO_COLOR");
    }
    String::from_utf8(run.output().unwrap().stderr).unwrap()
}

#[test]
fn color_always_forces_colour_and_never_or_auto_off_a_terminal_gives_none() {
    assert!(broken_stderr(&["--color", "always"], true).contains("\u{1b}["));
    assert!(broken_stderr(&["--color", "always"], false).contains("\u{1b}["));
    assert!(!broken_stderr(&["--color", "never"], false).contains("\u{1b}["));
    assert!(!broken_stderr(&["--color", "auto"], false).contains("\u{1b}["));
    assert!(!broken_stderr(&[], false).contains("\u{1b}["));
    let bad = salvage(root(), &["--color", "sometimes", "check", "x.salv"]);
    assert_eq!(code(&bad), 2);
}

#[test]
fn color_is_a_global_flag_of_every_command() {
    let dir = TempDir::new();
    dir.write(
        "p.salv",
        &protocol_with("").replace("when true", "when nothing"),
    );
    let output = salvage_stdin(dir.path(), &["repl", "--color", "always", "p.salv"], "");
    assert!(stderr(&output).contains("\u{1b}["), "{}", stderr(&output));
    let output = salvage(dir.path(), &["test", "--color=always", "p.salv"]);
    assert!(stderr(&output).contains("\u{1b}["), "{}", stderr(&output));
}

#[test]
fn explain_list_names_every_code_with_its_title() {
    let output = salvage(root(), &["explain", "--list"]);
    assert_eq!(code(&output), 0);
    let out = stdout(&output);
    assert_eq!(out.lines().count(), Code::ALL.len());
    for (line, code) in out.lines().zip(Code::ALL) {
        assert!(line.starts_with(code.as_str()), "{line}");
        assert!(line.ends_with(code.title()), "{line}");
    }
    assert!(
        out.contains("S0501  warning  a definition that is never used\n"),
        "{out}"
    );
}

#[test]
fn explain_list_as_json() {
    let output = salvage(root(), &["explain", "--list", "--format", "json"]);
    assert_eq!(code(&output), 0);
    let list: Value = serde_json::from_slice(&output.stdout).unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), Code::ALL.len());
    for (entry, code) in list.iter().zip(Code::ALL) {
        assert_eq!(entry["code"], code.as_str());
        assert_eq!(entry["title"], code.title());
    }
    assert_eq!(list[0]["severity"], "error");
    let one = salvage(root(), &["explain", "--format", "json", "s0302"]);
    let one: Value = serde_json::from_slice(&one.stdout).unwrap();
    assert_eq!(one["code"], "S0302");
    assert!(one["explanation"].as_str().unwrap().starts_with("# S0302"));
}
