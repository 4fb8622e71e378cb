//! One case in, one record out: load, evaluate, assemble.

use super::assemble::{self, to_item};
use super::output::{
    AsOfSource, Decision, ErrorDetail, ErrorRecord, Indeterminate, ProtocolInfo, Record, Source,
    Text,
};
use crate::eval::case::{load_case, load_case_text, CaseError, LoadOptions, TextError};
use crate::eval::expr::Evaluator;
use crate::eval::model::Protocol;
use crate::eval::outcome::RuleOutcome;
use crate::eval::shown::Reveal;
use crate::eval::value::{Case, CaseId};
use jiff::civil::Date;
use std::sync::Arc;

/// How to evaluate cases.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// The date for cases that give none (`--as-of`).
    pub as_of: Option<Date>,
    /// Add the trace (`--explain`).
    pub explain: bool,
    /// Unknown keys are errors (`--strict`).
    pub strict: bool,
    /// Error records and warnings repeat the case's values instead of
    /// describing them (`--show-values`).
    pub show_values: bool,
}

/// Evaluates one JSON case into its record: a decision, or an error in its place.
pub fn evaluate(
    protocol: &Protocol,
    json: &serde_json::Value,
    source: Option<Source>,
    options: &RunOptions,
) -> Record<'static> {
    let load = LoadOptions {
        strict: options.strict,
        show_values: options.show_values,
    };
    match load_case(protocol, json, &load) {
        Ok(case) => evaluate_case(protocol, &case, source, options).into_owned(),
        Err(e) => error_record(e.case, source, e.path, e.message),
    }
}

/// Evaluates one case from its JSON text (read by the schema-directed
/// reader): its record, or the error of text that is not JSON (for the
/// caller to word with the place it came from).
pub fn evaluate_text(
    protocol: &Protocol,
    text: &str,
    source: Option<Source>,
    options: &RunOptions,
) -> Result<Record<'static>, CaseError> {
    match load_text(protocol, text, options) {
        Ok(case) => Ok(evaluate_case(protocol, &case, source, options).into_owned()),
        Err(TextError::Case(e)) => Ok(error_record(e.case, source, e.path, e.message)),
        Err(TextError::Json(e)) => Err(e),
    }
}

/// Loads one case from its JSON text, to decide with [`evaluate_case`]:
/// `salvage eval` loads a group of cases before deciding any of them, so
/// that each phase's code stays in the processor's cache across the group.
pub fn load_text(protocol: &Protocol, text: &str, options: &RunOptions) -> Result<Case, TextError> {
    let load = LoadOptions {
        strict: options.strict,
        show_values: options.show_values,
    };
    load_case_text(protocol, text, &load)
}

/// The record of a loaded case: its decision, or an error record when it
/// cannot be decided. The decision borrows its texts from the protocol and
/// the case instead of copying them.
pub fn evaluate_case<'p>(
    protocol: &'p Protocol,
    case: &'p Case,
    source: Option<Source>,
    options: &RunOptions,
) -> Record<'p> {
    match evaluate_rules(protocol, case, source, options) {
        Ok(mut evaluated) => evaluated.take_record(),
        Err(error) => Record::Error(error),
    }
}

/// A case whose rules are evaluated and whose decision is still to be
/// assembled: `salvage eval` evaluates the rules of a group of cases before
/// assembling any of their decisions, so that the code of each phase stays
/// in the processor's instruction cache across the group.
pub struct Evaluated<'p> {
    case: &'p Case,
    /// Boxed: an evaluated case is moved into its group's list and out.
    evaluator: Box<Evaluator<'p>>,
    /// The rules' outcomes, until the decision is assembled from them.
    outcomes: Option<Vec<RuleOutcome<'p>>>,
    as_of: Date,
    as_of_source: AsOfSource,
    explain: bool,
    source: Option<Source>,
}

/// Evaluates the rules of a loaded case, to assemble its decision with
/// [`Evaluated::take_record`]; or the error record of a case that cannot be
/// decided on any date (no `as_of`, or one before the protocol's effective
/// date).
pub fn evaluate_rules<'p>(
    protocol: &'p Protocol,
    case: &'p Case,
    source: Option<Source>,
    options: &RunOptions,
) -> Result<Evaluated<'p>, ErrorRecord> {
    let (as_of, as_of_source) = match (case.as_of, options.as_of) {
        (Some(day), _) => (day, AsOfSource::Case),
        (None, Some(day)) => (day, AsOfSource::CommandLine),
        (None, None) => {
            let message = "the case has no `as_of` and no `--as-of` was given".to_string();
            let path = "/as_of".to_string();
            return Err(case_error(Some(case.id.clone()), source, path, message));
        }
    };
    let reveal = Reveal::of_run(options.show_values);
    if let Some(effective) = protocol.header.effective.filter(|e| as_of < *e) {
        let message = before_effective(as_of, effective, reveal);
        let path = "/as_of".to_string();
        return Err(case_error(Some(case.id.clone()), source, path, message));
    }
    let mut evaluator = Box::new(Evaluator::new(protocol, case, as_of));
    evaluator.trace_lines = options.explain;
    evaluator.reveal = reveal;
    let outcomes = Some(evaluator.outcomes());
    Ok(Evaluated {
        case,
        evaluator,
        outcomes,
        as_of,
        as_of_source,
        explain: options.explain,
        source,
    })
}

impl<'p> Evaluated<'p> {
    /// The case's record: its decision, or an error record when it cannot
    /// be decided (`the` with two matches, a range too long to list). It
    /// takes the rules' outcomes: a second call gives an error record.
    pub fn take_record(&mut self) -> Record<'p> {
        let (case, source) = (self.case, self.source.take());
        let Some(outcomes) = self.outcomes.take() else {
            let message = "internal error: the decision was already assembled".to_string();
            return error_record(Some(case.id.clone()), source, String::new(), message);
        };
        let assembled = assemble_decision(
            case,
            &mut self.evaluator,
            outcomes,
            self.as_of,
            self.as_of_source,
            self.explain,
        );
        match assembled {
            Ok(mut decision) => {
                decision.source = source;
                Record::Decision(decision)
            }
            Err(message) => error_record(Some(case.id.clone()), source, String::new(), message),
        }
    }
}

/// The decision for a loaded case on `as_of`, or why the case cannot be
/// decided (`the` with two matches, a range too long to list), naming the
/// case's values as `reveal` allows.
pub fn decide<'p>(
    protocol: &'p Protocol,
    case: &'p Case,
    as_of: Date,
    as_of_source: AsOfSource,
    explain: bool,
    reveal: Reveal,
) -> Result<Decision<'p>, String> {
    let mut evaluator = Evaluator::new(protocol, case, as_of);
    evaluator.trace_lines = explain;
    evaluator.reveal = reveal;
    let outcomes = evaluator.outcomes();
    assemble_decision(case, &mut evaluator, outcomes, as_of, as_of_source, explain).map(|d| *d)
}

/// The decision assembled from the outcomes of a case's rules (boxed from
/// the start: a decision is large, and a record holds it boxed).
fn assemble_decision<'p>(
    case: &'p Case,
    evaluator: &mut Evaluator<'p>,
    outcomes: Vec<RuleOutcome<'p>>,
    as_of: Date,
    as_of_source: AsOfSource,
    explain: bool,
) -> Result<Box<Decision<'p>>, String> {
    let protocol = evaluator.protocol();
    let info = protocol_info(protocol);
    let mut d = Box::new(Decision::new(
        case.id.clone(),
        as_of.to_string(),
        as_of_source,
        info,
    ));
    let assembled = assemble::assemble(
        outcomes,
        &protocol.strata,
        evaluator,
        &protocol.vocab,
        &protocol.reasons,
        assemble::Wants {
            view: protocol.reports_read_decision,
            trace: explain,
        },
        &mut d,
    );
    if let Some(failure) = assembled.failure {
        return Err(failure);
    }
    if let Some(view) = assembled.view {
        evaluator.set_view(view);
    }
    let trace = assembled.trace;
    let reports = evaluator.reports();
    if let Some(failure) = evaluator.failure.take() {
        return Err(failure);
    }
    d.reports = reports.known;
    d.unknown_reports = reports
        .unknown
        .into_iter()
        .map(|(name, support)| {
            let items = support
                .facts()
                .iter()
                .map(|f| to_item(f, Vec::new()))
                .collect();
            (name, items)
        })
        .collect();
    d.indeterminate
        .extend(
            reports
                .indeterminate
                .into_iter()
                .map(|(report, reason)| Indeterminate {
                    rule: None,
                    report: Some(Text::Owned(report)),
                    reason,
                }),
        );
    d.warnings = case.warnings.clone();
    d.warnings.extend(std::mem::take(&mut evaluator.warnings));
    d.trace = explain.then_some(trace);
    Ok(d)
}

thread_local! {
    /// The protocol part of this thread's last decision: the decisions of a
    /// run share it (the count is only ever this thread's).
    static INFO: std::cell::RefCell<Option<Arc<ProtocolInfo>>> =
        const { std::cell::RefCell::new(None) };
}

/// What a decision says of `protocol`: this thread's last one when it is
/// the same (compared by content), else made afresh.
fn protocol_info(protocol: &Protocol) -> Arc<ProtocolInfo> {
    let header = &protocol.header;
    INFO.with(|last| {
        let mut last = last.borrow_mut();
        let same = |info: &ProtocolInfo| {
            info.sha256 == protocol.sha256
                && info.name == header.name
                && info.version == header.version
                && info.status == header.status
                && info.modified == protocol.modified
        };
        match &*last {
            Some(info) if same(info) => Arc::clone(info),
            _ => {
                let info = Arc::new(ProtocolInfo {
                    name: header.name.clone(),
                    version: header.version.clone(),
                    status: header.status.clone(),
                    sha256: protocol.sha256.clone(),
                    modified: protocol.modified,
                });
                *last = Some(Arc::clone(&info));
                info
            }
        }
    })
}

/// Why a case dated `as_of` is not decided by a protocol effective from
/// `effective` (naming the case's date only where `reveal` shows dates).
pub fn before_effective(as_of: Date, effective: Date, reveal: Reveal) -> String {
    match reveal.private() {
        Reveal::All => {
            format!("`as_of` {as_of} is before the protocol's effective date {effective}")
        }
        _ => format!("`as_of` is before the protocol's effective date {effective}"),
    }
}

/// An error record in place of a decision.
pub fn error_record<'p>(
    case: Option<CaseId>,
    source: Option<Source>,
    path: String,
    message: String,
) -> Record<'p> {
    Record::Error(case_error(case, source, path, message))
}

/// What an error record says.
fn case_error(
    case: Option<CaseId>,
    source: Option<Source>,
    path: String,
    message: String,
) -> ErrorRecord {
    ErrorRecord {
        case,
        source,
        error: ErrorDetail { path, message },
    }
}
