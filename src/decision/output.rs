//! The decision output: one JSON record per case, schema version 2.
//!
//! These types are the stable face of the engine (`docs/decision.md` is the
//! reference, `docs/decision.schema.json` the contract). They are filled from
//! the evaluator's internal types and never derive from them, so the engine
//! can change inside without changing a byte of its output.
//!
//! Conventions, the same for every type here:
//! - keys are written in the order the fields are declared;
//! - every top-level key of a [`Decision`] is always written, except `trace`
//!   (only with `--explain`); `source` is `null` when the case has none;
//! - inside an entry, an absent optional value and an empty optional list
//!   are left out rather than written as `null` or `[]`;
//! - maps are [`BTreeMap`]s, so their keys come out sorted and a record is
//!   byte-identical from run to run.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use crate::eval::value::CaseId;

pub use crate::check::ir::Citations;
pub use crate::eval::outcome::HistoryMatch;
use serde::ser::{SerializeStruct, Serializer};
use serde::Serialize;

impl Serialize for Citations {
    /// The texts, as a list.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.texts().serialize(serializer)
    }
}

/// `skip_serializing_if` of a recommendation's citations.
fn citations_are_empty(citations: &Citations) -> bool {
    citations.is_empty()
}

/// A text of a decision: borrowed from the protocol it came from (names,
/// codes, citations), or owned when it was made for this case.
pub type Text<'p> = Cow<'p, str>;

/// The engine's name and version, as written in every decision's `engine`.
pub const ENGINE: &str = concat!("salvage ", env!("CARGO_PKG_VERSION"));

/// One output record: a decision, or an error in the case's place.
///
/// Written untagged: a consumer tells them apart by the `error` key, which
/// only an error record has.
#[derive(Serialize, Debug, Clone, PartialEq)]
#[serde(untagged)]
pub enum Record<'p> {
    /// The case was evaluated.
    Decision(Box<Decision<'p>>),
    /// The case could not be evaluated (bad JSON, wrong type, value out of
    /// range, `as_of` before the protocol's `effective` date).
    Error(ErrorRecord),
}

impl Record<'_> {
    /// The record as one line of JSON: no newline inside or at the end, keys
    /// in declared order, the same bytes on every run.
    pub fn to_json_line(&self) -> String {
        let mut line = String::new();
        self.write_json_line(&mut line);
        line
    }

    /// Appends the record to `out` as [`Record::to_json_line`] gives it.
    pub fn write_json_line(&self, out: &mut String) {
        let start = out.len();
        let written = match self {
            Record::Decision(d) => d.write_line(out),
            Record::Error(_) => serde_json::to_string(self).map(|line| out.push_str(&line)),
        };
        if let Err(err) = written {
            out.truncate(start);
            out.push_str(&self.serialization_failure(&err));
        }
    }

    /// An error record in place of a record that could not be written, so
    /// that a batch never loses a line. It cannot happen with these types
    /// (every map key is a string), but a panic is never the answer.
    fn serialization_failure(&self, err: &serde_json::Error) -> String {
        let (case, source) = match self {
            Record::Decision(d) => (Some(d.case.clone()), d.source.clone()),
            Record::Error(e) => (e.case.clone(), e.source.clone()),
        };
        let detail = ErrorDetail {
            path: String::new(),
            message: format!("internal error: the record could not be written: {err}"),
        };
        let record = ErrorRecord {
            case,
            source,
            error: detail,
        };
        serde_json::to_value(record).map_or_else(|_| String::from("{}"), |v| v.to_string())
    }
}

impl<'p> From<Decision<'p>> for Record<'p> {
    fn from(decision: Decision<'p>) -> Self {
        Record::Decision(Box::new(decision))
    }
}

impl From<ErrorRecord> for Record<'_> {
    fn from(error: ErrorRecord) -> Self {
        Record::Error(error)
    }
}

/// The decision for one case: what to do, what not to do, what is missing,
/// and why.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Decision<'p> {
    /// The case's id, read from the key the case schema names (`id =
    /// case_id`): a string, or a whole number, as the case gives it.
    pub case: CaseId,
    /// Where the case was read from; `null` for a case given inline (a test's
    /// `given`, the REPL).
    pub source: Option<Source>,
    /// The evaluation date, `YYYY-MM-DD`: the date every window and "latest"
    /// is measured from.
    pub as_of: String,
    /// Where `as_of` came from: the case, `--as-of`, or a test block.
    pub as_of_source: AsOfSource,
    /// The protocol that decided (shared by the decisions of one thread's run).
    pub protocol: Arc<ProtocolInfo>,
    /// The engine that decided, `salvage X.Y.Z` (see [`ENGINE`]).
    pub engine: Text<'static>,
    /// The outcome, the first of the ordered statuses that applies.
    pub status: Status,
    /// Options recommended or considered, by rank then file order.
    pub recommendations: Vec<Recommendation<'p>>,
    /// Options that would be recommended or considered but for an unknown
    /// condition or an unknown avoid, by rank then file order.
    pub pending: Vec<Pending<'p>>,
    /// Options removed by a known `avoid`, in file order.
    pub avoided: Vec<Avoided<'p>>,
    /// Agents, classes and tags named by a known `avoid`, in file order.
    pub contraindicated: Vec<Contraindicated<'p>>,
    /// Options that must be kept (`include`), in file order.
    pub included: Vec<Included<'p>>,
    /// Options both included and avoided (they stay in `included`).
    pub conflicts: Vec<Conflict<'p>>,
    /// Tests to do now (`order`), in file order.
    pub orders: Vec<Message<'p>>,
    /// Referrals (`refer`), in file order.
    pub referrals: Vec<Message<'p>>,
    /// Flags for the clinician (`flag`), in file order.
    pub flags: Vec<Message<'p>>,
    /// The facts whose knowledge could change the decision, in file order.
    pub missing: Vec<MissingItem<'p>>,
    /// Unknowns that no fact can settle (censored values, division by zero).
    pub indeterminate: Vec<Indeterminate<'p>>,
    /// Known `report` values, by report name.
    pub reports: BTreeMap<String, serde_json::Value>,
    /// Reports whose value is unknown, by name, with the facts that would
    /// settle them.
    pub unknown_reports: BTreeMap<String, Vec<MissingItem<'p>>>,
    /// Problems with this case's data that did not stop evaluation (free
    /// text that resolves to nothing, division by zero), one line each.
    pub warnings: Vec<String>,
    /// How the rules came out, in evaluation order; only with
    /// `--explain` (the key is absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace: Option<Vec<TraceEntry>>,
}

impl<'p> Decision<'p> {
    /// Appends the decision as one line of JSON to `out`, written by hand
    /// (see [`WriteJson`]); only the `reports` values and the trace go
    /// through serde_json.
    fn write_line(&self, out: &mut String) -> serde_json::Result<()> {
        out.push_str("{\"case\":");
        write_case_id(out, &self.case);
        out.push_str(",\"source\":");
        match &self.source {
            Some(source) => source.write_json(out),
            None => out.push_str("null"),
        }
        out.push_str(",\"as_of\":");
        write_str(out, &self.as_of);
        out.push_str(",\"as_of_source\":");
        out.push_str(self.as_of_source.quoted());
        write_protocol(out, &self.protocol, &self.engine);
        out.push_str(",\"status\":\"");
        out.push_str(self.status.as_str());
        out.push('"');
        list_field(out, ",\"recommendations\":", &self.recommendations);
        list_field(out, ",\"pending\":", &self.pending);
        list_field(out, ",\"avoided\":", &self.avoided);
        list_field(out, ",\"contraindicated\":", &self.contraindicated);
        list_field(out, ",\"included\":", &self.included);
        list_field(out, ",\"conflicts\":", &self.conflicts);
        list_field(out, ",\"orders\":", &self.orders);
        list_field(out, ",\"referrals\":", &self.referrals);
        list_field(out, ",\"flags\":", &self.flags);
        list_field(out, ",\"missing\":", &self.missing);
        list_field(out, ",\"indeterminate\":", &self.indeterminate);
        out.push_str(",\"reports\":");
        write_reports(out, &self.reports)?;
        out.push_str(",\"unknown_reports\":");
        write_unknown_reports(out, &self.unknown_reports);
        list_field(out, ",\"warnings\":", &self.warnings);
        if let Some(trace) = &self.trace {
            out.push_str(",\"trace\":");
            out.push_str(&serde_json::to_string(trace)?);
        }
        out.push('}');
        Ok(())
    }

    /// The version of this output format; the schema's `$id` ends with it.
    pub const SCHEMA_VERSION: &'static str = "2";

    /// An empty decision (status `no-recommendation`, every list empty, no
    /// source, no trace) for the assembly to fill.
    pub fn new(
        case: CaseId,
        as_of: String,
        as_of_source: AsOfSource,
        protocol: impl Into<Arc<ProtocolInfo>>,
    ) -> Self {
        Decision {
            case,
            source: None,
            as_of,
            as_of_source,
            protocol: protocol.into(),
            engine: Text::Borrowed(ENGINE),
            status: Status::NoRecommendation,
            recommendations: Vec::new(),
            pending: Vec::new(),
            avoided: Vec::new(),
            contraindicated: Vec::new(),
            included: Vec::new(),
            conflicts: Vec::new(),
            orders: Vec::new(),
            referrals: Vec::new(),
            flags: Vec::new(),
            missing: Vec::new(),
            indeterminate: Vec::new(),
            reports: BTreeMap::new(),
            unknown_reports: BTreeMap::new(),
            warnings: Vec::new(),
            trace: None,
        }
    }
}

thread_local! {
    /// The `protocol` and `engine` part as last written on this thread: the
    /// same for every decision of a run, so it is written once.
    static PROTOCOL_PART: std::cell::RefCell<Option<(Arc<ProtocolInfo>, String, String)>> =
        const { std::cell::RefCell::new(None) };
}

/// `,"protocol":{…},"engine":"…"`, from the copy kept for the run when the
/// protocol and engine are the ones it was written for.
fn write_protocol(out: &mut String, protocol: &Arc<ProtocolInfo>, engine: &str) {
    PROTOCOL_PART.with(|part| {
        let mut part = part.borrow_mut();
        let same = |p: &Arc<ProtocolInfo>| Arc::ptr_eq(p, protocol) || p == protocol;
        let fresh = !matches!(&*part, Some((p, e, _)) if same(p) && e == engine);
        if fresh {
            let mut text = String::from(",\"protocol\":");
            protocol.write_json(&mut text);
            text.push_str(",\"engine\":");
            write_str(&mut text, engine);
            *part = Some((protocol.clone(), engine.to_string(), text));
        }
        if let Some((_, _, text)) = &*part {
            out.push_str(text);
        }
    });
}

/// Where a case was read from.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Source {
    /// The file as named on the command line (`-` for standard input).
    pub file: String,
    /// The record's 1-based physical line in a JSON Lines file; absent for a
    /// `.json` case file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
}

/// Where the decision's `as_of` came from.
#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum AsOfSource {
    /// The case's own `as_of` (the case schema's `as_of` expression).
    Case,
    /// `--as-of DATE`, used because the case had no `as_of`.
    CommandLine,
    /// The `as_of` of a `test` block.
    Test,
}

/// The protocol a decision came from; with the case and `as_of` it makes the
/// decision reproducible.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct ProtocolInfo {
    /// The header's name.
    pub name: String,
    /// The header's `version`.
    pub version: String,
    /// The header's `status`: `draft`, `review`, `approved` or `retired`.
    pub status: String,
    /// SHA-256 (64 lowercase hex digits) over the protocol and every import,
    /// each as root-relative path, length and bytes, in path order.
    pub sha256: String,
    /// Whether additions typed at a prompt (`salvage repl`) extend the
    /// protocol: written only when they do.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub modified: bool,
}

/// A decision's outcome. The first that applies wins, in the order given in
/// `docs/decision.md` ("Status"): a fired `stop` rule's status, `needs-data`
/// from an unknown `stop` rule, `recommended`, `needs-data`, `all-avoided`,
/// `no-recommendation`.
#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// A fired `stop` rule said `status out-of-scope`.
    OutOfScope,
    /// A fired `stop` rule said `status no-change`.
    NoChange,
    /// A fired `stop` rule said `status referred`.
    Referred,
    /// From a fired `stop` rule, an unknown `stop` rule, a pending option or
    /// a fired `missing` action, when nothing is recommended.
    NeedsData,
    /// At least one option is recommended or considered.
    Recommended,
    /// Every candidate was avoided: escalate.
    AllAvoided,
    /// No rule gave anything: a gap in the protocol, made visible.
    NoRecommendation,
}

impl Status {
    /// The status as written in a protocol and in the output.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::OutOfScope => "out-of-scope",
            Status::NoChange => "no-change",
            Status::Referred => "referred",
            Status::NeedsData => "needs-data",
            Status::Recommended => "recommended",
            Status::AllAvoided => "all-avoided",
            Status::NoRecommendation => "no-recommendation",
        }
    }

    /// The status a protocol names (`status out-of-scope`, `expect status
    /// needs-data`), if it is one.
    pub fn from_name(name: &str) -> Option<Status> {
        STATUSES.into_iter().find(|s| s.as_str() == name)
    }
}

/// Every status, in declaration order.
pub const STATUSES: [Status; 7] = [
    Status::OutOfScope,
    Status::NoChange,
    Status::Referred,
    Status::NeedsData,
    Status::Recommended,
    Status::AllAvoided,
    Status::NoRecommendation,
];

/// Which kind of action made an option a candidate.
#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum OptionKind {
    /// `recommend A` or `recommend each …`.
    Recommend,
    /// `consider A`.
    Consider,
    /// `fallback B`, a candidate because the option before it was avoided.
    Fallback,
    /// One part of `recommend components A, B, C`, to be combined.
    Component,
}

/// A recommended or considered option.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Recommendation<'p> {
    /// The option's declared name (a regimen or an agent).
    pub option: Text<'p>,
    /// Its rank, dense from 1 over recommendations and pending together.
    pub rank: u32,
    /// The kind of action that named it.
    pub kind: OptionKind,
    /// Every rule that named it, in file order.
    pub rules: Vec<Text<'p>>,
    /// `goal curative|disease-control|palliative`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goal: Option<Text<'p>>,
    /// `evidence "…"`, the protocol's own grading.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Text<'p>>,
    /// The texts of the `cite [keys]` citations, in the order cited.
    #[serde(skip_serializing_if = "citations_are_empty")]
    pub citations: Cow<'p, Citations>,
    /// `role NAME`, such as a component's part in a combination.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<Text<'p>>,
    /// The `note "…"` texts, evaluated.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// An option that waits for data: it would be recommended or considered
/// once the facts in `missing` are known (or avoided, if they go the other
/// way).
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Pending<'p> {
    /// The option's declared name.
    pub option: Text<'p>,
    /// The rank it would have, dense with the recommendations.
    pub rank: u32,
    /// The kind of action that named it.
    pub kind: OptionKind,
    /// Every rule involved: those that named it and those whose unknown
    /// avoid holds it back, in file order.
    pub rules: Vec<Text<'p>>,
    /// The facts that would settle it (their `rules` are left out: they are
    /// this entry's).
    pub missing: Vec<MissingItem<'p>>,
}

/// An option removed by a known `avoid`.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Avoided<'p> {
    /// The option's declared name.
    pub option: Text<'p>,
    /// The winning `code REASON` (highest in `reasons` among the known
    /// avoids of this option).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<Text<'p>>,
    /// The `because "…"` text of the winning avoid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Text<'p>>,
    /// Every rule with a known avoid of this option, in file order.
    pub rules: Vec<Text<'p>>,
    /// The avoided agent, class or tag that removed it, when the avoid did
    /// not name the option itself (`R-DHAP` avoided because of `cisplatin`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub because: Option<Text<'p>>,
}

/// An agent, class or tag named by a known `avoid`.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Contraindicated<'p> {
    /// The agent, class or tag's declared name.
    pub what: Text<'p>,
    /// Whether `what` is an agent, a class or a tag.
    pub kind: VocabKind,
    /// The winning `code REASON`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<Text<'p>>,
    /// The `because "…"` text of the winning avoid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Text<'p>>,
    /// Every rule with a known avoid of it, in file order.
    pub rules: Vec<Text<'p>>,
}

/// What a contraindicated name is.
#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum VocabKind {
    /// An `agent`.
    Agent,
    /// A class of agents or regimens.
    Class,
    /// A tag (`tag high-barrier`).
    Tag,
}

/// An option that must be kept (`include X because …`).
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Included<'p> {
    /// The option's declared name.
    pub option: Text<'p>,
    /// The `because "…"` text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Text<'p>>,
    /// Every rule that included it, in file order.
    pub rules: Vec<Text<'p>>,
}

/// An option both included and avoided: it stays in `included`.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Conflict<'p> {
    /// The option's declared name.
    pub option: Text<'p>,
    /// The rules that included it, in file order.
    pub included_by: Vec<Text<'p>>,
    /// The rules that avoided it, in file order.
    pub avoided_by: Vec<Text<'p>>,
}

/// An order, referral or flag: written as a plain string when it has no
/// code (`"PET-CT before salvage"`), else as `{"code": …, "text": …}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Message<'p> {
    /// The action's code (`order repeat_psa "…"`), if it has one.
    pub code: Option<Text<'p>>,
    /// The action's text.
    pub text: Text<'p>,
}

impl<'p> Message<'p> {
    /// A message without a code.
    pub fn plain(text: impl Into<Text<'p>>) -> Self {
        Message {
            code: None,
            text: text.into(),
        }
    }

    /// A message with a code.
    pub fn coded(code: impl Into<Text<'p>>, text: impl Into<Text<'p>>) -> Self {
        Message {
            code: Some(code.into()),
            text: text.into(),
        }
    }
}

impl Serialize for Message<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Some(code) = &self.code else {
            return serializer.serialize_str(&self.text);
        };
        let mut map = serializer.serialize_struct("Message", 2)?;
        map.serialize_field("code", code)?;
        map.serialize_field("text", &self.text)?;
        map.end()
    }
}

/// A fact whose knowledge could change the decision.
#[derive(Serialize, Debug, Clone, PartialEq)]
#[serde(untagged)]
pub enum MissingItem<'p> {
    /// A value in the case, by its place in the case JSON.
    Fact {
        /// An RFC 6901 pointer into the case (`/crcl`, `/lines/0/regimen`).
        path: String,
        /// What would settle it, when more than its presence is needed
        /// (`a value dated on or after 2025-12-02`).
        #[serde(skip_serializing_if = "Option::is_none")]
        need: Option<String>,
        /// Why a present value did not count (`unrecognised`: free text
        /// that resolves to no declared name; the fix is an alias).
        #[serde(skip_serializing_if = "Option::is_none")]
        why: Option<String>,
        /// The relevant rules that read it, in file order (left out inside
        /// a pending entry).
        #[serde(skip_serializing_if = "Vec::is_empty")]
        rules: Vec<Text<'p>>,
    },
    /// A named thing to get: a `missing "…"` action or `E missing as "…"`.
    Named {
        /// The name the protocol gave it.
        name: Text<'p>,
        /// The rules that asked for it, in file order.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        rules: Vec<Text<'p>>,
    },
}

/// An unknown that no fact can settle.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Indeterminate<'p> {
    /// The rule whose condition it left unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<Text<'p>>,
    /// The report whose value it left unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<Text<'p>>,
    /// What made it unknown (`crcl <60 compared with 30`, `division by zero`).
    pub reason: String,
}

/// How one rule came out (`--explain`).
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct TraceEntry {
    /// The rule's name.
    pub rule: String,
    /// Its condition's value, or `not-reached` after a stop.
    pub result: TraceResult,
    /// Where the rule is written, `file:line:col` (1-based).
    pub at: String,
    /// The history lines that decided its history predicates.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<HistoryMatch>,
}

/// A rule's result in the trace.
#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq)]
pub enum TraceResult {
    /// The condition was true: the rule fired.
    #[serde(rename = "true")]
    True,
    /// The condition was false.
    #[serde(rename = "false")]
    False,
    /// The condition was unknown.
    #[serde(rename = "unknown")]
    Unknown,
    /// A `stop` rule ended evaluation before this rule.
    #[serde(rename = "not-reached")]
    NotReached,
}

/// The record written in place of a decision when a case cannot be
/// evaluated.
#[derive(Serialize, Debug, Clone, PartialEq, Default)]
pub struct ErrorRecord {
    /// The case's id, as the case gives it; `null` when it could not be read.
    pub case: Option<CaseId>,
    /// Where the case was read from; `null` when it has no source.
    pub source: Option<Source>,
    /// What is wrong.
    pub error: ErrorDetail,
}

/// What is wrong with a case.
#[derive(Serialize, Debug, Clone, PartialEq, Default)]
pub struct ErrorDetail {
    /// An RFC 6901 pointer to the offending value (`/lines/0/start_date`);
    /// `""` for the whole record (bad JSON, `as_of` before `effective`).
    pub path: String,
    /// One line, in the diagnostics' style (lowercase, no final period).
    pub message: String,
}

// ---- owned copies ----
//
// A decision borrows its protocol's texts (and, through the evaluation, is
// tied to the case it was decided from); `into_owned` copies them, for a
// decision kept after its case is gone.

/// A text no longer borrowed.
fn owned(text: Text<'_>) -> Text<'static> {
    Text::Owned(text.into_owned())
}

/// Texts no longer borrowed.
fn all_owned(texts: Vec<Text<'_>>) -> Vec<Text<'static>> {
    texts.into_iter().map(owned).collect()
}

/// A part of a decision that can let go of what it borrows.
trait ToStatic {
    /// The same part, owning its texts.
    type Static;
    /// The part with every text owned.
    fn into_owned(self) -> Self::Static;
}

/// Every part of a list with its texts owned.
fn each_owned<T: ToStatic>(items: Vec<T>) -> Vec<T::Static> {
    items.into_iter().map(ToStatic::into_owned).collect()
}

impl Record<'_> {
    /// The record with every text owned.
    pub fn into_owned(self) -> Record<'static> {
        match self {
            Record::Decision(d) => Record::Decision(Box::new(d.into_owned())),
            Record::Error(e) => Record::Error(e),
        }
    }
}

impl Decision<'_> {
    /// The decision with every text owned.
    pub fn into_owned(self) -> Decision<'static> {
        Decision {
            case: self.case,
            source: self.source,
            as_of: self.as_of,
            as_of_source: self.as_of_source,
            protocol: self.protocol,
            engine: self.engine,
            status: self.status,
            recommendations: each_owned(self.recommendations),
            pending: each_owned(self.pending),
            avoided: each_owned(self.avoided),
            contraindicated: each_owned(self.contraindicated),
            included: each_owned(self.included),
            conflicts: each_owned(self.conflicts),
            orders: each_owned(self.orders),
            referrals: each_owned(self.referrals),
            flags: each_owned(self.flags),
            missing: each_owned(self.missing),
            indeterminate: each_owned(self.indeterminate),
            reports: self.reports,
            unknown_reports: self
                .unknown_reports
                .into_iter()
                .map(|(name, items)| (name, each_owned(items)))
                .collect(),
            warnings: self.warnings,
            trace: self.trace,
        }
    }
}

impl ToStatic for Recommendation<'_> {
    type Static = Recommendation<'static>;

    fn into_owned(self) -> Recommendation<'static> {
        Recommendation {
            option: owned(self.option),
            rank: self.rank,
            kind: self.kind,
            rules: all_owned(self.rules),
            goal: self.goal.map(owned),
            evidence: self.evidence.map(owned),
            citations: Cow::Owned(self.citations.into_owned()),
            role: self.role.map(owned),
            notes: self.notes,
        }
    }
}

impl ToStatic for Pending<'_> {
    type Static = Pending<'static>;

    fn into_owned(self) -> Pending<'static> {
        Pending {
            option: owned(self.option),
            rank: self.rank,
            kind: self.kind,
            rules: all_owned(self.rules),
            missing: each_owned(self.missing),
        }
    }
}

impl ToStatic for Avoided<'_> {
    type Static = Avoided<'static>;

    fn into_owned(self) -> Avoided<'static> {
        Avoided {
            option: owned(self.option),
            code: self.code.map(owned),
            reason: self.reason.map(owned),
            rules: all_owned(self.rules),
            because: self.because.map(owned),
        }
    }
}

impl ToStatic for Contraindicated<'_> {
    type Static = Contraindicated<'static>;

    fn into_owned(self) -> Contraindicated<'static> {
        Contraindicated {
            what: owned(self.what),
            kind: self.kind,
            code: self.code.map(owned),
            reason: self.reason.map(owned),
            rules: all_owned(self.rules),
        }
    }
}

impl ToStatic for Included<'_> {
    type Static = Included<'static>;

    fn into_owned(self) -> Included<'static> {
        Included {
            option: owned(self.option),
            reason: self.reason.map(owned),
            rules: all_owned(self.rules),
        }
    }
}

impl ToStatic for Conflict<'_> {
    type Static = Conflict<'static>;

    fn into_owned(self) -> Conflict<'static> {
        Conflict {
            option: owned(self.option),
            included_by: all_owned(self.included_by),
            avoided_by: all_owned(self.avoided_by),
        }
    }
}

impl ToStatic for Message<'_> {
    type Static = Message<'static>;

    fn into_owned(self) -> Message<'static> {
        Message {
            code: self.code.map(owned),
            text: owned(self.text),
        }
    }
}

impl ToStatic for MissingItem<'_> {
    type Static = MissingItem<'static>;

    fn into_owned(self) -> MissingItem<'static> {
        match self {
            MissingItem::Fact {
                path,
                need,
                why,
                rules,
            } => MissingItem::Fact {
                path,
                need,
                why,
                rules: all_owned(rules),
            },
            MissingItem::Named { name, rules } => MissingItem::Named {
                name: owned(name),
                rules: all_owned(rules),
            },
        }
    }
}

impl ToStatic for Indeterminate<'_> {
    type Static = Indeterminate<'static>;

    fn into_owned(self) -> Indeterminate<'static> {
        Indeterminate {
            rule: self.rule.map(owned),
            report: self.report.map(owned),
            reason: self.reason,
        }
    }
}

// ---- the line writer ----
//
// Every type of a decision writes itself as JSON by hand, the same bytes as
// its derived `Serialize` form (the same keys in the same order, the same
// keys left out, the same escapes): a decision is written once per case,
// and going through serde costs several times more.

/// A part of a decision that writes itself as JSON, byte for byte as
/// serde_json writes its `Serialize` form.
trait WriteJson {
    /// Appends `self` as JSON to `out`.
    fn write_json(&self, out: &mut String);
}

/// `key` (a literal such as `,"rules":`, written as it is) and `items`.
/// Always inlined, so that the key is copied as the constant it is.
#[inline(always)]
fn list_field<T: WriteJson>(out: &mut String, key: &str, items: &[T]) {
    out.push_str(key);
    write_list(out, items);
}

/// `items` as a JSON array.
fn write_list<T: WriteJson>(out: &mut String, items: &[T]) {
    out.push('[');
    let mut items = items.iter();
    if let Some(first) = items.next() {
        first.write_json(out);
        for item in items {
            out.push(',');
            item.write_json(out);
        }
    }
    out.push(']');
}

/// `key` and `items`, unless `items` is empty (`skip_serializing_if =
/// "Vec::is_empty"`).
fn nonempty_list_field<T: WriteJson>(out: &mut String, key: &str, items: &[T]) {
    if !items.is_empty() {
        list_field(out, key, items);
    }
}

/// `key` and `value`, unless it is absent (`skip_serializing_if =
/// "Option::is_none"`).
fn optional_str_field(out: &mut String, key: &str, value: Option<&str>) {
    if let Some(value) = value {
        out.push_str(key);
        write_str(out, value);
    }
}

/// `text` as a JSON string. Most texts need no escape: they are checked
/// whole and copied at once; the others go through [`write_escaped`].
/// A case id: a JSON string, or the number as the case wrote it.
fn write_case_id(out: &mut String, id: &CaseId) {
    match id {
        CaseId::Text(text) => write_str(out, text),
        CaseId::Number(_) => out.push_str(&id.to_json().to_string()),
    }
}

fn write_str(out: &mut String, text: &str) {
    out.push('"');
    if needs_escape(text.as_bytes()) {
        write_escaped(out, text);
    } else {
        out.push_str(text);
    }
    out.push('"');
}

/// Whether any of `bytes` must be escaped in a JSON string. The bytes are
/// checked 16 at a time (the last block may overlap the one before it); a
/// text of 8 to 15 bytes is checked as two blocks of 8 that overlap, a
/// shorter one byte by byte.
fn needs_escape(bytes: &[u8]) -> bool {
    if let Some(last) = bytes.rchunks_exact(16).next() {
        return block_needs_escape(last) || bytes.chunks_exact(16).any(block_needs_escape);
    }
    if let (Some(first), Some(last)) = (bytes.chunks_exact(8).next(), bytes.rchunks_exact(8).next())
    {
        return block_needs_escape(first) || block_needs_escape(last);
    }
    bytes.iter().any(|&b| escape_key(b) == 0)
}

/// Whether any byte of `block` must be escaped. No early exit, so the
/// compiler checks the whole block at once.
fn block_needs_escape(block: &[u8]) -> bool {
    block
        .iter()
        .fold(false, |found, &b| found | (escape_key(b) == 0))
}

/// Zero exactly for a byte that must be escaped: `"`, `\\` or a control
/// byte below 0x20 (serde_json leaves 0x7f and non-ASCII as they are).
/// Written with a saturating subtraction and minimums, which the compiler
/// turns into few vector instructions.
fn escape_key(b: u8) -> u8 {
    b.saturating_sub(0x1f).min(b ^ b'"').min(b ^ b'\\')
}

/// `text` with serde_json's escapes: the short forms `\"`, `\\`, `\b`,
/// `\f`, `\n`, `\r`, `\t`, and `\u00xx` (lowercase hex) for the other
/// control bytes; the runs between them are copied whole. Few texts need
/// it: this is kept out of the way of [`write_str`]'s copy.
#[cold]
#[inline(never)]
fn write_escaped(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some((run, byte, tail)) = split_at_escape(rest) {
        out.push_str(run);
        write_escape(out, byte);
        rest = tail;
    }
    out.push_str(rest);
}

/// `text` split around its first byte that must be escaped: the run
/// before it, the byte, and the text after it. The byte is ASCII, so both
/// splits fall on character boundaries.
fn split_at_escape(text: &str) -> Option<(&str, u8, &str)> {
    let at = text.bytes().position(|b| escape_key(b) == 0)?;
    let (run, tail) = text.split_at_checked(at)?;
    let (escaped, tail) = tail.split_at_checked(1)?;
    let byte = *escaped.as_bytes().first()?;
    Some((run, byte, tail))
}

/// The escape of one byte that must be escaped, as serde_json writes it.
fn write_escape(out: &mut String, byte: u8) {
    match byte {
        b'"' => out.push_str("\\\""),
        b'\\' => out.push_str("\\\\"),
        0x08 => out.push_str("\\b"),
        0x0c => out.push_str("\\f"),
        b'\n' => out.push_str("\\n"),
        b'\r' => out.push_str("\\r"),
        b'\t' => out.push_str("\\t"),
        _ => {
            out.push_str("\\u00");
            out.push(hex_digit(byte >> 4));
            out.push(hex_digit(byte & 0xf));
        }
    }
}

/// The lowercase hex digit of `n` (below 16).
fn hex_digit(n: u8) -> char {
    char::from(if n < 10 { b'0' + n } else { b'a' + n - 10 })
}

/// The known reports, by name; each value as serde_json writes it (reports
/// are few, and a value can be any JSON).
fn write_reports(
    out: &mut String,
    reports: &BTreeMap<String, serde_json::Value>,
) -> serde_json::Result<()> {
    out.push('{');
    for (i, (name, value)) in reports.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_str(out, name);
        out.push(':');
        out.push_str(&serde_json::to_string(value)?);
    }
    out.push('}');
    Ok(())
}

/// The unknown reports, by name, each with the facts that would settle it.
fn write_unknown_reports(out: &mut String, reports: &BTreeMap<String, Vec<MissingItem<'_>>>) {
    out.push('{');
    for (i, (name, missing)) in reports.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_str(out, name);
        out.push(':');
        write_list(out, missing);
    }
    out.push('}');
}

impl WriteJson for String {
    fn write_json(&self, out: &mut String) {
        write_str(out, self);
    }
}

impl WriteJson for Text<'_> {
    fn write_json(&self, out: &mut String) {
        write_str(out, self);
    }
}

impl WriteJson for Source {
    fn write_json(&self, out: &mut String) {
        out.push_str("{\"file\":");
        write_str(out, &self.file);
        if let Some(line) = self.line {
            out.push_str(",\"line\":");
            out.push_str(itoa::Buffer::new().format(line));
        }
        out.push('}');
    }
}

impl WriteJson for ProtocolInfo {
    fn write_json(&self, out: &mut String) {
        out.push_str("{\"name\":");
        write_str(out, &self.name);
        out.push_str(",\"version\":");
        write_str(out, &self.version);
        out.push_str(",\"status\":");
        write_str(out, &self.status);
        out.push_str(",\"sha256\":");
        write_str(out, &self.sha256);
        if self.modified {
            out.push_str(",\"modified\":true");
        }
        out.push('}');
    }
}

impl WriteJson for Recommendation<'_> {
    fn write_json(&self, out: &mut String) {
        write_option_rank_kind(out, &self.option, self.rank, self.kind);
        list_field(out, ",\"rules\":", &self.rules);
        optional_str_field(out, ",\"goal\":", self.goal.as_deref());
        optional_str_field(out, ",\"evidence\":", self.evidence.as_deref());
        if !self.citations.is_empty() {
            out.push_str(",\"citations\":");
            out.push_str(self.citations.json());
        }
        optional_str_field(out, ",\"role\":", self.role.as_deref());
        nonempty_list_field(out, ",\"notes\":", &self.notes);
        out.push('}');
    }
}

impl WriteJson for Pending<'_> {
    fn write_json(&self, out: &mut String) {
        write_option_rank_kind(out, &self.option, self.rank, self.kind);
        list_field(out, ",\"rules\":", &self.rules);
        list_field(out, ",\"missing\":", &self.missing);
        out.push('}');
    }
}

/// `{"option":…,"rank":…,"kind":…`, the start of a recommendation or a
/// pending entry.
fn write_option_rank_kind(out: &mut String, option: &str, rank: u32, kind: OptionKind) {
    out.push_str("{\"option\":");
    write_str(out, option);
    out.push_str(",\"rank\":");
    out.push_str(itoa::Buffer::new().format(rank));
    out.push_str(",\"kind\":");
    out.push_str(kind.quoted());
}

impl WriteJson for Avoided<'_> {
    fn write_json(&self, out: &mut String) {
        out.push_str("{\"option\":");
        write_str(out, &self.option);
        optional_str_field(out, ",\"code\":", self.code.as_deref());
        optional_str_field(out, ",\"reason\":", self.reason.as_deref());
        list_field(out, ",\"rules\":", &self.rules);
        optional_str_field(out, ",\"because\":", self.because.as_deref());
        out.push('}');
    }
}

impl WriteJson for Contraindicated<'_> {
    fn write_json(&self, out: &mut String) {
        out.push_str("{\"what\":");
        write_str(out, &self.what);
        out.push_str(",\"kind\":");
        out.push_str(self.kind.quoted());
        optional_str_field(out, ",\"code\":", self.code.as_deref());
        optional_str_field(out, ",\"reason\":", self.reason.as_deref());
        list_field(out, ",\"rules\":", &self.rules);
        out.push('}');
    }
}

impl WriteJson for Included<'_> {
    fn write_json(&self, out: &mut String) {
        out.push_str("{\"option\":");
        write_str(out, &self.option);
        optional_str_field(out, ",\"reason\":", self.reason.as_deref());
        list_field(out, ",\"rules\":", &self.rules);
        out.push('}');
    }
}

impl WriteJson for Conflict<'_> {
    fn write_json(&self, out: &mut String) {
        out.push_str("{\"option\":");
        write_str(out, &self.option);
        list_field(out, ",\"included_by\":", &self.included_by);
        list_field(out, ",\"avoided_by\":", &self.avoided_by);
        out.push('}');
    }
}

impl WriteJson for Message<'_> {
    /// A plain string without a code, else `{"code":…,"text":…}`.
    fn write_json(&self, out: &mut String) {
        let Some(code) = &self.code else {
            write_str(out, &self.text);
            return;
        };
        out.push_str("{\"code\":");
        write_str(out, code);
        out.push_str(",\"text\":");
        write_str(out, &self.text);
        out.push('}');
    }
}

impl WriteJson for MissingItem<'_> {
    fn write_json(&self, out: &mut String) {
        match self {
            MissingItem::Fact {
                path,
                need,
                why,
                rules,
            } => {
                out.push_str("{\"path\":");
                write_str(out, path);
                optional_str_field(out, ",\"need\":", need.as_deref());
                optional_str_field(out, ",\"why\":", why.as_deref());
                nonempty_list_field(out, ",\"rules\":", rules);
            }
            MissingItem::Named { name, rules } => {
                out.push_str("{\"name\":");
                write_str(out, name);
                nonempty_list_field(out, ",\"rules\":", rules);
            }
        }
        out.push('}');
    }
}

impl WriteJson for Indeterminate<'_> {
    /// `reason` is last and always there: each optional key before it is
    /// written with the comma that follows it.
    fn write_json(&self, out: &mut String) {
        out.push('{');
        if let Some(rule) = &self.rule {
            out.push_str("\"rule\":");
            write_str(out, rule);
            out.push(',');
        }
        if let Some(report) = &self.report {
            out.push_str("\"report\":");
            write_str(out, report);
            out.push(',');
        }
        out.push_str("\"reason\":");
        write_str(out, &self.reason);
        out.push('}');
    }
}

impl AsOfSource {
    /// The value as written, quotes included.
    fn quoted(self) -> &'static str {
        match self {
            AsOfSource::Case => "\"case\"",
            AsOfSource::CommandLine => "\"command-line\"",
            AsOfSource::Test => "\"test\"",
        }
    }
}

impl OptionKind {
    /// The value as written, quotes included.
    fn quoted(self) -> &'static str {
        match self {
            OptionKind::Recommend => "\"recommend\"",
            OptionKind::Consider => "\"consider\"",
            OptionKind::Fallback => "\"fallback\"",
            OptionKind::Component => "\"component\"",
        }
    }
}

impl VocabKind {
    /// The value as written, quotes included.
    fn quoted(self) -> &'static str {
        match self {
            VocabKind::Agent => "\"agent\"",
            VocabKind::Class => "\"class\"",
            VocabKind::Tag => "\"tag\"",
        }
    }
}
