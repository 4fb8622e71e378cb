//! The prompt's state (the protocol, the case, the date) and what each
//! request does to it and answers.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use jiff::civil::Date;
use salvage::decision::output::Source;
use salvage::decision::why::Asked;
use salvage::decision::{evaluate, why, RunOptions};
use salvage::diag::{did_you_mean, render, Code, Diagnostic, Severity};
use salvage::eval::model::Protocol;
use salvage::session::{Problem, Session};
use salvage::CheckReport;
use salvage::Sources;
use serde_json::{Map, Value};

use super::command::{parse, Assignment, Command, Request, COMMANDS};
use super::facts::{remove_fact, set_fact};
use super::text::{changes, decision_text};

/// What answering one request printed, and whether the prompt goes on.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Reply {
    /// For stdout.
    pub out: String,
    /// For stderr: diagnostics and errors.
    pub err: String,
    /// Whether the request failed (a script run then exits 1).
    pub failed: bool,
    /// Whether the prompt ends.
    pub quit: bool,
}

impl Reply {
    fn say(text: impl Into<String>) -> Reply {
        let mut out = text.into();
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        Reply {
            out,
            ..Reply::default()
        }
    }

    fn error(text: impl Into<String>) -> Reply {
        let mut err = format!("error: {}", text.into());
        err.push('\n');
        Reply {
            err,
            failed: true,
            ..Reply::default()
        }
    }

    /// The diagnostics of `report` that matter for `about`.
    fn diagnostics(report: &CheckReport, color: bool, about: About) -> Reply {
        let sources = &report.sources;
        let kept: Vec<Diagnostic> = report
            .diagnostics
            .iter()
            .filter(|d| !(d.code == Code::S0501 && typed_at_prompt(d, sources)))
            .cloned()
            .collect();
        let err = match about {
            About::Protocol => render::to_text(&kept, sources, color),
            About::Expression => render::to_text_alone(&kept, sources, color),
            About::Addition => {
                let newest = sources.iter().map(|(id, _)| id).last();
                let (new, old): (Vec<Diagnostic>, Vec<Diagnostic>) = kept
                    .into_iter()
                    .partition(|d| Some(d.primary.span.file) == newest);
                let errors_in_new = new.iter().any(|d| d.severity() == Severity::Error);
                let shown = if errors_in_new || !report.has_errors() {
                    new
                } else {
                    old
                };
                render::to_text_alone(&shown, sources, color)
            }
        };
        Reply {
            err,
            failed: report.has_errors(),
            ..Reply::default()
        }
    }
}

/// [`why::why_rule`] or [`why::why_not`].
type WhyAnswer = fn(&Protocol, &Sources, &Value, Asked, &str) -> Result<Vec<String>, String>;

/// What a report is shown for.
#[derive(Debug, Clone, Copy)]
enum About {
    /// Loading the protocol: every diagnostic, and the summary line.
    Protocol,
    /// An expression: its own diagnostics, no summary (it is not a file).
    Expression,
    /// An item typed at the prompt: the diagnostics about it (or, if its
    /// errors lie elsewhere, those), no summary.
    Addition,
}

/// Whether a diagnostic points into text typed at the prompt (an unused
/// define typed there is not worth a warning: it is there to be tried).
fn typed_at_prompt(diagnostic: &Diagnostic, sources: &Sources) -> bool {
    sources
        .path(diagnostic.primary.span.file)
        .starts_with("<prompt")
}

/// The protocol, the case and the date the prompt works on.
pub struct State {
    session: Session,
    /// The protocol file, when one is loaded.
    protocol: Option<PathBuf>,
    root: Option<PathBuf>,
    /// The case's JSON (an object).
    case: Value,
    /// Where the case was loaded from, for the decision's `source`.
    case_file: Option<PathBuf>,
    as_of: Option<Date>,
    /// Whether diagnostics are coloured.
    color: bool,
    /// Whether messages about the case repeat its values (`--show-values`).
    show_values: bool,
}

impl State {
    /// Messages about the case repeat its values instead of describing them.
    pub fn show_values(&mut self, show: bool) {
        self.show_values = show;
    }

    /// What a question about the case asks with: the date, and whether
    /// messages repeat the case's values.
    fn asked(&self) -> Asked {
        Asked {
            as_of: self.as_of,
            show_values: self.show_values,
        }
    }

    /// A prompt on `protocol` (or none), with an empty case; the reply
    /// reports what loading it found.
    pub fn start(protocol: Option<&Path>, root: Option<&Path>, color: bool) -> (State, Reply) {
        let mut state = State {
            session: Session::empty(),
            protocol: None,
            root: root.map(Path::to_path_buf),
            case: Value::Object(Map::new()),
            case_file: None,
            as_of: None,
            color,
            show_values: false,
        };
        let reply = match protocol {
            Some(path) => state.load(path),
            None => {
                Reply::say("no protocol loaded: `:load FILE` loads one; `:help` lists the commands")
            }
        };
        (state, reply)
    }

    /// The loaded protocol, if a file is loaded and it compiled (without
    /// one, expressions still work in an empty protocol, but nothing can be
    /// decided).
    pub fn protocol(&self) -> Option<&Protocol> {
        self.protocol.as_ref()?;
        self.session.compiled().protocol.as_ref()
    }

    /// Answers one complete input.
    pub fn handle(&mut self, input: &str) -> Reply {
        match parse(input) {
            Err(refusal) => Reply::error(refusal.message),
            Ok(Request::Nothing) => Reply::default(),
            Ok(Request::Command(command)) => self.command(command),
            Ok(Request::Addition(text)) => self.add(&text),
            Ok(Request::Expression(text)) => self.expression(&text),
        }
    }

    fn command(&mut self, command: Command) -> Reply {
        match command {
            Command::Load(path) => self.load(Path::new(&path)),
            Command::Reload => self.reload(),
            Command::Case(path) => self.load_case(Path::new(&path)),
            Command::Set(assignment) => self.set(&assignment),
            Command::Unset(fact) => self.unset(&fact),
            Command::Show => self.show(),
            Command::AsOf(date) => self.set_as_of(&date),
            Command::Decide { json } => self.decide(json),
            Command::Why(rule) => self.why(&rule, why::why_rule),
            Command::WhyNot(option) => self.why(&option, why::why_not),
            Command::WhatIf(assignment) => self.what_if(&assignment),
            Command::Rules => self.rules(),
            Command::Type(text) => self.type_of(&text),
            Command::Help(topic) => help(&topic),
            Command::Quit => Reply {
                quit: true,
                ..Reply::default()
            },
        }
    }

    fn load(&mut self, path: &Path) -> Reply {
        self.session = Session::load(path, self.root.as_deref());
        self.protocol = Some(path.to_path_buf());
        self.loaded(&format!("loaded {}", path.display()))
    }

    fn reload(&mut self) -> Reply {
        let Some(path) = self.protocol.clone() else {
            return Reply::error("no protocol loaded: `:load FILE` loads one");
        };
        self.session.reload();
        self.loaded(&format!("reloaded {}", path.display()))
    }

    /// What loading found: the diagnostics, then a line on the protocol.
    fn loaded(&self, what: &str) -> Reply {
        let compiled = self.session.compiled();
        let mut reply = Reply::diagnostics(&compiled.report, self.color, About::Protocol);
        match &compiled.protocol {
            Some(protocol) => {
                let header = &protocol.header;
                reply.out = format!(
                    "{what}: {} {} ({}), {} rules\n",
                    header.name,
                    header.version,
                    header.status,
                    protocol.rules.len()
                );
            }
            None => {
                reply.out = format!("{what}: the protocol has errors; fix them and `:reload`\n");
                reply.failed = true;
            }
        }
        reply
    }

    fn load_case(&mut self, path: &Path) -> Reply {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) => return Reply::error(format!("cannot read {}: {e}", path.display())),
        };
        match serde_json::from_str::<Value>(&text) {
            Ok(Value::Object(case)) => {
                let count = case.len();
                self.case = Value::Object(case);
                self.case_file = Some(path.to_path_buf());
                Reply::say(format!("case {} loaded ({count} facts)", self.case_id()))
            }
            Ok(_) => Reply::error(format!("{}: a case is a JSON object", path.display())),
            Err(e) => Reply::error(format!("{}: {e}", path.display())),
        }
    }

    fn case_id(&self) -> String {
        let key = self.protocol().map_or("id", |p| p.case.id_key.as_str());
        match self.case.get(key) {
            Some(Value::String(id)) => id.clone(),
            Some(other) => other.to_string(),
            None => "(no id)".to_string(),
        }
    }

    fn set(&mut self, assignment: &Assignment) -> Reply {
        let value = match fact_value(&assignment.value) {
            Ok(value) => value,
            Err(message) => return Reply::error(message),
        };
        match set_fact(&mut self.case, &assignment.fact, value.clone()) {
            Ok(()) => {
                let mut reply = Reply::say(format!("{} = {value}", assignment.fact));
                reply.err = self.unknown_fact_warning(&assignment.fact);
                reply
            }
            Err(message) => Reply::error(message),
        }
    }

    /// A warning when a top-level key is not a case field of the protocol
    /// (it would be reported as an unknown key), with the nearest field.
    fn unknown_fact_warning(&self, fact: &str) -> String {
        let Some(protocol) = self.protocol() else {
            return String::new();
        };
        let key = fact
            .trim_start_matches('/')
            .split('/')
            .next()
            .unwrap_or_default();
        let fields = &protocol.case;
        let known = key == fields.id_key
            || key == "as_of"
            || fields.ignore.iter().any(|k| k == key)
            || fields.fields.iter().any(|f| f.name == key);
        if known {
            return String::new();
        }
        let near = did_you_mean(key, fields.fields.iter().map(|f| f.name.as_str()));
        match near {
            Some(near) => format!(
                "warning: `{key}` is not a case field of the protocol: did you mean `{near}`?\n"
            ),
            None => format!("warning: `{key}` is not a case field of the protocol\n"),
        }
    }

    fn unset(&mut self, fact: &str) -> Reply {
        match remove_fact(&mut self.case, fact) {
            Ok(true) => Reply::say(format!("{fact} removed")),
            Ok(false) => Reply::error(format!("the case has no `{fact}`")),
            Err(message) => Reply::error(message),
        }
    }

    fn show(&self) -> Reply {
        match serde_json::to_string_pretty(&self.case) {
            Ok(text) => Reply::say(text),
            Err(e) => Reply::error(format!("cannot show the case: {e}")),
        }
    }

    fn set_as_of(&mut self, text: &str) -> Reply {
        match text {
            "" => Reply::say(match self.as_of {
                Some(day) => format!("as of {day} (for a case without `as_of`)"),
                None => "no date set: a case without `as_of` cannot be decided (`:asof DATE`)"
                    .to_string(),
            }),
            "none" => {
                self.as_of = None;
                Reply::say("date cleared")
            }
            date => match date.parse::<Date>() {
                Ok(day) => {
                    self.as_of = Some(day);
                    Reply::say(format!("as of {day} (for a case without `as_of`)"))
                }
                Err(_) => Reply::error(format!("`{date}` is not a date (YYYY-MM-DD)")),
            },
        }
    }

    /// `case` as the engine is given it: with the id `prompt` when it has
    /// none, so that a case built at the prompt fact by fact can be decided
    /// (its records then say `"case": "prompt"`).
    fn identified<'c>(&self, case: &'c Value) -> Cow<'c, Value> {
        let compiled = self.session.compiled().protocol.as_ref();
        let Some(key) = compiled.map(|p| p.case.id_key.as_str()) else {
            return Cow::Borrowed(case);
        };
        match case {
            Value::Object(facts) if !facts.contains_key(key) => {
                let mut facts = facts.clone();
                facts.insert(key.to_string(), Value::from(PROMPT_CASE));
                Cow::Owned(Value::Object(facts))
            }
            _ => Cow::Borrowed(case),
        }
    }

    /// The decision record for `case`, as JSON.
    fn decision_of(&self, case: &Value) -> Result<Value, Reply> {
        let Some(protocol) = self.protocol() else {
            return Err(no_protocol());
        };
        let case = &*self.identified(case);
        let source = Source {
            file: self
                .case_file
                .as_ref()
                .map_or_else(|| "<prompt>".to_string(), |f| f.display().to_string()),
            line: None,
        };
        let options = RunOptions {
            as_of: self.as_of,
            explain: false,
            strict: false,
            show_values: self.show_values,
        };
        let record = evaluate(protocol, case, Some(source), &options);
        serde_json::to_value(&record).map_err(|e| Reply::error(format!("internal error: {e}")))
    }

    fn decide(&self, json: bool) -> Reply {
        let record = match self.decision_of(&self.case) {
            Ok(record) => record,
            Err(reply) => return reply,
        };
        let text = match json {
            true => serde_json::to_string_pretty(&record).unwrap_or_default(),
            false => decision_text(&record),
        };
        let mut reply = Reply::say(text);
        reply.failed = record.get("error").is_some();
        reply
    }

    fn what_if(&self, assignment: &Assignment) -> Reply {
        let mut changed = self.case.clone();
        let value = match fact_value(&assignment.value) {
            Ok(value) => value,
            Err(message) => return Reply::error(message),
        };
        if let Err(message) = set_fact(&mut changed, &assignment.fact, value.clone()) {
            return Reply::error(message);
        }
        let (before, after) = match (self.decision_of(&self.case), self.decision_of(&changed)) {
            (Ok(before), Ok(after)) => (before, after),
            (Err(reply), _) | (_, Err(reply)) => return reply,
        };
        let lines = changes(&before, &after);
        let heading = format!("if {} = {value} (the case is unchanged):", assignment.fact);
        match lines.is_empty() {
            true => Reply::say(format!("{heading}\n  the decision would be the same")),
            false => Reply::say(format!("{heading}\n{}", lines.join("\n"))),
        }
    }

    /// `:why` and `:whynot`: `answer` asked about `name` on the case.
    fn why(&self, name: &str, answer: WhyAnswer) -> Reply {
        let Some(protocol) = self.protocol() else {
            return no_protocol();
        };
        let sources = &self.session.compiled().report.sources;
        match answer(
            protocol,
            sources,
            &self.identified(&self.case),
            self.asked(),
            name,
        ) {
            Ok(lines) => Reply::say(lines.join("\n")),
            Err(message) => Reply::error(message),
        }
    }

    fn rules(&self) -> Reply {
        let Some(protocol) = self.protocol() else {
            return no_protocol();
        };
        let width = protocol
            .rules
            .iter()
            .map(|r| r.name.len())
            .max()
            .unwrap_or(0);
        let lines: Vec<String> = protocol
            .rules
            .iter()
            .map(|rule| {
                let stop = if rule.stop { "  stop" } else { "" };
                format!("{:width$}  {}{stop}", rule.name, rule.at)
            })
            .collect();
        Reply::say(lines.join("\n"))
    }

    fn type_of(&self, text: &str) -> Reply {
        match self.session.type_of(text) {
            Ok(ty) => Reply::say(ty),
            Err(problem) => self.problem(problem),
        }
    }

    fn expression(&self, text: &str) -> Reply {
        match self
            .session
            .expression(text, &self.identified(&self.case), self.asked())
        {
            Ok(answer) if answer.missing.is_empty() => {
                Reply::say(format!("{} : {}", answer.value, answer.ty))
            }
            Ok(answer) => Reply::say(format!(
                "{} : {}\n  missing: {}",
                answer.value,
                answer.ty,
                answer.missing.join(", ")
            )),
            Err(problem) => self.problem(problem),
        }
    }

    fn add(&mut self, text: &str) -> Reply {
        if self.protocol.is_none() {
            return no_protocol();
        }
        match self.session.add(text) {
            Ok(()) => {
                let compiled = &self.session.compiled().report;
                let mut reply = Reply::diagnostics(compiled, self.color, About::Addition);
                reply.out = "added for this session: the protocol is now a draft, \
                             and its decisions say `modified: true`\n"
                    .to_string();
                reply
            }
            Err(report) => Reply::diagnostics(&report, self.color, About::Addition),
        }
    }

    fn problem(&self, problem: Problem) -> Reply {
        match problem {
            Problem::Diagnostics(report) => {
                Reply::diagnostics(&report, self.color, About::Expression)
            }
            Problem::Case(message) => {
                let hint = match message.starts_with("/as_of") && self.as_of.is_none() {
                    true => " (`:asof DATE` gives a date)",
                    false => "",
                };
                Reply::error(format!("the case cannot be decided: {message}{hint}"))
            }
            Problem::NoProtocol => no_protocol(),
        }
    }
}

/// The id of a case that has none, at the prompt.
const PROMPT_CASE: &str = "prompt";

/// A value as `:set` takes it: JSON, or else the text as a string, so that
/// bare enum names and dates need no quotes. Text that starts as JSON
/// structure (`[`, `{`, `"`) must be JSON: a broken list is reported, never
/// taken for a text.
fn fact_value(text: &str) -> Result<Value, String> {
    match serde_json::from_str(text) {
        Ok(value) => Ok(value),
        Err(e) if text.starts_with(['[', '{', '"']) => Err(format!("the value is not JSON: {e}")),
        Err(_) => Ok(Value::String(text.to_string())),
    }
}

fn no_protocol() -> Reply {
    Reply::error("no protocol loaded, or it has errors: `:load FILE`")
}

/// `:help`: every command, or one.
fn help(topic: &str) -> Reply {
    let topic = topic.trim_start_matches(':');
    let width = COMMANDS
        .iter()
        .map(|(name, argument, _)| name.len() + argument.len() + 2)
        .max()
        .unwrap_or(0);
    let line = |(name, argument, what): &(&str, &str, &str)| {
        format!("  {:width$}  {what}", format!(":{name} {argument}"))
    };
    if !topic.is_empty() {
        return match COMMANDS.iter().find(|(name, _, _)| *name == topic) {
            Some(command) => Reply::say(line(command)),
            None => Reply::error(format!("no command `:{topic}` (`:help` lists them)")),
        };
    }
    let mut text = String::from("commands:\n");
    for command in COMMANDS {
        text.push_str(&line(command));
        text.push('\n');
    }
    text.push_str(
        "anything else is an expression, evaluated on the case (`ecog <= 2`),\n\
         or a `define`/`rule` that extends the protocol for this session.\n\
         An open bracket, quote or operator continues on the next line.",
    );
    Reply::say(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn on_the_bundled_protocol() -> State {
        let protocol = Path::new("protocols/dlbcl-second-line.salv");
        let (mut state, reply) = State::start(Some(protocol), None, false);
        assert!(!reply.failed, "{}", reply.err);
        let case = state.handle(":case tests/repl/cases/c-07.json");
        assert!(!case.failed, "{}", case.err);
        state
    }

    #[test]
    fn a_value_that_starts_as_json_must_be_json() {
        assert_eq!(fact_value("2"), Ok(Value::from(2)));
        assert_eq!(fact_value("DLBCL_NOS"), Ok(Value::from("DLBCL_NOS")));
        assert_eq!(fact_value("2026-02-01"), Ok(Value::from("2026-02-01")));
        assert!(fact_value("[{\"regimen\": \"R-CHOP\",}]").is_err());
        assert!(fact_value("\"open").is_err());
        let mut state = on_the_bundled_protocol();
        let reply = state.handle(":set lines = [1,]");
        assert!(reply.failed && reply.err.contains("not JSON"), "{reply:?}");
    }

    /// Fragments of what people type, joined at random.
    const FRAGMENTS: &[&str] = &[
        ":set",
        ":unset",
        ":why",
        ":whynot",
        ":what-if",
        ":type",
        ":decide",
        ":case",
        ":asof",
        ":reload",
        ":rules",
        ":show",
        "ecog",
        "lines",
        "/lines/0",
        "/lines/-",
        "=",
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        "\"",
        ",",
        "and",
        "or",
        "not",
        "rule",
        "define",
        "when",
        "then",
        "recommend",
        "avoid",
        "R-ICE",
        "car-t",
        "1",
        "-2",
        "2026-02-30",
        "months",
        "within",
        "relapse",
        "after",
        "latest",
        "crcl",
        "<",
        "<=",
        "+",
        "x",
        "é",
        "\u{0}",
        "~",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(100))]
        #[test]
        fn nothing_typed_ends_or_breaks_the_prompt(
            picks in prop::collection::vec(0..FRAGMENTS.len(), 0..12),
        ) {
            let mut state = on_the_bundled_protocol();
            let input: Vec<&str> = picks
                .iter()
                .filter_map(|&i| FRAGMENTS.get(i).copied())
                .collect();
            let input = input.join(" ");
            let reply = state.handle(&input);
            prop_assert!(!reply.quit);
            // The prompt still answers afterwards.
            let after = state.handle(":rules");
            prop_assert!(after.out.contains("car-t"), "{:?}", after);
        }
    }
}
