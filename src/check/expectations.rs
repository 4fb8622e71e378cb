//! Test blocks: the `given` JSON, and the names and statuses expectations use.

use super::error::{ActionError, NameError};
use super::expr::{ALL_VOCAB, OPTION_KINDS};
use super::rules::ActionClass;
use super::Checker;
use crate::span::{Name, Span};
use crate::syntax::ast::*;

/// Every decision status, for `expect status`.
pub const DECISION_STATUSES: &[&str] = &[
    "out-of-scope",
    "no-change",
    "referred",
    "needs-data",
    "recommended",
    "all-avoided",
    "no-recommendation",
];

impl Checker<'_> {
    /// Checks a test block: its JSON case and the names its expectations use.
    pub(super) fn test(&mut self, test: &Test) {
        if let TestCase::Given(json) = &test.source {
            self.given_json(json.node.as_str(), json.span);
        }
        for expectation in &test.expectations {
            self.expectation(&expectation.kind, expectation.span);
        }
    }

    fn given_json(&mut self, text: &str, span: Span) {
        match serde_json::from_str::<serde_json::Value>(text) {
            Ok(serde_json::Value::Object(_)) => {}
            Ok(_) => self.report(ActionError::GivenNotObject { at: span }),
            Err(error) => {
                let (start, end) = char_at(text, offset_of(text, error.line(), error.column()));
                let base = span.start as usize;
                let here = Span::new(span.file, base + start, base + end);
                let message = error.to_string();
                let message = message
                    .rsplit_once(" at line ")
                    .map_or(message.as_str(), |(m, _)| m)
                    .to_string();
                self.report(ActionError::GivenNotJson {
                    at: here,
                    whole: span,
                    message,
                });
            }
        }
    }

    fn expectation(&mut self, kind: &ExpectKind, span: Span) {
        match kind {
            ExpectKind::Status(s) => self.expected_status(s),
            ExpectKind::Recommend(x, _) | ExpectKind::Consider(x, _) | ExpectKind::Pending(x) => {
                self.option_name(x, &OPTION_KINDS, ActionClass::Option)
            }
            ExpectKind::Avoid(x, code) => {
                self.option_name(x, &ALL_VOCAB, ActionClass::Avoid);
                if let Some(c) = code {
                    self.reason_code(c);
                }
            }
            ExpectKind::Include(x) => self.option_name(x, &ALL_VOCAB, ActionClass::Include),
            ExpectKind::Report(name, value) => self.expected_report(name, value),
            ExpectKind::Missing(_)
            | ExpectKind::Order(_)
            | ExpectKind::Refer(_)
            | ExpectKind::Flag(_) => {
                let _ = span;
            }
        }
    }

    fn expected_status(&mut self, status: &Name) {
        if !DECISION_STATUSES.contains(&status.node.as_str()) {
            let suggestion = self.suggestion(&status.node, DECISION_STATUSES.iter().copied());
            self.report(ActionError::UnknownDecisionStatus {
                status: status.clone(),
                suggestion,
                statuses: DECISION_STATUSES,
            });
        }
    }

    fn expected_report(&mut self, name: &Name, value: &Expr) {
        if !self.env.reports.contains_key(&name.node) {
            let suggestion =
                self.suggestion(&name.node, self.env.reports.keys().map(String::as_str));
            let name = name.clone();
            self.report(NameError::UnknownReport { name, suggestion });
        }
        self.expr(value);
    }
}

/// The byte range of the character of `text` at byte `at`, or of the one
/// `at` falls inside: serde_json counts columns in bytes, and the place of
/// an error can be in the middle of a character (a `\` before `é`).
fn char_at(text: &str, at: usize) -> (usize, usize) {
    let mut start = at.min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let width = text
        .get(start..)
        .and_then(|rest| rest.chars().next())
        .map_or(0, char::len_utf8);
    (start, start + width)
}

fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (line_start + column.saturating_sub(1)).min(text.len().saturating_sub(1))
}
