use crate::helpers::*;

#[tokio::test]
async fn built_in_roles_are_listed() {
    let app = spawn_app().await;
    let roles = app.get("/api/roles", &app.admin).await.json();
    let mut names: Vec<(&str, &str)> = roles
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["name"].as_str().unwrap(), r["displayName"].as_str().unwrap()))
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            ("admin", "Admin"),
            ("consumer", "Viewer"),
            ("contributor", "Designer"),
            ("dataAdmin", "Data Admin"),
            ("dataDesigner", "Data Designer"),
            ("super", "Sys. Admin"),
        ]
    );
    assert!(roles.as_array().unwrap().iter().all(|r| is_object_id(r["_id"].as_str().unwrap())));
}

#[tokio::test]
async fn a_role_is_found_by_name_or_by_id() {
    let app = spawn_app().await;
    let by_name = app.get("/api/roles/contributor", &app.admin).await;
    assert_eq!(by_name.status, 200);
    let role = by_name.json();
    assert_eq!(role["displayName"], "Designer");
    let by_id = app.get(&format!("/api/roles/{}", id_of(&role)), &app.admin).await.json();
    assert_eq!(by_id, role);
    let upper = app.get("/api/roles/CONTRIBUTOR", &app.admin).await.json();
    assert_eq!(upper, role);
}

#[tokio::test]
async fn an_unknown_role_is_a_404_envelope() {
    let app = spawn_app().await;
    let err = app.get("/api/roles/wizard", &app.admin).await.assert_error(404, 204);
    assert_eq!(err["resourceType"], "role");
    assert_eq!(err["resourceName"], "wizard");
}

/// `/api/roles` honours the special fields like every other GET.
#[tokio::test]
async fn roles_honour_the_special_fields() {
    let app = spawn_app().await;
    let names = app.get("/api/roles?fields=name&sort=-name&limit=2", &app.admin).await;
    assert_eq!(names.status, 200, "{}", names.text);
    assert_eq!(names.json(), serde_json::json!([{"name": "super"}, {"name": "dataDesigner"}]));
    let skipped = app.get("/api/roles?fields=name&sort=name&skip=5", &app.admin).await;
    assert_eq!(skipped.json(), serde_json::json!([{"name": "super"}]));
    app.get("/api/roles?limit=abc", &app.admin).await.assert_error(400, 1005);
    app.get("/api/roles?fields=name,-name", &app.admin).await.assert_error(400, 1005);
    let one = app.get("/api/roles/admin?fields=displayName", &app.admin).await;
    assert_eq!(one.json(), serde_json::json!({"displayName": "Admin"}));
}
