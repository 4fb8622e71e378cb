//! Numbers known only to lie in an interval ([`Bounds`]): comparisons that
//! are known when every point of the intervals gives the same answer, and
//! interval arithmetic, the least and the greatest of several.
//!
//! An exact number is the interval of one point. An end is inclusive or
//! exclusive (`<20` is [0, 20)), or missing where the interval is unbounded
//! (`>1000` is (1000, ∞)).

use super::ops::{arithmetic as exact_arithmetic, compare_quantities};
use super::truth::{Cause, Support, Truth};
use super::value::{Bounds, End, Quantity, Val, Value};
use crate::syntax::ast::BinOp;
use rust_decimal::Decimal;
use std::cmp::Ordering;

/// A number as an interval: its low end, its high end and what would narrow
/// it; `None` for a value that is not a number.
pub fn interval_of(v: &Value) -> Option<(Option<End>, Option<End>, Support)> {
    match v {
        Value::Num(q) => Some((
            Some(End::closed(q.clone())),
            Some(End::closed(q.clone())),
            Support::default(),
        )),
        Value::Bounds(b) => Some((b.low.clone(), b.high.clone(), b.support.clone())),
        _ => None,
    }
}

/// `a op b` where a side is an interval: true if it holds at every point,
/// false if at none, else unknown with what would narrow them.
pub fn compare(op: BinOp, a: &Value, b: &Value) -> Truth {
    let (Some((a_lo, a_hi, sa)), Some((b_lo, b_hi, sb))) = (interval_of(a), interval_of(b)) else {
        return Truth::Unknown(Support::indeterminate(Cause::Internal));
    };
    let answers = (
        every_below(&a_hi, &b_lo),
        every_at_most(&a_hi, &b_lo),
        every_below(&b_hi, &a_lo),
        every_at_most(&b_hi, &a_lo),
    );
    let (Some(lt), Some(le), Some(gt), Some(ge)) = answers else {
        return Truth::Unknown(Support::indeterminate(Cause::Internal));
    };
    // An interval (not a single point) never equals anything at every point.
    let (all, none) = match op {
        BinOp::Lt => (lt, ge),
        BinOp::Le => (le, gt),
        BinOp::Gt => (gt, le),
        BinOp::Ge => (ge, lt),
        BinOp::Eq => (false, lt || gt),
        BinOp::Ne => (lt || gt, false),
        _ => return Truth::Unknown(Support::indeterminate(Cause::Internal)),
    };
    if all {
        Truth::True
    } else if none {
        Truth::False
    } else {
        Truth::Unknown(sa.union(&sb))
    }
}

/// Whether every value up to `high` is below every value from `low`
/// (`None` when their units do not compare).
pub fn every_below(high: &Option<End>, low: &Option<End>) -> Option<bool> {
    match (high, low) {
        (Some(h), Some(l)) => {
            let ord = compare_quantities(&h.at, &l.at)?;
            Some(ord == Ordering::Less || (ord == Ordering::Equal && (h.open || l.open)))
        }
        _ => Some(false),
    }
}

/// Whether every value up to `high` is at most every value from `low`.
fn every_at_most(high: &Option<End>, low: &Option<End>) -> Option<bool> {
    match (high, low) {
        (Some(h), Some(l)) => Some(compare_quantities(&h.at, &l.at)? != Ordering::Greater),
        _ => Some(false),
    }
}

/// `+`, `-`, `*`, `/` where a side is an interval: the interval of every
/// possible result. A divisor whose interval reaches zero leaves the result
/// unknown.
pub fn arithmetic(op: BinOp, a: &Value, b: &Value) -> Val {
    let (Some((a_lo, a_hi, sa)), Some((b_lo, b_hi, sb))) = (interval_of(a), interval_of(b)) else {
        return Val::Unknown(Support::indeterminate(Cause::Internal));
    };
    let support = sa.union(&sb);
    let ends = match op {
        BinOp::Add => sum_ends(BinOp::Add, &a_lo, &b_lo).zip(sum_ends(BinOp::Add, &a_hi, &b_hi)),
        BinOp::Sub => sum_ends(BinOp::Sub, &a_lo, &b_hi).zip(sum_ends(BinOp::Sub, &a_hi, &b_lo)),
        BinOp::Div if reaches_zero(&b_lo, &b_hi) => return Val::Unknown(support),
        BinOp::Mul | BinOp::Div => corners(op, [&a_lo, &a_hi], [&b_lo, &b_hi]),
        _ => return Val::Unknown(Support::indeterminate(Cause::Internal)),
    };
    match ends {
        Some((low, high)) => Val::Known(Bounds::interval(low, high, support)),
        None => Val::Unknown(support.union(&Support::indeterminate(Cause::OutOfRange))),
    }
}

/// An end of a sum or difference: unbounded when either end is, exclusive
/// when either is; the outer `None` on overflow.
fn sum_ends(op: BinOp, a: &Option<End>, b: &Option<End>) -> Option<Option<End>> {
    match (a, b) {
        (Some(x), Some(y)) => Some(Some(End {
            at: exact_arithmetic(op, &x.at, &y.at)?,
            open: x.open || y.open,
        })),
        _ => Some(None),
    }
}

/// Whether an interval contains zero or approaches it.
fn reaches_zero(low: &Option<End>, high: &Option<End>) -> bool {
    let low_at_most_zero = low.as_ref().is_none_or(|l| l.at.value <= Decimal::ZERO);
    let high_at_least_zero = high.as_ref().is_none_or(|h| h.at.value >= Decimal::ZERO);
    low_at_most_zero && high_at_least_zero
}

/// A corner of a product or quotient: a number, or ±∞ by its sign.
#[derive(Debug, Clone)]
enum Corner {
    Finite { at: Quantity, reached: bool },
    Infinite(Ordering),
}

impl Corner {
    /// Orders corners, −∞ first; `None` when the units do not compare.
    fn order(&self, other: &Corner) -> Option<Ordering> {
        match (self, other) {
            (Corner::Finite { at: a, .. }, Corner::Finite { at: b, .. }) => {
                compare_quantities(a, b)
            }
            (Corner::Infinite(a), Corner::Infinite(b)) => Some(a.cmp(b)),
            (Corner::Infinite(s), Corner::Finite { .. }) => Some(*s),
            (Corner::Finite { .. }, Corner::Infinite(s)) => Some(s.reverse()),
        }
    }
}

/// The ends of `a * b` or `a / b` from the products (quotients) of their
/// ends: the least and the greatest, each inclusive when some pair of
/// reached ends gives it. The outer `None` on overflow or units that do not
/// compare.
fn corners(
    op: BinOp,
    a: [&Option<End>; 2],
    b: [&Option<End>; 2],
) -> Option<(Option<End>, Option<End>)> {
    let unit_a = a
        .iter()
        .find_map(|e| e.as_ref().map(|e| e.at.unit))
        .flatten();
    let unit_b = b
        .iter()
        .find_map(|e| e.as_ref().map(|e| e.at.unit))
        .flatten();
    let mut all = Vec::with_capacity(4);
    for (i, x) in a.iter().enumerate() {
        for (j, y) in b.iter().enumerate() {
            let x = extended(x, i == 0);
            let y = extended(y, j == 0);
            if let Some(corner) = corner(op, &x, &y, (unit_a, unit_b))? {
                all.push(corner);
            }
        }
    }
    let low = extreme(&all, Ordering::Less)?;
    let high = extreme(&all, Ordering::Greater)?;
    Some((low, high))
}

/// An end as a corner: a missing low end is −∞, a missing high end +∞.
fn extended(end: &Option<End>, is_low: bool) -> Corner {
    match end {
        Some(e) => Corner::Finite {
            at: e.at.clone(),
            reached: !e.open,
        },
        None if is_low => Corner::Infinite(Ordering::Less),
        None => Corner::Infinite(Ordering::Greater),
    }
}

/// One corner: `x op y`, with ∞ × 0 = 0 (reached when the zero is) and
/// ∞ / ∞ left out (a finite divisor's corner bounds it). The outer `None` on
/// overflow.
fn corner(
    op: BinOp,
    x: &Corner,
    y: &Corner,
    units: (Option<crate::units::Unit>, Option<crate::units::Unit>),
) -> Option<Option<Corner>> {
    let zero = || Quantity {
        value: Decimal::ZERO,
        unit: units.0,
    };
    let one = Quantity {
        value: Decimal::ONE,
        unit: units.1,
    };
    // The result's unit, found from a product or quotient of ones and zeros.
    let zero_result = |reached: bool| {
        exact_arithmetic(op, &zero(), &one).map(|at| Some(Corner::Finite { at, reached }))
    };
    match (x, y) {
        (Corner::Finite { at: p, reached: rp }, Corner::Finite { at: q, reached: rq }) => {
            let at = exact_arithmetic(op, p, q)?;
            let reached = (*rp && (*rq || p.value.is_zero()))
                || (op == BinOp::Mul && *rq && q.value.is_zero());
            Some(Some(Corner::Finite { at, reached }))
        }
        (Corner::Infinite(s), Corner::Finite { at: q, reached }) => {
            if q.value.is_zero() {
                // Only a product reaches here: a divisor never reaches zero.
                zero_result(*reached)
            } else {
                Some(Some(Corner::Infinite(signed(*s, q.value))))
            }
        }
        (Corner::Finite { at: p, reached }, Corner::Infinite(s)) => match op {
            BinOp::Div => zero_result(*reached && p.value.is_zero()),
            _ if p.value.is_zero() => zero_result(*reached),
            _ => Some(Some(Corner::Infinite(signed(*s, p.value)))),
        },
        (Corner::Infinite(s), Corner::Infinite(t)) => match op {
            BinOp::Div => Some(None),
            _ => Some(Some(Corner::Infinite(if s == t {
                Ordering::Greater
            } else {
                Ordering::Less
            }))),
        },
    }
}

/// The direction of ±∞ times a number of this sign.
fn signed(infinity: Ordering, by: Decimal) -> Ordering {
    if by.is_sign_negative() {
        infinity.reverse()
    } else {
        infinity
    }
}

/// The least (or greatest) corner as an end: `None` for ±∞, inclusive when
/// any corner at that value is reached. The outer `None` when corners do not
/// compare.
fn extreme(corners: &[Corner], wanted: Ordering) -> Option<Option<End>> {
    let mut best: Option<&Corner> = None;
    for c in corners {
        best = match best {
            Some(b) if c.order(b)? != wanted => Some(b),
            _ => Some(c),
        };
    }
    match best? {
        Corner::Infinite(_) => Some(None),
        Corner::Finite { at, .. } => {
            let mut reached = false;
            for c in corners {
                if let Corner::Finite {
                    at: other,
                    reached: r,
                } = c
                {
                    reached |= *r && compare_quantities(other, at)? == Ordering::Equal;
                }
            }
            Some(Some(End {
                at: at.clone(),
                open: !reached,
            }))
        }
    }
}

/// The low end of the least of two intervals: the lower of the two (an
/// unbounded one is lowest); of equal ends, inclusive if either is.
pub fn least_low(a: Option<End>, b: Option<End>) -> Option<End> {
    pick(a?, b?, Ordering::Less, false)
}

/// The high end of the least of two intervals: the lower of the two (an
/// unbounded one is highest); of equal ends, exclusive if either is.
pub fn least_high(a: Option<End>, b: Option<End>) -> Option<End> {
    match (a, b) {
        (Some(x), Some(y)) => pick(x, y, Ordering::Less, true),
        (x, None) => x,
        (None, y) => y,
    }
}

/// The high end of the greatest of two intervals: the higher of the two (an
/// unbounded one is highest); of equal ends, inclusive if either is.
pub fn greatest_high(a: Option<End>, b: Option<End>) -> Option<End> {
    pick(a?, b?, Ordering::Greater, false)
}

/// The low end of the greatest of two intervals: the higher of the two (an
/// unbounded one is lowest); of equal ends, exclusive if either is.
pub fn greatest_low(a: Option<End>, b: Option<End>) -> Option<End> {
    match (a, b) {
        (Some(x), Some(y)) => pick(x, y, Ordering::Greater, true),
        (x, None) => x,
        (None, y) => y,
    }
}

/// The end further in the `wanted` direction; of two equal ends, exclusive
/// when `open_if_either` and one is, else only when both are. Ends whose
/// units do not compare keep the first.
fn pick(a: End, b: End, wanted: Ordering, open_if_either: bool) -> Option<End> {
    Some(match compare_quantities(&b.at, &a.at) {
        Some(ord) if ord == wanted => b,
        Some(Ordering::Equal) => End {
            open: if open_if_either {
                a.open || b.open
            } else {
                a.open && b.open
            },
            at: a.at,
        },
        _ => a,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::value::Comparator;

    fn num(text: &str) -> Quantity {
        Quantity {
            value: text.parse().unwrap_or_default(),
            unit: None,
        }
    }

    fn exact(text: &str) -> Value {
        Value::Num(num(text))
    }

    fn censored(comparator: Comparator, text: &str) -> Value {
        Bounds::censored(&num(text), comparator)
    }

    fn truth(op: BinOp, a: &Value, b: &Value) -> Option<bool> {
        compare(op, a, b).as_bool()
    }

    #[test]
    fn below_twenty_is_below_fifty_and_not_known_below_ten() {
        let vl = censored(Comparator::Below, "20");
        assert_eq!(truth(BinOp::Lt, &vl, &exact("50")), Some(true));
        assert_eq!(truth(BinOp::Lt, &vl, &exact("10")), None);
        assert_eq!(truth(BinOp::Ge, &vl, &exact("50")), Some(false));
        assert_eq!(truth(BinOp::Ge, &vl, &exact("0")), Some(true));
    }

    #[test]
    fn the_written_value_is_on_the_side_its_comparator_says() {
        let below = censored(Comparator::Below, "20");
        let at_most = censored(Comparator::AtMost, "20");
        assert_eq!(truth(BinOp::Lt, &below, &exact("20")), Some(true));
        assert_eq!(truth(BinOp::Lt, &at_most, &exact("20")), None);
        assert_eq!(truth(BinOp::Le, &at_most, &exact("20")), Some(true));
        let above = censored(Comparator::Above, "1000");
        let at_least = censored(Comparator::AtLeast, "1000");
        assert_eq!(truth(BinOp::Gt, &above, &exact("1000")), Some(true));
        assert_eq!(truth(BinOp::Gt, &at_least, &exact("1000")), None);
        assert_eq!(truth(BinOp::Ge, &at_least, &exact("1000")), Some(true));
        assert_eq!(truth(BinOp::Gt, &above, &exact("1000000")), None);
    }

    #[test]
    fn a_censored_value_never_equals_a_number_but_may_not_be_known_apart() {
        let below = censored(Comparator::Below, "20");
        assert_eq!(truth(BinOp::Eq, &below, &exact("20")), Some(false));
        assert_eq!(truth(BinOp::Eq, &below, &exact("5")), None);
        assert_eq!(truth(BinOp::Ne, &below, &exact("25")), Some(true));
    }

    #[test]
    fn an_undecided_comparison_is_indeterminate() {
        let below = censored(Comparator::Below, "20");
        let Truth::Unknown(support) = compare(BinOp::Lt, &below, &exact("10")) else {
            panic!("expected unknown");
        };
        assert!(support.is_indeterminate());
        assert_eq!(support.causes(), &[Cause::Censored]);
    }

    fn ends(v: &Val) -> Option<(Option<End>, Option<End>)> {
        match v {
            Val::Known(v) => interval_of(v).map(|(l, h, _)| (l, h)),
            Val::Unknown(_) => None,
        }
    }

    #[test]
    fn sums_and_differences_keep_exclusive_and_missing_ends() {
        let below = censored(Comparator::Below, "20");
        let sum = arithmetic(BinOp::Add, &below, &exact("5"));
        assert_eq!(
            ends(&sum),
            Some((Some(End::closed(num("5"))), Some(End::open(num("25")))))
        );
        let above = censored(Comparator::Above, "10");
        let difference = arithmetic(BinOp::Sub, &exact("100"), &above);
        assert_eq!(ends(&difference), Some((None, Some(End::open(num("90"))))));
    }

    #[test]
    fn products_and_quotients_take_their_extreme_corners() {
        let below = censored(Comparator::Below, "20");
        let doubled = arithmetic(BinOp::Mul, &below, &exact("2"));
        assert_eq!(
            ends(&doubled),
            Some((Some(End::closed(num("0"))), Some(End::open(num("40")))))
        );
        let negated = arithmetic(BinOp::Mul, &below, &exact("-1"));
        assert_eq!(
            ends(&negated),
            Some((Some(End::open(num("-20"))), Some(End::closed(num("0")))))
        );
        let above = censored(Comparator::Above, "10");
        let halved = arithmetic(BinOp::Div, &above, &exact("2"));
        assert_eq!(ends(&halved), Some((Some(End::open(num("5"))), None)));
        let inverse = arithmetic(BinOp::Div, &exact("100"), &above);
        assert_eq!(
            ends(&inverse),
            Some((Some(End::open(num("0"))), Some(End::open(num("10")))))
        );
        let times_zero_start = arithmetic(BinOp::Mul, &above, &below);
        assert_eq!(
            ends(&times_zero_start),
            Some((Some(End::closed(num("0"))), None))
        );
    }

    #[test]
    fn a_divisor_that_may_be_zero_leaves_the_quotient_unknown() {
        let below = censored(Comparator::Below, "20");
        assert!(matches!(
            arithmetic(BinOp::Div, &exact("1"), &below),
            Val::Unknown(_)
        ));
    }

    #[test]
    fn the_least_of_intervals_takes_the_lower_ends() {
        let a = Some(End::open(num("20")));
        let b = Some(End::closed(num("20")));
        assert_eq!(least_high(a.clone(), b.clone()), a);
        assert_eq!(least_low(a.clone(), b.clone()), b);
        assert_eq!(greatest_high(a.clone(), b.clone()), b);
        assert_eq!(greatest_low(a.clone(), b.clone()), a);
        assert_eq!(least_low(None, b.clone()), None);
        assert_eq!(least_high(None, b.clone()), b);
    }
}
