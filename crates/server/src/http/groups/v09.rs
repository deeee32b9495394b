//! API 0.9 groups, as thin adapters over the 1.0 handlers: `GET /api/groups` (`search`,
//! `limit`, `skip`, special fields), `GET/PUT/DELETE /api/groups/{idOrName}`, array-body
//! `POST /api/groups` (200), and members under `/api/groups/{id}/users`.

use axum::Json;
use axum::response::Response;
use serde::Deserialize;
use serde_json::Value;
use tessera_domain::lazy::RawDoc;
use tessera_domain::{Document, ObjectId, ResourceKind};
use tessera_store::{GroupFilter, ListRequest, UserFilter};
use utoipa::IntoParams;

use super::v1 as groups;
use crate::http::auth::caller::Caller;
use crate::http::common::acting::Ctx;
use crate::http::common::bodies::{as_array, deleted, id_array_body};
use crate::http::common::conditional::Precondition;
use crate::http::common::error::{ApiError, ApiResult, Found};
use crate::http::common::extract::{JsonBody, PathKey, Query};
use crate::http::common::params::path_id;
use crate::http::common::shape::{Special, list_response, shape_one};
use crate::http::doc::params::{GroupId, GroupKey, IfMatch, IfNoneMatch, SpecialFields};
use crate::http::doc::responses::{
    CreateErrors, DeleteErrors, Groups, ListErrors, NotModified, ReadErrors, WriteErrors,
};
use crate::http::doc::schemas::{Deleted, Group, Id, NewGroup, User};
use crate::state::AppState;

/// The filter of the API 0.9 group list.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Part of the name, case-insensitive.
    search: Option<String>,
}

/// List groups (API 0.9)
///
/// Groups whose name contains `search`, with the special fields.
#[utoipa::path(get, operation_id = "listGroupsV09", path = "/api/groups", tag = "groups", params(SearchQuery, SpecialFields), responses((status = 200, description = "The matching groups", body = Vec<Group>), ListErrors))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn list(
    Ctx { state, .. }: Ctx, Query(q): Query<SearchQuery>, special: Special,
) -> ApiResult<Response> {
    let params = special.check(ResourceKind::Group)?;
    let filter =
        GroupFilter { search: q.search.filter(|s| !s.is_empty()), ..GroupFilter::default() };
    let page = state.store.list_groups(special.list(filter)).await?;
    list_response(&state, ResourceKind::Group, page, params).await
}

/// The group a 0.9 path names (an id first, then a name, case-insensitive), with its document:
/// one read.
async fn find(state: &AppState, key: &str) -> ApiResult<(ObjectId, RawDoc)> {
    state.store.find_group(key).await?.found(ResourceKind::Group, key)
}

/// Get a group by id or name (API 0.9)
///
/// The key is tried as an id first, then as a name (case-insensitive), in one read.
#[utoipa::path(get, operation_id = "getGroupV09", path = "/api/groups/{id_or_name}", tag = "groups", params(GroupKey, IfNoneMatch, SpecialFields), responses((status = 200, description = "The group", body = Group), NotModified, ReadErrors<Groups>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn get(
    Ctx { state, .. }: Ctx, PathKey(key): PathKey, special: Special,
) -> ApiResult<Response> {
    let params = special.check(ResourceKind::Group)?;
    let (_, group) = find(&state, &key).await?;
    shape_one(&state, ResourceKind::Group, group, params).await
}

/// Create groups (API 0.9)
///
/// An array of groups (one object is taken as an array of one), created all or none,
/// answered with 200 as API 0.9 does.
#[utoipa::path(post, operation_id = "createGroupsV09", path = "/api/groups", tag = "groups", request_body = Vec<NewGroup>, responses((status = 200, description = "Created, all of them", body = Vec<Group>), CreateErrors))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create(ctx: Ctx, JsonBody(body): JsonBody) -> ApiResult<Json<Vec<Document>>> {
    let (_, created) = groups::create_bulk(ctx, JsonBody(as_array(body))).await?;
    Ok(created)
}

/// Replace a group by id or name (API 0.9)
///
/// As `PUT /api/v1/groups/{id}`, for the group the key names.
#[utoipa::path(put, operation_id = "replaceGroupV09", path = "/api/groups/{id_or_name}", tag = "groups", params(GroupKey, IfMatch), request_body = NewGroup, responses((status = 200, description = "Replaced", body = Group), WriteErrors<Groups>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn replace(
    Ctx { state, caller }: Ctx, PathKey(key): PathKey, precondition: Precondition,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Document>> {
    let (id, _) = find(&state, &key).await?;
    groups::replace_group(&state, &caller, id, precondition, body).await
}

/// Delete a group by id or name (API 0.9)
///
/// Answers 200 with `{"deleted": [id]}`, as API 0.9 does.
#[utoipa::path(delete, operation_id = "deleteGroupV09", path = "/api/groups/{id_or_name}", tag = "groups", params(GroupKey, IfMatch), responses((status = 200, description = "Deleted", body = Deleted), DeleteErrors<Groups>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn delete(
    Ctx { state, caller }: Ctx, PathKey(key): PathKey, precondition: Precondition,
) -> ApiResult<Json<Value>> {
    let (id, _) = find(&state, &key).await?;
    groups::delete_group(&state, &caller, id, precondition).await?;
    Ok(deleted(&[id]))
}

/// List a group's members (API 0.9)
///
/// The users in the group, with the special fields.
#[utoipa::path(get, operation_id = "listGroupMembersV09", path = "/api/groups/{id_or_name}/users", tag = "groups", params(GroupId, SpecialFields), responses((status = 200, description = "The group's members", body = Vec<User>), ReadErrors<Groups>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn members(
    Ctx { state, .. }: Ctx, PathKey(key): PathKey, special: Special,
) -> ApiResult<Response> {
    let params = special.check(ResourceKind::User)?;
    let id = path_id(ResourceKind::Group, &key)?;
    if state.store.get_group(id).await?.is_none() {
        return Err(ApiError::not_found(ResourceKind::Group, key));
    }
    let filter = UserFilter { group_id: Some(id), ..UserFilter::default() };
    let page = state.store.list_users(special.list(filter)).await?;
    list_response(&state, ResourceKind::User, page, params).await
}

async fn change(
    state: AppState, caller: Caller, key: String, body: Value, add: bool,
) -> ApiResult<Response> {
    caller.require_identity_admin()?;
    let id = path_id(ResourceKind::Group, &key)?;
    let users = id_array_body(ResourceKind::User, body)?;
    state.store.change_membership(id, users, add).await?;
    let filter = UserFilter { group_id: Some(id), ..UserFilter::default() };
    let page = state.store.list_users(ListRequest::all(filter)).await?;
    list_response(&state, ResourceKind::User, page, &Default::default()).await
}

/// Add users to a group (API 0.9)
///
/// An array of user ids, added all or none; answers with the members now.
#[utoipa::path(post, operation_id = "addGroupMembersV09", path = "/api/groups/{id_or_name}/users", tag = "groups", params(GroupId), request_body = Vec<Id>, responses((status = 200, description = "Added (all or none); the members now", body = Vec<User>), WriteErrors<Groups>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn add_members(
    Ctx { state, caller }: Ctx, PathKey(key): PathKey, JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    change(state, caller, key, body, true).await
}

/// Remove users from a group (API 0.9)
///
/// An array of user ids, removed all or none; answers with the members now.
#[utoipa::path(delete, operation_id = "removeGroupMembersV09", path = "/api/groups/{id_or_name}/users", tag = "groups", params(GroupId), request_body = Vec<Id>, responses((status = 200, description = "Removed (all or none); the members now", body = Vec<User>), WriteErrors<Groups>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn remove_members(
    Ctx { state, caller }: Ctx, PathKey(key): PathKey, JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    change(state, caller, key, body, false).await
}
