//! The built-in functions of a number (`round`, `floor`, `ceil`, `abs`,
//! `log10`, `ln`, `exp`), the power `a ^ b`, and completed calendar months.
//!
//! Every function here is total: an argument outside a function's domain
//! (`ln(0)`, `log10(-1)`, a negative base under a fractional power) is unknown
//! in `indeterminate` ([`Cause::Undefined`]), a result beyond 28 digits is
//! [`Cause::OutOfRange`], and a number known only between bounds maps through
//! the (monotone) function to the bounds of its results.

use super::interval::interval_of;
use super::truth::{Cause, Support};
use super::value::{Bounds, End, Quantity, Val, Value};
use crate::check::ir::Function;
use jiff::civil::Date;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, MathematicalOps, RoundingStrategy};

/// A built-in function applied to a number, or to the interval of one.
pub fn apply(f: Function, v: &Value) -> Val {
    if let Value::Num(q) = v {
        return match exact(f, q) {
            Ok(q) => Val::Known(Value::Num(q)),
            Err(cause) => Val::Unknown(Support::indeterminate(cause)),
        };
    }
    let Some((low, high, support)) = interval_of(v) else {
        return Val::Unknown(Support::indeterminate(Cause::Internal));
    };
    if f == Function::Abs {
        return abs_interval(low, high, support);
    }
    match (
        map_end(f, low.as_ref(), true),
        map_end(f, high.as_ref(), false),
    ) {
        (Ok(low), Ok(high)) => Val::Known(Bounds::interval(low, high, support)),
        (Err(cause), _) | (_, Err(cause)) => {
            Val::Unknown(support.union(&Support::indeterminate(cause)))
        }
    }
}

/// An end of an interval through a non-decreasing function. A logarithm's
/// low end at zero is unbounded (the logarithm falls without bound as the
/// value nears zero); below zero it is undefined. `exp` of an unbounded low
/// end approaches 0. Rounding keeps an end but makes it inclusive: the
/// result may then be wider than the exact image, never narrower.
fn map_end(f: Function, end: Option<&End>, is_low: bool) -> Result<Option<End>, Cause> {
    let Some(end) = end else {
        return Ok(match f {
            Function::Exp if is_low => Some(End::open(plain(Decimal::ZERO))),
            _ => None,
        });
    };
    let logarithm = matches!(f, Function::Log10 | Function::Ln);
    if logarithm && is_low && end.at.value.is_zero() {
        return Ok(None);
    }
    let at = exact(f, &end.at)?;
    let rounding = matches!(
        f,
        Function::Round(_) | Function::Floor(_) | Function::Ceil(_)
    );
    Ok(Some(End {
        at,
        open: end.open && !rounding,
    }))
}

/// A function of one exact number; the unit is kept (the checker lets a unit
/// reach only `round`, `floor`, `ceil` and `abs`).
fn exact(f: Function, q: &Quantity) -> Result<Quantity, Cause> {
    let x = q.value;
    let value = match f {
        Function::Round(n) => {
            Ok(x.round_dp_with_strategy(n, RoundingStrategy::MidpointAwayFromZero))
        }
        Function::Floor(n) => Ok(x.round_dp_with_strategy(n, RoundingStrategy::ToNegativeInfinity)),
        Function::Ceil(n) => Ok(x.round_dp_with_strategy(n, RoundingStrategy::ToPositiveInfinity)),
        Function::Abs => Ok(x.abs()),
        Function::Log10 => positive(x).and_then(|x| x.checked_log10().ok_or(Cause::OutOfRange)),
        Function::Ln => positive(x).and_then(|x| x.checked_ln().ok_or(Cause::OutOfRange)),
        Function::Exp => x.checked_exp().ok_or(Cause::OutOfRange),
    }?;
    Ok(Quantity {
        value,
        unit: q.unit,
    })
}

/// `x` when a logarithm is defined there.
fn positive(x: Decimal) -> Result<Decimal, Cause> {
    if x > Decimal::ZERO {
        Ok(x)
    } else {
        Err(Cause::Undefined)
    }
}

/// `abs` is not monotone: an interval that straddles zero gives
/// `[0, the larger end]`; one below zero turns over.
fn abs_interval(low: Option<End>, high: Option<End>, support: Support) -> Val {
    let negate = |e: End| End {
        at: Quantity {
            value: -e.at.value,
            unit: e.at.unit,
        },
        open: e.open,
    };
    let at_least_zero = low.as_ref().is_some_and(|l| l.at.value >= Decimal::ZERO);
    let at_most_zero = high.as_ref().is_some_and(|h| h.at.value <= Decimal::ZERO);
    let (a, b) = if at_least_zero {
        (low, high)
    } else if at_most_zero {
        (high.map(negate), low.map(negate))
    } else {
        let unit = low.as_ref().or(high.as_ref()).and_then(|e| e.at.unit);
        let zero = End::closed(Quantity {
            value: Decimal::ZERO,
            unit,
        });
        (
            Some(zero),
            super::interval::greatest_high(low.map(negate), high),
        )
    };
    Val::Known(Bounds::interval(a, b, support))
}

/// `a ^ b` of two numbers without units, either known only in an
/// interval. An integer exponent is exact; any other is `exp(b × ln a)`.
pub fn power(a: &Value, b: &Value) -> Val {
    if let (Some(base), Some(exponent)) = (closed_ends(a), closed_ends(b)) {
        return closed_power(a == b, base, exponent);
    }
    let (Some((a_lo, a_hi, sa)), Some((b_lo, b_hi, sb))) = (interval_of(a), interval_of(b)) else {
        return Val::Unknown(Support::indeterminate(Cause::Internal));
    };
    let support = sa.union(&sb);
    match (exact_value(a), exact_value(b)) {
        (Some(base), _) if base > Decimal::ZERO => {
            let ends = power_ends(b_lo, b_hi, base >= Decimal::ONE, |y| exact_power(base, y));
            interval_result(ends, support)
        }
        (_, Some(exponent)) if non_negative(&a_lo) && exponent > Decimal::ZERO => {
            let ends = power_ends(a_lo, a_hi, true, |x| exact_power(x, exponent));
            interval_result(ends, support)
        }
        _ => Val::Unknown(support),
    }
}

/// The ends of a monotone power: an unbounded end maps to an unbounded one
/// (or to an excluded zero below, for a growing power of a base above 1);
/// a shrinking power swaps the ends.
fn power_ends(
    low: Option<End>,
    high: Option<End>,
    growing: bool,
    f: impl Fn(Decimal) -> Result<Decimal, Cause>,
) -> Result<(Option<End>, Option<End>), Cause> {
    let map = |end: Option<End>, is_low: bool| -> Result<Option<End>, Cause> {
        match end {
            Some(e) => Ok(Some(End {
                at: plain(f(e.at.value)?),
                open: e.open,
            })),
            None if is_low == growing => Ok(Some(End::open(plain(Decimal::ZERO)))),
            None => Ok(None),
        }
    };
    let (lo, hi) = (map(low, true)?, map(high, false)?);
    Ok(if growing { (lo, hi) } else { (hi, lo) })
}

fn interval_result(ends: Result<(Option<End>, Option<End>), Cause>, support: Support) -> Val {
    match ends {
        Ok((low, high)) => Val::Known(Bounds::interval(low, high, support)),
        Err(cause) => Val::Unknown(support.union(&Support::indeterminate(cause))),
    }
}

/// A number's value when it is exact.
fn exact_value(v: &Value) -> Option<Decimal> {
    match v {
        Value::Num(q) => Some(q.value),
        _ => None,
    }
}

/// Whether an interval's low end is at zero or above.
fn non_negative(low: &Option<End>) -> bool {
    low.as_ref().is_some_and(|l| l.at.value >= Decimal::ZERO)
}

/// Both ends of a number that is exact or between inclusive finite bounds.
fn closed_ends(v: &Value) -> Option<(Quantity, Quantity, Support)> {
    match interval_of(v)? {
        (Some(low), Some(high), support) if !low.open && !high.open => {
            Some((low.at, high.at, support))
        }
        _ => None,
    }
}

/// `a ^ b` over inclusive finite bounds: from the corners, where the power
/// is monotone there.
fn closed_power(
    same: bool,
    (a_lo, a_hi, sa): (Quantity, Quantity, Support),
    (b_lo, b_hi, sb): (Quantity, Quantity, Support),
) -> Val {
    let support = sa.union(&sb);
    let corners = [
        (&a_lo, &b_lo),
        (&a_lo, &b_hi),
        (&a_hi, &b_lo),
        (&a_hi, &b_hi),
    ];
    let mut results = Vec::with_capacity(corners.len());
    for (x, y) in corners {
        match exact_power(x.value, y.value) {
            Ok(v) => results.push(v),
            Err(cause) => return Val::Unknown(support.union(&Support::indeterminate(cause))),
        }
    }
    if !same && !monotone_power(a_lo.value, a_hi.value, b_lo.value, b_hi.value) {
        return Val::Unknown(support);
    }
    let low = results.iter().copied().min();
    let high = results.iter().copied().max();
    match (low, high) {
        (Some(low), Some(high)) => Val::Known(Bounds::value(plain(low), plain(high), support)),
        _ => Val::Unknown(Support::indeterminate(Cause::Internal)),
    }
}

/// Whether `a ^ b` over these bounds takes its extremes at the corners: a
/// positive base (or a non-negative one under a non-negative exponent), and
/// an exact exponent when the base ranges below 1 and above it.
fn monotone_power(a_lo: Decimal, a_hi: Decimal, b_lo: Decimal, b_hi: Decimal) -> bool {
    let exact_base = a_lo == a_hi;
    let exact_exponent = b_lo == b_hi;
    let positive_base = a_lo > Decimal::ZERO || (a_lo.is_zero() && b_lo >= Decimal::ZERO);
    positive_base && (exact_base || exact_exponent)
}

/// `x ^ y` of exact numbers.
fn exact_power(x: Decimal, y: Decimal) -> Result<Decimal, Cause> {
    let y = y.normalize();
    if y.scale() == 0 {
        let n = y.to_i64().ok_or(Cause::OutOfRange)?;
        if x.is_zero() && n < 0 {
            return Err(Cause::DivisionByZero);
        }
        return x.checked_powi(n).ok_or(Cause::OutOfRange);
    }
    let ln = positive(x)?.checked_ln().ok_or(Cause::OutOfRange)?;
    ln.checked_mul(y)
        .and_then(|e| e.checked_exp())
        .ok_or(Cause::OutOfRange)
}

fn plain(value: Decimal) -> Quantity {
    Quantity { value, unit: None }
}

/// Completed calendar months from `a` to `b` (negative when `b` is before
/// `a`): a month is complete when `b`'s day of the month reaches `a`'s, with
/// no clamping to the end of a shorter month, so 31 January to 29 February
/// is 0 months and to 1 March is 1.
pub fn months_between(a: Date, b: Date) -> i64 {
    if b < a {
        return -months_between(b, a);
    }
    let months = (i64::from(b.year()) - i64::from(a.year())) * 12 + i64::from(b.month())
        - i64::from(a.month());
    if b.day() < a.day() {
        months - 1
    } else {
        months
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap_or_default()
    }

    fn num(text: &str) -> Value {
        Value::Num(plain(d(text)))
    }

    fn ends(b: &Bounds) -> (Decimal, Decimal) {
        let at = |e: &Option<End>| e.as_ref().map(|e| e.at.value).unwrap_or_default();
        (at(&b.low), at(&b.high))
    }

    fn known(v: Val) -> Decimal {
        match v {
            Val::Known(Value::Num(q)) => q.value,
            other => panic!("not a number: {other:?}"),
        }
    }

    #[test]
    fn round_takes_half_away_from_zero_and_floor_and_ceil_go_down_and_up() {
        assert_eq!(known(apply(Function::Round(0), &num("2.5"))), d("3"));
        assert_eq!(known(apply(Function::Round(0), &num("-2.5"))), d("-3"));
        assert_eq!(known(apply(Function::Round(1), &num("0.25"))), d("0.3"));
        assert_eq!(known(apply(Function::Floor(1), &num("-0.25"))), d("-0.3"));
        assert_eq!(known(apply(Function::Ceil(0), &num("1.01"))), d("2"));
    }

    #[test]
    fn a_log_of_zero_or_less_is_undefined_not_a_crash() {
        for (f, x) in [(Function::Ln, "0"), (Function::Log10, "-1")] {
            let Val::Unknown(s) = apply(f, &num(x)) else {
                panic!("{f:?}({x}) is known");
            };
            assert_eq!(s, Support::indeterminate(Cause::Undefined));
        }
    }

    #[test]
    fn ten_to_a_log_value_is_exact_to_many_digits() {
        let v = known(power(&num("10"), &num("2.30")));
        assert!(
            (v - d("199.52623149688796013524553967")).abs() < d("1e-20"),
            "{v}"
        );
        assert_eq!(known(power(&num("10"), &num("3"))), d("1000"));
        assert_eq!(known(power(&num("2"), &num("-2"))), d("0.25"));
    }

    #[test]
    fn a_negative_base_under_a_fractional_power_is_undefined() {
        let Val::Unknown(s) = power(&num("-8"), &num("0.5")) else {
            panic!("known");
        };
        assert_eq!(s, Support::indeterminate(Cause::Undefined));
    }

    #[test]
    fn bounds_map_through_abs_and_exp() {
        let between =
            |lo: &str, hi: &str| Bounds::value(plain(d(lo)), plain(d(hi)), Support::default());
        let Val::Known(Value::Bounds(b)) = apply(Function::Abs, &between("-3", "2")) else {
            panic!("not bounds");
        };
        assert_eq!(ends(&b), (d("0"), d("3")));
        let Val::Known(Value::Bounds(b)) = power(&num("10"), &between("1", "2")) else {
            panic!("not bounds");
        };
        assert_eq!(ends(&b), (d("10"), d("100")));
    }

    #[test]
    fn completed_months_do_not_clamp_to_the_month_end() {
        let day = |s: &str| s.parse::<Date>().unwrap_or_default();
        assert_eq!(months_between(day("2024-01-31"), day("2024-02-29")), 0);
        assert_eq!(months_between(day("2024-01-31"), day("2024-03-01")), 1);
        assert_eq!(months_between(day("2024-02-29"), day("2025-02-28")), 11);
        assert_eq!(months_between(day("2024-02-29"), day("2025-03-01")), 12);
        assert_eq!(months_between(day("2024-03-15"), day("2024-01-16")), -1);
    }
}
