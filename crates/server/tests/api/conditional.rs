//! Conditional requests on every entity: `ETag` on single-entity GETs, `If-None-Match` → 304,
//! `If-Match` on PUT, PATCH and DELETE → 412 when the entity changed since.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

/// GET with optional `If-None-Match`: (status, ETag, body).
async fn get(app: &TestApp, path: &str, if_none_match: Option<&str>) -> (u16, String, String) {
    let mut req = app.request(Method::GET, path).bearer_auth(&app.admin);
    if let Some(tag) = if_none_match {
        req = req.header("If-None-Match", tag);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let tag =
        resp.headers().get("etag").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, tag, resp.text().await.unwrap())
}

async fn write(
    app: &TestApp, method: Method, path: &str, if_match: &str, body: Option<&Value>,
) -> Resp {
    let mut req = app.request(method, path).bearer_auth(&app.admin).header("If-Match", if_match);
    if let Some(body) = body {
        req = req.json(body);
    }
    app.send(req).await
}

/// One entity: where it lives, a change to make to it (PATCH), and a whole document (PUT, when
/// the route has one).
struct Case {
    path: String,
    patch: Value,
    put: Option<Value>,
}

async fn cases(app: &TestApp) -> Vec<Case> {
    let user = app
        .create_user(json!({"email": "é@example.com", "firstName": "Zoë \"Z\"", "password": "user-passw0rd"}))
        .await;
    // A login rewrites lastLogin inside the stored document: tags must follow it.
    app.token("é@example.com", "user-passw0rd").await;
    let group = app.create_group(json!({"name": "g"})).await;
    let folder = app.post("/api/v1/folders", &app.admin, &json!({"name": "f"})).await.json();
    let dashboard = app
        .post("/api/v1/dashboards", &app.admin, &json!({"title": "d ü", "n": 1.5e3}))
        .await
        .json();
    let d = dashboard["oid"].as_str().unwrap().to_owned();
    let widget = app
        .post(&format!("/api/v1/dashboards/{d}/widgets"), &app.admin, &json!({"title": "w"}))
        .await
        .json();
    vec![
        Case {
            path: format!("/api/v1/users/{}", id_of(&user)),
            patch: json!({"lastName": "Changed"}),
            put: Some(json!({"email": "é@example.com", "firstName": "Put"})),
        },
        Case {
            path: format!("/api/v1/groups/{}", id_of(&group)),
            patch: json!({"mail": "g@example.com"}),
            put: Some(json!({"name": "g2"})),
        },
        Case {
            path: format!("/api/v1/folders/{}", folder["oid"].as_str().unwrap()),
            patch: json!({"name": "f2"}),
            put: None,
        },
        // The widget first: deleting its dashboard deletes it.
        Case {
            path: format!("/api/v1/dashboards/{d}/widgets/{}", widget["oid"].as_str().unwrap()),
            patch: json!({"title": "w2"}),
            put: None,
        },
        Case {
            path: format!("/api/v1/dashboards/{d}"),
            patch: json!({"desc": "x"}),
            put: Some(json!({"title": "d2"})),
        },
    ]
}

#[tokio::test]
async fn if_none_match_answers_304_while_the_entity_is_unchanged() {
    let app = spawn_app().await;
    for case in cases(&app).await {
        let (status, tag, body) = get(&app, &case.path, None).await;
        assert_eq!(status, 200, "{}", case.path);
        assert!(tag.starts_with('"') && tag.len() == 34, "{}: {tag}", case.path);
        let (status, again, body304) = get(&app, &case.path, Some(&tag)).await;
        assert_eq!(
            (status, again.as_str(), body304.as_str()),
            (304, tag.as_str(), ""),
            "{}",
            case.path
        );
        let (status, _, _) = get(&app, &case.path, Some(&format!("\"other\", W/{tag}"))).await;
        assert_eq!(status, 304, "weak comparison: {}", case.path);
        let (status, _, same) = get(&app, &case.path, Some("\"other\"")).await;
        assert_eq!((status, same.as_str()), (200, body.as_str()));
        // A change gives a new tag, and the old one no longer matches.
        let r = app.patch(&case.path, &app.admin, &case.patch).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let (status, new_tag, _) = get(&app, &case.path, Some(&tag)).await;
        assert_eq!(status, 200, "{}", case.path);
        assert_ne!(new_tag, tag);
    }
}

#[tokio::test]
async fn if_match_stops_the_second_of_two_editors() {
    let app = spawn_app().await;
    for case in cases(&app).await {
        let (_, seen, _) = get(&app, &case.path, None).await;
        // The first editor writes with the version they read.
        let first = write(&app, Method::PATCH, &case.path, &seen, Some(&case.patch)).await;
        assert_eq!(first.status, 200, "{}: {}", case.path, first.text);
        let after_first = get(&app, &case.path, None).await.2;
        // The second editor read the same version: refused, and nothing changes.
        for (method, body) in [
            (Method::PATCH, Some(&case.patch)),
            (Method::PUT, case.put.as_ref()),
            (Method::DELETE, None),
        ] {
            if method == Method::PUT && body.is_none() {
                continue;
            }
            write(&app, method.clone(), &case.path, &seen, body).await.assert_error(412, 1015);
            assert_eq!(get(&app, &case.path, None).await.2, after_first, "{method} {}", case.path);
        }
        // With the current version (or `*`), the writes go through.
        let (_, current, _) = get(&app, &case.path, None).await;
        if let Some(put) = &case.put {
            let r = write(&app, Method::PUT, &case.path, &current, Some(put)).await;
            assert_eq!(r.status, 200, "{}: {}", case.path, r.text);
        }
        let r = write(&app, Method::PATCH, &case.path, "*", Some(&case.patch)).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let (_, current, _) = get(&app, &case.path, None).await;
        let r = write(&app, Method::DELETE, &case.path, &current, None).await;
        assert_eq!(r.status, 204, "{}: {}", case.path, r.text);
    }
}

/// The API 0.9 single-entity routes carry the same tags as 1.0 (the same documents).
#[tokio::test]
async fn api_0_9_entities_carry_etags_too() {
    let app = spawn_app().await;
    let group = app.create_group(json!({"name": "tagged"})).await;
    let admin = id_of(&app.get("/api/users/loggedin", &app.admin).await.json());
    let dashboard =
        app.post("/api/v1/dashboards", &app.admin, &json!({"title": "tagged"})).await.json();
    for (v1, v09) in [
        (format!("/api/v1/groups/{}", id_of(&group)), "/api/groups/tagged".to_owned()),
        (
            format!("/api/v1/dashboards/{}", dashboard["oid"].as_str().unwrap()),
            format!("/api/dashboards/{}", dashboard["oid"].as_str().unwrap()),
        ),
        (format!("/api/v1/users/{admin}"), format!("/api/users/{ADMIN_EMAIL}")),
    ] {
        let (_, tag, body) = get(&app, &v1, None).await;
        let (status, tag09, body09) = get(&app, &v09, None).await;
        assert_eq!(status, 200, "{v09}");
        if v09.starts_with("/api/dashboards/") {
            // API 0.9 answers a dashboard with its widgets inside: another body, another tag.
            let mut expected: Value = serde_json::from_str(&body).unwrap();
            expected["widgets"] = json!([]);
            assert_eq!(serde_json::from_str::<Value>(&body09).unwrap(), expected, "{v09}");
            assert_ne!(tag09, tag, "{v09}");
        } else {
            assert_eq!(body09, body, "{v09}");
            assert_eq!(tag09, tag, "{v09}");
        }
        let (status, _, _) = get(&app, &v09, Some(&tag09)).await;
        assert_eq!(status, 304, "{v09}");
    }
}
