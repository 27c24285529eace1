//! [`PatternTrie`]: the records indexed by the resource patterns of their statements.

use std::sync::Arc;

use super::idset::IdSet;
use super::index::RecordRef;
use super::{Id, Plain};

/// A trie of resource-pattern segments (`*` is a child like any other) holding, at the
/// node of each pattern, the records with that pattern. Finding the records whose
/// patterns cover a resource walks only the branches that match it, so it grows with the
/// matching grants, not with the tenant. A node's children are an [`IdSet`] (a sorted
/// slice while few, a persistent B-tree when many): a change copies the nodes on its
/// path, each in O(log n); every other branch is shared with the earlier version.
///
/// Memory is what shapes it: a large tenant's trie has a node per document, almost all of
/// them holding one record and no children. Such a node is kept in its parent as the
/// record alone ([`Child::Leaf`]), 16 bytes beside its segment, with no allocation of its
/// own; a node is allocated only where something branches or several records meet.
#[derive(Debug, Clone, Default)]
pub(super) struct PatternTrie {
    /// Records with a pattern that ends here.
    records: IdSet<RecordRef>,
    children: IdSet<Edge>,
}

/// A child of a node, under its segment.
#[derive(Debug, Clone)]
struct Edge {
    segment: Id,
    child: Child,
}

/// What hangs under a segment.
#[derive(Debug, Clone)]
enum Child {
    /// A node that holds exactly this record and has no children.
    Leaf(RecordRef),
    /// Any other node.
    Node(Arc<PatternTrie>),
}

impl PartialEq for Edge {
    fn eq(&self, other: &Self) -> bool {
        self.segment == other.segment
    }
}

impl Eq for Edge {}

impl PartialOrd for Edge {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Edge {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.segment.cmp(&other.segment)
    }
}

impl std::borrow::Borrow<str> for Edge {
    fn borrow(&self) -> &str {
        &self.segment
    }
}

impl Child {
    /// The child as a node that can be changed: a leaf becomes a node holding its record.
    fn into_node(self) -> PatternTrie {
        match self {
            Self::Leaf(record) => PatternTrie {
                records: IdSet::One(record),
                children: IdSet::Empty,
            },
            Self::Node(node) => Arc::unwrap_or_clone(node),
        }
    }

    /// The child for `node`: nothing when it is empty, a leaf when it can be one.
    fn of(node: PatternTrie) -> Option<Self> {
        match node {
            PatternTrie {
                records: IdSet::Empty,
                children: IdSet::Empty,
            } => None,
            PatternTrie {
                records: IdSet::One(record),
                children: IdSet::Empty,
            } => Some(Self::Leaf(record)),
            node => Some(Self::Node(Arc::new(node))),
        }
    }
}

impl PatternTrie {
    #[cfg(test)]
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
            Some(head) => self.change_child(head, |node| node.insert(path, record)),
        }
    }

    /// Removes `record` from the node of `path`, and the nodes left empty by that.
    pub(super) fn remove<'a>(&mut self, mut path: impl Iterator<Item = &'a str>, record: &str) {
        match path.next() {
            None => {
                self.records.remove(record);
            }
            Some(head) => self.change_child(head, |node| node.remove(path, record)),
        }
    }

    /// Changes the child under `head` (an empty node when there is none) by `change`, and
    /// keeps what that leaves of it: nothing, a leaf, or a node.
    fn change_child(&mut self, head: &str, change: impl FnOnce(&mut Self)) {
        let (segment, mut node) = match self.children.get(head) {
            Some(edge) => (edge.segment.clone(), edge.child.clone().into_node()),
            None => (Id::from(head), Self::default()),
        };
        change(&mut node);
        match Child::of(node) {
            Some(child) => self.children.insert(Edge { segment, child }),
            None => {
                self.children.remove(head);
            }
        }
    }

    /// Adds the records with a pattern covering `resource` (concrete segments) to `found`.
    pub(super) fn covering<'a>(&'a self, resource: &[&str], found: &mut Vec<&'a RecordRef>) {
        self.records.for_each(|id| found.push(id));
        if let Some((head, rest)) = resource.split_first() {
            for segment in [*head, "*"] {
                match self.children.get(segment).map(|edge| &edge.child) {
                    Some(Child::Leaf(record)) => found.push(record),
                    Some(Child::Node(node)) => node.covering(rest, found),
                    None => {}
                }
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
            children: IdSet::from_ids(
                self.children
                    .into_iter()
                    .filter_map(|(segment, child)| {
                        Child::of(child.finish()).map(|child| Edge { segment, child })
                    })
                    .collect(),
            ),
        }
    }
}
