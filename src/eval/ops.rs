//! Operators on values, free of any environment: comparisons, arithmetic,
//! calendar arithmetic.

use super::truth::{Cause, Support, Truth};
use super::value::{DateRange, Quantity, Value};
use crate::syntax::ast::BinOp;
use crate::units::{convert, Unit, UnitTable};
use jiff::civil::Date;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use std::cmp::Ordering;

/// The result of comparing two known values: an ordering, or not known
/// (a partial date straddling the other side).
pub enum Order {
    /// Known.
    Is(Ordering),
    /// Depends on where in its interval a partial date falls.
    Straddles,
}

/// Compares two known values of one type.
pub fn order(a: &Value, b: &Value) -> Option<Order> {
    match (a, b) {
        (Value::Num(x), Value::Num(y)) => Some(Order::Is(compare_quantities(x, y)?)),
        (Value::Date(x), Value::Date(y)) => Some(compare_dates(x, y)),
        (Value::Enum(x), Value::Enum(y)) if x.ty == y.ty => Some(Order::Is(x.index.cmp(&y.index))),
        (Value::Text(x), Value::Text(y)) => Some(Order::Is(super::text::order(x, y))),
        (Value::Bool(x), Value::Bool(y)) => Some(Order::Is(x.cmp(y))),
        (Value::Vocab(x), Value::Vocab(y)) => Some(Order::Is(if x == y {
            Ordering::Equal
        } else {
            Ordering::Less
        })),
        (Value::None, Value::None) => Some(Order::Is(Ordering::Equal)),
        _ => None,
    }
}

/// Compares quantities after converting `b` into `a`'s unit.
pub fn compare_quantities(a: &Quantity, b: &Quantity) -> Option<Ordering> {
    let b_value = in_unit(b, a.unit.as_ref())?;
    Some(compare_decimals(&a.value, &b_value))
}

/// Orders two decimals. Case numbers and the literals they meet mostly share
/// a scale (`ecog <= 1`, `line = 2`), and then the signed mantissas order
/// them as the values: that skips the general comparison's rescaling.
fn compare_decimals(a: &Decimal, b: &Decimal) -> Ordering {
    if a.scale() == b.scale() {
        a.mantissa().cmp(&b.mantissa())
    } else {
        a.cmp(b)
    }
}

/// A quantity's value in another unit (itself when either has none).
pub fn in_unit(q: &Quantity, unit: Option<&Unit>) -> Option<Decimal> {
    match (&q.unit, unit) {
        (Some(from), Some(to)) if from != to => convert(q.value, from, to),
        _ => Some(q.value),
    }
}

fn compare_dates(a: &DateRange, b: &DateRange) -> Order {
    if a.last < b.first {
        Order::Is(Ordering::Less)
    } else if a.first > b.last {
        Order::Is(Ordering::Greater)
    } else if a.exact().is_some() && a == b {
        Order::Is(Ordering::Equal)
    } else {
        Order::Straddles
    }
}

/// Applies a comparison operator to an ordering.
pub fn holds(op: BinOp, ord: Ordering) -> bool {
    match op {
        BinOp::Eq => ord == Ordering::Equal,
        BinOp::Ne => ord != Ordering::Equal,
        BinOp::Lt => ord == Ordering::Less,
        BinOp::Le => ord != Ordering::Greater,
        BinOp::Gt => ord == Ordering::Greater,
        BinOp::Ge => ord != Ordering::Less,
        _ => false,
    }
}

/// `a op b` on known values, three-valued for partial dates and for numbers
/// known only between bounds.
pub fn compare(op: BinOp, a: &Value, b: &Value) -> Truth {
    if matches!(a, Value::Bounds(_)) || matches!(b, Value::Bounds(_)) {
        return super::interval::compare(op, a, b);
    }
    match order(a, b) {
        Some(Order::Is(ord)) => Truth::known(holds(op, ord)),
        Some(Order::Straddles) => straddle(op, a, b),
        None => Truth::known(op == BinOp::Ne),
    }
}

/// A comparison with a partial date: known when every day gives the same answer.
fn straddle(op: BinOp, a: &Value, b: &Value) -> Truth {
    let (Value::Date(x), Value::Date(y)) = (a, b) else {
        return Truth::Unknown(Support::indeterminate(Cause::Internal));
    };
    let ends = [
        (x.first, y.last),
        (x.last, y.first),
        (x.first, y.first),
        (x.last, y.last),
    ];
    let answers: Vec<bool> = ends.iter().map(|(p, q)| holds(op, p.cmp(q))).collect();
    if answers.iter().all(|a| *a) {
        Truth::True
    } else if answers.iter().all(|a| !*a) {
        Truth::False
    } else {
        Truth::Unknown(Support::indeterminate(Cause::PartialDate))
    }
}

/// The smaller of two quantities (the first when they are equal or do not compare).
pub fn lesser(a: Quantity, b: Quantity) -> Quantity {
    match compare_quantities(&a, &b) {
        Some(Ordering::Greater) => b,
        _ => a,
    }
}

/// The larger of two quantities (the first when they are equal or do not compare).
pub fn greater(a: Quantity, b: Quantity) -> Quantity {
    match compare_quantities(&a, &b) {
        Some(Ordering::Less) => b,
        _ => a,
    }
}

/// Why a range cannot be listed member by member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeError {
    /// A bound is a partial date.
    Partial,
    /// It has more members than allowed.
    TooLong,
    /// Its bounds are not two numbers or two dates.
    NotRange,
}

/// The members of `a..b`: a, a + 1, … up to b, or the days from a to b;
/// empty when b is before a.
pub fn range_members(a: &Value, b: &Value, max: usize) -> Result<Vec<Value>, RangeError> {
    match (a, b) {
        (Value::Num(low), Value::Num(high)) => {
            let high = in_unit(high, low.unit.as_ref()).ok_or(RangeError::NotRange)?;
            let mut out = Vec::new();
            let mut next = low.value;
            while next <= high {
                if out.len() == max {
                    return Err(RangeError::TooLong);
                }
                out.push(Value::Num(Quantity {
                    value: next,
                    unit: low.unit,
                }));
                next = next.checked_add(Decimal::ONE).ok_or(RangeError::TooLong)?;
            }
            Ok(out)
        }
        (Value::Date(low), Value::Date(high)) => {
            let (Some(mut day), Some(last)) = (low.exact(), high.exact()) else {
                return Err(RangeError::Partial);
            };
            let mut out = Vec::new();
            while day <= last {
                if out.len() == max {
                    return Err(RangeError::TooLong);
                }
                out.push(Value::Date(DateRange::day(day)));
                day = day.tomorrow().map_err(|_| RangeError::TooLong)?;
            }
            Ok(out)
        }
        _ => Err(RangeError::NotRange),
    }
}

/// `+`, `-`, `*`, `/` on numbers; `None` on overflow or division by zero.
/// A sum or a difference takes `b` in `a`'s unit first; a ratio of two
/// quantities of one dimension has no unit (`60 mL/min / 1 L/h` is 3.6).
pub fn arithmetic(op: BinOp, a: &Quantity, b: &Quantity) -> Option<Quantity> {
    if let (BinOp::Div, Some(x), Some(y)) = (op, &a.unit, &b.unit) {
        if x != y && x.same_dimension(y) && !x.is_log10() && !y.is_log10() {
            return linear_ratio(a.value, x, b.value, y);
        }
    }
    let unit = a.unit.or(b.unit);
    let b_value = match op {
        BinOp::Add | BinOp::Sub | BinOp::Div => in_unit(b, a.unit.as_ref())?,
        _ => b.value,
    };
    let value = match op {
        BinOp::Add => a.value.checked_add(b_value)?,
        BinOp::Sub => a.value.checked_sub(b_value)?,
        BinOp::Mul => a.value.checked_mul(b_value)?,
        BinOp::Div => a.value.checked_div(b_value)?,
        _ => return None,
    };
    let unit = match (op, &a.unit, &b.unit) {
        (BinOp::Div, Some(_), Some(_)) => None,
        _ => unit,
    };
    Some(Quantity { value, unit })
}

/// `a / b` of two linear units of one dimension, each in its base unit:
/// two exact products and one division, so `60 mL/min / 1 L/h` is 3.6.
fn linear_ratio(a: Decimal, x: &Unit, b: Decimal, y: &Unit) -> Option<Quantity> {
    let numerator = a.checked_mul(x.factor())?;
    let denominator = b.checked_mul(y.factor())?;
    Some(Quantity {
        value: numerator.checked_div(denominator)?,
        unit: None,
    })
}

/// A date moved by a duration (calendar units clamp to the month's end:
/// 29 February + 12 months is 28 February).
pub fn shift(date: Date, by: &Quantity, sign: i64) -> Option<Date> {
    let unit = by.unit.as_ref()?;
    let amount = by.value.trunc().to_i64()?.checked_mul(sign)?;
    let span = match unit.spelling() {
        "days" => jiff::Span::new().try_days(amount).ok()?,
        "weeks" => jiff::Span::new().try_weeks(amount).ok()?,
        "months" => jiff::Span::new().try_months(amount).ok()?,
        "years" => jiff::Span::new().try_years(amount).ok()?,
        _ => {
            let days = convert(by.value, unit, &UnitTable::new().lookup("days")?)?;
            jiff::Span::new()
                .try_days(days.trunc().to_i64()?.checked_mul(sign)?)
                .ok()?
        }
    };
    date.checked_add(span).ok()
}

/// Days from `a` to `b`.
pub fn days_between(a: Date, b: Date) -> Option<i64> {
    let span = a.until((jiff::Unit::Day, b)).ok()?;
    Some(i64::from(span.get_days()))
}

/// Whole calendar years from `a` to `b`.
pub fn years_between(a: Date, b: Date) -> Option<i64> {
    let span = a.until((jiff::Unit::Year, b)).ok()?;
    Some(i64::from(span.get_years()))
}

#[cfg(test)]
mod tests {
    use super::compare_decimals;
    use proptest::prelude::*;
    use rust_decimal::Decimal;

    #[test]
    fn decimals_of_one_scale_order_by_value_at_the_boundaries() {
        let d = |text: &str| text.parse::<Decimal>().unwrap_or_default();
        assert_eq!(
            compare_decimals(&d("60"), &d("60")),
            std::cmp::Ordering::Equal
        );
        assert_eq!(
            compare_decimals(&d("-1.5"), &d("1.5")),
            std::cmp::Ordering::Less
        );
        assert_eq!(
            compare_decimals(&d("-0.0"), &d("0.0")),
            std::cmp::Ordering::Equal
        );
        assert_eq!(
            compare_decimals(&d("2.10"), &d("2.1")),
            std::cmp::Ordering::Equal
        );
    }

    #[test]
    fn a_ratio_of_two_quantities_converts_the_divisor_first() {
        let table = crate::units::UnitTable::new();
        let q = |value: i64, unit: &str| super::Quantity {
            value: Decimal::from(value),
            unit: table.lookup(unit),
        };
        let ratio = super::arithmetic(
            crate::syntax::ast::BinOp::Div,
            &q(60, "mL/min"),
            &q(1, "L/h"),
        );
        assert_eq!(
            ratio.map(|r| (r.value, r.unit)),
            Some((Decimal::new(36, 1), None))
        );
        let same = super::arithmetic(
            crate::syntax::ast::BinOp::Div,
            &q(60, "mL/min"),
            &q(30, "mL/min"),
        );
        assert_eq!(same.map(|r| r.value), Some(Decimal::from(2)));
    }

    proptest! {
        /// The same-scale shortcut orders every pair as the general comparison does.
        #[test]
        fn the_shortcut_agrees_with_the_general_comparison(
            a in any::<i64>(), b in any::<i64>(), scale_a in 0u32..10, scale_b in 0u32..10,
        ) {
            let (x, y) = (Decimal::new(a, scale_a), Decimal::new(b, scale_b));
            prop_assert_eq!(compare_decimals(&x, &y), x.cmp(&y));
            let same = Decimal::new(b, scale_a);
            prop_assert_eq!(compare_decimals(&x, &same), x.cmp(&same));
        }
    }
}
