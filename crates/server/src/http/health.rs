//! Probes for orchestrators and load balancers, outside the API and without a token:
//! `GET /healthz` (the process answers) and `GET /readyz` (the store answers, at the schema
//! version this build needs, initialised). A store that is not ready gets 503 in the envelope,
//! with the cause in the log, not in the answer.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde_json::{Value, json};

use crate::http::common::error::{ApiError, ApiResult, Code};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz)).route("/readyz", get(readyz))
}

async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

async fn readyz(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    if let Err(cause) = state.store.check_ready().await {
        tracing::warn!(%cause, "not ready");
        return Err(ApiError::new(Code::NotReady, "Not ready: the store cannot serve yet"));
    }
    Ok(Json(json!({ "status": "ready" })))
}
