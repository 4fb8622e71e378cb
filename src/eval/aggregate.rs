//! Aggregates over the members a comprehension keeps.

use super::ops;
use super::truth::Support;
use super::value::{Quantity, Val, Value};
use crate::syntax::ast::{Aggregate, BinOp};
use crate::units::UnitTable;
use std::cmp::Ordering;

/// Folds kept members: `count`/`sum` are 0 on an empty collection, the others none.
pub fn fold(agg: Aggregate, members: Vec<Val>, _units: &UnitTable) -> Val {
    if agg == Aggregate::Count {
        return number(members.len().into());
    }
    let mut known = Vec::new();
    for member in members {
        match member {
            Val::Known(v) => known.push(v),
            Val::Unknown(s) => return Val::Unknown(s),
        }
    }
    let result = match agg {
        Aggregate::Sum => sum(&known),
        Aggregate::Min => extreme(known, Ordering::Less),
        Aggregate::Max => extreme(known, Ordering::Greater),
        Aggregate::First => Some(known.into_iter().next().unwrap_or(Value::None)),
        Aggregate::Last => Some(known.pop().unwrap_or(Value::None)),
        Aggregate::The => the(known),
        Aggregate::Count => None,
    };
    result.map_or(Val::Unknown(Support::indeterminate()), Val::Known)
}

fn number(value: rust_decimal::Decimal) -> Val {
    Val::Known(Value::Num(Quantity { value, unit: None }))
}

fn sum(values: &[Value]) -> Option<Value> {
    let mut total = Quantity {
        value: rust_decimal::Decimal::ZERO,
        unit: None,
    };
    for v in values {
        let Value::Num(q) = v else { return None };
        total = ops::arithmetic(BinOp::Add, &total_in(&total, q), q)?;
    }
    Some(Value::Num(total))
}

/// The running total takes the unit of the first member.
fn total_in(total: &Quantity, q: &Quantity) -> Quantity {
    match total.unit {
        None if total.value.is_zero() => Quantity {
            value: total.value,
            unit: q.unit.clone(),
        },
        _ => total.clone(),
    }
}

fn extreme(values: Vec<Value>, wanted: Ordering) -> Option<Value> {
    let mut best: Option<Value> = None;
    for v in values {
        let better = match &best {
            None => true,
            Some(b) => match ops::order(&v, b) {
                Some(ops::Order::Is(o)) => o == wanted,
                _ => return None,
            },
        };
        if better {
            best = Some(v);
        }
    }
    Some(best.unwrap_or(Value::None))
}

/// `the x in xs where P`: the one match, none without one; two matches are not a value.
fn the(values: Vec<Value>) -> Option<Value> {
    match values.len() {
        0 => Some(Value::None),
        1 => values.into_iter().next(),
        _ => None,
    }
}
