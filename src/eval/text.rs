//! Free text compared as case data is matched: Unicode NFKC, case folding,
//! and space, `-` and `_` read alike (`crate::check::fold`), so `"Yes"`
//! equals `"yes"` and `"R-CHOP 21"` contains `"chop"`.

use crate::check::fold;
use std::cmp::Ordering;

/// How two texts order for `=` and `!=`: equal when they fold alike.
pub fn order(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    fold(a).cmp(&fold(b))
}

/// Whether `part` occurs in `whole`, both folded.
pub fn contains(whole: &str, part: &str) -> bool {
    fold(whole).contains(&fold(part))
}

/// Whether `whole` begins with `part`, both folded.
pub fn starts_with(whole: &str, part: &str) -> bool {
    fold(whole).starts_with(&fold(part))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_that_fold_alike_are_equal() {
        assert_eq!(order("Yes", "yes"), Ordering::Equal);
        assert_eq!(order("non_smoker", "Non-Smoker"), Ordering::Equal);
        assert_ne!(order("yes", "no"), Ordering::Equal);
    }

    #[test]
    fn contains_and_starts_with_fold_both_sides() {
        assert!(contains("Harvoni 90/400 mg daily", "HARVONI"));
        assert!(contains("R-CHOP x6", "chop x6"));
        assert!(!contains("R-CHOP", "ICE"));
        assert!(starts_with("Relapse, early", "relapse"));
        assert!(!starts_with("early relapse", "relapse"));
        assert!(contains("anything", ""));
    }
}
