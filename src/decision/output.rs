//! The decision output: one JSON record per case, schema version 1.
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

use std::collections::BTreeMap;

pub use crate::eval::outcome::{HistoryMatch, Message};
use serde::Serialize;

/// The engine's name and version, as written in every decision's `engine`.
pub const ENGINE: &str = concat!("salvage ", env!("CARGO_PKG_VERSION"));

/// One output record: a decision, or an error in the case's place.
///
/// Written untagged: a consumer tells them apart by the `error` key, which
/// only an error record has.
#[derive(Serialize, Debug, Clone, PartialEq)]
#[serde(untagged)]
pub enum Record {
    /// The case was evaluated.
    Decision(Box<Decision>),
    /// The case could not be evaluated (bad JSON, wrong type, value out of
    /// range, `as_of` before the protocol's `effective` date).
    Error(ErrorRecord),
}

impl Record {
    /// The record as one line of JSON: no newline inside or at the end, keys
    /// in declared order, the same bytes on every run.
    pub fn to_json_line(&self) -> String {
        let written = match self {
            Record::Decision(d) => d.json_line(),
            Record::Error(_) => serde_json::to_string(self),
        };
        match written {
            Ok(line) => line,
            Err(err) => self.serialization_failure(&err),
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

impl From<Decision> for Record {
    fn from(decision: Decision) -> Self {
        Record::Decision(Box::new(decision))
    }
}

impl From<ErrorRecord> for Record {
    fn from(error: ErrorRecord) -> Self {
        Record::Error(error)
    }
}

/// The decision for one case: what to do, what not to do, what is missing,
/// and why.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Decision {
    /// The case's id, read from the key the case schema names (`id = case_id`).
    pub case: String,
    /// Where the case was read from; `null` for a case given inline (a test's
    /// `given`, the REPL).
    pub source: Option<Source>,
    /// The evaluation date, `YYYY-MM-DD`: the date every window and "latest"
    /// is measured from.
    pub as_of: String,
    /// Where `as_of` came from: the case, `--as-of`, or a test block.
    pub as_of_source: AsOfSource,
    /// The protocol that decided.
    pub protocol: ProtocolInfo,
    /// The engine that decided, `salvage X.Y.Z` (see [`ENGINE`]).
    pub engine: String,
    /// The outcome, the first of the ordered statuses that applies.
    pub status: Status,
    /// Options recommended or considered, by rank then file order.
    pub recommendations: Vec<Recommendation>,
    /// Options that would be recommended or considered but for an unknown
    /// condition or an unknown avoid, by rank then file order.
    pub pending: Vec<Pending>,
    /// Options removed by a known `avoid`, in file order.
    pub avoided: Vec<Avoided>,
    /// Agents, classes and tags named by a known `avoid`, in file order.
    pub contraindicated: Vec<Contraindicated>,
    /// Options that must be kept (`include`), in file order.
    pub included: Vec<Included>,
    /// Options both included and avoided (they stay in `included`).
    pub conflicts: Vec<Conflict>,
    /// Tests to do now (`order`), in file order.
    pub orders: Vec<Message>,
    /// Referrals (`refer`), in file order.
    pub referrals: Vec<Message>,
    /// Flags for the clinician (`flag`), in file order.
    pub flags: Vec<Message>,
    /// The facts whose knowledge could change the decision, in file order.
    pub missing: Vec<MissingItem>,
    /// Unknowns that no fact can settle (censored values, division by zero).
    pub indeterminate: Vec<Indeterminate>,
    /// Known `report` values, by report name.
    pub reports: BTreeMap<String, serde_json::Value>,
    /// Reports whose value is unknown, by name, with the facts that would
    /// settle them.
    pub unknown_reports: BTreeMap<String, Vec<MissingItem>>,
    /// Problems with this case's data that did not stop evaluation (free
    /// text that resolves to nothing, division by zero), one line each.
    pub warnings: Vec<String>,
    /// How the rules came out, in evaluation order; only with
    /// `--explain` (the key is absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace: Option<Vec<TraceEntry>>,
}

impl Decision {
    /// The decision as one line of JSON, the same bytes as its `Serialize`
    /// form: the keys are written as they are (they need no escaping), each
    /// value by serde_json.
    fn json_line(&self) -> serde_json::Result<String> {
        let mut out: Vec<u8> = Vec::with_capacity(1024);
        out.extend_from_slice(b"{\"case\":");
        serde_json::to_writer(&mut out, &self.case)?;
        field(&mut out, "source", &self.source)?;
        field(&mut out, "as_of", &self.as_of)?;
        field(&mut out, "as_of_source", &self.as_of_source)?;
        write_protocol(&mut out, &self.protocol, &self.engine)?;
        field(&mut out, "status", &self.status)?;
        field(&mut out, "recommendations", &self.recommendations)?;
        field(&mut out, "pending", &self.pending)?;
        field(&mut out, "avoided", &self.avoided)?;
        field(&mut out, "contraindicated", &self.contraindicated)?;
        field(&mut out, "included", &self.included)?;
        field(&mut out, "conflicts", &self.conflicts)?;
        field(&mut out, "orders", &self.orders)?;
        field(&mut out, "referrals", &self.referrals)?;
        field(&mut out, "flags", &self.flags)?;
        field(&mut out, "missing", &self.missing)?;
        field(&mut out, "indeterminate", &self.indeterminate)?;
        field(&mut out, "reports", &self.reports)?;
        field(&mut out, "unknown_reports", &self.unknown_reports)?;
        field(&mut out, "warnings", &self.warnings)?;
        if let Some(trace) = &self.trace {
            field(&mut out, "trace", trace)?;
        }
        out.push(b'}');
        String::from_utf8(out).map_err(serde::ser::Error::custom)
    }

    /// The version of this output format; the schema's `$id` ends with it.
    pub const SCHEMA_VERSION: &'static str = "1";

    /// An empty decision (status `no-recommendation`, every list empty, no
    /// source, no trace) for the assembly to fill.
    pub fn new(
        case: String,
        as_of: String,
        as_of_source: AsOfSource,
        protocol: ProtocolInfo,
    ) -> Self {
        Decision {
            case,
            source: None,
            as_of,
            as_of_source,
            protocol,
            engine: ENGINE.to_string(),
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
    /// same for every decision of a run, so it is serialised once.
    static PROTOCOL_PART: std::cell::RefCell<Option<(ProtocolInfo, String, Vec<u8>)>> =
        const { std::cell::RefCell::new(None) };
}

/// `,"protocol":{…},"engine":"…"`, from the copy kept for the run when the
/// protocol and engine are the ones it was written for.
fn write_protocol(
    out: &mut Vec<u8>,
    protocol: &ProtocolInfo,
    engine: &str,
) -> serde_json::Result<()> {
    PROTOCOL_PART.with(|part| {
        let mut part = part.borrow_mut();
        let fresh = !matches!(&*part, Some((p, e, _)) if p == protocol && e == engine);
        if fresh {
            let mut bytes = Vec::new();
            field(&mut bytes, "protocol", protocol)?;
            field(&mut bytes, "engine", engine)?;
            *part = Some((protocol.clone(), engine.to_string(), bytes));
        }
        if let Some((_, _, bytes)) = &*part {
            out.extend_from_slice(bytes);
        }
        Ok(())
    })
}

/// `,"key":value` (`key` is a plain identifier: written as it is).
fn field<T: Serialize + ?Sized>(out: &mut Vec<u8>, key: &str, value: &T) -> serde_json::Result<()> {
    out.extend_from_slice(b",\"");
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(b"\":");
    serde_json::to_writer(out, value)
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
pub struct Recommendation {
    /// The option's declared name (a regimen or an agent).
    pub option: String,
    /// Its rank, dense from 1 over recommendations and pending together.
    pub rank: u32,
    /// The kind of action that named it.
    pub kind: OptionKind,
    /// Every rule that named it, in file order.
    pub rules: Vec<String>,
    /// `goal curative|disease-control|palliative`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goal: Option<String>,
    /// `evidence "…"`, the protocol's own grading.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    /// The texts of the `cite [keys]` citations, in the order cited.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub citations: Vec<String>,
    /// `role NAME`, such as a component's part in a combination.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// The `note "…"` texts, evaluated.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// An option that waits for data: it would be recommended or considered
/// once the facts in `missing` are known (or avoided, if they go the other
/// way).
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Pending {
    /// The option's declared name.
    pub option: String,
    /// The rank it would have, dense with the recommendations.
    pub rank: u32,
    /// The kind of action that named it.
    pub kind: OptionKind,
    /// Every rule involved: those that named it and those whose unknown
    /// avoid holds it back, in file order.
    pub rules: Vec<String>,
    /// The facts that would settle it (their `rules` are left out: they are
    /// this entry's).
    pub missing: Vec<MissingItem>,
}

/// An option removed by a known `avoid`.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Avoided {
    /// The option's declared name.
    pub option: String,
    /// The winning `code REASON` (highest in `reasons` among the known
    /// avoids of this option).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The `because "…"` text of the winning avoid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Every rule with a known avoid of this option, in file order.
    pub rules: Vec<String>,
    /// The avoided agent, class or tag that removed it, when the avoid did
    /// not name the option itself (`R-DHAP` avoided because of `cisplatin`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub because: Option<String>,
}

/// An agent, class or tag named by a known `avoid`.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Contraindicated {
    /// The agent, class or tag's declared name.
    pub what: String,
    /// Whether `what` is an agent, a class or a tag.
    pub kind: VocabKind,
    /// The winning `code REASON`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The `because "…"` text of the winning avoid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Every rule with a known avoid of it, in file order.
    pub rules: Vec<String>,
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
pub struct Included {
    /// The option's declared name.
    pub option: String,
    /// The `because "…"` text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Every rule that included it, in file order.
    pub rules: Vec<String>,
}

/// An option both included and avoided: it stays in `included`.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Conflict {
    /// The option's declared name.
    pub option: String,
    /// The rules that included it, in file order.
    pub included_by: Vec<String>,
    /// The rules that avoided it, in file order.
    pub avoided_by: Vec<String>,
}

/// A fact whose knowledge could change the decision.
#[derive(Serialize, Debug, Clone, PartialEq)]
#[serde(untagged)]
pub enum MissingItem {
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
        rules: Vec<String>,
    },
    /// A named thing to get: a `missing "…"` action or `E missing as "…"`.
    Named {
        /// The name the protocol gave it.
        name: String,
        /// The rules that asked for it, in file order.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        rules: Vec<String>,
    },
}

/// An unknown that no fact can settle.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Indeterminate {
    /// The rule whose condition it left unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// The report whose value it left unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<String>,
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
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct ErrorRecord {
    /// The case's id; `null` when it could not be read.
    pub case: Option<String>,
    /// Where the case was read from; `null` when it has no source.
    pub source: Option<Source>,
    /// What is wrong.
    pub error: ErrorDetail,
}

/// What is wrong with a case.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct ErrorDetail {
    /// An RFC 6901 pointer to the offending value (`/lines/0/start_date`);
    /// `""` for the whole record (bad JSON, `as_of` before `effective`).
    pub path: String,
    /// One line, in the diagnostics' style (lowercase, no final period).
    pub message: String,
}
