//! What clients read at start and the server-wide settings they keep: system, AI and UI
//! settings, `/api/globals` and the palettes, branding, activities, plugins, themes and BloX
//! custom actions.

use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn start_up_settings_say_what_tessera_does_not_do() {
    let app = spawn_app().await;
    let system = app.get("/api/v1/settings/system", &app.admin).await;
    assert_eq!(system.status, 200);
    assert_eq!(system.json()["dashboardCoAuthoring"]["enabled"], false);
    assert_eq!(system.json()["tracking"]["apiTelemetry"], false);
    let ai = app.get("/api/v2/settings/ai", &app.admin).await.json();
    assert_eq!(ai["narration"], json!({"enabled": false, "sisenseAIEnabled": false}));
    let activity = app.post("/api/activities/", &app.admin, &json!({"action": "widgetLoad"})).await;
    assert_eq!(activity.status, 204);
    let bare = app.request(reqwest::Method::POST, "/api/activities/").bearer_auth(&app.admin);
    assert_eq!(app.send(bare).await.status, 204, "a report without a body is dropped too");
    assert_eq!(
        app.get("/api/v1/plugins?limit=50&skip=0", &app.admin).await.json(),
        json!({"plugins": [], "count": 0})
    );
    let theme = app.get("/api/v1/themes/5d1c58b3a21e4a0b2ca1e0ff", &app.admin).await;
    assert_eq!(theme.assert_error(404, 1203)["resourceType"], "theme");
}

#[tokio::test]
async fn globals_describe_the_design_and_the_caller() {
    let app = spawn_app().await;
    let admin = app.get("/api/globals", &app.admin).await;
    assert_eq!(admin.status, 200, "{}", admin.text);
    let g = admin.json();
    assert_eq!(g["designSettings"]["dashboards"]["colorPaletteName"], "Vivid");
    for path in [
        "/general/brandColor",
        "/general/primaryButtonTextColor",
        "/dashboards/widgetTextColor",
        "/dashboards/widgetBackgroundColor",
        "/typography/fontFamily",
        "/typography/primaryTextColor",
        "/typography/hyperlinkColor",
    ] {
        assert!(g["designSettings"].pointer(path).is_some_and(|v| v.is_string()), "{path}");
    }
    assert!(g["features"].is_array() && g["language"].is_string() && g["version"].is_string());
    assert_eq!(g["user"]["email"], ADMIN_EMAIL);
    assert_eq!(g["user"]["tenant"]["name"], "system");
    assert_eq!(g["user"]["userAuth"]["dashboards"]["create"], true);

    let (_, viewer) = app.user_with_role("consumer", "v@example.com").await;
    let v = app.get("/api/globals", &viewer).await.json();
    assert_eq!(v["user"]["email"], "v@example.com");
    assert_eq!(v["user"]["userAuth"]["dashboards"]["create"], false);
}

#[tokio::test]
async fn the_default_palette_is_built_in() {
    let app = spawn_app().await;
    let all = app.get("/api/palettes", &app.admin).await.json();
    assert_eq!(all[0]["name"], "Vivid");
    let vivid = app.get("/api/palettes/Vivid", &app.admin).await.json();
    assert_eq!(vivid["colors"].as_array().unwrap().len(), 6);
    assert_eq!(app.get("/api/palettes/vivid", &app.admin).await.json(), vivid);
    let none = app.get("/api/palettes/Nope", &app.admin).await;
    assert_eq!(none.assert_error(404, 1203)["resourceType"], "palette");
}

#[tokio::test]
async fn branding_and_ui_settings_keep_what_an_administrator_stored() {
    let app = spawn_app().await;
    assert_eq!(app.get("/api/branding", &app.admin).await.json(), json!({}));
    assert_eq!(app.get("/api/v1/settings/ui", &app.admin).await.json(), json!({}));
    let brand = json!({"title": "Acme Analytics", "logo": {"default": "logo.png"}});
    assert_eq!(app.post("/api/branding", &app.admin, &brand).await.status, 200);
    assert_eq!(app.get("/api/branding", &app.admin).await.json(), brand);
    let ui = json!({"showPoweredBy": false});
    assert_eq!(app.post("/api/v1/settings/ui/common", &app.admin, &ui).await.status, 200);
    assert_eq!(app.get("/api/v1/settings/ui", &app.admin).await.json(), json!({"common": ui}));

    let (_, viewer) = app.user_with_role("consumer", "v@example.com").await;
    app.post("/api/branding", &viewer, &json!({"title": "x"})).await.assert_error(403, 1010);
    app.post("/api/branding", &app.admin, &json!(["x"])).await.assert_error(400, 1006);
    assert_eq!(app.get("/api/branding", &viewer).await.json(), brand, "nothing changed");
}

#[tokio::test]
async fn plugins_cannot_be_switched_because_there_are_none() {
    let app = spawn_app().await;
    let change = json!([{"name": "jumpToDashboard", "isEnabled": false}]);
    let missing = app.patch("/api/v1/plugins", &app.admin, &change).await;
    assert_eq!(missing.assert_error(404, 1203)["resourceType"], "plugin");
    assert_eq!(app.patch("/api/v1/plugins", &app.admin, &json!([])).await.json(), json!([]));
}

#[tokio::test]
async fn blox_custom_actions_are_stored_replaced_and_deleted() {
    let app = spawn_app().await;
    let (_, designer) = app.user_with_role("contributor", "d@example.com").await;
    let (_, viewer) = app.user_with_role("consumer", "v@example.com").await;
    let list = |token: String| {
        let app = app.client.clone();
        async move { app.get("/api/v1/blox/getCustomActions", &token).await.json() }
    };
    assert_eq!(list(app.admin.clone()).await, json!([]));

    let first = json!({"type": "sendEmail", "title": "Send", "body": "console.log(1)"});
    let saved = app.post("/api/v1/blox/saveCustomAction", &designer, &first).await;
    assert_eq!(saved.status, 200, "{}", saved.text);
    assert_eq!(saved.json(), first);
    let second = json!({"type": "refresh", "body": ""});
    app.post("/api/v1/blox/saveCustomAction", &app.admin, &second).await;
    let replaced = json!({"type": "sendEmail", "title": "Send now"});
    app.post("/api/v1/blox/saveCustomAction", &designer, &replaced).await;
    assert_eq!(list(viewer.clone()).await, json!([replaced, second]));
    let windows = app.get("/api/v1/getCustomActions/actions", &viewer).await.json();
    assert_eq!(windows, json!([replaced, second]));

    app.post("/api/v1/blox/saveCustomAction", &viewer, &json!({"type": "x"}))
        .await
        .assert_error(403, 1010);
    app.post("/api/v1/blox/saveCustomAction", &designer, &json!({"title": "no type"}))
        .await
        .assert_error(400, 1007);
    let unknown =
        app.post("/api/v1/blox/deleteCustomAction", &designer, &json!({"type": "nope"})).await;
    assert_eq!(unknown.assert_error(404, 1203)["resourceType"], "bloxAction");

    let deleted =
        app.post("/api/v1/blox/deleteCustomAction", &designer, &json!({"type": "sendEmail"})).await;
    assert_eq!(deleted.json(), json!({"success": true}));
    assert_eq!(list(app.admin.clone()).await, json!([second]));
}

#[tokio::test]
async fn one_system_tenant_named_on_every_user_and_group() {
    let app = spawn_app().await;
    let tenants = app.get("/api/v1/tenants", &app.admin).await.json();
    assert_eq!(tenants.as_array().map(Vec::len), Some(1), "{tenants}");
    assert_eq!(tenants[0]["name"], "system");
    let tenant = tenants[0]["_id"].clone();
    assert!(is_object_id(tenant.as_str().unwrap()));

    // A client cannot move anything to another tenant: the field is the server's.
    let user = app.create_user(json!({"email": "t@example.com", "tenantId": "elsewhere"})).await;
    assert_eq!(user["tenantId"], tenant);
    let group = app.create_group(json!({"name": "Tenanted"})).await;
    let patched = app
        .patch(&format!("/api/v1/groups/{}", id_of(&group)), &app.admin, &json!({"tenantId": "x"}))
        .await
        .json();
    assert_eq!(patched["tenantId"], tenant);
    for user in app.get("/api/v1/users", &app.admin).await.json().as_array().unwrap() {
        assert_eq!(user["tenantId"], tenant, "{user}");
    }
    for group in app.get("/api/v1/groups", &app.admin).await.json().as_array().unwrap() {
        assert_eq!(group["tenantId"], tenant, "{group}");
    }
    let (_, viewer) = app.user_with_role("consumer", "v@example.com").await;
    app.get("/api/v1/tenants", &viewer).await.assert_error(403, 1010);
}

/// PySenseSDK's older BloX paths reach the same actions.
#[tokio::test]
async fn the_older_blox_paths_reach_the_same_actions() {
    let app = spawn_app().await;
    let action = json!({"type": "notify", "body": "alert(1)", "snippet": {"type": "notify", "title": "Notify"}});
    let saved = app.post("/api/v1/saveCustomAction/BloX", &app.admin, &action).await;
    assert_eq!(saved.status, 200, "{}", saved.text);
    let got =
        app.post("/api/v1/getActionByType/Blox", &app.admin, &json!({"type": "notify"})).await;
    assert_eq!(got.json(), action);
    assert_eq!(app.get("/api/v1/blox/getCustomActions", &app.admin).await.json(), json!([action]));
    let gone =
        app.post("/api/v1/deleteCustomAction/Blox", &app.admin, &json!({"type": "notify"})).await;
    assert_eq!(gone.status, 200);
    let missing =
        app.post("/api/v1/getActionByType/Blox", &app.admin, &json!({"type": "notify"})).await;
    missing.assert_error(404, 1203);
}
