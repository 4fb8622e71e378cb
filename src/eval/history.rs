//! Therapy history: lines read through the role mapping, matching against
//! vocabulary, and the history predicates of the brief.

use super::case::escape_pointer;
use super::expr::{from_truth, Evaluator};
use super::model::{Role, RoleRead};
use super::ops;
use super::outcome::HistoryMatch;
use super::truth::{Cause, Missing, Support, Truth};
use super::value::{DateRange, EnumValue, Quantity, Record, Val, Value, VocabValue};
use crate::check::ir::{Expr, Target, TargetName, VocabId};
use crate::check::schema::FieldType;
use crate::syntax::ast::HistoryPred;
use std::borrow::Cow;
use std::cmp::Ordering;
use std::ops::Not;
use std::rc::Rc;

/// One line of the history, its roles read. The record is borrowed from the
/// case unless `as_of` masks some of its fields, and a role read straight
/// from a field points at it rather than holding a copy.
#[derive(Debug, Clone)]
pub struct Line<'p> {
    /// Its position in the case's array.
    pub index: usize,
    /// Whether it exists on `as_of` (its start ≤ `as_of`).
    pub exists: Truth,
    /// Where each role's value is, by [`Role`].
    roles: [RoleSlot; Role::COUNT],
    /// The values of the roles not read straight from a field.
    computed: Vec<Val>,
    /// The line's record, as rules read it.
    pub record: Cow<'p, Record>,
}

/// Where a line finds the value of one role.
#[derive(Debug, Clone, Copy)]
enum RoleSlot {
    /// None: the role is unmapped, or its date is after `as_of`.
    Empty,
    /// The record's field at this position.
    Field(usize),
    /// The line's computed value at this position.
    Computed(usize),
}

/// The value of an unmapped role.
const NO_VALUE: &Val = &Val::Known(Value::None);

impl Line<'_> {
    fn role(&self, role: Role) -> &Val {
        let slot = self.roles.get(role as usize).copied();
        let value = match slot.unwrap_or(RoleSlot::Empty) {
            RoleSlot::Empty => None,
            RoleSlot::Field(i) => self.record.fields.get(i),
            RoleSlot::Computed(i) => self.computed.get(i),
        };
        value.unwrap_or(NO_VALUE)
    }
}

impl<'p> Evaluator<'p> {
    /// The history's lines (all of them; `exists` says which are on `as_of`), read once.
    pub(super) fn lines(&mut self) -> Result<Rc<Vec<Line<'p>>>, Support> {
        if let Some(lines) = &self.lines {
            return Ok(Rc::clone(lines));
        }
        let (protocol, case) = (self.protocol, self.case);
        let Some(schema) = &protocol.history else {
            return Ok(Rc::new(Vec::new()));
        };
        let records = match case.fields.get(schema.field) {
            Some(Val::Known(Value::List(items))) => items,
            Some(Val::Known(_)) | None => return Ok(Rc::new(Vec::new())),
            Some(Val::Unknown(s)) => return Err(s.clone()),
        };
        let mut lines = Vec::with_capacity(records.len());
        for (index, item) in records.iter().enumerate() {
            if let Val::Known(Value::Record(record)) = item {
                lines.push(self.read_line(index, record, &schema.roles));
            }
        }
        let lines = Rc::new(lines);
        self.lines = Some(Rc::clone(&lines));
        Ok(lines)
    }

    fn read_line(
        &mut self,
        index: usize,
        record: &'p Record,
        roles: &[Option<RoleRead>; Role::COUNT],
    ) -> Line<'p> {
        let masked = record.fields.iter().any(|v| needs_mask(v, self.as_of));
        let mut slots = [RoleSlot::Empty; Role::COUNT];
        let mut computed = Vec::new();
        for (r, (slot, mapping)) in slots.iter_mut().zip(roles).enumerate() {
            let Some(mapping) = mapping else {
                continue;
            };
            let masks_after_as_of = r == Role::End as usize || r == Role::Event as usize;
            let value = match mapping {
                // The masked record may differ from the field as the role
                // reads it: only an unmasked record's field is pointed at.
                RoleRead::Field(i) if !masked => match record.fields.get(*i) {
                    Some(v) if masks_after_as_of && self.after_as_of(v) => continue,
                    Some(_) => {
                        *slot = RoleSlot::Field(*i);
                        continue;
                    }
                    None => continue,
                },
                _ => self.read_role(record, mapping),
            };
            if masks_after_as_of && self.after_as_of(&value) {
                continue;
            }
            let value = match r == Role::AgentEnd as usize {
                true => self.ongoing_after_as_of(value),
                false => value,
            };
            *slot = RoleSlot::Computed(computed.len());
            computed.push(value);
        }
        let record = if masked {
            Cow::Owned(self.masked_record(record.clone()))
        } else {
            Cow::Borrowed(record)
        };
        let mut line = Line {
            index,
            exists: Truth::False,
            roles: slots,
            computed,
            record,
        };
        line.exists = match line.role(Role::Start) {
            Val::Known(Value::Date(d)) => before_or_on(d, self.as_of),
            Val::Unknown(s) => Truth::Unknown(s.clone()),
            _ => Truth::False,
        };
        line
    }

    /// Whether a role's value is a date after `as_of` (an end or event not
    /// yet happened on `as_of` reads as none).
    /// Each agent's last dose as of `as_of`: one dated after it reads as
    /// none (still being given then), as a line's end does.
    fn ongoing_after_as_of(&self, ends: Val) -> Val {
        match ends {
            Val::Known(Value::List(items)) => Val::Known(Value::List(
                items
                    .into_iter()
                    .map(|end| match self.after_as_of(&end) {
                        true => Val::Known(Value::None),
                        false => end,
                    })
                    .collect(),
            )),
            other => other,
        }
    }

    fn after_as_of(&self, v: &Val) -> bool {
        matches!(v, Val::Known(Value::Date(d)) if d.first > self.as_of)
    }

    /// A line's record as rules read it: a date after `as_of` in an optional
    /// field reads as none, in a required one as unknown (a value dated on or
    /// before `as_of` would settle it); nested records and lists likewise.
    fn masked_record(&self, mut record: Record) -> Record {
        let schema = self.protocol.record_schema(record.ty);
        for (field, v) in schema.iter().zip(record.fields.iter_mut()) {
            if needs_mask(v, self.as_of) {
                let path = format!("{}/{}", record.path, escape_pointer(&field.name));
                let value = std::mem::replace(v, Val::Known(Value::None));
                *v = self.masked(value, &field.ty, &path);
            }
        }
        record
    }

    fn masked(&self, v: Val, ty: &FieldType, path: &str) -> Val {
        let (inner, optional) = match ty {
            FieldType::Optional(inner) => (&**inner, true),
            other => (other, false),
        };
        match (v, inner) {
            (Val::Known(Value::Date(d)), FieldType::Date) if d.first > self.as_of => {
                if optional {
                    Val::Known(Value::None)
                } else {
                    Val::Unknown(Support::of(Missing::Fact {
                        path: path.to_string(),
                        need: Some(format!("a value dated on or before {}", self.as_of)),
                        why: None,
                    }))
                }
            }
            (Val::Known(Value::List(items)), FieldType::List(t) | FieldType::Set(t)) => {
                let items = items
                    .into_iter()
                    .enumerate()
                    .map(|(i, item)| self.masked(item, t, &format!("{path}/{i}")))
                    .collect();
                Val::Known(Value::List(items))
            }
            (Val::Known(Value::Record(r)), FieldType::Record(_)) => {
                Val::Known(Value::Record(Box::new(self.masked_record(*r))))
            }
            (v, _) => v,
        }
    }

    fn read_role(&mut self, record: &Record, mapping: &RoleRead) -> Val {
        let field = |slot: usize| record.fields.get(slot);
        match mapping {
            RoleRead::Field(slot) => field(*slot).cloned().unwrap_or(Val::Known(Value::None)),
            RoleRead::PerAgent { list, field: slot } => match field(*list) {
                Some(Val::Known(Value::List(items))) => Val::Known(Value::List(
                    items.iter().map(|item| per_agent(item, *slot)).collect(),
                )),
                Some(Val::Unknown(s)) => Val::Unknown(s.clone()),
                _ => Val::Known(Value::List(Vec::new())),
            },
            RoleRead::Expr(e) => self.in_record(record, e),
        }
    }

    /// Evaluates an expression with a record's fields as its slots.
    fn in_record(&mut self, record: &Record, e: &Expr) -> Val {
        self.in_frame(record.fields.clone(), |ev| ev.eval(e))
    }

    /// `received X`, `relapse after X within D`, …: Kleene-∃ over existing matching lines.
    pub(super) fn history(
        &mut self,
        pred: HistoryPred,
        target: &Target,
        within: Option<&Expr>,
    ) -> Val {
        let window = match within.map(|w| self.eval(w)) {
            None => None,
            Some(Val::Known(Value::Num(q))) => Some(q),
            Some(Val::Unknown(s)) => return Val::Unknown(s),
            Some(Val::Known(_)) => return Val::Unknown(Support::indeterminate(Cause::Internal)),
        };
        let lines = match self.lines() {
            Ok(lines) => lines,
            Err(s) => return Val::Unknown(s),
        };
        let last = self.last_if_targeted(target, &lines);
        let mut result = Truth::False;
        for line in lines.iter() {
            let holds = self.line_holds(pred, line, target, &last, window.as_ref());
            if matches!(holds, Truth::True) {
                if !self.trace_lines {
                    // One true line settles it; only the trace wants the others.
                    return from_truth(Truth::True);
                }
                self.matches.push(HistoryMatch {
                    predicate: format!("{} {}", pred.words(), target_words(target)),
                    line: line.index,
                    path: line.record.path.clone(),
                });
            }
            result = result.or(holds);
        }
        from_truth(result)
    }

    /// Whether a line exists, matches the target and meets the predicate:
    /// Kleene `and`, each part evaluated only while the others are not false.
    fn line_holds(
        &self,
        pred: HistoryPred,
        line: &Line,
        target: &Target,
        last: &Result<Option<usize>, Support>,
        window: Option<&Quantity>,
    ) -> Truth {
        let exists = match &line.exists {
            Truth::False => return Truth::False,
            Truth::True => None,
            Truth::Unknown(s) => Some(s),
        };
        let holds = match (target, agent_ends(line)) {
            (Target::Names(names, _), Some((agents, ends))) => {
                self.holds_by_agent(pred, line, names, (agents, ends), window)
            }
            _ => {
                let matched = self.line_targets(line, target, last);
                if matches!(matched, Truth::False) {
                    return Truth::False;
                }
                matched.and(self.predicate(pred, line, line.role(Role::End), window))
            }
        };
        match exists {
            // `true and x` is x: the common case copies nothing.
            None => holds,
            Some(s) => Truth::Unknown(s.clone()).and(holds),
        }
    }

    /// The date of the matching line's event (start for `received`), or none.
    pub(super) fn history_date(
        &mut self,
        pred: HistoryPred,
        target: &Target,
        within: Option<&Expr>,
    ) -> Val {
        let window = match within.map(|w| self.eval(w)) {
            Some(Val::Known(Value::Num(q))) => Some(q),
            _ => None,
        };
        let lines = match self.lines() {
            Ok(lines) => lines,
            Err(s) => return Val::Unknown(s),
        };
        let last = self.last_if_targeted(target, &lines);
        let role = if pred == HistoryPred::Received {
            Role::Start
        } else {
            Role::Event
        };
        let mut latest: Option<Val> = None;
        for line in lines.iter().rev() {
            let holds = self.line_holds(pred, line, target, &last, window.as_ref());
            match holds {
                Truth::True => {
                    latest = Some(line.role(role).clone());
                    break;
                }
                Truth::Unknown(s) => return Val::Unknown(s),
                Truth::False => {}
            }
        }
        latest.unwrap_or(Val::Known(Value::None))
    }

    /// A predicate on a line that lists its agents with their own last
    /// doses (`agent_end`): for an agent, class or tag, each matching agent
    /// is judged with its own end (the line's when it has none); a regimen,
    /// and a class or tag a regimen has as its own, with the line's end.
    fn holds_by_agent(
        &self,
        pred: HistoryPred,
        line: &Line,
        names: &[TargetName],
        (agents, ends): (&[Val], &[Val]),
        window: Option<&Quantity>,
    ) -> Truth {
        let mut result = Truth::False;
        for name in names {
            let x = match self.target_id(name) {
                Ok(Some(x)) => x,
                Ok(None) => continue,
                Err(s) => {
                    result = result.or(Truth::Unknown(s));
                    continue;
                }
            };
            let whole_line = match self.protocol.vocab.matches_as_regimen(x) {
                true => self.line_is_regimen(line, x),
                false => self.line_is_regimen_with_group(line, x),
            };
            if !matches!(whole_line, Truth::False) {
                let end = line.role(Role::End);
                result = result.or(whole_line.and(self.predicate(pred, line, end, window)));
            }
            if self.protocol.vocab.matches_as_regimen(x) {
                continue;
            }
            for (agent, end) in agents.iter().zip(ends) {
                let matched = match agent {
                    Val::Known(Value::Vocab(v)) => self.vocab_has(v, x),
                    Val::Unknown(s) => Truth::Unknown(s.clone()),
                    _ => Truth::False,
                };
                if !matches!(matched, Truth::False) {
                    // An agent without a last dose of its own ended with the line.
                    let end = match end {
                        Val::Known(Value::None) => line.role(Role::End),
                        own => own,
                    };
                    result = result.or(matched.and(self.predicate(pred, line, end, window)));
                }
            }
            if matches!(result, Truth::True) {
                break;
            }
        }
        result
    }

    /// The name a target names: `Ok(None)` for a variable that holds
    /// something outside the vocabulary, `Err` while it is unknown.
    fn target_id(&self, name: &TargetName) -> Result<Option<VocabId>, Support> {
        match name {
            TargetName::Vocab(x) => Ok(Some(*x)),
            TargetName::Local(slot) => match self.local(*slot) {
                Val::Known(Value::Vocab(VocabValue::Known(x))) => Ok(Some(x)),
                Val::Unknown(s) => Err(s),
                Val::Known(_) => Ok(None),
            },
        }
    }

    fn line_targets(
        &self,
        line: &Line,
        target: &Target,
        last: &Result<Option<usize>, Support>,
    ) -> Truth {
        match target {
            Target::LastLine => match last {
                Ok(Some(i)) => Truth::known(*i == line.index),
                Ok(None) => Truth::False,
                Err(s) => Truth::Unknown(s.clone()),
            },
            Target::Names(names, _) => names.iter().fold(Truth::False, |acc, n| {
                acc.or(self.line_matches_name(line, n))
            }),
        }
    }

    /// Whether a line matches a declared name, or the one a variable holds
    /// (unknown while the variable is).
    fn line_matches_name(&self, line: &Line, name: &TargetName) -> Truth {
        match name {
            TargetName::Vocab(x) => self.line_matches(line, *x),
            TargetName::Local(slot) => match self.local(*slot) {
                Val::Known(Value::Vocab(VocabValue::Known(x))) => self.line_matches(line, x),
                Val::Unknown(s) => Truth::Unknown(s),
                Val::Known(_) => Truth::False,
            },
        }
    }

    /// Whether a line matches a regimen, agent, class or tag (the brief's rules).
    pub(super) fn line_matches(&self, line: &Line, x: VocabId) -> Truth {
        if self.protocol.vocab.matches_as_regimen(x) {
            return self.line_is_regimen(line, x);
        }
        match self.line_has_agent_group(line, x) {
            Truth::True => Truth::True,
            other => other.or(self.line_is_regimen_with_group(line, x)),
        }
    }

    /// A regimen's own classes and tags apply to a line that names the regimen
    /// or lists exactly its agents.
    fn line_is_regimen_with_group(&self, line: &Line, x: VocabId) -> Truth {
        match line.role(Role::Regimen) {
            // What a regimen has includes its own classes and tags: a line
            // naming one without X is none of X's regimens (most lines are
            // settled here, without looking X's regimens up).
            Val::Known(Value::Vocab(VocabValue::Known(r))) if !self.protocol.vocab.has(*r, x) => {
                return Truth::False;
            }
            Val::Known(Value::Vocab(VocabValue::Other(_))) => return Truth::False,
            _ => {}
        }
        let mut result = Truth::False;
        for regimen in self.protocol.vocab.regimens_in(x) {
            result = result.or(self.line_is_regimen(line, *regimen));
            if matches!(result, Truth::True) {
                break;
            }
        }
        result
    }

    /// An agent, class or tag X through the line's agents (listed, else its regimen's).
    fn line_has_agent_group(&self, line: &Line, x: VocabId) -> Truth {
        match line.role(Role::Agents) {
            Val::Known(Value::List(agents)) if !agents.is_empty() => self.any_agent(agents, x),
            Val::Unknown(s) => Truth::Unknown(s.clone()),
            _ => match line.role(Role::Regimen) {
                Val::Known(Value::Vocab(v)) => self.vocab_has(v, x),
                Val::Unknown(s) => Truth::Unknown(s.clone()),
                _ => Truth::False,
            },
        }
    }

    fn line_is_regimen(&self, line: &Line, x: VocabId) -> Truth {
        match line.role(Role::Regimen) {
            Val::Known(Value::Vocab(VocabValue::Known(r))) => Truth::known(*r == x),
            Val::Known(Value::Vocab(VocabValue::Other(_))) => Truth::False,
            Val::Unknown(s) => Truth::Unknown(s.clone()),
            _ => self.agents_are_regimen(line, x),
        }
    }

    /// A line without a regimen matches regimen X when it lists exactly X's agents.
    fn agents_are_regimen(&self, line: &Line, x: VocabId) -> Truth {
        let wanted = self.protocol.vocab.agents_of(x);
        if wanted.is_empty() {
            return Truth::False;
        }
        let Val::Known(Value::List(agents)) = line.role(Role::Agents) else {
            return Truth::False;
        };
        let mut names: Vec<VocabId> = Vec::new();
        let mut unread = Support::default();
        let mut unread_count = 0;
        for agent in agents {
            match agent {
                Val::Known(Value::Vocab(VocabValue::Known(a))) => {
                    if !wanted.contains(a) {
                        return Truth::False;
                    }
                    if !names.contains(a) {
                        names.push(*a);
                    }
                }
                Val::Unknown(s) => {
                    unread.merge(s);
                    unread_count += 1;
                }
                _ => return Truth::False,
            }
        }
        // Unread agents can decide the match only if they could fill the gap.
        if names.len() + unread_count < wanted.len() || names.is_empty() && unread_count == 0 {
            return Truth::False;
        }
        if unread_count > 0 {
            return Truth::Unknown(unread);
        }
        Truth::known(names.len() == wanted.len())
    }

    fn any_agent(&self, agents: &[Val], x: VocabId) -> Truth {
        agents.iter().fold(Truth::False, |acc, agent| {
            acc.or(match agent {
                Val::Known(Value::Vocab(v)) => self.vocab_has(v, x),
                Val::Unknown(s) => Truth::Unknown(s.clone()),
                _ => Truth::False,
            })
        })
    }

    /// Whether an agent or regimen value is X or has X (agent, class or tag).
    fn vocab_has(&self, v: &VocabValue, x: VocabId) -> Truth {
        match v {
            VocabValue::Known(option) => Truth::known(self.protocol.vocab.has(*option, x)),
            VocabValue::Other(_) => Truth::False,
        }
    }

    /// `line is X` for a line record (bound in a comprehension over `prior lines`).
    pub(super) fn record_is(&mut self, record: &Record, x: VocabId) -> Truth {
        let lines = self.lines().unwrap_or_default();
        match lines.iter().find(|l| l.record.path == record.path) {
            Some(line) => self.line_matches(line, x),
            None => Truth::False,
        }
    }

    /// The predicate on a line whose treatment ended at `end` (the line's
    /// end, or one agent's last dose).
    fn predicate(
        &self,
        pred: HistoryPred,
        line: &Line,
        end: &Val,
        window: Option<&Quantity>,
    ) -> Truth {
        match pred {
            HistoryPred::Received => self.recent(end, window),
            HistoryPred::ProgressionOn => self.progression_on(line, end, window),
            HistoryPred::RefractoryTo => self
                .responded(line)
                .not()
                .or(self.progression_on(line, end, window)),
            HistoryPred::RelapseAfter => self.relapse_after(line, end, window),
            HistoryPred::IntolerantOf => self.intolerant(line).and(self.recent(end, window)),
        }
    }

    /// `within D` on `received`/`intolerant of`: end (or `as_of`, if ongoing) ≥ `as_of` − D.
    fn recent(&self, end: &Val, window: Option<&Quantity>) -> Truth {
        let Some(d) = window else {
            return Truth::True;
        };
        let Some(from) = ops::shift(self.as_of, d, -1) else {
            return Truth::Unknown(Support::indeterminate(Cause::OutOfRange));
        };
        match end {
            Val::Known(Value::None) => Truth::True,
            Val::Known(Value::Date(end)) => on_or_after(end, from),
            Val::Unknown(s) => Truth::Unknown(s.clone()),
            _ => Truth::False,
        }
    }

    /// event ≥ start and (end is none or event ≤ end [+ D]).
    fn progression_on(&self, line: &Line, end: &Val, window: Option<&Quantity>) -> Truth {
        let (event, start) = (line.role(Role::Event), line.role(Role::Start));
        let event = match event {
            Val::Known(Value::Date(e)) => e,
            Val::Known(_) => return Truth::False,
            Val::Unknown(s) => return Truth::Unknown(s.clone()),
        };
        let after_start = match start {
            Val::Known(Value::Date(s)) => on_or_after(event, s.last),
            Val::Unknown(s) => Truth::Unknown(s.clone()),
            _ => Truth::False,
        };
        let before_end = match end {
            Val::Known(Value::None) => Truth::True,
            Val::Known(Value::Date(end)) => self.by_end(event, end, window),
            Val::Unknown(s) => Truth::Unknown(s.clone()),
            _ => Truth::False,
        };
        after_start.and(before_end)
    }

    /// event ≤ end (+ D when given).
    fn by_end(&self, event: &DateRange, end: &DateRange, window: Option<&Quantity>) -> Truth {
        let Some(limit) = end.exact() else {
            return Truth::Unknown(Support::indeterminate(Cause::PartialDate));
        };
        let limit = match window {
            Some(d) => match ops::shift(limit, d, 1) {
                Some(l) => l,
                None => return Truth::Unknown(Support::indeterminate(Cause::OutOfRange)),
            },
            None => limit,
        };
        before_or_on(event, limit)
    }

    /// response ∈ responding, end is not none, event > end (and event ≤ end + D).
    fn relapse_after(&self, line: &Line, end: &Val, window: Option<&Quantity>) -> Truth {
        let responded = self.responded(line);
        let event = line.role(Role::Event);
        let timing = match (event, end) {
            (Val::Unknown(a), Val::Unknown(b)) => Truth::Unknown(a.clone().union(b)),
            (Val::Unknown(s), _) | (_, Val::Unknown(s)) => Truth::Unknown(s.clone()),
            (Val::Known(Value::Date(e)), Val::Known(Value::Date(end))) => {
                let after = after_strictly(e, end);
                match window {
                    Some(_) => after.and(self.by_end(e, end, window)),
                    None => after,
                }
            }
            _ => Truth::False,
        };
        responded.and(timing)
    }

    /// response ∈ responding.
    fn responded(&self, line: &Line) -> Truth {
        let responding = self
            .protocol
            .history
            .as_ref()
            .map_or(&[][..], |h| &h.responding);
        in_values(line.role(Role::Response), responding)
    }

    /// outcome ∈ intolerance.
    fn intolerant(&self, line: &Line) -> Truth {
        let intolerance = self
            .protocol
            .history
            .as_ref()
            .map_or(&[][..], |h| &h.intolerance);
        in_values(line.role(Role::Outcome), intolerance)
    }

    /// The last line's index when the target is `last line`, the only
    /// target that reads it (anything else does without the walk).
    fn last_if_targeted(&self, target: &Target, lines: &[Line]) -> Result<Option<usize>, Support> {
        match target {
            Target::LastLine => self.last_index(lines),
            Target::Names(..) => Ok(None),
        }
    }

    /// The index of the existing line with the latest start (a tie goes to the later entry).
    fn last_index(&self, lines: &[Line]) -> Result<Option<usize>, Support> {
        let mut best: Option<(&Line, DateRange)> = None;
        for line in lines {
            match (&line.exists, line.role(Role::Start)) {
                (Truth::False, _) => {}
                (Truth::Unknown(s), _) => return Err(s.clone()),
                (Truth::True, Val::Known(Value::Date(start))) => {
                    let later = best
                        .as_ref()
                        .is_none_or(|(_, b)| start.first.cmp(&b.first) != Ordering::Less);
                    if later {
                        best = Some((line, *start));
                    }
                }
                (Truth::True, Val::Unknown(s)) => return Err(s.clone()),
                (Truth::True, _) => {}
            }
        }
        Ok(best.map(|(l, _)| l.index))
    }

    /// The existing line with the latest start (`Ok(None)` when there is
    /// none), given to `read`.
    fn with_last_line<T>(
        &mut self,
        read: impl FnOnce(&mut Self, Option<&Line<'p>>) -> T,
    ) -> Result<T, Support> {
        let lines = self.lines()?;
        let last = self.last_index(&lines)?;
        let line = last.and_then(|i| lines.iter().find(|l| l.index == i));
        Ok(read(self, line))
    }

    /// `last line`: the record of the existing line with the latest start, or none.
    pub(super) fn last_line_value(&mut self) -> Val {
        let record = |_: &mut Self, line: Option<&Line>| match line {
            Some(line) => Val::Known(Value::Record(Box::new(line.record.clone().into_owned()))),
            None => Val::Known(Value::None),
        };
        self.with_last_line(record).unwrap_or_else(Val::Unknown)
    }

    /// A role of the last line (`end of last line`), none when there is no line.
    pub(super) fn last_line_role(&mut self, role: Role) -> Val {
        let value = |_: &mut Self, line: Option<&Line>| match line {
            Some(line) => line.role(role).clone(),
            None => Val::Known(Value::None),
        };
        self.with_last_line(value).unwrap_or_else(Val::Unknown)
    }

    /// `last line is X`.
    pub(super) fn last_line_is(&mut self, x: VocabId) -> Truth {
        let is = |ev: &mut Self, line: Option<&Line>| match line {
            Some(line) => ev.line_matches(line, x),
            None => Truth::False,
        };
        self.with_last_line(is).unwrap_or_else(Truth::Unknown)
    }

    /// `prior lines`: the records of the lines that exist on `as_of`.
    pub(super) fn prior_lines(&mut self) -> Val {
        let lines = match self.lines() {
            Ok(lines) => lines,
            Err(s) => return Val::Unknown(s),
        };
        let mut records = Vec::new();
        for line in lines.iter() {
            match &line.exists {
                Truth::True => records.push(Val::Known(Value::Record(Box::new(
                    line.record.clone().into_owned(),
                )))),
                Truth::False => {}
                Truth::Unknown(s) => return Val::Unknown(s.clone()),
            }
        }
        Val::Known(Value::List(records))
    }

    /// `line`: the number of prior lines + 1 (distinct line numbers when `line` is mapped).
    pub(super) fn line_number(&mut self) -> Val {
        let lines = match self.lines() {
            Ok(lines) => lines,
            Err(s) => return Val::Unknown(s),
        };
        let mapped = self
            .protocol
            .history
            .as_ref()
            .is_some_and(|h| h.maps(Role::Line));
        let mut numbers: Vec<&Value> = Vec::new();
        let mut count = 0usize;
        for line in lines.iter() {
            match &line.exists {
                Truth::True => count += 1,
                Truth::False => continue,
                Truth::Unknown(s) => return Val::Unknown(s.clone()),
            }
            // Only a mapped `line` role numbers the lines itself.
            if let (true, Val::Known(v)) = (mapped, line.role(Role::Line)) {
                if !numbers.contains(&v) {
                    numbers.push(v);
                }
            }
        }
        let n = if mapped { numbers.len() } else { count };
        Val::Known(Value::Num(Quantity {
            value: (n + 1).into(),
            unit: None,
        }))
    }
}

/// Whether a value holds a date after `as_of`, at any depth.
fn needs_mask(v: &Val, as_of: jiff::civil::Date) -> bool {
    match v {
        Val::Known(Value::Date(d)) => d.first > as_of,
        Val::Known(Value::List(items)) => items.iter().any(|i| needs_mask(i, as_of)),
        Val::Known(Value::Record(r)) => r.fields.iter().any(|f| needs_mask(f, as_of)),
        _ => false,
    }
}

fn target_words(target: &Target) -> &str {
    match target {
        Target::LastLine => "last line",
        Target::Names(_, words) => words,
    }
}

/// A line's listed agents and their own last doses, when the history maps
/// `agent_end` and the line gives one per listed agent.
fn agent_ends<'l>(line: &'l Line) -> Option<(&'l [Val], &'l [Val])> {
    match (line.role(Role::Agents), line.role(Role::AgentEnd)) {
        (Val::Known(Value::List(agents)), Val::Known(Value::List(ends)))
            if !agents.is_empty() && agents.len() == ends.len() =>
        {
            Some((agents, ends))
        }
        _ => None,
    }
}

fn per_agent(item: &Val, slot: usize) -> Val {
    match item {
        Val::Known(Value::Record(r)) => r
            .fields
            .get(slot)
            .cloned()
            .unwrap_or(Val::Known(Value::None)),
        other => other.clone(),
    }
}

fn in_values(v: &Val, values: &[EnumValue]) -> Truth {
    match v {
        Val::Known(Value::Enum(e)) => Truth::known(values.contains(e)),
        Val::Unknown(s) => Truth::Unknown(s.clone()),
        _ => Truth::False,
    }
}

fn before_or_on(d: &DateRange, day: jiff::civil::Date) -> Truth {
    if d.last <= day {
        Truth::True
    } else if d.first > day {
        Truth::False
    } else {
        Truth::Unknown(Support::indeterminate(Cause::PartialDate))
    }
}

fn on_or_after(d: &DateRange, day: jiff::civil::Date) -> Truth {
    if d.first >= day {
        Truth::True
    } else if d.last < day {
        Truth::False
    } else {
        Truth::Unknown(Support::indeterminate(Cause::PartialDate))
    }
}

fn after_strictly(a: &DateRange, b: &DateRange) -> Truth {
    if a.first > b.last {
        Truth::True
    } else if a.last <= b.first {
        Truth::False
    } else {
        Truth::Unknown(Support::indeterminate(Cause::PartialDate))
    }
}
