//! Browser sessions: the cookies a sign-in sets, the API on the session cookie, the XSRF
//! double-submit check, and the ways a session ends.

use reqwest::Method;
use serde_json::json;

use crate::helpers::*;

/// The `Set-Cookie` headers of a response, by cookie name.
fn set_cookie<'a>(resp: &'a Resp, name: &str) -> Option<&'a str> {
    resp.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
}

fn value_of(set_cookie: &str) -> String {
    let pair = set_cookie.split(';').next().unwrap();
    pair.split_once('=').unwrap().1.to_owned()
}

fn attributes(set_cookie: &str) -> Vec<String> {
    set_cookie.split(';').skip(1).map(|a| a.trim().to_ascii_lowercase()).collect()
}

/// A browser session: the two cookie values a sign-in set.
struct Session {
    token: String,
    xsrf: String,
}

impl Session {
    fn cookie(&self) -> String {
        format!("tessera_session={}; XSRF-TOKEN={}", self.token, self.xsrf)
    }
}

async fn sign_in(client: &Client, body: serde_json::Value) -> (Resp, Session) {
    let resp =
        client.send(client.request(Method::POST, "/api/v1/authentication/login").json(&body)).await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    let token = value_of(set_cookie(&resp, "tessera_session").expect("a session cookie"));
    let xsrf = value_of(set_cookie(&resp, "XSRF-TOKEN").expect("an XSRF cookie"));
    (resp, Session { token, xsrf })
}

fn admin_credentials() -> serde_json::Value {
    json!({"username": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
}

#[tokio::test]
async fn a_sign_in_sets_an_http_only_session_and_a_readable_xsrf_cookie() {
    let app = spawn_app().await;
    let (resp, session) = sign_in(&app, admin_credentials()).await;
    // Scripts keep reading access_token; it is the session's token.
    assert_eq!(resp.json()["access_token"], session.token.as_str());

    let session_attrs = attributes(set_cookie(&resp, "tessera_session").unwrap());
    for expected in ["httponly", "samesite=lax", "path=/"] {
        assert!(session_attrs.contains(&expected.to_owned()), "{session_attrs:?}");
    }
    let xsrf_attrs = attributes(set_cookie(&resp, "XSRF-TOKEN").unwrap());
    assert!(!xsrf_attrs.contains(&"httponly".to_owned()), "scripts must read it: {xsrf_attrs:?}");
    assert!(xsrf_attrs.contains(&"samesite=lax".to_owned()));
    // Plain HTTP: not Secure. Without "remember me": cookies that end with the browser.
    for attrs in [&session_attrs, &xsrf_attrs] {
        assert!(!attrs.contains(&"secure".to_owned()), "{attrs:?}");
        assert!(!attrs.iter().any(|a| a.starts_with("max-age") || a.starts_with("expires")));
    }

    // A fresh value at every sign-in.
    let (_, again) = sign_in(&app, admin_credentials()).await;
    assert_ne!(again.token, session.token);
    assert_ne!(again.xsrf, session.xsrf);
}

#[tokio::test]
async fn remember_me_keeps_the_session_as_long_as_the_token_lives() {
    let app = spawn_app_with(|s| s.token_lifetime_secs = 7200).await;
    let mut body = admin_credentials();
    body["rememberMe"] = json!(true);
    let (resp, _) = sign_in(&app, body).await;
    for name in ["tessera_session", "XSRF-TOKEN"] {
        let attrs = attributes(set_cookie(&resp, name).unwrap());
        let max_age: i64 = attrs
            .iter()
            .find_map(|a| a.strip_prefix("max-age="))
            .unwrap_or_else(|| panic!("no Max-Age on {name}: {attrs:?}"))
            .parse()
            .unwrap();
        assert!((7100..=7200).contains(&max_age), "{name}: {max_age}");
    }
}

#[tokio::test]
async fn the_api_accepts_the_session_cookie_and_reads_need_no_xsrf_header() {
    let app = spawn_app().await;
    let (_, session) = sign_in(&app, admin_credentials()).await;
    let users = app
        .send(app.request(Method::GET, "/api/v1/users").header("Cookie", session.cookie()))
        .await;
    assert_eq!(users.status, 200, "{}", users.text);
    assert!(users.text.contains(ADMIN_EMAIL));

    let isauth = app
        .send(app.request(Method::GET, "/api/auth/isauth").header("Cookie", session.cookie()))
        .await;
    assert_eq!(isauth.json()["isAuthenticated"], true);

    // A forged session cookie is no session.
    let forged = format!("tessera_session={}x", session.token);
    app.send(app.request(Method::GET, "/api/v1/users").header("Cookie", forged))
        .await
        .assert_error(401, 5002);
}

#[tokio::test]
async fn a_cookie_write_needs_the_matching_xsrf_header_and_a_bearer_write_does_not() {
    let app = spawn_app().await;
    let (_, session) = sign_in(&app, admin_credentials()).await;
    let create = |name: &str| {
        app.request(Method::POST, "/api/v1/groups")
            .header("Cookie", session.cookie())
            .json(&json!({"name": name}))
    };

    // No header, a wrong header, and the XSRF value of another session: refused, nothing stored.
    app.send(create("no-header")).await.assert_error(403, 1102);
    app.send(create("wrong").header("X-XSRF-TOKEN", "0".repeat(32))).await.assert_error(403, 1102);
    let (_, other) = sign_in(&app, admin_credentials()).await;
    app.send(create("other").header("X-XSRF-TOKEN", &other.xsrf)).await.assert_error(403, 1102);
    let groups = app.get("/api/v1/groups", &app.admin).await;
    for name in ["no-header", "wrong", "other"] {
        assert!(!groups.text.contains(&format!("\"{name}\"")), "{name} was stored");
    }

    // The header equal to the cookie: accepted.
    let ok = app.send(create("right").header("X-XSRF-TOKEN", &session.xsrf)).await;
    assert_eq!(ok.status, 201, "{}", ok.text);
    // A bearer request needs no header, even with cookies beside it.
    let bearer = app
        .send(
            app.request(Method::POST, "/api/v1/groups")
                .bearer_auth(&app.admin)
                .header("Cookie", format!("XSRF-TOKEN={}", session.xsrf))
                .json(&json!({"name": "bearer"})),
        )
        .await;
    assert_eq!(bearer.status, 201, "{}", bearer.text);
}

#[tokio::test]
async fn signing_out_revokes_the_session_and_clears_both_cookies() {
    let app = spawn_app().await;
    for path in ["/api/auth/logout", "/api/v1/authentication/logout"] {
        let (_, session) = sign_in(&app, admin_credentials()).await;
        let out = app.send(app.request(Method::GET, path).header("Cookie", session.cookie())).await;
        assert_eq!(out.status, 200, "{path}: {}", out.text);
        for name in ["tessera_session", "XSRF-TOKEN"] {
            let cleared = set_cookie(&out, name).unwrap_or_else(|| panic!("{path}: {name}"));
            assert_eq!(value_of(cleared), "", "{path}: {cleared}");
            assert!(attributes(cleared).contains(&"max-age=0".to_owned()), "{cleared}");
        }
        app.send(app.request(Method::GET, "/api/v1/users").header("Cookie", session.cookie()))
            .await
            .assert_error(401, 5002);
    }
}

#[tokio::test]
async fn what_ends_a_token_ends_a_browser_session() {
    let app = spawn_app().await;
    let (user, _) = app.user_with_role("consumer", "viewer@example.com").await;
    let id = id_of(&user);
    let signed_in = |app: &TestApp| {
        let app = app.client.clone();
        async move {
            let body = json!({"username": "viewer@example.com", "password": "user-passw0rd"});
            sign_in(&app, body).await.1
        }
    };
    let status = |session: Session| {
        let client = app.client.clone();
        async move {
            let req = client.request(Method::GET, "/api/users/loggedin");
            client.send(req.header("Cookie", session.cookie())).await.status
        }
    };

    // Admin revocation.
    let session = signed_in(&app).await;
    let revoke = format!("/api/v1/authentication/admin/tokens/api?users={id}");
    assert_eq!(app.delete(&revoke, &app.admin).await.status, 204);
    assert_eq!(status(session).await, 401);

    // A new password.
    let session = signed_in(&app).await;
    let patch = json!({"password": "another-passw0rd"});
    assert_eq!(app.patch(&format!("/api/v1/users/{id}"), &app.admin, &patch).await.status, 200);
    assert_eq!(status(session).await, 401);
    let patch = json!({"password": "user-passw0rd"});
    assert_eq!(app.patch(&format!("/api/v1/users/{id}"), &app.admin, &patch).await.status, 200);

    // Deactivation, then deletion.
    let session = signed_in(&app).await;
    let off = json!({"active": false});
    assert_eq!(app.patch(&format!("/api/v1/users/{id}"), &app.admin, &off).await.status, 200);
    assert_eq!(status(session).await, 401);
    let on = json!({"active": true});
    assert_eq!(app.patch(&format!("/api/v1/users/{id}"), &app.admin, &on).await.status, 200);
    let session = signed_in(&app).await;
    assert_eq!(app.delete(&format!("/api/v1/users/{id}"), &app.admin).await.status, 204);
    assert_eq!(status(session).await, 401);
}

#[tokio::test]
async fn cookies_are_secure_behind_a_trusted_proxy_that_forwarded_https() {
    let app = spawn_app_with(|s| s.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()]).await;
    let login = |proto: &'static str| {
        app.request(Method::POST, "/api/v1/authentication/login")
            .header("X-Forwarded-Proto", proto)
            .json(&admin_credentials())
    };
    let https = app.send(login("https")).await;
    assert!(attributes(set_cookie(&https, "tessera_session").unwrap()).contains(&"secure".into()));
    let http = app.send(login("http")).await;
    assert!(!attributes(set_cookie(&http, "tessera_session").unwrap()).contains(&"secure".into()));

    // From a client that is not a trusted proxy, the header is not believed.
    let untrusted = spawn_app().await;
    let resp = untrusted
        .send(
            untrusted
                .request(Method::POST, "/api/v1/authentication/login")
                .header("X-Forwarded-Proto", "https")
                .json(&admin_credentials()),
        )
        .await;
    assert!(!attributes(set_cookie(&resp, "tessera_session").unwrap()).contains(&"secure".into()));
}
