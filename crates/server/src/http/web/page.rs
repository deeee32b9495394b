//! What every page shares: the signed-in visitor (or a redirect to the sign-in page), the
//! frame around the content (header, user menu), error pages, rendering, and the headers that
//! keep pages from being framed, sniffed or fed inline scripts.

use askama::Template;
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts, Request};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use tessera_domain::Document;
use tessera_domain::features::Features;

use crate::http::auth::caller::{Caller, authenticate};
use crate::http::auth::session;
use crate::http::common::client::client_address;
use crate::http::common::error::ApiError;
use crate::state::AppState;

/// Where a signed-out visitor is sent.
pub const LOGIN_PAGE: &str = "/app/account/login";
/// Where a signed-in visitor starts.
pub const HOME_PAGE: &str = "/app/main/home";

/// The signed-in person a page is for. A page that takes one sends anyone else to the
/// sign-in page, with `returnTo` naming the page they asked for.
pub struct Visitor {
    pub state: AppState,
    pub caller: Caller,
    /// Their user document.
    pub user: Document,
    /// This session's XSRF value, for the page's forms.
    pub xsrf: String,
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let asked = parts.uri.path_and_query().map_or("/", |p| p.as_str()).to_owned();
        let to_login = || Redirect::to(&login_url(&asked)).into_response();
        let token = session::session_token(&parts.headers).ok_or_else(to_login)?;
        let caller = authenticate(state, &token).await.map_err(|_| to_login())?;
        let user = state
            .store
            .get_user(caller.id)
            .await
            .map_err(|e| PageError::from(ApiError::from(e)).into_response())?;
        let user: Document =
            user.and_then(|raw| serde_json::from_str(raw.get()).ok()).ok_or_else(to_login)?;
        let xsrf = state.tokens.xsrf(&caller.jti);
        Ok(Visitor { state: state.clone(), caller, user, xsrf })
    }
}

impl Visitor {
    /// The header and menu of a page in `section` ("home", "admin", "profile").
    pub fn frame(&self, section: &'static str) -> Frame {
        let user_name = text(&self.user, "userName");
        let first = text(&self.user, "firstName");
        let display_name = if first.is_empty() { user_name.clone() } else { first };
        Frame {
            user_name,
            display_name,
            is_admin: tessera_domain::role::manages_identities(&self.caller.role_name),
            xsrf: self.xsrf.clone(),
            section,
        }
    }

    /// Administrators only; anyone else gets a 403 page.
    pub fn require_admin(&self) -> Result<(), PageError> {
        if tessera_domain::role::manages_identities(&self.caller.role_name) {
            Ok(())
        } else {
            Err(PageError::new(StatusCode::FORBIDDEN, "Only administrators can open Admin."))
        }
    }

    pub async fn features(&self) -> Result<Features, PageError> {
        Ok(self.state.store.features().await.map_err(ApiError::from)?)
    }
}

/// The browser's side of a request: the state, its headers, whether it came over HTTPS (for
/// the cookies' `Secure`), and its address (for throttling sign-ins).
pub struct Browser {
    pub state: AppState,
    pub headers: HeaderMap,
    pub https: bool,
    pub client: IpAddr,
}

impl FromRequestParts<AppState> for Browser {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts, state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::from([127, 0, 0, 1]), |ConnectInfo(p)| p.ip());
        let headers = parts.headers.clone();
        let https = session::is_https(state, &headers, peer);
        let client = client_address(peer, &headers, &state.trusted_proxies);
        Ok(Browser { state: state.clone(), headers, https, client })
    }
}

/// A form a signed-in page posted, with its `_xsrf` field checked against the session: the
/// visitor, their browser, and the form's other fields.
pub struct Posted<T> {
    pub visitor: Visitor,
    pub browser: Browser,
    pub form: T,
}

#[derive(serde::Deserialize)]
struct XsrfField {
    #[serde(rename = "_xsrf")]
    xsrf: Option<String>,
}

impl<T: serde::de::DeserializeOwned> axum::extract::FromRequest<AppState> for Posted<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let visitor = Visitor::from_request_parts(&mut parts, state).await?;
        let Ok(browser) = Browser::from_request_parts(&mut parts, state).await;
        let refuse =
            |message: String| PageError::new(StatusCode::BAD_REQUEST, message).into_response();
        let bytes = axum::body::to_bytes(body, state.max_body_bytes)
            .await
            .map_err(|e| refuse(format!("The form could not be read: {e}")))?;
        let XsrfField { xsrf } = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| refuse(format!("Malformed form: {e}")))?;
        session::check_xsrf(state, &visitor.caller.jti, xsrf.as_deref())
            .map_err(|e| PageError::from(e).into_response())?;
        let form = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| refuse(format!("Malformed form: {e}")))?;
        Ok(Posted { visitor, browser, form })
    }
}

/// The header every signed-in page shows.
pub struct Frame {
    pub user_name: String,
    pub display_name: String,
    pub is_admin: bool,
    pub xsrf: String,
    pub section: &'static str,
}

/// The sign-in page that returns to `asked` afterwards.
pub fn login_url(asked: &str) -> String {
    let query = serde_urlencoded::to_string([("returnTo", asked)]).unwrap_or_default();
    format!("{LOGIN_PAGE}?{query}")
}

/// Where to go after signing in: `asked` when it is a path on this server, else home. Only a
/// relative path that starts with one `/` passes: `//host`, `/\host`, `https://host` and
/// anything with a control character would leave the site (an open redirect).
pub fn safe_return(asked: Option<&str>) -> String {
    match asked {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/\\")
                && !path.chars().any(char::is_control) =>
        {
            path.to_owned()
        }
        _ => HOME_PAGE.to_owned(),
    }
}

pub use tessera_domain::document::text_of as text;

/// A page's HTML, or the 500 page if a template fails.
pub fn render(page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => PageError::from(ApiError::internal(e)).into_response(),
    }
}

/// A failure shown as a page rather than as the API's JSON envelope.
#[derive(Debug)]
pub struct PageError {
    status: StatusCode,
    message: String,
}

impl PageError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        PageError { status, message: message.into() }
    }

    pub fn not_found() -> Self {
        PageError::new(StatusCode::NOT_FOUND, "There is no such page.")
    }
}

impl From<tessera_store::StoreError> for PageError {
    fn from(e: tessera_store::StoreError) -> Self {
        ApiError::from(e).into()
    }
}

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> Self {
        PageError::new(e.code().status(), e.message())
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    message: &'a str,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let page = ErrorPage { status: self.status.as_u16(), message: &self.message };
        let html = page.render().unwrap_or_else(|_| self.message.clone());
        (self.status, Html(html)).into_response()
    }
}

/// Every page's answer: no framing (clickjacking), no sniffing, no inline script or style,
/// nothing fetched from elsewhere, forms posting only here, and pages never cached (they hold
/// personal data and tokens).
pub async fn page_headers(req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; \
             object-src 'none'",
        ),
    );
    security_headers(headers);
    if !headers.contains_key(CACHE_CONTROL) {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// What every page answers with beside its policy (Swagger UI too).
pub fn security_headers(headers: &mut HeaderMap) {
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
}
