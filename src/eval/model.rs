//! A checked program compiled for evaluation: the header, vocabulary and
//! schema in tables, and the defines, rules, reports and history roles as the
//! checker's lowering compiled them ([`crate::check::ir`]).

use super::value::EnumValue;
pub use super::vocab::Vocabulary;
use super::vocab::{Declared, Kind};
use crate::check::ir;
use crate::check::lower::{Declarations, LowerError, Lowering, Resolutions};
use crate::check::schema::{FieldSchema, FieldType, Schema};
use crate::load::Program;
use crate::source::LineIndex;
use crate::syntax::ast::{self, Item, RoleValue, TypeKind};
use crate::units::UnitTable;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};

/// A protocol ready to evaluate cases. Built once, shared by every case.
#[derive(Debug)]
pub struct Protocol {
    /// The header.
    pub header: HeaderInfo,
    /// sha256 over the protocol, its imports and its additions (root-relative
    /// path, length, bytes, in path order).
    pub sha256: String,
    /// Whether additions typed at a prompt extend the protocol file (its
    /// status is then `draft`).
    pub modified: bool,
    /// Agents, regimens, classes and tags.
    pub vocab: Vocabulary,
    /// Enums by id.
    pub enums: Vec<EnumInfo>,
    /// Each enum's id, by name (for loading case data).
    pub enum_ids: HashMap<String, ir::EnumId>,
    /// Avoid reason codes, highest precedence first.
    pub reasons: Vec<String>,
    /// Record types by index (in name order), for the records of a case.
    pub record_types: Vec<Vec<FieldSchema>>,
    /// Each record type's index, by name.
    pub record_ids: HashMap<String, usize>,
    /// The case schema.
    pub case: CaseSchema,
    /// The therapy history, if the case has one.
    pub history: Option<HistorySchema>,
    /// Defines, compiled, by index.
    pub defines: Vec<ir::Define>,
    /// Rules in file order, each with the guards of the sections around it.
    pub rules: Vec<ir::Rule>,
    /// Each rule's stratum, in file order (as the rules give them; kept
    /// so that each case does not collect them afresh).
    pub strata: Vec<u32>,
    /// Reports in file order.
    pub reports: Vec<ir::Report>,
    /// Tests in file order.
    pub tests: Vec<ast::Test>,
    /// For each test, for each expectation, the compiled value of an
    /// `expect report R = V`.
    pub expected_reports: Vec<Vec<Option<ir::Expr>>>,
    /// Units, with the protocol's declarations.
    pub units: UnitTable,
    /// The unit of a difference of dates.
    pub day: Option<crate::units::Unit>,
    /// The unit of `years from A to B`.
    pub year: Option<crate::units::Unit>,
    /// The unit of `months from A to B`.
    pub month: Option<crate::units::Unit>,
    /// Each source's path and text, for naming places at run time.
    pub places: Vec<(String, String)>,
    /// Whether some report reads the decision (`recommended X`, …).
    pub reports_read_decision: bool,
    /// How many history predicates a case keeps the value of.
    pub memos: usize,
    /// "Did you mean" answers for unrecognised case text, kept across cases.
    pub suggestions: Memo,
    /// The case schema compiled for the case reader, on first use.
    pub(super) scan: std::sync::OnceLock<super::stream::Plan>,
}

/// Answers of a pure but costly function of case text (the "did you mean"
/// of an unrecognised name), kept across the cases of a run: registries
/// repeat their spellings. Bounded: it starts afresh past [`Memo::LIMIT`].
#[derive(Debug, Default)]
pub struct Memo(std::sync::Mutex<HashMap<String, Option<String>>>);

impl Memo {
    /// How many answers are kept at most.
    pub const LIMIT: usize = 4096;

    /// The answer for `key`, computed with `compute` the first time.
    pub fn get_or(&self, key: String, compute: impl FnOnce() -> Option<String>) -> Option<String> {
        if let Some(found) = self.0.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return found;
        }
        let answer = compute();
        if let Ok(mut memo) = self.0.lock() {
            if memo.len() >= Memo::LIMIT {
                memo.clear();
            }
            memo.insert(key, answer.clone());
        }
        answer
    }
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

/// An enum's values and the spellings case data may use.
#[derive(Debug, Clone, Default)]
pub struct EnumInfo {
    /// Its name.
    pub name: String,
    /// Values in declared order.
    pub values: Vec<String>,
    /// Whether declared with `<`.
    pub ordered: bool,
    /// Folded spelling (name or alias) → value index.
    pub spellings: HashMap<String, usize>,
}

/// The case schema.
#[derive(Debug, Clone)]
pub struct CaseSchema {
    /// The JSON key holding the case id (`id` unless declared).
    pub id_key: String,
    /// Keys read but never reported as unknown.
    pub ignore: Vec<String>,
    /// The date field `as_of = NAME` names, by position, if declared.
    pub as_of: Option<usize>,
    /// The fields.
    pub fields: Vec<FieldSchema>,
}

/// A protocol with no `case { … }` block: no fields, the id in `id`.
impl Default for CaseSchema {
    fn default() -> Self {
        CaseSchema {
            id_key: "id".to_string(),
            ignore: Vec::new(),
            as_of: None,
            fields: Vec::new(),
        }
    }
}

impl CaseSchema {
    /// Every top-level key a case may hold: each field's key (a series read
    /// from part of a list: the list's), the id, `as_of` and the ignored keys.
    pub fn known_keys(&self) -> Vec<&str> {
        let mut known: Vec<&str> = self.fields.iter().map(FieldSchema::key).collect();
        known.push(&self.id_key);
        known.push("as_of");
        known.extend(self.ignore.iter().map(String::as_str));
        known
    }
}

/// The history's record and role mapping.
#[derive(Debug, Clone)]
pub struct HistorySchema {
    /// The case field holding the lines, by its position in the case schema.
    pub field: usize,
    /// What each mapped role reads, by [`Role`] (none when unmapped).
    pub roles: [Option<RoleRead>; Role::COUNT],
    /// `responding {…}`: response values that count as a response.
    pub responding: Vec<EnumValue>,
    /// `intolerance {…}`: outcome values that count as intolerance.
    pub intolerance: Vec<EnumValue>,
}

/// How a line's role is read from its record.
#[derive(Debug, Clone, PartialEq)]
pub enum RoleRead {
    /// A field of the record, by position.
    Field(usize),
    /// A field of each record of a list field (`agents = drugs.name`).
    PerAgent {
        /// The list field's position.
        list: usize,
        /// The field's position in the list's records.
        field: usize,
    },
    /// An expression over the record's fields (slots in schema order).
    Expr(ir::Expr),
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

/// A rule as written, with the guards of its enclosing sections.
struct WrittenRule {
    rule: ast::Rule,
    guards: Vec<ast::Expr>,
    at: String,
}

/// Free text folds for matching by the checker's rule (NFKC, case folding,
/// space, `-` and `_` alike), so the two cannot drift.
pub use crate::check::fold;

impl Protocol {
    /// Compiles a program that checked without errors, with the field types
    /// and name resolutions the checker recorded. An error is a defect of the
    /// project: the checker accepted something it did not resolve.
    pub fn compile(
        program: &Program,
        schema: Schema,
        resolved: &Resolutions,
    ) -> Result<Protocol, LowerError> {
        let mut builder = Builder::default();
        for (_, file) in &program.files {
            builder.units(&file.items);
        }
        let lines: Vec<LineIndex> = program
            .sources
            .iter()
            .map(|(_, f)| LineIndex::new(&f.text))
            .collect();
        let places = Places { program, lines };
        for (_, file) in &program.files {
            builder.items(&file.items, &[], &places);
        }
        let files: Vec<&ast::File> = program.files.iter().map(|(_, f)| f).collect();
        let reads = crate::check::strata::decision_reads(&files);
        // The checker refused a cycle, so this finds the strata.
        let strata = reads.strata.map(|s| s.of_rule).unwrap_or_default();
        let vocab = builder.vocabulary();
        let compiled = builder.lower(&vocab, &schema, resolved, &reads.defines, &strata)?;
        let mut protocol = builder.finish(schema, vocab, compiled)?;
        let named = named_options(&protocol.rules, &protocol.vocab);
        protocol.vocab.mark_options(named);
        protocol.sha256 = fingerprint(program);
        if program.extensions > 0 {
            protocol.modified = true;
            protocol.header.status = "draft".to_string();
        }
        protocol.reports_read_decision = reads.reports;
        protocol.places = program
            .sources
            .iter()
            .map(|(_, f)| (f.path.clone(), f.text.clone()))
            .collect();
        Ok(protocol)
    }

    /// A record type by name: its index and its fields.
    pub fn record_type(&self, name: &str) -> Option<(usize, &[FieldSchema])> {
        let ty = *self.record_ids.get(name)?;
        Some((ty, self.record_schema(ty)))
    }

    /// The fields of record type `ty` (empty for an index it does not have).
    pub fn record_schema(&self, ty: usize) -> &[FieldSchema] {
        self.record_types.get(ty).map_or(&[], Vec::as_slice)
    }

    /// The declared name of an enum value.
    pub fn enum_name(&self, e: crate::eval::value::EnumValue) -> &str {
        self.enums
            .get(e.ty.0 as usize)
            .and_then(|info| info.values.get(e.index))
            .map_or("", String::as_str)
    }

    /// `file:line:col` (1-based) of a place in the protocol's sources.
    pub fn location(&self, span: crate::span::Span) -> String {
        match self.places.get(span.file.0 as usize) {
            Some((path, text)) => place(path, text, span.start as usize),
            None => String::new(),
        }
    }

    /// The protocol text at a place in its sources (empty if there is none).
    pub fn source_text(&self, span: crate::span::Span) -> &str {
        self.places
            .get(span.file.0 as usize)
            .and_then(|(_, text)| text.get(span.start as usize..span.end as usize))
            .unwrap_or("")
    }

    /// The declared type of a field of the case (`None`) or of a record.
    pub fn field(&self, record: Option<&str>, name: &str) -> Option<&FieldSchema> {
        let fields = match record {
            None => &self.case.fields,
            Some(r) => self.record_type(r)?.1,
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
    /// Agents and regimens as declared, in order.
    declared: Vec<Item>,
    enums: Vec<EnumInfo>,
    reasons: Vec<String>,
    /// Record declarations: their fields named after a role map it by default.
    records: HashMap<String, Vec<ast::Field>>,
    case: Option<ast::CaseDecl>,
    defines: Vec<ast::Define>,
    rules: Vec<WrittenRule>,
    reports: Vec<ast::Report>,
    tests: Vec<ast::Test>,
    units: UnitTable,
}

/// What lowering compiled: the parts of the protocol that run.
struct Lowered {
    defines: Vec<ir::Define>,
    rules: Vec<ir::Rule>,
    reports: Vec<ir::Report>,
    expected_reports: Vec<Vec<Option<ir::Expr>>>,
    history: Option<HistorySchema>,
    memos: usize,
}

impl Builder {
    fn units(&mut self, items: &[Item]) {
        for item in items {
            let Item::Unit(decl) = item else { continue };
            // Reported by the checker; a protocol that checked has none.
            let _ = crate::check::unit_decls::declare(&mut self.units, decl);
        }
    }

    fn items(&mut self, items: &[Item], guards: &[ast::Expr], places: &Places) {
        for item in items {
            match item {
                Item::Protocol(h) => self.header(h),
                Item::Agent(_) | Item::Regimen(_) => self.declared.push(item.clone()),
                Item::Enum(e) => self.enum_decl(e),
                Item::Reasons(r) => self
                    .reasons
                    .extend(r.codes.iter().map(|(c, _)| c.node.clone())),
                Item::Record(r) => {
                    self.records.insert(r.name.node.clone(), r.fields.clone());
                }
                Item::Case(c) => self.case = Some(c.clone()),
                Item::Define(d) => self.defines.push(d.clone()),
                Item::Rule(r) => self.rules.push(WrittenRule {
                    rule: r.clone(),
                    guards: guards.to_vec(),
                    at: places.location(r.span),
                }),
                Item::Section(s) => {
                    let mut inner = guards.to_vec();
                    inner.push(s.when.clone());
                    self.items(&s.items, &inner, places);
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

    /// The vocabulary of the declared agents and regimens.
    fn vocabulary(&self) -> Vocabulary {
        fn strs(names: &[crate::span::Name]) -> Vec<&str> {
            names.iter().map(|n| n.node.as_str()).collect()
        }
        let aliases = strs;
        let declared: Vec<Declared<'_>> = self
            .declared
            .iter()
            .filter_map(|item| match item {
                Item::Agent(a) => Some(Declared {
                    name: &a.name.node,
                    kind: Kind::Agent,
                    aliases: aliases(&a.aliases),
                    words: aliases(&a.words),
                    agents: Vec::new(),
                    classes: strs(&a.classes),
                    tags: strs(&a.tags),
                }),
                Item::Regimen(r) => Some(Declared {
                    name: &r.name.node,
                    kind: Kind::Regimen,
                    aliases: aliases(&r.aliases),
                    words: aliases(&r.words),
                    agents: strs(&r.agents),
                    classes: strs(&r.classes),
                    tags: strs(&r.tags),
                }),
                _ => None,
            })
            .collect();
        Vocabulary::build(&declared)
    }

    fn enum_decl(&mut self, e: &ast::EnumDecl) {
        let mut info = EnumInfo {
            name: e.name.node.clone(),
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
        self.enums.push(info);
    }

    /// Lowers the defines, rules, reports, test values and history roles.
    fn lower(
        &self,
        vocab: &Vocabulary,
        schema: &Schema,
        resolved: &Resolutions,
        reading_decision: &std::collections::HashSet<String>,
        strata: &[u32],
    ) -> Result<Lowered, LowerError> {
        let index = |names: Vec<&String>| -> HashMap<String, usize> {
            let mut map = HashMap::new();
            for (i, name) in names.into_iter().enumerate() {
                map.entry(name.clone()).or_insert(i);
            }
            map
        };
        let defines = index(self.defines.iter().map(|d| &d.name.node).collect());
        let rules = index(self.rules.iter().map(|r| &r.rule.name.node).collect());
        let enums: HashMap<String, (ir::EnumId, Vec<String>)> = self
            .enum_ids()
            .into_iter()
            .filter_map(|(name, id)| {
                let info = self.enums.get(id.0 as usize)?;
                Some((name, (id, info.values.clone())))
            })
            .collect();
        let history_decl = self.case.as_ref().and_then(history_of_case);
        let history_field = history_decl.map(|(field, _, _)| field.name.node.as_str());
        let mut lowering = Lowering::new(
            resolved,
            Declarations {
                case: &schema.case,
                records: &schema.records,
                history_field,
                defines: &defines,
                rules: &rules,
                enums: &enums,
                vocab: vocab.ids(),
                citations: &self.header.citations,
                units: &self.units,
            },
        );
        let compiled_defines = self
            .defines
            .iter()
            .map(|d| lowering.define(d, reading_decision.contains(&d.name.node)))
            .collect::<Result<_, _>>()?;
        let compiled_rules = self
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let stratum = strata.get(i).copied().unwrap_or(0);
                lowering.rule(&r.rule, &r.guards, r.at.clone(), stratum)
            })
            .collect::<Result<_, _>>()?;
        let reports = self
            .reports
            .iter()
            .map(|r| lowering.report(r))
            .collect::<Result<_, _>>()?;
        let expected_reports = self
            .tests
            .iter()
            .map(|t| {
                t.expectations
                    .iter()
                    .map(|e| match &e.kind {
                        ast::ExpectKind::Report(_, value) => lowering.top(value).map(Some),
                        _ => Ok(None),
                    })
                    .collect::<Result<_, _>>()
            })
            .collect::<Result<_, _>>()?;
        let history = match history_decl {
            Some(decl) => Some(history_schema(decl, &self.records, schema, &mut lowering)?),
            None => None,
        };
        Ok(Lowered {
            memos: lowering.memos(),
            defines: compiled_defines,
            rules: compiled_rules,
            reports,
            expected_reports,
            history,
        })
    }

    /// Each enum's id, by name (the first declaration of a name wins).
    fn enum_ids(&self) -> HashMap<String, ir::EnumId> {
        let mut ids = HashMap::new();
        for (i, info) in self.enums.iter().enumerate() {
            let id = ir::EnumId(u32::try_from(i).unwrap_or(u32::MAX));
            ids.entry(info.name.clone()).or_insert(id);
        }
        ids
    }

    fn finish(
        self,
        schema: Schema,
        vocab: Vocabulary,
        lowered: Lowered,
    ) -> Result<Protocol, LowerError> {
        let case = self
            .case
            .as_ref()
            .map(|c| case_schema(c, schema.case))
            .unwrap_or_default();
        let enum_ids = self.enum_ids();
        let mut records: Vec<(String, Vec<FieldSchema>)> = schema.records.into_iter().collect();
        records.sort_by(|a, b| a.0.cmp(&b.0));
        let record_ids = records
            .iter()
            .enumerate()
            .map(|(i, (name, _))| (name.clone(), i))
            .collect();
        Ok(Protocol {
            header: self.header,
            sha256: String::new(),
            modified: false,
            vocab,
            enum_ids,
            enums: self.enums,
            reasons: self.reasons,
            record_types: records.into_iter().map(|(_, fields)| fields).collect(),
            record_ids,
            case,
            history: lowered.history,
            defines: lowered.defines,
            strata: lowered.rules.iter().map(|r| r.stratum).collect(),
            rules: lowered.rules,
            reports: lowered.reports,
            tests: self.tests,
            expected_reports: lowered.expected_reports,
            day: self.units.lookup("days"),
            year: self.units.lookup("years"),
            month: self.units.lookup("months"),
            units: self.units,
            places: Vec::new(),
            reports_read_decision: false,
            memos: lowered.memos,
            suggestions: Memo::default(),
            scan: std::sync::OnceLock::new(),
        })
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
        as_of: c.as_of.as_ref().and_then(|e| date_field(e, &fields)),
        fields,
    }
}

/// The date field an `as_of = NAME` declaration names.
fn date_field(e: &ast::Expr, fields: &[FieldSchema]) -> Option<usize> {
    let ast::ExprKind::Name(name) = &e.kind else {
        return None;
    };
    let slot = fields.iter().position(|f| f.name == name.node)?;
    let is_date = match &fields.get(slot)?.ty {
        FieldType::Date => true,
        FieldType::Optional(inner) => **inner == FieldType::Date,
        _ => false,
    };
    is_date.then_some(slot)
}

/// The case's history field, its record type and its written roles.
type HistoryDecl<'a> = (&'a ast::Field, &'a crate::span::Name, &'a [ast::Role]);

fn history_of_case(case: &ast::CaseDecl) -> Option<HistoryDecl<'_>> {
    case.fields
        .iter()
        .find_map(|f| history_of(&f.ty).map(|(r, roles)| (f, r, roles)))
}

/// The history field's record and its role mapping, compiled: roles as
/// written, and fields of the record named after a role.
fn history_schema(
    (field, record, roles): HistoryDecl<'_>,
    records: &HashMap<String, Vec<ast::Field>>,
    schema: &Schema,
    lowering: &mut Lowering<'_>,
) -> Result<HistorySchema, LowerError> {
    let not_compiled = |what: &str, span| LowerError {
        message: format!("{what} is not in the schema"),
        span,
    };
    let slot = schema
        .case
        .iter()
        .position(|f| f.name == field.name.node)
        .ok_or_else(|| not_compiled("the history field", field.name.span))?;
    let mut history = HistorySchema {
        field: slot,
        roles: Default::default(),
        responding: Vec::new(),
        intolerance: Vec::new(),
    };
    let mut written = [false; Role::COUNT];
    for role in roles {
        if let Some(r) = Role::named(&role.role.node) {
            written[r as usize] = true;
            history.roles[r as usize] = role_read(&record.node, &role.value, schema, lowering)?;
        }
        if let Some((word, values)) = &role.values {
            let list = if word.node == "responding" {
                &mut history.responding
            } else {
                &mut history.intolerance
            };
            for value in values {
                let (ty, index) = lowering.enum_value(value)?;
                list.push(EnumValue { ty, index });
            }
        }
    }
    for f in records.get(&record.node).into_iter().flatten() {
        let Some(r) = Role::named(&f.name.node) else {
            continue;
        };
        if !written[r as usize] {
            written[r as usize] = true;
            let slot = lowering
                .field_slot(&record.node, &f.name.node)
                .ok_or_else(|| not_compiled("a role's field", f.name.span))?;
            history.roles[r as usize] = Some(RoleRead::Field(slot));
        }
    }
    Ok(history)
}

/// How one written role is read; a plain field name reads the field.
fn role_read(
    record: &str,
    value: &RoleValue,
    schema: &Schema,
    lowering: &mut Lowering<'_>,
) -> Result<Option<RoleRead>, LowerError> {
    let missing = |name: &crate::span::Name| LowerError {
        message: format!("field `{}` of a role is not in the schema", name.node),
        span: name.span,
    };
    Ok(match value {
        RoleValue::Unmapped => None,
        RoleValue::PerAgent { list, field } => {
            let list_slot = lowering
                .field_slot(record, &list.node)
                .ok_or_else(|| missing(list))?;
            let element = schema
                .field(Some(record), &list.node)
                .and_then(|f| element_record(&f.ty))
                .ok_or_else(|| missing(list))?;
            let field_slot = lowering
                .field_slot(element, &field.node)
                .ok_or_else(|| missing(field))?;
            Some(RoleRead::PerAgent {
                list: list_slot,
                field: field_slot,
            })
        }
        RoleValue::Expr(e) => match lowering.role(record, e)? {
            ir::Expr {
                kind: ir::ExprKind::Local(slot),
                ..
            } => Some(RoleRead::Field(slot)),
            compiled => Some(RoleRead::Expr(compiled)),
        },
    })
}

/// The record type of a list (or optional list) of records.
fn element_record(ty: &FieldType) -> Option<&str> {
    match ty {
        FieldType::Optional(inner) => element_record(inner),
        FieldType::List(inner) | FieldType::Set(inner) => match &**inner {
            FieldType::Record(name) => Some(name),
            _ => None,
        },
        _ => None,
    }
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

/// A program's sources with the line starts of each, so that naming the
/// place of every rule costs a binary search each, not a scan of the text.
struct Places<'p> {
    program: &'p Program,
    /// Per file, in the order of the program's sources.
    lines: Vec<LineIndex>,
}

impl Places<'_> {
    /// `file:line:col` of a span.
    fn location(&self, span: crate::span::Span) -> String {
        let text = self.program.sources.text(span.file);
        let path = self.program.sources.path(span.file);
        match self.lines.get(span.file.0 as usize) {
            Some(lines) => {
                let (line, column) = lines.line_column(text, span.start as usize);
                format!("{path}:{line}:{column}")
            }
            None => place(path, text, span.start as usize),
        }
    }
}

/// `path:line:col` (1-based, columns in characters) of a byte offset in `text`.
fn place(path: &str, text: &str, offset: usize) -> String {
    let before = text.get(..offset).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    format!("{path}:{line}:{col}")
}

/// Every agent or regimen a `recommend`, `consider`, `components`, `each`
/// or `fallback` names anywhere in the rules: under `each`, the members of a
/// set the protocol fixes (`{a, b}`, `agents with tag T`, `members of C`,
/// and unions of them); a set read from the case names none.
fn named_options(rules: &[ir::Rule], vocab: &Vocabulary) -> Vec<ir::VocabId> {
    let mut named = Vec::new();
    let offering = rules
        .iter()
        .flat_map(|r| &r.actions)
        .filter(|a| matches!(a.kind, ir::ActionKind::Recommend | ir::ActionKind::Consider));
    for action in offering {
        match &action.options {
            ir::Options::List(names) | ir::Options::Components(names) => {
                named.extend(names.iter().filter_map(|n| match n {
                    ir::OptionName::Named(id) => Some(*id),
                    ir::OptionName::Local(_) => None,
                }));
            }
            ir::Options::Each(binding) => fixed_members(&binding.source, vocab, &mut named),
            ir::Options::None => {}
        }
        for m in &action.modifiers {
            if let ir::Modifier::Fallback(id) = m {
                named.push(*id);
            }
        }
    }
    named
}

/// The vocabulary members of a set the protocol fixes, added to `out`.
fn fixed_members(set: &ir::Expr, vocab: &Vocabulary, out: &mut Vec<ir::VocabId>) {
    match &set.kind {
        ir::ExprKind::Collection(items) => {
            for item in items {
                if let ir::ExprKind::Const(ir::Const::Vocab(id)) = item.kind {
                    out.push(id);
                }
            }
        }
        ir::ExprKind::Vocab(v) => out.extend(vocab.with_group(v.group, v.agents, v.regimens)),
        ir::ExprKind::Binary(ast::BinOp::Union, l, r) => {
            fixed_members(l, vocab, out);
            fixed_members(r, vocab, out);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::Memo;

    #[test]
    fn a_memo_computes_each_answer_once_and_starts_afresh_when_full() {
        let memo = Memo::default();
        let mut computed = 0;
        for _ in 0..3 {
            memo.get_or("typo".to_string(), || {
                computed += 1;
                Some("answer".to_string())
            });
        }
        assert_eq!(computed, 1);
        for i in 0..Memo::LIMIT {
            memo.get_or(format!("key {i}"), || None);
        }
        let again = memo.get_or("typo".to_string(), || {
            computed += 1;
            Some("answer".to_string())
        });
        assert_eq!((again.as_deref(), computed), (Some("answer"), 2));
    }
}
