//! PostgreSQL behind more than one node, and PostgreSQL going away: these tests always run on
//! PostgreSQL, whichever engine the rest of the suite runs on (`TESSERA_TEST_ENGINE`), each on a
//! database of its own.

use reqwest::Method;
use serde_json::json;
use tessera_server::config::Secret;
use tessera_store::postgres::scratch::ScratchDatabase;

use crate::helpers::*;

/// Two nodes on one scratch database: the first initialises it, the second finds it
/// initialised.
async fn two_nodes() -> (ScratchDatabase, TestApp, TestApp) {
    let db = ScratchDatabase::create().await.unwrap();
    let url = db.url().to_owned();
    let a = spawn_app_with(|s| s.database_url = Some(Secret::new(url.clone()))).await;
    let b = spawn_app_with(|s| s.database_url = Some(Secret::new(url))).await;
    (db, a, b)
}

/// Runs one statement as the superuser, beside the nodes, from the server's `postgres`
/// database (a database cannot be closed from a connection to itself).
async fn superuser(db: &ScratchDatabase, sql: &str) {
    let (server, _) = db.url().rsplit_once('/').unwrap();
    let (client, connection) =
        tokio_postgres::connect(&format!("{server}/postgres"), tokio_postgres::NoTls)
            .await
            .unwrap();
    tokio::spawn(connection);
    client.batch_execute(sql).await.unwrap();
}

/// The database's name, from its URL.
fn name_of(db: &ScratchDatabase) -> &str {
    db.url().rsplit('/').next().unwrap()
}

/// Cuts every connection the nodes hold to the database.
async fn terminate_connections(db: &ScratchDatabase) {
    let name = name_of(db);
    superuser(
        db,
        &format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
              WHERE datname = '{name}' AND pid <> pg_backend_pid()"
        ),
    )
    .await;
}

#[tokio::test]
async fn twenty_identical_creates_split_across_two_nodes_make_one_group() {
    let (_db, a, b) = two_nodes().await;
    let body = Some(json!({"name": "Only Once"}));
    let mut sends = at_once(&a.client, &a.admin, "/api/v1/groups", body.clone(), 10);
    sends.extend(at_once(&b.client, &b.admin, "/api/v1/groups", body, 10));
    let answers = answers(sends).await;
    let created = answers.iter().filter(|r| r.status == 201).count();
    assert_eq!(created, 1, "{:?}", answers.iter().map(|r| r.status).collect::<Vec<_>>());
    for r in answers.iter().filter(|r| r.status != 201) {
        r.assert_error(409, 1009);
    }
}

#[tokio::test]
async fn a_write_on_one_node_is_read_on_the_other_at_once() {
    let (_db, a, b) = two_nodes().await;
    let user = a.create_user(json!({"email": "seen@corp.example", "firstName": "Before"})).await;
    let path = format!("/api/v1/users/{}", id_of(&user));
    assert_eq!(b.get(&path, &b.admin).await.json()["firstName"], "Before");
    // Read again with no write between: node B answers from its cache.
    let hits = |app: &TestApp| app.store.stats().caches.iter().map(|c| c.hits).sum::<u64>();
    let before = hits(&b);
    assert_eq!(b.get(&path, &b.admin).await.json()["firstName"], "Before");
    assert!(hits(&b) > before, "the second read was a cache hit");
    let changed = a.patch(&path, &a.admin, &json!({"firstName": "After"})).await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    assert_eq!(b.get(&path, &b.admin).await.json()["firstName"], "After");
    assert_eq!(a.delete(&path, &a.admin).await.status, 204);
    b.get(&path, &b.admin).await.assert_error(404, 202);
}

/// Every way a token stops working, answered by one node, holds on the other from the next
/// request on.
#[tokio::test]
async fn a_token_stopped_on_one_node_is_refused_by_the_other() {
    let (_db, a, b) = two_nodes().await;
    let make = |email: &'static str| {
        let a = &a;
        async move {
            let user = a
                .create_user(json!({"email": email, "password": "node-passw0rd", "roleId": a.role_id("consumer").await}))
                .await;
            (id_of(&user), a.token(email, "node-passw0rd").await)
        }
    };
    let me = "/api/users/loggedin";

    let (_, logged_out) = make("out@corp.example").await;
    assert_eq!(b.get(me, &logged_out).await.status, 200);
    assert_eq!(a.get("/api/v1/authentication/logout", &logged_out).await.status, 200);
    b.get(me, &logged_out).await.assert_error(401, 5002);

    let (id, deactivated) = make("off@corp.example").await;
    assert_eq!(b.get(me, &deactivated).await.status, 200);
    let path = format!("/api/v1/users/{id}");
    assert_eq!(a.patch(&path, &a.admin, &json!({"active": false})).await.status, 200);
    b.get(me, &deactivated).await.assert_error(401, 5002);

    let (id, repassworded) = make("pw@corp.example").await;
    assert_eq!(b.get(me, &repassworded).await.status, 200);
    let path = format!("/api/v1/users/{id}");
    let changed = a.patch(&path, &a.admin, &json!({"password": "new-passw0rd-1"})).await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    b.get(me, &repassworded).await.assert_error(401, 5002);

    let (id, deleted) = make("gone@corp.example").await;
    assert_eq!(b.get(me, &deleted).await.status, 200);
    assert_eq!(a.delete(&format!("/api/v1/users/{id}"), &a.admin).await.status, 204);
    b.get(me, &deleted).await.assert_error(401, 5002);
}

/// The database refusing connections is a 503 in the envelope with `Retry-After` (never a 500,
/// never a hang), `/readyz` says so, and the node serves again by itself once it is back.
#[tokio::test]
async fn a_database_that_goes_away_is_a_503_and_the_node_recovers() {
    let db = ScratchDatabase::create().await.unwrap();
    let url = db.url().to_owned();
    let app = spawn_app_with(|s| s.database_url = Some(Secret::new(url))).await;
    assert_eq!(app.get("/api/v1/users", &app.admin).await.status, 200);

    let name = name_of(&db).to_owned();
    superuser(&db, &format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false")).await;
    terminate_connections(&db).await;
    // The pool notices a cut connection when it next uses it: until then a request may still
    // be answered; every answer is a 200 or a 503, and a 503 comes.
    let mut refused = None;
    for _ in 0..50 {
        let resp = app.get("/api/v1/users", &app.admin).await;
        if resp.status == 503 {
            refused = Some(resp);
            break;
        }
        assert_eq!(resp.status, 200, "{}", resp.text);
    }
    let refused = refused.expect("the database refusing connections is a 503");
    refused.assert_error(503, 1503);
    assert_eq!(refused.headers.get("retry-after").unwrap(), "1");
    let ready = app.send(app.request(Method::GET, "/readyz")).await;
    ready.assert_error(503, 1501);
    app.post("/api/v1/groups", &app.admin, &json!({"name": "While Away"}))
        .await
        .assert_error(503, 1503);

    superuser(&db, &format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true")).await;
    assert_eq!(app.send(app.request(Method::GET, "/readyz")).await.status, 200);
    assert_eq!(app.get("/api/v1/users", &app.admin).await.status, 200);
    assert_eq!(app.post("/api/v1/groups", &app.admin, &json!({"name": "Back"})).await.status, 201);
}

/// Connections cut again and again while requests run: every answer is a success or a 503,
/// and once the cuts stop every request succeeds.
#[tokio::test]
async fn connections_cut_mid_run_give_503s_not_500s() {
    let db = ScratchDatabase::create().await.unwrap();
    let url = db.url().to_owned();
    let app = spawn_app_with(|s| s.database_url = Some(Secret::new(url))).await;
    for round in 0..5 {
        let mut sent = at_once(&app.client, &app.admin, "/api/v1/users", None, 8);
        let body = json!({"name": format!("Round {round}")});
        sent.extend(at_once(&app.client, &app.admin, "/api/v1/groups", Some(body), 1));
        terminate_connections(&db).await;
        for resp in answers(sent).await {
            match resp.status {
                200 | 201 => {}
                _ => {
                    resp.assert_error(503, 1503);
                }
            }
        }
    }
    // The cuts are over: connections the pool still holds are found closed and replaced.
    for _ in 0..3 {
        let first = app.get("/api/v1/users", &app.admin).await;
        if first.status == 200 {
            break;
        }
        first.assert_error(503, 1503);
    }
    for _ in 0..20 {
        assert_eq!(app.get("/api/v1/users", &app.admin).await.status, 200);
    }
}

/// `n` requests sent at once: `GET path`, or `POST path` with `body`, each on its own task.
fn at_once(
    client: &Client, token: &str, path: &str, body: Option<serde_json::Value>, n: usize,
) -> Vec<tokio::task::JoinHandle<Resp>> {
    (0..n)
        .map(|_| {
            let (client, token, path, body) =
                (client.clone(), token.to_owned(), path.to_owned(), body.clone());
            tokio::spawn(async move {
                match body {
                    Some(body) => client.post(&path, &token, &body).await,
                    None => client.get(&path, &token).await,
                }
            })
        })
        .collect()
}

async fn answers(tasks: Vec<tokio::task::JoinHandle<Resp>>) -> Vec<Resp> {
    let mut out = Vec::with_capacity(tasks.len());
    for task in tasks {
        out.push(task.await.unwrap());
    }
    out
}

/// Failed sign-ins count across nodes: failures on one node and the other add up to the
/// account's limit, and either node then refuses the account; a right password on one node
/// clears the count on both.
#[tokio::test]
async fn failed_sign_ins_are_counted_across_nodes() {
    let (_db, a, b) = two_nodes().await;
    a.create_user(json!({"email": "guess@corp.example", "password": "right-passw0rd"})).await;
    // The default limit: 5 failures per account in the window.
    for node in [&a, &b, &a, &b] {
        node.login("guess@corp.example", "wrong-passw0rd").await.assert_error(401, 1100);
    }
    assert_eq!(b.login("guess@corp.example", "right-passw0rd").await.status, 200);
    for node in [&a, &b, &a, &b, &a] {
        node.login("guess@corp.example", "wrong-passw0rd").await.assert_error(401, 1100);
    }
    for node in [&a, &b] {
        let refused = node.login("guess@corp.example", "right-passw0rd").await;
        refused.assert_error(429, 1101);
        assert!(refused.headers.get("retry-after").is_some());
    }
}
