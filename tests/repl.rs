//! `salvage repl` driven through a pipe: each `tests/repl/NAME.script` is
//! fed to `salvage repl` on stdin (from the repository root, with the
//! protocol named on the script's first line, `# protocol: PATH`), and what
//! it prints — stdout and stderr into one file, in the order written — is
//! compared with `tests/repl/NAME.expected`. `BLESS=1 cargo test --test
//! repl` (re)writes the expected transcripts; review them before committing.
//! The exit code is checked too: the last line of each transcript is
//! `exit: N`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The protocol a script names on its first line, if any.
fn protocol_of(script: &str) -> Option<&str> {
    script
        .lines()
        .next()?
        .strip_prefix("# protocol: ")
        .map(str::trim)
}

/// The transcript of one script: what `salvage repl` printed, then its
/// exit code.
fn transcript(script_path: &Path) -> String {
    let script = std::fs::read_to_string(script_path).unwrap();
    let output = std::env::temp_dir().join(format!(
        "salvage-repl-{}-{}.out",
        std::process::id(),
        script_path.file_stem().unwrap().to_string_lossy()
    ));
    let file = std::fs::File::create(&output).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_salvage"));
    command.arg("repl");
    if let Some(protocol) = protocol_of(&script) {
        command.arg(protocol);
    }
    let status = command
        .current_dir(repo())
        .env("NO_COLOR", "1")
        // A script run keeps no history; make sure no real one is touched.
        .env("HOME", std::env::temp_dir())
        .stdin(Stdio::from(std::fs::File::open(script_path).unwrap()))
        .stdout(Stdio::from(file.try_clone().unwrap()))
        .stderr(Stdio::from(file))
        .status()
        .unwrap();
    let mut text = std::fs::read_to_string(&output).unwrap();
    let _ = std::fs::remove_file(&output);
    text.push_str(&format!("exit: {}\n", status.code().unwrap_or(-1)));
    text
}

#[test]
fn every_script_gives_its_expected_transcript() {
    let folder = repo().join("tests/repl");
    let mut scripts: Vec<PathBuf> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "script"))
        .collect();
    scripts.sort();
    assert!(!scripts.is_empty(), "no scripts in {}", folder.display());
    let bless = std::env::var_os("BLESS").is_some_and(|v| v == "1");
    let mut failures = Vec::new();
    for script in &scripts {
        let actual = transcript(script);
        let expected_path = script.with_extension("expected");
        if bless {
            std::fs::write(&expected_path, &actual).unwrap();
            continue;
        }
        match std::fs::read_to_string(&expected_path) {
            Ok(expected) if expected == actual => {}
            Ok(expected) => failures.push(format!(
                "{} differs:\n--- expected\n{expected}\n--- actual\n{actual}",
                expected_path.display()
            )),
            Err(e) => failures.push(format!("{}: {e}", expected_path.display())),
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n(BLESS=1 cargo test --test repl rewrites them; review before committing)",
        failures.join("\n")
    );
}

#[test]
fn input_that_is_not_utf8_is_an_error_not_a_crash() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_salvage"))
        .arg("repl")
        .current_dir(repo())
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(b"1 + 2\n\xff\xfe\n:help\n").unwrap();
    }
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("standard input is not UTF-8 text"),
        "{stderr}"
    );
}
