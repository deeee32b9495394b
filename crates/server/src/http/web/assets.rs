//! The web app's stylesheet, script and logo, compiled into the binary: nothing to build
//! outside cargo, nothing fetched from elsewhere.

use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

use crate::http::web::page::PageError;

/// Name, media type, bytes.
const ASSETS: &[(&str, &str, &str)] = &[
    ("app.css", "text/css; charset=utf-8", include_str!("../../../assets/app.css")),
    ("app.js", "text/javascript; charset=utf-8", include_str!("../../../assets/app.js")),
    ("logo.svg", "image/svg+xml", include_str!("../../../assets/logo.svg")),
];

/// Appended to Swagger UI's initializer: Try it out on the browser session.
pub const DOCS_SESSION_JS: &str = include_str!("../../../assets/docs-session.js");

pub async fn serve(Path(name): Path<String>) -> Result<Response, PageError> {
    let (_, media_type, body) =
        ASSETS.iter().find(|(n, _, _)| *n == name).ok_or_else(PageError::not_found)?;
    // An hour: a new build's assets reach browsers soon enough without a fingerprinted name.
    Ok(([(CONTENT_TYPE, *media_type), (CACHE_CONTROL, "public, max-age=3600")], *body)
        .into_response())
}
