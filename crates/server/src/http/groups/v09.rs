//! API 0.9 groups, as thin adapters over the 1.0 handlers: `GET /api/groups` (`search`,
//! `limit`, `skip`, special fields), `GET/PUT/DELETE /api/groups/{idOrName}`, array-body
//! `POST /api/groups` (200), and members under `/api/groups/{id}/users`.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use serde_json::Value;
use tessera_domain::lazy::RawDoc;
use tessera_domain::query::Resource;
use tessera_domain::{Document, ObjectId, ResourceKind};
use tessera_store::{GroupFilter, ListRequest, UserFilter};

use super::v1 as groups;
use crate::http::auth::caller::Caller;
use crate::http::common::bodies::{as_array, deleted, id_array_body};
use crate::http::common::conditional::Precondition;
use crate::http::common::error::{ApiError, ApiResult};
use crate::http::common::extract::{JsonBody, PathKey, Query};
use crate::http::common::params::path_id;
use crate::http::common::shape::{Special, list_response, shape_one};
use crate::http::doc::responses::WriteErrors;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct SearchQuery {
    search: Option<String>,
}

#[utoipa::path(
    get,
    operation_id = "listGroupsV09",
    path = "/api/groups",
    tag = "groups",
    params(("search" = Option<String>, Query, description = "Part of the name, case-insensitive"), crate::http::doc::schemas::SpecialFields),
    responses(
        (status = 200, description = "The matching groups", body = Vec<crate::http::doc::schemas::Group>),
        (status = 400, description = "Malformed query", body = crate::http::doc::schemas::ErrorEnvelope),
        (status = 401, description = "No valid token", body = crate::http::doc::schemas::ErrorEnvelope),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    _: Caller,
    Query(q): Query<SearchQuery>,
    special: Special,
) -> ApiResult<Response> {
    let params = special.check(Resource::Group)?;
    let filter = GroupFilter {
        search: q.search.filter(|s| !s.is_empty()),
        ..GroupFilter::default()
    };
    let page = state.store.list_groups(special.list(filter)).await?;
    list_response(&state, Resource::Group, page, params).await
}

/// The group a 0.9 path names (an id first, then a name, case-insensitive), with its document:
/// one read.
async fn find(state: &AppState, key: &str) -> ApiResult<(ObjectId, RawDoc)> {
    state
        .store
        .find_group(key)
        .await?
        .ok_or_else(|| ApiError::not_found(ResourceKind::Group, key))
}

const GROUP_KEY: &str = "A group id or name";

#[utoipa::path(
    get,
    operation_id = "getGroupV09",
    path = "/api/groups/{id_or_name}",
    tag = "groups",
    params(("If-None-Match" = Option<String>, Header, description = "The ETag the client has: 304 without a body while it is current"), ("id_or_name" = String, Path, description = GROUP_KEY), crate::http::doc::schemas::SpecialFields),
    responses(
        (status = 304, description = "Not modified: If-None-Match names the current ETag"),
        (status = 200, description = "The group", body = crate::http::doc::schemas::Group),
        (status = 400, description = "Malformed query", body = crate::http::doc::schemas::ErrorEnvelope),
        (status = 401, description = "No valid token", body = crate::http::doc::schemas::ErrorEnvelope),
        (status = 404, description = "Not found", body = crate::http::doc::schemas::ErrorEnvelope),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    _: Caller,
    PathKey(key): PathKey,
    special: Special,
) -> ApiResult<Response> {
    let params = special.check(Resource::Group)?;
    let (_, group) = find(&state, &key).await?;
    shape_one(&state, Resource::Group, group, params).await
}

#[utoipa::path(
    post,
    operation_id = "createGroupsV09",
    path = "/api/groups",
    tag = "groups",
    request_body = Vec<crate::http::doc::schemas::NewGroup>,
    responses((status = 200, description = "Created, all of them", body = Vec<crate::http::doc::schemas::Group>), WriteErrors)
)]
pub async fn create(
    state: State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Vec<Document>>> {
    let (_, created) = groups::create_bulk(state, caller, JsonBody(as_array(body))).await?;
    Ok(created)
}

#[utoipa::path(
    put,
    operation_id = "replaceGroupV09",
    path = "/api/groups/{id_or_name}",
    tag = "groups",
    params(("If-Match" = Option<String>, Header, description = "Only if the group is still this version"), ("id_or_name" = String, Path, description = GROUP_KEY)),
    request_body = crate::http::doc::schemas::NewGroup,
    responses((status = 200, description = "Replaced", body = crate::http::doc::schemas::Group), WriteErrors)
)]
pub async fn replace(
    State(state): State<AppState>,
    caller: Caller,
    PathKey(key): PathKey,
    precondition: Precondition,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Document>> {
    let (id, _) = find(&state, &key).await?;
    groups::replace_group(&state, &caller, id, precondition, body).await
}

#[utoipa::path(
    delete,
    operation_id = "deleteGroupV09",
    path = "/api/groups/{id_or_name}",
    tag = "groups",
    params(("If-Match" = Option<String>, Header, description = "Only if the group is still this version"), ("id_or_name" = String, Path, description = GROUP_KEY)),
    responses((status = 200, description = "Deleted", body = crate::http::doc::schemas::Deleted), WriteErrors)
)]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    PathKey(key): PathKey,
    precondition: Precondition,
) -> ApiResult<Json<Value>> {
    let (id, _) = find(&state, &key).await?;
    groups::delete_group(&state, &caller, id, precondition).await?;
    Ok(deleted(&[id]))
}

#[utoipa::path(
    get,
    operation_id = "listGroupMembersV09",
    path = "/api/groups/{id_or_name}/users",
    tag = "groups",
    params(("id_or_name" = String, Path, description = "The group's id"), crate::http::doc::schemas::SpecialFields),
    responses(
        (status = 200, description = "The group's members", body = Vec<crate::http::doc::schemas::User>),
        (status = 400, description = "Malformed query", body = crate::http::doc::schemas::ErrorEnvelope),
        (status = 401, description = "No valid token", body = crate::http::doc::schemas::ErrorEnvelope),
        (status = 404, description = "Not found", body = crate::http::doc::schemas::ErrorEnvelope),
    )
)]
pub async fn members(
    State(state): State<AppState>,
    _: Caller,
    PathKey(key): PathKey,
    special: Special,
) -> ApiResult<Response> {
    let params = special.check(Resource::User)?;
    let id = path_id(ResourceKind::Group, &key)?;
    if state.store.get_group(id).await?.is_none() {
        return Err(ApiError::not_found(ResourceKind::Group, key));
    }
    let filter = UserFilter {
        group_id: Some(id),
        ..UserFilter::default()
    };
    let page = state.store.list_users(special.list(filter)).await?;
    list_response(&state, Resource::User, page, params).await
}

async fn change(
    state: AppState,
    caller: Caller,
    key: String,
    body: Value,
    add: bool,
) -> ApiResult<Response> {
    caller.require_identity_admin()?;
    let id = path_id(ResourceKind::Group, &key)?;
    let users = id_array_body(ResourceKind::User, body)?;
    state.store.change_membership(id, users, add).await?;
    let filter = UserFilter {
        group_id: Some(id),
        ..UserFilter::default()
    };
    let page = state.store.list_users(ListRequest::all(filter)).await?;
    list_response(&state, Resource::User, page, &Default::default()).await
}

#[utoipa::path(
    post,
    operation_id = "addGroupMembersV09",
    path = "/api/groups/{id_or_name}/users",
    tag = "groups",
    params(("id_or_name" = String, Path, description = "The group's id")),
    request_body = Vec<crate::http::doc::schemas::Id>,
    responses((status = 200, description = "Added (all or none); the members now", body = Vec<crate::http::doc::schemas::User>), WriteErrors)
)]
pub async fn add_members(
    State(state): State<AppState>,
    caller: Caller,
    PathKey(key): PathKey,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    change(state, caller, key, body, true).await
}

#[utoipa::path(
    delete,
    operation_id = "removeGroupMembersV09",
    path = "/api/groups/{id_or_name}/users",
    tag = "groups",
    params(("id_or_name" = String, Path, description = "The group's id")),
    request_body = Vec<crate::http::doc::schemas::Id>,
    responses((status = 200, description = "Removed (all or none); the members now", body = Vec<crate::http::doc::schemas::User>), WriteErrors)
)]
pub async fn remove_members(
    State(state): State<AppState>,
    caller: Caller,
    PathKey(key): PathKey,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    change(state, caller, key, body, false).await
}
