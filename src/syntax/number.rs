//! Number literals: exact decimals within the limits `docs/language.md`
//! states (Lexical rules), the same limits as numbers read from case files.

use rust_decimal::Decimal;
use std::str::FromStr;

/// Most significant digits, and most decimal places, a number may have.
pub const MAX_DIGITS: usize = 28;

/// Why a literal cannot be held exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberProblem {
    /// More than [`MAX_DIGITS`] significant digits: how many it has.
    Digits(usize),
    /// More than [`MAX_DIGITS`] decimal places, trailing zeros aside: how many.
    Places(usize),
    /// Larger than the largest exact decimal, [`Decimal::MAX`].
    TooLarge,
}

/// Reads a literal such as `12`, `-0.50` or `2.30` as an exact decimal.
///
/// Significant digits run from the first to the last non-zero digit, so
/// leading and trailing zeros do not count (`0.0050` has 2, `1000` has 1);
/// decimal places are counted without trailing zeros. The written scale is
/// kept when it fits (`90.0` stays `90.0`), else trailing zeros are dropped.
pub fn exact_decimal(text: &str) -> Result<Decimal, NumberProblem> {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = format!("{whole}{fraction}");
    let significant = digits.trim_start_matches('0').trim_end_matches('0').len();
    if significant > MAX_DIGITS {
        return Err(NumberProblem::Digits(significant));
    }
    let places = fraction.trim_end_matches('0').len();
    if places > MAX_DIGITS {
        return Err(NumberProblem::Places(places));
    }
    Decimal::from_str_exact(text)
        .or_else(|_| Decimal::from_str_exact(&without_trailing_zeros(text)))
        .map_err(|_| NumberProblem::TooLarge)
}

/// The exact decimal nearest to a literal with too many digits or places:
/// rounded half-even to 28 significant digits, trailing zeros dropped.
pub fn nearest(text: &str) -> Option<Decimal> {
    let rounded = Decimal::from_str(text).ok()?.round_sf(MAX_DIGITS as u32)?;
    Some(rounded.normalize())
}

/// `text` without the zeros that end its fraction (`10.500` is `10.5`).
fn without_trailing_zeros(text: &str) -> String {
    if !text.contains('.') {
        return text.to_string();
    }
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zeros_after_the_last_non_zero_digit_are_dropped_only_when_needed() {
        assert_eq!(
            exact_decimal("90.0").map(|d| d.to_string()),
            Ok("90.0".into())
        );
        let long = format!("1.{}", "0".repeat(40));
        assert_eq!(exact_decimal(&long), Ok(Decimal::ONE));
    }

    #[test]
    fn a_number_beyond_the_largest_decimal_is_too_large() {
        // Decimal::MAX has 29 significant digits: the largest literal with 28
        // ends in a zero.
        let largest = "79228162514264337593543950330";
        assert_eq!(
            exact_decimal(largest).map(|d| d.to_string()),
            Ok(largest.into())
        );
        let beyond = "79228162514264337593543950340";
        assert_eq!(exact_decimal(beyond), Err(NumberProblem::TooLarge));
    }

    #[test]
    fn the_nearest_number_rounds_half_even_at_28_digits() {
        let text = format!("59.{}", "9".repeat(30));
        assert_eq!(nearest(&text), Some(Decimal::from(60)));
    }
}
