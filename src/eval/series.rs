//! Series reads: `latest crcl within 30 days`, `previous vl`, `nadir`, `peak`.

use super::expr::Evaluator;
use super::interval::{self, interval_of};
use super::ops;
use super::truth::{Cause, Missing, Support};
use super::value::{Bounds, DateRange, End, Point, Series, Val, Value};
use crate::check::ir::Expr;
use crate::syntax::ast::SeriesRead;
use std::cmp::Ordering;

impl Evaluator<'_> {
    /// The value a series read gives.
    pub(super) fn series(&mut self, read: SeriesRead, series: &Expr, within: Option<&Expr>) -> Val {
        match self.chosen_point(read, series, within) {
            Ok(Some(Picked::Point(point))) => point_value(&point),
            Ok(Some(Picked::Unplaced(value))) => Val::Known(value),
            Ok(None) => Val::Known(Value::None),
            Err(s) => Val::Unknown(s),
        }
    }

    /// The date of the value a series read gives.
    pub(super) fn series_date(
        &mut self,
        read: SeriesRead,
        series: &Expr,
        within: Option<&Expr>,
    ) -> Val {
        match self.chosen_point(read, series, within) {
            Ok(Some(Picked::Point(point))) => Val::Known(Value::Date(DateRange::day(point.date))),
            Ok(Some(Picked::Unplaced(_))) => Val::Unknown(Support::indeterminate(Cause::Censored)),
            Ok(None) => Val::Known(Value::None),
            Err(s) => Val::Unknown(s),
        }
    }

    /// The point a read picks: `Ok(None)` when a known series has too few
    /// values (`previous`), `Err` with what is needed when none is usable.
    /// A series that is a case field is read in place, not copied.
    pub(super) fn chosen_point(
        &mut self,
        read: SeriesRead,
        series: &Expr,
        within: Option<&Expr>,
    ) -> Result<Option<Picked>, Support> {
        let series = self.operand(series);
        let series = match &*series {
            Val::Known(Value::Series(s)) => s,
            Val::Known(_) => return Err(Support::indeterminate(Cause::Internal)),
            Val::Unknown(s) => return Err(s.clone()),
        };
        let from = match within.map(|w| self.eval(w)) {
            None => None,
            Some(Val::Known(Value::Num(d))) => Some(
                ops::shift(self.as_of, &d, -1)
                    .ok_or_else(|| Support::indeterminate(Cause::OutOfRange))?,
            ),
            Some(Val::Unknown(s)) => return Err(s),
            Some(Val::Known(_)) => return Err(Support::indeterminate(Cause::Internal)),
        };
        let as_of = self.as_of;
        let mut usable = series
            .points
            .iter()
            .filter(|p| p.date <= as_of && from.is_none_or(|f| p.date >= f));
        let one = |point: Option<&Point>| point.map(|p| Picked::Point(p.clone()));
        let picked = match read {
            SeriesRead::Latest => one(usable.next_back()),
            SeriesRead::Earliest => one(usable.next()),
            SeriesRead::Previous => return Ok(one(second_last(usable))),
            SeriesRead::Nadir => extreme(usable.collect(), false),
            SeriesRead::Peak => extreme(usable.collect(), true),
        };
        match picked {
            Some(picked) => Ok(Some(picked)),
            None => Err(Support::of(needed(series, from))),
        }
    }
}

/// The point before the last, if there are two.
fn second_last<'a>(points: impl Iterator<Item = &'a Point>) -> Option<&'a Point> {
    let mut last = None;
    let mut before = None;
    for point in points {
        before = last;
        last = Some(point);
    }
    before
}

/// What would settle a read of a series with no usable value.
fn needed(series: &Series, from: Option<jiff::civil::Date>) -> Missing {
    let dated = match from {
        Some(day) => format!("a value dated on or after {day}"),
        None => "a value".to_string(),
    };
    Missing::Fact {
        path: series.path.clone(),
        need: Some(match &series.selector {
            Some(test) => format!("{dated} where {test}"),
            None => dated,
        }),
        why: None,
    }
}

/// What a read picks: one point, or, for a nadir or peak that more than
/// one censored value could be, the interval of its value with no one point
/// (and so no date) known to hold it.
#[derive(Debug, Clone)]
pub(super) enum Picked {
    /// The point the read gives.
    Point(Point),
    /// The nadir's (peak's) value, when two points could hold it.
    Unplaced(Value),
}

/// The lowest (or highest) value: of equal exact values the latest; when
/// censored values leave more than one point that could be it, its interval
/// unplaced. `None` without points.
fn extreme(points: Vec<&Point>, highest: bool) -> Option<Picked> {
    let values: Vec<Value> = points.iter().map(|p| known_value(p)).collect();
    // A point could be the least unless another is certainly below it; if
    // any is, the one with the strongest end is: two passes, not n².
    let (best, second) = two_strongest(&values, highest);
    let could_be = |i: usize, mine: &Value| {
        let rival = if best == Some(i) { second } else { best };
        match rival.and_then(|j| values.get(j)) {
            None => true,
            Some(theirs) if highest => !certainly_below(mine, theirs),
            Some(theirs) => !certainly_below(theirs, mine),
        }
    };
    let candidates: Vec<usize> = values
        .iter()
        .enumerate()
        .filter(|(i, v)| could_be(*i, v))
        .map(|(i, _)| i)
        .collect();
    let exact = candidates
        .iter()
        .all(|i| points.get(*i).is_some_and(|p| p.comparator.is_none()));
    if exact || candidates.len() == 1 {
        return candidates
            .last()
            .and_then(|i| points.get(*i))
            .map(|p| Picked::Point((*p).clone()));
    }
    let value = values.into_iter().reduce(|a, b| {
        let (Some((a_lo, a_hi, _)), Some((b_lo, b_hi, _))) = (interval_of(&a), interval_of(&b))
        else {
            return a;
        };
        let (low, high) = if highest {
            (
                interval::greatest_low(a_lo, b_lo),
                interval::greatest_high(a_hi, b_hi),
            )
        } else {
            (
                interval::least_low(a_lo, b_lo),
                interval::least_high(a_hi, b_hi),
            )
        };
        Bounds::interval(low, high, Support::indeterminate(Cause::Censored))
    })?;
    Some(Picked::Unplaced(value))
}

/// The positions of the two values whose ends most often put another out
/// of the running: for a nadir the two lowest high ends (of equal ends,
/// an exclusive one first; an unbounded one last), for a peak the two
/// highest low ends.
fn two_strongest(values: &[Value], highest: bool) -> (Option<usize>, Option<usize>) {
    let end =
        |v: &Value| interval_of(v).and_then(|(low, high, _)| if highest { low } else { high });
    let stronger = |a: &Option<End>, b: &Option<End>| match (a, b) {
        (Some(x), Some(y)) => match ops::compare_quantities(&x.at, &y.at) {
            Some(Ordering::Equal) => x.open && !y.open,
            Some(Ordering::Less) => !highest,
            Some(Ordering::Greater) => highest,
            None => false,
        },
        (Some(_), None) => true,
        (None, _) => false,
    };
    let ends: Vec<Option<End>> = values.iter().map(end).collect();
    let (mut best, mut second): (Option<usize>, Option<usize>) = (None, None);
    for (i, e) in ends.iter().enumerate() {
        let beats = |other: Option<usize>| {
            other
                .and_then(|j| ends.get(j))
                .is_none_or(|o| stronger(e, o))
        };
        if beats(best) {
            second = best;
            best = Some(i);
        } else if beats(second) {
            second = Some(i);
        }
    }
    (best, second)
}

/// Whether every value `a` may be is below every value `b` may be.
fn certainly_below(a: &Value, b: &Value) -> bool {
    match (interval_of(a), interval_of(b)) {
        (Some((_, a_high, _)), Some((b_low, _, _))) => {
            interval::every_below(&a_high, &b_low).unwrap_or(false)
        }
        _ => false,
    }
}

/// A point's value: exact, or a censored value's interval.
fn known_value(point: &Point) -> Value {
    match point.comparator {
        None => Value::Num(point.value.clone()),
        Some(c) => Bounds::censored(&point.value, c),
    }
}

/// A point's value: exact, or a censored value as its interval
/// (`<20` is [0, 20)), which no fact of the case can narrow.
pub(super) fn point_value(point: &Point) -> Val {
    Val::Known(known_value(point))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::value::{Comparator, Quantity};
    use proptest::prelude::*;

    fn point(index: usize, value: i64, comparator: Option<Comparator>) -> Point {
        Point {
            date: jiff::civil::date(2025, 1, 1),
            time: None,
            value: Quantity {
                value: value.into(),
                unit: None,
            },
            comparator,
            index,
        }
    }

    /// The points that could be the extreme, by the definition: no other
    /// point is certainly beyond it (every pair compared).
    fn candidates_by_definition(points: &[Point], highest: bool) -> Vec<usize> {
        let values: Vec<Value> = points.iter().map(known_value).collect();
        (0..values.len())
            .filter(|&i| {
                values.iter().enumerate().all(|(j, theirs)| {
                    let mine = &values[i];
                    let beaten = if highest {
                        certainly_below(mine, theirs)
                    } else {
                        certainly_below(theirs, mine)
                    };
                    i == j || !beaten
                })
            })
            .collect()
    }

    fn comparator() -> impl Strategy<Value = Option<Comparator>> {
        prop_oneof![
            Just(None),
            Just(Some(Comparator::Below)),
            Just(Some(Comparator::AtMost)),
            Just(Some(Comparator::Above)),
            Just(Some(Comparator::AtLeast)),
        ]
    }

    proptest! {
        /// The two-pass choice of the nadir (peak) picks as comparing
        /// every pair would.
        #[test]
        fn the_extreme_is_the_one_every_pair_allows(
            written in proptest::collection::vec((0i64..4, comparator()), 1..7),
            highest in any::<bool>(),
        ) {
            let points: Vec<Point> = written
                .iter()
                .enumerate()
                .map(|(i, (v, c))| point(i, *v, *c))
                .collect();
            let candidates = candidates_by_definition(&points, highest);
            let exact = candidates.iter().all(|&i| points[i].comparator.is_none());
            let picked = extreme(points.iter().collect(), highest);
            match picked {
                Some(Picked::Point(p)) => {
                    prop_assert!(exact || candidates.len() == 1);
                    prop_assert_eq!(Some(&p.index), candidates.last());
                }
                Some(Picked::Unplaced(_)) => prop_assert!(!exact && candidates.len() > 1),
                None => prop_assert!(false, "no extreme of {} points", points.len()),
            }
        }
    }
}
