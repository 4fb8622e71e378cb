//! What `salvage diff` compares of two records of the same case, and how
//! a change is written: as one JSON line, or as a few lines for people.
//!
//! A decision's compared parts are its status, its recommended and pending
//! options (with rank and kind) and its avoided options (with code); an
//! error record on either side is one part, `error`, changed when the two
//! records differ.

use salvage::decision::output::{Decision, ErrorDetail, OptionKind, Record, Source, Status};
use salvage::eval::value::CaseId;
use serde::Serialize;

/// What changed between `old` and `new`, the records of the case read from
/// `source`, and the change to write (`None` when nothing changed).
pub fn compare(old: &Record, new: &Record, source: &Source) -> (Vec<Part>, Option<Change>) {
    let (old_side, new_side) = (Side::of(old), Side::of(new));
    let parts = Side::changes(&old_side, &new_side);
    if parts.is_empty() {
        return (parts, None);
    }
    let change = Change {
        case: case_id(new).or_else(|| case_id(old)),
        source: source.clone(),
        changed: parts.iter().map(|p| p.name()).collect(),
        old: old_side.only(&parts),
        new: new_side.only(&parts),
        parts: parts.clone(),
    };
    (parts, Some(change))
}

fn case_id(record: &Record) -> Option<CaseId> {
    match record {
        Record::Decision(d) => Some(d.case.clone()),
        Record::Error(e) => e.case.clone(),
    }
}

/// A part of a decision that `diff` compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The status.
    Status,
    /// The recommended options, with rank and kind.
    Recommended,
    /// The pending options, with rank and kind.
    Pending,
    /// The avoided options, with code.
    Avoided,
    /// An error record on either side.
    Error,
}

/// Every part, in the order they are listed.
pub const PARTS: [Part; 5] = [
    Part::Status,
    Part::Recommended,
    Part::Pending,
    Part::Avoided,
    Part::Error,
];

impl Part {
    /// The part as written in `changed` and in the summary.
    pub fn name(self) -> &'static str {
        match self {
            Part::Status => "status",
            Part::Recommended => "recommended",
            Part::Pending => "pending",
            Part::Avoided => "avoided",
            Part::Error => "error",
        }
    }
}

/// An option with its rank, recommended or pending.
#[derive(Debug, Clone, PartialEq, Serialize)]
struct Ranked {
    option: String,
    rank: u32,
    kind: OptionKind,
}

/// An avoided option and the code that won.
#[derive(Debug, Clone, PartialEq, Serialize)]
struct Removed {
    option: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<String>,
}

/// The compared parts of one record: a decision's four, or an error.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
struct Side {
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<Status>,
    #[serde(skip_serializing_if = "Option::is_none")]
    recommended: Option<Vec<Ranked>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pending: Option<Vec<Ranked>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    avoided: Option<Vec<Removed>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<ErrorDetail>,
}

impl Side {
    fn of(record: &Record) -> Side {
        match record {
            Record::Decision(d) => Side::of_decision(d),
            Record::Error(e) => Side {
                error: Some(e.error.clone()),
                ..Side::default()
            },
        }
    }

    fn of_decision(d: &Decision) -> Side {
        let ranked = |option: &str, rank, kind| Ranked {
            option: option.to_string(),
            rank,
            kind,
        };
        Side {
            status: Some(d.status),
            recommended: Some(
                d.recommendations
                    .iter()
                    .map(|r| ranked(&r.option, r.rank, r.kind))
                    .collect(),
            ),
            pending: Some(
                d.pending
                    .iter()
                    .map(|p| ranked(&p.option, p.rank, p.kind))
                    .collect(),
            ),
            avoided: Some(
                d.avoided
                    .iter()
                    .map(|a| Removed {
                        option: a.option.to_string(),
                        code: a.code.as_deref().map(str::to_string),
                    })
                    .collect(),
            ),
            error: None,
        }
    }

    /// The parts that differ; an error record on either side is one part,
    /// `error`, when the records differ.
    fn changes(old: &Side, new: &Side) -> Vec<Part> {
        if old.error.is_some() || new.error.is_some() {
            return if old == new {
                Vec::new()
            } else {
                vec![Part::Error]
            };
        }
        PARTS
            .into_iter()
            .filter(|part| old.differs(new, *part))
            .collect()
    }

    fn differs(&self, other: &Side, part: Part) -> bool {
        match part {
            Part::Status => self.status != other.status,
            Part::Recommended => self.recommended != other.recommended,
            Part::Pending => self.pending != other.pending,
            Part::Avoided => self.avoided != other.avoided,
            Part::Error => self.error != other.error,
        }
    }

    /// Only the `parts` that changed; the whole side for an `error` change.
    fn only(self, parts: &[Part]) -> Side {
        if parts.contains(&Part::Error) {
            return self;
        }
        let keep = |part| parts.contains(&part);
        Side {
            status: self.status.filter(|_| keep(Part::Status)),
            recommended: self.recommended.filter(|_| keep(Part::Recommended)),
            pending: self.pending.filter(|_| keep(Part::Pending)),
            avoided: self.avoided.filter(|_| keep(Part::Avoided)),
            error: None,
        }
    }

    /// A part as text, `None` when this side has no such part.
    fn part_text(&self, part: Part) -> Option<String> {
        match part {
            Part::Status => self.status.map(|s| s.as_str().to_string()),
            Part::Recommended => self.recommended.as_deref().map(ranked_text),
            Part::Pending => self.pending.as_deref().map(ranked_text),
            Part::Avoided => self.avoided.as_deref().map(removed_text),
            Part::Error => self.error.as_ref().map(|e| match e.path.as_str() {
                "" => format!("error: {}", e.message),
                path => format!("error at `{path}`: {}", e.message),
            }),
        }
    }

    /// Every part of the side, `; `-separated.
    fn text(&self) -> String {
        let parts: Vec<String> = PARTS
            .into_iter()
            .filter_map(|part| match (part, self.part_text(part)) {
                (Part::Error | Part::Status, Some(text)) => Some(text),
                (_, Some(text)) => Some(format!("{} {text}", part.name())),
                (_, None) => None,
            })
            .collect();
        parts.join("; ")
    }
}

/// `R-ICE #1, trial #2 (consider)`, or `none`.
fn ranked_text(options: &[Ranked]) -> String {
    let each = options.iter().map(|o| match o.kind {
        OptionKind::Recommend => format!("{} #{}", o.option, o.rank),
        kind => format!("{} #{} ({})", o.option, o.rank, kind_name(kind)),
    });
    listed(each)
}

/// `R-DHAP (renal), ASCT`, or `none`.
fn removed_text(options: &[Removed]) -> String {
    let each = options.iter().map(|o| match &o.code {
        Some(code) => format!("{} ({code})", o.option),
        None => o.option.clone(),
    });
    listed(each)
}

fn listed(items: impl Iterator<Item = String>) -> String {
    let items: Vec<String> = items.collect();
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(", ")
    }
}

fn kind_name(kind: OptionKind) -> &'static str {
    match kind {
        OptionKind::Recommend => "recommend",
        OptionKind::Consider => "consider",
        OptionKind::Fallback => "fallback",
        OptionKind::Component => "component",
    }
}

/// One changed case, as written: its id, its place, the names of the parts
/// that changed, and those parts old and new (every part of both sides for
/// an `error` change).
#[derive(Serialize)]
pub struct Change {
    case: Option<CaseId>,
    source: Source,
    changed: Vec<&'static str>,
    old: Side,
    new: Side,
    #[serde(skip)]
    parts: Vec<Part>,
}

impl Change {
    /// The change as one JSON line, with its newline.
    pub fn json_line(&self) -> String {
        let line = serde_json::to_string(self).unwrap_or_else(|e| {
            serde_json::json!({"case": self.case, "source": self.source, "error": e.to_string()})
                .to_string()
        });
        format!("{line}\n")
    }

    /// The change for people: the case and its place, then old → new.
    pub fn text(&self) -> String {
        let parts = &self.parts;
        let case = self.case.as_ref().map_or("(no id)", CaseId::as_str);
        let at = match self.source.line {
            Some(line) => format!("{} line {line}", self.source.file),
            None => self.source.file.clone(),
        };
        let mut text = format!("{case} ({at}): {}\n", self.changed.join(", "));
        if parts.contains(&Part::Error) {
            text.push_str(&format!(
                "  old: {}\n  new: {}\n",
                self.old.text(),
                self.new.text()
            ));
            return text;
        }
        for part in parts {
            let old = self.old.part_text(*part).unwrap_or_default();
            let new = self.new.part_text(*part).unwrap_or_default();
            text.push_str(&format!("  {}: {old} → {new}\n", part.name()));
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decided(status: Status, recommended: &[(&str, u32)]) -> Side {
        Side {
            status: Some(status),
            recommended: Some(
                recommended
                    .iter()
                    .map(|(o, r)| Ranked {
                        option: o.to_string(),
                        rank: *r,
                        kind: OptionKind::Recommend,
                    })
                    .collect(),
            ),
            pending: Some(Vec::new()),
            avoided: Some(Vec::new()),
            error: None,
        }
    }

    fn failed(message: &str) -> Side {
        Side {
            error: Some(ErrorDetail {
                path: String::new(),
                message: message.to_string(),
            }),
            ..Side::default()
        }
    }

    #[test]
    fn only_the_parts_that_differ_are_changes() {
        let old = decided(Status::Recommended, &[("R-ICE", 1), ("R-DHAP", 1)]);
        let new = decided(Status::Recommended, &[("R-ICE", 1)]);
        assert_eq!(Side::changes(&old, &new), [Part::Recommended]);
        assert_eq!(Side::changes(&old, &old), []);
        let kept = new.only(&[Part::Recommended]);
        assert_eq!((kept.status, kept.pending), (None, None));
    }

    #[test]
    fn error_records_are_a_change_only_when_they_differ() {
        let decision = decided(Status::Recommended, &[]);
        assert_eq!(Side::changes(&failed("a"), &failed("a")), []);
        assert_eq!(Side::changes(&failed("a"), &failed("b")), [Part::Error]);
        assert_eq!(Side::changes(&failed("a"), &decision), [Part::Error]);
    }
}
