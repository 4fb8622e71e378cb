//! Values shown to people and written as JSON: enum values and vocabulary
//! by their declared names, numbers exact with their units.

use super::model::Protocol;
use super::value::{Point, Quantity, Val, Value, VocabValue};

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
        Value::Partial(partial) => display(p, &Value::List(partial.definite.clone())),
        Value::Bounds(b) => format!("{} to {}", quantity_text(&b.low), quantity_text(&b.high)),
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
            let number = serde_json::from_str(&q.value.normalize().to_string())
                .unwrap_or(serde_json::Value::Null);
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
