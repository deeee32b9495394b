//! Signing in and out in the browser: `/app/account/login` (the form, `returnTo`) and
//! `/app/account/logout`. The form posts to the server, not to the API, so it works without
//! JavaScript; it checks the same credentials, throttling and logs as
//! `POST /api/v1/authentication/login` (auth::login::sign_in).

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use subtle::ConstantTimeEq;

use crate::http::auth::caller::authenticate;
use crate::http::auth::login::sign_in;
use crate::http::auth::session::{self, XSRF_COOKIE};
use crate::http::web::page::{
    Browser, HOME_PAGE, LOGIN_PAGE, PageError, Posted, render, safe_return,
};
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
pub async fn form(browser: Browser, Query(asked): Query<Asked>) -> Response {
    let return_to = safe_return(asked.return_to.as_deref());
    if let Some(token) = session::session_token(&browser.headers)
        && authenticate(&browser.state, &token).await.is_ok()
    {
        return Redirect::to(&return_to).into_response();
    }
    let xsrf = fresh_nonce();
    let mut cookies = HeaderMap::new();
    session::pre_session(&mut cookies, &xsrf, browser.https);
    let page = LoginPage { error: None, username: String::new(), return_to, xsrf };
    (cookies, render(&page)).into_response()
}

/// A random value for the sign-in form's XSRF check.
fn fresh_nonce() -> String {
    let nonce: [u8; 16] = rand::random();
    nonce.iter().map(|b| format!("{b:02x}")).collect()
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
pub async fn submit(browser: Browser, Form(form): Form<Submitted>) -> Response {
    let Browser { state, headers, https, client } = browser;
    let return_to = safe_return(form.return_to.as_deref());
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
        session::pre_session(response.headers_mut(), &fresh_nonce(), https);
        return response;
    }
    let username = form.username.clone().unwrap_or_default();
    match sign_in(&state, client, form.username, form.password).await {
        Ok(token) => {
            let mut cookies = HeaderMap::new();
            session::start(&state, &mut cookies, &token, form.remember_me.is_some(), https);
            (cookies, Redirect::to(&return_to)).into_response()
        }
        Err(e) => again(e.code().status(), e.message().to_owned(), username),
    }
}

/// User menu → Sign Out: the session's token stops working, both cookies go.
pub async fn sign_out(posted: Posted<serde::de::IgnoredAny>) -> Result<Response, PageError> {
    let Posted { visitor, browser, .. } = posted;
    let (jti, exp) = (visitor.caller.jti.clone(), visitor.caller.exp);
    visitor.state.store.revoke_token(jti, exp).await?;
    let mut cookies = HeaderMap::new();
    session::end(&mut cookies, browser.https);
    Ok((cookies, Redirect::to(LOGIN_PAGE)).into_response())
}

/// `/`: home for someone signed in, the sign-in page for anyone else.
pub async fn root(State(state): State<AppState>, headers: HeaderMap) -> Redirect {
    match session::session_token(&headers) {
        Some(token) if authenticate(&state, &token).await.is_ok() => Redirect::to(HOME_PAGE),
        _ => Redirect::to(LOGIN_PAGE),
    }
}
