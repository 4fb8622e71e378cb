//! Three-valued truth and the facts an unknown depends on.

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
            Cause::Internal => {
                "a value the engine could not evaluate (an internal error: please report it)"
            }
        }
    }
}

/// What an unknown result depends on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Support {
    /// The facts it read, in the order first read, without repeats.
    pub facts: Vec<Missing>,
    /// What of it no fact settles (censoring, partial dates, division), in first-met order.
    pub causes: Vec<Cause>,
}

impl Support {
    /// Support of one fact.
    pub fn of(fact: Missing) -> Support {
        Support {
            facts: vec![fact],
            causes: Vec::new(),
        }
    }

    /// Support that no fact can settle, for `cause`.
    pub fn indeterminate(cause: Cause) -> Support {
        Support {
            facts: Vec::new(),
            causes: vec![cause],
        }
    }

    /// Whether some of it no fact settles.
    pub fn is_indeterminate(&self) -> bool {
        !self.causes.is_empty()
    }

    /// The one-line explanation `indeterminate` gives: "depends on a censored value".
    pub fn reason(&self) -> String {
        let words: Vec<&str> = self.causes.iter().map(|c| c.words()).collect();
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

    /// Adds another support's facts (keeping first-read order, no repeats).
    pub fn merge(&mut self, other: &Support) {
        for fact in &other.facts {
            if !self.facts.contains(fact) {
                self.facts.push(fact.clone());
            }
        }
        for cause in &other.causes {
            if !self.causes.contains(cause) {
                self.causes.push(*cause);
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
    pub fn and(self, other: Truth) -> Truth {
        match (self, other) {
            (Truth::False, _) | (_, Truth::False) => Truth::False,
            (Truth::True, t) | (t, Truth::True) => t,
            (Truth::Unknown(a), Truth::Unknown(b)) => Truth::Unknown(a.union(&b)),
        }
    }

    /// Kleene `or`: true wins (with empty support); unknowns union their support.
    pub fn or(self, other: Truth) -> Truth {
        match (self, other) {
            (Truth::True, _) | (_, Truth::True) => Truth::True,
            (Truth::False, t) | (t, Truth::False) => t,
            (Truth::Unknown(a), Truth::Unknown(b)) => Truth::Unknown(a.union(&b)),
        }
    }
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
