//! `/api/v1/dashboards`: the documents, widgets, sharing rules, ownership, export and import.

use serde_json::{Value, json};

use crate::helpers::*;

fn oid(v: &Value) -> String {
    v["oid"].as_str().unwrap_or_else(|| panic!("no oid in {v}")).to_owned()
}

async fn create(app: &TestApp, token: &str, body: Value) -> Value {
    let resp = app.post("/api/v1/dashboards", token, &body).await;
    assert_eq!(resp.status, 201, "{}", resp.text);
    resp.json()
}

fn titles(v: &Value) -> Vec<&str> {
    v.as_array().unwrap().iter().map(|d| d["title"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn create_read_replace_patch_delete() {
    let app = spawn_app().await;
    let (designer, token) = app.user_with_role("contributor", "d@example.com").await;
    let created = create(
        &app,
        &token,
        json!({"title": "Sales", "desc": "Q1", "datasource": {"title": "Sample ECommerce", "address": "LocalHost"},
               "layout": {"columns": []}, "custom": {"kept": true}, "oid": "client-chosen", "owner": "someone"}),
    )
    .await;
    let id = oid(&created);
    assert!(is_object_id(&id));
    assert_eq!(created["owner"], json!(id_of(&designer)));
    assert_eq!(created["custom"], json!({"kept": true}));
    assert_eq!(created["shares"], json!([]));
    assert!(is_sisense_timestamp(created["created"].as_str().unwrap()));

    let got = app.get(&format!("/api/v1/dashboards/{id}"), &token).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.json(), created);

    // PUT replaces: what the body lacks is gone; oid, owner and created stay.
    let put =
        app.put(&format!("/api/v1/dashboards/{id}"), &token, &json!({"title": "Sales 2"})).await;
    assert_eq!(put.status, 200, "{}", put.text);
    let put = put.json();
    assert_eq!(put["title"], "Sales 2");
    assert!(put.get("desc").is_none() && put.get("custom").is_none());
    assert_eq!(put["oid"], created["oid"]);
    assert_eq!(put["owner"], created["owner"]);
    assert_eq!(put["created"], created["created"]);

    // PATCH merges.
    let patched = app
        .patch(
            &format!("/api/v1/dashboards/{id}"),
            &token,
            &json!({"desc": "patched", "style": {"palette": "x"}}),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    let patched = patched.json();
    assert_eq!(patched["title"], "Sales 2");
    assert_eq!(patched["desc"], "patched");

    // A PUT missing the required title is a 400 and changes nothing.
    app.put(&format!("/api/v1/dashboards/{id}"), &token, &json!({"desc": "x"}))
        .await
        .assert_error(400, 1007);

    let exists = app.get(&format!("/api/v1/dashboards/{id}/exists"), &token).await;
    assert_eq!(exists.json(), json!({"exists": true}));

    let deleted = app.delete(&format!("/api/v1/dashboards/{id}"), &token).await;
    assert_eq!(deleted.status, 204);
    let gone = app.get(&format!("/api/v1/dashboards/{id}"), &token).await;
    let err = gone.assert_error(404, 1200);
    assert_eq!(err["resourceType"], "dashboard");
    assert_eq!(err["resourceName"], json!(id));
    let exists = app.get(&format!("/api/v1/dashboards/{id}/exists"), &token).await;
    assert_eq!(exists.json(), json!({"exists": false}));
    let malformed = app.get("/api/v1/dashboards/nope/exists", &token).await;
    assert_eq!(malformed.json(), json!({"exists": false}));
    app.delete(&format!("/api/v1/dashboards/{id}"), &token).await.assert_error(404, 1200);
}

#[tokio::test]
async fn bad_documents_are_refused_and_nothing_is_stored() {
    let app = spawn_app().await;
    let cases = [
        (json!({}), 400, 1007),
        (json!({"title": 5}), 400, 1006),
        (
            json!({"title": "t", "shares": [{"shareId": "0123456789abcdef01234567", "type": "user", "rule": "own"}]}),
            400,
            1006,
        ),
        (
            json!({"title": "t", "shares": [{"shareId": "0123456789abcdef01234567", "type": "user", "rule": "view"}]}),
            422,
            1008,
        ),
        (json!({"title": "t", "parentFolder": "0123456789abcdef01234567"}), 422, 1008),
        (json!([{"title": "t"}]), 400, 1006),
    ];
    for (body, status, code) in cases {
        app.post("/api/v1/dashboards", &app.admin, &body).await.assert_error(status, code);
    }
    let list = app.get("/api/v1/dashboards", &app.admin).await;
    assert_eq!(list.json(), json!([]));
}

#[tokio::test]
async fn filters_special_fields_and_expand() {
    let app = spawn_app().await;
    let folder = app.post("/api/v1/folders", &app.admin, &json!({"name": "F"})).await.json();
    for (title, ds, in_folder) in [
        ("Beta", "Sample ECommerce", true),
        ("alpha", "Sample Healthcare", false),
        ("Gamma", "Sample ECommerce", false),
    ] {
        let mut body = json!({"title": title, "datasource": {"title": ds, "address": "LocalHost"}});
        if in_folder {
            body["parentFolder"] = folder["oid"].clone();
        }
        create(&app, &app.admin, body).await;
    }
    let get = |q: String| {
        let app = &app;
        async move {
            let r = app.get(&format!("/api/v1/dashboards{q}"), &app.admin).await;
            assert_eq!(r.status, 200, "{q}: {}", r.text);
            r.json()
        }
    };
    assert_eq!(titles(&get("?name=ALPHA".into()).await), ["alpha"]);
    assert_eq!(titles(&get(format!("?parentFolder={}", oid(&folder))).await), ["Beta"]);
    assert_eq!(
        titles(&get("?datasourceTitle=sample ecommerce&sort=-title".into()).await),
        ["Gamma", "Beta"]
    );
    assert_eq!(
        titles(&get("?datasourceAddress=localhost&sort=title&limit=2&skip=1".into()).await),
        ["Gamma", "alpha"]
    );
    assert_eq!(get("?fields=title&sort=title&limit=1".into()).await, json!([{"title": "Beta"}]));
    let expanded =
        get("?name=Beta&expand=owner(fields:email),parentFolder(fields:name)".into()).await;
    assert_eq!(expanded[0]["owner"], json!({"email": ADMIN_EMAIL}));
    assert_eq!(expanded[0]["parentFolder"], json!({"name": "F"}));
    let loose = get("?name=alpha&expand=parentFolder".into()).await;
    assert_eq!(loose[0]["parentFolder"], Value::Null);
    app.get("/api/v1/dashboards?expand=widgets", &app.admin).await.assert_error(400, 1005);
    app.get("/api/v1/dashboards?parentFolder=zz", &app.admin).await.assert_error(400, 1005);
}

/// The sharing rules, role by role: who sees a dashboard, who may change it, who may share it.
#[tokio::test]
async fn sharing_rules() {
    let app = spawn_app().await;
    let (owner, owner_token) = app.user_with_role("contributor", "owner@example.com").await;
    let (viewer, viewer_token) = app.user_with_role("consumer", "viewer@example.com").await;
    let (designer, designer_token) =
        app.user_with_role("contributor", "designer@example.com").await;
    let (editor, editor_token) = app.user_with_role("contributor", "editor@example.com").await;
    let (_, outsider_token) = app.user_with_role("contributor", "outsider@example.com").await;
    let (_, other_admin) = app.user_with_role("admin", "admin2@example.com").await;
    let team = app.create_group(json!({"name": "team"})).await;
    let (_, member_token) = {
        let role = app.role_id("consumer").await;
        let u = app
            .create_user(json!({"email": "member@example.com", "password": "user-passw0rd", "roleId": role, "groups": [id_of(&team)]}))
            .await;
        (u, app.token("member@example.com", "user-passw0rd").await)
    };

    let d = create(
        &app,
        &owner_token,
        json!({"title": "Shared", "shares": [
            {"shareId": id_of(&viewer), "type": "user", "rule": "view"},
            {"shareId": id_of(&designer), "type": "user", "rule": "view", "subscribe": false},
            {"shareId": id_of(&editor), "type": "user", "rule": "edit"},
            {"shareId": id_of(&team), "type": "group", "rule": "view"}
        ]}),
    )
    .await;
    let private = create(&app, &owner_token, json!({"title": "Private"})).await;
    let path = format!("/api/v1/dashboards/{}", oid(&d));
    let private_path = format!("/api/v1/dashboards/{}", oid(&private));

    // Who sees what in their list.
    for (token, expected) in [
        (&owner_token, vec!["Shared", "Private"]),
        (&viewer_token, vec!["Shared"]),
        (&designer_token, vec!["Shared"]),
        (&editor_token, vec!["Shared"]),
        (&member_token, vec!["Shared"]),
        (&outsider_token, vec![]),
        (&other_admin, vec![]),
    ] {
        let list = app.get("/api/v1/dashboards", token).await;
        assert_eq!(titles(&list.json()), expected);
    }
    let all = app.get("/api/v1/dashboards?adminAccess=true", &other_admin).await;
    assert_eq!(titles(&all.json()), ["Shared", "Private"]);
    // adminAccess means nothing for a non-administrator.
    let none = app.get("/api/v1/dashboards?adminAccess=true", &outsider_token).await;
    assert_eq!(none.json(), json!([]));

    // Reads by id: invisible is not found, for users and admins alike.
    for (token, p, status) in [
        (&viewer_token, &path, 200),
        (&member_token, &path, 200),
        (&viewer_token, &private_path, 404),
        (&outsider_token, &path, 404),
        (&other_admin, &private_path, 404),
    ] {
        assert_eq!(app.get(p, token).await.status, status, "{p}");
    }
    let as_admin = app.get(&format!("{private_path}?adminAccess=true"), &other_admin).await;
    assert_eq!(as_admin.status, 200);

    // Changes: a view share cannot edit, an edit share can (but not for a viewer's role).
    let rename = json!({"desc": "changed"});
    app.patch(&path, &viewer_token, &rename).await.assert_error(403, 1010);
    app.patch(&path, &designer_token, &rename).await.assert_error(403, 1010);
    app.patch(&path, &member_token, &rename).await.assert_error(403, 1010);
    app.patch(&path, &outsider_token, &rename).await.assert_error(404, 1200);
    let before = app.get(&path, &owner_token).await.json();
    assert!(before.get("desc").is_none(), "a refused change stored nothing");
    let edited = app.patch(&path, &editor_token, &rename).await;
    assert_eq!(edited.status, 200, "{}", edited.text);
    // An editor may not change the shares, nor delete, nor give the dashboard away.
    app.patch(&path, &editor_token, &json!({"shares": []})).await.assert_error(403, 1010);
    app.delete(&path, &editor_token).await.assert_error(403, 1010);
    app.post(&format!("{path}/change_owner"), &editor_token, &json!({"ownerId": id_of(&editor)}))
        .await
        .assert_error(403, 1010);
    // Viewers create nothing.
    app.post("/api/v1/dashboards", &viewer_token, &json!({"title": "mine"}))
        .await
        .assert_error(403, 1010);

    // The owner withdraws the designer's share: it stops at once.
    let shares = before["shares"].as_array().unwrap().clone();
    let kept: Vec<Value> =
        shares.into_iter().filter(|s| s["shareId"] != json!(id_of(&designer))).collect();
    let r = app.patch(&path, &owner_token, &json!({"shares": kept})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(app.get(&path, &designer_token).await.status, 404);

    // Shares, as the endpoint shows them.
    let s = app.get(&format!("{path}/shares"), &viewer_token).await;
    assert_eq!(s.status, 200);
    let s = s.json();
    assert_eq!(s["sharesTo"].as_array().unwrap().len(), 3);
    assert_eq!(s["owner"]["_id"], json!(id_of(&owner)));
    assert_eq!(s["owner"]["email"], "owner@example.com");
    assert!(s["owner"].get("password").is_none());
    app.get(&format!("{private_path}/shares"), &viewer_token).await.assert_error(404, 1200);
}

#[tokio::test]
async fn everyone_share_reaches_every_user() {
    let app = spawn_app().await;
    let (_, viewer_token) = app.user_with_role("consumer", "v@example.com").await;
    let groups = app.get("/api/v1/groups?name=Everyone", &app.admin).await.json();
    let everyone = id_of(&groups[0]);
    create(
        &app,
        &app.admin,
        json!({"title": "For all", "shares": [{"shareId": everyone, "type": "group", "rule": "view"}]}),
    )
    .await;
    let list = app.get("/api/v1/dashboards", &viewer_token).await;
    assert_eq!(titles(&list.json()), ["For all"]);
}

#[tokio::test]
async fn change_owner_keeps_the_previous_owner_as_a_share() {
    let app = spawn_app().await;
    let (first, first_token) = app.user_with_role("contributor", "first@example.com").await;
    let (second, second_token) = app.user_with_role("contributor", "second@example.com").await;
    let d = create(&app, &first_token, json!({"title": "Handover"})).await;
    let path = format!("/api/v1/dashboards/{}", oid(&d));
    app.post(
        &format!("{path}/change_owner"),
        &first_token,
        &json!({"ownerId": "0123456789abcdef01234567"}),
    )
    .await
    .assert_error(422, 1008);
    app.post(
        &format!("{path}/change_owner"),
        &first_token,
        &json!({"ownerId": id_of(&second), "originalOwnerRule": "owner"}),
    )
    .await
    .assert_error(400, 1006);
    let r = app
        .post(
            &format!("{path}/change_owner"),
            &first_token,
            &json!({"ownerId": id_of(&second), "originalOwnerRule": "view"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let doc = r.json();
    assert_eq!(doc["owner"], json!(id_of(&second)));
    assert_eq!(
        doc["shares"],
        json!([{"shareId": id_of(&first), "type": "user", "rule": "view", "subscribe": false}])
    );
    // The previous owner now only views; the new one owns.
    app.patch(&path, &first_token, &json!({"desc": "x"})).await.assert_error(403, 1010);
    assert_eq!(app.delete(&path, &second_token).await.status, 204);
}

#[tokio::test]
async fn admin_listing() {
    let app = spawn_app().await;
    let (_, designer) = app.user_with_role("contributor", "d@example.com").await;
    let a = create(&app, &designer, json!({"title": "A"})).await;
    create(&app, &designer, json!({"title": "B"})).await;
    app.get("/api/v1/dashboards/admin?dashboardType=owner", &designer)
        .await
        .assert_error(403, 1010);
    let all = app.get("/api/v1/dashboards/admin?dashboardType=owner&sort=title", &app.admin).await;
    assert_eq!(titles(&all.json()), ["A", "B"]);
    let one = app
        .get(&format!("/api/v1/dashboards/admin?dashboardType=owner&id={}", oid(&a)), &app.admin)
        .await;
    assert_eq!(titles(&one.json()), ["A"], "one id is still a list");
    let named = app.get("/api/v1/dashboards/admin?dashboardType=owner&name=b", &app.admin).await;
    assert_eq!(titles(&named.json()), ["B"]);
    app.get("/api/v1/dashboards/admin?dashboardType=proxy", &app.admin)
        .await
        .assert_error(400, 1005);
}

#[tokio::test]
async fn widgets() {
    let app = spawn_app().await;
    let (viewer, viewer_token) = app.user_with_role("consumer", "v@example.com").await;
    let d = create(
        &app,
        &app.admin,
        json!({"title": "W", "shares": [{"shareId": id_of(&viewer), "type": "user", "rule": "view"}]}),
    )
    .await;
    let base = format!("/api/v1/dashboards/{}/widgets", oid(&d));
    let w1 = app
        .post(
            &base,
            &app.admin,
            &json!({"title": "Revenue", "type": "chart/line", "metadata": {"panels": []}}),
        )
        .await;
    assert_eq!(w1.status, 201, "{}", w1.text);
    let w1 = w1.json();
    assert!(is_object_id(w1["oid"].as_str().unwrap()));
    assert_eq!(w1["dashboardid"], d["oid"]);
    let w2 = app.post(&base, &app.admin, &json!({"title": "Count"})).await.json();

    let list = app.get(&base, &viewer_token).await;
    assert_eq!(titles(&list.json()), ["Revenue", "Count"]);
    let page = app.get(&format!("{base}?skip=1&fields=title"), &viewer_token).await;
    assert_eq!(page.json(), json!([{"title": "Count"}]));
    let one = app.get(&format!("{base}/{}", oid(&w1)), &viewer_token).await;
    assert_eq!(one.json(), w1);

    // Viewers read, never write.
    app.post(&base, &viewer_token, &json!({"title": "x"})).await.assert_error(403, 1010);
    app.patch(&format!("{base}/{}", oid(&w1)), &viewer_token, &json!({"title": "x"}))
        .await
        .assert_error(403, 1010);

    let patched = app
        .patch(
            &format!("{base}/{}", oid(&w1)),
            &app.admin,
            &json!({"title": "Revenue 2", "metadata": null}),
        )
        .await;
    assert_eq!(patched.status, 200);
    let patched = patched.json();
    assert_eq!(patched["title"], "Revenue 2");
    assert!(patched.get("metadata").is_none());
    assert_eq!(patched["oid"], w1["oid"]);

    assert_eq!(app.delete(&format!("{base}/{}", oid(&w2)), &app.admin).await.status, 204);
    let err = app.get(&format!("{base}/{}", oid(&w2)), &app.admin).await.assert_error(404, 1201);
    assert_eq!(err["resourceType"], "widget");
    app.delete(&format!("{base}/{}", oid(&w2)), &app.admin).await.assert_error(404, 1201);
    // A widget under a dashboard the caller cannot see is that dashboard's 404.
    let (_, outsider) = app.user_with_role("contributor", "o@example.com").await;
    app.get(&base, &outsider).await.assert_error(404, 1200);
}

/// The fields an import may change: everything else comes back byte for byte.
fn without_managed(mut doc: Value) -> Value {
    let obj = doc.as_object_mut().unwrap();
    for k in ["created", "lastUpdated", "owner"] {
        obj.remove(k);
    }
    for w in obj.get_mut("widgets").and_then(Value::as_array_mut).into_iter().flatten() {
        let w = w.as_object_mut().unwrap();
        w.remove("created");
        w.remove("lastUpdated");
    }
    doc
}

#[tokio::test]
async fn export_then_import_into_an_empty_server_reproduces_the_dashboards() {
    let source = spawn_app().await;
    let mut ids = Vec::new();
    for title in ["One", "Two"] {
        let d = create(
            &source,
            &source.admin,
            json!({"title": title, "desc": "ü & \"quotes\"", "datasource": {"title": "Sample", "fullname": "LocalHost/Sample", "id": "aLOCALHOST_aSAMPLE", "address": "LocalHost", "database": "aSample"},
                   "filters": [{"jaql": {"dim": "[Sales.Date]", "filter": {"last": {"count": 3, "offset": 0}}}}],
                   "layout": {"type": "columnar", "columns": [{"width": 100, "cells": []}]}, "style": {"palette": {"name": "Vivid"}}, "n": 1.5e3}),
        )
        .await;
        let base = format!("/api/v1/dashboards/{}/widgets", oid(&d));
        for w in ["w1", "w2"] {
            let r = source
                .post(&base, &source.admin, &json!({"title": w, "type": "indicator", "metadata": {"panels": [{"name": "value", "items": []}]}}))
                .await;
            assert_eq!(r.status, 201);
        }
        ids.push(oid(&d));
    }
    let exported = source
        .get(&format!("/api/v1/dashboards/export?dashboardIds={}", ids.join(",")), &source.admin)
        .await;
    assert_eq!(exported.status, 200, "{}", exported.text);
    let exported = exported.json();
    assert_eq!(exported.as_array().unwrap().len(), 2);
    assert_eq!(exported[0]["widgets"].as_array().unwrap().len(), 2);
    let one =
        source.get(&format!("/api/v1/dashboards/{}/export/dash", ids[0]), &source.admin).await;
    assert_eq!(one.json(), exported[0]);

    let target = spawn_app().await;
    let imported = target
        .post("/api/v1/dashboards/import/bulk?action=overwrite", &target.admin, &exported)
        .await;
    assert_eq!(imported.status, 201, "{}", imported.text);
    let report = imported.json();
    assert_eq!(report["succeded"], report["succeeded"]);
    assert_eq!(report["succeded"].as_array().unwrap().len(), 2);
    assert_eq!(report["skipped"], json!([]));
    assert_eq!(report["failed"], json!({}));
    let again = target
        .get(&format!("/api/v1/dashboards/export?dashboardIds={}", ids.join(",")), &target.admin)
        .await
        .json();
    let expected: Vec<Value> =
        exported.as_array().unwrap().iter().cloned().map(without_managed).collect();
    let actual: Vec<Value> =
        again.as_array().unwrap().iter().cloned().map(without_managed).collect();
    assert_eq!(actual, expected);
    assert_eq!(
        serde_json::to_string(&actual).unwrap(),
        serde_json::to_string(&expected).unwrap(),
        "same fields in the same order"
    );

    // skip leaves existing dashboards alone; duplicate makes new ones (same widgets' ids).
    let skipped = target
        .post("/api/v1/dashboards/import/bulk?action=skip", &target.admin, &exported)
        .await
        .json();
    assert_eq!(skipped["succeded"], json!([]));
    assert_eq!(skipped["skipped"][0]["oid"], json!(ids[0]));
    assert_eq!(skipped["skipped"][0]["title"], "One");
    let dup = target
        .post("/api/v1/dashboards/import/bulk", &target.admin, &json!([exported[0]]))
        .await
        .json();
    let copy = &dup["succeded"][0];
    assert_ne!(copy["oid"], exported[0]["oid"]);
    assert_eq!(copy["widgets"][0]["oid"], exported[0]["widgets"][0]["oid"]);
    assert_eq!(copy["widgets"][0]["dashboardid"], copy["oid"]);
    let count = target.get("/api/v1/dashboards", &target.admin).await.json();
    assert_eq!(count.as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn import_reports_each_item_and_honours_the_folder() {
    let app = spawn_app().await;
    let folder = app.post("/api/v1/folders", &app.admin, &json!({"name": "Imports"})).await.json();
    let body = json!([
        {"title": "Good", "oid": "0123456789abcdef01234567", "parentFolder": "fedcba9876543210fedcba98",
         "shares": [{"shareId": "fedcba9876543210fedcba98", "type": "user", "rule": "view"}]},
        {"desc": "no title", "oid": "0123456789abcdef01234568"},
        {"title": "Also good", "widgets": [{"oid": "bad"}]},
        {"title": "Third"}
    ]);
    let r = app
        .post(
            &format!("/api/v1/dashboards/import/bulk?action=skip&importFolder={}", oid(&folder)),
            &app.admin,
            &body,
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let report = r.json();
    let done: Vec<&str> = report["succeded"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["title"].as_str().unwrap())
        .collect();
    assert_eq!(done, ["Good", "Third"]);
    let good = &report["succeded"][0];
    assert_eq!(good["oid"], "0123456789abcdef01234567");
    assert_eq!(good["parentFolder"], folder["oid"]);
    assert_eq!(good["shares"], json!([]), "shares with unknown users are dropped");
    assert_eq!(report["failed"]["0123456789abcdef01234568"]["code"], 1007);
    assert_eq!(report["failed"]["2"]["code"], 1006);
    // Nothing of a failed item is stored.
    let titles_now = app.get("/api/v1/dashboards?sort=title", &app.admin).await.json();
    assert_eq!(titles(&titles_now), ["Good", "Third"]);

    app.post("/api/v1/dashboards/import/bulk?action=merge", &app.admin, &json!([]))
        .await
        .assert_error(400, 1005);
    app.post(
        "/api/v1/dashboards/import/bulk?importFolder=0123456789abcdef01234567",
        &app.admin,
        &json!([{"title": "x"}]),
    )
    .await
    .assert_error(422, 1008);
    app.post("/api/v1/dashboards/import/bulk", &app.admin, &json!({"title": "x"}))
        .await
        .assert_error(400, 1006);
    let (_, viewer) = app.user_with_role("consumer", "v@example.com").await;
    app.post("/api/v1/dashboards/import/bulk", &viewer, &json!([{"title": "x"}]))
        .await
        .assert_error(403, 1010);
}

#[tokio::test]
async fn bulk_delete_is_all_or_nothing() {
    let app = spawn_app().await;
    let (_, designer) = app.user_with_role("contributor", "d@example.com").await;
    let a = oid(&create(&app, &app.admin, json!({"title": "A"})).await);
    let b = oid(&create(&app, &app.admin, json!({"title": "B"})).await);
    let theirs = oid(&create(&app, &designer, json!({"title": "Theirs"})).await);
    app.delete(&format!("/api/v1/dashboards/bulk?dashboardIds={a},{theirs}"), &app.admin)
        .await
        .assert_error(404, 1200);
    app.delete("/api/v1/dashboards/bulk", &app.admin).await.assert_error(400, 1005);
    assert_eq!(app.get("/api/v1/dashboards", &app.admin).await.json().as_array().unwrap().len(), 2);
    let r = app.delete(&format!("/api/v1/dashboards/bulk?dashboardIds={a},{b}"), &app.admin).await;
    assert_eq!(r.status, 204);
    assert_eq!(app.get("/api/v1/dashboards", &app.admin).await.json(), json!([]));
}

#[tokio::test]
async fn searches() {
    let app = spawn_app().await;
    for t in ["Sales East", "Sales West", "Marketing"] {
        create(&app, &app.admin, json!({"title": t})).await;
    }
    let r = app
        .post(
            "/api/v1/dashboards/searches",
            &app.admin,
            &json!({"queryParams": {"search": "sales"}, "queryOptions": {"sort": {"title": -1}, "limit": 1}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let items = r.json()["items"].clone();
    assert_eq!(titles(&items), ["Sales West"]);
    let r = app
        .post(
            "/api/v1/dashboards/searches",
            &app.admin,
            &json!({"queryParams": {"name": "marketing"}, "queryOptions": {"sort": "title", "skip": 0}}),
        )
        .await;
    assert_eq!(titles(&r.json()["items"]), ["Marketing"]);
    let all = app.post("/api/v1/dashboards/searches", &app.admin, &json!({})).await;
    assert_eq!(all.json()["items"].as_array().unwrap().len(), 3);
    for bad in [
        json!({"queryOptions": {"sort": {"title": 2}}}),
        json!({"queryParams": {"name": 3}}),
        json!({"unknown": 1}),
    ] {
        app.post("/api/v1/dashboards/searches", &app.admin, &bad).await.assert_error(400, 1006);
    }
}

#[tokio::test]
async fn a_deleted_owner_leaves_the_dashboard_for_an_admin_to_reassign() {
    let app = spawn_app().await;
    let (gone, gone_token) = app.user_with_role("contributor", "gone@example.com").await;
    let (heir, heir_token) = app.user_with_role("contributor", "heir@example.com").await;
    let (viewer, _) = app.user_with_role("consumer", "viewer@example.com").await;
    let group = app.create_group(json!({"name": "short-lived"})).await;
    let d = create(
        &app,
        &gone_token,
        json!({"title": "Orphan", "shares": [
            {"shareId": id_of(&viewer), "type": "user", "rule": "view"},
            {"shareId": id_of(&group), "type": "group", "rule": "view"}]}),
    )
    .await;
    let path = format!("/api/v1/dashboards/{}", oid(&d));
    assert_eq!(
        app.delete(&format!("/api/v1/users/{}", id_of(&gone)), &app.admin).await.status,
        204
    );
    let kept = app.get(&format!("{path}?adminAccess=true&expand=owner"), &app.admin).await;
    assert_eq!(kept.status, 200, "nothing is lost");
    assert_eq!(kept.json()["owner"], Value::Null);
    let r = app
        .post(
            &format!("{path}/change_owner?adminAccess=true"),
            &app.admin,
            &json!({"ownerId": id_of(&heir)}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(app.get(&path, &heir_token).await.status, 200);
    // Deleted users and groups leave the shares; the deleted owner gets none.
    for gone in
        [format!("/api/v1/users/{}", id_of(&viewer)), format!("/api/v1/groups/{}", id_of(&group))]
    {
        assert_eq!(app.delete(&gone, &app.admin).await.status, 204);
    }
    let now = app.get(&path, &heir_token).await.json();
    assert_eq!(now["shares"], json!([]));
    // So an edit that keeps the shares as they are goes through.
    let r = app.patch(&path, &heir_token, &json!({"desc": "mine now"})).await;
    assert_eq!(r.status, 200, "{}", r.text);
}

/// A non-administrator's import acts only on dashboards they may see: it reveals nothing about
/// the others (no "skipped" for a hidden oid, no change to it) and claims no oid in advance.
#[tokio::test]
async fn an_import_reveals_and_claims_nothing() {
    let app = spawn_app().await;
    let (_, owner) = app.user_with_role("contributor", "hidden-owner@example.com").await;
    let (importer_user, importer) = app.user_with_role("contributor", "importer@example.com").await;
    let hidden = app.post("/api/v1/dashboards", &owner, &json!({"title": "Hidden"})).await.json();
    let hidden_oid = oid(&hidden);
    let free_oid = "0123456789abcdef0123abcd";

    for action in ["skip", "overwrite"] {
        let report = app
            .post(
                &format!("/api/v1/dashboards/import/bulk?action={action}"),
                &importer,
                &json!([{"oid": hidden_oid, "title": "Mine"}, {"oid": free_oid, "title": "Claim"}]),
            )
            .await;
        assert_eq!(report.status, 201, "{}", report.text);
        let report = report.json();
        assert_eq!(report["skipped"], json!([]), "{action}: {report}");
        let made: Vec<&str> = report["succeded"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["oid"].as_str().unwrap())
            .collect();
        assert_eq!(made.len(), 2, "{action}: {report}");
        assert!(!made.contains(&hidden_oid.as_str()), "{action}: {report}");
        assert!(!made.contains(&free_oid), "{action}: {report}");
    }
    let untouched = app.get(&format!("/api/v1/dashboards/{hidden_oid}"), &owner).await.json();
    assert_eq!(untouched["title"], "Hidden");

    // Shared with the importer, the dashboard is theirs to skip.
    app.patch(
        &format!("/api/v1/dashboards/{hidden_oid}"),
        &owner,
        &json!({"shares": [{"shareId": id_of(&importer_user), "type": "user", "rule": "view"}]}),
    )
    .await;
    let report = app
        .post(
            "/api/v1/dashboards/import/bulk?action=skip",
            &importer,
            &json!([{"oid": hidden_oid, "title": "Mine"}]),
        )
        .await
        .json();
    assert_eq!(report["skipped"][0]["oid"], json!(hidden_oid));
}
