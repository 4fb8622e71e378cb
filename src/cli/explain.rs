//! `salvage explain`: the long explanation of a diagnostic code, or the
//! list of every code with its title.

use std::process::ExitCode;

use salvage::diag::{did_you_mean, Code, Severity};

use super::common::Usage;
use super::sink::print;

/// How `explain` prints, on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Text for people: the explanation as markdown, or one code a line.
    Human,
    /// JSON: one object per code.
    Json,
}

/// Arguments of `salvage explain`.
#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// The code, as printed in brackets after `error` or `warning`.
    #[arg(required_unless_present = "list", conflicts_with = "list")]
    pub code: Option<String>,
    /// List every code with its severity and title instead.
    #[arg(long)]
    pub list: bool,
    /// How to print: text for people, or JSON (`{code, severity, title}`
    /// with `explanation` for one code; an array of them with `--list`).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

/// `salvage explain CODE` and `salvage explain --list`.
pub fn explain(args: &ExplainArgs) -> Result<ExitCode, Usage> {
    let text = match &args.code {
        Some(code) => one(code, args.format)?,
        None => list(args.format),
    };
    Ok(match print(&text) {
        Ok(()) => ExitCode::SUCCESS,
        Err(stopped) => stopped.code(),
    })
}

/// One code's explanation, ending with a newline.
fn one(code: &str, format: Format) -> Result<String, Usage> {
    let Some(code) = Code::parse(code) else {
        return Err(unknown_code(code));
    };
    let text = code.explanation_text();
    Ok(match format {
        Format::Human if text.ends_with('\n') => text.to_string(),
        Format::Human => format!("{text}\n"),
        Format::Json => {
            let mut entry = json_entry(code);
            entry["explanation"] = text.into();
            format!("{entry:#}\n")
        }
    })
}

/// Every code: `S0101  error    a name that is not defined`, one a line.
fn list(format: Format) -> String {
    match format {
        Format::Human => Code::ALL
            .iter()
            .map(|code| {
                let severity = severity_word(code.severity());
                format!("{}  {severity:<7}  {}\n", code.as_str(), code.title())
            })
            .collect(),
        Format::Json => {
            let all: Vec<serde_json::Value> = Code::ALL.iter().map(|c| json_entry(*c)).collect();
            format!("{:#}\n", serde_json::Value::Array(all))
        }
    }
}

fn json_entry(code: Code) -> serde_json::Value {
    serde_json::json!({
        "code": code.as_str(),
        "severity": severity_word(code.severity()),
        "title": code.title(),
    })
}

fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn unknown_code(code: &str) -> Usage {
    let known = Code::ALL.iter().map(|c| c.as_str());
    let wanted = code.trim().to_uppercase();
    match did_you_mean(&wanted, known) {
        Some(near) => Usage(format!("unknown code `{code}`\n  = help: did you mean `{near}`?")),
        None => Usage(format!(
            "unknown code `{code}`\n  = help: codes look like `S0101`; every diagnostic prints its code; `salvage explain --list` lists them"
        )),
    }
}
