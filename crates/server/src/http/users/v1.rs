//! `/api/v1/users`: list, create (one or bulk), read, replace, patch, delete (one or bulk).

use axum::Json;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::Value;
use tessera_domain::merge_patch::patched;
use tessera_domain::user::{Password, UserDraft, parse_user, take_password};
use tessera_domain::{Document, ObjectId, ResourceKind};
use tessera_store::{UserFilter, UserRecord};
use utoipa::IntoParams;

use crate::http::common::acting::Ctx;
use crate::http::users::access::{WriteKind, authorize_user_write};

const DELETES: WriteKind<'static> = WriteKind { partial: false, fields: &[], disables: true };
use crate::http::auth::caller::Caller;
use crate::http::common::bodies::expect_array;
use crate::http::common::conditional::Precondition;
use crate::http::common::error::{ApiError, ApiResult, Found};
use crate::http::common::extract::{JsonBody, PathKey, Query};
use crate::http::common::params::{
    BulkIds, bool_param, bulk_ids, id_list_param, id_param, path_id,
};
use crate::http::common::shape::{Special, list_response, shape_one};
use crate::http::doc::params::{IdPath, IfMatch, IfNoneMatch, SpecialFields};
use crate::http::doc::responses::{
    CreateErrors, DeleteErrors, ListErrors, NotModified, ReadErrors, Users, WriteErrors,
};
use crate::http::doc::schemas::{NewUser, User};
use crate::state::AppState;

/// The filters of `GET /api/v1/users`; every one given must hold.
#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Part of the user name, case-insensitive.
    user_name: Option<String>,
    /// Part of the e-mail address, case-insensitive.
    email: Option<String>,
    /// Part of the first name, case-insensitive.
    first_name: Option<String>,
    /// Part of the last name, case-insensitive.
    last_name: Option<String>,
    /// Users with this role (its id).
    #[param(pattern = "^[0-9a-fA-F]{24}$")]
    role_id: Option<String>,
    /// Members of this group (its id).
    #[param(pattern = "^[0-9a-fA-F]{24}$")]
    group_id: Option<String>,
    /// Only active (`true`) or only inactive (`false`) users.
    #[param(value_type = Option<bool>)]
    active: Option<String>,
    /// These users only: comma-separated ids.
    ids: Option<String>,
}

impl ListQuery {
    fn filter(self) -> ApiResult<UserFilter> {
        Ok(UserFilter {
            role_id: id_param("roleId", self.role_id.as_deref())?,
            group_id: id_param("groupId", self.group_id.as_deref())?,
            active: bool_param("active", self.active.as_deref())?,
            ids: id_list_param("ids", self.ids.as_deref())?,
            user_name: self.user_name,
            email: self.email,
            first_name: self.first_name,
            last_name: self.last_name,
            search: None,
        })
    }
}

/// List users
///
/// The users that match every filter given, with the special fields (`fields`, `sort`,
/// `limit`, `skip`, `expand=groups,role`). `Prefer: count=exact` adds the total in
/// `X-Total-Count`.
#[utoipa::path(get, operation_id = "listUsers", path = "/api/v1/users", tag = "users", params(ListQuery, SpecialFields), responses((status = 200, description = "The matching users", body = Vec<User>), ListErrors))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn list(
    Ctx { state, .. }: Ctx, Query(q): Query<ListQuery>, special: Special,
) -> ApiResult<Response> {
    let params = special.check(ResourceKind::User)?;
    let page = state.store.list_users(special.list(q.filter()?)).await?;
    list_response(&state, ResourceKind::User, page, params).await
}

/// Get a user
///
/// One user by id, with the special fields. Answers with an `ETag`; `If-None-Match` with it
/// answers 304 while the user is unchanged.
#[utoipa::path(get, operation_id = "getUser", path = "/api/v1/users/{id}", tag = "users", params(IdPath, IfNoneMatch, SpecialFields), responses((status = 200, description = "The user", body = User), NotModified, ReadErrors<Users>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn get(
    Ctx { state, .. }: Ctx, PathKey(key): PathKey, special: Special,
) -> ApiResult<Response> {
    let params = special.check(ResourceKind::User)?;
    let id = path_id(ResourceKind::User, &key)?;
    let user = state.store.get_user(id).await?.found(ResourceKind::User, key)?;
    shape_one(&state, ResourceKind::User, user, params).await
}

/// Create a user
///
/// Administrators create users; `userName` defaults to `email`, `roleId` to the Viewer role.
/// The password is hashed and never returned.
#[utoipa::path(post, operation_id = "createUser", path = "/api/v1/users", tag = "users", request_body = NewUser, responses((status = 201, description = "Created", body = User), CreateErrors))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create(
    Ctx { state, caller }: Ctx, JsonBody(body): JsonBody,
) -> ApiResult<(StatusCode, Json<Document>)> {
    let record = record_of(&state, &caller, body).await?;
    let mut created = state.store.create_users(vec![record]).await?;
    Ok((StatusCode::CREATED, Json(created.remove(0))))
}

/// Create users in bulk
///
/// An array of users, created all or none: one invalid or duplicate user and none is created.
#[utoipa::path(post, operation_id = "createUsersBulk", path = "/api/v1/users/bulk", tag = "users", request_body = Vec<NewUser>, responses((status = 201, description = "Created, all of them", body = Vec<User>), CreateErrors))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create_bulk(
    Ctx { state, caller }: Ctx, JsonBody(body): JsonBody,
) -> ApiResult<(StatusCode, Json<Vec<Document>>)> {
    caller.require_identity_admin()?;
    let items = expect_array(body)?;
    let mut records = Vec::with_capacity(items.len());
    for item in items {
        records.push(record_of(&state, &caller, item).await?);
    }
    Ok((StatusCode::CREATED, Json(state.store.create_users(records).await?)))
}

/// Replace a user
///
/// The body replaces the user: absent fields are gone (defaults apply as on create); the
/// password is kept unless the body sets a new one.
#[utoipa::path(put, operation_id = "replaceUser", path = "/api/v1/users/{id}", tag = "users", params(IdPath, IfMatch), request_body = NewUser, responses((status = 200, description = "Replaced", body = User), WriteErrors<Users>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn replace(
    Ctx { state, caller }: Ctx, PathKey(key): PathKey, precondition: Precondition,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Document>> {
    let id = path_id(ResourceKind::User, &key)?;
    replace_user(&state, &caller, id, precondition, body).await
}

/// The core of `replace`, for an id already resolved (the API 0.9 adapters call it too).
pub(super) async fn replace_user(
    state: &AppState, caller: &Caller, id: ObjectId, precondition: Precondition, body: Value,
) -> ApiResult<Json<Document>> {
    let draft = parse_user(body, state.default_role)?;
    let kind = WriteKind { disables: !draft.active, ..WriteKind::default() };
    authorize_user_write(state, caller, Some(id), Some(draft.role_id), kind).await?;
    let record = hashed(state, draft).await?;
    let updated = state
        .store
        .update_user(id, Box::new(move |current| precondition.check(&current).map(|()| record)))
        .await?;
    updated.map(Json).found(ResourceKind::User, id)
}

/// Change a user
///
/// A JSON merge patch (RFC 7396) on the stored user, validated as a whole afterwards. A user
/// may change their own profile fields; administrators may change others.
#[utoipa::path(patch, operation_id = "patchUser", path = "/api/v1/users/{id}", tag = "users", params(IdPath, IfMatch), request_body(content = Object, description = "JSON merge patch (RFC 7396)"), responses((status = 200, description = "Patched", body = User), WriteErrors<Users>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn patch(
    Ctx { state, caller }: Ctx, PathKey(key): PathKey, precondition: Precondition,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Document>> {
    let id = path_id(ResourceKind::User, &key)?;
    patch_user(&state, &caller, id, precondition, body).await
}

/// The core of `patch`, for an id already resolved (the API 0.9 adapters call it too).
pub(super) async fn patch_user(
    state: &AppState, caller: &Caller, id: ObjectId, precondition: Precondition, body: Value,
) -> ApiResult<Json<Document>> {
    let mut patch = tessera_domain::document::expect_object(body)?;
    let fields: Vec<&str> = patch.keys().map(String::as_str).collect();
    let new_role = patch.get("roleId").and_then(Value::as_str).and_then(|r| r.parse().ok());
    let kind = WriteKind {
        partial: true,
        fields: &fields,
        disables: patch.get("active") == Some(&Value::Bool(false)),
    };
    authorize_user_write(state, caller, Some(id), new_role, kind).await?;
    let password_hash = hash(state, take_password(&mut patch)?).await?;
    let default_role = state.default_role;
    let patch = Value::Object(patch);
    let edit = move |current: Document| {
        precondition.check(&current)?;
        parse_user(patched(current, &patch), default_role)
            .map(|draft| UserRecord::from_draft(draft, password_hash))
    };
    let updated = state.store.update_user(id, Box::new(edit)).await?;
    updated.map(Json).found(ResourceKind::User, id)
}

/// Delete a user
///
/// Administrators delete users (never themselves); the user leaves every dashboard's shares,
/// and their tokens stop working.
#[utoipa::path(delete, operation_id = "deleteUser", path = "/api/v1/users/{id}", tag = "users", params(IdPath, IfMatch), responses((status = 204, description = "Deleted"), DeleteErrors<Users>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn delete(
    Ctx { state, caller }: Ctx, PathKey(key): PathKey, Precondition(if_match): Precondition,
) -> ApiResult<StatusCode> {
    let id = path_id(ResourceKind::User, &key)?;
    delete_user(&state, &caller, id, Precondition(if_match)).await
}

/// The core of `delete`, for an id already resolved (the API 0.9 adapters call it too).
pub(super) async fn delete_user(
    state: &AppState, caller: &Caller, id: ObjectId, Precondition(if_match): Precondition,
) -> ApiResult<StatusCode> {
    authorize_user_write(state, caller, Some(id), None, DELETES).await?;
    state.store.delete_users(vec![id], if_match).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Delete users in bulk
///
/// `?ids=a,b`: all or none; an id that names no user is a 404 and nothing is deleted.
#[utoipa::path(delete, operation_id = "deleteUsersBulk", path = "/api/v1/users/bulk", tag = "users", params(BulkIds), responses((status = 204, description = "Deleted, all of them"), DeleteErrors<Users>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn delete_bulk(
    Ctx { state, caller }: Ctx, Query(q): Query<BulkIds>,
) -> ApiResult<StatusCode> {
    let ids = bulk_ids(ResourceKind::User, "ids", q.ids.as_deref())?;
    for id in &ids {
        authorize_user_write(&state, &caller, Some(*id), None, DELETES).await?;
    }
    state.store.delete_users(ids, None).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Validates a new user document, checks the caller may create it, and hashes its password.
async fn record_of(state: &AppState, caller: &Caller, body: Value) -> ApiResult<UserRecord> {
    let draft = parse_user(body, state.default_role)?;
    authorize_user_write(state, caller, None, Some(draft.role_id), WriteKind::default()).await?;
    hashed(state, draft).await
}

/// The record of a validated draft, its password (if any) hashed.
async fn hashed(state: &AppState, mut draft: UserDraft) -> ApiResult<UserRecord> {
    let password_hash = hash(state, draft.password.take()).await?;
    Ok(UserRecord::from_draft(draft, password_hash))
}

async fn hash(state: &AppState, password: Option<Password>) -> ApiResult<Option<String>> {
    match password {
        Some(p) => Ok(Some(state.passwords.hash(p).await.map_err(ApiError::internal)?)),
        None => Ok(None),
    }
}
