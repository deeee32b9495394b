//! `GET /metrics`: the Prometheus text exposition of the server's meters (`crate::meters`).
//! On the main address it needs an administrator's token; `--metrics-listen` serves it without
//! one on a second address, for a Prometheus on the internal network. Also the layer that meters
//! every request.

use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::http::auth::caller::{Caller, require_token};
use crate::http::common::error::ApiResult;
use crate::http::common::fallback;
use crate::state::AppState;

/// The exposition format's media type.
const PROMETHEUS_TEXT: &str = "text/plain; version=0.0.4; charset=utf-8";

/// `/metrics` on the main address, for administrators.
pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/metrics", get(for_admins))
        .route_layer(from_fn_with_state(state, require_token))
}

/// The whole router of the `--metrics-listen` address: `/metrics`, without a token.
pub fn open_router(state: AppState) -> Router {
    Router::new().route("/metrics", get(exposition)).fallback(fallback::not_found).with_state(state)
}

async fn for_admins(State(state): State<AppState>, caller: Caller) -> ApiResult<Response> {
    caller.require_admin()?;
    Ok(exposition(State(state)).await)
}

async fn exposition(State(state): State<AppState>) -> Response {
    let text = state.meters.render(&state.store.stats());
    ([(CONTENT_TYPE, PROMETHEUS_TEXT)], text).into_response()
}

/// Meters every request by its route template (`unmatched` when no route matched, so that
/// scanners' paths add no series), method and status.
pub async fn measure(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    // A cheap clone (the template is shared), taken before the request moves on.
    let route = req.extensions().get::<MatchedPath>().cloned();
    let response = next.run(req).await;
    let route = route.as_ref().map_or("unmatched", MatchedPath::as_str);
    state.meters.request(&method, route, response.status().as_u16(), started.elapsed());
    response
}
