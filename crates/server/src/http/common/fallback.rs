//! Answers for requests no handler takes: unknown routes, wrong methods, panics.

use std::any::Any;

use axum::Json;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use crate::http::common::error::{ApiError, Code, envelope};

pub async fn not_found(uri: Uri) -> ApiError {
    ApiError::new(Code::RouteNotFound, format!("No route for {}", uri.path()))
}

pub async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::new(
        Code::MethodNotAllowed,
        format!("Method {method} is not allowed on {}", uri.path()),
    )
}

/// A panic in a handler is a bug: log it, answer 500 with the envelope and nothing else.
pub fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let detail = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic");
    tracing::error!(panic = detail, "handler panicked");
    let body = envelope(Code::Internal, "Internal server error", None);
    (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response()
}
