//! The decision output format: `docs/decision.schema.json` accepts the
//! brief's example and every record the output types can write, rejects
//! what is not in the format, and agrees with the Rust types on every enum.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::borrow::Cow;
use std::collections::BTreeMap;

use common::schema::{self, assert_invalid_decision, assert_valid_decision, assert_valid_line};
use salvage::decision::output::{
    AsOfSource, Avoided, Citations, Conflict, Contraindicated, Decision, ErrorDetail, ErrorRecord,
    HistoryMatch, Included, Indeterminate, Message, MissingItem, OptionKind, Pending, ProtocolInfo,
    Recommendation, Record, Source, Status, Text, TraceEntry, TraceResult, VocabKind, STATUSES,
};
use salvage::eval::value::CaseId;
use serde_json::{json, Value};

const BRIEF_EXAMPLE: &str = include_str!("decisions/brief-example.json");

fn brief_example() -> Value {
    serde_json::from_str(BRIEF_EXAMPLE).unwrap()
}

fn line(decision: Decision) -> String {
    Record::from(decision).to_json_line()
}

fn to_value(record: &Record) -> Value {
    assert_valid_line(&record.to_json_line())
}

fn protocol() -> ProtocolInfo {
    ProtocolInfo {
        name: "DLBCL second line".into(),
        version: "2026.1".into(),
        status: "approved".into(),
        sha256: "0123456789abcdef".repeat(4),
        modified: false,
    }
}

fn rules(names: &[&str]) -> Vec<Text<'static>> {
    names.iter().map(|n| Text::Owned(n.to_string())).collect()
}

fn crcl_need(rule_names: &[&str]) -> MissingItem<'static> {
    MissingItem::Fact {
        path: "/crcl".into(),
        need: Some("a value dated on or after 2025-12-02".into()),
        why: None,
        rules: rules(rule_names),
    }
}

/// The brief's example, built from the output types.
fn brief_decision() -> Decision<'static> {
    let mut d = Decision::new(
        "c-17".into(),
        "2026-01-01".into(),
        AsOfSource::Case,
        protocol(),
    );
    d.source = Some(Source {
        file: "cases.jsonl".into(),
        line: Some(17),
    });
    d.engine = "salvage 0.1.0".into();
    d.status = Status::Recommended;
    d.recommendations.push(Recommendation {
        option: "R-ICE".into(),
        rank: 1,
        kind: OptionKind::Recommend,
        rules: rules(&["late-relapse"]),
        goal: Some("curative".into()),
        evidence: Some("1".into()),
        citations: Cow::Owned(Citations::new(vec!["Gisselbrecht C et al. …".to_string()])),
        role: None,
        notes: vec![],
    });
    d.pending.push(Pending {
        option: "R-DHAP".into(),
        rank: 1,
        kind: OptionKind::Recommend,
        rules: rules(&["late-relapse", "renal"]),
        missing: vec![crcl_need(&[])],
    });
    d.orders.push(Message::plain("PET-CT before salvage"));
    d.missing.push(crcl_need(&["renal"]));
    d.trace = Some(vec![TraceEntry {
        rule: "renal".into(),
        result: TraceResult::Unknown,
        at: "dlbcl.salv:52:1".into(),
        history: vec![],
    }]);
    d
}

/// A decision with every list filled and every optional key present.
fn full_decision() -> Decision<'static> {
    let mut d = brief_decision();
    d.as_of_source = AsOfSource::CommandLine;
    d.recommendations.push(Recommendation {
        option: "dolutegravir".into(),
        rank: 2,
        kind: OptionKind::Component,
        rules: rules(&["hiv-salvage"]),
        goal: Some("disease-control".into()),
        evidence: None,
        citations: Cow::Owned(Citations::default()),
        role: Some("anchor".into()),
        notes: vec!["twice daily with INSTI resistance".into()],
    });
    d.avoided.push(Avoided {
        option: "R-DHAP".into(),
        code: Some("renal_function".into()),
        reason: Some("cisplatin nephrotoxicity".into()),
        rules: rules(&["renal"]),
        because: Some("cisplatin".into()),
    });
    d.avoided.push(Avoided {
        option: "R-GDP".into(),
        code: None,
        reason: None,
        rules: rules(&["other"]),
        because: None,
    });
    d.contraindicated.push(Contraindicated {
        what: "cisplatin".into(),
        kind: VocabKind::Agent,
        code: Some("renal_function".into()),
        reason: Some("cisplatin nephrotoxicity".into()),
        rules: rules(&["renal"]),
    });
    d.included.push(Included {
        option: "tenofovir".into(),
        reason: Some("hepatitis B".into()),
        rules: rules(&["hbv"]),
    });
    d.conflicts.push(Conflict {
        option: "tenofovir".into(),
        included_by: rules(&["hbv"]),
        avoided_by: rules(&["renal"]),
    });
    d.referrals.push(Message::coded(
        "tumour_board",
        "Present at the tumour board",
    ));
    d.flags.push(Message::plain("Off-pathway prior therapy"));
    d.missing.push(MissingItem::Fact {
        path: "/lines/0/regimen".into(),
        need: None,
        why: Some("unrecognised".into()),
        rules: rules(&["car-t"]),
    });
    d.missing.push(MissingItem::Named {
        name: "confirmatory PSA".into(),
        rules: rules(&["psa"]),
    });
    d.indeterminate.push(Indeterminate {
        rule: Some("vl".into()),
        report: None,
        reason: "vl <20 compared with 10".into(),
    });
    d.reports
        .insert("risk".into(), json!({"group": "high", "score": 0.70}));
    d.reports.insert("ipi".into(), json!(3));
    d.unknown_reports
        .insert("stage".into(), vec![crcl_need(&["stage"])]);
    d.warnings
        .push("`R-CHOPP` at /lines/0/regimen is not a known regimen".into());
    d
}

fn error_record() -> ErrorRecord {
    ErrorRecord {
        case: Some("c-18".into()),
        source: Some(Source {
            file: "cases.jsonl".into(),
            line: Some(18),
        }),
        error: ErrorDetail {
            path: "/lines/0/start_date".into(),
            message: "expected a date, found `\"yesterday\"`".into(),
        },
    }
}

/// The schema's `enum` at a JSON pointer, as strings.
fn schema_enum(pointer: &str) -> Vec<String> {
    let schema = schema::schema();
    let values = schema.pointer(pointer).and_then(Value::as_array).unwrap();
    values
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

fn serialized<T: serde::Serialize>(values: &[T]) -> Vec<String> {
    values
        .iter()
        .map(|v| {
            serde_json::to_value(v)
                .unwrap()
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

fn keys(value: &Value) -> Vec<&str> {
    value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect()
}

// ---- the schema itself ----

#[test]
fn schema_is_a_valid_draft_2020_12_schema() {
    let schema = schema::schema();
    assert!(jsonschema::draft202012::meta::is_valid(&schema));
}

#[test]
fn schema_id_carries_the_schema_version() {
    let schema = schema::schema();
    let id = schema["$id"].as_str().unwrap();
    assert_eq!(
        id,
        format!("urn:salvage:decision:{}", Decision::SCHEMA_VERSION)
    );
}

#[test]
fn every_object_in_the_schema_forbids_unknown_keys() {
    fn walk(node: &Value, at: &str) {
        match node {
            Value::Object(map) => {
                let open_map = at.ends_with("/reports");
                if map.get("type") == Some(&json!("object")) && !open_map {
                    assert!(
                        map.contains_key("additionalProperties"),
                        "no additionalProperties at {at}"
                    );
                }
                map.iter().for_each(|(k, v)| walk(v, &format!("{at}/{k}")));
            }
            Value::Array(items) => items
                .iter()
                .enumerate()
                .for_each(|(i, v)| walk(v, &format!("{at}/{i}"))),
            _ => {}
        }
    }
    walk(&schema::schema(), "");
}

// ---- (a) the brief's example ----

#[test]
fn brief_example_is_valid() {
    assert_valid_decision(&brief_example());
}

#[test]
fn output_types_write_the_brief_example() {
    let mut written = to_value(&brief_decision().into());
    let object = written.as_object_mut().unwrap();
    // The two keys this engine adds to the brief's record.
    assert_eq!(object.shift_remove("as_of_source"), Some(json!("case")));
    let pending = written["pending"][0].as_object_mut().unwrap();
    assert_eq!(pending.shift_remove("kind"), Some(json!("recommend")));
    // Same keys, same order, same values.
    assert_eq!(written.to_string(), brief_example().to_string());
}

// ---- (b) records written by the output types ----

#[test]
fn full_decision_is_valid() {
    to_value(&full_decision().into());
}

#[test]
fn empty_decision_is_valid_and_has_every_key_but_trace() {
    let d = Decision::new(
        "c-1".into(),
        "2026-01-01".into(),
        AsOfSource::Test,
        protocol(),
    );
    let written = to_value(&d.into());
    assert_eq!(written["source"], Value::Null);
    assert_eq!(written["status"], json!("no-recommendation"));
    assert!(written.get("trace").is_none());
}

#[test]
fn decision_with_trace_is_valid() {
    let mut d = full_decision();
    d.trace = Some(vec![
        TraceEntry {
            rule: "late-relapse".into(),
            result: TraceResult::True,
            at: "dlbcl.salv:47:1".into(),
            history: vec![HistoryMatch {
                predicate: "relapse after R-CHOP".into(),
                line: 0,
                path: "/lines/0".into(),
            }],
        },
        TraceEntry {
            rule: "scope".into(),
            result: TraceResult::False,
            at: "dlbcl.salv:36:1".into(),
            history: vec![],
        },
        TraceEntry {
            rule: "later".into(),
            result: TraceResult::NotReached,
            at: "x.salv:9:3".into(),
            history: vec![],
        },
    ]);
    let written = to_value(&d.into());
    assert_eq!(written["trace"][0]["history"][0]["path"], json!("/lines/0"));
    assert!(written["trace"][1].get("history").is_none());
}

#[test]
fn error_records_are_valid() {
    let written = to_value(&error_record().into());
    assert_eq!(keys(&written), ["case", "source", "error"]);
    let unreadable = ErrorRecord {
        case: None,
        source: Some(Source {
            file: "-".into(),
            line: Some(3),
        }),
        error: ErrorDetail {
            path: String::new(),
            message: "expected `,` or `}` at column 12".into(),
        },
    };
    let written = to_value(&unreadable.into());
    assert_eq!(written["case"], Value::Null);
    let no_source = ErrorRecord {
        source: None,
        ..error_record()
    };
    assert_eq!(to_value(&no_source.into())["source"], Value::Null);
}

#[test]
fn a_numeric_case_id_is_written_as_that_number() {
    let number = CaseId::Number("2017".into());
    let mut decision = brief_decision();
    decision.case = number.clone();
    assert_eq!(to_value(&decision.into())["case"], json!(2017));
    let error = ErrorRecord {
        case: Some(number.clone()),
        ..error_record()
    };
    assert_eq!(to_value(&error.into())["case"], json!(2017));
    assert_eq!(serde_json::to_value(&number).unwrap(), json!(2017));
    assert_ne!(number, CaseId::Text("2017".into()));
    let mut decision = brief_decision();
    decision.case = CaseId::Text("2017".into());
    assert_eq!(to_value(&decision.into())["case"], json!("2017"));
}

#[test]
fn decision_keys_come_in_the_documented_order() {
    let written = to_value(&full_decision().into());
    let expected = [
        "case",
        "source",
        "as_of",
        "as_of_source",
        "protocol",
        "engine",
        "status",
        "recommendations",
        "pending",
        "avoided",
        "contraindicated",
        "included",
        "conflicts",
        "orders",
        "referrals",
        "flags",
        "missing",
        "indeterminate",
        "reports",
        "unknown_reports",
        "warnings",
        "trace",
    ];
    assert_eq!(keys(&written), expected);
    let rec = &written["recommendations"][1];
    assert_eq!(
        keys(rec),
        ["option", "rank", "kind", "rules", "goal", "role", "notes"]
    );
}

#[test]
fn lines_are_single_lines_and_byte_identical_across_runs() {
    let record: Record = full_decision().into();
    let written = record.to_json_line();
    assert!(!written.contains('\n') && !written.ends_with(char::is_whitespace));
    assert_eq!(written, line(full_decision()));
    assert_eq!(written, record.clone().to_json_line());
}

#[test]
fn maps_are_written_in_key_order_whatever_the_insertion_order() {
    let mut a = full_decision();
    let mut b = full_decision();
    a.reports = BTreeMap::new();
    b.reports = BTreeMap::new();
    for name in ["zeta", "alpha", "mid"] {
        a.reports.insert(name.into(), json!(name));
    }
    for name in ["mid", "zeta", "alpha"] {
        b.reports.insert(name.into(), json!(name));
    }
    let written = line(a);
    assert_eq!(written, line(b));
    assert!(written.contains(r#""reports":{"alpha":"alpha","mid":"mid","zeta":"zeta"}"#));
}

#[test]
fn report_numbers_keep_their_decimal_text() {
    let mut d = full_decision();
    let exact: Value = serde_json::from_str("0.70").unwrap();
    d.reports = BTreeMap::from([("ratio".to_string(), exact)]);
    assert!(line(d).contains(r#""reports":{"ratio":0.70}"#));
}

#[test]
fn messages_are_strings_without_a_code_and_objects_with_one() {
    assert_eq!(
        serde_json::to_value(Message::plain("PET-CT")).unwrap(),
        json!("PET-CT")
    );
    let coded = Message::coded("repeat_psa", "Repeat PSA in 4 weeks");
    let written = serde_json::to_string(&coded).unwrap();
    assert_eq!(
        written,
        r#"{"code":"repeat_psa","text":"Repeat PSA in 4 weeks"}"#
    );
}

#[test]
fn missing_items_leave_out_absent_keys() {
    let bare = MissingItem::Fact {
        path: "/ecog".into(),
        need: None,
        why: None,
        rules: vec![],
    };
    assert_eq!(serde_json::to_string(&bare).unwrap(), r#"{"path":"/ecog"}"#);
    let named = MissingItem::Named {
        name: "biopsy".into(),
        rules: rules(&["r"]),
    };
    assert_eq!(
        serde_json::to_string(&named).unwrap(),
        r#"{"name":"biopsy","rules":["r"]}"#
    );
}

#[test]
fn every_status_is_valid_and_round_trips_through_its_name() {
    for status in STATUSES {
        let mut d = brief_decision();
        d.status = status;
        assert_eq!(to_value(&d.into())["status"], json!(status.as_str()));
        assert_eq!(Status::from_name(status.as_str()), Some(status));
    }
    assert_eq!(Status::from_name("recommend"), None);
}

// ---- the schema's enums are exactly the Rust enums ----

fn all_option_kinds() -> [OptionKind; 4] {
    // A new variant must be added here: this match stops compiling.
    match OptionKind::Recommend {
        OptionKind::Recommend
        | OptionKind::Consider
        | OptionKind::Fallback
        | OptionKind::Component => {}
    }
    [
        OptionKind::Recommend,
        OptionKind::Consider,
        OptionKind::Fallback,
        OptionKind::Component,
    ]
}

fn all_trace_results() -> [TraceResult; 4] {
    match TraceResult::True {
        TraceResult::True | TraceResult::False | TraceResult::Unknown | TraceResult::NotReached => {
        }
    }
    [
        TraceResult::True,
        TraceResult::False,
        TraceResult::Unknown,
        TraceResult::NotReached,
    ]
}

fn all_vocab_kinds() -> [VocabKind; 3] {
    match VocabKind::Agent {
        VocabKind::Agent | VocabKind::Class | VocabKind::Tag => {}
    }
    [VocabKind::Agent, VocabKind::Class, VocabKind::Tag]
}

fn all_as_of_sources() -> [AsOfSource; 3] {
    match AsOfSource::Case {
        AsOfSource::Case | AsOfSource::CommandLine | AsOfSource::Test => {}
    }
    [AsOfSource::Case, AsOfSource::CommandLine, AsOfSource::Test]
}

fn all_statuses_checked() {
    match Status::Recommended {
        Status::OutOfScope
        | Status::NoChange
        | Status::Referred
        | Status::NeedsData
        | Status::Recommended
        | Status::AllAvoided
        | Status::NoRecommendation => {}
    }
}

#[test]
fn schema_enums_match_the_output_types() {
    all_statuses_checked();
    assert_eq!(
        schema_enum("/$defs/decision/properties/status/enum"),
        serialized(&STATUSES)
    );
    assert_eq!(
        schema_enum("/$defs/option_kind/enum"),
        serialized(&all_option_kinds())
    );
    assert_eq!(
        schema_enum("/$defs/trace_entry/properties/result/enum"),
        serialized(&all_trace_results())
    );
    assert_eq!(
        schema_enum("/$defs/contraindicated/properties/kind/enum"),
        serialized(&all_vocab_kinds())
    );
    assert_eq!(
        schema_enum("/$defs/decision/properties/as_of_source/enum"),
        serialized(&all_as_of_sources())
    );
}

// ---- (c) what the schema must reject ----

/// The brief's example with `edit` applied; the schema must reject it.
fn rejects(edit: impl FnOnce(&mut Value)) {
    let mut record = brief_example();
    edit(&mut record);
    assert_invalid_decision(&record);
}

fn object(value: &mut Value) -> &mut serde_json::Map<String, Value> {
    value.as_object_mut().unwrap()
}

#[test]
fn rejects_an_unknown_top_level_key() {
    rejects(|r| {
        object(r).insert("schema".into(), json!("1"));
    });
}

#[test]
fn rejects_an_unknown_key_inside_an_entry() {
    rejects(|r| {
        object(&mut r["recommendations"][0]).insert("score".into(), json!(1));
    });
    rejects(|r| {
        object(&mut r["missing"][0]).insert("name".into(), json!("crcl"));
    });
    rejects(|r| {
        object(&mut r["protocol"]).insert("institution".into(), json!("x"));
    });
    rejects(|r| r["orders"][0] = json!({"code": "pet", "text": "PET-CT", "rank": 1}));
}

#[test]
fn rejects_a_bad_enum_value() {
    rejects(|r| r["status"] = json!("recommend"));
    rejects(|r| r["status"] = json!("needs_data"));
    rejects(|r| r["recommendations"][0]["kind"] = json!("suggest"));
    rejects(|r| r["trace"][0]["result"] = json!("maybe"));
    rejects(|r| r["recommendations"][0]["goal"] = json!("cure"));
    rejects(|r| r["protocol"]["status"] = json!("final"));
    rejects(|r| {
        object(r).insert("as_of_source".into(), json!("today"));
    });
}

#[test]
fn rejects_a_missing_required_key() {
    rejects(|r| {
        object(r).shift_remove("status");
    });
    rejects(|r| {
        object(r).shift_remove("warnings");
    });
    rejects(|r| {
        object(&mut r["recommendations"][0]).shift_remove("rank");
    });
}

#[test]
fn rejects_malformed_values() {
    rejects(|r| r["protocol"]["sha256"] = json!("…"));
    rejects(|r| r["as_of"] = json!("1 Jan 2026"));
    rejects(|r| r["recommendations"][0]["rank"] = json!(0));
    rejects(|r| r["missing"][0]["path"] = json!("crcl"));
    rejects(|r| r["trace"][0]["at"] = json!("dlbcl.salv"));
    rejects(|r| r["source"] = json!("cases.jsonl"));
}

#[test]
fn rejects_a_mix_of_decision_and_error_record() {
    rejects(|r| {
        object(r).insert("error".into(), json!({"path": "", "message": "bad"}));
    });
    let mut error = to_value(&error_record().into());
    assert_valid_decision(&error);
    object(&mut error).insert("status".into(), json!("recommended"));
    assert_invalid_decision(&error);
}

#[test]
fn error_messages_name_the_key_at_fault() {
    let mut record = brief_example();
    record["recommendations"][0]["kind"] = json!("suggest");
    let errors = schema::schema_errors(&record);
    assert!(
        errors.iter().any(|e| e.contains("/recommendations/0/kind")),
        "{errors:?}"
    );
}

#[test]
fn the_line_writer_writes_what_serde_writes() {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let protocol = common::engine::compile_file(&root.join("protocols/dlbcl-second-line.salv"));
    let mut records: Vec<Record> = vec![
        Record::from(brief_decision()),
        Record::from(full_decision()),
        Record::Error(error_record()),
    ];
    for file in [
        "examples/dlbcl-cases.jsonl",
        "examples/dlbcl-bad-cases.jsonl",
    ] {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        for explain in [false, true] {
            let options = common::engine::options(explain);
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                records.push(common::engine::record(&protocol, line, None, &options));
            }
        }
    }
    for record in &records {
        assert_eq!(
            record.to_json_line(),
            serde_json::to_string(record).unwrap()
        );
    }
    assert!(records.len() > 20);
}

// ---- the hand-written line writer agrees with serde on awkward decisions ----

/// The texts the line writer treats apart: every control character, the
/// two escaped printable ones, DEL (not escaped), non-ASCII of two, three
/// and four bytes, and plain ASCII.
fn awkward_chars() -> Vec<char> {
    let mut chars: Vec<char> = (0u8..0x20).map(char::from).collect();
    chars.extend(['"', '\\', '\u{7f}', 'é', '€', '😀', '/', ' ', 'a', 'Z', '0']);
    chars
}

fn assert_line_is_serde(record: &Record) {
    assert_eq!(
        record.to_json_line(),
        serde_json::to_string(record).unwrap()
    );
}

#[test]
fn every_character_to_escape_is_escaped_as_serde_does_at_every_place() {
    // Lengths around the writer's blocks of 8 and 16 bytes, the character
    // first, in the middle and last (so also in an overlapping last block).
    let lengths = [1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 100];
    for c in awkward_chars() {
        for length in lengths {
            for at in [0, length / 2, length - 1] {
                let text: String = (0..length).map(|i| if i == at { c } else { 'a' }).collect();
                let mut d = full_decision();
                d.case = text.clone().into();
                d.warnings = vec![text.clone(), format!("{text}{text}")];
                d.recommendations[0].citations = Cow::Owned(Citations::new(vec![text.clone()]));
                d.reports.insert(text.clone(), json!(text.clone()));
                assert_line_is_serde(&Record::from(d));
            }
        }
    }
}

#[test]
fn empty_texts_and_every_optional_key_absent_are_written_as_serde_does() {
    let mut d = Decision::new("".into(), String::new(), AsOfSource::Test, protocol());
    d.source = Some(Source {
        file: String::new(),
        line: None,
    });
    d.recommendations.push(Recommendation {
        option: "".into(),
        rank: 0,
        kind: OptionKind::Fallback,
        rules: vec![],
        goal: None,
        evidence: None,
        citations: Cow::Owned(Citations::default()),
        role: None,
        notes: vec![],
    });
    d.indeterminate.push(Indeterminate {
        rule: None,
        report: None,
        reason: String::new(),
    });
    d.indeterminate.push(Indeterminate {
        rule: None,
        report: Some("r".into()),
        reason: "x".into(),
    });
    d.missing.push(MissingItem::Named {
        name: "".into(),
        rules: vec![],
    });
    d.unknown_reports.insert(String::new(), vec![]);
    d.trace = Some(vec![]);
    assert_line_is_serde(&Record::from(d));
}

mod generated {
    //! Random decisions, every optional field present or absent, every list
    //! empty or not, every text made of awkward characters.

    use super::*;
    use proptest::collection::{btree_map, vec};
    use proptest::option::of;
    use proptest::prelude::*;
    use proptest::sample::select;

    fn text() -> impl Strategy<Value = String> {
        let chars = prop_oneof![3 => select(awkward_chars()), 1 => any::<char>()];
        prop_oneof![
            3 => vec(chars.clone(), 0..24),
            1 => vec(chars, 24..120),
        ]
        .prop_map(String::from_iter)
    }

    fn texts() -> impl Strategy<Value = Vec<String>> {
        vec(text(), 0..3)
    }

    fn owned(texts: Vec<String>) -> Vec<Text<'static>> {
        texts.into_iter().map(Text::Owned).collect()
    }

    fn missing_item() -> impl Strategy<Value = MissingItem<'static>> {
        prop_oneof![
            (text(), of(text()), of(text()), texts()).prop_map(|(path, need, why, rules)| {
                MissingItem::Fact {
                    path,
                    need,
                    why,
                    rules: owned(rules),
                }
            }),
            (text(), texts()).prop_map(|(name, rules)| MissingItem::Named {
                name: name.into(),
                rules: owned(rules)
            }),
        ]
    }

    fn recommendation() -> impl Strategy<Value = Recommendation<'static>> {
        (
            (text(), any::<u32>(), select(all_option_kinds().to_vec())),
            (texts(), of(text()), of(text())),
            (texts(), of(text()), texts()),
        )
            .prop_map(
                |((option, rank, kind), (rules, goal, evidence), (citations, role, notes))| {
                    Recommendation {
                        option: option.into(),
                        rank,
                        kind,
                        rules: owned(rules),
                        goal: goal.map(Text::Owned),
                        evidence: evidence.map(Text::Owned),
                        citations: Cow::Owned(Citations::new(citations)),
                        role: role.map(Text::Owned),
                        notes,
                    }
                },
            )
    }

    fn pending() -> impl Strategy<Value = Pending<'static>> {
        (
            text(),
            any::<u32>(),
            select(all_option_kinds().to_vec()),
            texts(),
            vec(missing_item(), 0..3),
        )
            .prop_map(|(option, rank, kind, rules, missing)| Pending {
                option: option.into(),
                rank,
                kind,
                rules: owned(rules),
                missing,
            })
    }

    fn avoided() -> impl Strategy<Value = Avoided<'static>> {
        (text(), of(text()), of(text()), texts(), of(text())).prop_map(
            |(option, code, reason, rules, because)| Avoided {
                option: option.into(),
                code: code.map(Text::Owned),
                reason: reason.map(Text::Owned),
                rules: owned(rules),
                because: because.map(Text::Owned),
            },
        )
    }

    fn contraindicated() -> impl Strategy<Value = Contraindicated<'static>> {
        (
            text(),
            select(all_vocab_kinds().to_vec()),
            of(text()),
            of(text()),
            texts(),
        )
            .prop_map(|(what, kind, code, reason, rules)| Contraindicated {
                what: what.into(),
                kind,
                code: code.map(Text::Owned),
                reason: reason.map(Text::Owned),
                rules: owned(rules),
            })
    }

    fn included() -> impl Strategy<Value = Included<'static>> {
        (text(), of(text()), texts()).prop_map(|(option, reason, rules)| Included {
            option: option.into(),
            reason: reason.map(Text::Owned),
            rules: owned(rules),
        })
    }

    fn conflict() -> impl Strategy<Value = Conflict<'static>> {
        (text(), texts(), texts()).prop_map(|(option, included_by, avoided_by)| Conflict {
            option: option.into(),
            included_by: owned(included_by),
            avoided_by: owned(avoided_by),
        })
    }

    fn message() -> impl Strategy<Value = Message<'static>> {
        (of(text()), text()).prop_map(|(code, text)| Message {
            code: code.map(Text::Owned),
            text: text.into(),
        })
    }

    fn indeterminate() -> impl Strategy<Value = Indeterminate<'static>> {
        (of(text()), of(text()), text()).prop_map(|(rule, report, reason)| Indeterminate {
            rule: rule.map(Text::Owned),
            report: report.map(Text::Owned),
            reason,
        })
    }

    /// Report values of every JSON kind, numbers with their decimal text.
    fn report_value() -> impl Strategy<Value = Value> {
        let number = select(vec!["0", "-3", "0.70", "1e400", "12345678901234567890"])
            .prop_map(|n| serde_json::from_str::<Value>(n).unwrap());
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            number,
            text().prop_map(Value::String),
        ];
        leaf.prop_recursive(2, 8, 3, |inner| {
            prop_oneof![
                vec(inner.clone(), 0..3).prop_map(Value::Array),
                vec((text(), inner), 0..3)
                    .prop_map(|entries| Value::Object(entries.into_iter().collect())),
            ]
        })
    }

    fn trace_entry() -> impl Strategy<Value = TraceEntry> {
        let history =
            (text(), any::<usize>(), text()).prop_map(|(predicate, line, path)| HistoryMatch {
                predicate,
                line,
                path,
            });
        (
            text(),
            select(all_trace_results().to_vec()),
            text(),
            vec(history, 0..2),
        )
            .prop_map(|(rule, result, at, history)| TraceEntry {
                rule,
                result,
                at,
                history,
            })
    }

    fn protocol_info() -> impl Strategy<Value = ProtocolInfo> {
        // Mostly the same protocol, as in a run; sometimes another, so that
        // the part kept for the run is written again.
        prop_oneof![
            3 => Just(protocol()),
            1 => (text(), text(), text(), text(), any::<bool>()).prop_map(
                |(name, version, status, sha256, modified)| ProtocolInfo {
                    name,
                    version,
                    status,
                    sha256,
                    modified,
                }
            ),
        ]
    }

    fn decision() -> impl Strategy<Value = Decision<'static>> {
        let head = (
            text(),
            of((text(), of(any::<u64>()))),
            text(),
            select(all_as_of_sources().to_vec()),
            protocol_info(),
            prop_oneof![Just(salvage::decision::output::ENGINE.to_string()), text()],
            select(STATUSES.to_vec()),
        );
        let options = (
            vec(recommendation(), 0..3),
            vec(pending(), 0..3),
            vec(avoided(), 0..3),
            vec(contraindicated(), 0..3),
            vec(included(), 0..3),
            vec(conflict(), 0..3),
        );
        let actions = (
            vec(message(), 0..3),
            vec(message(), 0..3),
            vec(message(), 0..3),
            vec(missing_item(), 0..3),
            vec(indeterminate(), 0..3),
        );
        let rest = (
            btree_map(text(), report_value(), 0..3),
            btree_map(text(), vec(missing_item(), 0..3), 0..3),
            texts(),
            of(vec(trace_entry(), 0..3)),
        );
        (head, options, actions, rest).prop_map(|(head, options, actions, rest)| {
            let (case, source, as_of, as_of_source, protocol, engine, status) = head;
            let mut d = Decision::new(case.into(), as_of, as_of_source, protocol);
            d.source = source.map(|(file, line)| Source { file, line });
            d.engine = engine.into();
            d.status = status;
            (
                d.recommendations,
                d.pending,
                d.avoided,
                d.contraindicated,
                d.included,
                d.conflicts,
            ) = options;
            (d.orders, d.referrals, d.flags, d.missing, d.indeterminate) = actions;
            (d.reports, d.unknown_reports, d.warnings, d.trace) = rest;
            d
        })
    }

    #[test]
    fn the_line_writer_writes_what_serde_writes_for_generated_decisions() {
        let mut runner = common::property::runner(512, 11, 256);
        let result = runner.run(&decision(), |d| {
            let record = Record::from(d);
            prop_assert_eq!(
                record.to_json_line(),
                serde_json::to_string(&record).unwrap()
            );
            Ok(())
        });
        if let Err(error) = result {
            panic!("{error}");
        }
    }
}
