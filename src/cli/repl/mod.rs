//! `salvage repl [PROTOCOL]`: a prompt to explore a protocol and a case.
//!
//! On a terminal it is a line editor (rustyline): history kept in the
//! user's data folder (readable by the user alone, since case facts can be
//! patient data), Tab completion ([`complete`]), continuation lines for
//! unfinished input, Ctrl-C to cancel a line, Ctrl-D to leave. Otherwise it
//! reads requests from stdin line by line without a prompt, so that it can
//! be scripted: replies on stdout, diagnostics and errors on stderr, exit 1
//! if any request failed. What each request does is in [`state`]; how a
//! line is read as one, in [`command`].

mod command;
mod complete;
mod facts;
mod state;
mod text;

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use rustyline::error::ReadlineError;
use rustyline::history::DefaultHistory;
use rustyline::{Config, Editor};

use super::sink::Stopped;
use complete::{is_complete, PromptHelper, Words};
use state::{Reply, State};

/// Arguments of `salvage repl`.
#[derive(Debug, clap::Args)]
pub struct ReplArgs {
    /// The protocol to load (`:load` loads another).
    #[arg(value_name = "PROTOCOL")]
    pub protocol: Option<PathBuf>,
    /// The folder imports may not leave [default: the protocol's folder].
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Messages about the case repeat its values (they describe them
    /// otherwise), for debugging on one's own data.
    #[arg(long)]
    pub show_values: bool,
}

/// The prompt shown before each request (continuation lines are edited in place).
const PROMPT: &str = "salvage> ";

/// Runs the prompt until `:quit` or the end of input.
pub fn repl(args: &ReplArgs) -> ExitCode {
    let color = super::common::use_color();
    let (mut state, reply) = State::start(args.protocol.as_deref(), args.root.as_deref(), color);
    state.show_values(args.show_values);
    let interactive = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    match interactive {
        true => on_terminal(state, reply),
        false => from_script(state, reply),
    }
}

/// Prints a reply: its text on stdout, its diagnostics on stderr, stdout
/// first (and flushed) so that a transcript keeps their order. A failed
/// write on stdout stops the session.
fn print(reply: &Reply) -> Result<(), Stopped> {
    super::sink::print(&reply.out)?;
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(reply.err.as_bytes());
    let _ = err.flush();
    Ok(())
}

/// Reads requests from stdin without a prompt; a request continues on the
/// next line as it would at the prompt.
fn from_script(mut state: State, first: Reply) -> ExitCode {
    let mut failed = first.failed;
    if let Err(stopped) = print(&first) {
        return stopped.code();
    }
    let mut pending = String::new();
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else {
            eprintln!("error: standard input is not UTF-8 text");
            return ExitCode::from(1);
        };
        pending.push_str(&line);
        if !is_complete(&pending) {
            pending.push('\n');
            continue;
        }
        let reply = state.handle(&std::mem::take(&mut pending));
        failed |= reply.failed;
        if let Err(stopped) = print(&reply) {
            return stopped.code();
        }
        if reply.quit {
            return exit_code(failed);
        }
    }
    if !pending.trim().is_empty() {
        let reply = state.handle(&pending);
        failed |= reply.failed;
        if let Err(stopped) = print(&reply) {
            return stopped.code();
        }
    }
    exit_code(failed)
}

fn exit_code(failed: bool) -> ExitCode {
    ExitCode::from(u8::from(failed))
}

/// The line editor: one request per (perhaps continued) input. A reply
/// that cannot be written (standard output redirected to a full disk, or
/// closed) ends the session as it does from a script: exit 1 with the error
/// on stderr, or quietly for a closed pipe.
fn on_terminal(mut state: State, first: Reply) -> ExitCode {
    if let Err(stopped) = print(&first) {
        return stopped.code();
    }
    let config = Config::builder()
        .auto_add_history(true)
        .history_ignore_space(true)
        .max_history_size(1000)
        .map_or_else(|_| Config::default(), |builder| builder.build());
    let mut editor: Editor<PromptHelper, DefaultHistory> = match Editor::with_config(config) {
        Ok(editor) => editor,
        Err(e) => {
            eprintln!("error: cannot start the line editor: {e}");
            return ExitCode::from(1);
        }
    };
    editor.set_helper(Some(PromptHelper::new(Words::of(state.protocol()))));
    let history = history_file();
    if let Some(path) = &history {
        let _ = editor.load_history(path);
    }
    let mut code = ExitCode::SUCCESS;
    loop {
        match editor.readline(PROMPT) {
            Ok(input) => {
                let reply = state.handle(&input);
                if let Err(stopped) = print(&reply) {
                    code = stopped.code();
                    break;
                }
                if reply.quit {
                    break;
                }
                if let Some(helper) = editor.helper_mut() {
                    helper.words = Words::of(state.protocol());
                }
            }
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => {
                eprintln!("error: {e}");
                break;
            }
        }
    }
    if let Some(path) = &history {
        if let Err(e) = save_history(&mut editor, path) {
            eprintln!("warning: history not saved to {}: {e}", path.display());
        }
    }
    code
}

/// Where the history is kept: `$XDG_DATA_HOME/salvage/history`, else
/// `~/.local/share/salvage/history`; none without a home folder.
fn history_file() -> Option<PathBuf> {
    let data = match std::env::var_os("XDG_DATA_HOME") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => PathBuf::from(std::env::var_os("HOME")?)
            .join(".local")
            .join("share"),
    };
    Some(data.join("salvage").join("history"))
}

/// Saves the history, its folder made readable by the user alone and the
/// file created with mode 0600 before anything is written to it.
fn save_history(
    editor: &mut Editor<PromptHelper, DefaultHistory>,
    path: &Path,
) -> std::io::Result<()> {
    if let Some(folder) = path.parent() {
        private_folder(folder)?;
    }
    private_file(path)?;
    editor
        .save_history(path)
        .map_err(|e| std::io::Error::other(e.to_string()))
}

#[cfg(unix)]
fn private_folder(folder: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(folder)
}

#[cfg(unix)]
fn private_file(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)?;
    // A file made before (by another program) is made private too.
    file.set_permissions(std::fs::Permissions::from_mode(0o600))
}

#[cfg(not(unix))]
fn private_folder(folder: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(folder)
}

#[cfg(not(unix))]
fn private_file(_: &Path) -> std::io::Result<()> {
    Ok(())
}
