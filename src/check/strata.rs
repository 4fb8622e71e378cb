//! Strata: rules that read the decision (`candidates`, `recommended X`,
//! `pending X`, `avoided X`, `fired R`) run after the rules whose outcome
//! they read. A rule that reads nothing of the decision is in stratum 0; one
//! that does is one above every rule it depends on. Rules that depend on one
//! another's outcome form a cycle, which is an error.

use crate::span::{Name, Span};
use crate::syntax::ast::{self, ActionKind, DecisionRef, Expr, ExprKind, ModifierKind, Options};
use std::collections::{HashMap, HashSet};

/// What a rule reads of the decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Read {
    /// `fired R`: the rule named.
    Fired(String),
    /// `recommended X`, `pending X`, `avoided X`: the option named (or a
    /// variable standing for one, which may be any option).
    Option(String),
    /// `candidates`
    Candidates,
}

/// A rule with the guards of the sections around it.
pub struct RuleInput<'a> {
    /// The rule.
    pub rule: &'a ast::Rule,
    /// Its section guards, outermost first.
    pub guards: Vec<&'a Expr>,
}

/// Whether any report of the program reads the decision (it is then
/// evaluated against the final decision).
pub fn reports_read_decision(files: &[&ast::File]) -> bool {
    let mut reports = Vec::new();
    let mut defines = HashMap::new();
    for file in files {
        collect_reports(&file.items, &mut reports, &mut defines);
    }
    let mut finder = Finder {
        defines: &defines,
        seen: HashSet::new(),
        depth: 0,
        reads: Vec::new(),
    };
    for report in reports {
        finder.expr(&report.value, report.value.span);
        if let Some(when) = &report.only_when {
            finder.expr(when, when.span);
        }
    }
    !finder.reads.is_empty()
}

fn collect_reports<'a>(
    items: &'a [ast::Item],
    reports: &mut Vec<&'a ast::Report>,
    defines: &mut HashMap<String, &'a ast::Define>,
) {
    for item in items {
        match item {
            ast::Item::Report(r) => reports.push(r),
            ast::Item::Define(d) => {
                defines.entry(d.name.node.clone()).or_insert(d);
            }
            ast::Item::Section(s) => collect_reports(&s.items, reports, defines),
            _ => {}
        }
    }
}

/// The strata of a program's rules (files in load order, rules in file order).
pub fn of_program(files: &[&ast::File]) -> Result<Strata, Cycle> {
    let mut rules = Vec::new();
    let mut defines = HashMap::new();
    let mut vocab = VocabIndex::default();
    for file in files {
        collect(&file.items, &[], &mut rules, &mut defines, &mut vocab);
    }
    let has = |x: &str, t: &str| !vocab.declared(x) || vocab.has(x, t, 0);
    strata(&rules, &defines, &has)
}

fn collect<'a>(
    items: &'a [ast::Item],
    guards: &[&'a Expr],
    rules: &mut Vec<RuleInput<'a>>,
    defines: &mut HashMap<String, &'a ast::Define>,
    vocab: &mut VocabIndex,
) {
    for item in items {
        match item {
            ast::Item::Rule(rule) => rules.push(RuleInput {
                rule,
                guards: guards.to_vec(),
            }),
            ast::Item::Section(section) => {
                let mut inner = guards.to_vec();
                inner.push(&section.when);
                collect(&section.items, &inner, rules, defines, vocab);
            }
            ast::Item::Define(d) => {
                defines.entry(d.name.node.clone()).or_insert(d);
            }
            ast::Item::Agent(a) => vocab.add(&a.name, a.classes.iter().chain(&a.tags)),
            ast::Item::Regimen(r) => {
                vocab.add(&r.name, r.agents.iter().chain(&r.classes).chain(&r.tags))
            }
            _ => {}
        }
    }
}

/// What each agent and regimen is made of or grouped in.
#[derive(Default)]
struct VocabIndex {
    parts: HashMap<String, Vec<String>>,
    /// Every agent, regimen, class and tag.
    names: HashSet<String>,
}

impl VocabIndex {
    fn add<'a>(&mut self, name: &Name, parts: impl Iterator<Item = &'a Name>) {
        let list = self.parts.entry(name.node.clone()).or_default();
        for part in parts {
            list.push(part.node.clone());
            self.names.insert(part.node.clone());
        }
        self.names.insert(name.node.clone());
    }

    /// Whether `x` is a vocabulary name (not a variable standing for one).
    fn declared(&self, x: &str) -> bool {
        self.names.contains(x)
    }

    /// Whether `x` is `t`, or contains or has it (through its agents too).
    fn has(&self, x: &str, t: &str, depth: usize) -> bool {
        if x == t {
            return true;
        }
        depth < 8
            && self
                .parts
                .get(x)
                .is_some_and(|parts| parts.iter().any(|p| self.has(p, t, depth + 1)))
    }
}

/// Rules whose outcomes depend on one another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cycle {
    /// The rules around the cycle (indices in file order), the first repeated last.
    pub rules: Vec<usize>,
    /// Their names, in the same order.
    pub names: Vec<String>,
    /// Where each rule reads the next one's outcome.
    pub reads: Vec<Span>,
}

/// What strata analysis finds about each rule.
#[derive(Debug, Clone, Default)]
pub struct Strata {
    /// Each rule's stratum, by file index.
    pub of_rule: Vec<u32>,
    /// Each rule's reads of the decision, with where they are written.
    pub reads: Vec<Vec<(Read, Span)>>,
    /// `include` actions of rules above stratum 0 (not allowed).
    pub late_includes: Vec<Span>,
}

impl Strata {
    /// The highest stratum.
    pub fn top(&self) -> u32 {
        self.of_rule.iter().copied().max().unwrap_or(0)
    }
}

/// Computes every rule's stratum. `has(x, t)` says whether option `x` is,
/// contains or has the agent, class or tag `t`, so that an action on `t` can
/// change what is decided for `x` (always, when `x` is a variable that may
/// stand for any option).
pub fn strata(
    rules: &[RuleInput<'_>],
    defines: &HashMap<String, &ast::Define>,
    has: &dyn Fn(&str, &str) -> bool,
) -> Result<Strata, Cycle> {
    let reads: Vec<Vec<(Read, Span)>> = rules.iter().map(|r| rule_reads(r, defines)).collect();
    let affects: Vec<Affects> = rules.iter().map(|r| affects(r.rule)).collect();
    let names: HashMap<&str, usize> = rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.rule.name.node.as_str(), i))
        .collect();
    let deps: Vec<Vec<(usize, Span)>> = reads
        .iter()
        .map(|rs| dependencies(rs, &affects, &names, has))
        .collect();
    let mut walk = Walk {
        deps: &deps,
        state: vec![State::New; rules.len()],
        stratum: vec![0; rules.len()],
        path: Vec::new(),
    };
    for i in 0..rules.len() {
        walk.visit(i, &reads).map_err(|mut cycle| {
            let name = |r: &usize| rules.get(*r).map(|r| r.rule.name.node.clone());
            cycle.names = cycle.rules.iter().filter_map(name).collect();
            cycle
        })?;
    }
    let late_includes = rules
        .iter()
        .zip(&walk.stratum)
        .filter(|(_, s)| **s > 0)
        .flat_map(|(r, _)| &r.rule.actions)
        .filter(|a| matches!(a.kind, ActionKind::Include(_)))
        .map(|a| a.span)
        .collect();
    Ok(Strata {
        of_rule: walk.stratum,
        reads,
        late_includes,
    })
}

/// The options a rule's actions can change.
enum Affects {
    /// Specific options, agents, classes or tags.
    Names(Vec<String>),
    /// Any option (`recommend each …`).
    Everything,
}

fn affects(rule: &ast::Rule) -> Affects {
    let mut names = Vec::new();
    for action in &rule.actions {
        let options = match &action.kind {
            ActionKind::Recommend(o)
            | ActionKind::Consider(o)
            | ActionKind::Avoid(o)
            | ActionKind::Include(o) => o,
            _ => continue,
        };
        match options {
            Options::List(list) | Options::Components(list) => {
                names.extend(list.iter().map(|n| n.node.clone()))
            }
            Options::Each(_) => return Affects::Everything,
        }
        for m in &action.modifiers {
            if let ModifierKind::Fallback(f) = &m.kind {
                names.push(f.node.clone());
            }
        }
    }
    Affects::Names(names)
}

/// The rules a rule depends on, each with where the rule reads it.
fn dependencies(
    reads: &[(Read, Span)],
    affects: &[Affects],
    names: &HashMap<&str, usize>,
    has: &dyn Fn(&str, &str) -> bool,
) -> Vec<(usize, Span)> {
    let mut out = Vec::new();
    for (read, span) in reads {
        for (j, a) in affects.iter().enumerate() {
            let depends = match (read, a) {
                (Read::Fired(r), _) => names.get(r.as_str()) == Some(&j),
                (_, Affects::Everything) => true,
                (Read::Candidates, Affects::Names(list)) => !list.is_empty(),
                (Read::Option(x), Affects::Names(list)) => list.iter().any(|t| t == x || has(x, t)),
            };
            if depends && !out.iter().any(|(k, _)| *k == j) {
                out.push((j, *span));
            }
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    New,
    Open,
    Done,
}

/// Depth-first walk that gives each rule its stratum and finds cycles.
struct Walk<'a> {
    deps: &'a [Vec<(usize, Span)>],
    state: Vec<State>,
    stratum: Vec<u32>,
    path: Vec<(usize, Span)>,
}

impl Walk<'_> {
    fn visit(&mut self, i: usize, reads: &[Vec<(Read, Span)>]) -> Result<u32, Cycle> {
        match self.state.get(i).copied() {
            Some(State::Done) => return Ok(self.stratum.get(i).copied().unwrap_or(0)),
            Some(State::Open) => return Err(self.cycle(i)),
            _ => {}
        }
        if let Some(s) = self.state.get_mut(i) {
            *s = State::Open;
        }
        let reads_any = reads.get(i).is_some_and(|r| !r.is_empty());
        let mut stratum = u32::from(reads_any);
        for (j, span) in self.deps.get(i).cloned().unwrap_or_default() {
            self.path.push((i, span));
            let below = self.visit(j, reads)?;
            self.path.pop();
            stratum = stratum.max(below + 1);
        }
        if let Some(s) = self.state.get_mut(i) {
            *s = State::Done;
        }
        if let Some(s) = self.stratum.get_mut(i) {
            *s = stratum;
        }
        Ok(stratum)
    }

    /// The cycle that closes at rule `i`.
    fn cycle(&self, i: usize) -> Cycle {
        let start = self.path.iter().position(|(r, _)| *r == i).unwrap_or(0);
        let around = self.path.get(start..).unwrap_or_default();
        let mut rules: Vec<usize> = around.iter().map(|(r, _)| *r).collect();
        rules.push(i);
        Cycle {
            rules,
            names: Vec::new(),
            reads: around.iter().map(|(_, s)| *s).collect(),
        }
    }
}

/// Every read of the decision in a rule: its guards, condition and actions,
/// and the defines they use.
fn rule_reads(rule: &RuleInput<'_>, defines: &HashMap<String, &ast::Define>) -> Vec<(Read, Span)> {
    let mut finder = Finder {
        defines,
        seen: HashSet::new(),
        depth: 0,
        reads: Vec::new(),
    };
    for guard in &rule.guards {
        finder.expr(guard, guard.span);
    }
    finder.expr(&rule.rule.when, rule.rule.when.span);
    for action in &rule.rule.actions {
        if let ActionKind::Recommend(Options::Each(c))
        | ActionKind::Consider(Options::Each(c))
        | ActionKind::Avoid(Options::Each(c))
        | ActionKind::Include(Options::Each(c)) = &action.kind
        {
            for e in c.children() {
                finder.expr(e, e.span);
            }
        }
        for m in &action.modifiers {
            if let ModifierKind::Because(e) | ModifierKind::Note(e) | ModifierKind::If(e) = &m.kind
            {
                finder.expr(e, e.span);
            }
        }
    }
    finder.reads
}

/// Reads of the decision in expressions: `at` is where the outermost
/// expression is written in the rule (a read inside a define is reported at
/// the define's use).
struct Finder<'a> {
    defines: &'a HashMap<String, &'a ast::Define>,
    seen: HashSet<String>,
    /// How many defines deep the walk is.
    depth: usize,
    reads: Vec<(Read, Span)>,
}

impl Finder<'_> {
    fn expr(&mut self, e: &Expr, at: Span) {
        let here = if self.depth == 0 { e.span } else { at };
        match &e.kind {
            ExprKind::Decision(r) => self.push(decision_read(r), here),
            ExprKind::Name(n)
                if n.node == "candidates" && !self.defines.contains_key("candidates") =>
            {
                self.push(Read::Candidates, here)
            }
            ExprKind::Name(n) | ExprKind::Call(n, _) => self.define(&n.node, here),
            _ => {}
        }
        for child in e.children() {
            self.expr(child, here);
        }
    }

    fn define(&mut self, name: &str, at: Span) {
        let Some(define) = self.defines.get(name) else {
            return;
        };
        if !self.seen.insert(name.to_string()) {
            return;
        }
        self.depth += 1;
        self.expr(&define.body, at);
        self.depth -= 1;
    }

    fn push(&mut self, read: Read, at: Span) {
        if !self.reads.iter().any(|(r, _)| *r == read) {
            self.reads.push((read, at));
        }
    }
}

fn decision_read(r: &DecisionRef) -> Read {
    match r {
        DecisionRef::Fired(rule) => Read::Fired(rule.node.clone()),
        DecisionRef::Recommended(x) | DecisionRef::Pending(x) | DecisionRef::Avoided(x) => {
            Read::Option(x.node.clone())
        }
    }
}
