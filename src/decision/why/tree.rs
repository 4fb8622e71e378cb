//! A condition as a tree of its parts, each quoted from the source with its
//! truth, read by the evaluator the decision uses: `and`/`or`/`not` parts
//! and the defines they name open into their own parts; a leaf shows the
//! facts it read, the history lines that decided it, or what would settle it.

use crate::check::ir::{Expr, ExprKind};
use crate::eval::expr::Evaluator;
use crate::eval::model::Protocol;
use crate::eval::outcome::HistoryMatch;
use crate::eval::show::display;
use crate::eval::truth::{Missing, Support, Truth};
use crate::eval::value::{Val, Value};
use crate::source::{LineIndex, Sources};
use crate::span::Span;
use crate::syntax::ast::BinOp;

/// The width a part's text and truth are padded to before its note, so
/// that the notes of a tree line up.
const NOTE_COLUMN: usize = 44;

/// Explains the parts of conditions on one case.
pub(super) struct Explainer<'a, 'p> {
    ev: Evaluator<'p>,
    protocol: &'p Protocol,
    sources: &'a Sources,
    /// Defines already opened in this answer: a second mention stays a leaf.
    opened: Vec<usize>,
}

impl<'a, 'p> Explainer<'a, 'p> {
    /// An explainer reading conditions with `ev`.
    pub(super) fn new(ev: Evaluator<'p>, protocol: &'p Protocol, sources: &'a Sources) -> Self {
        Explainer {
            ev,
            protocol,
            sources,
            opened: Vec::new(),
        }
    }

    /// The truth of `e`, as the decision's evaluator reads it.
    pub(super) fn truth(&mut self, e: &Expr) -> Truth {
        self.ev.condition(e)
    }

    /// The lines of `e`'s tree at `depth`, the first one labelled `tag`.
    pub(super) fn tree(&mut self, e: &'p Expr, depth: usize, tag: &str, out: &mut Vec<String>) {
        match &e.kind {
            ExprKind::Binary(op @ (BinOp::And | BinOp::Or), ..) => {
                let word = if *op == BinOp::And { "and" } else { "or" };
                let truth = self.truth(e);
                out.push(line(depth, &format!("{tag}{word}"), &truth, None));
                for part in parts(e, *op) {
                    self.tree(part, depth + 1, "", out);
                }
            }
            ExprKind::Not(inner) => {
                let truth = self.truth(e);
                out.push(line(depth, &format!("{tag}not"), &truth, None));
                self.tree(inner, depth + 1, "", out);
            }
            ExprKind::Define(index, args) if args.is_empty() && !self.opened.contains(index) => {
                self.opened.push(*index);
                out.push(self.leaf(e, depth, tag));
                if let Some(define) = self.protocol.defines.get(*index) {
                    self.tree(&define.body, depth + 1, "", out);
                }
            }
            _ => out.push(self.leaf(e, depth, tag)),
        }
    }

    /// One line for `e`: its text, its truth and a note on why.
    pub(super) fn leaf(&mut self, e: &Expr, depth: usize, tag: &str) -> String {
        let text = format!("{tag}{}", self.quote(e.span));
        self.leaf_labelled(e, depth, &text)
    }

    /// [`Self::leaf`] with its own text in place of the quoted source.
    pub(super) fn leaf_labelled(&mut self, e: &Expr, depth: usize, text: &str) -> String {
        let (truth, lines) = self.ev.condition_with_lines(e);
        let note = match &truth {
            Truth::Unknown(support) => Some(settled_by(support)),
            _ => self.known_note(e, &truth, &lines),
        };
        line(depth, text, &truth, note.as_deref())
    }

    /// What a known leaf rests on: the define it names, the history lines
    /// that decided it, or the values it compared.
    fn known_note(&mut self, e: &Expr, truth: &Truth, lines: &[HistoryMatch]) -> Option<String> {
        match &e.kind {
            ExprKind::Define(index, _) => self.define_note(*index),
            ExprKind::History { .. } if lines.is_empty() && *truth == Truth::False => {
                Some("no history line matches".to_string())
            }
            ExprKind::Decision(_) => {
                Some("as the rules of the strata before it decided".to_string())
            }
            _ if !lines.is_empty() => Some(history_note(lines)),
            _ => self.values_note(e),
        }
    }

    /// `define NAME at file:line:col`.
    fn define_note(&self, index: usize) -> Option<String> {
        let define = self.protocol.defines.get(index)?;
        Some(format!(
            "define {} at {}",
            define.name,
            self.define_place(define.body.span)
        ))
    }

    /// The place of the `define` whose body is at `body`: the last
    /// `define` keyword before the body.
    fn define_place(&self, body: Span) -> String {
        let text = self.sources.text(body.file);
        let start = text
            .get(..body.start as usize)
            .and_then(|before| before.rfind("define"))
            .unwrap_or(body.start as usize);
        self.place(Span {
            start: start as u32,
            ..body
        })
    }

    /// `file:line:col` of the start of `span`.
    pub(super) fn place(&self, span: Span) -> String {
        let text = self.sources.text(span.file);
        let (line, column) = LineIndex::new(text).line_column(text, span.start as usize);
        format!("{}:{line}:{column}", self.sources.path(span.file))
    }

    /// The values a leaf compared, where they are simple (`ecog = 2`).
    fn values_note(&mut self, e: &Expr) -> Option<String> {
        let shown: Vec<String> = operands(e)
            .into_iter()
            .filter_map(|operand| {
                let value = simple(self.protocol, self.ev.eval(operand))?;
                Some(format!("{} = {value}", self.quote(operand.span)))
            })
            .collect();
        (!shown.is_empty()).then(|| shown.join(", "))
    }

    /// The source text of `span`, on one line.
    pub(super) fn quote(&self, span: Span) -> String {
        let text = self.sources.text(span.file);
        let written = text.get(span.range()).unwrap_or("?");
        // The span of a define's last part runs on over the comments after
        // it, which are not part of the condition.
        let code = written.lines().map(without_comment);
        code.flat_map(str::split_whitespace)
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// A source line up to its `//` comment (a `//` inside a string is text).
fn without_comment(line: &str) -> &str {
    let mut in_text = false;
    for (at, c) in line.char_indices() {
        match c {
            '"' => in_text = !in_text,
            '/' if !in_text && line.get(at..).is_some_and(|r| r.starts_with("//")) => {
                return line.get(..at).unwrap_or(line);
            }
            _ => {}
        }
    }
    line
}

/// The parts of a chain of one connective (`a and b and c`), in order.
/// Walked with a stack: a chain of thousands is one deep left spine.
pub(super) fn parts(e: &Expr, op: BinOp) -> Vec<&Expr> {
    let mut found = Vec::new();
    let mut todo = vec![e];
    while let Some(next) = todo.pop() {
        match &next.kind {
            ExprKind::Binary(o, l, r) if *o == op => {
                todo.push(r);
                todo.push(l);
            }
            _ => found.push(next),
        }
    }
    found
}

/// The operands of a leaf whose values say why it came out as it did:
/// both sides of a comparison, the subject of a test, a fact read alone.
fn operands(e: &Expr) -> Vec<&Expr> {
    let read = |x: &&Expr| !matches!(x.kind, ExprKind::Const(_) | ExprKind::Collection(_));
    match &e.kind {
        ExprKind::Binary(_, l, r) => [&**l, &**r].into_iter().filter(read).collect(),
        ExprKind::Is(inner, ..) => vec![&**inner],
        ExprKind::Not(inner) => operands(inner),
        ExprKind::CaseField(_) | ExprKind::LineNumber | ExprKind::AsOf => vec![e],
        _ => Vec::new(),
    }
}

/// A value short enough to show beside its leaf: not a list, record or series.
fn simple(protocol: &Protocol, value: Val) -> Option<String> {
    match value {
        Val::Known(
            v @ (Value::None
            | Value::Bool(_)
            | Value::Num(_)
            | Value::Text(_)
            | Value::Date(_)
            | Value::Enum(_)
            | Value::Vocab(_)),
        ) => Some(display(protocol, &v)),
        _ => None,
    }
}

/// One line of a tree: indented text, truth, and the note in its column.
pub(super) fn line(depth: usize, text: &str, truth: &Truth, note: Option<&str>) -> String {
    let indent = "  ".repeat(depth);
    let head = format!("{indent}{text}: {}", truth_word(truth));
    match note {
        Some(note) => format!("{head:<NOTE_COLUMN$}  ({note})"),
        None => head,
    }
}

/// `true`, `false` or `unknown`.
pub(super) fn truth_word(truth: &Truth) -> &'static str {
    match truth {
        Truth::True => "true",
        Truth::False => "false",
        Truth::Unknown(_) => "unknown",
    }
}

/// The lines of history that decided a part: `decided by /lines/0`.
fn history_note(lines: &[HistoryMatch]) -> String {
    let mut paths: Vec<&str> = Vec::new();
    for m in lines {
        if !paths.contains(&m.path.as_str()) {
            paths.push(&m.path);
        }
    }
    format!("decided by history line {}", paths.join(", "))
}

/// What would settle an unknown: its facts, or why no fact can.
pub(super) fn settled_by(support: &Support) -> String {
    let facts: Vec<String> = support.facts().iter().map(fact_words).collect();
    match (facts.is_empty(), support.is_indeterminate()) {
        (false, false) => format!("would be settled by {}", facts.join(", ")),
        (false, true) => format!(
            "would be settled by {}; {}",
            facts.join(", "),
            support.reason()
        ),
        (true, _) => support.reason(),
    }
}

/// One missing fact in words: its pointer or name, with what it needs.
pub(super) fn fact_words(fact: &Missing) -> String {
    match fact {
        Missing::Fact { path, need, why } => {
            let mut words = path.clone();
            for extra in [need, why].into_iter().flatten() {
                words.push_str(&format!(" ({extra})"));
            }
            words
        }
        Missing::Named(name) => format!("\"{name}\""),
    }
}

#[cfg(test)]
mod tests {
    use super::without_comment;

    #[test]
    fn a_comment_is_cut_from_a_quoted_line_but_not_slashes_in_text() {
        assert_eq!(
            without_comment("relapse after x // note"),
            "relapse after x "
        );
        assert_eq!(
            without_comment(r#"note = "a//b" // c"#),
            r#"note = "a//b" "#
        );
        assert_eq!(without_comment("ecog <= 2"), "ecog <= 2");
    }
}
