//! The audit of a batch run: how many cases got which status and which
//! recommendation, and how many error records — the table of
//! `salvage eval --summary` (text or JSON) and the one-line summary shown
//! on a terminal at the end of a run.

use std::collections::BTreeMap;
use std::time::Duration;

use clap::ValueEnum;
use salvage::decision::output::{Record, Status, STATUSES};
use serde_json::{json, Map, Value};

/// How `--summary` prints the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SummaryFormat {
    /// Aligned columns for people.
    Text,
    /// One JSON document for tools.
    Json,
}

/// What the audit counts of one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Counted {
    /// An error record.
    Error,
    /// A decision: its status, and its recommended options with their ranks
    /// (left empty when the table is not wanted).
    Decision(Status, Vec<(String, u32)>),
}

impl Counted {
    /// What `record` counts for; its options only when `options`.
    pub fn of(record: &Record<'_>, options: bool) -> Counted {
        match record {
            Record::Error(_) => Counted::Error,
            Record::Decision(d) if options => {
                let ranked = d
                    .recommendations
                    .iter()
                    .map(|r| (r.option.to_string(), r.rank))
                    .collect();
                Counted::Decision(d.status, ranked)
            }
            Record::Decision(d) => Counted::Decision(d.status, Vec::new()),
        }
    }
}

/// How many cases named an option among their recommendations.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct OptionCount {
    /// At rank 1.
    first: u64,
    /// At any rank.
    any: u64,
}

/// The counts of a run.
#[derive(Debug, Default)]
pub struct Audit {
    errors: u64,
    /// By status, in the order of [`STATUSES`].
    statuses: [u64; STATUSES.len()],
    options: BTreeMap<String, OptionCount>,
}

impl Audit {
    /// Counts one record.
    pub fn add(&mut self, counted: Counted) {
        let (status, ranked) = match counted {
            Counted::Error => {
                self.errors += 1;
                return;
            }
            Counted::Decision(status, ranked) => (status, ranked),
        };
        if let Some(n) = STATUSES
            .iter()
            .position(|s| *s == status)
            .and_then(|i| self.statuses.get_mut(i))
        {
            *n += 1;
        }
        let mut seen: Vec<&str> = Vec::new();
        for (option, rank) in &ranked {
            let count = self.options.entry(option.clone()).or_default();
            if !seen.contains(&option.as_str()) {
                count.any += 1;
                seen.push(option);
            }
            if *rank == 1 {
                count.first += 1;
            }
        }
    }

    /// The error records counted.
    pub fn errors(&self) -> u64 {
        self.errors
    }

    fn decisions(&self) -> u64 {
        self.statuses.iter().sum()
    }

    /// Every record counted: decisions and error records.
    pub fn cases(&self) -> u64 {
        self.decisions() + self.errors
    }

    /// The statuses and their counts, in the order of [`STATUSES`].
    fn by_status(&self) -> impl Iterator<Item = (&'static str, u64)> + '_ {
        STATUSES
            .iter()
            .zip(self.statuses)
            .map(|(s, n)| (s.as_str(), n))
    }

    /// The options, most often ranked first, then most often recommended,
    /// then by name.
    fn ranked_options(&self) -> Vec<(&str, OptionCount)> {
        let mut options: Vec<(&str, OptionCount)> = self
            .options
            .iter()
            .map(|(name, count)| (name.as_str(), *count))
            .collect();
        options.sort_by(|(a, x), (b, y)| (y.first, y.any, a).cmp(&(x.first, x.any, b)));
        options
    }

    /// The table in `format`, ending with a newline.
    pub fn table(&self, format: SummaryFormat) -> String {
        match format {
            SummaryFormat::Text => self.text(),
            SummaryFormat::Json => format!("{:#}\n", self.json()),
        }
    }

    /// The table for people: the counts, then a column of statuses and
    /// one of options, as wide as their longest name.
    fn text(&self) -> String {
        let options = self.ranked_options();
        let width = options
            .iter()
            .map(|(name, _)| name.len())
            .chain([STATUS_HEADER.len(), OPTION_HEADER.len()])
            .max()
            .unwrap_or_default()
            + 2;
        let mut text = format!(
            "{}: {}, {}\n\n",
            counted(self.cases(), "case"),
            counted(self.decisions(), "decision"),
            counted(self.errors, "error record")
        );
        text.push_str(&format!("{STATUS_HEADER:<width$}{:>8}\n", "cases"));
        for (status, n) in self.by_status() {
            text.push_str(&format!("{status:<width$}{n:>8}\n"));
        }
        text.push_str(&format!(
            "\n{OPTION_HEADER:<width$}{:>8}{:>10}\n",
            "rank 1", "any rank"
        ));
        if options.is_empty() {
            text.push_str("(none)\n");
        }
        for (option, count) in options {
            text.push_str(&format!(
                "{option:<width$}{:>8}{:>10}\n",
                count.first, count.any
            ));
        }
        text
    }

    /// The table for tools. Keys: `cases`, `decisions`, `errors`;
    /// `statuses`: every status with its count, in the documented order;
    /// `recommended`: one entry per option, `option`, `first` (ranked 1),
    /// `any` (at any rank), ordered as the text table.
    pub fn json(&self) -> Value {
        let statuses: Map<String, Value> = self
            .by_status()
            .map(|(s, n)| (s.to_string(), Value::from(n)))
            .collect();
        let recommended: Vec<Value> = self
            .ranked_options()
            .into_iter()
            .map(|(option, c)| json!({"option": option, "first": c.first, "any": c.any}))
            .collect();
        json!({
            "cases": self.cases(),
            "decisions": self.decisions(),
            "errors": self.errors,
            "statuses": statuses,
            "recommended": recommended,
        })
    }

    /// One line for the end of a run: the cases, the time, the decisions by
    /// status (those that occurred), the error records.
    pub fn line(&self, elapsed: Duration) -> String {
        let statuses: Vec<String> = self
            .by_status()
            .filter(|(_, n)| *n > 0)
            .map(|(s, n)| format!("{n} {s}"))
            .collect();
        let statuses = if statuses.is_empty() {
            "no decisions".to_string()
        } else {
            statuses.join(", ")
        };
        format!(
            "{} in {:.2} s: {statuses}; {}",
            counted(self.cases(), "case"),
            elapsed.as_secs_f64(),
            counted(self.errors, "error record")
        )
    }
}

/// The header of the status column.
const STATUS_HEADER: &str = "status";

/// The header of the option column.
const OPTION_HEADER: &str = "recommended option";

/// `1 case`, `3 cases`: `n` and the word, plural unless `n` is 1.
pub fn counted(n: u64, word: &str) -> String {
    match n {
        1 => format!("1 {word}"),
        _ => format!("{n} {word}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn audit() -> Audit {
        let mut audit = Audit::default();
        let ranked = |list: &[(&str, u32)]| list.iter().map(|(o, r)| (o.to_string(), *r)).collect();
        audit.add(Counted::Decision(
            Status::Recommended,
            ranked(&[("R-ICE", 1), ("R-GDP", 2)]),
        ));
        audit.add(Counted::Decision(
            Status::Recommended,
            ranked(&[("R-GDP", 1)]),
        ));
        audit.add(Counted::Decision(Status::OutOfScope, Vec::new()));
        audit.add(Counted::Error);
        audit
    }

    #[test]
    fn options_count_rank_1_and_any_rank_ordered_by_rank_1_first() {
        let json = audit().json();
        assert_eq!(
            json["recommended"],
            json!([
                {"option": "R-GDP", "first": 1, "any": 2},
                {"option": "R-ICE", "first": 1, "any": 1},
            ])
        );
        assert_eq!((&json["cases"], &json["errors"]), (&json!(4), &json!(1)));
        assert_eq!(json["statuses"]["recommended"], 2);
        assert_eq!(json["statuses"]["no-change"], 0);
    }

    #[test]
    fn the_line_names_the_statuses_that_occurred() {
        assert_eq!(
            audit().line(Duration::from_millis(1250)),
            "4 cases in 1.25 s: 1 out-of-scope, 2 recommended; 1 error record"
        );
    }
}
