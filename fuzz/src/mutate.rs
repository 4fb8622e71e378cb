//! A token-level mutator for protocol text: it cuts the text into tokens
//! (names, numbers, strings, punctuation, blanks and comments) and swaps,
//! duplicates or deletes them, replaces a name with another name of the
//! same text, a number with an edge number, a string with another string,
//! or copies a whole line elsewhere. Inputs stay near-valid, so they reach
//! the checker and the evaluator rather than stop at the parser.

/// Numbers at the edges: zero, signs, the limits of the integer types,
/// decimals beyond `rust_decimal`'s range and precision, and exponents.
const EDGE_NUMBERS: &[&str] = &[
    "0",
    "1",
    "-1",
    "00",
    "0.0",
    "-0",
    "0.5",
    "255",
    "256",
    "65536",
    "2147483647",
    "2147483648",
    "4294967296",
    "9223372036854775807",
    "9223372036854775808",
    "18446744073709551616",
    "79228162514264337593543950335",
    "79228162514264337593543950336",
    "0.0000000000000000000000000001",
    "0.00000000000000000000000000001",
    "1e308",
    "1e-400",
    "99999999999999999999999999999999999999",
    "1.",
    ".5",
    "1_000",
];

/// Strings at the edges: empty, blanks, other scripts, escapes.
const EDGE_STRINGS: &[&str] = &[
    "\"\"",
    "\" \"",
    "\"é\"",
    "\"\\u{1F600}\"",
    "\"\\\"\"",
    "\"\\n\"",
    "\"9999-12-31\"",
    "\"0000-01-01\"",
    "\"𝄞\"",
];

/// Tokens worth inserting anywhere: operators and keywords of the language.
const EXTRA_TOKENS: &[&str] = &[
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    ".",
    "..",
    "?",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "+",
    "-",
    "*",
    "/",
    "and",
    "or",
    "not",
    "none",
    "is",
    "in",
    "if",
    "then",
    "else",
    "true",
    "false",
    "for",
    "days",
    "months",
    "years",
    "weeks",
    "2026-02-30",
    "2024-02-29",
    "0000-01-01",
    "9999-12-31",
];

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Name,
    Number,
    Text,
    Blank,
    Punct,
}

/// One token: its kind and where it is in the text.
#[derive(Debug, Clone, Copy)]
struct Token {
    kind: Kind,
    start: usize,
    end: usize,
}

/// A small deterministic generator (xorshift), seeded by libFuzzer.
pub struct Rng(u64);

impl Rng {
    /// A generator from libFuzzer's seed.
    pub fn new(seed: u32) -> Rng {
        Rng(u64::from(seed).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A number below `n` (0 when `n` is 0).
    fn below(&mut self, n: usize) -> usize {
        match n {
            0 => 0,
            _ => (self.next() % n as u64) as usize,
        }
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len()))
    }
}

type Chars<'t> = std::iter::Peekable<std::str::CharIndices<'t>>;

/// Consumes the characters that satisfy `ok`, moving `end` past them.
fn take_while(chars: &mut Chars, ok: impl Fn(char) -> bool, end: &mut usize) {
    while let Some(&(i, next)) = chars.peek() {
        if !ok(next) {
            break;
        }
        *end = i + next.len_utf8();
        chars.next();
    }
}

/// Cuts `text` into tokens that together cover it.
fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        let mut end = start + c.len_utf8();
        let kind = if c.is_alphabetic() || c == '_' {
            take_while(&mut chars, |n| n.is_alphanumeric() || n == '_', &mut end);
            Kind::Name
        } else if c.is_ascii_digit() {
            take_while(
                &mut chars,
                |n| n.is_ascii_digit() || n == '.' || n == '-',
                &mut end,
            );
            Kind::Number
        } else if c.is_whitespace() {
            take_while(&mut chars, char::is_whitespace, &mut end);
            Kind::Blank
        } else if c == '"' {
            // An escaped quote ends a token early: near enough for mutation.
            take_while(&mut chars, |n| n != '"' && n != '\n', &mut end);
            if let Some(&(i, '"')) = chars.peek() {
                end = i + 1;
                chars.next();
            }
            Kind::Text
        } else if c == '/' && chars.peek().is_some_and(|&(_, n)| n == '/') {
            take_while(&mut chars, |n| n != '\n', &mut end);
            Kind::Blank
        } else {
            take_while(&mut chars, |n| matches!(n, '=' | '.' | '>' | '<'), &mut end);
            Kind::Punct
        };
        out.push(Token { kind, start, end });
    }
    out
}

/// The texts of the tokens of one kind.
fn of_kind<'t>(text: &'t str, tokens: &[Token], kind: Kind) -> Vec<&'t str> {
    tokens
        .iter()
        .filter(|t| t.kind == kind)
        .filter_map(|t| text.get(t.start..t.end))
        .collect()
}

/// Rebuilds the text from its tokens, with `replace(i)` in place of token `i`.
fn rebuilt(text: &str, tokens: &[Token], replace: impl Fn(usize, &str) -> String) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    for (i, token) in tokens.iter().enumerate() {
        out.push_str(&replace(i, text.get(token.start..token.end).unwrap_or("")));
    }
    out
}

/// A token that is not blank, at random.
fn solid(rng: &mut Rng, tokens: &[Token]) -> Option<usize> {
    let solid: Vec<usize> = (0..tokens.len())
        .filter(|&i| tokens[i].kind != Kind::Blank)
        .collect();
    rng.pick(&solid).copied()
}

/// One token of `kind`, at random.
fn one_of(rng: &mut Rng, tokens: &[Token], kind: Kind) -> Option<usize> {
    let found: Vec<usize> = (0..tokens.len())
        .filter(|&i| tokens[i].kind == kind)
        .collect();
    rng.pick(&found).copied()
}

/// The text with one mutation applied, or `None` when the mutation it drew
/// does not apply (no token of the kind it needs).
fn mutate_once(text: &str, rng: &mut Rng) -> Option<String> {
    let tokens = tokens(text);
    let get = |i: usize| {
        let token = tokens.get(i);
        token.and_then(|t| text.get(t.start..t.end)).unwrap_or("")
    };
    let replace_one = |at: usize, with: String| {
        rebuilt(text, &tokens, |i, t| {
            if i == at {
                with.clone()
            } else {
                t.to_string()
            }
        })
    };
    match rng.below(10) {
        // Delete a token.
        0 => solid(rng, &tokens).map(|at| replace_one(at, String::new())),
        // Duplicate a token.
        1 => solid(rng, &tokens).map(|at| replace_one(at, format!("{0} {0}", get(at)))),
        // Swap two tokens.
        2 => {
            let (a, b) = (solid(rng, &tokens)?, solid(rng, &tokens)?);
            let (ta, tb) = (get(a).to_string(), get(b).to_string());
            Some(rebuilt(text, &tokens, |i, t| match i {
                _ if i == a => tb.clone(),
                _ if i == b => ta.clone(),
                _ => t.to_string(),
            }))
        }
        // A name replaced by another name of the text.
        3 | 4 => {
            let at = one_of(rng, &tokens, Kind::Name)?;
            let names = of_kind(text, &tokens, Kind::Name);
            let name = rng.pick(&names)?.to_string();
            Some(replace_one(at, name))
        }
        // A number replaced by an edge number, or by another number.
        5 => {
            let at = one_of(rng, &tokens, Kind::Number)?;
            let number = match rng.below(3) {
                0 => rng.pick(&of_kind(text, &tokens, Kind::Number))?.to_string(),
                _ => rng.pick(EDGE_NUMBERS)?.to_string(),
            };
            Some(replace_one(at, number))
        }
        // A string replaced by another string of the text or an edge string.
        6 => {
            let at = one_of(rng, &tokens, Kind::Text)?;
            let string = match rng.below(2) {
                0 => rng.pick(&of_kind(text, &tokens, Kind::Text))?.to_string(),
                _ => rng.pick(EDGE_STRINGS)?.to_string(),
            };
            Some(replace_one(at, string))
        }
        // A token of the text, or an operator or keyword, inserted anywhere.
        7 => {
            let new = match rng.below(2) {
                0 => get(solid(rng, &tokens)?).to_string(),
                _ => rng.pick(EXTRA_TOKENS)?.to_string(),
            };
            if tokens.is_empty() {
                // The empty text: the token is the whole text.
                return Some(new);
            }
            let at = rng.below(tokens.len());
            Some(replace_one(at, format!("{} {new} ", get(at))))
        }
        // A whole line copied after another line, or deleted.
        _ => {
            let lines: Vec<&str> = text.split_inclusive('\n').collect();
            let from = rng.below(lines.len());
            let to = rng.below(lines.len());
            let copy = rng.below(3) != 0;
            let mut out = String::with_capacity(text.len() + 128);
            for (i, line) in lines.iter().enumerate() {
                if i != from || copy {
                    out.push_str(line);
                }
                if i == to && copy {
                    out.push_str(lines.get(from)?);
                }
            }
            Some(out)
        }
    }
}

/// Applies one to four token-level mutations to `text`.
pub fn mutate(text: &str, rng: &mut Rng) -> String {
    let mut out = text.to_string();
    for _ in 0..=rng.below(4) {
        if let Some(next) = mutate_once(&out, rng) {
            out = next;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{mutate, Rng};

    /// The empty text (and text of blanks only) has no token to insert
    /// after: found by `mutate_protocol`, whose mutator indexed the first
    /// token of an empty list.
    #[test]
    fn text_without_tokens_mutates_without_a_panic() {
        for text in ["", " ", "\n\n"] {
            for seed in 0..20_000 {
                let _ = mutate(text, &mut Rng::new(seed));
            }
        }
    }
}
