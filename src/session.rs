//! The library side of `salvage repl`: a protocol loaded at the prompt, the
//! items typed into it, and expressions evaluated on a case.
//!
//! Additions are sources of their own (`<prompt N>`) read as the end of the
//! protocol file ([`load::extend`]). An expression is checked and compiled
//! as one more addition, a define under a name no protocol can write, and
//! evaluated with the evaluator decisions use; its diagnostics are moved
//! back onto the text as typed (its own source, `<prompt>`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::check::ir::{Expr, ExprKind};
use crate::compile::{compile_program, on_big_stack, CheckReport, Compiled};
use crate::decision::why::Asked;
use crate::diag::{Code, Diagnostic, Label};
use crate::eval::case::{load_case, LoadOptions};
use crate::eval::expr::Evaluator;
use crate::eval::model::Protocol;
use crate::eval::show;
use crate::eval::shown::Reveal;
use crate::eval::truth::Missing;
use crate::eval::value::{Val, Value};
use crate::load::{self, Program};
use crate::source::{SourceFile, Sources};
use crate::span::{FileId, Span};
use crate::syntax::ast::Item;

/// The name an expression is compiled under: no protocol can write it.
const EXPRESSION: &str = "<expression>";

/// What an expression is wrapped in to parse as a define (its placeholder
/// name is replaced by [`EXPRESSION`] before checking).
const WRAPPER: &str = "define salvage_prompt_expression = ";

/// The protocol of a session with no protocol file: a header, so that it
/// compiles.
const EMPTY: &str =
    "protocol \"no protocol\" { version \"0\" status draft effective 0001-01-01 }\ncase { }\n";

/// The source name diagnostics about an expression point into.
const PROMPT: &str = "<prompt>";

/// A protocol loaded at the prompt, with what was typed into it.
#[derive(Debug)]
pub struct Session {
    /// The protocol file and its import root; none for [`Session::empty`].
    origin: Option<(PathBuf, Option<PathBuf>)>,
    /// The files as loaded, before any addition, with what loading found.
    loaded: (Program, Vec<Diagnostic>),
    /// The items typed at the prompt and kept, in order.
    additions: Vec<String>,
    compiled: Compiled,
}

/// An expression's value at the prompt.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// The value as the language writes it: `true`, `3`, `2.5 mg/dL`,
    /// `2025-01-01`, an enum value's name, a set `{R-CHOP, R-ICE}`, `none`,
    /// or `unknown`.
    pub value: String,
    /// Its type as the checker's diagnostics write types (`bool`, `number mg/dL`, `date`, …).
    pub ty: String,
    /// When the value is unknown: the facts that would settle it, as
    /// `missing` in a decision names them (JSON pointers / fact names).
    pub missing: Vec<String>,
}

/// Why an expression or addition has no answer.
#[derive(Debug, Clone)]
pub enum Problem {
    /// The text does not parse or check: the diagnostics, about the prompt's text only.
    Diagnostics(CheckReport),
    /// The case cannot be loaded or decided (the error record's path and message).
    Case(String),
    /// The protocol itself has errors (nothing to evaluate in).
    NoProtocol,
}

/// An expression checked and compiled into the session's protocol.
struct CompiledExpression {
    protocol: Protocol,
    index: usize,
    ty: String,
}

impl Session {
    /// A session on the protocol at `path` (and its imports, confined to
    /// `root` as for `check`). Never fails: a protocol with errors gives a
    /// session whose `compiled().protocol` is None.
    pub fn load(path: &Path, root: Option<&Path>) -> Session {
        let origin = Some((path.to_path_buf(), root.map(Path::to_path_buf)));
        Session::on(origin, Vec::new())
    }

    /// A session with no protocol file: expressions over no case fields
    /// still work (`1 + 2`, `2026-01-01 + 3 months`).
    pub fn empty() -> Session {
        Session::on(None, Vec::new())
    }

    /// The compiled protocol with its additions, and the report (warnings, or the errors).
    pub fn compiled(&self) -> &Compiled {
        &self.compiled
    }

    /// Reads the files again (`:reload`), keeping the additions.
    pub fn reload(&mut self) {
        let additions = std::mem::take(&mut self.additions);
        *self = Session::on(self.origin.take(), additions);
    }

    /// Adds a top-level item typed at the prompt (`define …`, `rule …`, or
    /// anything a protocol file may hold): kept only if the protocol with it
    /// has no errors; on errors the session is unchanged and the report
    /// holds the diagnostics (pointing into the typed text, its own source
    /// named `<prompt N>`, N counting additions).
    pub fn add(&mut self, text: &str) -> Result<(), CheckReport> {
        let name = format!("<prompt {}>", self.additions.len() + 1);
        let (mut program, mut loading) = self.extended();
        let added = load::extend(&mut program, &name, text);
        let id = last_file(&program);
        let nothing = program
            .files
            .last()
            .is_some_and(|(_, f)| f.items.is_empty());
        if nothing && added.is_empty() {
            let at = Span::new(id, 0, text.len());
            loading.push(
                Diagnostic::new(Code::S0001, at, "nothing to add")
                    .label("expected an item such as `define` or `rule`"),
            );
        }
        loading.extend(added);
        let (compiled, _) = compile_program(program, loading);
        if compiled.report.has_errors() || compiled.protocol.is_none() {
            return Err(compiled.report);
        }
        self.additions.push(text.to_string());
        self.compiled = compiled;
        Ok(())
    }

    /// Whether anything was added since loading.
    pub fn modified(&self) -> bool {
        !self.additions.is_empty()
    }

    /// Checks `text` as an expression in the protocol's scope, evaluates it
    /// on `case` (the case's JSON, as for `salvage eval`; `asked.as_of` used
    /// when the case has none) and gives its value and type.
    pub fn expression(
        &self,
        text: &str,
        case: &serde_json::Value,
        asked: Asked,
    ) -> Result<Answer, Problem> {
        let compiled = self.compile_expression(text)?;
        on_big_stack(|| evaluate(&compiled, case, asked))
    }

    /// The type of an expression, without a case (`:type EXPR`).
    pub fn type_of(&self, text: &str) -> Result<String, Problem> {
        self.compile_expression(text).map(|c| c.ty)
    }

    /// A session on `origin` (or on nothing) with `additions` kept as far
    /// as they still check.
    fn on(origin: Option<(PathBuf, Option<PathBuf>)>, additions: Vec<String>) -> Session {
        let loaded = match &origin {
            Some((path, root)) => on_big_stack(|| load::load(path, root.as_deref())),
            None => empty_program(),
        };
        let mut session = Session {
            origin,
            loaded,
            additions,
            compiled: Compiled {
                report: crate::compile::unreadable("", ""),
                protocol: None,
            },
        };
        let (program, loading) = session.extended();
        session.compiled = compile_program(program, loading).0;
        session
    }

    /// The loaded program with the additions so far.
    fn extended(&self) -> (Program, Vec<Diagnostic>) {
        let (mut program, mut loading) = self.loaded.clone();
        for (n, text) in self.additions.iter().enumerate() {
            let name = format!("<prompt {}>", n + 1);
            loading.extend(load::extend(&mut program, &name, text));
        }
        (program, loading)
    }

    /// Checks and compiles `text` as an expression in the protocol.
    fn compile_expression(&self, text: &str) -> Result<CompiledExpression, Problem> {
        if self.compiled.protocol.is_none() {
            return Err(Problem::NoProtocol);
        }
        if text.trim().is_empty() {
            return Err(Problem::Diagnostics(blank(text)));
        }
        let (mut program, mut loading) = self.extended();
        let wrapped = format!("{WRAPPER}{text}");
        loading.extend(load::extend(&mut program, PROMPT, &wrapped));
        let id = last_file(&program);
        if let Some(extra) = one_expression(&mut program, id, wrapped.len()) {
            loading.push(extra);
        }
        let (compiled, types) = compile_program(program, loading);
        let report = prompt_report(&compiled.report, id, text);
        if report.has_errors() {
            return Err(Problem::Diagnostics(report));
        }
        found(compiled, &types).ok_or(Problem::NoProtocol)
    }
}

/// The program of a session with no protocol file: a header alone.
fn empty_program() -> (Program, Vec<Diagnostic>) {
    load::load_str("<session>", EMPTY)
}

/// The one diagnostic of an expression that is only spaces (or nothing).
fn blank(text: &str) -> CheckReport {
    let mut sources = Sources::new();
    let id = sources.add(SourceFile {
        path: PROMPT.to_string(),
        text: text.to_string(),
    });
    let at = Span::new(id, 0, text.len());
    let diagnostic = Diagnostic::new(Code::S0001, at, "expected an expression");
    CheckReport {
        sources,
        diagnostics: vec![diagnostic.label("nothing was typed")],
    }
}

/// The id of the program's last source (the one just added).
fn last_file(program: &Program) -> FileId {
    FileId(program.sources.len().saturating_sub(1) as u32)
}

/// Gives the expression's define its reserved name; a diagnostic when the
/// text held more than an expression (`1 rule x …`), from where the
/// expression ends to the end of the text.
fn one_expression(program: &mut Program, id: FileId, end: usize) -> Option<Diagnostic> {
    let (_, file) = program.files.last_mut()?;
    let more = file.items.len() > 1;
    let Some(Item::Define(define)) = file.items.first_mut() else {
        return None;
    };
    define.name.node = EXPRESSION.to_string();
    if !more {
        return None;
    }
    let at = Span::new(id, define.span.end as usize, end);
    let message = "expected one expression, found more after it";
    Some(Diagnostic::new(Code::S0001, at, message).label("this is not part of the expression"))
}

/// The compiled expression's define and type, when it compiled.
fn found(compiled: Compiled, types: &HashMap<String, String>) -> Option<CompiledExpression> {
    let protocol = compiled.protocol?;
    let index = protocol.defines.iter().position(|d| d.name == EXPRESSION)?;
    let ty = types.get(EXPRESSION)?.clone();
    Some(CompiledExpression {
        protocol,
        index,
        ty,
    })
}

/// The diagnostics about the expression alone, moved from the wrapper onto
/// the text as typed; the warning that the define is unused is dropped.
fn prompt_report(report: &CheckReport, id: FileId, text: &str) -> CheckReport {
    let shift = WRAPPER.len() as u32;
    let diagnostics = report
        .diagnostics
        .iter()
        .filter(|d| d.primary.span.file == id && d.code != Code::S0501)
        .map(|d| unwrapped(d.clone(), shift))
        .collect();
    CheckReport {
        sources: typed_sources(&report.sources, id, text),
        diagnostics,
    }
}

/// A diagnostic on the wrapper, its spans moved back by `shift` bytes.
fn unwrapped(mut d: Diagnostic, shift: u32) -> Diagnostic {
    let file = d.primary.span.file;
    let back = |label: &mut Label| {
        if label.span.file == file {
            label.span.start = label.span.start.saturating_sub(shift);
            label.span.end = label.span.end.saturating_sub(shift);
        }
    };
    // A syntax error at the start of the expression names what precedes it,
    // which is the wrapper's `=`, not anything typed.
    if d.primary.span.start == shift {
        if let Some(kept) = d.message.strip_suffix(" after `=`") {
            d.message = kept.to_string();
        }
    }
    back(&mut d.primary);
    d.secondary.iter_mut().for_each(back);
    d
}

/// The sources with the wrapped expression's text replaced by the text as typed.
fn typed_sources(sources: &Sources, id: FileId, text: &str) -> Sources {
    let mut typed = Sources::new();
    for (at, file) in sources.iter() {
        let text = if at == id { text } else { &file.text };
        typed.add(SourceFile {
            path: file.path.clone(),
            text: text.to_string(),
        });
    }
    typed
}

/// Evaluates a compiled expression on a case.
fn evaluate(
    compiled: &CompiledExpression,
    case: &serde_json::Value,
    asked: Asked,
) -> Result<Answer, Problem> {
    let protocol = &compiled.protocol;
    let load = LoadOptions {
        strict: false,
        show_values: asked.show_values,
    };
    let case = load_case(protocol, case, &load)
        .map_err(|e| Problem::Case(case_problem(&e.path, &e.message)))?;
    let Some(day) = case.as_of.or(asked.as_of) else {
        let message = "the case has no `as_of` and no date was given";
        return Err(Problem::Case(case_problem("/as_of", message)));
    };
    let mut evaluator = Evaluator::new(protocol, &case, day);
    evaluator.reveal = Reveal::of_run(asked.show_values);
    let call = Expr {
        kind: ExprKind::Define(compiled.index, Vec::new()),
        span: Span::default(),
    };
    let value = evaluator.eval(&call);
    if let Some(failure) = evaluator.failure.take() {
        return Err(Problem::Case(failure));
    }
    Ok(answer(protocol, value, compiled.ty.clone()))
}

/// A case problem as an error record gives it: the pointer, then the message.
fn case_problem(path: &str, message: &str) -> String {
    match path {
        "" => message.to_string(),
        _ => format!("{path}: {message}"),
    }
}

/// A value with its type, and what would settle it when unknown.
fn answer(protocol: &Protocol, value: Val, ty: String) -> Answer {
    match value {
        Val::Known(v) => Answer {
            value: written(protocol, &v),
            ty,
            missing: Vec::new(),
        },
        Val::Unknown(support) => {
            let mut missing: Vec<String> = support.facts().iter().map(fact_name).collect();
            missing.sort();
            missing.dedup();
            Answer {
                value: "unknown".to_string(),
                ty,
                missing,
            }
        }
    }
}

/// A missing fact as a decision's `missing` names it.
fn fact_name(fact: &Missing) -> String {
    match fact {
        Missing::Fact { path, .. } => path.clone(),
        Missing::Named(name) => name.clone(),
    }
}

/// A value as the language writes it: text quoted, collections in braces.
fn written(protocol: &Protocol, value: &Value) -> String {
    match value {
        Value::Text(text) => serde_json::Value::String(text.clone()).to_string(),
        Value::List(_) | Value::Partial(_) => format!("{{{}}}", show::display(protocol, value)),
        _ => show::display(protocol, value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_move_back_onto_the_typed_text() {
        let at = Span::new(FileId(1), WRAPPER.len() + 2, WRAPPER.len() + 5);
        let moved = unwrapped(Diagnostic::new(Code::S0101, at, "x"), WRAPPER.len() as u32);
        assert_eq!((moved.primary.span.start, moved.primary.span.end), (2, 5));
    }
}
