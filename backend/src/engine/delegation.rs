//! What a user may give through `/me/records` (SPEC §6, end-user delegation), decided on
//! the index like every other question.
//!
//! A record a user writes gives, through each statement, each permission entry of each of
//! its roles on each of its resources. Each such gift needs a right the author holds on
//! that resource (through records in force, as effective permissions are computed):
//! - giving `allow` of action A needs `grant` (or `delegate`) of an action implying A;
//! - giving `grant` of A needs `delegate` of an action implying A;
//! - giving `delegate` is never possible through `/me` (only tenant admins give it).
//!
//! An entry's action may hold `*`: the author's action must imply it as a pattern
//! (`documents:*` implies `documents:*` and `documents:read`, `documents:read` does not
//! imply `documents:*`). Resources given must be concrete (no `*`): the author's right on
//! a resource then covers it and everything below it, which is exactly what the record
//! gives. A suspended author holds nothing, so can give nothing.

use super::TenantIndex;
use crate::domain::Timestamp;
use crate::domain::matching::{action_segments, covers};

/// One gift of a record its author may not make: where, and why in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shortfall {
    /// The field of the record (`statements[0].roles[1]`, `statements[0].resources[0]`).
    pub field: String,
    /// What is missing.
    pub message: String,
}

/// A statement to check: role ids and resource URIs, as written.
#[derive(Debug, Clone)]
pub struct Gift<'a> {
    /// The roles given.
    pub roles: Vec<&'a str>,
    /// The resources they are given on.
    pub resources: Vec<&'a str>,
}

impl TenantIndex {
    /// Everything `statements` would give that `author` may not give, at `now`; empty when
    /// the author may write them. Roles the index does not hold are left to the write's
    /// reference check (they give nothing).
    pub fn delegation_shortfall(
        &self,
        author: &str,
        statements: &[Gift<'_>],
        now: Timestamp,
    ) -> Vec<Shortfall> {
        let mut shortfalls = Vec::new();
        for (i, statement) in statements.iter().enumerate() {
            for (k, resource) in statement.resources.iter().enumerate() {
                if resource.split('/').any(|segment| segment == "*") {
                    shortfalls.push(Shortfall {
                        field: format!("statements[{i}].resources[{k}]"),
                        message: format!(
                            "`{resource}` has a `*` segment: resources given by a user are concrete"
                        ),
                    });
                    continue;
                }
                let held = self.effective_permissions(author, resource, now);
                let holds = |action: &[&str], delegate_needed: bool| {
                    held.iter().any(|h| {
                        (h.delegate || (!delegate_needed && h.grant))
                            && covers(&action_segments(&h.action), action)
                    })
                };
                for (j, role_id) in statement.roles.iter().enumerate() {
                    let Some(role) = self.roles.get(*role_id) else {
                        continue;
                    };
                    for (pattern, entry) in role.entries.iter() {
                        let action: Vec<&str> = pattern.iter().map(|s| &**s).collect();
                        let name = entry.action.as_str();
                        let field = format!("statements[{i}].roles[{j}]");
                        let problem = if entry.delegate {
                            Some(format!(
                                "role `{role_id}` gives `delegate` of `{name}`, which only a tenant admin can give"
                            ))
                        } else if entry.grant && !holds(&action, true) {
                            Some(format!(
                                "role `{role_id}` gives `grant` of `{name}` on `{resource}`, which needs your `delegate` of it there"
                            ))
                        } else if entry.allow && !holds(&action, false) {
                            Some(format!(
                                "role `{role_id}` gives `{name}` on `{resource}`, which needs your `grant` of it there"
                            ))
                        } else {
                            None
                        };
                        if let Some(message) = problem {
                            shortfalls.push(Shortfall { field, message });
                        }
                    }
                }
            }
        }
        shortfalls
    }
}
