//! `/api/v1/folders` and `/api/v1/navver`.

use serde_json::{Value, json};

use crate::helpers::*;

fn oid(v: &Value) -> String {
    v["oid"].as_str().unwrap_or_else(|| panic!("no oid in {v}")).to_owned()
}

async fn folder(app: &TestApp, token: &str, body: Value) -> Value {
    let resp = app.post("/api/v1/folders", token, &body).await;
    assert_eq!(resp.status, 201, "{}", resp.text);
    resp.json()
}

fn names(v: &Value) -> Vec<&str> {
    v.as_array().unwrap().iter().map(|d| d["name"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn create_read_patch_delete() {
    let app = spawn_app().await;
    let (designer, token) = app.user_with_role("contributor", "d@example.com").await;
    let parent = folder(&app, &token, json!({"name": "Finance"})).await;
    assert!(is_object_id(&oid(&parent)));
    assert_eq!(parent["parentId"], Value::Null);
    assert_eq!(parent["owner"], json!(id_of(&designer)));
    assert!(is_sisense_timestamp(parent["created"].as_str().unwrap()));
    let child = folder(&app, &token, json!({"name": "Q1", "parentId": oid(&parent)})).await;
    assert_eq!(child["parentId"], parent["oid"]);

    let got = app.get(&format!("/api/v1/folders/{}", oid(&child)), &token).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.json(), child);
    let list = app.get("/api/v1/folders?sort=name", &token).await;
    assert_eq!(names(&list.json()), ["Finance", "Q1"]);
    let roots = app.get("/api/v1/folders?parentId=null", &token).await;
    assert_eq!(names(&roots.json()), ["Finance"]);
    let named = app.get("/api/v1/folders?name=q1&fields=name", &token).await;
    assert_eq!(named.json(), json!([{"name": "Q1"}]));

    // PATCH name, parent and owner, as the sisense client sends them (all three at once).
    let (other, other_token) = app.user_with_role("contributor", "o@example.com").await;
    let r = app
        .patch(
            &format!("/api/v1/folders/{}", oid(&child)),
            &token,
            &json!({"name": "Q1 2026", "parentId": null, "owner": id_of(&designer)}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let moved = r.json();
    assert_eq!(moved["name"], "Q1 2026");
    assert_eq!(moved["parentId"], Value::Null);
    assert_eq!(moved["created"], child["created"]);
    // Giving a folder away is for administrators.
    app.patch(
        &format!("/api/v1/folders/{}", oid(&child)),
        &token,
        &json!({"owner": id_of(&other)}),
    )
    .await
    .assert_error(403, 1010);
    let given = app
        .patch(
            &format!("/api/v1/folders/{}?adminAccess=true", oid(&child)),
            &app.admin,
            &json!({"owner": id_of(&other)}),
        )
        .await;
    assert_eq!(given.status, 200, "{}", given.text);
    assert_eq!(
        app.get(&format!("/api/v1/folders/{}", oid(&child)), &other_token).await.status,
        200
    );
    app.get(&format!("/api/v1/folders/{}", oid(&child)), &token).await.assert_error(404, 1202);

    let r = app.delete(&format!("/api/v1/folders/{}", oid(&parent)), &token).await;
    assert_eq!(r.status, 204);
    let err =
        app.get(&format!("/api/v1/folders/{}", oid(&parent)), &token).await.assert_error(404, 1202);
    assert_eq!(err["resourceType"], "folder");
}

#[tokio::test]
async fn a_folder_cannot_become_its_own_ancestor() {
    let app = spawn_app().await;
    let a = folder(&app, &app.admin, json!({"name": "a"})).await;
    let b = folder(&app, &app.admin, json!({"name": "b", "parentId": oid(&a)})).await;
    let c = folder(&app, &app.admin, json!({"name": "c", "parentId": oid(&b)})).await;
    for (moved, into) in [(&a, &c), (&a, &a), (&b, &c)] {
        app.patch(
            &format!("/api/v1/folders/{}", oid(moved)),
            &app.admin,
            &json!({"parentId": oid(into)}),
        )
        .await
        .assert_error(409, 1014);
    }
    // Nothing moved.
    let a_now = app.get(&format!("/api/v1/folders/{}", oid(&a)), &app.admin).await.json();
    assert_eq!(a_now["parentId"], Value::Null);
    // Moving down a branch that does not contain it is fine.
    let r = app
        .patch(&format!("/api/v1/folders/{}", oid(&c)), &app.admin, &json!({"parentId": oid(&a)}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

#[tokio::test]
async fn non_empty_folders_are_kept_unless_cascade_is_asked() {
    let app = spawn_app().await;
    let top = folder(&app, &app.admin, json!({"name": "top"})).await;
    let sub = folder(&app, &app.admin, json!({"name": "sub", "parentId": oid(&top)})).await;
    let d = app
        .post(
            "/api/v1/dashboards",
            &app.admin,
            &json!({"title": "in sub", "parentFolder": oid(&sub)}),
        )
        .await
        .json();
    let loose =
        app.post("/api/v1/dashboards", &app.admin, &json!({"title": "elsewhere"})).await.json();
    app.delete(&format!("/api/v1/folders/{}", oid(&top)), &app.admin).await.assert_error(409, 1013);
    app.delete(&format!("/api/v1/folders/{}", oid(&sub)), &app.admin).await.assert_error(409, 1013);
    app.delete(&format!("/api/v1/folders/bulk?folderIds={},{}", oid(&top), oid(&sub)), &app.admin)
        .await
        .assert_error(409, 1013);
    assert_eq!(app.get(&format!("/api/v1/dashboards/{}", oid(&d)), &app.admin).await.status, 200);
    let r = app.delete(&format!("/api/v1/folders/{}?cascade=true", oid(&top)), &app.admin).await;
    assert_eq!(r.status, 204);
    for path in
        [format!("/api/v1/folders/{}", oid(&sub)), format!("/api/v1/dashboards/{}", oid(&d))]
    {
        assert_eq!(app.get(&path, &app.admin).await.status, 404, "{path}");
    }
    assert_eq!(
        app.get(&format!("/api/v1/dashboards/{}", oid(&loose)), &app.admin).await.status,
        200
    );
}

#[tokio::test]
async fn bulk_delete() {
    let app = spawn_app().await;
    let a = folder(&app, &app.admin, json!({"name": "a"})).await;
    let b = folder(&app, &app.admin, json!({"name": "b", "parentId": oid(&a)})).await;
    let c = folder(&app, &app.admin, json!({"name": "c"})).await;
    app.delete(
        &format!("/api/v1/folders/bulk?folderIds={},0123456789abcdef01234567", oid(&c)),
        &app.admin,
    )
    .await
    .assert_error(404, 1202);
    app.delete("/api/v1/folders/bulk", &app.admin).await.assert_error(400, 1005);
    // A parent goes together with its only child.
    let r = app
        .delete(&format!("/api/v1/folders/bulk?folderIds={},{}", oid(&a), oid(&b)), &app.admin)
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(names(&app.get("/api/v1/folders", &app.admin).await.json()), ["c"]);
}

#[tokio::test]
async fn each_user_sees_their_own_folders() {
    let app = spawn_app().await;
    let (_, alice) = app.user_with_role("contributor", "alice@example.com").await;
    let (_, bob) = app.user_with_role("contributor", "bob@example.com").await;
    let (_, viewer) = app.user_with_role("consumer", "v@example.com").await;
    let hers = folder(&app, &alice, json!({"name": "hers"})).await;
    folder(&app, &bob, json!({"name": "his"})).await;
    assert_eq!(names(&app.get("/api/v1/folders", &alice).await.json()), ["hers"]);
    assert_eq!(names(&app.get("/api/v1/folders", &bob).await.json()), ["his"]);
    let everything = app.get("/api/v1/folders?adminAccess=true&sort=name", &app.admin).await;
    assert_eq!(names(&everything.json()), ["hers", "his"]);
    app.get(&format!("/api/v1/folders/{}", oid(&hers)), &bob).await.assert_error(404, 1202);
    app.delete(&format!("/api/v1/folders/{}", oid(&hers)), &bob).await.assert_error(404, 1202);
    // Nobody files things in someone else's folder.
    app.post("/api/v1/folders", &bob, &json!({"name": "x", "parentId": oid(&hers)}))
        .await
        .assert_error(422, 1008);
    app.post("/api/v1/dashboards", &bob, &json!({"title": "x", "parentFolder": oid(&hers)}))
        .await
        .assert_error(422, 1008);
    app.post("/api/v1/folders", &viewer, &json!({"name": "x"})).await.assert_error(403, 1010);
    for bad in [json!({}), json!({"name": ""}), json!({"name": "x", "parentId": "zz"})] {
        app.post("/api/v1/folders", &alice, &bad)
            .await
            .assert_error(400, if bad.get("name").is_none() { 1007 } else { 1006 });
    }
}

#[tokio::test]
async fn tree_and_navigation() {
    let app = spawn_app().await;
    let (viewer, viewer_token) = app.user_with_role("consumer", "v@example.com").await;
    let top = folder(&app, &app.admin, json!({"name": "top"})).await;
    let sub = folder(&app, &app.admin, json!({"name": "sub", "parentId": oid(&top)})).await;
    folder(&app, &app.admin, json!({"name": "other"})).await;
    let share = json!([{"shareId": id_of(&viewer), "type": "user", "rule": "view"}]);
    app.post(
        "/api/v1/dashboards",
        &app.admin,
        &json!({"title": "deep", "parentFolder": oid(&sub), "shares": share, "widgets": [{"title": "w"}]}),
    )
    .await;
    app.post("/api/v1/dashboards", &app.admin, &json!({"title": "root"})).await;

    let tree = app.get("/api/v1/folders?structure=tree", &app.admin).await;
    assert_eq!(tree.status, 200, "{}", tree.text);
    let tree = tree.json();
    assert_eq!(names(&tree), ["top", "other"]);
    assert_eq!(names(&tree[0]["folders"]), ["sub"]);
    let deep = &tree[0]["folders"][0]["dashboards"][0];
    assert_eq!(deep["title"], "deep");
    assert!(deep.get("shares").is_none(), "a summary, not the whole document");
    assert_eq!(tree[0]["dashboards"], json!([]));

    let nav = app.get("/api/v1/navver", &app.admin).await.json();
    assert_eq!(names(&nav["folders"]), ["top", "other"]);
    assert_eq!(nav["dashboards"][0]["title"], "root");

    // The viewer has no folders: the shared dashboard is at their root.
    let nav = app.get("/api/v1/navver", &viewer_token).await.json();
    assert_eq!(nav["folders"], json!([]));
    assert_eq!(nav["dashboards"][0]["title"], "deep");
    app.get("/api/v1/folders?structure=deep", &app.admin).await.assert_error(400, 1005);
}
