//! The types the checker infers.

use std::fmt;

/// A unit as the checker sees it: its spelling and its dimension's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitTy {
    /// The unit as written (normalised).
    pub spelling: String,
    /// The dimension, in words (units compare when dimensions are equal).
    pub dimension: String,
    /// Whether it is a calendar duration (months, years).
    pub calendar: bool,
    /// Whether it is a fixed duration (days, weeks).
    pub fixed_duration: bool,
    /// The analyte it measures (a field declared `analyte NAME`), if any.
    pub analyte: Option<AnalyteTy>,
}

/// An analyte as the checker sees it: its name and the two dimensions it
/// relates, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalyteTy {
    /// Its declared name.
    pub name: String,
    /// The dimensions it converts between.
    pub dimensions: [String; 2],
}

impl UnitTy {
    /// A unit of the table, as the checker sees it.
    pub fn of(unit: &crate::units::Unit) -> UnitTy {
        UnitTy {
            spelling: unit.spelling().to_string(),
            dimension: unit.dimension().describe(),
            calendar: unit.is_calendar(),
            fixed_duration: unit.is_fixed_duration(),
            analyte: unit.analyte().map(|a| AnalyteTy {
                name: a.name().to_string(),
                dimensions: a.dimensions().map(|d| d.describe()),
            }),
        }
    }

    /// Whether values in this unit compare with values in `other`: one
    /// dimension, or the two an analyte either measures relates (and not two
    /// different analytes), as [`crate::units::Unit::converts_to`] decides.
    pub fn converts_to(&self, other: &UnitTy) -> bool {
        if self.dimension == other.dimension {
            return true;
        }
        let analyte = match (&self.analyte, &other.analyte) {
            (Some(a), Some(b)) if a.name != b.name => return false,
            (a, b) => a.as_ref().or(b.as_ref()),
        };
        analyte.is_some_and(|a| {
            let has = |d: &String| a.dimensions.contains(d);
            has(&self.dimension) && has(&other.dimension)
        })
    }

    /// Whether it is a length of time (fixed or calendar).
    pub fn is_duration(&self) -> bool {
        self.calendar || self.fixed_duration
    }
}

/// The type of an expression or a field. A diagnostic never shows a type
/// that [`has_error`](Ty::has_error): its problem was reported already.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ty {
    /// An expression that already has an error: fits anywhere, reported once.
    Error,
    /// `bool`
    Bool,
    /// `int` or `number`, with a unit (durations are numbers in a time unit).
    Num {
        /// Whether declared `int`.
        int: bool,
        /// The unit, if any.
        unit: Option<UnitTy>,
    },
    /// `text`
    Text,
    /// `date`
    Date,
    /// A value of an enum.
    Enum(String),
    /// A record.
    Record(String),
    /// `list of T`
    List(Box<Ty>),
    /// `set of T`
    Set(Box<Ty>),
    /// `map of K to V`
    Map(Box<Ty>, Box<Ty>),
    /// `series UNIT`
    Series(Option<UnitTy>),
    /// `history of R`
    History(String),
    /// One dated value of a series, as a collection member (`p in psa`).
    Point(Option<UnitTy>),
    /// One line of a history (a record of type R).
    Line(String),
    /// An agent.
    Agent,
    /// A regimen.
    Regimen,
    /// A class of agents or regimens.
    Class,
    /// A tag.
    Tag,
    /// `T?`
    Optional(Box<Ty>),
    /// `a..b`
    Range(Box<Ty>),
    /// The literal `none`.
    NoneLit,
    /// A `duration` field: a fixed or calendar length of time.
    Duration,
}

impl Ty {
    /// A number without a unit.
    pub fn bare_number() -> Ty {
        Ty::Num {
            int: false,
            unit: None,
        }
    }

    /// The type inside an optional, or itself.
    pub fn strip_optional(&self) -> &Ty {
        match self {
            Ty::Optional(inner) => inner.strip_optional(),
            other => other,
        }
    }

    /// Whether the type is `T?`.
    pub fn is_optional(&self) -> bool {
        matches!(self, Ty::Optional(_))
    }

    /// Whether values of this type name options (regimens or agents).
    pub fn is_option(&self) -> bool {
        matches!(self, Ty::Agent | Ty::Regimen | Ty::Error)
    }

    /// Whether values of this type are vocabulary (agents, regimens, classes, tags).
    pub fn is_vocab(&self) -> bool {
        matches!(
            self,
            Ty::Agent | Ty::Regimen | Ty::Class | Ty::Tag | Ty::Error
        )
    }

    /// The element type of a collection.
    pub fn element(&self) -> Option<Ty> {
        match self {
            Ty::List(t) | Ty::Set(t) | Ty::Range(t) => Some((**t).clone()),
            Ty::Map(k, _) => Some((**k).clone()),
            Ty::History(r) => Some(Ty::Line(r.clone())),
            Ty::Error => Some(Ty::Error),
            _ => None,
        }
    }

    /// Whether the type is or holds [`Ty::Error`]: a problem already
    /// reported, so nothing more is said about a value of this type.
    pub fn has_error(&self) -> bool {
        match self {
            Ty::Error => true,
            Ty::List(t) | Ty::Set(t) | Ty::Optional(t) | Ty::Range(t) => t.has_error(),
            Ty::Map(k, v) => k.has_error() || v.has_error(),
            _ => false,
        }
    }

    /// Whether the type is a duration (a number in a unit of time, or `duration`).
    pub fn is_duration(&self) -> bool {
        match self {
            Ty::Duration => true,
            Ty::Num { unit: Some(u), .. } => u.is_duration(),
            _ => false,
        }
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Error => write!(f, "a type with an error"),
            Ty::Bool => write!(f, "bool"),
            Ty::Num { int, unit } => {
                write!(f, "{}", if *int { "int" } else { "number" })?;
                match unit {
                    Some(u) => write!(f, " {}", u.spelling),
                    None => Ok(()),
                }
            }
            Ty::Text => write!(f, "text"),
            Ty::Date => write!(f, "date"),
            Ty::Enum(name) | Ty::Record(name) => write!(f, "{name}"),
            Ty::List(t) => write!(f, "list of {t}"),
            Ty::Set(t) => write!(f, "set of {t}"),
            Ty::Map(k, v) => write!(f, "map of {k} to {v}"),
            Ty::Series(Some(u)) => write!(f, "series {}", u.spelling),
            Ty::Series(None) => write!(f, "series"),
            Ty::History(r) => write!(f, "history of {r}"),
            Ty::Point(Some(u)) => write!(f, "a point of series {}", u.spelling),
            Ty::Point(None) => write!(f, "a point of a series"),
            Ty::Line(r) => write!(f, "{r} (a history line)"),
            Ty::Agent => write!(f, "agent"),
            Ty::Regimen => write!(f, "regimen"),
            Ty::Class => write!(f, "class"),
            Ty::Tag => write!(f, "tag"),
            Ty::Optional(t) => match **t {
                Ty::List(_) | Ty::Set(_) | Ty::Map(..) => write!(f, "({t})?"),
                _ => write!(f, "{t}?"),
            },
            Ty::Range(t) => write!(f, "range of {t}"),
            Ty::NoneLit => write!(f, "none"),
            Ty::Duration => write!(f, "duration"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(t: Ty) -> Ty {
        Ty::List(Box::new(t))
    }

    #[test]
    fn an_error_anywhere_inside_is_found() {
        assert!(Ty::Error.has_error());
        assert!(list(Ty::Error).has_error());
        assert!(Ty::Optional(Box::new(list(Ty::Error))).has_error());
        assert!(Ty::Map(Box::new(Ty::Text), Box::new(Ty::Error)).has_error());
        assert!(!Ty::Map(Box::new(Ty::Text), Box::new(Ty::Bool)).has_error());
        assert!(!list(Ty::Date).has_error());
    }

    #[test]
    fn types_read_as_written() {
        assert_eq!(
            Ty::Optional(Box::new(list(Ty::Date))).to_string(),
            "(list of date)?"
        );
        assert_eq!(
            list(Ty::Optional(Box::new(Ty::Date))).to_string(),
            "list of date?"
        );
        assert!(!list(Ty::Error).to_string().contains('{'));
    }
}
