//! The `missing` contract, by brute force on small generated protocols.
//!
//! For a generated protocol (two to four `bool`, enum and `int 0..3` facts, a
//! small vocabulary, one to six rules with `recommend`, `consider`, `avoid`,
//! `stop`, `status`, `order`, `refer`, `flag`, `missing` and `if`) and a case
//! that leaves some facts out, every absent fact F is set to each value of its
//! domain in turn, the other absent facts staying absent. The contract: if
//! `/F` is in `missing`, some value of F changes the decision; if it is not,
//! no value does. "The decision" is the brief's (decision semantics, point
//! 7): the status; the recommended, pending, avoided and included options
//! with their ranks; the orders, referrals and flags. Nothing may ever be in
//! `indeterminate`: these protocols have no censoring, partial date or
//! division.
//!
//! Scope. The brief defines relevance per *unit* (a rule's condition, an
//! action's `if`), with every other unknown held fixed, and a unit's support
//! as the union of the facts its unknown atoms read. The contract speaks of
//! one fact at a time, so the generator keeps to protocols where the two
//! agree:
//! - **Each condition reads one fact.** With two unknown facts, the brief
//!   lists both, although one alone may settle nothing: `(a and b) or c` stays
//!   unknown whatever `a` is, and so does the `avoid` of `when a and b`.
//! - **Each condition varies over its fact's domain.** `n >= 2 and n < 1` is
//!   Kleene-unknown while `n` is unknown, so the brief lists `n`, yet no value
//!   changes anything (the checker warns, S0504). A constant condition is
//!   replaced by its first atom.
//! - **An absent fact is read by at most one condition.** Knowing a fact read
//!   by two units settles both at once, which per-unit relevance does not
//!   weigh: in `rule r1 when b then avoid R-DHAP code c if b`, forcing either
//!   unit alone leaves the avoid unknown, so `/b` is not listed, although
//!   `b = true` avoids R-DHAP. The generator puts such a fact in the case.
//!
//! An unknown `stop` rule is relevant even when forcing it true and forcing it
//! false agree: left unknown it holds the decision at `needs-data`
//! (`an_unknown_stop_rule_that_holds_the_decision_back_is_listed`).
//!
//! The seed is fixed so that CI is reproducible; `PROPTEST_RNG_SEED=<n>` picks
//! another and `PROPTEST_CASES=<n>` runs more cases.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Write as _;

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};
use serde_json::{json, Map, Value};

// ---------------------------------------------------------------------------
// The generated protocol

const HEADER: &str = r#"protocol "Missing contract" {
  version "1"
  institution "Test"
  status approved
  effective 2025-01-01
}
agent cisplatin class platinum
agent carboplatin class platinum
agent rituximab
agent etoposide
regimen R-DHAP = rituximab + cisplatin
regimen R-ICE = rituximab + carboplatin + etoposide
regimen R-E = rituximab + etoposide
regimen BSC : supportive
reasons { renal, prior }
enum Level { P, Q, R }
"#;

const LEVELS: [&str; 3] = ["P", "Q", "R"];
/// What `recommend` and `consider` name: regimens and one agent.
const OPTIONS: [&str; 5] = ["R-DHAP", "R-ICE", "R-E", "BSC", "etoposide"];
/// What `avoid` names: options, an agent no rule recommends, a class.
const AVOIDABLE: [&str; 7] = [
    "R-DHAP",
    "R-ICE",
    "R-E",
    "BSC",
    "etoposide",
    "cisplatin",
    "platinum",
];
const STATUSES: [&str; 4] = ["out-of-scope", "no-change", "referred", "needs-data"];

/// The type of one case fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Bool,
    Enum,
    Int,
}

impl Kind {
    /// The fact's name in the protocol and its key in the case.
    fn name(self, i: usize) -> String {
        let letter = match self {
            Kind::Bool => 'b',
            Kind::Enum => 'e',
            Kind::Int => 'n',
        };
        format!("{letter}{i}")
    }

    fn declaration(self) -> &'static str {
        match self {
            Kind::Bool => "bool",
            Kind::Enum => "Level",
            Kind::Int => "int 0..3",
        }
    }

    /// Every value of the fact's type, as case JSON.
    fn domain(self) -> Vec<Value> {
        match self {
            Kind::Bool => vec![json!(true), json!(false)],
            Kind::Enum => LEVELS.iter().map(|l| json!(l)).collect(),
            Kind::Int => (0..=3).map(|n| json!(n)).collect(),
        }
    }
}

/// One comparison on its condition's fact; `pick` chooses among the forms
/// the fact's kind has.
#[derive(Debug, Clone)]
struct Atom {
    pick: u8,
}

impl Atom {
    fn render(&self, name: &str, kind: Kind) -> String {
        let p = usize::from(self.pick);
        let level = |k: usize| LEVELS[k % LEVELS.len()];
        match kind {
            Kind::Bool if p % 2 == 0 => name.to_string(),
            Kind::Bool => format!("not {name}"),
            Kind::Enum if p % 2 == 0 => format!("{name} = {}", level(p / 2)),
            Kind::Enum => format!("{name} in {{{}, {}}}", level(p / 2), level(p / 2 + 1)),
            Kind::Int if p % 2 == 0 => format!("{name} >= 2"),
            Kind::Int => format!("{name} < 1"),
        }
    }

    /// Whether the comparison holds for the `v`th value of the domain.
    fn holds(&self, kind: Kind, v: usize) -> bool {
        let p = usize::from(self.pick);
        match kind {
            Kind::Bool => (v == 0) == (p % 2 == 0),
            Kind::Enum if p % 2 == 0 => v == p / 2 % 3,
            Kind::Enum => v == p / 2 % 3 || v == (p / 2 + 1) % 3,
            Kind::Int if p % 2 == 0 => v >= 2,
            Kind::Int => v < 1,
        }
    }
}

/// Atoms joined by `and`, `or`, `not`.
#[derive(Debug, Clone)]
enum Tree {
    Atom(Atom),
    Not(Box<Tree>),
    And(Box<Tree>, Box<Tree>),
    Or(Box<Tree>, Box<Tree>),
}

impl Tree {
    fn render(&self, name: &str, kind: Kind) -> String {
        let both = |a: &Tree, op: &str, b: &Tree| {
            format!("({}) {op} ({})", a.render(name, kind), b.render(name, kind))
        };
        match self {
            Tree::Atom(a) => a.render(name, kind),
            Tree::Not(t) => format!("not ({})", t.render(name, kind)),
            Tree::And(a, b) => both(a, "and", b),
            Tree::Or(a, b) => both(a, "or", b),
        }
    }

    fn holds(&self, kind: Kind, v: usize) -> bool {
        match self {
            Tree::Atom(a) => a.holds(kind, v),
            Tree::Not(t) => !t.holds(kind, v),
            Tree::And(a, b) => a.holds(kind, v) && b.holds(kind, v),
            Tree::Or(a, b) => a.holds(kind, v) || b.holds(kind, v),
        }
    }
}

/// A condition on one fact (see the scope notes at the top).
#[derive(Debug, Clone)]
struct Cond {
    fact: Index,
    tree: Tree,
}

impl Cond {
    fn fact(&self, facts: &[Kind]) -> usize {
        self.fact.index(facts.len())
    }

    fn render(&self, facts: &[Kind]) -> String {
        let i = self.fact(facts);
        self.tree.render(&facts[i].name(i), facts[i])
    }

    /// Whether some values of the fact make it true and others false.
    fn varies(&self, facts: &[Kind]) -> bool {
        let kind = facts[self.fact(facts)];
        let truths: Vec<bool> = (0..kind.domain().len())
            .map(|v| self.tree.holds(kind, v))
            .collect();
        truths.contains(&true) && truths.contains(&false)
    }

    /// The condition if it varies, else its first atom (which always does).
    fn varying(self, facts: &[Kind]) -> Cond {
        if self.varies(facts) {
            return self;
        }
        let mut tree = self.tree;
        while let Tree::Not(t) | Tree::And(t, _) | Tree::Or(t, _) = tree {
            tree = *t;
        }
        Cond { tree, ..self }
    }
}

/// One action of a rule.
#[derive(Debug, Clone)]
enum Act {
    Recommend { option: Index, rank: Option<u8> },
    Consider { option: Index },
    Avoid { target: Index, renal: bool },
    Order(u8),
    Refer(u8),
    Flag(u8),
    Missing(u8),
}

impl Act {
    fn render(&self) -> String {
        match self {
            Act::Recommend { option, rank } => {
                let rank = rank.map(|n| format!(" rank {n}")).unwrap_or_default();
                format!("recommend {}{rank}", option.get(&OPTIONS))
            }
            Act::Consider { option } => format!("consider {}", option.get(&OPTIONS)),
            Act::Avoid { target, renal } => {
                let code = if *renal { "renal" } else { "prior" };
                format!("avoid {} code {code}", target.get(&AVOIDABLE))
            }
            Act::Order(n) => format!("order \"order {n}\""),
            Act::Refer(n) => format!("refer \"referral {n}\""),
            Act::Flag(n) => format!("flag \"flag {n}\""),
            Act::Missing(n) => format!("missing \"document {n}\""),
        }
    }
}

/// An action with its optional `if`.
#[derive(Debug, Clone)]
struct Action {
    act: Act,
    guard: Option<Cond>,
}

impl Action {
    fn render(&self, facts: &[Kind]) -> String {
        match &self.guard {
            Some(g) => format!("{} if {}", self.act.render(), g.render(facts)),
            None => self.act.render(),
        }
    }
}

/// One rule: `stop` (with a status, or without), its condition, its actions.
#[derive(Debug, Clone)]
struct Rule {
    stop: Option<Option<u8>>,
    when: Cond,
    actions: Vec<Action>,
}

impl Rule {
    fn render(&self, n: usize, facts: &[Kind]) -> String {
        let stop = if self.stop.is_some() { " stop" } else { "" };
        let mut actions: Vec<String> = self.actions.iter().map(|a| a.render(facts)).collect();
        if let Some(Some(s)) = self.stop {
            actions.push(format!(
                "status {}",
                STATUSES[usize::from(s) % STATUSES.len()]
            ));
        }
        let when = self.when.render(facts);
        format!(
            "rule r{n}{stop}\n  when {when}\n  then {}\n",
            actions.join("\n       ")
        )
    }

    /// The rule with every condition varying.
    fn varying(self, facts: &[Kind]) -> Rule {
        let actions = self
            .actions
            .into_iter()
            .map(|a| Action {
                guard: a.guard.map(|g| g.varying(facts)),
                ..a
            })
            .collect();
        Rule {
            when: self.when.varying(facts),
            actions,
            ..self
        }
    }
}

/// A generated protocol and case.
#[derive(Debug, Clone)]
struct Scenario {
    facts: Vec<Kind>,
    rules: Vec<Rule>,
    /// Per fact: whether the case leaves it out, and its value's index in
    /// the domain otherwise.
    values: Vec<(bool, Index)>,
}

impl Scenario {
    fn protocol(&self) -> String {
        let mut text = format!("{HEADER}case {{\n");
        for (i, k) in self.facts.iter().enumerate() {
            let _ = writeln!(text, "  {}: {}", k.name(i), k.declaration());
        }
        text.push_str("}\n");
        for (n, rule) in self.rules.iter().enumerate() {
            text.push_str(&rule.render(n + 1, &self.facts));
        }
        text
    }

    /// Every condition: each rule's `when` and each action's `if`.
    fn conditions(&self) -> impl Iterator<Item = &Cond> {
        self.rules.iter().flat_map(|r| {
            std::iter::once(&r.when).chain(r.actions.iter().filter_map(|a| a.guard.as_ref()))
        })
    }

    /// How many conditions read fact `i`.
    fn readers(&self, i: usize) -> usize {
        self.conditions()
            .filter(|c| c.fact(&self.facts) == i)
            .count()
    }

    /// The case: a fact is absent if it is left out and at most
    /// [`MAX_READERS`] condition reads it; otherwise it has its value.
    fn case(&self) -> Map<String, Value> {
        let mut case = Map::new();
        case.insert("id".into(), json!("k"));
        case.insert("as_of".into(), json!("2026-01-01"));
        for (i, (k, (left_out, v))) in self.facts.iter().zip(&self.values).enumerate() {
            if !left_out || self.readers(i) > MAX_READERS {
                case.insert(k.name(i), v.get(&k.domain()).clone());
            }
        }
        case
    }
}

// ---------------------------------------------------------------------------
// Strategies

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![Just(Kind::Bool), Just(Kind::Enum), Just(Kind::Int)]
}

fn tree() -> impl Strategy<Value = Tree> {
    let atom = any::<u8>().prop_map(|pick| Tree::Atom(Atom { pick }));
    atom.prop_recursive(2, 6, 2, |inner| {
        prop_oneof![
            inner.clone().prop_map(|t| Tree::Not(Box::new(t))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Tree::And(Box::new(a), Box::new(b))),
            (inner.clone(), inner).prop_map(|(a, b)| Tree::Or(Box::new(a), Box::new(b))),
        ]
    })
}

fn cond() -> impl Strategy<Value = Cond> {
    (any::<Index>(), tree()).prop_map(|(fact, tree)| Cond { fact, tree })
}

fn act() -> impl Strategy<Value = Act> {
    prop_oneof![
        4 => (any::<Index>(), proptest::option::of(1u8..4))
            .prop_map(|(option, rank)| Act::Recommend { option, rank }),
        1 => any::<Index>().prop_map(|option| Act::Consider { option }),
        3 => (any::<Index>(), any::<bool>())
            .prop_map(|(target, renal)| Act::Avoid { target, renal }),
        1 => (0u8..2).prop_map(Act::Order),
        1 => (0u8..2).prop_map(Act::Refer),
        1 => (0u8..2).prop_map(Act::Flag),
        1 => (0u8..2).prop_map(Act::Missing),
    ]
}

fn action() -> impl Strategy<Value = Action> {
    let guard = proptest::option::weighted(0.25, cond());
    (act(), guard).prop_map(|(act, guard)| Action { act, guard })
}

fn rule() -> impl Strategy<Value = Rule> {
    let stop = proptest::option::weighted(0.25, proptest::option::of(0u8..4));
    let actions = proptest::collection::vec(action(), 1..3);
    (stop, cond(), actions).prop_map(|(stop, when, actions)| Rule {
        stop,
        when,
        actions,
    })
}

fn scenario() -> impl Strategy<Value = Scenario> {
    (
        proptest::collection::vec(kind(), 2..=4),
        proptest::collection::vec(rule(), 1..=6),
        proptest::collection::vec((any::<bool>(), any::<Index>()), 4),
    )
        .prop_map(|(facts, rules, mut values)| {
            values.truncate(facts.len());
            let rules = rules.into_iter().map(|r| r.varying(&facts)).collect();
            Scenario {
                facts,
                rules,
                values,
            }
        })
}

// ---------------------------------------------------------------------------
// Deciding

/// The decision record for `case`, with its trace.
fn record(protocol: &salvage::eval::model::Protocol, case: &Map<String, Value>) -> Value {
    let text = Value::Object(case.clone()).to_string();
    let json = salvage::eval::case::parse_json(&text).unwrap();
    let options = salvage::decision::RunOptions {
        as_of: None,
        explain: true,
        strict: false,
    };
    let line = salvage::decision::evaluate(protocol, &json, None, &options).to_json_line();
    serde_json::from_str(&line).unwrap()
}

fn list<'a>(record: &'a Value, key: &str) -> &'a [Value] {
    record[key]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_else(|| panic!("no `{key}` list in {record}"))
}

/// The decision of the brief's point 7: status; recommended, pending,
/// avoided and included options with their ranks; orders, referrals, flags.
fn decision(record: &Value) -> Value {
    let ranked = |key: &str| -> Vec<Value> {
        let entries = list(record, key).iter();
        entries.map(|o| json!([o["option"], o["rank"]])).collect()
    };
    let names = |key: &str| -> Vec<Value> {
        let entries = list(record, key).iter();
        entries.map(|o| o["option"].clone()).collect()
    };
    json!({
        "status": record["status"],
        "recommendations": ranked("recommendations"),
        "pending": ranked("pending"),
        "avoided": names("avoided"),
        "included": names("included"),
        "orders": record["orders"],
        "referrals": record["referrals"],
        "flags": record["flags"],
    })
}

/// The case paths the record lists in `missing`.
fn missing_paths(record: &Value) -> Vec<String> {
    let entries = list(record, "missing").iter();
    entries
        .filter_map(|m| m["path"].as_str().map(str::to_string))
        .collect()
}

// ---------------------------------------------------------------------------
// The property

/// The most conditions that may read one absent fact (see the top).
const MAX_READERS: usize = 1;

/// One protocol, its case and the base record, for checking and for messages.
struct Probe<'a> {
    scenario: &'a Scenario,
    text: String,
    protocol: salvage::eval::model::Protocol,
    case: Map<String, Value>,
    base: Value,
    listed: Vec<String>,
}

impl Probe<'_> {
    /// A failure showing the protocol, the case, what `missing` lists and why.
    fn fail(&self, why: &str) -> TestCaseError {
        TestCaseError::fail(format!(
            "{why}\n--- protocol\n{}--- case\n{}\n--- missing lists {:?}\n--- record\n{}",
            self.text,
            Value::Object(self.case.clone()),
            self.listed,
            self.base
        ))
    }

    /// The record with fact `i` set to each value of its domain.
    fn variants(&self, i: usize) -> Result<Vec<(Value, Value)>, TestCaseError> {
        let kind = self.scenario.facts[i];
        let mut out = Vec::new();
        for v in kind.domain() {
            let mut case = self.case.clone();
            case.insert(kind.name(i), v.clone());
            let record = record(&self.protocol, &case);
            if !list(&record, "indeterminate").is_empty() {
                return Err(self.fail(&format!(
                    "with {} = {v}: indeterminate: {record}",
                    kind.name(i)
                )));
            }
            out.push((v, decision(&record)));
        }
        Ok(out)
    }

    /// The contract for absent fact `i`.
    fn fact(&self, i: usize) -> Result<(), TestCaseError> {
        let path = format!("/{}", self.scenario.facts[i].name(i));
        let before = decision(&self.base);
        let variants = self.variants(i)?;
        let changed = variants.iter().find(|(_, after)| *after != before);
        match (self.listed.contains(&path), changed) {
            (true, None) => Err(self.fail(&format!(
                "`{path}` is in `missing`, but no value of it changes the decision\n  decision: {before}"
            ))),
            (false, Some((v, after))) => Err(self.fail(&format!(
                "`{path}` is not in `missing`, but {path} = {v} changes the decision\n  before: {before}\n  after:  {after}"
            ))),
            _ => Ok(()),
        }
    }
}

fn check(scenario: &Scenario) -> Result<(), TestCaseError> {
    let text = scenario.protocol();
    let Some(protocol) = salvage::compile_source("contract.salv", &text).protocol else {
        return Err(TestCaseError::reject("the protocol does not check"));
    };
    let case = scenario.case();
    let base = record(&protocol, &case);
    let listed = missing_paths(&base);
    let probe = Probe {
        scenario,
        text,
        protocol,
        case,
        base,
        listed,
    };
    if !list(&probe.base, "indeterminate").is_empty() {
        return Err(probe.fail("something is indeterminate"));
    }
    for (i, kind) in scenario.facts.iter().enumerate() {
        if !probe.case.contains_key(&kind.name(i)) {
            probe.fact(i)?;
        }
    }
    Ok(())
}

/// A runner with `cases` cases and a fixed seed (unless the environment says
/// otherwise), writing no files.
fn runner(cases: u32, seed: u64) -> TestRunner {
    let mut config = Config::default();
    if std::env::var("PROPTEST_CASES").is_err() {
        config.cases = cases;
    }
    if std::env::var("PROPTEST_RNG_SEED").is_err() {
        config.rng_seed = RngSeed::Fixed(seed);
    }
    config.failure_persistence = None;
    config.max_shrink_iters = 4_000;
    TestRunner::new(config)
}

#[test]
fn missing_lists_exactly_the_facts_whose_value_changes_the_decision() {
    let result = runner(300, 6).run(&scenario(), |s| check(&s));
    if let Err(e) = result {
        panic!("{e}");
    }
}

#[test]
fn generated_protocols_check() {
    let mut runner = runner(1, 7);
    let strategy = scenario();
    let total = 200;
    let mut failures = Vec::new();
    for _ in 0..total {
        let text = strategy.new_tree(&mut runner).unwrap().current().protocol();
        let compiled = salvage::compile_source("contract.salv", &text);
        if compiled.protocol.is_none() {
            failures.push(text);
        }
    }
    if !failures.is_empty() {
        eprintln!(
            "[missing contract] {} of {total} generated protocols do not check",
            failures.len()
        );
    }
    assert!(
        failures.len() * 20 <= total,
        "too many generated protocols do not check; the first:\n{}",
        failures.first().map_or("", String::as_str)
    );
}

/// The smallest case of the defect the property steps over: `scope` is
/// unknown, so the status is `needs-data` and BSC is pending on `/a`, yet
/// `missing` is empty, because `a = true` and `a = false` give the same
/// decision (BSC recommended at rank 1) and relevance compares only those.
#[test]
fn an_unknown_stop_rule_that_holds_the_decision_back_is_listed() {
    let text = format!(
        "{HEADER}case {{\n  a: bool\n  b: bool\n}}\n\
         rule scope stop when a then recommend BSC\n\
         rule r2 when b then recommend BSC\n"
    );
    let protocol = salvage::compile_source("t.salv", &text).protocol.unwrap();
    let mut case = Map::new();
    case.insert("id".into(), json!("k"));
    case.insert("as_of".into(), json!("2026-01-01"));
    case.insert("b".into(), json!(true));
    let v = record(&protocol, &case);
    assert_eq!(v["status"], "needs-data");
    assert_eq!(v["pending"][0]["missing"], json!([{"path": "/a"}]));
    assert_eq!(v["missing"], json!([{"path": "/a", "rules": ["scope"]}]));
}
