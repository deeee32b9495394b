//! Browser sessions: the token in an HttpOnly cookie instead of an `Authorization` header, and
//! the double-submit XSRF check that goes with it.
//!
//! A sign-in sets two cookies: `tessera_session` (the bearer token itself, HttpOnly) and
//! `XSRF-TOKEN` (readable by the page's scripts). A request authenticated by the cookie that
//! changes something (any method but GET, HEAD, OPTIONS) must repeat the XSRF value in the
//! `X-XSRF-TOKEN` header (or, from an HTML form, the `_xsrf` field): a page on another site
//! can make the browser send the cookie, but cannot read it to fill the header. The XSRF value
//! is derived from the token's id with the signing key, so it cannot be planted either.

use std::net::IpAddr;

use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, Method};
use cookie::time::Duration;
use cookie::{Cookie, SameSite};
use subtle::ConstantTimeEq;

use crate::http::common::client::from_trusted_proxy;
use crate::http::common::error::{ApiError, Code};
use crate::state::AppState;

/// The cookie that carries the session's token.
pub const SESSION_COOKIE: &str = "tessera_session";
/// The cookie the page's scripts read, to send back as [`XSRF_HEADER`].
pub const XSRF_COOKIE: &str = "XSRF-TOKEN";
/// The header a cookie-authenticated write must carry.
pub const XSRF_HEADER: &str = "x-xsrf-token";
/// A remembered session without an expiring token still ends: browsers cap cookies at 400 days.
const REMEMBER_FOREVER_SECS: i64 = 400 * 24 * 3600;

/// The value of one cookie of the request (the first, if the browser sent it twice).
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

/// The token a browser session presents, when there is no `Authorization` header.
pub fn session_token(headers: &HeaderMap) -> Option<String> {
    cookie(headers, SESSION_COOKIE).filter(|t| !t.is_empty())
}

/// Whether a method changes nothing, so needs no XSRF proof.
pub fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Checks the XSRF proof of a cookie-authenticated write: `given` (the header or the form
/// field) must be this session's value.
pub fn check_xsrf(state: &AppState, jti: &str, given: Option<&str>) -> Result<(), ApiError> {
    let expected = state.tokens.xsrf(jti);
    let matches = given.is_some_and(|g| bool::from(g.as_bytes().ct_eq(expected.as_bytes())));
    if matches {
        Ok(())
    } else {
        Err(ApiError::new(
            Code::XsrfMismatch,
            "A browser session must send the X-XSRF-TOKEN header with the value of its \
             XSRF-TOKEN cookie",
        ))
    }
}

/// The `X-XSRF-TOKEN` header of a request.
pub fn xsrf_header(headers: &HeaderMap) -> Option<&str> {
    headers.get(XSRF_HEADER).and_then(|v| v.to_str().ok())
}

/// Whether the browser reached us over HTTPS: this server serves TLS, or a trusted proxy in
/// front of it says the client's connection was HTTPS.
pub fn is_https(state: &AppState, headers: &HeaderMap, peer: IpAddr) -> bool {
    let forwarded_https = || {
        headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"))
    };
    state.https || (from_trusted_proxy(peer, &state.trusted_proxies) && forwarded_https())
}

/// The `Set-Cookie` headers that start a browser session on `token`. Without `remember` both
/// cookies end with the browser; with it they last as long as the token.
pub fn start(state: &AppState, headers: &mut HeaderMap, token: &str, remember: bool, https: bool) {
    let Some(claims) = state.tokens.verify(token) else { return };
    let max_age = remember.then(|| {
        let now = crate::token::chrono_now();
        claims.exp.map_or(REMEMBER_FOREVER_SECS, |exp| (exp - now).max(0))
    });
    let xsrf = state.tokens.xsrf(&claims.jti);
    set(headers, SESSION_COOKIE, token.to_owned(), true, https, max_age);
    set(headers, XSRF_COOKIE, xsrf, false, https, max_age);
}

/// The `XSRF-TOKEN` cookie of the sign-in form, before there is a session: the form's
/// `_xsrf` field must repeat it.
pub fn pre_session(headers: &mut HeaderMap, value: &str, https: bool) {
    set(headers, XSRF_COOKIE, value.to_owned(), false, https, None);
}

/// The `Set-Cookie` headers that end a browser session.
pub fn end(headers: &mut HeaderMap, https: bool) {
    set(headers, SESSION_COOKIE, String::new(), true, https, Some(0));
    set(headers, XSRF_COOKIE, String::new(), false, https, Some(0));
}

fn set(
    headers: &mut HeaderMap, name: &'static str, value: String, http_only: bool, secure: bool,
    max_age: Option<i64>,
) {
    let mut cookie = Cookie::build((name, value))
        .path("/")
        .http_only(http_only)
        .secure(secure)
        .same_site(SameSite::Lax)
        .build();
    if let Some(secs) = max_age {
        cookie.set_max_age(Duration::seconds(secs));
    }
    if let Ok(v) = HeaderValue::from_str(&cookie.to_string()) {
        headers.append(SET_COOKIE, v);
    }
}
