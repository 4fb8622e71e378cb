//! `salvage test`: runs every protocol's tests; failures and a line per
//! protocol on stdout, diagnostics on stderr, then the summary line
//! (`12 passed, 0 failed`, with `, 1 protocol did not compile` when one had
//! errors). Exit 1 on any failed test or protocol that did not compile.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use salvage::on_big_stack;
use salvage::testing::{self, Outcome, ProtocolRun};

use super::check::{counted, target, Target};
use super::common::{check_root, print_diagnostics, Usage};
use super::sink::{print, Stopped};

/// The folder tested when no path is given.
const DEFAULT_FOLDER: &str = "protocols";

/// Arguments of `salvage test`.
#[derive(Debug, clap::Args)]
pub struct TestArgs {
    /// Protocol files, or folders searched recursively for `.salv` files (a
    /// file that another found file imports is vocabulary, not a protocol)
    /// [default: `protocols/` in the current folder].
    #[arg(value_name = "PATHS")]
    pub paths: Vec<PathBuf>,
    /// The folder imports and test case files may not leave [default: each
    /// protocol's folder].
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Messages about a test's case repeat its values (they describe them
    /// otherwise), for debugging on one's own data.
    #[arg(long)]
    pub show_values: bool,
}

/// What the runs added up to.
#[derive(Default)]
struct Tally {
    passed: usize,
    failed: usize,
    /// Protocols with errors, whose tests did not run.
    broken: usize,
}

/// `salvage test`.
pub fn test(args: &TestArgs) -> Result<ExitCode, Usage> {
    check_root(args.root.as_deref())?;
    let protocols = protocols(&args.paths)?;
    let root = args.root.as_deref();
    let tally = on_big_stack(|| run_all(&protocols, root, args.show_values));
    let tally = match tally {
        Ok(tally) => tally,
        Err(stopped) => return Ok(stopped.code()),
    };
    if let Err(stopped) = print(&format!("{}\n", summary(&tally))) {
        return Ok(stopped.code());
    }
    Ok(ExitCode::from(u8::from(
        tally.failed > 0 || tally.broken > 0,
    )))
}

/// The protocol files the paths name (folders searched; `protocols/` when
/// none is given).
fn protocols(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Usage> {
    let default = [PathBuf::from(DEFAULT_FOLDER)];
    let paths = if paths.is_empty() {
        if !default[0].is_dir() {
            return Err(Usage(format!(
                "no `{DEFAULT_FOLDER}/` folder here to test\n  = help: name the protocol files or folders to test: `salvage test PATHS…`"
            )));
        }
        &default[..]
    } else {
        paths
    };
    let mut protocols = Vec::new();
    for path in paths {
        match target(path)? {
            Target::File(file) => protocols.push(file),
            Target::Tree(found) => protocols.extend(testing::protocols_among(&found)),
            Target::Stdin => {
                return Err(Usage(
                    "`salvage test` reads protocol files, not standard input".into(),
                ))
            }
        }
    }
    Ok(protocols)
}

/// Runs each protocol's tests and prints what they found as it goes (with
/// `show_values`, messages about a test's case repeat its values).
fn run_all(
    protocols: &[PathBuf],
    root: Option<&Path>,
    show_values: bool,
) -> Result<Tally, Stopped> {
    let mut tally = Tally::default();
    for protocol in protocols {
        let run = testing::run_file(protocol, root, show_values);
        print_diagnostics(std::slice::from_ref(&run.report));
        print(&run_text(&run))?;
        tally.passed += run.passed();
        tally.failed += run.failed();
        tally.broken += usize::from(run.report.has_errors());
    }
    Ok(tally)
}

/// `12 passed, 0 failed`, then `, 1 protocol did not compile` if any did not.
fn summary(tally: &Tally) -> String {
    let line = format!("{} passed, {} failed", tally.passed, tally.failed);
    match tally.broken {
        0 => line,
        n => format!("{line}, {} did not compile", counted(n, "protocol")),
    }
}

/// One protocol's failures, then its coverage line (or why there is none).
fn run_text(run: &ProtocolRun) -> String {
    let Some(coverage) = &run.coverage else {
        return format!(
            "FAIL {}: the protocol has errors, so its {} did not run\n",
            run.path,
            counted(run.tests.len(), "test")
        );
    };
    if run.tests.is_empty() {
        let what = if run.vocabulary { "vocabulary, " } else { "" };
        return format!("{}: {what}no tests\n", run.path);
    }
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
