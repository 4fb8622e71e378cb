//! Builders for expressions: the operator table is the Pratt parser in `parse.rs`.

use super::{Builder, Rule, MAX_EXPR_TOKENS, PRATT};
use crate::diag::{Code, Diagnostic};
use crate::span::{Span, Spanned};
use crate::syntax::ast::*;
use pest::iterators::{Pair, Pairs};

impl Builder {
    pub(super) fn expr_of(&self, pair: Option<Pair<Rule>>, fallback: Span) -> Expr {
        match pair {
            Some(p) => self.expr(p),
            None => Expr {
                kind: ExprKind::Bool(true),
                span: fallback,
            },
        }
    }

    /// An `expr` (or `expr_add`) pair: checked for size, then built by precedence.
    pub(super) fn expr(&self, pair: Pair<Rule>) -> Expr {
        let span = self.span(&pair);
        if !matches!(
            pair.as_rule(),
            Rule::expr | Rule::expr_add | Rule::part_bound | Rule::let_value
        ) {
            return self.primary(pair);
        }
        // Only the outermost expression is measured: measuring each nested one
        // again would take time quadratic in the nesting.
        let outermost = self.expr_depth.get() == 0;
        let tokens = if outermost {
            pair.clone().into_inner().flatten().count()
        } else {
            0
        };
        if tokens > MAX_EXPR_TOKENS {
            self.error(
                Diagnostic::new(Code::S0002, span, "this expression is too large")
                    .label(format!(
                        "{tokens} parts here, at most {MAX_EXPR_TOKENS} are allowed"
                    ))
                    .help("split it into several `define`s"),
            );
            return Expr {
                kind: ExprKind::Bool(true),
                span,
            };
        }
        self.expr_depth.set(self.expr_depth.get() + 1);
        let built = self.pratt(pair.into_inner());
        self.expr_depth.set(self.expr_depth.get() - 1);
        built
    }

    /// Builds an operator sequence by precedence, after handing back what
    /// each aggregate without `for` took beyond its operand.
    fn pratt(&self, pairs: Pairs<Rule>) -> Expr {
        PRATT
            .map_primary(|p| self.primary(p))
            .map_prefix(|op, rhs| self.prefix(op, rhs))
            .map_postfix(|lhs, op| self.postfix(lhs, op))
            .map_infix(|lhs, op, rhs| self.infix(lhs, op, rhs))
            .parse(spliced(pairs).into_iter())
    }

    fn prefix(&self, op: Pair<Rule>, rhs: Expr) -> Expr {
        let span = self.span(&op).to(rhs.span);
        let kind = match op.as_rule() {
            Rule::not_op => ExprKind::Not(Box::new(rhs)),
            _ => ExprKind::Neg(Box::new(rhs)),
        };
        Expr { kind, span }
    }

    fn postfix(&self, lhs: Expr, op: Pair<Rule>) -> Expr {
        let op_span = self.span(&op);
        let span = lhs.span.to(op_span);
        let rule = op.as_rule();
        let mut inner = op.into_inner();
        let kind = match rule {
            Rule::field_access => ExprKind::Field(Box::new(lhs), self.name_of(inner.next())),
            Rule::index => {
                if op_span.start > lhs.span.end {
                    self.space_before_index(lhs.span, op_span);
                }
                ExprKind::Index(Box::new(lhs), Box::new(self.expr_of(inner.next(), op_span)))
            }
            Rule::missing_as => ExprKind::MissingAs(Box::new(lhs), self.string_of(inner.next())),
            Rule::series_part => {
                ExprKind::SeriesPart(Box::new(lhs), self.series_part(inner, op_span))
            }
            Rule::series_trend => self.series_trend(lhs, inner, op_span),
            Rule::in_calendar => ExprKind::InUnit(Box::new(lhs), self.calendar_word(inner.next())),
            _ => self.is_test(lhs, inner),
        };
        Expr { kind, span }
    }

    fn space_before_index(&self, lhs: Span, op: Span) {
        let gap = Span {
            start: lhs.end,
            end: op.start,
            ..lhs
        };
        self.error(
            Diagnostic::new(Code::S0007, gap, "a space before `[`")
                .label("remove this space")
                .note("`m[k]` indexes only when written without a space; `[x in xs where P]` is a comprehension"),
        );
    }

    fn calendar_word(&self, word: Option<Pair<Rule>>) -> Spanned<String> {
        match word {
            Some(w) => Spanned::new(w.as_str().to_string(), self.span(&w)),
            None => Spanned::new(String::new(), Span::default()),
        }
    }

    fn is_test(&self, lhs: Expr, inner: Pairs<Rule>) -> ExprKind {
        let mut negated = false;
        let mut test = IsTest::Known;
        for p in inner {
            match p.as_rule() {
                Rule::is_not => negated = true,
                _ => test = self.is_what(p),
            }
        }
        ExprKind::Is(Box::new(lhs), negated, test)
    }

    fn is_what(&self, pair: Pair<Rule>) -> IsTest {
        let Some(what) = pair.into_inner().next() else {
            return IsTest::Known;
        };
        match what.as_rule() {
            Rule::none_lit => IsTest::None,
            Rule::true_lit => IsTest::True,
            Rule::false_lit => IsTest::False,
            Rule::is_missing => IsTest::Missing,
            Rule::is_known => IsTest::Known,
            Rule::is_unknown => IsTest::Unknown,
            Rule::is_set => IsTest::AnyOf(what.into_inner().map(|n| self.name(n)).collect()),
            _ => IsTest::Vocab(self.name(what)),
        }
    }

    fn infix(&self, lhs: Expr, op: Pair<Rule>, rhs: Expr) -> Expr {
        let span = lhs.span.to(rhs.span);
        let op_span = self.span(&op);
        let Some(bin) = bin_op(op.as_rule()) else {
            self.error(
                Diagnostic::new(Code::S0003, op_span, "`==` is not an operator in Salvage")
                    .label("use `=` here")
                    .help("`=` compares two values: write `a = b`"),
            );
            return Expr {
                kind: ExprKind::DoubleEq(Box::new(lhs), Box::new(rhs)),
                span,
            };
        };
        if bin.is_comparison()
            || matches!(
                bin,
                BinOp::In | BinOp::NotIn | BinOp::Contains | BinOp::StartsWith
            )
        {
            if let Some(chained) = self.chain(&lhs, bin, &rhs, op_span) {
                return chained;
            }
        }
        Expr {
            kind: ExprKind::Binary(bin, Box::new(lhs), Box::new(rhs)),
            span,
        }
    }

    /// `a <= b <= c` means `a <= b and b <= c`; any other chain is an error.
    fn chain(&self, lhs: &Expr, op: BinOp, rhs: &Expr, op_span: Span) -> Option<Expr> {
        let ExprKind::Binary(inner_op, _, middle) = &lhs.kind else {
            return None;
        };
        if !(inner_op.is_comparison()
            || matches!(
                inner_op,
                BinOp::In | BinOp::NotIn | BinOp::Contains | BinOp::StartsWith
            ))
        {
            return None;
        }
        let ascending = |o: BinOp| matches!(o, BinOp::Lt | BinOp::Le);
        let descending = |o: BinOp| matches!(o, BinOp::Gt | BinOp::Ge);
        let one_direction =
            (ascending(*inner_op) && ascending(op)) || (descending(*inner_op) && descending(op));
        if !one_direction {
            self.error(
                Diagnostic::new(
                    Code::S0006,
                    op_span,
                    format!(
                        "`{}` cannot follow `{}` without parentheses",
                        op.symbol(),
                        inner_op.symbol()
                    ),
                )
                .label("a second comparison here")
                .note(
                    "only `a <= b <= c` (or with `<`, `>`, `>=` in one direction) reads as a range",
                )
                .help("join the comparisons with `and`, or add parentheses"),
            );
            return Some(Expr {
                kind: ExprKind::Invalid,
                span: lhs.span.to(rhs.span),
            });
        }
        let second = Expr {
            kind: ExprKind::Binary(op, middle.clone(), Box::new(rhs.clone())),
            span: middle.span.to(rhs.span),
        };
        Some(Expr {
            kind: ExprKind::Binary(BinOp::And, Box::new(lhs.clone()), Box::new(second)),
            span: lhs.span.to(rhs.span),
        })
    }

    // ---------- primaries ----------

    pub(super) fn primary(&self, pair: Pair<Rule>) -> Expr {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            Rule::paren => ExprKind::Group(Box::new(self.expr_of(pair.into_inner().next(), span))),
            Rule::if_expr => self.if_expr(pair.into_inner(), span),
            Rule::match_expr => self.match_expr(pair.into_inner(), span),
            Rule::set_lit => self.members_or_projection(pair.into_inner(), true),
            Rule::list_lit => self.members_or_projection(pair.into_inner(), false),
            Rule::comprehension => self.comprehension(pair.into_inner()),
            Rule::sorted => self.sorted(pair.into_inner(), span),
            Rule::distinct => {
                ExprKind::Distinct(Box::new(self.operand_of(pair.into_inner().nth(1), span)))
            }
            Rule::neighbour => self.neighbour(pair.into_inner(), span),
            Rule::date_of => self.date_of(pair.into_inner(), span),
            Rule::history_pred => self.history_pred(pair.into_inner(), span),
            Rule::last_line => ExprKind::LastLine,
            Rule::prior_lines => ExprKind::PriorLines,
            Rule::series_read => self.series_read(pair.into_inner(), span),
            Rule::pick => self.pick(pair.into_inner(), span),
            Rule::nadir_change => self.nadir_change(pair.into_inner(), span),
            Rule::consecutive => self.consecutive(pair.into_inner(), span),
            Rule::run_of => {
                let test = pair.into_inner().find(|p| p.as_rule() == Rule::value_test);
                ExprKind::Run(self.value_test(test, span))
            }
            Rule::doubling_time => {
                let series = pair
                    .into_inner()
                    .find(|p| p.as_rule() == Rule::series_operand);
                ExprKind::DoublingTime(Box::new(self.path(series, span)))
            }
            Rule::quantified => self.quantified(pair.into_inner(), span),
            Rule::aggregate => return self.aggregate(pair, span),
            Rule::the_expr => self.the_expr(pair.into_inner()),
            Rule::vocab_with => self.vocab_with(pair.into_inner()),
            Rule::members_of => {
                ExprKind::Vocab(VocabSet::MembersOf(self.last_name(pair.into_inner())))
            }
            Rule::years_from => self.years_from(pair.into_inner(), span),
            Rule::months_from => {
                let (from, to) = self.date_pair(pair.into_inner(), span);
                ExprKind::MonthsFrom(from, to)
            }
            Rule::recommended_ref => {
                ExprKind::Decision(DecisionRef::Recommended(self.last_name(pair.into_inner())))
            }
            Rule::fired_ref => {
                ExprKind::Decision(DecisionRef::Fired(self.last_name(pair.into_inner())))
            }
            Rule::pending_ref => {
                ExprKind::Decision(DecisionRef::Pending(self.last_name(pair.into_inner())))
            }
            Rule::avoided_ref => {
                ExprKind::Decision(DecisionRef::Avoided(self.last_name(pair.into_inner())))
            }
            Rule::call => self.call(pair.into_inner()),
            Rule::unknown_as => self.unknown_as(pair.into_inner(), span),
            Rule::let_expr => self.let_expr(pair.into_inner(), span),
            Rule::name | Rule::field_name => ExprKind::Name(self.name(pair)),
            Rule::expr | Rule::expr_add | Rule::expr_within => return self.expr_or_within(pair),
            _ => return self.literal(pair),
        };
        Expr { kind, span }
    }

    fn expr_or_within(&self, pair: Pair<Rule>) -> Expr {
        let span = self.span(&pair);
        match pair.as_rule() {
            Rule::expr_within => match pair.into_inner().next() {
                Some(p) => self.primary(p),
                None => self.expr_of(None, span),
            },
            _ => self.expr(pair),
        }
    }

    pub(super) fn quantity(&self, pair: Pair<Rule>) -> Expr {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let value = match inner.next() {
            Some(n) => self.decimal_text(n.as_str(), span),
            None => rust_decimal::Decimal::ZERO,
        };
        let unit = inner.next().map(|u| self.unit(u));
        Expr {
            kind: ExprKind::Number { value, unit },
            span,
        }
    }

    fn last_name(&self, inner: Pairs<Rule>) -> crate::span::Name {
        self.name_of(inner.filter(|p| p.as_rule() == Rule::name).last())
    }

    fn boxed(&self, pair: Option<Pair<Rule>>, span: Span) -> Box<Expr> {
        Box::new(self.expr_of(pair, span))
    }

    /// `unknown as "name"`; without a name (or with an empty one) it is S0371.
    fn unknown_as(&self, mut inner: Pairs<Rule>, span: Span) -> ExprKind {
        let name = inner
            .find(|p| p.as_rule() == Rule::string)
            .map(|p| self.string(p));
        match name {
            Some(name) if !name.node.trim().is_empty() => ExprKind::UnknownAs(name),
            _ => {
                self.error(
                    Diagnostic::new(Code::S0371, span, "an unknown without a name")
                        .label("name the fact that would settle it")
                        .note("an unknown is reported with what would settle it: `missing {\"name\": …}`")
                        .help("write `unknown as \"brca_status\"`"),
                );
                ExprKind::Invalid
            }
        }
    }

    /// `let x = value in body`
    fn let_expr(&self, inner: Pairs<Rule>, span: Span) -> ExprKind {
        let mut name = None;
        let mut value = None;
        let mut body = None;
        for p in inner {
            match p.as_rule() {
                Rule::name => name = Some(p),
                Rule::let_value => value = Some(p),
                Rule::expr => body = Some(p),
                _ => {}
            }
        }
        ExprKind::Let {
            name: self.name_of(name),
            value: self.boxed(value, span),
            body: self.boxed(body, span),
        }
    }

    fn if_expr(&self, mut inner: Pairs<Rule>, span: Span) -> ExprKind {
        let cond = self.boxed(inner.next(), span);
        let then = self.boxed(inner.next(), span);
        let other = self.boxed(inner.next(), span);
        ExprKind::If(cond, then, other)
    }

    fn match_expr(&self, inner: Pairs<Rule>, span: Span) -> ExprKind {
        let mut arms = Vec::new();
        let mut otherwise = None;
        for p in inner {
            match p.as_rule() {
                Rule::match_arm => {
                    let mut parts = p.into_inner();
                    let guard = self.expr_of(parts.next(), span);
                    let value = self.expr_of(parts.next(), span);
                    arms.push((guard, value));
                }
                _ => otherwise = Some(self.expr(p)),
            }
        }
        ExprKind::Match(
            arms,
            Box::new(otherwise.unwrap_or_else(|| self.expr_of(None, span))),
        )
    }

    pub(super) fn comprehension_body(&self, pair: Pair<Rule>) -> Comprehension {
        let span = self.span(&pair);
        let mut parts = pair.into_inner().filter(|p| p.as_rule() != Rule::kw_in);
        let var = self.name_of(parts.next());
        let source = self.expr_of(parts.next(), span);
        let filter = parts.next().map(|f| self.expr(f));
        Comprehension {
            var,
            source,
            filter,
        }
    }

    fn comprehension(&self, mut inner: Pairs<Rule>) -> ExprKind {
        match inner.next() {
            Some(body) => ExprKind::Comprehension(Box::new(self.comprehension_body(body))),
            None => ExprKind::List(Vec::new()),
        }
    }

    /// `{a, b}`, `[a, b]`, or the projection `[E for x in xs where P]` (`{…}` for a set).
    fn members_or_projection(&self, inner: Pairs<Rule>, set: bool) -> ExprKind {
        let mut members = Vec::new();
        for p in inner {
            if p.as_rule() != Rule::projection_for {
                members.push(self.expr(p));
                continue;
            }
            let (Some(body), Some(value)) = (p.into_inner().next(), members.pop()) else {
                return ExprKind::Invalid;
            };
            let binding = Box::new(self.comprehension_body(body));
            let value = Box::new(value);
            return ExprKind::Projection {
                set,
                value,
                binding,
            };
        }
        if set {
            ExprKind::Set(members)
        } else {
            ExprKind::List(members)
        }
    }

    /// `sorted x in xs by K [descending]`, `sorted xs [descending]`.
    fn sorted(&self, inner: Pairs<Rule>, span: Span) -> ExprKind {
        let mut over = None;
        let mut key = None;
        let mut descending = false;
        for p in inner {
            match p.as_rule() {
                Rule::comprehension_body => {
                    over = Some(AggregateOver::Binding(Box::new(self.comprehension_body(p))))
                }
                Rule::coll_operand => {
                    over = Some(AggregateOver::Collection(Box::new(
                        self.operand_of(Some(p), span),
                    )))
                }
                Rule::agg_operand => key = Some(Box::new(self.pratt(p.into_inner()))),
                Rule::descending_kw => descending = true,
                _ => {}
            }
        }
        let over =
            over.unwrap_or_else(|| AggregateOver::Collection(Box::new(self.expr_of(None, span))));
        ExprKind::Sorted {
            over,
            key,
            descending,
        }
    }

    /// `previous of x in xs`, `next of x in xs`.
    fn neighbour(&self, inner: Pairs<Rule>, span: Span) -> ExprKind {
        let mut parts = inner.filter(|p| p.as_rule() != Rule::kw_in);
        let next = parts.next().map(|w| w.as_str()) == Some("next");
        let member = Box::new(self.operand_of(parts.next(), span));
        let list = Box::new(self.operand_of(parts.next(), span));
        ExprKind::Neighbour { next, member, list }
    }

    /// A `coll_operand`: one primary with its fields and indexes.
    fn operand_of(&self, pair: Option<Pair<Rule>>, fallback: Span) -> Expr {
        match pair {
            Some(p) => self.pratt(p.into_inner()),
            None => self.expr_of(None, fallback),
        }
    }

    fn date_of(&self, mut inner: Pairs<Rule>, span: Span) -> ExprKind {
        let part = match inner.next().map(|p| p.as_str().to_string()) {
            Some(word) if word.starts_with("start") => DatePart::Start,
            Some(word) if word.starts_with("end") => DatePart::End,
            _ => DatePart::Date,
        };
        ExprKind::DateOf(part, self.boxed(inner.next(), span))
    }

    fn history_pred(&self, mut inner: Pairs<Rule>, span: Span) -> ExprKind {
        let word = inner
            .next()
            .map(|w| w.as_str().to_string())
            .unwrap_or_default();
        let pred = match word.split_whitespace().next().unwrap_or("") {
            "progression" => HistoryPred::ProgressionOn,
            "refractory" => HistoryPred::RefractoryTo,
            "relapse" => HistoryPred::RelapseAfter,
            "intolerant" => HistoryPred::IntolerantOf,
            _ => HistoryPred::Received,
        };
        let target = self.history_target(inner.next());
        let within = inner.next().map(|w| self.within(w, span));
        ExprKind::History {
            pred,
            target,
            within,
        }
    }

    fn history_target(&self, pair: Option<Pair<Rule>>) -> HistoryTarget {
        let Some(target) = pair.and_then(|p| p.into_inner().next()) else {
            return HistoryTarget::Set(Vec::new());
        };
        match target.as_rule() {
            Rule::last_line => HistoryTarget::LastLine,
            Rule::target_set => {
                HistoryTarget::Set(target.into_inner().map(|n| self.name(n)).collect())
            }
            _ => HistoryTarget::Name(self.name(target)),
        }
    }

    fn within(&self, pair: Pair<Rule>, span: Span) -> Box<Expr> {
        Box::new(self.expr_of(pair.into_inner().next(), span))
    }

    fn series_read(&self, mut inner: Pairs<Rule>, span: Span) -> ExprKind {
        let read = match inner.next().map(|w| w.as_str().to_string()).as_deref() {
            Some("previous") => SeriesRead::Previous,
            Some("earliest") => SeriesRead::Earliest,
            Some("nadir") => SeriesRead::Nadir,
            Some("peak") => SeriesRead::Peak,
            _ => SeriesRead::Latest,
        };
        let series = Box::new(self.path(inner.next(), span));
        let within = inner.next().map(|w| self.within(w, span));
        ExprKind::Series {
            read,
            series,
            within,
        }
    }

    /// `name .field .field` as nested field accesses.
    fn path(&self, pair: Option<Pair<Rule>>, span: Span) -> Expr {
        let mut parts = pair.into_iter().flat_map(|p| p.into_inner());
        let mut expr = match parts.next() {
            Some(first) => self.primary(first),
            None => self.expr_of(None, span),
        };
        for access in parts {
            expr = match access.as_rule() {
                Rule::series_part => self.with_series_part(expr, access),
                _ => self.with_field(expr, access),
            };
        }
        expr
    }

    /// `expr since D` and the other parts, from a `series_part` pair.
    fn with_series_part(&self, expr: Expr, part: Pair<Rule>) -> Expr {
        let part_span = self.span(&part);
        let span = expr.span.to(part_span);
        let part = self.series_part(part.into_inner(), part_span);
        Expr {
            span,
            kind: ExprKind::SeriesPart(Box::new(expr), part),
        }
    }

    /// `rise of psa from nadir`, `percent change of psa from nadir`.
    fn nadir_change(&self, mut inner: Pairs<Rule>, span: Span) -> ExprKind {
        let change = match inner.next().map(|w| w.as_str().starts_with("rise")) {
            Some(true) => NadirChange::Rise,
            _ => NadirChange::Percent,
        };
        let series = inner.find(|p| p.as_rule() == Rule::series_operand);
        ExprKind::NadirChange(change, Box::new(self.path(series, span)))
    }

    /// `rising over last N`, `falling over last N`, after the series.
    fn series_trend(&self, lhs: Expr, mut inner: Pairs<Rule>, span: Span) -> ExprKind {
        let trend = match inner.next().map(|w| w.as_str().to_string()).as_deref() {
            Some("falling") => Trend::Falling,
            _ => Trend::Rising,
        };
        let count = inner.find(|p| p.as_rule() == Rule::part_bound);
        ExprKind::Trend(Box::new(lhs), trend, Box::new(self.expr_of(count, span)))
    }

    /// `N consecutive psa >= X`, with `at least D apart` if written.
    fn consecutive(&self, inner: Pairs<Rule>, span: Span) -> ExprKind {
        let mut count = None;
        let mut test = None;
        let mut apart = None;
        for part in inner {
            match part.as_rule() {
                Rule::quantity => count = Some(part),
                Rule::value_test => test = Some(part),
                Rule::apart => {
                    let gap = part.into_inner().find(|p| p.as_rule() == Rule::expr_within);
                    apart = Some(Box::new(self.expr_of(gap, span)));
                }
                _ => {}
            }
        }
        ExprKind::Consecutive {
            count: Box::new(self.expr_of(count, span)),
            test: self.value_test(test, span),
            apart,
        }
    }

    /// `psa since D >= X`: a series operand, a comparison and a threshold.
    fn value_test(&self, pair: Option<Pair<Rule>>, span: Span) -> Box<ValueTest> {
        let mut series = None;
        let mut op = BinOp::Ge;
        let mut threshold = None;
        for part in pair.into_iter().flat_map(|p| p.into_inner()) {
            match part.as_rule() {
                Rule::series_operand => series = Some(part),
                Rule::expr_add => threshold = Some(part),
                rule => op = bin_op(rule).unwrap_or(op),
            }
        }
        Box::new(ValueTest {
            series: self.path(series, span),
            op,
            threshold: self.expr_of(threshold, span),
        })
    }

    /// `since D`, `before D`, `on or before D`, `between A and B`.
    fn series_part(&self, mut inner: Pairs<Rule>, span: Span) -> SeriesPart {
        let Some(which) = inner.next() else {
            return SeriesPart::Since(Box::new(self.expr_of(None, span)));
        };
        let rule = which.as_rule();
        let mut dates = which
            .into_inner()
            .filter(|p| p.as_rule() == Rule::part_bound);
        let mut date = || Box::new(self.expr_of(dates.next(), span));
        match rule {
            Rule::before_part => SeriesPart::Before(date()),
            Rule::on_or_before_part => SeriesPart::OnOrBefore(date()),
            Rule::between_part => {
                let from = date();
                SeriesPart::Between(from, date())
            }
            _ => SeriesPart::Since(date()),
        }
    }

    /// `expr.field`, from a `field_access` pair.
    fn with_field(&self, expr: Expr, access: Pair<Rule>) -> Expr {
        let span = expr.span.to(self.span(&access));
        let field = self.name_of(access.into_inner().next());
        Expr {
            span,
            kind: ExprKind::Field(Box::new(expr), field),
        }
    }

    fn quantified(&self, inner: Pairs<Rule>, span: Span) -> ExprKind {
        let mut parts = inner.filter(|p| p.as_rule() != Rule::kw_in);
        let quantifier = match parts.next().map(|q| q.as_str().to_string()).as_deref() {
            Some("all") => Quantifier::All,
            Some("no") => Quantifier::No,
            _ => Quantifier::Any,
        };
        let var = self.name_of(parts.next());
        let source = self.expr_of(parts.next(), span);
        let filter = parts.next().map(|f| self.expr(f));
        ExprKind::Quantified(
            quantifier,
            Box::new(Comprehension {
                var,
                source,
                filter,
            }),
        )
    }

    /// `latest l in labs where P`, `earliest …`.
    fn pick(&self, inner: Pairs<Rule>, span: Span) -> ExprKind {
        let mut parts = inner.filter(|p| p.as_rule() != Rule::kw_in);
        let latest = parts.next().map(|w| w.as_str()) != Some("earliest");
        let var = self.name_of(parts.next());
        let source = self.expr_of(parts.next(), span);
        let filter = parts.next().map(|f| self.expr(f));
        ExprKind::Pick {
            latest,
            binding: Box::new(Comprehension {
                var,
                source,
                filter,
            }),
        }
    }

    /// `count xs`, `count x in xs where P`, `min E for x in xs`. Without
    /// `for`, only the operand's head is aggregated: the rest of the operand
    /// was handed back to the enclosing sequence by [`spliced`].
    fn aggregate(&self, pair: Pair<Rule>, span: Span) -> Expr {
        let mut inner = pair.into_inner();
        let agg = aggregate_kind(inner.next());
        let second = inner.next();
        let for_body = inner.next().and_then(|f| f.into_inner().next());
        let (projection, over, span) = match (second, for_body) {
            (Some(body), _) if body.as_rule() == Rule::comprehension_body => {
                let binding = self.comprehension_body(body);
                (None, AggregateOver::Binding(Box::new(binding)), span)
            }
            (Some(operand), Some(body)) => {
                let projection = Box::new(self.pratt(operand.into_inner()));
                let binding = Box::new(self.comprehension_body(body));
                (Some(projection), AggregateOver::Binding(binding), span)
            }
            (operand, _) => {
                let head = self.aggregate_head(operand, span);
                let span = Span {
                    end: head.span.end,
                    ..span
                };
                (None, AggregateOver::Collection(Box::new(head)), span)
            }
        };
        let kind = ExprKind::Aggregate {
            agg,
            projection,
            over,
        };
        Expr { kind, span }
    }

    /// The head of an aggregate's operand, built (see [`split_head`]).
    fn aggregate_head(&self, operand: Option<Pair<Rule>>, span: Span) -> Expr {
        let mut head = operand
            .map(|o| split_head(o).0)
            .unwrap_or_default()
            .into_iter();
        let Some(first) = head.next() else {
            return self.expr_of(None, span);
        };
        let first = self.primary(first);
        head.fold(first, |expr, access| self.with_field(expr, access))
    }

    fn the_expr(&self, mut inner: Pairs<Rule>) -> ExprKind {
        match inner.next() {
            Some(body) => ExprKind::Aggregate {
                agg: Aggregate::The,
                projection: None,
                over: AggregateOver::Binding(Box::new(self.comprehension_body(body))),
            },
            None => ExprKind::Bool(true),
        }
    }

    fn vocab_with(&self, mut inner: Pairs<Rule>) -> ExprKind {
        let word = |p: Option<Pair<Rule>>| match p {
            Some(p) => Spanned::new(p.as_str().to_string(), self.span(&p)),
            None => Spanned::new(String::new(), Span::default()),
        };
        let of = word(inner.next());
        let by = word(inner.next());
        let value = self.name_of(inner.next());
        ExprKind::Vocab(VocabSet::With { of, by, value })
    }

    fn years_from(&self, inner: Pairs<Rule>, span: Span) -> ExprKind {
        let mut parts = inner.filter(|p| p.as_rule() == Rule::expr_add);
        let from = self.boxed(parts.next(), span);
        let to = self.boxed(parts.next(), span);
        ExprKind::YearsFrom(from, to)
    }

    fn date_pair(&self, inner: Pairs<Rule>, span: Span) -> (Box<Expr>, Box<Expr>) {
        let mut parts = inner.filter(|p| p.as_rule() == Rule::expr_add);
        (
            self.boxed(parts.next(), span),
            self.boxed(parts.next(), span),
        )
    }

    fn call(&self, mut inner: Pairs<Rule>) -> ExprKind {
        let name = self.name_of(inner.next().and_then(|h| h.into_inner().next()));
        let args = inner.map(|a| self.expr(a)).collect();
        ExprKind::Call(name, args)
    }
}

/// The pairs of an operator sequence, with what each aggregate without `for`
/// took beyond its head put back right after it: `count xs + 1` parses as
/// one aggregate over `xs + 1` and is built as `(count xs) + 1`, exactly as
/// if the aggregate had stopped at `xs`. Iterative, so a long chain of
/// aggregates cannot exhaust the stack.
fn spliced(pairs: Pairs<Rule>) -> Vec<Pair<Rule>> {
    let mut out = Vec::new();
    let mut pending = vec![pairs];
    while let Some(top) = pending.last_mut() {
        let Some(pair) = top.next() else {
            pending.pop();
            continue;
        };
        let tail = handed_back(&pair);
        out.push(pair);
        pending.extend(tail);
    }
    out
}

/// What an aggregate without `for` hands back: its operand after the head.
fn handed_back<'i>(pair: &Pair<'i, Rule>) -> Option<Pairs<'i, Rule>> {
    if pair.as_rule() != Rule::aggregate {
        return None;
    }
    let mut inner = pair.clone().into_inner();
    let operand = inner.nth(1).filter(|p| p.as_rule() == Rule::agg_operand)?;
    match inner.next() {
        Some(_for) => None,
        None => Some(split_head(operand).1),
    }
}

/// An aggregate operand's head — its first primary, with the fields that
/// follow it when it is a name (`count g.items`) — and the rest.
fn split_head<'i>(operand: Pair<'i, Rule>) -> (Vec<Pair<'i, Rule>>, Pairs<'i, Rule>) {
    let mut rest = operand.into_inner();
    let mut head: Vec<Pair<Rule>> = rest.next().into_iter().collect();
    let is_name = head.first().is_some_and(|p| p.as_rule() == Rule::name);
    while is_name
        && rest
            .peek()
            .is_some_and(|p| p.as_rule() == Rule::field_access)
    {
        head.extend(rest.next());
    }
    (head, rest)
}

/// Which aggregate an `aggregate_word` names.
fn aggregate_kind(word: Option<Pair<Rule>>) -> Aggregate {
    match word.as_ref().map(|w| w.as_str()) {
        Some("min") => Aggregate::Min,
        Some("max") => Aggregate::Max,
        Some("sum") => Aggregate::Sum,
        Some("first") => Aggregate::First,
        Some("last") => Aggregate::Last,
        _ => Aggregate::Count,
    }
}

fn bin_op(rule: Rule) -> Option<BinOp> {
    Some(match rule {
        Rule::or_op => BinOp::Or,
        Rule::and_op => BinOp::And,
        Rule::eq_op => BinOp::Eq,
        Rule::ne_op => BinOp::Ne,
        Rule::lt_op => BinOp::Lt,
        Rule::le_op => BinOp::Le,
        Rule::gt_op => BinOp::Gt,
        Rule::ge_op => BinOp::Ge,
        Rule::in_op => BinOp::In,
        Rule::not_in_op => BinOp::NotIn,
        Rule::contains_op => BinOp::Contains,
        Rule::starts_with_op => BinOp::StartsWith,
        Rule::add_op => BinOp::Add,
        Rule::sub_op => BinOp::Sub,
        Rule::mul_op => BinOp::Mul,
        Rule::div_op => BinOp::Div,
        Rule::pow_op => BinOp::Pow,
        Rule::union_op => BinOp::Union,
        Rule::otherwise_op => BinOp::Otherwise,
        Rule::range_op => BinOp::Range,
        _ => return None,
    })
}
