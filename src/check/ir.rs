//! The compiled program: what the checker resolved, in the form the evaluator
//! runs. Every name is resolved once, here — bound variables and parameters
//! to slots, case fields and record fields to their positions, defines and
//! rules to indices, enum values, vocabulary names and units to constants —
//! so the evaluator looks nothing up by name and has no "unknown construct"
//! to fall back on: it matches every kind below exhaustively.

use crate::span::Span;
use crate::syntax::ast::{
    Aggregate, BinOp, DatePart, HistoryPred, NadirChange, Quantifier, SeriesRead, Trend,
};
use crate::units::Unit;
use rust_decimal::Decimal;

/// A compiled expression and where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What it computes.
    pub kind: ExprKind,
    /// Its source, for locations in messages.
    pub span: Span,
}

/// A declared agent, regimen, class or tag, by its index in the protocol's
/// vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VocabId(pub u32);

/// An enum, by its index among the protocol's enums.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EnumId(pub u32);

/// A literal or a name that resolved to a constant.
#[derive(Debug, Clone, PartialEq)]
pub enum Const {
    /// `true` / `false`
    Bool(bool),
    /// `none`
    None,
    /// A number with its unit, resolved to the unit table's entry.
    Num(Decimal, Option<Unit>),
    /// `"text"`
    Text(String),
    /// A calendar date.
    Date(jiff::civil::Date),
    /// A value of an enum.
    Enum {
        /// The enum.
        ty: EnumId,
        /// Its position among the enum's values.
        index: usize,
    },
    /// A declared agent, regimen, class or tag.
    Vocab(VocabId),
}

/// A bound variable or parameter: its position on the evaluator's stack of
/// locals, counted from the start of the define (or role) being evaluated.
pub type Slot = usize;

/// The kinds of compiled expression.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A literal, an enum value or a vocabulary name.
    Const(Const),
    /// A bound variable, a parameter, or a field of the record a history
    /// role is read from.
    Local(Slot),
    /// A case field, by its position in the case schema.
    CaseField(usize),
    /// A define (with its arguments, for a parameterised one), by index.
    Define(usize, Vec<Expr>),
    /// `as_of`
    AsOf,
    /// `line`: the number of the line being decided.
    LineNumber,
    /// `candidates`
    Candidates,
    /// `{a, b}` or `[a, b]`
    Collection(Vec<Expr>),
    /// `not e`
    Not(Box<Expr>),
    /// `-e`
    Neg(Box<Expr>),
    /// `a op b`
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `e is [not] T`
    Is(Box<Expr>, bool, IsTest),
    /// `e missing as "name"`
    MissingAs(Box<Expr>, String),
    /// `unknown as "name"`: an unknown whose support is the named fact.
    NamedUnknown(String),
    /// `let x = value in body`: the value, evaluated once, is bound at the
    /// next slot while the body is evaluated.
    Let(Box<Expr>, Box<Expr>),
    /// `e.field`: the field's position in the record's schema.
    Field(Box<Expr>, usize),
    /// `p.date`, `p.value`, `p.comparator` on a point of a series.
    PointField(Box<Expr>, PointField),
    /// `e[k]`
    Index(Box<Expr>, Box<Expr>),
    /// `if c then a else b`
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `match { guard => value, …, else => v }`
    Match(Vec<(Expr, Expr)>, Box<Expr>),
    /// `relapse after X within D` and the other history predicates.
    History {
        /// The predicate.
        pred: HistoryPred,
        /// What it is about.
        target: Target,
        /// `within D`
        within: Option<Box<Expr>>,
        /// Where its value is kept for the rest of the case, when it depends
        /// on the case alone (no variable, a literal window).
        memo: Option<usize>,
    },
    /// `date of …`, `start of …`, `end of …` of a history predicate, a
    /// series read or the last line.
    DateOf(DatePart, Box<Expr>),
    /// `last line`
    LastLine,
    /// `prior lines` (also the history field read by name)
    PriorLines,
    /// `latest crcl within 30 days`, …
    Series {
        /// Which read.
        read: SeriesRead,
        /// The series.
        series: Box<Expr>,
        /// `within D`
        within: Option<Box<Expr>>,
    },
    /// A case field declared `dated by`: its records dated after `as_of`
    /// are left out, those whose date is unknown kept undecided.
    DatedList {
        /// The case field's position.
        field: usize,
        /// The date field's position in the record.
        date: usize,
    },
    /// `latest l in labs where P`, `earliest …`, `latest labs`
    Pick(Box<Pick>),
    /// `psa since D`, `psa between A and B`, …: the part of a series between dates.
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
    /// `any x in xs where P`, `all …`, `no …`
    Quantified(Quantifier, Box<Binding>),
    /// `count xs`, `max e for x in xs where P`, `the x in xs where P`, …
    Aggregate {
        /// Which aggregate.
        agg: Aggregate,
        /// `E for x in xs`: evaluated with the member bound.
        projection: Option<Box<Expr>>,
        /// What it ranges over.
        over: Over,
    },
    /// `[x in xs where P]`
    Comprehension(Box<Binding>),
    /// `[E for x in xs where P]` (a list) or `{…}` (a set, repeats removed)
    Projection {
        /// `{…}` rather than `[…]`.
        set: bool,
        /// `E`: evaluated with the member bound.
        value: Box<Expr>,
        /// `x in xs where P`
        binding: Box<Binding>,
    },
    /// `sorted x in xs by K [descending]`, `sorted xs`
    Sorted {
        /// What is sorted.
        over: Over,
        /// `by K`: evaluated with the member bound (without it, the member).
        key: Option<Box<Expr>>,
        /// `descending`
        descending: bool,
    },
    /// `distinct xs`
    Distinct(Box<Expr>),
    /// `previous of x in xs`, `next of x in xs`
    Neighbour {
        /// `next` rather than `previous`.
        next: bool,
        /// `x`
        member: Box<Expr>,
        /// `xs`
        list: Box<Expr>,
    },
    /// `agents with tag T`, `regimens with class C`, `members of C`
    Vocab(VocabSet),
    /// `years from A to B`
    YearsFrom(Box<Expr>, Box<Expr>),
    /// `months from A to B`
    MonthsFrom(Box<Expr>, Box<Expr>),
    /// A built-in function of one number: `round(x, 2)`, `ln(x)`, …
    Function(Function, Box<Expr>),
    /// `recommended X`, `pending X`, `avoided X`, `fired R`
    Decision(DecisionRef),
}

/// A field of a series point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PointField {
    /// `p.date`: the day of the value.
    Date,
    /// `p.value`: the value in the series' unit.
    Value,
    /// `p.comparator`: `"<"`, `"<="`, `">"`, `">="` for a censored value, none for an exact one.
    Comparator,
}

/// The part of a series between dates.
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

/// The built-in functions of one number (see `docs/language.md`, "Functions").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    /// `round(x, N)`: half away from zero, to N decimal places.
    Round(u32),
    /// `floor(x, N)`: towards negative infinity, to N decimal places.
    Floor(u32),
    /// `ceil(x, N)`: towards positive infinity, to N decimal places.
    Ceil(u32),
    /// `abs(x)`
    Abs,
    /// `log10(x)`
    Log10,
    /// `ln(x)`
    Ln,
    /// `exp(x)`
    Exp,
}

/// `x in xs where P`: the member is bound at the next slot while `P` (and a
/// projection) is evaluated.
#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    /// The collection.
    pub source: Expr,
    /// The condition, if any.
    pub filter: Option<Expr>,
}

/// `latest l in labs where P`: the record of a dated list with the latest
/// (earliest) date among those for which `P` holds, the member bound at the
/// next slot while `P` is evaluated.
#[derive(Debug, Clone, PartialEq)]
pub struct Pick {
    /// `latest` rather than `earliest`.
    pub latest: bool,
    /// The dated case field's position.
    pub field: usize,
    /// The date field's position in the record.
    pub date: usize,
    /// Whether the list is declared `complete`.
    pub complete: bool,
    /// `where P`
    pub filter: Option<Expr>,
}

/// What an aggregate ranges over.
#[derive(Debug, Clone, PartialEq)]
pub enum Over {
    /// A bare collection (`count prior lines`): nothing is bound.
    Collection(Box<Expr>),
    /// `x in xs [where P]`
    Binding(Box<Binding>),
}

/// `is …` tests.
#[derive(Debug, Clone, PartialEq)]
pub enum IsTest {
    /// `is none` (three-valued)
    None,
    /// `is missing` / `is unknown` (two-valued)
    Unknown,
    /// `is known`
    Known,
    /// `is true`
    True,
    /// `is false`
    False,
    /// `is X`: a line or option matches the vocabulary name X.
    Vocab(VocabId),
    /// `is X`: an enum value is the value X.
    Value(EnumId, usize),
    /// `is {X, Y}` (and `L in {X, Y}` on a line): any of these tests.
    AnyOf(Vec<IsTest>),
    /// `L in agents with tag T` (or a union of vocabulary sets) on a line:
    /// `L is X` for any member X of the sets.
    InSets(Vec<VocabSet>),
}

/// One name a history predicate is about.
#[derive(Debug, Clone, PartialEq)]
pub enum TargetName {
    /// A declared regimen, agent, class or tag.
    Vocab(VocabId),
    /// A parameter or bound variable holding one.
    Local(Slot),
}

/// What a history predicate is about.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// Any of these names (one or more), as written.
    Names(Vec<TargetName>, String),
    /// `last line`
    LastLine,
}

impl Target {
    /// Whether a name it is about is a variable.
    pub fn reads_local(&self) -> bool {
        match self {
            Target::Names(names, _) => names.iter().any(|n| matches!(n, TargetName::Local(_))),
            Target::LastLine => false,
        }
    }
}

/// A vocabulary set, resolved: the agents and/or regimens whose own
/// classes or tags include a group.
#[derive(Debug, Clone, PartialEq)]
pub struct VocabSet {
    /// The class or tag.
    pub group: VocabId,
    /// Whether agents are members (`agents with …`, `members of …`).
    pub agents: bool,
    /// Whether regimens are members (`regimens with …`, `members of …`).
    pub regimens: bool,
}

/// An option named by a decision reference or an action: a declared name or
/// a bound variable holding one.
#[derive(Debug, Clone, PartialEq)]
pub enum OptionName {
    /// A declared regimen, agent, class or tag.
    Named(VocabId),
    /// A bound variable (`each r in …`) or parameter.
    Local(Slot),
}

/// Decision references, resolved.
#[derive(Debug, Clone, PartialEq)]
pub enum DecisionRef {
    /// `recommended X`
    Recommended(OptionName),
    /// `pending X`
    Pending(OptionName),
    /// `avoided X`
    Avoided(OptionName),
    /// `fired R`: the rule's index.
    Fired(usize),
}

/// A define, compiled.
#[derive(Debug, Clone, PartialEq)]
pub struct Define {
    /// Its name.
    pub name: String,
    /// Its body; its parameters are slots `0..params`.
    pub body: Expr,
    /// How many parameters it takes.
    pub params: usize,
    /// Whether it reads the decision (its values are recomputed per stratum).
    pub reads_decision: bool,
}

/// A rule, compiled, with the guards of its enclosing sections.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// Its name.
    pub name: String,
    /// Whether it is a `stop` rule.
    pub stop: bool,
    /// Section guards, outermost first.
    pub guards: Vec<Expr>,
    /// Its condition.
    pub when: Expr,
    /// Its actions, in order.
    pub actions: Vec<Action>,
    /// Where it is written, as `file:line:col`.
    pub at: String,
    /// Its stratum: 0 unless it reads the decision.
    pub stratum: u32,
}

/// The kinds of action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionKind {
    /// `recommend …`
    Recommend,
    /// `consider …`
    Consider,
    /// `avoid …`
    Avoid,
    /// `include …`
    Include,
    /// `order …`
    Order,
    /// `refer …`
    Refer,
    /// `flag …`
    Flag,
    /// `missing "…"`
    Missing,
    /// `status S`
    Status,
}

/// The options an action names.
#[derive(Debug, Clone, PartialEq)]
pub enum Options {
    /// An order, referral, flag, `missing` or `status`: no options.
    None,
    /// `A, B`
    List(Vec<OptionName>),
    /// `components A, B`
    Components(Vec<OptionName>),
    /// `each a in S where P`: `a` is bound at the next slot for `P` and the
    /// modifiers.
    Each(Box<Binding>),
}

/// One action of a rule, compiled.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    /// What it does.
    pub kind: ActionKind,
    /// The options it names.
    pub options: Options,
    /// The code and text of an order, referral or flag; the text of
    /// `missing`; the status of `status`.
    pub message: Option<(Option<String>, String)>,
    /// Its modifiers, in order.
    pub modifiers: Vec<Modifier>,
}

/// A modifier, compiled.
#[derive(Debug, Clone, PartialEq)]
pub enum Modifier {
    /// `rank N`
    Rank(u32),
    /// `unranked`
    Unranked,
    /// `goal G`
    Goal(String),
    /// `evidence "…"`
    Evidence(String),
    /// `code C`
    Code(String),
    /// `because E`
    Because(Expr),
    /// `role R`
    Role(String),
    /// `note E`
    Note(Expr),
    /// `fallback B`
    Fallback(VocabId),
    /// `if C`
    If(Expr),
    /// `cite [a, b]`: the citations' texts.
    Cite(Citations),
    /// `rank E`: computed (per member under `each`).
    RankExpr(Expr),
    /// `goal E`: computed.
    GoalExpr(Expr),
    /// `role E`: computed.
    RoleExpr(Expr),
    /// `first [C code R, …]`: the ordered checks of an avoid.
    First(Vec<Check>),
}

impl Modifier {
    /// Whether its value may differ from one member of an `each` to the
    /// next: an expression other than the action's `if`.
    pub fn per_member(&self) -> bool {
        matches!(
            self,
            Modifier::Because(_)
                | Modifier::Note(_)
                | Modifier::RankExpr(_)
                | Modifier::GoalExpr(_)
                | Modifier::RoleExpr(_)
                | Modifier::First(_)
        )
    }
}

/// One ordered check of an avoid, compiled.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// The condition that avoids the option.
    pub when: Expr,
    /// Its reason code.
    pub code: String,
    /// `because E`
    pub because: Option<Expr>,
}

/// Citation texts, with the JSON array a decision writes for them, made
/// once here rather than for every decision that cites them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Citations {
    texts: Vec<String>,
    json: String,
}

impl Citations {
    /// The citations of these texts, in order.
    pub fn new(texts: Vec<String>) -> Citations {
        let json = serde_json::to_string(&texts).unwrap_or_default();
        Citations { texts, json }
    }

    /// The texts, in order.
    pub fn texts(&self) -> &[String] {
        &self.texts
    }

    /// The texts as a JSON array, as serde_json writes a list of strings.
    pub fn json(&self) -> &str {
        &self.json
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.texts.is_empty()
    }

    /// Appends the texts of `more` (a second `cite` on one action).
    pub fn extend(&mut self, more: &Citations) {
        self.texts.extend_from_slice(&more.texts);
        *self = Citations::new(std::mem::take(&mut self.texts));
    }
}

/// A report, compiled.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Its name.
    pub name: String,
    /// `only when C`
    pub only_when: Option<Expr>,
    /// Its value.
    pub value: Expr,
}

#[cfg(test)]
mod tests {
    use super::Citations;

    #[test]
    fn citations_keep_their_json_true_through_a_second_cite() {
        let mut citations = Citations::new(vec!["Smith \"A\" 2020".to_string()]);
        assert_eq!(citations.json(), r#"["Smith \"A\" 2020"]"#);
        citations.extend(&Citations::new(vec!["Jones\tB".to_string()]));
        assert_eq!(citations.texts(), ["Smith \"A\" 2020", "Jones\tB"]);
        assert_eq!(citations.json(), r#"["Smith \"A\" 2020","Jones\tB"]"#);
        let none = Citations::default();
        assert!(none.is_empty());
    }
}

/// Each value of a series compared with a threshold (`psa >= 0.2 ng/mL`).
#[derive(Debug, Clone, PartialEq)]
pub struct ValueTest {
    /// The series, with its part.
    pub series: Expr,
    /// `<`, `<=`, `>` or `>=`.
    pub op: BinOp,
    /// What each value is compared with.
    pub threshold: Expr,
}
