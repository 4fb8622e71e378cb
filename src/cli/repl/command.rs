//! What a line typed at the prompt asks for: a `:command`, an addition to
//! the protocol (`define …`, `rule …`), or an expression.

/// One complete input (perhaps several lines), read as a request.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// Nothing but spaces or a `#` comment.
    Nothing,
    /// A `:command` with its argument text (trimmed).
    Command(Command),
    /// A top-level protocol item typed at the prompt: it extends the
    /// loaded protocol for the session.
    Addition(String),
    /// An expression to evaluate on the current case.
    Expression(String),
}

/// The `:commands`, each with what follows its name.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// `:load FILE`
    Load(String),
    /// `:reload`
    Reload,
    /// `:case FILE`
    Case(String),
    /// `:set FACT = VALUE`
    Set(Assignment),
    /// `:unset FACT`
    Unset(String),
    /// `:show`
    Show,
    /// `:asof DATE`, or `:asof` alone to show it, `:asof none` to clear it.
    AsOf(String),
    /// `:decide`, `:decide json`
    Decide { json: bool },
    /// `:why RULE`
    Why(String),
    /// `:whynot OPTION`
    WhyNot(String),
    /// `:what-if FACT = VALUE`
    WhatIf(Assignment),
    /// `:rules`
    Rules,
    /// `:type EXPR`
    Type(String),
    /// `:help`, or `:help COMMAND`
    Help(String),
    /// `:quit`
    Quit,
}

/// `FACT = VALUE` as `:set` and `:what-if` take it.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    /// A case key or a JSON Pointer.
    pub fact: String,
    /// The value's text: JSON, or a bare word taken as a string.
    pub value: String,
}

/// Why a line is not a request.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    /// One line saying what is wrong.
    pub message: String,
}

/// Every command's name (without its `:`), with its argument and what it
/// does, in the order `:help` lists them.
pub const COMMANDS: &[(&str, &str, &str)] = &[
    ("load", "FILE", "load a protocol (and its imports)"),
    (
        "reload",
        "",
        "read the protocol's files again, keeping what was typed",
    ),
    ("case", "FILE", "load a case from a JSON file"),
    (
        "set",
        "FACT = VALUE",
        "set a case fact (a key or a JSON Pointer; JSON or a bare name)",
    ),
    ("unset", "FACT", "remove a case fact"),
    ("show", "", "show the current case"),
    (
        "asof",
        "[DATE|none]",
        "the date used when the case has no as_of",
    ),
    ("decide", "[json]", "the protocol's decision for the case"),
    ("why", "RULE", "why a rule fired, did not, or is unknown"),
    ("whynot", "OPTION", "why an option is not recommended"),
    (
        "what-if",
        "FACT = VALUE",
        "how the decision would change, without changing the case",
    ),
    ("rules", "", "the protocol's rules, in order"),
    ("type", "EXPR", "the type of an expression"),
    ("help", "[COMMAND]", "this list"),
    ("quit", "", "leave (Ctrl-D also leaves)"),
];

/// Reads one complete input as a request.
pub fn parse(input: &str) -> Result<Request, Refusal> {
    let text = input.trim();
    if text.is_empty() || text.starts_with('#') {
        return Ok(Request::Nothing);
    }
    if let Some(command) = text.strip_prefix(':') {
        return parse_command(command).map(Request::Command);
    }
    let first = text
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
        .next()
        .unwrap_or_default();
    if salvage::syntax::TOP_LEVEL.contains(&first) && text.len() > first.len() {
        return Ok(Request::Addition(text.to_string()));
    }
    Ok(Request::Expression(text.to_string()))
}

/// A command's name and argument (the text after `:`).
fn parse_command(text: &str) -> Result<Command, Refusal> {
    let (name, argument) = match text.split_once(char::is_whitespace) {
        Some((name, argument)) => (name, argument.trim()),
        None => (text, ""),
    };
    let command = match name {
        "load" => Command::Load(required(name, argument, "FILE")?),
        "reload" => none_expected(name, argument, Command::Reload)?,
        "case" => Command::Case(required(name, argument, "FILE")?),
        "set" => Command::Set(assignment(name, argument)?),
        "unset" => Command::Unset(required(name, argument, "FACT")?),
        "show" => none_expected(name, argument, Command::Show)?,
        "asof" | "as-of" | "as_of" => Command::AsOf(argument.to_string()),
        "decide" => match argument {
            "" => Command::Decide { json: false },
            "json" => Command::Decide { json: true },
            other => {
                return Err(refuse(format!(
                    "`:decide` takes nothing or `json`, not `{other}`"
                )))
            }
        },
        "why" => Command::Why(required(name, argument, "RULE")?),
        "whynot" | "why-not" => Command::WhyNot(required(name, argument, "OPTION")?),
        "what-if" | "whatif" => Command::WhatIf(assignment(name, argument)?),
        "rules" => none_expected(name, argument, Command::Rules)?,
        "type" | "t" => Command::Type(required(name, argument, "EXPR")?),
        "help" | "h" | "?" => Command::Help(argument.to_string()),
        "quit" | "q" | "exit" => none_expected(name, argument, Command::Quit)?,
        other => return Err(unknown_command(other)),
    };
    Ok(command)
}

/// The argument a command needs, or a refusal naming it.
fn required(name: &str, argument: &str, what: &str) -> Result<String, Refusal> {
    match argument {
        "" => Err(refuse(format!("`:{name}` needs {what}: `:{name} {what}`"))),
        some => Ok(some.to_string()),
    }
}

/// `command`, when no argument was given.
fn none_expected(name: &str, argument: &str, command: Command) -> Result<Command, Refusal> {
    match argument {
        "" => Ok(command),
        extra => Err(refuse(format!(
            "`:{name}` takes no argument (found `{extra}`)"
        ))),
    }
}

/// `FACT = VALUE`.
fn assignment(name: &str, argument: &str) -> Result<Assignment, Refusal> {
    let Some((fact, value)) = argument.split_once('=') else {
        return Err(refuse(format!(
            "`:{name}` needs `FACT = VALUE`, e.g. `:{name} ecog = 2`"
        )));
    };
    let (fact, value) = (fact.trim(), value.trim());
    if fact.is_empty() || value.is_empty() {
        return Err(refuse(format!(
            "`:{name}` needs `FACT = VALUE`, e.g. `:{name} ecog = 2`"
        )));
    }
    Ok(Assignment {
        fact: fact.to_string(),
        value: value.to_string(),
    })
}

/// An unknown command, with the nearest name.
fn unknown_command(name: &str) -> Refusal {
    let names = COMMANDS.iter().map(|(command, _, _)| *command);
    let message = match salvage::diag::did_you_mean(name, names) {
        Some(near) => {
            format!("unknown command `:{name}`: did you mean `:{near}`? (`:help` lists them)")
        }
        None => format!("unknown command `:{name}` (`:help` lists them)"),
    };
    refuse(message)
}

fn refuse(message: String) -> Refusal {
    Refusal { message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_colon_starts_a_command_and_its_argument_is_trimmed() {
        assert_eq!(
            parse(":case   examples/c.json  "),
            Ok(Request::Command(Command::Case("examples/c.json".into())))
        );
        assert_eq!(
            parse(":decide json"),
            Ok(Request::Command(Command::Decide { json: true }))
        );
    }

    #[test]
    fn set_splits_at_the_first_equals_sign() {
        let Ok(Request::Command(Command::Set(a))) = parse(":set /lines/0/regimen = \"R=CHOP\"")
        else {
            panic!("not a :set")
        };
        assert_eq!(a.fact, "/lines/0/regimen");
        assert_eq!(a.value, "\"R=CHOP\"");
        assert!(parse(":set ecog").is_err());
        assert!(parse(":set = 2").is_err());
    }

    #[test]
    fn an_item_keyword_starts_an_addition_and_anything_else_is_an_expression() {
        assert_eq!(
            parse("define fit2 = ecog <= 1"),
            Ok(Request::Addition("define fit2 = ecog <= 1".into()))
        );
        assert_eq!(
            parse("ecog <= 2"),
            Ok(Request::Expression("ecog <= 2".into()))
        );
        // A fact whose name starts like a keyword is still an expression.
        assert_eq!(
            parse("rules_count > 1"),
            Ok(Request::Expression("rules_count > 1".into()))
        );
        assert_eq!(parse("   "), Ok(Request::Nothing));
        assert_eq!(parse("# a note"), Ok(Request::Nothing));
    }

    #[test]
    fn an_unknown_command_is_refused_with_the_nearest_name() {
        let Err(refusal) = parse(":decdie") else {
            panic!("accepted")
        };
        assert!(
            refusal.message.contains("did you mean `:decide`"),
            "{}",
            refusal.message
        );
        assert!(parse(":reload now").is_err());
        assert!(parse(":why").is_err());
    }
}
