//! `GET /metrics`: administrators only on the main address, open on `--metrics-listen`; what it
//! counts (requests by route template, latency, sign-ins, caches, pool, revocations).

use serde_json::json;

use crate::helpers::*;

/// The value of the sample `name` whose labels include every pair of `labels`.
fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    text.lines().filter(|l| !l.starts_with('#')).find_map(|line| {
        let (series, value) = line.rsplit_once(' ')?;
        let (series_name, found) = match series.split_once('{') {
            Some((n, rest)) => (n, parse_labels(rest.strip_suffix('}')?)),
            None => (series, Vec::new()),
        };
        let wanted = labels.iter().all(|(k, v)| found.iter().any(|(fk, fv)| fk == k && fv == v));
        (series_name == name && wanted).then(|| value.parse().ok()).flatten()
    })
}

/// `k="v",k2="v2"`, where a value may hold braces and commas.
fn parse_labels(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some((key, after)) = rest.split_once("=\"") {
        let end = after.find('"').unwrap();
        out.push((key.trim_start_matches(',').to_owned(), after[..end].to_owned()));
        rest = &after[end + 1..];
    }
    out
}

async fn scrape(app: &TestApp) -> String {
    let resp = app.get("/metrics", &app.admin).await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    resp.text
}

#[tokio::test]
async fn only_administrators_read_metrics_on_the_main_address() {
    let app = spawn_app().await;
    app.get("/metrics", "").await.assert_error(401, 5002);
    let (_, viewer) = app.user_with_role("consumer", "viewer@corp.example").await;
    app.get("/metrics", &viewer).await.assert_error(403, 1010);
    let resp = app.request(reqwest::Method::GET, "/metrics").bearer_auth(&app.admin).send().await;
    let resp = resp.unwrap();
    assert_eq!(resp.status(), 200);
    let media_type = resp.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(media_type.starts_with("text/plain; version=0.0.4"), "{media_type}");
}

#[tokio::test]
async fn requests_are_counted_by_route_template_method_and_status() {
    let app = spawn_app().await;
    let user = app.create_user(json!({"email": "counted@corp.example"})).await;
    let path = format!("/api/v1/users/{}", id_of(&user));
    for _ in 0..3 {
        assert_eq!(app.get(&path, &app.admin).await.status, 200);
    }
    app.get("/api/v1/users/000000000000000000000000", &app.admin).await.assert_error(404, 202);
    app.get("/no/such/thing/at/all", &app.admin).await;
    let made_up = reqwest::Method::from_bytes(b"BREW").unwrap();
    app.send(app.request(made_up, "/api/v1/users").bearer_auth(&app.admin)).await;

    let text = scrape(&app).await;
    let by_id = [("method", "GET"), ("route", "/api/v1/users/{id}")];
    let ok = [by_id[0], by_id[1], ("status", "200")];
    assert_eq!(sample(&text, "tessera_http_requests_total", &ok), Some(3.0), "{text}");
    let missing = [by_id[0], by_id[1], ("status", "404")];
    assert_eq!(sample(&text, "tessera_http_requests_total", &missing), Some(1.0));
    let created = [("method", "POST"), ("route", "/api/v1/users"), ("status", "201")];
    assert_eq!(sample(&text, "tessera_http_requests_total", &created), Some(1.0));
    // A path no route matches adds no series of its own.
    assert!(!text.contains("/no/such/thing"), "{text}");
    let unmatched = [("route", "unmatched"), ("status", "404")];
    assert_eq!(sample(&text, "tessera_http_requests_total", &unmatched), Some(1.0));
    // Nor does a made-up method.
    assert!(!text.contains("BREW"), "{text}");
    let other = [("method", "other"), ("route", "/api/v1/users"), ("status", "405")];
    assert_eq!(sample(&text, "tessera_http_requests_total", &other), Some(1.0), "{text}");
    // Latency is a histogram: four requests to the route, all under ten seconds.
    let all = [by_id[0], by_id[1], ("le", "10")];
    assert_eq!(sample(&text, "tessera_http_request_duration_seconds_bucket", &all), Some(4.0));
    let count = sample(&text, "tessera_http_request_duration_seconds_count", &by_id);
    assert_eq!(count, Some(4.0));
}

#[tokio::test]
async fn sign_ins_caches_pool_and_revocations_are_reported() {
    let app = spawn_app().await;
    app.create_user(
        json!({"email": "in@corp.example", "password": "in-passw0rd", "active": false}),
    )
    .await;
    app.login(ADMIN_EMAIL, "wrong-passw0rd").await.assert_error(401, 1100);
    app.login("nobody@corp.example", "wrong-passw0rd").await.assert_error(401, 1100);
    app.login("in@corp.example", "in-passw0rd").await.assert_error(401, 1100);
    let token = app.token(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    app.get("/api/v1/authentication/logout", &token).await;

    let text = scrape(&app).await;
    let logins = |outcome| sample(&text, "tessera_logins_total", &[("outcome", outcome)]);
    // The test server's own sign-in and this one.
    assert_eq!(logins("success"), Some(2.0), "{text}");
    assert_eq!(logins("wrong_password"), Some(1.0));
    assert_eq!(logins("unknown_user"), Some(1.0));
    assert_eq!(logins("inactive_user"), Some(1.0));
    // On SQLite the logged-out tokens are held in memory, and every request authenticates
    // through the auth cache (the scrape itself was a hit); PostgreSQL's nodes hold neither
    // (docs/scale-out.md), and report none.
    let (held, hit) = if on_postgres() { (0.0, 0.0) } else { (1.0, 1.0) };
    assert_eq!(sample(&text, "tessera_revoked_tokens", &[]), Some(held));
    let hits = sample(&text, "tessera_cache_hits_total", &[("cache", "auth")]).unwrap_or(0.0);
    assert!(hits >= hit, "{text}");
    let misses = sample(&text, "tessera_cache_misses_total", &[("cache", "auth")]).unwrap_or(0.0);
    assert!(misses >= hit);
    assert!(sample(&text, "tessera_store_pool_max_connections", &[]).unwrap() >= 1.0);
    assert!(sample(&text, "tessera_store_writes_total", &[]).unwrap() >= 2.0);
    assert_eq!(sample(&text, "tessera_http_connections_open", &[]).map(|n| n >= 1.0), Some(true));
}

#[tokio::test]
async fn the_metrics_address_serves_metrics_without_a_token_and_nothing_else() {
    let app = spawn_app_with(|s| s.metrics_listen = Some("127.0.0.1:0".parse().unwrap())).await;
    let open = Client::new(format!("http://{}", app.metrics_addr.unwrap()));
    let resp = open.get("/metrics", "").await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    assert!(resp.text.contains("# TYPE tessera_store_reads_total counter"), "{}", resp.text);
    let version = tessera_server::VERSION;
    assert_eq!(sample(&resp.text, "tessera_build_info", &[("version", version)]), Some(1.0));
    open.get("/api/v1/users", &app.admin).await.assert_error(404, 1000);
    open.get("/healthz", "").await.assert_error(404, 1000);
}
