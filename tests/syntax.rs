//! Grammar tests: the lexical rules and operator table of the design brief.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use salvage::span::{FileId, Span, Spanned};
use salvage::syntax::ast::*;
use salvage::syntax::parse;

/// Every reserved word of the brief, in its order.
const RESERVED: &[&str] = &[
    "protocol",
    "import",
    "agent",
    "regimen",
    "enum",
    "reasons",
    "record",
    "case",
    "define",
    "rule",
    "report",
    "test",
    "unit",
    "when",
    "then",
    "stop",
    "if",
    "else",
    "match",
    "and",
    "or",
    "not",
    "in",
    "is",
    "true",
    "false",
    "none",
    "unknown",
    "each",
    "where",
    "any",
    "all",
    "no",
    "have",
    "the",
    "of",
    "to",
    "as",
    "only",
    "within",
    "consecutive",
    "recommend",
    "consider",
    "avoid",
    "include",
    "order",
    "refer",
    "flag",
    "missing",
    "status",
    "rank",
    "unranked",
    "goal",
    "evidence",
    "code",
    "because",
    "role",
    "note",
    "fallback",
    "cite",
    "section",
    "components",
    "otherwise",
    "contains",
];

fn parse_ok(src: &str) -> File {
    let (file, diags) = parse(FileId(0), src);
    assert!(
        diags.is_empty(),
        "unexpected diagnostics for {src:?}: {diags:#?}"
    );
    file
}

fn parse_errors(src: &str) -> Vec<String> {
    parse(FileId(0), src)
        .1
        .into_iter()
        .map(|d| d.message)
        .collect()
}

/// The body of `define x = …`.
fn define_body(expr: &str) -> Expr {
    let file = parse_ok(&format!("define x = {expr}"));
    match file.items.into_iter().next() {
        Some(Item::Define(d)) => d.body,
        other => panic!("expected a define, got {other:?}"),
    }
}

fn name(text: &str) -> Spanned<String> {
    Spanned::new(text.to_string(), Span::default())
}

fn e(kind: ExprKind) -> Expr {
    Expr {
        kind,
        span: Span::default(),
    }
}

fn var(text: &str) -> Expr {
    e(ExprKind::Name(name(text)))
}

fn num(n: i64, unit: Option<&str>) -> Expr {
    e(ExprKind::Number {
        value: n.into(),
        unit: unit.map(name),
    })
}

fn bin(op: BinOp, l: Expr, r: Expr) -> Expr {
    e(ExprKind::Binary(op, Box::new(l), Box::new(r)))
}

#[test]
fn no_reserved_word_is_ever_read_as_a_unit() {
    for word in RESERVED {
        let src = format!("define x = 5 {word}");
        let (file, _) = parse(FileId(0), &src);
        let unit_taken = file.items.iter().any(|item| match item {
            Item::Define(d) => {
                matches!(&d.body.kind, ExprKind::Number { unit: Some(u), .. } if u.node == *word)
            }
            _ => false,
        });
        assert!(!unit_taken, "`{word}` was read as a unit");
    }
}

#[test]
fn no_reserved_word_is_a_name() {
    for word in RESERVED {
        let errors = parse_errors(&format!("define {word} = 1"));
        assert!(!errors.is_empty(), "`{word}` was accepted as a name");
    }
}

#[test]
fn a_backticked_reserved_word_is_a_name() {
    let file = parse_ok("record Line { `regimen`: text }");
    let Some(Item::Record(r)) = file.items.first() else {
        panic!()
    };
    assert_eq!(r.fields[0].name.node, "regimen");
}

#[test]
fn names_hold_dashes_only_between_letters_or_digits() {
    assert_eq!(define_body("R-CHOP"), var("R-CHOP"));
    assert_eq!(define_body("DLBCL_NOS"), var("DLBCL_NOS"));
    assert_eq!(define_body("a - b"), bin(BinOp::Sub, var("a"), var("b")));
    assert_eq!(define_body("`5-FU`"), var("5-FU"));
    assert_eq!(define_body("`DRV/r`"), var("DRV/r"));
}

#[test]
fn a_date_literal_is_tried_before_subtraction() {
    let date = Date {
        year: 2025,
        month: 6,
        day: 1,
    };
    assert_eq!(define_body("2025-06-01"), e(ExprKind::Date(date)));
}

#[test]
fn an_impossible_date_is_an_error() {
    assert_eq!(
        parse_errors("define x = 2025-02-29"),
        ["`2025-02-29` is not a calendar date"]
    );
    parse_ok("define x = 2024-02-29");
}

#[test]
fn units_follow_numbers_and_keep_their_symbols() {
    assert_eq!(define_body("60 mL/min"), num(60, Some("mL/min")));
    assert_eq!(define_body("4 x10^9/L"), num(4, Some("x10^9/L")));
    assert_eq!(define_body("20 %"), num(20, Some("%")));
    assert_eq!(
        define_body("2 log10 copies/mL"),
        num(2, Some("log10 copies/mL"))
    );
    assert_eq!(define_body("5 `mg per day`"), num(5, Some("mg per day")));
}

#[test]
fn a_unit_never_swallows_the_next_fields_name() {
    let file = parse_ok("case {\n  age: int years\n  ecog: int 0..4\n  weight: number kg\n  height: number\n  bsa: number m2\n}");
    let Some(Item::Case(c)) = file.items.first() else {
        panic!()
    };
    let names: Vec<&str> = c.fields.iter().map(|f| f.name.node.as_str()).collect();
    assert_eq!(names, ["age", "ecog", "weight", "height", "bsa"]);
    assert!(matches!(
        &c.fields[1].ty.kind,
        TypeKind::Int {
            unit: None,
            range: Some(_)
        }
    ));
    assert!(matches!(
        &c.fields[3].ty.kind,
        TypeKind::Number { unit: None, .. }
    ));
}

#[test]
fn a_unit_is_not_read_across_a_line_break() {
    let file = parse_ok("test \"t\" {\n  expect report stage = 3\n  expect status recommended\n}");
    let Some(Item::Test(t)) = file.items.first() else {
        panic!()
    };
    assert_eq!(t.expectations.len(), 2);
}

#[test]
fn newlines_are_insignificant_and_modifiers_bind_to_their_action() {
    let one_line = parse_ok(
        "rule r when x then recommend A, B goal curative order \"PET\" recommend C rank 2",
    );
    let many_lines = parse_ok("rule r\n  when x\n  then recommend A,\n         B\n       goal curative\n       order \"PET\"\n       recommend C\n       rank 2");
    assert_eq!(one_line, many_lines);
    let Some(Item::Rule(rule)) = one_line.items.first() else {
        panic!()
    };
    assert_eq!(rule.actions.len(), 3);
    assert_eq!(rule.actions[0].modifiers.len(), 1);
    assert!(rule.actions[1].modifiers.is_empty());
    assert!(matches!(rule.actions[2].modifiers[0].kind, ModifierKind::Rank(ref r) if r.node == 2));
}

#[test]
fn cite_lists_sets_comprehensions_and_indexing_are_told_apart() {
    let file = parse_ok("rule r when x in {A, B} then recommend A cite [k1, k2]");
    let Some(Item::Rule(rule)) = file.items.first() else {
        panic!()
    };
    assert!(
        matches!(&rule.when.kind, ExprKind::Binary(BinOp::In, _, s) if matches!(s.kind, ExprKind::Set(ref v) if v.len() == 2))
    );
    assert!(
        matches!(&rule.actions[0].modifiers[0].kind, ModifierKind::Cite(keys) if keys.len() == 2)
    );
    assert!(matches!(
        define_body("[l in prior lines where l is R-CHOP]").kind,
        ExprKind::Comprehension(_)
    ));
    assert!(matches!(define_body("m[k]").kind, ExprKind::Index(..)));
    assert_eq!(parse_errors("define x = m [k]"), ["a space before `[`"]);
}

#[test]
fn precedence_follows_the_table() {
    // or < and < not < comparisons < + - < * / < unary minus < .field
    let parsed = define_body("a or b and not c < d + e * -f.g");
    let field = e(ExprKind::Field(Box::new(var("f")), name("g")));
    let product = bin(BinOp::Mul, var("e"), e(ExprKind::Neg(Box::new(field))));
    let sum = bin(BinOp::Add, var("d"), product);
    let compare = bin(BinOp::Lt, var("c"), sum);
    let and = bin(BinOp::And, var("b"), e(ExprKind::Not(Box::new(compare))));
    assert_eq!(parsed, bin(BinOp::Or, var("a"), and));
}

#[test]
fn missing_as_binds_looser_than_comparisons() {
    let parsed = define_body("a < 3 missing as \"labs\"");
    let ExprKind::MissingAs(inner, label) = parsed.kind else {
        panic!()
    };
    assert_eq!(label.node, "labs");
    assert_eq!(*inner, bin(BinOp::Lt, var("a"), num(3, None)));
}

#[test]
fn a_range_of_comparisons_chains_with_and() {
    let parsed = define_body("1 <= a <= 3");
    let expected = bin(
        BinOp::And,
        bin(BinOp::Le, num(1, None), var("a")),
        bin(BinOp::Le, var("a"), num(3, None)),
    );
    assert_eq!(parsed, expected);
    assert_eq!(
        parse_errors("define x = a < b > c"),
        ["`>` cannot follow `<` without parentheses"]
    );
}

#[test]
fn double_equals_is_an_error_with_a_help_line() {
    let (_, diags) = parse(FileId(0), "define x = a == b");
    assert_eq!(diags.len(), 1);
    assert!(diags[0].help.iter().any(|h| h.contains("`=` compares")));
}

#[test]
fn ranges_are_inclusive_and_usable_with_in() {
    let parsed = define_body("ecog in 0..2");
    assert_eq!(
        parsed,
        bin(
            BinOp::In,
            var("ecog"),
            bin(BinOp::Range, num(0, None), num(2, None))
        )
    );
}

#[test]
fn history_and_series_reads_are_one_primary() {
    let parsed = define_body(
        "relapse after R-CHOP within 12 months and latest crcl within 30 days < 60 mL/min",
    );
    let ExprKind::Binary(BinOp::And, l, r) = parsed.kind else {
        panic!()
    };
    assert!(matches!(
        l.kind,
        ExprKind::History {
            pred: HistoryPred::RelapseAfter,
            within: Some(_),
            ..
        }
    ));
    let ExprKind::Binary(BinOp::Lt, read, _) = r.kind else {
        panic!()
    };
    assert!(matches!(
        read.kind,
        ExprKind::Series {
            read: SeriesRead::Latest,
            within: Some(_),
            ..
        }
    ));
    assert!(matches!(
        define_body("relapse after {R-CHOP, R-CHOEP}").kind,
        ExprKind::History {
            target: HistoryTarget::Set(_),
            ..
        }
    ));
    assert!(matches!(
        define_body("relapse after last line").kind,
        ExprKind::History {
            target: HistoryTarget::LastLine,
            ..
        }
    ));
}

#[test]
fn if_needs_else() {
    let errors = parse_errors("define x = if a then 1");
    assert_eq!(errors.len(), 1);
    assert!(errors[0].contains("`else`"), "{errors:?}");
}

#[test]
fn a_missing_option_is_said_in_words() {
    let errors = parse_errors("rule r when x then recommend");
    assert!(
        errors[0].starts_with("expected a regimen or agent name"),
        "{errors:?}"
    );
    assert!(errors[0].ends_with("after `recommend`"), "{errors:?}");
}

#[test]
fn each_broken_item_is_reported_in_one_run() {
    let errors = parse_errors(
        "rule a when then recommend X\n\nrule b when x then recommend\n\ndefine ok = 1\n",
    );
    assert_eq!(errors.len(), 2, "{errors:?}");
}

#[test]
fn later_constructs_parse() {
    for src in [
        "define refractory_to(d: agent) = refractory to d",
        "define x = match { a > 1 => 2, else => 3 }",
        "define x = any l in prior lines where l is R-CHOP",
        "define x = all l in prior lines have l.end_date is not none",
        "define x = count l in prior lines where l is platinum",
        "define x = max g.score for g in gs where g.valid",
        "define x = the l in prior lines where l is R-CHOP",
        "define x = agents with tag high-barrier | members of platinum",
        "define x = years from birth_date to as_of",
        "define x = date of relapse after R-CHOP",
        "define x = end of last line",
        "define x = previous vl otherwise 0 copies/mL",
        "rule r when recommended R-ICE and fired car-t then avoid each a in agents with tag t where a contains b code c",
        "rule r stop when not candidates contains X then status referred",
        "rule r when x then recommend components A, B, C role backbone",
        "rule r when x then recommend A fallback B fallback C if y note \"n\"",
        "section \"Novel\" when x { rule r when y then recommend A }",
        "report risk = if a then \"high\" else \"low\" only when b",
        "unit alias \"ml/min\" = mL/min",
        "unit copies/mL",
        "unit kU/L = 1000 U/L",
        "test \"t\" from \"../examples/c.jsonl\" case \"c-07\" { expect status needs-data }",
        "enum Call { S < I < R }",
        "case { id = case_id ignore vignette, notes as_of = visit_date visit_date: date }",
    ] {
        parse_ok(src);
    }
}
