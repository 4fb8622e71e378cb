//! Why a rule fired or did not, and why an option is or is not recommended
//! (the REPL's `:why` and `:whynot`), in lines a clinician reads, each part
//! pointing at its source line.
//!
//! The answers come from the decision itself (its trace, options and
//! `missing`), and each part of a condition is read by an evaluator of the
//! same case and day, with the decision below its stratum that the
//! decision's own walk gave it: the tree cannot say "fired" where the
//! decision says the rule was false.

mod option;
mod tree;

use super::output::{Decision, MissingItem, Record, TraceEntry, TraceResult};
use super::stratified::Stratified;
use super::RunOptions;
use crate::check::ir::{self, VocabId};
use crate::diag::did_you_mean;
use crate::eval::case::{load_case, LoadOptions};
use crate::eval::expr::Evaluator;
use crate::eval::model::Protocol;
use crate::eval::outcome::{DecisionView, HigherStrata, RuleOutcome};
use crate::eval::truth::Truth;
use crate::eval::value::Case;
use crate::source::Sources;
use jiff::civil::Date;
use tree::{fact_words, line, Explainer};

/// How a case is asked about: the evaluation date for a case that gives
/// none, and whether messages repeat the case's values (`--show-values`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Asked {
    /// The date for a case without `as_of`.
    pub as_of: Option<Date>,
    /// Messages repeat the case's values instead of describing them.
    pub show_values: bool,
}

/// Why a rule fired, did not, or is unknown on a case, down to the facts: lines of text.
pub fn why_rule(
    protocol: &Protocol,
    sources: &Sources,
    case: &serde_json::Value,
    asked: Asked,
    rule: &str,
) -> Result<Vec<String>, String> {
    let index = find_rule(protocol, rule)?;
    let run = Run::new(protocol, case, asked)?;
    Ok(run.why_rule(sources, index))
}

/// Why an option (regimen or agent, named or spelled as case data may
/// spell it) is or is not recommended: lines of text.
pub fn why_not(
    protocol: &Protocol,
    sources: &Sources,
    case: &serde_json::Value,
    asked: Asked,
    option: &str,
) -> Result<Vec<String>, String> {
    let id = find_option(protocol, option)?;
    let run = Run::new(protocol, case, asked)?;
    Ok(run.why_not(sources, id))
}

/// The rule named `name`, or a line saying there is none.
fn find_rule(protocol: &Protocol, name: &str) -> Result<usize, String> {
    let names = || protocol.rules.iter().map(|r| r.name.as_str());
    match names().position(|n| n == name) {
        Some(index) => Ok(index),
        None => Err(not_found("rule", name, did_you_mean(name, names()))),
    }
}

/// The agent or regimen named `name`, or a line saying there is none.
fn find_option(protocol: &Protocol, name: &str) -> Result<VocabId, String> {
    let vocab = &protocol.vocab;
    let option = |id: &VocabId| vocab.is_regimen(*id) || vocab.is_agent(*id);
    // As case data may: any declared spelling (an alias, another case).
    let spelled = || vocab.spelled(&crate::check::fold(name));
    match vocab.id(name).or_else(spelled).filter(option) {
        Some(id) => Ok(id),
        None => {
            let names = vocab.ids().iter().filter(|(_, id)| option(id));
            let mut names: Vec<&str> = names.map(|(n, _)| n.as_str()).collect();
            names.sort_unstable();
            Err(not_found("option", name, did_you_mean(name, names)))
        }
    }
}

/// `no rule `x` in this protocol; did you mean `y`?`
fn not_found(what: &str, name: &str, suggestion: Option<String>) -> String {
    let mut message = format!("no {what} `{name}` in this protocol");
    if let Some(s) = suggestion {
        message.push_str(&format!("; did you mean `{s}`?"));
    }
    message
}

/// One case decided, with what explaining its rules needs.
struct Run<'p> {
    protocol: &'p Protocol,
    case: Case,
    as_of: Date,
    decision: Decision<'static>,
    /// The decision below each stratum above 0, as the decision's own walk
    /// gave it to that stratum's rules.
    views: Vec<(u32, DecisionView)>,
}

impl<'p> Run<'p> {
    /// Loads and decides `json`, or says why it cannot be.
    fn new(protocol: &'p Protocol, json: &serde_json::Value, asked: Asked) -> Result<Self, String> {
        let as_of = asked.as_of;
        let load = LoadOptions {
            strict: false,
            show_values: asked.show_values,
        };
        let case =
            load_case(protocol, json, &load).map_err(|e| cannot_decide(&e.path, &e.message))?;
        let options = RunOptions {
            as_of: asked.as_of,
            explain: true,
            strict: false,
            show_values: asked.show_values,
        };
        let decision = match super::evaluate_case(protocol, &case, None, &options).into_owned() {
            Record::Decision(d) => *d,
            Record::Error(e) => return Err(cannot_decide(&e.error.path, &e.error.message)),
        };
        // The decision succeeded, so the case or the caller gave a day.
        let as_of = case.as_of.or(as_of).unwrap_or_default();
        let views = strata_views(protocol, &case, as_of);
        Ok(Run {
            protocol,
            case,
            as_of,
            decision,
            views,
        })
    }

    /// An explainer reading the conditions of rule `index` as its stratum read them.
    fn explainer<'a>(&'a self, sources: &'a Sources, index: usize) -> Explainer<'a, 'a> {
        let mut ev = Evaluator::new(self.protocol, &self.case, self.as_of);
        let stratum = self.protocol.strata.get(index).copied().unwrap_or(0);
        if let Some((_, view)) = self.views.iter().find(|(s, _)| *s == stratum) {
            ev.set_view(view.clone());
        }
        Explainer::new(ev, self.protocol, sources)
    }

    /// The trace entry of the rule `name`.
    fn traced(&self, name: &str) -> Option<&TraceEntry> {
        let trace = self.decision.trace.as_deref().unwrap_or_default();
        trace.iter().find(|t| t.rule == name)
    }

    /// The lines of `:why RULE`.
    fn why_rule(&self, sources: &Sources, index: usize) -> Vec<String> {
        let Some(rule) = self.protocol.rules.get(index) else {
            return Vec::new();
        };
        let result = self.traced(&rule.name).map(|t| t.result);
        let mut out = vec![format!(
            "rule {} ({}): {}",
            rule.name,
            rule.at,
            outcome_words(result)
        )];
        match result {
            Some(TraceResult::NotReached) | None => out.push(self.not_reached()),
            Some(result) => {
                self.condition_tree(sources, index, rule, &mut out);
                if result == TraceResult::Unknown {
                    self.decision_missing(&rule.name, &mut out);
                }
            }
        }
        out
    }

    /// The rule's condition, section guards first, as one tree.
    fn condition_tree(
        &self,
        sources: &Sources,
        index: usize,
        rule: &'p ir::Rule,
        out: &mut Vec<String>,
    ) {
        let mut explainer = self.explainer(sources, index);
        if rule.guards.is_empty() {
            return explainer.tree(&rule.when, 1, "", out);
        }
        let mut whole = Truth::True;
        for guard in &rule.guards {
            whole = whole.and(explainer.truth(guard));
        }
        whole = whole.and(explainer.truth(&rule.when));
        out.push(line(
            1,
            "and",
            &whole,
            Some("the rule's sections and its `when`"),
        ));
        for guard in &rule.guards {
            explainer.tree(guard, 2, "section: ", out);
        }
        explainer.tree(&rule.when, 2, "", out);
    }

    /// The facts the decision lists as missing for rule `name`.
    fn decision_missing(&self, name: &str, out: &mut Vec<String>) {
        let items = self.decision.missing.iter().filter(|m| match m {
            MissingItem::Fact { rules, .. } | MissingItem::Named { rules, .. } => {
                rules.iter().any(|r| r == name)
            }
        });
        let words: Vec<String> = items.map(item_words).collect();
        match words.is_empty() {
            true => out.push("  the decision lists no missing fact for it: knowing it would not change the decision".to_string()),
            false => out.push(format!("  missing, as the decision lists them: {}", words.join(", "))),
        }
    }

    /// Which `stop` rule ended evaluation before a rule.
    fn not_reached(&self) -> String {
        let trace = self.decision.trace.as_deref().unwrap_or_default();
        let stopper = trace.iter().find(|t| {
            let stop = self
                .protocol
                .rules
                .iter()
                .any(|r| r.name == t.rule && r.stop);
            stop && matches!(t.result, TraceResult::True | TraceResult::Unknown)
        });
        match stopper {
            Some(t) => format!(
                "  the stop rule {} ({}) was {} and ended evaluation before it",
                t.rule,
                t.at,
                outcome_truth(t.result)
            ),
            None => "  no stop rule ended evaluation before it".to_string(),
        }
    }
}

/// `fired`, `did not fire`, `unknown`, `not reached`.
fn outcome_words(result: Option<TraceResult>) -> &'static str {
    match result {
        Some(TraceResult::True) => "fired",
        Some(TraceResult::False) => "did not fire",
        Some(TraceResult::Unknown) => "unknown",
        Some(TraceResult::NotReached) | None => "not reached",
    }
}

/// A stop rule's result as a truth: `true` or `unknown`.
fn outcome_truth(result: TraceResult) -> &'static str {
    match result {
        TraceResult::True => "true",
        TraceResult::False => "false",
        TraceResult::Unknown => "unknown",
        TraceResult::NotReached => "not reached",
    }
}

/// One missing item of the decision in words.
fn item_words(item: &MissingItem<'_>) -> String {
    match item {
        MissingItem::Fact {
            path, need, why, ..
        } => fact_words(&crate::eval::truth::Missing::Fact {
            path: path.clone(),
            need: need.clone(),
            why: why.clone(),
        }),
        MissingItem::Named { name, .. } => format!("\"{name}\""),
    }
}

/// `the case cannot be decided: MESSAGE (at PATH)`.
fn cannot_decide(path: &str, message: &str) -> String {
    match path {
        "" => format!("the case cannot be decided: {message}"),
        _ => format!("the case cannot be decided: {message} (at `{path}`)"),
    }
}

/// The decision below each stratum above 0 as the decision's unforced walk
/// gives it to that stratum (none when every rule is of stratum 0).
fn strata_views(protocol: &Protocol, case: &Case, as_of: Date) -> Vec<(u32, DecisionView)> {
    if protocol.strata.iter().all(|s| *s == 0) {
        return Vec::new();
    }
    let mut evaluator = Evaluator::new(protocol, case, as_of);
    let outcomes = evaluator.outcomes();
    let mut recorder = Recorder {
        inner: &mut evaluator,
        views: Vec::new(),
    };
    let (vocab, reasons) = (&protocol.vocab, &protocol.reasons[..]);
    Stratified::new(outcomes, &protocol.strata, &mut recorder, vocab, reasons).settle(&[]);
    recorder.views
}

/// Evaluates the higher strata as the decision does, keeping the view each
/// stratum was given.
struct Recorder<'e, 'p> {
    inner: &'e mut Evaluator<'p>,
    views: Vec<(u32, DecisionView)>,
}

impl<'p> HigherStrata<'p> for Recorder<'_, 'p> {
    fn stratum_outcomes(
        &mut self,
        stratum: u32,
        view: DecisionView,
    ) -> Vec<(usize, RuleOutcome<'p>)> {
        self.views.push((stratum, view.clone()));
        self.inner.stratum_outcomes(stratum, view)
    }
}
