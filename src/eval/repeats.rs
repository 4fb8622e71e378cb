//! Pure helpers for collections built from case data: finding repeats by
//! key (linear, through a hash set) and a stable sort by a comparison that
//! may not be known.

use super::ops;
use super::truth::{Cause, Support};
use super::value::{Val, Value, VocabValue};
use crate::check::ir::{EnumId, VocabId};
use crate::units::Unit;
use rust_decimal::Decimal;
use std::cmp::Ordering;
use std::collections::HashSet;

/// A member, and the facts that would decide it when it is undecided.
pub type Member = (Val, Option<Support>);

/// What two values that are equal under `=` share.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    None,
    Bool(bool),
    /// The value in the first number's unit, normalised.
    Num(Decimal),
    /// The text folded as `=` folds it.
    Text(String),
    Date(jiff::civil::Date),
    Enum(EnumId, usize),
    Vocab(VocabId),
    Other(String),
}

/// Turns values into keys; numbers are keyed in the unit of the first one.
#[derive(Default)]
struct Keys {
    unit: Option<Option<Unit>>,
}

impl Keys {
    /// The key of an exact value; `None` for one that cannot be compared
    /// exactly (a partial date, a number between bounds, an unknown).
    fn of(&mut self, v: &Val) -> Option<Key> {
        let Val::Known(v) = v else {
            return None;
        };
        Some(match v {
            Value::None => Key::None,
            Value::Bool(b) => Key::Bool(*b),
            Value::Num(q) => {
                let unit = *self.unit.get_or_insert(q.unit);
                Key::Num(ops::in_unit(q, unit.as_ref())?.normalize())
            }
            Value::Text(t) => Key::Text(crate::check::fold(t)),
            Value::Date(d) => Key::Date(d.exact()?),
            Value::Enum(e) => Key::Enum(e.ty, e.index),
            Value::Vocab(VocabValue::Known(id)) => Key::Vocab(*id),
            Value::Vocab(VocabValue::Other(text)) => Key::Other(crate::check::fold(text)),
            _ => return None,
        })
    }
}

/// Removes repeats, keeping the first: a member equal to a definite member
/// before it is dropped. A member whose value cannot be compared exactly
/// (unknown, a partial date, a number between bounds) may be a repeat, so it
/// is kept as undecided, with what would settle its value. Linear: keys go
/// into a hash set.
pub fn distinct(members: Vec<Member>) -> Vec<Member> {
    let mut keys = Keys::default();
    let mut seen: HashSet<Key> = HashSet::new();
    let mut out = Vec::with_capacity(members.len());
    for (value, undecided) in members {
        match keys.of(&value) {
            Some(key) if seen.contains(&key) => {}
            Some(key) => {
                if undecided.is_none() {
                    seen.insert(key);
                }
                out.push((value, undecided));
            }
            None => {
                let support = value_support(&value).union(&undecided.unwrap_or_default());
                out.push((value, Some(support)));
            }
        }
    }
    out
}

/// What would settle a value that cannot be compared exactly.
fn value_support(v: &Val) -> Support {
    match v {
        Val::Unknown(s) => s.clone(),
        Val::Known(Value::Bounds(b)) => b.support.clone(),
        Val::Known(Value::Date(_)) => Support::indeterminate(Cause::PartialDate),
        Val::Known(_) => Support::indeterminate(Cause::Internal),
    }
}

/// How two sort keys order, or what would settle it: a partial date that
/// overlaps the other is indeterminate, a number between overlapping bounds
/// unknown with the bounds' support.
pub fn key_order(a: &Value, b: &Value) -> Result<Ordering, Support> {
    if matches!(a, Value::Bounds(_)) || matches!(b, Value::Bounds(_)) {
        return bounds_order(a, b);
    }
    match ops::order(a, b) {
        Some(ops::Order::Is(o)) => Ok(o),
        Some(ops::Order::Straddles) => Err(Support::indeterminate(Cause::PartialDate)),
        None => Err(Support::indeterminate(Cause::Internal)),
    }
}

/// The order of two numbers at least one of which lies between bounds:
/// known when one is below the other at every point.
fn bounds_order(a: &Value, b: &Value) -> Result<Ordering, Support> {
    use crate::syntax::ast::BinOp;
    let below = super::interval::compare(BinOp::Lt, a, b);
    let above = super::interval::compare(BinOp::Gt, a, b);
    match (below, above) {
        (super::truth::Truth::True, _) => Ok(Ordering::Less),
        (_, super::truth::Truth::True) => Ok(Ordering::Greater),
        (super::truth::Truth::Unknown(s), _) | (_, super::truth::Truth::Unknown(s)) => Err(s),
        _ => Ok(Ordering::Equal),
    }
}

/// A stable merge sort (`n log n` comparisons): members that compare equal
/// keep their order. `cmp` is called on pairs in the order they stand.
pub fn merge_sort<T>(mut items: Vec<T>, cmp: &mut impl FnMut(&T, &T) -> Ordering) -> Vec<T> {
    if items.len() <= 1 {
        return items;
    }
    let right = items.split_off(items.len() / 2);
    let left = merge_sort(items, cmp);
    let right = merge_sort(right, cmp);
    let mut out = Vec::with_capacity(left.len() + right.len());
    let mut left = left.into_iter().peekable();
    let mut right = right.into_iter().peekable();
    while let (Some(a), Some(b)) = (left.peek(), right.peek()) {
        let take_right = cmp(a, b) == Ordering::Greater;
        out.extend(if take_right {
            right.next()
        } else {
            left.next()
        });
    }
    out.extend(left);
    out.extend(right);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::value::{DateRange, Quantity};

    fn num(n: i64) -> Val {
        Val::Known(Value::Num(Quantity {
            value: n.into(),
            unit: None,
        }))
    }

    fn text(t: &str) -> Val {
        Val::Known(Value::Text(t.to_string()))
    }

    fn definite(items: Vec<Val>) -> Vec<Member> {
        items.into_iter().map(|v| (v, None)).collect()
    }

    #[test]
    fn repeats_go_and_the_first_stays_in_place() {
        let out = distinct(definite(vec![num(3), num(1), num(3), num(2), num(1)]));
        let values: Vec<Val> = out.into_iter().map(|(v, _)| v).collect();
        assert_eq!(values, vec![num(3), num(1), num(2)]);
    }

    #[test]
    fn texts_that_fold_alike_are_repeats() {
        let out = distinct(definite(vec![
            text("R-CHOP"),
            text("r chop"),
            text("R-ICE"),
        ]));
        assert_eq!(out.len(), 2);
    }

    #[test]
    fn an_undecided_member_after_an_equal_definite_one_is_dropped() {
        let undecided = Some(Support::indeterminate(Cause::PartialDate));
        let out = distinct(vec![(num(1), None), (num(1), undecided.clone())]);
        assert_eq!(out, vec![(num(1), None)]);
        let before = distinct(vec![(num(1), undecided.clone()), (num(1), None)]);
        assert_eq!(before.len(), 2, "an undecided member before it stays");
    }

    #[test]
    fn a_member_that_cannot_be_compared_stays_undecided() {
        let partial = Val::Known(Value::Date(DateRange {
            first: jiff::civil::date(2025, 6, 1),
            last: jiff::civil::date(2025, 6, 30),
        }));
        let out = distinct(definite(vec![partial.clone(), partial]));
        assert_eq!(out.len(), 2);
        assert!(out.iter().all(|(_, s)| s.is_some()));
    }

    #[test]
    fn the_sort_is_stable_on_ties() {
        let items = vec![(2, 'a'), (1, 'b'), (2, 'c'), (1, 'd'), (0, 'e')];
        let sorted = merge_sort(items, &mut |x, y| x.0.cmp(&y.0));
        assert_eq!(
            sorted,
            vec![(0, 'e'), (1, 'b'), (1, 'd'), (2, 'a'), (2, 'c')]
        );
        let down = merge_sort(sorted, &mut |x, y| y.0.cmp(&x.0));
        assert_eq!(down, vec![(2, 'a'), (2, 'c'), (1, 'b'), (1, 'd'), (0, 'e')]);
    }

    #[test]
    fn overlapping_partial_dates_do_not_order() {
        let june = Value::Date(DateRange {
            first: jiff::civil::date(2025, 6, 1),
            last: jiff::civil::date(2025, 6, 30),
        });
        let mid = Value::Date(DateRange::day(jiff::civil::date(2025, 6, 15)));
        let july = Value::Date(DateRange::day(jiff::civil::date(2025, 7, 1)));
        assert!(key_order(&june, &mid).is_err());
        assert_eq!(key_order(&june, &july), Ok(Ordering::Less));
    }
}
