//! Tokens after login: the caller's API token, its renewal, admin revocation, logout, and the
//! "am I signed in" question.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};
use tessera_domain::ResourceKind;
use utoipa::IntoParams;

use crate::http::auth::caller::{authenticate, bearer_token};
use crate::http::auth::session;
use crate::http::common::acting::Ctx;
use crate::http::common::error::{ApiResult, Found};
use crate::http::common::extract::Query;
use crate::http::common::params::bulk_ids;
use crate::http::common::shape::{Special, shape_one};
use crate::http::doc::params::SpecialFields;
use crate::http::doc::responses::{DeleteErrors, ListErrors, MintErrors, TokenErrors, Users};
use crate::http::doc::schemas::{Done, IsAuth, TokenAnswer, User};
use crate::http::users::access::{WriteKind, authorize_user_write};
use crate::state::AppState;

/// Where a browser signs in (the web app's sign-in page), as `isauth` reports it.
pub const LOGIN_URL: &str = "/app/account/login";

/// Get the caller's API token
///
/// A token for the caller under their current secret: what "My Profile → API token" shows.
#[utoipa::path(get, operation_id = "getApiToken", path = "/api/v1/authentication/tokens/api", tag = "authentication", responses((status = 200, description = "A token for the caller", body = TokenAnswer), MintErrors))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn api_token(Ctx { state, caller }: Ctx) -> ApiResult<Json<Value>> {
    let token = state.mint(caller.id, &caller.api_secret).await?;
    Ok(Json(json!({ "token": token })))
}

/// Renew the caller's API token
///
/// A new secret for the caller, and a token under it. Every token issued to the caller before,
/// this one included, stops working.
#[utoipa::path(post, operation_id = "renewApiToken", path = "/api/v1/authentication/tokens/api/renew", tag = "authentication", responses((status = 200, description = "A new token; the earlier ones stop working", body = TokenAnswer), MintErrors))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn renew(Ctx { state, caller }: Ctx) -> ApiResult<Json<Value>> {
    state.check_mint(caller.id).await?;
    let secret = state.store.renew_secrets(vec![caller.id]).await?.remove(0);
    let token = state.mint(caller.id, &secret).await?;
    tracing::info!(user = %caller.id, "API token renewed");
    Ok(Json(json!({ "token": token })))
}

/// Whose tokens to revoke.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RevokeQuery {
    /// Comma-separated user ids, every one of which must name a user.
    #[param(required = true)]
    users: Option<String>,
}

/// Revoke users' tokens
///
/// Administrators: every token of those users stops working. All or none: an id that names no
/// user is a 404 and nothing changes.
#[utoipa::path(delete, operation_id = "revokeApiTokens", path = "/api/v1/authentication/admin/tokens/api", tag = "authentication", params(RevokeQuery), responses((status = 204, description = "Revoked"), DeleteErrors<Users>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn revoke(
    Ctx { state, caller }: Ctx, Query(q): Query<RevokeQuery>,
) -> ApiResult<StatusCode> {
    caller.require_identity_admin()?;
    let ids = bulk_ids(ResourceKind::User, "users", q.users.as_deref())?;
    for id in &ids {
        authorize_user_write(&state, &caller, Some(*id), None, WriteKind::default()).await?;
    }
    state.store.renew_secrets(ids.clone()).await?;
    tracing::info!(by = %caller.id, users = ?ids, "API tokens revoked");
    Ok(StatusCode::NO_CONTENT)
}

/// The token presented stops working; the user's other tokens do not. A browser session's
/// cookies are cleared too.
async fn logout(Ctx { state, caller }: Ctx, https: bool) -> ApiResult<(HeaderMap, Json<Value>)> {
    state.store.revoke_token(caller.jti, caller.exp).await?;
    let mut headers = HeaderMap::new();
    session::end(&mut headers, https);
    Ok((headers, Json(json!({ "success": true }))))
}

/// Ask whether the request is signed in
///
/// With or without a token; never a 401. Says where a browser signs in.
#[utoipa::path(get, operation_id = "isAuth", path = "/api/auth/isauth", tag = "authentication", security((), ("bearer" = [])), responses((status = 200, description = "Whether the request is signed in", body = IsAuth)))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn is_auth(State(state): State<AppState>, headers: HeaderMap) -> Json<Value> {
    let token =
        bearer_token(&headers).map(str::to_owned).or_else(|| session::session_token(&headers));
    let signed_in = match token {
        Some(token) => authenticate(&state, &token).await.is_ok(),
        None => false,
    };
    Json(json!({ "isAuthenticated": signed_in, "loginUrl": LOGIN_URL }))
}

/// Get the caller
///
/// The caller's own user document, with the special fields.
#[utoipa::path(get, operation_id = "loggedInUser", path = "/api/users/loggedin", tag = "users", params(SpecialFields), responses((status = 200, description = "The caller", body = User), ListErrors))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn logged_in(Ctx { state, caller }: Ctx, special: Special) -> ApiResult<Response> {
    let params = special.check(ResourceKind::User)?;
    let user = state.store.get_user(caller.id).await?.found(ResourceKind::User, caller.id)?;
    shape_one(&state, ResourceKind::User, user, params).await
}

/// Sign out
///
/// The token presented stops working; the user's other tokens do not.
#[utoipa::path(get, operation_id = "logout", path = "/api/v1/authentication/logout", tag = "authentication", responses((status = 200, description = "This token stops working", body = Done), TokenErrors))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn logout_v1(
    ctx: Ctx, headers: HeaderMap, peer: ConnectInfo<SocketAddr>,
) -> ApiResult<(HeaderMap, Json<Value>)> {
    let https = session::is_https(&ctx.state, &headers, peer.0.ip());
    logout(ctx, https).await
}

/// Sign out (API 0.9)
///
/// The token presented stops working; the user's other tokens do not.
#[utoipa::path(get, operation_id = "logoutV09", path = "/api/auth/logout", tag = "authentication", responses((status = 200, description = "This token stops working", body = Done), TokenErrors))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn logout_v09(
    ctx: Ctx, headers: HeaderMap, peer: ConnectInfo<SocketAddr>,
) -> ApiResult<(HeaderMap, Json<Value>)> {
    let https = session::is_https(&ctx.state, &headers, peer.0.ip());
    logout(ctx, https).await
}
