//! The decision engine: a tenant's roles, groups and access records compiled into an
//! immutable index that answers "may user U do P on resource R?" without I/O.
//!
//! A [`TenantIndex`] is a value: the service keeps the current one per tenant behind an
//! atomic pointer and replaces it with a changed copy per revision, so checks never wait
//! for writes or for each other. Its maps are persistent (`imbl`): the copy shares
//! everything the change did not touch, so a write costs what it changes (× log n), never
//! the tenant's size, and a published index never changes under its readers.
//!
//! A check looks only at what the user holds: the records that name the user, and those
//! that name one of the user's groups. Its cost grows with those, not with the tenant.
//! Records are evaluated as they stand: a role is looked up when a check needs it, so
//! editing a role changes every record that uses it at once. Expiry and the disabled state
//! are decided at evaluation time. A suspended user is denied everything: the index keeps
//! the set of them, so suspending a user costs one entry, not a visit to each record.
//!
//! - `index.rs`: the index, its changes, and the bulk [`IndexBuilder`];
//! - `check.rs`: the check and its explanation;
//! - `lookups.rs`: effective permissions and the two paged lookups;
//! - `trie.rs`, `idset.rs`: the resource-pattern trie and the persistent id sets.

mod check;
mod delegation;
mod idset;
mod index;
mod lookups;
mod trie;

use std::hash::BuildHasher;
use std::sync::{Arc, OnceLock};

pub use check::{Decision, Explanation, Grant, NotApplied, Reason, Via};
pub use delegation::{Gift, Shortfall};
pub use index::{IndexBuilder, RecordSpec, Standing, StatementSpec, TenantIndex};
pub use lookups::{EffectivePermission, Holder, HolderGrant, RoleGrant};

use crate::domain::{AccessRecord, Group, Issuer, Role, User};

/// An id inside an index: shared by every place of the index that names it.
type Id = Arc<str>;

/// The hasher of the index's maps: foldhash (hashbrown's default; about three times faster
/// than SipHash on short ids, and a check makes several lookups) with a seed drawn once per
/// process (ids come from tenants, so the seed must not be guessable), and no per-map
/// state, so an empty map (a leaf of the pattern trie) costs no more than its pointer.
#[derive(Debug, Clone, Copy, Default)]
struct Hasher;

impl BuildHasher for Hasher {
    type Hasher = foldhash::fast::FoldHasher<'static>;

    fn build_hasher(&self) -> Self::Hasher {
        static SEED: OnceLock<foldhash::fast::RandomState> = OnceLock::new();
        SEED.get_or_init(Default::default).build_hasher()
    }
}

/// The persistent map every part of an index is made of.
type Map<K, V> = imbl::GenericHashMap<K, V, Hasher, imbl::shared_ptr::DefaultSharedPtr>;

/// The plain map an index is built in before its persistent maps are made.
type Plain<K, V> = std::collections::HashMap<K, V, Hasher>;

/// A change to apply to an index: an object's new state, or its removal (`None`).
#[derive(Debug, Clone)]
pub enum Change {
    /// A role was written or deleted.
    Role(String, Option<Role>),
    /// A group was written or deleted.
    Group(String, Option<Group>),
    /// An access record was written or deleted.
    Record(String, Option<AccessRecord>),
    /// A user was written or deleted (the index keeps their [`Standing`]).
    User(String, Option<User>),
    /// A trusted issuer was written or deleted.
    Issuer(String, Option<Issuer>),
    /// Something that does not affect decisions (resources, keys, the tenant).
    Other,
}

#[cfg(test)]
mod tests;
