//! Names in expressions: resolution (bound names, case fields, defines,
//! builtins, enum values, vocabulary, in that order), defines and their
//! cycles, and unknown names with "did you mean".

use super::env::VocabKind;
use super::error::{DeclError, NameError};
use super::lower::Resolved;
use super::types::Ty;
use super::{Checker, DefineState};
use crate::span::{Name, Span};
use crate::syntax::ast::*;

impl Checker<'_> {
    pub(super) fn name_expr(&mut self, name: &Name, hint: Option<&Ty>, e: &Expr) -> Ty {
        let ty = self.resolve_name(name, hint);
        self.narrow(ty, e)
    }

    fn resolve_name(&mut self, name: &Name, hint: Option<&Ty>) -> Ty {
        let (resolved, ty) = self.resolution(name, hint);
        if let Some(resolved) = resolved {
            self.resolved.record(name.span, resolved);
        }
        ty
    }

    /// What a name stands for, in the order of the brief, with its type.
    fn resolution(&mut self, name: &Name, hint: Option<&Ty>) -> (Option<Resolved>, Ty) {
        let text = name.node.as_str();
        if let Some((_, ty)) = self.locals.iter().rev().find(|(n, _)| n == text) {
            return (Some(Resolved::Local), ty.clone());
        }
        if let Some(ty) = self.field_type(None, text) {
            return (Some(Resolved::CaseField), ty);
        }
        if self.env.defines.contains_key(text) {
            return (Some(Resolved::Define), self.define_reference(name));
        }
        if let Some(ty) = builtin(text) {
            let resolved = match text {
                "line" => Resolved::LineNumber,
                "as_of" => Resolved::AsOf,
                _ => Resolved::Candidates,
            };
            if text == "line" {
                let ty = self
                    .prior_lines(name.span)
                    .element()
                    .map_or(Ty::Error, |_| ty);
                return (Some(resolved), ty);
            }
            return (Some(resolved), ty);
        }
        if let Some(ty) = self.enum_value(name, hint) {
            let resolved = match &ty {
                Ty::Enum(e) => Some(Resolved::Enum(e.clone())),
                _ => None,
            };
            return (resolved, ty);
        }
        if let Some((kind, _)) = self.env.vocab.get(text) {
            return (Some(Resolved::Vocab), kind.ty());
        }
        self.unknown_name(name);
        (None, Ty::Error)
    }

    fn define_reference(&mut self, name: &Name) -> Ty {
        self.used.insert(name.node.clone());
        let takes_params = self
            .env
            .defines
            .get(&name.node)
            .is_some_and(|d| !d.params.is_empty());
        if takes_params {
            self.report(NameError::TakesArguments { name: name.clone() });
            return Ty::Error;
        }
        self.define_type(&name.node, name.span)
    }

    /// The type of a define, inferring it on first use; reports cycles (S0108).
    pub(super) fn define_type(&mut self, name: &str, used_at: Span) -> Ty {
        match self.defines.get(name) {
            Some(DefineState::Done(ty)) => return ty.clone(),
            Some(DefineState::InProgress) => {
                self.report_cycle(name, used_at);
                return Ty::Error;
            }
            None => {}
        }
        let Some(define) = self.env.defines.get(name).copied() else {
            return Ty::Error;
        };
        if self.define_stack.len() >= MAX_DEFINE_DEPTH {
            self.too_deep(name, used_at);
            return Ty::Error;
        }
        self.defines
            .insert(name.to_string(), DefineState::InProgress);
        self.define_stack.push(name.to_string());
        let saved_locals = std::mem::take(&mut self.locals);
        let saved_narrowed = std::mem::take(&mut self.narrowed);
        for param in &define.params {
            let ty = self.type_of(&param.ty);
            self.bind(&param.name, ty);
        }
        let ty = self.expr(&define.body);
        self.locals = saved_locals;
        self.narrowed = saved_narrowed;
        self.define_stack.pop();
        self.defines
            .insert(name.to_string(), DefineState::Done(ty.clone()));
        ty
    }

    /// Defines that use defines more than [`MAX_DEFINE_DEPTH`] deep (S0002),
    /// reported once per run (every deeper define would repeat it).
    fn too_deep(&mut self, name: &str, used_at: Span) {
        if !self.cycles_reported.insert("\u{0}too deep".to_string()) {
            return;
        }
        let (name, limit) = (name.to_string(), MAX_DEFINE_DEPTH);
        self.report(DeclError::TooDeep {
            name,
            used_at,
            limit,
        });
    }

    fn report_cycle(&mut self, name: &str, used_at: Span) {
        let start = self
            .define_stack
            .iter()
            .position(|n| n == name)
            .unwrap_or(0);
        let chain: Vec<String> = self.define_stack.iter().skip(start).cloned().collect();
        if chain.iter().any(|n| self.cycles_reported.contains(n)) {
            return;
        }
        self.cycles_reported.extend(chain.iter().cloned());
        let mut path = chain;
        path.push(name.to_string());
        let defined_at = self.env.defines.get(name).map(|d| d.name.span);
        self.report(DeclError::DefineCycle {
            name: name.to_string(),
            used_at,
            path,
            defined_at,
        });
    }

    fn enum_value(&mut self, name: &Name, hint: Option<&Ty>) -> Option<Ty> {
        if let Some(Ty::Enum(wanted)) = hint.map(Ty::strip_optional) {
            let decl = self.env.enums.get(wanted).copied()?;
            if decl.values.iter().any(|v| v.name.node == name.node) {
                return Some(Ty::Enum(wanted.clone()));
            }
            let in_scope = self.is_declared_value(&name.node);
            if !in_scope {
                let values = decl.values.iter().map(|v| v.name.node.clone()).collect();
                self.not_an_enum_value(name, wanted, values, &[]);
                return Some(Ty::Error);
            }
            return None;
        }
        let found = self.env.enums_with_value(&name.node);
        found.first().map(|e| Ty::Enum(e.name.node.clone()))
    }

    pub(super) fn is_declared_value(&self, text: &str) -> bool {
        self.locals.iter().any(|(n, _)| n == text)
            || self.field_type(None, text).is_some()
            || self.env.defines.contains_key(text)
            || builtin(text).is_some()
    }

    /// Reports a name that resolves to nothing (S0101).
    pub(super) fn unknown_name(&mut self, name: &Name) {
        if self.imports_failed {
            return;
        }
        let subtraction = match self.suggestions_left.get() {
            0 => None,
            _ => self.subtraction_hint(&name.node),
        };
        let suggestion = match subtraction {
            Some(_) => None,
            None => {
                let candidates = self.names_in_scope();
                self.suggestion(&name.node, candidates.iter().map(String::as_str))
            }
        };
        let name = name.clone();
        self.report(NameError::UnknownName {
            name,
            subtraction,
            suggestion,
        });
    }

    /// Reports a name that is not a value of the enum wanted (S0104); `more`
    /// are other words that may stand there (after `is`).
    pub(super) fn not_an_enum_value(
        &mut self,
        name: &Name,
        enum_name: &str,
        values: Vec<String>,
        more: &[&str],
    ) {
        let candidates = values
            .iter()
            .map(String::as_str)
            .chain(more.iter().copied());
        let suggestion = self.suggestion(&name.node, candidates);
        self.report(NameError::NotAnEnumValue {
            name: name.clone(),
            enum_name: enum_name.to_string(),
            values,
            suggestion,
            after_is: !more.is_empty(),
        });
    }

    /// `a-b` where `a` and `b` both resolve: the author meant `a - b`.
    fn subtraction_hint(&self, text: &str) -> Option<String> {
        let parts: Vec<&str> = text.split('-').collect();
        if parts.len() < 2 {
            return None;
        }
        let resolves = |p: &str| {
            self.is_declared_value(p) || p.chars().all(|c| c.is_ascii_digit()) && !p.is_empty()
        };
        parts.iter().all(|p| resolves(p)).then(|| parts.join(" - "))
    }

    /// Every name an expression could use here, for "did you mean".
    pub(super) fn names_in_scope(&mut self) -> Vec<String> {
        let mut names: Vec<String> = self.locals.iter().map(|(n, _)| n.clone()).collect();
        names.extend(self.global_names().iter().cloned());
        names
    }

    /// The names every expression can use, computed once.
    fn global_names(&mut self) -> &[String] {
        if self.global_names.is_none() {
            self.global_names = Some(self.collect_global_names());
        }
        self.global_names.as_deref().unwrap_or_default()
    }

    fn collect_global_names(&self) -> Vec<String> {
        let mut names = Vec::new();
        if let Some(case) = self.env.case {
            names.extend(case.fields.iter().map(|f| f.name.node.clone()));
        }
        names.extend(self.env.defines.keys().cloned());
        names.extend(BUILTINS.iter().map(|s| s.to_string()));
        for e in self.env.enums.values() {
            names.extend(e.values.iter().map(|v| v.name.node.clone()));
        }
        names.extend(self.env.vocab.keys().cloned());
        names.sort();
        names
    }

    /// Reports an unknown vocabulary name (S0102), suggesting names of the wanted kinds.
    pub(super) fn unknown_vocab(&mut self, name: &Name, what: &'static str, kinds: &[VocabKind]) {
        if self.imports_failed {
            return;
        }
        let candidates = self
            .env
            .vocab
            .iter()
            .filter(|(_, (k, _))| kinds.contains(k))
            .map(|(n, _)| n.as_str());
        let suggestion = self.suggestion(&name.node, candidates);
        let name = name.clone();
        self.report(NameError::UnknownVocab {
            name,
            what,
            suggestion,
        });
    }
}

/// How deep defines may use defines: evaluation follows the same chain on a
/// fixed stack, so the limit keeps every accepted protocol evaluable.
pub const MAX_DEFINE_DEPTH: usize = 512;

/// Names every expression can use.
const BUILTINS: &[&str] = &["line", "as_of", "candidates"];

pub(super) fn builtin(name: &str) -> Option<Ty> {
    match name {
        "line" => Some(Ty::Num {
            int: true,
            unit: None,
        }),
        "as_of" => Some(Ty::Date),
        "candidates" => Some(Ty::Set(Box::new(Ty::Regimen))),
        _ => None,
    }
}
