//! [`IdSet`]: a sorted set of ids (or of things known by an id) that changes by one in
//! O(log n), sharing what it did not change with its earlier versions.

use std::borrow::Borrow;
use std::sync::Arc;

use imbl::OrdSet;

#[cfg(test)]
use super::Id;

/// What an [`IdSet`] holds: something ordered by, and found by, its id.
pub(super) trait Keyed: Clone + Ord + Borrow<str> {}

impl<T: Clone + Ord + Borrow<str>> Keyed for T {}

/// Above this many ids a set is kept as a persistent B-tree; at or below it, as a sorted
/// slice behind an `Arc` (a B-tree node is larger than a slice of a few ids, and almost
/// every set of a large tenant is small: one user's records, one document's holders).
const FEW: usize = 32;

/// A sorted set of ids. Cloning it is O(1); adding or removing an id copies at most
/// [`FEW`] pointers or one B-tree path.
#[derive(Debug, Clone, Default)]
pub(super) enum IdSet<T: Ord> {
    /// No ids.
    #[default]
    Empty,
    /// One id: most sets of a large tenant (one document's records, one user's) hold
    /// one, and this holds it without an allocation of its own.
    One(T),
    /// A few ids, sorted, without duplicates.
    Few(Arc<[T]>),
    /// Many ids.
    Many(OrdSet<T>),
}

fn key<T: Borrow<str>>(item: &T) -> &str {
    item.borrow()
}

impl<T: Keyed> IdSet<T> {
    /// A set of the given ids, in any order, with duplicates.
    pub(super) fn from_ids(mut ids: Vec<T>) -> Self {
        ids.sort_unstable_by(|a, b| key(a).cmp(key(b)));
        ids.dedup_by(|a, b| key(a) == key(b));
        match ids.len() {
            0 => Self::Empty,
            1 => Self::One(ids.swap_remove(0)),
            n if n <= FEW => Self::Few(ids.into()),
            _ => Self::Many(ids.into_iter().collect()),
        }
    }

    pub(super) fn is_empty(&self) -> bool {
        match self {
            Self::Empty => true,
            Self::One(_) => false,
            Self::Few(ids) => ids.is_empty(),
            Self::Many(ids) => ids.is_empty(),
        }
    }

    pub(super) fn len(&self) -> usize {
        match self {
            Self::Empty => 0,
            Self::One(_) => 1,
            Self::Few(ids) => ids.len(),
            Self::Many(ids) => ids.len(),
        }
    }

    pub(super) fn contains(&self, id: &str) -> bool {
        match self {
            Self::Empty => false,
            Self::One(one) => key(one) == id,
            Self::Few(ids) => ids.binary_search_by(|i| key(i).cmp(id)).is_ok(),
            Self::Many(ids) => ids.contains(id),
        }
    }

    /// The one with key `id`.
    pub(super) fn get(&self, id: &str) -> Option<&T> {
        match self {
            Self::Empty => None,
            Self::One(one) => (key(one) == id).then_some(one),
            Self::Few(ids) => ids
                .binary_search_by(|i| key(i).cmp(id))
                .ok()
                .map(|at| &ids[at]),
            Self::Many(ids) => ids.get(id),
        }
    }

    /// Adds `id`; replaces the one with its key when there is one.
    pub(super) fn insert(&mut self, id: T) {
        match self {
            Self::Empty => *self = Self::One(id),
            Self::One(one) => {
                if key(one) == key(&id) {
                    *one = id;
                } else {
                    *self = Self::from_ids(vec![one.clone(), id]);
                }
            }
            Self::Few(ids) => {
                let at = match ids.binary_search_by(|i| key(i).cmp(key(&id))) {
                    Ok(at) => {
                        let mut replaced = ids.to_vec();
                        replaced[at] = id;
                        *ids = replaced.into();
                        return;
                    }
                    Err(at) => at,
                };
                if ids.len() < FEW {
                    let mut grown = Vec::with_capacity(ids.len() + 1);
                    grown.extend_from_slice(&ids[..at]);
                    grown.push(id);
                    grown.extend_from_slice(&ids[at..]);
                    *ids = grown.into();
                } else {
                    let mut many: OrdSet<T> = ids.iter().cloned().collect();
                    many.insert(id);
                    *self = Self::Many(many);
                }
            }
            Self::Many(ids) => {
                ids.insert(id);
            }
        }
    }

    /// Removes `id`, handing it back; nothing when it is not there.
    pub(super) fn remove(&mut self, id: &str) -> Option<T> {
        match self {
            Self::Empty => None,
            Self::One(one) => {
                if key(one) != id {
                    return None;
                }
                match std::mem::take(self) {
                    Self::One(one) => Some(one),
                    _ => None,
                }
            }
            Self::Few(ids) => {
                let at = ids.binary_search_by(|i| key(i).cmp(id)).ok()?;
                let mut shrunk = ids.to_vec();
                let removed = shrunk.remove(at);
                *self = Self::from_ids(shrunk);
                Some(removed)
            }
            Self::Many(many) => {
                let removed = many.remove(id);
                if many.len() <= FEW / 2 {
                    *self = Self::from_ids(many.iter().cloned().collect());
                }
                removed
            }
        }
    }

    /// The ids in order.
    pub(super) fn iter(&self) -> Box<dyn Iterator<Item = &T> + '_> {
        match self {
            Self::Empty => Box::new(std::iter::empty()),
            Self::One(one) => Box::new(std::iter::once(one)),
            Self::Few(ids) => Box::new(ids.iter()),
            Self::Many(ids) => Box::new(ids.iter()),
        }
    }

    /// The ids after `after` (all of them without it), in order: found by a search, not by
    /// walking the ids before it.
    pub(super) fn iter_after<'a>(
        &'a self,
        after: Option<&'a str>,
    ) -> Box<dyn Iterator<Item = &'a T> + 'a> {
        let Some(after) = after else {
            return self.iter();
        };
        match self {
            Self::Empty => Box::new(std::iter::empty()),
            Self::One(one) => Box::new(std::iter::once(one).filter(move |one| key(*one) > after)),
            Self::Few(ids) => {
                let start = ids.partition_point(|i| key(i) <= after);
                Box::new(ids[start..].iter())
            }
            Self::Many(ids) => Box::new(
                ids.range::<_, str>((std::ops::Bound::Excluded(after), std::ops::Bound::Unbounded)),
            ),
        }
    }

    /// Calls `f` with each id, in order; without the allocation of [`IdSet::iter`].
    pub(super) fn for_each<'a>(&'a self, mut f: impl FnMut(&'a T)) {
        match self {
            Self::Empty => {}
            Self::One(one) => f(one),
            Self::Few(ids) => ids.iter().for_each(f),
            Self::Many(ids) => ids.iter().for_each(&mut f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(set: &IdSet<Id>) -> Vec<String> {
        set.iter().map(|i| i.to_string()).collect()
    }

    #[test]
    fn grows_into_a_tree_and_back_keeping_order() {
        let mut set: IdSet<Id> = IdSet::default();
        let mut expected = Vec::new();
        for i in (0..100).rev() {
            set.insert(Id::from(format!("u{i:03}")));
            expected.push(format!("u{i:03}"));
            set.insert(Id::from(format!("u{i:03}")));
        }
        expected.sort();
        assert!(matches!(set, IdSet::Many(_)));
        assert_eq!(ids(&set), expected);
        assert_eq!(set.len(), 100);
        assert!(set.contains("u050"));
        let after: Vec<String> = set
            .iter_after(Some("u097"))
            .map(|i| i.to_string())
            .collect();
        assert_eq!(after, ["u098", "u099"]);
        for i in 0..95 {
            set.remove(&format!("u{i:03}"));
        }
        assert!(matches!(set, IdSet::Few(_)));
        assert_eq!(ids(&set), ["u095", "u096", "u097", "u098", "u099"]);
        let after: Vec<String> = set
            .iter_after(Some("u0965"))
            .map(|i| i.to_string())
            .collect();
        assert_eq!(after, ["u097", "u098", "u099"]);
        for i in 95..99 {
            set.remove(&format!("u{i:03}"));
        }
        assert!(matches!(set, IdSet::One(_)));
        assert_eq!(ids(&set), ["u099"]);
        assert_eq!(set.iter_after(Some("u099")).count(), 0);
        assert_eq!(set.iter_after(Some("u098")).count(), 1);
        set.insert(Id::from("u099"));
        assert!(matches!(set, IdSet::One(_)));
        set.insert(Id::from("u095"));
        set.insert(Id::from("u096"));
        set.insert(Id::from("u097"));
        set.insert(Id::from("u098"));
        let after: Vec<String> = set
            .iter_after(Some("u0965"))
            .map(|i| i.to_string())
            .collect();
        assert_eq!(after, ["u097", "u098", "u099"]);
        for i in 95..100 {
            set.remove(&format!("u{i:03}"));
        }
        assert!(set.is_empty());
        assert!(matches!(set, IdSet::Empty));
    }

    #[test]
    fn an_earlier_version_is_unchanged() {
        let mut set: IdSet<Id> =
            IdSet::from_ids((0..50).map(|i| Id::from(format!("g{i:02}"))).collect());
        let before = set.clone();
        set.remove("g10");
        set.insert(Id::from("g99"));
        assert!(before.contains("g10") && !before.contains("g99"));
        assert_eq!(before.len(), 50);
        assert!(!set.contains("g10") && set.contains("g99"));
    }
}
