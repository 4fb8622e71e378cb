//! The checker: every name resolved, every expression typed, units and
//! optionals checked, and warnings for rules that cannot work as written.
//!
//! It records each problem and goes on with [`types::Ty::Error`], which fits
//! anywhere, so one mistake is reported once.

mod built;
mod collections;
mod dated;
mod decls;
mod env;
mod error;
mod expectations;
mod expr;
mod functions;
mod history;
pub mod ir;
mod is_test;
pub mod lower;
mod modifiers;
pub use modifiers::GOALS;
mod names;
mod narrow;
mod ops;
mod quantities;
mod repeats;
mod rules;
pub mod schema;
mod series_reads;
mod series_runs;
mod sources;
mod spellings;
pub mod strata;
pub mod types;
pub mod unit_decls;
mod warnings;

use crate::diag::{Code, Diagnostic};
use crate::load::Program;
use crate::span::Span;
use crate::units::UnitTable;
use env::Env;
use error::{ActionError, CheckError};
use schema::Schema;
pub use spellings::{fold, folds_to, has_words, words};
use std::collections::{HashMap, HashSet};
use types::Ty;

/// What checking a program found, and the types it resolved.
#[derive(Debug, Default)]
pub struct Checked {
    /// Every problem, in the order found.
    pub diagnostics: Vec<Diagnostic>,
    /// Every record and case field with its resolved type (complete only
    /// when no diagnostic is an error).
    pub schema: Schema,
    /// How each name was resolved, for lowering to the compiled program.
    pub resolved: lower::Resolutions,
    /// Each define's type as diagnostics write it (`bool`, `number mg/dL`).
    pub define_types: HashMap<String, String>,
}

/// Checks a loaded program and returns every problem found, with the typed
/// schema. `loading` holds what loading and parsing reported: after a syntax
/// error nothing is checked (the tree is incomplete), and after a failed
/// import names it might have declared are not reported unknown.
pub fn check(program: &Program, loading: &[Diagnostic]) -> Checked {
    if loading
        .iter()
        .any(|d| matches!(d.code, Code::S0001 | Code::S0002))
    {
        return Checked::default();
    }
    let imports_failed = loading.iter().any(|d| {
        matches!(
            d.code,
            Code::S0008 | Code::S0201 | Code::S0202 | Code::S0203
        )
    });
    let mut problems = Vec::new();
    let all: Vec<&crate::syntax::ast::File> = program.files.iter().map(|(_, f)| f).collect();
    let env = Env::collect(all.iter().copied(), &mut problems);
    spellings::clashes(&all, &mut problems);
    let mut checker = Checker::new(env, problems, &program.sources);
    checker.imports_failed = imports_failed;
    checker.type_fields(&all);
    for (index, (_, file)) in program.files.iter().enumerate() {
        checker.file(file, index == 0);
    }
    checker.strata(&all);
    checker.finish(program)
}

/// How many unknown names of one run get a "did you mean".
const MAX_SUGGESTIONS: usize = 200;

/// The state of a define while the checker infers its type.
#[derive(Clone)]
enum DefineState {
    InProgress,
    Done(Ty),
}

/// Walks the program, recording types, uses and problems.
pub(crate) struct Checker<'a> {
    env: Env<'a>,
    sources: &'a crate::source::Sources,
    units: UnitTable,
    problems: Vec<CheckError>,
    defines: HashMap<String, DefineState>,
    /// Types of record and case fields.
    schema: Schema,
    /// How each name typed so far was resolved.
    resolved: lower::Resolutions,
    /// Names used anywhere: defines, citation keys, reason codes.
    used: HashSet<String>,
    /// Bound variables, innermost last.
    locals: Vec<(String, Ty)>,
    /// Paths known not to be none here (`x`, `l.end_date`, `calls[a]`).
    narrowed: Vec<narrow::Fact>,
    /// Stack of defines being checked, for cycle reports.
    define_stack: Vec<String>,
    /// Cycles already reported (by their first define).
    cycles_reported: HashSet<String>,
    /// The case's history mapping, once its type is checked.
    history: Option<history::HistoryInfo>,
    /// Whether the history's type had an error (predicates then stay quiet).
    history_broken: bool,
    /// Whether an import failed: unknown names may be its, so they are not reported.
    imports_failed: bool,
    /// The type of the collection the innermost binding ranges over.
    last_source: Option<Ty>,
    /// Every global name, for "did you mean" (computed on first need).
    global_names: Option<Vec<String>>,
    /// How many more "did you mean" searches to make: a file with thousands of
    /// unknown names still checks in bounded time.
    suggestions_left: std::cell::Cell<usize>,
}

impl<'a> Checker<'a> {
    fn new(
        env: Env<'a>,
        problems: Vec<CheckError>,
        sources: &'a crate::source::Sources,
    ) -> Checker<'a> {
        Checker {
            env,
            sources,
            units: UnitTable::new(),
            problems,
            defines: HashMap::new(),
            schema: Schema::default(),
            resolved: lower::Resolutions::default(),
            used: HashSet::new(),
            locals: Vec::new(),
            narrowed: Vec::new(),
            define_stack: Vec::new(),
            cycles_reported: HashSet::new(),
            history: None,
            history_broken: false,
            imports_failed: false,
            global_names: None,
            last_source: None,
            suggestions_left: std::cell::Cell::new(MAX_SUGGESTIONS),
        }
    }

    /// "did you mean" for the first [`MAX_SUGGESTIONS`] unknown names of a run.
    fn suggestion<'s>(
        &self,
        wanted: &str,
        candidates: impl IntoIterator<Item = &'s str>,
    ) -> Option<String> {
        let left = self.suggestions_left.get();
        if left == 0 {
            return None;
        }
        self.suggestions_left.set(left - 1);
        crate::diag::did_you_mean(wanted, candidates)
    }

    /// The source text under a span, for quoting the author's own words.
    fn quote(&self, span: Span) -> String {
        let text = self
            .sources
            .text(span.file)
            .get(span.range())
            .unwrap_or("this value");
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// Records a problem, to be worded by [`CheckError::diagnostic`].
    fn report(&mut self, problem: impl Into<CheckError>) {
        self.problems.push(problem.into());
    }

    /// Rules that read the decision: a cycle between them, or an `include`
    /// among them, is an error (checked only when nothing else is wrong).
    fn strata(&mut self, files: &[&crate::syntax::ast::File]) {
        if self.problems.iter().any(CheckError::is_error) {
            return;
        }
        match strata::decision_reads(files).strata {
            Err(cycle) => self.report(ActionError::DecisionCycle {
                names: cycle.names,
                reads: cycle.reads,
            }),
            Ok(found) if found.top() > strata::MAX_STRATA => {
                let deepest = found.of_rule.iter().position(|s| *s == found.top());
                let at = deepest
                    .and_then(|i| found.reads.get(i))
                    .and_then(|r| r.first())
                    .map_or_else(Span::default, |(_, s)| *s);
                let limit = strata::MAX_STRATA;
                self.report(ActionError::StrataTooDeep { at, limit });
            }
            Ok(found) => {
                for at in found.late_includes {
                    self.report(ActionError::IncludeAfterDecision { at });
                }
            }
        }
    }

    /// The problems found, as diagnostics in the order they were found, and the schema.
    fn finish(mut self, program: &Program) -> Checked {
        if let Some((_, root)) = program.files.first() {
            let additions = program.files.len().saturating_sub(program.extensions);
            let extensions = program.files.get(additions.max(1)..).unwrap_or_default();
            let own: Vec<&crate::syntax::ast::File> = std::iter::once(root)
                .chain(extensions.iter().map(|(_, f)| f))
                .collect();
            self.unused_warnings(&own);
        }
        let define_types = self
            .defines
            .iter()
            .filter_map(|(name, state)| match state {
                DefineState::Done(ty) => Some((name.clone(), ty.to_string())),
                DefineState::InProgress => None,
            })
            .collect();
        let problems = self.problems.into_iter();
        Checked {
            diagnostics: problems.filter_map(CheckError::diagnostic).collect(),
            schema: self.schema,
            resolved: self.resolved,
            define_types,
        }
    }
}
