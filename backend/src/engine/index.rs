//! [`TenantIndex`]: one tenant's roles, groups and records at one revision, and the
//! changes that move it to the next.

use std::sync::Arc;

use super::idset::{IdSet, Keyed};
use super::trie::{PatternTrie, PatternTrieBuilder};
use super::{Change, Id, Map, Plain};
use crate::domain::matching::action_segments;
use crate::domain::{
    AccessRecord, Group, Issuer, PermissionEntry, RecordStatus, Role, Timestamp, User, UserStatus,
};

/// An action's segments.
type ActionSegments = Box<[Box<str>]>;

/// A role, its actions split into segments once.
#[derive(Debug)]
pub(super) struct CompiledRole {
    pub(super) entries: Box<[(ActionSegments, PermissionEntry)]>,
}

impl CompiledRole {
    fn new(role: Role) -> Self {
        let entries = role
            .permissions
            .into_iter()
            .map(|entry| {
                let segments = action_segments(entry.action.as_str())
                    .into_iter()
                    .map(Box::from)
                    .collect();
                (segments, entry)
            })
            .collect();
        Self { entries }
    }

    /// The first entry that allows `action` (concrete segments).
    pub(super) fn allowing(&self, action: &[&str]) -> Option<&PermissionEntry> {
        self.entries
            .iter()
            .find(|(pattern, entry)| {
                entry.allow && crate::domain::matching::covers(pattern, action)
            })
            .map(|(_, entry)| entry)
    }
}

/// A statement of a [`CompiledRecord`]: its role ids and resource patterns (kept as text
/// and split when matched: splitting a short string costs less than the memory of its
/// segments, at ten million records).
#[derive(Debug, Clone, Copy)]
pub(super) struct CompiledStatement<'a> {
    roles: &'a [Id],
    resources: &'a [Id],
}

impl<'a> CompiledStatement<'a> {
    pub(super) fn roles(&self) -> &'a [Id] {
        self.roles
    }

    pub(super) fn resources(&self) -> &'a [Id] {
        self.resources
    }
}

/// An access record as the engine needs it. Its ids are the index's own (interned): a
/// user, group or role named by many records is one allocation. Its lists are one list
/// (`ids`) cut by `ends`: a record is three allocations (itself, `ids`, `ends`) whatever
/// its shape, not one per list (each allocation costs its header and rounding besides).
#[derive(Debug)]
pub(super) struct CompiledRecord {
    pub(super) id: Id,
    pub(super) disabled: bool,
    pub(super) expires_at: Option<Timestamp>,
    /// The users (sorted, without duplicates), the groups (the same), then each
    /// statement's roles and resource patterns.
    ids: Box<[Id]>,
    /// Where each part of `ids` ends: the users, the groups, then each statement's roles
    /// and its resource patterns.
    ends: Box<[u32]>,
}

impl CompiledRecord {
    /// Part `n` of `ids` (see `ends`).
    fn part(&self, n: usize) -> &[Id] {
        let start = n
            .checked_sub(1)
            .map_or(0, |before| self.ends[before] as usize);
        &self.ids[start..self.ends[n] as usize]
    }

    /// The users it names: sorted, without duplicates.
    pub(super) fn users(&self) -> &[Id] {
        self.part(0)
    }

    /// The groups it names: sorted, without duplicates.
    pub(super) fn groups(&self) -> &[Id] {
        self.part(1)
    }

    /// Its statements, in order.
    pub(super) fn statements(&self) -> impl Iterator<Item = CompiledStatement<'_>> {
        (2..self.ends.len()).step_by(2).map(|n| CompiledStatement {
            roles: self.part(n),
            resources: self.part(n + 1),
        })
    }

    /// Whether the record grants anything at `now`.
    pub(super) fn in_force(&self, now: Timestamp) -> bool {
        !self.disabled && self.expires_at.is_none_or(|at| at > now)
    }

    /// The record's distinct resource patterns.
    fn patterns(&self) -> Vec<&Id> {
        let mut patterns: Vec<&Id> = self
            .statements()
            .flat_map(|s| s.resources().iter())
            .collect();
        patterns.sort_unstable();
        patterns.dedup();
        patterns
    }
}

/// What the engine reads of an access record: whether it is in force, and whom it gives
/// which roles on which resources. Its text is anything string-like, so a record read from
/// storage is compiled from borrowed text without building an [`AccessRecord`] first.
#[derive(Debug, Clone)]
pub struct RecordSpec<S> {
    /// The record is disabled.
    pub disabled: bool,
    /// When it expires.
    pub expires_at: Option<Timestamp>,
    /// The users it names.
    pub users: Vec<S>,
    /// The groups it names.
    pub groups: Vec<S>,
    /// Its statements.
    pub statements: Vec<StatementSpec<S>>,
}

/// One statement of a [`RecordSpec`].
#[derive(Debug, Clone)]
pub struct StatementSpec<S> {
    /// The roles it gives.
    pub roles: Vec<S>,
    /// The resource patterns it gives them on.
    pub resources: Vec<S>,
}

impl<'a> RecordSpec<&'a str> {
    /// The engine's view of a record of the model.
    pub fn of(record: &'a AccessRecord) -> Self {
        Self {
            disabled: record.status == RecordStatus::Disabled,
            expires_at: record.expires_at,
            users: record.users.iter().map(|u| u.as_str()).collect(),
            groups: record.groups.iter().map(|g| g.as_str()).collect(),
            statements: record
                .statements
                .iter()
                .map(|s| StatementSpec {
                    roles: s.roles.iter().map(|r| r.as_str()).collect(),
                    resources: s.resources.iter().map(|r| r.as_str()).collect(),
                })
                .collect(),
        }
    }
}

/// The segments of a stored resource pattern.
pub(super) fn segments(pattern: &str) -> impl Iterator<Item = &str> {
    pattern.strip_prefix('/').unwrap_or(pattern).split('/')
}

/// One tenant's decision data at one revision.
///
/// A value: the service publishes each revision's index behind an atomic pointer and
/// makes the next one from a clone. Every map is persistent (`imbl`), so the clone is
/// O(1) and a change copies only the paths it touches, O(what changed × log n): the
/// published index is never copied as a whole and never changes under a reader.
#[derive(Debug, Clone, Default)]
pub struct TenantIndex {
    pub(super) revision: i64,
    pub(super) roles: Map<Id, Arc<CompiledRole>>,
    /// The records, by id: a sorted set of the records themselves (found by their own
    /// ids), so the index keeps no second copy of each id as a key.
    pub(super) records: IdSet<RecordRef>,
    pub(super) group_members: Map<Id, IdSet<Id>>,
    pub(super) user_groups: Map<Id, IdSet<Id>>,
    /// The records naming each user: the records themselves, so a check reaches them
    /// without a lookup by id each.
    pub(super) user_records: Map<Id, IdSet<RecordRef>>,
    pub(super) group_records: Map<Id, IdSet<RecordRef>>,
    pub(super) patterns: PatternTrie,
    /// The users whose standing is not the default: suspended (denied everything,
    /// whatever their records give), or signed out everywhere at some time.
    pub(super) standing: Map<Id, Standing>,
    /// The tenant's trusted issuers (at most 50), by id.
    pub(super) issuers: Arc<[(Id, Arc<Issuer>)]>,
}

/// What the index keeps of a user besides the records and groups naming them: whether
/// they are suspended, and when they last signed out everywhere (identity tokens issued
/// before it are refused).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Standing {
    /// Every decision for the user is a deny.
    pub suspended: bool,
    /// The user's `tokensNotBefore`.
    pub tokens_not_before: Option<Timestamp>,
}

impl Standing {
    /// A user's standing, as stored.
    pub fn of(user: &User) -> Self {
        Self {
            suspended: user.status == UserStatus::Suspended,
            tokens_not_before: user.tokens_not_before,
        }
    }

    fn is_default(&self) -> bool {
        *self == Self::default()
    }
}

/// A record in the index's sets: ordered, compared and found by its id.
#[derive(Debug, Clone)]
pub(super) struct RecordRef(Arc<CompiledRecord>);

impl PartialEq for RecordRef {
    fn eq(&self, other: &Self) -> bool {
        self.0.id == other.0.id
    }
}

impl Eq for RecordRef {}

impl PartialOrd for RecordRef {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for RecordRef {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.id.cmp(&other.0.id)
    }
}

impl std::borrow::Borrow<str> for RecordRef {
    fn borrow(&self) -> &str {
        &self.0.id
    }
}

impl std::ops::Deref for RecordRef {
    type Target = CompiledRecord;

    fn deref(&self) -> &CompiledRecord {
        &self.0
    }
}

/// Adds `value` to the set of each of `keys` in `map`.
fn link<T: Keyed>(map: &mut Map<Id, IdSet<T>>, keys: &[Id], value: &T) {
    for key in keys {
        match map.get_mut(key) {
            Some(set) => set.insert(value.clone()),
            None => {
                map.insert(key.clone(), IdSet::from_ids(vec![value.clone()]));
            }
        }
    }
}

/// Removes `value` from the set of each of `keys` in `map`, and the keys left empty.
fn unlink<T: Keyed>(map: &mut Map<Id, IdSet<T>>, keys: &[Id], value: &str) {
    for key in keys {
        if let Some(set) = map.get_mut(key) {
            set.remove(value);
            if set.is_empty() {
                map.remove(key);
            }
        }
    }
}

impl TenantIndex {
    /// An empty index at `revision`.
    pub fn new(revision: i64) -> Self {
        Self {
            revision,
            ..Self::default()
        }
    }

    /// The revision this index reflects.
    pub fn revision(&self) -> i64 {
        self.revision
    }

    /// Whether `user` is suspended.
    pub(super) fn is_suspended(&self, user: &str) -> bool {
        self.standing.get(user).is_some_and(|s| s.suspended)
    }

    /// When `user` last signed out everywhere: their identity tokens issued before are
    /// refused.
    pub fn tokens_not_before(&self, user: &str) -> Option<Timestamp> {
        self.standing.get(user).and_then(|s| s.tokens_not_before)
    }

    /// The trusted issuer whose tokens carry `iss`.
    pub fn issuer(&self, iss: &str) -> Option<&Arc<Issuer>> {
        self.issuers
            .iter()
            .map(|(_, issuer)| issuer)
            .find(|issuer| issuer.issuer == iss)
    }

    /// How many access records the index holds.
    pub fn record_count(&self) -> usize {
        self.records.len()
    }

    /// Applies one change and moves the index to `revision`.
    pub fn apply(&mut self, revision: i64, change: Change) {
        self.revision = revision;
        match change {
            Change::Role(id, role) => self.set_role(&id, role),
            Change::Group(id, group) => self.set_group(&id, group),
            Change::User(id, user) => {
                let standing = user.as_ref().map(Standing::of).unwrap_or_default();
                if standing.is_default() {
                    self.standing.remove(id.as_str());
                } else {
                    let id = Interner::user(self, &id);
                    self.standing.insert(id, standing);
                }
            }
            Change::Issuer(id, issuer) => {
                let mut issuers: Vec<_> = self
                    .issuers
                    .iter()
                    .filter(|(other, _)| **other != *id)
                    .cloned()
                    .collect();
                if let Some(issuer) = issuer {
                    issuers.push((Id::from(id.as_str()), Arc::new(issuer)));
                }
                self.issuers = issuers.into();
            }
            Change::Record(id, record) => {
                self.set_record(&id, record.as_ref().map(RecordSpec::of).as_ref());
            }
            Change::Other => {}
        }
    }

    fn set_role(&mut self, id: &str, role: Option<Role>) {
        match role {
            Some(role) => {
                let id = Interner::role(self, id);
                self.roles.insert(id, Arc::new(CompiledRole::new(role)));
            }
            None => {
                self.roles.remove(id);
            }
        }
    }

    fn set_group(&mut self, id: &str, group: Option<Group>) {
        let id = Interner::group(self, id);
        let old = self.group_members.get(&id).cloned().unwrap_or_default();
        let new: Vec<Id> = group
            .map(|g| g.users.iter().map(|u| self.user(u.as_str())).collect())
            .unwrap_or_default();
        let new = IdSet::from_ids(new);
        let gone: Vec<Id> = old.iter().filter(|u| !new.contains(u)).cloned().collect();
        let came: Vec<Id> = new.iter().filter(|u| !old.contains(u)).cloned().collect();
        unlink(&mut self.user_groups, &gone, &id);
        link(&mut self.user_groups, &came, &id);
        if new.is_empty() {
            self.group_members.remove(&id);
        } else {
            self.group_members.insert(id, new);
        }
    }

    /// Writes (`Some`) or deletes (`None`) record `id` and moves the index to `revision`:
    /// [`Change::Record`] for a caller that holds the engine's view of the record only.
    pub fn apply_record<S: AsRef<str>>(
        &mut self,
        revision: i64,
        id: &str,
        record: Option<&RecordSpec<S>>,
    ) {
        self.revision = revision;
        self.set_record(id, record);
    }

    fn set_record<S: AsRef<str>>(&mut self, id: &str, record: Option<&RecordSpec<S>>) {
        if let Some(old) = self.records.remove(id) {
            unlink(&mut self.user_records, old.users(), &old.id);
            unlink(&mut self.group_records, old.groups(), &old.id);
            for pattern in old.patterns() {
                self.patterns.remove(segments(pattern), &old.id);
            }
        }
        if let Some(record) = record {
            let compiled = compile(self, Id::from(id), record);
            self.insert_compiled(compiled);
        }
    }

    fn insert_compiled(&mut self, record: CompiledRecord) {
        let record = RecordRef(Arc::new(record));
        link(&mut self.user_records, record.users(), &record);
        link(&mut self.group_records, record.groups(), &record);
        for pattern in record.patterns() {
            self.patterns.insert(segments(pattern), &record);
        }
        self.records.insert(record);
    }
}

/// Where a record's names become the index's own ids: a user, group or role already in
/// the index is shared, not copied.
trait Interner {
    fn user(&self, id: &str) -> Id;
    fn group(&self, id: &str) -> Id;
    fn role(&self, id: &str) -> Id;
}

/// The first of `maps` that has `key`, or a new id.
macro_rules! interned {
    ($key:expr, $($map:expr),+) => {
        None$(.or_else(|| $map.get_key_value($key).map(|(id, _)| id)))+
            .cloned()
            .unwrap_or_else(|| Id::from($key))
    };
}

/// The index and its builder intern alike, from maps of the same names: a user is known
/// by the records and groups naming it, a group by its members and records, a role by its
/// entry.
macro_rules! interner {
    ($($type:ty),+) => {$(
        impl Interner for $type {
            fn user(&self, id: &str) -> Id {
                interned!(id, self.user_records, self.user_groups, self.standing)
            }

            fn group(&self, id: &str) -> Id {
                interned!(id, self.group_members, self.group_records)
            }

            fn role(&self, id: &str) -> Id {
                interned!(id, self.roles)
            }
        }
    )+};
}

interner!(TenantIndex, IndexBuilder);

/// The engine's form of a record, its ids interned by `ids`.
fn compile<S: AsRef<str>>(ids: &impl Interner, id: Id, record: &RecordSpec<S>) -> CompiledRecord {
    let mut users: Vec<Id> = record.users.iter().map(|u| ids.user(u.as_ref())).collect();
    users.sort_unstable();
    users.dedup();
    let mut groups: Vec<Id> = record
        .groups
        .iter()
        .map(|g| ids.group(g.as_ref()))
        .collect();
    groups.sort_unstable();
    groups.dedup();
    let mut list = users;
    let mut ends = Vec::with_capacity(2 + 2 * record.statements.len());
    // INVARIANT: a record names at most a few thousand ids (SPEC §2 limits).
    let end = |list: &Vec<Id>| u32::try_from(list.len()).unwrap_or(u32::MAX);
    ends.push(end(&list));
    list.extend(groups);
    ends.push(end(&list));
    for statement in &record.statements {
        list.extend(statement.roles.iter().map(|r| ids.role(r.as_ref())));
        ends.push(end(&list));
        list.extend(statement.resources.iter().map(|r| Id::from(r.as_ref())));
        ends.push(end(&list));
    }
    CompiledRecord {
        id,
        disabled: record.disabled,
        expires_at: record.expires_at,
        ids: list.into(),
        ends: ends.into(),
    }
}

/// Builds an index from a tenant's rows in one pass per kind. It collects into plain hash
/// maps and vectors (appending is all a build does: there is no old state to look up and
/// undo as [`TenantIndex::apply`] must, and nothing shares the maps yet), and makes each
/// persistent map once, at [`IndexBuilder::finish`], from its finished contents: about
/// half the work of inserting record by record into persistent maps, which copy-on-write
/// along every path they touch.
#[derive(Debug, Default)]
pub struct IndexBuilder {
    roles: Map<Id, Arc<CompiledRole>>,
    group_members: Plain<Id, Vec<Id>>,
    user_groups: Plain<Id, Vec<Id>>,
    records: Vec<RecordRef>,
    user_records: Plain<Id, Vec<RecordRef>>,
    group_records: Plain<Id, Vec<RecordRef>>,
    patterns: PatternTrieBuilder,
    standing: Map<Id, Standing>,
    issuers: Vec<(Id, Arc<Issuer>)>,
}

/// Appends `value` to the list of each of `keys` in `map`.
fn append<T: Clone>(map: &mut Plain<Id, Vec<T>>, keys: &[Id], value: &T) {
    for key in keys {
        match map.get_mut(key) {
            Some(list) => list.push(value.clone()),
            None => {
                map.insert(key.clone(), vec![value.clone()]);
            }
        }
    }
}

/// The persistent map of sets of a builder's lists.
fn sets<T: Keyed>(lists: Plain<Id, Vec<T>>) -> Map<Id, IdSet<T>> {
    lists
        .into_iter()
        .map(|(key, list)| (key, IdSet::from_ids(list)))
        .collect()
}

impl IndexBuilder {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a role.
    pub fn role(&mut self, id: &str, role: Role) {
        let id = Interner::role(self, id);
        self.roles.insert(id, Arc::new(CompiledRole::new(role)));
    }

    /// Adds a group (its members).
    pub fn group(&mut self, id: &str, group: Group) {
        let id = Interner::group(self, id);
        let users: Vec<Id> = group.users.iter().map(|u| self.user(u.as_str())).collect();
        if !users.is_empty() {
            append(&mut self.user_groups, &users, &id);
            self.group_members.insert(id, users);
        }
    }

    /// Adds an access record.
    pub fn record<S: AsRef<str>>(&mut self, id: &str, record: &RecordSpec<S>) {
        let record = RecordRef(Arc::new(compile(self, Id::from(id), record)));
        append(&mut self.user_records, record.users(), &record);
        append(&mut self.group_records, record.groups(), &record);
        for pattern in record.patterns() {
            self.patterns.insert(segments(pattern), &record);
        }
        self.records.push(record);
    }

    /// Keeps a user's standing (one that is not the default).
    pub fn standing(&mut self, user: &str, standing: Standing) {
        if !standing.is_default() {
            let id = Interner::user(self, user);
            self.standing.insert(id, standing);
        }
    }

    /// Adds a trusted issuer.
    pub fn issuer(&mut self, id: &str, issuer: Issuer) {
        self.issuers.push((Id::from(id), Arc::new(issuer)));
    }

    /// The finished index, at the revision its rows were read at. Its two largest parts
    /// (the pattern trie, and the records with the sets naming them) are made side by
    /// side: the build's reader is done by now, so a second core is idle, and at a
    /// million records this is over a second of work.
    pub fn finish(self, revision: i64) -> TenantIndex {
        let Self {
            roles,
            group_members,
            user_groups,
            records,
            user_records,
            group_records,
            patterns,
            standing,
            issuers,
        } = self;
        let rest = move || {
            (
                IdSet::from_ids(records),
                sets(group_members),
                sets(user_groups),
                sets(user_records),
                sets(group_records),
            )
        };
        let (patterns, (records, group_members, user_groups, user_records, group_records)) =
            std::thread::scope(|scope| {
                let other = scope.spawn(rest);
                let patterns = patterns.finish();
                let rest = other
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                (patterns, rest)
            });
        TenantIndex {
            revision,
            roles,
            records,
            group_members,
            user_groups,
            user_records,
            group_records,
            patterns,
            standing,
            issuers: issuers.into(),
        }
    }
}
