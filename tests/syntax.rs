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

fn dec(text: &str, unit: Option<&str>) -> Expr {
    e(ExprKind::Number {
        value: text.parse().unwrap(),
        unit: unit.map(name),
    })
}

fn field(of: Expr, field: &str) -> Expr {
    e(ExprKind::Field(Box::new(of), name(field)))
}

fn binding(var_name: &str, source: Expr, filter: Option<Expr>) -> AggregateOver {
    AggregateOver::Binding(Box::new(Comprehension {
        var: name(var_name),
        source,
        filter,
    }))
}

fn aggregate(agg: Aggregate, projection: Option<Expr>, over: AggregateOver) -> Expr {
    e(ExprKind::Aggregate {
        agg,
        projection: projection.map(Box::new),
        over,
    })
}

fn count_of(collection: Expr) -> Expr {
    aggregate(
        Aggregate::Count,
        None,
        AggregateOver::Collection(Box::new(collection)),
    )
}

#[test]
fn a_slash_not_followed_by_a_letter_divides() {
    let two_thirds = bin(BinOp::Div, num(2, None), num(3, None));
    assert_eq!(define_body("2 / 3"), two_thirds);
    assert_eq!(define_body("2/3"), two_thirds);
    assert_eq!(define_body("2 /3"), two_thirds);
    assert_eq!(
        define_body("(2) / 3"),
        bin(
            BinOp::Div,
            e(ExprKind::Group(Box::new(num(2, None)))),
            num(3, None)
        )
    );
    assert_eq!(
        define_body("2 / (x)"),
        bin(
            BinOp::Div,
            num(2, None),
            e(ExprKind::Group(Box::new(var("x"))))
        )
    );
    assert_eq!(
        define_body("60 mL/min / 2"),
        bin(BinOp::Div, num(60, Some("mL/min")), num(2, None))
    );
    assert_eq!(
        define_body("2 / 3 mL"),
        bin(BinOp::Div, num(2, None), num(3, Some("mL")))
    );
}

#[test]
fn a_slash_followed_by_a_letter_starts_a_unit() {
    assert_eq!(define_body("200 /µL"), num(200, Some("/µL")));
    assert_eq!(define_body("200/µL"), num(200, Some("/µL")));
    assert_eq!(define_body("5 /mm3"), num(5, Some("/mm3")));
    assert_eq!(define_body("60 mL/min"), num(60, Some("mL/min")));
    assert_eq!(define_body("5 x10^9/L"), num(5, Some("x10^9/L")));
    assert_eq!(
        define_body("2.30 log10 copies/mL"),
        dec("2.30", Some("log10 copies/mL"))
    );
    assert_eq!(define_body("12 months"), num(12, Some("months")));
    assert_eq!(
        define_body("90 mL/min/1.73m2"),
        num(90, Some("mL/min/1.73m2"))
    );
}

#[test]
fn for_is_never_read_as_a_unit() {
    assert_eq!(
        define_body("sum 1 for t in ts"),
        aggregate(
            Aggregate::Sum,
            Some(num(1, None)),
            binding("t", var("ts"), None)
        )
    );
}

#[test]
fn a_projection_takes_calls_and_arithmetic() {
    let call = e(ExprKind::Call(name("f"), vec![var("t")]));
    assert_eq!(
        define_body("sum f(t) for t in ts"),
        aggregate(Aggregate::Sum, Some(call), binding("t", var("ts"), None))
    );
    let end_plus_5 = bin(
        BinOp::Add,
        field(var("l"), "end_date"),
        num(5, Some("months")),
    );
    let lines = || binding("l", e(ExprKind::PriorLines), None);
    assert_eq!(
        define_body("min (l.end_date + 5 months) for l in prior lines"),
        aggregate(
            Aggregate::Min,
            Some(e(ExprKind::Group(Box::new(end_plus_5.clone())))),
            lines()
        )
    );
    assert_eq!(
        define_body("min l.end_date + 5 months for l in prior lines"),
        aggregate(Aggregate::Min, Some(end_plus_5), lines())
    );
    let indexed = e(ExprKind::Index(Box::new(var("m")), Box::new(var("t"))));
    assert_eq!(
        define_body("max m[t] * 2 - 1 for t in ts where t > 0"),
        aggregate(
            Aggregate::Max,
            Some(bin(
                BinOp::Sub,
                bin(BinOp::Mul, indexed, num(2, None)),
                num(1, None)
            )),
            binding("t", var("ts"), Some(bin(BinOp::Gt, var("t"), num(0, None))))
        )
    );
    assert_eq!(
        define_body("first l.end_date otherwise as_of for l in prior lines"),
        aggregate(
            Aggregate::First,
            Some(bin(
                BinOp::Otherwise,
                field(var("l"), "end_date"),
                var("as_of")
            )),
            lines()
        )
    );
}

#[test]
fn an_aggregate_without_for_takes_only_its_operand() {
    let items = field(var("g"), "items");
    assert_eq!(
        define_body("count xs + 1"),
        bin(BinOp::Add, count_of(var("xs")), num(1, None))
    );
    assert_eq!(
        define_body("2 * count xs + 1"),
        bin(
            BinOp::Add,
            bin(BinOp::Mul, num(2, None), count_of(var("xs"))),
            num(1, None)
        )
    );
    assert_eq!(
        define_body("count g.items * 2 > 3"),
        bin(
            BinOp::Gt,
            bin(BinOp::Mul, count_of(items), num(2, None)),
            num(3, None)
        )
    );
    assert_eq!(
        define_body("count a + count b * count c"),
        bin(
            BinOp::Add,
            count_of(var("a")),
            bin(BinOp::Mul, count_of(var("b")), count_of(var("c")))
        )
    );
    let min_xs = aggregate(
        Aggregate::Min,
        None,
        AggregateOver::Collection(Box::new(var("xs"))),
    );
    assert_eq!(
        define_body("min xs otherwise 0"),
        bin(BinOp::Otherwise, min_xs, num(0, None))
    );
    assert_eq!(
        define_body("count prior lines + 1"),
        bin(BinOp::Add, count_of(e(ExprKind::PriorLines)), num(1, None))
    );
    assert_eq!(
        define_body("count x in xs where x > 1"),
        aggregate(
            Aggregate::Count,
            None,
            binding("x", var("xs"), Some(bin(BinOp::Gt, var("x"), num(1, None))))
        )
    );
    // an aggregate word with nothing to aggregate is a name
    assert_eq!(
        define_body("min - 1"),
        bin(BinOp::Sub, var("min"), num(1, None))
    );
}

#[test]
fn an_aggregate_is_spanned_to_its_operand() {
    let body = define_body("count xs + 1");
    let ExprKind::Binary(BinOp::Add, count, _) = body.kind else {
        panic!("{body:?}")
    };
    // `define x = ` is 11 bytes; `count xs` is 8
    assert_eq!((count.span.start, count.span.end), (11, 19));
}

#[test]
fn nested_and_chained_aggregates_parse_in_linear_time() {
    // Each level would be parsed twice if a projection were tried and then
    // given up: 2^60 steps. Parsed once, these finish at once.
    let nested = format!("{}x{}", "min (".repeat(60), ")".repeat(60));
    define_body(&nested);
    let nested_for = format!("{}x{}", "sum (".repeat(60), ") for x in xs".repeat(60));
    define_body(&nested_for);
    let chain = vec!["count a"; 200].join(" + ");
    let parsed = define_body(&chain);
    let mut expected = count_of(var("a"));
    for _ in 1..200 {
        expected = bin(BinOp::Add, expected, count_of(var("a")));
    }
    assert_eq!(parsed, expected);
}

#[test]
fn what_cannot_come_before_for_is_said_with_its_fix() {
    let (_, diags) = parse(
        FileId(0),
        "define x = min l.end_date is none for l in prior lines",
    );
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert!(
        diags[0]
            .help
            .iter()
            .any(|h| h.contains("`min (l.end_date is none) for …`")),
        "{diags:#?}"
    );
    let (_, diags) = parse(FileId(0), "define x = count t > 2 for t in ts");
    assert!(
        diags[0]
            .help
            .iter()
            .any(|h| h.contains("count x in xs where")),
        "{diags:#?}"
    );
    let (_, diags) = parse(FileId(0), "define x = t + 1 for t in ts");
    assert!(
        diags[0]
            .help
            .iter()
            .any(|h| h.contains("sum E for x in xs")),
        "{diags:#?}"
    );
}

/// The one diagnostic message a number literal gets, or none.
fn number_message(literal: &str) -> Option<String> {
    let mut errors = parse_errors(&format!("define x = {literal}"));
    assert!(errors.len() <= 1, "{errors:?}");
    errors.pop()
}

#[test]
fn numbers_hold_28_significant_digits_and_not_29() {
    let digits = "1234567890123456789012345678";
    for fits in [
        digits.to_string(),
        "9".repeat(28),
        format!("0.{digits}"),
        format!("1.{}", &digits[1..]),
        format!("{}.{}", &digits[..14], &digits[14..]),
        format!("-{digits}"),
    ] {
        assert_eq!(number_message(&fits), None, "{fits}");
    }
    for too_many in [
        format!("{digits}9"),
        format!("0.{digits}9"),
        format!("1.{}", &digits),
        format!("{}.{}", &digits[..15], &format!("{}9", &digits[15..])),
    ] {
        assert_eq!(
            number_message(&too_many),
            Some(format!("`{too_many}` has 29 significant digits")),
        );
    }
}

#[test]
fn leading_and_trailing_zeros_are_not_significant() {
    let digits = "1234567890123456789012345678";
    for fits in [
        format!("{}{digits}", "0".repeat(30)),
        format!("{digits}.{}", "0".repeat(30)),
        format!("1{}", "0".repeat(28)),
        format!("1{}0", "9".repeat(27)),
        format!("0.{}1", "0".repeat(27)),
    ] {
        assert_eq!(number_message(&fits), None, "{fits}");
    }
    assert_eq!(
        define_body(&format!("{}.000", "9".repeat(28))),
        dec(&"9".repeat(28), None)
    );
    let Some(Item::Define(d)) = parse_ok("define x = 90.0").items.pop() else {
        panic!()
    };
    assert!(
        matches!(d.body.kind, ExprKind::Number { value, .. } if value.to_string() == "90.0"),
        "the written scale is kept"
    );
}

#[test]
fn decimal_places_stop_at_28_and_magnitude_at_the_largest_decimal() {
    let places = format!("0.{}1", "0".repeat(28));
    assert_eq!(
        number_message(&places),
        Some(format!("`{places}` has 29 decimal places"))
    );
    let large = format!("8{}", "0".repeat(28));
    assert_eq!(
        number_message(&large),
        Some(format!("`{large}` is too large"))
    );
    let (_, diags) = parse(FileId(0), "define x = 59.999999999999999999999999999999");
    assert!(
        diags[0].help.iter().any(|h| h.contains("`60`")),
        "{diags:#?}"
    );
}

#[test]
fn type_ranges_and_defaults_follow_the_number_rules() {
    let nines = "9".repeat(28);
    parse_ok(&format!(
        "record R {{ n: int -{nines}..{nines} = {nines} }}"
    ));
    let errors = parse_errors(&format!("record R {{ n: int 0..{nines}9 = 1{nines} }}"));
    assert_eq!(
        errors,
        [
            format!("`{nines}9` has 29 significant digits"),
            format!("`1{nines}` has 29 significant digits")
        ]
    );
}

/// The diagnostic for the first reserved word used as a field in `src`.
fn reserved_field(src: &str) -> salvage::diag::Diagnostic {
    let (_, diags) = parse(FileId(0), src);
    assert_eq!(diags.len(), 1, "{src}: {diags:#?}");
    diags.into_iter().next().unwrap()
}

#[test]
fn every_reserved_word_as_a_declared_field_says_so_with_its_fix() {
    for word in RESERVED {
        for src in [
            format!("record R {{ {word}: text }}"),
            format!("case {{\n  age: int years\n  {word}: list of text\n}}"),
        ] {
            let diag = reserved_field(&src);
            assert_eq!(
                diag.message,
                format!("`{word}` is a reserved word"),
                "{src}"
            );
            let ty = if src.starts_with("record") {
                "text"
            } else {
                "list of text"
            };
            assert_eq!(
                diag.help,
                [format!("write it in backticks: `` `{word}`: {ty} ``")],
                "{src}"
            );
        }
    }
}

#[test]
fn a_reserved_word_in_a_history_mapping_or_case_keys_says_so() {
    let header = "record L { s: date  `status`: text  `agent`: list of text }\n";
    for (src, fix) in [
        (
            "case { lines: history of L { start = s, outcome = status intolerance {x} } }",
            "outcome = `status` intolerance {x}",
        ),
        (
            "case { lines: history of L { start = s, regimen = none, agents = agent[].drug } }",
            "agents = `agent`[].drug",
        ),
        (
            "case { lines: history of L { start = s, regimen = regimen } }",
            "regimen = `regimen`",
        ),
        ("case { id = case  x: int }", "id = `case`"),
        (
            "case { ignore notes, note  x: int }",
            "ignore notes, `note`",
        ),
    ] {
        let diag = reserved_field(&format!("{header}{src}"));
        assert!(
            diag.message.ends_with("is a reserved word"),
            "{src}: {diag:#?}"
        );
        assert_eq!(diag.help, [format!("write it in backticks: `` {fix} ``")]);
    }
    parse_ok(&format!(
        "{header}case {{ id = `case` ignore `note` lines: history of L {{ start = s, outcome = `status`, agents = `agent`[].drug }} }}"
    ));
}

#[test]
fn a_reserved_word_after_an_ignore_list_is_the_next_field() {
    let diag = reserved_field("case { ignore notes, status: text }");
    assert_eq!(diag.message, "`status` is a reserved word");
    assert_eq!(diag.help, ["write it in backticks: `` `status`: text ``"]);
}

#[test]
fn after_a_dot_every_reserved_word_is_a_field_name() {
    for word in RESERVED {
        assert_eq!(define_body(&format!("g.{word}")), field(var("g"), word));
    }
}

#[test]
fn a_reserved_word_as_a_name_on_its_line_says_so() {
    for src in ["define unit = 1", "define f(unit: int) = 1"] {
        let (_, diags) = parse(FileId(0), src);
        assert_eq!(diags.len(), 1, "{diags:#?}");
        assert_eq!(diags[0].notes, ["`unit` is a reserved word"], "{src}");
    }
    // a top-level word on a line of its own is the next item, not a name
    let errors = parse_errors("rule r when x then recommend\nrule b when x then recommend A");
    assert_eq!(
        errors,
        ["expected a regimen or agent name after `recommend`"]
    );
}

/// `open other` reads `other` as the openness only when no `:` follows it:
/// a field named `other` on the line after an `open` field is a field.
#[test]
fn a_field_named_other_after_an_open_field_is_a_field() {
    use salvage::syntax::ast::{Openness, TypeKind};
    let file = parse_ok(
        "case {\n  prior: list of agent open\n  other: bool\n  seen: agent open other\n}\n",
    );
    let Some(Item::Case(case)) = file.items.first() else {
        panic!("expected the case schema")
    };
    let names: Vec<&str> = case.fields.iter().map(|f| f.name.node.as_str()).collect();
    assert_eq!(names, ["prior", "other", "seen"]);
    let open = |i: usize| match case.fields.get(i).map(|f| &f.ty.kind) {
        Some(TypeKind::List(inner)) => match &inner.kind {
            TypeKind::Agent(o) => *o,
            other => panic!("{other:?}"),
        },
        Some(TypeKind::Agent(o)) => *o,
        other => panic!("{other:?}"),
    };
    assert_eq!(open(0), Openness::Open);
    assert_eq!(open(2), Openness::OpenOther);
}

#[test]
fn a_let_value_stops_at_in_and_its_body_runs_on() {
    let parsed = define_body("let r = a otherwise b in r > 3 and c");
    let ExprKind::Let { name, value, body } = parsed.kind else {
        panic!()
    };
    assert_eq!(name.node, "r");
    assert_eq!(*value, bin(BinOp::Otherwise, var("a"), var("b")));
    let expected = bin(BinOp::And, bin(BinOp::Gt, var("r"), num(3, None)), var("c"));
    assert_eq!(*body, expected);
}

#[test]
fn a_membership_is_bound_by_let_in_parentheses() {
    let parsed = define_body("let m = (a in s) in m");
    let ExprKind::Let { value, .. } = parsed.kind else {
        panic!()
    };
    let ExprKind::Group(inner) = value.kind else {
        panic!()
    };
    assert_eq!(*inner, bin(BinOp::In, var("a"), var("s")));
}

#[test]
fn a_named_unknown_is_a_default_and_let_stays_a_name() {
    let parsed = define_body("let otherwise unknown as \"brca\"");
    let ExprKind::Binary(BinOp::Otherwise, lhs, rhs) = parsed.kind else {
        panic!()
    };
    assert_eq!(*lhs, var("let"));
    let ExprKind::UnknownAs(label) = rhs.kind else {
        panic!()
    };
    assert_eq!(label.node, "brca");
}
