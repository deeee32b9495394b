//! The probes: `/healthz` and `/readyz`, without a token, outside the API.

use reqwest::Method;

use crate::helpers::*;

#[tokio::test]
async fn health_and_readiness_answer_without_a_token() {
    let app = spawn_app().await;
    for (path, status) in [("/healthz", "ok"), ("/readyz", "ready")] {
        let resp = app.send(app.request(Method::GET, path)).await;
        assert_eq!(resp.status, 200, "{path}: {}", resp.text);
        assert_eq!(resp.json()["status"], status, "{path}");
    }
}

/// A store at another schema version than this build needs is not ready: 503 in the envelope,
/// the cause in the log only; the process itself is still healthy.
#[tokio::test]
async fn a_store_at_another_schema_version_is_not_ready() {
    let app = spawn_app().await;
    app.set_schema_version(999).await;

    let resp = app.send(app.request(Method::GET, "/readyz")).await;
    let err = resp.assert_error(503, 1501);
    assert!(!err["message"].as_str().unwrap().contains("999"), "{err}");
    let healthy = app.send(app.request(Method::GET, "/healthz")).await;
    assert_eq!(healthy.status, 200);
}
