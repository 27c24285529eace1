//! [`PatternTrie`]: the records indexed by the resource patterns of their statements.

use super::idset::IdSet;
use super::index::RecordRef;
use super::{Id, Map, Plain};

/// A trie of resource-pattern segments (`*` is a child like any other) holding, at the
/// node of each pattern, the records with that pattern. Finding the records whose
/// patterns cover a resource walks only the branches that match it, so it grows with the
/// matching grants, not with the tenant. The children are persistent maps: a change
/// copies the nodes on its path (each in O(log n)); every other branch is shared with the
/// earlier version.
#[derive(Debug, Clone, Default)]
pub(super) struct PatternTrie {
    /// Records with a pattern that ends here.
    records: IdSet<RecordRef>,
    children: Map<Id, PatternTrie>,
}

impl PatternTrie {
    pub(super) fn is_empty(&self) -> bool {
        self.records.is_empty() && self.children.is_empty()
    }

    /// Adds `record` at the node of `path` (the pattern's segments).
    pub(super) fn insert<'a>(
        &mut self,
        mut path: impl Iterator<Item = &'a str>,
        record: &RecordRef,
    ) {
        match path.next() {
            None => self.records.insert(record.clone()),
            Some(head) => {
                let child = match self.children.get_mut(head) {
                    Some(child) => child,
                    None => self.children.entry(Id::from(head)).or_default(),
                };
                child.insert(path, record);
            }
        }
    }

    /// Removes `record` from the node of `path`, and the nodes left empty by that.
    pub(super) fn remove<'a>(&mut self, mut path: impl Iterator<Item = &'a str>, record: &str) {
        match path.next() {
            None => self.records.remove(record),
            Some(head) => {
                let Some(child) = self.children.get_mut(head) else {
                    return;
                };
                child.remove(path, record);
                if child.is_empty() {
                    self.children.remove(head);
                }
            }
        }
    }

    /// Adds the records with a pattern covering `resource` (concrete segments) to `found`.
    pub(super) fn covering<'a>(&'a self, resource: &[&str], found: &mut Vec<&'a RecordRef>) {
        self.records.for_each(|id| found.push(id));
        if let Some((head, rest)) = resource.split_first() {
            if let Some(child) = self.children.get(*head) {
                child.covering(rest, found);
            }
            if let Some(child) = self.children.get("*") {
                child.covering(rest, found);
            }
        }
    }
}

/// A [`PatternTrie`] being built: plain maps and lists, appended to, made persistent once
/// by [`PatternTrieBuilder::finish`].
#[derive(Debug, Default)]
pub(super) struct PatternTrieBuilder {
    records: Vec<RecordRef>,
    children: Plain<Id, PatternTrieBuilder>,
}

impl PatternTrieBuilder {
    /// Adds `record` at the node of `path`.
    pub(super) fn insert<'a>(
        &mut self,
        mut path: impl Iterator<Item = &'a str>,
        record: &RecordRef,
    ) {
        match path.next() {
            None => self.records.push(record.clone()),
            Some(head) => {
                let child = match self.children.get_mut(head) {
                    Some(child) => child,
                    None => self.children.entry(Id::from(head)).or_default(),
                };
                child.insert(path, record);
            }
        }
    }

    /// The trie, its nodes made persistent from the leaves up.
    pub(super) fn finish(self) -> PatternTrie {
        PatternTrie {
            records: IdSet::from_ids(self.records),
            children: self
                .children
                .into_iter()
                .map(|(segment, child)| (segment, child.finish()))
                .collect(),
        }
    }
}
