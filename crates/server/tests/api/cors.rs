//! CORS for browser apps on other origins (the seed's jQuery `crossDomain` example).

use reqwest::Method;
use tessera_server::config::CorsOrigins;

use crate::helpers::*;

fn preflight(app: &TestApp, origin: &str) -> reqwest::RequestBuilder {
    app.request(Method::OPTIONS, "/api/v1/users")
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "authorization,content-type")
}

fn header<'a>(resp: &'a Resp, name: &str) -> Option<&'a str> {
    resp.headers.get(name).and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn listed_origins_get_preflights_and_credentials_others_nothing() {
    let app = spawn_app_with(|s| {
        s.cors_origins = Some(CorsOrigins::List(vec!["https://app.example".into()]))
    })
    .await;

    let ok = app.send(preflight(&app, "https://app.example")).await;
    assert!(ok.status == 200 || ok.status == 204, "{}", ok.status);
    assert_eq!(header(&ok, "access-control-allow-origin"), Some("https://app.example"));
    assert_eq!(header(&ok, "access-control-allow-credentials"), Some("true"));
    let allowed = header(&ok, "access-control-allow-headers").unwrap().to_lowercase();
    assert!(allowed.contains("authorization") && allowed.contains("content-type"), "{allowed}");
    assert!(header(&ok, "access-control-allow-methods").unwrap().contains("POST"));

    // No Access-Control-Allow-Origin: the browser refuses the call, credentials or not.
    let refused = app.send(preflight(&app, "https://evil.example")).await;
    assert_eq!(header(&refused, "access-control-allow-origin"), None);

    // Real requests, successful or not, carry the header for the listed origin, so that the page
    // can read the answer (and the error envelope).
    let get = app
        .send(
            app.request(Method::GET, "/api/v1/users")
                .bearer_auth(&app.admin)
                .header("Origin", "https://app.example"),
        )
        .await;
    assert_eq!(get.status, 200);
    assert_eq!(header(&get, "access-control-allow-origin"), Some("https://app.example"));
    let denied = app
        .send(app.request(Method::GET, "/api/v1/users").header("Origin", "https://app.example"))
        .await;
    denied.assert_error(401, 5002);
    assert_eq!(header(&denied, "access-control-allow-origin"), Some("https://app.example"));
    let evil = app
        .send(
            app.request(Method::GET, "/api/v1/users")
                .bearer_auth(&app.admin)
                .header("Origin", "https://evil.example"),
        )
        .await;
    assert_eq!(header(&evil, "access-control-allow-origin"), None);
}

#[tokio::test]
async fn any_origin_gets_no_credentials() {
    let app = spawn_app_with(|s| s.cors_origins = Some(CorsOrigins::Any)).await;
    let resp = app.send(preflight(&app, "https://anywhere.example")).await;
    assert_eq!(header(&resp, "access-control-allow-origin"), Some("*"));
    assert_eq!(header(&resp, "access-control-allow-credentials"), None);
}

#[tokio::test]
async fn without_configuration_there_are_no_cors_headers() {
    let app = spawn_app().await;
    let resp = app
        .send(
            app.request(Method::GET, "/api/v1/users")
                .bearer_auth(&app.admin)
                .header("Origin", "https://app.example"),
        )
        .await;
    assert_eq!(resp.status, 200);
    assert_eq!(header(&resp, "access-control-allow-origin"), None);
}

/// A browser app may send the conditional-request headers and read the `ETag` it needs for them.
#[tokio::test]
async fn conditional_request_headers_cross_origins() {
    let app = spawn_app_with(|s| {
        s.cors_origins = Some(CorsOrigins::List(vec!["https://app.example".into()]))
    })
    .await;
    let pre = app
        .send(
            app.request(Method::OPTIONS, "/api/v1/users/0123456789abcdef01234567")
                .header("Origin", "https://app.example")
                .header("Access-Control-Request-Method", "PATCH")
                .header("Access-Control-Request-Headers", "if-match,if-none-match"),
        )
        .await;
    let allowed = header(&pre, "access-control-allow-headers").unwrap().to_lowercase();
    assert!(allowed.contains("if-match") && allowed.contains("if-none-match"), "{allowed}");
    let me = app
        .send(
            app.request(Method::GET, "/api/v1/groups?limit=1")
                .header("Origin", "https://app.example")
                .bearer_auth(&app.admin),
        )
        .await;
    let id = me.json()[0]["_id"].as_str().unwrap().to_owned();
    let one = app
        .send(
            app.request(Method::GET, &format!("/api/v1/groups/{id}"))
                .header("Origin", "https://app.example")
                .bearer_auth(&app.admin),
        )
        .await;
    assert!(header(&one, "etag").is_some());
    let exposed = header(&one, "access-control-expose-headers").unwrap().to_lowercase();
    assert!(exposed.contains("etag"), "{exposed}");
}

/// The Compose SDK adds its own `x-sisense-*` headers: a listed origin's preflight allows
/// whatever headers it asks for. Without `--cors-origins`, a preflight is an ordinary wrong
/// method, in the envelope.
#[tokio::test]
async fn the_compose_sdk_headers_pass_and_a_preflight_without_cors_is_an_envelope() {
    let app = spawn_app_with(|s| {
        s.cors_origins = Some(CorsOrigins::List(vec!["https://app.example".into()]))
    })
    .await;
    let asked = "authorization,content-type,x-sisense-sdk,x-sisense-embed,x-sisense-origin";
    let ok = app
        .send(
            app.request(Method::OPTIONS, "/api/globals")
                .header("Origin", "https://app.example")
                .header("Access-Control-Request-Method", "GET")
                .header("Access-Control-Request-Headers", asked),
        )
        .await;
    let allowed = header(&ok, "access-control-allow-headers").unwrap().to_lowercase();
    for name in asked.split(',') {
        assert!(allowed.contains(name), "{name} not in {allowed}");
    }

    let plain = spawn_app().await;
    let resp = plain.send(preflight(&plain, "https://app.example")).await;
    resp.assert_error(405, 1001);
    assert_eq!(header(&resp, "access-control-allow-origin"), None);
}
