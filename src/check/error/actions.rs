//! Problems with the header, actions, modifiers, history mappings, rules
//! that read the decision, and tests.

use crate::diag::{Code, Diagnostic};
use crate::span::{Name, Span};

/// A problem with how a protocol is put together.
#[derive(Debug, Clone)]
pub enum ActionError {
    /// A protocol file without `protocol "…" { … }` (S0204).
    NoHeader {
        /// Where the header should be (the start of the file).
        at: Span,
    },
    /// Two `protocol` headers in one file (S0204).
    SecondHeader {
        /// The second header.
        at: Span,
        /// The first.
        first: Span,
    },
    /// A header without `version`, `status` or `effective` (S0204).
    HeaderWithout {
        /// The protocol's name.
        at: Span,
        /// The missing entry: `version`, ….
        what: &'static str,
        /// How to write it: `version "2026.1"`.
        example: &'static str,
    },
    /// `status aproved` in the header (S0205).
    UnknownProtocolStatus {
        /// The status as written.
        status: Name,
        /// The closest lifecycle state.
        suggestion: Option<String>,
    },
    /// `recommend platinum` where `platinum` is a class (S0309).
    GroupRecommended {
        /// The class or tag.
        name: Name,
        /// `class` or `tag`.
        kind: &'static str,
        /// How to name its members: "agents with class", "regimens with class", ….
        members: &'static str,
    },
    /// `recommend age` where `age` is a case field (S0309); `avoid CR` where
    /// `CR` is an enum value (S0310).
    NotVocabulary {
        /// The name.
        name: Name,
        /// Whether the action names options (`recommend`, `consider`).
        option: bool,
    },
    /// `status out-of-scop` in a stop rule (S0311).
    UnknownStopStatus {
        /// The status as written.
        status: Name,
        /// The closest status.
        suggestion: Option<String>,
        /// Every status a stop rule may set.
        statuses: &'static [&'static str],
    },
    /// `then status out-of-scope` in a rule without `stop` (S0311).
    StatusWithoutStop {
        /// The status.
        at: Span,
        /// The rule's name.
        rule: Name,
        /// The rule's title as written (with its leading space), or nothing.
        title: String,
    },
    /// `expect status recomended` (S0311).
    UnknownDecisionStatus {
        /// The status as written.
        status: Name,
        /// The closest decision status.
        suggestion: Option<String>,
        /// Every decision status.
        statuses: &'static [&'static str],
    },
    /// `recommend A, B fallback C` (S0312).
    FallbackOnSeveral {
        /// The `fallback`.
        at: Span,
        /// How many options the action names.
        count: usize,
    },
    /// `recommend R-ICE code renal` (S0313).
    MisplacedModifier {
        /// The modifier.
        at: Span,
        /// Its word: `code`.
        modifier: &'static str,
        /// The action's word: `recommend`.
        action: &'static str,
        /// What it modifies: "an `avoid`".
        target: &'static str,
    },
    /// `rank 0` (S0313).
    RankZero {
        /// The rank.
        at: Span,
    },
    /// `avoid X code C first [...]`: the checks give the codes (S0380).
    CodeBesideChecks {
        /// The `code` modifier (or the second `first`).
        at: Span,
        /// The ordered checks.
        checks: Span,
    },
    /// `rank if b then 1 else "2"`: a computed rank that is not an int (S0381).
    RankNotInt {
        /// The expression.
        at: Span,
        /// Its type.
        found: String,
    },
    /// `goal 3`, `role x > 1`: a computed goal or role that is not text or an enum value (S0382).
    NotTextual {
        /// The expression.
        at: Span,
        /// `goal` or `role`.
        modifier: &'static str,
        /// Its type.
        found: String,
    },
    /// `relapse after R-CHOP` in a protocol whose case has no history (S0314).
    NoHistory {
        /// The predicate.
        at: Span,
        /// Its words: `relapse after`.
        what: String,
    },
    /// `relapse after R-CHOP` when the history maps no `event` (S0314).
    RoleNotMapped {
        /// The predicate.
        at: Span,
        /// Its words.
        what: String,
        /// The role it needs.
        role: String,
        /// The history's record.
        record: String,
    },
    /// `history of Line { regimen = given }` with no `start` (S0315).
    RolesMissing {
        /// The history's record.
        record: Name,
        /// What is missing, in backticks: "`start`", "`regimen` or `agents`".
        missing: Vec<&'static str>,
    },
    /// `history of Line { begin = start_date }` (S0316).
    UnknownRole {
        /// The role as written.
        role: Name,
        /// The closest role.
        suggestion: Option<String>,
        /// Every role.
        roles: &'static [&'static str],
    },
    /// `goal cure` (S0317).
    UnknownGoal {
        /// The goal as written.
        goal: Name,
        /// The closest goal.
        suggestion: Option<String>,
    },
    /// `rule a when fired b …` and `rule b when fired a …` (S0330).
    DecisionCycle {
        /// The rules around the cycle, the first repeated last.
        names: Vec<String>,
        /// Where each reads the next one's outcome.
        reads: Vec<Span>,
    },
    /// Rules reading one another's outcome more than 32 levels deep (S0002).
    StrataTooDeep {
        /// The deepest read.
        at: Span,
        /// The limit.
        limit: u32,
    },
    /// `include X` in a rule that reads `candidates` or `recommended X` (S0331).
    IncludeAfterDecision {
        /// The `include`.
        at: Span,
    },
    /// `given [1, 2]` (S0318).
    GivenNotObject {
        /// The JSON.
        at: Span,
    },
    /// `given {"age": 60,}` (S0318).
    GivenNotJson {
        /// Where the JSON goes wrong.
        at: Span,
        /// The whole `given` case.
        whole: Span,
        /// What serde_json says, without its position.
        message: String,
    },
}

impl ActionError {
    /// The diagnostic.
    pub fn diagnostic(self) -> Diagnostic {
        match self {
            ActionError::NoHeader { at } => no_header(at),
            ActionError::SecondHeader { at, first } => second_header(at, first),
            ActionError::HeaderWithout { at, what, example } => header_without(at, what, example),
            ActionError::UnknownProtocolStatus { status, suggestion } => {
                not_a(Code::S0205, &status, "a protocol status", "unknown status")
                    .suggest(suggestion)
                    .note("a protocol is `draft`, `review`, `approved` or `retired`")
            }
            ActionError::GroupRecommended {
                name,
                kind,
                members,
            } => group_recommended(&name, kind, members),
            ActionError::NotVocabulary { name, option } => not_vocabulary(&name, option),
            ActionError::UnknownStopStatus {
                status,
                suggestion,
                statuses,
            } => not_a(
                Code::S0311,
                &status,
                "a status a rule can set",
                "unknown status",
            )
            .suggest(suggestion)
            .note(format!("a stop rule sets one of {}", statuses.join(", "))),
            ActionError::StatusWithoutStop { at, rule, title } => {
                status_without_stop(at, &rule, &title)
            }
            ActionError::UnknownDecisionStatus {
                status,
                suggestion,
                statuses,
            } => not_a(Code::S0311, &status, "a decision status", "unknown status")
                .suggest(suggestion)
                .note(format!(
                    "a decision's status is one of {}",
                    statuses.join(", ")
                )),
            ActionError::FallbackOnSeveral { at, count } => fallback_on_several(at, count),
            ActionError::MisplacedModifier {
                at,
                modifier,
                action,
                target,
            } => misplaced_modifier(at, modifier, action, target),
            ActionError::CodeBesideChecks { at, checks } => Diagnostic::new(
                Code::S0380,
                at,
                "an avoid with ordered checks takes its code from the check that fails",
            )
            .label("a second code for this avoid")
            .also(checks, "each check here gives its own code")
            .help("remove this, and write the code after the check it belongs to: `first [C code R, …]`"),
            ActionError::RankNotInt { at, found } => Diagnostic::new(
                Code::S0381,
                at,
                format!("a computed rank must be a whole number, not `{found}`"),
            )
            .label(format!("this is `{found}`"))
            .note("a rank is a tier: 1 for the first choice, 2 for the next, …")
            .help("give an `int` in every branch: `rank if brain_mets then 1 else 2`"),
            ActionError::NotTextual { at, modifier, found } => Diagnostic::new(
                Code::S0382,
                at,
                format!("a computed `{modifier}` must be text or an enum value, not `{found}`"),
            )
            .label(format!("this is `{found}`"))
            .help(format!(
                "give text in every branch: `{modifier} if fit then \"curative\" else \"palliative\"`"
            )),
            ActionError::RankZero { at } => Diagnostic::new(Code::S0313, at, "ranks start at 1")
                .label("rank 0")
                .help("write `rank 1` for the first choice"),
            ActionError::NoHistory { at, what } => no_history(at, &what),
            ActionError::RoleNotMapped {
                at,
                what,
                role,
                record,
            } => role_not_mapped(at, &what, &role, &record),
            ActionError::RolesMissing { record, missing } => roles_missing(&record, &missing),
            ActionError::UnknownRole {
                role,
                suggestion,
                roles,
            } => not_a(Code::S0316, &role, "a history role", "unknown role")
                .suggest(suggestion)
                .note(format!("the roles are {}", roles.join(", "))),
            ActionError::UnknownGoal { goal, suggestion } => {
                not_a(Code::S0317, &goal, "a goal", "unknown goal")
                    .suggest(suggestion)
                    .note("a goal is `curative`, `disease-control` or `palliative`")
            }
            ActionError::DecisionCycle { names, reads } => decision_cycle(&names, &reads),
            ActionError::StrataTooDeep { at, limit } => strata_too_deep(at, limit),
            ActionError::IncludeAfterDecision { at } => include_after_decision(at),
            ActionError::GivenNotObject { at } => {
                Diagnostic::new(Code::S0318, at, "`given` must be a JSON object")
                    .label("a case is an object of facts")
                    .help("write `given { \"age\": 60, … }`")
            }
            ActionError::GivenNotJson { at, whole, message } => {
                Diagnostic::new(Code::S0318, at, "the `given` case is not valid JSON")
                    .label(message)
                    .also(whole, "in this case")
            }
        }
    }
}

/// "`name` is not {what}", labelled.
fn not_a(code: Code, name: &Name, what: &str, label: &str) -> Diagnostic {
    Diagnostic::new(code, name.span, format!("`{}` is not {what}", name.node)).label(label)
}

fn no_header(at: Span) -> Diagnostic {
    Diagnostic::new(Code::S0204, at, "this protocol has no header")
        .note("every decision records the protocol's name, version and status")
        .help("start the file with `protocol \"Name\" { version \"1\" status draft effective 2026-01-01 }`")
}

fn second_header(at: Span, first: Span) -> Diagnostic {
    Diagnostic::new(Code::S0204, at, "a second protocol header")
        .label("another header here")
        .also(first, "the first header")
        .help("a file holds one protocol: merge the headers")
}

fn header_without(at: Span, what: &str, example: &str) -> Diagnostic {
    Diagnostic::new(Code::S0204, at, format!("the header has no `{what}`"))
        .label("in this protocol")
        .help(format!("add `{example}` inside the header's braces"))
}

fn group_recommended(name: &Name, kind: &str, members: &str) -> Diagnostic {
    Diagnostic::new(
        Code::S0309,
        name.span,
        format!("`{}` is a {kind}, not a regimen or agent", name.node),
    )
    .label("cannot be recommended")
    .note("`recommend` and `consider` name what to give: a regimen or an agent")
    .help(format!(
        "to offer every member, write `recommend each x in {members} {}`",
        name.node
    ))
}

fn not_vocabulary(name: &Name, option: bool) -> Diagnostic {
    let (code, what) = match option {
        true => (Code::S0309, "a regimen or agent"),
        false => (Code::S0310, "a regimen, agent, class or tag"),
    };
    not_a(code, name, what, "a case field, define or enum value")
        .note("actions name vocabulary declared with `agent` or `regimen`")
}

fn status_without_stop(at: Span, rule: &Name, title: &str) -> Diagnostic {
    Diagnostic::new(
        Code::S0311,
        at,
        "`status` is set in a rule that does not stop",
    )
    .label("only a `stop` rule sets the status")
    .also(rule.span, "this rule")
    .help(format!("write `rule {}{title} stop when …`", rule.node))
}

fn fallback_on_several(at: Span, count: usize) -> Diagnostic {
    Diagnostic::new(
        Code::S0312,
        at,
        "`fallback` follows an action with several options",
    )
    .label(format!("this action names {count} options"))
    .note("a fallback replaces one option when that option is avoided")
    .help("split the action: `recommend A fallback C` and `recommend B` on separate lines")
}

fn misplaced_modifier(at: Span, modifier: &str, action: &str, target: &str) -> Diagnostic {
    Diagnostic::new(
        Code::S0313,
        at,
        format!("`{modifier}` does not apply to `{action}`"),
    )
    .label("misplaced modifier")
    .note(format!("`{modifier}` modifies {target}"))
}

fn no_history(at: Span, what: &str) -> Diagnostic {
    Diagnostic::new(
        Code::S0314,
        at,
        format!("`{what}` reads the therapy history, but the case has none"),
    )
    .label("needs a history")
    .help(
        "declare one in the case: `lines: history of Line { start = start_date, regimen = given }`",
    )
}

fn role_not_mapped(at: Span, what: &str, role: &str, record: &str) -> Diagnostic {
    Diagnostic::new(
        Code::S0314,
        at,
        format!("`{what}` needs the history's `{role}` role"),
    )
    .label(format!("`{role}` is not mapped"))
    .help(format!(
        "map it in the case's `history of {record} {{ {role} = … }}`"
    ))
}

fn roles_missing(record: &Name, missing: &[&str]) -> Diagnostic {
    Diagnostic::new(
        Code::S0315,
        record.span,
        format!("this history does not map {}", missing.join(" and ")),
    )
    .label("history of this record")
    .note("a line needs a start date and what was given")
    .help("map them: `history of Line { start = start_date, regimen = given }`")
}

fn decision_cycle(names: &[String], reads: &[Span]) -> Diagnostic {
    let first = names.first().cloned().unwrap_or_default();
    let at = reads.first().copied().unwrap_or_default();
    let message = if names.len() <= 2 {
        format!("rule `{first}` reads its own outcome")
    } else {
        let around: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
        format!("rules {} read one another's outcome", around.join(" → "))
    };
    let mut diag = Diagnostic::new(Code::S0330, at, message)
        .label(format!("`{first}` reads this"))
        .note("a rule that reads the decision runs after every rule that can change what it reads")
        .help("read the facts the other rule reads instead of its outcome");
    for (name, span) in names.iter().skip(1).zip(reads.iter().skip(1)) {
        diag = diag.also(*span, format!("`{name}` reads this"));
    }
    diag
}

fn strata_too_deep(at: Span, limit: u32) -> Diagnostic {
    Diagnostic::new(
        Code::S0002,
        at,
        format!("rules read one another's outcome more than {limit} levels deep"),
    )
    .label("this read is the deepest")
    .note("each level runs after the one below it; a pathway needs a few")
    .help("read the facts the earlier rules read instead of their outcome")
}

fn include_after_decision(at: Span) -> Diagnostic {
    Diagnostic::new(Code::S0331, at, "a rule that reads the decision cannot `include`")
        .label("this `include` would change what the rule read")
        .note("rules that read `candidates`, `recommended`, `pending`, `avoided` or `fired` run after the rest; they may recommend, avoid, order, refer, flag and stop, but not include")
        .help("move the `include` into a rule that does not read the decision")
}
