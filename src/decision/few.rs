//! Maps and sets for the few keys of one case's decision: a list scanned
//! while it is short, with a hash table beside it once it is long.
//!
//! A decision typically names a handful of options, avoids and messages;
//! building a hash table for each of them, case after case, costs more than
//! scanning them (an allocation, hashing and growing, and the code of all
//! three in the instruction cache). A protocol with thousands of rules can
//! name thousands, where a scan would make the decision quadratic: past
//! [`SCANNED`] keys the table takes over.

use fnv::FnvHashMap as HashMap;
use std::hash::Hash;

/// How many keys are scanned before a hash table indexes them.
const SCANNED: usize = 16;

/// A map from keys to values, in the order the keys were first inserted.
#[derive(Debug, Clone)]
pub(super) struct FewMap<K, V> {
    entries: Vec<(K, V)>,
    /// Where each key is in `entries`, once there are more than [`SCANNED`].
    table: HashMap<K, usize>,
}

impl<K, V> Default for FewMap<K, V> {
    fn default() -> Self {
        FewMap {
            entries: Vec::new(),
            table: HashMap::default(),
        }
    }
}

impl<K: Copy + Eq + Hash, V> FewMap<K, V> {
    /// Where `key` is in the insertion order, if it is in the map.
    fn position(&self, key: &K) -> Option<usize> {
        if self.entries.len() <= SCANNED {
            self.entries.iter().position(|(k, _)| k == key)
        } else {
            self.table.get(key).copied()
        }
    }

    /// The value of `key`, if it is in the map.
    pub(super) fn get(&self, key: &K) -> Option<&V> {
        let at = self.position(key)?;
        self.entries.get(at).map(|(_, v)| v)
    }

    /// The value of `key` to change, if it is in the map.
    pub(super) fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        let at = self.position(key)?;
        self.entries.get_mut(at).map(|(_, v)| v)
    }

    /// How many keys the map has.
    pub(super) fn len(&self) -> usize {
        self.entries.len()
    }

    /// The keys and values, in the order the keys were first inserted.
    pub(super) fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// Whether `key` is in the map.
    pub(super) fn contains_key(&self, key: &K) -> bool {
        self.position(key).is_some()
    }

    /// Inserts `key` with `value` unless it is already in the map (keeping
    /// its first value): whether it was new.
    pub(super) fn insert_new(&mut self, key: K, value: V) -> bool {
        if self.contains_key(&key) {
            return false;
        }
        let at = self.entries.len();
        self.entries.push((key, value));
        if at == SCANNED {
            let keys = self.entries.iter().enumerate();
            self.table = keys.map(|(i, (k, _))| (*k, i)).collect();
        } else if at > SCANNED {
            self.table.insert(key, at);
        }
        true
    }
}

/// A set of keys, in the order first inserted.
#[derive(Debug, Clone)]
pub(super) struct FewSet<K>(FewMap<K, ()>);

impl<K> Default for FewSet<K> {
    fn default() -> Self {
        FewSet(FewMap::default())
    }
}

impl<K: Copy + Eq + Hash> FewSet<K> {
    /// Whether `key` is in the set.
    pub(super) fn contains(&self, key: &K) -> bool {
        self.0.contains_key(key)
    }

    /// Inserts `key`: whether it was new.
    pub(super) fn insert(&mut self, key: K) -> bool {
        self.0.insert_new(key, ())
    }
}

impl<K: Copy + Eq + Hash> FromIterator<K> for FewSet<K> {
    fn from_iter<I: IntoIterator<Item = K>>(keys: I) -> Self {
        let mut set = FewSet::default();
        for key in keys {
            set.insert(key);
        }
        set
    }
}

#[cfg(test)]
mod tests {
    use super::{FewMap, FewSet, SCANNED};
    use proptest::prelude::*;
    use std::collections::HashMap;

    proptest! {
        /// Scanned or hashed, the map answers as a hash map that keeps the
        /// first value of each key.
        #[test]
        fn answers_as_a_hash_map_keeping_first_values(
            keys in proptest::collection::vec(0u8..64, 0..(4 * SCANNED)),
        ) {
            let mut few = FewMap::default();
            let mut std: HashMap<u8, usize> = HashMap::new();
            for (i, key) in keys.iter().enumerate() {
                let new = !std.contains_key(key);
                std.entry(*key).or_insert(i);
                prop_assert_eq!(few.insert_new(*key, i), new);
            }
            for key in 0u8..64 {
                prop_assert_eq!(few.get(&key), std.get(&key));
            }
        }
    }

    #[test]
    fn a_set_holds_each_key_once_across_the_change_to_a_table() {
        let mut set: FewSet<usize> = (0..SCANNED).collect();
        assert!(set.insert(SCANNED));
        assert!(!set.insert(0));
        assert!(!set.insert(SCANNED));
        assert!(set.insert(SCANNED + 1));
        assert!((0..=SCANNED + 1).all(|k| set.contains(&k)));
        assert!(!set.contains(&(SCANNED + 2)));
    }
}
