//! Tests of a series' latest values: `2 consecutive psa >= 0.2 ng/mL at least
//! 14 days apart` (a truth) and `run of psa >= 0.2 ng/mL` (an int).

use super::expr::{from_truth, internal, Evaluator};
use super::ops;
use super::series::point_value;
use super::truth::{Support, Truth};
use super::value::{Bounds, Point, Quantity, Val, Value};
use crate::check::ir::{Expr, ValueTest};
use crate::syntax::ast::BinOp;
use jiff::civil::Date;
use rust_decimal::Decimal;

impl Evaluator<'_> {
    /// Whether the latest N values meet the test, each at least the gap after
    /// the one before (values in between, too close to count, must meet it
    /// as well); false when the series holds no such N.
    pub(super) fn consecutive(
        &mut self,
        count: &Expr,
        test: &ValueTest,
        apart: Option<&Expr>,
    ) -> Val {
        let n = match self.count_of(count) {
            Ok(n) => n,
            Err(unknown) => return unknown,
        };
        let gap = match apart.map(|d| self.eval(d)) {
            None => None,
            Some(Val::Known(Value::Num(d))) => Some(d),
            Some(Val::Known(_)) => return internal(),
            Some(Val::Unknown(s)) => return Val::Unknown(s),
        };
        let threshold = self.eval(&test.threshold);
        let series = self.operand(&test.series);
        let points = match usable(&series, self.as_of) {
            Ok(points) => points,
            Err(unknown) => return unknown,
        };
        let Some(needed) = values_needed(&points, n, gap.as_ref()) else {
            return Val::Known(Value::Bool(false));
        };
        let latest = points.iter().rev().take(needed);
        let truths = latest.map(|p| meets(p, test.op, &threshold));
        from_truth(truths.fold(Truth::True, Truth::and))
    }

    /// How many of the latest values in a row meet the test: 0 when the
    /// latest does not; between bounds when some are unknown.
    pub(super) fn run(&mut self, test: &ValueTest) -> Val {
        let threshold = self.eval(&test.threshold);
        let series = self.operand(&test.series);
        let points = match usable(&series, self.as_of) {
            Ok(points) => points,
            Err(unknown) => return unknown,
        };
        let (mut low, mut high, mut support) = (0usize, 0usize, Support::default());
        for point in points.iter().rev() {
            match meets(point, test.op, &threshold) {
                Truth::True if low == high => low += 1,
                Truth::True => {}
                Truth::Unknown(s) => support.merge(&s),
                Truth::False => break,
            }
            high += 1;
        }
        Val::Known(Bounds::value(whole(low), whole(high), support))
    }
}

/// The values of a series dated on or before `as_of`, in series order.
pub(super) fn usable(series: &Val, as_of: Date) -> Result<Vec<&Point>, Val> {
    match series {
        Val::Known(Value::Series(s)) => Ok(s.points.iter().filter(|p| p.date <= as_of).collect()),
        Val::Known(_) => Err(internal()),
        Val::Unknown(s) => Err(Val::Unknown(s.clone())),
    }
}

/// How many of the latest values it takes to hold `n` values each at least
/// `gap` after the one before, or `None` when the series is too short.
/// Picking, from the latest back, the latest value far enough before the
/// last one picked needs the fewest values: any other pick is no later.
fn values_needed(points: &[&Point], n: usize, gap: Option<&Quantity>) -> Option<usize> {
    if n == 0 {
        return Some(0);
    }
    let mut picked = 0;
    let mut last_picked: Option<Date> = None;
    for (taken, point) in points.iter().rev().enumerate() {
        let far_enough = match (last_picked, gap) {
            (Some(later), Some(gap)) => ops::shift(point.date, gap, 1).is_some_and(|d| d <= later),
            _ => true,
        };
        if far_enough {
            picked += 1;
            last_picked = Some(point.date);
            if picked == n {
                return Some(taken + 1);
            }
        }
    }
    None
}

/// `value op threshold` for one point (unknown for a value not known).
fn meets(point: &Point, op: BinOp, threshold: &Val) -> Truth {
    match (point_value(point), threshold) {
        (Val::Known(v), Val::Known(t)) => ops::compare(op, &v, t),
        (Val::Unknown(a), Val::Unknown(b)) => Truth::Unknown(a.union(b)),
        (Val::Unknown(s), Val::Known(_)) => Truth::Unknown(s),
        (Val::Known(_), Val::Unknown(s)) => Truth::Unknown(s.clone()),
    }
}

/// A count as a number without a unit.
fn whole(n: usize) -> Quantity {
    Quantity {
        value: Decimal::from(n),
        unit: None,
    }
}
