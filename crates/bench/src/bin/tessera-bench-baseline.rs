//! The ceiling: a bare axum route answering a small JSON body, measured beside Tessera in the
//! same benchmark run so that Tessera's figures can be read as a fraction of it.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line tool whose output is its progress and results"
)]

use axum::Json;
use axum::routing::get;
use serde_json::json;

#[tokio::main]
async fn main() {
    let addr = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:18090".into());
    let app = axum::Router::new().route("/", get(|| async { Json(json!({"ok": true})) }));
    let listener = tokio::net::TcpListener::bind(&addr).await.expect("bind");
    axum::serve(listener, app).await.expect("serve");
}
