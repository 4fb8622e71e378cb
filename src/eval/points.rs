//! Series as collections of points (`any p in psa where p.value > …`) and
//! the parts of a series between dates (`psa since D`).

use super::expr::{internal, Evaluator};
use super::series::point_value;
use super::truth::{Cause, Support, Truth};
use super::value::{DateRange, Point, Series, Val, Value};
use crate::check::ir::{Expr, PointField, SeriesPart};
use jiff::civil::Date;

impl Evaluator<'_> {
    /// The points of a series dated on or before `as_of`, in the series' order.
    pub(super) fn points(&self, series: &Series) -> Vec<(Val, Truth)> {
        series
            .points
            .iter()
            .filter(|p| p.date <= self.as_of)
            .map(|p| (Val::Known(Value::Point(Box::new(p.clone()))), Truth::True))
            .collect()
    }

    /// `p.date`, `p.value`, `p.comparator`.
    pub(super) fn point_field(&mut self, inner: &Expr, field: PointField) -> Val {
        match self.eval(inner) {
            Val::Known(Value::Point(point)) => field_of(&point, field),
            Val::Known(_) => internal(),
            unknown => unknown,
        }
    }

    /// `psa since D` and the other parts: the series' points within the bounds.
    pub(super) fn series_part(&mut self, series: &Expr, part: &SeriesPart) -> Val {
        let window = match self.window(part) {
            Ok(w) => w,
            Err(s) => return Val::Unknown(s),
        };
        let series = self.operand(series);
        let series = match &*series {
            Val::Known(Value::Series(s)) => s,
            Val::Known(_) => return internal(),
            Val::Unknown(s) => return Val::Unknown(s.clone()),
        };
        let points = series
            .points
            .iter()
            .filter(|p| window.holds(p.date))
            .cloned()
            .collect();
        Val::Known(Value::Series(Box::new(Series {
            points,
            path: series.path.clone(),
            selector: series.selector.clone(),
        })))
    }

    /// The dates a part is bounded by.
    fn window(&mut self, part: &SeriesPart) -> Result<Window, Support> {
        Ok(match part {
            SeriesPart::Since(d) => Window {
                from: Some(self.day(d)?),
                ..Window::default()
            },
            SeriesPart::Before(d) => Window {
                until: Some(self.day(d)?),
                ..Window::default()
            },
            SeriesPart::OnOrBefore(d) => Window {
                to: Some(self.day(d)?),
                ..Window::default()
            },
            SeriesPart::Between(a, b) => Window {
                from: Some(self.day(a)?),
                to: Some(self.day(b)?),
                ..Window::default()
            },
        })
    }

    /// A bound's exact day: a partial date bounds nothing exactly (indeterminate).
    fn day(&mut self, e: &Expr) -> Result<Date, Support> {
        match self.eval(e) {
            Val::Known(Value::Date(range)) => range
                .exact()
                .ok_or_else(|| Support::indeterminate(Cause::PartialDate)),
            Val::Known(_) => Err(Support::indeterminate(Cause::Internal)),
            Val::Unknown(s) => Err(s),
        }
    }
}

/// The days a part keeps: on or after `from`, on or before `to`, strictly before `until`.
#[derive(Default)]
struct Window {
    from: Option<Date>,
    to: Option<Date>,
    until: Option<Date>,
}

impl Window {
    fn holds(&self, day: Date) -> bool {
        self.from.is_none_or(|f| day >= f)
            && self.to.is_none_or(|t| day <= t)
            && self.until.is_none_or(|u| day < u)
    }
}

/// One field of a point.
fn field_of(point: &Point, field: PointField) -> Val {
    match field {
        PointField::Date => Val::Known(Value::Date(DateRange::day(point.date))),
        PointField::Value => point_value(point),
        PointField::Comparator => Val::Known(match point.comparator {
            None => Value::None,
            Some(c) => Value::Text(c.symbol().to_string()),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::value::{Comparator, Quantity};
    use rust_decimal::Decimal;

    fn point(comparator: Option<Comparator>) -> Point {
        Point {
            date: jiff::civil::date(2025, 4, 1),
            time: None,
            value: Quantity {
                value: Decimal::new(20, 0),
                unit: None,
            },
            comparator,
            index: 0,
        }
    }

    #[test]
    fn an_exact_point_has_no_comparator_and_its_value() {
        let exact = point(None);
        assert_eq!(
            field_of(&exact, PointField::Comparator),
            Val::Known(Value::None)
        );
        assert_eq!(
            field_of(&exact, PointField::Value),
            Val::Known(Value::Num(exact.value.clone()))
        );
        assert_eq!(
            field_of(&exact, PointField::Date),
            Val::Known(Value::Date(DateRange::day(jiff::civil::date(2025, 4, 1))))
        );
    }

    #[test]
    fn a_censored_point_shows_its_comparator_and_reads_through_point_value() {
        let censored = point(Some(Comparator::Below));
        assert_eq!(
            field_of(&censored, PointField::Comparator),
            Val::Known(Value::Text("<".to_string()))
        );
        assert_eq!(
            field_of(&censored, PointField::Value),
            point_value(&censored)
        );
    }

    #[test]
    fn a_window_keeps_its_bounds_as_documented() {
        let day = |d| jiff::civil::date(2025, 6, d);
        let before = Window {
            until: Some(day(1)),
            ..Window::default()
        };
        assert!(!before.holds(day(1)) && before.holds(jiff::civil::date(2025, 5, 31)));
        let between = Window {
            from: Some(day(1)),
            to: Some(day(2)),
            ..Window::default()
        };
        assert!(between.holds(day(1)) && between.holds(day(2)) && !between.holds(day(3)));
    }
}
