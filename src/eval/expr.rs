//! The evaluator: one dispatch `match` over the compiled program's
//! expressions ([`crate::check::ir`]), small helpers per kind. Every name was
//! resolved by the checker: locals are slots, fields positions, defines
//! indices, enum values and vocabulary names constants.

use super::collections::member_truths;
use super::maths;
use super::model::Protocol;
use super::ops;
use super::outcome::DecisionView;
use super::outcome::HistoryMatch;
use super::shown::Reveal;
use super::truth::{Cause, Missing, Support, Truth};
use super::value::{Case, DateRange, EnumValue, Quantity, Val, Value, VocabValue};
use crate::check::ir::{Const, Expr, ExprKind, IsTest, VocabId};
use crate::syntax::ast::{BinOp, DatePart};
use jiff::civil::Date;
use std::borrow::Cow;
use std::ops::Not;

/// Evaluates expressions for one case. Each define (and each parameterised
/// define per distinct argument) is evaluated at most once per case.
pub struct Evaluator<'p> {
    pub(super) protocol: &'p Protocol,
    pub(super) case: &'p Case,
    pub(super) as_of: Date,
    /// The defines' values so far: per define and argument list, the value
    /// and the history lines that made it. A case that reads none allocates
    /// nothing.
    cache: Vec<Cached>,
    /// Per define, where its last entry is in `cache` ([`NONE`] for none;
    /// each entry links to the one before it): a read looks at the entries
    /// of its own define only, however many defines were read. Empty until
    /// the first define is read.
    latest: Vec<usize>,
    /// The history predicates that depend on the case alone, by memo index:
    /// the value and the lines that made it.
    history_memo: Vec<Option<(Val, Vec<HistoryMatch>)>>,
    /// `line`, once read.
    line_number: Option<Val>,
    /// The bound variables and parameters of the define (or role) being
    /// evaluated, by slot.
    locals: Vec<Val>,
    pub(super) lines: Option<std::rc::Rc<Vec<super::history::Line<'p>>>>,
    /// The lines that made history predicates true, since last taken (for the trace).
    pub(super) matches: Vec<HistoryMatch>,
    /// Whether to note those lines (only a trace shows them).
    pub trace_lines: bool,
    /// What a case error may show of the values it names (see
    /// [`super::shown`]).
    pub reveal: Reveal,
    /// Problems met while evaluating (division by zero), each once.
    pub warnings: Vec<String>,
    /// Why the case cannot be decided (`the` with two matches), if it cannot.
    pub failure: Option<String>,
    /// The decision of the strata below the one being evaluated.
    pub(super) view: Option<DecisionView>,
}

/// No entry of the define cache.
const NONE: usize = usize::MAX;

/// A define's value for one argument list.
struct Cached {
    define: usize,
    /// Where the define's entry before this one is in the cache ([`NONE`]
    /// for none).
    previous: usize,
    args: Vec<Val>,
    value: Val,
    matches: Vec<HistoryMatch>,
}

/// The truth of a value read as a condition.
#[inline]
pub fn truth(v: Val) -> Truth {
    match v {
        Val::Known(Value::Bool(b)) => Truth::known(b),
        Val::Known(_) => Truth::Unknown(Support::indeterminate(Cause::Internal)),
        Val::Unknown(s) => Truth::Unknown(s),
    }
}

/// The truth of a value read as a condition, read where it is kept.
fn truth_of(v: &Val) -> Truth {
    match v {
        Val::Known(Value::Bool(b)) => Truth::known(*b),
        Val::Known(_) => Truth::Unknown(Support::indeterminate(Cause::Internal)),
        Val::Unknown(s) => Truth::Unknown(s.clone()),
    }
}

/// A condition's truth as a value.
#[inline]
pub fn from_truth(t: Truth) -> Val {
    match t {
        Truth::True => Val::Known(Value::Bool(true)),
        Truth::False => Val::Known(Value::Bool(false)),
        Truth::Unknown(s) => Val::Unknown(s),
    }
}

/// A value of a kind the checker should have refused here.
pub(super) fn internal() -> Val {
    Val::Unknown(Support::indeterminate(Cause::Internal))
}

/// An unknown that no fact settles, for `cause`.
pub(super) fn indeterminate(cause: Cause) -> Val {
    Val::Unknown(Support::indeterminate(cause))
}

impl<'p> Evaluator<'p> {
    /// The protocol this evaluator evaluates.
    pub fn protocol(&self) -> &'p Protocol {
        self.protocol
    }

    /// An evaluator for `case` on the day `as_of`.
    pub fn new(protocol: &'p Protocol, case: &'p Case, as_of: Date) -> Evaluator<'p> {
        Evaluator {
            protocol,
            case,
            as_of,
            cache: Vec::new(),
            latest: Vec::new(),
            history_memo: std::iter::repeat_with(|| None)
                .take(protocol.memos)
                .collect(),
            line_number: None,
            locals: Vec::new(),
            lines: None,
            matches: Vec::new(),
            trace_lines: true,
            reveal: Reveal::Codes,
            warnings: Vec::new(),
            failure: None,
            view: None,
        }
    }

    /// Sets the decision later strata read; the defines that read it are
    /// evaluated afresh.
    pub fn set_view(&mut self, view: DecisionView) {
        self.view = Some(view);
        let defines = &self.protocol.defines;
        self.cache
            .retain(|c| !defines.get(c.define).is_some_and(|d| d.reads_decision));
        self.latest.clear();
        for position in 0..self.cache.len() {
            self.link_entry(position);
        }
    }

    /// Links the cache entry at `position` after the entries of its define.
    fn link_entry(&mut self, position: usize) {
        let defines = self.protocol.defines.len();
        if self.latest.is_empty() {
            self.latest = vec![NONE; defines];
        }
        let Some(entry) = self.cache.get_mut(position) else {
            return;
        };
        if let Some(latest) = self.latest.get_mut(entry.define) {
            entry.previous = std::mem::replace(latest, position);
        }
    }

    /// Where the cache keeps the value of define `index` for `args`.
    fn cached_position(&self, index: usize, args: &[Val]) -> Option<usize> {
        let mut position = *self.latest.get(index)?;
        while let Some(entry) = self.cache.get(position) {
            if entry.args == args {
                return Some(position);
            }
            position = entry.previous;
        }
        None
    }

    /// Records why the case cannot be decided (the first reason is kept).
    pub(super) fn fail(&mut self, message: String) {
        self.failure.get_or_insert(message);
    }

    /// The truth of a condition. Connectives, comparisons, membership and
    /// `is` tests give a truth directly: building a value only to read it
    /// back (and drop it) would cost more than the test itself.
    pub fn condition(&mut self, e: &Expr) -> Truth {
        match &e.kind {
            ExprKind::Not(inner) => self.condition(inner).not(),
            ExprKind::Binary(op, l, r) if is_condition(*op) => self.condition_of(*op, l, r),
            ExprKind::Is(inner, negated, test) => self.is(inner, *negated, test),
            // A boolean field, define or history predicate is read where it
            // is kept, not copied.
            ExprKind::CaseField(slot) => match self.case.fields.get(*slot) {
                Some(v) => truth_of(v),
                None => truth(internal()),
            },
            ExprKind::Define(index, args) => {
                let values = self.arguments(args);
                match self.define_read(*index, values) {
                    Some(v) => truth_of(v),
                    None => truth(internal()),
                }
            }
            ExprKind::History {
                pred,
                target,
                within,
                memo: Some(memo),
            } => {
                let read = |ev: &mut Self| ev.history(*pred, target, within.as_deref());
                match self.history_read(*memo, read) {
                    Ok(kept) => truth_of(kept),
                    Err(value) => truth(value),
                }
            }
            _ => truth(self.eval(e)),
        }
    }

    /// The truth of a condition with the history lines that made its
    /// history predicates true, for explaining one part of a rule (`:why`):
    /// the same evaluation as [`Self::condition`], its lines kept apart
    /// (noted only when [`Self::trace_lines`] is set, as it is by default).
    pub fn condition_with_lines(&mut self, e: &Expr) -> (Truth, Vec<HistoryMatch>) {
        let saved = std::mem::take(&mut self.matches);
        let truth = self.condition(e);
        let lines = std::mem::replace(&mut self.matches, saved);
        (truth, lines)
    }

    /// The value of an expression.
    pub fn eval(&mut self, e: &Expr) -> Val {
        match &e.kind {
            ExprKind::Const(c) => Val::Known(constant(c)),
            ExprKind::Local(slot) => self.local(*slot),
            ExprKind::CaseField(slot) => self.case_field(*slot),
            ExprKind::Define(index, args) => self.call(*index, args),
            ExprKind::AsOf => Val::Known(Value::Date(DateRange::day(self.as_of))),
            ExprKind::LineNumber => self.line(),
            ExprKind::Candidates => self.candidates(),
            ExprKind::Collection(items) => self.collection(items),
            ExprKind::Not(_) => from_truth(self.condition(e)),
            ExprKind::Neg(inner) => self.negate(inner),
            ExprKind::Binary(op, l, r) => self.binary(*op, l, r),
            ExprKind::Is(..) => from_truth(self.condition(e)),
            ExprKind::MissingAs(inner, name) => self.missing_as(inner, name),
            ExprKind::NamedUnknown(name) => Val::Unknown(Support::of(Missing::Named(name.clone()))),
            ExprKind::Let(value, body) => {
                let value = self.eval(value);
                self.with_local(value, |ev| ev.eval(body))
            }
            ExprKind::Field(inner, slot) => self.field(inner, *slot),
            ExprKind::PointField(inner, field) => self.point_field(inner, *field),
            ExprKind::Index(inner, key) => self.index(inner, key),
            ExprKind::If(c, t, f) => self.if_expr(c, t, f),
            ExprKind::Match(arms, other) => self.match_expr(arms, other),
            ExprKind::History {
                pred,
                target,
                within,
                memo: None,
            } => self.history(*pred, target, within.as_deref()),
            ExprKind::History {
                pred,
                target,
                within,
                memo: Some(memo),
            } => self.history_once(*memo, |ev| ev.history(*pred, target, within.as_deref())),
            ExprKind::DateOf(part, inner) => self.date_of(*part, inner),
            ExprKind::LastLine => self.last_line_value(),
            ExprKind::PriorLines => self.prior_lines(),
            ExprKind::Series {
                read,
                series,
                within,
            } => self.series(*read, series, within.as_deref()),
            ExprKind::SeriesPart(series, part) => self.series_part(series, part),
            ExprKind::NadirChange(change, series) => self.nadir_change(*change, series),
            ExprKind::Trend(series, trend, count) => self.trend(series, *trend, count),
            ExprKind::Consecutive { count, test, apart } => {
                self.consecutive(count, test, apart.as_deref())
            }
            ExprKind::Run(test) => self.run(test),
            ExprKind::DoublingTime(series) => self.doubling_time(series),
            ExprKind::Quantified(q, binding) => self.quantified(*q, binding),
            ExprKind::Aggregate {
                agg,
                projection,
                over,
            } => self.aggregate(*agg, projection.as_deref(), over),
            ExprKind::Comprehension(binding) => self.comprehension(binding),
            ExprKind::Projection {
                set,
                value,
                binding,
            } => self.projection(*set, value, binding),
            ExprKind::Sorted {
                over,
                key,
                descending,
            } => self.sorted(over, key.as_deref(), *descending),
            ExprKind::Distinct(source) => self.distinct(source),
            ExprKind::Neighbour { next, member, list } => self.neighbour(*next, member, list),
            ExprKind::Vocab(set) => self.vocab_set(set),
            ExprKind::YearsFrom(from, to) => self.years_from(from, to),
            ExprKind::DatedList { field, date } => self.dated_list(*field, *date),
            ExprKind::Pick(pick) => self.pick(pick),
            ExprKind::MonthsFrom(from, to) => self.months_from(from, to),
            ExprKind::Function(f, arg) => self.function(*f, arg),
            ExprKind::Decision(r) => self.decision_ref(r),
        }
    }

    // ---------- names ----------

    /// A case field by its position in the case schema.
    fn case_field(&self, slot: usize) -> Val {
        self.case.fields.get(slot).cloned().unwrap_or_else(internal)
    }

    /// A define's value for these arguments, evaluated once per case.
    fn define(&mut self, index: usize, args: Vec<Val>) -> Val {
        self.define_read(index, args)
            .cloned()
            .unwrap_or_else(internal)
    }

    /// [`Self::define`], read where the cache keeps it (`None` for a define
    /// the protocol does not have).
    fn define_read(&mut self, index: usize, args: Vec<Val>) -> Option<&Val> {
        let position = match self.cached_position(index, &args) {
            Some(position) => {
                if let Some(c) = self.cache.get(position) {
                    self.matches.extend(c.matches.iter().cloned());
                }
                position
            }
            None => {
                let protocol = self.protocol;
                let define = protocol.defines.get(index)?;
                let ((value, matches), args) =
                    self.in_frame_kept(args, |ev| ev.keeping_matches(|ev| ev.eval(&define.body)));
                let position = self.cache.len();
                self.cache.push(Cached {
                    define: index,
                    previous: NONE,
                    args,
                    value,
                    matches,
                });
                self.link_entry(position);
                position
            }
        };
        self.cache.get(position).map(|c| &c.value)
    }

    /// A history predicate's value, evaluated once per case: later reads
    /// replay the lines that made it.
    fn history_once(&mut self, memo: usize, read: impl FnOnce(&mut Self) -> Val) -> Val {
        match self.history_read(memo, read) {
            Ok(kept) => kept.clone(),
            Err(value) => value,
        }
    }

    /// [`Self::history_once`], read where the memo keeps it; `Err` with the
    /// value for a memo index without a slot (evaluated, not kept).
    fn history_read(
        &mut self,
        memo: usize,
        read: impl FnOnce(&mut Self) -> Val,
    ) -> Result<&Val, Val> {
        match self.history_memo.get(memo) {
            Some(Some((_, matches))) => self.matches.extend(matches.iter().cloned()),
            Some(None) => {
                let kept = self.keeping_matches(read);
                if let Some(slot) = self.history_memo.get_mut(memo) {
                    *slot = Some(kept);
                }
            }
            None => return Err(read(self)),
        }
        match self.history_memo.get(memo) {
            Some(Some((value, _))) => Ok(value),
            _ => Err(internal()),
        }
    }

    /// Evaluates with `read` and returns, with the value, the lines it
    /// matched (noted as usual too), for a value kept for later reads.
    fn keeping_matches(&mut self, read: impl FnOnce(&mut Self) -> Val) -> (Val, Vec<HistoryMatch>) {
        if !self.trace_lines {
            // Lines are noted only for a trace: there are none to keep.
            return (read(self), Vec::new());
        }
        let saved = std::mem::take(&mut self.matches);
        let value = read(self);
        let matches = std::mem::replace(&mut self.matches, saved);
        self.matches.extend(matches.iter().cloned());
        (value, matches)
    }

    /// `line`, read once per case.
    fn line(&mut self) -> Val {
        self.line_read().clone()
    }

    /// `line` where the evaluator keeps it, read once per case.
    fn line_read(&mut self) -> &Val {
        if self.line_number.is_none() {
            let value = self.line_number();
            self.line_number = Some(value);
        }
        // Set just above: `internal` is never inserted.
        self.line_number.get_or_insert_with(internal)
    }

    fn call(&mut self, index: usize, args: &[Expr]) -> Val {
        let values = self.arguments(args);
        self.define(index, values)
    }

    /// A define's arguments, evaluated.
    fn arguments(&mut self, args: &[Expr]) -> Vec<Val> {
        args.iter().map(|a| self.eval(a)).collect()
    }

    // ---------- operators ----------

    fn collection(&mut self, items: &[Expr]) -> Val {
        let mut values = Vec::new();
        for item in items {
            let v = self.eval(item);
            if !values.contains(&v) {
                values.push(v);
            }
        }
        Val::Known(Value::List(values))
    }

    fn negate(&mut self, inner: &Expr) -> Val {
        match self.eval(inner) {
            Val::Known(Value::Num(q)) => Val::Known(Value::Num(Quantity {
                value: -q.value,
                unit: q.unit,
            })),
            Val::Unknown(s) => Val::Unknown(s),
            Val::Known(_) => internal(),
        }
    }

    fn binary(&mut self, op: BinOp, l: &Expr, r: &Expr) -> Val {
        match op {
            BinOp::Contains => self.contains(l, r),
            BinOp::StartsWith => self.starts_with(l, r),
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => self.arithmetic(op, l, r),
            BinOp::Union => self.union(l, r),
            BinOp::Pow => self.power(l, r),
            BinOp::Otherwise => match self.eval(l) {
                Val::Known(Value::None) => self.eval(r),
                other => other,
            },
            BinOp::Range => self.range_members(l, r),
            // The rest are conditions (`is_condition`).
            _ => from_truth(self.condition_of(op, l, r)),
        }
    }

    /// A connective, comparison or membership test on `l` and `r`.
    fn condition_of(&mut self, op: BinOp, l: &Expr, r: &Expr) -> Truth {
        match op {
            BinOp::And => self.and(l, r),
            BinOp::Or => self.or(l, r),
            BinOp::In => self.membership(l, r),
            BinOp::NotIn => self.membership(l, r).not(),
            _ => self.compare(op, l, r),
        }
    }

    /// Kleene `and`; a false left side settles it unread.
    fn and(&mut self, l: &Expr, r: &Expr) -> Truth {
        let left = self.condition(l);
        if matches!(left, Truth::False) {
            return Truth::False;
        }
        left.and(self.condition(r))
    }

    /// Kleene `or`; a true left side settles it unread.
    fn or(&mut self, l: &Expr, r: &Expr) -> Truth {
        let left = self.condition(l);
        if matches!(left, Truth::True) {
            return Truth::True;
        }
        left.or(self.condition(r))
    }

    /// Evaluates both sides.
    pub(super) fn operands(&mut self, l: &Expr, r: &Expr) -> Result<(Value, Value), Support> {
        let left = self.eval(l);
        let right = self.eval(r);
        match (undecided(left), undecided(right)) {
            (Val::Known(a), Val::Known(b)) => Ok((a, b)),
            (Val::Unknown(a), Val::Unknown(b)) => Err(a.union(&b)),
            (Val::Unknown(s), _) | (_, Val::Unknown(s)) => Err(s),
        }
    }

    fn compare(&mut self, op: BinOp, l: &Expr, r: &Expr) -> Truth {
        if let ExprKind::Const(c) = &r.kind {
            // A literal needs nothing of the evaluator, so the other side
            // can be read where the evaluator holds it (`line = 2`).
            let right = Val::Known(constant(c));
            let left = self.held_operand(l);
            return compare_operands(op, &left, &right);
        }
        let left = self.operand(l);
        let right = self.operand(r);
        compare_operands(op, &left, &right)
    }

    /// An operand read in place where the evaluator holds it (a case field,
    /// a bound variable, `line`), anything else evaluated.
    fn held_operand(&mut self, e: &Expr) -> Cow<'_, Val> {
        match &e.kind {
            ExprKind::Local(slot) => match self.locals.get(*slot) {
                Some(v) => Cow::Borrowed(v),
                None => Cow::Owned(internal()),
            },
            ExprKind::LineNumber => Cow::Borrowed(self.line_read()),
            _ => self.operand(e),
        }
    }

    /// An operand's value: a case field is read in place, a literal and
    /// `line` (the commonest other sides of a comparison) directly, anything
    /// else evaluated.
    pub(super) fn operand(&mut self, e: &Expr) -> Cow<'p, Val> {
        match &e.kind {
            ExprKind::CaseField(slot) => match self.case.fields.get(*slot) {
                Some(v) => Cow::Borrowed(v),
                None => Cow::Owned(internal()),
            },
            ExprKind::Const(c) => Cow::Owned(Val::Known(constant(c))),
            ExprKind::LineNumber => Cow::Owned(self.line()),
            _ => Cow::Owned(self.eval(e)),
        }
    }

    fn membership(&mut self, l: &Expr, r: &Expr) -> Truth {
        if let ExprKind::Binary(BinOp::Range, low, high) = &r.kind {
            let above = self.compare(BinOp::Ge, l, low);
            let below = self.compare(BinOp::Le, l, high);
            return above.and(below);
        }
        let left = self.operand(l);
        if let ExprKind::Collection(items) = &r.kind {
            return self.in_written(&left, items);
        }
        let right = self.eval(r);
        let x = match known(&left) {
            Ok(x) => x,
            Err(s) => return Truth::Unknown(s),
        };
        let items = match member_truths(right) {
            Ok(items) => items,
            Err(s) => return Truth::Unknown(s),
        };
        let mut result = Truth::False;
        for (item, is_member) in items {
            let t = match item {
                Val::Known(v) => ops::compare(BinOp::Eq, x, &v),
                Val::Unknown(s) => Truth::Unknown(s),
            };
            result = result.or(is_member.and(t));
        }
        result
    }

    /// `x in {a, b}` against the members as written: each evaluated (as the
    /// set would be) and compared, without building the set.
    fn in_written(&mut self, left: &Val, items: &[Expr]) -> Truth {
        let x = known(left);
        let mut result = Truth::False;
        for item in items {
            let member = self.eval(item);
            if let Ok(x) = &x {
                result = result.or(match member {
                    Val::Known(v) => ops::compare(BinOp::Eq, x, &v),
                    Val::Unknown(s) => Truth::Unknown(s),
                });
            }
        }
        match x {
            Ok(_) => result,
            Err(s) => Truth::Unknown(s),
        }
    }

    fn contains(&mut self, l: &Expr, r: &Expr) -> Val {
        let (whole, part) = match self.operands(l, r) {
            Ok(pair) => pair,
            Err(s) => return Val::Unknown(s),
        };
        match (&whole, &part) {
            (Value::Vocab(VocabValue::Known(regimen)), Value::Vocab(VocabValue::Known(agent))) => {
                let has = self.protocol.vocab.agents_of(*regimen).contains(agent);
                from_truth(Truth::known(has))
            }
            (Value::Text(whole), Value::Text(part)) => {
                from_truth(Truth::known(super::text::contains(whole, part)))
            }
            (Value::List(items), x) => {
                let mut result = Truth::False;
                for item in items {
                    result = result.or(match item {
                        Val::Known(v) => ops::compare(BinOp::Eq, v, x),
                        Val::Unknown(s) => Truth::Unknown(s.clone()),
                    });
                }
                from_truth(result)
            }
            _ => from_truth(Truth::False),
        }
    }

    /// `t starts with p` on two texts.
    fn starts_with(&mut self, l: &Expr, r: &Expr) -> Val {
        match self.operands(l, r) {
            Ok((Value::Text(whole), Value::Text(part))) => {
                from_truth(Truth::known(super::text::starts_with(&whole, &part)))
            }
            Ok(_) => internal(),
            Err(s) => Val::Unknown(s),
        }
    }

    fn arithmetic(&mut self, op: BinOp, l: &Expr, r: &Expr) -> Val {
        let (a, b) = match self.operands(l, r) {
            Ok(pair) => pair,
            Err(s) => return Val::Unknown(s),
        };
        if let (BinOp::Div, Value::Num(divisor)) = (op, &b) {
            if divisor.value.is_zero() {
                self.warn("division by zero: the result is unknown");
                return indeterminate(Cause::DivisionByZero);
            }
        }
        let partial = |d: &DateRange| d.exact().is_none();
        let result = match (op, &a, &b) {
            (BinOp::Add | BinOp::Sub, Value::Date(d), _) if partial(d) => {
                return indeterminate(Cause::PartialDate)
            }
            (BinOp::Sub, _, Value::Date(d)) if partial(d) => {
                return indeterminate(Cause::PartialDate)
            }
            (BinOp::Add, Value::Date(d), Value::Num(q)) => {
                d.exact().and_then(|d| ops::shift(d, q, 1)).map(date_value)
            }
            (BinOp::Sub, Value::Date(d), Value::Num(q)) => {
                d.exact().and_then(|d| ops::shift(d, q, -1)).map(date_value)
            }
            (BinOp::Sub, Value::Date(x), Value::Date(y)) => self.date_difference(x, y),
            (_, Value::Num(x), Value::Num(y)) => ops::arithmetic(op, x, y).map(Value::Num),
            (_, Value::Bounds(_), _) | (_, _, Value::Bounds(_)) => {
                return super::interval::arithmetic(op, &a, &b)
            }
            _ => return internal(),
        };
        result.map_or_else(|| indeterminate(Cause::OutOfRange), Val::Known)
    }

    fn warn(&mut self, warning: &str) {
        if !self.warnings.iter().any(|w| w == warning) {
            self.warnings.push(warning.to_string());
        }
    }

    fn date_difference(&self, x: &DateRange, y: &DateRange) -> Option<Value> {
        let days = ops::days_between(y.exact()?, x.exact()?)?;
        Some(Value::Num(Quantity {
            value: days.into(),
            unit: self.protocol.day,
        }))
    }

    fn union(&mut self, l: &Expr, r: &Expr) -> Val {
        match self.operands(l, r) {
            Ok((Value::List(mut a), Value::List(b))) => {
                for item in b {
                    if !a.contains(&item) {
                        a.push(item);
                    }
                }
                Val::Known(Value::List(a))
            }
            Ok(_) => internal(),
            Err(s) => Val::Unknown(s),
        }
    }

    fn is(&mut self, inner: &Expr, negated: bool, test: &IsTest) -> Truth {
        let t = match test {
            IsTest::None => match self.eval(inner) {
                Val::Known(Value::None) => Truth::True,
                Val::Known(_) => Truth::False,
                Val::Unknown(s) => Truth::Unknown(s),
            },
            IsTest::Unknown => Truth::known(matches!(self.eval(inner), Val::Unknown(_))),
            IsTest::Known => Truth::known(matches!(self.eval(inner), Val::Known(_))),
            IsTest::True => Truth::known(matches!(self.condition(inner), Truth::True)),
            IsTest::False => Truth::known(matches!(self.condition(inner), Truth::False)),
            IsTest::Vocab(x) => self.is_vocab(inner, *x),
            IsTest::Value(ty, index) => match self.eval(inner) {
                Val::Known(Value::Enum(e)) => Truth::known(e.ty == *ty && e.index == *index),
                Val::Known(_) => Truth::False,
                Val::Unknown(s) => Truth::Unknown(s),
            },
            IsTest::AnyOf(tests) => {
                let mut any = Truth::False;
                for test in tests {
                    any = any.or(self.is(inner, false, test));
                    if any == Truth::True {
                        break;
                    }
                }
                any
            }
            IsTest::InSets(sets) => {
                let mut any = Truth::False;
                for set in sets {
                    let members =
                        self.protocol
                            .vocab
                            .with_group(set.group, set.agents, set.regimens);
                    for x in members {
                        any = any.or(self.is_vocab(inner, x));
                        if any == Truth::True {
                            return if negated { any.not() } else { any };
                        }
                    }
                }
                any
            }
        };
        if negated {
            t.not()
        } else {
            t
        }
    }

    /// `x is X`: a line or option matches the vocabulary name X.
    fn is_vocab(&mut self, inner: &Expr, x: VocabId) -> Truth {
        if let ExprKind::LastLine = &inner.kind {
            return self.last_line_is(x);
        }
        match self.eval(inner) {
            Val::Known(Value::Record(record)) => self.record_is(&record, x),
            Val::Known(Value::Vocab(VocabValue::Known(option))) => {
                Truth::known(self.protocol.vocab.has(option, x))
            }
            Val::Known(_) => Truth::False,
            Val::Unknown(s) => Truth::Unknown(s),
        }
    }

    fn missing_as(&mut self, inner: &Expr, name: &str) -> Val {
        match self.eval(inner) {
            Val::Unknown(s) if !s.facts().is_empty() => Val::Unknown(Support::from_parts(
                vec![Missing::Named(name.to_string())],
                s.causes().to_vec(),
            )),
            other => other,
        }
    }

    fn field(&mut self, inner: &Expr, slot: usize) -> Val {
        match self.eval(inner) {
            Val::Known(Value::Record(mut record)) => {
                if slot < record.fields.len() {
                    record.fields.swap_remove(slot)
                } else {
                    internal()
                }
            }
            Val::Known(_) => internal(),
            unknown => unknown,
        }
    }

    /// `m[k]`: the value at a key, none when it is absent; `xs[i]` (see
    /// [`super::built::position`]).
    fn index(&mut self, inner: &Expr, key: &Expr) -> Val {
        let whole = self.eval(inner);
        let key = match undecided(self.eval(key)) {
            Val::Known(Value::Bounds(b)) => return Val::Unknown(b.support.clone()),
            Val::Known(Value::Date(d)) if d.exact().is_none() => {
                return indeterminate(Cause::PartialDate)
            }
            other => other,
        };
        let key = match (whole, key) {
            (Val::Unknown(a), Val::Unknown(b)) => return Val::Unknown(a.union(&b)),
            (Val::Unknown(s), _) | (_, Val::Unknown(s)) => return Val::Unknown(s),
            (Val::Known(whole), Val::Known(key)) => (whole, key),
        };
        match key {
            (Value::Map(entries), key) => entries
                .into_iter()
                .find(|(k, _)| *k == key)
                .map_or(Val::Known(Value::None), |(_, v)| v),
            (Value::List(items), i) => {
                super::built::position(items.into_iter().map(|v| (v, None)).collect(), &i)
            }
            (Value::Partial(p), i) => super::built::position(p.members, &i),
            _ => internal(),
        }
    }

    fn if_expr(&mut self, c: &Expr, t: &Expr, f: &Expr) -> Val {
        match self.condition(c) {
            Truth::True => self.eval(t),
            Truth::False => self.eval(f),
            Truth::Unknown(s) => same_or_unknown(self.eval(t), self.eval(f), s),
        }
    }

    /// `match`: the first true guard's value; an unknown guard gives the result
    /// anyway when every still-possible result is the same.
    fn match_expr(&mut self, arms: &[(Expr, Expr)], other: &Expr) -> Val {
        let mut possible: Vec<Val> = Vec::new();
        let mut support = Support::default();
        for (guard, value) in arms {
            match self.condition(guard) {
                Truth::True => {
                    possible.push(self.eval(value));
                    return settle(possible, support);
                }
                Truth::False => {}
                Truth::Unknown(s) => {
                    support.merge(&s);
                    possible.push(self.eval(value));
                }
            }
        }
        possible.push(self.eval(other));
        settle(possible, support)
    }

    fn date_of(&mut self, part: DatePart, inner: &Expr) -> Val {
        match (&inner.kind, part) {
            (
                ExprKind::History {
                    pred,
                    target,
                    within,
                    ..
                },
                _,
            ) => self.history_date(*pred, target, within.as_deref()),
            (
                ExprKind::Series {
                    read,
                    series,
                    within,
                },
                _,
            ) => self.series_date(*read, series, within.as_deref()),
            (ExprKind::LastLine, DatePart::End) => self.last_line_role(super::model::Role::End),
            (ExprKind::LastLine, _) => self.last_line_role(super::model::Role::Start),
            _ => internal(),
        }
    }

    fn years_from(&mut self, from: &Expr, to: &Expr) -> Val {
        match self.operands(from, to) {
            Ok((Value::Date(a), Value::Date(b))) => {
                let Some((a, b)) = a.exact().zip(b.exact()) else {
                    return indeterminate(Cause::PartialDate);
                };
                let years = ops::years_between(a, b);
                years.map_or_else(
                    || indeterminate(Cause::OutOfRange),
                    |y| {
                        Val::Known(Value::Num(Quantity {
                            value: y.into(),
                            unit: self.protocol.year,
                        }))
                    },
                )
            }
            Ok(_) => internal(),
            Err(s) => Val::Unknown(s),
        }
    }

    fn months_from(&mut self, from: &Expr, to: &Expr) -> Val {
        match self.operands(from, to) {
            Ok((Value::Date(a), Value::Date(b))) => match a.exact().zip(b.exact()) {
                Some((a, b)) => Val::Known(Value::Num(Quantity {
                    value: maths::months_between(a, b).into(),
                    unit: self.protocol.month,
                })),
                None => indeterminate(Cause::PartialDate),
            },
            Ok(_) => internal(),
            Err(s) => Val::Unknown(s),
        }
    }

    fn function(&mut self, f: crate::check::ir::Function, arg: &Expr) -> Val {
        match undecided(self.eval(arg)) {
            Val::Known(v) => maths::apply(f, &v),
            unknown => unknown,
        }
    }

    fn power(&mut self, l: &Expr, r: &Expr) -> Val {
        match self.operands(l, r) {
            Ok((a, b)) => maths::power(&a, &b),
            Err(s) => Val::Unknown(s),
        }
    }

    // ---------- locals ----------

    /// The value of a bound variable or parameter. The lowering gave each a
    /// slot of the frame the evaluator pushes, so the slot is always there.
    pub(super) fn local(&self, slot: usize) -> Val {
        self.locals.get(slot).cloned().unwrap_or_else(internal)
    }

    /// Runs `body` with `value` bound at the next slot.
    pub(super) fn with_local<T>(&mut self, value: Val, body: impl FnOnce(&mut Self) -> T) -> T {
        self.locals.push(value);
        let result = body(self);
        self.locals.pop();
        result
    }

    /// Runs `body` in a frame of its own: `frame` are slots `0..n`.
    pub(super) fn in_frame<T>(&mut self, frame: Vec<Val>, body: impl FnOnce(&mut Self) -> T) -> T {
        self.in_frame_kept(frame, body).0
    }

    /// [`Self::in_frame`], giving the frame back as it was (bindings inside
    /// are pushed and popped), for a caller that keeps it.
    fn in_frame_kept<T>(
        &mut self,
        frame: Vec<Val>,
        body: impl FnOnce(&mut Self) -> T,
    ) -> (T, Vec<Val>) {
        let saved = std::mem::replace(&mut self.locals, frame);
        let result = body(self);
        let frame = std::mem::replace(&mut self.locals, saved);
        (result, frame)
    }
}

/// Whether `op` is a connective, comparison or membership test: an operator
/// whose value is a truth.
fn is_condition(op: BinOp) -> bool {
    matches!(
        op,
        BinOp::And
            | BinOp::Or
            | BinOp::Eq
            | BinOp::Ne
            | BinOp::Lt
            | BinOp::Le
            | BinOp::Gt
            | BinOp::Ge
            | BinOp::In
            | BinOp::NotIn
    )
}

/// The value of a literal, an enum value or a vocabulary name.
fn constant(c: &Const) -> Value {
    match c {
        Const::Bool(b) => Value::Bool(*b),
        Const::None => Value::None,
        Const::Num(value, unit) => Value::Num(Quantity {
            value: *value,
            unit: *unit,
        }),
        Const::Text(t) => Value::Text(t.clone()),
        Const::Date(d) => Value::Date(DateRange::day(*d)),
        Const::Enum { ty, index } => Value::Enum(EnumValue {
            ty: *ty,
            index: *index,
        }),
        Const::Vocab(id) => Value::Vocab(VocabValue::Known(*id)),
    }
}

/// A value with undecided parts (a comprehension's undecided members, a
/// count between bounds) read where one exact value is needed: unknown, with
/// what would settle it. Bounds stay: comparisons and arithmetic take them.
#[inline]
fn undecided(v: Val) -> Val {
    match v {
        Val::Known(Value::Partial(p)) => Val::Unknown(p.support()),
        other => other,
    }
}

/// The exact value of an operand, or what would settle it (as [`undecided`]).
fn known(v: &Val) -> Result<&Value, Support> {
    match v {
        Val::Known(Value::Partial(p)) => Err(p.support()),
        Val::Known(x) => Ok(x),
        Val::Unknown(s) => Err(s.clone()),
    }
}

/// `a op b` on two operands, unknown (with what would settle it) when either is.
fn compare_operands(op: BinOp, a: &Val, b: &Val) -> Truth {
    match (known(a), known(b)) {
        (Ok(a), Ok(b)) => ops::compare(op, a, b),
        (Err(a), Err(b)) => Truth::Unknown(a.union(&b)),
        (Err(s), _) | (_, Err(s)) => Truth::Unknown(s),
    }
}

/// The one value every possible branch gives, or unknown.
fn settle(possible: Vec<Val>, support: Support) -> Val {
    let Some(first) = possible.first().cloned() else {
        return Val::Unknown(support);
    };
    if support.facts().is_empty() && !support.is_indeterminate() {
        return possible.into_iter().last().unwrap_or(first);
    }
    if possible.iter().all(|v| *v == first) && matches!(first, Val::Known(_)) {
        return first;
    }
    let mut all = support;
    for v in &possible {
        if let Val::Unknown(s) = v {
            all.merge(s);
        }
    }
    Val::Unknown(all)
}

fn same_or_unknown(a: Val, b: Val, support: Support) -> Val {
    settle(vec![a, b], support)
}

fn date_value(d: Date) -> Value {
    Value::Date(DateRange::day(d))
}
