//! Roles, groups, access records, resource configs and users: five kinds with the same five
//! operations over the one generic object flow of the service. A macro writes the thin,
//! documented handler of each operation, so every kind gets the same behaviour and its own
//! operation ids, summaries and examples in the spec.

use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{Access, ApiJson, ApiPath, ApiQuery, Preconditions, Read, Write};
use super::wire::Wire;
use super::{ApiError, AppState, single, written};
use crate::domain::{AccessRecord, Group, IdError, ResourceConfig, Role, User};
use crate::service::{FieldError, Kind, PageRequest, Precondition, WriteMode, path_id};
use crate::store::Naming;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;

async fn create<K: Wire>(
    state: &AppState,
    access: &crate::service::TenantAccess,
    object: K::In,
) -> Result<Response, ApiError> {
    let result = state
        .service
        .put_object(
            &access.actor(),
            &access.tenant,
            None,
            K::parse(object),
            WriteMode::Create,
            Precondition::default(),
        )
        .await?;
    Ok(written(result))
}

/// A list's query parameters: the page, and what the listed objects must name.
trait ListQuery {
    fn page(&self) -> (Option<usize>, Option<String>);

    /// The objects' list that must name something, and what; `None` for all of them.
    fn naming(&self) -> Result<Option<Naming<'_>>, ApiError>;
}

/// The query of `GET …/roles`, `…/users` and `…/resources`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ObjectListParams {
    /// Items per page: 1 to 1,000, default 50.
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<usize>,
    /// The `nextCursor` of the previous page (send the same `q` with it).
    pub cursor: Option<String>,
    /// Only the objects whose id starts with this text (case-sensitive, as ids are): what a
    /// type-ahead picker asks as the admin types.
    pub q: Option<String>,
}

impl ListQuery for ObjectListParams {
    fn page(&self) -> (Option<usize>, Option<String>) {
        (self.limit, self.cursor.clone())
    }

    fn naming(&self) -> Result<Option<Naming<'_>>, ApiError> {
        one_filter(self.q.as_deref(), &[])
    }
}

/// A `?q=`: the start of an id (or an action), which is printable ASCII, so `q` is too (and
/// not empty); else 400 `invalid_parameter` naming `q`.
pub(super) fn prefix(q: &str) -> Result<&str, ApiError> {
    if q.is_empty() || q.len() > 1024 || !q.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return Err(refused(
            "q",
            "the start of an id: 1 to 1,024 printable ASCII characters".into(),
        ));
    }
    Ok(q)
}

/// The query of `GET …/actions`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ActionListParams {
    /// Items per page: 1 to 1,000, default 50.
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<usize>,
    /// The `nextCursor` of the previous page (send the same `q` with it).
    pub cursor: Option<String>,
    /// Only the actions that start with this text (actions are lower case: so is `q`, once
    /// read).
    pub q: Option<String>,
}

/// Actions in use
///
/// The actions the tenant's roles name (in their permission entries), each with the roles
/// naming it, in order; with `q`, those that start with it. What the console's pickers
/// suggest where a permission is typed.
#[utoipa::path(get, path = "/v1/tenants/{tenantId}/actions", tag = "roles", operation_id = "listActionsInUse",
    params(("tenantId" = String, Path, description = "The tenant"), ActionListParams),
    responses((status = 200, description = "The actions, in order", body = portcullis_api::ActionList)))]
async fn actions_in_use(
    axum::extract::State(state): axum::extract::State<AppState>,
    Access(access, ..): Access<Read>,
    ApiQuery(params): ApiQuery<ActionListParams>,
) -> Result<Response, ApiError> {
    let q = params
        .q
        .as_deref()
        .map(prefix)
        .transpose()?
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let page = PageRequest::new(params.limit, params.cursor)?;
    let (found, revision) = state.service.actions_in_use(&access, &q, &page).await?;
    let body = portcullis_api::ActionList {
        items: found
            .items
            .into_iter()
            .map(|(action, roles)| portcullis_api::ActionInUse { action, roles })
            .collect(),
        next_cursor: found.next_cursor,
        revision,
    };
    Ok(super::with_revision(
        axum::Json(body).into_response(),
        revision,
    ))
}

/// 400 `invalid_parameter` naming `parameter`.
fn refused(parameter: &str, message: String) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "invalid_parameter",
        format!("the query parameter `{parameter}` is not valid"),
    )
    .with_errors(vec![FieldError::new(parameter, message)])
}

/// A list filter: its query parameter, the id its value must be, and the indexed list
/// table and column it selects by.
struct Filter {
    parameter: &'static str,
    parse: fn(&str) -> Result<String, IdError>,
    table: &'static str,
    column: &'static str,
}

const RECORDS_BY_USER: Filter = Filter {
    parameter: "user",
    parse: User::parse_id,
    table: "record_users",
    column: "user_id",
};
const RECORDS_BY_GROUP: Filter = Filter {
    parameter: "group",
    parse: Group::parse_id,
    table: "record_groups",
    column: "group_id",
};
const RECORDS_BY_ROLE: Filter = Filter {
    parameter: "role",
    parse: Role::parse_id,
    table: "statement_roles",
    column: "role_id",
};
const RECORDS_BY_RESOURCE: Filter = Filter {
    parameter: "resource",
    parse: ResourceConfig::parse_id,
    table: "statement_resources",
    column: "resource",
};
const GROUPS_BY_USER: Filter = Filter {
    parameter: "user",
    parse: User::parse_id,
    table: "group_members",
    column: "user_id",
};

/// The one filter a request sent: the id prefix `q`, or one of `filters` (each with its
/// value, if sent); 400 `invalid_parameter` naming the parameter for a value that cannot be
/// the id it names (or the start of one), or for a second filter.
fn one_filter<'a>(
    q: Option<&'a str>,
    filters: &[(Filter, Option<&'a str>)],
) -> Result<Option<Naming<'a>>, ApiError> {
    let mut sent = q.map(|q| ("q", q)).into_iter().chain(
        filters
            .iter()
            .filter_map(|(filter, value)| value.map(|value| (filter.parameter, value))),
    );
    let Some((parameter, value)) = sent.next() else {
        return Ok(None);
    };
    if let Some((second, _)) = sent.next() {
        let names: Vec<&str> = std::iter::once("q")
            .chain(filters.iter().map(|(f, _)| f.parameter))
            .collect();
        return Err(refused(
            second,
            format!(
                "a list filters by one of `{}`, not several",
                names.join("`, `")
            ),
        ));
    }
    let Some((filter, _)) = filters.iter().find(|(f, _)| f.parameter == parameter) else {
        return Ok(Some(Naming::IdPrefix(prefix(value)?)));
    };
    (filter.parse)(value).map_err(|error| refused(filter.parameter, error.0))?;
    Ok(Some(Naming::Listed {
        table: filter.table,
        column: filter.column,
        value,
    }))
}

/// The query of `GET …/records`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RecordListParams {
    /// Items per page: 1 to 1,000, default 50.
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<usize>,
    /// The `nextCursor` of the previous page (send the same filter with it).
    pub cursor: Option<String>,
    /// Only the records that name this user directly (not through a group). At most one of
    /// `user`, `group`, `role`, `resource`.
    pub user: Option<String>,
    /// Only the records that name this group.
    pub group: Option<String>,
    /// Only the records that give this role (the role's "used by").
    pub role: Option<String>,
    /// Only the records with a statement naming exactly this resource URI or pattern.
    pub resource: Option<String>,
    /// Only the records whose id starts with this text (instead of the filters above).
    pub q: Option<String>,
}

impl ListQuery for RecordListParams {
    fn page(&self) -> (Option<usize>, Option<String>) {
        (self.limit, self.cursor.clone())
    }

    fn naming(&self) -> Result<Option<Naming<'_>>, ApiError> {
        one_filter(
            self.q.as_deref(),
            &[
                (RECORDS_BY_USER, self.user.as_deref()),
                (RECORDS_BY_GROUP, self.group.as_deref()),
                (RECORDS_BY_ROLE, self.role.as_deref()),
                (RECORDS_BY_RESOURCE, self.resource.as_deref()),
            ],
        )
    }
}

/// The query of `GET …/groups`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct GroupListParams {
    /// Items per page: 1 to 1,000, default 50.
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<usize>,
    /// The `nextCursor` of the previous page (send the same `user` with it).
    pub cursor: Option<String>,
    /// Only the groups this user is a member of.
    pub user: Option<String>,
    /// Only the groups whose id starts with this text (instead of `user`).
    pub q: Option<String>,
}

impl ListQuery for GroupListParams {
    fn page(&self) -> (Option<usize>, Option<String>) {
        (self.limit, self.cursor.clone())
    }

    fn naming(&self) -> Result<Option<Naming<'_>>, ApiError> {
        one_filter(self.q.as_deref(), &[(GROUPS_BY_USER, self.user.as_deref())])
    }
}

async fn list<K: Wire>(
    state: &AppState,
    access: &crate::service::TenantAccess,
    params: impl ListQuery,
) -> Result<axum::Json<K::List>, ApiError> {
    let naming = params.naming()?;
    let (limit, cursor) = params.page();
    let page = PageRequest::new(limit, cursor)?;
    Ok(axum::Json(K::list(
        state
            .service
            .list_objects::<K>(&access.tenant, &page, naming)
            .await?,
    )))
}

async fn get<K: Wire>(
    state: &AppState,
    access: &crate::service::TenantAccess,
    id: &str,
) -> Result<Response, ApiError> {
    let id = path_id::<K>(id)?;
    let object = state.service.get_object::<K>(&access.tenant, &id).await?;
    let revision = object.revision();
    Ok(single(object.show(), revision))
}

async fn put<K: Wire>(
    state: &AppState,
    access: &crate::service::TenantAccess,
    id: &str,
    object: K::In,
    precondition: Precondition,
) -> Result<Response, ApiError> {
    let id = path_id::<K>(id)?;
    let result = state
        .service
        .put_object(
            &access.actor(),
            &access.tenant,
            Some(&id),
            K::parse(object),
            WriteMode::Upsert,
            precondition,
        )
        .await?;
    Ok(written(result))
}

async fn delete<K: Kind>(
    state: &AppState,
    access: &crate::service::TenantAccess,
    id: &str,
    precondition: Precondition,
) -> Result<Response, ApiError> {
    let id = path_id::<K>(id)?;
    let revision = state
        .service
        .delete_object::<K>(&access.actor(), &access.tenant, &id, precondition)
        .await?;
    Ok(super::deleted(revision))
}

macro_rules! object_endpoints {
    (
        module: $module:ident, kind: $kind:ident, wire: [$in:ty, $out:ty, $list:ty], tag: $tag:tt, query: $query:ty,
        collection: $collection:tt, item: $item:tt, id: $id:tt, id_doc: $id_doc:tt,
        ids: [$create_id:tt, $list_id:tt, $get_id:tt, $put_id:tt, $delete_id:tt],
        docs: [$create_doc:tt, $list_doc:tt, $get_doc:tt, $put_doc:tt, $delete_doc:tt]
    ) => {
        mod $module {
            use super::*;

            #[doc = $create_doc]
            #[utoipa::path(post, path = $collection, tag = $tag, operation_id = $create_id,
                params(("tenantId" = String, Path, description = "The tenant")),
                request_body = $in,
                responses((status = 201, description = "Created; `ETag` and `Portcullis-Revision` headers carry the new revision", body = $out)))]
            pub async fn create(
                axum::extract::State(state): axum::extract::State<AppState>,
                Access(access, ..): Access<Write>,
                ApiJson(object): ApiJson<$in>,
            ) -> Result<Response, ApiError> {
                super::create::<$kind>(&state, &access, object).await
            }

            #[doc = $list_doc]
            #[utoipa::path(get, path = $collection, tag = $tag, operation_id = $list_id,
                params(("tenantId" = String, Path, description = "The tenant"), $query),
                responses((status = 200, description = "One page, in id order", body = $list)))]
            pub async fn list(
                axum::extract::State(state): axum::extract::State<AppState>,
                Access(access, ..): Access<Read>,
                ApiQuery(params): ApiQuery<$query>,
            ) -> Result<axum::Json<$list>, ApiError> {
                super::list::<$kind>(&state, &access, params).await
            }

            #[doc = $get_doc]
            #[utoipa::path(get, path = $item, tag = $tag, operation_id = $get_id,
                params(("tenantId" = String, Path, description = "The tenant"), ($id = String, Path, description = $id_doc)),
                responses((status = 200, description = "The object; `ETag` carries its revision", body = $out)))]
            pub async fn get(
                axum::extract::State(state): axum::extract::State<AppState>,
                Access(access, ..): Access<Read>,
                ApiPath(path): ApiPath<(String, String)>,
            ) -> Result<Response, ApiError> {
                let id = path.1;
                super::get::<$kind>(&state, &access, &id).await
            }

            #[doc = $put_doc]
            #[utoipa::path(put, path = $item, tag = $tag, operation_id = $put_id,
                params(("tenantId" = String, Path, description = "The tenant"), ($id = String, Path, description = $id_doc),
                    ("If-Match" = Option<String>, Header, description = "Replace only if the object is at this revision (`\"42\"`), or exists (`*`)"),
                    ("If-None-Match" = Option<String>, Header, description = "`*`: create only, never replace")),
                request_body = $in,
                responses(
                    (status = 200, description = "Replaced; `ETag` and `Portcullis-Revision` carry the new revision", body = $out),
                    (status = 201, description = "Created", body = $out)))]
            pub async fn put(
                axum::extract::State(state): axum::extract::State<AppState>,
                Access(access, ..): Access<Write>,
                ApiPath(path): ApiPath<(String, String)>,
                Preconditions(precondition): Preconditions,
                ApiJson(object): ApiJson<$in>,
            ) -> Result<Response, ApiError> {
                let id = path.1;
                super::put::<$kind>(&state, &access, &id, object, precondition).await
            }

            #[doc = $delete_doc]
            #[utoipa::path(delete, path = $item, tag = $tag, operation_id = $delete_id,
                params(("tenantId" = String, Path, description = "The tenant"), ($id = String, Path, description = $id_doc),
                    ("If-Match" = Option<String>, Header, description = "Delete only if the object is at this revision")),
                responses((status = 200, description = "Deleted; the body and `Portcullis-Revision` carry the new revision", body = super::super::Revision)))]
            pub async fn delete(
                axum::extract::State(state): axum::extract::State<AppState>,
                Access(access, ..): Access<Write>,
                ApiPath(path): ApiPath<(String, String)>,
                Preconditions(precondition): Preconditions,
            ) -> Result<Response, ApiError> {
                let id = path.1;
                super::delete::<$kind>(&state, &access, &id, precondition).await
            }

            pub fn routes() -> OpenApiRouter<AppState> {
                OpenApiRouter::new()
                    .routes(routes!(create, list))
                    .routes(routes!(get, put, delete))
            }
        }
    };
}

object_endpoints!(
    module: roles, kind: Role, wire: [portcullis_api::RoleIn, portcullis_api::Role, portcullis_api::RoleList], tag: "roles", query: ObjectListParams,
    collection: "/v1/tenants/{tenantId}/roles", item: "/v1/tenants/{tenantId}/roles/{roleId}",
    id: "roleId", id_doc: "The role's id",
    ids: ["createRole", "listRoles", "getRole", "putRole", "deleteRole"],
    docs: ["Create a role", "List roles", "Get a role", "Create or replace a role",
           "Delete a role (refused with 409 while records use it)"]
);

object_endpoints!(
    module: groups, kind: Group, wire: [portcullis_api::GroupIn, portcullis_api::Group, portcullis_api::GroupList], tag: "groups", query: GroupListParams,
    collection: "/v1/tenants/{tenantId}/groups", item: "/v1/tenants/{tenantId}/groups/{groupId}",
    id: "groupId", id_doc: "The group's id",
    ids: ["createGroup", "listGroups", "getGroup", "putGroup", "deleteGroup"],
    docs: ["Create a group", "List groups", "Get a group", "Create or replace a group",
           "Delete a group (refused with 409 while records name it)"]
);

object_endpoints!(
    module: records, kind: AccessRecord, wire: [portcullis_api::RecordIn, portcullis_api::Record, portcullis_api::RecordList], tag: "records", query: RecordListParams,
    collection: "/v1/tenants/{tenantId}/records", item: "/v1/tenants/{tenantId}/records/{recordId}",
    id: "recordId", id_doc: "The record's id",
    ids: ["createRecord", "listRecords", "getRecord", "putRecord", "deleteRecord"],
    docs: ["Create an access record", "List access records", "Get an access record",
           "Create or replace an access record", "Delete an access record"]
);

object_endpoints!(
    module: resources, kind: ResourceConfig, wire: [portcullis_api::ResourceIn, portcullis_api::Resource, portcullis_api::ResourceList], tag: "resources", query: ObjectListParams,
    collection: "/v1/tenants/{tenantId}/resources", item: "/v1/tenants/{tenantId}/resources/{resourceUri}",
    id: "resourceUri", id_doc: "The resource URI, URL-encoded: `%2Forgs%2Facme`",
    ids: ["createResource", "listResources", "getResource", "putResource", "deleteResource"],
    docs: ["Register a resource", "List registered resources", "Get a resource config",
           "Register or replace a resource config", "Delete a resource config"]
);

object_endpoints!(
    module: users, kind: User, wire: [portcullis_api::UserIn, portcullis_api::User, portcullis_api::UserList], tag: "users", query: ObjectListParams,
    collection: "/v1/tenants/{tenantId}/users", item: "/v1/tenants/{tenantId}/users/{userId}",
    id: "userId", id_doc: "The user's id, URL-encoded",
    ids: ["createUser", "listUsers", "getUser", "putUser", "deleteUser"],
    docs: ["Register a user", "List users", "Get a user", "Create or replace a user",
           "Delete a user (refused with 409 while records or groups name them)"]
);

/// The routes of the five kinds.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(actions_in_use))
        .merge(roles::routes())
        .merge(groups::routes())
        .merge(records::routes())
        .merge(resources::routes())
        .merge(users::routes())
}
