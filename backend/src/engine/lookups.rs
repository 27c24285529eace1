//! The lookups: a user's effective permissions on a resource, the resources a user holds a
//! permission on, and the users who hold a permission on a resource. The two that list
//! page by a key (`after`, `take`) and stop once the page is full: they never sort the
//! whole answer to return one page.

use std::borrow::Cow;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};

use super::Id;
use super::check::{Requested, Via, pattern_covers};
use super::index::{CompiledRecord, CompiledStatement, TenantIndex, segments};
use crate::domain::Timestamp;
use crate::domain::matching::{action_segments, resource_segments};

/// What a user may do on one resource: the permission entries of every role given on it
/// by a record in force, merged by action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EffectivePermission {
    /// The action, as the role states it (it may hold `*`).
    pub action: String,
    /// Some role allows it.
    pub allow: bool,
    /// Some role lets the user grant it.
    pub grant: bool,
    /// Some role lets the user delegate it.
    pub delegate: bool,
    /// Each role a record in force gives the user there with an entry for the action, in
    /// record order, then role order: what the entry is held through.
    pub grants: Vec<RoleGrant>,
}

/// A role a record gives a user on a resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleGrant {
    /// The access record.
    pub record_id: String,
    /// Whom the record names that brought the user in.
    pub via: Via,
    /// The role.
    pub role_id: String,
}

/// A user who holds a permission on a resource, and the records that give it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    /// The user.
    pub user_id: String,
    /// The records that give it, each with whom it names that brought the user in.
    pub grants: Vec<HolderGrant>,
}

/// One record through which a user holds a permission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolderGrant {
    /// The access record.
    pub record_id: String,
    /// Whom the record names that brought the user in.
    pub via: Via,
}

/// What pattern `granted` covers of everything at or below the concrete `under`: `under`
/// itself when `granted` covers it, the part of `granted` below `under` when `granted` is
/// more specific (its `*` segments taking `under`'s values), `None` when they are disjoint.
fn within(granted: &str, under: &[&str]) -> Option<String> {
    let granted: Vec<&str> = segments(granted).collect();
    let mut parts: Vec<&str> = Vec::with_capacity(granted.len().max(under.len()));
    for i in 0..granted.len().max(under.len()) {
        let segment = match (granted.get(i).copied(), under.get(i).copied()) {
            (Some(g), Some(u)) if g == u || g == "*" => u,
            (Some(_), Some(_)) => return None,
            (Some(g), None) => g,
            (None, Some(u)) => u,
            (None, None) => break,
        };
        parts.push(segment);
    }
    Some(format!("/{}", parts.join("/")))
}

/// The users one record brings in for [`TenantIndex::holders`], in id order: those it
/// names, or the members of one group it names.
struct UserStream<'a> {
    record: &'a CompiledRecord,
    /// The group, for members of a group.
    group: Option<&'a Id>,
    users: Box<dyn Iterator<Item = &'a Id> + 'a>,
}

impl TenantIndex {
    /// Whether some role of the statement allows the action.
    fn statement_allows(&self, statement: CompiledStatement<'_>, action: &[&str]) -> bool {
        statement
            .roles()
            .iter()
            .filter_map(|id| self.roles.get(id))
            .any(|role| role.allowing(action).is_some())
    }

    /// The first `take` actions after `after` that some role's entry names and that start
    /// with `prefix`, each with the roles naming it (in id order). Reads every role's
    /// entries: a tenant's roles are few beside its records.
    pub fn actions_in_use(
        &self,
        prefix: &str,
        after: Option<&str>,
        take: usize,
    ) -> Vec<(String, Vec<String>)> {
        let mut found: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for (role_id, role) in self.roles.iter() {
            for (_, entry) in role.entries.iter() {
                let action = entry.action.as_str();
                if action.starts_with(prefix) && after.is_none_or(|a| action > a) {
                    found.entry(action).or_default().insert(role_id);
                }
            }
        }
        found
            .into_iter()
            .take(take)
            .map(|(action, roles)| {
                (
                    action.to_owned(),
                    roles.into_iter().map(str::to_owned).collect(),
                )
            })
            .collect()
    }

    /// Every permission entry `user` holds on `resource` (concrete), merged by action and
    /// sorted by it; none for a suspended user.
    pub fn effective_permissions(
        &self,
        user: &str,
        resource: &str,
        now: Timestamp,
    ) -> Vec<EffectivePermission> {
        if self.is_suspended(user) {
            return Vec::new();
        }
        let resource = Requested::new(resource);
        let mut merged: BTreeMap<String, EffectivePermission> = BTreeMap::new();
        for (record, via) in self.records_of(user) {
            if !record.in_force(now) {
                continue;
            }
            for statement in record.statements() {
                if !statement
                    .resources()
                    .iter()
                    .any(|p| pattern_covers(p, &resource))
                {
                    continue;
                }
                for (role_id, role) in statement
                    .roles()
                    .iter()
                    .filter_map(|id| Some((id, self.roles.get(id)?)))
                {
                    for (_, entry) in role.entries.iter() {
                        let slot = merged.entry(entry.action.to_string()).or_insert_with(|| {
                            EffectivePermission {
                                action: entry.action.to_string(),
                                allow: false,
                                grant: false,
                                delegate: false,
                                grants: Vec::new(),
                            }
                        });
                        slot.allow |= entry.allow;
                        slot.grant |= entry.grant;
                        slot.delegate |= entry.delegate;
                        slot.grants.push(RoleGrant {
                            record_id: record.id.to_string(),
                            via: via.to_owned(),
                            role_id: role_id.to_string(),
                        });
                    }
                }
            }
        }
        merged
            .into_values()
            .map(|mut permission| {
                // A record giving a role in two statements gives it once.
                permission
                    .grants
                    .sort_by(|a, b| (&a.record_id, &a.role_id).cmp(&(&b.record_id, &b.role_id)));
                permission
                    .grants
                    .dedup_by(|b, a| (&a.record_id, &a.role_id) == (&b.record_id, &b.role_id));
                permission
            })
            .collect()
    }

    /// The first `take` resource patterns after `after` on which `user` holds `action`
    /// (concrete), sorted, each with the records that give it (in record order); with
    /// `under`, only what lies at or below it (a grant covering all of `under` gives
    /// `under` itself). Looks at the user's records only, and keeps at most `take` patterns
    /// while it does. None for a suspended user.
    pub fn resources_for(
        &self,
        user: &str,
        action: &str,
        under: Option<&str>,
        now: Timestamp,
        after: Option<&str>,
        take: usize,
    ) -> Vec<(String, Vec<HolderGrant>)> {
        if self.is_suspended(user) {
            return Vec::new();
        }
        let action = action_segments(action);
        let under = under.map(resource_segments);
        let mut found: BTreeMap<Cow<'_, str>, Vec<HolderGrant>> = BTreeMap::new();
        for (record, via) in self.records_of(user) {
            if !record.in_force(now) {
                continue;
            }
            for statement in record.statements() {
                if !self.statement_allows(statement, &action) {
                    continue;
                }
                for pattern in statement.resources().iter() {
                    let part: Cow<'_, str> = match &under {
                        None => Cow::Borrowed(&**pattern),
                        Some(under) => match within(pattern, under) {
                            Some(part) => Cow::Owned(part),
                            None => continue,
                        },
                    };
                    if after.is_some_and(|a| *part <= *a) {
                        continue;
                    }
                    let grant = || HolderGrant {
                        record_id: record.id.to_string(),
                        via: via.to_owned(),
                    };
                    if let Some(grants) = found.get_mut(&part) {
                        // Records come in order, each once; a second statement of the
                        // same record naming the same pattern adds nothing.
                        if grants.last().is_none_or(|g| *g.record_id != *record.id) {
                            grants.push(grant());
                        }
                        continue;
                    }
                    if found.len() == take
                        && found.last_key_value().is_some_and(|(l, _)| part >= *l)
                    {
                        continue;
                    }
                    found.insert(part, vec![grant()]);
                    if found.len() > take {
                        found.pop_last();
                    }
                }
            }
        }
        found
            .into_iter()
            .map(|(pattern, grants)| (pattern.into_owned(), grants))
            .collect()
    }

    /// The first `take` users after `after` (by id) who hold `action` on `resource` (both
    /// concrete), each with the records that give it. Looks only at the records with a
    /// pattern covering the resource, and merges their users in id order from `after` on,
    /// so a page costs its own size (× log of the records merged), not the holders'.
    /// Suspended users are left out.
    pub fn holders(
        &self,
        resource: &str,
        action: &str,
        now: Timestamp,
        after: Option<&str>,
        take: usize,
    ) -> Vec<Holder> {
        let resource = Requested::new(resource);
        let action = action_segments(action);
        let mut candidates = Vec::new();
        self.patterns.covering(resource.segments(), &mut candidates);
        candidates.sort_unstable();
        candidates.dedup();
        let mut streams: Vec<UserStream<'_>> = Vec::new();
        for record in candidates.iter().map(|r| &***r) {
            let grants = record.in_force(now)
                && record.statements().any(|statement| {
                    statement
                        .resources()
                        .iter()
                        .any(|p| pattern_covers(p, &resource))
                        && self.statement_allows(statement, &action)
                });
            if !grants {
                continue;
            }
            let start = after.map_or(0, |a| record.users().partition_point(|u| **u <= *a));
            streams.push(UserStream {
                record,
                group: None,
                users: Box::new(record.users()[start..].iter()),
            });
            for group in record.groups() {
                if let Some(members) = self.group_members.get(group) {
                    streams.push(UserStream {
                        record,
                        group: Some(group),
                        users: members.iter_after(after),
                    });
                }
            }
        }
        // A k-way merge of the streams by user id.
        let mut heads: BinaryHeap<Reverse<(&Id, usize)>> = BinaryHeap::new();
        for (i, stream) in streams.iter_mut().enumerate() {
            if let Some(user) = stream.users.next() {
                heads.push(Reverse((user, i)));
            }
        }
        let mut holders: Vec<Holder> = Vec::new();
        while let Some(Reverse((user, i))) = heads.pop() {
            let stream = &mut streams[i];
            if self.is_suspended(user) {
                if let Some(next) = stream.users.next() {
                    heads.push(Reverse((next, i)));
                }
                continue;
            }
            if holders.last().is_none_or(|h| *h.user_id != **user) {
                if holders.len() == take {
                    break;
                }
                holders.push(Holder {
                    user_id: user.to_string(),
                    grants: Vec::new(),
                });
            }
            let via = match stream.group {
                None => Via::User(user.to_string()),
                Some(group) => Via::Group(group.to_string()),
            };
            if let Some(holder) = holders.last_mut() {
                holder.grants.push(HolderGrant {
                    record_id: stream.record.id.to_string(),
                    via,
                });
            }
            if let Some(next) = stream.users.next() {
                heads.push(Reverse((next, i)));
            }
        }
        // Each record once per user, the way a reader of the record finds first: the user
        // named directly, else the first of its groups.
        for holder in &mut holders {
            holder.grants.sort_by(|a, b| {
                let rank = |via: &Via| match via {
                    Via::User(_) => (0, String::new()),
                    Via::Group(g) => (1, g.clone()),
                };
                a.record_id
                    .cmp(&b.record_id)
                    .then_with(|| rank(&a.via).cmp(&rank(&b.via)))
            });
            holder.grants.dedup_by(|b, a| a.record_id == b.record_id);
        }
        holders
    }
}
