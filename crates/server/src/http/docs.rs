//! The interactive reference: Swagger UI (served from the binary, no network) with a version
//! selector over the two documents the rooms' routes produce, working on the browser session.

use axum::Router;
use utoipa::openapi::OpenApi as Document;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::{SwaggerUi, Url};

use axum::response::IntoResponse;

use crate::http::common::fallback;
use crate::http::doc::schemas::*;
use crate::state::AppState;

/// Where Swagger UI lives (the path of Sisense's older reference).
pub const DOCS_PATH: &str = "/dev/api/docs";
/// The OpenAPI document of API 1.0.
pub const V1_DOC: &str = "/api/v1/openapi.json";
/// The OpenAPI document of API 0.9.
pub const V09_DOC: &str = "/api/openapi.json";

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut Document) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                Http::builder().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build(),
            ),
        );
    }
}

/// What API 1.0's document says before its routes add their operations.
#[derive(OpenApi)]
#[openapi(
    info(title = "Tessera REST API", version = "1.0", description = "The Sisense REST API, version 1.0. Sign in with POST /api/v1/authentication/login, then Authorize with the access_token."),
    components(schemas(Id, User, NewUser, Group, NewGroup, Credentials, LoginAnswer, TokenAnswer, Done, ErrorEnvelope, ErrorBody,
        Dashboard, NewDashboard, ShareEntry, Widget, Exists, Shares, ChangeOwner, ImportResult, DashboardSearch, SearchResult,
        Folder, NewFolder, FolderPatch, Navigation)),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
)]
pub struct V1;

/// What API 0.9's document says before its routes add their operations.
#[derive(OpenApi)]
#[openapi(
    info(title = "Tessera REST API", version = "0.9", description = "The Sisense REST API, version 0.9."),
    components(schemas(Id, User, NewUser, Group, NewGroup, Role, IsAuth, Done, Count, Deleted, ErrorEnvelope, ErrorBody,
        Dashboard, NewDashboard, ShareEntry, Widget, Shares, NewShares)),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
)]
pub struct V09;

/// Swagger UI with both documents, 1.0 first in the version selector.
pub fn router(v1: Document, v09: Document) -> Router<AppState> {
    let swagger = Router::from(
        SwaggerUi::new(DOCS_PATH)
            .url(Url::new("1.0", V1_DOC), v1)
            .url(Url::new("0.9", V09_DOC), v09),
    )
    .layer(axum::middleware::from_fn(enveloped_not_found))
    .layer(axum::middleware::from_fn(on_the_session));
    Router::new().merge(swagger)
}

/// The reference page's own policy and headers, and the session script added to Swagger UI's
/// initializer so that Try it out works on the browser session. Swagger UI sets some styles
/// inline, so its policy allows inline styles; scripts stay files of this server.
async fn on_the_session(
    request: axum::extract::Request, next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::header::{CACHE_CONTROL, CONTENT_LENGTH, CONTENT_SECURITY_POLICY};
    let initializer = request.uri().path().ends_with("/swagger-initializer.js");
    let mut response = next.run(request).await;
    if initializer && response.status().is_success() {
        let (mut parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
        let mut script = String::from_utf8_lossy(&bytes).into_owned();
        script.push_str(crate::http::web::assets::DOCS_SESSION_JS);
        parts.headers.remove(CONTENT_LENGTH);
        parts.headers.insert(CACHE_CONTROL, axum::http::HeaderValue::from_static("no-cache"));
        response = axum::response::Response::from_parts(parts, axum::body::Body::from(script));
    }
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_SECURITY_POLICY,
        axum::http::HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
             img-src 'self' data:; connect-src 'self'; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
        ),
    );
    crate::http::web::page::security_headers(headers);
    response
}

/// Swagger UI answers a file it does not have with a bare 404; the envelope says the same as
/// any other unknown route.
async fn enveloped_not_found(
    request: axum::extract::Request, next: axum::middleware::Next,
) -> axum::response::Response {
    let uri = request.uri().clone();
    let response = next.run(request).await;
    if response.status() == axum::http::StatusCode::NOT_FOUND {
        return fallback::not_found(uri).await.into_response();
    }
    response
}

/// A document as committed under docs/openapi/: pretty-printed, with a final newline.
pub fn pretty(doc: &Document) -> String {
    doc.to_pretty_json().expect("an OpenAPI document serialises") + "\n"
}
