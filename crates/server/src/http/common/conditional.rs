//! Conditional requests: a strong `ETag` on every single-entity GET, `If-None-Match` answered
//! with 304, and `If-Match` carried to the store, which checks it inside the write transaction,
//! so that two editors cannot silently overwrite each other.

use axum::body::Body;
use axum::extract::{FromRequestParts, Request};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE, ETAG, IF_MATCH, IF_NONE_MATCH};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tessera_domain::etag::{IfMatch, etag, none_match_hits};

use crate::http::common::error::ApiError;

/// The `If-Match` header of a write, if any.
pub struct Precondition(pub Option<IfMatch>);

impl<S: Send + Sync> FromRequestParts<S> for Precondition {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Precondition(
            parts.headers.get(IF_MATCH).and_then(|v| v.to_str().ok()).map(IfMatch::parse),
        ))
    }
}

impl Precondition {
    /// The check a store edit runs on the entity as stored.
    pub fn check(
        &self, current: &tessera_domain::Document,
    ) -> Result<(), tessera_domain::ValidationError> {
        match &self.0 {
            Some(m) => m.check(current),
            None => Ok(()),
        }
    }
}

/// Middleware on single-entity routes: tags each 200 GET with the digest of its body, and turns
/// it into a 304 (no body) when `If-None-Match` names that tag.
pub async fn etag_on_get(req: Request, next: Next) -> Response {
    if req.method() != Method::GET {
        return next.run(req).await;
    }
    let if_none_match =
        req.headers().get(IF_NONE_MATCH).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let response = next.run(req).await;
    if response.status() != StatusCode::OK {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    // Entity bodies are bounded by the largest document the server accepts.
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(e) => return ApiError::internal(e).into_response(),
    };
    let tag = etag(&bytes);
    if let Ok(value) = HeaderValue::from_str(&tag) {
        parts.headers.insert(ETAG, value);
    }
    if if_none_match.is_some_and(|h| none_match_hits(&h, &tag)) {
        parts.status = StatusCode::NOT_MODIFIED;
        parts.headers.remove(CONTENT_TYPE);
        parts.headers.remove(CONTENT_LENGTH);
        return Response::from_parts(parts, Body::empty());
    }
    Response::from_parts(parts, Body::from(bytes))
}
