//! Signing in and out in the browser: `/app/account/login` (the form, `returnTo`) and
//! `/app/account/logout`. The form posts to the server, not to the API, so it works without
//! JavaScript; it checks the same credentials, throttling and logs as
//! `POST /api/v1/authentication/login` (auth::login::sign_in).

use std::net::SocketAddr;

use askama::Template;
use axum::Form;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use subtle::ConstantTimeEq;

use crate::http::auth::caller::authenticate;
use crate::http::auth::login::sign_in;
use crate::http::auth::session::{self, XSRF_COOKIE};
use crate::http::common::client::client_address;
use crate::http::common::error::ApiError;
use crate::http::web::page::{HOME_PAGE, LOGIN_PAGE, PageError, Visitor, render, safe_return};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    error: Option<String>,
    username: String,
    return_to: String,
    xsrf: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Asked {
    return_to: Option<String>,
}

/// The sign-in form. Someone already signed in goes straight on. The form carries a fresh
/// random value that must come back both as the `XSRF-TOKEN` cookie and the `_xsrf` field, so
/// that another site cannot sign a browser in to an account of its choosing.
pub async fn form(
    State(state): State<AppState>, headers: HeaderMap, peer: ConnectInfo<SocketAddr>,
    Query(asked): Query<Asked>,
) -> Response {
    let return_to = safe_return(asked.return_to.as_deref());
    if let Some(token) = session::session_token(&headers)
        && authenticate(&state, &token).await.is_ok()
    {
        return Redirect::to(&return_to).into_response();
    }
    let nonce: [u8; 16] = rand::random();
    let xsrf: String = nonce.iter().map(|b| format!("{b:02x}")).collect();
    let https = session::is_https(&state, &headers, peer.0.ip());
    let mut cookies = HeaderMap::new();
    session::pre_session(&mut cookies, &xsrf, https);
    let page = LoginPage { error: None, username: String::new(), return_to, xsrf };
    (cookies, render(&page)).into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Submitted {
    username: Option<String>,
    password: Option<String>,
    remember_me: Option<String>,
    return_to: Option<String>,
    #[serde(rename = "_xsrf")]
    xsrf: Option<String>,
}

/// Checks the form, signs in, starts the browser session and goes back to the page asked
/// for; a failure shows the form again with what went wrong (never the password).
pub async fn submit(
    State(state): State<AppState>, headers: HeaderMap, peer: ConnectInfo<SocketAddr>,
    Form(form): Form<Submitted>,
) -> Response {
    let return_to = safe_return(form.return_to.as_deref());
    let https = session::is_https(&state, &headers, peer.0.ip());
    let again = |status: StatusCode, error: String, username: String| {
        let xsrf = session::cookie(&headers, XSRF_COOKIE).unwrap_or_default();
        let page = LoginPage { error: Some(error), username, return_to: return_to.clone(), xsrf };
        (status, render(&page)).into_response()
    };
    let expected = session::cookie(&headers, XSRF_COOKIE).unwrap_or_default();
    let given = form.xsrf.unwrap_or_default();
    if expected.is_empty() || !bool::from(expected.as_bytes().ct_eq(given.as_bytes())) {
        let message = "The sign-in form expired. Please sign in again.".to_owned();
        let mut response = again(StatusCode::FORBIDDEN, message, String::new());
        let nonce: [u8; 16] = rand::random();
        let fresh: String = nonce.iter().map(|b| format!("{b:02x}")).collect();
        session::pre_session(response.headers_mut(), &fresh, https);
        return response;
    }
    let username = form.username.clone().unwrap_or_default();
    let client = client_address(peer.0.ip(), &headers, &state.trusted_proxies);
    match sign_in(&state, client, form.username, form.password).await {
        Ok(token) => {
            let mut cookies = HeaderMap::new();
            session::start(&state, &mut cookies, &token, form.remember_me.is_some(), https);
            (cookies, Redirect::to(&return_to)).into_response()
        }
        Err(e) => again(e.code().status(), e.message().to_owned(), username),
    }
}

#[derive(Deserialize)]
pub struct SignOut {
    #[serde(rename = "_xsrf")]
    xsrf: Option<String>,
}

/// User menu → Sign Out: the session's token stops working, both cookies go.
pub async fn sign_out(
    visitor: Visitor, headers: HeaderMap, peer: ConnectInfo<SocketAddr>, Form(form): Form<SignOut>,
) -> Result<Response, PageError> {
    let state = &visitor.state;
    session::check_xsrf(state, &visitor.caller.jti, form.xsrf.as_deref())?;
    let (jti, exp) = (visitor.caller.jti.clone(), visitor.caller.exp);
    state.store.revoke_token(jti, exp).await.map_err(ApiError::from)?;
    let mut cookies = HeaderMap::new();
    session::end(&mut cookies, session::is_https(state, &headers, peer.0.ip()));
    Ok((cookies, Redirect::to(LOGIN_PAGE)).into_response())
}

/// `/`: home for someone signed in, the sign-in page for anyone else.
pub async fn root(State(state): State<AppState>, headers: HeaderMap) -> Redirect {
    match session::session_token(&headers) {
        Some(token) if authenticate(&state, &token).await.is_ok() => Redirect::to(HOME_PAGE),
        _ => Redirect::to(LOGIN_PAGE),
    }
}
