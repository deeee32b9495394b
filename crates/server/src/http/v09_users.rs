//! API 0.9 reads of users, as thin adapters over the same store and query language as 1.0:
//! `GET /api/users` (`search`, `limit`, `skip`, special fields), `GET /api/users/count`,
//! `GET /api/users/{idOrUserName}`. 0.9 lists carry each user's `roleName`.

use std::collections::HashMap;

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};
use tessera_domain::ResourceKind;
use tessera_domain::lazy::{LazyDoc, RawDoc, string_value};
use tessera_domain::query::{Page, Resource};
use tessera_store::UserFilter;

use super::auth::Caller;
use super::error::{ApiError, ApiResult};
use super::extract::{PathKey, Query};
use super::shape::{Special, list_response, shape_one};
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
    params(("search" = Option<String>, Query, description = "Part of the user name, e-mail, first or last name"), crate::http::openapi::SpecialFields),
    responses(
        (status = 200, description = "The matching users, with roleName", body = Vec<crate::http::openapi::User>),
        (status = 400, description = "Malformed query", body = crate::http::openapi::ErrorEnvelope),
        (status = 401, description = "No valid token", body = crate::http::openapi::ErrorEnvelope),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    _: Caller,
    Query(q): Query<SearchQuery>,
    special: Special,
) -> ApiResult<Response> {
    let params = special.check(Resource::User)?;
    let mut page = state
        .store
        .list_users(&q.filter(), &params.sort, params.page, special.count)
        .await?;
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
        (status = 200, description = "How many users match", body = crate::http::openapi::Count),
        (status = 400, description = "Malformed query", body = crate::http::openapi::ErrorEnvelope),
        (status = 401, description = "No valid token", body = crate::http::openapi::ErrorEnvelope),
    )
)]
pub async fn count(
    State(state): State<AppState>,
    _: Caller,
    Query(q): Query<SearchQuery>,
) -> ApiResult<Json<Value>> {
    let page = state
        .store
        .list_users(
            &q.filter(),
            &[],
            Page {
                skip: 0,
                limit: Some(0),
            },
            true,
        )
        .await?;
    Ok(Json(json!({ "count": page.total.unwrap_or(0) })))
}

/// `GET /api/users/{idOrUserName}`: by id first, then by user name or e-mail.
#[utoipa::path(
    get,
    operation_id = "getUserV09",
    path = "/api/users/{id_or_user_name}",
    tag = "users",
    params(("If-None-Match" = Option<String>, Header, description = "The ETag the client has: 304 without a body while it is current"), ("id_or_user_name" = String, Path, description = "A user id, user name or e-mail"), crate::http::openapi::SpecialFields),
    responses((status = 304, description = "Not modified: If-None-Match names the current ETag"), 
        (status = 200, description = "The user", body = crate::http::openapi::User),
        (status = 400, description = "Malformed query", body = crate::http::openapi::ErrorEnvelope),
        (status = 401, description = "No valid token", body = crate::http::openapi::ErrorEnvelope),
        (status = 404, description = "Not found", body = crate::http::openapi::ErrorEnvelope),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    _: Caller,
    PathKey(key): PathKey,
    special: Special,
) -> ApiResult<Response> {
    let params = special.check(Resource::User)?;
    let by_id = match key.parse() {
        Ok(id) => state.store.get_user(id).await?,
        Err(_) => None,
    };
    let user = match by_id {
        Some(user) => Some(user),
        None => match state.store.login_record(&key).await? {
            Some(record) => state.store.get_user(record.id).await?,
            None => None,
        },
    };
    let user = user.ok_or_else(|| ApiError::not_found(ResourceKind::User, key))?;
    shape_one(&state, Resource::User, user, params).await
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
