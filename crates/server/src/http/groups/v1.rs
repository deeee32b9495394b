//! `/api/v1/groups`: list, create (one or bulk), read, replace, patch, delete (one or bulk).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::Value;
use tessera_domain::group::parse_group;
use tessera_domain::merge_patch::patched;
use tessera_domain::query::Resource;
use tessera_domain::{Document, ObjectId, ResourceKind};
use tessera_store::GroupFilter;

use crate::http::auth::caller::Caller;
use crate::http::common::bodies::expect_array;
use crate::http::common::conditional::Precondition;
use crate::http::common::error::{ApiError, ApiResult};
use crate::http::common::extract::{JsonBody, PathKey, Query};
use crate::http::common::params::{BulkIds, bulk_ids, id_list_param, id_param, path_id};
use crate::http::common::shape::{Special, list_response, shape_one};
use crate::state::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListQuery {
    name: Option<String>,
    mail: Option<String>,
    role_id: Option<String>,
    ids: Option<String>,
}

#[utoipa::path(
    get,
    operation_id = "listGroups",
    path = "/api/v1/groups",
    tag = "groups",
    params(
        ("name" = Option<String>, Query, description = "filter"),
        ("mail" = Option<String>, Query, description = "filter"),
        ("roleId" = Option<String>, Query, description = "filter"),
        ("ids" = Option<String>, Query, description = "filter"),
        crate::http::doc::schemas::SpecialFields
    ),
    responses(
        (status = 200, description = "The matching entities", body = Vec<crate::http::doc::schemas::Group>),
        (status = 400, description = "Malformed query", body = crate::http::doc::schemas::ErrorEnvelope),
        (status = 401, description = "No valid token", body = crate::http::doc::schemas::ErrorEnvelope),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    _: Caller,
    Query(q): Query<ListQuery>,
    special: Special,
) -> ApiResult<Response> {
    let params = special.check(Resource::Group)?;
    let filter = GroupFilter {
        role_id: id_param("roleId", q.role_id.as_deref())?,
        ids: id_list_param("ids", q.ids.as_deref())?,
        name: q.name,
        mail: q.mail,
        search: None,
    };
    let page = state.store.list_groups(special.list(filter)).await?;
    list_response(&state, Resource::Group, page, params).await
}

#[utoipa::path(
    get,
    operation_id = "getGroup",
    path = "/api/v1/groups/{id}",
    tag = "groups",
    params(("If-None-Match" = Option<String>, Header, description = "The ETag the client has: 304 without a body while it is current"), ("id" = String, Path, description = "24-hex-digit id"), crate::http::doc::schemas::SpecialFields),
    responses((status = 304, description = "Not modified: If-None-Match names the current ETag"), 
        (status = 200, description = "The entity", body = crate::http::doc::schemas::Group),
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
    let id = path_id(ResourceKind::Group, &key)?;
    let group = state
        .store
        .get_group(id)
        .await?
        .ok_or_else(|| ApiError::not_found(ResourceKind::Group, key))?;
    shape_one(&state, Resource::Group, group, params).await
}

#[utoipa::path(
    post,
    operation_id = "createGroup",
    path = "/api/v1/groups",
    tag = "groups",
    request_body = crate::http::doc::schemas::NewGroup,
    responses(
        (status = 201, description = "Created", body = crate::http::doc::schemas::Group),
        (status = 400, description = "Invalid document", body = crate::http::doc::schemas::ErrorEnvelope),
        (status = 401, description = "No valid token", body = crate::http::doc::schemas::ErrorEnvelope),
        (status = 403, description = "Not allowed", body = crate::http::doc::schemas::ErrorEnvelope),
        (status = 409, description = "Duplicate", body = crate::http::doc::schemas::ErrorEnvelope),
        (status = 413, description = "Body too large", body = crate::http::doc::schemas::ErrorEnvelope),
        (status = 422, description = "Unknown reference", body = crate::http::doc::schemas::ErrorEnvelope),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> ApiResult<(StatusCode, Json<Document>)> {
    caller.require_identity_admin()?;
    let mut created = state.store.create_groups(vec![parse_group(body)?]).await?;
    Ok((StatusCode::CREATED, Json(created.remove(0))))
}

/// All or nothing: one invalid or duplicate group and none is created.
#[utoipa::path(
    post,
    operation_id = "createGroupsBulk",
    path = "/api/v1/groups/bulk",
    tag = "groups",
    request_body = Vec<crate::http::doc::schemas::NewGroup>,
    responses(
        (status = 201, description = "Created, all of them", body = Vec<crate::http::doc::schemas::Group>),
        (status = 400, description = "Invalid document", body = crate::http::doc::schemas::ErrorEnvelope),
        (status = 401, description = "No valid token", body = crate::http::doc::schemas::ErrorEnvelope),
        (status = 403, description = "Not allowed", body = crate::http::doc::schemas::ErrorEnvelope),
        (status = 409, description = "Duplicate", body = crate::http::doc::schemas::ErrorEnvelope),
        (status = 413, description = "Body too large", body = crate::http::doc::schemas::ErrorEnvelope),
        (status = 422, description = "Unknown reference", body = crate::http::doc::schemas::ErrorEnvelope),
    )
)]
pub async fn create_bulk(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> ApiResult<(StatusCode, Json<Vec<Document>>)> {
    caller.require_identity_admin()?;
    let groups = expect_array(body)?
        .into_iter()
        .map(parse_group)
        .collect::<Result<Vec<_>, _>>()?;
    Ok((
        StatusCode::CREATED,
        Json(state.store.create_groups(groups).await?),
    ))
}

#[utoipa::path(
    put,
    operation_id = "replaceGroup",
    path = "/api/v1/groups/{id}",
    tag = "groups",
    params(("If-Match" = Option<String>, Header, description = "Only if the entity is still this version: the ETag of a plain GET; otherwise 412"), ("id" = String, Path, description = "24-hex-digit id")),
    request_body = crate::http::doc::schemas::NewGroup,
    responses((status = 412, description = "If-Match names a version the entity no longer has", body = crate::http::doc::schemas::ErrorEnvelope), 
        (status = 200, description = "Replaced", body = crate::http::doc::schemas::Group),
        (status = 400, description = "Invalid document", body = crate::http::doc::schemas::ErrorEnvelope),
        (status = 401, description = "No valid token", body = crate::http::doc::schemas::ErrorEnvelope),
        (status = 403, description = "Not allowed", body = crate::http::doc::schemas::ErrorEnvelope),
        (status = 404, description = "Not found", body = crate::http::doc::schemas::ErrorEnvelope),
        (status = 409, description = "Duplicate", body = crate::http::doc::schemas::ErrorEnvelope),
        (status = 422, description = "Unknown reference", body = crate::http::doc::schemas::ErrorEnvelope),
    )
)]
pub async fn replace(
    State(state): State<AppState>,
    caller: Caller,
    PathKey(key): PathKey,
    precondition: Precondition,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Document>> {
    let id = path_id(ResourceKind::Group, &key)?;
    replace_group(&state, &caller, id, precondition, body).await
}

/// The core of `replace`, for an id already resolved (the API 0.9 adapters call it too).
pub(super) async fn replace_group(
    state: &AppState,
    caller: &Caller,
    id: ObjectId,
    precondition: Precondition,
    body: Value,
) -> ApiResult<Json<Document>> {
    caller.require_identity_admin()?;
    let group = parse_group(body)?;
    let updated = state
        .store
        .update_group(
            id,
            Box::new(move |current| precondition.check(&current).map(|()| group)),
        )
        .await?;
    updated
        .map(Json)
        .ok_or_else(|| ApiError::not_found(ResourceKind::Group, id.to_string()))
}

#[utoipa::path(
    patch,
    operation_id = "patchGroup",
    path = "/api/v1/groups/{id}",
    tag = "groups",
    params(("If-Match" = Option<String>, Header, description = "Only if the entity is still this version: the ETag of a plain GET; otherwise 412"), ("id" = String, Path, description = "24-hex-digit id")),
    request_body(content = Object, description = "JSON merge patch (RFC 7396)"),
    responses((status = 412, description = "If-Match names a version the entity no longer has", body = crate::http::doc::schemas::ErrorEnvelope), 
        (status = 200, description = "Patched", body = crate::http::doc::schemas::Group),
        (status = 400, description = "Invalid result", body = crate::http::doc::schemas::ErrorEnvelope),
        (status = 401, description = "No valid token", body = crate::http::doc::schemas::ErrorEnvelope),
        (status = 403, description = "Not allowed", body = crate::http::doc::schemas::ErrorEnvelope),
        (status = 404, description = "Not found", body = crate::http::doc::schemas::ErrorEnvelope),
        (status = 409, description = "Duplicate", body = crate::http::doc::schemas::ErrorEnvelope),
        (status = 422, description = "Unknown reference", body = crate::http::doc::schemas::ErrorEnvelope),
    )
)]
pub async fn patch(
    State(state): State<AppState>,
    caller: Caller,
    PathKey(key): PathKey,
    precondition: Precondition,
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
    updated
        .map(Json)
        .ok_or_else(|| ApiError::not_found(ResourceKind::Group, key))
}

#[utoipa::path(
    delete,
    operation_id = "deleteGroup",
    path = "/api/v1/groups/{id}",
    tag = "groups",
    params(("If-Match" = Option<String>, Header, description = "Only if the entity is still this version: the ETag of a plain GET; otherwise 412"), ("id" = String, Path, description = "24-hex-digit id")),
    responses((status = 412, description = "If-Match names a version the entity no longer has", body = crate::http::doc::schemas::ErrorEnvelope), 
        (status = 204, description = "Deleted"),
        (status = 401, description = "No valid token", body = crate::http::doc::schemas::ErrorEnvelope),
        (status = 403, description = "Not allowed", body = crate::http::doc::schemas::ErrorEnvelope),
        (status = 404, description = "Not found", body = crate::http::doc::schemas::ErrorEnvelope),
    )
)]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    PathKey(key): PathKey,
    Precondition(if_match): Precondition,
) -> ApiResult<StatusCode> {
    let id = path_id(ResourceKind::Group, &key)?;
    delete_group(&state, &caller, id, Precondition(if_match)).await
}

/// The core of `delete`, for an id already resolved (the API 0.9 adapters call it too).
pub(super) async fn delete_group(
    state: &AppState,
    caller: &Caller,
    id: ObjectId,
    Precondition(if_match): Precondition,
) -> ApiResult<StatusCode> {
    caller.require_identity_admin()?;
    state.store.delete_groups(vec![id], if_match).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    delete,
    operation_id = "deleteGroupsBulk",
    path = "/api/v1/groups/bulk",
    tag = "groups",
    params(("ids" = String, Query, description = "Comma-separated ids")),
    responses(
        (status = 204, description = "Deleted, all of them"),
        (status = 400, description = "No ids", body = crate::http::doc::schemas::ErrorEnvelope),
        (status = 401, description = "No valid token", body = crate::http::doc::schemas::ErrorEnvelope),
        (status = 403, description = "Not allowed", body = crate::http::doc::schemas::ErrorEnvelope),
        (status = 404, description = "An id names nothing; nothing deleted", body = crate::http::doc::schemas::ErrorEnvelope),
    )
)]
pub async fn delete_bulk(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<BulkIds>,
) -> ApiResult<StatusCode> {
    caller.require_identity_admin()?;
    let ids = bulk_ids(ResourceKind::Group, "ids", q.ids.as_deref())?;
    state.store.delete_groups(ids, None).await?;
    Ok(StatusCode::NO_CONTENT)
}
