use reqwest::Method;
use serde_json::json;
use tessera_server::config::HashCost;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::*;

#[tokio::test]
async fn seed_login_request_form_urlencoded_with_encoded_at() {
    let app = spawn_app().await;
    // The seed's request: x-www-form-urlencoded, the user name URL-encoded (%40 for @).
    let body = format!("username=admin%40example.com&password={}", urlencode(ADMIN_PASSWORD));
    let req = app
        .request(Method::POST, "/api/v1/authentication/login")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body);
    let resp = app.send(req).await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    let body = resp.json();
    assert_eq!(body["success"], true);
    assert_eq!(body["message"], "");
    let token = body["access_token"].as_str().unwrap();
    assert_eq!(token.split('.').count(), 3, "a JWT: {token}");
    assert_eq!(app.get("/api/v1/users", token).await.status, 200);
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn login_with_json_body() {
    let app = spawn_app().await;
    let resp = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(resp.status, 200);
    assert!(resp.json()["access_token"].is_string());
}

#[tokio::test]
async fn username_matches_user_name_or_email_case_insensitively() {
    let app = spawn_app().await;
    app.create_user(
        json!({"userName": "Jane.Doe", "email": "jane@corp.example", "password": "jane-passw0rd"}),
    )
    .await;
    for username in ["Jane.Doe", "JANE.DOE", "jane@corp.example", "Jane@Corp.Example"] {
        let resp = app.login(username, "jane-passw0rd").await;
        assert_eq!(resp.status, 200, "{username}: {}", resp.text);
    }
    app.create_user(
        json!({"userName": "Straße", "email": "s@corp.example", "password": "s-passw0rd"}),
    )
    .await;
    for username in ["STRASSE", "strasse", "ｓｔｒａßｅ"] {
        let resp = app.login(username, "s-passw0rd").await;
        assert_eq!(resp.status, 200, "{username}: {}", resp.text);
    }
}

#[tokio::test]
async fn failed_logins_get_the_same_401_envelope() {
    let app = spawn_app().await;
    app.create_user(
        json!({"email": "off@corp.example", "password": "off-passw0rd", "active": false}),
    )
    .await;
    let wrong_password = app.login(ADMIN_EMAIL, "not-the-password").await;
    let unknown_user = app.login("nobody@corp.example", "not-the-password").await;
    let inactive = app.login("off@corp.example", "off-passw0rd").await;
    for resp in [&wrong_password, &unknown_user, &inactive] {
        resp.assert_error(401, 1100);
    }
    assert_eq!(
        wrong_password.text, unknown_user.text,
        "the answer must not tell which part was wrong"
    );
    assert_eq!(wrong_password.text, inactive.text);
}

#[tokio::test]
async fn login_without_credentials_or_with_a_wrong_content_type_is_400() {
    let app = spawn_app().await;
    let resp = app
        .send(
            app.request(Method::POST, "/api/v1/authentication/login")
                .json(&json!({"username": "x"})),
        )
        .await;
    resp.assert_error(400, 1007);
    let resp = app
        .send(
            app.request(Method::POST, "/api/v1/authentication/login")
                .header("Content-Type", "text/plain")
                .body("username=x&password=y"),
        )
        .await;
    resp.assert_error(400, 1003);
}

#[tokio::test]
async fn login_records_last_login() {
    let app = spawn_app().await;
    let users = app.get("/api/v1/users?email=admin@example.com", &app.admin).await.json();
    let last_login =
        users[0]["lastLogin"].as_str().expect("lastLogin set by the login of spawn_app");
    assert!(is_sisense_timestamp(last_login), "{last_login}");
}

#[tokio::test]
async fn api_routes_need_a_valid_token() {
    let app = spawn_app().await;
    let no_token = app.send(app.request(Method::GET, "/api/v1/users")).await;
    let err = no_token.assert_error(401, 5002);
    assert_eq!(err["message"], "Invalid token.");

    let garbage = app.get("/api/v1/users", "not-a-token").await;
    garbage.assert_error(401, 5002);

    // A well-formed token signed with another key (the seed's example token).
    let foreign = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJ1c2VyIjoiNTZiOWM3YTFiZGQ2YmViNDY1MDNjZWNlIiwiYXBpU2VjcmV0IjoiNjU3N2QtODZiOC01MmU2LTQyOTYtYjIxZjk3NzhjZjYyIiwiaWF0IjoxNDYxNTgzNzc5fQ.vTB2fugl72db0tPr184tP5fd6e1SBZqDfYN2vedZOEY";
    app.get("/api/v1/users", foreign).await.assert_error(401, 5002);

    let basic = app
        .send(
            app.request(Method::GET, "/api/v1/users")
                .header("Authorization", format!("Basic {}", app.admin)),
        )
        .await;
    basic.assert_error(401, 5002);
}

#[tokio::test]
async fn deleted_and_deactivated_users_tokens_stop_working() {
    let app = spawn_app().await;
    let (user, token) = app.user_with_role("admin", "temp@corp.example").await;
    let id = id_of(&user);
    assert_eq!(app.get("/api/v1/users", &token).await.status, 200);
    app.patch(&format!("/api/v1/users/{id}"), &app.admin, &json!({"active": false})).await;
    app.get("/api/v1/users", &token).await.assert_error(401, 5002);

    let (user, token) = app.user_with_role("admin", "temp2@corp.example").await;
    assert_eq!(
        app.delete(&format!("/api/v1/users/{}", id_of(&user)), &app.admin).await.status,
        204
    );
    app.get("/api/v1/users", &token).await.assert_error(401, 5002);
}

/// The seed's curl example, byte for byte on the wire: `Authorization:Bearer <token>` with no
/// space after the colon, and an `Accept: application/json` header.
#[tokio::test]
async fn seed_curl_header_without_space_after_the_colon() {
    let app = spawn_app().await;
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let request = format!(
        "GET /api/v1/users HTTP/1.1\r\nHost: example.com\r\nAccept: application/json\r\nAuthorization:Bearer {}\r\nConnection: close\r\n\r\n",
        app.admin
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    let body = &response[response.find("\r\n\r\n").unwrap() + 4..];
    assert_no_secrets(body);
    assert!(body.contains(ADMIN_EMAIL), "{body}");
}

/// The seed's GET example: `Content-Type: application/json` on a GET without a body.
#[tokio::test]
async fn seed_get_with_json_content_type_and_no_body() {
    let app = spawn_app().await;
    let resp = app
        .send(
            app.request(Method::GET, "/api/v1/users")
                .header("Content-Type", "application/json")
                .header("Authorization", format!("Bearer {}", app.admin)),
        )
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text);
}

/// A read by id after a login shows the new `lastLogin` (reads by id are cached).
#[tokio::test]
async fn a_login_shows_in_the_next_read_by_id() {
    let app = spawn_app().await;
    let user =
        app.create_user(json!({"email": "seen@corp.example", "password": "seen-passw0rd"})).await;
    let path = format!("/api/v1/users/{}", id_of(&user));
    assert!(app.get(&path, &app.admin).await.json().get("lastLogin").is_none());
    app.token("seen@corp.example", "seen-passw0rd").await;
    let after = app.get(&path, &app.admin).await.json();
    assert!(is_sisense_timestamp(after["lastLogin"].as_str().expect("lastLogin set")), "{after}");
}

#[tokio::test]
async fn failed_logins_for_one_user_are_throttled_and_no_one_else_is() {
    let app = spawn_app_with(|s| s.login_limits.per_user = 3).await;
    app.create_user(json!({"email": "target@corp.example", "password": "target-passw0rd"})).await;
    for _ in 0..3 {
        app.login("target@corp.example", "wrong-password").await.assert_error(401, 1100);
    }
    // Now even the right password is refused, before any hashing, with a time to wait.
    let resp = app.login("TARGET@corp.example", "target-passw0rd").await;
    resp.assert_error(429, 1101);
    let wait: u64 = resp.headers.get("retry-after").unwrap().to_str().unwrap().parse().unwrap();
    assert!(wait > 0 && wait <= 900, "{wait}");
    // Other users sign in, and other requests go through.
    assert_eq!(app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.status, 200);
    assert_eq!(app.get("/api/v1/users", &app.admin).await.status, 200);
}

#[tokio::test]
async fn failed_logins_from_one_address_are_throttled() {
    let app = spawn_app_with(|s| {
        s.login_limits.per_user = 100;
        s.login_limits.per_address = 4;
    })
    .await;
    for i in 0..4 {
        app.login(&format!("nobody{i}@corp.example"), "wrong-password")
            .await
            .assert_error(401, 1100);
    }
    app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.assert_error(429, 1101);
    assert_eq!(app.get("/api/v1/users", &app.admin).await.status, 200, "tokens keep working");
}

/// Parallel guesses for one account cannot all pass the check before the first is counted:
/// each attempt is taken before its hash runs, so at most the limit get a 401.
#[tokio::test]
async fn parallel_wrong_logins_get_at_most_the_limit_of_401s() {
    let app = spawn_app_with(|s| {
        s.login_limits.per_user = 5;
        s.login_limits.per_address = 10_000;
    })
    .await;
    app.create_user(json!({"email": "storm@corp.example", "password": "storm-passw0rd"})).await;
    let guesses: Vec<_> = (0..120)
        .map(|i| {
            let client = app.client.clone();
            tokio::spawn(async move {
                client.login("storm@corp.example", &format!("wrong-{i}")).await.status
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for guess in guesses {
        statuses.push(guess.await.unwrap());
    }
    let refused = statuses.iter().filter(|s| **s == 401).count();
    let throttled = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(refused + throttled, statuses.len(), "{statuses:?}");
    assert!(refused <= 5, "{refused} wrong passwords were checked");
}

/// A user's name and e-mail address are one account: failures under either count together.
#[tokio::test]
async fn user_name_and_email_are_one_account_for_throttling() {
    let app = spawn_app_with(|s| s.login_limits.per_user = 3).await;
    app.create_user(
        json!({"email": "twin@corp.example", "userName": "twinname", "password": "twin-passw0rd"}),
    )
    .await;
    app.login("twinname", "wrong-password").await.assert_error(401, 1100);
    app.login("twin@corp.example", "wrong-password").await.assert_error(401, 1100);
    app.login("TWINNAME", "wrong-password").await.assert_error(401, 1100);
    app.login("twin@corp.example", "twin-passw0rd").await.assert_error(429, 1101);
}

/// Deactivation ends a user's tokens for good: reactivating the user does not revive them, and
/// a fresh login works again.
#[tokio::test]
async fn reactivation_does_not_revive_old_tokens() {
    let app = spawn_app().await;
    let (user, token) = app.user_with_role("consumer", "back@corp.example").await;
    let path = format!("/api/v1/users/{}", id_of(&user));
    assert_eq!(app.get("/api/users/loggedin", &token).await.status, 200);
    for active in [false, true] {
        let resp = app.patch(&path, &app.admin, &json!({"active": active})).await;
        assert_eq!(resp.status, 200, "{}", resp.text);
    }
    app.get("/api/users/loggedin", &token).await.assert_error(401, 5002);
    let fresh = app.token("back@corp.example", "user-passw0rd").await;
    assert_eq!(app.get("/api/users/loggedin", &fresh).await.status, 200);
}

/// Behind a trusted proxy, failed logins count against the client the proxy names, so one
/// client's failures do not lock out everyone behind the proxy; without `--trusted-proxies` the
/// header is the client's own word and is ignored.
#[tokio::test]
async fn a_trusted_proxy_names_the_client_for_throttling() {
    let limits = |s: &mut tessera_server::config::Settings| {
        s.login_limits.per_user = 100;
        s.login_limits.per_address = 3;
    };
    async fn fail_from(app: &TestApp, client: &str) -> Resp {
        let req = app
            .request(Method::POST, "/api/v1/authentication/login")
            .header("x-forwarded-for", client)
            .json(&json!({"username": "nobody@corp.example", "password": "wrong"}));
        app.send(req).await
    }

    let behind = spawn_app_with(|s| {
        limits(s);
        s.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    for _ in 0..3 {
        fail_from(&behind, "198.51.100.1").await.assert_error(401, 1100);
    }
    fail_from(&behind, "198.51.100.1").await.assert_error(429, 1101);
    fail_from(&behind, "198.51.100.2").await.assert_error(401, 1100);

    let direct = spawn_app_with(limits).await;
    for client in ["198.51.100.1", "198.51.100.2", "198.51.100.3"] {
        fail_from(&direct, client).await.assert_error(401, 1100);
    }
    fail_from(&direct, "198.51.100.4").await.assert_error(429, 1101);
}

/// A hash made under another cost (an earlier configuration) is replaced by one of the
/// configured cost at the next sign-in, and the password still works; a current hash is kept.
#[tokio::test]
async fn a_hash_of_an_earlier_cost_is_replaced_at_sign_in() {
    let earlier =
        spawn_app_with(|s| s.hash_cost = HashCost { memory_kib: 512, iterations: 2 }).await;
    let user = json!({"email": "old@corp.example", "password": "old-passw0rd"});
    let id = id_of(&earlier.create_user(user.clone()).await);
    let old_hash = hash_of(&earlier, &id).await;
    assert!(old_hash.contains("m=512,t=2"), "{old_hash}");

    let app = spawn_app().await;
    let id = id_of(
        &app.create_user(json!({"email": "old@corp.example", "password": "other-passw0rd"})).await,
    );
    // A PHC string holds no quote: it can be written into the SQL.
    let sql = format!("UPDATE users SET password_hash = '{old_hash}' WHERE id = '{id}'");
    app.sql(&sql, Column::Text).await;

    assert_eq!(app.login("old@corp.example", "old-passw0rd").await.status, 200);
    let new_hash = hash_of(&app, &id).await;
    assert!(new_hash.contains("m=256,t=1"), "the configured cost: {new_hash}");
    assert_eq!(app.login("old@corp.example", "old-passw0rd").await.status, 200);
    assert_eq!(hash_of(&app, &id).await, new_hash, "a current hash is not made again");
    app.login("old@corp.example", "other-passw0rd").await.assert_error(401, 1100);
}

async fn hash_of(app: &TestApp, id: &str) -> String {
    let sql = format!("SELECT password_hash FROM users WHERE id = '{id}'");
    String::from_utf8(app.sql(&sql, Column::Text).await.unwrap()).unwrap()
}
