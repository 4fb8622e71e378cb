//! The command line: arguments (clap) and the commands, which only gather
//! input, call the library and print what it returns.
//!
//! Exit codes: 0 fine (warnings allowed), 1 the input has errors, 2 usage.
//!
//! `salvage check` is in [`check`], `salvage test` in [`test`], `salvage
//! explain` in [`explain`], `salvage eval` in [`eval`], `salvage diff` in
//! [`diff`] (what it compares in [`change`]). Both read cases with
//! [`inputs`] ([`array`] splits `.json` arrays; both make [`item`]s),
//! evaluate them with [`batch`], write with [`sink`], show [`progress`] and
//! count with [`audit`]. `salvage repl` is in [`repl`]. What every command
//! shares is in [`common`]. The dependencies run one way, top to bottom:
//! this module; `repl`, `eval`, `diff`, `test`, `explain`; `check`,
//! `change`, `audit`, `batch`; `progress`, `sink`, `inputs`; `array`;
//! `item`; `common`.

mod array;
mod audit;
mod batch;
mod change;
mod check;
mod common;
mod diff;
mod eval;
mod explain;
mod inputs;
mod item;
mod progress;
mod repl;
mod sink;
mod test;

use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

use check::{check, CheckArgs};
use common::{set_color, ColorChoice, Refusal};
use diff::{diff, DiffArgs};
use eval::{eval, EvalArgs};
use explain::{explain, ExplainArgs};
use repl::{repl, ReplArgs};
use test::{test, TestArgs};

/// The exit codes, shown at the end of `salvage --help`.
const EXIT_CODES: &str = "\
Exit codes:
  0  fine (warnings allowed)
  1  the input has errors: diagnostics, failed cases or tests, a protocol
     that did not compile, an input file that is missing or unreadable, a
     failed write to standard output
  2  usage: unknown flags, missing or contradictory arguments

Run `salvage COMMAND --help` for a command's options and an example.";

const CHECK_EXAMPLE: &str = "\
Example:
  salvage check protocols/
  salvage check --format json protocols/dlbcl-second-line.salv
  salvage check --root protocols - < protocols/dlbcl-second-line.salv";

const EVAL_EXAMPLE: &str = "\
Example:
  salvage eval protocols/dlbcl-second-line.salv examples/dlbcl-cases.jsonl
  salvage eval --summary protocols/hiv-virologic-failure.salv examples/hiv-cases.jsonl";

const DIFF_EXAMPLE: &str = "\
Example:
  salvage diff --format text protocols/dlbcl-second-line.salv protocols/dlbcl-second-line.salv examples/dlbcl-cases.jsonl";

const TEST_EXAMPLE: &str = "\
Example:
  salvage test
  salvage test protocols/prostate-bcr.salv";

const REPL_EXAMPLE: &str = "\
Example:
  salvage repl protocols/dlbcl-second-line.salv
  echo ':decide' | salvage repl protocols/dlbcl-second-line.salv";

const EXPLAIN_EXAMPLE: &str = "\
Example:
  salvage explain S0302
  salvage explain --list";

const COMPLETIONS_EXAMPLE: &str = "\
Example:
  salvage completions bash > ~/.local/share/bash-completion/completions/salvage
  salvage completions zsh > ~/.zfunc/_salvage";

/// Salvage: parse, check and evaluate clinical salvage pathways.
#[derive(Debug, Parser)]
#[command(name = "salvage", version, about, after_help = EXIT_CODES)]
pub struct Cli {
    /// When to colour diagnostics: `auto` on a terminal unless `NO_COLOR`
    /// is set, `always` even off a terminal, `never`.
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse and type-check protocols and their imports.
    #[command(after_help = CHECK_EXAMPLE)]
    Check(CheckArgs),
    /// Evaluate cases with a protocol: one JSON decision per case on stdout.
    #[command(after_help = EVAL_EXAMPLE)]
    Eval(EvalArgs),
    /// Compare two versions of a protocol on the same cases: one JSON line
    /// per case whose decision changes, then a summary.
    #[command(after_help = DIFF_EXAMPLE)]
    Diff(DiffArgs),
    /// Run the `test` blocks of protocols.
    #[command(after_help = TEST_EXAMPLE)]
    Test(TestArgs),
    /// Explore a protocol and a case at a prompt: set facts, ask for the
    /// decision and why (`:help` lists the commands).
    #[command(after_help = REPL_EXAMPLE)]
    Repl(ReplArgs),
    /// Explain a diagnostic code, such as S0101, or list them all.
    #[command(after_help = EXPLAIN_EXAMPLE)]
    Explain(ExplainArgs),
    /// Print a shell completion script on stdout.
    #[command(after_help = COMPLETIONS_EXAMPLE)]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// Runs the parsed command.
pub fn run(cli: Cli) -> ExitCode {
    set_color(cli.color);
    let result = match cli.command {
        Command::Check(args) => check(&args).map_err(Refusal::from),
        Command::Eval(args) => eval(&args),
        Command::Diff(args) => diff(&args),
        Command::Test(args) => test(&args).map_err(Refusal::from),
        Command::Repl(args) => Ok(repl(&args)),
        Command::Explain(args) => explain(&args).map_err(Refusal::from),
        Command::Completions { shell } => Ok(completions(shell)),
    };
    result.unwrap_or_else(|refusal| {
        let (message, code) = match refusal {
            Refusal::Usage(message) => (message, 2),
            Refusal::Input(message) => (message, 1),
        };
        eprintln!("error: {message}");
        ExitCode::from(code)
    })
}

/// `salvage completions SHELL`.
fn completions(shell: clap_complete::Shell) -> ExitCode {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "salvage", &mut script);
    match sink::print(&String::from_utf8_lossy(&script)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(stopped) => stopped.code(),
    }
}
