//! Reads of a series' course: change from nadir (`rise of psa from nadir`,
//! `percent change of psa from nadir`) and trends (`psa rising over last 3`).

use super::expr::{from_truth, indeterminate, internal, Evaluator};
use super::ops;
use super::series::point_value;
use super::truth::{Cause, Support, Truth};
use super::value::{Point, Quantity, Val, Value};
use crate::check::ir::Expr;
use crate::syntax::ast::{BinOp, NadirChange, SeriesRead, Trend};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

impl Evaluator<'_> {
    /// latest − nadir, or that change as a percentage of the nadir.
    pub(super) fn nadir_change(&mut self, change: NadirChange, series: &Expr) -> Val {
        let (latest, nadir) = match self.latest_and_nadir(series) {
            Ok(pair) => pair,
            Err(s) => return Val::Unknown(s),
        };
        let Some(rise) = ops::arithmetic(BinOp::Sub, &latest, &nadir) else {
            return indeterminate(Cause::OutOfRange);
        };
        match change {
            NadirChange::Rise => Val::Known(Value::Num(rise)),
            NadirChange::Percent => percent_of(&rise, &nadir),
        }
    }

    /// The latest value and the nadir, as exact numbers.
    fn latest_and_nadir(&mut self, series: &Expr) -> Result<(Quantity, Quantity), Support> {
        let latest = self.chosen_point(SeriesRead::Latest, series, None);
        let nadir = self.chosen_point(SeriesRead::Nadir, series, None);
        let (latest, nadir) = match (latest, nadir) {
            (Ok(Some(l)), Ok(Some(n))) => (l, n),
            (Err(a), Err(b)) => return Err(a.union(&b)),
            (Err(s), _) | (_, Err(s)) => return Err(s),
            _ => return Err(Support::indeterminate(Cause::Internal)),
        };
        Ok((number(&latest)?, number(&nadir)?))
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

/// A point's value as an exact number.
fn number(point: &Point) -> Result<Quantity, Support> {
    match point_value(point) {
        Val::Known(Value::Num(q)) => Ok(q),
        Val::Known(_) => Err(Support::indeterminate(Cause::Censored)),
        Val::Unknown(s) => Err(s),
    }
}

/// 100 × rise / nadir, without a unit; a nadir of zero is a division by zero.
fn percent_of(rise: &Quantity, nadir: &Quantity) -> Val {
    if nadir.value.is_zero() {
        return indeterminate(Cause::DivisionByZero);
    }
    let percent = rise
        .value
        .checked_mul(Decimal::ONE_HUNDRED)
        .and_then(|v| v.checked_div(nadir.value));
    match percent {
        Some(value) => Val::Known(Value::Num(Quantity { value, unit: None })),
        None => indeterminate(Cause::OutOfRange),
    }
}
