//! `/api/v1/settings/features`: Feature Management's switches, for administrators only.

use serde_json::json;

use crate::helpers::*;

const FEATURES: &str = "/api/v1/settings/features";

#[tokio::test]
async fn the_api_token_switch_is_off_until_an_administrator_turns_it_on() {
    let app = spawn_app().await;
    let off = app.get(FEATURES, &app.admin).await;
    assert_eq!(off.status, 200, "{}", off.text);
    assert_eq!(off.json(), json!({"userProfile": {"apiToken": false}}));

    let on = app.patch(FEATURES, &app.admin, &json!({"userProfile": {"apiToken": true}})).await;
    assert_eq!(on.status, 200, "{}", on.text);
    assert_eq!(on.json(), json!({"userProfile": {"apiToken": true}}));
    assert_eq!(app.get(FEATURES, &app.admin).await.json()["userProfile"]["apiToken"], true);

    let back = app.patch(FEATURES, &app.admin, &json!({"userProfile": {"apiToken": null}})).await;
    assert_eq!(back.json()["userProfile"]["apiToken"], false);
}

#[tokio::test]
async fn a_wrong_switch_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    app.patch(FEATURES, &app.admin, &json!({"userProfile": {"apiToken": true}})).await;
    for bad in [
        json!({"userProfile": {"apiTokens": false}}),
        json!({"userProfile": {"apiToken": "no"}}),
        json!("off"),
    ] {
        app.patch(FEATURES, &app.admin, &bad).await.assert_error(400, 1006);
    }
    assert_eq!(app.get(FEATURES, &app.admin).await.json()["userProfile"]["apiToken"], true);
}

#[tokio::test]
async fn only_administrators_read_or_change_the_switches() {
    let app = spawn_app().await;
    for (role, email) in
        [("contributor", "designer@example.com"), ("consumer", "viewer@example.com")]
    {
        let (_, token) = app.user_with_role(role, email).await;
        app.get(FEATURES, &token).await.assert_error(403, 1010);
        let on = json!({"userProfile": {"apiToken": true}});
        app.patch(FEATURES, &token, &on).await.assert_error(403, 1010);
    }
    let (_, admin) = app.user_with_role("admin", "second-admin@example.com").await;
    assert_eq!(app.get(FEATURES, &admin).await.status, 200);
    assert_eq!(app.get(FEATURES, &app.admin).await.json()["userProfile"]["apiToken"], false);
}
