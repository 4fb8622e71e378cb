//! Dated lists: membership on `as_of` by each record's date, and
//! `latest`/`earliest` by that date (`latest l in labs where P`).

use super::case::escape_pointer;
use super::expr::Evaluator;
use super::truth::{Cause, Missing, Support, Truth};
use super::value::{DateRange, Partial, Val, Value};
use crate::check::ir::Pick;
use jiff::civil::Date;

/// One record of a dated list that may be picked: its place in the array,
/// its date (or what would settle it), and, when it is not certainly a
/// qualifying member, what would decide it.
struct Candidate {
    index: usize,
    value: Val,
    date: Result<DateRange, Support>,
    undecided: Option<Support>,
}

impl Evaluator<'_> {
    /// A dated list read by name: records dated after `as_of` are left out;
    /// one whose date is unknown, or straddles `as_of`, is undecided.
    pub(super) fn dated_list(&self, field: usize, date: usize) -> Val {
        match self.dated_members(field, date) {
            Ok(members) => Val::Known(Partial::of(members.into_iter().map(|(_, v, _, t)| (v, t)))),
            Err(s) => Val::Unknown(s),
        }
    }

    /// Each record on or before `as_of` with its index, its date and whether
    /// it is a member.
    fn dated_members(&self, field: usize, date: usize) -> Result<Vec<Member>, Support> {
        let items = match self.case.fields.get(field) {
            Some(Val::Known(Value::List(items))) => items,
            Some(Val::Known(Value::None)) => return Ok(Vec::new()),
            Some(Val::Unknown(s)) => return Err(s.clone()),
            _ => return Err(Support::indeterminate(Cause::Internal)),
        };
        let mut out = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            let day = record_date(item, date);
            let membership = on_or_before(&day, self.as_of);
            if membership != Truth::False {
                out.push((index, item.clone(), day, membership));
            }
        }
        Ok(out)
    }

    /// `latest l in labs where P`, `earliest …`: see [`choose`].
    pub(super) fn pick(&mut self, pick: &Pick) -> Val {
        let members = match self.dated_members(pick.field, pick.date) {
            Ok(m) => m,
            Err(s) => return Val::Unknown(s),
        };
        let mut candidates = Vec::new();
        for (index, value, date, membership) in members {
            let holds = match &pick.filter {
                None => membership,
                Some(p) => membership.and(self.with_local(value.clone(), |ev| ev.condition(p))),
            };
            let undecided = match holds {
                Truth::False => continue,
                Truth::True => None,
                Truth::Unknown(s) => Some(s),
            };
            candidates.push(Candidate {
                index,
                value,
                date,
                undecided,
            });
        }
        match choose(candidates, pick.latest) {
            Some(v) => v,
            None if pick.complete => Val::Known(Value::None),
            None => Val::Unknown(Support::of(self.no_record(pick))),
        }
    }

    /// What would settle a pick that found no record in a list not known to
    /// be complete: the list, with a record that qualifies.
    fn no_record(&self, pick: &Pick) -> Missing {
        let name = self.protocol.case.fields.get(pick.field);
        let path = format!("/{}", escape_pointer(name.map_or("", |f| f.name.as_str())));
        let need = match &pick.filter {
            Some(p) => format!("a record where {}", self.protocol.source_text(p.span)),
            None => "a record".to_string(),
        };
        let need = format!("{need} dated on or before {}", self.as_of);
        Missing::Fact {
            path,
            need: Some(need),
            why: None,
        }
    }
}

/// A member of a dated list: its index, value, date and membership.
type Member = (usize, Val, Result<DateRange, Support>, Truth);

/// The date field of a record (a record itself unknown has an unknown date).
fn record_date(item: &Val, date: usize) -> Result<DateRange, Support> {
    match item {
        Val::Known(Value::Record(r)) => match r.fields.get(date) {
            Some(Val::Known(Value::Date(d))) => Ok(*d),
            Some(Val::Unknown(s)) => Err(s.clone()),
            _ => Err(Support::indeterminate(Cause::Internal)),
        },
        Val::Unknown(s) => Err(s.clone()),
        _ => Err(Support::indeterminate(Cause::Internal)),
    }
}

/// Whether a record so dated is in the list on `as_of`.
fn on_or_before(date: &Result<DateRange, Support>, as_of: Date) -> Truth {
    match date {
        Ok(d) if d.last <= as_of => Truth::True,
        Ok(d) if d.first > as_of => Truth::False,
        Ok(_) => Truth::Unknown(Support::indeterminate(Cause::PartialDate)),
        Err(s) => Truth::Unknown(s.clone()),
    }
}

/// The latest (earliest) qualifying record: records are ordered by date,
/// and two on one date by their place in the array, so the later entry is
/// the latest and the earlier the earliest. Known only when every other
/// candidate certainly comes before it in that order (after it, for
/// `earliest`); `None` when there is no candidate at all.
fn choose(candidates: Vec<Candidate>, latest: bool) -> Option<Val> {
    if candidates.is_empty() {
        return None;
    }
    let beats = |a: &Candidate, b: &Candidate| match (&a.date, &b.date) {
        (Ok(x), Ok(y)) if latest => (x.last, a.index) > (y.last, b.index),
        (Ok(x), Ok(y)) => (x.first, a.index) < (y.first, b.index),
        _ => false,
    };
    let definite = candidates
        .iter()
        .filter(|c| c.undecided.is_none() && c.date.is_ok());
    let best = definite.reduce(|w, c| if beats(c, w) { c } else { w });
    let Some(best) = best else {
        return Some(Val::Unknown(every_support(&candidates)));
    };
    let mut doubt = Support::default();
    for other in candidates.iter().filter(|c| c.index != best.index) {
        if !certainly_before(other, best, latest) {
            doubt.merge(&why_in_doubt(other, best));
        }
    }
    if doubt == Support::default() {
        Some(best.value.clone())
    } else {
        Some(Val::Unknown(doubt))
    }
}

/// Whether `other` certainly comes before `best` in the pick's order (after
/// it, for `earliest`), so it cannot be the one picked.
fn certainly_before(other: &Candidate, best: &Candidate, latest: bool) -> bool {
    let (Ok(o), Ok(b)) = (&other.date, &best.date) else {
        return false;
    };
    let exact = o.first == o.last && b.first == b.last;
    let by_index = if latest {
        other.index < best.index
    } else {
        other.index > best.index
    };
    let same_day_loses = exact && o.first == b.first && by_index && other.undecided.is_none();
    let strictly = if latest {
        o.last < b.first
    } else {
        o.first > b.last
    };
    strictly || same_day_loses
}

/// What would settle whether `other` rather than `best` is the one picked.
fn why_in_doubt(other: &Candidate, best: &Candidate) -> Support {
    let mut s = other.undecided.clone().unwrap_or_default();
    match (&other.date, &best.date) {
        (Err(d), _) => s.merge(d),
        (Ok(o), Ok(b)) if o.first != o.last || b.first != b.last => {
            s.merge(&Support::indeterminate(Cause::PartialDate));
        }
        _ => {}
    }
    s
}

fn every_support(candidates: &[Candidate]) -> Support {
    let mut all = Support::default();
    for c in candidates {
        if let Some(s) = &c.undecided {
            all.merge(s);
        }
        if let Err(s) = &c.date {
            all.merge(s);
        }
    }
    all
}
