//! Series reads: `latest crcl within 30 days`, `previous vl`, `nadir`, `peak`.

use super::expr::Evaluator;
use super::ops;
use super::truth::{Cause, Missing, Support};
use super::value::{DateRange, Point, Series, Val, Value};
use crate::check::ir::Expr;
use crate::syntax::ast::SeriesRead;

impl Evaluator<'_> {
    /// The value a series read gives.
    pub(super) fn series(&mut self, read: SeriesRead, series: &Expr, within: Option<&Expr>) -> Val {
        match self.chosen_point(read, series, within) {
            Ok(Some(point)) => point_value(&point),
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
            Ok(Some(point)) => Val::Known(Value::Date(DateRange::day(point.date))),
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
    ) -> Result<Option<Point>, Support> {
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
        let picked = match read {
            SeriesRead::Latest => usable.next_back(),
            SeriesRead::Earliest => usable.next(),
            SeriesRead::Previous => return Ok(second_last(usable).cloned()),
            SeriesRead::Nadir => extreme(usable, false)?,
            SeriesRead::Peak => extreme(usable, true)?,
        };
        match picked {
            Some(point) => Ok(Some(point.clone())),
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
    Missing::Fact {
        path: series.path.clone(),
        need: Some(match from {
            Some(day) => format!("a value dated on or after {day}"),
            None => "a value".to_string(),
        }),
        why: None,
    }
}

/// The lowest (or highest) value; the latest of equal values.
fn extreme<'a>(
    points: impl Iterator<Item = &'a Point>,
    highest: bool,
) -> Result<Option<&'a Point>, Support> {
    let mut best: Option<&Point> = None;
    for point in points {
        if point.comparator.is_some() {
            return Err(Support::indeterminate(Cause::Censored));
        }
        let better = match best {
            None => true,
            Some(b) => match ops::compare_quantities(&point.value, &b.value) {
                Some(std::cmp::Ordering::Less) => !highest,
                Some(std::cmp::Ordering::Greater) => highest,
                Some(std::cmp::Ordering::Equal) => true,
                None => false,
            },
        };
        if better {
            best = Some(point);
        }
    }
    Ok(best)
}

/// A point's value; a censored value is not known exactly, and no fact settles it.
pub(super) fn point_value(point: &Point) -> Val {
    match point.comparator {
        None => Val::Known(Value::Num(point.value.clone())),
        Some(_) => Val::Unknown(Support::indeterminate(Cause::Censored)),
    }
}
