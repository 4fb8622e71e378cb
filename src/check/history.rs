//! History mappings, history predicates and series reads.

use super::error::{ActionError, NameError, TypeError};
use super::expr::ALL_VOCAB;
use super::schema::FieldType;
use super::types::Ty;
use super::Checker;
use crate::span::{Name, Span};
use crate::syntax::ast::*;

use crate::syntax::ast::HISTORY_ROLES as ROLES;

/// The roles the case's history maps, and the record of its lines.
#[derive(Debug, Clone, Default)]
pub struct HistoryInfo {
    /// The record type of one line.
    pub record: String,
    /// Roles that are mapped (explicitly or by a field of the same name).
    pub mapped: Vec<String>,
}

impl<'a> Checker<'a> {
    /// Checks a `history of R { roles }` type and remembers its mapping.
    pub(super) fn history_type(&mut self, record: &Name, roles: &[Role]) -> FieldType {
        let Some(decl) = self.env.records.get(&record.node).copied() else {
            let suggestion =
                self.suggestion(&record.node, self.env.records.keys().map(String::as_str));
            self.report(NameError::UnknownType {
                name: record.clone(),
                suggestion,
                for_history: true,
            });
            self.history_broken = true;
            return FieldType::Error;
        };
        let mut mapped = Vec::new();
        for role in roles {
            if let Some(name) = self.role(decl, role) {
                mapped.push(name);
            }
        }
        for field in &decl.fields {
            let defaulted = ROLES.contains(&field.name.node.as_str())
                && !roles.iter().any(|r| r.role.node == field.name.node);
            if defaulted {
                mapped.push(field.name.node.clone());
            }
        }
        self.required_roles(record, &mapped);
        if self.history.is_none() {
            self.history = Some(HistoryInfo {
                record: record.node.clone(),
                mapped,
            });
        }
        FieldType::History(record.node.clone())
    }

    fn required_roles(&mut self, record: &Name, mapped: &[String]) {
        let has = |r: &str| mapped.iter().any(|m| m == r);
        let mut missing = Vec::new();
        if !has("start") {
            missing.push("`start`");
        }
        if !has("regimen") && !has("agents") {
            missing.push("`regimen` or `agents`");
        }
        if missing.is_empty() {
            return;
        }
        let record = record.clone();
        self.report(ActionError::RolesMissing { record, missing });
    }

    /// Checks one role; returns its name when it is mapped to something.
    fn role(&mut self, record: &'a RecordDecl, role: &Role) -> Option<String> {
        if !ROLES.contains(&role.role.node.as_str()) {
            let suggestion = self.suggestion(&role.role.node, ROLES.iter().copied());
            self.report(ActionError::UnknownRole {
                role: role.role.clone(),
                suggestion,
                roles: ROLES,
            });
            return None;
        }
        let ty = self.role_value(record, &role.value);
        if let Some((word, values)) = &role.values {
            self.role_values(word, values, &ty);
        }
        (!matches!(role.value, RoleValue::Unmapped)).then(|| role.role.node.clone())
    }

    fn role_value(&mut self, record: &'a RecordDecl, value: &RoleValue) -> Ty {
        match value {
            RoleValue::Unmapped => Ty::Error,
            RoleValue::PerAgent { list, field } => {
                let list_ty = self.field_type(Some(&record.name.node), &list.node);
                match list_ty.as_ref().map(Ty::strip_optional) {
                    Some(Ty::List(inner)) => match inner.as_ref() {
                        Ty::Record(r) => {
                            self.field_type(Some(r), &field.node).unwrap_or_else(|| {
                                self.unknown_field(r, field);
                                Ty::Error
                            })
                        }
                        _ => Ty::Error,
                    },
                    _ => {
                        self.unknown_field(&record.name.node, list);
                        Ty::Error
                    }
                }
            }
            RoleValue::Expr(e) => {
                let saved = self.locals.len();
                for field in &record.fields {
                    let ty = self
                        .field_type(Some(&record.name.node), &field.name.node)
                        .unwrap_or(Ty::Error);
                    self.locals.push((field.name.node.clone(), ty));
                }
                let ty = self.expr(e);
                self.locals.truncate(saved);
                ty
            }
        }
    }

    fn role_values(&mut self, word: &Name, values: &[Name], ty: &Ty) {
        let Ty::Enum(enum_name) = ty.strip_optional() else {
            self.report(TypeError::RoleNeedsEnum {
                span: word.span,
                word: word.node.clone(),
                found: ty.clone(),
            });
            return;
        };
        let hint = Ty::Enum(enum_name.clone());
        for value in values {
            let e = Expr {
                kind: ExprKind::Name(value.clone()),
                span: value.span,
            };
            self.expr_hint(&e, Some(&hint));
        }
    }

    /// `relapse after X within D` and the other history predicates.
    pub(super) fn history_expr(
        &mut self,
        pred: HistoryPred,
        target: &HistoryTarget,
        within: &Option<Box<Expr>>,
        span: Span,
    ) -> Ty {
        self.history_target(target);
        let mut needed: Vec<&str> = match pred {
            HistoryPred::Received => vec![],
            HistoryPred::ProgressionOn => vec!["event", "end"],
            HistoryPred::RefractoryTo => vec!["response", "event", "end"],
            HistoryPred::RelapseAfter => vec!["response", "end", "event"],
            HistoryPred::IntolerantOf => vec!["outcome"],
        };
        if within.is_some() && matches!(pred, HistoryPred::Received | HistoryPred::IntolerantOf) {
            needed.push("end");
        }
        self.needs_roles(pred.words(), &needed, span);
        if let Some(d) = within {
            self.duration(d);
        }
        Ty::Bool
    }

    fn history_target(&mut self, target: &HistoryTarget) {
        match target {
            HistoryTarget::LastLine => {}
            HistoryTarget::Name(name) => self.vocab_or_local(name),
            HistoryTarget::Set(names) => {
                for name in names {
                    self.vocab_or_local(name);
                }
            }
        }
    }

    fn vocab_or_local(&mut self, name: &Name) {
        if let Some((_, ty)) = self.locals.iter().rev().find(|(n, _)| *n == name.node) {
            if !ty.is_vocab() {
                let ty = ty.clone();
                self.mismatch(
                    name.span,
                    &Ty::Regimen,
                    &ty,
                    "a history predicate is about a regimen, agent, class or tag",
                );
            }
            return;
        }
        if !self.env.vocab.contains_key(&name.node) {
            self.unknown_vocab(name, "regimen, agent, class or tag", &ALL_VOCAB);
        }
    }

    /// Reports S0314 for each role a predicate needs that the history does not map.
    fn needs_roles(&mut self, what: &str, roles: &[&str], span: Span) {
        if self.history_broken {
            return;
        }
        let Some(info) = self.history.clone() else {
            let (at, what) = (span, what.to_string());
            self.report(ActionError::NoHistory { at, what });
            return;
        };
        for role in roles {
            if !info.mapped.iter().any(|m| m == role) {
                self.report(ActionError::RoleNotMapped {
                    at: span,
                    what: what.to_string(),
                    role: role.to_string(),
                    record: info.record.clone(),
                });
            }
        }
    }

    /// Checks that an expression is a length of time.
    pub(super) fn duration(&mut self, e: &Expr) {
        let ty = self.expr(e);
        if !ty.is_duration() {
            let (span, found) = (e.span, ty);
            self.report(TypeError::WithinNotDuration { span, found });
        }
    }

    /// `date of relapse after X`, `end of last line`, `date of latest crcl`.
    pub(super) fn date_of(&mut self, part: DatePart, inner: &Expr) -> Ty {
        let ty = self.expr(inner);
        match (&inner.kind, part) {
            (ExprKind::Series { read, .. }, _) => match read {
                SeriesRead::Previous => Ty::Optional(Box::new(Ty::Date)),
                _ => Ty::Date,
            },
            (ExprKind::LastLine, DatePart::End) => {
                self.needs_roles("end of last line", &["end"], inner.span);
                Ty::Optional(Box::new(Ty::Date))
            }
            (ExprKind::History { pred, .. }, DatePart::Date) => {
                if *pred == HistoryPred::Received {
                    self.needs_roles("date of received", &["start"], inner.span);
                }
                Ty::Optional(Box::new(Ty::Date))
            }
            _ if matches!(ty, Ty::Error) => Ty::Error,
            _ => Ty::Optional(Box::new(Ty::Date)),
        }
    }

    /// `last line`: the latest line, none when there is none.
    pub(super) fn last_line(&mut self, span: Span) -> Ty {
        self.needs_roles("last line", &[], span);
        match &self.history {
            Some(info) => Ty::Optional(Box::new(Ty::Line(info.record.clone()))),
            None => Ty::Error,
        }
    }

    /// `prior lines`: the lines that exist on `as_of`.
    pub(super) fn prior_lines(&mut self, span: Span) -> Ty {
        self.needs_roles("prior lines", &[], span);
        match &self.history {
            Some(info) => Ty::List(Box::new(Ty::Line(info.record.clone()))),
            None => Ty::Error,
        }
    }

    /// `latest crcl within 30 days` and the other series reads.
    pub(super) fn series_expr(
        &mut self,
        read: SeriesRead,
        series: &Expr,
        within: &Option<Box<Expr>>,
        whole: &Expr,
    ) -> Ty {
        let ty = self.expr(series);
        let ty = self.value(ty, series);
        if let Some(d) = within {
            self.duration(d);
        }
        let unit = match ty {
            Ty::Series(unit) => unit,
            other if other.has_error() => return Ty::Error,
            found => {
                let (span, read) = (series.span, read.word());
                self.report(TypeError::NotASeries { span, read, found });
                return Ty::Error;
            }
        };
        let value = Ty::Num { int: false, unit };
        match read {
            SeriesRead::Previous => self.narrow(Ty::Optional(Box::new(value)), whole),
            _ => value,
        }
    }
}
