//! The `missing` contract, by brute force on small generated protocols.
//!
//! For a generated protocol (two to four `bool`, enum and `int 0..3` facts, a
//! small vocabulary, one to six rules with `recommend`, `consider`, `avoid`,
//! `stop`, `status`, `order`, `refer`, `flag`, `missing` and `if`, some of
//! them reading the decision) and a case
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
//! - **A condition that reads the decision hangs on one absent fact.**
//!   Through `recommended X` (or `fired rN`, …) it reads the facts of the
//!   rules it depends on; if one of those is absent, its own fact is put in
//!   the case. Such a fact counts as read once, by the rule below: the brief
//!   carries that rule's forced outcome into the strata above (point 8).
//!   Both absent, the brief lists both, although the condition's own fact
//!   alone may settle nothing
//!   (`a_rule_reading_an_undecided_option_lists_its_own_fact_too`).
//!
//! Reading the decision. About a third of the rules read it: a fact condition
//! joined by `and` (or `or`) to `recommended X`, `not recommended X`,
//! `pending X`, `avoided X` (X an option some rule names), `fired rN` (an
//! earlier rule) or `count candidates = 0`. They recommend, avoid and flag,
//! and a `stop` among them has `status referred`. They run in strata (the
//! brief's point 8). `Rule::reads_from` mirrors the checker's dependencies; a
//! cycle, which the checker refuses (S0330), is broken by turning into flags
//! the option actions of a rule read through an option or `candidates`. They
//! never `include` (S0331). Two tests check the mirror against the checker.
//!
//! An unknown `stop` rule is relevant even when forcing it true and forcing it
//! false agree: left unknown it holds the decision at `needs-data`
//! (`an_unknown_stop_rule_that_holds_the_decision_back_is_listed`).
//!
//! The seed is fixed so that CI is reproducible; `PROPTEST_RNG_SEED=<n>` picks
//! another and `PROPTEST_CASES=<n>` runs more cases.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::fmt::Write as _;

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::strategy::ValueTree;
use proptest::test_runner::{TestCaseError, TestRunner};
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
    Recommend {
        option: Index,
        rank: Option<u8>,
    },
    Consider {
        option: Index,
    },
    Avoid {
        target: Index,
        renal: bool,
    },
    Order(u8),
    Refer(u8),
    Flag(u8),
    Missing(u8),
    /// Only where the checker must refuse it (S0331).
    Include {
        option: Index,
    },
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
            Act::Include { option } => format!("include {}", option.get(&OPTIONS)),
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

/// What `recommended X`, `pending X` and `avoided X` depend on: X and
/// everything it contains or has (its agents and their classes), as the
/// checker computes strata.
fn closure(option: &'static str) -> &'static [&'static str] {
    match option {
        "R-DHAP" => &["R-DHAP", "rituximab", "cisplatin", "platinum"],
        "R-ICE" => &["R-ICE", "rituximab", "carboplatin", "etoposide", "platinum"],
        "R-E" => &["R-E", "rituximab", "etoposide"],
        "BSC" => &["BSC"],
        _ => &["etoposide"],
    }
}

/// A read of the decision (brief, decision semantics 8).
#[derive(Debug, Clone)]
enum Reference {
    Recommended(Index),
    NotRecommended(Index),
    Pending(Index),
    Avoided(Index),
    /// `fired rN`, N an earlier rule (resolved against the rules before).
    Fired(Index),
    NoCandidates,
}

impl Reference {
    /// The option a `recommended`, `pending` or `avoided` names, among
    /// `pool` (all options if it is empty).
    fn option(&self, pool: &[&'static str]) -> Option<&'static str> {
        let pool = if pool.is_empty() { &OPTIONS[..] } else { pool };
        match self {
            Reference::Recommended(o)
            | Reference::NotRecommended(o)
            | Reference::Pending(o)
            | Reference::Avoided(o) => Some(*o.get(pool)),
            Reference::Fired(_) | Reference::NoCandidates => None,
        }
    }

    /// The earlier rule (0-based) a `fired` of the rule at `at` names.
    fn fired(&self, at: usize) -> Option<usize> {
        match self {
            Reference::Fired(r) => Some(r.index(at)),
            _ => None,
        }
    }

    /// The reference for the rule at `at`: the first rule has no earlier
    /// rule to name in `fired`, and reads `candidates` instead.
    fn at(self, at: usize) -> Reference {
        match self {
            Reference::Fired(_) if at == 0 => Reference::NoCandidates,
            other => other,
        }
    }

    fn render(&self, at: usize, pool: &[&'static str]) -> String {
        let option = self.option(pool).unwrap_or_default();
        match self {
            Reference::Recommended(_) => format!("recommended {option}"),
            Reference::NotRecommended(_) => format!("not recommended {option}"),
            Reference::Pending(_) => format!("pending {option}"),
            Reference::Avoided(_) => format!("avoided {option}"),
            Reference::Fired(r) => format!("fired r{}", r.index(at) + 1),
            Reference::NoCandidates => "count candidates = 0".to_string(),
        }
    }
}

/// A rule's read of the decision, joined to its fact condition by `and`
/// (or by `or`).
#[derive(Debug, Clone)]
struct Reading {
    reference: Reference,
    or: bool,
    /// The options the protocol's rules name, which an option reference
    /// picks from (so that it reads something that may be decided).
    pool: Vec<&'static str>,
}

/// One rule: `stop` (with a status, or without), its condition, its actions.
#[derive(Debug, Clone)]
struct Rule {
    stop: Option<Option<u8>>,
    when: Cond,
    reads: Option<Reading>,
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
        let when = self.when(n - 1, facts);
        format!(
            "rule r{n}{stop}\n  when {when}\n  then {}\n",
            actions.join("\n       ")
        )
    }

    /// The condition of the rule at `at`, with its read of the decision.
    fn when(&self, at: usize, facts: &[Kind]) -> String {
        let cond = self.when.render(facts);
        match &self.reads {
            Some(Reading {
                reference,
                or,
                pool,
            }) => {
                let op = if *or { "or" } else { "and" };
                format!("({cond}) {op} {}", reference.render(at, pool))
            }
            None => cond,
        }
    }

    /// What the rule's `recommend`, `consider` and `avoid` actions name.
    fn names(&self) -> Vec<&'static str> {
        let name = |a: &Action| match &a.act {
            Act::Recommend { option, .. } | Act::Consider { option } | Act::Include { option } => {
                Some(*option.get(&OPTIONS))
            }
            Act::Avoid { target, .. } => Some(*target.get(&AVOIDABLE)),
            _ => None,
        };
        self.actions.iter().filter_map(name).collect()
    }

    /// The rules (0-based) whose outcome the rule at `at` reads, as the
    /// checker finds them: the rule of `fired`; for `candidates` every rule
    /// with an option action; for an option, every rule naming something in
    /// its closure.
    fn reads_from(&self, at: usize, rules: &[Rule]) -> Vec<usize> {
        let Some(reading) = &self.reads else {
            return Vec::new();
        };
        if let Some(r) = reading.reference.fired(at) {
            return vec![r];
        }
        let writes = |r: &Rule| match reading.reference.option(&reading.pool) {
            Some(x) => r.names().iter().any(|n| closure(x).contains(n)),
            None => !r.names().is_empty(),
        };
        (0..rules.len()).filter(|j| writes(&rules[*j])).collect()
    }

    /// The rule with its option actions turned into flags, so that no rule
    /// reading the decision depends on it through them.
    fn without_options(self) -> Rule {
        let actions = self
            .actions
            .into_iter()
            .map(|a| match a.act {
                Act::Recommend { .. } | Act::Consider { .. } | Act::Avoid { .. } => Action {
                    act: Act::Flag(2),
                    ..a
                },
                _ => a,
            })
            .collect();
        Rule { actions, ..self }
    }

    /// The rule placed at `at` (0-based) in a file whose rules name the
    /// options in `pool`.
    fn at(self, at: usize, pool: &[&'static str]) -> Rule {
        let reads = self.reads.map(|r| Reading {
            reference: r.reference.at(at),
            or: r.or,
            pool: pool.to_vec(),
        });
        Rule { reads, ..self }
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

    /// The facts read by the conditions of the rules whose outcome rule `at`
    /// reads, directly or through their own reads of the decision.
    fn read_through(&self, at: usize) -> Vec<usize> {
        let mut seen = vec![false; self.rules.len()];
        let mut todo = self.rules[at].reads_from(at, &self.rules);
        let mut facts = Vec::new();
        while let Some(j) = todo.pop() {
            if std::mem::replace(&mut seen[j], true) {
                continue;
            }
            let rule = &self.rules[j];
            let guards = rule.actions.iter().filter_map(|a| a.guard.as_ref());
            facts.extend(
                std::iter::once(&rule.when)
                    .chain(guards)
                    .map(|c| c.fact(&self.facts)),
            );
            todo.extend(rule.reads_from(j, &self.rules));
        }
        facts
    }

    /// Which facts the case leaves out: those left out that at most
    /// [`MAX_READERS`] condition reads, except the fact of a condition that
    /// also reads the decision, when what it reads hangs on another absent
    /// fact (see the top).
    fn absent(&self) -> Vec<bool> {
        let mut absent: Vec<bool> = (0..self.facts.len())
            .map(|i| self.values[i].0 && self.readers(i) <= MAX_READERS)
            .collect();
        for (at, rule) in self.rules.iter().enumerate() {
            let own = rule.when.fact(&self.facts);
            let through = self.read_through(at);
            if rule.reads.is_some() && through.iter().any(|f| *f != own && absent[*f]) {
                absent[own] = false;
            }
        }
        absent
    }

    /// The case: every fact but the absent ones, with its value.
    fn case(&self) -> Map<String, Value> {
        let mut case = Map::new();
        case.insert("id".into(), json!("k"));
        case.insert("as_of".into(), json!("2026-01-01"));
        let absent = self.absent();
        for (i, (k, (_, v))) in self.facts.iter().zip(&self.values).enumerate() {
            if !absent[i] {
                case.insert(k.name(i), v.get(&k.domain()).clone());
            }
        }
        case
    }
}

/// A cycle of rules reading one another's outcome, if there is one: the
/// rules around it (0-based), the first repeated last.
fn cycle(rules: &[Rule]) -> Option<Vec<usize>> {
    fn visit(
        i: usize,
        rules: &[Rule],
        path: &mut Vec<usize>,
        done: &mut [bool],
    ) -> Option<Vec<usize>> {
        if let Some(start) = path.iter().position(|r| *r == i) {
            let mut around = path[start..].to_vec();
            around.push(i);
            return Some(around);
        }
        if done[i] {
            return None;
        }
        path.push(i);
        for j in rules[i].reads_from(i, rules) {
            if let Some(c) = visit(j, rules, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done[i] = true;
        None
    }
    let mut done = vec![false; rules.len()];
    (0..rules.len()).find_map(|i| visit(i, rules, &mut Vec::new(), &mut done))
}

/// The rules with cycles broken (the checker refuses them, S0330): around a
/// cycle, a rule read through an option or `candidates` loses its option
/// actions. `fired` reads an earlier rule, so every cycle has such a read.
fn acyclic(mut rules: Vec<Rule>) -> Vec<Rule> {
    while let Some(around) = cycle(&rules) {
        let through_option = |w: &[usize]| {
            let fired = matches!(
                &rules[w[0]].reads,
                Some(Reading {
                    reference: Reference::Fired(_),
                    ..
                })
            );
            (!fired).then_some(w[1])
        };
        let Some(j) = around.windows(2).find_map(through_option) else {
            break;
        };
        let rule = rules[j].clone();
        rules[j] = rule.without_options();
    }
    rules
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

/// A rule that reads nothing of the decision.
fn plain_rule() -> impl Strategy<Value = Rule> {
    let stop = proptest::option::weighted(0.25, proptest::option::of(0u8..4));
    let actions = proptest::collection::vec(action(), 1..3);
    (stop, cond(), actions).prop_map(|(stop, when, actions)| Rule {
        stop,
        when,
        reads: None,
        actions,
    })
}

fn reference() -> impl Strategy<Value = Reference> {
    prop_oneof![
        2 => any::<Index>().prop_map(Reference::Recommended),
        2 => any::<Index>().prop_map(Reference::NotRecommended),
        1 => any::<Index>().prop_map(Reference::Pending),
        1 => any::<Index>().prop_map(Reference::Avoided),
        2 => any::<Index>().prop_map(Reference::Fired),
        1 => Just(Reference::NoCandidates),
    ]
}

/// An action of a rule that reads the decision.
fn late_action() -> impl Strategy<Value = Action> {
    let act = prop_oneof![
        2 => (any::<Index>(), proptest::option::of(1u8..4))
            .prop_map(|(option, rank)| Act::Recommend { option, rank }),
        2 => (any::<Index>(), any::<bool>())
            .prop_map(|(target, renal)| Act::Avoid { target, renal }),
        1 => (0u8..2).prop_map(Act::Flag),
    ];
    let guard = proptest::option::weighted(0.25, cond());
    (act, guard).prop_map(|(act, guard)| Action { act, guard })
}

/// A rule that reads the decision, perhaps a `stop` to `referred`.
fn late_rule() -> impl Strategy<Value = Rule> {
    let stop = proptest::option::weighted(0.25, Just(Some(2)));
    let reading =
        (reference(), proptest::bool::weighted(0.25)).prop_map(|(reference, or)| Reading {
            reference,
            or,
            pool: Vec::new(),
        });
    let actions = proptest::collection::vec(late_action(), 1..3);
    (stop, cond(), reading, actions).prop_map(|(stop, when, reading, actions)| Rule {
        stop,
        when,
        reads: Some(reading),
        actions,
    })
}

/// A rule; about a third read the decision.
fn rule() -> impl Strategy<Value = Rule> {
    prop_oneof![2 => plain_rule(), 1 => late_rule()]
}

/// A scenario whose rules may read one another's outcome.
fn drafts() -> impl Strategy<Value = Scenario> {
    (
        proptest::collection::vec(kind(), 2..=4),
        proptest::collection::vec(rule(), 1..=6),
        proptest::collection::vec((any::<bool>(), any::<Index>()), 4),
    )
        .prop_map(|(facts, rules, mut values)| {
            values.truncate(facts.len());
            let mut pool: Vec<&str> = rules.iter().flat_map(Rule::names).collect();
            pool.retain(|o| OPTIONS.contains(o));
            pool.sort_unstable();
            pool.dedup();
            let rules = rules.into_iter().enumerate();
            let rules = rules.map(|(at, r)| r.at(at, &pool).varying(&facts));
            let rules = rules.collect();
            Scenario {
                facts,
                rules,
                values,
            }
        })
}

/// A scenario the checker accepts.
fn scenario() -> impl Strategy<Value = Scenario> {
    drafts().prop_map(|s| Scenario {
        rules: acyclic(s.rules),
        ..s
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
        show_values: false,
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

/// The shared runner, shrinking at most 4,000 steps.
fn runner(cases: u32, seed: u64) -> TestRunner {
    common::property::runner(cases, seed, 4000)
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

/// The codes of what the checker finds in a generated protocol.
fn codes(scenario: &Scenario) -> Vec<&'static str> {
    let compiled = salvage::compile_source("contract.salv", &scenario.protocol());
    let found = compiled.report.diagnostics.iter();
    found.map(|d| d.code.as_str()).collect()
}

#[test]
fn the_checker_refuses_exactly_the_cycles_the_generator_breaks() {
    let mut runner = runner(1, 8);
    let strategy = drafts();
    let mut cycles = 0;
    for _ in 0..300 {
        let draft = strategy.new_tree(&mut runner).unwrap().current();
        let cyclic = cycle(&draft.rules).is_some();
        cycles += usize::from(cyclic);
        assert_eq!(
            codes(&draft).contains(&"S0330"),
            cyclic,
            "S0330 {}expected for\n{}",
            if cyclic { "" } else { "not " },
            draft.protocol()
        );
    }
    assert!(cycles >= 30, "only {cycles} of 300 drafts have a cycle");
}

#[test]
fn the_checker_refuses_include_in_a_rule_that_reads_the_decision() {
    let mut runner = runner(1, 9);
    let strategy = (scenario(), any::<Index>());
    let mut tried = 0;
    for _ in 0..100 {
        let (mut scenario, option) = strategy.new_tree(&mut runner).unwrap().current();
        let Some(late) = scenario.rules.iter_mut().find(|r| r.reads.is_some()) else {
            continue;
        };
        let act = Act::Include { option };
        late.actions.push(Action { act, guard: None });
        tried += 1;
        let expected = if cycle(&scenario.rules).is_some() {
            "S0330"
        } else {
            "S0331"
        };
        assert!(
            codes(&scenario).contains(&expected),
            "{expected} expected for\n{}",
            scenario.protocol()
        );
    }
    assert!(
        tried >= 50,
        "only {tried} of 100 scenarios read the decision"
    );
}

/// What the scope rule on decision references steps over: `r1` hangs on
/// `/b0` and, through `recommended R-ICE`, on `/b1`. Forcing `r1` true adds
/// its flag, so the brief lists `/b0`, yet `b0` alone settles nothing while
/// R-ICE is pending. The generator puts `b0` in the case.
#[test]
fn a_rule_reading_an_undecided_option_lists_its_own_fact_too() {
    let text = format!(
        "{HEADER}case {{\n  b0: bool\n  b1: bool\n}}\n\
         rule r1 when b0 and recommended R-ICE then flag \"f\"\n\
         rule r2 when b1 then recommend R-ICE\n"
    );
    let protocol = salvage::compile_source("t.salv", &text).protocol.unwrap();
    let mut case = Map::new();
    case.insert("id".into(), json!("k"));
    case.insert("as_of".into(), json!("2026-01-01"));
    let listed = record(&protocol, &case)["missing"].clone();
    let expected =
        json!([{"path": "/b0", "rules": ["r1"]}, {"path": "/b1", "rules": ["r1", "r2"]}]);
    assert_eq!(listed, expected);
    for b0 in [true, false] {
        case.insert("b0".into(), json!(b0));
        assert_eq!(record(&protocol, &case)["flags"], json!([]));
    }
}
