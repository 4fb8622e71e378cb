//! Tests of a series' latest values: `2 consecutive psa >= 0.2 ng/mL at least
//! 14 days apart`, `run of psa >= 0.2 ng/mL`, and `doubling time of psa`.

use super::error::TypeError;
use super::types::Ty;
use super::Checker;
use crate::syntax::ast::{Expr, ValueTest};

impl Checker<'_> {
    /// `N consecutive psa >= X`, with `at least D apart`: a truth.
    pub(super) fn consecutive(
        &mut self,
        count: &Expr,
        test: &ValueTest,
        apart: Option<&Expr>,
    ) -> Ty {
        self.whole_count(count, "`N consecutive` counts values with a whole number");
        if let Some(gap) = apart {
            self.gap(gap);
        }
        self.value_test(test, "consecutive");
        Ty::Bool
    }

    /// `run of psa >= X`: how many values in a row, an int.
    pub(super) fn run(&mut self, test: &ValueTest) -> Ty {
        self.value_test(test, "run of");
        Ty::Num {
            int: true,
            unit: None,
        }
    }

    /// `doubling time of psa`: a `number months?`, narrowed as `previous` is.
    pub(super) fn doubling_time(&mut self, series: &Expr, whole: &Expr) -> Ty {
        if self.series_of(series, "doubling time of").is_none() {
            return Ty::Error;
        }
        let months = self.named_unit("months");
        let ty = Ty::Optional(Box::new(Ty::Num {
            int: false,
            unit: months,
        }));
        self.narrow(ty, whole)
    }

    /// Each value of the series compared with the threshold: units must agree.
    fn value_test(&mut self, test: &ValueTest, read: &'static str) {
        let Some(unit) = self.series_of(&test.series, read) else {
            self.expr(&test.threshold);
            return;
        };
        let value = Ty::Num { int: false, unit };
        let threshold = self.expr_hint(&test.threshold, Some(&value));
        let threshold = self.value(threshold, &test.threshold);
        self.comparable(&value, &threshold, &test.series, &test.threshold, true);
    }

    /// The `D` of `at least D apart` is a length of time (S0301).
    fn gap(&mut self, gap: &Expr) {
        let ty = self.expr(gap);
        let ty = self.value(ty, gap);
        if ty.is_duration() || ty.has_error() {
            return;
        }
        self.report(TypeError::Mismatch {
            span: gap.span,
            expected: Ty::Duration,
            found: ty,
            context: "`at least D apart` needs a length of time".to_string(),
        });
    }
}
