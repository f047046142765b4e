//! A map kept as one sorted `Vec`, for the book's small collections (practitioners, tariffs).
//!
//! Lookups are binary searches and iteration is in key order, as with `BTreeMap`; an insert
//! or removal in the middle moves the entries after it, which is cheap at these sizes (a
//! site has tens of practitioners and hundreds of tariffs), and an insert in key order (a
//! snapshot, rows from the database) is a push. Each `BTreeMap` key/value type costs the npm
//! package several kilobytes of code; this costs a few hundred bytes (docs/benchmarks.md).
//! Prices, which can number 100,000 and change one at a time, stay in a `BTreeMap`.

use std::borrow::Borrow;

/// A map kept as a sorted `Vec` of its entries.
#[derive(Debug, Clone, PartialEq)]
pub struct SortedMap<K, V> {
    entries: Vec<(K, V)>,
}

impl<K, V> Default for SortedMap<K, V> {
    fn default() -> SortedMap<K, V> {
        SortedMap {
            entries: Vec::new(),
        }
    }
}

impl<K: Ord, V> SortedMap<K, V> {
    fn find<Q>(&self, key: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        // The common case when building in key order: after the last entry.
        match self.entries.last() {
            Some((last, _)) if last.borrow() < key => Err(self.entries.len()),
            _ => self.entries.binary_search_by(|(k, _)| k.borrow().cmp(key)),
        }
    }

    /// Inserts or replaces; the replaced value is returned.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(i) => self
                .entries
                .get_mut(i)
                .map(|(_, v)| std::mem::replace(v, value)),
            Err(i) => {
                self.entries.insert(i, (key, value));
                None
            }
        }
    }

    /// Removes `key`'s entry, returning its value.
    pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let i = self.find(key).ok()?;
        Some(self.entries.remove(i).1)
    }

    /// The value of `key`.
    pub fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let i = self.find(key).ok()?;
        self.entries.get(i).map(|(_, v)| v)
    }

    /// Whether `key` has an entry.
    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.find(key).is_ok()
    }
}

impl<K, V> SortedMap<K, V> {
    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// The keys in order.
    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.entries.iter().map(|(k, _)| k)
    }

    /// The values in key order.
    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.entries.iter().map(|(_, v)| v)
    }
}

/// A set kept as a sorted `Vec`.
pub type SortedSet<T> = SortedMap<T, ()>;

impl<T: Ord> SortedMap<T, ()> {
    /// Adds `item`; whether it was new.
    pub fn add(&mut self, item: T) -> bool {
        self.insert(item, ()).is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_as_a_btree_map() {
        let mut ours = SortedMap::default();
        let mut theirs = std::collections::BTreeMap::new();
        // Out of order, in order, repeated and removed keys.
        for (i, k) in [5, 1, 9, 3, 3, 10, 11, 0, 7, 9].into_iter().enumerate() {
            assert_eq!(ours.insert(k, i), theirs.insert(k, i));
        }
        for k in [3, 4, 11] {
            assert_eq!(ours.remove(&k), theirs.remove(&k));
        }
        assert_eq!(
            ours.iter().collect::<Vec<_>>(),
            theirs.iter().collect::<Vec<_>>()
        );
        assert_eq!(ours.len(), theirs.len());
        for k in 0..12 {
            assert_eq!(ours.get(&k), theirs.get(&k));
            assert_eq!(ours.contains_key(&k), theirs.contains_key(&k));
        }
        let mut set = SortedSet::default();
        assert!(set.add("b".to_string()));
        assert!(!set.add("b".to_string()));
        assert!(set.add("a".to_string()));
        assert!(set.contains_key("a"));
        assert_eq!(set.keys().collect::<Vec<_>>(), ["a", "b"]);
    }
}
