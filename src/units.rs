//! Units of measure: dimensions, the built-in unit table, protocol
//! declarations, and exact conversion between units of one dimension.
//!
//! Numbers are [`Decimal`]s throughout, never binary floats. Linear units
//! carry a factor to their dimension's base unit, and converting multiplies
//! by one factor and divides by the other (Decimal arithmetic: exact when the
//! result fits in 28 significant digits, else rounded by `rust_decimal`).
//!
//! A `log10 X` unit is the base-10 logarithm of a value in unit `X`
//! (`2.30 log10 copies/mL` is 10^2.30 ≈ 199.53 copies/mL). Converting to or
//! from a log unit goes through [`pow10`] and [`log10`], which compute with
//! Decimal's 28 significant digits: the result is correct to a relative
//! error below 1e-26 (the last one or two digits may be off), and callers
//! compare the result unrounded.
//!
//! Spelling rules (see [`normalize_spelling`]): whitespace is ignored, the
//! Greek mu `μ` and a micro prefix written `u` (`umol/L`, `ug/L`, `/uL`)
//! read as the micro sign `µ`, superscript digits read as digits (`m²` is
//! `m2`; after a digit, as a power: `×10⁹/L` is `x10^9/L`), `×` reads as `x`.
//! Otherwise spelling is exact and case matters (`mL` is not `ML`); other
//! spellings come from `unit alias "ml/min" = mL/min`. `mcg` (µg), `sec`,
//! `hr` and a few other clinical spellings are built-in aliases.
//!
//! Fixed durations (ms … weeks) and calendar durations (months, years) are
//! different dimensions, so they never convert into one another.
//!
//! An [`Analyte`] a protocol declares relates two dimensions for one
//! substance (bilirubin's mg/dL and µmol/L; HbA1c's % and mmol/mol,
//! affinely); a unit that measures it ([`Unit::of_analyte`]) converts into
//! the other dimension too.

use std::collections::BTreeMap;
use std::collections::HashSet;
use std::fmt;
use std::sync::{Mutex, OnceLock};

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

/// What a unit measures; units convert only within one dimension.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dimension {
    /// Fixed-length durations: ms, s, min, hours, days, weeks (base: s).
    FixedDuration,
    /// Calendar durations: months, years (base: months).
    CalendarDuration,
    /// Mass per volume: g/L, mg/dL, ng/mL, … (base: g/L).
    MassConcentration,
    /// Amount of substance per volume: mol/L, µmol/L, … (base: mol/L).
    MolarConcentration,
    /// Counts per volume: x10^9/L, /µL, cells/µL, … (base: /L).
    CountConcentration,
    /// Copies of a nucleic acid per volume: copies/mL (viral load; base: copies/mL).
    CopyConcentration,
    /// Volume per time: mL/min, L/h (base: L/h).
    VolumeFlow,
    /// Volume flow normalised to 1.73 m² body surface area (eGFR).
    NormalisedFlow,
    /// A percentage (%).
    Percent,
    /// Amount of substance per amount of substance: mmol/mol (HbA1c, IFCC).
    AmountFraction,
    /// Volume: µL, mL, dL, L (base: L).
    Volume,
    /// Mass: µg, mg, g, kg (base: g).
    Mass,
    /// Length: mm, cm, m (base: m).
    Length,
    /// Area: cm2, m2 (base: m2).
    Area,
    /// Body mass index (kg/m2).
    BodyMassIndex,
    /// Pressure (mmHg).
    Pressure,
    /// Enzyme activity per volume: U/L, IU/L, IU/mL, kU/L (base: U/L).
    ActivityConcentration,
    /// Dose per body surface area: mg/m2, g/m2 (base: mg/m2).
    DosePerArea,
    /// Dose per body mass: mg/kg, µg/kg (base: mg/kg).
    DosePerMass,
    /// A dimension a protocol declared with `unit NAME`, named by its base unit.
    Declared(String),
}

impl Dimension {
    /// Words for messages, e.g. "volume flow (e.g. mL/min)".
    pub fn describe(&self) -> String {
        match self {
            Dimension::Declared(base) => format!("declared unit ({base})"),
            other => other.builtin_words().to_string(),
        }
    }

    fn builtin_words(&self) -> &'static str {
        match self {
            Dimension::FixedDuration => "fixed duration (days, weeks)",
            Dimension::CalendarDuration => "calendar duration (months, years)",
            Dimension::MassConcentration => "mass concentration (e.g. mg/dL)",
            Dimension::MolarConcentration => "molar concentration (e.g. µmol/L)",
            Dimension::CountConcentration => "count per volume (e.g. x10^9/L)",
            Dimension::CopyConcentration => "copies per volume (copies/mL)",
            Dimension::VolumeFlow => "volume flow (e.g. mL/min)",
            Dimension::NormalisedFlow => "volume flow per 1.73 m² (e.g. mL/min/1.73m2)",
            Dimension::Percent => "percentage (%)",
            Dimension::AmountFraction => "amount fraction (mmol/mol)",
            Dimension::Volume => "volume (e.g. mL)",
            Dimension::Mass => "mass (e.g. mg)",
            Dimension::Length => "length (e.g. cm)",
            Dimension::Area => "area (e.g. m2)",
            Dimension::BodyMassIndex => "body mass index (kg/m2)",
            Dimension::Pressure => "pressure (mmHg)",
            Dimension::ActivityConcentration => "activity concentration (e.g. U/L)",
            Dimension::DosePerArea => "dose per body surface area (e.g. mg/m2)",
            Dimension::DosePerMass => "dose per body mass (e.g. mg/kg)",
            Dimension::Declared(_) => "declared unit",
        }
    }
}

impl fmt::Display for Dimension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

/// One unit: its canonical spelling, dimension, factor to the dimension's
/// base unit, and whether it is a log10 scale of that linear unit.
///
/// Interned: every distinct unit exists once for the life of the process,
/// and a value carries a reference to it, so copying a quantity copies no
/// text and counts nothing up or down (threads evaluating cases side by
/// side share units without touching a common counter).
#[derive(Clone, Copy, Debug)]
pub struct Unit(&'static UnitData);

/// Interning makes equal units one and the same: comparing the references
/// is enough, and cheaper than comparing spellings (units meet on every
/// comparison and sum of two quantities).
impl PartialEq for Unit {
    fn eq(&self, other: &Unit) -> bool {
        std::ptr::eq(self.0, other.0)
    }
}

impl Eq for Unit {}

/// Hashes what equality compares: the interned reference.
impl std::hash::Hash for Unit {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        std::ptr::hash(self.0, state);
    }
}

/// What a [`Unit`] is.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct UnitData {
    spelling: String,
    dimension: Dimension,
    factor: Decimal,
    log10: bool,
    analyte: Option<Analyte>,
}

impl Unit {
    /// The one unit with these parts, interned on first use. The interner
    /// holds each distinct unit once (the built-in table and the units
    /// protocols declare), so it stays as small as the units ever seen.
    fn new(spelling: String, dimension: Dimension, factor: Decimal, log10: bool) -> Unit {
        Unit::intern(UnitData {
            spelling,
            dimension,
            factor,
            log10,
            analyte: None,
        })
    }

    fn intern(data: UnitData) -> Unit {
        static INTERNED: OnceLock<Mutex<HashSet<&'static UnitData>>> = OnceLock::new();
        let interned = INTERNED.get_or_init(|| Mutex::new(HashSet::new()));
        let mut set = match interned.lock() {
            Ok(set) => set,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(found) = set.get(&data) {
            return Unit(found);
        }
        let leaked: &'static UnitData = Box::leak(Box::new(data));
        set.insert(leaked);
        Unit(leaked)
    }
}

impl Unit {
    /// The canonical spelling (`µmol/L`, `log10 copies/mL`).
    pub fn spelling(&self) -> &str {
        &self.0.spelling
    }

    /// The dimension this unit measures.
    pub fn dimension(&self) -> &Dimension {
        &self.0.dimension
    }

    /// Factor to the dimension's base unit (of the linear unit, for log units).
    pub fn factor(&self) -> Decimal {
        self.0.factor
    }

    /// Whether this is a `log10 X` unit.
    pub fn is_log10(&self) -> bool {
        self.0.log10
    }

    /// Whether this is a (linear) duration, fixed or calendar.
    pub fn is_duration(&self) -> bool {
        self.is_fixed_duration() || self.is_calendar()
    }

    /// Whether this is a (linear) fixed duration: s, min, hours, days, weeks.
    pub fn is_fixed_duration(&self) -> bool {
        !self.0.log10 && self.0.dimension == Dimension::FixedDuration
    }

    /// Whether this is a (linear) calendar duration: months, years.
    pub fn is_calendar(&self) -> bool {
        !self.0.log10 && self.0.dimension == Dimension::CalendarDuration
    }

    /// Whether `self` and `other` measure the same dimension.
    pub fn same_dimension(&self, other: &Unit) -> bool {
        self.0.dimension == other.0.dimension
    }

    /// Whether values in `self` convert into `other`: one dimension, or the
    /// two dimensions an analyte either unit measures relates (and no two
    /// different analytes).
    pub fn converts_to(&self, other: &Unit) -> bool {
        if self.same_dimension(other) {
            return true;
        }
        shared_analyte(self, other).is_some_and(|a| a.relates(self, other))
    }

    /// The analyte this unit measures (`mg/dL` of a field declared
    /// `analyte bilirubin`), if any.
    pub fn analyte(&self) -> Option<&Analyte> {
        self.0.analyte.as_ref()
    }

    /// This unit as a measure of `analyte`; `None` when the analyte relates
    /// no dimension of this unit.
    pub fn of_analyte(&self, analyte: &Analyte) -> Option<Unit> {
        let bridge = &analyte.bridge;
        if !self.same_dimension(&bridge.from) && !self.same_dimension(&bridge.to) {
            return None;
        }
        Some(self.with(self.0.spelling.clone(), self.0.log10, Some(analyte.clone())))
    }

    /// The same unit with another spelling, scale or analyte.
    fn with(&self, spelling: String, log10: bool, analyte: Option<Analyte>) -> Unit {
        Unit::intern(UnitData {
            spelling,
            dimension: self.0.dimension.clone(),
            factor: self.0.factor,
            log10,
            analyte,
        })
    }

    /// The linear unit under a log unit (`copies/mL` for `log10 copies/mL`);
    /// a linear unit is returned as it is.
    pub fn linear(&self) -> Unit {
        let spelling = self.0.spelling.strip_prefix(LOG10_PREFIX);
        let spelling = spelling.unwrap_or(&self.0.spelling).to_string();
        self.with(spelling, false, self.0.analyte.clone())
    }

    /// The `log10` scale of this linear unit; `None` for a log unit.
    pub fn to_log10(&self) -> Option<Unit> {
        if self.0.log10 {
            return None;
        }
        let spelling = format!("{LOG10_PREFIX}{}", self.0.spelling);
        Some(self.with(spelling, true, self.0.analyte.clone()))
    }
}

/// A substance whose concentration a protocol lets convert between two
/// dimensions: `analyte bilirubin: 1 mg/dL = 17.1 µmol/L` (mass ↔ molar) or
/// `analyte hba1c: mmol/mol = 10.929 * (% - 2.15)` (affine).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Analyte {
    name: String,
    bridge: Bridge,
}

/// An analyte's conversion: `to = (from − offset) × to_amount / from_amount`
/// (`A from = B to` is `from_amount` A, `to_amount` B, offset 0).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Bridge {
    /// The unit the conversion reads from.
    pub from: Unit,
    /// How much of `from` …
    pub from_amount: Decimal,
    /// … is worth how much of `to` (after subtracting `offset`).
    pub to_amount: Decimal,
    /// The unit the conversion gives.
    pub to: Unit,
    /// Subtracted from a value in `from` first (0 for a plain ratio).
    pub offset: Decimal,
}

impl Analyte {
    /// The analyte's name, as declared.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The two dimensions it relates.
    pub fn dimensions(&self) -> [&Dimension; 2] {
        [self.bridge.from.dimension(), self.bridge.to.dimension()]
    }

    /// Whether it relates the dimensions of `a` and `b` (one each).
    fn relates(&self, a: &Unit, b: &Unit) -> bool {
        let (f, t) = (&self.bridge.from, &self.bridge.to);
        (a.same_dimension(f) && b.same_dimension(t)) || (a.same_dimension(t) && b.same_dimension(f))
    }

    /// `value` in `from` as a value in `to`, across the bridge: forward from
    /// the `from` side, backward from the `to` side.
    fn carry(&self, value: Decimal, from: &Unit, to: &Unit) -> Option<Decimal> {
        let bridge = &self.bridge;
        if from.same_dimension(&bridge.from) && to.same_dimension(&bridge.to) {
            let read = convert(value, from, &bridge.from)?;
            return convert(bridge.forward(read)?, &bridge.to, to);
        }
        if from.same_dimension(&bridge.to) && to.same_dimension(&bridge.from) {
            let read = convert(value, from, &bridge.to)?;
            return convert(bridge.backward(read)?, &bridge.from, to);
        }
        None
    }
}

impl Bridge {
    /// A value in `from` as one in `to`: exact unless `from_amount` is not 1
    /// (then rounded as `/` rounds).
    fn forward(&self, value: Decimal) -> Option<Decimal> {
        let shifted = value.checked_sub(self.offset)?;
        let scaled = shifted.checked_mul(self.to_amount)?;
        Some(scaled.checked_div(self.from_amount)?.normalize())
    }

    /// A value in `to` as one in `from`: divides by `to_amount`, rounded at
    /// Decimal's precision (28 significant digits) when not exact.
    fn backward(&self, value: Decimal) -> Option<Decimal> {
        let scaled = value.checked_mul(self.from_amount)?;
        let unscaled = scaled.checked_div(self.to_amount)?;
        Some(unscaled.checked_add(self.offset)?.normalize())
    }
}

/// The analyte a conversion between `a` and `b` goes through: the one
/// either measures, unless they measure two different analytes.
fn shared_analyte<'u>(a: &'u Unit, b: &'u Unit) -> Option<&'u Analyte> {
    match (a.analyte(), b.analyte()) {
        (Some(x), Some(y)) if x.name != y.name => None,
        (x, y) => x.or(y),
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.spelling)
    }
}

/// Why a unit declaration was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UnitError {
    /// The unit referred to is not known.
    Unknown(String),
    /// The spelling already names a different unit (its canonical spelling).
    Conflict {
        /// The spelling being declared.
        spelling: String,
        /// The canonical spelling of the unit it already names.
        existing: String,
    },
    /// The spelling is empty or starts with `log10 `.
    BadSpelling(String),
    /// A scale factor that is zero, negative or out of range.
    BadFactor(Decimal),
    /// A scaled unit cannot be declared from a log unit.
    LogScale(String),
    /// An analyte's two units are of one dimension (a plain `unit X = F Y`).
    OneDimension {
        /// One unit.
        from: String,
        /// The other.
        to: String,
    },
    /// The analyte is already declared with another conversion.
    AnalyteTwice(String),
}

impl fmt::Display for UnitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnitError::Unknown(u) => write!(f, "unknown unit `{u}`"),
            UnitError::Conflict { spelling, existing } => {
                write!(f, "`{spelling}` already names the unit `{existing}`")
            }
            UnitError::BadSpelling(s) => write!(f, "`{s}` cannot be declared as a unit"),
            UnitError::BadFactor(x) => write!(f, "unit factor {x} must be positive"),
            UnitError::LogScale(u) => write!(f, "`{u}` is a log scale; scale a linear unit"),
            UnitError::OneDimension { from, to } => {
                write!(f, "`{from}` and `{to}` are of one dimension already")
            }
            UnitError::AnalyteTwice(name) => {
                write!(
                    f,
                    "the analyte `{name}` is declared with another conversion"
                )
            }
        }
    }
}

impl std::error::Error for UnitError {}

const LOG10_PREFIX: &str = "log10 ";

/// Built-in units: (spelling, dimension, factor mantissa, factor scale).
const BUILT_INS: &[(&str, Dimension, i64, u32)] = &[
    ("ms", Dimension::FixedDuration, 1, 3),
    ("s", Dimension::FixedDuration, 1, 0),
    ("min", Dimension::FixedDuration, 60, 0),
    ("hours", Dimension::FixedDuration, 3_600, 0),
    ("days", Dimension::FixedDuration, 86_400, 0),
    ("weeks", Dimension::FixedDuration, 604_800, 0),
    ("months", Dimension::CalendarDuration, 1, 0),
    ("years", Dimension::CalendarDuration, 12, 0),
    ("g/L", Dimension::MassConcentration, 1, 0),
    ("g/dL", Dimension::MassConcentration, 10, 0),
    ("mg/mL", Dimension::MassConcentration, 1, 0),
    ("mg/dL", Dimension::MassConcentration, 1, 2),
    ("mg/L", Dimension::MassConcentration, 1, 3),
    ("µg/mL", Dimension::MassConcentration, 1, 3),
    ("µg/dL", Dimension::MassConcentration, 1, 5),
    ("µg/L", Dimension::MassConcentration, 1, 6),
    ("ng/mL", Dimension::MassConcentration, 1, 6),
    ("ng/dL", Dimension::MassConcentration, 1, 8),
    ("ng/L", Dimension::MassConcentration, 1, 9),
    ("pg/mL", Dimension::MassConcentration, 1, 9),
    ("mol/L", Dimension::MolarConcentration, 1, 0),
    ("mmol/L", Dimension::MolarConcentration, 1, 3),
    ("µmol/L", Dimension::MolarConcentration, 1, 6),
    ("nmol/L", Dimension::MolarConcentration, 1, 9),
    ("pmol/L", Dimension::MolarConcentration, 1, 12),
    ("/L", Dimension::CountConcentration, 1, 0),
    (
        "x10^12/L",
        Dimension::CountConcentration,
        1_000_000_000_000,
        0,
    ),
    ("x10^9/L", Dimension::CountConcentration, 1_000_000_000, 0),
    ("x10^6/L", Dimension::CountConcentration, 1_000_000, 0),
    ("x10^3/µL", Dimension::CountConcentration, 1_000_000_000, 0),
    ("/µL", Dimension::CountConcentration, 1_000_000, 0),
    ("cells/µL", Dimension::CountConcentration, 1_000_000, 0),
    ("/mm3", Dimension::CountConcentration, 1_000_000, 0),
    ("cells/mm3", Dimension::CountConcentration, 1_000_000, 0),
    ("copies/mL", Dimension::CopyConcentration, 1, 0),
    ("L/h", Dimension::VolumeFlow, 1, 0),
    ("L/min", Dimension::VolumeFlow, 60, 0),
    ("mL/min", Dimension::VolumeFlow, 6, 2),
    ("mL/h", Dimension::VolumeFlow, 1, 3),
    ("mL/min/1.73m2", Dimension::NormalisedFlow, 1, 0),
    ("%", Dimension::Percent, 1, 0),
    ("mmol/mol", Dimension::AmountFraction, 1, 0),
    ("µL", Dimension::Volume, 1, 6),
    ("mL", Dimension::Volume, 1, 3),
    ("dL", Dimension::Volume, 1, 1),
    ("L", Dimension::Volume, 1, 0),
    ("µg", Dimension::Mass, 1, 6),
    ("mg", Dimension::Mass, 1, 3),
    ("g", Dimension::Mass, 1, 0),
    ("kg", Dimension::Mass, 1_000, 0),
    ("mm", Dimension::Length, 1, 3),
    ("cm", Dimension::Length, 1, 2),
    ("m", Dimension::Length, 1, 0),
    ("cm2", Dimension::Area, 1, 4),
    ("m2", Dimension::Area, 1, 0),
    ("kg/m2", Dimension::BodyMassIndex, 1, 0),
    ("mmHg", Dimension::Pressure, 1, 0),
    ("U/L", Dimension::ActivityConcentration, 1, 0),
    ("IU/L", Dimension::ActivityConcentration, 1, 0),
    ("mIU/mL", Dimension::ActivityConcentration, 1, 0),
    ("mIU/L", Dimension::ActivityConcentration, 1, 3),
    ("mU/L", Dimension::ActivityConcentration, 1, 3),
    ("IU/mL", Dimension::ActivityConcentration, 1_000, 0),
    ("kU/L", Dimension::ActivityConcentration, 1_000, 0),
    ("mg/m2", Dimension::DosePerArea, 1, 0),
    ("g/m2", Dimension::DosePerArea, 1_000, 0),
    ("mg/kg", Dimension::DosePerMass, 1, 0),
    ("µg/kg", Dimension::DosePerMass, 1, 3),
];

/// Built-in alternative spellings: (spelling, canonical unit).
const BUILT_IN_ALIASES: &[(&str, &str)] = &[
    ("msec", "ms"),
    ("sec", "s"),
    ("h", "hours"),
    ("hr", "hours"),
    ("hrs", "hours"),
    ("hour", "hours"),
    ("day", "days"),
    ("d", "days"),
    ("week", "weeks"),
    ("wk", "weeks"),
    ("month", "months"),
    ("mo", "months"),
    ("year", "years"),
    ("y", "years"),
    ("yr", "years"),
    ("mcg", "µg"),
    ("mcg/L", "µg/L"),
    ("mcg/mL", "µg/mL"),
    ("mcg/kg", "µg/kg"),
    ("10^9/L", "x10^9/L"),
    ("10*9/L", "x10^9/L"),
    ("x10*9/L", "x10^9/L"),
    ("10^12/L", "x10^12/L"),
    ("10*12/L", "x10^12/L"),
    ("x10*12/L", "x10^12/L"),
];

/// Letters that may follow a micro prefix written `u` (`umol`, `ug`, `uL`).
const MICRO_STEMS: &[&str] = &["g", "mol", "L", "l", "m", "s", "U", "IU", "M", "kat"];

/// The built-in units plus a protocol's declarations and aliases.
#[derive(Clone, Debug)]
pub struct UnitTable {
    units: BTreeMap<String, Unit>,
    aliases: BTreeMap<String, Unit>,
    analytes: BTreeMap<String, Analyte>,
}

impl Default for UnitTable {
    fn default() -> Self {
        Self::new()
    }
}

impl UnitTable {
    /// The built-in table (no declarations).
    pub fn new() -> Self {
        let units = BUILT_INS.iter().map(builtin_unit);
        let units: BTreeMap<String, Unit> = units.map(|u| (u.0.spelling.clone(), u)).collect();
        let aliases = BUILT_IN_ALIASES
            .iter()
            .filter_map(|(alias, canon)| Some((alias.to_string(), *units.get(*canon)?)))
            .collect();
        UnitTable {
            units,
            aliases,
            analytes: BTreeMap::new(),
        }
    }

    /// The unit a spelling names: a unit, an alias, or `log10 X` for a
    /// linear unit `X` (spelling normalised by [`normalize_spelling`]).
    pub fn lookup(&self, text: &str) -> Option<Unit> {
        match split_log10(text) {
            Some(inner) => self.lookup_plain(inner)?.to_log10(),
            None => self.lookup_plain(text),
        }
    }

    fn lookup_plain(&self, text: &str) -> Option<Unit> {
        if is_normal(text) {
            return self
                .units
                .get(text)
                .or_else(|| self.aliases.get(text))
                .cloned();
        }
        let key = normalize_spelling(text);
        self.units
            .get(&key)
            .or_else(|| self.aliases.get(&key))
            .cloned()
    }

    /// The known spelling that differs from `text` only in case
    /// (`ml/min` → `mL/min`), the best suggestion for an unknown unit.
    pub fn other_case(&self, text: &str) -> Option<&str> {
        let lower = normalize_spelling(text).to_lowercase();
        self.names().find(|n| n.to_lowercase() == lower)
    }

    /// The known spellings among which to look for a suggestion for the
    /// unknown `text`: those in the dimensions of the units that share its
    /// numerator or its denominator, ignoring case (`ml/mn` → the volume
    /// flows, not `mL`), else those with no `/` when `text` has none (`mss`
    /// → `ms`, `s`, …).
    pub fn likely<'t>(&'t self, text: &str) -> Vec<&'t str> {
        let key = normalize_spelling(text);
        let dimensions: Vec<&Dimension> = self
            .spellings()
            .filter(|(name, _)| shares_a_part(name, &key))
            .map(|(_, unit)| &unit.0.dimension)
            .collect();
        let likely = self
            .spellings()
            .filter(|(_, unit)| dimensions.contains(&&unit.0.dimension))
            .map(|(name, _)| name);
        let mut names: Vec<&str> = likely.collect();
        if names.is_empty() && !key.contains('/') {
            names = self.names().filter(|n| !n.contains('/')).collect();
        }
        names
    }

    fn spellings(&self) -> impl Iterator<Item = (&str, &Unit)> + '_ {
        let all = self.units.iter().chain(self.aliases.iter());
        all.map(|(name, unit)| (name.as_str(), unit))
    }

    /// Every spelling the table knows (units, then aliases), for "did you mean".
    pub fn names(&self) -> impl Iterator<Item = &str> + '_ {
        let units = self.units.keys();
        units.chain(self.aliases.keys()).map(String::as_str)
    }

    /// `unit alias "ml/min" = mL/min`: `spelling` also names `unit`.
    /// Declaring an alias that already names the same unit is allowed.
    pub fn declare_alias(&mut self, spelling: &str, unit: &str) -> Result<(), UnitError> {
        let key = new_spelling(spelling)?;
        let target = self
            .lookup(unit)
            .ok_or_else(|| UnitError::Unknown(unit.to_string()))?;
        self.check_free(&key, &target)?;
        self.aliases.insert(key, target);
        Ok(())
    }

    /// `unit copies/mL`: a new unit that is the base of a dimension of its own.
    /// Declaring the same base unit again is allowed, and so is declaring a
    /// built-in unit that is the base of its dimension (`unit copies/mL`
    /// changes nothing: it is built in).
    pub fn declare_base(&mut self, unit: &str) -> Result<(), UnitError> {
        let key = new_spelling(unit)?;
        if self.units.get(&key).is_some_and(is_base) {
            return Ok(());
        }
        let new = Unit::new(
            key.clone(),
            Dimension::Declared(key.clone()),
            Decimal::ONE,
            false,
        );
        self.insert_unit(key, new)
    }

    /// `unit kU/L = 1000 U/L`: a new unit worth `factor` of the linear unit
    /// `of`, in `of`'s dimension. Repeating a built-in's definition is allowed.
    pub fn declare_scaled(
        &mut self,
        unit: &str,
        factor: Decimal,
        of: &str,
    ) -> Result<(), UnitError> {
        let key = new_spelling(unit)?;
        if factor <= Decimal::ZERO {
            return Err(UnitError::BadFactor(factor));
        }
        let base = self
            .lookup(of)
            .ok_or_else(|| UnitError::Unknown(of.to_string()))?;
        if base.0.log10 {
            return Err(UnitError::LogScale(base.0.spelling.clone()));
        }
        let scaled = factor
            .checked_mul(base.0.factor)
            .ok_or(UnitError::BadFactor(factor))?;
        let new = Unit::new(key.clone(), base.0.dimension.clone(), scaled, false);
        self.insert_unit(key, new)
    }

    /// `analyte NAME: …`: the conversion between two dimensions that holds
    /// for this analyte. The units must be known, linear and of two
    /// dimensions, the amounts positive; declaring the same again is allowed.
    pub fn declare_analyte(&mut self, name: &str, bridge: Bridge) -> Result<(), UnitError> {
        for unit in [&bridge.from, &bridge.to] {
            if unit.is_log10() {
                return Err(UnitError::LogScale(unit.spelling().to_string()));
            }
        }
        if bridge.from.same_dimension(&bridge.to) {
            let (from, to) = (bridge.from.spelling(), bridge.to.spelling());
            let (from, to) = (from.to_string(), to.to_string());
            return Err(UnitError::OneDimension { from, to });
        }
        for amount in [bridge.from_amount, bridge.to_amount] {
            if amount <= Decimal::ZERO {
                return Err(UnitError::BadFactor(amount));
            }
        }
        let analyte = Analyte {
            name: name.to_string(),
            bridge,
        };
        match self.analytes.get(name) {
            Some(existing) if *existing != analyte => Err(UnitError::AnalyteTwice(name.into())),
            _ => {
                self.analytes.insert(name.to_string(), analyte);
                Ok(())
            }
        }
    }

    /// The analyte declared as `name`.
    pub fn analyte(&self, name: &str) -> Option<&Analyte> {
        self.analytes.get(name)
    }

    /// The names of the declared analytes, for "did you mean".
    pub fn analyte_names(&self) -> impl Iterator<Item = &str> + '_ {
        self.analytes.keys().map(String::as_str)
    }

    fn insert_unit(&mut self, key: String, unit: Unit) -> Result<(), UnitError> {
        self.check_free(&key, &unit)?;
        self.units.insert(key, unit);
        Ok(())
    }

    /// Ok when `key` names nothing yet, or already names `unit`.
    fn check_free(&self, key: &str, unit: &Unit) -> Result<(), UnitError> {
        match self.lookup_plain(key) {
            Some(existing) if same_meaning(&existing, unit) => Ok(()),
            Some(existing) => Err(UnitError::Conflict {
                spelling: key.to_string(),
                existing: existing.0.spelling.clone(),
            }),
            None => Ok(()),
        }
    }
}

/// Whether a unit is the base of its dimension (factor 1, linear).
fn is_base(unit: &Unit) -> bool {
    unit.0.factor == Decimal::ONE && !unit.0.log10
}

fn builtin_unit(entry: &(&str, Dimension, i64, u32)) -> Unit {
    let (spelling, dimension, mantissa, scale) = entry;
    Unit::new(
        spelling.to_string(),
        dimension.clone(),
        Decimal::new(*mantissa, *scale),
        false,
    )
}

/// Whether two spellings with a `/` share the part before the first `/` or
/// the part after it, ignoring case (`ml/mn` and `mL/min`; `ng/dL` and `mg/dL`).
fn shares_a_part(a: &str, b: &str) -> bool {
    let parts = |s: &str| {
        s.split_once('/')
            .map(|(n, d)| (n.to_lowercase(), d.to_lowercase()))
    };
    match (parts(a), parts(b)) {
        (Some((an, ad)), Some((bn, bd))) => (an == bn && !an.is_empty()) || ad == bd,
        _ => false,
    }
}

/// Two units mean the same when they convert one-to-one (spelling aside).
fn same_meaning(a: &Unit, b: &Unit) -> bool {
    a.0.dimension == b.0.dimension && a.0.factor == b.0.factor && a.0.log10 == b.0.log10
}

/// A spelling fit to declare: non-empty and not a `log10 X` spelling.
fn new_spelling(text: &str) -> Result<String, UnitError> {
    let key = normalize_spelling(text);
    if key.is_empty() || split_log10(text).is_some() {
        return Err(UnitError::BadSpelling(text.to_string()));
    }
    Ok(key)
}

/// `Some(X)` when `text` is `log10 X` (the word `log10`, whitespace, then X).
fn split_log10(text: &str) -> Option<&str> {
    let rest = text.trim().strip_prefix("log10")?;
    if rest.starts_with(char::is_whitespace) {
        Some(rest.trim())
    } else {
        None
    }
}

/// The canonical form of a unit spelling: whitespace removed, `μ` (Greek
/// mu) and a micro prefix `u` (a `u` starting a run of letters whose rest
/// is `g`, `mol`, `L`, `l`, `m`, `s`, `U`, `IU`, `M` or `kat`) read as `µ` (micro sign),
/// `×` as `x`, and superscript digits as digits: a power after a digit
/// (`10⁹`) as `^9`, elsewhere (`m²`) as `2`. Nothing else changes; case matters.
pub fn normalize_spelling(text: &str) -> String {
    let mut mapped = String::with_capacity(text.len());
    let (mut after_digit, mut in_power) = (false, false);
    for c in text.chars().filter(|c| !c.is_whitespace()) {
        let superscript = superscript_digit(c);
        match superscript {
            Some(digit) => {
                if after_digit && !in_power {
                    mapped.push('^');
                }
                in_power = after_digit || in_power;
                mapped.push(digit);
            }
            None => {
                in_power = false;
                mapped.push(match c {
                    'μ' => 'µ',
                    '×' => 'x',
                    other => other,
                });
            }
        }
        after_digit = c.is_ascii_digit() || in_power;
    }
    micro_prefixes(&mapped)
}

/// The digit a superscript digit stands for.
fn superscript_digit(c: char) -> Option<char> {
    let digit = match c {
        '⁰' => '0',
        '¹' => '1',
        '²' => '2',
        '³' => '3',
        '⁴' => '4',
        '⁵' => '5',
        '⁶' => '6',
        '⁷' => '7',
        '⁸' => '8',
        '⁹' => '9',
        _ => return None,
    };
    Some(digit)
}

/// Whether [`normalize_spelling`] leaves `text` as it is, plainly: ASCII
/// without whitespace or a `u` (the only bytes it rewrites), as most unit
/// spellings in case data are (`mL/min`, `L/h`).
fn is_normal(text: &str) -> bool {
    text.bytes()
        .all(|b| b.is_ascii() && !b.is_ascii_whitespace() && b != b'u')
}

/// Rewrites `u` as `µ` where it starts a run of letters whose rest is a
/// micro-able stem (`umol/L` → `µmol/L`, but `units/mL` stays).
fn micro_prefixes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut prev_letter = false;
    for (i, c) in text.char_indices() {
        let rest = text.get(i + c.len_utf8()..).unwrap_or("");
        if !prev_letter && c == 'u' && is_micro_stem(rest) {
            out.push('µ');
        } else {
            out.push(c);
        }
        prev_letter = c.is_alphabetic();
    }
    out
}

/// Whether the run of letters `rest` starts with is a micro-able stem.
fn is_micro_stem(rest: &str) -> bool {
    let end = rest
        .find(|c: char| !c.is_alphabetic())
        .unwrap_or(rest.len());
    MICRO_STEMS.contains(&rest.get(..end).unwrap_or(""))
}

/// Converts `value` from one unit to another of the same dimension, or of
/// the other dimension an analyte relates (see [`Analyte`]: exact where the
/// declared amounts divide exactly, else rounded as `/` rounds).
///
/// `None` when the dimensions differ and no analyte relates them, a log conversion meets a value ≤ 0,
/// or the result is out of Decimal's range. Converting to the same unit
/// returns `value` unchanged; other results are normalised (no trailing
/// zeros). Log conversions carry 28 significant digits (see [`pow10`]).
pub fn convert(value: Decimal, from: &Unit, to: &Unit) -> Option<Decimal> {
    if from.0.dimension != to.0.dimension {
        return shared_analyte(from, to)?.carry(value, from, to);
    }
    match (from.0.log10, to.0.log10) {
        (false, false) => rescale(value, from.0.factor, to.0.factor),
        (true, false) => rescale(pow10(value)?, from.0.factor, to.0.factor),
        (false, true) => log10(rescale(value, from.0.factor, to.0.factor)?),
        (true, true) => shift_log(value, from.0.factor, to.0.factor),
    }
}

/// `value · from / to`, through the ratio `from / to` when that is exact.
fn rescale(value: Decimal, from: Decimal, to: Decimal) -> Option<Decimal> {
    if from == to {
        return Some(value);
    }
    let result = match exact_ratio(from, to) {
        Some(ratio) => value.checked_mul(ratio)?,
        None => value.checked_mul(from)?.checked_div(to)?,
    };
    Some(result.normalize())
}

/// `from / to` when the quotient is a short exact decimal (1e-6 / 1e-3 is
/// 0.001; 1 / 0.06 is not).
fn exact_ratio(from: Decimal, to: Decimal) -> Option<Decimal> {
    let ratio = from.checked_div(to)?.normalize();
    let digits = ratio.mantissa().unsigned_abs().checked_ilog10()?;
    (digits < 20 && ratio.checked_mul(to) == Some(from)).then_some(ratio)
}

/// A log10 value in a unit of factor `from`, as a log10 value in `to`.
fn shift_log(value: Decimal, from: Decimal, to: Decimal) -> Option<Decimal> {
    if from == to {
        return Some(value);
    }
    let shift = log10(from.checked_div(to)?)?;
    Some(value.checked_add(shift)?.normalize())
}

/// ln 10 to 28 decimal places.
fn ln10() -> Decimal {
    Decimal::from_i128_with_scale(23_025_850_929_940_456_840_179_914_547, 28)
}

/// ln 2 to 28 decimal places.
fn ln2() -> Decimal {
    Decimal::from_i128_with_scale(6_931_471_805_599_453_094_172_321_215, 28)
}

/// Most series terms summed (the series converge long before).
const MAX_TERMS: u32 = 200;

/// 10^x, with 28 significant digits (relative error below 1e-26; exact for
/// integer `x`). `None` when the result is outside Decimal's range
/// (|x| > 28, roughly).
pub fn pow10(x: Decimal) -> Option<Decimal> {
    let whole = x.floor();
    let frac = x.checked_sub(whole)?;
    let exponent = i32::try_from(whole.to_i64()?).ok()?;
    let mantissa = if frac.is_zero() {
        Decimal::ONE
    } else {
        exp_series(frac.checked_mul(ln10())?)?
    };
    shift_decimal(mantissa, exponent).map(|d| d.normalize())
}

/// e^y by its Taylor series, for 0 ≤ y < 2.31 (so the result is below 10).
fn exp_series(y: Decimal) -> Option<Decimal> {
    let mut sum = Decimal::ONE;
    let mut term = Decimal::ONE;
    for k in 1..MAX_TERMS {
        term = term.checked_mul(y)?.checked_div(Decimal::from(k))?;
        if term.is_zero() {
            break;
        }
        sum = sum.checked_add(term)?;
    }
    Some(sum)
}

/// `m · 10^e` for 1 ≤ m < 10, rounding half-even to 28 places when e < 0.
fn shift_decimal(m: Decimal, e: i32) -> Option<Decimal> {
    let places = e.unsigned_abs();
    if places > 28 {
        return None;
    }
    if e >= 0 {
        return m.checked_mul(Decimal::from_i128_with_scale(10_i128.pow(places), 0));
    }
    let dp = 28_u32.checked_sub(places)?;
    let mut rounded = m.round_dp_with_strategy(dp, RoundingStrategy::MidpointNearestEven);
    let scale = rounded.scale().checked_add(places)?;
    rounded.set_scale(scale).ok()?;
    Some(rounded)
}

/// log10(x) for x > 0 (`None` otherwise), to 28 significant digits
/// (absolute error below 1e-26; exact for powers of ten).
pub fn log10(x: Decimal) -> Option<Decimal> {
    if x <= Decimal::ZERO {
        return None;
    }
    let (m, e) = split_mantissa(x)?;
    let ln_m = ln_small(m)?;
    let frac = ln_m.checked_div(ln10())?;
    Some(Decimal::from(e).checked_add(frac)?.normalize())
}

/// `x = m · 10^e` with 1 ≤ m < 10, for x > 0.
fn split_mantissa(x: Decimal) -> Option<(Decimal, i64)> {
    let digits = x.mantissa().unsigned_abs().checked_ilog10()?;
    let m = Decimal::from_i128_with_scale(x.mantissa(), digits);
    let e = i64::from(digits) - i64::from(x.scale());
    Some((m, e))
}

/// ln(m) for 1 ≤ m < 10: m = 2^k · r with r in [0.75, 1.5), then
/// ln r = 2·atanh((r − 1)/(r + 1)).
fn ln_small(m: Decimal) -> Option<Decimal> {
    let two = Decimal::TWO;
    let limit = Decimal::new(15, 1);
    let (mut r, mut k) = (m, 0_i64);
    while r >= limit {
        r = r.checked_div(two)?;
        k += 1;
    }
    let z = r
        .checked_sub(Decimal::ONE)?
        .checked_div(r.checked_add(Decimal::ONE)?)?;
    let atanh = atanh_series(z)?;
    ln2()
        .checked_mul(Decimal::from(k))?
        .checked_add(atanh.checked_mul(two)?)
}

/// atanh(z) = z + z³/3 + z⁵/5 + … for |z| ≤ 0.2.
fn atanh_series(z: Decimal) -> Option<Decimal> {
    let z2 = z.checked_mul(z)?;
    let mut power = z;
    let mut sum = z;
    for k in 1..MAX_TERMS {
        power = power.checked_mul(z2)?;
        let term = power.checked_div(Decimal::from(2 * k + 1))?;
        if term.is_zero() {
            break;
        }
        sum = sum.checked_add(term)?;
    }
    Some(sum)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap_or_else(|e| panic!("bad decimal {s}: {e}"))
    }

    fn table() -> UnitTable {
        UnitTable::new()
    }

    fn unit(t: &UnitTable, s: &str) -> Unit {
        t.lookup(s)
            .unwrap_or_else(|| panic!("unit {s} should be known"))
    }

    fn conv(t: &UnitTable, v: &str, from: &str, to: &str) -> Option<Decimal> {
        convert(d(v), &unit(t, from), &unit(t, to))
    }

    fn close(a: Decimal, b: Decimal, tol: &str) -> bool {
        (a - b).abs() <= d(tol)
    }

    #[test]
    fn a_linear_unit_converts_to_itself_unchanged() {
        let t = UnitTable::new();
        let values = [
            Decimal::new(98, 0),
            Decimal::new(9800, 2),
            Decimal::new(-15, 3),
        ];
        for name in t.names().collect::<Vec<_>>() {
            let Some(u) = t.lookup(name) else {
                panic!("{name} does not look up")
            };
            if u.is_log10() {
                continue;
            }
            for v in values {
                let converted = convert(v, &u, &u).unwrap_or_else(|| panic!("{name}"));
                assert_eq!((converted, converted.scale()), (v, v.scale()), "{name}");
            }
        }
    }

    #[test]
    fn constants_are_right() {
        assert_eq!(ln10(), d("2.3025850929940456840179914547"));
        assert_eq!(ln2(), d("0.6931471805599453094172321215"));
    }

    #[test]
    fn mass_concentration_converts_exactly() {
        let t = table();
        assert_eq!(conv(&t, "4.5", "g/dL", "g/L"), Some(d("45")));
        assert_eq!(conv(&t, "45", "g/L", "g/dL"), Some(d("4.5")));
        assert_eq!(conv(&t, "12.3", "µg/L", "ng/mL"), Some(d("12.3")));
        assert_eq!(conv(&t, "1.2", "mg/dL", "mg/L"), Some(d("12")));
    }

    #[test]
    fn molar_concentration_converts_exactly() {
        let t = table();
        assert_eq!(conv(&t, "88.4", "µmol/L", "mmol/L"), Some(d("0.0884")));
        assert_eq!(conv(&t, "0.0884", "mmol/L", "µmol/L"), Some(d("88.4")));
    }

    #[test]
    fn counts_convert_exactly() {
        let t = table();
        assert_eq!(conv(&t, "1.5", "x10^9/L", "/µL"), Some(d("1500")));
        assert_eq!(conv(&t, "1500", "/µL", "x10^9/L"), Some(d("1.5")));
        assert_eq!(conv(&t, "1", "x10^9/L", "x10^3/µL"), Some(d("1")));
        assert_eq!(conv(&t, "200", "cells/µL", "/mm3"), Some(d("200")));
    }

    #[test]
    fn flows_and_durations() {
        let t = table();
        assert_eq!(conv(&t, "60", "mL/min", "L/h"), Some(d("3.6")));
        assert_eq!(conv(&t, "3.6", "L/h", "mL/min"), Some(d("60")));
        assert_eq!(conv(&t, "2", "weeks", "days"), Some(d("14")));
        assert_eq!(conv(&t, "1", "years", "months"), Some(d("12")));
        assert_eq!(conv(&t, "36", "h", "days"), Some(d("1.5")));
        assert_eq!(conv(&t, "250", "mL", "L"), Some(d("0.25")));
        assert_eq!(
            conv(&t, "1", "L/h", "mL/min").map(|v| v.round_dp(6)),
            Some(d("16.666667"))
        );
        assert_eq!(conv(&t, "7", "pmol/L", "nmol/L"), Some(d("0.007")));
    }

    #[test]
    fn fixed_and_calendar_durations_differ() {
        let t = table();
        let days = unit(&t, "days");
        let months = unit(&t, "months");
        assert!(!days.same_dimension(&months));
        assert_eq!(convert(d("30"), &days, &months), None);
        assert!(days.is_duration() && !days.is_calendar());
        assert!(months.is_duration() && months.is_calendar());
        assert!(!unit(&t, "mg").is_duration());
    }

    #[test]
    fn other_dimensions_do_not_convert() {
        let t = table();
        assert_eq!(conv(&t, "1", "mg/dL", "mmol/L"), None);
        assert_eq!(conv(&t, "1", "mL/min", "mL/min/1.73m2"), None);
    }

    #[test]
    fn spellings_normalise() {
        let t = table();
        assert_eq!(unit(&t, "umol/L"), unit(&t, "µmol/L"));
        assert_eq!(unit(&t, "μmol/L").spelling(), "µmol/L");
        assert_eq!(unit(&t, "ug/L").spelling(), "µg/L");
        assert_eq!(unit(&t, "x10^3/uL").spelling(), "x10^3/µL");
        assert_eq!(unit(&t, "cells/uL").spelling(), "cells/µL");
        assert_eq!(unit(&t, "m²").spelling(), "m2");
        assert_eq!(unit(&t, "mL/min/1.73 m²").spelling(), "mL/min/1.73m2");
        assert_eq!(unit(&t, "×10^9/L").spelling(), "x10^9/L");
        assert_eq!(unit(&t, "d").spelling(), "days");
        assert_eq!(unit(&t, "yr").spelling(), "years");
        assert_eq!(normalize_spelling("units/mL"), "units/mL");
        for plain in ["mL/min", "L/h", "x10^9/L", "mmHg", "%", "IU/mL", "mcg/L"] {
            assert!(is_normal(plain));
            assert_eq!(normalize_spelling(plain), plain);
        }
        for other in ["umol/L", "mL / min", "μg/L", "m²", "units/mL"] {
            assert!(!is_normal(other));
        }
        assert_eq!(normalize_spelling("U/L"), "U/L");
        assert!(t.lookup("ML/min").is_none());
    }

    #[test]
    fn unknown_units_are_none() {
        let t = table();
        assert!(t.lookup("furlongs/fortnight").is_none());
        assert!(t.lookup("").is_none());
        assert!(t.lookup("log10 nonsense").is_none());
        assert!(t.lookup("log10").is_none());
        assert!(t.lookup("log10 log10 mg").is_none());
    }

    #[test]
    fn aliases() {
        let mut t = table();
        assert!(t.lookup("ml/min").is_none());
        assert_eq!(t.declare_alias("ml/min", "mL/min"), Ok(()));
        assert_eq!(unit(&t, "ml/min"), unit(&t, "mL/min"));
        assert!(t.names().any(|n| n == "ml/min"));
        assert_eq!(t.declare_alias("ml/min", "mL/min"), Ok(()));
        assert!(matches!(
            t.declare_alias("ml/min", "L/h"),
            Err(UnitError::Conflict { .. })
        ));
        assert!(matches!(
            t.declare_alias("mg", "g"),
            Err(UnitError::Conflict { .. })
        ));
        assert_eq!(
            t.declare_alias("x", "nope"),
            Err(UnitError::Unknown("nope".into()))
        );
        assert!(t.declare_alias("log10 foo", "mg").is_err());
    }

    #[test]
    fn declared_base_units() {
        let mut t = table();
        assert!(t.lookup("spores/g").is_none());
        assert_eq!(t.declare_base("spores/g"), Ok(()));
        assert_eq!(t.declare_base("spores/g"), Ok(()));
        let spores = unit(&t, "spores/g");
        assert_eq!(spores.dimension(), &Dimension::Declared("spores/g".into()));
        assert!(spores.dimension().describe().contains("spores/g"));
        assert_eq!(convert(d("1"), &spores, &unit(&t, "mL/min")), None);
        assert!(matches!(
            t.declare_base("mL/min"),
            Err(UnitError::Conflict { .. })
        ));
        assert!(t.declare_base("   ").is_err());
    }

    #[test]
    fn built_in_base_units_may_be_declared_again() {
        let mut t = table();
        let before = unit(&t, "copies/mL");
        assert_eq!(before.dimension(), &Dimension::CopyConcentration);
        assert_eq!(t.declare_base("copies/mL"), Ok(()));
        assert_eq!(unit(&t, "copies/mL"), before);
        assert_eq!(convert(d("1"), &before, &unit(&t, "/µL")), None);
        assert!(matches!(
            t.declare_base("mg/dL"),
            Err(UnitError::Conflict { .. })
        ));
    }

    #[test]
    fn common_clinical_units_are_built_in() {
        let t = table();
        let known = [
            "ms",
            "s",
            "min",
            "h",
            "mmHg",
            "kU/L",
            "IU/mL",
            "IU/L",
            "U/L",
            "mU/L",
            "g/dL",
            "g/L",
            "mg/dL",
            "µmol/L",
            "mmol/L",
            "ng/mL",
            "µg/L",
            "pg/mL",
            "%",
            "mmol/mol",
            "x10^9/L",
            "copies/mL",
            "cells/µL",
            "mL/min/1.73m2",
            "cells/mm3",
            "mcg/L",
            "sec",
            "hr",
        ];
        for spelling in known {
            assert!(t.lookup(spelling).is_some(), "{spelling} should be known");
        }
        assert_eq!(conv(&t, "250", "ms", "s"), Some(d("0.25")));
        assert_eq!(conv(&t, "2", "min", "ms"), Some(d("120000")));
        assert_eq!(conv(&t, "1", "kU/L", "U/L"), Some(d("1000")));
        assert_eq!(conv(&t, "1", "IU/mL", "IU/L"), Some(d("1000")));
        assert_eq!(conv(&t, "40", "mU/L", "U/L"), Some(d("0.04")));
        assert_eq!(conv(&t, "350", "cells/mm3", "cells/µL"), Some(d("350")));
        assert_eq!(conv(&t, "5", "mcg/L", "ng/mL"), Some(d("5")));
        assert_eq!(conv(&t, "900", "pg/mL", "ng/mL"), Some(d("0.9")));
        assert_eq!(conv(&t, "300", "ng/dL", "ng/mL"), Some(d("3")));
        assert_eq!(conv(&t, "10", "µg/dL", "µg/L"), Some(d("100")));
    }

    #[test]
    fn suggestions_prefer_case_then_shape() {
        let t = table();
        assert_eq!(t.other_case("ml/min"), Some("mL/min"));
        assert_eq!(t.other_case("mmhg"), Some("mmHg"));
        assert_eq!(t.other_case("ku/l"), Some("kU/L"));
        assert_eq!(t.other_case("iu/ml"), Some("IU/mL"));
        assert_eq!(t.other_case("copies/ml"), Some("copies/mL"));
        assert_eq!(t.other_case("cells/ul"), Some("cells/µL"));
        assert_eq!(t.other_case("mL/mn"), None);
        let flows = t.likely("ml/mn");
        assert!(flows.contains(&"mL/min") && flows.contains(&"L/h"));
        assert!(!flows.contains(&"mL"));
        let masses = t.likely("mgg/dL");
        assert!(masses.contains(&"mg/dL") && masses.contains(&"ng/mL"));
        assert!(!masses.contains(&"mmol/L"));
        let bare = t.likely("mss");
        assert!(bare.contains(&"ms") && !bare.iter().any(|n| n.contains('/')));
        assert!(t.likely("furlongs/fortnight").is_empty());
    }

    #[test]
    fn declared_scaled_units() {
        let mut t = table();
        assert_eq!(t.declare_scaled("kU/L", d("1000"), "U/L"), Ok(()));
        assert!(t.declare_scaled("kU/L", d("10"), "U/L").is_err());
        assert_eq!(
            t.declare_scaled("copies/L", d("0.001"), "copies/mL"),
            Ok(())
        );
        assert_eq!(conv(&t, "5000", "copies/L", "copies/mL"), Some(d("5")));
        assert!(t.declare_scaled("x", d("0"), "U/L").is_err());
        assert!(t.declare_scaled("x", d("2"), "nope").is_err());
        assert!(matches!(
            t.declare_scaled("y", d("2"), "log10 copies/mL"),
            Err(UnitError::LogScale(_))
        ));
    }

    #[test]
    fn log10_copies() {
        let mut t = table();
        t.declare_base("copies/mL").unwrap_or_default();
        let log = unit(&t, "log10 copies/mL");
        assert!(log.is_log10());
        assert_eq!(log.spelling(), "log10 copies/mL");
        assert_eq!(log.linear(), unit(&t, "copies/mL"));
        let v = conv(&t, "2.30", "log10 copies/mL", "copies/mL").unwrap_or_default();
        assert!(v < d("200"));
        let want = d("199.52623149688796013524553967");
        assert!(close(v, want, "1e-24"), "{v}");
        assert_eq!(
            conv(&t, "3", "log10 copies/mL", "copies/mL"),
            Some(d("1000"))
        );
        assert_eq!(
            conv(&t, "1000", "copies/mL", "log10 copies/mL"),
            Some(d("3"))
        );
        assert_eq!(conv(&t, "0", "copies/mL", "log10 copies/mL"), None);
        t.declare_scaled("copies/L", d("0.001"), "copies/mL")
            .unwrap_or_default();
        assert_eq!(
            conv(&t, "2.5", "log10 copies/mL", "log10 copies/L"),
            Some(d("5.5"))
        );
    }

    #[test]
    fn pow10_and_log10_precision() {
        assert_eq!(pow10(d("2")), Some(d("100")));
        assert_eq!(pow10(d("-3")), Some(d("0.001")));
        assert_eq!(pow10(d("3.00")), Some(d("1000")));
        assert_eq!(pow10(d("-28")), Some(d("1e-28")));
        assert_eq!(pow10(d("28.95")), None);
        let cases = [
            ("0.5", "3.1622776601683793319988935444"),
            ("-1.7", "0.019952623149688796013524553967"),
            ("4.7", "50118.723362727228500155418689"),
        ];
        for (x, want) in cases {
            let got = pow10(d(x)).unwrap_or_default();
            assert!(
                close(got / d(want), Decimal::ONE, "1e-26"),
                "10^{x} = {got}"
            );
        }
        let logs = [
            ("200", "2.3010299956639811952137388947"),
            ("2", "0.30102999566398119521373889472"),
            ("9.99", "0.99956548822598230869353439930"),
            ("0.0314", "-1.5030703519267850680247799754"),
        ];
        for (x, want) in logs {
            let got = log10(d(x)).unwrap_or_default();
            assert!(close(got, d(want), "1e-26"), "log10 {x} = {got}");
        }
        assert_eq!(log10(d("1000")), Some(d("3")));
        assert_eq!(log10(d("0.01")), Some(d("-2")));
        assert_eq!(log10(d("-1")), None);
        assert_eq!(pow10(d("29")), None);
    }

    #[test]
    fn describe_words() {
        assert_eq!(
            Dimension::VolumeFlow.describe(),
            "volume flow (e.g. mL/min)"
        );
        assert_eq!(
            Dimension::MassConcentration.describe(),
            "mass concentration (e.g. mg/dL)"
        );
        assert_eq!(
            Dimension::CalendarDuration.describe(),
            "calendar duration (months, years)"
        );
        assert_eq!(
            Dimension::FixedDuration.describe(),
            "fixed duration (days, weeks)"
        );
    }

    #[test]
    fn names_cover_units_and_aliases() {
        let t = table();
        let names: Vec<&str> = t.names().collect();
        assert!(names.contains(&"mL/min"));
        assert!(names.contains(&"wk"));
        assert!(names.contains(&"µmol/L"));
    }

    fn bridge(t: &UnitTable, from: (&str, &str), to: (&str, &str), offset: &str) -> Bridge {
        Bridge {
            from: unit(t, from.1),
            from_amount: d(from.0),
            to_amount: d(to.0),
            to: unit(t, to.1),
            offset: d(offset),
        }
    }

    /// The table with bilirubin (1 mg/dL = 17.1 µmol/L) and HbA1c
    /// (mmol/mol = 10.929 × (% − 2.15)) declared.
    fn with_analytes() -> UnitTable {
        let mut t = table();
        let bilirubin = bridge(&t, ("1", "mg/dL"), ("17.1", "µmol/L"), "0");
        assert_eq!(t.declare_analyte("bilirubin", bilirubin), Ok(()));
        let hba1c = bridge(&t, ("1", "%"), ("10.929", "mmol/mol"), "2.15");
        assert_eq!(t.declare_analyte("hba1c", hba1c), Ok(()));
        t
    }

    fn of(t: &UnitTable, spelling: &str, analyte: &str) -> Unit {
        let a = t.analyte(analyte).unwrap_or_else(|| panic!("{analyte}"));
        unit(t, spelling)
            .of_analyte(a)
            .unwrap_or_else(|| panic!("{spelling} of {analyte}"))
    }

    #[test]
    fn an_analyte_converts_mass_and_molar_concentrations() {
        let t = with_analytes();
        let mg_dl = of(&t, "mg/dL", "bilirubin");
        let umol = unit(&t, "µmol/L");
        assert!(mg_dl.converts_to(&umol) && umol.converts_to(&mg_dl));
        assert_eq!(convert(d("3"), &mg_dl, &umol), Some(d("51.3")));
        assert_eq!(convert(d("51.3"), &umol, &mg_dl), Some(d("3")));
        assert_eq!(
            convert(d("0.0513"), &unit(&t, "mmol/L"), &mg_dl),
            Some(d("3"))
        );
        assert_eq!(
            convert(d("30"), &of(&t, "mg/L", "bilirubin"), &umol),
            Some(d("51.3"))
        );
        // Not exact: rounded at Decimal's precision, either side of 3 mg/dL.
        let above = convert(d("51.31"), &umol, &mg_dl).unwrap_or_default();
        let below = convert(d("51.29"), &umol, &mg_dl).unwrap_or_default();
        assert_eq!(above, d("3.0005847953216374269005847953"));
        assert_eq!(below, d("2.9994152046783625730994152047"));
        assert!(below < d("3") && above > d("3"));
        assert_eq!(mg_dl.spelling(), "mg/dL");
        assert_eq!(mg_dl.analyte().map(Analyte::name), Some("bilirubin"));
    }

    #[test]
    fn an_analyte_converts_affinely() {
        let t = with_analytes();
        let percent = of(&t, "%", "hba1c");
        let ifcc = unit(&t, "mmol/mol");
        assert_eq!(convert(d("7"), &percent, &ifcc), Some(d("53.00565")));
        assert_eq!(convert(d("53.00565"), &ifcc, &percent), Some(d("7")));
        assert_eq!(convert(d("2.15"), &percent, &ifcc), Some(d("0")));
        let back = convert(d("53"), &ifcc, &percent).unwrap_or_default();
        assert!(back < d("7") && back > d("6.999"), "{back}");
    }

    #[test]
    fn without_an_analyte_dimensions_stay_apart() {
        let t = with_analytes();
        let (mg_dl, umol) = (unit(&t, "mg/dL"), unit(&t, "µmol/L"));
        assert!(!mg_dl.converts_to(&umol));
        assert_eq!(convert(d("3"), &mg_dl, &umol), None);
        let bilirubin = of(&t, "mg/dL", "bilirubin");
        let percent = of(&t, "%", "hba1c");
        assert!(!bilirubin.converts_to(&percent));
        assert_eq!(convert(d("3"), &bilirubin, &unit(&t, "mL/min")), None);
        let hba1c = t
            .analyte("hba1c")
            .cloned()
            .unwrap_or_else(|| panic!("hba1c"));
        assert_eq!(unit(&t, "mg/dL").of_analyte(&hba1c), None);
        // The analyte is kept on a log scale and back.
        let log = bilirubin.to_log10().unwrap_or_else(|| panic!("log"));
        assert_eq!(log.linear(), bilirubin);
    }

    #[test]
    fn analyte_declarations_that_cannot_hold() {
        let mut t = table();
        let same = bridge(&t, ("1", "mg/dL"), ("10", "mg/L"), "0");
        assert!(matches!(
            t.declare_analyte("x", same),
            Err(UnitError::OneDimension { .. })
        ));
        let zero = bridge(&t, ("1", "mg/dL"), ("0", "µmol/L"), "0");
        assert_eq!(
            t.declare_analyte("x", zero),
            Err(UnitError::BadFactor(d("0")))
        );
        let creatinine = bridge(&t, ("1", "mg/dL"), ("88.4", "µmol/L"), "0");
        assert_eq!(t.declare_analyte("creatinine", creatinine.clone()), Ok(()));
        assert_eq!(t.declare_analyte("creatinine", creatinine), Ok(()));
        let other = bridge(&t, ("1", "mg/dL"), ("88", "µmol/L"), "0");
        assert_eq!(
            t.declare_analyte("creatinine", other),
            Err(UnitError::AnalyteTwice("creatinine".into()))
        );
        assert_eq!(t.analyte_names().collect::<Vec<_>>(), ["creatinine"]);
    }

    #[test]
    fn count_spellings_of_laboratory_systems() {
        let t = table();
        for spelling in [
            "×10⁹/L",
            "x10^9/L",
            "10^9/L",
            "10*9/L",
            "x10*9/L",
            "× 10⁹/L",
        ] {
            assert_eq!(unit(&t, spelling).spelling(), "x10^9/L", "{spelling}");
        }
        assert_eq!(unit(&t, "×10¹²/L").spelling(), "x10^12/L");
        assert_eq!(unit(&t, "10*12/L").spelling(), "x10^12/L");
        assert_eq!(normalize_spelling("10⁹/L"), "10^9/L");
        assert_eq!(normalize_spelling("mm³"), "mm3");
        assert_eq!(normalize_spelling("m²"), "m2");
    }

    proptest::proptest! {
        /// The plain fast path reads a spelling exactly as normalising it
        /// first would, for any text at all.
        #[test]
        fn plain_spellings_read_as_normalised_ones(text in "\\PC{0,12}") {
            let table = UnitTable::new();
            if is_normal(&text) {
                proptest::prop_assert_eq!(normalize_spelling(&text), text.clone());
            }
            let key = normalize_spelling(&text);
            let slow = table.units.get(&key).or_else(|| table.aliases.get(&key)).cloned();
            proptest::prop_assert_eq!(table.lookup_plain(&text), slow);
        }
    }
}
