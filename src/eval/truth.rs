//! Three-valued truth and the facts an unknown depends on.

use std::rc::Rc;

/// A fact whose knowledge could settle an unknown.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Missing {
    /// A case fact, by RFC 6901 pointer (`/crcl`), with what is needed of it.
    Fact {
        /// The JSON pointer of the fact.
        path: String,
        /// What value would settle it ("a value dated on or after 2025-12-02").
        need: Option<String>,
        /// Why it is not usable as it is (`unrecognised`).
        why: Option<String>,
    },
    /// A name given by `E missing as "name"` or a `missing "…"` action.
    Named(String),
}

impl Missing {
    /// A plain case fact by its pointer.
    pub fn fact(path: impl Into<String>) -> Missing {
        Missing::Fact {
            path: path.into(),
            need: None,
            why: None,
        }
    }
}

/// Why part of an unknown is one that no fact of the case can settle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Cause {
    /// A censored value (`<20`) whose interval decides nothing.
    Censored,
    /// A partial date (`2025-06`) that straddles a bound.
    PartialDate,
    /// A division by zero.
    DivisionByZero,
    /// A number or a date beyond what the engine can represent.
    OutOfRange,
    /// A function outside its domain: `ln(0)`, `log10(-1)`, `(-8) ^ 0.5`.
    Undefined,
    /// A value of a kind the checker should have refused here: a defect of
    /// the engine, shown rather than hidden.
    Internal,
}

impl Cause {
    /// The words `indeterminate` uses for it.
    pub fn words(self) -> &'static str {
        match self {
            Cause::Censored => "a censored value",
            Cause::PartialDate => "a partial date that straddles a bound",
            Cause::DivisionByZero => "a division by zero",
            Cause::OutOfRange => "a number or date out of range",
            Cause::Undefined => "a function outside its domain",
            Cause::Internal => {
                "a value the engine could not evaluate (an internal error: please report it)"
            }
        }
    }
}

/// What an unknown result depends on: shared, so that copying an unknown
/// value (a case field read twice, a define's cached value) or combining it
/// with one it already covers copies a pointer, not the facts. Empty support
/// allocates nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Support(Option<Rc<Parts>>);

/// The contents of a [`Support`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Parts {
    /// The facts it read, in the order first read, without repeats.
    facts: Vec<Missing>,
    /// What of it no fact settles (censoring, partial dates, division), in first-met order.
    causes: Vec<Cause>,
}

impl Support {
    /// Support of one fact.
    pub fn of(fact: Missing) -> Support {
        Support::from_parts(vec![fact], Vec::new())
    }

    /// Support that no fact can settle, for `cause`.
    pub fn indeterminate(cause: Cause) -> Support {
        Support::from_parts(Vec::new(), vec![cause])
    }

    /// Support of these facts and causes (each list without repeats).
    pub fn from_parts(facts: Vec<Missing>, causes: Vec<Cause>) -> Support {
        if facts.is_empty() && causes.is_empty() {
            return Support::default();
        }
        Support(Some(Rc::new(Parts { facts, causes })))
    }

    /// The facts it read, in the order first read, without repeats.
    pub fn facts(&self) -> &[Missing] {
        self.0.as_ref().map_or(&[], |p| &p.facts)
    }

    /// What of it no fact settles, in first-met order.
    pub fn causes(&self) -> &[Cause] {
        self.0.as_ref().map_or(&[], |p| &p.causes)
    }

    /// Whether some of it no fact settles.
    pub fn is_indeterminate(&self) -> bool {
        !self.causes().is_empty()
    }

    /// The one-line explanation `indeterminate` gives: "depends on a censored value".
    pub fn reason(&self) -> String {
        let words: Vec<&str> = self.causes().iter().map(|c| c.words()).collect();
        format!("depends on {}", words.join(" and "))
    }

    /// Support of free text that resolves to no declared name: its path, asked
    /// for with `why: unrecognised` (the fix is an alias).
    pub fn unrecognised(path: &str) -> Support {
        Support::of(Missing::Fact {
            path: path.to_string(),
            need: None,
            why: Some("unrecognised".to_string()),
        })
    }

    /// Support of free text that two or more declared names' word aliases
    /// match: its path, asked for with `why: ambiguous` (the fix is clearer
    /// text or an exact alias).
    pub fn ambiguous(path: &str) -> Support {
        Support::of(Missing::Fact {
            path: path.to_string(),
            need: None,
            why: Some("ambiguous".to_string()),
        })
    }

    /// Whether every fact and cause of `other` is already in it.
    fn covers(&self, other: &Support) -> bool {
        other.facts().iter().all(|f| self.facts().contains(f))
            && other.causes().iter().all(|c| self.causes().contains(c))
    }

    /// Adds another support's facts (keeping first-read order, no repeats).
    pub fn merge(&mut self, other: &Support) {
        let Some(theirs) = &other.0 else {
            return;
        };
        let Some(ours) = &mut self.0 else {
            self.0 = Some(Rc::clone(theirs));
            return;
        };
        if Rc::ptr_eq(ours, theirs) || self.covers(other) {
            return;
        }
        let Some(ours) = &mut self.0 else {
            return;
        };
        let parts = Rc::make_mut(ours);
        for fact in &theirs.facts {
            if !parts.facts.contains(fact) {
                parts.facts.push(fact.clone());
            }
        }
        for cause in &theirs.causes {
            if !parts.causes.contains(cause) {
                parts.causes.push(*cause);
            }
        }
    }

    /// The union of two supports.
    pub fn union(mut self, other: &Support) -> Support {
        self.merge(other);
        self
    }
}

/// Kleene three-valued truth; an unknown carries its support.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Truth {
    /// Known true.
    True,
    /// Known false.
    False,
    /// Not known, and what would settle it.
    Unknown(Support),
}

impl Truth {
    /// A known truth value.
    #[inline]
    pub fn known(b: bool) -> Truth {
        if b {
            Truth::True
        } else {
            Truth::False
        }
    }

    /// `Some(b)` when known.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Truth::True => Some(true),
            Truth::False => Some(false),
            Truth::Unknown(_) => None,
        }
    }

    /// Whether it is unknown.
    pub fn is_unknown(&self) -> bool {
        matches!(self, Truth::Unknown(_))
    }

    /// Kleene `and`: false wins (with empty support); unknowns union their support.
    #[inline(always)]
    pub fn and(self, other: Truth) -> Truth {
        match (self, other) {
            (Truth::False, _) | (_, Truth::False) => Truth::False,
            (Truth::True, t) | (t, Truth::True) => t,
            (Truth::Unknown(a), Truth::Unknown(b)) => both_unknown(a, b),
        }
    }

    /// Kleene `or`: true wins (with empty support); unknowns union their support.
    #[inline(always)]
    pub fn or(self, other: Truth) -> Truth {
        match (self, other) {
            (Truth::True, _) | (_, Truth::True) => Truth::True,
            (Truth::False, t) | (t, Truth::False) => t,
            (Truth::Unknown(a), Truth::Unknown(b)) => both_unknown(a, b),
        }
    }
}

/// Two unknowns combined: unknown, with the union of their supports. Kept
/// out of line so that `and` and `or` stay small enough to inline.
#[inline(never)]
fn both_unknown(a: Support, b: Support) -> Truth {
    Truth::Unknown(a.union(&b))
}

impl std::ops::Not for Truth {
    type Output = Truth;

    /// Kleene `not`: an unknown keeps its support.
    fn not(self) -> Truth {
        match self {
            Truth::True => Truth::False,
            Truth::False => Truth::True,
            unknown => unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fact(path: &str) -> Missing {
        Missing::fact(path)
    }

    #[test]
    fn merge_keeps_first_read_order_without_repeats() {
        let mut a = Support::of(fact("/b"));
        a.merge(&Support::from_parts(
            vec![fact("/a"), fact("/b")],
            Vec::new(),
        ));
        a.merge(&Support::indeterminate(Cause::Censored));
        a.merge(&Support::indeterminate(Cause::Censored));
        assert_eq!(a.facts(), &[fact("/b"), fact("/a")]);
        assert_eq!(a.causes(), &[Cause::Censored]);
    }

    #[test]
    fn merging_into_a_shared_support_leaves_the_other_copy_alone() {
        let shared = Support::of(fact("/a"));
        let mut copy = shared.clone();
        copy.merge(&Support::of(fact("/b")));
        assert_eq!(shared.facts(), &[fact("/a")]);
        assert_eq!(copy.facts(), &[fact("/a"), fact("/b")]);
    }

    #[test]
    fn empty_support_is_empty_however_it_is_made() {
        let empty = Support::from_parts(Vec::new(), Vec::new());
        assert_eq!(empty, Support::default());
        assert!(empty.facts().is_empty() && !empty.is_indeterminate());
        let mut a = Support::default();
        a.merge(&Support::of(fact("/x")));
        assert_eq!(a, Support::of(fact("/x")));
        assert_eq!(Support::of(fact("/x")).union(&Support::default()), a);
    }

    #[test]
    fn unknowns_union_their_support_under_and_and_or() {
        let x = Truth::Unknown(Support::of(fact("/x")));
        let y = Truth::Unknown(Support::of(fact("/y")));
        let both = Support::from_parts(vec![fact("/x"), fact("/y")], Vec::new());
        assert_eq!(x.clone().and(y.clone()), Truth::Unknown(both.clone()));
        assert_eq!(x.clone().or(y), Truth::Unknown(both));
        assert_eq!(x.clone().and(Truth::False), Truth::False);
        assert_eq!(x.or(Truth::True), Truth::True);
    }
}
