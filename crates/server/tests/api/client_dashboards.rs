//! Dashboards and widgets as the published clients call them: widget PUT that merges, API 0.9
//! reads with the widgets inside, export, publish, `can_be_owned`, and the renderings Tessera
//! does not do.

use serde_json::{Value, json};

use crate::helpers::*;

/// A dashboard of the administrator's with one widget, shared with a viewer: (oid, widget oid).
async fn dashboard(app: &TestApp, viewer: &Value) -> (String, String) {
    let shares = json!([{"shareId": id_of(viewer), "type": "user", "rule": "view"}]);
    let body = json!({"title": "Sales", "shares": shares,
        "widgets": [{"title": "Revenue", "type": "chart/column", "script": "", "style": {"x": 1}}]});
    let created = app.post("/api/v1/dashboards", &app.admin, &body).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let oid = created.json()["oid"].as_str().unwrap().to_owned();
    let widgets = app.get(&format!("/api/v1/dashboards/{oid}/widgets"), &app.admin).await.json();
    (oid, widgets[0]["oid"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn a_widget_put_merges_like_patch_and_drops_request_flags() {
    let app = spawn_app().await;
    let (viewer, _) = app.user_with_role("consumer", "v@example.com").await;
    let (oid, wid) = dashboard(&app, &viewer).await;
    for (path, script) in [
        (format!("/api/v1/dashboards/{oid}/widgets/{wid}"), "widget.on('ready', f)"),
        (format!("/api/dashboards/{oid}/widgets/{wid}"), "widget.on('render', g)"),
    ] {
        let body = json!({"script": script, "sharedMode": true, "adminAccess": true});
        let put = app.put(&path, &app.admin, &body).await;
        assert_eq!(put.status, 200, "{path}: {}", put.text);
        let widget = put.json();
        assert_eq!(widget["script"], script);
        assert_eq!(widget["title"], "Revenue", "{path}: other fields are kept");
        assert_eq!(widget["style"], json!({"x": 1}));
        assert!(widget.get("sharedMode").is_none() && widget.get("adminAccess").is_none());
    }
}

#[tokio::test]
async fn api_09_reads_carry_the_widgets_and_export_the_dash_document() {
    let app = spawn_app().await;
    let (viewer, token) = app.user_with_role("consumer", "v@example.com").await;
    let (oid, wid) = dashboard(&app, &viewer).await;
    let got = app.get(&format!("/api/dashboards/{oid}"), &token).await;
    assert_eq!(got.status, 200, "{}", got.text);
    let doc = got.json();
    assert_eq!(doc["widgets"][0]["oid"], wid.as_str());
    assert_eq!(doc["widgets"][0]["title"], "Revenue");
    let picked = app.get(&format!("/api/dashboards/{oid}?fields=title"), &token).await.json();
    assert_eq!(picked, json!({"title": "Sales"}));

    let exported = app.get(&format!("/api/dashboards/{oid}/export"), &token).await;
    assert_eq!(exported.status, 200, "{}", exported.text);
    assert_eq!(exported.json()["widgets"][0]["title"], "Revenue");
    let hidden =
        app.post("/api/v1/dashboards", &app.admin, &json!({"title": "Hidden"})).await.json();
    let hidden_oid = hidden["oid"].as_str().unwrap();
    app.get(&format!("/api/dashboards/{hidden_oid}/export"), &token).await.assert_error(404, 1200);
}

#[tokio::test]
async fn the_owner_publishes_and_others_are_refused() {
    let app = spawn_app().await;
    let (viewer, token) = app.user_with_role("consumer", "v@example.com").await;
    let (oid, _) = dashboard(&app, &viewer).await;
    let path = format!("/api/v1/dashboards/{oid}/publish?force=true");
    let published = app.post(&path, &app.admin, &json!({})).await;
    assert_eq!(published.status, 204, "{}", published.text);
    let doc = app.get(&format!("/api/v1/dashboards/{oid}"), &app.admin).await.json();
    assert!(is_sisense_timestamp(doc["lastPublish"].as_str().unwrap()), "{doc}");
    app.post(&path, &token, &json!({})).await.assert_error(403, 1010);
    let unknown = "/api/v1/dashboards/0123456789abcdef01234567/publish";
    app.post(unknown, &app.admin, &json!({})).await.assert_error(404, 1200);
}

#[tokio::test]
async fn can_be_owned_says_who_may_own_a_dashboard() {
    let app = spawn_app().await;
    let (viewer, _) = app.user_with_role("consumer", "v@example.com").await;
    let (designer, _) = app.user_with_role("contributor", "d@example.com").await;
    let (oid, _) = dashboard(&app, &viewer).await;
    let ask = |user: Option<&Value>| {
        let query = user.map(|u| format!("?userId={}", id_of(u))).unwrap_or_default();
        format!("/api/v1/dashboards/{oid}/can_be_owned{query}")
    };
    assert_eq!(app.get(&ask(None), &app.admin).await.json(), json!({"canBeOwned": true}));
    assert_eq!(
        app.get(&ask(Some(&designer)), &app.admin).await.json(),
        json!({"canBeOwned": true})
    );
    assert_eq!(app.get(&ask(Some(&viewer)), &app.admin).await.json(), json!({"canBeOwned": false}));
    let nobody = format!("/api/v1/dashboards/{oid}/can_be_owned?userId=0123456789abcdef01234567");
    app.get(&nobody, &app.admin).await.assert_error(404, 202);
}

#[tokio::test]
async fn renderings_are_a_clear_501_and_hidden_dashboards_stay_404() {
    let app = spawn_app().await;
    let (viewer, token) = app.user_with_role("consumer", "v@example.com").await;
    let (oid, _) = dashboard(&app, &viewer).await;
    for format in ["png", "pdf"] {
        let resp = app.get(&format!("/api/v1/dashboards/{oid}/export/{format}"), &token).await;
        let error = resp.assert_error(501, 1502);
        assert!(error["message"].as_str().unwrap().contains(".dash"), "{error}");
        let hidden = format!("/api/v1/dashboards/0123456789abcdef01234567/export/{format}");
        app.get(&hidden, &token).await.assert_error(404, 1200);
    }
}

#[tokio::test]
async fn administrators_give_folders_away_without_admin_access() {
    let app = spawn_app().await;
    let (designer, token) = app.user_with_role("contributor", "d@example.com").await;
    let (other, other_token) = app.user_with_role("contributor", "o@example.com").await;
    let folder = app.post("/api/v1/folders", &token, &json!({"name": "Mine"})).await.json();
    let path = format!("/api/v1/folders/{}", folder["oid"].as_str().unwrap());
    let give = json!({"owner": id_of(&other)});
    // Not an administrator: the folder is not even visible to another designer.
    app.patch(&path, &other_token, &give).await.assert_error(404, 1202);
    let given = app.patch(&path, &app.admin, &give).await;
    assert_eq!(given.status, 200, "{}", given.text);
    assert_eq!(given.json()["owner"], other["_id"]);
    // Renaming someone else's folder still needs adminAccess.
    app.patch(&path, &app.admin, &json!({"name": "x"})).await.assert_error(404, 1202);
    assert_ne!(designer["_id"], other["_id"]);
}
