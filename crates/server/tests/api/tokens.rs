//! Tokens: forgery, expiry, renewal, admin revocation, logout, isauth, loggedin, and the route
//! table: every route but login and isauth refuses a request without a token.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

/// The server's signing key, read from its store as an attacker with the file would.
async fn signing_key(app: &TestApp) -> Vec<u8> {
    app.sql("SELECT value FROM meta WHERE key = 'signing_key'", Column::Blob).await.unwrap()
}

async fn claims_of(app: &TestApp, token: &str) -> Value {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.required_spec_claims.clear();
    jsonwebtoken::decode::<Value>(
        token,
        &DecodingKey::from_secret(&signing_key(app).await),
        &validation,
    )
    .unwrap()
    .claims
}

fn sign(key: &[u8], claims: &Value) -> String {
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &EncodingKey::from_secret(key))
        .unwrap()
}

fn b64(bytes: &[u8]) -> String {
    const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n =
            chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

#[tokio::test]
async fn forged_and_expired_tokens_are_refused() {
    let app = spawn_app().await;
    let (user, token) = app.user_with_role("consumer", "forge@corp.example").await;
    let claims = claims_of(&app, &token).await;
    assert_eq!(claims["user"], user["_id"]);
    let key = signing_key(&app).await;

    // alg "none", with the user's real id and secret.
    let none = format!(
        "{}.{}.",
        b64(br#"{"alg":"none","typ":"JWT"}"#),
        b64(claims.to_string().as_bytes())
    );
    // Signed with another key.
    let wrong_key = sign(b"not-the-server-key-not-the-server-key", &claims);
    // The payload edited to name the administrator, the signature kept.
    let admin_id = app.get("/api/users/loggedin", &app.admin).await.json()["_id"].clone();
    let mut edited_claims = claims.clone();
    edited_claims["user"] = admin_id;
    let parts: Vec<&str> = token.split('.').collect();
    let edited = format!("{}.{}.{}", parts[0], b64(edited_claims.to_string().as_bytes()), parts[2]);
    // Expired a minute ago, otherwise perfect: right key, right user, right secret.
    let mut expired_claims = claims.clone();
    expired_claims["exp"] = json!(chrono_like_now() - 60);
    let expired = sign(&key, &expired_claims);

    for (name, forged) in [
        ("alg none", none),
        ("wrong key", wrong_key),
        ("edited payload", edited),
        ("expired", expired),
    ] {
        let resp = app.get("/api/v1/users", &forged).await;
        assert_eq!(resp.status, 401, "{name}: {}", resp.text);
        resp.assert_error(401, 5002);
    }
    // The genuine token still works, and a genuine re-signing of the same claims too.
    assert_eq!(app.get("/api/v1/users", &token).await.status, 200);
    assert_eq!(app.get("/api/v1/users", &sign(&key, &claims)).await.status, 200);
}

fn chrono_like_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

#[tokio::test]
async fn tokens_expire_after_the_configured_lifetime() {
    let app = spawn_app_with(|s| s.token_lifetime_secs = 3600).await;
    let claims = claims_of(&app, &app.admin).await;
    assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), 3600);
    let forever = spawn_app_with(|s| s.token_lifetime_secs = 0).await;
    assert!(claims_of(&forever, &forever.admin).await.get("exp").is_none());
}

#[tokio::test]
async fn the_api_token_endpoint_gives_a_working_token() {
    let app = spawn_app().await;
    let resp = app.get("/api/v1/authentication/tokens/api", &app.admin).await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    let token = resp.json()["token"].as_str().unwrap().to_owned();
    assert_eq!(app.get("/api/v1/users", &token).await.status, 200);
}

#[tokio::test]
async fn renewal_kills_every_older_token_of_that_user_only() {
    let app = spawn_app().await;
    let (_, first) = app.user_with_role("consumer", "renew@corp.example").await;
    let second = app.token("renew@corp.example", "user-passw0rd").await;
    let (_, other) = app.user_with_role("consumer", "bystander@corp.example").await;

    let resp = app
        .send(
            app.request(Method::POST, "/api/v1/authentication/tokens/api/renew")
                .bearer_auth(&first),
        )
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    let renewed = resp.json()["token"].as_str().unwrap().to_owned();

    for old in [&first, &second] {
        app.get("/api/v1/users", old).await.assert_error(401, 5002);
    }
    assert_eq!(app.get("/api/v1/users", &renewed).await.status, 200);
    assert_eq!(app.get("/api/v1/users", &other).await.status, 200, "other users keep their tokens");
    assert_eq!(app.get("/api/v1/users", &app.admin).await.status, 200);
    // Signing in again still works, and gives a token under the new secret.
    let fresh = app.token("renew@corp.example", "user-passw0rd").await;
    assert_eq!(app.get("/api/v1/users", &fresh).await.status, 200);
}

#[tokio::test]
async fn admins_revoke_all_tokens_of_users() {
    let app = spawn_app().await;
    let (a, a_token) = app.user_with_role("consumer", "ra@corp.example").await;
    let (b, b_token) = app.user_with_role("consumer", "rb@corp.example").await;
    let (_, c_token) = app.user_with_role("consumer", "rc@corp.example").await;
    let path = format!("/api/v1/authentication/admin/tokens/api?users={},{}", id_of(&a), id_of(&b));

    app.delete(&path, &c_token).await.assert_error(403, 1010);
    assert_eq!(
        app.get("/api/v1/users", &a_token).await.status,
        200,
        "a refused revocation changes nothing"
    );
    let unknown = format!(
        "/api/v1/authentication/admin/tokens/api?users={},5f0000000000000000000000",
        id_of(&a)
    );
    app.delete(&unknown, &app.admin).await.assert_error(404, 202);
    assert_eq!(app.get("/api/v1/users", &a_token).await.status, 200, "all or nothing");

    let resp = app.delete(&path, &app.admin).await;
    assert_eq!(resp.status, 204, "{}", resp.text);
    app.get("/api/v1/users", &a_token).await.assert_error(401, 5002);
    app.get("/api/v1/users", &b_token).await.assert_error(401, 5002);
    assert_eq!(app.get("/api/v1/users", &c_token).await.status, 200);
    app.delete("/api/v1/authentication/admin/tokens/api", &app.admin).await.assert_error(400, 1005);
}

#[tokio::test]
async fn logout_kills_only_the_presented_token() {
    let app = spawn_app().await;
    let (_, first) = app.user_with_role("consumer", "out@corp.example").await;
    let second = app.token("out@corp.example", "user-passw0rd").await;
    let third = app.token("out@corp.example", "user-passw0rd").await;

    let resp = app.get("/api/v1/authentication/logout", &first).await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    app.get("/api/v1/users", &first).await.assert_error(401, 5002);
    assert_eq!(app.get("/api/v1/users", &second).await.status, 200);

    assert_eq!(app.get("/api/auth/logout", &second).await.status, 200);
    app.get("/api/v1/users", &second).await.assert_error(401, 5002);
    assert_eq!(app.get("/api/v1/users", &third).await.status, 200);
}

#[tokio::test]
async fn a_logout_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let start = |dir: std::path::PathBuf| async move {
        let app = tessera_server::startup::Application::build(test_settings(&dir)).await.unwrap();
        let addr = app.local_addr();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let handle = tokio::spawn(app.run_until_stopped(async {
            let _ = rx.await;
        }));
        (Client::new(format!("http://{addr}")), tx, handle)
    };
    let (client, stop, handle) = start(dir.path().to_path_buf()).await;
    let token = client.token(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let kept = client.token(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(client.get("/api/v1/authentication/logout", &token).await.status, 200);
    stop.send(()).unwrap();
    handle.await.unwrap().unwrap();

    let (client, _stop, _handle) = start(dir.path().to_path_buf()).await;
    client.get("/api/v1/users", &token).await.assert_error(401, 5002);
    assert_eq!(client.get("/api/v1/users", &kept).await.status, 200);
}

#[tokio::test]
async fn isauth_answers_with_or_without_a_token() {
    let app = spawn_app().await;
    let anonymous = app.send(app.request(Method::GET, "/api/auth/isauth")).await;
    assert_eq!(anonymous.status, 200);
    assert_eq!(anonymous.json()["isAuthenticated"], false);
    assert!(anonymous.json()["loginUrl"].is_string());
    assert_eq!(app.get("/api/auth/isauth", &app.admin).await.json()["isAuthenticated"], true);
    assert_eq!(
        app.get("/api/auth/isauth", "forged.token.here").await.json()["isAuthenticated"],
        false
    );
}

#[tokio::test]
async fn loggedin_is_the_caller() {
    let app = spawn_app().await;
    let (user, token) = app.user_with_role("consumer", "me@corp.example").await;
    let me = app.get("/api/users/loggedin", &token).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.json()["_id"], user["_id"]);
    assert_eq!(
        app.get("/api/users/loggedin?fields=email", &token).await.json(),
        json!({"email": "me@corp.example"})
    );
}

/// Every operation the router serves, but login and isauth, answers 401 with the envelope when
/// called without a token, and every other method on its path answers 405. The operations come
/// from the router's own route table, so a new route cannot escape this test, and a table that
/// lists a route the router does not serve fails it.
#[tokio::test]
async fn every_route_but_login_and_isauth_needs_a_token() {
    let app = spawn_app().await;
    let table = tessera_server::http::route_table();
    let public: std::collections::BTreeSet<&str> =
        table.public.iter().map(|op| op.path.as_str()).collect();
    assert_eq!(
        public.into_iter().collect::<Vec<_>>(),
        ["/api/auth/isauth", "/api/v1/authentication/login"]
    );

    let mut paths: Vec<&str> = table.protected.iter().map(|op| op.path.as_str()).collect();
    paths.sort();
    paths.dedup();
    assert!(paths.len() >= 40, "{paths:?}");
    for pattern in paths {
        let path = pattern
            .replace("{id}", "5f0000000000000000000001")
            .replace("{widgetId}", "5f0000000000000000000002")
            .replace("{id_or_name}", "admin")
            .replace("{id_or_user_name}", "admin");
        for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
            let served = table.protected.iter().any(|op| op.path == pattern && op.method == method);
            let resp = app
                .send(
                    app.request(Method::from_bytes(method.as_bytes()).unwrap(), &path)
                        .json(&json!({})),
                )
                .await;
            if served {
                resp.assert_error(401, 5002);
            } else {
                resp.assert_error(405, 1001);
            }
        }
    }
}

/// One user is issued at most `--token-mint-per-minute` tokens a minute, by sign-ins, API tokens
/// and renewals together; past it 429 with `Retry-After`, a renewal changes nothing, and other
/// users are not affected.
#[tokio::test]
async fn tokens_issued_per_user_and_minute_are_limited() {
    let app = spawn_app_with(|s| s.token_mint_per_minute = 3).await;
    app.create_user(json!({"email": "other@corp.example", "password": "other-passw0rd"})).await;
    // The test server's sign-in was the first; an API token and a sign-in make three.
    assert_eq!(app.get("/api/v1/authentication/tokens/api", &app.admin).await.status, 200);
    assert_eq!(app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.status, 200);

    let refused = app.get("/api/v1/authentication/tokens/api", &app.admin).await;
    refused.assert_error(429, 1103);
    let wait: u64 = refused.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.assert_error(429, 1103);
    let renew = app.post("/api/v1/authentication/tokens/api/renew", &app.admin, &json!({})).await;
    renew.assert_error(429, 1103);
    assert_eq!(app.get("/api/v1/users", &app.admin).await.status, 200, "nothing was renewed");

    assert_eq!(app.login("other@corp.example", "other-passw0rd").await.status, 200);
}
