//! `/api/v1/groups`: list, create (one or bulk), read, replace, patch, delete (one or bulk).

use axum::Json;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::Value;
use tessera_domain::group::parse_group;
use tessera_domain::merge_patch::patched;
use tessera_domain::{Document, ObjectId, ResourceKind};
use tessera_store::GroupFilter;
use utoipa::IntoParams;

use crate::http::auth::caller::Caller;
use crate::http::common::acting::Ctx;
use crate::http::common::bodies::expect_array;
use crate::http::common::conditional::Precondition;
use crate::http::common::error::{ApiResult, Found};
use crate::http::common::extract::{JsonBody, PathKey, Query};
use crate::http::common::params::{BulkIds, bulk_ids, id_list_param, id_param, path_id};
use crate::http::common::shape::{Special, list_response, shape_one};
use crate::http::doc::params::{IdPath, IfMatch, IfNoneMatch, SpecialFields};
use crate::http::doc::responses::{
    CreateErrors, DeleteErrors, Groups, ListErrors, NotModified, ReadErrors, WriteErrors,
};
use crate::http::doc::schemas::{Group, NewGroup};
use crate::state::AppState;

/// The filters of `GET /api/v1/groups`; every one given must hold.
#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// The whole name, case-insensitive.
    name: Option<String>,
    /// The group's e-mail address, case-insensitive.
    mail: Option<String>,
    /// Groups with this role (its id).
    #[param(pattern = "^[0-9a-fA-F]{24}$")]
    role_id: Option<String>,
    /// These groups only: comma-separated ids.
    ids: Option<String>,
}

/// List groups
///
/// The groups that match every filter given, with the special fields (`expand=users,role`).
#[utoipa::path(get, operation_id = "listGroups", path = "/api/v1/groups", tag = "groups", params(ListQuery, SpecialFields), responses((status = 200, description = "The matching groups", body = Vec<Group>), ListErrors))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn list(
    Ctx { state, .. }: Ctx, Query(q): Query<ListQuery>, special: Special,
) -> ApiResult<Response> {
    let params = special.check(ResourceKind::Group)?;
    let filter = GroupFilter {
        role_id: id_param("roleId", q.role_id.as_deref())?,
        ids: id_list_param("ids", q.ids.as_deref())?,
        name: q.name,
        mail: q.mail,
        search: None,
    };
    let page = state.store.list_groups(special.list(filter)).await?;
    list_response(&state, ResourceKind::Group, page, params).await
}

/// Get a group
///
/// One group by id, with the special fields; `expand=users` lists its members.
#[utoipa::path(get, operation_id = "getGroup", path = "/api/v1/groups/{id}", tag = "groups", params(IdPath, IfNoneMatch, SpecialFields), responses((status = 200, description = "The group", body = Group), NotModified, ReadErrors<Groups>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn get(
    Ctx { state, .. }: Ctx, PathKey(key): PathKey, special: Special,
) -> ApiResult<Response> {
    let params = special.check(ResourceKind::Group)?;
    let id = path_id(ResourceKind::Group, &key)?;
    let group = state.store.get_group(id).await?.found(ResourceKind::Group, key)?;
    shape_one(&state, ResourceKind::Group, group, params).await
}

/// Create a group
///
/// Administrators create groups; names are unique, case-insensitively.
#[utoipa::path(post, operation_id = "createGroup", path = "/api/v1/groups", tag = "groups", request_body = NewGroup, responses((status = 201, description = "Created", body = Group), CreateErrors))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create(
    Ctx { state, caller }: Ctx, JsonBody(body): JsonBody,
) -> ApiResult<(StatusCode, Json<Document>)> {
    caller.require_identity_admin()?;
    let mut created = state.store.create_groups(vec![parse_group(body)?]).await?;
    Ok((StatusCode::CREATED, Json(created.remove(0))))
}

/// Create groups in bulk
///
/// An array of groups, created all or none: one invalid or duplicate group and none is created.
#[utoipa::path(post, operation_id = "createGroupsBulk", path = "/api/v1/groups/bulk", tag = "groups", request_body = Vec<NewGroup>, responses((status = 201, description = "Created, all of them", body = Vec<Group>), CreateErrors))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create_bulk(
    Ctx { state, caller }: Ctx, JsonBody(body): JsonBody,
) -> ApiResult<(StatusCode, Json<Vec<Document>>)> {
    caller.require_identity_admin()?;
    let groups = expect_array(body)?.into_iter().map(parse_group).collect::<Result<Vec<_>, _>>()?;
    Ok((StatusCode::CREATED, Json(state.store.create_groups(groups).await?)))
}

/// Replace a group
///
/// The body replaces the group; absent fields take their defaults.
#[utoipa::path(put, operation_id = "replaceGroup", path = "/api/v1/groups/{id}", tag = "groups", params(IdPath, IfMatch), request_body = NewGroup, responses((status = 200, description = "Replaced", body = Group), WriteErrors<Groups>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn replace(
    Ctx { state, caller }: Ctx, PathKey(key): PathKey, precondition: Precondition,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Document>> {
    let id = path_id(ResourceKind::Group, &key)?;
    replace_group(&state, &caller, id, precondition, body).await
}

/// The core of `replace`, for an id already resolved (the API 0.9 adapters call it too).
pub(super) async fn replace_group(
    state: &AppState, caller: &Caller, id: ObjectId, precondition: Precondition, body: Value,
) -> ApiResult<Json<Document>> {
    caller.require_identity_admin()?;
    let group = parse_group(body)?;
    let updated = state
        .store
        .update_group(id, Box::new(move |current| precondition.check(&current).map(|()| group)))
        .await?;
    updated.map(Json).found(ResourceKind::Group, id)
}

/// Change a group
///
/// A JSON merge patch (RFC 7396) on the stored group, validated as a whole afterwards.
#[utoipa::path(patch, operation_id = "patchGroup", path = "/api/v1/groups/{id}", tag = "groups", params(IdPath, IfMatch), request_body(content = Object, description = "JSON merge patch (RFC 7396)"), responses((status = 200, description = "Patched", body = Group), WriteErrors<Groups>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn patch(
    Ctx { state, caller }: Ctx, PathKey(key): PathKey, precondition: Precondition,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Document>> {
    caller.require_identity_admin()?;
    let id = path_id(ResourceKind::Group, &key)?;
    let patch = Value::Object(tessera_domain::document::expect_object(body)?);
    let edit = move |current: Document| {
        precondition.check(&current)?;
        parse_group(patched(current, &patch))
    };
    let updated = state.store.update_group(id, Box::new(edit)).await?;
    updated.map(Json).found(ResourceKind::Group, key)
}

/// Delete a group
///
/// Members lose the group from their `groups`, and dashboards' shares lose it. Built-in
/// groups cannot be deleted.
#[utoipa::path(delete, operation_id = "deleteGroup", path = "/api/v1/groups/{id}", tag = "groups", params(IdPath, IfMatch), responses((status = 204, description = "Deleted"), DeleteErrors<Groups>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn delete(
    Ctx { state, caller }: Ctx, PathKey(key): PathKey, Precondition(if_match): Precondition,
) -> ApiResult<StatusCode> {
    let id = path_id(ResourceKind::Group, &key)?;
    delete_group(&state, &caller, id, Precondition(if_match)).await
}

/// The core of `delete`, for an id already resolved (the API 0.9 adapters call it too).
pub(super) async fn delete_group(
    state: &AppState, caller: &Caller, id: ObjectId, Precondition(if_match): Precondition,
) -> ApiResult<StatusCode> {
    caller.require_identity_admin()?;
    state.store.delete_groups(vec![id], if_match).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Delete groups in bulk
///
/// `?ids=a,b`: all or none; an id that names no group is a 404 and nothing is deleted.
#[utoipa::path(delete, operation_id = "deleteGroupsBulk", path = "/api/v1/groups/bulk", tag = "groups", params(BulkIds), responses((status = 204, description = "Deleted, all of them"), DeleteErrors<Groups>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn delete_bulk(
    Ctx { state, caller }: Ctx, Query(q): Query<BulkIds>,
) -> ApiResult<StatusCode> {
    caller.require_identity_admin()?;
    let ids = bulk_ids(ResourceKind::Group, "ids", q.ids.as_deref())?;
    state.store.delete_groups(ids, None).await?;
    Ok(StatusCode::NO_CONTENT)
}
