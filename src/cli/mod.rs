//! The command line: arguments (clap) and the commands, which only gather
//! input, call the library and print what it returns.
//!
//! Exit codes: 0 fine (warnings allowed), 1 the input has errors, 2 usage.
//!
//! `salvage eval` is in [`eval`], `salvage diff` in [`diff`] (what it
//! compares in [`change`]). Both read cases with [`inputs`] ([`array`] splits
//! `.json` arrays; both make [`item`]s), evaluate them with [`batch`], write
//! with [`sink`], show [`progress`] and count with [`audit`]. `salvage repl`
//! is in [`repl`]. What every command shares is in [`common`]. The dependencies run one way, top to
//! bottom: this module; `repl`, `eval`, `diff`; `change`, `audit`, `batch`;
//! `progress`, `sink`, `inputs`; `array`; `item`; `common`.

mod array;
mod audit;
mod batch;
mod change;
mod common;
mod diff;
mod eval;
mod inputs;
mod item;
mod progress;
mod repl;
mod sink;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use salvage::diag::{did_you_mean, Code};
use salvage::testing::{self, Outcome, ProtocolRun};
use salvage::{check_files, check_source, check_tree, on_big_stack, unreadable, CheckReport};

use common::{check_root, find_files, print_reports, Format, Usage};
use diff::{diff, DiffArgs};
use eval::{eval, EvalArgs};
use repl::{repl, ReplArgs};

/// Salvage: parse, check and evaluate clinical salvage pathways.
#[derive(Debug, Parser)]
#[command(name = "salvage", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse and type-check protocols and their imports.
    Check(CheckArgs),
    /// Evaluate cases with a protocol: one JSON decision per case on stdout.
    Eval(EvalArgs),
    /// Compare two versions of a protocol on the same cases: one JSON line
    /// per case whose decision changes, then a summary.
    Diff(DiffArgs),
    /// Run the `test` blocks of protocols.
    Test(TestArgs),
    /// Explore a protocol and a case at a prompt: set facts, ask for the
    /// decision and why (`:help` lists the commands).
    Repl(ReplArgs),
    /// Explain a diagnostic code, such as S0101.
    Explain {
        /// The code, as printed in brackets after `error`.
        code: String,
    },
}

/// Arguments of `salvage check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Protocol files, folders (searched recursively for `.salv` files), or
    /// `-` for a protocol on standard input.
    #[arg(required = true, value_name = "FILES")]
    pub files: Vec<PathBuf>,
    /// How to print diagnostics: on stderr for people, or a JSON document on stdout.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// The folder imports may not leave [default: each protocol's folder].
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
}

/// Arguments of `salvage test`.
#[derive(Debug, clap::Args)]
pub struct TestArgs {
    /// Protocol files, or folders searched recursively for `.salv` files (a
    /// file that another found file imports is vocabulary, not a protocol).
    #[arg(value_name = "PATHS", default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// The folder imports may not leave [default: each protocol's folder].
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Messages about a test's case repeat its values (they describe them
    /// otherwise), for debugging on one's own data.
    #[arg(long)]
    pub show_values: bool,
}

/// Runs the parsed command.
pub fn run(cli: Cli) -> ExitCode {
    let result = match cli.command {
        Command::Check(args) => check(&args),
        Command::Eval(args) => eval(&args),
        Command::Diff(args) => diff(&args),
        Command::Test(args) => test(&args),
        Command::Repl(args) => Ok(repl(&args)),
        Command::Explain { code } => explain(&code),
    };
    result.unwrap_or_else(|Usage(message)| {
        eprintln!("error: {message}");
        ExitCode::from(2)
    })
}

/// One protocol to check.
enum Target {
    /// A protocol named on the command line.
    File(PathBuf),
    /// `-`: a protocol on standard input.
    Stdin,
    /// The protocols found in a folder.
    Tree(Vec<PathBuf>),
}

/// `salvage check`.
fn check(args: &CheckArgs) -> Result<ExitCode, Usage> {
    check_root(args.root.as_deref())?;
    let targets = args
        .files
        .iter()
        .map(|path| target(path))
        .collect::<Result<Vec<_>, _>>()?;
    let root = args.root.as_deref();
    let reports: Vec<CheckReport> = targets.iter().flat_map(|t| run_target(t, root)).collect();
    print_reports(&reports, args.format);
    let failed = reports.iter().any(CheckReport::has_errors);
    Ok(ExitCode::from(u8::from(failed)))
}

/// What a command-line path names.
fn target(path: &Path) -> Result<Target, Usage> {
    if path.as_os_str() == "-" {
        return Ok(Target::Stdin);
    }
    if !path.is_dir() {
        return Ok(Target::File(path.to_path_buf()));
    }
    let mut found = Vec::new();
    find_files(path, &["salv"], &mut found)
        .map_err(|e| Usage(format!("cannot search `{}`: {e}", path.display())))?;
    if found.is_empty() {
        return Err(Usage(format!("no `.salv` files in `{}`", path.display())));
    }
    found.sort();
    Ok(Target::Tree(found))
}

fn run_target(target: &Target, root: Option<&Path>) -> Vec<CheckReport> {
    match target {
        Target::File(path) => vec![check_files(path, root)],
        Target::Stdin => vec![check_stdin()],
        Target::Tree(paths) => check_tree(paths, root),
    }
}

/// Checks the protocol on standard input, named `<stdin>`.
fn check_stdin() -> CheckReport {
    const NAME: &str = "<stdin>";
    let mut bytes = Vec::new();
    if let Err(e) = std::io::stdin().read_to_end(&mut bytes) {
        return unreadable(NAME, &e.to_string());
    }
    match String::from_utf8(bytes) {
        Ok(text) => check_source(NAME, &text),
        Err(_) => unreadable(NAME, "it is not UTF-8 text"),
    }
}

/// `salvage explain CODE`.
fn explain(code: &str) -> Result<ExitCode, Usage> {
    let Some(code) = Code::parse(code) else {
        return Err(unknown_code(code));
    };
    let text = code.explanation_text();
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    if !text.ends_with('\n') {
        let _ = writeln!(out);
    }
    Ok(ExitCode::SUCCESS)
}

fn unknown_code(code: &str) -> Usage {
    let known = Code::ALL.iter().map(|c| c.as_str());
    let wanted = code.trim().to_uppercase();
    match did_you_mean(&wanted, known) {
        Some(near) => Usage(format!("unknown code `{code}`\n  = help: did you mean `{near}`?")),
        None => Usage(format!(
            "unknown code `{code}`\n  = help: codes look like `S0101`; every diagnostic prints its code"
        )),
    }
}

/// `salvage test`: runs every protocol's tests; failures and a coverage
/// line per protocol on stdout, diagnostics on stderr, then `N passed, N
/// failed` (N counts tests). Exit 1 on any failure or protocol with errors.
fn test(args: &TestArgs) -> Result<ExitCode, Usage> {
    check_root(args.root.as_deref())?;
    let mut protocols = Vec::new();
    for path in &args.paths {
        match target(path)? {
            Target::File(file) if !file.exists() => {
                return Err(Usage(format!("cannot find `{}`", file.display())))
            }
            Target::File(file) => protocols.push(file),
            Target::Tree(found) => protocols.extend(testing::protocols_among(&found)),
            Target::Stdin => {
                return Err(Usage(
                    "`salvage test` reads protocol files, not standard input".into(),
                ))
            }
        }
    }
    let root = args.root.as_deref();
    let (passed, failed, broken) = on_big_stack(|| {
        let mut tally = (0, 0, false);
        for protocol in &protocols {
            let run = testing::run_file(protocol, root, args.show_values);
            print_reports(std::slice::from_ref(&run.report), Format::Human);
            let _ = std::io::stdout()
                .lock()
                .write_all(run_text(&run).as_bytes());
            tally.0 += run.passed();
            tally.1 += run.failed();
            tally.2 |= run.report.has_errors();
        }
        tally
    });
    let _ = writeln!(std::io::stdout().lock(), "{passed} passed, {failed} failed");
    Ok(ExitCode::from(u8::from(failed > 0 || broken)))
}

/// One protocol's failures, then its coverage line.
fn run_text(run: &ProtocolRun) -> String {
    let Some(coverage) = &run.coverage else {
        return format!(
            "FAIL {}: the protocol has errors, so its {} tests did not run\n",
            run.path,
            run.tests.len()
        );
    };
    let mut text = String::new();
    for test in &run.tests {
        let problems = match &test.outcome {
            Outcome::Passed => continue,
            Outcome::NotRun => Vec::new(),
            Outcome::NoCase(problem) => vec![problem.clone()],
            Outcome::Failed(problems) => problems.clone(),
        };
        text.push_str(&format!("FAIL {}: \"{}\"\n", test.at, test.name));
        for p in problems {
            text.push_str(&format!("  {}: {}\n    {}\n", p.at, p.text, p.message));
        }
    }
    let not_fired = if coverage.not_fired.is_empty() {
        String::new()
    } else {
        format!(" (not fired: {})", coverage.not_fired.join(", "))
    };
    let (fired, rules) = (coverage.fired(), coverage.rules);
    text.push_str(&format!(
        "{}: rules fired by tests: {fired}/{rules}{not_fired}\n",
        run.path
    ));
    text
}
