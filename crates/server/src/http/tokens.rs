//! Tokens after login: the caller's API token, its renewal, admin revocation, logout, and the
//! "am I signed in" question.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};
use tessera_domain::ResourceKind;
use tessera_domain::query::Resource;

use super::access::authorize_user_write;
use super::auth::{Caller, authenticate, bearer_token};
use super::error::{ApiError, ApiResult};
use super::extract::Query;
use super::params::bulk_ids;
use super::shape::{Special, shape_one};
use crate::state::AppState;

/// Where a browser signs in (the web app's sign-in page), as `isauth` reports it.
pub const LOGIN_URL: &str = "/app/account/login";

/// `GET /api/v1/authentication/tokens/api`: a token for the caller, under their current secret.
pub async fn api_token(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Value>> {
    let token = state
        .tokens
        .issue(caller.id, &caller.api_secret)
        .map_err(ApiError::internal)?;
    Ok(Json(json!({ "token": token })))
}

/// `POST /api/v1/authentication/tokens/api/renew`: a new secret for the caller, and a token
/// under it. Every token issued to the caller before, this one included, stops working.
pub async fn renew(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Value>> {
    let secret = state.store.renew_secrets(vec![caller.id]).await?.remove(0);
    let token = state
        .tokens
        .issue(caller.id, &secret)
        .map_err(ApiError::internal)?;
    tracing::info!(user = %caller.id, "API token renewed");
    Ok(Json(json!({ "token": token })))
}

#[derive(Deserialize)]
pub struct RevokeQuery {
    users: Option<String>,
}

/// `DELETE /api/v1/authentication/admin/tokens/api?users=a,b` (administrators): every token of
/// those users stops working. All or none: an unknown user is a 404.
pub async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<RevokeQuery>,
) -> ApiResult<StatusCode> {
    caller.require_identity_admin()?;
    let ids = bulk_ids(ResourceKind::User, "users", q.users.as_deref())?;
    for id in &ids {
        authorize_user_write(&state, &caller, Some(*id), None, false, &[]).await?;
    }
    state.store.renew_secrets(ids.clone()).await?;
    tracing::info!(by = %caller.id, users = ?ids, "API tokens revoked");
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/authentication/logout` and `GET /api/auth/logout`: the token presented stops
/// working; the user's other tokens do not.
pub async fn logout(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Value>> {
    state.store.revoke_token(caller.jti, caller.exp).await?;
    Ok(Json(json!({ "success": true })))
}

/// `GET /api/auth/isauth`, with or without a token: whether the request is signed in.
pub async fn is_auth(State(state): State<AppState>, headers: HeaderMap) -> Json<Value> {
    let signed_in = match bearer_token(&headers) {
        Some(token) => authenticate(&state, token).await.is_ok(),
        None => false,
    };
    Json(json!({ "isAuthenticated": signed_in, "loginUrl": LOGIN_URL }))
}

/// `GET /api/users/loggedin`: the caller's own user document (special fields apply).
pub async fn logged_in(
    State(state): State<AppState>,
    caller: Caller,
    special: Special,
) -> ApiResult<Response> {
    let params = special.check(Resource::User)?;
    let user = state
        .store
        .get_user(caller.id)
        .await?
        .ok_or_else(|| ApiError::not_found(ResourceKind::User, caller.id.to_string()))?;
    shape_one(&state, Resource::User, user, params).await
}
