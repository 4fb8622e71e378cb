//! The facade the binary and the tests call: load a protocol, check it and,
//! when it has no errors, build the evaluation model ([`check_files`],
//! [`compile_file`], …).
//!
//! It sits above every phase it runs: loading, the checker and the
//! evaluation model never import it. Each function runs on a thread with a
//! large stack, so that deep but legal input never overflows.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::check::lower::{LowerError, Resolutions};
use crate::check::schema::Schema;
use crate::diag::{Diagnostic, Severity};
use crate::eval::model::Protocol;
use crate::load::{self, Program};
use crate::source::Sources;

/// Parse and check run on a thread with this much stack, so that deep but
/// legal input never overflows.
const STACK_SIZE: usize = 256 * 1024 * 1024;

/// What checking one protocol found.
#[derive(Debug, Clone)]
pub struct CheckReport {
    /// The files read, for rendering.
    pub sources: Sources,
    /// Every problem, sorted by file, then position.
    pub diagnostics: Vec<Diagnostic>,
}

impl CheckReport {
    /// Whether any diagnostic is an error (warnings alone do not count).
    pub fn has_errors(&self) -> bool {
        self.count(Severity::Error) > 0
    }

    /// How many diagnostics have this severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity() == severity)
            .count()
    }
}

/// A protocol ready to evaluate, with the report of checking it.
#[derive(Debug)]
pub struct Compiled {
    /// What checking found (warnings, or the errors that stopped compilation).
    pub report: CheckReport,
    /// The protocol, when it checked without errors.
    pub protocol: Option<Protocol>,
}

/// Loads, parses and checks the protocol at `path` and its imports.
///
/// `root` is the folder imports may not leave; without it, the protocol's
/// own folder.
pub fn check_files(path: &Path, root: Option<&Path>) -> CheckReport {
    on_big_stack(|| checked(load::load(path, root)).report())
}

/// Parses and checks protocol text held in memory, named `name` in
/// diagnostics. Imports are not followed (each is S0201).
pub fn check_source(name: &str, text: &str) -> CheckReport {
    on_big_stack(|| checked(load::load_str(name, text)).report())
}

/// Parses and checks protocol text that has no file of its own (standard
/// input), named `name`: its imports are resolved in `root`, which they may
/// not leave.
pub fn check_text(name: &str, text: &str, root: &Path) -> CheckReport {
    on_big_stack(|| checked(load::load_text(name, text, root)).report())
}

/// Checks the protocols found by searching folders: a file that another of
/// `paths` imports is checked through that import, not on its own (so a
/// shared vocabulary file is not reported as a protocol without a header).
/// The reports follow the order of `paths`.
pub fn check_tree(paths: &[PathBuf], root: Option<&Path>) -> Vec<CheckReport> {
    on_big_stack(|| {
        let loaded = load::load_tree(paths, root);
        loaded.into_iter().map(|l| checked(l).report()).collect()
    })
}

/// A report for something that could not be read at all (S0008): one
/// diagnostic on an empty source named `name`.
pub fn unreadable(name: &str, reason: &str) -> CheckReport {
    report(load::unreadable(name, reason))
}

/// Loads, checks and compiles a protocol for evaluation.
pub fn compile_file(path: &Path, root: Option<&Path>) -> Compiled {
    on_big_stack(|| checked(load::load(path, root)).compiled())
}

/// Checks and compiles protocol text held in memory (imports are not followed).
pub fn compile_source(name: &str, text: &str) -> Compiled {
    on_big_stack(|| checked(load::load_str(name, text)).compiled())
}

/// A loaded program (perhaps extended with [`load::extend`]) checked and
/// compiled, with each define's type as the checker wrote it.
pub fn compile_program(
    program: Program,
    loading: Vec<Diagnostic>,
) -> (Compiled, HashMap<String, String>) {
    on_big_stack(|| {
        let mut checked = checked((program.clone(), loading.clone()));
        let types = std::mem::take(&mut checked.define_types);
        (checked.compiled(), types)
    })
}

/// Runs `work` on a thread with a 256 MiB stack; on the current
/// thread if no such thread can be started. A panic in `work` is passed on.
pub fn on_big_stack<T: Send, F: Fn() -> T + Sync>(work: F) -> T {
    std::thread::scope(|scope| {
        let spawned = std::thread::Builder::new()
            .name("salvage-check".to_string())
            .stack_size(STACK_SIZE)
            .spawn_scoped(scope, &work);
        match spawned {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Err(_) => work(),
        }
    })
}

/// A loaded program, what loading and checking found (sorted), and the
/// field types the checker resolved.
struct CheckedProgram {
    program: Program,
    diagnostics: Vec<Diagnostic>,
    schema: Schema,
    resolved: Resolutions,
    define_types: HashMap<String, String>,
}

/// A defect of the project found while compiling a checked protocol (S0009).
fn not_compiled(defect: LowerError) -> Diagnostic {
    Diagnostic::new(
        crate::diag::Code::S0009,
        defect.span,
        format!("internal error: {}", defect.message),
    )
    .label("Salvage could not compile this")
    .help("please report it, with the protocol; nothing was evaluated")
}

/// Runs the checker (when there is something to check) and sorts.
fn checked((program, mut diagnostics): (Program, Vec<Diagnostic>)) -> CheckedProgram {
    let mut schema = Schema::default();
    let mut resolved = Resolutions::default();
    let mut define_types = HashMap::new();
    if !program.files.is_empty() {
        let found = crate::check::check(&program, &diagnostics);
        diagnostics.extend(found.diagnostics);
        schema = found.schema;
        resolved = found.resolved;
        define_types = found.define_types;
    }
    diagnostics.sort_by_key(|d| (d.primary.span.file, d.primary.span.start));
    CheckedProgram {
        program,
        diagnostics,
        schema,
        resolved,
        define_types,
    }
}

/// The report of a loaded (and perhaps checked) program.
fn report((program, diagnostics): (Program, Vec<Diagnostic>)) -> CheckReport {
    CheckReport {
        sources: program.sources,
        diagnostics,
    }
}

impl CheckedProgram {
    /// The report alone.
    fn report(self) -> CheckReport {
        report((self.program, self.diagnostics))
    }

    /// The report, and the evaluation model (built on the checker's schema)
    /// when there is no error.
    fn compiled(self) -> Compiled {
        let CheckedProgram {
            program,
            mut diagnostics,
            schema,
            resolved,
            ..
        } = self;
        let failed = diagnostics.iter().any(|d| d.severity() == Severity::Error);
        let protocol = match failed {
            true => None,
            false => match Protocol::compile(&program, schema, &resolved) {
                Ok(protocol) => Some(protocol),
                Err(defect) => {
                    diagnostics.push(not_compiled(defect));
                    None
                }
            },
        };
        Compiled {
            report: report((program, diagnostics)),
            protocol,
        }
    }
}
