//! Collections built from case data: projections, `sorted`, `distinct`,
//! positions (`xs[i]`) and `previous of`/`next of`. Undecided members keep
//! their place; a result that depends on one is unknown with what would
//! decide it.

use super::collections::member_truths;
use super::expr::{internal, Evaluator};
use super::repeats::{self, Member};
use super::truth::{Support, Truth};
use super::value::{Partial, Val, Value};
use crate::check::ir::{Binding, Expr, Over};
use crate::syntax::ast::BinOp;
use std::cmp::Ordering;

impl Evaluator<'_> {
    /// `[E for x in xs where P]`: each member's E in the collection's order,
    /// an undecided member's E kept undecided; `{…}` removes repeats.
    pub(super) fn projection(&mut self, set: bool, value: &Expr, binding: &Binding) -> Val {
        let members = match self.filtered(binding) {
            Ok(m) => m,
            Err(s) => return Val::Unknown(s),
        };
        let mut out: Vec<Member> = Vec::with_capacity(members.len());
        for (member, keep) in members {
            let Some(undecided) = undecided(keep) else {
                continue;
            };
            out.push((self.with_local(member, |ev| ev.eval(value)), undecided));
        }
        if set {
            out = repeats::distinct(out);
        }
        Val::Known(Partial::from_members(out))
    }

    /// `distinct xs`: repeats removed, the first kept in its place.
    pub(super) fn distinct(&mut self, source: &Expr) -> Val {
        match self.members(source) {
            Ok(members) => {
                let members = members
                    .into_iter()
                    .filter_map(|(v, t)| Some((v, undecided(t)?)));
                Val::Known(Partial::from_members(repeats::distinct(members.collect())))
            }
            Err(s) => Val::Unknown(s),
        }
    }

    /// `sorted x in xs by K`: the members in the order of their keys, ties
    /// in the collection's order; unknown when a key, or the order of two
    /// keys, is.
    pub(super) fn sorted(&mut self, over: &Over, key: Option<&Expr>, descending: bool) -> Val {
        let members = match over {
            Over::Binding(binding) => self.filtered(binding),
            Over::Collection(source) => self.members(source),
        };
        let members = match members {
            Ok(m) => m,
            Err(s) => return Val::Unknown(s),
        };
        let keyed = match self.keyed(members, key, matches!(over, Over::Binding(_))) {
            Ok(k) => k,
            Err(s) => return Val::Unknown(s),
        };
        let mut unsettled: Option<Support> = None;
        let sorted = repeats::merge_sort(keyed, &mut |a, b| {
            let order = repeats::key_order(&a.0, &b.0).unwrap_or_else(|s| {
                unsettled.get_or_insert_with(Support::default).merge(&s);
                Ordering::Equal
            });
            if descending {
                order.reverse()
            } else {
                order
            }
        });
        match unsettled {
            Some(s) => Val::Unknown(s),
            None => Val::Known(Partial::from_members(
                sorted.into_iter().map(|(_, m)| m).collect(),
            )),
        }
    }

    /// Each kept member with its sort key (the member itself without `by`),
    /// or what would settle the keys that are unknown.
    fn keyed(
        &mut self,
        members: Vec<(Val, Truth)>,
        key: Option<&Expr>,
        bound: bool,
    ) -> Result<Vec<(Value, Member)>, Support> {
        let mut out = Vec::with_capacity(members.len());
        let mut unknown: Option<Support> = None;
        for (member, keep) in members {
            let Some(undecided) = undecided(keep) else {
                continue;
            };
            let k = match key {
                Some(k) if bound => self.with_local(member.clone(), |ev| ev.eval(k)),
                Some(k) => self.eval(k),
                None => member.clone(),
            };
            match k {
                Val::Known(Value::Partial(p)) => unknown
                    .get_or_insert_with(Support::default)
                    .merge(&p.support()),
                Val::Known(k) => out.push((k, (member, undecided))),
                Val::Unknown(s) => unknown.get_or_insert_with(Support::default).merge(&s),
            }
        }
        match unknown {
            Some(s) => Err(s),
            None => Ok(out),
        }
    }
}

/// `xs[i]` on a list's members (0 is the first): none past every member
/// that may be one (or below 0), unknown when an undecided member comes
/// before the one at `i`.
pub(super) fn position(members: Vec<Member>, index: &Value) -> Val {
    let i = match index {
        Value::Num(q) => q.value,
        Value::Bounds(b) => return Val::Unknown(b.support.clone()),
        _ => return internal(),
    };
    let i = rust_decimal::prelude::ToPrimitive::to_usize(&i).filter(|_| i.fract().is_zero());
    let Some(i) = i.filter(|i| *i < members.len()) else {
        return Val::Known(Value::None);
    };
    let mut before = Support::default();
    let mut definite = 0;
    let mut undecided = false;
    for (value, decided) in members {
        match decided {
            Some(s) => {
                undecided = true;
                before.merge(&s);
            }
            None if definite == i && !undecided => return value,
            None if definite == i => return Val::Unknown(before),
            None => definite += 1,
        }
    }
    if undecided {
        return Val::Unknown(before);
    }
    Val::Known(Value::None)
}

impl Evaluator<'_> {
    /// `previous of x in xs`, `next of x in xs`: the member before (after)
    /// the first one equal to `x`; none at the ends or when `x` is not a
    /// member; unknown when `x`'s place, or its neighbour, is undecided.
    pub(super) fn neighbour(&mut self, next: bool, member: &Expr, list: &Expr) -> Val {
        let x = match self.eval(member) {
            Val::Known(Value::Partial(p)) => return Val::Unknown(p.support()),
            Val::Known(x) => x,
            Val::Unknown(s) => return Val::Unknown(s),
        };
        let members = match member_truths(self.eval(list)) {
            Ok(m) => m,
            Err(s) => return Val::Unknown(s),
        };
        let at = match place(&x, &members) {
            Ok(Some(at)) => at,
            Ok(None) => return Val::Known(Value::None),
            Err(s) => return Val::Unknown(s),
        };
        let beside = if next {
            at.checked_add(1)
        } else {
            at.checked_sub(1)
        };
        match beside.and_then(|i| members.get(i)) {
            None => Val::Known(Value::None),
            Some((v, Truth::True)) => v.clone(),
            Some((_, Truth::Unknown(s))) => Val::Unknown(s.clone()),
            Some((_, Truth::False)) => internal(),
        }
    }
}

/// `None` for a member that is certainly not one, else whether it is
/// undecided (with what would decide it).
fn undecided(keep: Truth) -> Option<Option<Support>> {
    match keep {
        Truth::True => Some(None),
        Truth::Unknown(s) => Some(Some(s)),
        Truth::False => None,
    }
}

/// The place of the first member equal to `x`, `None` when no member is;
/// unknown when a member before it could be `x` (an undecided member equal
/// to it, a value whose equality to it is unknown).
fn place(x: &Value, members: &[(Val, Truth)]) -> Result<Option<usize>, Support> {
    for (i, (m, is_member)) in members.iter().enumerate() {
        let same = match m {
            Val::Known(v @ (Value::Record(_) | Value::Point(_))) => Truth::known(v == x),
            Val::Known(v) => super::ops::compare(BinOp::Eq, x, v),
            Val::Unknown(s) => Truth::Unknown(s.clone()),
        };
        match (same, is_member) {
            (Truth::False, _) | (Truth::True, Truth::False) => {}
            (Truth::True, Truth::True) => return Ok(Some(i)),
            (Truth::Unknown(s), _) => return Err(s),
            (Truth::True, Truth::Unknown(s)) => return Err(s.clone()),
        }
    }
    Ok(None)
}
