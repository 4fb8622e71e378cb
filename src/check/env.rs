//! The declarations of a program, collected once before any expression is checked.

use super::types::Ty;
use crate::diag::{Code, Diagnostic};
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
        what: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> bool {
        if name.node.is_empty() {
            return false;
        }
        let key = (ns, name.node.clone());
        if let Some(first) = self.declared.get(&key) {
            diags.push(
                Diagnostic::new(
                    Code::S0107,
                    name.span,
                    format!("{what} `{}` is defined twice", name.node),
                )
                .label("defined again here")
                .also(*first, "first defined here")
                .help("rename one of them, or remove the repeat"),
            );
            return false;
        }
        self.declared.insert(key, name.span);
        true
    }

    /// Collects the declarations of every file (protocol first, then imports).
    pub fn collect(files: impl Iterator<Item = &'a File>, diags: &mut Vec<Diagnostic>) -> Env<'a> {
        let mut env = Env::default();
        for file in files {
            for item in &file.items {
                env.collect_item(item, diags);
            }
        }
        env.fields_shadowed(diags);
        env.vocabulary_hidden(diags);
        env
    }

    /// A case field or define named like an enum value or a vocabulary name
    /// hides it in every expression (S0113), reported where it is declared.
    /// A define named like an agent or regimen is already S0107.
    fn vocabulary_hidden(&self, diags: &mut Vec<Diagnostic>) {
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
                diags.push(hides(name, what, &hidden));
            }
        }
    }

    /// What a value name would hide: a class or tag (agents and regimens
    /// too when `name` is a case field), else an enum value.
    fn hidden_by(&self, name: &str) -> Option<Hidden> {
        if let Some((kind, at)) = self.vocab.get(name) {
            let field = self.case_field(name).is_some();
            if field || matches!(kind, VocabKind::Class | VocabKind::Tag) {
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

    /// A define or report named like a case field would be hidden by the field (S0107).
    fn fields_shadowed(&self, diags: &mut Vec<Diagnostic>) {
        let Some(case) = self.case else {
            return;
        };
        for field in &case.fields {
            let define = self.defines.get(&field.name.node).map(|d| d.name.span);
            let report = self.reports.get(&field.name.node).copied();
            if let Some(span) = define.or(report) {
                diags.push(
                    Diagnostic::new(
                        Code::S0107,
                        span,
                        format!("`{}` is already a case field", field.name.node),
                    )
                    .label("defined again here")
                    .also(field.name.span, "the case field")
                    .help("rename the define or report"),
                );
            }
        }
    }

    fn collect_item(&mut self, item: &'a Item, diags: &mut Vec<Diagnostic>) {
        match item {
            Item::Protocol(header) => {
                for cite in &header.citations {
                    if self.declare(Namespace::Citation, &cite.key, "citation", diags) {
                        self.citations.push(cite.key.clone());
                    }
                }
            }
            Item::Agent(a) => self.collect_agent(a, diags),
            Item::Regimen(r) => self.collect_regimen(r, diags),
            Item::Enum(e) => self.collect_enum(e, diags),
            Item::Reasons(r) => {
                for (code, _) in &r.codes {
                    if self.declare(Namespace::Reason, code, "reason code", diags) {
                        self.reasons.push(code.clone());
                    }
                }
            }
            Item::Record(r) => {
                if self.declare(Namespace::Type, &r.name, "type", diags) {
                    self.records.insert(r.name.node.clone(), r);
                }
                self.check_field_names(&r.fields, diags);
            }
            Item::Case(c) => self.collect_case(c, diags),
            Item::Define(d) => {
                if self.declare(Namespace::Value, &d.name, "name", diags) {
                    self.defines.insert(d.name.node.clone(), d);
                }
            }
            Item::Rule(r) => {
                if self.declare(Namespace::Rule, &r.name, "rule", diags) {
                    self.rules.insert(r.name.node.clone(), r.name.span);
                }
            }
            Item::Section(s) => {
                for inner in &s.items {
                    self.collect_item(inner, diags);
                }
            }
            Item::Report(r) => {
                if self.declare(Namespace::Value, &r.name, "name", diags) {
                    self.reports.insert(r.name.node.clone(), r.name.span);
                }
            }
            Item::Test(t) => {
                let name = Name::new(t.name.node.clone(), t.name.span);
                self.declare(Namespace::Test, &name, "test", diags);
            }
            Item::Import(_) | Item::Unit(_) => {}
        }
    }

    fn collect_agent(&mut self, a: &'a AgentDecl, diags: &mut Vec<Diagnostic>) {
        self.collect_option(&a.name, VocabKind::Agent, diags);
        self.collect_groups(&a.classes, &a.tags, diags);
    }

    fn collect_regimen(&mut self, r: &'a RegimenDecl, diags: &mut Vec<Diagnostic>) {
        self.collect_option(&r.name, VocabKind::Regimen, diags);
        self.regimen_classes
            .extend(r.classes.iter().map(|c| c.node.clone()));
        self.collect_groups(&r.classes, &r.tags, diags);
    }

    fn collect_option(&mut self, name: &Name, kind: VocabKind, diags: &mut Vec<Diagnostic>) {
        if let Some((group, first)) = self.vocab.get(&name.node).copied() {
            if matches!(group, VocabKind::Class | VocabKind::Tag) {
                diags.push(group_clash(name, group, first));
                return;
            }
        }
        if self.declare(Namespace::Value, name, "name", diags) {
            self.vocab.insert(name.node.clone(), (kind, name.span));
        }
    }

    /// Classes and tags are declared by use; a name may not be both an agent and a class.
    fn collect_groups(&mut self, classes: &[Name], tags: &[Name], diags: &mut Vec<Diagnostic>) {
        for (names, kind) in [(classes, VocabKind::Class), (tags, VocabKind::Tag)] {
            for name in names {
                match self.vocab.get(&name.node).copied() {
                    None => {
                        self.vocab.insert(name.node.clone(), (kind, name.span));
                    }
                    Some((existing, first)) if existing != kind => diags.push(
                        Diagnostic::new(
                            Code::S0107,
                            name.span,
                            format!(
                                "`{}` is already {} {}",
                                name.node,
                                article(existing),
                                existing.word()
                            ),
                        )
                        .label(format!("used as a {} here", kind.word()))
                        .also(first, "declared here")
                        .help("give the class or tag its own name"),
                    ),
                    Some(_) => {}
                }
            }
        }
    }

    fn collect_enum(&mut self, e: &'a EnumDecl, diags: &mut Vec<Diagnostic>) {
        if self.declare(Namespace::Type, &e.name, "type", diags) {
            self.enums.insert(e.name.node.clone(), e);
        }
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for value in &e.values {
            if let Some(first) = seen.insert(&value.name.node, value.name.span) {
                diags.push(
                    Diagnostic::new(
                        Code::S0107,
                        value.name.span,
                        format!("enum value `{}` is defined twice", value.name.node),
                    )
                    .label("defined again here")
                    .also(first, "first defined here"),
                );
            }
        }
    }

    fn collect_case(&mut self, c: &'a CaseDecl, diags: &mut Vec<Diagnostic>) {
        if let Some(first) = self.case {
            diags.push(
                Diagnostic::new(Code::S0107, c.span, "the case schema is defined twice")
                    .label("defined again here")
                    .also(first.span, "first defined here")
                    .help("put every field in one `case { … }`"),
            );
            return;
        }
        self.case = Some(c);
        self.check_field_names(&c.fields, diags);
    }

    fn check_field_names(&self, fields: &[Field], diags: &mut Vec<Diagnostic>) {
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for field in fields {
            if let Some(first) = seen.insert(&field.name.node, field.name.span) {
                diags.push(
                    Diagnostic::new(
                        Code::S0107,
                        field.name.span,
                        format!("field `{}` is defined twice", field.name.node),
                    )
                    .label("defined again here")
                    .also(first, "first defined here"),
                );
            }
        }
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

/// A name a case field or define hides.
struct Hidden {
    /// What it is, in words: "the class `platinum`".
    words: String,
    /// Where it is declared (or first used, for a class or tag).
    at: Span,
    /// What it is: `agent`, `regimen`, `class`, `tag` or `enum value`.
    kind: &'static str,
}

fn hides(name: &Name, what: &str, hidden: &Hidden) -> Diagnostic {
    let help = match hidden.kind {
        "class" | "tag" => format!("rename the {what}, or the {} where it is used", hidden.kind),
        kind => format!(
            "rename one of them; a renamed {kind} keeps its spelling in case data with `alias \"{}\"`",
            name.node
        ),
    };
    Diagnostic::new(
        Code::S0113,
        name.span,
        format!("{what} `{}` hides {}", name.node, hidden.words),
    )
    .label(format!("every `{}` in an expression reads this {what}", name.node))
    .also(hidden.at, "hidden here")
    .note("in an expression a case field or define is found before an enum value or a vocabulary name")
    .help(help)
}

fn group_clash(name: &Name, group: VocabKind, first: Span) -> Diagnostic {
    Diagnostic::new(
        Code::S0107,
        name.span,
        format!(
            "`{}` is already {} {}",
            name.node,
            article(group),
            group.word()
        ),
    )
    .label("declared again here")
    .also(first, format!("used as a {} here", group.word()))
    .help("give the agent or regimen its own name")
}

fn article(kind: VocabKind) -> &'static str {
    match kind {
        VocabKind::Agent => "an",
        _ => "a",
    }
}
