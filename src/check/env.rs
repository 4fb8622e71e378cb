//! The declarations of a program, collected once before any expression is checked.

use super::error::{CheckError, DeclError, Hidden, Warning};
use super::types::Ty;
use crate::span::{Name, Span};
use crate::syntax::ast::*;
use std::collections::{BTreeMap, HashMap};

/// What a vocabulary name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VocabKind {
    /// An agent.
    Agent,
    /// A regimen.
    Regimen,
    /// A class (of agents or regimens).
    Class,
    /// A tag.
    Tag,
}

impl VocabKind {
    /// The word for messages.
    pub fn word(self) -> &'static str {
        match self {
            VocabKind::Agent => "agent",
            VocabKind::Regimen => "regimen",
            VocabKind::Class => "class",
            VocabKind::Tag => "tag",
        }
    }

    /// The type of a name of this kind.
    pub fn ty(self) -> Ty {
        match self {
            VocabKind::Agent => Ty::Agent,
            VocabKind::Regimen => Ty::Regimen,
            VocabKind::Class => Ty::Class,
            VocabKind::Tag => Ty::Tag,
        }
    }
}

/// Everything declared in a program, by name.
#[derive(Default)]
pub struct Env<'a> {
    /// Agents, regimens, classes and tags.
    pub vocab: BTreeMap<String, (VocabKind, Span)>,
    /// Enums by name.
    pub enums: HashMap<String, &'a EnumDecl>,
    /// Records by name.
    pub records: HashMap<String, &'a RecordDecl>,
    /// The case schema.
    pub case: Option<&'a CaseDecl>,
    /// Defines by name.
    pub defines: HashMap<String, &'a Define>,
    /// Rules by name.
    pub rules: HashMap<String, Span>,
    /// Reports by name.
    pub reports: HashMap<String, Span>,
    /// Reason codes, in precedence order.
    pub reasons: Vec<Name>,
    /// Citation keys.
    pub citations: Vec<Name>,
    /// Classes that group regimens (the others group agents).
    pub regimen_classes: std::collections::HashSet<String>,
    /// Names that are both an agent and their own single-agent regimen
    /// (`regimen X = X`, with or without `agent X`).
    pub dual: std::collections::HashSet<String>,
    /// Dual names whose agent declaration has been seen too.
    paired: std::collections::HashSet<String>,
    /// Every top-level name and where it was first declared, for duplicates.
    declared: HashMap<(Namespace, String), Span>,
}

/// Namespaces in which a name must be unique.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Namespace {
    Value,
    Type,
    Rule,
    Reason,
    Citation,
    Test,
}

impl<'a> Env<'a> {
    /// Declares a name, reporting S0107 if it was declared before.
    fn declare(
        &mut self,
        ns: Namespace,
        name: &Name,
        what: &'static str,
        problems: &mut Vec<CheckError>,
    ) -> bool {
        if name.node.is_empty() {
            return false;
        }
        let key = (ns, name.node.clone());
        if let Some(first) = self.declared.get(&key) {
            problems.push(defined_twice(what, name, *first));
            return false;
        }
        self.declared.insert(key, name.span);
        true
    }

    /// Collects the declarations of every file (protocol first, then imports).
    pub fn collect(
        files: impl Iterator<Item = &'a File>,
        problems: &mut Vec<CheckError>,
    ) -> Env<'a> {
        let mut env = Env::default();
        for file in files {
            for item in &file.items {
                env.collect_item(item, problems);
            }
        }
        env.fields_shadowed(problems);
        env.vocabulary_hidden(problems);
        env
    }

    /// A case field or define named like an enum value or a vocabulary name
    /// hides it in every expression (S0113), reported where it is declared.
    /// A define named like an agent or regimen is already S0107.
    fn vocabulary_hidden(&self, problems: &mut Vec<CheckError>) {
        let fields = self
            .case
            .iter()
            .flat_map(|c| &c.fields)
            .map(|f| (&f.name, "case field"));
        let mut defines: Vec<&Name> = self.defines.values().map(|d| &d.name).collect();
        defines.sort_by_key(|n| (n.span.file, n.span.start));
        let named = fields.chain(defines.into_iter().map(|n| (n, "define")));
        for (name, what) in named {
            if let Some(hidden) = self.hidden_by(&name.node) {
                let name = name.clone();
                problems.push(DeclError::Hides { name, what, hidden }.into());
            }
        }
    }

    /// What a value name would hide: a class or tag (agents and regimens
    /// too when `name` is a case field), else an enum value.
    fn hidden_by(&self, name: &str) -> Option<Hidden> {
        let field = self.case_field(name).is_some();
        self.hidden_vocabulary(name, |kind| {
            field || matches!(kind, VocabKind::Class | VocabKind::Tag)
        })
    }

    /// What a bound name (a `let`, a parameter, the variable of `each`,
    /// `any`, `all`, a comprehension or an aggregate) would hide in its
    /// scope: any vocabulary name, else an enum value (S0374).
    pub fn hidden_by_binding(&self, name: &str) -> Option<Hidden> {
        self.hidden_vocabulary(name, |_| true)
    }

    /// The vocabulary name `name` (of a kind `hides` accepts), else the enum
    /// value, that a value named `name` would hide.
    fn hidden_vocabulary(&self, name: &str, hides: impl Fn(&VocabKind) -> bool) -> Option<Hidden> {
        if let Some((kind, at)) = self.vocab.get(name) {
            if hides(kind) {
                return Some(Hidden {
                    words: format!("the {} `{name}`", kind.word()),
                    at: *at,
                    kind: kind.word(),
                });
            }
        }
        let owner = self.enums_with_value(name).into_iter().next()?;
        let value = owner.values.iter().find(|v| v.name.node == name)?;
        Some(Hidden {
            words: format!("the value `{name}` of enum `{}`", owner.name.node),
            at: value.name.span,
            kind: "enum value",
        })
    }

    /// A define named like a case field would be hidden by the field (S0107).
    fn fields_shadowed(&self, problems: &mut Vec<CheckError>) {
        let Some(case) = self.case else {
            return;
        };
        for field in &case.fields {
            let define = self
                .defines
                .get(&field.name.node)
                .map(|d| (d.name.clone(), "define"));
            if let Some((name, used)) = define {
                let taken = "a case field".to_string();
                let first = field.name.span;
                problems.push(
                    DeclError::AlreadyDeclared {
                        name,
                        taken,
                        used,
                        first,
                    }
                    .into(),
                );
            }
        }
    }

    fn collect_item(&mut self, item: &'a Item, problems: &mut Vec<CheckError>) {
        match item {
            Item::Protocol(header) => {
                for cite in &header.citations {
                    if self.declare(Namespace::Citation, &cite.key, "citation", problems) {
                        self.citations.push(cite.key.clone());
                    }
                }
            }
            Item::Agent(a) => self.collect_agent(a, problems),
            Item::Regimen(r) => self.collect_regimen(r, problems),
            Item::Enum(e) => self.collect_enum(e, problems),
            Item::Reasons(r) => {
                for (code, _) in &r.codes {
                    if self.declare(Namespace::Reason, code, "reason code", problems) {
                        self.reasons.push(code.clone());
                    }
                }
            }
            Item::Record(r) => {
                if self.declare(Namespace::Type, &r.name, "type", problems) {
                    self.records.insert(r.name.node.clone(), r);
                }
                check_field_names(&r.fields, problems);
            }
            Item::Case(c) => self.collect_case(c, problems),
            Item::Define(d) => {
                if self.declare(Namespace::Value, &d.name, "name", problems) {
                    self.defines.insert(d.name.node.clone(), d);
                }
            }
            Item::Rule(r) => {
                if self.declare(Namespace::Rule, &r.name, "rule", problems) {
                    self.rules.insert(r.name.node.clone(), r.name.span);
                }
            }
            Item::Section(s) => {
                for inner in &s.items {
                    self.collect_item(inner, problems);
                }
            }
            // Reports have a namespace of their own: no expression reads
            // them. Two of one name are alternatives (S0510).
            Item::Report(r) if r.name.node.is_empty() => {}
            Item::Report(r) => match self.reports.get(&r.name.node) {
                Some(first) => problems.push(
                    Warning::ReportTwice {
                        name: r.name.clone(),
                        first: *first,
                    }
                    .into(),
                ),
                None => {
                    self.reports.insert(r.name.node.clone(), r.name.span);
                }
            },
            Item::Test(t) => {
                let name = Name::new(t.name.node.clone(), t.name.span);
                self.declare(Namespace::Test, &name, "test", problems);
            }
            Item::Import(_) | Item::Unit(_) => {}
        }
    }

    fn collect_agent(&mut self, a: &'a AgentDecl, problems: &mut Vec<CheckError>) {
        if !self.pairs_with_regimen(&a.name) {
            self.collect_option(&a.name, VocabKind::Agent, problems);
        }
        self.collect_groups(&a.classes, &a.tags, problems);
    }

    /// An agent whose name is already its own single-agent regimen
    /// (`regimen X = X` before `agent X`): the two declare one dual name.
    fn pairs_with_regimen(&mut self, name: &Name) -> bool {
        let taken = self.vocab.get(&name.node).map(|(k, _)| *k);
        let fits = taken == Some(VocabKind::Regimen) && self.dual.contains(&name.node);
        fits && self.paired.insert(name.node.clone())
    }

    fn collect_regimen(&mut self, r: &'a RegimenDecl, problems: &mut Vec<CheckError>) {
        let own = matches!(r.agents.as_slice(), [only] if only.node == r.name.node);
        let taken = self.vocab.get(&r.name.node).map(|(k, _)| *k);
        let paired = own && taken == Some(VocabKind::Agent) && !self.dual.contains(&r.name.node);
        if own {
            self.dual.insert(r.name.node.clone());
        }
        if paired {
            self.paired.insert(r.name.node.clone());
        }
        if !paired {
            self.collect_option(&r.name, VocabKind::Regimen, problems);
        }
        self.regimen_classes
            .extend(r.classes.iter().map(|c| c.node.clone()));
        self.collect_groups(&r.classes, &r.tags, problems);
    }

    fn collect_option(&mut self, name: &Name, kind: VocabKind, problems: &mut Vec<CheckError>) {
        if let Some((group, first)) = self.vocab.get(&name.node).copied() {
            if matches!(group, VocabKind::Class | VocabKind::Tag) {
                problems.push(already(name, group, kind, first));
                return;
            }
        }
        if self.declare(Namespace::Value, name, "name", problems) {
            self.vocab.insert(name.node.clone(), (kind, name.span));
        }
    }

    /// Classes and tags are declared by use; a name may not be both an agent and a class.
    fn collect_groups(&mut self, classes: &[Name], tags: &[Name], problems: &mut Vec<CheckError>) {
        for (names, kind) in [(classes, VocabKind::Class), (tags, VocabKind::Tag)] {
            for name in names {
                match self.vocab.get(&name.node).copied() {
                    None => {
                        self.vocab.insert(name.node.clone(), (kind, name.span));
                    }
                    Some((existing, first)) if existing != kind => {
                        problems.push(already(name, existing, kind, first));
                    }
                    Some(_) => {}
                }
            }
        }
    }

    fn collect_enum(&mut self, e: &'a EnumDecl, problems: &mut Vec<CheckError>) {
        if self.declare(Namespace::Type, &e.name, "type", problems) {
            self.enums.insert(e.name.node.clone(), e);
        }
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for value in &e.values {
            if let Some(first) = seen.insert(&value.name.node, value.name.span) {
                problems.push(defined_twice("enum value", &value.name, first));
            }
        }
    }

    fn collect_case(&mut self, c: &'a CaseDecl, problems: &mut Vec<CheckError>) {
        if let Some(first) = self.case {
            let (at, first) = (c.span, first.span);
            let what = "case schema";
            problems.push(
                DeclError::DefinedTwice {
                    what,
                    name: None,
                    at,
                    first,
                }
                .into(),
            );
            return;
        }
        self.case = Some(c);
        check_field_names(&c.fields, problems);
    }

    /// Whether a name is an enum value of some enum and nothing else a rule could read.
    pub fn is_enum_value(&self, name: &str) -> bool {
        !self.enums_with_value(name).is_empty()
    }

    /// The enums that have a value of this name.
    pub fn enums_with_value(&self, value: &str) -> Vec<&'a EnumDecl> {
        let mut found: Vec<&EnumDecl> = self
            .enums
            .values()
            .copied()
            .filter(|e| e.values.iter().any(|v| v.name.node == value))
            .collect();
        found.sort_by(|a, b| a.name.node.cmp(&b.name.node));
        found
    }

    /// A case field by name.
    pub fn case_field(&self, name: &str) -> Option<&'a Field> {
        self.case?.fields.iter().find(|f| f.name.node == name)
    }
}

fn check_field_names(fields: &[Field], problems: &mut Vec<CheckError>) {
    let mut seen: HashMap<&str, Span> = HashMap::new();
    for field in fields {
        if let Some(first) = seen.insert(&field.name.node, field.name.span) {
            problems.push(defined_twice("field", &field.name, first));
        }
    }
}

fn defined_twice(what: &'static str, name: &Name, first: Span) -> CheckError {
    let (name, at) = (Some(name.node.clone()), name.span);
    DeclError::DefinedTwice {
        what,
        name,
        at,
        first,
    }
    .into()
}

/// `name`, used as a `kind`, is already an `existing` declared at `first`.
fn already(name: &Name, existing: VocabKind, kind: VocabKind, first: Span) -> CheckError {
    let article = if existing == VocabKind::Agent {
        "an"
    } else {
        "a"
    };
    DeclError::AlreadyDeclared {
        name: name.clone(),
        taken: format!("{article} {}", existing.word()),
        used: kind.word(),
        first,
    }
    .into()
}
