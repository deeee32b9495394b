//! Extractors that answer with the error envelope instead of axum's plain-text rejections.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::http::common::error::{ApiError, Code};
use crate::state::AppState;

/// A JSON request body, any JSON value. Requires a JSON content type (`application/json` or a
/// `+json` type); a malformed body, a wrong type or an oversized body is an enveloped error.
pub struct JsonBody(pub Value);

impl FromRequest<AppState> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        if !is_json(content_type(req.headers())) {
            return Err(ApiError::new(
                Code::UnsupportedContentType,
                "Expected a request body with Content-Type: application/json",
            ));
        }
        let bytes = read_body(req, state).await?;
        serde_json::from_slice(&bytes)
            .map(JsonBody)
            .map_err(|e| ApiError::new(Code::MalformedJson, format!("Malformed JSON body: {e}")))
    }
}

/// A body whose declared length is over the limit is refused before any of it is read: a client
/// that sent `Expect: 100-continue` gets the 413 instead of an invitation to send it.
pub async fn refuse_declared_oversize(
    axum::extract::State(max): axum::extract::State<usize>, req: Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let declared = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > max as u64) {
        return axum::response::IntoResponse::into_response(too_large());
    }
    next.run(req).await
}

/// The request body as bytes, within the configured limit.
pub async fn read_body(req: Request, state: &AppState) -> Result<Bytes, ApiError> {
    Bytes::from_request(req, state).await.map_err(body_rejection)
}

fn body_rejection(r: BytesRejection) -> ApiError {
    if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
        too_large()
    } else if timed_out(&r) {
        body_timeout()
    } else {
        ApiError::new(Code::MalformedJson, format!("Cannot read request body: {r}"))
    }
}

/// Whether reading a body failed because the client paused longer than `--body-timeout-secs`.
pub fn timed_out(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(error);
    while let Some(e) = cause {
        if e.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        cause = e.source();
    }
    false
}

/// The answer to a body the client stopped sending.
pub fn body_timeout() -> ApiError {
    ApiError::new(Code::BodyTimeout, "The request body stopped arriving; send it again")
}

/// The answer to a body over the configured limit.
pub fn too_large() -> ApiError {
    ApiError::new(Code::PayloadTooLarge, "Request body is larger than the server accepts")
}

/// The media type of a request, lower-cased, without parameters.
pub fn content_type(headers: &axum::http::HeaderMap) -> String {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default()
}

pub fn is_json(media_type: String) -> bool {
    media_type == "application/json"
        || (media_type.starts_with("application/") && media_type.ends_with("+json"))
}

/// Query parameters. Unknown parameters are ignored (clients add their own, such as `trc=`),
/// and a repeated one means the comma list of all its values, as Sisense reads it (Python's
/// `requests` sends `params={"ids": [a, b]}` as `ids=a&ids=b`).
pub struct Query<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequestParts<AppState> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        // Nearly every query string names each parameter once and reads in one pass; one that
        // repeats a field fails that pass ("duplicate field") and is read again, merged.
        let raw = parts.uri.query().unwrap_or_default();
        if let Ok(value) = serde_urlencoded::from_str(raw) {
            return Ok(Query(value));
        }
        let merged =
            serde_urlencoded::to_string(query_pairs(Some(raw))?).map_err(|e| invalid_query(&e))?;
        serde_urlencoded::from_str(&merged).map(Query).map_err(|e| invalid_query(&e))
    }
}

/// The query string's parameters in order of first appearance, each repeated one joined into
/// one comma-separated value.
pub fn query_pairs(query: Option<&str>) -> Result<Vec<(String, String)>, ApiError> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(query.unwrap_or_default()).map_err(|e| invalid_query(&e))?;
    let mut merged: Vec<(String, String)> = Vec::with_capacity(pairs.len());
    for (key, value) in pairs {
        match merged.iter_mut().find(|(k, _)| *k == key) {
            Some((_, joined)) => {
                joined.push(',');
                joined.push_str(&value);
            }
            None => merged.push((key, value)),
        }
    }
    Ok(merged)
}

fn invalid_query(e: &impl std::fmt::Display) -> ApiError {
    ApiError::new(Code::InvalidQuery, format!("Invalid query string: {e}"))
}

/// The `{id}` (or `{idOrName}`) segment of the path, percent-decoded.
pub struct PathKey(pub String);

impl FromRequestParts<AppState> for PathKey {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts, state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Path::<String>::from_request_parts(parts, state).await.map(|p| PathKey(p.0)).map_err(|e| {
            ApiError::new(Code::InvalidQuery, format!("Invalid path: {}", e.body_text()))
        })
    }
}
