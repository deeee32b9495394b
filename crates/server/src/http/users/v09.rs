//! API 0.9 users, as thin adapters over the 1.0 handlers and the same store and query language:
//! `GET /api/users` (`search`, `limit`, `skip`, special fields), `GET /api/users/count`,
//! `GET/PUT/PATCH/DELETE /api/users/{idOrUserName}`, array-body `POST /api/users` (200) and
//! `POST /api/users/delete`. 0.9 lists carry each user's `roleName`.

use std::collections::HashMap;

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};
use tessera_domain::lazy::{LazyDoc, RawDoc, string_value};
use tessera_domain::query::{Page, Resource};
use tessera_domain::{Document, ObjectId, ResourceKind};
use tessera_store::{ListRequest, UserFilter};

use super::v1 as users;
use crate::http::auth::caller::Caller;
use crate::http::common::bodies::{as_array, deleted, id_array_body};
use crate::http::common::conditional::Precondition;
use crate::http::common::error::{ApiError, ApiResult};
use crate::http::common::extract::{JsonBody, PathKey, Query};
use crate::http::common::params::BulkIds;
use crate::http::common::shape::{Special, list_response, shape_one};
use crate::http::doc::responses::WriteErrors;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct SearchQuery {
    search: Option<String>,
}

impl SearchQuery {
    fn filter(self) -> UserFilter {
        UserFilter {
            search: self.search.filter(|s| !s.is_empty()),
            ..UserFilter::default()
        }
    }
}

/// `GET /api/users`: users matching `search` (user name, e-mail, first or last name), each
/// with `roleName`.
#[utoipa::path(
    get,
    operation_id = "listUsersV09",
    path = "/api/users",
    tag = "users",
    params(("search" = Option<String>, Query, description = "Part of the user name, e-mail, first or last name"), crate::http::doc::schemas::SpecialFields),
    responses(
        (status = 200, description = "The matching users, with roleName", body = Vec<crate::http::doc::schemas::User>),
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
    let params = special.check(Resource::User)?;
    let mut page = state.store.list_users(special.list(q.filter())).await?;
    page.items = with_role_names(&state, page.items).await?;
    list_response(&state, Resource::User, page, params).await
}

/// `GET /api/users/count`: `{"count": n}` for the users matching `search`.
#[utoipa::path(
    get,
    operation_id = "countUsers",
    path = "/api/users/count",
    tag = "users",
    params(("search" = Option<String>, Query, description = "Part of the user name, e-mail, first or last name")),
    responses(
        (status = 200, description = "How many users match", body = crate::http::doc::schemas::Count),
        (status = 400, description = "Malformed query", body = crate::http::doc::schemas::ErrorEnvelope),
        (status = 401, description = "No valid token", body = crate::http::doc::schemas::ErrorEnvelope),
    )
)]
pub async fn count(
    State(state): State<AppState>,
    _: Caller,
    Query(q): Query<SearchQuery>,
) -> ApiResult<Json<Value>> {
    let page = state
        .store
        .list_users(ListRequest {
            page: Page {
                skip: 0,
                limit: Some(0),
            },
            count: true,
            ..ListRequest::all(q.filter())
        })
        .await?;
    Ok(Json(json!({ "count": page.total.unwrap_or(0) })))
}

/// `GET /api/users/{idOrUserName}`: by id first, then by user name or e-mail.
#[utoipa::path(
    get,
    operation_id = "getUserV09",
    path = "/api/users/{id_or_user_name}",
    tag = "users",
    params(("If-None-Match" = Option<String>, Header, description = "The ETag the client has: 304 without a body while it is current"), ("id_or_user_name" = String, Path, description = "A user id, user name or e-mail"), crate::http::doc::schemas::SpecialFields),
    responses((status = 304, description = "Not modified: If-None-Match names the current ETag"), 
        (status = 200, description = "The user", body = crate::http::doc::schemas::User),
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
    let params = special.check(Resource::User)?;
    let (_, user) = find(&state, &key).await?;
    shape_one(&state, Resource::User, user, params).await
}

/// The user a 0.9 path names (an id first, then a user name or e-mail), with its document:
/// one read.
async fn find(state: &AppState, key: &str) -> ApiResult<(ObjectId, RawDoc)> {
    state
        .store
        .find_user(key)
        .await?
        .ok_or_else(|| ApiError::not_found(ResourceKind::User, key))
}

/// `POST /api/users`: an array of users (one object is taken as an array of one), created all
/// or none, answered with 200 as API 0.9 does.
#[utoipa::path(
    post,
    operation_id = "createUsersV09",
    path = "/api/users",
    tag = "users",
    request_body = Vec<crate::http::doc::schemas::NewUser>,
    responses(
        (status = 200, description = "Created, all of them", body = Vec<crate::http::doc::schemas::User>),
        (status = 400, description = "Invalid document", body = crate::http::doc::schemas::ErrorEnvelope),
        (status = 401, description = "No valid token", body = crate::http::doc::schemas::ErrorEnvelope),
        (status = 403, description = "Not allowed", body = crate::http::doc::schemas::ErrorEnvelope),
        (status = 409, description = "Duplicate", body = crate::http::doc::schemas::ErrorEnvelope),
        (status = 413, description = "Body too large", body = crate::http::doc::schemas::ErrorEnvelope),
        (status = 422, description = "Unknown reference", body = crate::http::doc::schemas::ErrorEnvelope),
    )
)]
pub async fn create(
    state: State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Vec<Document>>> {
    let (_, created) = users::create_bulk(state, caller, JsonBody(as_array(body))).await?;
    Ok(created)
}

/// `POST /api/users/delete`: an array of user ids, deleted all or none.
#[utoipa::path(
    post,
    operation_id = "deleteUsersV09",
    path = "/api/users/delete",
    tag = "users",
    request_body = Vec<crate::http::doc::schemas::Id>,
    responses(
        (status = 200, description = "Deleted, all of them", body = crate::http::doc::schemas::Deleted),
        (status = 400, description = "Not an array of ids", body = crate::http::doc::schemas::ErrorEnvelope),
        (status = 401, description = "No valid token", body = crate::http::doc::schemas::ErrorEnvelope),
        (status = 403, description = "Not allowed", body = crate::http::doc::schemas::ErrorEnvelope),
        (status = 404, description = "An id names nothing; nothing deleted", body = crate::http::doc::schemas::ErrorEnvelope),
        (status = 413, description = "Body too large", body = crate::http::doc::schemas::ErrorEnvelope),
    )
)]
pub async fn delete_many(
    state: State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Value>> {
    let ids = id_array_body(ResourceKind::User, body)?;
    let query = BulkIds {
        ids: Some(
            ids.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(","),
        ),
    };
    users::delete_bulk(state, caller, Query(query)).await?;
    Ok(deleted(&ids))
}

const USER_KEY: &str = "A user id, user name or e-mail";

/// `PUT /api/users/{idOrUserName}`: replaces the user, as `PUT /api/v1/users/{id}`.
#[utoipa::path(
    put,
    operation_id = "replaceUserV09",
    path = "/api/users/{id_or_user_name}",
    tag = "users",
    params(("If-Match" = Option<String>, Header, description = "Only if the user is still this version"), ("id_or_user_name" = String, Path, description = USER_KEY)),
    request_body = crate::http::doc::schemas::NewUser,
    responses((status = 200, description = "Replaced", body = crate::http::doc::schemas::User), WriteErrors)
)]
pub async fn replace(
    State(state): State<AppState>,
    caller: Caller,
    PathKey(key): PathKey,
    precondition: Precondition,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Document>> {
    let (id, _) = find(&state, &key).await?;
    users::replace_user(&state, &caller, id, precondition, body).await
}

/// `PATCH /api/users/{idOrUserName}`: a merge patch, as `PATCH /api/v1/users/{id}`.
#[utoipa::path(
    patch,
    operation_id = "patchUserV09",
    path = "/api/users/{id_or_user_name}",
    tag = "users",
    params(("If-Match" = Option<String>, Header, description = "Only if the user is still this version"), ("id_or_user_name" = String, Path, description = USER_KEY)),
    request_body(content = Object, description = "JSON merge patch (RFC 7396)"),
    responses((status = 200, description = "Patched", body = crate::http::doc::schemas::User), WriteErrors)
)]
pub async fn patch(
    State(state): State<AppState>,
    caller: Caller,
    PathKey(key): PathKey,
    precondition: Precondition,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Document>> {
    let (id, _) = find(&state, &key).await?;
    users::patch_user(&state, &caller, id, precondition, body).await
}

/// `DELETE /api/users/{idOrUserName}` → 200 `{"deleted": [id]}`.
#[utoipa::path(
    delete,
    operation_id = "deleteUserV09",
    path = "/api/users/{id_or_user_name}",
    tag = "users",
    params(("If-Match" = Option<String>, Header, description = "Only if the user is still this version"), ("id_or_user_name" = String, Path, description = USER_KEY)),
    responses((status = 200, description = "Deleted", body = crate::http::doc::schemas::Deleted), WriteErrors)
)]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    PathKey(key): PathKey,
    precondition: Precondition,
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
            Some((
                r.get("_id")?.as_str()?.to_owned(),
                r.get("name")?.as_str()?.to_owned(),
            ))
        })
        .collect();
    users
        .iter()
        .map(|raw| {
            let mut doc = LazyDoc::parse(raw).map_err(ApiError::internal)?;
            let name = string_value(doc.get("roleId")).and_then(|id| roles.get(&id).cloned());
            doc.set(
                "roleName",
                serde_json::to_string(&name).map_err(ApiError::internal)?,
            );
            serde_json::value::RawValue::from_string(doc.to_json()).map_err(ApiError::internal)
        })
        .collect()
}
