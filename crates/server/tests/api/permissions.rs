//! The permission matrix of docs/permissions.md, walked whole: every role against every
//! operation. A forbidden call answers 403 with the envelope and changes nothing.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

const ROLES: &[&str] = &["super", "admin", "contributor", "consumer", "dataDesigner", "dataAdmin"];

/// Who may: every role, administrators (super and admin), or super alone.
#[derive(Clone, Copy, Debug)]
enum Who {
    All,
    Admins,
    Super,
}

impl Who {
    fn allows(self, role: &str) -> bool {
        match self {
            Who::All => true,
            Who::Admins => role == "super" || role == "admin",
            Who::Super => role == "super",
        }
    }
}

/// What an operation acts on, made fresh for each call.
enum Target {
    None,
    User(Value),
    SuperUser(Value),
    Group(Value),
    Me,
}

struct Op {
    name: &'static str,
    who: Who,
    ok: u16,
    target: fn() -> TargetKind,
    request: fn(&Target, &str) -> (Method, String, Option<Value>),
}

#[derive(Clone, Copy)]
enum TargetKind {
    None,
    User,
    SuperUser,
    Group,
    Me,
}

fn id(t: &Target) -> String {
    match t {
        Target::User(v) | Target::SuperUser(v) | Target::Group(v) => id_of(v),
        _ => String::new(),
    }
}

fn ops() -> Vec<Op> {
    vec![
        Op {
            name: "list users",
            who: Who::All,
            ok: 200,
            target: || TargetKind::None,
            request: |_, _| (Method::GET, "/api/v1/users".into(), None),
        },
        Op {
            name: "read a user",
            who: Who::All,
            ok: 200,
            target: || TargetKind::User,
            request: |t, _| (Method::GET, format!("/api/v1/users/{}", id(t)), None),
        },
        Op {
            name: "list groups",
            who: Who::All,
            ok: 200,
            target: || TargetKind::None,
            request: |_, _| (Method::GET, "/api/v1/groups".into(), None),
        },
        Op {
            name: "read roles",
            who: Who::All,
            ok: 200,
            target: || TargetKind::None,
            request: |_, _| (Method::GET, "/api/roles".into(), None),
        },
        Op {
            name: "read own profile",
            who: Who::All,
            ok: 200,
            target: || TargetKind::Me,
            request: |_, _| (Method::GET, "/api/users/loggedin".into(), None),
        },
        Op {
            name: "get own API token",
            who: Who::All,
            ok: 200,
            target: || TargetKind::Me,
            request: |_, _| (Method::GET, "/api/v1/authentication/tokens/api".into(), None),
        },
        Op {
            name: "change own password",
            who: Who::All,
            ok: 200,
            target: || TargetKind::Me,
            request: |_, me| {
                (
                    Method::PATCH,
                    format!("/api/v1/users/{me}"),
                    Some(json!({"password": "changed-passw0rd"})),
                )
            },
        },
        Op {
            name: "change own name",
            who: Who::All,
            ok: 200,
            target: || TargetKind::Me,
            request: |_, me| {
                (Method::PATCH, format!("/api/v1/users/{me}"), Some(json!({"firstName": "Me"})))
            },
        },
        // Even to the role one has: roleId is not a field users change on themselves.
        Op {
            name: "change own role",
            who: Who::Admins,
            ok: 200,
            target: || TargetKind::Me,
            request: |_, me| {
                (Method::PATCH, format!("/api/v1/users/{me}"), Some(json!({"roleId": "OWN"})))
            },
        },
        Op {
            name: "renew own token",
            who: Who::All,
            ok: 200,
            target: || TargetKind::Me,
            request: |_, _| (Method::POST, "/api/v1/authentication/tokens/api/renew".into(), None),
        },
        Op {
            name: "create a user",
            who: Who::Admins,
            ok: 201,
            target: || TargetKind::None,
            request: |_, _| {
                (Method::POST, "/api/v1/users".into(), Some(json!({"email": "made@perm.example"})))
            },
        },
        Op {
            name: "create a system administrator",
            who: Who::Super,
            ok: 201,
            target: || TargetKind::None,
            request: |_, _| {
                (
                    Method::POST,
                    "/api/v1/users".into(),
                    Some(json!({"email": "super@perm.example", "roleId": "SUPER"})),
                )
            },
        },
        Op {
            name: "patch another user",
            who: Who::Admins,
            ok: 200,
            target: || TargetKind::User,
            request: |t, _| {
                (
                    Method::PATCH,
                    format!("/api/v1/users/{}", id(t)),
                    Some(json!({"firstName": "Changed"})),
                )
            },
        },
        Op {
            name: "replace another user",
            who: Who::Admins,
            ok: 200,
            target: || TargetKind::User,
            request: |t, _| {
                (
                    Method::PUT,
                    format!("/api/v1/users/{}", id(t)),
                    Some(json!({"email": "replaced@perm.example"})),
                )
            },
        },
        Op {
            name: "delete another user",
            who: Who::Admins,
            ok: 204,
            target: || TargetKind::User,
            request: |t, _| (Method::DELETE, format!("/api/v1/users/{}", id(t)), None),
        },
        Op {
            name: "patch a system administrator",
            who: Who::Super,
            ok: 200,
            target: || TargetKind::SuperUser,
            request: |t, _| {
                (
                    Method::PATCH,
                    format!("/api/v1/users/{}", id(t)),
                    Some(json!({"firstName": "Changed"})),
                )
            },
        },
        Op {
            name: "delete a system administrator",
            who: Who::Super,
            ok: 204,
            target: || TargetKind::SuperUser,
            request: |t, _| (Method::DELETE, format!("/api/v1/users/{}", id(t)), None),
        },
        Op {
            name: "revoke another user's tokens",
            who: Who::Admins,
            ok: 204,
            target: || TargetKind::User,
            request: |t, _| {
                (
                    Method::DELETE,
                    format!("/api/v1/authentication/admin/tokens/api?users={}", id(t)),
                    None,
                )
            },
        },
        Op {
            name: "create a group",
            who: Who::Admins,
            ok: 201,
            target: || TargetKind::None,
            request: |_, _| (Method::POST, "/api/v1/groups".into(), Some(json!({"name": "Made"}))),
        },
        Op {
            name: "patch a group",
            who: Who::Admins,
            ok: 200,
            target: || TargetKind::Group,
            request: |t, _| {
                (
                    Method::PATCH,
                    format!("/api/v1/groups/{}", id(t)),
                    Some(json!({"mail": "x@perm.example"})),
                )
            },
        },
        Op {
            name: "delete a group",
            who: Who::Admins,
            ok: 204,
            target: || TargetKind::Group,
            request: |t, _| (Method::DELETE, format!("/api/v1/groups/{}", id(t)), None),
        },
    ]
}

/// Everything a forbidden call could have changed, as the administrator sees it.
async fn snapshot(app: &TestApp) -> (Value, Value) {
    let users = app.get("/api/v1/users?fields=-lastLogin", &app.admin).await.json();
    let groups = app.get("/api/v1/groups", &app.admin).await.json();
    (users, groups)
}

#[tokio::test]
async fn every_role_against_every_operation() {
    let app = spawn_app().await;
    let super_role = app.role_id("super").await;
    let mut checked = 0;
    for (r, role) in ROLES.iter().enumerate() {
        for (o, op) in ops().iter().enumerate() {
            let email = format!("caller-{r}-{o}@perm.example");
            let (me, token) = app.user_with_role(role, &email).await;
            let target = match (op.target)() {
                TargetKind::None => Target::None,
                TargetKind::Me => Target::Me,
                TargetKind::User => Target::User(app.create_user(json!({"email": format!("target-{r}-{o}@perm.example")})).await),
                TargetKind::SuperUser => Target::SuperUser(
                    app.create_user(json!({"email": format!("super-{r}-{o}@perm.example"), "roleId": super_role})).await,
                ),
                TargetKind::Group => Target::Group(app.create_group(json!({"name": format!("group-{r}-{o}")})).await),
            };
            let own_role = app.role_id(role).await;
            let (method, path, body) = (op.request)(&target, &id_of(&me));
            let body = body.map(|b| {
                let text = b.to_string().replace("\"SUPER\"", &format!("\"{super_role}\""));
                let mut v: Value = serde_json::from_str(&text).unwrap();
                if let Some(email) = v.get("email").and_then(Value::as_str) {
                    v["email"] = json!(format!("{r}-{o}-{email}"));
                }
                if let Some(name) = v.get("name").and_then(Value::as_str) {
                    v["name"] = json!(format!("{name}-{r}-{o}"));
                }
                if op.name == "change own role" {
                    v["roleId"] = json!(own_role);
                }
                v
            });
            let before = snapshot(&app).await;
            let mut req = app.request(method.clone(), &path).bearer_auth(&token);
            if let Some(b) = &body {
                req = req.json(b);
            }
            let resp = app.send(req).await;
            let label = format!("{role} / {}: {method} {path}", op.name);
            if op.who.allows(role) {
                assert_eq!(resp.status, op.ok, "{label} should be allowed: {}", resp.excerpt());
            } else {
                assert_eq!(resp.status, 403, "{label} should be forbidden: {}", resp.excerpt());
                resp.assert_error(403, 1010);
                assert_eq!(
                    snapshot(&app).await,
                    before,
                    "{label}: a forbidden call changed something"
                );
            }
            checked += 1;
        }
    }
    assert_eq!(checked, ROLES.len() * ops().len());
}

/// How a dashboard under test is shared with the caller.
#[derive(Clone, Copy)]
enum Shared {
    No,
    View,
    Edit,
}

/// One row of the content matrix: what the caller does to a dashboard the administrator owns,
/// shared with them as `shared`, and the status each role gets.
struct ContentOp {
    name: &'static str,
    shared: Shared,
    request: fn(&str) -> (Method, String, Option<Value>),
    expect: fn(&str) -> u16,
}

fn creator(role: &str) -> bool {
    role != "consumer"
}

fn admin(role: &str) -> bool {
    role == "super" || role == "admin"
}

fn content_ops() -> Vec<ContentOp> {
    vec![
        ContentOp {
            name: "create a dashboard",
            shared: Shared::No,
            request: |_| {
                (Method::POST, "/api/v1/dashboards".into(), Some(json!({"title": "mine"})))
            },
            expect: |r| if creator(r) { 201 } else { 403 },
        },
        ContentOp {
            name: "create a folder",
            shared: Shared::No,
            request: |_| (Method::POST, "/api/v1/folders".into(), Some(json!({"name": "mine"}))),
            expect: |r| if creator(r) { 201 } else { 403 },
        },
        ContentOp {
            name: "read a dashboard shared for viewing",
            shared: Shared::View,
            request: |d| (Method::GET, format!("/api/v1/dashboards/{d}"), None),
            expect: |_| 200,
        },
        ContentOp {
            name: "read a dashboard not shared",
            shared: Shared::No,
            request: |d| (Method::GET, format!("/api/v1/dashboards/{d}"), None),
            expect: |_| 404,
        },
        ContentOp {
            name: "read a dashboard not shared, with adminAccess",
            shared: Shared::No,
            request: |d| (Method::GET, format!("/api/v1/dashboards/{d}?adminAccess=true"), None),
            expect: |r| if admin(r) { 200 } else { 404 },
        },
        ContentOp {
            name: "edit a dashboard shared for viewing",
            shared: Shared::View,
            request: |d| {
                (Method::PATCH, format!("/api/v1/dashboards/{d}"), Some(json!({"desc": "x"})))
            },
            expect: |_| 403,
        },
        ContentOp {
            name: "edit a dashboard shared for editing",
            shared: Shared::Edit,
            request: |d| {
                (Method::PATCH, format!("/api/v1/dashboards/{d}"), Some(json!({"desc": "x"})))
            },
            expect: |r| if creator(r) { 200 } else { 403 },
        },
        ContentOp {
            name: "add a widget to a dashboard shared for editing",
            shared: Shared::Edit,
            request: |d| {
                (
                    Method::POST,
                    format!("/api/v1/dashboards/{d}/widgets"),
                    Some(json!({"title": "w"})),
                )
            },
            expect: |r| if creator(r) { 201 } else { 403 },
        },
        ContentOp {
            name: "reshare a dashboard shared for editing",
            shared: Shared::Edit,
            request: |d| {
                (Method::PATCH, format!("/api/v1/dashboards/{d}"), Some(json!({"shares": []})))
            },
            expect: |_| 403,
        },
        ContentOp {
            name: "delete a dashboard shared for editing",
            shared: Shared::Edit,
            request: |d| (Method::DELETE, format!("/api/v1/dashboards/{d}"), None),
            expect: |r| if admin(r) { 204 } else { 403 },
        },
        ContentOp {
            name: "delete a dashboard not shared, without adminAccess",
            shared: Shared::No,
            request: |d| (Method::DELETE, format!("/api/v1/dashboards/{d}"), None),
            expect: |r| if admin(r) { 204 } else { 404 },
        },
        ContentOp {
            name: "delete a dashboard not shared, with adminAccess",
            shared: Shared::No,
            request: |d| (Method::DELETE, format!("/api/v1/dashboards/{d}?adminAccess=true"), None),
            expect: |r| if admin(r) { 204 } else { 404 },
        },
        ContentOp {
            name: "list every dashboard (admin listing)",
            shared: Shared::No,
            request: |_| (Method::GET, "/api/v1/dashboards/admin?dashboardType=owner".into(), None),
            expect: |r| if admin(r) { 200 } else { 403 },
        },
    ]
}

/// The dashboard and folder rows of docs/permissions.md: designers and above create, viewers
/// read only what is shared with them, a `view` share never edits, only owners share and delete.
#[tokio::test]
async fn every_role_against_every_content_operation() {
    let app = spawn_app().await;
    for (r, role) in ROLES.iter().enumerate() {
        let (me, token) = app.user_with_role(role, &format!("content-{r}@perm.example")).await;
        for op in content_ops() {
            let shares = match op.shared {
                Shared::No => json!([]),
                Shared::View => json!([{"shareId": id_of(&me), "type": "user", "rule": "view"}]),
                Shared::Edit => json!([{"shareId": id_of(&me), "type": "user", "rule": "edit"}]),
            };
            let d = app
                .post(
                    "/api/v1/dashboards",
                    &app.admin,
                    &json!({"title": op.name, "shares": shares}),
                )
                .await
                .json();
            let oid = d["oid"].as_str().unwrap();
            let (method, path, body) = (op.request)(oid);
            let mut req = app.request(method.clone(), &path).bearer_auth(&token);
            if let Some(b) = &body {
                req = req.json(b);
            }
            let resp = app.send(req).await;
            let expected = (op.expect)(role);
            assert_eq!(
                resp.status,
                expected,
                "{role} / {}: {method} {path}: {}",
                op.name,
                resp.excerpt()
            );
            if expected >= 400 {
                resp.assert_error(expected, if expected == 403 { 1010 } else { 1200 });
                let after = app
                    .get(&format!("/api/v1/dashboards/{oid}?adminAccess=true"), &app.admin)
                    .await
                    .json();
                assert_eq!(after, d, "{role} / {}: a refused call changed the dashboard", op.name);
            }
        }
        // Lists show exactly what is shared: the viewer sees the shared ones, never the others.
        let listed = app.get("/api/v1/dashboards", &token).await.json();
        let mut titles: Vec<&str> =
            listed.as_array().unwrap().iter().map(|d| d["title"].as_str().unwrap()).collect();
        titles.sort_unstable();
        titles.dedup();
        // Shared ones, except those an administrator deleted in the walk above.
        let mut expected: Vec<&str> = content_ops()
            .iter()
            .filter(|op| !matches!(op.shared, Shared::No))
            .filter(|op| !(admin(role) && op.name.starts_with("delete")))
            .map(|op| op.name)
            .collect();
        if creator(role) {
            expected.push("mine");
        }
        expected.sort_unstable();
        assert_eq!(titles, expected, "{role}: the list shows what is shared and own");
    }
}
