//! Builders from pest pairs to the AST: one function per grammar rule.
//! `pest::Span` and `Pair` never leave this module.

use super::ast::*;
use super::expected;
use super::number;
use crate::diag::{Code, Diagnostic};
use crate::span::{FileId, Name, Span, Spanned};
use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};
use pest::Parser;
use rust_decimal::Decimal;
use std::cell::RefCell;
use std::str::FromStr;
use std::sync::LazyLock;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/salvage.pest"]
pub(super) struct SalvageParser;

/// Deepest bracket nesting accepted before parsing.
pub const MAX_NESTING: usize = 128;
/// Most tokens one expression may hold (its operators, operands and nested parts).
pub const MAX_EXPR_TOKENS: usize = 20_000;

/// Parses one source file. Returns the items it could build and every problem found.
///
/// On a syntax error, the file is parsed again in top-level chunks so that one
/// run reports each broken item; only the chunks that parsed are returned.
pub fn parse(file: FileId, text: &str) -> (File, Vec<Diagnostic>) {
    if let Some(diag) = expected::nesting_error(file, text, MAX_NESTING) {
        return (File { items: Vec::new() }, vec![diag]);
    }
    // Error detail (what was expected at the failure) costs time on every
    // parse, so it is turned on only to explain a failure, parsing again.
    if let Ok(pairs) = grammar_parse(text, Detail::Off) {
        return build_file(file, 0, pairs);
    }
    match grammar_parse(text, Detail::On) {
        Ok(pairs) => build_file(file, 0, pairs),
        Err(error) => parse_in_chunks(file, text, error),
    }
}

/// Most steps (pest's counted calls) the grammar may take per byte of a
/// text, and at least [`MIN_STEPS`]: a protocol takes about 20 a byte and
/// none in the repository more than 55, while text that makes the grammar
/// backtrack exponentially (`sorted [ sorted [ …` left open, each level tried
/// both as `sorted` of a list and as an indexed name) would take minutes. It
/// stops at the limit instead, with S0002 ([`expected::syntax_error`]).
const STEPS_PER_BYTE: usize = 200;
/// The fewest steps any text may take (a short text that backtracks stops
/// in milliseconds).
const MIN_STEPS: usize = 1_000_000;

/// Whether a parse records what it expected at a failure.
#[derive(Clone, Copy)]
enum Detail {
    Off,
    On,
}

/// Serialises parses: pest's error detail and step limit are process-wide
/// settings, read when a parse starts, so each parse sets its own and holds
/// this while it runs.
static GRAMMAR: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// `text` parsed as a file, with error detail as `detail` says and at most
/// [`STEPS_PER_BYTE`] steps a byte.
fn grammar_parse(text: &str, detail: Detail) -> Result<Pairs<'_, Rule>, pest::error::Error<Rule>> {
    // A parse that panicked held the lock, and left nothing to repair.
    let _parsing = GRAMMAR
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    pest::set_error_detail(matches!(detail, Detail::On));
    let steps = text.len().saturating_mul(STEPS_PER_BYTE).max(MIN_STEPS);
    pest::set_call_limit(std::num::NonZeroUsize::new(steps));
    SalvageParser::parse(Rule::file, text)
}

fn build_file(file: FileId, base: usize, pairs: Pairs<Rule>) -> (File, Vec<Diagnostic>) {
    let builder = Builder::new(file, base);
    let items = pairs
        .flat_map(|p| p.into_inner())
        .filter(|p| p.as_rule() != Rule::EOI)
        .filter_map(|p| builder.item(p))
        .collect();
    (File { items }, builder.diags.into_inner())
}

fn parse_in_chunks(
    file: FileId,
    text: &str,
    first: pest::error::Error<Rule>,
) -> (File, Vec<Diagnostic>) {
    let first_diag = expected::syntax_error(file, 0, text, &first);
    let first_at = first_diag.primary.span.start as usize;
    let mut diags = vec![first_diag];
    let mut items = Vec::new();
    for (start, end) in expected::top_level_chunks(text) {
        let chunk = text.get(start..end).unwrap_or("");
        match grammar_parse(chunk, Detail::On) {
            Ok(pairs) => {
                let (file_part, more) = build_file(file, start, pairs);
                items.extend(file_part.items);
                diags.extend(more);
            }
            Err(error) if start > first_at => {
                diags.push(expected::syntax_error(file, start, chunk, &error));
            }
            Err(_) => {}
        }
    }
    (File { items }, diags)
}

static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::or_op, Assoc::Left))
        .op(Op::infix(Rule::and_op, Assoc::Left))
        .op(Op::prefix(Rule::not_op))
        .op(Op::postfix(Rule::missing_as))
        .op(Op::infix(Rule::eq_op, Assoc::Left)
            | Op::infix(Rule::ne_op, Assoc::Left)
            | Op::infix(Rule::lt_op, Assoc::Left)
            | Op::infix(Rule::le_op, Assoc::Left)
            | Op::infix(Rule::gt_op, Assoc::Left)
            | Op::infix(Rule::ge_op, Assoc::Left)
            | Op::infix(Rule::in_op, Assoc::Left)
            | Op::infix(Rule::not_in_op, Assoc::Left)
            | Op::infix(Rule::contains_op, Assoc::Left)
            | Op::infix(Rule::starts_with_op, Assoc::Left)
            | Op::infix(Rule::eq_eq_op, Assoc::Left)
            | Op::postfix(Rule::is_test))
        .op(Op::infix(Rule::range_op, Assoc::Left))
        .op(Op::infix(Rule::otherwise_op, Assoc::Left))
        .op(Op::infix(Rule::add_op, Assoc::Left)
            | Op::infix(Rule::sub_op, Assoc::Left)
            | Op::infix(Rule::union_op, Assoc::Left))
        .op(Op::infix(Rule::mul_op, Assoc::Left) | Op::infix(Rule::div_op, Assoc::Left))
        .op(Op::prefix(Rule::neg_op))
        .op(Op::infix(Rule::pow_op, Assoc::Right))
        .op(Op::postfix(Rule::field_access)
            | Op::postfix(Rule::index)
            | Op::postfix(Rule::series_part)
            | Op::postfix(Rule::series_trend)
            | Op::postfix(Rule::in_calendar))
});

/// Builds AST nodes from pairs, collecting diagnostics as it goes.
struct Builder {
    file: FileId,
    base: usize,
    diags: RefCell<Vec<Diagnostic>>,
    /// How many expressions enclose the one being built.
    expr_depth: std::cell::Cell<usize>,
}

impl Builder {
    fn new(file: FileId, base: usize) -> Builder {
        Builder {
            file,
            base,
            diags: RefCell::new(Vec::new()),
            expr_depth: std::cell::Cell::new(0),
        }
    }

    /// The pair's span, without the trailing white space pest's repetitions may take in.
    fn span(&self, pair: &Pair<Rule>) -> Span {
        let s = pair.as_span();
        let len = pair.as_str().trim_end().len();
        Span::new(
            self.file,
            self.base + s.start(),
            self.base + s.start() + len,
        )
    }

    fn error(&self, diag: Diagnostic) {
        self.diags.borrow_mut().push(diag);
    }

    // ---------- items ----------

    fn item(&self, pair: Pair<Rule>) -> Option<Item> {
        Some(match pair.as_rule() {
            Rule::protocol_decl => Item::Protocol(self.protocol_decl(pair)),
            Rule::import_decl => Item::Import(self.import_decl(pair)),
            Rule::agent_decl => Item::Agent(self.agent_decl(pair)),
            Rule::regimen_decl => Item::Regimen(self.regimen_decl(pair)),
            Rule::enum_decl => Item::Enum(self.enum_decl(pair)),
            Rule::reasons_decl => Item::Reasons(self.reasons_decl(pair)),
            Rule::record_decl => Item::Record(self.record_decl(pair)),
            Rule::case_decl => Item::Case(self.case_decl(pair)),
            Rule::unit_decl => Item::Unit(self.unit_decl(pair)?),
            Rule::analyte_decl => Item::Unit(self.analyte_decl(pair)?),
            Rule::define_decl => Item::Define(self.define_decl(pair)),
            Rule::rule_decl => Item::Rule(self.rule_decl(pair)),
            Rule::section_decl => Item::Section(self.section_decl(pair)),
            Rule::report_decl => Item::Report(self.report_decl(pair)),
            Rule::test_decl => Item::Test(self.test_decl(pair)),
            _ => return None,
        })
    }

    fn protocol_decl(&self, pair: Pair<Rule>) -> Header {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let name = self.string_of(inner.next());
        let mut header = Header {
            name,
            version: None,
            institution: None,
            status: None,
            effective: None,
            citations: Vec::new(),
            span,
        };
        for entry in inner {
            self.header_entry(&mut header, entry);
        }
        header
    }

    fn header_entry(&self, header: &mut Header, entry: Pair<Rule>) {
        let rule = entry.as_rule();
        let mut inner = entry.into_inner();
        match rule {
            Rule::version_entry => header.version = Some(self.string_of(inner.next())),
            Rule::institution_entry => header.institution = Some(self.string_of(inner.next())),
            Rule::status_entry => header.status = inner.next().map(|p| self.name(p)),
            Rule::effective_entry => header.effective = inner.next().and_then(|p| self.date(p)),
            Rule::cite_entry => {
                if let Some(key) = inner.next() {
                    let key = self.name(key);
                    let text = self.string_of(inner.next());
                    header.citations.push(Citation { key, text });
                }
            }
            _ => {}
        }
    }

    fn import_decl(&self, pair: Pair<Rule>) -> Import {
        let span = self.span(&pair);
        let path = self.string_of(pair.into_inner().next());
        Import { path, span }
    }

    fn agent_decl(&self, pair: Pair<Rule>) -> AgentDecl {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let name = self.name_of(inner.next());
        let mut decl = AgentDecl {
            name,
            classes: Vec::new(),
            tags: Vec::new(),
            aliases: Vec::new(),
            words: Vec::new(),
            span,
        };
        for m in inner {
            let spellings = (&mut decl.aliases, &mut decl.words);
            self.vocab_mod(m, &mut decl.classes, &mut decl.tags, spellings);
        }
        decl
    }

    fn regimen_decl(&self, pair: Pair<Rule>) -> RegimenDecl {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let name = self.name_of(inner.next());
        let mut decl = RegimenDecl {
            name,
            agents: Vec::new(),
            modality: None,
            classes: Vec::new(),
            tags: Vec::new(),
            aliases: Vec::new(),
            words: Vec::new(),
            span,
        };
        for p in inner {
            match p.as_rule() {
                Rule::agent_list => decl.agents = p.into_inner().map(|n| self.name(n)).collect(),
                Rule::name => decl.modality = Some(self.name(p)),
                _ => {
                    let spellings = (&mut decl.aliases, &mut decl.words);
                    self.vocab_mod(p, &mut decl.classes, &mut decl.tags, spellings);
                }
            }
        }
        decl
    }

    fn vocab_mod(
        &self,
        pair: Pair<Rule>,
        classes: &mut Vec<Name>,
        tags: &mut Vec<Name>,
        (aliases, words): (&mut Vec<Spanned<String>>, &mut Vec<Spanned<String>>),
    ) {
        match pair.as_rule() {
            Rule::class_mod => classes.extend(pair.into_inner().map(|p| self.name(p))),
            Rule::tag_mod => tags.extend(pair.into_inner().map(|p| self.name(p))),
            Rule::alias_mod => {
                for item in pair.into_inner() {
                    match item.as_rule() {
                        Rule::word_alias => words.extend(item.into_inner().map(|p| self.string(p))),
                        _ => aliases.push(self.string(item)),
                    }
                }
            }
            _ => {}
        }
    }

    fn enum_decl(&self, pair: Pair<Rule>) -> EnumDecl {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let name = self.name_of(inner.next());
        let mut values = Vec::new();
        let (mut commas, mut lesses) = (0, 0);
        for p in inner {
            match p.as_rule() {
                Rule::enum_value => values.push(self.enum_value(p)),
                Rule::enum_sep if p.as_str() == "<" => lesses += 1,
                _ => commas += 1,
            }
        }
        if commas > 0 && lesses > 0 {
            self.error(
                Diagnostic::new(
                    Code::S0319,
                    name.span,
                    format!("enum `{}` mixes `,` and `<`", name.node),
                )
                .label("some values are ordered and some are not")
                .help("separate every value with `<` for an ordered enum, or every value with `,`"),
            );
        }
        EnumDecl {
            name,
            values,
            ordered: lesses > 0,
            span,
        }
    }

    fn enum_value(&self, pair: Pair<Rule>) -> EnumValue {
        let mut inner = pair.into_inner();
        let name = self.name_of(inner.next());
        let aliases = inner
            .flat_map(|m| m.into_inner())
            .map(|s| self.string(s))
            .collect();
        EnumValue { name, aliases }
    }

    fn reasons_decl(&self, pair: Pair<Rule>) -> ReasonsDecl {
        let span = self.span(&pair);
        let codes = pair
            .into_inner()
            .map(|reason| {
                let mut inner = reason.into_inner();
                let name = self.name_of(inner.next());
                (name, inner.next().map(|s| self.string(s)))
            })
            .collect();
        ReasonsDecl { codes, span }
    }

    fn unit_decl(&self, pair: Pair<Rule>) -> Option<UnitDecl> {
        let span = self.span(&pair);
        let decl = pair.into_inner().next()?;
        let rule = decl.as_rule();
        let mut inner = decl.into_inner();
        Some(match rule {
            Rule::unit_alias => UnitDecl::Alias {
                spelling: self.string_of(inner.next()),
                unit: self.unit(inner.next()?),
                span,
            },
            _ => {
                let unit = self.unit(inner.next()?);
                let scale = match (inner.next(), inner.next()) {
                    (Some(n), Some(u)) => Some((self.decimal(n), self.unit(u))),
                    _ => None,
                };
                UnitDecl::Base { unit, scale, span }
            }
        })
    }

    fn analyte_decl(&self, pair: Pair<Rule>) -> Option<UnitDecl> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let name = self.name_of(inner.next());
        let decl = inner.next()?;
        let bridge = match decl.as_rule() {
            Rule::analyte_affine => self.analyte_affine(decl.into_inner())?,
            _ => self.analyte_scale(decl.into_inner())?,
        };
        Some(UnitDecl::Analyte { name, bridge, span })
    }

    /// `A from = B to`
    fn analyte_scale(&self, mut inner: Pairs<Rule>) -> Option<AnalyteBridge> {
        let from = (self.decimal(inner.next()?), self.unit(inner.next()?));
        let to = (self.decimal(inner.next()?), self.unit(inner.next()?));
        Some(AnalyteBridge {
            from,
            to,
            offset: None,
        })
    }

    /// `to = B * (from - offset)`
    fn analyte_affine(&self, mut inner: Pairs<Rule>) -> Option<AnalyteBridge> {
        let to_unit = self.unit(inner.next()?);
        let factor = self.decimal(inner.next()?);
        let from_unit = self.unit(inner.next()?);
        let plus = inner.next()?.as_str() == "+";
        let mut offset = self.decimal(inner.next()?);
        if plus {
            offset.node = -offset.node;
        }
        let one = Spanned::new(Decimal::ONE, from_unit.span);
        Some(AnalyteBridge {
            from: (one, from_unit),
            to: (factor, to_unit),
            offset: Some(offset),
        })
    }

    fn record_decl(&self, pair: Pair<Rule>) -> RecordDecl {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let name = self.name_of(inner.next());
        let fields = inner.map(|f| self.field(f)).collect();
        RecordDecl { name, fields, span }
    }

    fn field(&self, pair: Pair<Rule>) -> Field {
        let span = self.span(&pair);
        let mut inner = pair.clone().into_inner();
        let name = self.key_of(inner.next(), &pair);
        let ty = self.type_of(inner.next(), span);
        let mut rest = inner.peekable();
        let analyte = rest
            .next_if(|p| p.as_rule() == Rule::analyte_of)
            .map(|p| self.name_of(p.into_inner().find(|p| p.as_rule() == Rule::name)));
        let from = rest
            .next_if(|p| p.as_rule() == Rule::series_from)
            .map(|p| self.series_from(p));
        let dated = rest
            .next_if(|p| p.as_rule() == Rule::dated_by)
            .map(|p| self.dated_by(p));
        let default = rest
            .next()
            .and_then(|d| d.into_inner().next())
            .map(|p| self.literal(p));
        Field {
            name,
            ty,
            default,
            analyte,
            dated,
            from,
            span,
        }
    }

    /// `from labs where test = "…" { value = result, … }`.
    fn series_from(&self, pair: Pair<Rule>) -> SeriesFrom {
        let mut inner = pair.into_inner();
        let list = self.name_of(inner.next());
        let key = self.name_of(inner.next());
        let accepts = inner
            .next()
            .map(|test| {
                test.into_inner()
                    .filter(|p| p.as_rule() == Rule::string)
                    .map(|p| self.string(p))
                    .collect()
            })
            .unwrap_or_default();
        let keys = inner
            .next()
            .map(|keys| {
                keys.into_inner()
                    .map(|key| {
                        let mut parts = key.into_inner();
                        (self.name_of(parts.next()), self.name_of(parts.next()))
                    })
                    .collect()
            })
            .unwrap_or_default();
        SeriesFrom {
            list,
            key,
            accepts,
            keys,
        }
    }

    fn dated_by(&self, pair: Pair<Rule>) -> DatedBy {
        let mut inner = pair.into_inner().filter(|p| p.as_rule() != Rule::dated_kw);
        let field = self.name_of(inner.next());
        DatedBy {
            field,
            complete: inner.next().is_some(),
        }
    }

    fn case_decl(&self, pair: Pair<Rule>) -> CaseDecl {
        let span = self.span(&pair);
        let mut decl = CaseDecl {
            id_key: None,
            ignore: Vec::new(),
            as_of: None,
            fields: Vec::new(),
            span,
        };
        for entry in pair.into_inner() {
            match entry.as_rule() {
                Rule::case_id => {
                    let key = entry.clone().into_inner().next();
                    decl.id_key = key.map(|k| self.key_of(Some(k), &entry));
                }
                Rule::case_ignore => {
                    let keys = entry.clone().into_inner();
                    decl.ignore
                        .extend(keys.map(|p| self.key_of(Some(p), &entry)));
                }
                Rule::case_as_of => decl.as_of = entry.into_inner().next().map(|p| self.expr(p)),
                _ => decl.fields.push(self.field(entry)),
            }
        }
        decl
    }

    // ---------- types ----------

    fn type_of(&self, pair: Option<Pair<Rule>>, fallback: Span) -> Type {
        match pair {
            Some(p) => self.type_expr(p),
            None => Type {
                kind: TypeKind::Text,
                span: fallback,
            },
        }
    }

    fn type_expr(&self, pair: Pair<Rule>) -> Type {
        let mut inner = pair.into_inner();
        let Some(atom) = inner.next() else {
            return Type {
                kind: TypeKind::Text,
                span: Span::default(),
            };
        };
        let ty = self.type_atom(atom);
        // `T??` is `T?`: an optional of an optional adds nothing.
        match inner.last() {
            Some(mark) => Type {
                span: ty.span.to(self.span(&mark)),
                kind: TypeKind::Optional(Box::new(ty)),
            },
            None => ty,
        }
    }

    fn type_atom(&self, pair: Pair<Rule>) -> Type {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let mut inner = pair.into_inner();
        let kind = match rule {
            Rule::paren_type => return self.type_of(inner.next(), span),
            Rule::bool_type => TypeKind::Bool,
            Rule::int_type => {
                let (unit, range) = self.unit_and_range(inner);
                TypeKind::Int { unit, range }
            }
            Rule::number_type => {
                let (unit, range) = self.unit_and_range(inner);
                TypeKind::Number { unit, range }
            }
            Rule::text_type => TypeKind::Text,
            Rule::date_type => TypeKind::Date,
            Rule::duration_type => TypeKind::Duration,
            Rule::list_type => TypeKind::List(Box::new(self.type_of(inner.next(), span))),
            Rule::set_type => TypeKind::Set(Box::new(self.type_of(inner.next(), span))),
            Rule::map_type => {
                let key = self.type_of(inner.next(), span);
                let value = self.type_of(inner.next(), span);
                TypeKind::Map(Box::new(key), Box::new(value))
            }
            Rule::series_type => match inner.next() {
                Some(u) => TypeKind::Series(self.unit(u)),
                None => TypeKind::Text,
            },
            Rule::history_type => {
                let record = self.name_of(inner.next());
                let roles = inner.map(|r| self.role(r)).collect();
                TypeKind::History { record, roles }
            }
            Rule::agent_type => TypeKind::Agent(openness(inner.next())),
            Rule::regimen_type => TypeKind::Regimen(openness(inner.next())),
            _ => TypeKind::Named(self.name_of(inner.next())),
        };
        Type { kind, span }
    }

    fn unit_and_range(&self, inner: Pairs<Rule>) -> (Option<Spanned<String>>, Option<RangeBounds>) {
        let (mut unit, mut range) = (None, None);
        for p in inner {
            match p.as_rule() {
                Rule::unit => unit = Some(self.unit(p)),
                _ => {
                    let mut bounds = p.into_inner();
                    if let (Some(low), Some(high)) = (bounds.next(), bounds.next()) {
                        range = Some(RangeBounds {
                            low: self.decimal(low),
                            high: self.decimal(high),
                        });
                    }
                }
            }
        }
        (unit, range)
    }

    fn role(&self, pair: Pair<Rule>) -> Role {
        let span = self.span(&pair);
        let mut inner = pair.clone().into_inner();
        let role = self.name_of(inner.next());
        let value = match inner.next().and_then(|v| v.into_inner().next()) {
            Some(v) => self.role_value(v, &pair),
            None => RoleValue::Unmapped,
        };
        let values = inner.next().map(|vals| {
            let mut parts = vals.into_inner();
            let word = parts
                .next()
                .map(|w| Spanned::new(w.as_str().to_string(), self.span(&w)))
                .unwrap_or_else(|| Spanned::new(String::new(), span));
            (word, parts.map(|n| self.name(n)).collect())
        });
        Role {
            role,
            value,
            values,
            span,
        }
    }

    fn role_value(&self, pair: Pair<Rule>, role: &Pair<Rule>) -> RoleValue {
        match pair.as_rule() {
            Rule::none_lit => RoleValue::Unmapped,
            Rule::per_agent => {
                let mut inner = pair.into_inner();
                let list = self.key_of(inner.next(), role);
                let field = self.name_of(inner.next());
                RoleValue::PerAgent { list, field }
            }
            Rule::reserved => RoleValue::Expr(Expr {
                span: self.span(&pair),
                kind: ExprKind::Name(self.key_of(Some(pair), role)),
            }),
            _ => RoleValue::Expr(self.expr(pair)),
        }
    }

    // ---------- defines, rules, reports ----------

    fn define_decl(&self, pair: Pair<Rule>) -> Define {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let head = inner.next();
        let (name, params) = match head {
            Some(h) if h.as_rule() == Rule::call_head => {
                let name = self.name_of(h.into_inner().next());
                let params = inner.next().map(|p| self.params(p)).unwrap_or_default();
                (name, params)
            }
            other => (self.name_of(other), Vec::new()),
        };
        let body = self.expr_of(inner.next(), span);
        Define {
            name,
            params,
            body,
            span,
        }
    }

    fn params(&self, pair: Pair<Rule>) -> Vec<Param> {
        pair.into_inner()
            .map(|param| {
                let span = self.span(&param);
                let mut inner = param.into_inner();
                let name = self.name_of(inner.next());
                let ty = self.type_of(inner.next(), span);
                Param { name, ty }
            })
            .collect()
    }

    fn rule_decl(&self, pair: Pair<Rule>) -> Rule_ {
        let span = self.span(&pair);
        let mut rule = super::ast::Rule {
            name: Spanned::new(String::new(), span),
            title: None,
            stop: false,
            when: Expr {
                kind: ExprKind::Bool(true),
                span,
            },
            actions: Vec::new(),
            span,
        };
        let mut seen_name = false;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::name if !seen_name => {
                    rule.name = self.name(p);
                    seen_name = true;
                }
                Rule::string => rule.title = Some(self.string(p)),
                Rule::stop_kw => rule.stop = true,
                Rule::expr => rule.when = self.expr(p),
                Rule::action => rule.actions.push(self.action(p)),
                _ => {}
            }
        }
        rule
    }

    fn section_decl(&self, pair: Pair<Rule>) -> Section {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let title = self.string_of(inner.next());
        let when = self.expr_of(inner.next(), span);
        let items = inner.filter_map(|p| self.item(p)).collect();
        Section {
            title,
            when,
            items,
            span,
        }
    }

    fn report_decl(&self, pair: Pair<Rule>) -> Report {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let name = self.name_of(inner.next());
        let value = self.expr_of(inner.next(), span);
        let only_when = inner
            .next()
            .and_then(|o| o.into_inner().next())
            .map(|e| self.expr(e));
        Report {
            name,
            value,
            only_when,
            span,
        }
    }

    fn action(&self, pair: Pair<Rule>) -> Action {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let kind = match inner.next() {
            Some(k) => self.action_kind(k),
            None => ActionKind::Missing(Spanned::new(String::new(), span)),
        };
        let modifiers = inner.map(|m| self.modifier(m)).collect();
        Action {
            kind,
            modifiers,
            span,
        }
    }

    fn action_kind(&self, pair: Pair<Rule>) -> ActionKind {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let first = pair.into_inner().next();
        match rule {
            Rule::recommend_action => ActionKind::Recommend(self.options(first, span)),
            Rule::consider_action => ActionKind::Consider(self.options(first, span)),
            Rule::avoid_action => ActionKind::Avoid(self.options(first, span)),
            Rule::include_action => ActionKind::Include(self.options(first, span)),
            Rule::order_action => ActionKind::Order(self.message(first, span)),
            Rule::refer_action => ActionKind::Refer(self.message(first, span)),
            Rule::flag_action => ActionKind::Flag(self.message(first, span)),
            Rule::missing_action => ActionKind::Missing(self.string_of(first)),
            _ => ActionKind::Status(self.name_of(first)),
        }
    }

    fn options(&self, pair: Option<Pair<Rule>>, span: Span) -> Options {
        let Some(which) = pair.and_then(|p| p.into_inner().next()) else {
            return Options::List(Vec::new());
        };
        match which.as_rule() {
            Rule::each_options => match which.into_inner().next() {
                Some(body) => Options::Each(Box::new(self.comprehension_body(body))),
                None => Options::List(Vec::new()),
            },
            Rule::components_options => Options::Components(
                which
                    .into_inner()
                    .flat_map(|l| l.into_inner())
                    .map(|n| self.name(n))
                    .collect(),
            ),
            _ => {
                let names: Vec<Name> = which.into_inner().map(|n| self.name(n)).collect();
                if names.is_empty() {
                    self.error(Diagnostic::new(Code::S0001, span, "expected an option"));
                }
                Options::List(names)
            }
        }
    }

    fn message(&self, pair: Option<Pair<Rule>>, span: Span) -> Message {
        let mut code = None;
        let mut text = Spanned::new(String::new(), span);
        for p in pair.into_iter().flat_map(|m| m.into_inner()) {
            match p.as_rule() {
                Rule::name => code = Some(self.name(p)),
                _ => text = self.string(p),
            }
        }
        Message { code, text }
    }

    fn modifier(&self, pair: Pair<Rule>) -> Modifier {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let mut inner = pair.into_inner();
        let kind = match rule {
            Rule::rank_mod => self.rank_mod(inner.next(), span),
            Rule::unranked_mod => ModifierKind::Unranked,
            Rule::goal_mod => {
                let value = inner.next();
                match self.bare_name(value.as_ref()) {
                    Some(name) => ModifierKind::Goal(name),
                    None => ModifierKind::GoalExpr(self.expr_of(value, span)),
                }
            }
            Rule::evidence_mod => ModifierKind::Evidence(self.string_of(inner.next())),
            Rule::code_mod => ModifierKind::Code(self.name_of(inner.next())),
            Rule::because_mod => ModifierKind::Because(self.expr_of(inner.next(), span)),
            Rule::role_mod => {
                let value = inner.next();
                match self.bare_name(value.as_ref()) {
                    Some(name) => ModifierKind::Role(name),
                    None => ModifierKind::RoleExpr(self.expr_of(value, span)),
                }
            }
            Rule::note_mod => ModifierKind::Note(self.expr_of(inner.next(), span)),
            Rule::fallback_mod => ModifierKind::Fallback(self.name_of(inner.next())),
            Rule::if_mod => ModifierKind::If(self.expr_of(inner.next(), span)),
            Rule::first_mod => ModifierKind::First(
                inner
                    .filter(|c| c.as_rule() == Rule::check)
                    .map(|c| self.check(c))
                    .collect(),
            ),
            _ => ModifierKind::Cite(inner.map(|n| self.name(n)).collect()),
        };
        Modifier { kind, span }
    }

    /// `rank 2` (a whole number, written as such) or `rank E`, computed.
    fn rank_mod(&self, pair: Option<Pair<Rule>>, span: Span) -> ModifierKind {
        let literal = pair.as_ref().and_then(|p| {
            let mut inner = p.clone().into_inner();
            let quantity = inner.next().filter(|q| q.as_rule() == Rule::quantity)?;
            let mut parts = quantity.clone().into_inner();
            let number = parts.next().filter(|n| n.as_rule() == Rule::number)?;
            let whole = number.as_str().bytes().all(|b| b.is_ascii_digit());
            (inner.next().is_none() && parts.next().is_none() && whole).then_some(number)
        });
        match literal {
            Some(n) => ModifierKind::Rank(self.int_of(Some(n), span)),
            None => ModifierKind::RankExpr(self.expr_of(pair, span)),
        }
    }

    /// The bare name an expression is (`goal curative`), if it is one.
    fn bare_name(&self, pair: Option<&Pair<Rule>>) -> Option<Name> {
        let mut inner = pair?.clone().into_inner();
        let first = inner.next().filter(|n| n.as_rule() == Rule::name)?;
        inner.next().is_none().then(|| self.name(first))
    }

    /// One ordered check: `E code R [because E]`.
    fn check(&self, pair: Pair<Rule>) -> Check {
        let span = self.span(&pair);
        let mut check = Check {
            when: Expr {
                kind: ExprKind::Invalid,
                span,
            },
            code: Name::new(String::new(), span),
            because: None,
            span,
        };
        for p in pair.into_inner() {
            let at = self.span(&p);
            match p.as_rule() {
                Rule::expr => check.when = self.expr(p),
                Rule::code_mod => check.code = self.name_of(p.into_inner().next()),
                _ => check.because = Some(self.expr_of(p.into_inner().next(), at)),
            }
        }
        check
    }

    // ---------- tests ----------

    fn test_decl(&self, pair: Pair<Rule>) -> Test {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let mut test = Test {
            name: self.string_of(inner.next()),
            source: TestCase::None,
            as_of: None,
            expectations: Vec::new(),
            span,
        };
        for p in inner {
            self.test_entry(&mut test, p);
        }
        test
    }

    fn test_entry(&self, test: &mut Test, pair: Pair<Rule>) {
        let rule = pair.as_rule();
        match rule {
            Rule::test_from => {
                let mut inner = pair.into_inner();
                let file = self.string_of(inner.next());
                let case = self.string_of(inner.next());
                test.source = TestCase::From { file, case };
            }
            Rule::test_as_of => test.as_of = pair.into_inner().next().and_then(|d| self.date(d)),
            Rule::test_given => {
                if let Some(json) = pair.into_inner().next() {
                    test.source =
                        TestCase::Given(Spanned::new(json.as_str().to_string(), self.span(&json)));
                }
            }
            _ => test.expectations.push(self.expectation(pair)),
        }
    }

    fn expectation(&self, pair: Pair<Rule>) -> Expectation {
        let span = self.span(&pair);
        let mut negated = false;
        let mut kind = ExpectKind::Missing(Spanned::new(String::new(), span));
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::negation => negated = true,
                _ => kind = self.expect_kind(p, span),
            }
        }
        Expectation {
            kind,
            negated,
            span,
        }
    }

    fn expect_kind(&self, pair: Pair<Rule>, span: Span) -> ExpectKind {
        let rule = pair.as_rule();
        let mut inner = pair.into_inner();
        let first = inner.next();
        let second = inner.next();
        match rule {
            Rule::expect_status => ExpectKind::Status(self.name_of(first)),
            Rule::expect_recommend => ExpectKind::Recommend(
                self.name_of(first),
                self.offered(second.into_iter().chain(inner), span),
            ),
            Rule::expect_consider => ExpectKind::Consider(
                self.name_of(first),
                self.offered(second.into_iter().chain(inner), span),
            ),
            Rule::expect_avoid => {
                ExpectKind::Avoid(self.name_of(first), second.map(|c| self.name(c)))
            }
            Rule::expect_include => ExpectKind::Include(self.name_of(first)),
            Rule::expect_pending => ExpectKind::Pending(self.name_of(first)),
            Rule::expect_missing => ExpectKind::Missing(self.string_of(first)),
            Rule::expect_order => ExpectKind::Order(self.code_or_text(first, span)),
            Rule::expect_refer => ExpectKind::Refer(self.code_or_text(first, span)),
            Rule::expect_flag => ExpectKind::Flag(self.code_or_text(first, span)),
            _ => ExpectKind::Report(self.name_of(first), self.expr_of(second, span)),
        }
    }

    fn code_or_text(&self, pair: Option<Pair<Rule>>, span: Span) -> Spanned<String> {
        match pair.and_then(|p| p.into_inner().next()) {
            Some(p) if p.as_rule() == Rule::string => self.string(p),
            Some(p) => self.name(p),
            None => Spanned::new(String::new(), span),
        }
    }

    // ---------- leaves ----------

    fn name_of(&self, pair: Option<Pair<Rule>>) -> Name {
        match pair {
            Some(p) => self.name(p),
            None => Spanned::new(String::new(), Span::default()),
        }
    }

    /// The name of a field or JSON key declared in `context`. A reserved word
    /// there is read as the name and reported (S0001) with its backticked fix.
    fn key_of(&self, pair: Option<Pair<Rule>>, context: &Pair<Rule>) -> Name {
        if let Some(word) = pair.as_ref().filter(|p| p.as_rule() == Rule::reserved) {
            self.error(
                Diagnostic::new(
                    Code::S0001,
                    self.span(word),
                    format!("`{}` is a reserved word", word.as_str()),
                )
                .label("a reserved word cannot name a field")
                .note("a field keeps its JSON key; backticks make any word a name")
                .help(format!(
                    "write it in backticks: `` {} ``",
                    backticked_in(context, word)
                )),
            );
        }
        self.name_of(pair)
    }

    /// A `name` or `field_name`: backticks removed.
    fn name(&self, pair: Pair<Rule>) -> Name {
        let span = self.span(&pair);
        let text = pair.as_str();
        let text = text
            .strip_prefix('`')
            .and_then(|t| t.strip_suffix('`'))
            .unwrap_or(text);
        Spanned::new(text.to_string(), span)
    }

    /// The `rank N`, `role "…"` and `note "…"` after `expect recommend X`.
    fn offered<'i>(&self, details: impl Iterator<Item = Pair<'i, Rule>>, span: Span) -> Offered {
        let mut offered = Offered::default();
        for detail in details {
            match detail.as_rule() {
                Rule::expect_role => {
                    offered.role = Some(self.string_of(detail.into_inner().next()))
                }
                Rule::expect_note => {
                    offered.note = Some(self.string_of(detail.into_inner().next()))
                }
                _ => offered.rank = Some(self.int_of(Some(detail), span)),
            }
        }
        offered
    }

    fn string_of(&self, pair: Option<Pair<Rule>>) -> Spanned<String> {
        match pair {
            Some(p) => self.string(p),
            None => Spanned::new(String::new(), Span::default()),
        }
    }

    fn string(&self, pair: Pair<Rule>) -> Spanned<String> {
        let span = self.span(&pair);
        let raw = pair
            .into_inner()
            .next()
            .map(|p| p.as_str())
            .unwrap_or_default();
        Spanned::new(unescape(raw), span)
    }

    fn unit(&self, pair: Pair<Rule>) -> Spanned<String> {
        let span = self.span(&pair);
        let text = pair.as_str().trim();
        let text = text
            .strip_prefix('`')
            .and_then(|t| t.strip_suffix('`'))
            .unwrap_or(text);
        let words: Vec<&str> = text.split_whitespace().collect();
        Spanned::new(words.join(" "), span)
    }

    fn decimal(&self, pair: Pair<Rule>) -> Spanned<Decimal> {
        let span = self.span(&pair);
        Spanned::new(self.decimal_text(pair.as_str(), span), span)
    }

    fn decimal_text(&self, text: &str, span: Span) -> Decimal {
        match number::exact_decimal(text) {
            Ok(d) => d,
            Err(problem) => {
                self.error(number_error(text, span, problem));
                Decimal::ZERO
            }
        }
    }

    fn int_of(&self, pair: Option<Pair<Rule>>, span: Span) -> Spanned<u32> {
        let Some(p) = pair else {
            return Spanned::new(0, span);
        };
        let span = self.span(&p);
        match p.as_str().parse::<u32>() {
            Ok(n) => Spanned::new(n, span),
            Err(_) => {
                self.error(
                    Diagnostic::new(Code::S0005, span, "this number is too large for a rank")
                        .label("too large")
                        .note(format!("ranks go up to {}", u32::MAX)),
                );
                Spanned::new(u32::MAX, span)
            }
        }
    }

    /// A date literal. One that names no real day is reported (S0004) and
    /// kept as written, so that nothing else complains about it.
    fn date(&self, pair: Pair<Rule>) -> Option<Spanned<Date>> {
        let span = self.span(&pair);
        if let Some(date) = parse_date(pair.as_str()) {
            return Some(Spanned::new(date, span));
        }
        self.error(
            Diagnostic::new(
                Code::S0004,
                span,
                format!("`{}` is not a calendar date", pair.as_str()),
            )
            .label("no such day")
            .help("dates are written YYYY-MM-DD with a real month and day"),
        );
        Some(Spanned::new(date_as_written(pair.as_str())?, span))
    }

    fn literal(&self, pair: Pair<Rule>) -> Expr {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            Rule::none_lit => ExprKind::NoneLit,
            Rule::true_lit => ExprKind::Bool(true),
            Rule::false_lit => ExprKind::Bool(false),
            Rule::date => match self.date(pair) {
                Some(d) => ExprKind::Date(d.node),
                None => ExprKind::Invalid,
            },
            Rule::string => ExprKind::Text(self.string(pair).node),
            Rule::quantity => return self.quantity(pair),
            _ => ExprKind::Number {
                value: self.decimal_text(pair.as_str(), span),
                unit: None,
            },
        };
        Expr { kind, span }
    }
}

/// S0005 for a number literal that cannot be held exactly; one with too many
/// digits gets the nearest number that fits as its fix.
fn number_error(text: &str, span: Span, problem: number::NumberProblem) -> Diagnostic {
    use number::{NumberProblem, MAX_DIGITS};
    let fits = format!("at most {MAX_DIGITS} fit in an exact decimal");
    match problem {
        NumberProblem::Digits(n) => {
            let diag = Diagnostic::new(Code::S0005, span, format!("`{text}` has {n} significant digits"))
                .label(fits)
                .note("significant digits run from the first to the last non-zero digit: `0.0050` has 2, `1000` has 1");
            match number::nearest(text) {
                Some(near) => diag.help(format!("the nearest number that fits is `{near}`")),
                None => diag,
            }
        }
        NumberProblem::Places(n) => {
            Diagnostic::new(Code::S0005, span, format!("`{text}` has {n} decimal places"))
                .label(fits)
                .note("zeros that end the fraction do not count; the smallest step is 0.0000000000000000000000000001")
        }
        NumberProblem::TooLarge => {
            Diagnostic::new(Code::S0005, span, format!("`{text}` is too large"))
                .label("too large for an exact decimal")
                .note(format!(
                    "exact decimals stop at {} (about 7.9 × 10^28)",
                    Decimal::MAX
                ))
        }
    }
}

/// The AST's rule type, renamed here because pest's `Rule` enum shares the name.
type Rule_ = super::ast::Rule;

fn openness(pair: Option<Pair<Rule>>) -> Openness {
    match pair.map(|p| p.into_inner().next().is_some()) {
        None => Openness::Closed,
        Some(true) => Openness::OpenOther,
        Some(false) => Openness::Open,
    }
}

/// Reads `YYYY-MM-DD` into a [`Date`] if it names a real calendar day.
pub fn parse_date(text: &str) -> Option<Date> {
    let date = jiff::civil::Date::from_str(text).ok()?;
    Some(Date {
        year: date.year(),
        month: date.month(),
        day: date.day(),
    })
}

/// The parts of a `YYYY-MM-DD` literal, whether or not the day exists.
fn date_as_written(text: &str) -> Option<Date> {
    let mut parts = text.splitn(3, '-').map(str::parse::<i16>);
    let (Some(Ok(year)), Some(Ok(month)), Some(Ok(day))) =
        (parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    Some(Date {
        year,
        month: i8::try_from(month).ok()?,
        day: i8::try_from(day).ok()?,
    })
}

/// The longest line a fix quotes in full.
const FIX_WIDTH: usize = 60;

/// The first line of `context` with `word` in backticks (`` `unit`: text ``),
/// or only the backticked word when that line is long or does not hold it.
fn backticked_in(context: &Pair<Rule>, word: &Pair<Rule>) -> String {
    let ticked = format!("`{}`", word.as_str());
    let line = context.as_str().lines().next().unwrap_or("");
    let line = without_comment(line).trim_end();
    let at = word
        .as_span()
        .start()
        .saturating_sub(context.as_span().start());
    let end = at + word.as_str().len();
    match (line.get(..at), line.get(end..)) {
        (Some(before), Some(after)) if line.chars().count() <= FIX_WIDTH => {
            format!("{before}{ticked}{after}")
        }
        _ => ticked,
    }
}

/// `line` up to a `//` comment that is not inside a quoted text or backticks.
fn without_comment(line: &str) -> &str {
    let mut quote = None;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (Some('"'), '\\') if !escaped => {
                escaped = true;
                continue;
            }
            (Some(q), _) if c == q && !escaped => quote = None,
            (None, '"' | '`') => quote = Some(c),
            (None, '/') if line.get(i + 1..i + 2) == Some("/") => {
                return line.get(..i).unwrap_or(line)
            }
            _ => {}
        }
        escaped = false;
    }
    line
}

fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

#[path = "parse_expr.rs"]
mod parse_expr;
