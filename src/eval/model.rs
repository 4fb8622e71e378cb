//! A checked program compiled for evaluation: lookup tables over the AST.

use crate::check::schema::{FieldSchema, Schema};
use crate::load::Program;
use crate::syntax::ast::{self, Item, RoleValue, TypeKind};
use crate::units::UnitTable;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};

/// A protocol ready to evaluate cases. Built once, shared by every case.
#[derive(Debug)]
pub struct Protocol {
    /// The header.
    pub header: HeaderInfo,
    /// sha256 over the protocol and its imports (root-relative path, length, bytes, in path order).
    pub sha256: String,
    /// Agents, regimens, classes and tags.
    pub vocab: Vocabulary,
    /// Enums by name.
    pub enums: HashMap<String, EnumInfo>,
    /// For each enum value name, the first enum (by name) that has it.
    pub enum_of_value: HashMap<String, String>,
    /// Avoid reason codes, highest precedence first.
    pub reasons: Vec<String>,
    /// Records by name: their fields.
    pub records: HashMap<String, Vec<FieldSchema>>,
    /// The case schema.
    pub case: CaseSchema,
    /// The therapy history, if the case has one.
    pub history: Option<HistorySchema>,
    /// Defines by name.
    pub defines: HashMap<String, ast::Define>,
    /// Rules in file order, each with the guards of the sections around it.
    pub rules: Vec<RuleDef>,
    /// Reports in file order.
    pub reports: Vec<ast::Report>,
    /// Tests in file order.
    pub tests: Vec<ast::Test>,
    /// Units, with the protocol's declarations.
    pub units: UnitTable,
    /// Each source's path and text, for naming places at run time.
    pub places: Vec<(String, String)>,
    /// Whether some report reads the decision (`recommended X`, …).
    pub reports_read_decision: bool,
    /// The defines that read the decision, directly or through others.
    pub defines_reading_decision: std::collections::HashSet<String>,
}

/// The protocol header as decisions report it.
#[derive(Debug, Clone, Default)]
pub struct HeaderInfo {
    /// The protocol's name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// Its lifecycle status.
    pub status: String,
    /// The first day it applies.
    pub effective: Option<jiff::civil::Date>,
    /// Citation texts by key.
    pub citations: BTreeMap<String, String>,
}

/// Agents, regimens, classes and tags, with the spellings case data may use.
#[derive(Debug, Default)]
pub struct Vocabulary {
    /// Agents by name.
    pub agents: HashMap<String, Groups>,
    /// Regimens by name.
    pub regimens: HashMap<String, RegimenInfo>,
    /// Folded spelling (name or alias) → declared agent or regimen name.
    pub spellings: HashMap<String, String>,
    /// Each class or tag → the regimens that have it as their own, in name order.
    pub regimens_by_group: HashMap<String, Vec<String>>,
}

impl Vocabulary {
    /// The regimens with `group` as one of their own classes or tags.
    pub fn regimens_in(&self, group: &str) -> &[String] {
        self.regimens_by_group
            .get(group)
            .map_or(&[][..], Vec::as_slice)
    }

    /// Indexes the regimens by their own classes and tags.
    fn index_groups(&mut self) {
        let mut names: Vec<&String> = self.regimens.keys().collect();
        names.sort();
        for name in names {
            let Some(regimen) = self.regimens.get(name) else {
                continue;
            };
            let groups = &regimen.groups;
            for group in groups.classes.iter().chain(&groups.tags) {
                self.regimens_by_group
                    .entry(group.clone())
                    .or_default()
                    .push(name.clone());
            }
        }
    }

    /// Whether option `name` is X, contains agent X, or has X as a class or tag
    /// (its own or one of its agents').
    pub fn has(&self, name: &str, x: &str) -> bool {
        if name == x {
            return true;
        }
        if let Some(groups) = self.agents.get(name) {
            return groups.classes.iter().chain(&groups.tags).any(|g| g == x);
        }
        let Some(regimen) = self.regimens.get(name) else {
            return false;
        };
        let own = regimen
            .groups
            .classes
            .iter()
            .chain(&regimen.groups.tags)
            .any(|g| g == x);
        own || regimen.agents.iter().any(|a| self.has(a, x))
    }
}

impl super::outcome::Vocabulary for Vocabulary {
    fn is_regimen(&self, name: &str) -> bool {
        self.regimens.contains_key(name)
    }

    fn is_agent(&self, name: &str) -> bool {
        self.agents.contains_key(name)
    }

    fn is_tag(&self, name: &str) -> bool {
        let tagged = |g: &Groups| g.tags.iter().any(|t| t == name);
        self.agents.values().any(tagged) || self.regimens.values().any(|r| tagged(&r.groups))
    }

    fn has(&self, option: &str, x: &str) -> bool {
        Vocabulary::has(self, option, x)
    }
}

/// The classes and tags of an agent or regimen.
#[derive(Debug, Clone, Default)]
pub struct Groups {
    /// Classes.
    pub classes: Vec<String>,
    /// Tags.
    pub tags: Vec<String>,
}

/// A regimen's agents, modality and groups.
#[derive(Debug, Clone, Default)]
pub struct RegimenInfo {
    /// Its agents.
    pub agents: Vec<String>,
    /// Its modality.
    pub modality: Option<String>,
    /// Its own classes and tags.
    pub groups: Groups,
}

/// An enum's values and the spellings case data may use.
#[derive(Debug, Clone, Default)]
pub struct EnumInfo {
    /// Values in declared order.
    pub values: Vec<String>,
    /// Whether declared with `<`.
    pub ordered: bool,
    /// Folded spelling (name or alias) → value index.
    pub spellings: HashMap<String, usize>,
}

/// The case schema.
#[derive(Debug, Clone, Default)]
pub struct CaseSchema {
    /// The JSON key holding the case id (`id` unless declared).
    pub id_key: String,
    /// Keys read but never reported as unknown.
    pub ignore: Vec<String>,
    /// How the evaluation date is read, if declared.
    pub as_of: Option<ast::Expr>,
    /// The fields.
    pub fields: Vec<FieldSchema>,
}

/// The history's record and role mapping.
#[derive(Debug, Clone)]
pub struct HistorySchema {
    /// The case field holding the lines.
    pub field: String,
    /// The record type of a line.
    pub record: String,
    /// What each mapped role reads, by [`Role`] (none when unmapped).
    pub roles: [Option<RoleValue>; Role::COUNT],
    /// `responding {…}`: response values that count as a response.
    pub responding: Vec<String>,
    /// `intolerance {…}`: outcome values that count as intolerance.
    pub intolerance: Vec<String>,
}

impl HistorySchema {
    /// Whether `role` is mapped.
    pub fn maps(&self, role: Role) -> bool {
        self.roles.get(role as usize).is_some_and(Option::is_some)
    }
}

/// A history role, resolved once from its name: a line's role values are
/// read by position, never looked up by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `start`
    Start,
    /// `end`
    End,
    /// `event`
    Event,
    /// `response`
    Response,
    /// `outcome`
    Outcome,
    /// `regimen`
    Regimen,
    /// `agents`
    Agents,
    /// `agent_end`
    AgentEnd,
    /// `line`
    Line,
}

impl Role {
    /// How many roles there are.
    pub const COUNT: usize = 9;

    /// Every role, in the order of [`ast::HISTORY_ROLES`].
    pub const ALL: [Role; Role::COUNT] = [
        Role::Start,
        Role::End,
        Role::Event,
        Role::Response,
        Role::Outcome,
        Role::Regimen,
        Role::Agents,
        Role::AgentEnd,
        Role::Line,
    ];

    /// The role of a name in a mapping.
    pub fn named(name: &str) -> Option<Role> {
        let i = ast::HISTORY_ROLES.iter().position(|r| *r == name)?;
        Role::ALL.get(i).copied()
    }
}

/// A rule with the guards of its enclosing sections.
#[derive(Debug, Clone)]
pub struct RuleDef {
    /// The rule.
    pub rule: ast::Rule,
    /// Section guards, outermost first.
    pub guards: Vec<ast::Expr>,
    /// Where it is written, as `file:line:col`.
    pub at: String,
    /// Its stratum: 0 unless it reads the decision (`recommended X`, `fired R`, …).
    pub stratum: u32,
}

/// Free text folds for matching by the checker's rule (NFKC, case folding,
/// space, `-` and `_` alike), so the two cannot drift.
pub use crate::check::fold;

impl Protocol {
    /// The file index of the rule named `name`.
    pub fn rule_index(&self, name: &str) -> Option<usize> {
        self.rules.iter().position(|r| r.rule.name.node == name)
    }

    /// Compiles a program that checked without errors, with the field types
    /// the checker resolved.
    pub fn compile(program: &Program, schema: Schema) -> Protocol {
        let mut builder = Builder::default();
        for (_, file) in &program.files {
            builder.units(&file.items);
        }
        for (_, file) in &program.files {
            builder.items(&file.items, &[], program);
        }
        let mut protocol = builder.finish(schema);
        protocol.sha256 = fingerprint(program);
        let files: Vec<&ast::File> = program.files.iter().map(|(_, f)| f).collect();
        let reads = crate::check::strata::decision_reads(&files);
        protocol.reports_read_decision = reads.reports;
        protocol.defines_reading_decision = reads.defines;
        // The checker refused a cycle, so this finds the strata.
        if let Ok(strata) = reads.strata {
            for (rule, stratum) in protocol.rules.iter_mut().zip(strata.of_rule) {
                rule.stratum = stratum;
            }
        }
        protocol.places = program
            .sources
            .iter()
            .map(|(_, f)| (f.path.clone(), f.text.clone()))
            .collect();
        protocol
    }

    /// `file:line:col` (1-based) of a place in the protocol's sources.
    pub fn location(&self, span: crate::span::Span) -> String {
        match self.places.get(span.file.0 as usize) {
            Some((path, text)) => place(path, text, span.start as usize),
            None => String::new(),
        }
    }

    /// The declared type of a field of the case (`None`) or of a record.
    pub fn field(&self, record: Option<&str>, name: &str) -> Option<&FieldSchema> {
        let fields = match record {
            None => &self.case.fields,
            Some(r) => self.records.get(r)?,
        };
        fields.iter().find(|f| f.name == name)
    }
}

/// sha256 over every source: for each (in root-relative path order) its
/// path, its length in bytes and its bytes.
fn fingerprint(program: &Program) -> String {
    let mut files: Vec<(&str, &str)> = program
        .files
        .iter()
        .enumerate()
        .map(|(i, (id, _))| {
            (
                root_relative(program.sources.path(*id), i == 0),
                program.sources.text(*id),
            )
        })
        .collect();
    files.sort();
    let mut hash = Sha256::new();
    for (path, text) in files {
        hash.update(path.as_bytes());
        hash.update([0]);
        hash.update(text.len().to_string().as_bytes());
        hash.update([0]);
        hash.update(text.as_bytes());
    }
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// A source's path relative to the root: imports are shown that way already;
/// the protocol itself is named by its file name (the root is its folder), so
/// the hash does not depend on where the protocol was given from.
fn root_relative(path: &str, is_protocol: bool) -> &str {
    if !is_protocol {
        return path;
    }
    std::path::Path::new(path)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(path)
}

#[derive(Default)]
struct Builder {
    header: HeaderInfo,
    vocab: Vocabulary,
    enums: HashMap<String, EnumInfo>,
    reasons: Vec<String>,
    /// Record declarations: their fields named after a role map it by default.
    records: HashMap<String, Vec<ast::Field>>,
    case: Option<ast::CaseDecl>,
    defines: HashMap<String, ast::Define>,
    rules: Vec<RuleDef>,
    reports: Vec<ast::Report>,
    tests: Vec<ast::Test>,
    units: UnitTable,
}

impl Builder {
    fn units(&mut self, items: &[Item]) {
        for item in items {
            let Item::Unit(decl) = item else { continue };
            let _ = match decl {
                ast::UnitDecl::Alias { spelling, unit, .. } => {
                    self.units.declare_alias(&spelling.node, &unit.node)
                }
                ast::UnitDecl::Base {
                    unit, scale: None, ..
                } => self.units.declare_base(&unit.node),
                ast::UnitDecl::Base {
                    unit,
                    scale: Some((factor, of)),
                    ..
                } => self.units.declare_scaled(&unit.node, factor.node, &of.node),
            };
        }
    }

    fn items(&mut self, items: &[Item], guards: &[ast::Expr], program: &Program) {
        for item in items {
            match item {
                Item::Protocol(h) => self.header(h),
                Item::Agent(a) => self.agent(a),
                Item::Regimen(r) => self.regimen(r),
                Item::Enum(e) => self.enum_decl(e),
                Item::Reasons(r) => self
                    .reasons
                    .extend(r.codes.iter().map(|(c, _)| c.node.clone())),
                Item::Record(r) => {
                    self.records.insert(r.name.node.clone(), r.fields.clone());
                }
                Item::Case(c) => self.case = Some(c.clone()),
                Item::Define(d) => {
                    self.defines.insert(d.name.node.clone(), d.clone());
                }
                Item::Rule(r) => self.rules.push(RuleDef {
                    rule: r.clone(),
                    guards: guards.to_vec(),
                    at: location(program, r.span),
                    stratum: 0,
                }),
                Item::Section(s) => {
                    let mut inner = guards.to_vec();
                    inner.push(s.when.clone());
                    self.items(&s.items, &inner, program);
                }
                Item::Report(r) => self.reports.push(r.clone()),
                Item::Test(t) => self.tests.push(t.clone()),
                Item::Import(_) | Item::Unit(_) => {}
            }
        }
    }

    fn header(&mut self, h: &ast::Header) {
        self.header = HeaderInfo {
            name: h.name.node.clone(),
            version: h
                .version
                .as_ref()
                .map(|v| v.node.clone())
                .unwrap_or_default(),
            status: h
                .status
                .as_ref()
                .map(|s| s.node.clone())
                .unwrap_or_default(),
            effective: h.effective.as_ref().and_then(|d| civil(d.node)),
            citations: h
                .citations
                .iter()
                .map(|c| (c.key.node.clone(), c.text.node.clone()))
                .collect(),
        };
    }

    fn agent(&mut self, a: &ast::AgentDecl) {
        let groups = Groups {
            classes: names(&a.classes),
            tags: names(&a.tags),
        };
        self.spell(&a.name.node, &a.aliases);
        self.vocab.agents.insert(a.name.node.clone(), groups);
    }

    fn regimen(&mut self, r: &ast::RegimenDecl) {
        let info = RegimenInfo {
            agents: names(&r.agents),
            modality: r.modality.as_ref().map(|m| m.node.clone()),
            groups: Groups {
                classes: names(&r.classes),
                tags: names(&r.tags),
            },
        };
        self.spell(&r.name.node, &r.aliases);
        self.vocab.regimens.insert(r.name.node.clone(), info);
    }

    fn spell(&mut self, name: &str, aliases: &[crate::span::Spanned<String>]) {
        self.vocab.spellings.insert(fold(name), name.to_string());
        for alias in aliases {
            self.vocab
                .spellings
                .entry(fold(&alias.node))
                .or_insert_with(|| name.to_string());
        }
    }

    fn enum_decl(&mut self, e: &ast::EnumDecl) {
        let mut info = EnumInfo {
            values: e.values.iter().map(|v| v.name.node.clone()).collect(),
            ordered: e.ordered,
            spellings: HashMap::new(),
        };
        for (index, value) in e.values.iter().enumerate() {
            info.spellings.insert(fold(&value.name.node), index);
            for alias in &value.aliases {
                info.spellings.entry(fold(&alias.node)).or_insert(index);
            }
        }
        self.enums.insert(e.name.node.clone(), info);
    }

    fn finish(self, schema: Schema) -> Protocol {
        let history = self
            .case
            .as_ref()
            .and_then(|c| history_schema(c, &self.records));
        let case = self
            .case
            .as_ref()
            .map(|c| case_schema(c, schema.case))
            .unwrap_or_default();
        let mut enum_of_value = HashMap::new();
        let mut names: Vec<&String> = self.enums.keys().collect();
        names.sort();
        for name in names {
            for value in self
                .enums
                .get(name)
                .map(|e| e.values.as_slice())
                .unwrap_or_default()
            {
                enum_of_value
                    .entry(value.clone())
                    .or_insert_with(|| name.clone());
            }
        }
        let mut vocab = self.vocab;
        vocab.index_groups();
        Protocol {
            header: self.header,
            sha256: String::new(),
            vocab,
            enum_of_value,
            enums: self.enums,
            reasons: self.reasons,
            records: schema.records,
            case,
            history,
            defines: self.defines,
            rules: self.rules,
            reports: self.reports,
            tests: self.tests,
            units: self.units,
            places: Vec::new(),
            reports_read_decision: false,
            defines_reading_decision: Default::default(),
        }
    }
}

/// The case schema: its declaration's keys and the fields as the checker typed them.
fn case_schema(c: &ast::CaseDecl, fields: Vec<FieldSchema>) -> CaseSchema {
    CaseSchema {
        id_key: c
            .id_key
            .as_ref()
            .map_or_else(|| "id".to_string(), |k| k.node.clone()),
        ignore: names(&c.ignore),
        as_of: c.as_of.clone(),
        fields,
    }
}

/// The history field's record and its role mapping: roles as written, and
/// fields of the record named after a role.
fn history_schema(
    case: &ast::CaseDecl,
    records: &HashMap<String, Vec<ast::Field>>,
) -> Option<HistorySchema> {
    let (field, record, roles) = case
        .fields
        .iter()
        .find_map(|f| history_of(&f.ty).map(|(r, roles)| (f, r, roles)))?;
    let mut schema = HistorySchema {
        field: field.name.node.clone(),
        record: record.node.clone(),
        roles: Default::default(),
        responding: Vec::new(),
        intolerance: Vec::new(),
    };
    let mut written = [false; Role::COUNT];
    for role in roles {
        if let Some(r) = Role::named(&role.role.node) {
            let unmapped = matches!(role.value, RoleValue::Unmapped);
            schema.roles[r as usize] = (!unmapped).then(|| role.value.clone());
            written[r as usize] = true;
        }
        if let Some((word, values)) = &role.values {
            let list = if word.node == "responding" {
                &mut schema.responding
            } else {
                &mut schema.intolerance
            };
            list.extend(names(values));
        }
    }
    for f in records.get(&record.node).into_iter().flatten() {
        let Some(r) = Role::named(&f.name.node) else {
            continue;
        };
        if !written[r as usize] {
            written[r as usize] = true;
            schema.roles[r as usize] = Some(RoleValue::Expr(ast::Expr {
                kind: ast::ExprKind::Name(f.name.clone()),
                span: f.name.span,
            }));
        }
    }
    Some(schema)
}

fn history_of(ty: &ast::Type) -> Option<(&crate::span::Name, &[ast::Role])> {
    match &ty.kind {
        TypeKind::History { record, roles } => Some((record, roles.as_slice())),
        TypeKind::Optional(inner) => history_of(inner),
        _ => None,
    }
}

fn names(list: &[crate::span::Name]) -> Vec<String> {
    list.iter().map(|n| n.node.clone()).collect()
}

/// A written date as a calendar date.
pub fn civil(d: ast::Date) -> Option<jiff::civil::Date> {
    jiff::civil::Date::new(d.year, d.month, d.day).ok()
}

/// `file:line:col` of a span.
pub fn location(program: &Program, span: crate::span::Span) -> String {
    let text = program.sources.text(span.file);
    place(program.sources.path(span.file), text, span.start as usize)
}

/// `path:line:col` (1-based, columns in characters) of a byte offset in `text`.
fn place(path: &str, text: &str, offset: usize) -> String {
    let before = text.get(..offset).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    format!("{path}:{line}:{col}")
}
