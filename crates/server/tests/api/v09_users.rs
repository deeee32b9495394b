//! API 0.9 reads of users: `GET /api/users` (search, limit, skip), `/count`, `/{idOrUserName}`.

use serde_json::{Value, json};

use crate::helpers::*;

fn emails(v: &Value) -> Vec<String> {
    let mut e: Vec<String> =
        v.as_array().unwrap().iter().map(|u| u["email"].as_str().unwrap().to_owned()).collect();
    e.sort();
    e
}

#[tokio::test]
async fn list_searches_pages_and_names_the_role() {
    let app = spawn_app().await;
    app.create_user(
        json!({"email": "north@corp.example", "userName": "nina", "firstName": "Nina"}),
    )
    .await;
    app.create_user(
        json!({"email": "south@corp.example", "userName": "sam", "lastName": "Northcott"}),
    )
    .await;
    app.create_user(json!({"email": "east@corp.example", "userName": "eve"})).await;

    let found = app.get("/api/users?search=NORTH", &app.admin).await;
    assert_eq!(found.status, 200, "{}", found.text);
    assert_eq!(
        emails(&found.json()),
        ["north@corp.example", "south@corp.example"],
        "e-mail and last name"
    );
    assert_eq!(
        emails(&app.get("/api/users?search=nin", &app.admin).await.json()),
        ["north@corp.example"]
    );

    let all = app.get("/api/users?sort=email", &app.admin).await.json();
    assert_eq!(all.as_array().unwrap().len(), 4);
    assert_eq!(all[0]["email"], ADMIN_EMAIL);
    assert_eq!(all[0]["roleName"], "super");
    assert_eq!(all[1]["roleName"], "consumer");
    let page = app.get("/api/users?sort=email&limit=2&skip=1", &app.admin).await.json();
    assert_eq!(page.as_array().unwrap(), &all.as_array().unwrap()[1..3]);
    assert_eq!(
        app.get("/api/users?fields=email&limit=1&sort=email", &app.admin).await.json(),
        json!([{"email": ADMIN_EMAIL}])
    );
    app.get("/api/users?limit=-1", &app.admin).await.assert_error(400, 1005);
}

#[tokio::test]
async fn count_counts_the_matches() {
    let app = spawn_app().await;
    app.create_user(json!({"email": "c1@corp.example"})).await;
    app.create_user(json!({"email": "c2@corp.example"})).await;
    assert_eq!(app.get("/api/users/count", &app.admin).await.json(), json!({"count": 3}));
    assert_eq!(
        app.get("/api/users/count?search=c2@", &app.admin).await.json(),
        json!({"count": 1})
    );
}

#[tokio::test]
async fn a_user_by_id_user_name_or_email() {
    let app = spawn_app().await;
    let user = app.create_user(json!({"email": "key@corp.example", "userName": "KeyUser"})).await;
    for key in [id_of(&user), "keyuser".to_owned(), "KEY@corp.example".to_owned()] {
        let resp = app.get(&format!("/api/users/{key}"), &app.admin).await;
        assert_eq!(resp.status, 200, "{key}: {}", resp.text);
        assert_eq!(resp.json()["_id"], user["_id"], "{key}");
    }
    let err = app.get("/api/users/nobody", &app.admin).await.assert_error(404, 202);
    assert_eq!(err["resourceName"], "nobody");
    // The static routes win over the key.
    assert_eq!(app.get("/api/users/loggedin", &app.admin).await.json()["email"], ADMIN_EMAIL);
    assert!(app.get("/api/users/count", &app.admin).await.json()["count"].is_number());
}

/// A 0.9 route that names a user by user name, e-mail or group name resolves it with one read,
/// and the work after it reuses what that read found: a GET costs one read in all, a write one
/// read before its own write.
#[tokio::test]
async fn a_key_is_resolved_with_one_read() {
    let app = spawn_app().await;
    app.create_user(json!({"email": "once@corp.example", "userName": "once"})).await;
    let group = app.post("/api/v1/groups", &app.admin, &json!({"name": "Once Group"})).await;
    assert_eq!(group.status, 201, "{}", group.text);
    // What authenticating a request costs: nothing once SQLite's cache holds the caller's
    // record (the first request puts it there), the auth record and the logged-out check on
    // PostgreSQL, which keeps nothing between requests.
    app.get("/api/users/loggedin", &app.admin).await;
    let before = app.store.stats();
    assert_eq!(app.get("/api/auth/isauth", &app.admin).await.json()["isAuthenticated"], true);
    let authenticating = app.store.stats().reads - before.reads;

    for path in ["/api/users/once", "/api/users/ONCE@corp.example", "/api/groups/once%20group"] {
        let before = app.store.stats();
        let resp = app.get(path, &app.admin).await;
        assert_eq!(resp.status, 200, "{path}: {}", resp.text);
        let after = app.store.stats();
        assert_eq!(after.reads - before.reads, authenticating + 1, "{path}");
        assert_eq!(after.writes, before.writes, "{path}");
    }

    // A write costs what the same 1.0 write by id costs, plus that one read.
    let twin = app.create_user(json!({"email": "twin@corp.example", "userName": "twin"})).await;
    let cost = |before: tessera_store::Stats, after: tessera_store::Stats| {
        (after.reads - before.reads, after.writes - before.writes)
    };
    let before = app.store.stats();
    let resp = app.patch("/api/users/once", &app.admin, &json!({"firstName": "Olga"})).await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    let by_name = cost(before, app.store.stats());
    let before = app.store.stats();
    let path = format!("/api/v1/users/{}", twin["_id"].as_str().unwrap());
    let resp = app.patch(&path, &app.admin, &json!({"firstName": "Olga"})).await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    let by_id = cost(before, app.store.stats());
    assert_eq!(by_name, (by_id.0 + 1, by_id.1), "0.9 by name against 1.0 by id");
}
