//! The built-in functions of a number (`round`, `floor`, `ceil`, `abs`,
//! `log10`, `ln`, `exp`), the power `a ^ b`, and completed calendar months.
//!
//! Every function here is total: an argument outside a function's domain
//! (`ln(0)`, `log10(-1)`, a negative base under a fractional power) is unknown
//! in `indeterminate` ([`Cause::Undefined`]), a result beyond 28 digits is
//! [`Cause::OutOfRange`], and a number known only between bounds maps through
//! the (monotone) function to the bounds of its results.

use super::ops::bounds_of;
use super::truth::{Cause, Support};
use super::value::{Bounds, Quantity, Val, Value};
use crate::check::ir::Function;
use jiff::civil::Date;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, MathematicalOps, RoundingStrategy};

/// A built-in function applied to a number, or to the bounds of one.
pub fn apply(f: Function, v: &Value) -> Val {
    let Some((low, high, support)) = bounds_of(v) else {
        return Val::Unknown(Support::indeterminate(Cause::Internal));
    };
    if f == Function::Abs {
        return abs_bounds(low, high, support);
    }
    match (exact(f, low), exact(f, high)) {
        (Ok(low), Ok(high)) => Val::Known(Bounds::value(low, high, support)),
        (Err(cause), _) | (_, Err(cause)) => {
            Val::Unknown(support.union(&Support::indeterminate(cause)))
        }
    }
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

/// `abs` is not monotone: bounds that straddle zero give `[0, the larger end]`.
fn abs_bounds(low: &Quantity, high: &Quantity, support: Support) -> Val {
    let at = |value: Decimal| Quantity {
        value,
        unit: low.unit,
    };
    let (lo, hi) = (low.value, high.value);
    let (a, b) = if lo >= Decimal::ZERO {
        (lo, hi)
    } else if hi <= Decimal::ZERO {
        (-hi, -lo)
    } else {
        (Decimal::ZERO, lo.abs().max(hi))
    };
    Val::Known(Bounds::value(at(a), at(b), support))
}

/// `a ^ b` of two numbers without units, either known only between bounds.
/// An integer exponent is exact; any other is `exp(b × ln a)`.
pub fn power(a: &Value, b: &Value) -> Val {
    let (Some((a_lo, a_hi, sa)), Some((b_lo, b_hi, sb))) = (bounds_of(a), bounds_of(b)) else {
        return Val::Unknown(Support::indeterminate(Cause::Internal));
    };
    let support = sa.union(&sb);
    let corners = [(a_lo, b_lo), (a_lo, b_hi), (a_hi, b_lo), (a_hi, b_hi)];
    let mut results = Vec::with_capacity(corners.len());
    for (x, y) in corners {
        match exact_power(x.value, y.value) {
            Ok(v) => results.push(v),
            Err(cause) => return Val::Unknown(support.union(&Support::indeterminate(cause))),
        }
    }
    if a != b && !monotone_power(a_lo.value, a_hi.value, b_lo.value, b_hi.value) {
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
        let between = |lo: &str, hi: &str| {
            Value::Bounds(Box::new(Bounds {
                low: plain(d(lo)),
                high: plain(d(hi)),
                support: Support::default(),
            }))
        };
        let Val::Known(Value::Bounds(b)) = apply(Function::Abs, &between("-3", "2")) else {
            panic!("not bounds");
        };
        assert_eq!((b.low.value, b.high.value), (d("0"), d("3")));
        let Val::Known(Value::Bounds(b)) = power(&num("10"), &between("1", "2")) else {
            panic!("not bounds");
        };
        assert_eq!((b.low.value, b.high.value), (d("10"), d("100")));
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
