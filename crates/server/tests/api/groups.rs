use serde_json::{Value, json};

use crate::helpers::*;

#[tokio::test]
async fn post_creates_a_group_with_sisense_defaults() {
    let app = spawn_app().await;
    let resp = app
        .post("/api/v1/groups", &app.admin, &json!({"name": "some group", "color": "teal"}))
        .await;
    assert_eq!(resp.status, 201, "{}", resp.text);
    let group = resp.json();
    assert!(is_object_id(&id_of(&group)));
    for (field, value) in [
        ("name", json!("some group")),
        ("roleId", Value::Null),
        ("ad", json!(false)),
        ("objectSid", json!("")),
        ("dn", json!("")),
        ("uSNChanged", json!("")),
        ("mail", json!("")),
        ("color", json!("teal")),
    ] {
        assert_eq!(group[field], value, "{field} in {group}");
    }
    assert!(is_sisense_timestamp(group["created"].as_str().unwrap()));
    assert_eq!(
        app.get(&format!("/api/v1/groups/{}", id_of(&group)), &app.admin).await.json(),
        group
    );
}

#[tokio::test]
async fn a_duplicate_name_is_a_409_whatever_the_case() {
    let app = spawn_app().await;
    app.create_group(json!({"name": "Finance"})).await;
    app.post("/api/v1/groups", &app.admin, &json!({"name": "FINANCE"}))
        .await
        .assert_error(409, 1009);
    app.post("/api/v1/groups", &app.admin, &json!({"name": "admins"}))
        .await
        .assert_error(409, 1009);
    app.create_group(json!({"name": "ΟΔΟΣ"})).await;
    app.post("/api/v1/groups", &app.admin, &json!({"name": "οδος"})).await.assert_error(409, 1009);
}

#[tokio::test]
async fn twenty_identical_posts_racing_create_exactly_one_group() {
    let app = spawn_app().await;
    let attempts: Vec<_> = (0..20)
        .map(|_| {
            let (client, token) = (app.client.clone(), app.admin.clone());
            tokio::spawn(async move {
                client.post("/api/v1/groups", &token, &json!({"name": "Racers"})).await.status
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for a in attempts {
        statuses.push(a.await.unwrap());
    }
    statuses.sort();
    assert_eq!(statuses, [vec![201], vec![409; 19]].concat());
    assert_eq!(
        app.get("/api/v1/groups?name=racers", &app.admin).await.json().as_array().unwrap().len(),
        1
    );
}

#[tokio::test]
async fn bulk_create_is_201_and_all_or_nothing() {
    let app = spawn_app().await;
    let resp =
        app.post("/api/v1/groups/bulk", &app.admin, &json!([{"name": "A"}, {"name": "B"}])).await;
    assert_eq!(resp.status, 201, "{}", resp.text);
    assert_eq!(resp.json().as_array().unwrap().len(), 2);
    let resp =
        app.post("/api/v1/groups/bulk", &app.admin, &json!([{"name": "C"}, {"name": "a"}])).await;
    resp.assert_error(409, 1009);
    assert_eq!(app.get("/api/v1/groups?name=C", &app.admin).await.json(), json!([]));
}

#[tokio::test]
async fn put_replaces_and_patch_merges() {
    let app = spawn_app().await;
    let group =
        app.create_group(json!({"name": "Team", "mail": "team@corp.example", "note": "x"})).await;
    let path = format!("/api/v1/groups/{}", id_of(&group));

    let patched = app.patch(&path, &app.admin, &json!({"note": "y", "extra": 1})).await.json();
    assert_eq!(patched["mail"], "team@corp.example");
    assert_eq!(patched["note"], "y");
    assert_eq!(patched["extra"], 1);

    let replaced = app.put(&path, &app.admin, &json!({"name": "Team 2"})).await.json();
    assert_eq!(replaced["_id"], group["_id"]);
    assert_eq!(replaced["created"], group["created"]);
    assert_eq!(replaced["name"], "Team 2");
    assert_eq!(replaced["mail"], "", "absent from the PUT: back to its default");
    assert!(replaced.get("note").is_none() && replaced.get("extra").is_none(), "{replaced}");

    app.put(&path, &app.admin, &json!({"mail": "x"})).await.assert_error(400, 1007);
    app.patch(&path, &app.admin, &json!({"name": "Admins"})).await.assert_error(409, 1009);
    assert_eq!(app.get(&path, &app.admin).await.json(), replaced);
}

#[tokio::test]
async fn delete_removes_the_group_from_its_members() {
    let app = spawn_app().await;
    let keep = id_of(&app.create_group(json!({"name": "Keep"})).await);
    let gone = id_of(&app.create_group(json!({"name": "Gone"})).await);
    let user = app.create_user(json!({"email": "m@corp.example", "groups": [gone, keep]})).await;

    let resp = app.delete(&format!("/api/v1/groups/{gone}"), &app.admin).await;
    assert_eq!(resp.status, 204);
    let err = app.get(&format!("/api/v1/groups/{gone}"), &app.admin).await.assert_error(404, 203);
    assert_eq!(err["resourceType"], "group");
    let member = app.get(&format!("/api/v1/users/{}", id_of(&user)), &app.admin).await.json();
    assert_eq!(member["groups"], json!([keep]));
    let by_group = app.get(&format!("/api/v1/users?groupId={gone}"), &app.admin).await.json();
    assert_eq!(by_group, json!([]));
}

#[tokio::test]
async fn built_in_groups_cannot_be_deleted() {
    let app = spawn_app().await;
    for name in ["Admins", "Everyone", "All users in system"] {
        let found = app.get(&format!("/api/v1/groups?name={name}"), &app.admin).await.json();
        let id = id_of(&found[0]);
        app.delete(&format!("/api/v1/groups/{id}"), &app.admin).await.assert_error(403, 1011);
        assert_eq!(app.get(&format!("/api/v1/groups/{id}"), &app.admin).await.status, 200);
    }
}

#[tokio::test]
async fn bulk_delete_is_204_and_all_or_nothing() {
    let app = spawn_app().await;
    let a = id_of(&app.create_group(json!({"name": "G1"})).await);
    let b = id_of(&app.create_group(json!({"name": "G2"})).await);
    let admins = id_of(&app.get("/api/v1/groups?name=Admins", &app.admin).await.json()[0]);
    app.delete(&format!("/api/v1/groups/bulk?ids={a},{admins}"), &app.admin)
        .await
        .assert_error(403, 1011);
    assert_eq!(app.get(&format!("/api/v1/groups/{a}"), &app.admin).await.status, 200);
    assert_eq!(
        app.delete(&format!("/api/v1/groups/bulk?ids={a},{b}"), &app.admin).await.status,
        204
    );
    assert_eq!(app.get(&format!("/api/v1/groups/{b}"), &app.admin).await.status, 404);
}

#[tokio::test]
async fn an_unknown_role_is_a_422() {
    let app = spawn_app().await;
    let resp = app
        .post(
            "/api/v1/groups",
            &app.admin,
            &json!({"name": "R", "roleId": "5f00000000000000000000ff"}),
        )
        .await;
    resp.assert_error(422, 1008);
    assert_eq!(app.get("/api/v1/groups?name=R", &app.admin).await.json(), json!([]));
}

#[tokio::test]
async fn list_filters() {
    let app = spawn_app().await;
    let viewer = app.role_id("consumer").await;
    let a = id_of(
        &app.create_group(
            json!({"name": "North Sales", "mail": "north@corp.example", "roleId": viewer}),
        )
        .await,
    );
    let b = id_of(
        &app.create_group(json!({"name": "South Sales", "mail": "south@corp.example"})).await,
    );
    let names = |v: Value| -> Vec<String> {
        v.as_array().unwrap().iter().map(|g| g["name"].as_str().unwrap().to_owned()).collect()
    };
    let cases = [
        ("name=north%20sales".to_owned(), vec!["North Sales"]),
        ("name=North".to_owned(), vec![]),
        ("mail=SOUTH@corp.example".to_owned(), vec!["South Sales"]),
        (format!("roleId={viewer}"), vec!["North Sales"]),
        (format!("ids={b},{a}"), vec!["North Sales", "South Sales"]),
        ("name=Everyone&foo=bar".to_owned(), vec!["Everyone"]),
    ];
    for (query, expected) in cases {
        let resp = app.get(&format!("/api/v1/groups?{query}"), &app.admin).await;
        assert_eq!(resp.status, 200, "{query}: {}", resp.text);
        assert_eq!(names(resp.json()), expected, "{query}");
    }
    app.get("/api/v1/groups?roleId=zz", &app.admin).await.assert_error(400, 1005);
}

#[tokio::test]
async fn a_viewer_cannot_manage_groups() {
    let app = spawn_app().await;
    let (_, token) = app.user_with_role("consumer", "v@corp.example").await;
    app.post("/api/v1/groups", &token, &json!({"name": "Nope"})).await.assert_error(403, 1010);
    assert_eq!(app.get("/api/v1/groups?name=Nope", &app.admin).await.json(), json!([]));
    assert_eq!(app.get("/api/v1/groups", &token).await.status, 200, "reading is allowed");
}
