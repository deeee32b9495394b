//! The error envelope on every kind of failure, and the code table in docs/errors.md.

use reqwest::Method;
use serde_json::json;
use tessera_server::http::error::Code;

use crate::helpers::*;

#[tokio::test]
async fn unknown_routes_are_404_envelopes() {
    let app = spawn_app().await;
    for path in ["/nope", "/api/v1/nope", "/api/v1/users/a/b"] {
        app.get(path, &app.admin).await.assert_error(404, 1000);
    }
}

#[tokio::test]
async fn wrong_methods_are_405_envelopes_with_allow() {
    let app = spawn_app().await;
    let resp = app.send(app.request(Method::PATCH, "/api/v1/users").bearer_auth(&app.admin)).await;
    resp.assert_error(405, 1001);
    let allow = resp.headers.get("allow").unwrap().to_str().unwrap();
    assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");
    app.send(app.request(Method::GET, "/api/v1/authentication/login"))
        .await
        .assert_error(405, 1001);
}

#[tokio::test]
async fn malformed_json_is_a_400_envelope() {
    let app = spawn_app().await;
    let resp = app
        .send(
            app.request(Method::POST, "/api/v1/users")
                .bearer_auth(&app.admin)
                .header("Content-Type", "application/json")
                .body("{\"email\": "),
        )
        .await;
    resp.assert_error(400, 1002);
}

#[tokio::test]
async fn a_body_that_is_not_json_typed_is_a_400_envelope() {
    let app = spawn_app().await;
    for content_type in [None, Some("text/plain"), Some("application/x-www-form-urlencoded")] {
        let mut req = app
            .request(Method::POST, "/api/v1/users")
            .bearer_auth(&app.admin)
            .body("{\"email\": \"a@b.c\"}");
        if let Some(ct) = content_type {
            req = req.header("Content-Type", ct);
        }
        app.send(req).await.assert_error(400, 1003);
    }
    assert_eq!(app.get("/api/v1/users?email=a@b.c", &app.admin).await.json(), json!([]));
}

#[tokio::test]
async fn a_json_content_type_with_a_charset_is_accepted() {
    let app = spawn_app().await;
    let req = app
        .request(Method::POST, "/api/v1/users")
        .bearer_auth(&app.admin)
        .header("Content-Type", "application/json; charset=utf-8")
        .body("{\"email\": \"cs@corp.example\"}");
    assert_eq!(app.send(req).await.status, 201);
}

#[tokio::test]
async fn a_body_over_the_limit_is_a_413_envelope_and_stores_nothing() {
    let app = spawn_app_with(|s| s.max_body_bytes = 4096).await;
    let big = json!({"email": "big@corp.example", "padding": "x".repeat(8192)});
    app.post("/api/v1/users", &app.admin, &big).await.assert_error(413, 1004);
    let login = app
        .send(
            app.request(Method::POST, "/api/v1/authentication/login")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(format!("username=a&password={}", "x".repeat(8192))),
        )
        .await;
    login.assert_error(413, 1004);
    assert_eq!(app.get("/api/v1/users?email=big@", &app.admin).await.json(), json!([]));
}

/// A server fault answers 500 with a generic message: the cause stays in the log.
#[tokio::test]
async fn an_internal_error_is_a_generic_500_envelope() {
    let app = spawn_app().await;
    let user = app.create_user(json!({"email": "broken@corp.example"})).await;
    app.sql(&format!("UPDATE users SET doc = '[]' WHERE id = '{}'", id_of(&user)), Column::Text)
        .await;

    let resp = app.get(&format!("/api/v1/users/{}", id_of(&user)), &app.admin).await;
    let err = resp.assert_error(500, 1500);
    assert_eq!(err["message"], "Internal server error");
    assert!(!resp.text.to_lowercase().contains("json"), "no internal detail: {}", resp.text);
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = spawn_app().await;
    let ok = app.get("/api/v1/users", &app.admin).await;
    let err = app.get("/nope", &app.admin).await;
    for resp in [ok, err] {
        let id = resp.headers.get("x-request-id").expect("x-request-id").to_str().unwrap();
        assert!(!id.is_empty());
    }
}

/// docs/errors.md lists exactly the codes the server can send, each with its status.
#[test]
fn the_error_code_table_in_the_docs_matches_the_code() {
    let docs = include_str!("../../../../docs/errors.md");
    let rows: Vec<(u32, u16)> = docs
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let code = cells.get(1)?.trim_matches('`').parse().ok()?;
            let status = cells.get(2)?.parse().ok()?;
            Some((code, status))
        })
        .collect();
    let mut expected: Vec<(u32, u16)> =
        Code::ALL.iter().map(|c| (c.number(), c.status().as_u16())).collect();
    let mut documented = rows.clone();
    expected.sort();
    documented.sort();
    assert_eq!(documented, expected, "docs/errors.md is out of step with http::error::Code");
}

/// A request that declares a body over the limit and asks `Expect: 100-continue` gets the 413
/// envelope at once, without being invited to send the body.
#[tokio::test]
async fn a_declared_oversize_body_is_refused_before_it_is_sent() {
    let app = spawn_app_with(|s| s.max_body_bytes = 4096).await;
    let request = format!(
        "POST /api/v1/users HTTP/1.1\r\nHost: tessera\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: 1000000\r\nExpect: 100-continue\r\n\
         Connection: close\r\n\r\n",
        app.admin
    );
    let response = exchange(app.addr, &request).await;
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    assert!(response.contains("\"code\":1004"), "{response}");
    assert!(!response.contains("100 Continue"), "{response}");
}

/// A URI or headers over the application's limits get the envelope (414, 431), whatever the
/// route, before authentication; the server stays healthy after a head far over every limit.
#[tokio::test]
async fn an_oversized_head_is_refused_in_the_envelope() {
    use tessera_server::http::common::edge::HeadLimits;
    let app = spawn_app().await;
    let limits = HeadLimits::default();
    let long = format!("/api/v1/users?fields={}", "a".repeat(limits.max_uri_bytes));
    app.get(&long, &app.admin).await.assert_error(414, 1016);
    let just_fits = format!("/api/v1/users?x={}", "a".repeat(limits.max_uri_bytes - 20));
    assert_eq!(app.get(&just_fits, &app.admin).await.status, 200);

    let mut many = app.request(Method::GET, "/api/v1/users").bearer_auth(&app.admin);
    for i in 0..limits.max_headers {
        many = many.header(format!("x-filler-{i}"), "1");
    }
    app.send(many).await.assert_error(431, 1017);

    let big = app
        .request(Method::GET, "/api/v1/users")
        .bearer_auth(&app.admin)
        .header("x-filler", "b".repeat(limits.max_header_bytes));
    app.send(big).await.assert_error(431, 1017);
    // Without a token too: the head is refused before anything reads it.
    let big = app.request(Method::GET, "/api/v1/users").header("x-filler", "b".repeat(40_000));
    app.send(big).await.assert_error(431, 1017);

    // Far beyond every limit, the protocol library refuses on its own; the server carries on.
    let huge = app.request(Method::GET, "/api/v1/users").header("x-filler", "c".repeat(2_000_000));
    if let Ok(resp) = huge.send().await {
        assert_eq!(resp.status(), 431);
    }
    assert_eq!(app.get("/api/v1/users", &app.admin).await.status, 200);
}

/// The limits are the operator's to set.
#[tokio::test]
async fn head_limits_are_configurable() {
    let app = spawn_app_with(|s| {
        s.head_limits.max_uri_bytes = 64;
        s.head_limits.max_headers = 12;
    })
    .await;
    app.get(&format!("/api/v1/users?x={}", "a".repeat(64)), &app.admin)
        .await
        .assert_error(414, 1016);
    let mut many = app.request(Method::GET, "/api/v1/users").bearer_auth(&app.admin);
    for i in 0..12 {
        many = many.header(format!("x-filler-{i}"), "1");
    }
    app.send(many).await.assert_error(431, 1017);
    assert_eq!(app.get("/api/v1/users", &app.admin).await.status, 200);
}

/// A client that stops sending its body mid-way gets 408 in the envelope after
/// `--body-timeout-secs`, and nothing is stored.
#[tokio::test]
async fn a_stalled_body_is_a_408_envelope() {
    let app =
        spawn_app_with(|s| s.connections.body_timeout = std::time::Duration::from_secs(1)).await;
    let request = format!(
        "POST /api/v1/groups HTTP/1.1\r\nHost: tessera\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\nConnection: close\r\n\r\n\
         {{\"name\": \"Stal",
        app.admin
    );
    let response = exchange(app.addr, &request).await;
    assert!(response.starts_with("HTTP/1.1 408"), "{response}");
    assert!(response.contains("\"code\":1018"), "{response}");
    let groups = app.get("/api/v1/groups?name=Stal", &app.admin).await.json();
    assert_eq!(groups.as_array().unwrap().len(), 0, "{groups}");
}

/// Writes `request` as raw bytes (headers and as much body as it holds) and reads the answer
/// until the server closes the connection.
async fn exchange(addr: std::net::SocketAddr, request: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    // A bound on a server that would wait for the rest of the body, not a synchronisation.
    tokio::time::timeout(std::time::Duration::from_secs(20), stream.read_to_string(&mut response))
        .await
        .expect("the server answers without the rest of the body")
        .unwrap();
    response
}
