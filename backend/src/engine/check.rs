//! The check: "may user U do P on resource R?", with its explanation when asked for.

use super::index::{CompiledRecord, TenantIndex, segments};
use crate::domain::matching::{action_segments, resource_segments};
use crate::domain::{PermissionEntry, Timestamp};

/// A concrete resource asked about: its text, and its segments once a pattern with `*`
/// (or the trie) needs them.
pub(super) struct Requested<'a> {
    pub(super) uri: &'a str,
    segments: std::cell::OnceCell<Vec<&'a str>>,
}

impl<'a> Requested<'a> {
    pub(super) fn new(uri: &'a str) -> Self {
        Self {
            uri,
            segments: std::cell::OnceCell::new(),
        }
    }

    pub(super) fn segments(&self) -> &[&'a str] {
        self.segments.get_or_init(|| resource_segments(self.uri))
    }
}

/// Whether the stored resource `pattern` covers the concrete resource. A pattern without
/// `*` (most of them) covers exactly the URIs it is a prefix of at a segment boundary: one
/// comparison of bytes, no splitting.
pub(super) fn pattern_covers(pattern: &str, resource: &Requested<'_>) -> bool {
    if !pattern.contains('*') {
        let uri = resource.uri.as_bytes();
        return uri.starts_with(pattern.as_bytes())
            && (uri.len() == pattern.len() || uri[pattern.len()] == b'/');
    }
    let mut requested = resource.segments().iter();
    segments(pattern).all(|p| requested.next().is_some_and(|r| p == "*" || p == *r))
}

/// Whom a record names that made it apply to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// The record names the user.
    User(String),
    /// The record names a group the user is in.
    Group(String),
}

/// [`Via`] without owning its id: made for every record a check looks at, turned into a
/// `Via` only when an explanation is asked for.
#[derive(Debug, Clone, Copy)]
pub(super) enum ViaRef<'a> {
    User(&'a str),
    Group(&'a str),
}

impl ViaRef<'_> {
    pub(super) fn to_owned(self) -> Via {
        match self {
            ViaRef::User(id) => Via::User(id.to_owned()),
            ViaRef::Group(id) => Via::Group(id.to_owned()),
        }
    }
}

/// What granted an allowed request.
#[derive(Debug, Clone, PartialEq, Eq)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotApplied {
    /// The access record.
    pub record_id: String,
    /// Whom the record names that brought the user in.
    pub via: Via,
    /// Why it did not grant the request.
    pub reason: Reason,
}

/// Why a decision came out as it did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    /// For an allow: what granted it.
    pub granted_by: Option<Grant>,
    /// For a deny: every record naming the user (directly or through a group), and why it
    /// did not apply. Empty when no record names the user, or when the user is suspended.
    pub not_applied: Option<Vec<NotApplied>>,
    /// The user is suspended: denied whatever their records give.
    pub user_suspended: bool,
}

/// The answer to a check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Whether the user may.
    pub allowed: bool,
    /// Why, when asked for.
    pub explanation: Option<Explanation>,
}

impl TenantIndex {
    /// The records that name `user`, directly or through a group, each once (the first
    /// way found: directly, then by group id), in record id order.
    pub(super) fn records_of<'a>(&'a self, user: &'a str) -> Vec<(&'a CompiledRecord, ViaRef<'a>)> {
        let mut found: Vec<(&CompiledRecord, ViaRef<'a>)> = Vec::new();
        if let Some(records) = self.user_records.get(user) {
            records.for_each(|record| found.push((record, ViaRef::User(user))));
        }
        // The user's own records are in id order already; only records reached through
        // groups need merging in.
        if let Some(groups) = self.user_groups.get(user) {
            groups.for_each(|group| {
                let Some(records) = self.group_records.get(group) else {
                    return;
                };
                records.for_each(|record| {
                    if !found.iter().any(|(r, _)| r.id == record.id) {
                        found.push((record, ViaRef::Group(group)));
                    }
                });
            });
            found.sort_by(|a, b| a.0.id.cmp(&b.0.id));
        }
        found
    }

    /// Whether `user` may perform `action` (concrete, `:`-separated) on `resource`
    /// (concrete URI) at instant `now`; with the explanation when `explain` is set. A
    /// suspended user is denied before any record is looked at.
    pub fn check(
        &self,
        user: &str,
        resource: &str,
        action: &str,
        now: Timestamp,
        explain: bool,
    ) -> Decision {
        if self.is_suspended(user) {
            return Decision {
                allowed: false,
                explanation: explain.then(|| Explanation {
                    granted_by: None,
                    not_applied: Some(Vec::new()),
                    user_suspended: true,
                }),
            };
        }
        let resource = Requested::new(resource);
        let action = action_segments(action);
        let mut not_applied = Vec::new();
        for (record, via) in self.records_of(user) {
            let reason = if record.disabled {
                Reason::Disabled
            } else if record.expires_at.is_some_and(|at| at <= now) {
                Reason::Expired
            } else {
                let mut covered = false;
                for (index, statement) in record.statements().enumerate() {
                    let Some(pattern) = statement
                        .resources()
                        .iter()
                        .find(|p| pattern_covers(p, &resource))
                    else {
                        continue;
                    };
                    covered = true;
                    for role_id in statement.roles() {
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
                            user_suspended: false,
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
                user_suspended: false,
            }),
        }
    }
}
