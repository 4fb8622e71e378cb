//! `salvage repl` on a real pseudo-terminal (rexpect): a command typed with
//! Tab completion, recalled with the up arrow, a line cancelled with
//! Ctrl-C, Ctrl-D to leave, and the history file it leaves behind, readable
//! by the user alone.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Command;

/// Types `text` (flushed, so that the program sees it now).
fn keys(p: &mut rexpect::session::PtySession, text: &str) {
    p.send(text).unwrap();
    p.flush().unwrap();
}

/// The escape sequence a terminal sends for the up arrow.
const UP: &str = "\x1b[A";

#[test]
fn tab_completes_the_up_arrow_recalls_and_the_history_is_private() {
    let data = std::env::temp_dir().join(format!("salvage-repl-pty-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let mut command = Command::new(env!("CARGO_BIN_EXE_salvage"));
    command
        .args(["repl", "protocols/dlbcl-second-line.salv"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("XDG_DATA_HOME", &data)
        .env("NO_COLOR", "1")
        .env("TERM", "xterm");
    let mut p = rexpect::session::spawn_command(command, Some(10_000)).unwrap();
    p.exp_string("14 rules").unwrap();
    p.exp_string("salvage> ").unwrap();

    p.send_line(":case tests/repl/cases/c-10.json").unwrap();
    p.exp_string("case c-10 loaded").unwrap();
    p.exp_string("salvage> ").unwrap();

    // `:dec` and Tab: the only command that starts so is completed.
    keys(&mut p, ":dec\t");
    p.exp_string("ide").unwrap();
    keys(&mut p, "\r");
    p.exp_string("status: recommended").unwrap();
    p.exp_string("R-ICE, goal curative").unwrap();
    p.exp_string("salvage> ").unwrap();

    // The up arrow brings `:decide` back; Enter runs it again.
    keys(&mut p, UP);
    p.exp_string(":decide").unwrap();
    keys(&mut p, "\r");
    p.exp_string("status: recommended").unwrap();
    p.exp_string("salvage> ").unwrap();

    // Ctrl-C drops the line being typed; the prompt goes on.
    keys(&mut p, "ecog <= ");
    p.send_control('c').unwrap();
    p.exp_string("salvage> ").unwrap();
    p.send_line(":help why").unwrap();
    p.exp_string(":why RULE").unwrap();
    p.exp_string("salvage> ").unwrap();

    // Ctrl-D leaves.
    p.send_control('d').unwrap();
    p.exp_eof().unwrap();

    let history = data.join("salvage").join("history");
    let text = std::fs::read_to_string(&history).unwrap();
    assert!(text.contains(":decide"), "history: {text}");
    assert!(
        !text.contains("ecog <="),
        "a cancelled line is not kept: {text}"
    );
    let mode = std::fs::metadata(&history).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "history mode {mode:o}");
    let folder: PathBuf = data.join("salvage");
    let mode = std::fs::metadata(folder).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700, "history folder mode {mode:o}");
    let _ = std::fs::remove_dir_all(&data);
}
