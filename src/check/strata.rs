//! Strata: rules that read the decision (`candidates`, `recommended X`,
//! `pending X`, `avoided X`, `fired R`) run after the rules whose outcome
//! they read. A rule that reads nothing of the decision is in stratum 0; one
//! that does is one above every rule it depends on. Rules that depend on one
//! another's outcome form a cycle, which is an error.

use crate::span::{Name, Span};
use crate::syntax::ast::{self, ActionKind, DecisionRef, Expr, ExprKind, ModifierKind, Options};
use std::collections::{HashMap, HashSet};

/// The most strata a protocol may have: each runs after the one below it,
/// and a pathway needs a few.
pub const MAX_STRATA: u32 = 32;

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

/// What a program reads of the decision: its rules' strata, whether a
/// report reads it, and which defines do.
pub struct DecisionReads {
    /// Each rule's stratum, or the cycle that leaves them undefined.
    pub strata: Result<Strata, Cycle>,
    /// Whether some report reads the decision (it is then evaluated against
    /// the final one).
    pub reports: bool,
    /// The defines that read it, directly or through the defines they use.
    pub defines: HashSet<String>,
}

/// Finds what a program (files in load order, rules in file order) reads
/// of the decision.
pub fn decision_reads(files: &[&ast::File]) -> DecisionReads {
    let mut program = Collected::default();
    for file in files {
        program.collect(&file.items, &[]);
    }
    let strata = strata(&program.rules, &program.defines, &|x| {
        program.vocab.closure(x)
    });
    let mut finder = Finder::new(&program.defines);
    for report in &program.reports {
        finder.expr(&report.value);
        if let Some(when) = &report.only_when {
            finder.expr(when);
        }
    }
    let reports = !finder.reads.is_empty();
    let defines = program
        .defines
        .keys()
        .filter(|name| !finder.define_reads(name).is_empty())
        .cloned()
        .collect();
    DecisionReads {
        strata,
        reports,
        defines,
    }
}

/// The rules (with their section guards), defines, reports and vocabulary of
/// a program.
#[derive(Default)]
struct Collected<'a> {
    rules: Vec<RuleInput<'a>>,
    defines: HashMap<String, &'a ast::Define>,
    reports: Vec<&'a ast::Report>,
    vocab: VocabIndex,
}

impl<'a> Collected<'a> {
    fn collect(&mut self, items: &'a [ast::Item], guards: &[&'a Expr]) {
        for item in items {
            match item {
                ast::Item::Rule(rule) => self.rules.push(RuleInput {
                    rule,
                    guards: guards.to_vec(),
                }),
                ast::Item::Section(section) => {
                    let mut inner = guards.to_vec();
                    inner.push(&section.when);
                    self.collect(&section.items, &inner);
                }
                ast::Item::Define(d) => {
                    self.defines.entry(d.name.node.clone()).or_insert(d);
                }
                ast::Item::Report(r) => self.reports.push(r),
                ast::Item::Agent(a) => self.vocab.add(&a.name, a.classes.iter().chain(&a.tags)),
                ast::Item::Regimen(r) => {
                    let parts = r.agents.iter().chain(&r.classes).chain(&r.tags);
                    self.vocab.add(&r.name, parts)
                }
                _ => {}
            }
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

    /// What `x` is, contains or has (itself, its agents and their classes and
    /// tags, its own classes and tags); `None` for a name that is not
    /// vocabulary (a variable, which may stand for any option).
    fn closure(&self, x: &str) -> Option<Vec<String>> {
        if !self.declared(x) {
            return None;
        }
        let mut out = vec![x.to_string()];
        let mut next = 0;
        while let Some(name) = out.get(next).cloned() {
            next += 1;
            for part in self.parts.get(&name).into_iter().flatten() {
                if !out.contains(part) {
                    out.push(part.clone());
                }
            }
        }
        Some(out)
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

/// Computes every rule's stratum. `closure(x)` lists what option `x` is,
/// contains or has (itself, its agents, classes and tags), so that an action
/// on any of them can change what is decided for `x`; `None` when `x` is a
/// variable that may stand for any option.
pub fn strata(
    rules: &[RuleInput<'_>],
    defines: &HashMap<String, &ast::Define>,
    closure: &dyn Fn(&str) -> Option<Vec<String>>,
) -> Result<Strata, Cycle> {
    let mut finder = Finder::new(defines);
    let reads: Vec<Vec<(Read, Span)>> = rules.iter().map(|r| rule_reads(r, &mut finder)).collect();
    let affecting = Affecting::of(rules);
    let deps: Vec<Vec<(usize, Span)>> = reads
        .iter()
        .map(|rs| affecting.dependencies(rs, closure))
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

/// Which rules can change what is decided, indexed for lookups.
struct Affecting<'a> {
    /// Rules by name.
    rules: HashMap<&'a str, usize>,
    /// The rules whose actions name each option, agent, class or tag.
    by_name: HashMap<String, Vec<usize>>,
    /// Rules with a `… each` action: they may change any option.
    everything: Vec<usize>,
    /// Rules with any option action.
    any_option: Vec<usize>,
}

impl<'a> Affecting<'a> {
    fn of(rules: &'a [RuleInput<'a>]) -> Affecting<'a> {
        let mut index = Affecting {
            rules: HashMap::new(),
            by_name: HashMap::new(),
            everything: Vec::new(),
            any_option: Vec::new(),
        };
        for (i, r) in rules.iter().enumerate() {
            index.rules.entry(r.rule.name.node.as_str()).or_insert(i);
            match affects(r.rule) {
                Affects::Everything => {
                    index.everything.push(i);
                    index.any_option.push(i);
                }
                Affects::Names(names) if !names.is_empty() => {
                    index.any_option.push(i);
                    for name in names {
                        index.by_name.entry(name).or_default().push(i);
                    }
                }
                Affects::Names(_) => {}
            }
        }
        index
    }

    /// The rules a rule with these reads depends on, each with where it reads it.
    fn dependencies(
        &self,
        reads: &[(Read, Span)],
        closure: &dyn Fn(&str) -> Option<Vec<String>>,
    ) -> Vec<(usize, Span)> {
        let mut out = Vec::new();
        let mut listed = HashSet::new();
        for (read, span) in reads {
            let rules: Vec<usize> = match read {
                Read::Fired(r) => self.rules.get(r.as_str()).copied().into_iter().collect(),
                Read::Candidates => self.any_option.clone(),
                Read::Option(x) => match closure(x) {
                    None => self.any_option.clone(),
                    Some(parts) => {
                        let named = parts.iter().filter_map(|p| self.by_name.get(p)).flatten();
                        self.everything.iter().chain(named).copied().collect()
                    }
                },
            };
            for j in rules {
                if listed.insert(j) {
                    out.push((j, *span));
                }
            }
        }
        out
    }
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
fn rule_reads(rule: &RuleInput<'_>, finder: &mut Finder<'_>) -> Vec<(Read, Span)> {
    for guard in &rule.guards {
        finder.expr(guard);
    }
    finder.expr(&rule.rule.when);
    for action in &rule.rule.actions {
        if let ActionKind::Recommend(Options::Each(c))
        | ActionKind::Consider(Options::Each(c))
        | ActionKind::Avoid(Options::Each(c))
        | ActionKind::Include(Options::Each(c)) = &action.kind
        {
            for e in c.children() {
                finder.expr(e);
            }
        }
        for m in &action.modifiers {
            if let ModifierKind::Because(e) | ModifierKind::Note(e) | ModifierKind::If(e) = &m.kind
            {
                finder.expr(e);
            }
        }
    }
    std::mem::take(&mut finder.reads)
}

/// Reads of the decision in expressions. Each define's reads are found once
/// and remembered; a read inside a define is placed at the define's use.
struct Finder<'a> {
    defines: &'a HashMap<String, &'a ast::Define>,
    /// Each define's reads, once found.
    memo: HashMap<String, Vec<Read>>,
    /// The reads found so far, with where they are written.
    reads: Vec<(Read, Span)>,
}

impl<'a> Finder<'a> {
    fn new(defines: &'a HashMap<String, &'a ast::Define>) -> Finder<'a> {
        Finder {
            defines,
            memo: HashMap::new(),
            reads: Vec::new(),
        }
    }

    /// Adds the reads of `e` (and of the defines it uses) to `self.reads`.
    fn expr(&mut self, e: &Expr) {
        let mut found = Vec::new();
        self.collect(e, &mut |read, span| found.push((read, span)));
        for (read, span) in found {
            if !self.reads.iter().any(|(r, _)| *r == read) {
                self.reads.push((read, span));
            }
        }
    }

    fn collect(&mut self, e: &Expr, push: &mut dyn FnMut(Read, Span)) {
        match &e.kind {
            ExprKind::Decision(r) => push(decision_read(r), e.span),
            ExprKind::Name(n)
                if n.node == "candidates" && !self.defines.contains_key("candidates") =>
            {
                push(Read::Candidates, e.span)
            }
            ExprKind::Name(n) | ExprKind::Call(n, _) => {
                for read in self.define_reads(&n.node) {
                    push(read, e.span);
                }
            }
            _ => {}
        }
        for child in e.children() {
            self.collect(child, push);
        }
    }

    /// The reads of a define's body and of the defines it uses (none for a
    /// name that is not a define, or a define already being read: a cycle
    /// the checker reports).
    fn define_reads(&mut self, name: &str) -> Vec<Read> {
        if let Some(reads) = self.memo.get(name) {
            return reads.clone();
        }
        let Some(define) = self.defines.get(name).copied() else {
            return Vec::new();
        };
        self.memo.insert(name.to_string(), Vec::new());
        let mut reads: Vec<Read> = Vec::new();
        self.collect(&define.body, &mut |read, _| {
            if !reads.contains(&read) {
                reads.push(read);
            }
        });
        self.memo.insert(name.to_string(), reads.clone());
        reads
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
