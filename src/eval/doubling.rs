//! `doubling time of psa`: ln 2 over the least-squares slope of ln(value)
//! against time in days (the natural-log linear regression of the Prostate
//! Specific Antigen Working Group, Arlen et al., J Urol 2008), in months of
//! 30.4375 days (a year of 365.25 days over 12).

use super::expr::{indeterminate, Evaluator};
use super::ops;
use super::runs::usable;
use super::truth::Cause;
use super::value::{Point, Quantity, Val, Value};
use crate::check::ir::Expr;
use rust_decimal::{Decimal, MathematicalOps};

/// Days in a month of the result: 365.25 / 12.
const DAYS_PER_MONTH: Decimal = Decimal::from_parts(304_375, 0, 0, false, 4);

/// A value paired for the regression: days since the first value, ln(value).
type Sample = (Decimal, Decimal);

impl Evaluator<'_> {
    /// The doubling time in months: none with fewer than two dates or a
    /// slope that is not positive (not doubling); indeterminate when a value
    /// is censored, zero or negative.
    pub(super) fn doubling_time(&mut self, series: &Expr) -> Val {
        let series = self.operand(series);
        let points = match usable(&series, self.as_of) {
            Ok(points) => points,
            Err(unknown) => return unknown,
        };
        let months = log_samples(&points).and_then(|samples| months_to_double(&samples));
        match months {
            Ok(Some(value)) => Val::Known(Value::Num(Quantity {
                value,
                unit: self.protocol.month,
            })),
            Ok(None) => Val::Known(Value::None),
            Err(cause) => indeterminate(cause),
        }
    }
}

/// Each value with its day; a censored value or one of zero or less has no
/// logarithm the regression could use.
fn log_samples(points: &[&Point]) -> Result<Vec<Sample>, Cause> {
    let Some(first) = points.first().map(|p| p.date) else {
        return Ok(Vec::new());
    };
    points
        .iter()
        .map(|point| {
            if point.comparator.is_some() {
                return Err(Cause::Censored);
            }
            if point.value.value <= Decimal::ZERO {
                return Err(Cause::Undefined);
            }
            let days = ops::days_between(first, point.date).ok_or(Cause::OutOfRange)?;
            let ln = point.value.value.checked_ln().ok_or(Cause::OutOfRange)?;
            Ok((Decimal::from(days), ln))
        })
        .collect()
}

/// ln 2 / slope, in months; none when there is no slope or it is not positive.
fn months_to_double(samples: &[Sample]) -> Result<Option<Decimal>, Cause> {
    let Some(slope) = slope(samples)? else {
        return Ok(None);
    };
    if slope <= Decimal::ZERO {
        return Ok(None);
    }
    let ln2 = Decimal::TWO.checked_ln().ok_or(Cause::OutOfRange)?;
    let days = ln2.checked_div(slope).ok_or(Cause::OutOfRange)?;
    days.checked_div(DAYS_PER_MONTH)
        .map(Some)
        .ok_or(Cause::OutOfRange)
}

/// The least-squares slope of ln(value) on days: Σ(x − x̄)(y − ȳ) / Σ(x − x̄)²;
/// none when every value is on one day.
fn slope(samples: &[Sample]) -> Result<Option<Decimal>, Cause> {
    let (mean_x, mean_y) = match (
        mean(samples.iter().map(|s| s.0)),
        mean(samples.iter().map(|s| s.1)),
    ) {
        (Some(x), Some(y)) => (x?, y?),
        _ => return Ok(None),
    };
    let (mut sxx, mut sxy) = (Decimal::ZERO, Decimal::ZERO);
    for (x, y) in samples {
        let dx = checked(x.checked_sub(mean_x))?;
        let dy = checked(y.checked_sub(mean_y))?;
        sxx = checked(dx.checked_mul(dx).and_then(|d| sxx.checked_add(d)))?;
        sxy = checked(dx.checked_mul(dy).and_then(|d| sxy.checked_add(d)))?;
    }
    if sxx.is_zero() {
        return Ok(None);
    }
    checked(sxy.checked_div(sxx)).map(Some)
}

/// The mean of some numbers, none when there are none.
fn mean(xs: impl Iterator<Item = Decimal>) -> Option<Result<Decimal, Cause>> {
    let (mut sum, mut n) = (Decimal::ZERO, 0u64);
    for x in xs {
        match sum.checked_add(x) {
            Some(s) => sum = s,
            None => return Some(Err(Cause::OutOfRange)),
        }
        n += 1;
    }
    (n > 0).then(|| checked(sum.checked_div(Decimal::from(n))))
}

/// An arithmetic result, or out of range when it overflowed.
fn checked(result: Option<Decimal>) -> Result<Decimal, Cause> {
    result.ok_or(Cause::OutOfRange)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples(points: &[(i64, i64)]) -> Vec<Sample> {
        points
            .iter()
            .filter_map(|&(day, value)| {
                Some((Decimal::from(day), Decimal::from(value).checked_ln()?))
            })
            .collect()
    }

    /// Asserts that `points` double in `days` days, to 20 decimal places of a month.
    fn assert_doubles_in(points: &[(i64, i64)], days: i64) {
        let months = months_to_double(&samples(points));
        let expected = Decimal::from(days).checked_div(DAYS_PER_MONTH);
        let error = months
            .ok()
            .flatten()
            .zip(expected)
            .map(|(m, e)| (m - e).abs());
        assert!(error.is_some_and(|e| e < Decimal::new(1, 20)), "{error:?}");
    }

    #[test]
    fn a_doubling_in_182_days_is_182_days_in_months() {
        assert_doubles_in(&[(0, 1), (182, 2)], 182);
    }

    #[test]
    fn a_flat_falling_or_single_day_series_has_no_doubling_time() {
        assert_eq!(months_to_double(&samples(&[(0, 1), (90, 1)])), Ok(None));
        assert_eq!(months_to_double(&samples(&[(0, 2), (90, 1)])), Ok(None));
        assert_eq!(months_to_double(&samples(&[(5, 1), (5, 2)])), Ok(None));
        assert_eq!(months_to_double(&samples(&[(5, 1)])), Ok(None));
        assert_eq!(months_to_double(&[]), Ok(None));
    }

    #[test]
    fn a_censored_zero_or_negative_value_has_no_logarithm_to_use() {
        use crate::eval::value::Comparator;
        let point = |value: i64, comparator: Option<Comparator>| Point {
            date: jiff::civil::date(2025, 6, 1),
            time: None,
            value: Quantity {
                value: Decimal::from(value),
                unit: None,
            },
            comparator,
            index: 0,
        };
        let censored = point(1, Some(Comparator::Below));
        let (zero, negative, exact) = (point(0, None), point(-1, None), point(1, None));
        assert_eq!(log_samples(&[&exact, &censored]), Err(Cause::Censored));
        assert_eq!(log_samples(&[&exact, &zero]), Err(Cause::Undefined));
        assert_eq!(log_samples(&[&negative]), Err(Cause::Undefined));
        assert_eq!(log_samples(&[&exact]).map(|s| s.len()), Ok(1));
    }

    #[test]
    fn the_regression_uses_every_value() {
        // ln(4) - ln(1) over 60 days with a middle value on the line: 30 days.
        assert_doubles_in(&[(0, 1), (30, 2), (60, 4)], 30);
    }
}
