//! Values shown to people and written as JSON: enum values and vocabulary
//! by their declared names, numbers exact with their units.

use super::model::Protocol;
use super::value::{Bounds, End, Point, Quantity, Val, Value, VocabValue};

/// A value as text.
pub fn display(p: &Protocol, v: &Value) -> String {
    match v {
        Value::None => "none".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Num(q) => quantity_text(q),
        Value::Text(t) => t.clone(),
        Value::Date(d) => match d.exact() {
            Some(day) => day.to_string(),
            None => format!("{}..{}", d.first, d.last),
        },
        Value::Enum(e) => p.enum_name(*e).to_string(),
        Value::Vocab(VocabValue::Known(id)) => p.vocab.name(*id).to_string(),
        Value::Vocab(VocabValue::Other(text)) => text.clone(),
        Value::List(items) => {
            let parts: Vec<String> = items
                .iter()
                .map(|i| match i {
                    Val::Known(v) => display(p, v),
                    Val::Unknown(_) => "unknown".to_string(),
                })
                .collect();
            parts.join(", ")
        }
        Value::Partial(partial) => display(p, &Value::List(partial.definite())),
        Value::Bounds(b) => interval_text(b),
        Value::Point(point) => point_text(point),
        Value::Map(_) | Value::Record(_) | Value::Series(_) => String::new(),
    }
}

/// A series point as `<0.1 ng/mL on 2025-03-01`.
fn point_text(point: &Point) -> String {
    let comparator = point.comparator.map_or("", |c| c.symbol());
    let value = quantity_text(&point.value);
    format!("{comparator}{value} on {}", point.date)
}

/// An interval as people read it: `<20 copies/mL` for a censored value
/// (below a value, from zero or unbounded), `>1000 copies/mL`, `2 to 5` for
/// inclusive bounds, else each end in words (`above 5 ng/mL and below 25 ng/mL`).
fn interval_text(b: &Bounds) -> String {
    let below = |h: &End| {
        format!(
            "{}{}",
            if h.open { "<" } else { "<=" },
            quantity_text(&h.at)
        )
    };
    match (&b.low, &b.high) {
        (Some(l), Some(h)) if !l.open && !h.open => {
            format!("{} to {}", quantity_text(&l.at), quantity_text(&h.at))
        }
        (Some(l), Some(h)) if l.at.value.is_zero() && !l.open => below(h),
        (None, Some(h)) => below(h),
        (Some(l), None) => format!(
            "{}{}",
            if l.open { ">" } else { ">=" },
            quantity_text(&l.at)
        ),
        (Some(l), Some(h)) => format!(
            "{} {} and {} {}",
            if l.open { "above" } else { "at least" },
            quantity_text(&l.at),
            if h.open { "below" } else { "at most" },
            quantity_text(&h.at)
        ),
        (None, None) => "any number".to_string(),
    }
}

/// An interval as JSON: its ends under `above`/`at_least` and
/// `below`/`at_most` (an unbounded end is left out), with the unit.
fn interval_json(b: &Bounds) -> serde_json::Value {
    let mut object = serde_json::Map::new();
    let mut unit = None;
    for (end, open_key, closed_key) in
        [(&b.low, "above", "at_least"), (&b.high, "below", "at_most")]
    {
        if let Some(e) = end {
            let key = if e.open { open_key } else { closed_key };
            object.insert(key.to_string(), exact_number(&e.at));
            unit = unit.or(e.at.unit);
        }
    }
    if let Some(u) = unit {
        object.insert("unit".to_string(), u.spelling().into());
    }
    serde_json::Value::Object(object)
}

/// A quantity's exact number as JSON, without its unit.
fn exact_number(q: &Quantity) -> serde_json::Value {
    serde_json::from_str(&q.value.normalize().to_string()).unwrap_or(serde_json::Value::Null)
}

fn quantity_text(q: &Quantity) -> String {
    match &q.unit {
        Some(u) => format!("{} {}", q.value.normalize(), u.spelling()),
        None => q.value.normalize().to_string(),
    }
}

/// A known value as JSON (numbers exact, with their unit when they have one).
pub fn to_json(p: &Protocol, v: &Value) -> serde_json::Value {
    match v {
        Value::None => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Num(q) => {
            let number = exact_number(q);
            match &q.unit {
                Some(u) => serde_json::json!({"value": number, "unit": u.spelling()}),
                None => number,
            }
        }
        Value::List(items) => {
            serde_json::Value::Array(items.iter().map(|i| val_json(p, i)).collect())
        }
        Value::Record(r) => serde_json::Value::Object(
            r.named(p)
                .map(|(k, v)| (k.to_string(), val_json(p, v)))
                .collect(),
        ),
        Value::Point(point) => serde_json::json!({
            "date": point.date.to_string(),
            "value": to_json(p, &Value::Num(point.value.clone())),
            "comparator": point.comparator.map(|c| c.symbol()),
        }),
        Value::Bounds(b) => interval_json(b),
        Value::Map(entries) => serde_json::Value::Object(
            entries
                .iter()
                .map(|(k, v)| (display(p, k), val_json(p, v)))
                .collect(),
        ),
        other => serde_json::Value::String(display(p, other)),
    }
}

/// A value as JSON, `null` where it is unknown.
fn val_json(p: &Protocol, v: &Val) -> serde_json::Value {
    match v {
        Val::Known(v) => to_json(p, v),
        Val::Unknown(_) => serde_json::Value::Null,
    }
}
