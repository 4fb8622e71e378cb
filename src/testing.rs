//! Protocol tests (`salvage test`): every `test` block of a protocol is
//! run, and its expectations are checked against the decision.
//!
//! A test's case is its `given` JSON (the test's `as_of` is used; without an
//! id key, the case id is the test's name) or `from "FILE" case "ID"` (FILE
//! relative to the protocol's folder and, like an import, inside the root:
//! loading reports one that leaves it, S0202; `.json` or JSON Lines; the test's
//! `as_of` applies only when the case has none). A case that cannot be
//! loaded fails its test. Tests run whatever the protocol's status.
//!
//! Nothing here prints: [`run_file`] returns a [`ProtocolRun`] for the
//! command line to show.

use std::collections::HashSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use jiff::civil::Date;
use serde_json::Value as Json;

use crate::check::ir;
use crate::compile::{compile_file, CheckReport};
use crate::decision::output::{
    AsOfSource, Decision, Message, MissingItem, OptionKind, Recommendation, Text, TraceResult,
};
use crate::decision::{before_effective, decide};
use crate::diag::Code;
use crate::eval::case::{load_case, parse_json, LoadOptions};
use crate::eval::expr::Evaluator;
use crate::eval::model::{civil, Protocol};
use crate::eval::show::to_json;
use crate::eval::shown::Reveal;
use crate::eval::value::Case;
use crate::eval::value::Val;
use crate::source::Sources;
use crate::span::{FileId, Span};
use crate::syntax::ast::{ExpectKind, Expectation, Item, Offered, Test, TestCase};

/// What running one protocol's tests found.
#[derive(Debug)]
pub struct ProtocolRun {
    /// The protocol's path as given.
    pub path: String,
    /// What checking found: warnings, or the errors that kept every test from running.
    pub report: CheckReport,
    /// Every test block, in file order.
    pub tests: Vec<TestResult>,
    /// Which rules the tests fired; `None` when the protocol has errors.
    pub coverage: Option<Coverage>,
    /// Whether the file is vocabulary (no header, nothing but vocabulary
    /// items): it has no tests, and no header is not an error.
    pub vocabulary: bool,
}

impl ProtocolRun {
    /// How many tests passed.
    pub fn passed(&self) -> usize {
        self.tests.iter().filter(|t| t.passed()).count()
    }

    /// How many tests failed (a test that could not run counts as failed).
    pub fn failed(&self) -> usize {
        self.tests.len() - self.passed()
    }
}

/// One test block and how it came out.
#[derive(Debug, Clone, PartialEq)]
pub struct TestResult {
    /// The test's name.
    pub name: String,
    /// Where the test is written, `file:line`.
    pub at: String,
    /// How it came out.
    pub outcome: Outcome,
}

impl TestResult {
    /// Whether every expectation held.
    pub fn passed(&self) -> bool {
        self.outcome == Outcome::Passed
    }
}

/// How a test came out.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Every expectation held.
    Passed,
    /// The protocol has errors, so no test ran.
    NotRun,
    /// The case could not be loaded (bad JSON, missing file, unknown id, a
    /// value that does not fit the schema, no `as_of`, `as_of` before the
    /// protocol's `effective` date), or the engine failed on it.
    NoCase(Problem),
    /// These expectations did not hold.
    Failed(Vec<Problem>),
}

/// A failed expectation, or a case that could not be loaded.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// Where it is written, `file:line`.
    pub at: String,
    /// What is written there, on one line (`expect recommend R-ICE rank 1`).
    pub text: String,
    /// The differing part of the decision (`expected status needs-data, got
    /// recommended`), or why the case could not be loaded.
    pub message: String,
}

/// Which rules fired (came out true) in some test's decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    /// How many rules the protocol has.
    pub rules: usize,
    /// The rules no test fired, in file order.
    pub not_fired: Vec<String>,
}

impl Coverage {
    /// The coverage of a file without rules.
    fn none() -> Coverage {
        Coverage {
            rules: 0,
            not_fired: Vec::new(),
        }
    }

    /// How many rules some test fired.
    pub fn fired(&self) -> usize {
        self.rules - self.not_fired.len()
    }
}

/// The protocols among files found by searching folders: a file that
/// another of `files` imports is vocabulary, not a protocol, unless it has a
/// protocol header of its own (then the import is reported when checking).
/// A file that cannot be read is kept, so that its error is reported.
pub fn protocols_among(files: &[PathBuf]) -> Vec<PathBuf> {
    let parsed: Vec<(PathBuf, Option<bool>, Vec<PathBuf>)> =
        files.iter().map(|path| imports_of(path)).collect();
    let imported: HashSet<&PathBuf> = parsed.iter().flat_map(|(_, _, i)| i).collect();
    files
        .iter()
        .zip(&parsed)
        .filter(|(_, (canonical, header, _))| {
            header.unwrap_or(true) || !imported.contains(canonical)
        })
        .map(|(path, _)| path.clone())
        .collect()
}

/// A file's canonical path, whether it has a protocol header (`None` when it
/// cannot be read), and the canonical paths of the files it imports.
fn imports_of(path: &Path) -> (PathBuf, Option<bool>, Vec<PathBuf>) {
    let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let Ok(text) = std::fs::read_to_string(path) else {
        return (canonical, None, Vec::new());
    };
    let (file, _) = crate::syntax::parse(FileId(0), &text);
    let folder = canonical
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let header = file.items.iter().any(|i| matches!(i, Item::Protocol(_)));
    let imports = file
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Import(import) => folder.join(&import.path.node).canonicalize().ok(),
            _ => None,
        })
        .collect();
    (canonical, Some(header), imports)
}

/// Compiles the protocol at `path` (imports and test case files stay
/// inside `root`, by default the protocol's folder) and runs its tests; with
/// `show_values`, messages about a test's case repeat its values (see
/// [`crate::eval::shown`]). A vocabulary file is checked and has no tests.
pub fn run_file(path: &Path, root: Option<&Path>, show_values: bool) -> ProtocolRun {
    let mut compiled = compile_file(path, root);
    let shown = path.display().to_string();
    let vocabulary = is_vocabulary(&compiled.report.sources);
    if vocabulary {
        compiled
            .report
            .diagnostics
            .retain(|d| d.code != Code::S0204);
    }
    let Some(protocol) = compiled.protocol else {
        let tests = not_run(&compiled.report.sources);
        let coverage = (vocabulary && !compiled.report.has_errors()).then(Coverage::none);
        return ProtocolRun {
            path: shown,
            report: compiled.report,
            tests,
            coverage,
            vocabulary,
        };
    };
    let folder = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let (tests, coverage) = run_tests(&protocol, &compiled.report.sources, &folder, show_values);
    ProtocolRun {
        path: shown,
        report: compiled.report,
        tests,
        coverage: Some(coverage),
        vocabulary,
    }
}

/// Whether the protocol file (the first source) is vocabulary: it parses,
/// has no protocol header and holds only vocabulary items.
fn is_vocabulary(sources: &Sources) -> bool {
    let Some(file) = sources.get(FileId(0)) else {
        return false;
    };
    let (parsed, problems) = crate::syntax::parse(FileId(0), &file.text);
    problems.is_empty()
        && !parsed.items.is_empty()
        && parsed.items.iter().all(|item| {
            !matches!(
                item,
                Item::Protocol(_)
                    | Item::Case(_)
                    | Item::Rule(_)
                    | Item::Section(_)
                    | Item::Report(_)
                    | Item::Test(_)
            )
        })
}

/// Runs every test of a compiled protocol: `sources` are its files (for
/// locations), `folder` is where `from` files are resolved; with
/// `show_values`, messages repeat the cases' values.
pub fn run_tests(
    protocol: &Protocol,
    sources: &Sources,
    folder: &Path,
    show_values: bool,
) -> (Vec<TestResult>, Coverage) {
    let reveal = Reveal::of_run(show_values);
    let mut fired: HashSet<String> = HashSet::new();
    let results = protocol
        .tests
        .iter()
        .zip(&protocol.expected_reports)
        .map(|(test, values)| {
            let (outcome, fired_here) =
                run_guarded(protocol, sources, folder, reveal, test, values);
            fired.extend(fired_here);
            TestResult {
                name: test.name.node.clone(),
                at: line_of(sources, test.span),
                outcome,
            }
        })
        .collect();
    let not_fired = protocol
        .rules
        .iter()
        .map(|r| r.name.clone())
        .filter(|name| !fired.contains(name))
        .collect();
    (
        results,
        Coverage {
            rules: protocol.rules.len(),
            not_fired,
        },
    )
}

/// The tests of a protocol that did not compile, each not run.
fn not_run(sources: &Sources) -> Vec<TestResult> {
    let Some(file) = sources.get(FileId(0)) else {
        return Vec::new();
    };
    let (parsed, _) = crate::syntax::parse(FileId(0), &file.text);
    parsed
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Test(test) => Some(TestResult {
                name: test.name.node.clone(),
                at: line_of(sources, test.span),
                outcome: Outcome::NotRun,
            }),
            _ => None,
        })
        .collect()
}

/// Runs one test; a panic in the engine fails the test instead of the run.
fn run_guarded(
    protocol: &Protocol,
    sources: &Sources,
    folder: &Path,
    reveal: Reveal,
    test: &Test,
    values: &[Option<ir::Expr>],
) -> (Outcome, Vec<String>) {
    let run = catch_unwind(AssertUnwindSafe(|| {
        run_test(protocol, sources, folder, reveal, test, values)
    }));
    run.unwrap_or_else(|panic| {
        let reason = panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or("no message");
        let message = format!("internal error: the engine panicked ({reason}); please report it");
        (
            Outcome::NoCase(case_problem(sources, test, message)),
            Vec::new(),
        )
    })
}

fn run_test(
    protocol: &Protocol,
    sources: &Sources,
    folder: &Path,
    reveal: Reveal,
    test: &Test,
    values: &[Option<ir::Expr>],
) -> (Outcome, Vec<String>) {
    let (case, as_of, as_of_source) = match test_case(protocol, folder, test, reveal) {
        Ok(loaded) => loaded,
        Err(message) => {
            return (
                Outcome::NoCase(case_problem(sources, test, message)),
                Vec::new(),
            )
        }
    };
    let decision = match decide(protocol, &case, as_of, as_of_source, true, reveal) {
        Ok(decision) => decision,
        Err(message) => {
            return (
                Outcome::NoCase(case_problem(sources, test, message)),
                Vec::new(),
            )
        }
    };
    let problems: Vec<Problem> = test
        .expectations
        .iter()
        .zip(values)
        .filter_map(|(e, value)| {
            let expected = Expected {
                decision: &decision,
                value: value.as_ref(),
                protocol,
                case: &case,
                as_of,
            };
            let message = check(e, &expected)?;
            Some(Problem {
                at: line_of(sources, e.span),
                text: one_line(sources, e.span),
                message,
            })
        })
        .collect();
    let outcome = if problems.is_empty() {
        Outcome::Passed
    } else {
        Outcome::Failed(problems)
    };
    (outcome, fired_rules(&decision))
}

/// The rules whose condition came out true.
fn fired_rules(decision: &Decision<'_>) -> Vec<String> {
    let trace = decision.trace.iter().flatten();
    trace
        .filter(|t| t.result == TraceResult::True)
        .map(|t| t.rule.clone())
        .collect()
}

/// A test's case loaded, with its evaluation date and where that date came from.
fn test_case(
    protocol: &Protocol,
    folder: &Path,
    test: &Test,
    reveal: Reveal,
) -> Result<(Case, Date, AsOfSource), String> {
    let test_as_of = test.as_of.as_ref().and_then(|d| civil(d.node));
    let (case, as_of) = match &test.source {
        TestCase::Given(text) => {
            let case = given_case(protocol, &text.node, &test.name.node, reveal)?;
            let as_of = test_as_of
                .map(|d| (d, AsOfSource::Test))
                .or(case.as_of.map(|d| (d, AsOfSource::Case)));
            (case, as_of)
        }
        TestCase::From { file, case } => {
            let json = case_in_file(&folder.join(&file.node), &protocol.case.id_key, &case.node)?;
            let case = load(protocol, &json, reveal)?;
            let as_of = case
                .as_of
                .map(|d| (d, AsOfSource::Case))
                .or(test_as_of.map(|d| (d, AsOfSource::Test)));
            (case, as_of)
        }
        TestCase::None => {
            return Err(
                "the test has no case: write `given { … }` or `from \"FILE\" case \"ID\"`".into(),
            )
        }
    };
    let Some((day, source)) = as_of else {
        return Err("the test has no `as_of` and its case gives none".into());
    };
    if let Some(effective) = protocol.header.effective.filter(|e| day < *e) {
        return Err(before_effective(day, effective, reveal));
    }
    Ok((case, day, source))
}

/// A `given` case: without an id key, the test's name is its id.
fn given_case(protocol: &Protocol, text: &str, name: &str, reveal: Reveal) -> Result<Case, String> {
    let mut json = parse_json(text).map_err(|e| e.to_string())?;
    if let Json::Object(object) = &mut json {
        let key = &protocol.case.id_key;
        if !object.contains_key(key) {
            object.insert(key.clone(), Json::String(name.to_string()));
        }
    }
    load(protocol, &json, reveal)
}

fn load(protocol: &Protocol, json: &Json, reveal: Reveal) -> Result<Case, String> {
    let options = LoadOptions {
        strict: false,
        show_values: reveal == Reveal::All,
    };
    load_case(protocol, json, &options).map_err(|e| format!("the case is not valid: {e}"))
}

/// The case with id `id` in a `.json` file (an object or an array of them)
/// or a JSON Lines file (any other extension). A test's id is text, and
/// matches a numeric id written alike (`case "2017"` and `"id": 2017`):
/// when more than one case matches (`2017` and `"2017"`, or an id written
/// twice), the test cannot know which was meant and fails.
fn case_in_file(path: &Path, id_key: &str, id: &str) -> Result<Json, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read `{}`: {}", path.display(), describe(&e)))?;
    let mut found: Vec<Json> = if path.extension().is_some_and(|e| e == "json") {
        let json = parse_json(&text).map_err(|e| format!("`{}`: {e}", path.display()))?;
        match json {
            Json::Array(items) => items
                .into_iter()
                .filter(|c| has_id(c, id_key, id))
                .collect(),
            one => has_id(&one, id_key, id)
                .then_some(one)
                .into_iter()
                .collect(),
        }
    } else {
        text.lines()
            .filter(|line| !line.trim().is_empty())
            .filter_map(|line| parse_json(line).ok())
            .filter(|c| has_id(c, id_key, id))
            .collect()
    };
    match found.len() {
        0 => Err(format!("no case with id `{id}` in `{}`", path.display())),
        1 => found.pop().ok_or_else(|| format!("no case with id `{id}`")),
        n => Err(format!(
            "{n} cases with id `{id}` in `{}` (as text or as a number): give each case its own id",
            path.display()
        )),
    }
}

/// Whether a case's id key holds `id` (as text, or as a whole number).
fn has_id(case: &Json, id_key: &str, id: &str) -> bool {
    match case.get(id_key) {
        Some(Json::String(s)) => s == id,
        Some(Json::Number(n)) => n.to_string() == id,
        _ => false,
    }
}

/// A short, lowercase reason for an IO error.
fn describe(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "no such file or folder".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => error.to_string(),
    }
}

/// The problem of a test whose case could not be loaded, at its `given` or `from`.
fn case_problem(sources: &Sources, test: &Test, message: String) -> Problem {
    let span = match &test.source {
        TestCase::Given(text) => text.span,
        TestCase::From { file, case } => file.span.to(case.span),
        TestCase::None => test.name.span,
    };
    let text = match &test.source {
        TestCase::Given(_) => "given { … }".to_string(),
        TestCase::From { file, case } => format!("from \"{}\" case \"{}\"", file.node, case.node),
        TestCase::None => format!("test \"{}\"", test.name.node),
    };
    Problem {
        at: line_of(sources, span),
        text,
        message,
    }
}

/// `file:line` of a span's start.
fn line_of(sources: &Sources, span: Span) -> String {
    let text = sources.text(span.file);
    let before = text.get(..span.start as usize).unwrap_or("");
    format!(
        "{}:{}",
        sources.path(span.file),
        before.matches('\n').count() + 1
    )
}

/// The text of a span on one line, runs of whitespace made one space.
fn one_line(sources: &Sources, span: Span) -> String {
    let text = sources.text(span.file).get(span.range()).unwrap_or("");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

// ---------- expectations ----------

/// Checks one expectation against the decision: `None` when it holds, else
/// the differing part (`expected recommend R-ICE rank 1, but recommendations
/// are: axi-cel (rank 1)`).
/// What an expectation is checked against: the decision, and for `expect
/// report R = V` the compiled `V`, evaluated on the test's case.
struct Expected<'a> {
    decision: &'a Decision<'a>,
    value: Option<&'a ir::Expr>,
    protocol: &'a Protocol,
    case: &'a Case,
    as_of: Date,
}

fn check(e: &Expectation, expected: &Expected<'_>) -> Option<String> {
    let d = expected.decision;
    let found = match &e.kind {
        ExpectKind::Status(s) => status(d, &s.node),
        ExpectKind::Recommend(x, details) => offered(d, &x.node, &Wanted::of(details), false),
        ExpectKind::Consider(x, details) => offered(d, &x.node, &Wanted::of(details), true),
        ExpectKind::Avoid(x, code) => avoided(d, &x.node, code.as_ref().map(|c| c.node.as_str())),
        ExpectKind::Include(x) => included(d, &x.node),
        ExpectKind::Pending(x) => pending(d, &x.node),
        ExpectKind::Missing(what) => missing(d, &what.node),
        ExpectKind::Order(m) => message(&d.orders, "order", "orders", &m.node),
        ExpectKind::Refer(m) => message(&d.referrals, "refer", "referrals", &m.node),
        ExpectKind::Flag(m) => message(&d.flags, "flag", "flags", &m.node),
        ExpectKind::Report(name, _) => match report(&name.node, expected) {
            Ok(found) => found,
            Err(problem) => return Some(problem),
        },
    };
    let not = if e.negated { "not " } else { "" };
    (found.holds == e.negated)
        .then(|| format!("expected {not}{}, {}", found.expected, found.actual))
}

/// What an expectation looked for, whether the decision has it, and the
/// decision's part it was looked for in.
struct Found {
    holds: bool,
    expected: String,
    actual: String,
}

fn status(d: &Decision<'_>, wanted: &str) -> Found {
    let got = d.status.as_str();
    Found {
        holds: got == wanted,
        expected: format!("status {wanted}"),
        actual: format!("got {got}"),
    }
}

/// The rank, role and note an `expect recommend X` asks for.
struct Wanted<'e> {
    rank: Option<u32>,
    role: Option<&'e str>,
    note: Option<&'e str>,
}

impl<'e> Wanted<'e> {
    fn of(details: &'e Offered) -> Wanted<'e> {
        Wanted {
            rank: details.rank.as_ref().map(|r| r.node),
            role: details.role.as_ref().map(|r| r.node.as_str()),
            note: details.note.as_ref().map(|n| n.node.as_str()),
        }
    }

    /// Whether entry `r` has everything asked for.
    fn fits(&self, r: &Recommendation<'_>) -> bool {
        self.rank.is_none_or(|n| r.rank == n)
            && self.role.is_none_or(|role| r.role.as_deref() == Some(role))
            && self
                .note
                .is_none_or(|note| r.notes.iter().any(|n| n == note))
    }

    /// The details as written: ` rank 1 role "anchor"`.
    fn text(&self) -> String {
        let mut text = self.rank.map(|n| format!(" rank {n}")).unwrap_or_default();
        if let Some(role) = self.role {
            text.push_str(&format!(" role {role:?}"));
        }
        if let Some(note) = self.note {
            text.push_str(&format!(" note {note:?}"));
        }
        text
    }
}

/// An entry as a failed expectation shows it: its rank, and its role and
/// notes when the expectation asked for them.
fn shown(r: &Recommendation<'_>, wanted: &Wanted<'_>) -> String {
    let mut text = format!("{} (rank {}", r.option, r.rank);
    if wanted.role.is_some() {
        match &r.role {
            Some(role) => text.push_str(&format!(", role {:?}", role.as_ref())),
            None => text.push_str(", no role"),
        }
    }
    if wanted.note.is_some() {
        match r.notes.as_slice() {
            [] => text.push_str(", no note"),
            notes => text.push_str(&format!(", notes {notes:?}")),
        }
    }
    text.push(')');
    text
}

/// `recommend X [rank N] [role "…"] [note "…"]` (kinds recommend, fallback,
/// component) or `consider X …`.
fn offered(d: &Decision<'_>, x: &str, wanted: &Wanted<'_>, consider: bool) -> Found {
    let fits = |kind: OptionKind| (kind == OptionKind::Consider) == consider;
    let listed: Vec<_> = d.recommendations.iter().filter(|r| fits(r.kind)).collect();
    let holds = listed.iter().any(|r| r.option == x && wanted.fits(r));
    let (word, plural) = if consider {
        ("consider", "considered options")
    } else {
        ("recommend", "recommendations")
    };
    let shown: Vec<String> = listed.iter().map(|r| shown(r, wanted)).collect();
    let actual = format!("{}{}", but_list(plural, &shown), elsewhere(d, x, consider));
    Found {
        holds,
        expected: format!("{word} {x}{}", wanted.text()),
        actual,
    }
}

/// Where else option `x` is in the decision, for a failed recommend, consider or pending.
fn elsewhere(d: &Decision<'_>, x: &str, consider: bool) -> String {
    let mut places = Vec::new();
    for r in d.recommendations.iter().filter(|r| r.option == x) {
        let is_consider = r.kind == OptionKind::Consider;
        if is_consider != consider {
            let word = if is_consider {
                "considered"
            } else {
                "recommended"
            };
            places.push(format!("{x} is {word} (rank {})", r.rank));
        }
    }
    places.extend(
        d.pending
            .iter()
            .filter(|p| p.option == x)
            .map(|p| format!("{x} is pending (rank {})", p.rank)),
    );
    places.extend(
        d.avoided
            .iter()
            .filter(|a| a.option == x)
            .map(|a| format!("{x} is avoided{}", code_text(&a.code))),
    );
    places.iter().map(|p| format!("; {p}")).collect()
}

/// `avoid X [code C]`: X avoided, or contraindicated, with that code.
fn avoided(d: &Decision<'_>, x: &str, code: Option<&str>) -> Found {
    let code_fits = |c: &Option<Text<'_>>| code.is_none_or(|wanted| c.as_deref() == Some(wanted));
    let holds = d
        .avoided
        .iter()
        .any(|a| a.option == x && code_fits(&a.code))
        || d.contraindicated
            .iter()
            .any(|c| c.what == x && code_fits(&c.code));
    let options: Vec<String> = d
        .avoided
        .iter()
        .map(|a| format!("{}{}", a.option, code_text(&a.code)))
        .collect();
    let groups: Vec<String> = d
        .contraindicated
        .iter()
        .map(|c| format!("{}{}", c.what, code_text(&c.code)))
        .collect();
    let actual = match (options.is_empty(), groups.is_empty()) {
        (true, true) => "but nothing is avoided".to_string(),
        (false, true) => format!("but avoided are: {}", options.join(", ")),
        (true, false) => format!(
            "but nothing is avoided; contraindicated are: {}",
            groups.join(", ")
        ),
        (false, false) => format!(
            "but avoided are: {}; contraindicated are: {}",
            options.join(", "),
            groups.join(", ")
        ),
    };
    let code_text = code.map(|c| format!(" code {c}")).unwrap_or_default();
    Found {
        holds,
        expected: format!("avoid {x}{code_text}"),
        actual,
    }
}

fn code_text(code: &Option<Text<'_>>) -> String {
    code.as_ref().map(|c| format!(" ({c})")).unwrap_or_default()
}

fn included(d: &Decision<'_>, x: &str) -> Found {
    let shown: Vec<String> = d.included.iter().map(|i| i.option.to_string()).collect();
    let holds = shown.iter().any(|o| o == x);
    Found {
        holds,
        expected: format!("include {x}"),
        actual: but_list("included options", &shown),
    }
}

fn pending(d: &Decision<'_>, x: &str) -> Found {
    let shown: Vec<String> = d
        .pending
        .iter()
        .map(|p| format!("{} (rank {})", p.option, p.rank))
        .collect();
    let holds = d.pending.iter().any(|p| p.option == x);
    let actual = format!(
        "{}{}",
        but_list("pending options", &shown),
        elsewhere_not_pending(d, x)
    );
    Found {
        holds,
        expected: format!("pending {x}"),
        actual,
    }
}

fn elsewhere_not_pending(d: &Decision<'_>, x: &str) -> String {
    let recommended = d.recommendations.iter().filter(|r| r.option == x);
    let mut places: Vec<String> = recommended
        .map(|r| format!("; {x} is recommended (rank {})", r.rank))
        .collect();
    places.extend(
        d.avoided
            .iter()
            .filter(|a| a.option == x)
            .map(|a| format!("; {x} is avoided{}", code_text(&a.code))),
    );
    places.concat()
}

/// `missing "/path"` (a fact by its pointer) or `missing "name"` (a named item).
fn missing(d: &Decision<'_>, wanted: &str) -> Found {
    let shown: Vec<String> = d.missing.iter().map(missing_text).collect();
    let holds = d.missing.iter().any(|m| match m {
        MissingItem::Fact { path, .. } => path == wanted,
        MissingItem::Named { name, .. } => name == wanted,
    });
    Found {
        holds,
        expected: format!("missing \"{wanted}\""),
        actual: but_list("missing facts", &shown),
    }
}

fn missing_text(item: &MissingItem<'_>) -> String {
    match item {
        MissingItem::Fact {
            path,
            need: Some(need),
            ..
        } => format!("{path} ({need})"),
        MissingItem::Fact { path, .. } => path.clone(),
        MissingItem::Named { name, .. } => format!("\"{name}\""),
    }
}

/// `order`, `refer` or `flag`: a message whose code or text is `wanted`.
fn message(list: &[Message<'_>], word: &str, plural: &str, wanted: &str) -> Found {
    let holds = list
        .iter()
        .any(|m| m.code.as_deref() == Some(wanted) || m.text == wanted);
    let shown: Vec<String> = list
        .iter()
        .map(|m| match &m.code {
            Some(code) => code.to_string(),
            None => format!("\"{}\"", m.text),
        })
        .collect();
    Found {
        holds,
        expected: format!("{word} {wanted}"),
        actual: but_list(plural, &shown),
    }
}

/// `report R = V`: V is evaluated on the test's case and compared, as JSON,
/// with the decision's report.
fn report(name: &str, expected: &Expected<'_>) -> Result<Found, String> {
    let d = expected.decision;
    let Some(value) = expected.value else {
        return Err(format!(
            "the expected value of report `{name}` was not compiled"
        ));
    };
    let mut evaluator = Evaluator::new(expected.protocol, expected.case, expected.as_of);
    let Val::Known(v) = evaluator.eval(value) else {
        return Err(format!(
            "the expected value of report `{name}` is unknown on this case: write a literal"
        ));
    };
    let wanted = to_json(expected.protocol, &v);
    let expected = format!("report {name} = {wanted}");
    if let Some(got) = d.reports.get(name) {
        return Ok(Found {
            holds: *got == wanted,
            expected,
            actual: format!("but it is {got}"),
        });
    }
    let actual = match d.unknown_reports.get(name) {
        Some(facts) => {
            let facts: Vec<String> = facts.iter().map(missing_text).collect();
            format!("but it is unknown (missing: {})", facts.join(", "))
        }
        None => format!("but the decision has no report `{name}`"),
    };
    Ok(Found {
        holds: false,
        expected,
        actual,
    })
}

/// `but recommendations are: a, b`, or `but there are no recommendations`.
fn but_list(plural: &str, shown: &[String]) -> String {
    if shown.is_empty() {
        format!("but there are no {plural}")
    } else {
        format!("but {plural} are: {}", shown.join(", "))
    }
}
