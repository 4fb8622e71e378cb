//! Lowering a checked program to the compiled form of [`super::ir`].
//!
//! The checker records how it resolved each name where it typed it (a
//! bound variable, a case field, a define, a builtin, the enum value its
//! context wanted, a vocabulary name) and the record each `e.field` reads;
//! lowering turns those records into slots, indices and constants. Bound
//! variables get their slots from the binding forms themselves, which the
//! evaluator pushes in the same order. A name the checker did not record is
//! a defect of the project, reported as an internal error of compilation,
//! never left for the evaluator to guess.

use super::ir::{self, Const, EnumId, OptionName, Slot, TargetName, VocabId};
use super::schema::FieldSchema;
use crate::span::{FileId, Name, Span};
use crate::syntax::ast;
use crate::units::UnitTable;
use std::collections::{BTreeMap, HashMap};

/// How the checker resolved a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// A bound variable or parameter.
    Local,
    /// A field of the case.
    CaseField,
    /// A define without parameters.
    Define,
    /// `as_of`
    AsOf,
    /// `line`
    LineNumber,
    /// `candidates`
    Candidates,
    /// A value of this enum.
    Enum(String),
    /// A declared agent, regimen, class or tag.
    Vocab,
    /// `e.field` on a value of this record type.
    Field(String),
    /// `p.date`, `p.value` or `p.comparator` on a point of a series.
    PointField,
    /// `L in {X, Y}` on a history line: `L is {X, Y}` (recorded at the
    /// place of the whole `in`).
    LineMembership,
}

/// A place in the sources, as a map key (spans compare equal regardless of place).
type Place = (FileId, u32, u32);

fn place(span: Span) -> Place {
    (span.file, span.start, span.end)
}

/// Every resolution the checker made, by the place of the name.
#[derive(Debug, Default, Clone)]
pub struct Resolutions {
    names: HashMap<Place, Resolved>,
    fields: HashMap<Place, String>,
}

impl Resolutions {
    /// Records how the name at `span` resolved.
    pub(super) fn record(&mut self, span: Span, resolved: Resolved) {
        match resolved {
            Resolved::Field(record) => {
                self.fields.insert(place(span), record);
            }
            other => {
                self.names.insert(place(span), other);
            }
        }
    }

    fn name(&self, span: Span) -> Option<&Resolved> {
        self.names.get(&place(span))
    }

    fn field_record(&self, span: Span) -> Option<&str> {
        self.fields.get(&place(span)).map(String::as_str)
    }
}

/// A construct lowering could not compile: a defect of the project (the
/// checker accepted something it did not resolve).
#[derive(Debug, Clone, PartialEq)]
pub struct LowerError {
    /// What is wrong.
    pub message: String,
    /// Where.
    pub span: Span,
}

/// What lowering reads besides the checker's resolutions: the program's
/// declarations, by name.
pub struct Declarations<'a> {
    /// The case's fields, in schema order.
    pub case: &'a [FieldSchema],
    /// Each record's fields, in schema order.
    pub records: &'a HashMap<String, Vec<FieldSchema>>,
    /// The history field, if the case has one.
    pub history_field: Option<&'a str>,
    /// Each define's index.
    pub defines: &'a HashMap<String, usize>,
    /// Each rule's index.
    pub rules: &'a HashMap<String, usize>,
    /// Each enum's id and values, in order.
    pub enums: &'a HashMap<String, (EnumId, Vec<String>)>,
    /// Each agent, regimen, class and tag's id.
    pub vocab: &'a HashMap<String, VocabId>,
    /// Citation texts by key.
    pub citations: &'a BTreeMap<String, String>,
    /// The unit table with the protocol's own units.
    pub units: &'a UnitTable,
}

/// Lowers expressions, keeping the bound variables in scope.
pub struct Lowering<'a> {
    resolved: &'a Resolutions,
    decls: Declarations<'a>,
    scope: Vec<String>,
    memos: usize,
}

type Lowered<T> = Result<T, LowerError>;

fn defect(span: Span, message: impl Into<String>) -> LowerError {
    LowerError {
        message: message.into(),
        span,
    }
}

impl<'a> Lowering<'a> {
    /// A lowering of the checked program's expressions.
    pub fn new(resolved: &'a Resolutions, decls: Declarations<'a>) -> Lowering<'a> {
        Lowering {
            resolved,
            decls,
            scope: Vec::new(),
            memos: 0,
        }
    }

    /// How many values a case keeps (history predicates that depend on the
    /// case alone), once everything is lowered.
    pub fn memos(&self) -> usize {
        self.memos
    }

    fn memo(&mut self) -> usize {
        self.memos += 1;
        self.memos - 1
    }

    /// An expression with nothing bound (a rule's condition, a report).
    pub fn top(&mut self, e: &ast::Expr) -> Lowered<ir::Expr> {
        self.framed(Vec::new(), |l| l.expr(e))
    }

    /// A define: its parameters are slots `0..n`.
    pub fn define(&mut self, d: &ast::Define, reads_decision: bool) -> Lowered<ir::Define> {
        let params: Vec<String> = d.params.iter().map(|p| p.name.node.clone()).collect();
        let count = params.len();
        let body = self.framed(params, |l| l.expr(&d.body))?;
        Ok(ir::Define {
            name: d.name.node.clone(),
            body,
            params: count,
            reads_decision,
        })
    }

    /// A history role read from a line's record: the record's fields are
    /// slots in schema order.
    pub fn role(&mut self, record: &str, e: &ast::Expr) -> Lowered<ir::Expr> {
        let fields = self
            .decls
            .records
            .get(record)
            .map(|fields| fields.iter().map(|f| f.name.clone()).collect())
            .ok_or_else(|| defect(e.span, format!("record `{record}` has no schema")))?;
        self.framed(fields, |l| l.expr(e))
    }

    /// A record field's position in its schema.
    pub fn field_slot(&self, record: &str, field: &str) -> Option<usize> {
        let fields = self.decls.records.get(record)?;
        fields.iter().position(|f| f.name == field)
    }

    /// A rule with its section guards.
    pub fn rule(
        &mut self,
        rule: &ast::Rule,
        guards: &[ast::Expr],
        at: String,
        stratum: u32,
    ) -> Lowered<ir::Rule> {
        let guards = guards.iter().map(|g| self.top(g)).collect::<Lowered<_>>()?;
        let when = self.top(&rule.when)?;
        let actions = rule
            .actions
            .iter()
            .map(|a| self.framed(Vec::new(), |l| l.action(a)))
            .collect::<Lowered<_>>()?;
        Ok(ir::Rule {
            name: rule.name.node.clone(),
            stop: rule.stop,
            guards,
            when,
            actions,
            at,
            stratum,
        })
    }

    /// A report.
    pub fn report(&mut self, r: &ast::Report) -> Lowered<ir::Report> {
        Ok(ir::Report {
            name: r.name.node.clone(),
            only_when: r.only_when.as_ref().map(|c| self.top(c)).transpose()?,
            value: self.top(&r.value)?,
        })
    }

    fn framed<T>(
        &mut self,
        frame: Vec<String>,
        body: impl FnOnce(&mut Self) -> Lowered<T>,
    ) -> Lowered<T> {
        let saved = std::mem::replace(&mut self.scope, frame);
        let result = body(self);
        self.scope = saved;
        result
    }

    fn bound<T>(&mut self, var: &str, body: impl FnOnce(&mut Self) -> Lowered<T>) -> Lowered<T> {
        self.scope.push(var.to_string());
        let result = body(self);
        self.scope.pop();
        result
    }

    fn local(&self, name: &str) -> Option<Slot> {
        self.scope.iter().rposition(|n| n == name)
    }

    fn boxed(&mut self, e: &ast::Expr) -> Lowered<Box<ir::Expr>> {
        self.expr(e).map(Box::new)
    }

    fn value_test(&mut self, test: &ast::ValueTest) -> Lowered<ir::ValueTest> {
        Ok(ir::ValueTest {
            series: self.expr(&test.series)?,
            op: test.op,
            threshold: self.expr(&test.threshold)?,
        })
    }

    fn all(&mut self, items: &[ast::Expr]) -> Lowered<Vec<ir::Expr>> {
        items.iter().map(|i| self.expr(i)).collect()
    }

    /// An expression in the current scope.
    pub fn expr(&mut self, e: &ast::Expr) -> Lowered<ir::Expr> {
        use ast::ExprKind as A;
        use ir::ExprKind as K;
        let kind = match &e.kind {
            A::Name(name) => self.name(name)?,
            A::Bool(b) => K::Const(Const::Bool(*b)),
            A::NoneLit => K::Const(Const::None),
            A::Number { value, unit } => K::Const(Const::Num(*value, self.unit(unit)?)),
            A::Text(t) => K::Const(Const::Text(t.clone())),
            A::Date(d) => K::Const(Const::Date(
                jiff::civil::Date::new(d.year, d.month, d.day)
                    .map_err(|_| defect(e.span, "a date the checker accepted is not a date"))?,
            )),
            A::Set(items) | A::List(items) => K::Collection(self.all(items)?),
            A::Group(inner) => return self.expr(inner),
            A::Not(inner) => K::Not(self.boxed(inner)?),
            A::Neg(inner) => K::Neg(self.boxed(inner)?),
            A::Binary(op @ (ast::BinOp::In | ast::BinOp::NotIn), l, r)
                if self.resolved.name(e.span) == Some(&Resolved::LineMembership) =>
            {
                let Some(found) = super::is_test::LineSet::of(r) else {
                    return Err(defect(r.span, "a line's `in` needs a set of names"));
                };
                let names = found.names.into_iter().map(|n| self.is_name(n));
                let mut tests = names.collect::<Lowered<Vec<_>>>()?;
                if !found.sets.is_empty() {
                    let sets = found.sets.into_iter().map(|set| self.vocab_set(set));
                    tests.push(ir::IsTest::InSets(sets.collect::<Lowered<_>>()?));
                }
                let test = ir::IsTest::AnyOf(tests);
                K::Is(self.boxed(l)?, *op == ast::BinOp::NotIn, test)
            }
            A::Binary(op, l, r) => K::Binary(*op, self.boxed(l)?, self.boxed(r)?),
            A::DoubleEq(l, r) => K::Binary(ast::BinOp::Eq, self.boxed(l)?, self.boxed(r)?),
            A::Is(inner, negated, test) => K::Is(self.boxed(inner)?, *negated, self.is_test(test)?),
            A::MissingAs(inner, name) => K::MissingAs(self.boxed(inner)?, name.node.clone()),
            A::UnknownAs(name) => K::NamedUnknown(name.node.clone()),
            A::Let { name, value, body } => {
                let value = self.boxed(value)?;
                K::Let(value, self.bound(&name.node, |l| l.boxed(body))?)
            }
            A::Field(inner, field) if self.is_point_field(field) => {
                K::PointField(self.boxed(inner)?, point_field(field)?)
            }
            A::Field(inner, field) => K::Field(self.boxed(inner)?, self.field(field)?),
            A::Index(inner, key) => K::Index(self.boxed(inner)?, self.boxed(key)?),
            A::Call(name, args) => self.call(name, args)?,
            A::If(c, t, f) => K::If(self.boxed(c)?, self.boxed(t)?, self.boxed(f)?),
            A::Match(arms, other) => {
                let arms = arms
                    .iter()
                    .map(|(g, v)| Ok((self.expr(g)?, self.expr(v)?)))
                    .collect::<Lowered<_>>()?;
                K::Match(arms, self.boxed(other)?)
            }
            A::History {
                pred,
                target,
                within,
            } => {
                let target = self.target(target)?;
                let within = within.as_deref().map(|w| self.boxed(w)).transpose()?;
                let constant = within
                    .as_deref()
                    .is_none_or(|w| matches!(w.kind, K::Const(_)));
                let by_case = constant && !target.reads_local();
                K::History {
                    pred: *pred,
                    target,
                    within,
                    memo: by_case.then(|| self.memo()),
                }
            }
            A::DateOf(part, inner) => K::DateOf(*part, self.boxed(inner)?),
            A::LastLine => K::LastLine,
            A::PriorLines => K::PriorLines,
            A::Series {
                read,
                series,
                within,
            } => {
                let series = self.boxed(series)?;
                match (read, &series.kind, within) {
                    (
                        ast::SeriesRead::Latest | ast::SeriesRead::Earliest,
                        K::DatedList { .. },
                        None,
                    ) => {
                        let latest = *read == ast::SeriesRead::Latest;
                        K::Pick(Box::new(self.pick(latest, &series, None)?))
                    }
                    _ => K::Series {
                        read: *read,
                        series,
                        within: within.as_deref().map(|w| self.boxed(w)).transpose()?,
                    },
                }
            }
            A::Pick { latest, binding } => {
                let source = self.expr(&binding.source)?;
                let filter = match &binding.filter {
                    Some(f) => Some(self.bound(&binding.var.node, |l| l.expr(f))?),
                    None => None,
                };
                K::Pick(Box::new(self.pick(*latest, &source, filter)?))
            }
            A::SeriesPart(series, part) => {
                K::SeriesPart(self.boxed(series)?, self.series_part(part)?)
            }
            A::NadirChange(change, series) => K::NadirChange(*change, self.boxed(series)?),
            A::Trend(series, trend, count) => {
                K::Trend(self.boxed(series)?, *trend, self.boxed(count)?)
            }
            A::Consecutive { count, test, apart } => K::Consecutive {
                count: self.boxed(count)?,
                test: Box::new(self.value_test(test)?),
                apart: apart.as_deref().map(|d| self.boxed(d)).transpose()?,
            },
            A::Run(test) => K::Run(Box::new(self.value_test(test)?)),
            A::DoublingTime(series) => K::DoublingTime(self.boxed(series)?),
            A::Quantified(q, comp) => K::Quantified(*q, Box::new(self.binding(comp)?)),
            A::Aggregate {
                agg,
                projection,
                over,
            } => self.aggregate(*agg, projection.as_deref(), over)?,
            A::Comprehension(comp) => K::Comprehension(Box::new(self.binding(comp)?)),
            A::Projection {
                set,
                value,
                binding,
            } => K::Projection {
                set: *set,
                value: self.bound(&binding.var.node, |l| l.boxed(value))?,
                binding: Box::new(self.binding(binding)?),
            },
            A::Sorted {
                over,
                key,
                descending,
            } => {
                let (over, key) = self.over(over, key.as_deref())?;
                let descending = *descending;
                K::Sorted {
                    over,
                    key,
                    descending,
                }
            }
            A::Distinct(source) => K::Distinct(self.boxed(source)?),
            A::Neighbour { next, member, list } => K::Neighbour {
                next: *next,
                member: self.boxed(member)?,
                list: self.boxed(list)?,
            },
            A::Vocab(set) => K::Vocab(self.vocab_set(set)?),
            A::YearsFrom(a, b) => K::YearsFrom(self.boxed(a)?, self.boxed(b)?),
            A::MonthsFrom(a, b) => K::MonthsFrom(self.boxed(a)?, self.boxed(b)?),
            A::InUnit(inner, unit) => {
                let one = Const::Num(rust_decimal::Decimal::ONE, self.unit(&Some(unit.clone()))?);
                let one = ir::Expr {
                    kind: K::Const(one),
                    span: unit.span,
                };
                K::Binary(ast::BinOp::Mul, self.boxed(inner)?, Box::new(one))
            }
            A::Decision(r) => K::Decision(self.decision_ref(r, e.span)?),
            A::Invalid => return Err(defect(e.span, "text that could not be read was checked")),
        };
        Ok(ir::Expr { kind, span: e.span })
    }

    fn name(&mut self, name: &Name) -> Lowered<ir::ExprKind> {
        use ir::ExprKind as K;
        let unresolved = || defect(name.span, format!("`{}` was not resolved", name.node));
        let resolved = self.resolved.name(name.span).ok_or_else(unresolved)?;
        Ok(match resolved {
            Resolved::Local => K::Local(self.local(&name.node).ok_or_else(unresolved)?),
            Resolved::CaseField if self.decls.history_field == Some(name.node.as_str()) => {
                K::PriorLines
            }
            Resolved::CaseField => {
                let (field, schema) = self
                    .decls
                    .case
                    .iter()
                    .enumerate()
                    .find(|(_, f)| f.name == name.node)
                    .ok_or_else(unresolved)?;
                match schema.dated {
                    Some(dated) => K::DatedList {
                        field,
                        date: dated.field,
                    },
                    None => K::CaseField(field),
                }
            }
            Resolved::Define => K::Define(self.define_index(name)?, Vec::new()),
            Resolved::AsOf => K::AsOf,
            Resolved::LineNumber => K::LineNumber,
            Resolved::Candidates => K::Candidates,
            Resolved::Enum(_) => {
                let (ty, index) = self.enum_value(name)?;
                K::Const(Const::Enum { ty, index })
            }
            Resolved::Vocab => K::Const(Const::Vocab(self.vocab_id(name)?)),
            Resolved::Field(_) | Resolved::PointField | Resolved::LineMembership => {
                return Err(unresolved())
            }
        })
    }

    fn unit(
        &self,
        unit: &Option<crate::span::Spanned<String>>,
    ) -> Lowered<Option<crate::units::Unit>> {
        let Some(u) = unit else { return Ok(None) };
        match self.decls.units.lookup(&u.node) {
            Some(found) => Ok(Some(found)),
            None => Err(defect(
                u.span,
                format!("unit `{}` is not in the table", u.node),
            )),
        }
    }

    /// Whether the checker typed `field` as a field of a series point.
    fn is_point_field(&self, field: &Name) -> bool {
        self.resolved.name(field.span) == Some(&Resolved::PointField)
    }

    fn series_part(&mut self, part: &ast::SeriesPart) -> Lowered<ir::SeriesPart> {
        use ast::SeriesPart as A;
        use ir::SeriesPart as K;
        Ok(match part {
            A::Since(d) => K::Since(self.boxed(d)?),
            A::Before(d) => K::Before(self.boxed(d)?),
            A::OnOrBefore(d) => K::OnOrBefore(self.boxed(d)?),
            A::Between(a, b) => K::Between(self.boxed(a)?, self.boxed(b)?),
        })
    }

    fn field(&self, field: &Name) -> Lowered<usize> {
        let record = self.resolved.field_record(field.span).ok_or_else(|| {
            defect(
                field.span,
                format!("field `{}` was not resolved", field.node),
            )
        })?;
        self.field_slot(record, &field.node).ok_or_else(|| {
            defect(
                field.span,
                format!("record `{record}` has no field `{}`", field.node),
            )
        })
    }

    /// A call of a define, else of the built-in function of that name (the
    /// checker resolved it the same way).
    fn call(&mut self, name: &Name, args: &[ast::Expr]) -> Lowered<ir::ExprKind> {
        if self.decls.defines.contains_key(&name.node) {
            return Ok(ir::ExprKind::Define(
                self.define_index(name)?,
                self.all(args)?,
            ));
        }
        let function = super::functions::function_of(&name.node, args);
        match (function, args.first()) {
            (Some(f), Some(x)) => Ok(ir::ExprKind::Function(f, self.boxed(x)?)),
            _ => Err(defect(
                name.span,
                format!("`{}` is not compiled", name.node),
            )),
        }
    }

    fn define_index(&self, name: &Name) -> Lowered<usize> {
        self.decls
            .defines
            .get(&name.node)
            .copied()
            .ok_or_else(|| defect(name.span, format!("define `{}` is not compiled", name.node)))
    }

    fn vocab_id(&self, name: &Name) -> Lowered<VocabId> {
        self.decls.vocab.get(&name.node).copied().ok_or_else(|| {
            defect(
                name.span,
                format!("`{}` is not in the vocabulary", name.node),
            )
        })
    }

    fn target(&self, target: &ast::HistoryTarget) -> Lowered<ir::Target> {
        let one = |n: &Name| match self.local(&n.node) {
            Some(slot) => Ok(TargetName::Local(slot)),
            None => self.vocab_id(n).map(TargetName::Vocab),
        };
        Ok(match target {
            ast::HistoryTarget::LastLine => ir::Target::LastLine,
            ast::HistoryTarget::Name(n) => ir::Target::Names(vec![one(n)?], n.node.clone()),
            ast::HistoryTarget::Set(names) => {
                let words: Vec<&str> = names.iter().map(|n| n.node.as_str()).collect();
                ir::Target::Names(
                    names.iter().map(one).collect::<Lowered<_>>()?,
                    format!("{{{}}}", words.join(", ")),
                )
            }
        })
    }

    fn option(&self, name: &Name) -> Lowered<OptionName> {
        Ok(match self.local(&name.node) {
            Some(slot) => OptionName::Local(slot),
            None => OptionName::Named(self.vocab_id(name)?),
        })
    }

    fn options(&self, names: &[Name]) -> Lowered<Vec<OptionName>> {
        names.iter().map(|n| self.option(n)).collect()
    }

    /// A pick over `source`, which the checker made sure is a dated list.
    fn pick(&self, latest: bool, source: &ir::Expr, filter: Option<ir::Expr>) -> Lowered<ir::Pick> {
        let ir::ExprKind::DatedList { field, date } = source.kind else {
            return Err(defect(
                source.span,
                "`latest` over a list that is not dated",
            ));
        };
        let complete = self
            .decls
            .case
            .get(field)
            .and_then(|f| f.dated)
            .is_some_and(|d| d.complete);
        Ok(ir::Pick {
            latest,
            field,
            date,
            complete,
            filter,
        })
    }

    fn binding(&mut self, comp: &ast::Comprehension) -> Lowered<ir::Binding> {
        let source = self.expr(&comp.source)?;
        let filter = match &comp.filter {
            Some(f) => Some(self.bound(&comp.var.node, |l| l.expr(f))?),
            None => None,
        };
        Ok(ir::Binding { source, filter })
    }

    fn aggregate(
        &mut self,
        agg: ast::Aggregate,
        projection: Option<&ast::Expr>,
        over: &ast::AggregateOver,
    ) -> Lowered<ir::ExprKind> {
        let (over, projection) = self.over(over, projection)?;
        Ok(ir::ExprKind::Aggregate {
            agg,
            projection,
            over,
        })
    }

    /// What an aggregate or a sort ranges over, and the expression it
    /// evaluates with the member bound (a projection, a sort key).
    fn over(
        &mut self,
        over: &ast::AggregateOver,
        each: Option<&ast::Expr>,
    ) -> Lowered<(ir::Over, Option<Box<ir::Expr>>)> {
        Ok(match over {
            ast::AggregateOver::Collection(source) => {
                let each = each.map(|p| self.boxed(p)).transpose()?;
                (ir::Over::Collection(self.boxed(source)?), each)
            }
            ast::AggregateOver::Binding(comp) => {
                let binding = self.binding(comp)?;
                let each = match each {
                    Some(p) => Some(self.bound(&comp.var.node, |l| l.boxed(p))?),
                    None => None,
                };
                (ir::Over::Binding(Box::new(binding)), each)
            }
        })
    }

    fn decision_ref(&self, r: &ast::DecisionRef, span: Span) -> Lowered<ir::DecisionRef> {
        Ok(match r {
            ast::DecisionRef::Recommended(x) => ir::DecisionRef::Recommended(self.option(x)?),
            ast::DecisionRef::Pending(x) => ir::DecisionRef::Pending(self.option(x)?),
            ast::DecisionRef::Avoided(x) => ir::DecisionRef::Avoided(self.option(x)?),
            ast::DecisionRef::Fired(rule) => {
                ir::DecisionRef::Fired(
                    self.decls.rules.get(&rule.node).copied().ok_or_else(|| {
                        defect(span, format!("rule `{}` is not compiled", rule.node))
                    })?,
                )
            }
        })
    }

    fn action(&mut self, action: &ast::Action) -> Lowered<ir::Action> {
        use ast::ActionKind as A;
        use ir::ActionKind as K;
        let message =
            |m: &ast::Message| Some((m.code.as_ref().map(|c| c.node.clone()), m.text.node.clone()));
        let (kind, options, message) = match &action.kind {
            A::Recommend(o) => (K::Recommend, Some(o), None),
            A::Consider(o) => (K::Consider, Some(o), None),
            A::Avoid(o) => (K::Avoid, Some(o), None),
            A::Include(o) => (K::Include, Some(o), None),
            A::Order(m) => (K::Order, None, message(m)),
            A::Refer(m) => (K::Refer, None, message(m)),
            A::Flag(m) => (K::Flag, None, message(m)),
            A::Missing(t) => (K::Missing, None, Some((None, t.node.clone()))),
            A::Status(s) => (K::Status, None, Some((None, s.node.clone()))),
        };
        let (options, modifiers) = match options {
            None => (ir::Options::None, self.modifiers(&action.modifiers)?),
            Some(ast::Options::List(names)) => (
                ir::Options::List(self.options(names)?),
                self.modifiers(&action.modifiers)?,
            ),
            Some(ast::Options::Components(names)) => (
                ir::Options::Components(self.options(names)?),
                self.modifiers(&action.modifiers)?,
            ),
            Some(ast::Options::Each(comp)) => {
                let binding = self.binding(comp)?;
                let modifiers = self.bound(&comp.var.node, |l| l.modifiers(&action.modifiers))?;
                (ir::Options::Each(Box::new(binding)), modifiers)
            }
        };
        Ok(ir::Action {
            kind,
            options,
            message,
            modifiers,
        })
    }

    fn modifiers(&mut self, modifiers: &[ast::Modifier]) -> Lowered<Vec<ir::Modifier>> {
        use ast::ModifierKind as M;
        use ir::Modifier as K;
        modifiers
            .iter()
            .map(|m| {
                Ok(match &m.kind {
                    M::Rank(n) => K::Rank(n.node),
                    M::Unranked => K::Unranked,
                    M::Goal(g) => K::Goal(g.node.clone()),
                    M::Evidence(e) => K::Evidence(e.node.clone()),
                    M::Code(c) => K::Code(c.node.clone()),
                    M::Because(e) => K::Because(self.expr(e)?),
                    M::Role(r) => K::Role(r.node.clone()),
                    M::Note(e) => K::Note(self.expr(e)?),
                    M::Fallback(f) => K::Fallback(self.vocab_id(f)?),
                    M::If(c) => K::If(self.expr(c)?),
                    M::RankExpr(e) => K::RankExpr(self.expr(e)?),
                    M::GoalExpr(e) => K::GoalExpr(self.expr(e)?),
                    M::RoleExpr(e) => K::RoleExpr(self.expr(e)?),
                    M::First(checks) => K::First(
                        checks
                            .iter()
                            .map(|c| {
                                Ok(ir::Check {
                                    when: self.expr(&c.when)?,
                                    code: c.code.node.clone(),
                                    because: match &c.because {
                                        Some(b) => Some(self.expr(b)?),
                                        None => None,
                                    },
                                })
                            })
                            .collect::<Lowered<Vec<_>>>()?,
                    ),
                    M::Cite(keys) => K::Cite(ir::Citations::new(
                        keys.iter()
                            .filter_map(|k| self.decls.citations.get(&k.node).cloned())
                            .collect(),
                    )),
                })
            })
            .collect()
    }

    fn is_test(&self, test: &ast::IsTest) -> Lowered<ir::IsTest> {
        Ok(match test {
            ast::IsTest::None => ir::IsTest::None,
            ast::IsTest::Missing | ast::IsTest::Unknown => ir::IsTest::Unknown,
            ast::IsTest::Known => ir::IsTest::Known,
            ast::IsTest::True => ir::IsTest::True,
            ast::IsTest::False => ir::IsTest::False,
            ast::IsTest::Vocab(name) => self.is_name(name)?,
            ast::IsTest::AnyOf(names) => {
                let tests = names.iter().map(|n| self.is_name(n));
                ir::IsTest::AnyOf(tests.collect::<Lowered<Vec<_>>>()?)
            }
        })
    }

    /// The test `is NAME`: an enum value or a vocabulary name.
    fn is_name(&self, name: &Name) -> Lowered<ir::IsTest> {
        Ok(match self.resolved.name(name.span) {
            Some(Resolved::Enum(_)) => {
                let (ty, index) = self.enum_value(name)?;
                ir::IsTest::Value(ty, index)
            }
            _ => ir::IsTest::Vocab(self.vocab_id(name)?),
        })
    }

    /// The enum value the checker resolved a name to.
    pub fn enum_value(&self, name: &Name) -> Lowered<(EnumId, usize)> {
        let unresolved = || defect(name.span, format!("`{}` was not resolved", name.node));
        let Some(Resolved::Enum(ty)) = self.resolved.name(name.span) else {
            return Err(unresolved());
        };
        let (id, values) = self.decls.enums.get(ty).ok_or_else(unresolved)?;
        let index = values
            .iter()
            .position(|v| *v == name.node)
            .ok_or_else(unresolved)?;
        Ok((*id, index))
    }

    fn vocab_set(&self, set: &ast::VocabSet) -> Lowered<ir::VocabSet> {
        Ok(match set {
            ast::VocabSet::With { of, value, .. } => ir::VocabSet {
                group: self.vocab_id(value)?,
                agents: of.node != "regimens",
                regimens: of.node == "regimens",
            },
            ast::VocabSet::MembersOf(class) => ir::VocabSet {
                group: self.vocab_id(class)?,
                agents: true,
                regimens: true,
            },
        })
    }
}

/// Which field of a series point the checker typed.
fn point_field(field: &Name) -> Lowered<ir::PointField> {
    match field.node.as_str() {
        "date" => Ok(ir::PointField::Date),
        "value" => Ok(ir::PointField::Value),
        "comparator" => Ok(ir::PointField::Comparator),
        other => Err(defect(
            field.span,
            format!("`{other}` is not a field of a series point"),
        )),
    }
}
