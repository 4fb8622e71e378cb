//! The abstract syntax tree of a `.salv` file. Every node carries a [`Span`].

use crate::span::{Name, Span, Spanned};
use rust_decimal::Decimal;

/// One parsed source file: its items in source order.
#[derive(Debug, Clone, PartialEq)]
pub struct File {
    /// Top-level items in the order written.
    pub items: Vec<Item>,
}

/// A top-level declaration.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// `protocol "Name" { … }`
    Protocol(Header),
    /// `import "path"`
    Import(Import),
    /// `agent NAME class C tag T alias "…"`
    Agent(AgentDecl),
    /// `regimen NAME = a + b : modality class C alias "…"`
    Regimen(RegimenDecl),
    /// `enum Name { A, B }` or `enum Name { A < B }`
    Enum(EnumDecl),
    /// `reasons { a, b }`
    Reasons(ReasonsDecl),
    /// `record Name { field: T, … }`
    Record(RecordDecl),
    /// `case { … }`
    Case(CaseDecl),
    /// `unit …`
    Unit(UnitDecl),
    /// `define name = expr`
    Define(Define),
    /// `rule …`
    Rule(Rule),
    /// `section "title" when COND { rules }`
    Section(Section),
    /// `report NAME = expr`
    Report(Report),
    /// `test "name" { … }`
    Test(Test),
}

/// The protocol header.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    /// The protocol's name.
    pub name: Spanned<String>,
    /// `version "…"`
    pub version: Option<Spanned<String>>,
    /// `institution "…"`
    pub institution: Option<Spanned<String>>,
    /// `status approved`
    pub status: Option<Name>,
    /// `effective 2026-01-01`
    pub effective: Option<Spanned<Date>>,
    /// `cite key "reference"`
    pub citations: Vec<Citation>,
    /// The whole header.
    pub span: Span,
}

/// A citation key and its full reference.
#[derive(Debug, Clone, PartialEq)]
pub struct Citation {
    /// The key used in `cite [key]`.
    pub key: Name,
    /// The reference text.
    pub text: Spanned<String>,
}

/// `import "path"`
#[derive(Debug, Clone, PartialEq)]
pub struct Import {
    /// The path as written, relative to the importing file.
    pub path: Spanned<String>,
    /// The whole item.
    pub span: Span,
}

/// `agent NAME …`
#[derive(Debug, Clone, PartialEq)]
pub struct AgentDecl {
    /// The agent's name.
    pub name: Name,
    /// Classes the agent belongs to.
    pub classes: Vec<Name>,
    /// Tags the agent carries.
    pub tags: Vec<Name>,
    /// Other spellings found in case data.
    pub aliases: Vec<Spanned<String>>,
    /// Word patterns (`alias word "harvoni"`), matched against the words of
    /// case text.
    pub words: Vec<Spanned<String>>,
    /// The whole item.
    pub span: Span,
}

/// `regimen NAME = a + b : modality …`
#[derive(Debug, Clone, PartialEq)]
pub struct RegimenDecl {
    /// The regimen's name.
    pub name: Name,
    /// Its agents, in the order written.
    pub agents: Vec<Name>,
    /// Its modality, if any (`radiotherapy`, `cell-therapy`, …).
    pub modality: Option<Name>,
    /// Classes the regimen belongs to.
    pub classes: Vec<Name>,
    /// Tags the regimen carries.
    pub tags: Vec<Name>,
    /// Other spellings found in case data.
    pub aliases: Vec<Spanned<String>>,
    /// Word patterns (`alias word "harvoni"`), matched against the words of
    /// case text.
    pub words: Vec<Spanned<String>>,
    /// The whole item.
    pub span: Span,
}

/// `enum Name { … }`
#[derive(Debug, Clone, PartialEq)]
pub struct EnumDecl {
    /// The type's name.
    pub name: Name,
    /// Its values in order.
    pub values: Vec<EnumValue>,
    /// Whether written with `<` (an ordered enum).
    pub ordered: bool,
    /// The whole item.
    pub span: Span,
}

/// One value of an enum.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumValue {
    /// The value's name.
    pub name: Name,
    /// Other spellings.
    pub aliases: Vec<Spanned<String>>,
}

/// `reasons { a, b }`: avoid reason codes, highest precedence first.
#[derive(Debug, Clone, PartialEq)]
pub struct ReasonsDecl {
    /// The codes, each with an optional description.
    pub codes: Vec<(Name, Option<Spanned<String>>)>,
    /// The whole item.
    pub span: Span,
}

/// `record Name { field: T, … }`
#[derive(Debug, Clone, PartialEq)]
pub struct RecordDecl {
    /// The record type's name.
    pub name: Name,
    /// Its fields.
    pub fields: Vec<Field>,
    /// The whole item.
    pub span: Span,
}

/// A field of a record or of the case schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The field's name: its JSON key.
    pub name: Name,
    /// Its declared type.
    pub ty: Type,
    /// `= default` (only `none` or a literal).
    pub default: Option<Expr>,
    /// `analyte NAME`: the analyte its unit measures.
    pub analyte: Option<Name>,
    /// `dated by FIELD [complete]`, on a list of records.
    pub dated: Option<DatedBy>,
    /// `from LIST where KEY = "…"`, on a series read from part of a list.
    pub from: Option<SeriesFrom>,
    /// The whole field.
    pub span: Span,
}

/// `from labs where test = "creatinine_clearance" { value = result }`: a
/// series read from the records of a case list whose key holds one of the
/// texts, each record's keys named for the parts of a value.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesFrom {
    /// The case key of the list.
    pub list: Name,
    /// The record key that tells which records belong.
    pub key: Name,
    /// The texts it may hold (`= "…"` is one, `in {…}` several).
    pub accepts: Vec<Spanned<String>>,
    /// `{ value = result, date = collected, unit = units, comparator = qualifier }`.
    pub keys: Vec<(Name, Name)>,
}

/// `dated by collected [complete]`: the date field of each record of a
/// list, and whether the list is known to hold every record there is.
#[derive(Debug, Clone, PartialEq)]
pub struct DatedBy {
    /// The record field holding each record's date.
    pub field: Name,
    /// `complete`: no qualifying record means there is none.
    pub complete: bool,
}

/// The `case { … }` schema.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseDecl {
    /// `id = key`: the JSON key holding the case id.
    pub id_key: Option<Name>,
    /// `ignore a, b`: keys that are read but not reported as unknown.
    pub ignore: Vec<Name>,
    /// `as_of = expr`: how the evaluation date is read.
    pub as_of: Option<Expr>,
    /// The case's fields.
    pub fields: Vec<Field>,
    /// The whole item.
    pub span: Span,
}

/// `unit …` declarations.
#[derive(Debug, Clone, PartialEq)]
pub enum UnitDecl {
    /// `unit alias "ml/min" = mL/min`
    Alias {
        /// The spelling.
        spelling: Spanned<String>,
        /// The unit it means.
        unit: Spanned<String>,
        /// The whole item.
        span: Span,
    },
    /// `unit copies/mL` (a new dimension) or `unit kU/L = 1000 U/L`
    Base {
        /// The unit declared.
        unit: Spanned<String>,
        /// `= factor unit`: its size in another unit.
        scale: Option<(Spanned<Decimal>, Spanned<String>)>,
        /// The whole item.
        span: Span,
    },
    /// `analyte bilirubin: 1 mg/dL = 17.1 µmol/L`
    Analyte {
        /// The analyte's name.
        name: Name,
        /// How its two units relate.
        bridge: AnalyteBridge,
        /// The whole item.
        span: Span,
    },
}

/// An analyte's conversion as written: `A from = B to`, or
/// `to = B * (from - offset)` (then `A` is 1).
#[derive(Debug, Clone, PartialEq)]
pub struct AnalyteBridge {
    /// `A` and the unit it is in.
    pub from: (Spanned<Decimal>, Spanned<String>),
    /// `B` and the unit it is in.
    pub to: (Spanned<Decimal>, Spanned<String>),
    /// The offset subtracted from a value in `from` (a `+` is a negative one).
    pub offset: Option<Spanned<Decimal>>,
}

/// A type as written.
#[derive(Debug, Clone, PartialEq)]
pub struct Type {
    /// What kind of type.
    pub kind: TypeKind,
    /// Where it was written.
    pub span: Span,
}

/// The kinds of type.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeKind {
    /// `bool`
    Bool,
    /// `int [UNIT] [a..b]`
    Int {
        /// The unit, if any.
        unit: Option<Spanned<String>>,
        /// Inclusive bounds.
        range: Option<RangeBounds>,
    },
    /// `number UNIT [a..b]`
    Number {
        /// The unit, if any.
        unit: Option<Spanned<String>>,
        /// Inclusive bounds.
        range: Option<RangeBounds>,
    },
    /// `text`
    Text,
    /// `date`
    Date,
    /// `duration`
    Duration,
    /// `T?`
    Optional(Box<Type>),
    /// `list of T`
    List(Box<Type>),
    /// `set of T`
    Set(Box<Type>),
    /// `map of K to V`
    Map(Box<Type>, Box<Type>),
    /// `series UNIT`
    Series(Spanned<String>),
    /// `history of R { roles }`
    History {
        /// The record type of one line.
        record: Name,
        /// The role mapping.
        roles: Vec<Role>,
    },
    /// `agent [open [other]]`
    Agent(Openness),
    /// `regimen [open [other]]`
    Regimen(Openness),
    /// An enum, record or class name.
    Named(Name),
}

/// Inclusive bounds written on a numeric type (`int 0..4`).
#[derive(Debug, Clone, PartialEq)]
pub struct RangeBounds {
    /// Lower bound.
    pub low: Spanned<Decimal>,
    /// Upper bound.
    pub high: Spanned<Decimal>,
}

/// How a vocabulary field treats names it does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Openness {
    /// Only declared names are accepted.
    Closed,
    /// `open`: unknown names are kept as text and make matches unknown.
    Open,
    /// `open other`: unknown names are known agents/regimens outside the vocabulary.
    OpenOther,
}

/// One role in a history mapping: `event = progression_date`.
#[derive(Debug, Clone, PartialEq)]
pub struct Role {
    /// The role's name (`start`, `end`, `event`, `response`, …).
    pub role: Name,
    /// What it maps to.
    pub value: RoleValue,
    /// `responding {CR, PR}` or `intolerance {…}`: the values that count.
    pub values: Option<(Name, Vec<Name>)>,
    /// The whole role.
    pub span: Span,
}

/// The roles a history mapping may name; an unmapped one defaults to the
/// record's field of the same name.
pub const HISTORY_ROLES: &[&str] = &[
    "start",
    "end",
    "event",
    "response",
    "outcome",
    "regimen",
    "agents",
    "agent_end",
    "line",
];

/// What a history role maps to.
#[derive(Debug, Clone, PartialEq)]
pub enum RoleValue {
    /// `regimen = none`: the role is absent.
    Unmapped,
    /// `agents = agents[].drug`: a field of each element of a list field.
    PerAgent {
        /// The list field.
        list: Name,
        /// The field of each element.
        field: Name,
    },
    /// A field name or an expression over the record's fields.
    Expr(Expr),
}

/// `define name = expr` or `define name(p: T, …) = expr`.
#[derive(Debug, Clone, PartialEq)]
pub struct Define {
    /// The defined name.
    pub name: Name,
    /// Parameters, for a parameterised define.
    pub params: Vec<Param>,
    /// The body.
    pub body: Expr,
    /// The whole item.
    pub span: Span,
}

/// A parameter of a define.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// Its name.
    pub name: Name,
    /// Its type.
    pub ty: Type,
}

/// `rule NAME ["title"] [stop] when EXPR then ACTIONS`
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// The rule's name.
    pub name: Name,
    /// Its title.
    pub title: Option<Spanned<String>>,
    /// Whether it is a `stop` rule.
    pub stop: bool,
    /// The condition.
    pub when: Expr,
    /// The actions, in order.
    pub actions: Vec<Action>,
    /// The whole rule.
    pub span: Span,
}

/// `section "title" when COND { rules }`
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// The section's title.
    pub title: Spanned<String>,
    /// The shared guard.
    pub when: Expr,
    /// Rules and nested sections, in order.
    pub items: Vec<Item>,
    /// The whole section.
    pub span: Span,
}

/// `report NAME = EXPR [only when COND]`
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The report's name.
    pub name: Name,
    /// Its value.
    pub value: Expr,
    /// `only when COND`.
    pub only_when: Option<Expr>,
    /// The whole item.
    pub span: Span,
}

/// One action of a rule, with its modifiers.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    /// What the action does.
    pub kind: ActionKind,
    /// The modifiers that follow it.
    pub modifiers: Vec<Modifier>,
    /// The action and its modifiers.
    pub span: Span,
}

/// Which options an option-taking action names.
#[derive(Debug, Clone, PartialEq)]
pub enum Options {
    /// `A, B`: alternatives.
    List(Vec<Name>),
    /// `components A, B`: parts combined into one regimen.
    Components(Vec<Name>),
    /// `each a in S where P`
    Each(Box<Comprehension>),
}

/// The kinds of action.
#[derive(Debug, Clone, PartialEq)]
pub enum ActionKind {
    /// `recommend …`
    Recommend(Options),
    /// `consider …`
    Consider(Options),
    /// `avoid …`
    Avoid(Options),
    /// `include X`
    Include(Options),
    /// `order [code] "text"`
    Order(Message),
    /// `refer [code] "text"`
    Refer(Message),
    /// `flag [code] "text"`
    Flag(Message),
    /// `missing "confirmatory PSA"`
    Missing(Spanned<String>),
    /// `status S` (stop rules only)
    Status(Name),
}

/// The text of an order, referral or flag, with an optional code.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// `order repeat_psa "…"`: the code.
    pub code: Option<Name>,
    /// The text.
    pub text: Spanned<String>,
}

/// A modifier bound to the action before it.
#[derive(Debug, Clone, PartialEq)]
pub struct Modifier {
    /// Which modifier.
    pub kind: ModifierKind,
    /// Where it was written.
    pub span: Span,
}

/// The kinds of modifier.
#[derive(Debug, Clone, PartialEq)]
pub enum ModifierKind {
    /// `rank N`
    Rank(Spanned<u32>),
    /// `unranked`
    Unranked,
    /// `goal curative|disease-control|palliative`
    Goal(Name),
    /// `evidence "…"`
    Evidence(Spanned<String>),
    /// `code REASON`
    Code(Name),
    /// `because EXPR`
    Because(Expr),
    /// `role NAME`
    Role(Name),
    /// `note EXPR`
    Note(Expr),
    /// `fallback B`
    Fallback(Name),
    /// `if COND`
    If(Expr),
    /// `cite [a, b]`
    Cite(Vec<Name>),
    /// `rank E`: a rank computed per case (per member under `each`)
    RankExpr(Expr),
    /// `goal E`: a goal computed per case
    GoalExpr(Expr),
    /// `role E`: a role computed per case
    RoleExpr(Expr),
    /// `first [C code R, …]`: ordered checks of an avoid
    First(Vec<Check>),
}

/// One ordered check of an avoid: `her2_low is false code target_not_detected`.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// The condition that avoids the option.
    pub when: Expr,
    /// Its reason code.
    pub code: Name,
    /// `because E`
    pub because: Option<Expr>,
    /// The whole check.
    pub span: Span,
}

/// `test "name" { … }`
#[derive(Debug, Clone, PartialEq)]
pub struct Test {
    /// The test's name.
    pub name: Spanned<String>,
    /// Where the case comes from.
    pub source: TestCase,
    /// `as_of DATE`
    pub as_of: Option<Spanned<Date>>,
    /// The expectations, in order.
    pub expectations: Vec<Expectation>,
    /// The whole test.
    pub span: Span,
}

/// Where a test's case comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum TestCase {
    /// `given { JSON }`: the JSON text, with its span.
    Given(Spanned<String>),
    /// `from "file" case "id"`
    From {
        /// The case file, relative to the protocol.
        file: Spanned<String>,
        /// The case's id.
        case: Spanned<String>,
    },
    /// Neither was written.
    None,
}

/// `expect …`
#[derive(Debug, Clone, PartialEq)]
pub struct Expectation {
    /// What is expected.
    pub kind: ExpectKind,
    /// `expect not …`
    pub negated: bool,
    /// Where it was written.
    pub span: Span,
}

/// The kinds of expectation.
#[derive(Debug, Clone, PartialEq)]
pub enum ExpectKind {
    /// `expect status S`
    Status(Name),
    /// `expect recommend X [rank N] [role "…"] [note "…"]`
    Recommend(Name, Offered),
    /// `expect consider X [rank N] [role "…"] [note "…"]`
    Consider(Name, Offered),
    /// `expect avoid X [code C]`
    Avoid(Name, Option<Name>),
    /// `expect include X`
    Include(Name),
    /// `expect pending X`
    Pending(Name),
    /// `expect missing "/path"` or `"name"`
    Missing(Spanned<String>),
    /// `expect order CODE` (or its text)
    Order(Spanned<String>),
    /// `expect refer CODE`
    Refer(Spanned<String>),
    /// `expect flag CODE`
    Flag(Spanned<String>),
    /// `expect report R = V`
    Report(Name, Expr),
}

/// What `expect recommend X` (or `consider X`) asks of the entry besides its
/// option: its rank, its role, one of its notes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Offered {
    /// `rank N`
    pub rank: Option<Spanned<u32>>,
    /// `role "…"`: the role's text.
    pub role: Option<Spanned<String>>,
    /// `note "…"`: the text of one of its notes.
    pub note: Option<Spanned<String>>,
}

/// A calendar date written in a protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year.
    pub year: i16,
    /// Month, 1–12.
    pub month: i8,
    /// Day, 1–31.
    pub day: i8,
}

/// An expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What kind of expression.
    pub kind: ExprKind,
    /// Where it was written.
    pub span: Span,
}

/// `a op b` operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    /// `or`
    Or,
    /// `and`
    And,
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `in`
    In,
    /// `not in`
    NotIn,
    /// `contains`
    Contains,
    /// `starts with` (text)
    StartsWith,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `^` (a power: right-associative, above `*`)
    Pow,
    /// `|` (union of vocabulary sets)
    Union,
    /// `otherwise`
    Otherwise,
    /// `..` (an inclusive range)
    Range,
}

impl BinOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Eq => "=",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::In => "in",
            BinOp::NotIn => "not in",
            BinOp::Contains => "contains",
            BinOp::StartsWith => "starts with",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Pow => "^",
            BinOp::Union => "|",
            BinOp::Otherwise => "otherwise",
            BinOp::Range => "..",
        }
    }

    /// Whether the operator is an ordering or equality comparison.
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge
        )
    }
}

/// `is …` tests.
#[derive(Debug, Clone, PartialEq)]
pub enum IsTest {
    /// `is none` (three-valued)
    None,
    /// `is missing` (two-valued: the fact is unknown)
    Missing,
    /// `is known` (two-valued)
    Known,
    /// `is unknown` (two-valued)
    Unknown,
    /// `is true` (two-valued)
    True,
    /// `is false` (two-valued)
    False,
    /// `is X`: a line or option matches a vocabulary name
    Vocab(Name),
    /// `is {X, Y}`: `is X or is Y` (names as after `is`); also what
    /// `L in {X, Y}` means for a history line `L`
    AnyOf(Vec<Name>),
}

/// The history predicates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryPred {
    /// `received X`
    Received,
    /// `progression on X`
    ProgressionOn,
    /// `refractory to X`
    RefractoryTo,
    /// `relapse after X`
    RelapseAfter,
    /// `intolerant of X`
    IntolerantOf,
}

impl HistoryPred {
    /// The predicate as written.
    pub fn words(self) -> &'static str {
        match self {
            HistoryPred::Received => "received",
            HistoryPred::ProgressionOn => "progression on",
            HistoryPred::RefractoryTo => "refractory to",
            HistoryPred::RelapseAfter => "relapse after",
            HistoryPred::IntolerantOf => "intolerant of",
        }
    }
}

/// What a history predicate is about.
#[derive(Debug, Clone, PartialEq)]
pub enum HistoryTarget {
    /// A vocabulary name (regimen, agent, class or tag) or a parameter.
    Name(Name),
    /// `{R-CHOP, R-CHOEP}`: any of these.
    Set(Vec<Name>),
    /// `last line`
    LastLine,
}

/// Which date a `date of …` form asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatePart {
    /// `date of …`: the event date of a history predicate, or a series value's date.
    Date,
    /// `start of …`
    Start,
    /// `end of …`
    End,
}

/// Series reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeriesRead {
    /// `latest x`
    Latest,
    /// `previous x`
    Previous,
    /// `earliest x`
    Earliest,
    /// `nadir x`
    Nadir,
    /// `peak x`
    Peak,
}

impl SeriesRead {
    /// The read as written.
    pub fn word(self) -> &'static str {
        match self {
            SeriesRead::Latest => "latest",
            SeriesRead::Previous => "previous",
            SeriesRead::Earliest => "earliest",
            SeriesRead::Nadir => "nadir",
            SeriesRead::Peak => "peak",
        }
    }
}

/// A change of a series' latest value from its nadir.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NadirChange {
    /// `rise of psa from nadir`: latest − nadir, in the series' unit.
    Rise,
    /// `percent change of psa from nadir`: 100 × (latest − nadir) / nadir.
    Percent,
}

/// The direction of `psa rising over last N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trend {
    /// `rising`: each value strictly greater than the one before.
    Rising,
    /// `falling`: each value strictly less than the one before.
    Falling,
}

/// Each value of a series compared with a threshold: the `psa >= 0.2 ng/mL`
/// of `2 consecutive psa >= 0.2 ng/mL` and `run of psa >= 0.2 ng/mL`.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueTest {
    /// The series, with its fields and part.
    pub series: Expr,
    /// `<`, `<=`, `>` or `>=`.
    pub op: BinOp,
    /// What each value is compared with.
    pub threshold: Expr,
}

/// The part of a series between dates (`psa since D`).
#[derive(Debug, Clone, PartialEq)]
pub enum SeriesPart {
    /// `since D`: dated on or after D.
    Since(Box<Expr>),
    /// `before D`: dated strictly before D.
    Before(Box<Expr>),
    /// `on or before D`: dated on or before D.
    OnOrBefore(Box<Expr>),
    /// `between A and B`: dated from A to B, both inclusive.
    Between(Box<Expr>, Box<Expr>),
}

impl SeriesPart {
    /// The dates that bound the part, in source order.
    pub fn bounds(&self) -> Vec<&Expr> {
        match self {
            SeriesPart::Since(d) | SeriesPart::Before(d) | SeriesPart::OnOrBefore(d) => vec![d],
            SeriesPart::Between(a, b) => vec![a, b],
        }
    }
}

/// Quantifiers over a collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantifier {
    /// `any x in xs where P`
    Any,
    /// `all x in xs have P`
    All,
    /// `no x in xs where P`
    No,
}

/// Aggregates over a collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregate {
    /// `count …`
    Count,
    /// `min …`
    Min,
    /// `max …`
    Max,
    /// `sum …`
    Sum,
    /// `first …`
    First,
    /// `last …`
    Last,
    /// `the x in xs where P`
    The,
}

/// `x in xs where P` (the part shared by comprehensions, quantifiers, aggregates and `each`).
#[derive(Debug, Clone, PartialEq)]
pub struct Comprehension {
    /// The bound variable.
    pub var: Name,
    /// The collection.
    pub source: Expr,
    /// The condition, if any.
    pub filter: Option<Expr>,
}

/// A vocabulary set expression.
#[derive(Debug, Clone, PartialEq)]
pub enum VocabSet {
    /// `agents with tag T` / `agents with class C` / `regimens with …`
    With {
        /// `agents` or `regimens`.
        of: Name,
        /// `tag` or `class`.
        by: Name,
        /// The tag or class.
        value: Name,
    },
    /// `members of C`
    MembersOf(Name),
}

/// Decision references, read by second-pass rules.
#[derive(Debug, Clone, PartialEq)]
pub enum DecisionRef {
    /// `recommended X`
    Recommended(Name),
    /// `fired R`
    Fired(Name),
    /// `pending X`
    Pending(Name),
    /// `avoided X`
    Avoided(Name),
}

/// The kinds of expression.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A plain name: a field, define, parameter, bound variable, enum value or vocabulary name.
    Name(Name),
    /// `true` / `false`
    Bool(bool),
    /// `none`
    NoneLit,
    /// A decimal literal, with an optional unit (`60 mL/min`, `12 months`).
    Number {
        /// The value.
        value: Decimal,
        /// The unit, if written.
        unit: Option<Spanned<String>>,
    },
    /// `"text"`
    Text(String),
    /// `2026-01-01`
    Date(Date),
    /// `{a, b}`
    Set(Vec<Expr>),
    /// `[a, b]`
    List(Vec<Expr>),
    /// `(e)`
    Group(Box<Expr>),
    /// `not e`
    Not(Box<Expr>),
    /// `-e`
    Neg(Box<Expr>),
    /// `a op b`
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `a == b`: parsed so the checker can say to write `=`
    DoubleEq(Box<Expr>, Box<Expr>),
    /// `e is [not] T`
    Is(Box<Expr>, bool, IsTest),
    /// `e missing as "name"`
    MissingAs(Box<Expr>, Spanned<String>),
    /// `unknown as "name"`: an unknown whose support is the named fact
    UnknownAs(Spanned<String>),
    /// `let x = value in body`
    Let {
        /// `x`
        name: Name,
        /// The value, evaluated once.
        value: Box<Expr>,
        /// Where `x` stands for the value.
        body: Box<Expr>,
    },
    /// `e.field`
    Field(Box<Expr>, Name),
    /// `e[k]`
    Index(Box<Expr>, Box<Expr>),
    /// `f(a, b)`
    Call(Name, Vec<Expr>),
    /// `if c then a else b`
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `match { guard => value, …, else => v }`
    Match(Vec<(Expr, Expr)>, Box<Expr>),
    /// `received X within D`, `relapse after X`, …
    History {
        /// The predicate.
        pred: HistoryPred,
        /// What it is about.
        target: HistoryTarget,
        /// `within D`
        within: Option<Box<Expr>>,
    },
    /// `date of relapse after X`, `end of last line`, `date of latest crcl`
    DateOf(DatePart, Box<Expr>),
    /// `last line`
    LastLine,
    /// `prior lines`
    PriorLines,
    /// `latest crcl within 30 days`
    Series {
        /// Which read.
        read: SeriesRead,
        /// The series field.
        series: Box<Expr>,
        /// `within D`
        within: Option<Box<Expr>>,
    },
    /// `psa since D`, `psa between A and B`: the part of a series between dates
    SeriesPart(Box<Expr>, SeriesPart),
    /// `rise of psa from nadir`, `percent change of psa from nadir`
    NadirChange(NadirChange, Box<Expr>),
    /// `psa rising over last N`: the series and N
    Trend(Box<Expr>, Trend, Box<Expr>),
    /// `2 consecutive psa >= 0.2 ng/mL at least 14 days apart`
    Consecutive {
        /// N, the number of values.
        count: Box<Expr>,
        /// What each value must meet.
        test: Box<ValueTest>,
        /// `at least D apart`
        apart: Option<Box<Expr>>,
    },
    /// `run of psa >= 0.2 ng/mL`: how many of the latest values in a row meet it
    Run(Box<ValueTest>),
    /// `doubling time of psa`
    DoublingTime(Box<Expr>),
    /// `any x in xs where P`, `all x in xs have P`, `no x in xs where P`
    Quantified(Quantifier, Box<Comprehension>),
    /// `latest l in labs where P` (`latest: true`) or `earliest …`, over a
    /// dated list.
    Pick {
        /// `latest` rather than `earliest`.
        latest: bool,
        /// `l in labs where P`
        binding: Box<Comprehension>,
    },
    /// `count xs`, `max g.v for g in gs where P`, `the x in xs where P`, …
    Aggregate {
        /// Which aggregate.
        agg: Aggregate,
        /// `E for x in xs`: the projection.
        projection: Option<Box<Expr>>,
        /// `x in xs where P`, or the bare collection.
        over: AggregateOver,
    },
    /// `[x in xs where P]`
    Comprehension(Box<Comprehension>),
    /// `[E for x in xs where P]` (a list) or `{E for x in xs where P}` (a set)
    Projection {
        /// `{…}`: repeats removed, the first kept.
        set: bool,
        /// `E`, evaluated with the member bound.
        value: Box<Expr>,
        /// `x in xs where P`
        binding: Box<Comprehension>,
    },
    /// `sorted x in xs by K [descending]`, `sorted xs [descending]`
    Sorted {
        /// `x in xs where P` (with a key), or the bare collection (sorted by its members).
        over: AggregateOver,
        /// `by K`, evaluated with the member bound.
        key: Option<Box<Expr>>,
        /// `descending`
        descending: bool,
    },
    /// `distinct xs`
    Distinct(Box<Expr>),
    /// `previous of x in xs` or `next of x in xs`
    Neighbour {
        /// `next` rather than `previous`.
        next: bool,
        /// `x`
        member: Box<Expr>,
        /// `xs`
        list: Box<Expr>,
    },
    /// `agents with tag T`, `members of C`
    Vocab(VocabSet),
    /// `years from A to B`
    YearsFrom(Box<Expr>, Box<Expr>),
    /// `months from A to B`
    MonthsFrom(Box<Expr>, Box<Expr>),
    /// `(2 * k) months`: a whole number read as a duration in a calendar or
    /// fixed unit.
    InUnit(Box<Expr>, Spanned<String>),
    /// `recommended X`, `pending X`, `avoided X`, `fired R` (`candidates` is a
    /// builtin name)
    Decision(DecisionRef),
    /// Text that could not be read (already reported); fits anywhere.
    Invalid,
}

impl Expr {
    /// The expressions directly inside this one, in source order.
    pub fn children(&self) -> Vec<&Expr> {
        match &self.kind {
            ExprKind::Name(_)
            | ExprKind::Bool(_)
            | ExprKind::NoneLit
            | ExprKind::Number { .. }
            | ExprKind::Text(_)
            | ExprKind::Date(_)
            | ExprKind::LastLine
            | ExprKind::PriorLines
            | ExprKind::Vocab(_)
            | ExprKind::Decision(_)
            | ExprKind::UnknownAs(_)
            | ExprKind::Invalid => Vec::new(),
            ExprKind::Set(items) | ExprKind::List(items) | ExprKind::Call(_, items) => {
                items.iter().collect()
            }
            ExprKind::Group(e)
            | ExprKind::Not(e)
            | ExprKind::Neg(e)
            | ExprKind::Is(e, _, _)
            | ExprKind::MissingAs(e, _)
            | ExprKind::Field(e, _)
            | ExprKind::DateOf(_, e)
            | ExprKind::NadirChange(_, e)
            | ExprKind::DoublingTime(e)
            | ExprKind::Distinct(e)
            | ExprKind::InUnit(e, _) => vec![e],
            ExprKind::Run(test) => vec![&test.series, &test.threshold],
            ExprKind::Consecutive { count, test, apart } => {
                [&**count, &test.series, &test.threshold]
                    .into_iter()
                    .chain(apart.as_deref())
                    .collect()
            }
            ExprKind::Binary(_, a, b)
            | ExprKind::DoubleEq(a, b)
            | ExprKind::Index(a, b)
            | ExprKind::YearsFrom(a, b)
            | ExprKind::Trend(a, _, b)
            | ExprKind::MonthsFrom(a, b) => vec![a, b],
            ExprKind::If(c, t, f) => vec![c, t, f],
            ExprKind::Let { value, body, .. } => vec![value, body],
            ExprKind::Match(arms, other) => arms
                .iter()
                .flat_map(|(g, v)| [g, v])
                .chain(std::iter::once(&**other))
                .collect(),
            ExprKind::History { within, .. } => within.as_deref().into_iter().collect(),
            ExprKind::Series { series, within, .. } => std::iter::once(&**series)
                .chain(within.as_deref())
                .collect(),
            ExprKind::SeriesPart(series, part) => {
                std::iter::once(&**series).chain(part.bounds()).collect()
            }
            ExprKind::Quantified(_, comp)
            | ExprKind::Comprehension(comp)
            | ExprKind::Pick { binding: comp, .. } => comp.children(),
            ExprKind::Aggregate {
                projection, over, ..
            } => projection
                .as_deref()
                .into_iter()
                .chain(over.children())
                .collect(),
            ExprKind::Projection { value, binding, .. } => std::iter::once(&**value)
                .chain(binding.children())
                .collect(),
            ExprKind::Sorted { over, key, .. } => {
                over.children().into_iter().chain(key.as_deref()).collect()
            }
            ExprKind::Neighbour { member, list, .. } => vec![member, list],
        }
    }
}

impl Comprehension {
    /// The collection and the condition.
    pub fn children(&self) -> Vec<&Expr> {
        std::iter::once(&self.source).chain(&self.filter).collect()
    }
}

/// What an aggregate ranges over.
#[derive(Debug, Clone, PartialEq)]
pub enum AggregateOver {
    /// A collection expression: `count prior lines`.
    Collection(Box<Expr>),
    /// `x in xs [where P]`.
    Binding(Box<Comprehension>),
}

impl AggregateOver {
    /// The collection and, for a binding, its condition.
    pub fn children(&self) -> Vec<&Expr> {
        match self {
            AggregateOver::Collection(e) => vec![&**e],
            AggregateOver::Binding(comp) => comp.children(),
        }
    }
}
