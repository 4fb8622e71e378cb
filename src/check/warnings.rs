//! Warnings: unused definitions, conditions that can never be true, and
//! rules that can never be reached.

use super::error::Warning;
use super::Checker;
use crate::syntax::ast::*;
use crate::units::Dimension;
use rust_decimal::Decimal;
use std::collections::HashMap;

impl<'a> Checker<'a> {
    /// Warns about defines, citations and reason codes of the protocol that nothing uses,
    /// and about rules after an unconditional `stop`.
    pub(super) fn unused_warnings(&mut self, own: &[&File]) {
        let items: Vec<&Item> = own.iter().flat_map(|f| &f.items).collect();
        for item in &items {
            if let Item::Define(d) = item {
                let shadowed = self.field_type(None, &d.name.node).is_some();
                if !self.used.contains(&d.name.node) && !shadowed {
                    let name = d.name.clone();
                    self.report(Warning::UnusedDefine { name });
                }
            }
        }
        let citations = self.env.citations.clone();
        for key in citations {
            if !self.used.contains(&format!("cite:{}", key.node)) {
                self.report(Warning::UnusedCitation { key });
            }
        }
        let own_files: Vec<_> = own
            .iter()
            .filter_map(|f| f.items.first().map(|i| super::decls::item_span(i).file))
            .collect();
        let reasons = self.env.reasons.clone();
        for code in reasons
            .into_iter()
            .filter(|c| own_files.contains(&c.span.file))
        {
            if !self.used.contains(&format!("reason:{}", code.node)) {
                self.report(Warning::UnusedReason { code });
            }
        }
        self.unreachable_rules(&items);
    }

    fn unreachable_rules(&mut self, items: &[&Item]) {
        let mut stopper: Option<&Rule> = None;
        for item in items.iter().copied() {
            let rule = match item {
                Item::Rule(r) => r,
                Item::Section(s) => match first_rule(&s.items) {
                    Some(r) => r,
                    None => continue,
                },
                _ => continue,
            };
            if let Some(stop) = stopper {
                let (rule, stop) = (rule.name.clone(), stop.name.span);
                self.report(Warning::Unreachable { rule, stop });
                return;
            }
            let unconditional = matches!(item, Item::Rule(_))
                && matches!(unparen(&rule.when).kind, ExprKind::Bool(true));
            if rule.stop && unconditional {
                stopper = Some(rule);
            }
        }
    }

    /// Warns when a condition's `and`-joined parts can never all be true.
    pub(super) fn contradiction(&mut self, cond: &Expr) {
        let mut parts = Vec::new();
        conjuncts(cond, &mut parts);
        if let Some(reason) = contradicts(&parts, &|e| self.constant(e)) {
            let at = cond.span;
            self.report(Warning::NeverTrue { at, reason });
        }
    }
}

fn first_rule(items: &[Item]) -> Option<&Rule> {
    items.iter().find_map(|item| match item {
        Item::Rule(r) => Some(r),
        Item::Section(s) => first_rule(&s.items),
        _ => None,
    })
}

fn unparen(e: &Expr) -> &Expr {
    match &e.kind {
        ExprKind::Group(inner) => unparen(inner),
        _ => e,
    }
}

fn conjuncts<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
    match &unparen(e).kind {
        ExprKind::Binary(BinOp::And, l, r) => {
            conjuncts(l, out);
            conjuncts(r, out);
        }
        _ => out.push(unparen(e)),
    }
}

/// Bounds on one path from `and`-joined comparisons with literals.
#[derive(Default)]
struct Bounds {
    low: Option<(Decimal, bool, String)>,
    high: Option<(Decimal, bool, String)>,
    equals: Option<String>,
}

impl Checker<'_> {
    /// A constant a comparison is made against: a number (in its dimension's
    /// base unit, so `80 g/L` and `8 g/dL` compare) or an enum value.
    fn constant(&self, e: &Expr) -> Option<Literal> {
        match &unparen(e).kind {
            ExprKind::Number { value, unit: None } => {
                Some(Literal::Number(*value, value.to_string(), None))
            }
            ExprKind::Number {
                value,
                unit: Some(u),
            } => {
                let unit = self.units.lookup(&u.node).filter(|u| !u.is_log10())?;
                let base = value.checked_mul(unit.factor())?;
                let dimension = Some(unit.dimension().clone());
                Some(Literal::Number(base, self.quote(e.span), dimension))
            }
            ExprKind::Name(n) if self.is_enum_constant(&n.node) => {
                Some(Literal::Name(n.node.clone()))
            }
            _ => None,
        }
    }

    fn is_enum_constant(&self, name: &str) -> bool {
        self.env.is_enum_value(name)
            && self.field_type(None, name).is_none()
            && !self.env.defines.contains_key(name)
            && !self.locals.iter().any(|(n, _)| n == name)
    }
}

fn contradicts(parts: &[&Expr], constant: &dyn Fn(&Expr) -> Option<Literal>) -> Option<String> {
    for (i, a) in parts.iter().enumerate() {
        if let ExprKind::Not(inner) = &a.kind {
            if parts
                .iter()
                .enumerate()
                .any(|(j, b)| i != j && *b == unparen(inner))
            {
                return Some("a condition and its negation".to_string());
            }
        }
    }
    // Bounds per path and dimension: literals of the two dimensions an
    // analyte relates (`51.3 µmol/L`, `2 mg/dL`) have no common base unit.
    let mut bounds: HashMap<(String, Option<Dimension>), Bounds> = HashMap::new();
    for part in parts {
        if let Some((path, op, literal)) = comparison(part, constant) {
            let dimension = match &literal {
                Literal::Number(_, _, dimension) => dimension.clone(),
                Literal::Name(_) => None,
            };
            let entry = bounds.entry((path.clone(), dimension)).or_default();
            if let Some(reason) = tighten(entry, op, literal, &path) {
                return Some(reason);
            }
        }
    }
    None
}

/// A literal a comparison is made against.
enum Literal {
    /// The value in its dimension's base unit, as written, and the dimension.
    Number(Decimal, String, Option<Dimension>),
    Name(String),
}

fn comparison(
    e: &Expr,
    constant: &dyn Fn(&Expr) -> Option<Literal>,
) -> Option<(String, BinOp, Literal)> {
    let ExprKind::Binary(op, l, r) = &e.kind else {
        return None;
    };
    if !op.is_comparison() {
        return None;
    }
    if let (Some(path), Some(lit)) = (path_key(l), constant(r)) {
        return Some((path, *op, lit));
    }
    let (path, lit) = (path_key(r)?, constant(l)?);
    Some((path, flip(*op), lit))
}

fn flip(op: BinOp) -> BinOp {
    match op {
        BinOp::Lt => BinOp::Gt,
        BinOp::Le => BinOp::Ge,
        BinOp::Gt => BinOp::Lt,
        BinOp::Ge => BinOp::Le,
        other => other,
    }
}

fn tighten(b: &mut Bounds, op: BinOp, literal: Literal, path: &str) -> Option<String> {
    match (op, literal) {
        (BinOp::Eq, Literal::Name(name)) => {
            if let Some(prev) = &b.equals {
                if *prev != name {
                    return Some(format!("`{path}` cannot be both `{prev}` and `{name}`"));
                }
            }
            b.equals = Some(name);
            None
        }
        (BinOp::Eq, Literal::Number(v, shown, _)) => {
            raise_low(b, v, true, &shown);
            lower_high(b, v, true, &shown);
            empty(b, path)
        }
        (BinOp::Gt | BinOp::Ge, Literal::Number(v, shown, _)) => {
            raise_low(b, v, op == BinOp::Ge, &shown);
            empty(b, path)
        }
        (BinOp::Lt | BinOp::Le, Literal::Number(v, shown, _)) => {
            lower_high(b, v, op == BinOp::Le, &shown);
            empty(b, path)
        }
        _ => None,
    }
}

fn raise_low(b: &mut Bounds, v: Decimal, inclusive: bool, shown: &str) {
    let tighter = match &b.low {
        Some((old, old_inc, _)) => v > *old || (v == *old && *old_inc && !inclusive),
        None => true,
    };
    if tighter {
        b.low = Some((v, inclusive, shown.to_string()));
    }
}

fn lower_high(b: &mut Bounds, v: Decimal, inclusive: bool, shown: &str) {
    let tighter = match &b.high {
        Some((old, old_inc, _)) => v < *old || (v == *old && *old_inc && !inclusive),
        None => true,
    };
    if tighter {
        b.high = Some((v, inclusive, shown.to_string()));
    }
}

fn empty(b: &Bounds, path: &str) -> Option<String> {
    let ((low, low_inc, low_shown), (high, high_inc, high_shown)) =
        (b.low.as_ref()?, b.high.as_ref()?);
    let empty = low > high || (low == high && !(*low_inc && *high_inc));
    empty.then(|| format!("no value of `{path}` is both above {low_shown} and below {high_shown}"))
}

/// A path a comparison is about, as written: `x`, `l.end_date`, `previous vl`.
fn path_key(e: &Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Name(n) => Some(n.node.clone()),
        ExprKind::Field(inner, f) => Some(format!("{}.{}", path_key(inner)?, f.node)),
        ExprKind::Group(inner) => path_key(inner),
        ExprKind::Series {
            read,
            series,
            within: None,
        } => Some(format!("{} {}", read.word(), path_key(series)?)),
        ExprKind::LastLine => Some("last line".to_string()),
        ExprKind::DateOf(part, inner) => {
            Some(format!("{} of {}", date_part_word(*part), path_key(inner)?))
        }
        _ => None,
    }
}

fn date_part_word(part: DatePart) -> &'static str {
    match part {
        DatePart::Date => "date",
        DatePart::Start => "start",
        DatePart::End => "end",
    }
}
