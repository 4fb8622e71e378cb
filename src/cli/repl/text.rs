//! A decision record in words for the prompt, and what changes between
//! two records (`:what-if`). Both read the record's JSON, the same record
//! `salvage eval` writes.

use serde_json::Value;

/// The record as a few readable lines: the status, then each part that is
/// not empty.
pub fn decision_text(record: &Value) -> String {
    if let Some(error) = record.get("error") {
        return format!(
            "no decision: {} (at {})",
            text(error.get("message")),
            or(text(error.get("path")), "the case")
        );
    }
    let mut lines = vec![format!(
        "status: {}   (as of {}, {})",
        text(record.get("status")),
        text(record.get("as_of")),
        match text(record.get("as_of_source")).as_str() {
            "case" => "the case's date",
            _ => "the prompt's date",
        }
    )];
    section(
        &mut lines,
        record,
        "recommendations",
        "recommended",
        option_line,
    );
    section(
        &mut lines,
        record,
        "pending",
        "pending (waiting for data)",
        option_line,
    );
    section(&mut lines, record, "avoided", "avoided", avoided_line);
    section(
        &mut lines,
        record,
        "contraindicated",
        "contraindicated",
        contraindicated_line,
    );
    section(&mut lines, record, "included", "included", option_line);
    section(&mut lines, record, "conflicts", "conflicts", |v| {
        v.to_string()
    });
    section(&mut lines, record, "orders", "orders", message_line);
    section(&mut lines, record, "referrals", "referrals", message_line);
    section(&mut lines, record, "flags", "flags", message_line);
    section(&mut lines, record, "missing", "missing", missing_line);
    section(&mut lines, record, "indeterminate", "indeterminate", |v| {
        v.to_string()
    });
    if let Some(Value::Object(reports)) = record.get("reports") {
        for (name, value) in reports {
            lines.push(format!("report {name} = {value}"));
        }
    }
    section(&mut lines, record, "warnings", "warnings", |v| {
        text(Some(v))
    });
    if let Some(protocol) = record.get("protocol") {
        let modified = match protocol.get("modified") {
            Some(Value::Bool(true)) => ", modified at the prompt",
            _ => "",
        };
        lines.push(format!(
            "protocol: {} {} ({}{modified})",
            text(protocol.get("name")),
            text(protocol.get("version")),
            text(protocol.get("status"))
        ));
    }
    lines.join("\n")
}

/// The lines of one list of the record, under its heading, if it has any.
fn section(
    lines: &mut Vec<String>,
    record: &Value,
    key: &str,
    heading: &str,
    line: impl Fn(&Value) -> String,
) {
    let Some(Value::Array(items)) = record.get(key) else {
        return;
    };
    if items.is_empty() {
        return;
    }
    lines.push(format!("{heading}:"));
    lines.extend(items.iter().map(|item| format!("  {}", line(item))));
}

fn option_line(item: &Value) -> String {
    let rank = match item.get("rank") {
        Some(Value::Null) | None => "-".to_string(),
        Some(rank) => rank.to_string(),
    };
    let mut line = format!("{rank}  {}", text(item.get("option")));
    if text(item.get("kind")) == "consider" {
        line.push_str(" (consider)");
    }
    if let Some(goal) = item.get("goal") {
        line.push_str(&format!(", goal {}", text(Some(goal))));
    }
    line.push_str(&format!("  [{}]", list(item.get("rules"))));
    if let Some(Value::Array(missing)) = item.get("missing") {
        let names: Vec<String> = missing.iter().map(missing_name).collect();
        line.push_str(&format!("  needs {}", names.join(", ")));
    }
    line
}

fn avoided_line(item: &Value) -> String {
    let because = match item.get("because") {
        Some(what) => format!(" (because of {})", text(Some(what))),
        None => String::new(),
    };
    format!(
        "{}{because}: {}, {}  [{}]",
        text(item.get("option")),
        text(item.get("code")),
        text(item.get("reason")),
        list(item.get("rules"))
    )
}

fn contraindicated_line(item: &Value) -> String {
    format!(
        "{} ({}): {}, {}  [{}]",
        text(item.get("what")),
        text(item.get("kind")),
        text(item.get("code")),
        text(item.get("reason")),
        list(item.get("rules"))
    )
}

fn message_line(item: &Value) -> String {
    format!("{}: {}", text(item.get("code")), text(item.get("text")))
}

fn missing_line(item: &Value) -> String {
    format!("{}  [{}]", missing_name(item), list(item.get("rules")))
}

/// A `missing` entry's fact: its path, or its name.
fn missing_name(item: &Value) -> String {
    match (item.get("path"), item.get("name")) {
        (Some(path), _) => text(Some(path)),
        (None, Some(name)) => text(Some(name)),
        (None, None) => item.to_string(),
    }
}

/// A JSON value as plain text: a string without its quotes.
fn text(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn list(value: Option<&Value>) -> String {
    match value {
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| text(Some(item)))
            .collect::<Vec<_>>()
            .join(", "),
        other => text(other),
    }
}

/// `text`, or `instead` when it is empty.
fn or(text: String, instead: &str) -> String {
    match text.is_empty() {
        true => instead.to_string(),
        false => text,
    }
}

/// What differs between two records, a line each: the status, then each
/// option that appears, goes or changes in the recommended, pending and
/// avoided lists, and the missing facts.
pub fn changes(before: &Value, after: &Value) -> Vec<String> {
    let mut lines = Vec::new();
    let (old, new) = (text(before.get("status")), text(after.get("status")));
    if old != new {
        lines.push(format!("  status: {old} -> {new}"));
    }
    if before.get("error") != after.get("error") {
        lines.push(format!(
            "  error: {} -> {}",
            or(text(before.pointer("/error/message")), "none"),
            or(text(after.pointer("/error/message")), "none")
        ));
    }
    for (key, heading) in [
        ("recommendations", "recommended"),
        ("pending", "pending"),
        ("avoided", "avoided"),
    ] {
        list_changes(&mut lines, before.get(key), after.get(key), heading);
    }
    let missing = |record: &Value| -> Vec<String> {
        match record.get("missing") {
            Some(Value::Array(items)) => items.iter().map(missing_name).collect(),
            _ => Vec::new(),
        }
    };
    let (old, new) = (missing(before), missing(after));
    if old != new {
        lines.push(format!(
            "  missing: [{}] -> [{}]",
            old.join(", "),
            new.join(", ")
        ));
    }
    lines
}

/// The options added to, removed from or changed in one list.
fn list_changes(
    lines: &mut Vec<String>,
    before: Option<&Value>,
    after: Option<&Value>,
    heading: &str,
) {
    let entries = |list: Option<&Value>| -> Vec<(String, String)> {
        match list {
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| (text(item.get("option")), item.to_string()))
                .collect(),
            _ => Vec::new(),
        }
    };
    let (old, new) = (entries(before), entries(after));
    for (option, entry) in &new {
        match old.iter().find(|(o, _)| o == option) {
            None => lines.push(format!("  {heading}: + {option}")),
            Some((_, was)) if was != entry => lines.push(format!("  {heading}: ~ {option}")),
            Some(_) => {}
        }
    }
    for (option, _) in &old {
        if !new.iter().any(|(o, _)| o == option) {
            lines.push(format!("  {heading}: - {option}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_decision_reads_as_its_status_and_its_lists() {
        let record = json!({
            "status": "recommended", "as_of": "2026-02-01", "as_of_source": "case",
            "recommendations": [{"option": "R-ICE", "rank": 1, "kind": "recommend",
                                 "rules": ["late-relapse"], "goal": "curative"}],
            "pending": [], "avoided": [{"option": "R-DHAP", "code": "renal_function",
                "reason": "low clearance", "rules": ["renal"], "because": "cisplatin"}],
            "missing": [{"path": "/ecog", "rules": ["unfit"]}],
            "protocol": {"name": "P", "version": "1", "status": "draft", "modified": true}
        });
        assert_eq!(
            decision_text(&record),
            "status: recommended   (as of 2026-02-01, the case's date)\n\
             recommended:\n  1  R-ICE, goal curative  [late-relapse]\n\
             avoided:\n  R-DHAP (because of cisplatin): renal_function, low clearance  [renal]\n\
             missing:\n  /ecog  [unfit]\n\
             protocol: P 1 (draft, modified at the prompt)"
        );
    }

    #[test]
    fn an_error_record_reads_as_no_decision() {
        let record =
            json!({"case": "c", "error": {"path": "/ecog", "message": "expected a number"}});
        assert_eq!(
            decision_text(&record),
            "no decision: expected a number (at /ecog)"
        );
    }

    #[test]
    fn changes_list_the_status_and_the_options_that_come_go_or_change() {
        let before = json!({"status": "needs-data", "recommendations": [],
            "pending": [{"option": "axi-cel", "rank": 1}], "missing": [{"path": "/ecog"}]});
        let after = json!({"status": "recommended",
            "recommendations": [{"option": "axi-cel", "rank": 1}], "pending": [], "missing": []});
        assert_eq!(
            changes(&before, &after),
            vec![
                "  status: needs-data -> recommended",
                "  recommended: + axi-cel",
                "  pending: - axi-cel",
                "  missing: [/ecog] -> []",
            ]
        );
        assert!(changes(&before, &before).is_empty());
    }
}
