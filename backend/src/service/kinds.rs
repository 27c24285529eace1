//! What each kind of tenant object must satisfy, and whom it names.

use std::collections::HashSet;

use super::error::FieldError;
use super::objects::{Kind, Ref, check_limit, check_text};
use crate::domain::{
    AccessRecord, ApiKey, Group, IdError, Issuer, IssuerKeys, Limits, ObjectId, ResourceConfig,
    ResourcePattern, Role, Timestamp, User, UserId,
};
use crate::identity::jwks::KeySet;
use crate::store::Table;

type Problems = Vec<(bool, FieldError)>;

fn object_id(id: &str) -> Result<String, IdError> {
    ObjectId::parse(id).map(String::from)
}

fn check_name_and_description(
    problems: &mut Problems,
    name: &str,
    required: bool,
    description: &str,
) {
    check_text(problems, "name", name, Limits::NAME_CHARS, required);
    check_text(
        problems,
        "description",
        description,
        Limits::DESCRIPTION_CHARS,
        false,
    );
}

impl Kind for Role {
    const ID_FIELD: &'static str = "roleId";
    const ID_PREFIX: Option<&'static str> = Some("rol");

    fn revision(&self) -> Option<i64> {
        self.revision
    }

    fn id(&self) -> Option<&str> {
        self.role_id.as_ref().map(|id| id.as_str())
    }

    fn created_at(&self) -> Option<Timestamp> {
        self.created_at
    }

    fn parse_id(id: &str) -> Result<String, IdError> {
        object_id(id)
    }

    fn check(&self) -> Problems {
        let mut problems = Vec::new();
        check_name_and_description(&mut problems, &self.name, true, &self.description);
        check_limit(
            &mut problems,
            "permissions",
            self.permissions.len(),
            Limits::ROLE_PERMISSIONS,
            "permission entries",
        );
        let mut seen = HashSet::new();
        for (i, entry) in self.permissions.iter().enumerate() {
            if !seen.insert(entry.action.as_str()) {
                problems.push((
                    false,
                    FieldError::new(
                        format!("permissions[{i}].action"),
                        format!(
                            "`{}` appears more than once; merge the entries",
                            entry.action
                        ),
                    ),
                ));
            }
            if !(entry.allow || entry.grant || entry.delegate) {
                problems.push((
                    false,
                    FieldError::new(
                        format!("permissions[{i}]"),
                        "gives nothing: set at least one of allow, grant, delegate",
                    ),
                ));
            }
        }
        problems
    }
}

impl Kind for Group {
    const ID_FIELD: &'static str = "groupId";
    const ID_PREFIX: Option<&'static str> = Some("grp");

    fn revision(&self) -> Option<i64> {
        self.revision
    }

    fn id(&self) -> Option<&str> {
        self.group_id.as_ref().map(|id| id.as_str())
    }

    fn created_at(&self) -> Option<Timestamp> {
        self.created_at
    }

    fn parse_id(id: &str) -> Result<String, IdError> {
        object_id(id)
    }

    fn check(&self) -> Problems {
        let mut problems = Vec::new();
        check_name_and_description(&mut problems, &self.name, true, &self.description);
        check_limit(
            &mut problems,
            "users",
            self.users.len(),
            Limits::GROUP_USERS,
            "users",
        );
        problems
    }

    fn named_users(&self) -> Vec<String> {
        self.users.iter().map(|u| u.to_string()).collect()
    }
}

impl Kind for AccessRecord {
    const ID_FIELD: &'static str = "recordId";
    const ID_PREFIX: Option<&'static str> = Some("rec");

    fn revision(&self) -> Option<i64> {
        self.revision
    }

    fn id(&self) -> Option<&str> {
        self.record_id.as_ref().map(|id| id.as_str())
    }

    fn created_at(&self) -> Option<Timestamp> {
        self.created_at
    }

    fn parse_id(id: &str) -> Result<String, IdError> {
        object_id(id)
    }

    fn check(&self) -> Problems {
        let mut problems = Vec::new();
        check_name_and_description(&mut problems, &self.name, true, &self.description);
        check_limit(
            &mut problems,
            "users",
            self.users.len(),
            Limits::RECORD_USERS,
            "users",
        );
        check_limit(
            &mut problems,
            "groups",
            self.groups.len(),
            Limits::RECORD_GROUPS,
            "groups",
        );
        check_limit(
            &mut problems,
            "statements",
            self.statements.len(),
            Limits::RECORD_STATEMENTS,
            "statements",
        );
        check_limit(
            &mut problems,
            "tags",
            self.tags.len(),
            Limits::RECORD_TAGS,
            "tags",
        );
        for (i, statement) in self.statements.iter().enumerate() {
            let field = format!("statements[{i}]");
            if statement.roles.is_empty() {
                problems.push((
                    false,
                    FieldError::new(format!("{field}.roles"), "name at least one role"),
                ));
            }
            if statement.resources.is_empty() {
                problems.push((
                    false,
                    FieldError::new(format!("{field}.resources"), "name at least one resource"),
                ));
            }
            check_limit(
                &mut problems,
                &format!("{field}.roles"),
                statement.roles.len(),
                Limits::STATEMENT_ROLES,
                "roles",
            );
            check_limit(
                &mut problems,
                &format!("{field}.resources"),
                statement.resources.len(),
                Limits::STATEMENT_RESOURCES,
                "resources",
            );
        }
        for (key, value) in &self.tags {
            let field = format!("tags.{key}");
            if key.is_empty() {
                problems.push((false, FieldError::new("tags", "tag keys must not be empty")));
            }
            check_text(&mut problems, &field, key, Limits::TAG_KEY_CHARS, false);
            check_text(&mut problems, &field, value, Limits::TAG_VALUE_CHARS, false);
        }
        problems
    }

    fn required_refs(&self) -> Vec<Ref> {
        let groups = self.groups.iter().enumerate().map(|(i, g)| Ref {
            kind: Group::KIND,
            id: g.to_string(),
            field: format!("groups[{i}]"),
        });
        let roles = self.statements.iter().enumerate().flat_map(|(i, s)| {
            s.roles.iter().enumerate().map(move |(j, r)| Ref {
                kind: Role::KIND,
                id: r.to_string(),
                field: format!("statements[{i}].roles[{j}]"),
            })
        });
        groups.chain(roles).collect()
    }

    fn named_users(&self) -> Vec<String> {
        self.users.iter().map(|u| u.to_string()).collect()
    }
}

impl Kind for ResourceConfig {
    const ID_FIELD: &'static str = "resourceUri";
    const ID_PREFIX: Option<&'static str> = None;

    fn revision(&self) -> Option<i64> {
        self.revision
    }

    fn id(&self) -> Option<&str> {
        self.resource_uri.as_ref().map(|id| id.as_str())
    }

    fn created_at(&self) -> Option<Timestamp> {
        self.created_at
    }

    fn parse_id(id: &str) -> Result<String, IdError> {
        ResourcePattern::parse(id).map(String::from)
    }

    fn check(&self) -> Problems {
        let mut problems = Vec::new();
        check_name_and_description(&mut problems, &self.name, false, &self.description);
        problems
    }
}

impl Kind for User {
    const ID_FIELD: &'static str = "userId";
    const ID_PREFIX: Option<&'static str> = None;

    fn revision(&self) -> Option<i64> {
        self.revision
    }

    fn id(&self) -> Option<&str> {
        self.user_id.as_ref().map(|id| id.as_str())
    }

    fn created_at(&self) -> Option<Timestamp> {
        self.created_at
    }

    fn parse_id(id: &str) -> Result<String, IdError> {
        UserId::parse(id).map(String::from)
    }

    fn check(&self) -> Problems {
        let mut problems = Vec::new();
        check_text(
            &mut problems,
            "name",
            self.name.as_deref().unwrap_or(""),
            Limits::NAME_CHARS,
            false,
        );
        if let Some(email) = &self.email {
            check_text(&mut problems, "email", email, Limits::NAME_CHARS, false);
            let valid = email.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty() && !domain.is_empty() && !email.contains(char::is_whitespace)
            });
            if !valid {
                problems.push((
                    false,
                    FieldError::new("email", format!("`{email}` is not an email address")),
                ));
            }
        }
        if let Some(reason) = &self.status_reason {
            check_text(
                &mut problems,
                "statusReason",
                reason,
                Limits::DESCRIPTION_CHARS,
                false,
            );
        }
        problems
    }
}

impl Kind for ApiKey {
    const ID_FIELD: &'static str = "keyId";
    const ID_PREFIX: Option<&'static str> = Some("key");

    fn revision(&self) -> Option<i64> {
        self.revision
    }

    fn id(&self) -> Option<&str> {
        self.key_id.as_ref().map(|id| id.as_str())
    }

    fn created_at(&self) -> Option<Timestamp> {
        self.created_at
    }

    fn parse_id(id: &str) -> Result<String, IdError> {
        object_id(id)
    }

    fn check(&self) -> Problems {
        let mut problems = Vec::new();
        check_text(&mut problems, "name", &self.name, Limits::NAME_CHARS, true);
        if self.scopes.is_empty() {
            problems.push((
                false,
                FieldError::new("scopes", "name at least one of `check`, `read`, `write`"),
            ));
        }
        problems
    }
}

/// The most audiences one issuer may list.
const ISSUER_AUDIENCES: usize = 20;
/// The longest `iss`, audience or JWKS URL.
const ISSUER_TEXT_CHARS: usize = 1_024;

/// Whether a JWKS URL may be fetched: `https://`, or `http://` to a loopback address only
/// (a key set fetched in the clear could be swapped on the way).
fn jwks_url_problem(url: &str) -> Option<&'static str> {
    let Ok(parsed) = reqwest::Url::parse(url) else {
        return Some("is not an absolute URL");
    };
    let loopback = match parsed.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match parsed.scheme() {
        "https" => None,
        "http" if loopback => None,
        "http" => Some("must be `https://` (plain `http://` only to a loopback address)"),
        _ => Some("must be an `https://` URL"),
    }
}

impl Kind for Issuer {
    const ID_FIELD: &'static str = "issuerId";
    const ID_PREFIX: Option<&'static str> = Some("iss");

    fn revision(&self) -> Option<i64> {
        self.revision
    }

    fn id(&self) -> Option<&str> {
        self.issuer_id.as_ref().map(|id| id.as_str())
    }

    fn created_at(&self) -> Option<Timestamp> {
        self.created_at
    }

    fn parse_id(id: &str) -> Result<String, IdError> {
        object_id(id)
    }

    fn check(&self) -> Problems {
        let mut problems = Vec::new();
        check_text(&mut problems, "name", &self.name, Limits::NAME_CHARS, true);
        check_text(
            &mut problems,
            "issuer",
            &self.issuer,
            ISSUER_TEXT_CHARS,
            true,
        );
        if self.audiences.is_empty() {
            problems.push((
                false,
                FieldError::new(
                    "audiences",
                    "name at least one audience: a token must be meant for this application",
                ),
            ));
        }
        check_limit(
            &mut problems,
            "audiences",
            self.audiences.len(),
            ISSUER_AUDIENCES,
            "audiences",
        );
        for (i, audience) in self.audiences.iter().enumerate() {
            check_text(
                &mut problems,
                &format!("audiences[{i}]"),
                audience,
                ISSUER_TEXT_CHARS,
                true,
            );
        }
        if self.algorithms.is_empty() {
            problems.push((
                false,
                FieldError::new("algorithms", "name at least one of RS256, ES256, EdDSA"),
            ));
        }
        let mut seen = HashSet::new();
        for (i, alg) in self.algorithms.iter().enumerate() {
            if !seen.insert(*alg) {
                problems.push((
                    false,
                    FieldError::new(
                        format!("algorithms[{i}]"),
                        format!("`{}` appears more than once", alg.as_str()),
                    ),
                ));
            }
        }
        match &self.keys {
            IssuerKeys::JwksUrl(url) => {
                check_text(&mut problems, "jwksUrl", url, ISSUER_TEXT_CHARS, true);
                if let Some(problem) = jwks_url_problem(url) {
                    problems.push((false, FieldError::new("jwksUrl", problem)));
                }
            }
            // `null`: neither or both were given, which parsing reported already.
            IssuerKeys::Inline(serde_json::Value::Null) => {}
            IssuerKeys::Inline(document) => {
                if let Err(problem) = KeySet::parse(document, true) {
                    problems.push((false, FieldError::new("jwks", problem)));
                }
            }
        }
        problems
    }
}
