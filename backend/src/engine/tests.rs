//! The engine held against a naive evaluator written straight from SPEC.md §1, on random
//! tenants, including tenants reached by changing another one object by object.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;

use super::{Change, IndexBuilder, Reason, RecordSpec, Standing, TenantIndex, Via};
use crate::domain::{
    AccessRecord, Action, Group, ObjectId, PermissionEntry, RecordStatus, ResourcePattern, Role,
    Statement, Timestamp, User, UserId, UserStatus,
};

const NOW: i64 = 1_000_000;

/// SPEC.md: granted segments are a prefix of the requested ones; `*` matches one segment.
fn naive_prefix(granted: &[&str], requested: &[&str]) -> bool {
    if granted.len() > requested.len() {
        return false;
    }
    for i in 0..granted.len() {
        if granted[i] != "*" && granted[i] != requested[i] {
            return false;
        }
    }
    true
}

/// SPEC.md "The decision", literally: U is not suspended, and some record, active, not
/// expired, naming U or a group containing U, has a statement whose resource covers R and
/// whose role allows P.
fn naive_allowed(tenant: &Tenant, user: &str, resource: &str, action: &str) -> bool {
    !naive_grants(tenant, user, resource, action).is_empty()
}

/// The records of [`naive_allowed`] that give `user` `action` on `resource`.
fn naive_grants(tenant: &Tenant, user: &str, resource: &str, action: &str) -> BTreeSet<String> {
    naive_roles(
        tenant,
        user,
        |pattern| naive_covers(pattern, resource),
        |role| naive_role_allows(role, action),
    )
    .into_iter()
    .map(|(record, _)| record)
    .collect()
}

/// Whether some entry of `role` allows the concrete `action`.
fn naive_role_allows(role: &Role, action: &str) -> bool {
    let requested: Vec<&str> = action.split(':').collect();
    role.permissions.iter().any(|entry| {
        let granted: Vec<&str> = entry.action.as_str().split(':').collect();
        entry.allow && naive_prefix(&granted, &requested)
    })
}

/// Whether resource pattern `pattern` covers the concrete `resource`.
fn naive_covers(pattern: &str, resource: &str) -> bool {
    let granted: Vec<&str> = pattern[1..].split('/').collect();
    let requested: Vec<&str> = resource[1..].split('/').collect();
    naive_prefix(&granted, &requested)
}

/// Every (record, role) such that `user` is not suspended and the record, active, not
/// expired, naming `user` or a group containing them, has a statement with a resource
/// pattern `pattern_ok` accepts and the role, which `role_ok` accepts.
fn naive_roles(
    tenant: &Tenant,
    user: &str,
    pattern_ok: impl Fn(&str) -> bool,
    role_ok: impl Fn(&Role) -> bool,
) -> BTreeSet<(String, String)> {
    let mut found = BTreeSet::new();
    if tenant.suspended.contains(&user) {
        return found;
    }
    for record in &tenant.records {
        let active = record.status == RecordStatus::Active;
        let unexpired = record.expires_at.is_none_or(|at| at.millis() > NOW);
        let names_user = record.users.iter().any(|u| u.as_str() == user)
            || record.groups.iter().any(|g| {
                tenant.groups.iter().any(|group| {
                    group.group_id.as_ref() == Some(g)
                        && group.users.iter().any(|u| u.as_str() == user)
                })
            });
        if !(active && unexpired && names_user) {
            continue;
        }
        for statement in &record.statements {
            if !statement.resources.iter().any(|r| pattern_ok(r.as_str())) {
                continue;
            }
            for role_id in &statement.roles {
                let given = tenant
                    .roles
                    .iter()
                    .any(|role| role.role_id.as_ref() == Some(role_id) && role_ok(role));
                if given {
                    let record_id = record.record_id.as_ref().unwrap().to_string();
                    found.insert((record_id, role_id.to_string()));
                }
            }
        }
    }
    found
}

#[derive(Debug, Clone)]
struct Tenant {
    roles: Vec<Role>,
    groups: Vec<Group>,
    records: Vec<AccessRecord>,
    /// Of [`USERS`].
    suspended: Vec<&'static str>,
}

/// A user with `status`.
fn user_with(id: &str, status: UserStatus) -> User {
    User {
        user_id: Some(UserId::parse(id).unwrap()),
        name: None,
        email: None,
        status,
        status_reason: None,
        tokens_not_before: None,
        created_at: None,
        updated_at: None,
        revision: None,
    }
}

fn index_of(tenant: &Tenant, start: Option<(&Tenant, TenantIndex)>) -> TenantIndex {
    let (previous, mut index) = match start {
        Some((previous, index)) => (Some(previous), index),
        None => (None, TenantIndex::new(0)),
    };
    let mut revision = index.revision();
    let mut next = || {
        revision += 1;
        revision
    };
    // Removals of what the new state no longer has, then the new state of everything.
    if let Some(previous) = previous {
        for user in &previous.suspended {
            if !tenant.suspended.contains(user) {
                // Made active (u0, u2) or deleted (u1, u3): the same to the index.
                let user_now = user
                    .ends_with(['0', '2'])
                    .then(|| user_with(user, UserStatus::Active));
                index.apply(next(), Change::User(user.to_string(), user_now));
            }
        }
        for role in &previous.roles {
            let id = role.role_id.clone().unwrap().to_string();
            if !tenant.roles.iter().any(|r| r.role_id == role.role_id) {
                index.apply(next(), Change::Role(id, None));
            }
        }
        for group in &previous.groups {
            if !tenant.groups.iter().any(|g| g.group_id == group.group_id) {
                index.apply(
                    next(),
                    Change::Group(group.group_id.clone().unwrap().to_string(), None),
                );
            }
        }
        for record in &previous.records {
            if !tenant
                .records
                .iter()
                .any(|r| r.record_id == record.record_id)
            {
                index.apply(
                    next(),
                    Change::Record(record.record_id.clone().unwrap().to_string(), None),
                );
            }
        }
    }
    for role in &tenant.roles {
        index.apply(
            next(),
            Change::Role(
                role.role_id.clone().unwrap().to_string(),
                Some(role.clone()),
            ),
        );
    }
    for group in &tenant.groups {
        index.apply(
            next(),
            Change::Group(
                group.group_id.clone().unwrap().to_string(),
                Some(group.clone()),
            ),
        );
    }
    for record in &tenant.records {
        index.apply(
            next(),
            Change::Record(
                record.record_id.clone().unwrap().to_string(),
                Some(record.clone()),
            ),
        );
    }
    for user in &tenant.suspended {
        index.apply(
            next(),
            Change::User(
                user.to_string(),
                Some(user_with(user, UserStatus::Suspended)),
            ),
        );
    }
    index
}

const USERS: [&str; 4] = ["u0", "u1", "u2", "u3"];
const CONCRETE_RESOURCES: [&str; 8] = [
    "/x", "/y", "/x/y", "/x/x", "/y/x/z", "/x/y/z", "/z/z/z", "/x/z",
];
const CONCRETE_ACTIONS: [&str; 7] = ["a", "b", "a:b", "a:a", "b:a:c", "a:b:c", "c:c"];

fn segment_pattern(segments: &'static [&'static str]) -> impl Strategy<Value = Vec<&'static str>> {
    prop::collection::vec(prop::sample::select(segments), 1..=3)
}

fn role(id: usize) -> impl Strategy<Value = Role> {
    prop::collection::vec(
        (segment_pattern(&["a", "b", "c", "*"]), any::<bool>()),
        0..=3,
    )
    .prop_map(move |entries| {
        let mut permissions: Vec<PermissionEntry> = Vec::new();
        for (segments, allow) in entries {
            let action = Action::parse(&segments.join(":")).unwrap();
            if permissions.iter().all(|p| p.action != action) {
                permissions.push(PermissionEntry {
                    action,
                    allow,
                    grant: !allow,
                    delegate: false,
                });
            }
        }
        Role {
            role_id: Some(ObjectId::parse(&format!("r{id}")).unwrap()),
            name: "r".into(),
            description: String::new(),
            permissions,
            created_at: None,
            updated_at: None,
            revision: None,
        }
    })
}

fn group(id: usize) -> impl Strategy<Value = Group> {
    prop::sample::subsequence(USERS.to_vec(), 0..=USERS.len()).prop_map(move |users| Group {
        group_id: Some(ObjectId::parse(&format!("g{id}")).unwrap()),
        name: "g".into(),
        description: String::new(),
        users: users
            .into_iter()
            .map(|u| UserId::parse(u).unwrap())
            .collect(),
        created_at: None,
        updated_at: None,
        revision: None,
    })
}

fn statement() -> impl Strategy<Value = Statement> {
    (
        prop::sample::subsequence(vec!["r0", "r1", "r2"], 1..=2),
        prop::collection::vec(segment_pattern(&["x", "y", "z", "*"]), 1..=2),
    )
        .prop_map(|(roles, resources)| Statement {
            roles: roles
                .into_iter()
                .map(|r| ObjectId::parse(r).unwrap())
                .collect(),
            resources: resources
                .into_iter()
                .map(|r| ResourcePattern::parse(&format!("/{}", r.join("/"))).unwrap())
                .collect(),
        })
}

fn record(id: usize) -> impl Strategy<Value = AccessRecord> {
    (
        prop::sample::subsequence(USERS.to_vec(), 0..=2),
        prop::sample::subsequence(vec!["g0", "g1"], 0..=2),
        prop::collection::vec(statement(), 0..=2),
        prop::sample::select(vec![
            RecordStatus::Active,
            RecordStatus::Active,
            RecordStatus::Disabled,
        ]),
        prop::sample::select(vec![None, Some(NOW - 1), Some(NOW), Some(NOW + 1)]),
    )
        .prop_map(
            move |(users, groups, statements, status, expires)| AccessRecord {
                record_id: Some(ObjectId::parse(&format!("rec{id}")).unwrap()),
                name: "rec".into(),
                description: String::new(),
                status,
                expires_at: expires.map(Timestamp::from_millis),
                users: users
                    .into_iter()
                    .map(|u| UserId::parse(u).unwrap())
                    .collect(),
                groups: groups
                    .into_iter()
                    .map(|g| ObjectId::parse(g).unwrap())
                    .collect(),
                statements,
                tags: BTreeMap::new(),
                delegated_by: None,
                created_at: None,
                updated_at: None,
                revision: None,
            },
        )
}

fn tenant() -> impl Strategy<Value = Tenant> {
    (
        prop::collection::vec(any::<bool>(), 3),
        (role(0), role(1), role(2)),
        (group(0), group(1)),
        prop::collection::vec(any::<bool>(), 5),
        (record(0), record(1), record(2), record(3), record(4)),
        // Each user suspended one time in four.
        prop::collection::vec(prop::bool::weighted(0.25), USERS.len()),
    )
        .prop_map(
            |(keep_roles, roles, groups, keep_records, records, suspended)| Tenant {
                // Roles may be missing; a statement naming a missing role grants nothing.
                roles: [roles.0, roles.1, roles.2]
                    .into_iter()
                    .zip(keep_roles)
                    .filter(|(_, k)| *k)
                    .map(|(r, _)| r)
                    .collect(),
                groups: vec![groups.0, groups.1],
                records: [records.0, records.1, records.2, records.3, records.4]
                    .into_iter()
                    .zip(keep_records)
                    .filter(|(_, k)| *k)
                    .map(|(r, _)| r)
                    .collect(),
                suspended: USERS
                    .into_iter()
                    .zip(suspended)
                    .filter(|(_, s)| *s)
                    .map(|(u, _)| u)
                    .collect(),
            },
        )
}

fn covered_by_any(patterns: &[String], resource: &str) -> bool {
    patterns.iter().any(|p| naive_covers(p, resource))
}

fn assert_lookups_agree(tenant: &Tenant, index: &TenantIndex) -> Result<(), TestCaseError> {
    let now = Timestamp::from_millis(NOW);
    for user in USERS {
        for resource in CONCRETE_RESOURCES {
            let effective = index.effective_permissions(user, resource, now);
            // Each entry is held through exactly the roles records give there with an
            // entry for its action.
            for permission in &effective {
                let through: BTreeSet<(String, String)> = permission
                    .grants
                    .iter()
                    .map(|g| (g.record_id.clone(), g.role_id.clone()))
                    .collect();
                prop_assert_eq!(through.len(), permission.grants.len(), "each role once");
                let expected = naive_roles(
                    tenant,
                    user,
                    |pattern| naive_covers(pattern, resource),
                    |role| {
                        role.permissions
                            .iter()
                            .any(|e| e.action.as_str() == permission.action)
                    },
                );
                prop_assert_eq!(
                    through,
                    expected,
                    "through {} {} {}",
                    user,
                    resource,
                    &permission.action
                );
            }
            for action in CONCRETE_ACTIONS {
                let requested: Vec<&str> = action.split(':').collect();
                let implied = effective.iter().any(|e| {
                    e.allow && naive_prefix(&e.action.split(':').collect::<Vec<_>>(), &requested)
                });
                prop_assert_eq!(
                    implied,
                    naive_allowed(tenant, user, resource, action),
                    "effective {} {} {}",
                    user,
                    resource,
                    action
                );
            }
        }
        for action in CONCRETE_ACTIONS {
            let everywhere = index.resources_for(user, action, None, now, None, usize::MAX);
            // Each pattern is found through exactly the records naming it in a statement
            // whose roles allow the action.
            for (pattern, grants) in &everywhere {
                let through: Vec<String> = grants.iter().map(|g| g.record_id.clone()).collect();
                let expected: Vec<String> = naive_roles(
                    tenant,
                    user,
                    |p| p == pattern,
                    |role| naive_role_allows(role, action),
                )
                .into_iter()
                .map(|(record, _)| record)
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
                prop_assert_eq!(through, expected, "through {} {} {}", user, action, pattern);
            }
            for under in [None, Some("/x"), Some("/x/y")] {
                let found: Vec<String> = index
                    .resources_for(user, action, under, now, None, usize::MAX)
                    .into_iter()
                    .map(|(pattern, _)| pattern)
                    .collect();
                if under.is_none() {
                    let everywhere: Vec<&String> = everywhere.iter().map(|(p, _)| p).collect();
                    prop_assert_eq!(found.iter().collect::<Vec<_>>(), everywhere);
                }
                for resource in CONCRETE_RESOURCES {
                    let below = under.is_none_or(|u| covered_by_any(&[u.to_owned()], resource));
                    let expected = below && naive_allowed(tenant, user, resource, action);
                    prop_assert_eq!(
                        covered_by_any(&found, resource),
                        expected,
                        "resources {} {} {:?} {}",
                        user,
                        action,
                        under,
                        resource
                    );
                }
            }
        }
    }
    for resource in CONCRETE_RESOURCES {
        for action in CONCRETE_ACTIONS {
            let found = index.holders(resource, action, now, None, usize::MAX);
            for holder in &found {
                let through: BTreeSet<String> =
                    holder.grants.iter().map(|g| g.record_id.clone()).collect();
                prop_assert_eq!(through.len(), holder.grants.len(), "each record once");
                prop_assert_eq!(
                    through,
                    naive_grants(tenant, &holder.user_id, resource, action),
                    "holder's records {} {} {}",
                    &holder.user_id,
                    resource,
                    action
                );
            }
            let holders: Vec<String> = found.into_iter().map(|h| h.user_id).collect();
            let expected: Vec<String> = USERS
                .iter()
                .filter(|u| naive_allowed(tenant, u, resource, action))
                .map(|u| u.to_string())
                .collect();
            prop_assert_eq!(&holders, &expected, "holders {} {}", resource, action);
            // Page by page, two at a time, gives the same answer.
            let mut paged = Vec::new();
            loop {
                let after = paged.last().cloned();
                let page = index.holders(resource, action, now, after.as_deref(), 2);
                let full = page.len() == 2;
                paged.extend(page.into_iter().map(|h| h.user_id));
                if !full {
                    break;
                }
            }
            prop_assert_eq!(&paged, &expected, "paged holders {} {}", resource, action);
        }
    }
    for user in USERS {
        for action in CONCRETE_ACTIONS {
            let whole: Vec<String> = index
                .resources_for(user, action, Some("/x"), now, None, usize::MAX)
                .into_iter()
                .map(|(pattern, _)| pattern)
                .collect();
            let mut paged: Vec<String> = Vec::new();
            loop {
                let after = paged.last().cloned();
                let page = index.resources_for(user, action, Some("/x"), now, after.as_deref(), 2);
                let full = page.len() == 2;
                paged.extend(page.into_iter().map(|(pattern, _)| pattern));
                if !full {
                    break;
                }
            }
            prop_assert_eq!(&paged, &whole, "paged resources {} {}", user, action);
        }
    }
    Ok(())
}

/// The tenant's index made in bulk, as a process start makes it.
fn built(tenant: &Tenant) -> TenantIndex {
    let mut builder = IndexBuilder::new();
    for role in &tenant.roles {
        builder.role(role.role_id.as_ref().unwrap().as_str(), role.clone());
    }
    for group in &tenant.groups {
        builder.group(group.group_id.as_ref().unwrap().as_str(), group.clone());
    }
    for record in &tenant.records {
        builder.record(
            record.record_id.as_ref().unwrap().as_str(),
            &RecordSpec::of(record),
        );
    }
    for user in &tenant.suspended {
        builder.standing(
            user,
            Standing {
                suspended: true,
                tokens_not_before: None,
            },
        );
    }
    builder.finish(1)
}

fn assert_agrees(tenant: &Tenant, index: &TenantIndex) -> Result<(), TestCaseError> {
    assert_lookups_agree(tenant, index)?;
    for user in USERS {
        for resource in CONCRETE_RESOURCES {
            for action in CONCRETE_ACTIONS {
                let expected = naive_allowed(tenant, user, resource, action);
                let decision =
                    index.check(user, resource, action, Timestamp::from_millis(NOW), true);
                prop_assert_eq!(
                    decision.allowed,
                    expected,
                    "{} {} {}",
                    user,
                    resource,
                    action
                );
                let explanation = decision.explanation.unwrap();
                if decision.allowed {
                    let grant = explanation.granted_by.unwrap();
                    // The grant it names really grants the request on its own.
                    let record = tenant
                        .records
                        .iter()
                        .find(|r| r.record_id.as_ref().unwrap().as_str() == grant.record_id)
                        .unwrap();
                    let single = Tenant {
                        roles: tenant.roles.clone(),
                        groups: tenant.groups.clone(),
                        records: vec![AccessRecord {
                            statements: vec![Statement {
                                roles: vec![ObjectId::parse(&grant.role_id).unwrap()],
                                resources: vec![ResourcePattern::parse(&grant.resource).unwrap()],
                            }],
                            ..record.clone()
                        }],
                        suspended: tenant.suspended.clone(),
                    };
                    prop_assert!(naive_allowed(&single, user, resource, action));
                    prop_assert!(grant.permission.allow);
                } else if tenant.suspended.contains(&user) {
                    // A suspended user's deny says so, and lists no record.
                    prop_assert!(explanation.user_suspended);
                    prop_assert_eq!(explanation.not_applied, Some(Vec::new()));
                } else {
                    prop_assert!(!explanation.user_suspended);
                    // Every record naming the user is listed, with a reason that holds.
                    for entry in explanation.not_applied.unwrap() {
                        let record = tenant
                            .records
                            .iter()
                            .find(|r| r.record_id.as_ref().unwrap().as_str() == entry.record_id)
                            .unwrap();
                        match (&entry.via, entry.reason) {
                            (_, Reason::Disabled) => {
                                prop_assert_eq!(record.status, RecordStatus::Disabled)
                            }
                            (_, Reason::Expired) => {
                                prop_assert!(record.expires_at.is_some_and(|at| at.millis() <= NOW))
                            }
                            _ => {}
                        }
                        if let Via::User(u) = &entry.via {
                            prop_assert_eq!(u.as_str(), user);
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn engine_agrees_with_the_naive_evaluator(tenant in tenant()) {
        let index = index_of(&tenant, None);
        assert_agrees(&tenant, &index)?;
        assert_agrees(&tenant, &built(&tenant))?;
    }

    #[test]
    fn engine_agrees_after_changes(first in tenant(), second in tenant()) {
        let index = index_of(&first, None);
        let changed = index_of(&second, Some((&first, index.clone())));
        assert_agrees(&second, &changed)?;
        // The old index is a value: changing a copy left it as it was.
        assert_agrees(&first, &index)?;
    }
}

fn role_with(id: &str, actions: &[&str]) -> Role {
    Role {
        role_id: Some(ObjectId::parse(id).unwrap()),
        name: id.into(),
        description: String::new(),
        permissions: actions
            .iter()
            .map(|a| PermissionEntry {
                action: Action::parse(a).unwrap(),
                allow: true,
                grant: false,
                delegate: false,
            })
            .collect(),
        created_at: None,
        updated_at: None,
        revision: None,
    }
}

fn record_with(id: &str, users: &[&str], roles: &[&str], resources: &[&str]) -> AccessRecord {
    AccessRecord {
        record_id: Some(ObjectId::parse(id).unwrap()),
        name: id.into(),
        description: String::new(),
        status: RecordStatus::Active,
        expires_at: None,
        users: users.iter().map(|u| UserId::parse(u).unwrap()).collect(),
        groups: Vec::new(),
        statements: vec![Statement {
            roles: roles.iter().map(|r| ObjectId::parse(r).unwrap()).collect(),
            resources: resources
                .iter()
                .map(|r| ResourcePattern::parse(r).unwrap())
                .collect(),
        }],
        tags: BTreeMap::new(),
        delegated_by: None,
        created_at: None,
        updated_at: None,
        revision: None,
    }
}

#[test]
fn the_examples_of_the_spec() {
    let mut index = TenantIndex::new(0);
    index.apply(
        1,
        Change::Role("docs".into(), Some(role_with("docs", &["documents"]))),
    );
    index.apply(
        2,
        Change::Role("reader".into(), Some(role_with("reader", &["*:read"]))),
    );
    index.apply(
        3,
        Change::Record(
            "r1".into(),
            Some(record_with("r1", &["ada"], &["docs"], &["/orgs/acme"])),
        ),
    );
    index.apply(
        4,
        Change::Record(
            "r2".into(),
            Some(record_with(
                "r2",
                &["bob"],
                &["reader"],
                &["/orgs/*/billing"],
            )),
        ),
    );
    let now = Timestamp::from_millis(NOW);
    let check = |index: &TenantIndex, user, resource, action| {
        index.check(user, resource, action, now, false).allowed
    };
    assert!(check(
        &index,
        "ada",
        "/orgs/acme/projects/p1/documents/d1",
        "documents:read:draft"
    ));
    assert!(!check(&index, "ada", "/orgs/other", "documents:read"));
    assert!(check(
        &index,
        "bob",
        "/orgs/acme/billing/invoices/7",
        "documents:read"
    ));
    assert!(!check(
        &index,
        "bob",
        "/orgs/acme/billing",
        "documents:write"
    ));
    assert!(!check(&index, "carol", "/orgs/acme", "documents:read"));

    // Editing a role changes every record that uses it, at once.
    index.apply(
        5,
        Change::Role("docs".into(), Some(role_with("docs", &["documents:list"]))),
    );
    assert!(!check(&index, "ada", "/orgs/acme", "documents:read"));
    assert!(check(&index, "ada", "/orgs/acme", "documents:list"));
    // Deleting a record revokes at once.
    index.apply(6, Change::Record("r1".into(), None));
    assert!(!check(&index, "ada", "/orgs/acme", "documents:list"));
    assert_eq!(index.revision(), 6);
}

#[test]
fn replaced_and_deleted_records_leave_nothing_in_the_pattern_index() {
    let mut index = TenantIndex::new(0);
    index.apply(
        1,
        Change::Role("docs".into(), Some(role_with("docs", &["documents"]))),
    );
    index.apply(
        2,
        Change::Record(
            "r1".into(),
            Some(record_with("r1", &["ada"], &["docs"], &["/a/b", "/a/*/c"])),
        ),
    );
    index.apply(
        3,
        Change::Record(
            "r1".into(),
            Some(record_with("r1", &["ada"], &["docs"], &["/x"])),
        ),
    );
    let now = Timestamp::from_millis(NOW);
    assert!(
        index
            .holders("/a/b", "documents:read", now, None, 10)
            .is_empty()
    );
    assert_eq!(
        index.holders("/x/y", "documents:read", now, None, 10).len(),
        1
    );
    index.apply(4, Change::Record("r1".into(), None));
    assert!(index.patterns.is_empty(), "{:?}", index.patterns);
    assert!(index.user_records.is_empty());
}

/// An issuer of `iss` with inline keys.
fn issuer_with(id: &str, iss: &str) -> crate::domain::Issuer {
    crate::domain::Issuer {
        issuer_id: Some(ObjectId::parse(id).unwrap()),
        name: id.into(),
        issuer: iss.into(),
        audiences: vec!["app".into()],
        keys: crate::domain::IssuerKeys::Inline(serde_json::json!({"keys": []})),
        algorithms: vec![crate::domain::TokenAlgorithm::RS256],
        created_at: None,
        updated_at: None,
        revision: None,
    }
}

/// What token verification reads of the index: the issuers by `iss` and each user's
/// standing, kept by the changes that write them and by a build from rows alike, and
/// a standing back to the default leaves nothing behind.
#[test]
fn the_index_keeps_issuers_and_standing_through_changes_and_builds() {
    let mut index = TenantIndex::new(0);
    index.apply(
        1,
        Change::Issuer("a".into(), Some(issuer_with("a", "https://a"))),
    );
    index.apply(
        2,
        Change::Issuer("b".into(), Some(issuer_with("b", "https://b"))),
    );
    // Issuer `a` moves to another `iss`: the old one is no longer trusted.
    index.apply(
        3,
        Change::Issuer("a".into(), Some(issuer_with("a", "https://a2"))),
    );
    assert!(index.issuer("https://a").is_none());
    assert_eq!(index.issuer("https://a2").unwrap().name, "a");
    index.apply(4, Change::Issuer("b".into(), None));
    assert!(index.issuer("https://b").is_none());
    assert_eq!(index.issuers.len(), 1);

    let at = Timestamp::from_millis(NOW);
    let signed_out = User {
        tokens_not_before: Some(at),
        ..user_with("ada", UserStatus::Active)
    };
    index.apply(5, Change::User("ada".into(), Some(signed_out.clone())));
    index.apply(
        6,
        Change::User("bob".into(), Some(user_with("bob", UserStatus::Suspended))),
    );
    assert_eq!(index.tokens_not_before("ada"), Some(at));
    assert!(!index.is_suspended("ada") && index.is_suspended("bob"));
    assert_eq!(index.tokens_not_before("bob"), None);

    let mut builder = IndexBuilder::new();
    builder.issuer("a", issuer_with("a", "https://a2"));
    builder.standing("ada", Standing::of(&signed_out));
    builder.standing(
        "bob",
        Standing::of(&user_with("bob", UserStatus::Suspended)),
    );
    builder.standing("cy", Standing::of(&user_with("cy", UserStatus::Active)));
    let built = builder.finish(6);
    assert_eq!(built.standing, index.standing);
    assert_eq!(built.issuers, index.issuers);

    index.apply(
        7,
        Change::User("ada".into(), Some(user_with("ada", UserStatus::Active))),
    );
    index.apply(8, Change::User("bob".into(), None));
    assert!(index.standing.is_empty());
}

/// The everyday shape of a large tenant: one user, one document each.
fn flat_record(i: usize) -> AccessRecord {
    let users = [format!("user{}", i % 5_000)];
    let resource = format!("/orgs/o{}/docs/d{i}", i % 100);
    let users: Vec<&str> = users.iter().map(String::as_str).collect();
    record_with(&format!("rec{i}"), &users, &["viewer"], &[&resource])
}

fn flat_index(records: usize) -> TenantIndex {
    let mut builder = IndexBuilder::new();
    builder.role("viewer", role_with("viewer", &["documents:read"]));
    builder.group(
        "team",
        Group {
            group_id: Some(ObjectId::parse("team").unwrap()),
            name: "team".into(),
            description: String::new(),
            users: (0..50)
                .map(|u| UserId::parse(&format!("user{u}")).unwrap())
                .collect(),
            created_at: None,
            updated_at: None,
            revision: None,
        },
    );
    for i in 0..records {
        builder.record(&format!("rec{i}"), &RecordSpec::of(&flat_record(i)));
    }
    builder.finish(1)
}

/// What a sample of checks and lookups answer, to compare an index with itself later.
fn answers(index: &TenantIndex) -> Vec<String> {
    let now = Timestamp::from_millis(NOW);
    let mut out = Vec::new();
    for i in (0..20_000).step_by(997) {
        let user = format!("user{}", i % 5_000);
        let resource = format!("/orgs/o{}/docs/d{i}", i % 100);
        out.push(format!(
            "{} {:?} {:?}",
            index
                .check(&user, &resource, "documents:read", now, false)
                .allowed,
            index.resources_for(&user, "documents:read", None, now, None, 10),
            index.holders(&resource, "documents:read", now, None, 10),
        ));
    }
    out.push(format!(
        "{:?}",
        index.holders("/orgs/o1/docs", "x", now, None, 5)
    ));
    out.push(index.record_count().to_string());
    out
}

#[test]
fn an_old_snapshot_is_unchanged_by_writes_to_its_successors() {
    let old = flat_index(20_000);
    let before = answers(&old);
    let mut index = old.clone();
    for i in 0..3_000 {
        let change = match i % 4 {
            // Moved to another user and document.
            0 => Change::Record(format!("rec{i}"), Some(flat_record(i + 7))),
            1 => Change::Record(format!("rec{i}"), None),
            2 => Change::Record(format!("new{i}"), Some(flat_record(i))),
            _ => Change::Group("team".into(), None),
        };
        index.apply(2 + i as i64, change);
    }
    index.apply(
        5_000,
        Change::Role("viewer".into(), Some(role_with("viewer", &["nothing"]))),
    );
    assert_ne!(answers(&index), before, "the writes changed the new index");
    assert_eq!(answers(&old), before, "the old snapshot changed");
    assert_eq!(old.revision(), 1);
}

/// A write costs what it changes: measured as the ratio of the time of the same writes on
/// a 200,000-record index and on a 2,000-record one (each write on a fresh copy of the
/// published index, as the service makes them). A copy of the tenant's maps per write
/// would make it about a hundred; the persistent maps keep it near the log factor.
#[test]
fn a_write_to_a_large_index_costs_about_what_it_costs_on_a_small_one() {
    fn cost(index: &TenantIndex) -> std::time::Duration {
        let mut rounds = Vec::new();
        for round in 0..5 {
            let mut current = index.clone();
            let started = std::time::Instant::now();
            for i in 0..400 {
                let mut next = current.clone();
                let id = round * 1_000 + i;
                next.apply(
                    2 + id as i64,
                    Change::Record(format!("rec{id}"), Some(flat_record(id + 1))),
                );
                current = next;
            }
            rounds.push(started.elapsed());
        }
        rounds.sort();
        rounds[2]
    }
    let small = cost(&flat_index(2_000));
    let large = cost(&flat_index(200_000));
    let ratio = large.as_secs_f64() / small.as_secs_f64();
    assert!(
        ratio < 5.0,
        "a write on 200k records costs {ratio:.2}x one on 2k ({large:?} against {small:?})"
    );
}

/// SPEC §6, literally: `user` holds `grant` (or, with `delegate_needed`, `delegate`) of the
/// concrete `action` on the concrete `resource` when not suspended and some record in force
/// naming them has a statement covering the resource with a role whose entry gives that
/// right of an action implying this one. (`delegate` also lets its holder give `allow`.)
fn naive_holds(
    tenant: &Tenant,
    user: &str,
    resource: &str,
    action: &str,
    delegate_needed: bool,
) -> bool {
    let requested_resource: Vec<&str> = resource[1..].split('/').collect();
    let requested_action: Vec<&str> = action.split(':').collect();
    !tenant.suspended.contains(&user)
        && tenant.records.iter().any(|record| {
            let in_force = record.status == RecordStatus::Active
                && record.expires_at.is_none_or(|at| at.millis() > NOW);
            let names_user = record.users.iter().any(|u| u.as_str() == user)
                || record.groups.iter().any(|g| {
                    tenant.groups.iter().any(|group| {
                        group.group_id.as_ref() == Some(g)
                            && group.users.iter().any(|u| u.as_str() == user)
                    })
                });
            in_force
                && names_user
                && record.statements.iter().any(|statement| {
                    statement.resources.iter().any(|r| {
                        let granted: Vec<&str> = r.as_str()[1..].split('/').collect();
                        naive_prefix(&granted, &requested_resource)
                    }) && statement.roles.iter().any(|role_id| {
                        tenant.roles.iter().any(|role| {
                            role.role_id.as_ref() == Some(role_id)
                                && role.permissions.iter().any(|entry| {
                                    let granted: Vec<&str> =
                                        entry.action.as_str().split(':').collect();
                                    (entry.delegate || (!delegate_needed && entry.grant))
                                        && naive_prefix(&granted, &requested_action)
                                })
                        })
                    })
                })
        })
}

/// A tenant whose roles' entries carry any mix of allow, grant and delegate, plus an
/// author (one of [`USERS`]) holding rights to give through a role `r3` on a record of
/// their own, so that many gifts are within what the author may give.
fn delegating_tenant() -> impl Strategy<Value = (Tenant, &'static str)> {
    (
        tenant(),
        prop::collection::vec((any::<bool>(), any::<bool>(), prop::bool::weighted(0.1)), 9),
        prop::sample::select(USERS.to_vec()),
        prop_oneof![
            Just(vec![("*", false, true)]),
            prop::sample::subsequence(
                vec![
                    ("*", true, false),
                    ("a", true, false),
                    ("b:*", false, true),
                    ("a:b", true, false),
                    ("c", true, true)
                ],
                1..=2,
            ),
        ],
        prop_oneof![
            Just(vec!["/*"]),
            prop::sample::subsequence(vec!["/x", "/*", "/y/x", "/z"], 1..=2),
        ],
    )
        .prop_map(|(mut tenant, flags, author, rights, resources)| {
            let mut flags = flags.into_iter().cycle();
            for role in &mut tenant.roles {
                for entry in &mut role.permissions {
                    let (allow, grant, delegate) = flags.next().unwrap_or_default();
                    entry.allow = allow || !(grant || delegate);
                    entry.grant = grant;
                    entry.delegate = delegate;
                }
            }
            let mut giver = role_with("r3", &[]);
            giver.permissions = rights
                .into_iter()
                .map(|(action, grant, delegate)| PermissionEntry {
                    action: Action::parse(action).unwrap(),
                    allow: false,
                    grant,
                    delegate,
                })
                .collect();
            tenant.roles.push(giver);
            tenant
                .records
                .push(record_with("held", &[author], &["r3"], &resources));
            (tenant, author)
        })
}

/// Every right a gift of `roles` on `resources` gives in `tenant`, on the test's concrete
/// resources and actions: `(resource, action, right)` for each entry's `allow` and `grant`
/// (`delegate` is returned as `"delegate"`, which no gift may give).
fn rights_given(
    tenant: &Tenant,
    roles: &[&str],
    resources: &[&str],
) -> Vec<(&'static str, &'static str, &'static str)> {
    let mut given = Vec::new();
    for role in tenant
        .roles
        .iter()
        .filter(|r| roles.contains(&r.role_id.as_ref().unwrap().as_str()))
    {
        for entry in &role.permissions {
            let pattern: Vec<&str> = entry.action.as_str().split(':').collect();
            for named in resources {
                let named: Vec<&str> = named[1..].split('/').collect();
                for resource in CONCRETE_RESOURCES
                    .iter()
                    .filter(|r| naive_prefix(&named, &r[1..].split('/').collect::<Vec<_>>()))
                {
                    for action in CONCRETE_ACTIONS
                        .iter()
                        .filter(|a| naive_prefix(&pattern, &a.split(':').collect::<Vec<_>>()))
                    {
                        for (has, right) in [
                            (entry.allow, "allow"),
                            (entry.grant, "grant"),
                            (entry.delegate, "delegate"),
                        ] {
                            if has {
                                given.push((*resource, *action, right));
                            }
                        }
                    }
                }
            }
        }
    }
    given
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// No record a user may write through `/me` gives anyone more than its author could
    /// give: every concrete action its roles allow on every resource at or below the ones
    /// it names is one the author holds `grant` (or `delegate`) of there, every `grant` it
    /// gives one the author holds `delegate` of, and it never gives `delegate`.
    #[test]
    fn delegation_never_gives_more_than_its_author_may(
        (tenant, author) in delegating_tenant(),
        gifts in prop::collection::vec(
            (
                prop::sample::subsequence(vec!["r0", "r1", "r2"], 1..=2),
                prop::sample::subsequence(CONCRETE_RESOURCES.to_vec(), 1..=2),
            ),
            1..=2,
        ),
    ) {
        let index = built(&tenant);
        let statements: Vec<super::Gift<'_>> = gifts
            .iter()
            .map(|(roles, resources)| super::Gift {
                roles: roles.clone(),
                resources: resources.clone(),
            })
            .collect();
        let shortfall =
            index.delegation_shortfall(author, &statements, Timestamp::from_millis(NOW));
        if shortfall.is_empty() {
            for (roles, resources) in &gifts {
                for (resource, action, right) in rights_given(&tenant, roles, resources) {
                    prop_assert!(right != "delegate", "a gift of delegate was accepted");
                    prop_assert!(
                        naive_holds(&tenant, author, resource, action, right == "grant"),
                        "{author} gave {right} of {action} on {resource} without the right to give it"
                    );
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// No sequence of `/me` writes makes a right out of nothing: users give one another
    /// records in turn (each judged against the index of the tenant as the gifts before it
    /// left it, as the server does), and at the end every concrete `allow` a gift gives is
    /// one some user could give in the tenant as its admin wrote it (held `grant` or
    /// `delegate` of), and every `grant` one some user held `delegate` of. Gifts that pass
    /// `grant` on (u0 gives u1 `grant`, u1 gives u2 `allow`) stay inside that.
    #[test]
    fn no_sequence_of_gifts_makes_a_right_out_of_nothing(
        (tenant, _) in delegating_tenant(),
        steps in prop::collection::vec(
            (
                prop::sample::select(USERS.to_vec()),
                prop::sample::select(USERS.to_vec()),
                prop::sample::subsequence(vec!["r0", "r1", "r2", "r3"], 1..=2),
                prop::sample::subsequence(CONCRETE_RESOURCES.to_vec(), 1..=2),
            ),
            1..=8,
        ),
    ) {
        let now = Timestamp::from_millis(NOW);
        let mut current = tenant.clone();
        let mut accepted = Vec::new();
        for (i, (giver, recipient, roles, resources)) in steps.iter().enumerate() {
            let gift = [super::Gift { roles: roles.clone(), resources: resources.clone() }];
            if built(&current).delegation_shortfall(giver, &gift, now).is_empty() {
                current.records.push(record_with(&format!("gift{i}"), &[recipient], roles, resources));
                accepted.push((roles, resources));
            }
        }
        let anyone_holds = |resource: &str, action: &str, delegate_needed: bool| {
            USERS.iter().any(|user| naive_holds(&tenant, user, resource, action, delegate_needed))
        };
        for (roles, resources) in accepted {
            for (resource, action, right) in rights_given(&current, roles, resources) {
                prop_assert!(right != "delegate", "a gift of delegate was accepted");
                prop_assert!(
                    anyone_holds(resource, action, right == "grant"),
                    "{right} of {action} on {resource} was given, and nobody could give it"
                );
            }
        }
    }
}

#[test]
fn delegation_gives_what_the_author_holds_and_names_what_it_lacks() {
    let mut owner = role_with("owner", &["documents:read"]);
    owner.permissions[0].grant = true;
    owner.permissions.push(PermissionEntry {
        action: Action::parse("comments").unwrap(),
        allow: false,
        grant: false,
        delegate: true,
    });
    let mut builder = IndexBuilder::new();
    builder.role("owner", owner);
    builder.role("viewer", role_with("viewer", &["documents:read"]));
    builder.role("editor", role_with("editor", &["documents:edit"]));
    let mut commenter = role_with("commenter", &["comments:write"]);
    commenter.permissions[0].grant = true;
    builder.role("commenter", commenter);
    builder.record(
        "ada-owns",
        &RecordSpec::of(&record_with("ada-owns", &["ada"], &["owner"], &["/p/p1"])),
    );
    let index = builder.finish(1);
    let at = Timestamp::from_millis(NOW);
    let gift = |roles: Vec<&'static str>, resources: Vec<&'static str>| {
        vec![super::Gift { roles, resources }]
    };
    // Allow of what she may grant, there or below: fine; a grant of what she delegates: fine.
    assert!(
        index
            .delegation_shortfall("ada", &gift(vec!["viewer"], vec!["/p/p1/d1"]), at)
            .is_empty()
    );
    assert!(
        index
            .delegation_shortfall("ada", &gift(vec!["commenter"], vec!["/p/p1"]), at)
            .is_empty()
    );
    // Broader, another action, a wildcard, the owner role itself (it gives `delegate`).
    let fields = |roles, resources| {
        index
            .delegation_shortfall("ada", &gift(roles, resources), at)
            .into_iter()
            .map(|s| s.field)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        fields(vec!["viewer"], vec!["/p"]),
        ["statements[0].roles[0]"]
    );
    assert_eq!(
        fields(vec!["editor"], vec!["/p/p1"]),
        ["statements[0].roles[0]"]
    );
    assert_eq!(
        fields(vec!["viewer"], vec!["/p/*"]),
        ["statements[0].resources[0]"]
    );
    // The owner role itself: its grant of documents:read needs delegate, and it gives
    // delegate of comments, which no user can give: one shortfall for each.
    let owner_gift = index.delegation_shortfall("ada", &gift(vec!["owner"], vec!["/p/p1"]), at);
    assert_eq!(owner_gift.len(), 2);
    assert!(owner_gift[0].message.contains("needs your `delegate`"));
    assert!(owner_gift[1].message.contains("only a tenant admin"));
    // Someone holding nothing gives nothing.
    assert_eq!(
        index
            .delegation_shortfall("bob", &gift(vec!["viewer"], vec!["/p/p1"]), at)
            .len(),
        1
    );
}

/// The property above is not vacuous: a good share of its cases write a gift that gives
/// something (a role with entries) and is accepted.
#[test]
fn the_delegation_property_sees_accepted_gifts() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = (
        delegating_tenant(),
        prop::sample::subsequence(vec!["r0", "r1", "r2"], 1..=2),
        prop::sample::subsequence(CONCRETE_RESOURCES.to_vec(), 1..=2),
    );
    let mut accepted = 0;
    for _ in 0..400 {
        let ((tenant, author), roles, resources) =
            strategy.new_tree(&mut runner).unwrap().current();
        let gives = tenant.roles.iter().any(|r| {
            roles.contains(&r.role_id.as_ref().unwrap().as_str()) && !r.permissions.is_empty()
        });
        let gifts = vec![super::Gift { roles, resources }];
        if gives
            && built(&tenant)
                .delegation_shortfall(author, &gifts, Timestamp::from_millis(NOW))
                .is_empty()
        {
            accepted += 1;
        }
    }
    assert!(
        accepted >= 40,
        "only {accepted} of 400 cases gave something"
    );
}
