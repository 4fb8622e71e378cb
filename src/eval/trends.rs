//! Reads of a series' course: change from nadir (`rise of psa from nadir`,
//! `percent change of psa from nadir`) and trends (`psa rising over last 3`).

use super::expr::{from_truth, indeterminate, internal, Evaluator};
use super::interval;
use super::ops;
use super::series::{point_value, Picked};
use super::truth::{Cause, Support, Truth};
use super::value::{Bounds, End, Point, Quantity, Val, Value};
use crate::check::ir::Expr;
use crate::syntax::ast::{BinOp, NadirChange, SeriesRead, Trend};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

impl Evaluator<'_> {
    /// latest − nadir, or that change as a percentage of the nadir; on
    /// censored values, the interval of every possible change (zero when the
    /// latest value is the nadir).
    pub(super) fn nadir_change(&mut self, change: NadirChange, series: &Expr) -> Val {
        let (latest, nadir) = match self.latest_and_nadir(series) {
            Ok(pair) => pair,
            Err(s) => return Val::Unknown(s),
        };
        let rise = match (&latest, &nadir) {
            (Picked::Point(l), Picked::Point(n)) if l.index == n.index => {
                Val::Known(Value::Num(zero_in(&l.value)))
            }
            _ => at_least_zero(difference(&picked_value(&latest), &picked_value(&nadir))),
        };
        match (change, rise) {
            (NadirChange::Rise, rise) => rise,
            (NadirChange::Percent, Val::Known(rise)) => percent_of(&rise, &picked_value(&nadir)),
            (NadirChange::Percent, unknown) => unknown,
        }
    }

    /// The latest value and the nadir.
    fn latest_and_nadir(&mut self, series: &Expr) -> Result<(Picked, Picked), Support> {
        let latest = self.chosen_point(SeriesRead::Latest, series, None);
        let nadir = self.chosen_point(SeriesRead::Nadir, series, None);
        match (latest, nadir) {
            (Ok(Some(l)), Ok(Some(n))) => Ok((l, n)),
            (Err(a), Err(b)) => Err(a.union(&b)),
            (Err(s), _) | (_, Err(s)) => Err(s),
            _ => Err(Support::indeterminate(Cause::Internal)),
        }
    }

    /// Whether each of the latest N values is above (below) the one before:
    /// false when the series has fewer than N values.
    pub(super) fn trend(&mut self, series: &Expr, trend: Trend, count: &Expr) -> Val {
        let n = match self.count_of(count) {
            Ok(n) => n,
            Err(unknown) => return unknown,
        };
        let series = self.operand(series);
        let points: Vec<&Point> = match &*series {
            Val::Known(Value::Series(s)) => {
                s.points.iter().filter(|p| p.date <= self.as_of).collect()
            }
            Val::Known(_) => return internal(),
            Val::Unknown(s) => return Val::Unknown(s.clone()),
        };
        let Some(last_n) = points
            .len()
            .checked_sub(n)
            .and_then(|from| points.get(from..))
        else {
            return Val::Known(Value::Bool(false));
        };
        let op = match trend {
            Trend::Rising => BinOp::Gt,
            Trend::Falling => BinOp::Lt,
        };
        let steps = last_n.windows(2).map(|pair| match pair {
            [before, after] => step(op, after, before),
            _ => Truth::True,
        });
        from_truth(steps.fold(Truth::True, Truth::and))
    }

    /// A count of values (the N of `rising over last N`), or the value to
    /// give instead: unknown, or out of range when negative or huge.
    pub(super) fn count_of(&mut self, count: &Expr) -> Result<usize, Val> {
        match self.eval(count) {
            Val::Known(Value::Num(q)) => q
                .value
                .to_usize()
                .ok_or_else(|| indeterminate(Cause::OutOfRange)),
            Val::Known(_) => Err(internal()),
            Val::Unknown(s) => Err(Val::Unknown(s)),
        }
    }
}

/// `after op before` on two points' values (unknown for a value not known exactly).
fn step(op: BinOp, after: &Point, before: &Point) -> Truth {
    match (point_value(after), point_value(before)) {
        (Val::Known(a), Val::Known(b)) => ops::compare(op, &a, &b),
        (Val::Unknown(s), _) | (_, Val::Unknown(s)) => Truth::Unknown(s),
    }
}

/// The value a read picked.
fn picked_value(picked: &Picked) -> Value {
    match picked {
        Picked::Point(point) => match point_value(point) {
            Val::Known(v) => v,
            Val::Unknown(_) => Value::None,
        },
        Picked::Unplaced(value) => value.clone(),
    }
}

/// `a − b`, exact or as an interval.
fn difference(a: &Value, b: &Value) -> Val {
    match (a, b) {
        (Value::Num(x), Value::Num(y)) => match ops::arithmetic(BinOp::Sub, x, y) {
            Some(q) => Val::Known(Value::Num(q)),
            None => indeterminate(Cause::OutOfRange),
        },
        _ => interval::arithmetic(BinOp::Sub, a, b),
    }
}

/// A rise from the nadir, which is never below 0 (the nadir is at most the
/// latest value), though intervals on the two reads alone could reach below.
fn at_least_zero(rise: Val) -> Val {
    match rise {
        Val::Known(Value::Bounds(b)) => {
            let zero = b
                .low
                .as_ref()
                .or(b.high.as_ref())
                .map(|e| End::closed(zero_in(&e.at)));
            let low = match zero {
                Some(zero) => interval::greatest_low(b.low, Some(zero)),
                None => b.low,
            };
            Val::Known(Bounds::interval(low, b.high, b.support))
        }
        other => other,
    }
}

fn zero_in(q: &Quantity) -> Quantity {
    Quantity {
        value: Decimal::ZERO,
        unit: q.unit,
    }
}

/// 100 × rise / nadir, without a unit; a nadir of zero is a division by
/// zero, and one that may be zero (a censored nadir) leaves it unknown.
fn percent_of(rise: &Value, nadir: &Value) -> Val {
    let hundred = Value::Num(Quantity {
        value: Decimal::ONE_HUNDRED,
        unit: None,
    });
    if let (Value::Num(r), Value::Num(n)) = (rise, nadir) {
        if n.value.is_zero() {
            return indeterminate(Cause::DivisionByZero);
        }
        let percent = r
            .value
            .checked_mul(Decimal::ONE_HUNDRED)
            .and_then(|v| v.checked_div(n.value));
        return match percent {
            Some(value) => Val::Known(Value::Num(Quantity { value, unit: None })),
            None => indeterminate(Cause::OutOfRange),
        };
    }
    match interval::arithmetic(BinOp::Mul, rise, &hundred) {
        Val::Known(scaled) => interval::arithmetic(BinOp::Div, &scaled, nadir),
        unknown => unknown,
    }
}
