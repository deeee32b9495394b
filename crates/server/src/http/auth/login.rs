//! `POST /api/v1/authentication/login`: user name (or e-mail) and password in, bearer token out.

use std::net::{IpAddr, SocketAddr};

use axum::Json;
use axum::http::HeaderMap;

use axum::extract::{ConnectInfo, Form, FromRequest, Request, State};
use serde::Deserialize;
use serde_json::{Value, json};
use tessera_domain::document::lookup_key;
use tessera_store::Rehash;

use crate::http::auth::session;
use crate::http::common::client::client_address;
use crate::http::common::error::{ApiError, ApiResult, Code};
use crate::http::common::extract::{
    JsonBody, body_timeout, content_type, is_json, timed_out, too_large,
};
use crate::http::doc::responses::LoginErrors;
use crate::http::doc::schemas::{Credentials as CredentialsDoc, LoginAnswer};
use crate::meters::LoginOutcome;
use crate::state::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Credentials {
    username: Option<String>,
    password: Option<String>,
    /// Keep the browser session after the browser closes (as long as the token lives).
    remember_me: Option<bool>,
}

/// Sign in
///
/// User name (or e-mail) and password, form-urlencoded (as the seed shows, with `%40` for `@`)
/// or JSON; answers with the bearer token in `access_token`. The same 401 for an unknown user,
/// a wrong password and an inactive user, after the same amount of hashing work; repeated
/// failures for one account (user name or e-mail) or client address are throttled (429). A
/// browser also gets its session: an HttpOnly `tessera_session` cookie and an `XSRF-TOKEN`
/// cookie whose value its writes must repeat in `X-XSRF-TOKEN` (`rememberMe` keeps them past
/// the browser's closing).
#[utoipa::path(post, operation_id = "login", path = "/api/v1/authentication/login", tag = "authentication", request_body(content((CredentialsDoc = "application/x-www-form-urlencoded"), (CredentialsDoc = "application/json"))), security(()), responses((status = 200, description = "Signed in", body = LoginAnswer), LoginErrors))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn login(
    State(state): State<AppState>, peer: ConnectInfo<SocketAddr>, req: Request,
) -> ApiResult<(HeaderMap, Json<Value>)> {
    let https = session::is_https(&state, req.headers(), peer.0.ip());
    let client = client_address(peer.0.ip(), req.headers(), &state.trusted_proxies);
    let creds = credentials(req, &state).await?;
    let token = sign_in(&state, client, creds.username, creds.password).await?;
    // A browser (Sisense's own web app signs in through this route) gets its session too;
    // scripts read `access_token` and ignore the cookies.
    let mut headers = HeaderMap::new();
    session::start(&state, &mut headers, &token, creds.remember_me.unwrap_or(false), https);
    Ok((headers, Json(json!({"success": true, "message": "", "access_token": token}))))
}

/// Checks a user name (or e-mail) and password and issues a token: the one sign-in of the API
/// and of the web app's form, throttled and logged alike.
pub async fn sign_in(
    state: &AppState, client: IpAddr, username: Option<String>, password: Option<String>,
) -> ApiResult<String> {
    let username = username.filter(|u| !u.is_empty()).ok_or_else(|| missing("username"))?;
    let password = password.filter(|p| !p.is_empty()).ok_or_else(|| missing("password"))?;

    // One account whether named by user name or e-mail (its id), or the name typed when no
    // user has it. The attempt is taken before any hashing, atomically with the check, so a
    // throttled account or address costs the server one lookup, and parallel guesses cannot
    // all slip through before the first is counted.
    let record = state.store.login_record(&username).await?;
    let account = record.as_ref().map_or_else(|| lookup_key(&username), |r| r.id.to_string());
    if let Err(wait) = state.throttle.reserve(&account, Some(client)).await? {
        tracing::warn!(user = %username, %client, wait_secs = wait.as_secs(), "login throttled");
        state.meters.login(LoginOutcome::Throttled);
        return Err(ApiError::too_many_logins(wait.as_secs().max(1)));
    }

    // The reason goes to the log only: the answer is the same for all three.
    let (reason, outcome) = match &record {
        None => ("unknown user", LoginOutcome::UnknownUser),
        Some(r) if !r.active => ("inactive user", LoginOutcome::InactiveUser),
        Some(_) => ("wrong password", LoginOutcome::WrongPassword),
    };
    let record = record.filter(|r| r.active);
    let hash = record.as_ref().and_then(|r| r.password_hash.clone());
    let verified = state.passwords.verify(password.clone(), hash.clone()).await;
    let Some(record) = record.filter(|_| verified) else {
        tracing::info!(user = %username, %client, reason, "login failed");
        state.meters.login(outcome);
        return Err(ApiError::new(Code::InvalidCredentials, "Invalid username or password."));
    };
    state.throttle.succeeded(&account, Some(client)).await?;

    // A hash of another cost is replaced now, while the password is at hand; failing to is no
    // reason to refuse a correct password.
    let rehash = match hash.filter(|h| state.passwords.is_outdated(h)) {
        Some(old) => match state.passwords.rehash(password).await {
            Ok(new) => Some(Rehash { old, new }),
            Err(e) => {
                tracing::warn!(user = %record.id, error = %e, "password rehash failed");
                None
            }
        },
        None => None,
    };
    let token = state.mint(record.id, &record.api_secret).await?;
    state.store.record_login(record.id, rehash).await?;
    tracing::info!(user = %record.id, "login");
    state.meters.login(LoginOutcome::Success);
    Ok(token)
}

fn missing(field: &str) -> ApiError {
    ApiError::new(Code::MissingField, format!("Field '{field}' is required"))
}

async fn credentials(req: Request, state: &AppState) -> ApiResult<Credentials> {
    let media_type = content_type(req.headers());
    if media_type == "application/x-www-form-urlencoded" {
        let Form(creds) = Form::<Credentials>::from_request(req, state).await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                too_large()
            } else if timed_out(&e) {
                body_timeout()
            } else {
                ApiError::new(
                    Code::MalformedJson,
                    format!("Malformed form body: {}", e.body_text()),
                )
            }
        })?;
        Ok(creds)
    } else if is_json(media_type) {
        let JsonBody(body) = JsonBody::from_request(req, state).await?;
        serde_json::from_value(body).map_err(|e| {
            ApiError::new(Code::InvalidField, format!("Invalid credentials body: {e}"))
        })
    } else {
        Err(ApiError::new(
            Code::UnsupportedContentType,
            "Expected Content-Type: application/x-www-form-urlencoded or application/json",
        ))
    }
}
