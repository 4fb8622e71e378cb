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
        let gap = match self.gap(apart) {
            Ok(gap) => gap,
            Err(unknown) => return unknown,
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

    /// The `D` of `at least D apart`, if written, or the value to give instead.
    fn gap(&mut self, apart: Option<&Expr>) -> Result<Option<Quantity>, Val> {
        match apart.map(|d| self.eval(d)) {
            None => Ok(None),
            Some(Val::Known(Value::Num(d))) => Ok(Some(d)),
            Some(Val::Known(_)) => Err(internal()),
            Some(Val::Unknown(s)) => Err(Val::Unknown(s)),
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::truth::Cause;
    use crate::units::UnitTable;

    /// A point on a day of June 2025, its value in tenths.
    fn point(day: i8, value: i64) -> Point {
        Point {
            date: jiff::civil::date(2025, 6, day),
            time: None,
            value: Quantity {
                value: Decimal::new(value, 1),
                unit: None,
            },
            comparator: None,
            index: 0,
        }
    }

    fn days(n: i64) -> Quantity {
        Quantity {
            value: Decimal::from(n),
            unit: UnitTable::new().lookup("days"),
        }
    }

    #[test]
    fn no_gap_needs_the_latest_n_values() {
        let points = [point(1, 3), point(2, 3), point(3, 3)];
        let refs: Vec<&Point> = points.iter().collect();
        assert_eq!(values_needed(&refs, 2, None), Some(2));
        assert_eq!(values_needed(&refs, 3, None), Some(3));
        assert_eq!(values_needed(&refs, 4, None), None);
        assert_eq!(values_needed(&refs, 0, None), Some(0));
    }

    #[test]
    fn a_gap_reaches_back_past_values_too_close_to_count() {
        let points = [point(1, 3), point(8, 3), point(15, 3)];
        let refs: Vec<&Point> = points.iter().collect();
        assert_eq!(values_needed(&refs, 2, Some(&days(14))), Some(3));
        assert_eq!(values_needed(&refs, 2, Some(&days(15))), None);
        assert_eq!(values_needed(&refs, 3, Some(&days(7))), Some(3));
    }

    #[test]
    fn a_test_is_three_valued() {
        let threshold = Val::Known(Value::Num(Quantity {
            value: Decimal::new(2, 1),
            unit: None,
        }));
        assert_eq!(meets(&point(1, 2), BinOp::Ge, &threshold), Truth::True);
        assert_eq!(meets(&point(1, 2), BinOp::Gt, &threshold), Truth::False);
        let unknown = Val::Unknown(Support::indeterminate(Cause::DivisionByZero));
        assert!(meets(&point(1, 2), BinOp::Ge, &unknown).is_unknown());
    }
}
