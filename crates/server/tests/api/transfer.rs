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

/// One generated data set on both engines (made on SQLite, moved to PostgreSQL with its ids):
/// sorting on every kind of value (strings, numbers, booleans, nulls, missing fields, arrays),
/// paging, filters, totals, `expand` both ways, and which dashboards each viewer sees give the
/// same answers, byte for byte, and the same totals.
#[tokio::test]
async fn both_engines_answer_alike_on_one_generated_data_set() {
    let source = spawn_app_with(|s| s.database_url = None).await;
    let mut groups = Vec::new();
    for i in 0..8 {
        groups.push(id_of(&source.create_group(json!({"name": format!("Team {i}")})).await));
    }
    let viewer = source.role_id("consumer").await;
    let designer = source.role_id("contributor").await;
    // A small linear congruential generator: the same data every run, no dependency.
    let mut seed: u64 = 7;
    let mut next = move |n: u64| {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) % n
    };
    let names = ["Ava", "ava", "Émile", "Zoë", "bob", "Bob", "Chen", "", "O'Neil", "ßen"];
    let mut users = Vec::new();
    for i in 0..120 {
        let score = match next(6) {
            0 => json!(next(50)),
            1 => json!(next(1000) as f64 / 7.0),
            2 => json!(next(2) == 0),
            3 => json!(null),
            4 => json!(format!("s{}", next(9))),
            _ => json!([next(3), next(3)]),
        };
        let mut user = json!({
            "email": format!("gen{i}@corp.example"),
            "firstName": names[next(names.len() as u64) as usize],
            "lastName": names[next(names.len() as u64) as usize],
            "password": "gen-passw0rd",
            "roleId": if next(3) == 0 { &designer } else { &viewer },
            "groups": (0..next(3)).map(|_| groups[next(8) as usize].clone()).collect::<std::collections::BTreeSet<_>>(),
        });
        if next(5) != 0 {
            user["score"] = score;
        }
        users.push(user);
    }
    let created = source.post("/api/v1/users/bulk", &source.admin, &json!(users)).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let created = created.json();
    let ids: Vec<String> = created.as_array().unwrap().iter().map(id_of).collect();
    let mut owners = Vec::new();
    for i in 0..6 {
        let email = format!("owner{i}@corp.example");
        let (user, token) = source.user_with_role("contributor", &email).await;
        owners.push((id_of(&user), token));
    }
    for d in 0..40 {
        let (_, token) = &owners[next(owners.len() as u64) as usize];
        let shares: Vec<_> = (0..next(4))
            .map(|_| {
                if next(2) == 0 {
                    json!({"shareId": ids[next(ids.len() as u64) as usize], "type": "user", "rule": "view"})
                } else {
                    json!({"shareId": groups[next(8) as usize], "type": "group", "rule": "edit"})
                }
            })
            .collect::<Vec<_>>();
        let mut seen = std::collections::HashSet::new();
        let shares: Vec<_> =
            shares.into_iter().filter(|s| seen.insert(s["shareId"].clone())).collect();
        let title = format!("{} {}", names[next(names.len() as u64) as usize], next(20));
        let resp = source
            .post("/api/v1/dashboards", token, &json!({"title": title, "shares": shares}))
            .await;
        assert_eq!(resp.status, 201, "dashboard {d}: {}", resp.text);
    }

    // Some of the generated users sign in (before the move: a sign-in is a write).
    let mut viewers = Vec::new();
    for user in created.as_array().unwrap().iter().take(30).step_by(3) {
        viewers.push(source.token(user["email"].as_str().unwrap(), "gen-passw0rd").await);
    }

    let mut dump = Vec::new();
    export(source.store.as_ref(), &mut dump).await.unwrap();
    let db = ScratchDatabase::create().await.unwrap();
    import(&PostgresStore::open(db.url()).await.unwrap(), dump.as_slice()).await.unwrap();
    let url = db.url().to_owned();
    let target = spawn_app_with(|s| s.database_url = Some(Secret::new(url))).await;

    let mut paths: Vec<String> = Vec::new();
    for sort in
        ["score", "-score", "lastName,firstName", "-firstName,score", "email", "-created", "groups"]
    {
        for (skip, limit) in [(0, 200), (7, 13), (100, 50)] {
            paths.push(format!(
                "/api/v1/users?sort={sort}&skip={skip}&limit={limit}&fields=-lastLogin"
            ));
        }
    }
    paths.push(format!("/api/v1/users?roleId={designer}&sort=score&fields=-lastLogin"));
    paths.push(format!("/api/v1/users?groupId={}&sort=-score&fields=-lastLogin", groups[3]));
    paths.push("/api/v1/users?search=av&sort=email&fields=email".into());
    paths.push("/api/v1/users?sort=lastName&limit=20&expand=groups&fields=email,groups".into());
    // The teams only: the Admins group holds the administrator, signed in anew by each server.
    paths.push("/api/v1/groups?sort=-name&limit=8&expand=users&fields=name,users".into());
    let mut checks: Vec<(String, String)> =
        paths.into_iter().map(|p| (p, source.admin.clone())).collect();
    for token in &viewers {
        for path in
            ["/api/v1/dashboards?sort=title", "/api/v1/dashboards?sort=-title&skip=2&limit=5"]
        {
            checks.push((path.into(), token.clone()));
        }
    }
    for (_, token) in &owners {
        checks.push(("/api/v1/dashboards?sort=title&fields=title,shares".into(), token.clone()));
    }
    for (path, token) in &checks {
        let counted = |app: &TestApp| {
            app.request(reqwest::Method::GET, path)
                .bearer_auth(token)
                .header("Prefer", "count=exact")
        };
        let on_sqlite = source.send(counted(&source)).await;
        let on_postgres = target.send(counted(&target)).await;
        assert_eq!(on_sqlite.status, 200, "{path}: {}", on_sqlite.text);
        assert_eq!(on_postgres.text, on_sqlite.text, "{path}");
        assert_eq!(
            on_postgres.headers.get("x-total-count"),
            on_sqlite.headers.get("x-total-count"),
            "{path}"
        );
    }
}
