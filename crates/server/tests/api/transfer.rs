//! Moving a store between engines: SQLite → PostgreSQL → SQLite through `tessera export` and
//! `tessera import` (the functions behind them) gives the same API answers byte for byte, and
//! tokens issued before the move keep working after it (a logged-out one stays refused).

use serde_json::json;
use tessera_server::config::Secret;
use tessera_server::transfer::{export, import};
use tessera_store::postgres::PostgresStore;
use tessera_store::postgres::scratch::ScratchDatabase;
use tessera_store::sqlite::SqliteStore;

use crate::helpers::*;

/// What the comparison reads as the administrator. The administrator's `lastLogin` is left
/// out: every test server signs its administrator in when it starts.
const ADMIN_PATHS: &[&str] = &[
    "/api/v1/users?fields=-lastLogin",
    "/api/v1/users?sort=-lastName,firstName&skip=1&limit=3&fields=-lastLogin",
    "/api/v1/users?expand=groups&fields=-lastLogin",
    "/api/v1/groups?name=Builders&expand=users",
    "/api/v1/groups?sort=-created",
    "/api/roles",
];

/// What the comparison reads as the owner of the content.
const OWNER_PATHS: &[&str] = &[
    "/api/v1/folders",
    "/api/v1/dashboards?sort=title",
    "/api/v1/dashboards?sort=-title&expand=owner",
    "/api/v1/dashboards?fields=title,shares,parentFolder",
];

async fn answers(app: &TestApp, admin: &str, owner: &str) -> Vec<(String, u16, String)> {
    let mut out = Vec::new();
    for (paths, token) in [(ADMIN_PATHS, admin), (OWNER_PATHS, owner)] {
        for path in paths {
            let resp = app.get(path, token).await;
            out.push((path.to_string(), resp.status, resp.text));
        }
    }
    out
}

#[tokio::test]
async fn a_store_moved_to_postgres_and_back_answers_the_same_and_keeps_its_tokens() {
    let source = spawn_app_with(|s| s.database_url = None).await;
    let g1 = id_of(&source.create_group(json!({"name": "Analysts"})).await);
    let g2 = id_of(&source.create_group(json!({"name": "Builders"})).await);
    let designer = source.role_id("contributor").await;
    for (i, (first, last)) in
        [("Ann", "Zed"), ("Bob", "Young"), ("Cy", "Young"), ("Di", "Xu")].iter().enumerate()
    {
        let groups = if i % 2 == 0 { json!([g1]) } else { json!([g1, g2]) };
        source
            .create_user(json!({
                "email": format!("u{i}@corp.example"), "firstName": first, "lastName": last,
                "password": "moved-passw0rd", "roleId": designer, "groups": groups
            }))
            .await;
    }
    let kept = source.token("u1@corp.example", "moved-passw0rd").await;
    let dropped = source.token("u2@corp.example", "moved-passw0rd").await;
    assert_eq!(source.get("/api/v1/authentication/logout", &dropped).await.status, 200);
    let folder = source.post("/api/v1/folders", &kept, &json!({"name": "Top"})).await.json();
    let inner = json!({"name": "Inner", "parentId": folder["oid"]});
    let inner = source.post("/api/v1/folders", &kept, &inner).await.json();
    for (title, parent) in [("Sales", inner["oid"].clone()), ("Costs", serde_json::Value::Null)] {
        let body = json!({
            "title": title, "parentFolder": parent,
            "shares": [{"shareId": g2, "type": "group", "rule": "view"}],
            "widgets": [{"title": "w1", "type": "chart/bar"}, {"title": "w2", "type": "pivot"}]
        });
        let resp = source.post("/api/v1/dashboards", &kept, &body).await;
        assert_eq!(resp.status, 201, "{}", resp.text);
    }
    let before = answers(&source, &source.admin, &kept).await;
    assert!(before.iter().all(|(_, status, _)| *status == 200), "{before:?}");
    assert!(before.iter().all(|(_, _, text)| text != "[]"), "{before:?}");

    // SQLite → PostgreSQL.
    let mut dump = Vec::new();
    let rows = export(source.store.as_ref(), &mut dump).await.unwrap();
    assert!(rows > 20, "{rows} rows");
    let db = ScratchDatabase::create().await.unwrap();
    let target = PostgresStore::open(db.url()).await.unwrap();
    assert_eq!(import(&target, dump.as_slice()).await.unwrap(), rows);
    drop(target);
    let url = db.url().to_owned();
    let on_postgres = spawn_app_with(|s| s.database_url = Some(Secret::new(url))).await;
    assert_eq!(answers(&on_postgres, &source.admin, &kept).await, before);

    // And back to SQLite.
    let mut again = Vec::new();
    assert_eq!(export(on_postgres.store.as_ref(), &mut again).await.unwrap(), rows);
    let dir = tempfile::tempdir().unwrap();
    let back = SqliteStore::open(dir.path()).await.unwrap();
    assert_eq!(import(&back, again.as_slice()).await.unwrap(), rows);
    drop(back);
    let path = dir.path().to_owned();
    let on_sqlite = spawn_app_with(|s| {
        s.database_url = None;
        s.data_dir = path;
    })
    .await;
    assert_eq!(answers(&on_sqlite, &source.admin, &kept).await, before);

    let dashboards = source.get("/api/v1/dashboards", &kept).await.json();
    let widgets = format!("/api/v1/dashboards/{}/widgets", dashboards[0]["oid"].as_str().unwrap());
    let widgets_before = source.get(&widgets, &kept).await.text;
    assert!(widgets_before.contains("w2"), "{widgets_before}");
    for moved in [&on_postgres, &on_sqlite] {
        assert_eq!(moved.get(&widgets, &kept).await.text, widgets_before);
        assert_eq!(
            moved.get("/api/users/loggedin", &kept).await.json()["email"],
            "u1@corp.example"
        );
        moved.get("/api/users/loggedin", &dropped).await.assert_error(401, 5002);
    }
}

/// An import goes into an empty store only, and refuses what is not an export.
#[tokio::test]
async fn an_import_refuses_a_store_that_holds_data_and_a_file_that_is_not_an_export() {
    let app = spawn_app().await;
    let mut dump = Vec::new();
    export(app.store.as_ref(), &mut dump).await.unwrap();
    let err = import(app.store.as_ref(), dump.as_slice()).await.unwrap_err();
    assert!(err.to_string().contains("already holds data"), "{err}");

    let dir = tempfile::tempdir().unwrap();
    let empty = SqliteStore::open(dir.path()).await.unwrap();
    let err = import(&empty, &b"{\"users\": []}\n"[..]).await.unwrap_err();
    assert!(err.to_string().contains("not a Tessera export"), "{err}");
}
