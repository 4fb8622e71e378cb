//! Collections: the members of lists, sets, maps, ranges and comprehensions,
//! with undecided members kept; quantifiers, comprehensions, aggregates and
//! vocabulary sets over them.

use super::aggregate::{Member, TwoMatches};
use super::expr::{from_truth, indeterminate, internal, Evaluator};
use super::truth::{Cause, Support, Truth};
use super::value::{Partial, Val, Value, VocabValue};
use crate::check::ir::{Binding, Expr, Over, VocabSet};
use crate::syntax::ast::{Aggregate, Quantifier};
use std::ops::Not;

impl Evaluator<'_> {
    /// `a..b` as a collection: a, a + 1, … up to b (days, for dates).
    pub(super) fn range_members(&mut self, low: &Expr, high: &Expr) -> Val {
        let (a, b) = match self.operands(low, high) {
            Ok(pair) => pair,
            Err(s) => return Val::Unknown(s),
        };
        match super::ops::range_members(&a, &b, MAX_RANGE) {
            Ok(items) => Val::Known(Value::List(items.into_iter().map(Val::Known).collect())),
            Err(super::ops::RangeError::Partial) => indeterminate(Cause::PartialDate),
            Err(super::ops::RangeError::TooLong) => {
                let shown = |v: &Value| {
                    let text = super::show::display(self.protocol, v);
                    match self.reveal.shows(&text) {
                        true => text,
                        false => "a value".to_string(),
                    }
                };
                self.fail(format!(
                    "the range from {} to {} has more than {MAX_RANGE} members ({})",
                    shown(&a),
                    shown(&b),
                    self.protocol.location(low.span)
                ));
                Val::Unknown(Support::default())
            }
            Err(super::ops::RangeError::NotRange) => internal(),
        }
    }

    /// The members of a collection, each with whether it is one (unknown for
    /// the undecided members of a comprehension), or the support that makes
    /// the collection unknown.
    pub(super) fn members(&mut self, source: &Expr) -> Result<Vec<(Val, Truth)>, Support> {
        match self.eval(source) {
            Val::Known(Value::Series(series)) => Ok(self.points(&series)),
            other => member_truths(other),
        }
    }

    /// Each member of `x in xs where P` with the truth of "it is a member and
    /// `P` holds for it".
    pub(super) fn filtered(&mut self, comp: &Binding) -> Result<Vec<(Val, Truth)>, Support> {
        let members = self.members(&comp.source)?;
        let mut out = Vec::new();
        for (member, is_member) in members {
            if is_member == Truth::False {
                continue;
            }
            let keep = match &comp.filter {
                None => is_member,
                Some(filter) => {
                    let holds = self.with_local(member.clone(), |ev| ev.condition(filter));
                    is_member.and(holds)
                }
            };
            out.push((member, keep));
        }
        Ok(out)
    }

    pub(super) fn quantified(&mut self, q: Quantifier, comp: &Binding) -> Val {
        if q == Quantifier::All {
            return self.all_have(comp);
        }
        let members = match self.filtered(comp) {
            Ok(m) => m,
            Err(s) => return Val::Unknown(s),
        };
        let any = members
            .into_iter()
            .map(|(_, t)| t)
            .fold(Truth::False, Truth::or);
        from_truth(match q {
            Quantifier::No => any.not(),
            _ => any,
        })
    }

    /// `all x in xs have P`: every member has P (an undecided member need have
    /// it only if it is one).
    pub(super) fn all_have(&mut self, comp: &Binding) -> Val {
        let members = match self.members(&comp.source) {
            Ok(m) => m,
            Err(s) => return Val::Unknown(s),
        };
        let mut result = Truth::True;
        for (member, is_member) in members {
            let holds = match &comp.filter {
                None => Truth::True,
                Some(p) => self.with_local(member, |ev| ev.condition(p)),
            };
            result = result.and(is_member.not().or(holds));
        }
        from_truth(result)
    }

    /// `[x in xs where P]`: the members for which P holds; those for which it
    /// is unknown are kept as undecided, with what would decide them.
    pub(super) fn comprehension(&mut self, comp: &Binding) -> Val {
        match self.filtered(comp) {
            Ok(members) => Val::Known(Partial::of(members)),
            Err(s) => Val::Unknown(s),
        }
    }

    /// `count xs`, `max e for x in xs where P`, `the x in xs where P`, …:
    /// members whose condition is unknown are kept as undecided.
    pub(super) fn aggregate(
        &mut self,
        agg: Aggregate,
        projection: Option<&Expr>,
        over: &Over,
    ) -> Val {
        let (members, source, bound) = match over {
            Over::Binding(binding) => (self.filtered(binding), &binding.source, true),
            Over::Collection(source) => (self.members(source), &**source, false),
        };
        let members = match members {
            Ok(m) => m,
            Err(s) => return Val::Unknown(s),
        };
        let mut kept = Vec::new();
        for (member, keep) in members {
            let undecided = match keep {
                Truth::True => None,
                Truth::False => continue,
                Truth::Unknown(s) => Some(s),
            };
            let value = match projection {
                Some(p) if bound => self.with_local(member, |ev| ev.eval(p)),
                Some(p) => self.eval(p),
                None => member,
            };
            kept.push(Member { value, undecided });
        }
        match super::aggregate::fold(agg, kept) {
            Ok(v) => v,
            Err(TwoMatches) => {
                let at = self.protocol.location(source.span);
                self.fail(format!(
                    "`the` found more than one member where exactly one was expected ({at})"
                ));
                Val::Unknown(Support::default())
            }
        }
    }

    /// `agents with tag T`, `regimens with class C`, `members of C`, in name order.
    pub(super) fn vocab_set(&mut self, set: &VocabSet) -> Val {
        let members = self
            .protocol
            .vocab
            .with_group(set.group, set.agents, set.regimens);
        Val::Known(Value::List(
            members
                .into_iter()
                .map(|id| Val::Known(Value::Vocab(VocabValue::Known(id))))
                .collect(),
        ))
    }
}

/// The most members a range iterated over may have: a wider one is a case error.
const MAX_RANGE: usize = 100_000;

/// A collection's members, each with whether it is one (unknown for the
/// undecided members of a comprehension), or the support that makes it unknown.
pub(super) fn member_truths(v: Val) -> Result<Vec<(Val, Truth)>, Support> {
    let certain = |items: Vec<Val>| items.into_iter().map(|v| (v, Truth::True)).collect();
    match v {
        Val::Known(Value::List(items)) => Ok(certain(items)),
        Val::Known(Value::Partial(p)) => Ok(p
            .members
            .into_iter()
            .map(|(v, s)| (v, s.map_or(Truth::True, Truth::Unknown)))
            .collect()),
        Val::Known(Value::Map(entries)) => Ok(certain(
            entries.into_iter().map(|(k, _)| Val::Known(k)).collect(),
        )),
        Val::Known(Value::None) => Ok(Vec::new()),
        Val::Known(_) => Err(Support::indeterminate(Cause::Internal)),
        Val::Unknown(s) => Err(s),
    }
}
