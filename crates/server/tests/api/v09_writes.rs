//! API 0.9 under `/api`: array-body creates answered with 200, users and groups by id or name,
//! group members, dashboards, widgets and shares. Each is a thin adapter over the 1.0 route.

use serde_json::{Value, json};

use crate::helpers::*;

fn ids(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(id_of).collect()
}

#[tokio::test]
async fn users_created_changed_and_deleted_by_id_or_name() {
    let app = spawn_app().await;
    let r = app
        .post(
            "/api/users",
            &app.admin,
            &json!([{"email": "a@example.com", "userName": "alice"}, {"email": "b@example.com"}]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let created = r.json();
    assert_eq!(created.as_array().unwrap().len(), 2);
    let one = app.post("/api/users", &app.admin, &json!({"email": "c@example.com"})).await;
    assert_eq!(one.status, 200);
    assert_eq!(one.json()[0]["email"], "c@example.com");
    // All or none: a duplicate in the batch stores nothing.
    app.post(
        "/api/users",
        &app.admin,
        &json!([{"email": "d@example.com"}, {"email": "a@example.com"}]),
    )
    .await
    .assert_error(409, 1009);
    assert_eq!(app.get("/api/users/d@example.com", &app.admin).await.status, 404);

    // By user name and by e-mail.
    let r = app.patch("/api/users/alice", &app.admin, &json!({"firstName": "Alice"})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["firstName"], "Alice");
    let r = app
        .put(
            "/api/users/b@example.com",
            &app.admin,
            &json!({"email": "b@example.com", "lastName": "B"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["lastName"], "B");
    let alice = id_of(&created[0]);
    let r = app.delete("/api/users/alice", &app.admin).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json(), json!({"deleted": [alice]}));
    app.delete("/api/users/alice", &app.admin).await.assert_error(404, 202);

    // POST /api/users/delete: ids, all or none.
    let b = id_of(&created[1]);
    app.post("/api/users/delete", &app.admin, &json!([b, "0123456789abcdef01234567"]))
        .await
        .assert_error(404, 202);
    assert_eq!(app.get(&format!("/api/users/{b}"), &app.admin).await.status, 200);
    for bad in [json!({"ids": [b]}), json!([]), json!([1])] {
        app.post("/api/users/delete", &app.admin, &bad).await.assert_error(400, 1006);
    }
    let r = app.post("/api/users/delete", &app.admin, &json!([b])).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json(), json!({"deleted": [b]}));

    // The 1.0 permissions hold.
    let (_, viewer) = app.user_with_role("consumer", "v@example.com").await;
    app.post("/api/users", &viewer, &json!([{"email": "x@example.com"}]))
        .await
        .assert_error(403, 1010);
    app.delete("/api/users/c@example.com", &viewer).await.assert_error(403, 1010);
}

#[tokio::test]
async fn groups_and_their_members() {
    let app = spawn_app().await;
    let r = app
        .post(
            "/api/groups",
            &app.admin,
            &json!([{"name": "Sales EU"}, {"name": "Sales US"}, {"name": "Ops"}]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let groups = r.json();
    let found = app.get("/api/groups?search=sales&sort=name", &app.admin).await.json();
    let names: Vec<&str> =
        found.as_array().unwrap().iter().map(|g| g["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Sales EU", "Sales US"]);
    let limited =
        app.get("/api/groups?search=sales&limit=1&skip=1&sort=name", &app.admin).await.json();
    assert_eq!(limited[0]["name"], "Sales US");
    let by_name = app.get("/api/groups/ops", &app.admin).await;
    assert_eq!(by_name.status, 200);
    assert_eq!(by_name.json(), groups[2]);
    assert_eq!(
        app.get(&format!("/api/groups/{}", id_of(&groups[2])), &app.admin).await.json(),
        groups[2]
    );
    app.get("/api/groups/nothing", &app.admin).await.assert_error(404, 203);
    let r = app.put("/api/groups/Ops", &app.admin, &json!({"name": "Operations"})).await;
    assert_eq!(r.status, 200, "{}", r.text);

    // Members.
    let created = app
        .post(
            "/api/users",
            &app.admin,
            &json!([{"email": "m1@example.com"}, {"email": "m2@example.com"}]),
        )
        .await
        .json();
    let (m1, m2) = (id_of(&created[0]), id_of(&created[1]));
    let g = id_of(&groups[0]);
    let members = format!("/api/groups/{g}/users");
    assert_eq!(app.get(&members, &app.admin).await.json(), json!([]));
    let r = app.post(&members, &app.admin, &json!([m1, m2])).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(ids(&r.json()), [m1.clone(), m2.clone()]);
    let user = app.get(&format!("/api/v1/users/{m1}"), &app.admin).await.json();
    assert_eq!(user["groups"], json!([g]));
    // Adding again changes nothing; an unknown user changes nothing at all.
    app.post(&members, &app.admin, &json!([m1])).await;
    app.post(&members, &app.admin, &json!([m1, "0123456789abcdef01234567"]))
        .await
        .assert_error(422, 1008);
    let r =
        app.request(reqwest::Method::DELETE, &members).bearer_auth(&app.admin).json(&json!([m1]));
    let r = app.send(r).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(ids(&r.json()), [m2]);
    let user = app.get(&format!("/api/v1/users/{m1}"), &app.admin).await.json();
    assert_eq!(user["groups"], json!([]));
    app.get("/api/groups/0123456789abcdef01234567/users", &app.admin).await.assert_error(404, 203);
    let (_, viewer) = app.user_with_role("consumer", "v@example.com").await;
    app.post(&members, &viewer, &json!([m1])).await.assert_error(403, 1010);

    let r = app.delete("/api/groups/Sales US", &app.admin).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json(), json!({"deleted": [id_of(&groups[1])]}));
}

#[tokio::test]
async fn dashboards_widgets_and_shares() {
    let app = spawn_app().await;
    let (viewer, viewer_token) = app.user_with_role("consumer", "v@example.com").await;
    let (designer, designer_token) = app.user_with_role("contributor", "d@example.com").await;
    let r = app
        .post(
            "/api/dashboards",
            &app.admin,
            &json!({"title": "Old API", "desc": "d", "layout": {"columns": []}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let d = r.json();
    let oid = d["oid"].as_str().unwrap().to_owned();
    let path = format!("/api/dashboards/{oid}");
    let mut with_widgets = d.clone();
    with_widgets["widgets"] = json!([]);
    assert_eq!(app.get(&path, &app.admin).await.json(), with_widgets, "0.9 reads carry widgets");
    let list = app.get("/api/dashboards", &app.admin).await.json();
    assert_eq!(list, json!([d]));
    let many =
        app.post("/api/dashboards", &app.admin, &json!([{"title": "x"}, {"title": "y"}])).await;
    assert_eq!(many.status, 200);
    assert_eq!(many.json().as_array().unwrap().len(), 2);

    // 0.9 PUT merges: a partial document (as pysisense sends for scripts) keeps the rest.
    let r = app.put(&path, &app.admin, &json!({"script": "widget.on('ready', f)"})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let put = r.json();
    assert_eq!(put["title"], "Old API");
    assert_eq!(put["script"], "widget.on('ready', f)");
    let r = app.patch(&path, &app.admin, &json!({"desc": null})).await;
    assert!(r.json().get("desc").is_none());

    // Widgets.
    let w = app
        .post(&format!("{path}/widgets"), &app.admin, &json!({"title": "w", "type": "chart/bar"}))
        .await;
    assert_eq!(w.status, 200, "{}", w.text);
    let w = w.json();
    let listed = app.get(&format!("{path}/widgets"), &app.admin).await.json();
    assert_eq!(listed, json!([w]));
    let one = app.get(&format!("{path}/widgets/{}", w["oid"].as_str().unwrap()), &app.admin).await;
    assert_eq!(one.json(), w);

    // Shares: the owner's entry, sent back as GET gave it, is dropped; others are kept.
    let shares = format!("/api/shares/dashboard/{oid}");
    let admin_id = d["owner"].clone();
    let body = json!({"sharesTo": [
        {"shareId": admin_id, "type": "user"},
        {"shareId": id_of(&viewer), "type": "user", "rule": "view", "subscribe": false},
        {"shareId": id_of(&designer), "type": "user", "rule": "view"}
    ]});
    let r = app.post(&shares, &app.admin, &body).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let now = r.json();
    assert_eq!(now["sharesTo"].as_array().unwrap().len(), 2);
    assert_eq!(now["owner"]["_id"], admin_id);
    assert_eq!(app.get(&shares, &viewer_token).await.json(), now);
    assert_eq!(app.get(&path, &viewer_token).await.status, 200);
    // A view share neither edits nor reshares.
    app.patch(&path, &designer_token, &json!({"title": "mine"})).await.assert_error(403, 1010);
    app.post(&shares, &designer_token, &json!({"sharesTo": []})).await.assert_error(403, 1010);
    app.post(&shares, &app.admin, &json!({"sharesTo": {}})).await.assert_error(400, 1006);

    let r = app.delete(&path, &app.admin).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json(), json!({"deleted": [oid]}));
    app.get(&path, &app.admin).await.assert_error(404, 1200);
}
