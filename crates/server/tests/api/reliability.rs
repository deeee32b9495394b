//! The kill -9 durability loop: rounds of concurrent creates, bulk creates and PATCHes against
//! the real binary, killed with SIGKILL at a random moment and restarted. Every write that was
//! acknowledged must be there and equal, a PATCH in flight at the kill may or may not have
//! landed but nothing else may appear, and the database must pass `PRAGMA integrity_check`.
//!
//! `RELIABILITY_ROUNDS` sets the rounds: 3 in the ordinary test run, 20 from
//! `tests/reliability/run.sh`, whose figures are in `docs/RELIABILITY.md`.

use std::collections::HashMap;
use std::time::Duration;

use rand::Rng;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::process::Server;

/// What one PATCH writer knows of its target when the server dies: the last value it was told
/// is stored, and the value of a PATCH it sent but got no answer to.
#[derive(Debug, Default, Clone)]
struct Patched {
    acknowledged: Option<String>,
    in_flight: Option<String>,
}

/// Everything acknowledged so far, across rounds.
#[derive(Default)]
struct Ledger {
    /// Created users (one by one and in bulk) as the server answered them.
    created: HashMap<String, Value>,
    /// PATCH targets by id.
    patched: HashMap<String, Patched>,
}

/// A request that fails because the server died is the end of that writer's round.
async fn try_post(client: &Client, token: &str, path: &str, body: &Value) -> Option<Resp> {
    let req = client.request(Method::POST, path).bearer_auth(token).json(body);
    client.try_send(req).await.ok()
}

async fn create_one_by_one(client: Client, token: String, round: usize) -> Vec<Value> {
    let mut done = Vec::new();
    for i in 0.. {
        let body = json!({"email": format!("r{round}-one{i}@corp.example"), "firstName": "One"});
        match try_post(&client, &token, "/api/v1/users", &body).await {
            Some(resp) if resp.status == 201 => done.push(resp.json()),
            _ => break,
        }
    }
    done
}

async fn create_in_bulk(client: Client, token: String, round: usize) -> Vec<Value> {
    let mut done = Vec::new();
    for batch in 0.. {
        let users: Vec<Value> = (0..10)
            .map(|i| json!({"email": format!("r{round}-bulk{batch}-{i}@corp.example")}))
            .collect();
        match try_post(&client, &token, "/api/v1/users/bulk", &Value::Array(users)).await {
            Some(resp) if resp.status == 201 => {
                done.extend(resp.json().as_array().unwrap().iter().cloned())
            }
            _ => break,
        }
    }
    done
}

/// PATCHes the targets in turn, one request at a time, so at most one is in flight at the kill.
async fn patch_in_turn(
    client: Client, token: String, round: usize, mut targets: HashMap<String, Patched>,
) -> (HashMap<String, Patched>, usize) {
    let ids: Vec<String> = targets.keys().cloned().collect();
    let mut acknowledged = 0;
    for n in 0.. {
        let id = &ids[n % ids.len()];
        let value = format!("r{round}-v{n}");
        targets.get_mut(id).unwrap().in_flight = Some(value.clone());
        let req = client
            .request(Method::PATCH, &format!("/api/v1/users/{id}"))
            .bearer_auth(&token)
            .json(&json!({"firstName": value}));
        match client.try_send(req).await {
            Ok(resp) if resp.status == 200 => {
                let target = targets.get_mut(id).unwrap();
                target.acknowledged = target.in_flight.take();
                acknowledged += 1;
            }
            _ => break,
        }
    }
    (targets, acknowledged)
}

/// Every acknowledged write is there and equal; a PATCH target holds its acknowledged value or
/// the one in flight at the kill.
async fn verify(client: &Client, token: &str, ledger: &Ledger) {
    for (id, doc) in &ledger.created {
        let stored = client.get(&format!("/api/v1/users/{id}"), token).await;
        assert_eq!(stored.status, 200, "acknowledged user {id} lost: {}", stored.text);
        assert_eq!(&stored.json(), doc, "acknowledged user {id} changed");
    }
    for (id, patched) in &ledger.patched {
        let stored = client.get(&format!("/api/v1/users/{id}"), token).await.json();
        let name = stored["firstName"].as_str().map(str::to_owned);
        let mut allowed = vec![patched.acknowledged.clone()];
        allowed.extend(patched.in_flight.clone().map(Some));
        assert!(allowed.contains(&name), "PATCH target {id} holds {name:?}; knew {patched:?}");
    }
}

fn integrity_check(dir: &std::path::Path) {
    let db = rusqlite::Connection::open(dir.join(tessera_store::sqlite::DATABASE_FILE)).unwrap();
    let result: String = db.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(result, "ok");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_at_a_random_moment_loses_no_acknowledged_write() {
    let rounds: usize =
        std::env::var("RELIABILITY_ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(3);
    let dir = tempfile::tempdir().unwrap();
    let env = [("TESSERA_ADMIN_PASSWORD", ADMIN_PASSWORD)];
    let mut ledger = Ledger::default();
    let mut acknowledged_writes = 0;
    for round in 0..rounds {
        let server = Server::start(dir.path(), &env, &[]);
        let client = server.client.clone();
        let token = client.token(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        verify(&client, &token, &ledger).await;

        let mut targets = HashMap::new();
        for t in 0..4 {
            let body = json!({"email": format!("r{round}-target{t}@corp.example")});
            let user = client.post("/api/v1/users", &token, &body).await.json();
            targets.insert(id_of(&user), Patched::default());
        }
        let one = tokio::spawn(create_one_by_one(client.clone(), token.clone(), round));
        let bulk = tokio::spawn(create_in_bulk(client.clone(), token.clone(), round));
        let patch = tokio::spawn(patch_in_turn(client.clone(), token.clone(), round, targets));
        // The random moment of the kill, not a synchronisation: the writers run until it.
        let moment = rand::rng().random_range(200..1500);
        tokio::time::sleep(Duration::from_millis(moment)).await;
        server.kill_9();

        for doc in one.await.unwrap().into_iter().chain(bulk.await.unwrap()) {
            acknowledged_writes += 1;
            ledger.created.insert(id_of(&doc), doc);
        }
        let (patched, acknowledged) = patch.await.unwrap();
        acknowledged_writes += acknowledged;
        ledger.patched.extend(patched);
        integrity_check(dir.path());
    }
    let server = Server::start(dir.path(), &env, &[]);
    let token = server.client.token(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    verify(&server.client, &token, &ledger).await;
    // Nothing exists but the administrator, the PATCH targets, the acknowledged creates and at
    // most the creates in flight at each kill (one single, one bulk of ten).
    let stored = server.client.get("/api/v1/users", &token).await.json().as_array().unwrap().len();
    let known = 1 + ledger.patched.len() + ledger.created.len();
    assert!((known..=known + 11 * rounds).contains(&stored), "{stored} stored, {known} known");
    assert!(acknowledged_writes > 0, "the writers got nothing acknowledged");
    let (exit, _) = server.terminate();
    assert!(exit.success());
    integrity_check(dir.path());
    eprintln!("reliability: {rounds} rounds, {acknowledged_writes} acknowledged writes, none lost");
}
