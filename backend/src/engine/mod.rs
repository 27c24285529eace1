//! The decision engine: a tenant's roles, groups and access records compiled into an
//! immutable index that answers "may user U do P on resource R?" without I/O.
//!
//! A [`TenantIndex`] is a value: the service keeps the current one per tenant behind an
//! atomic pointer and replaces it with a changed copy per revision, so checks never wait
//! for writes or for each other. Copies are cheap: every map holds `Arc`s, so a change
//! copies pointers, not roles or records.
//!
//! A check looks only at what the user holds: the records that name the user, and those
//! that name one of the user's groups. Its cost grows with those, not with the tenant.
//! Records are evaluated as they stand: a role is looked up when a check needs it, so
//! editing a role changes every record that uses it at once. Expiry and the disabled state
//! are decided at evaluation time.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::matching::{action_segments, covers, resource_segments};
use crate::domain::{AccessRecord, Group, PermissionEntry, RecordStatus, Role, Timestamp};

type Id = Arc<str>;
type Segments = Box<[Box<str>]>;

fn owned(segments: Vec<&str>) -> Segments {
    segments.into_iter().map(Box::from).collect()
}

/// A change to apply to an index: an object's new state, or its removal (`None`).
#[derive(Debug, Clone)]
pub enum Change {
    /// A role was written or deleted.
    Role(String, Option<Role>),
    /// A group was written or deleted.
    Group(String, Option<Group>),
    /// An access record was written or deleted.
    Record(String, Option<AccessRecord>),
    /// Something that does not affect decisions (users, resources, keys, the tenant).
    Other,
}

#[derive(Debug)]
struct CompiledRole {
    entries: Vec<(Segments, PermissionEntry)>,
}

impl CompiledRole {
    fn allowing(&self, action: &[&str]) -> Option<&PermissionEntry> {
        self.entries
            .iter()
            .find(|(pattern, entry)| entry.allow && covers(pattern, action))
            .map(|(_, entry)| entry)
    }
}

#[derive(Debug)]
struct CompiledStatement {
    roles: Vec<Id>,
    resources: Vec<(Id, Segments)>,
}

#[derive(Debug)]
struct CompiledRecord {
    id: Id,
    disabled: bool,
    expires_at: Option<Timestamp>,
    users: Vec<Id>,
    groups: Vec<Id>,
    statements: Vec<CompiledStatement>,
}

/// Whom a record names that made it apply to the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", tag = "kind", content = "id")]
pub enum Via {
    /// The record names the user.
    User(String),
    /// The record names a group the user is in.
    Group(String),
}

/// [`Via`] without owning its id: made for every record a check looks at, turned into a
/// `Via` only when an explanation is asked for.
#[derive(Debug, Clone, Copy)]
enum ViaRef<'a> {
    User(&'a str),
    Group(&'a str),
}

impl ViaRef<'_> {
    fn to_owned(self) -> Via {
        match self {
            ViaRef::User(id) => Via::User(id.to_owned()),
            ViaRef::Group(id) => Via::Group(id.to_owned()),
        }
    }
}

/// What granted an allowed request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Grant {
    /// The access record.
    pub record_id: String,
    /// Whom the record names that brought the user in.
    pub via: Via,
    /// The index of the statement within the record.
    pub statement: usize,
    /// The resource pattern of the statement that covers the requested resource.
    pub resource: String,
    /// The role that allows the permission.
    pub role_id: String,
    /// The role's permission entry that implies the requested permission.
    pub permission: PermissionEntry,
}

/// Why a record that names the user did not grant the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum Reason {
    /// The record is disabled.
    Disabled,
    /// The record has expired.
    Expired,
    /// No statement of the record covers the resource.
    ResourceNotCovered,
    /// Statements cover the resource, but none of their roles allows the permission.
    NoRoleAllows,
}

/// A record that names the user but did not apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NotApplied {
    /// The access record.
    pub record_id: String,
    /// Whom the record names that brought the user in.
    pub via: Via,
    /// Why it did not grant the request.
    pub reason: Reason,
}

/// Why a decision came out as it did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Explanation {
    /// For an allow: what granted it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub granted_by: Option<Grant>,
    /// For a deny: every record naming the user (directly or through a group), and why it
    /// did not apply. Empty when no record names the user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_applied: Option<Vec<NotApplied>>,
}

/// The answer to a check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Whether the user may.
    pub allowed: bool,
    /// Why, when asked for.
    pub explanation: Option<Explanation>,
}

/// One tenant's decision data at one revision.
#[derive(Debug, Clone, Default)]
pub struct TenantIndex {
    revision: i64,
    roles: Arc<HashMap<Id, Arc<CompiledRole>>>,
    group_members: Arc<HashMap<Id, Arc<[Id]>>>,
    user_groups: Arc<HashMap<Id, Arc<[Id]>>>,
    records: Arc<HashMap<Id, Arc<CompiledRecord>>>,
    user_records: Arc<HashMap<Id, Arc<[Id]>>>,
    group_records: Arc<HashMap<Id, Arc<[Id]>>>,
    patterns: Arc<PatternNode>,
}

/// The records indexed by the resource patterns of their statements, as a trie of
/// segments (`*` is a child like any other). Finding the records whose patterns cover a
/// resource walks only the branches that match it, so it grows with the matching grants,
/// not with the tenant. Changed by copying the path to the changed node; the rest is shared.
#[derive(Debug, Clone, Default)]
struct PatternNode {
    /// Records with a pattern that ends here.
    records: Arc<[Id]>,
    children: HashMap<Box<str>, Arc<PatternNode>>,
}

impl PatternNode {
    fn is_empty(&self) -> bool {
        self.records.is_empty() && self.children.is_empty()
    }

    /// A copy with `record` added at (or removed from) the node of `path`.
    fn with(&self, path: &[Box<str>], record: &Id, add: bool) -> PatternNode {
        let mut node = self.clone();
        match path.split_first() {
            None => {
                let mut records: Vec<Id> = node
                    .records
                    .iter()
                    .filter(|r| *r != record)
                    .cloned()
                    .collect();
                if add {
                    records.push(record.clone());
                }
                node.records = records.into();
            }
            Some((head, rest)) => {
                let child = node.children.get(head).map(|c| c.with(rest, record, add));
                let child = child.unwrap_or_else(|| PatternNode::default().with(rest, record, add));
                if child.is_empty() {
                    node.children.remove(head);
                } else {
                    node.children.insert(head.clone(), Arc::new(child));
                }
            }
        }
        node
    }

    /// Adds the records with a pattern covering `resource` (concrete segments) to `found`.
    fn covering(&self, resource: &[&str], found: &mut Vec<Id>) {
        found.extend(self.records.iter().cloned());
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

/// The distinct resource patterns of a record, as segments.
fn patterns_of(record: Option<&CompiledRecord>) -> Vec<&Segments> {
    let mut patterns: Vec<&Segments> = record
        .into_iter()
        .flat_map(|r| {
            r.statements
                .iter()
                .flat_map(|s| s.resources.iter().map(|(_, p)| p))
        })
        .collect();
    patterns.sort();
    patterns.dedup();
    patterns
}

/// Moves `value` from the entries of `old` keys to those of `new` keys.
fn relink(map: &mut Arc<HashMap<Id, Arc<[Id]>>>, old: &[Id], new: &[Id], value: &Id) {
    let map = Arc::make_mut(map);
    for key in old.iter().filter(|k| !new.contains(k)) {
        if let Some(values) = map.get(key) {
            let kept: Vec<Id> = values.iter().filter(|v| *v != value).cloned().collect();
            if kept.is_empty() {
                map.remove(key);
            } else {
                map.insert(key.clone(), kept.into());
            }
        }
    }
    for key in new.iter().filter(|k| !old.contains(k)) {
        let mut values: Vec<Id> = map.get(key).map(|v| v.to_vec()).unwrap_or_default();
        values.push(value.clone());
        map.insert(key.clone(), values.into());
    }
}

fn ids<T: ToString>(items: &[T]) -> Vec<Id> {
    let mut ids: Vec<Id> = items.iter().map(|i| Id::from(i.to_string())).collect();
    ids.sort();
    ids.dedup();
    ids
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

    /// How many access records the index holds.
    pub fn record_count(&self) -> usize {
        self.records.len()
    }

    /// Applies one change and moves the index to `revision`.
    pub fn apply(&mut self, revision: i64, change: Change) {
        self.revision = revision;
        match change {
            Change::Role(id, role) => {
                let roles = Arc::make_mut(&mut self.roles);
                match role {
                    Some(role) => {
                        let entries = role
                            .permissions
                            .into_iter()
                            .map(|entry| (owned(action_segments(entry.action.as_str())), entry))
                            .collect();
                        roles.insert(id.into(), Arc::new(CompiledRole { entries }));
                    }
                    None => {
                        roles.remove(id.as_str());
                    }
                }
            }
            Change::Group(id, group) => {
                let id: Id = id.into();
                let old: Vec<Id> = self
                    .group_members
                    .get(&id)
                    .map(|m| m.to_vec())
                    .unwrap_or_default();
                let new = group.map(|g| ids(&g.users)).unwrap_or_default();
                relink(&mut self.user_groups, &old, &new, &id);
                let members = Arc::make_mut(&mut self.group_members);
                if new.is_empty() {
                    members.remove(&id);
                } else {
                    members.insert(id, new.into());
                }
            }
            Change::Record(id, record) => {
                let id: Id = id.into();
                let (old_users, old_groups) = match self.records.get(&id) {
                    Some(old) => (old.users.clone(), old.groups.clone()),
                    None => (Vec::new(), Vec::new()),
                };
                let compiled = record.map(|record| CompiledRecord {
                    id: id.clone(),
                    disabled: record.status == RecordStatus::Disabled,
                    expires_at: record.expires_at,
                    users: ids(&record.users),
                    groups: ids(&record.groups),
                    statements: record
                        .statements
                        .iter()
                        .map(|statement| CompiledStatement {
                            roles: statement
                                .roles
                                .iter()
                                .map(|r| Id::from(r.as_str()))
                                .collect(),
                            resources: statement
                                .resources
                                .iter()
                                .map(|r| {
                                    (Id::from(r.as_str()), owned(resource_segments(r.as_str())))
                                })
                                .collect(),
                        })
                        .collect(),
                });
                let (new_users, new_groups) = match &compiled {
                    Some(record) => (record.users.clone(), record.groups.clone()),
                    None => (Vec::new(), Vec::new()),
                };
                relink(&mut self.user_records, &old_users, &new_users, &id);
                relink(&mut self.group_records, &old_groups, &new_groups, &id);
                let old_record = self.records.get(&id).cloned();
                let old_patterns = patterns_of(old_record.as_deref());
                let new_patterns = patterns_of(compiled.as_ref());
                let mut patterns = PatternNode::clone(&self.patterns);
                for pattern in old_patterns.iter().filter(|p| !new_patterns.contains(p)) {
                    patterns = patterns.with(pattern, &id, false);
                }
                for pattern in new_patterns.iter().filter(|p| !old_patterns.contains(p)) {
                    patterns = patterns.with(pattern, &id, true);
                }
                self.patterns = Arc::new(patterns);
                let records = Arc::make_mut(&mut self.records);
                match compiled {
                    Some(record) => records.insert(id, Arc::new(record)),
                    None => records.remove(&id),
                };
            }
            Change::Other => {}
        }
    }

    /// The records that name `user`, directly or through a group, each once (the first
    /// way found: directly, then by group id), in record id order.
    fn records_of<'a>(&'a self, user: &'a str) -> Vec<(&'a CompiledRecord, ViaRef<'a>)> {
        let mut found: Vec<(&CompiledRecord, ViaRef<'a>)> = Vec::new();
        let mut add = |record_ids: Option<&'a Arc<[Id]>>, via: ViaRef<'a>| {
            for record_id in record_ids.into_iter().flat_map(|ids| ids.iter()) {
                if let Some(record) = self.records.get(record_id)
                    && !found.iter().any(|(r, _)| r.id == record.id)
                {
                    found.push((record, via));
                }
            }
        };
        add(self.user_records.get(user), ViaRef::User(user));
        for group in self
            .user_groups
            .get(user)
            .into_iter()
            .flat_map(|g| g.iter())
        {
            add(self.group_records.get(group), ViaRef::Group(group));
        }
        found.sort_by(|a, b| a.0.id.cmp(&b.0.id));
        found
    }

    /// Whether `user` may perform `action` (concrete, `:`-separated) on `resource`
    /// (concrete URI) at instant `now`; with the explanation when `explain` is set.
    pub fn check(
        &self,
        user: &str,
        resource: &str,
        action: &str,
        now: Timestamp,
        explain: bool,
    ) -> Decision {
        let resource = resource_segments(resource);
        let action = action_segments(action);
        let mut not_applied = Vec::new();
        for (record, via) in self.records_of(user) {
            let reason = if record.disabled {
                Reason::Disabled
            } else if record.expires_at.is_some_and(|at| at <= now) {
                Reason::Expired
            } else {
                let mut covered = false;
                for (index, statement) in record.statements.iter().enumerate() {
                    let Some((pattern, _)) = statement
                        .resources
                        .iter()
                        .find(|(_, p)| covers(p, &resource))
                    else {
                        continue;
                    };
                    covered = true;
                    for role_id in &statement.roles {
                        let Some(entry) = self
                            .roles
                            .get(role_id)
                            .and_then(|role| role.allowing(&action))
                        else {
                            continue;
                        };
                        let explanation = explain.then(|| Explanation {
                            granted_by: Some(Grant {
                                record_id: record.id.to_string(),
                                via: via.to_owned(),
                                statement: index,
                                resource: pattern.to_string(),
                                role_id: role_id.to_string(),
                                permission: entry.clone(),
                            }),
                            not_applied: None,
                        });
                        return Decision {
                            allowed: true,
                            explanation,
                        };
                    }
                }
                if covered {
                    Reason::NoRoleAllows
                } else {
                    Reason::ResourceNotCovered
                }
            };
            if explain {
                not_applied.push(NotApplied {
                    record_id: record.id.to_string(),
                    via: via.to_owned(),
                    reason,
                });
            }
        }
        Decision {
            allowed: false,
            explanation: explain.then_some(Explanation {
                granted_by: None,
                not_applied: Some(not_applied),
            }),
        }
    }
}

/// What a user may do on one resource: the permission entries of every role given on it
/// by a record in force, merged by action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EffectivePermission {
    /// The action, as the role states it (it may hold `*`).
    pub action: String,
    /// Some role allows it.
    pub allow: bool,
    /// Some role lets the user grant it.
    pub grant: bool,
    /// Some role lets the user delegate it.
    pub delegate: bool,
}

/// A user who holds a permission on a resource, and the records that give it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Holder {
    /// The user.
    pub user_id: String,
    /// The records that give it, each with whom it names that brought the user in.
    pub grants: Vec<HolderGrant>,
}

/// One record through which a user holds a permission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HolderGrant {
    /// The access record.
    pub record_id: String,
    /// Whom the record names that brought the user in.
    pub via: Via,
}

/// What pattern `granted` covers of everything at or below the concrete `under`: `under`
/// itself when `granted` covers it, the part of `granted` below `under` when `granted` is
/// more specific (its `*` segments taking `under`'s values), `None` when they are disjoint.
fn within(granted: &[Box<str>], under: &[&str]) -> Option<String> {
    let mut segments: Vec<&str> = Vec::with_capacity(granted.len().max(under.len()));
    for i in 0..granted.len().max(under.len()) {
        let segment = match (granted.get(i).map(|s| &**s), under.get(i).copied()) {
            (Some(g), Some(u)) if g == u || g == "*" => u,
            (Some(_), Some(_)) => return None,
            (Some(g), None) => g,
            (None, Some(u)) => u,
            (None, None) => break,
        };
        segments.push(segment);
    }
    Some(format!("/{}", segments.join("/")))
}

impl TenantIndex {
    /// Whether some role of the statement allows the action.
    fn statement_allows(&self, statement: &CompiledStatement, action: &[&str]) -> bool {
        statement
            .roles
            .iter()
            .filter_map(|id| self.roles.get(id))
            .any(|role| role.allowing(action).is_some())
    }

    fn in_force(record: &CompiledRecord, now: Timestamp) -> bool {
        !record.disabled && record.expires_at.is_none_or(|at| at > now)
    }

    /// Every permission entry `user` holds on `resource` (concrete), merged by action and
    /// sorted by it.
    pub fn effective_permissions(
        &self,
        user: &str,
        resource: &str,
        now: Timestamp,
    ) -> Vec<EffectivePermission> {
        let resource = resource_segments(resource);
        let mut merged: std::collections::BTreeMap<String, EffectivePermission> =
            Default::default();
        for (record, _) in self.records_of(user) {
            if !Self::in_force(record, now) {
                continue;
            }
            for statement in &record.statements {
                if !statement
                    .resources
                    .iter()
                    .any(|(_, p)| covers(p, &resource))
                {
                    continue;
                }
                for role in statement.roles.iter().filter_map(|id| self.roles.get(id)) {
                    for (_, entry) in &role.entries {
                        let slot = merged.entry(entry.action.to_string()).or_insert_with(|| {
                            EffectivePermission {
                                action: entry.action.to_string(),
                                allow: false,
                                grant: false,
                                delegate: false,
                            }
                        });
                        slot.allow |= entry.allow;
                        slot.grant |= entry.grant;
                        slot.delegate |= entry.delegate;
                    }
                }
            }
        }
        merged.into_values().collect()
    }

    /// The resource patterns on which `user` holds `action` (concrete), sorted; with
    /// `under`, only what lies at or below it (a grant covering all of `under` gives
    /// `under` itself).
    pub fn resources_for(
        &self,
        user: &str,
        action: &str,
        under: Option<&str>,
        now: Timestamp,
    ) -> Vec<String> {
        let action = action_segments(action);
        let under = under.map(resource_segments);
        let mut found = std::collections::BTreeSet::new();
        for (record, _) in self.records_of(user) {
            if !Self::in_force(record, now) {
                continue;
            }
            for statement in &record.statements {
                if !self.statement_allows(statement, &action) {
                    continue;
                }
                for (pattern, segments) in &statement.resources {
                    match &under {
                        None => {
                            found.insert(pattern.to_string());
                        }
                        Some(under) => {
                            if let Some(part) = within(segments, under) {
                                found.insert(part);
                            }
                        }
                    }
                }
            }
        }
        found.into_iter().collect()
    }

    /// The users who hold `action` on `resource` (both concrete), sorted by id, each with
    /// the records that give it. Looks only at the records with a pattern covering it.
    pub fn holders(&self, resource: &str, action: &str, now: Timestamp) -> Vec<Holder> {
        let resource = resource_segments(resource);
        let action = action_segments(action);
        let mut holders: std::collections::BTreeMap<String, Vec<HolderGrant>> = Default::default();
        let mut candidates = Vec::new();
        self.patterns.covering(&resource, &mut candidates);
        candidates.sort();
        candidates.dedup();
        for record in candidates.iter().filter_map(|id| self.records.get(id)) {
            if !Self::in_force(record, now) {
                continue;
            }
            let grants = record.statements.iter().any(|statement| {
                statement
                    .resources
                    .iter()
                    .any(|(_, p)| covers(p, &resource))
                    && self.statement_allows(statement, &action)
            });
            if !grants {
                continue;
            }
            let mut add = |user: &Id, via: Via| {
                let grants = holders.entry(user.to_string()).or_default();
                if !grants.iter().any(|g| *g.record_id == *record.id) {
                    grants.push(HolderGrant {
                        record_id: record.id.to_string(),
                        via,
                    });
                }
            };
            for user in &record.users {
                add(user, Via::User(user.to_string()));
            }
            for group in &record.groups {
                for user in self
                    .group_members
                    .get(group)
                    .into_iter()
                    .flat_map(|m| m.iter())
                {
                    add(user, Via::Group(group.to_string()));
                }
            }
        }
        holders
            .into_iter()
            .map(|(user_id, grants)| Holder { user_id, grants })
            .collect()
    }
}

#[cfg(test)]
mod tests;
