//! Between the wire types (crate `portcullis-api`) and the domain: a request's `…In` is
//! parsed into the domain object, with every ill-formed field reported at once (`field`
//! as the JSON path, `permissions[2].action`); a domain object read from the store is shown
//! as its answer type, every server-set field present.

use portcullis_api as wire;
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::ToSchema;

use crate::domain::{
    AccessRecord, Action, ApiKey, Group, IdError, Issuer, IssuerKeys, ObjectId, PermissionEntry,
    RecordStatus, ResourceConfig, ResourcePattern, Role, Scope, Statement, Timestamp,
    TokenAlgorithm, User, UserId, UserStatus,
};
use crate::engine;
use crate::service::{FieldError, Kind, Page, Parsed};

/// A kind as the API carries it.
pub trait Wire: Kind {
    /// What a client sends.
    type In: DeserializeOwned + ToSchema + Send + 'static;
    /// What the server answers.
    type Out: Serialize + ToSchema;
    /// A page of answers.
    type List: Serialize + ToSchema;

    /// The domain object a request describes, and every field that is ill-formed (left out
    /// of the object; the write refuses them with whatever else it finds).
    fn parse(input: Self::In) -> Parsed<Self>;

    /// The answer showing a stored object.
    fn show(self) -> Self::Out;

    /// The answer showing a page of stored objects.
    fn list(page: Page<Self>) -> Self::List;
}

/// Collects the field errors of one request while its fields are parsed.
#[derive(Default)]
struct Parser {
    errors: Vec<FieldError>,
}

impl Parser {
    /// `text` parsed with the domain's parser; `None` (and an error) when it is refused.
    fn field<T>(
        &mut self,
        field: impl Into<String>,
        text: &str,
        parse: impl FnOnce(&str) -> Result<T, IdError>,
    ) -> Option<T> {
        match parse(text) {
            Ok(value) => Some(value),
            Err(error) => {
                self.errors.push(FieldError::new(field, error.0));
                None
            }
        }
    }

    /// Every item of `items` parsed; the field of item `i` is `{field}[i]`.
    fn list<T>(
        &mut self,
        field: &str,
        items: &[String],
        parse: impl Fn(&str) -> Result<T, IdError>,
    ) -> Vec<T> {
        items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| self.field(format!("{field}[{i}]"), item, &parse))
            .collect()
    }

    /// An optional id.
    fn id<T>(
        &mut self,
        field: &str,
        id: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, IdError>,
    ) -> Option<T> {
        id.and_then(|id| self.field(field, id, parse))
    }

    /// An optional instant.
    fn time(&mut self, field: &str, text: Option<&str>) -> Option<Timestamp> {
        text.and_then(|text| {
            self.field(field, text, |t| {
                Timestamp::parse(t).map_err(|message| IdError(message.to_string()))
            })
        })
    }

    /// The object read, with the fields that could not be.
    fn finish<T>(self, object: T) -> Parsed<T> {
        Parsed {
            object,
            errors: self.errors,
        }
    }
}

fn time(at: Option<Timestamp>) -> String {
    at.map(|t| t.to_string()).unwrap_or_default()
}

fn strings<T: ToString>(items: &[T]) -> Vec<String> {
    items.iter().map(ToString::to_string).collect()
}

fn id_of<K: Kind>(object: &K) -> String {
    object.id().unwrap_or_default().to_owned()
}

fn scope(scope: wire::Scope) -> Scope {
    match scope {
        wire::Scope::Check => Scope::Check,
        wire::Scope::Read => Scope::Read,
        wire::Scope::Write => Scope::Write,
    }
}

fn wire_scope(scope: Scope) -> wire::Scope {
    match scope {
        Scope::Check => wire::Scope::Check,
        Scope::Read => wire::Scope::Read,
        Scope::Write => wire::Scope::Write,
    }
}

/// Writes the `list` of a kind from its page.
macro_rules! list_of {
    ($list:ident) => {
        fn list(page: Page<Self>) -> wire::$list {
            wire::$list {
                items: page.items.into_iter().map(Self::show).collect(),
                next_cursor: page.next_cursor,
            }
        }
    };
}

impl Wire for Role {
    type In = wire::RoleIn;
    type Out = wire::Role;
    type List = wire::RoleList;

    fn parse(input: wire::RoleIn) -> Parsed<Self> {
        let mut p = Parser::default();
        let role_id = p.id("roleId", input.role_id.as_deref(), ObjectId::parse);
        let permissions = input
            .permissions
            .iter()
            .enumerate()
            .filter_map(|(i, entry)| {
                Some(PermissionEntry {
                    action: p.field(
                        format!("permissions[{i}].action"),
                        &entry.action,
                        Action::parse,
                    )?,
                    allow: entry.allow,
                    grant: entry.grant,
                    delegate: entry.delegate,
                })
            })
            .collect();
        p.finish(Role {
            role_id,
            name: input.name,
            description: input.description,
            permissions,
            created_at: None,
            updated_at: None,
            revision: None,
        })
    }

    fn show(self) -> wire::Role {
        wire::Role {
            role_id: id_of(&self),
            name: self.name,
            description: self.description,
            permissions: self.permissions.into_iter().map(permission_entry).collect(),
            created_at: time(self.created_at),
            updated_at: time(self.updated_at),
            revision: self.revision.unwrap_or_default(),
        }
    }

    list_of!(RoleList);
}

impl Wire for Group {
    type In = wire::GroupIn;
    type Out = wire::Group;
    type List = wire::GroupList;

    fn parse(input: wire::GroupIn) -> Parsed<Self> {
        let mut p = Parser::default();
        let group_id = p.id("groupId", input.group_id.as_deref(), ObjectId::parse);
        let users = p.list("users", &input.users, UserId::parse);
        p.finish(Group {
            group_id,
            name: input.name,
            description: input.description,
            users,
            created_at: None,
            updated_at: None,
            revision: None,
        })
    }

    fn show(self) -> wire::Group {
        wire::Group {
            group_id: id_of(&self),
            users: strings(&self.users),
            name: self.name,
            description: self.description,
            created_at: time(self.created_at),
            updated_at: time(self.updated_at),
            revision: self.revision.unwrap_or_default(),
        }
    }

    list_of!(GroupList);
}

impl Wire for AccessRecord {
    type In = wire::RecordIn;
    type Out = wire::Record;
    type List = wire::RecordList;

    fn parse(input: wire::RecordIn) -> Parsed<Self> {
        let mut p = Parser::default();
        let record_id = p.id("recordId", input.record_id.as_deref(), ObjectId::parse);
        let expires_at = p.time("expiresAt", input.expires_at.as_deref());
        let users = p.list("users", &input.users, UserId::parse);
        let groups = p.list("groups", &input.groups, ObjectId::parse);
        let statements = input
            .statements
            .iter()
            .enumerate()
            .map(|(i, statement)| Statement {
                roles: p.list(
                    &format!("statements[{i}].roles"),
                    &statement.roles,
                    ObjectId::parse,
                ),
                resources: p.list(
                    &format!("statements[{i}].resources"),
                    &statement.resources,
                    ResourcePattern::parse,
                ),
            })
            .collect();
        p.finish(AccessRecord {
            record_id,
            name: input.name,
            description: input.description,
            status: match input.status {
                wire::RecordStatus::Active => RecordStatus::Active,
                wire::RecordStatus::Disabled => RecordStatus::Disabled,
            },
            expires_at,
            users,
            groups,
            statements,
            tags: input.tags,
            delegated_by: None,
            created_at: None,
            updated_at: None,
            revision: None,
        })
    }

    fn show(self) -> wire::Record {
        wire::Record {
            record_id: id_of(&self),
            name: self.name,
            description: self.description,
            status: match self.status {
                RecordStatus::Active => wire::RecordStatus::Active,
                RecordStatus::Disabled => wire::RecordStatus::Disabled,
            },
            expires_at: self.expires_at.map(|t| t.to_string()),
            users: strings(&self.users),
            groups: strings(&self.groups),
            statements: self
                .statements
                .iter()
                .map(|s| wire::Statement {
                    roles: strings(&s.roles),
                    resources: strings(&s.resources),
                })
                .collect(),
            tags: self.tags,
            delegated_by: self.delegated_by.map(|u| u.to_string()),
            created_at: time(self.created_at),
            updated_at: time(self.updated_at),
            revision: self.revision.unwrap_or_default(),
        }
    }

    list_of!(RecordList);
}

impl Wire for ResourceConfig {
    type In = wire::ResourceIn;
    type Out = wire::Resource;
    type List = wire::ResourceList;

    fn parse(input: wire::ResourceIn) -> Parsed<Self> {
        let mut p = Parser::default();
        let resource_uri = p.id(
            "resourceUri",
            input.resource_uri.as_deref(),
            ResourcePattern::parse,
        );
        p.finish(ResourceConfig {
            resource_uri,
            name: input.name,
            description: input.description,
            metadata: input.metadata,
            created_at: None,
            updated_at: None,
            revision: None,
        })
    }

    fn show(self) -> wire::Resource {
        wire::Resource {
            resource_uri: id_of(&self),
            name: self.name,
            description: self.description,
            metadata: self.metadata,
            created_at: time(self.created_at),
            updated_at: time(self.updated_at),
            revision: self.revision.unwrap_or_default(),
        }
    }

    list_of!(ResourceList);
}

impl Wire for User {
    type In = wire::UserIn;
    type Out = wire::User;
    type List = wire::UserList;

    fn parse(input: wire::UserIn) -> Parsed<Self> {
        let mut p = Parser::default();
        let user_id = p.id("userId", input.user_id.as_deref(), UserId::parse);
        let tokens_not_before = p.time("tokensNotBefore", input.tokens_not_before.as_deref());
        p.finish(User {
            user_id,
            name: input.name,
            email: input.email,
            status: match input.status {
                wire::UserStatus::Active => UserStatus::Active,
                wire::UserStatus::Suspended => UserStatus::Suspended,
            },
            status_reason: input.status_reason,
            tokens_not_before,
            created_at: None,
            updated_at: None,
            revision: None,
        })
    }

    fn show(self) -> wire::User {
        wire::User {
            user_id: id_of(&self),
            name: self.name,
            email: self.email,
            status: match self.status {
                UserStatus::Active => wire::UserStatus::Active,
                UserStatus::Suspended => wire::UserStatus::Suspended,
            },
            status_reason: self.status_reason,
            tokens_not_before: self.tokens_not_before.map(|t| t.to_string()),
            created_at: time(self.created_at),
            updated_at: time(self.updated_at),
            revision: self.revision.unwrap_or_default(),
        }
    }

    list_of!(UserList);
}

impl Wire for ApiKey {
    type In = wire::ApiKeyIn;
    type Out = wire::ApiKey;
    type List = wire::ApiKeyList;

    fn parse(input: wire::ApiKeyIn) -> Parsed<Self> {
        let mut p = Parser::default();
        let key_id = p.id("keyId", input.key_id.as_deref(), ObjectId::parse);
        let expires_at = p.time("expiresAt", input.expires_at.as_deref());
        p.finish(ApiKey {
            key_id,
            name: input.name,
            scopes: input.scopes.into_iter().map(scope).collect(),
            expires_at,
            secret: None,
            last_used_at: None,
            created_at: None,
            updated_at: None,
            revision: None,
        })
    }

    fn show(self) -> wire::ApiKey {
        wire::ApiKey {
            key_id: id_of(&self),
            name: self.name,
            scopes: self.scopes.into_iter().map(wire_scope).collect(),
            expires_at: self.expires_at.map(|t| t.to_string()),
            secret: self.secret,
            last_used_at: self.last_used_at.map(|t| t.to_string()),
            created_at: time(self.created_at),
            updated_at: time(self.updated_at),
            revision: self.revision.unwrap_or_default(),
        }
    }

    list_of!(ApiKeyList);
}

/// How fresh a decision must be, as asked.
pub(super) fn consistency(asked: wire::Consistency) -> crate::service::Consistency {
    match asked {
        wire::Consistency::FullyConsistent => crate::service::Consistency::FullyConsistent,
        wire::Consistency::MinimizeLatency => crate::service::Consistency::MinimizeLatency,
    }
}

fn via(via: engine::Via) -> wire::Via {
    match via {
        engine::Via::User(id) => wire::Via::User(id),
        engine::Via::Group(id) => wire::Via::Group(id),
    }
}

fn permission_entry(entry: PermissionEntry) -> wire::PermissionEntry {
    wire::PermissionEntry {
        action: entry.action.to_string(),
        allow: entry.allow,
        grant: entry.grant,
        delegate: entry.delegate,
    }
}

/// An engine's explanation, shown.
pub(super) fn explanation(explanation: engine::Explanation) -> wire::Explanation {
    wire::Explanation {
        granted_by: explanation.granted_by.map(|grant| wire::Grant {
            record_id: grant.record_id,
            via: via(grant.via),
            statement: grant.statement,
            resource: grant.resource,
            role_id: grant.role_id,
            permission: permission_entry(grant.permission),
        }),
        not_applied: explanation.not_applied.map(|records| {
            records
                .into_iter()
                .map(|record| wire::NotApplied {
                    record_id: record.record_id,
                    via: via(record.via),
                    reason: match record.reason {
                        engine::Reason::Disabled => wire::Reason::Disabled,
                        engine::Reason::Expired => wire::Reason::Expired,
                        engine::Reason::ResourceNotCovered => wire::Reason::ResourceNotCovered,
                        engine::Reason::NoRoleAllows => wire::Reason::NoRoleAllows,
                    },
                })
                .collect()
        }),
        user_suspended: explanation.user_suspended,
    }
}

/// One merged permission entry of a user on a resource, shown.
pub(super) fn effective_permission(
    entry: engine::EffectivePermission,
) -> wire::EffectivePermission {
    wire::EffectivePermission {
        action: entry.action,
        allow: entry.allow,
        grant: entry.grant,
        delegate: entry.delegate,
        grants: entry
            .grants
            .into_iter()
            .map(|grant| wire::RoleGrant {
                record_id: grant.record_id,
                via: via(grant.via),
                role_id: grant.role_id,
            })
            .collect(),
    }
}

/// The records through which a user holds a permission, shown.
pub(super) fn holder_grants(grants: Vec<engine::HolderGrant>) -> Vec<wire::HolderGrant> {
    grants
        .into_iter()
        .map(|grant| wire::HolderGrant {
            record_id: grant.record_id,
            via: via(grant.via),
        })
        .collect()
}

/// A holder of a permission, shown.
pub(super) fn holder(holder: engine::Holder) -> wire::Holder {
    wire::Holder {
        user_id: holder.user_id,
        grants: holder_grants(holder.grants),
    }
}

impl Wire for Issuer {
    type In = wire::IssuerIn;
    type Out = wire::Issuer;
    type List = wire::IssuerList;

    fn parse(input: wire::IssuerIn) -> Parsed<Self> {
        let mut p = Parser::default();
        let issuer_id = p.id("issuerId", input.issuer_id.as_deref(), ObjectId::parse);
        let keys = match (input.jwks_url, input.jwks) {
            (Some(url), None) => IssuerKeys::JwksUrl(url),
            (None, Some(document)) => IssuerKeys::Inline(document),
            (url, _) => {
                let field = if url.is_some() { "jwks" } else { "jwksUrl" };
                p.errors.push(FieldError::new(
                    field,
                    "give exactly one of `jwksUrl` (keys fetched) and `jwks` (keys inline)",
                ));
                // `null` keys are not checked again: this error names the mistake.
                IssuerKeys::Inline(serde_json::Value::Null)
            }
        };
        p.finish(Issuer {
            issuer_id,
            name: input.name,
            issuer: input.issuer,
            audiences: input.audiences,
            keys,
            algorithms: input
                .algorithms
                .into_iter()
                .map(|alg| match alg {
                    wire::TokenAlgorithm::RS256 => TokenAlgorithm::RS256,
                    wire::TokenAlgorithm::ES256 => TokenAlgorithm::ES256,
                    wire::TokenAlgorithm::EdDSA => TokenAlgorithm::EdDSA,
                })
                .collect(),
            created_at: None,
            updated_at: None,
            revision: None,
        })
    }

    fn show(self) -> wire::Issuer {
        let (jwks_url, jwks) = match self.keys.clone() {
            IssuerKeys::JwksUrl(url) => (Some(url), None),
            IssuerKeys::Inline(document) => (None, Some(document)),
        };
        wire::Issuer {
            issuer_id: id_of(&self),
            name: self.name,
            issuer: self.issuer,
            audiences: self.audiences,
            jwks_url,
            jwks,
            algorithms: self
                .algorithms
                .into_iter()
                .map(|alg| match alg {
                    TokenAlgorithm::RS256 => wire::TokenAlgorithm::RS256,
                    TokenAlgorithm::ES256 => wire::TokenAlgorithm::ES256,
                    TokenAlgorithm::EdDSA => wire::TokenAlgorithm::EdDSA,
                })
                .collect(),
            created_at: time(self.created_at),
            updated_at: time(self.updated_at),
            revision: self.revision.unwrap_or_default(),
        }
    }

    list_of!(IssuerList);
}
