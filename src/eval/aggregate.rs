//! Aggregates over the members a comprehension keeps, undecided members
//! included: `count` over them is an interval, the others are unknown only
//! when an undecided member could change the result.

use super::interval;
use super::ops;
use super::truth::{Cause, Support};
use super::value::{Bounds, End, Quantity, Val, Value};
use crate::syntax::ast::{Aggregate, BinOp};
use std::cmp::Ordering;

/// One member an aggregate folds: its (projected) value and, when its
/// condition is unknown, the facts that would decide it.
#[derive(Debug, Clone)]
pub struct Member {
    /// The member's value (its projection, when there is one).
    pub value: Val,
    /// `Some` when its condition is unknown.
    pub undecided: Option<Support>,
}

/// `the x in xs where P` found two members that certainly match: a case error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TwoMatches;

/// Folds the members: on a known-empty collection `count`/`sum` are 0 and the
/// others none.
pub fn fold(agg: Aggregate, members: Vec<Member>) -> Result<Val, TwoMatches> {
    Ok(match agg {
        Aggregate::Count => count(&members),
        Aggregate::Sum => sum(&members),
        Aggregate::Min => extreme(&members, Ordering::Less),
        Aggregate::Max => extreme(&members, Ordering::Greater),
        Aggregate::First => first(members.iter()),
        Aggregate::Last => first(members.iter().rev()),
        Aggregate::The => return the(members),
    })
}

fn number(value: rust_decimal::Decimal) -> Quantity {
    Quantity { value, unit: None }
}

/// The support of every undecided member.
fn undecided_support(members: &[Member]) -> Support {
    let mut all = Support::default();
    for s in members.iter().filter_map(|m| m.undecided.as_ref()) {
        all.merge(s);
    }
    all
}

/// `count`: the interval [t, t + u] for t members that hold and u undecided ones.
fn count(members: &[Member]) -> Val {
    let undecided = members.iter().filter(|m| m.undecided.is_some()).count();
    let definite = members.len() - undecided;
    let low = number(definite.into());
    let high = number((definite + undecided).into());
    Val::Known(Bounds::value(low, high, undecided_support(members)))
}

/// A known number's interval (its own point for an exact number).
fn interval_of(value: &Val) -> Result<(Option<End>, Option<End>), Support> {
    match value {
        Val::Known(Value::None) => Err(Support::default()),
        Val::Known(v) => interval::interval_of(v)
            .map(|(low, high, _)| (low, high))
            .ok_or_else(|| Support::indeterminate(Cause::Internal)),
        Val::Unknown(s) => Err(s.clone()),
    }
}

/// The support a member's own value carries (a censored value's), beside
/// the support of its condition.
fn value_support(value: &Val) -> Support {
    match value {
        Val::Known(Value::Bounds(b)) => b.support.clone(),
        _ => Support::default(),
    }
}

/// `sum`: an undecided member adds between 0 and its value.
fn sum(members: &[Member]) -> Val {
    let zero = || Some(End::closed(number(0.into())));
    let (mut low, mut high) = (zero(), zero());
    let mut support = Support::default();
    for member in members {
        let (lo, hi) = match interval_of(&member.value) {
            Ok(pair) => pair,
            Err(s) => return Val::Unknown(s.union(&undecided_support(members))),
        };
        support.merge(&value_support(&member.value));
        let (lo, hi) = match &member.undecided {
            None => (lo, hi),
            Some(s) => {
                support.merge(s);
                (
                    interval::least_low(lo.as_ref().map(zero_end), lo),
                    interval::greatest_high(hi.as_ref().map(zero_end), hi),
                )
            }
        };
        match (add(&low, &lo), add(&high, &hi)) {
            (Some(l), Some(h)) => (low, high) = (l, h),
            _ => return Val::Unknown(Support::indeterminate(Cause::OutOfRange)),
        }
    }
    Val::Known(Bounds::interval(low, high, support))
}

/// Adds an end to a running total's end that takes the unit of its first
/// member: unbounded when either is, exclusive when either is; `None` on
/// overflow.
fn add(total: &Option<End>, end: &Option<End>) -> Option<Option<End>> {
    let (Some(total), Some(end)) = (total, end) else {
        return Some(None);
    };
    let sum = match total.at.unit {
        None if total.at.value.is_zero() => Quantity {
            value: total.at.value,
            unit: end.at.unit,
        },
        _ => total.at.clone(),
    };
    Some(Some(End {
        at: ops::arithmetic(BinOp::Add, &sum, &end.at)?,
        open: total.open || end.open,
    }))
}

/// A reached zero in an end's unit.
fn zero_end(end: &End) -> End {
    End::closed(Quantity {
        value: rust_decimal::Decimal::ZERO,
        unit: end.at.unit,
    })
}

/// `min`/`max`: over numbers, an interval from every possible member's bound
/// to the definite members' bound; over other values, unknown when an
/// undecided member could be the extreme.
fn extreme(members: &[Member], wanted: Ordering) -> Val {
    let numeric = members.iter().all(|m| {
        matches!(
            m.value,
            Val::Known(Value::Num(_) | Value::Bounds(_)) | Val::Unknown(_)
        )
    });
    if numeric && !members.is_empty() {
        return numeric_extreme(members, wanted);
    }
    let support = undecided_support(members);
    if !support.facts().is_empty() || support.is_indeterminate() {
        return Val::Unknown(support);
    }
    let mut best: Option<Value> = None;
    for member in members {
        let v = match &member.value {
            Val::Known(v) => v,
            Val::Unknown(s) => return Val::Unknown(s.clone()),
        };
        let better = match &best {
            None => true,
            Some(b) => match ops::order(v, b) {
                Some(ops::Order::Is(o)) => o == wanted,
                Some(ops::Order::Straddles) => {
                    return Val::Unknown(Support::indeterminate(Cause::PartialDate))
                }
                None => return Val::Unknown(Support::indeterminate(Cause::Internal)),
            },
        };
        if better {
            best = Some(v.clone());
        }
    }
    Val::Known(best.unwrap_or(Value::None))
}

/// `min`/`max` of numbers: the least (greatest) of every member's low
/// (high) end, to the least (greatest) of the definite members' other ends.
fn numeric_extreme(members: &[Member], wanted: Ordering) -> Val {
    let least = wanted == Ordering::Less;
    let mut outer: Option<Option<End>> = None;
    let mut inner: Option<Option<End>> = None;
    let mut support = Support::default();
    for member in members {
        let (lo, hi) = match interval_of(&member.value) {
            Ok(pair) => pair,
            Err(s) => return Val::Unknown(s),
        };
        support.merge(&value_support(&member.value));
        let (far, near) = if least { (lo, hi) } else { (hi, lo) };
        outer = Some(match outer {
            None => far,
            Some(o) if least => interval::least_low(o, far),
            Some(o) => interval::greatest_high(o, far),
        });
        match &member.undecided {
            Some(s) => support.merge(s),
            None => {
                inner = Some(match inner {
                    None => near,
                    Some(i) if least => interval::least_high(i, near),
                    Some(i) => interval::greatest_low(i, near),
                })
            }
        }
    }
    match (outer, inner) {
        (Some(o), Some(i)) => {
            let (low, high) = if least { (o, i) } else { (i, o) };
            Val::Known(Bounds::interval(low, high, support))
        }
        _ => Val::Unknown(support),
    }
}

/// `first` (or `last`, over the members reversed): unknown when an undecided
/// member comes before the first definite one.
fn first<'a>(mut members: impl Iterator<Item = &'a Member>) -> Val {
    match members.next() {
        None => Val::Known(Value::None),
        Some(Member {
            undecided: Some(s), ..
        }) => Val::Unknown(s.clone()),
        Some(Member { value, .. }) => value.clone(),
    }
}

/// `the x in xs where P`: the one match, none without one; unknown while an
/// undecided member could be a match; two certain matches are a case error.
fn the(members: Vec<Member>) -> Result<Val, TwoMatches> {
    let support = undecided_support(&members);
    let mut definite = members.into_iter().filter(|m| m.undecided.is_none());
    let one = definite.next();
    if definite.next().is_some() {
        return Err(TwoMatches);
    }
    if !support.facts().is_empty() || support.is_indeterminate() {
        return Ok(Val::Unknown(support));
    }
    Ok(one.map_or(Val::Known(Value::None), |m| m.value))
}
