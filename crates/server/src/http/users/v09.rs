//! API 0.9 users, as thin adapters over the 1.0 handlers and the same store and query language:
//! `GET /api/users` (`search`, `limit`, `skip`, special fields), `GET /api/users/count`,
//! `GET/PUT/PATCH/DELETE /api/users/{idOrUserName}`, array-body `POST /api/users` (200) and
//! `POST /api/users/delete`. 0.9 lists carry each user's `roleName`.

use std::collections::HashMap;

use axum::Json;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};
use tessera_domain::lazy::{LazyDoc, RawDoc, string_value};
use tessera_domain::query::Page;
use tessera_domain::{Document, ObjectId, ResourceKind};
use tessera_store::{ListRequest, UserFilter};
use utoipa::IntoParams;

use super::v1 as users;
use crate::http::common::acting::Ctx;
use crate::http::common::bodies::{as_array, deleted, id_array_body};
use crate::http::common::conditional::Precondition;
use crate::http::common::error::{ApiError, ApiResult, Found};
use crate::http::common::extract::{JsonBody, PathKey, Query};
use crate::http::common::params::BulkIds;
use crate::http::common::shape::{Special, list_response, shape_one};
use crate::http::doc::params::{IfMatch, IfNoneMatch, SpecialFields, UserKey};
use crate::http::doc::responses::{
    CreateErrors, DeleteErrors, ListErrors, NotModified, ReadErrors, Users, WriteErrors,
};
use crate::http::doc::schemas::{Count, Deleted, Id, NewUser, User};
use crate::state::AppState;

/// The filter of the API 0.9 user lists.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Part of the user name, e-mail address, first or last name, case-insensitive.
    search: Option<String>,
}

impl SearchQuery {
    fn filter(self) -> UserFilter {
        UserFilter { search: self.search.filter(|s| !s.is_empty()), ..UserFilter::default() }
    }
}

/// List users (API 0.9)
///
/// Users matching `search` (user name, e-mail, first or last name), each with the name of its
/// role in `roleName`, with the special fields.
#[utoipa::path(get, operation_id = "listUsersV09", path = "/api/users", tag = "users", params(SearchQuery, SpecialFields), responses((status = 200, description = "The matching users, with roleName", body = Vec<User>), ListErrors))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn list(
    Ctx { state, .. }: Ctx, Query(q): Query<SearchQuery>, special: Special,
) -> ApiResult<Response> {
    let params = special.check(ResourceKind::User)?;
    let mut page = state.store.list_users(special.list(q.filter())).await?;
    page.items = with_role_names(&state, page.items).await?;
    list_response(&state, ResourceKind::User, page, params).await
}

/// Count users (API 0.9)
///
/// `{"count": n}` for the users matching `search`.
#[utoipa::path(get, operation_id = "countUsers", path = "/api/users/count", tag = "users", params(SearchQuery), responses((status = 200, description = "How many users match", body = Count), ListErrors))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn count(Ctx { state, .. }: Ctx, Query(q): Query<SearchQuery>) -> ApiResult<Json<Value>> {
    let page = state
        .store
        .list_users(ListRequest {
            page: Page { skip: 0, limit: Some(0) },
            count: true,
            ..ListRequest::all(q.filter())
        })
        .await?;
    Ok(Json(json!({ "count": page.total.unwrap_or(0) })))
}

/// Get a user by id, user name or e-mail (API 0.9)
///
/// The key is tried as an id first, then as a user name, then as an e-mail address
/// (case-insensitive), in one read.
#[utoipa::path(get, operation_id = "getUserV09", path = "/api/users/{id_or_user_name}", tag = "users", params(UserKey, IfNoneMatch, SpecialFields), responses((status = 200, description = "The user", body = User), NotModified, ReadErrors<Users>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn get(
    Ctx { state, .. }: Ctx, PathKey(key): PathKey, special: Special,
) -> ApiResult<Response> {
    let params = special.check(ResourceKind::User)?;
    let (_, user) = find(&state, &key).await?;
    shape_one(&state, ResourceKind::User, user, params).await
}

/// The user a 0.9 path names (an id first, then a user name or e-mail), with its document:
/// one read.
async fn find(state: &AppState, key: &str) -> ApiResult<(ObjectId, RawDoc)> {
    state.store.find_user(key).await?.found(ResourceKind::User, key)
}

/// Create users (API 0.9)
///
/// An array of users (one object is taken as an array of one), created all or none, answered
/// with 200 as API 0.9 does.
#[utoipa::path(post, operation_id = "createUsersV09", path = "/api/users", tag = "users", request_body = Vec<NewUser>, responses((status = 200, description = "Created, all of them", body = Vec<User>), CreateErrors))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create(ctx: Ctx, JsonBody(body): JsonBody) -> ApiResult<Json<Vec<Document>>> {
    let (_, created) = users::create_bulk(ctx, JsonBody(as_array(body))).await?;
    Ok(created)
}

/// Delete users (API 0.9)
///
/// An array of user ids, deleted all or none.
#[utoipa::path(post, operation_id = "deleteUsersV09", path = "/api/users/delete", tag = "users", request_body = Vec<Id>, responses((status = 200, description = "Deleted, all of them", body = Deleted), DeleteErrors<Users>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn delete_many(ctx: Ctx, JsonBody(body): JsonBody) -> ApiResult<Json<Value>> {
    let ids = id_array_body(ResourceKind::User, body)?;
    let query =
        BulkIds { ids: Some(ids.iter().map(ToString::to_string).collect::<Vec<_>>().join(",")) };
    users::delete_bulk(ctx, Query(query)).await?;
    Ok(deleted(&ids))
}

/// Replace a user by id, user name or e-mail (API 0.9)
///
/// As `PUT /api/v1/users/{id}`, for the user the key names.
#[utoipa::path(put, operation_id = "replaceUserV09", path = "/api/users/{id_or_user_name}", tag = "users", params(UserKey, IfMatch), request_body = NewUser, responses((status = 200, description = "Replaced", body = User), WriteErrors<Users>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn replace(
    Ctx { state, caller }: Ctx, PathKey(key): PathKey, precondition: Precondition,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Document>> {
    let (id, _) = find(&state, &key).await?;
    users::replace_user(&state, &caller, id, precondition, body).await
}

/// Change a user by id, user name or e-mail (API 0.9)
///
/// A merge patch, as `PATCH /api/v1/users/{id}`, for the user the key names.
#[utoipa::path(patch, operation_id = "patchUserV09", path = "/api/users/{id_or_user_name}", tag = "users", params(UserKey, IfMatch), request_body(content = Object, description = "JSON merge patch (RFC 7396)"), responses((status = 200, description = "Patched", body = User), WriteErrors<Users>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn patch(
    Ctx { state, caller }: Ctx, PathKey(key): PathKey, precondition: Precondition,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Document>> {
    let (id, _) = find(&state, &key).await?;
    users::patch_user(&state, &caller, id, precondition, body).await
}

/// Delete a user by id, user name or e-mail (API 0.9)
///
/// Answers 200 with `{"deleted": [id]}`, as API 0.9 does.
#[utoipa::path(delete, operation_id = "deleteUserV09", path = "/api/users/{id_or_user_name}", tag = "users", params(UserKey, IfMatch), responses((status = 200, description = "Deleted", body = Deleted), DeleteErrors<Users>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn delete(
    Ctx { state, caller }: Ctx, PathKey(key): PathKey, precondition: Precondition,
) -> ApiResult<Json<Value>> {
    let (id, _) = find(&state, &key).await?;
    users::delete_user(&state, &caller, id, precondition).await?;
    Ok(deleted(&[id]))
}

/// Adds `roleName` to each user, from one read of the (few) roles.
async fn with_role_names(state: &AppState, users: Vec<RawDoc>) -> ApiResult<Vec<RawDoc>> {
    let roles: HashMap<String, String> = state
        .store
        .list_roles()
        .await?
        .into_iter()
        .filter_map(|r| {
            Some((r.get("_id")?.as_str()?.to_owned(), r.get("name")?.as_str()?.to_owned()))
        })
        .collect();
    users
        .iter()
        .map(|raw| {
            let mut doc = LazyDoc::parse(raw).map_err(ApiError::internal)?;
            let name = string_value(doc.get("roleId")).and_then(|id| roles.get(&id).cloned());
            doc.set("roleName", serde_json::to_string(&name).map_err(ApiError::internal)?);
            serde_json::value::RawValue::from_string(doc.to_json()).map_err(ApiError::internal)
        })
        .collect()
}
