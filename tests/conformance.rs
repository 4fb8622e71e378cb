//! Conformance: every kind of expression and action of the syntax tree is
//! decided by the evaluator. `tests/cases/eval/conformance/protocol.salv`
//! uses each kind; this test walks its tree and fails if a kind is missing
//! from it (the kind lists below are exhaustive matches, so a new kind does
//! not compile until it is listed), then evaluates it on a case whose facts
//! are all known and fails on any report that is not known, anything in
//! `indeterminate`, or an action kind with no effect in the record.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use salvage::syntax::ast::{
    ActionKind, Aggregate, AggregateOver, BinOp, DatePart, DecisionRef, Expr, ExprKind,
    HistoryPred, HistoryTarget, IsTest, Item, ModifierKind, NadirChange, Options, Quantifier,
    SeriesPart, SeriesRead, Trend, VocabSet,
};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::PathBuf;

/// Kinds the checker refuses, so no checked protocol contains them.
const REFUSED: &[&str] = &[
    "ExprKind::DoubleEq", // `==` is S0104: write `=`
    "ExprKind::Invalid",  // text that did not parse
];

fn folder() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/cases/eval/conformance")
}

fn expr_kind(e: &ExprKind) -> Vec<String> {
    let kind = |s: &str| format!("ExprKind::{s}");
    match e {
        ExprKind::Name(_) => vec![kind("Name")],
        ExprKind::Bool(_) => vec![kind("Bool")],
        ExprKind::NoneLit => vec![kind("NoneLit")],
        ExprKind::Number { .. } => vec![kind("Number")],
        ExprKind::Text(_) => vec![kind("Text")],
        ExprKind::Date(_) => vec![kind("Date")],
        ExprKind::Set(_) => vec![kind("Set")],
        ExprKind::List(_) => vec![kind("List")],
        ExprKind::Group(_) => vec![kind("Group")],
        ExprKind::Not(_) => vec![kind("Not")],
        ExprKind::Neg(_) => vec![kind("Neg")],
        ExprKind::Binary(op, _, _) => vec![kind("Binary"), bin_op(*op)],
        ExprKind::DoubleEq(_, _) => vec![kind("DoubleEq")],
        ExprKind::Is(_, _, test) => vec![kind("Is"), is_test(test)],
        ExprKind::MissingAs(_, _) => vec![kind("MissingAs")],
        ExprKind::UnknownAs(_) => vec![kind("UnknownAs")],
        ExprKind::Let { .. } => vec![kind("Let")],
        ExprKind::Field(_, _) => vec![kind("Field")],
        ExprKind::Index(_, _) => vec![kind("Index")],
        ExprKind::Call(_, _) => vec![kind("Call")],
        ExprKind::If(_, _, _) => vec![kind("If")],
        ExprKind::Match(_, _) => vec![kind("Match")],
        ExprKind::History {
            pred,
            target,
            within,
        } => {
            let mut out = vec![kind("History"), history_pred(*pred), history_target(target)];
            if within.is_some() {
                out.push("History::within".into());
            }
            out
        }
        ExprKind::DateOf(part, _) => vec![kind("DateOf"), date_part(*part)],
        ExprKind::LastLine => vec![kind("LastLine")],
        ExprKind::PriorLines => vec![kind("PriorLines")],
        ExprKind::Series { read, within, .. } => {
            let mut out = vec![kind("Series"), series_read(*read)];
            if within.is_some() {
                out.push("Series::within".into());
            }
            out
        }
        ExprKind::SeriesPart(_, part) => vec![kind("SeriesPart"), series_part(part)],
        ExprKind::NadirChange(change, _) => vec![kind("NadirChange"), nadir_change(*change)],
        ExprKind::Trend(_, trend, _) => vec![kind("Trend"), trend_kind(*trend)],
        ExprKind::Consecutive { apart, .. } => {
            let mut out = vec![kind("Consecutive")];
            if apart.is_some() {
                out.push("Consecutive::apart".into());
            }
            out
        }
        ExprKind::Run(_) => vec![kind("Run")],
        ExprKind::DoublingTime(_) => vec![kind("DoublingTime")],
        ExprKind::Quantified(q, _) => vec![kind("Quantified"), quantifier(*q)],
        ExprKind::Pick { latest, .. } => {
            vec![
                kind("Pick"),
                format!("Pick::{}", if *latest { "latest" } else { "earliest" }),
            ]
        }
        ExprKind::Aggregate {
            agg,
            projection,
            over,
        } => {
            let mut out = vec![kind("Aggregate"), aggregate(*agg), aggregate_over(over)];
            if projection.is_some() {
                out.push("Aggregate::projection".into());
            }
            out
        }
        ExprKind::Comprehension(_) => vec![kind("Comprehension")],
        ExprKind::Projection { .. } => vec![kind("Projection")],
        ExprKind::Sorted { over, .. } => vec![kind("Sorted"), aggregate_over(over)],
        ExprKind::Distinct(_) => vec![kind("Distinct")],
        ExprKind::Neighbour { .. } => vec![kind("Neighbour")],
        ExprKind::Vocab(set) => vec![kind("Vocab"), vocab_set(set)],
        ExprKind::YearsFrom(_, _) => vec![kind("YearsFrom")],
        ExprKind::MonthsFrom(_, _) => vec![kind("MonthsFrom")],
        ExprKind::InUnit(_, _) => vec![kind("InUnit")],
        ExprKind::Decision(r) => vec![kind("Decision"), decision_ref(r)],
        ExprKind::Invalid => vec![kind("Invalid")],
    }
}

fn bin_op(op: BinOp) -> String {
    let name = match op {
        BinOp::Or => "Or",
        BinOp::And => "And",
        BinOp::Eq => "Eq",
        BinOp::Ne => "Ne",
        BinOp::Lt => "Lt",
        BinOp::Le => "Le",
        BinOp::Gt => "Gt",
        BinOp::Ge => "Ge",
        BinOp::In => "In",
        BinOp::NotIn => "NotIn",
        BinOp::Contains => "Contains",
        BinOp::StartsWith => "StartsWith",
        BinOp::Add => "Add",
        BinOp::Sub => "Sub",
        BinOp::Mul => "Mul",
        BinOp::Div => "Div",
        BinOp::Pow => "Pow",
        BinOp::Union => "Union",
        BinOp::Otherwise => "Otherwise",
        BinOp::Range => "Range",
    };
    format!("BinOp::{name}")
}

fn is_test(t: &IsTest) -> String {
    let name = match t {
        IsTest::None => "None",
        IsTest::Missing => "Missing",
        IsTest::Known => "Known",
        IsTest::Unknown => "Unknown",
        IsTest::True => "True",
        IsTest::False => "False",
        IsTest::Vocab(_) => "Vocab",
        IsTest::AnyOf(_) => "AnyOf",
    };
    format!("IsTest::{name}")
}

fn history_pred(p: HistoryPred) -> String {
    let name = match p {
        HistoryPred::Received => "Received",
        HistoryPred::ProgressionOn => "ProgressionOn",
        HistoryPred::RefractoryTo => "RefractoryTo",
        HistoryPred::RelapseAfter => "RelapseAfter",
        HistoryPred::IntolerantOf => "IntolerantOf",
    };
    format!("HistoryPred::{name}")
}

fn history_target(t: &HistoryTarget) -> String {
    let name = match t {
        HistoryTarget::Name(_) => "Name",
        HistoryTarget::Set(_) => "Set",
        HistoryTarget::LastLine => "LastLine",
    };
    format!("HistoryTarget::{name}")
}

fn date_part(p: DatePart) -> String {
    let name = match p {
        DatePart::Date => "Date",
        DatePart::Start => "Start",
        DatePart::End => "End",
    };
    format!("DatePart::{name}")
}

fn series_read(r: SeriesRead) -> String {
    let name = match r {
        SeriesRead::Latest => "Latest",
        SeriesRead::Previous => "Previous",
        SeriesRead::Earliest => "Earliest",
        SeriesRead::Nadir => "Nadir",
        SeriesRead::Peak => "Peak",
    };
    format!("SeriesRead::{name}")
}

fn series_part(p: &SeriesPart) -> String {
    let name = match p {
        SeriesPart::Since(_) => "Since",
        SeriesPart::Before(_) => "Before",
        SeriesPart::OnOrBefore(_) => "OnOrBefore",
        SeriesPart::Between(..) => "Between",
    };
    format!("SeriesPart::{name}")
}

fn nadir_change(c: NadirChange) -> String {
    let name = match c {
        NadirChange::Rise => "Rise",
        NadirChange::Percent => "Percent",
    };
    format!("NadirChange::{name}")
}

fn trend_kind(t: Trend) -> String {
    let name = match t {
        Trend::Rising => "Rising",
        Trend::Falling => "Falling",
    };
    format!("Trend::{name}")
}

fn quantifier(q: Quantifier) -> String {
    let name = match q {
        Quantifier::Any => "Any",
        Quantifier::All => "All",
        Quantifier::No => "No",
    };
    format!("Quantifier::{name}")
}

fn aggregate(a: Aggregate) -> String {
    let name = match a {
        Aggregate::Count => "Count",
        Aggregate::Min => "Min",
        Aggregate::Max => "Max",
        Aggregate::Sum => "Sum",
        Aggregate::First => "First",
        Aggregate::Last => "Last",
        Aggregate::The => "The",
    };
    format!("Aggregate::{name}")
}

fn aggregate_over(o: &AggregateOver) -> String {
    let name = match o {
        AggregateOver::Collection(_) => "Collection",
        AggregateOver::Binding(_) => "Binding",
    };
    format!("AggregateOver::{name}")
}

fn vocab_set(v: &VocabSet) -> String {
    let name = match v {
        VocabSet::With { .. } => "With",
        VocabSet::MembersOf(_) => "MembersOf",
    };
    format!("VocabSet::{name}")
}

fn decision_ref(r: &DecisionRef) -> String {
    let name = match r {
        DecisionRef::Recommended(_) => "Recommended",
        DecisionRef::Fired(_) => "Fired",
        DecisionRef::Pending(_) => "Pending",
        DecisionRef::Avoided(_) => "Avoided",
    };
    format!("DecisionRef::{name}")
}

fn action_kind(a: &ActionKind) -> Vec<String> {
    let options = |o: &Options| match o {
        Options::List(_) => "Options::List",
        Options::Components(_) => "Options::Components",
        Options::Each(_) => "Options::Each",
    };
    let (name, o) = match a {
        ActionKind::Recommend(o) => ("Recommend", Some(o)),
        ActionKind::Consider(o) => ("Consider", Some(o)),
        ActionKind::Avoid(o) => ("Avoid", Some(o)),
        ActionKind::Include(o) => ("Include", Some(o)),
        ActionKind::Order(_) => ("Order", None),
        ActionKind::Refer(_) => ("Refer", None),
        ActionKind::Flag(_) => ("Flag", None),
        ActionKind::Missing(_) => ("Missing", None),
        ActionKind::Status(_) => ("Status", None),
    };
    let mut out = vec![format!("ActionKind::{name}")];
    out.extend(o.map(|o| options(o).to_string()));
    out
}

fn modifier_kind(m: &ModifierKind) -> String {
    let name = match m {
        ModifierKind::Rank(_) => "Rank",
        ModifierKind::Unranked => "Unranked",
        ModifierKind::Goal(_) => "Goal",
        ModifierKind::Evidence(_) => "Evidence",
        ModifierKind::Code(_) => "Code",
        ModifierKind::Because(_) => "Because",
        ModifierKind::Role(_) => "Role",
        ModifierKind::Note(_) => "Note",
        ModifierKind::Fallback(_) => "Fallback",
        ModifierKind::If(_) => "If",
        ModifierKind::Cite(_) => "Cite",
        ModifierKind::RankExpr(_) => "RankExpr",
        ModifierKind::GoalExpr(_) => "GoalExpr",
        ModifierKind::RoleExpr(_) => "RoleExpr",
        ModifierKind::First(_) => "First",
    };
    format!("ModifierKind::{name}")
}

/// Every kind (and sub-kind) of every expression under `e`.
fn walk(e: &Expr, seen: &mut BTreeSet<String>) {
    seen.extend(expr_kind(&e.kind));
    for child in e.children() {
        walk(child, seen);
    }
}

/// Every kind used by the defines, reports and rules (in sections too).
fn walk_items(items: &[Item], seen: &mut BTreeSet<String>) {
    for item in items {
        match item {
            Item::Define(define) => walk(&define.body, seen),
            Item::Report(report) => walk(&report.value, seen),
            Item::Section(section) => {
                walk(&section.when, seen);
                walk_items(&section.items, seen);
            }
            Item::Rule(rule) => {
                walk(&rule.when, seen);
                for action in &rule.actions {
                    seen.extend(action_kind(&action.kind));
                    for m in &action.modifiers {
                        seen.insert(modifier_kind(&m.kind));
                    }
                }
            }
            _ => {}
        }
    }
}

/// Every kind the language has, read from the arms of the exhaustive
/// matches above (this file's own text), so that they are the only list to
/// keep: a new kind must get an arm to compile, and then this test asks the
/// conformance protocol for it.
fn every_kind() -> BTreeSet<String> {
    let text = std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(file!()))
        .expect("this test's own source");
    let mut kinds = BTreeSet::new();
    for line in text.lines() {
        let line = line.trim_start();
        for prefix in [
            "ExprKind::",
            "BinOp::",
            "IsTest::",
            "HistoryPred::",
            "HistoryTarget::",
            "DatePart::",
            "SeriesRead::",
            "SeriesPart::",
            "NadirChange::",
            "Trend::",
            "Quantifier::",
            "Aggregate::",
            "AggregateOver::",
            "VocabSet::",
            "DecisionRef::",
            "ActionKind::",
            "ModifierKind::",
        ] {
            if let Some(rest) = line.strip_prefix(prefix) {
                let name: String = rest.chars().take_while(|c| c.is_alphanumeric()).collect();
                let arm = line.contains("=>") || line.ends_with('{');
                if !name.is_empty() && arm {
                    kinds.insert(format!("{prefix}{name}"));
                }
            }
        }
        if let Some(rest) = line.strip_prefix("Options::") {
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric()).collect();
            if line.contains("=>") {
                kinds.insert(format!("Options::{name}"));
            }
        }
    }
    kinds
}

#[test]
fn the_conformance_protocol_uses_every_kind() {
    let path = folder().join("protocol.salv");
    // It compiles, so the evaluator runs every kind it uses.
    common::engine::compile_file(&path);
    let text = std::fs::read_to_string(&path).unwrap();
    let (file, problems) = salvage::syntax::parse(salvage::span::FileId(0), &text);
    assert!(problems.is_empty(), "{problems:?}");
    let mut seen = BTreeSet::new();
    walk_items(&file.items, &mut seen);
    let wanted = every_kind();
    assert!(
        wanted.len() > 100,
        "the kind lists were not read: {wanted:?}"
    );
    let missing: Vec<&String> = wanted
        .iter()
        .filter(|k| !seen.contains(*k) && !REFUSED.contains(&k.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "the conformance protocol uses no {missing:?}"
    );
}

#[test]
fn every_kind_is_decided_on_known_facts() {
    let protocol = common::engine::compile_file(&folder().join("protocol.salv"));
    let cases = std::fs::read_to_string(folder().join("cases.jsonl")).unwrap();
    for line in cases.lines().filter(|l| !l.trim().is_empty()) {
        let (_, record) =
            common::engine::record_line(&protocol, line, None, &common::engine::options(true));
        assert!(record.get("error").is_none(), "{record}");
        let unknown = record["unknown_reports"].as_object().unwrap();
        assert!(unknown.is_empty(), "unknown reports: {unknown:?}");
        assert_eq!(record["indeterminate"], Value::Array(Vec::new()));
        let known = record["reports"].as_object().unwrap();
        assert_eq!(known.len(), protocol.reports.len(), "{known:?}");
        for key in [
            "recommendations",
            "contraindicated",
            "included",
            "orders",
            "referrals",
            "flags",
            "missing",
        ] {
            let list = record[key].as_array().unwrap();
            assert!(!list.is_empty(), "`{key}` is empty: {record}");
        }
        let kinds: BTreeSet<&str> = record["recommendations"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|r| r["kind"].as_str())
            .collect();
        assert_eq!(
            kinds,
            BTreeSet::from(["recommend", "consider", "component"]),
            "{record}"
        );
    }
}
