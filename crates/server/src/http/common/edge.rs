//! Limits on a request's head: the URI's length, the number of header fields and their total
//! size. The application enforces its own limits and answers in the envelope (414, 431); the
//! protocol library's hard limits are set above them (`startup.rs`), so that it refuses on its
//! own, without the envelope, only what is far beyond any client's needs.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::http::common::error::{ApiError, Code};

/// The application's limits on a request's head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeadLimits {
    /// Bytes of the path and query string.
    pub max_uri_bytes: usize,
    /// Header fields (a repeated name counts each time).
    pub max_headers: usize,
    /// Bytes of all header names and values together.
    pub max_header_bytes: usize,
}

impl Default for HeadLimits {
    /// 8 KiB of URI and 32 KiB of headers in at most 100 fields: far above what browsers and
    /// the clients send (a long `fields=`/`ids=` list, a session's cookies), far below memory
    /// trouble.
    fn default() -> Self {
        HeadLimits { max_uri_bytes: 8 * 1024, max_headers: 100, max_header_bytes: 32 * 1024 }
    }
}

impl HeadLimits {
    /// The protocol library's hard limits: twice the application's, so that a head over the
    /// application's limits still reaches it and gets the envelope.
    pub fn protocol_max_headers(&self) -> usize {
        self.max_headers.saturating_mul(2)
    }

    /// hyper's read buffer: at least its default (about 400 KiB), and room for twice a head at
    /// the application's limits.
    pub fn protocol_buffer_bytes(&self) -> usize {
        const HYPER_DEFAULT: usize = 8192 + 4096 * 100;
        HYPER_DEFAULT
            .max(self.max_uri_bytes.saturating_add(self.max_header_bytes).saturating_mul(2))
    }
}

/// Refuses a request whose head is over the limits before anything reads it.
pub async fn refuse_oversized_head(
    State(limits): State<HeadLimits>, req: Request, next: Next,
) -> Response {
    let uri = req.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    if uri > limits.max_uri_bytes {
        let message =
            format!("The URI is {uri} bytes; at most {} are accepted", limits.max_uri_bytes);
        return ApiError::new(Code::UriTooLong, message).into_response();
    }
    let headers = req.headers();
    if headers.len() > limits.max_headers {
        let message =
            format!("{} header fields; at most {} are accepted", headers.len(), limits.max_headers);
        return ApiError::new(Code::HeadersTooLarge, message).into_response();
    }
    let bytes: usize = headers.iter().map(|(name, value)| name.as_str().len() + value.len()).sum();
    if bytes > limits.max_header_bytes {
        let message = format!(
            "The headers are {bytes} bytes; at most {} are accepted",
            limits.max_header_bytes
        );
        return ApiError::new(Code::HeadersTooLarge, message).into_response();
    }
    next.run(req).await
}
