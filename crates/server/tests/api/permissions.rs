//! The permission matrix of docs/permissions.md, walked whole: every role against every
//! operation. A forbidden call answers 403 with the envelope and changes nothing.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

const ROLES: &[&str] = &[
    "super",
    "admin",
    "contributor",
    "consumer",
    "dataDesigner",
    "dataAdmin",
];

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
            request: |_, _| {
                (
                    Method::GET,
                    "/api/v1/authentication/tokens/api".into(),
                    None,
                )
            },
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
                (
                    Method::PATCH,
                    format!("/api/v1/users/{me}"),
                    Some(json!({"firstName": "Me"})),
                )
            },
        },
        // Even to the role one has: roleId is not a field users change on themselves.
        Op {
            name: "change own role",
            who: Who::Admins,
            ok: 200,
            target: || TargetKind::Me,
            request: |_, me| {
                (
                    Method::PATCH,
                    format!("/api/v1/users/{me}"),
                    Some(json!({"roleId": "OWN"})),
                )
            },
        },
        Op {
            name: "renew own token",
            who: Who::All,
            ok: 200,
            target: || TargetKind::Me,
            request: |_, _| {
                (
                    Method::POST,
                    "/api/v1/authentication/tokens/api/renew".into(),
                    None,
                )
            },
        },
        Op {
            name: "create a user",
            who: Who::Admins,
            ok: 201,
            target: || TargetKind::None,
            request: |_, _| {
                (
                    Method::POST,
                    "/api/v1/users".into(),
                    Some(json!({"email": "made@perm.example"})),
                )
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
            request: |_, _| {
                (
                    Method::POST,
                    "/api/v1/groups".into(),
                    Some(json!({"name": "Made"})),
                )
            },
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
    let users = app
        .get("/api/v1/users?fields=-lastLogin", &app.admin)
        .await
        .json();
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
                let text = b
                    .to_string()
                    .replace("\"SUPER\"", &format!("\"{super_role}\""));
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
                assert_eq!(
                    resp.status,
                    op.ok,
                    "{label} should be allowed: {}",
                    resp.excerpt()
                );
            } else {
                assert_eq!(
                    resp.status,
                    403,
                    "{label} should be forbidden: {}",
                    resp.excerpt()
                );
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
