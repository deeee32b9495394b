use serde_json::{Value, json};

use crate::helpers::*;

#[tokio::test]
async fn post_creates_a_user_with_server_fields_and_keeps_unknown_fields() {
    let app = spawn_app().await;
    let resp = app
        .post(
            "/api/v1/users",
            &app.admin,
            &json!({"email": "ann@corp.example", "firstName": "Ann", "password": "ann-passw0rd",
                    "preferences": {"localeId": "en-US"}, "team": {"name": "core", "size": 3}}),
        )
        .await;
    assert_eq!(resp.status, 201, "{}", resp.text);
    let user = resp.json();
    assert!(is_object_id(user["_id"].as_str().unwrap()), "{user}");
    assert!(is_sisense_timestamp(user["created"].as_str().unwrap()), "{user}");
    assert!(is_sisense_timestamp(user["lastUpdated"].as_str().unwrap()), "{user}");
    assert_eq!(user["userName"], "ann@corp.example", "userName defaults to the e-mail");
    assert_eq!(user["team"], json!({"name": "core", "size": 3}));
    assert_eq!(user["preferences"], json!({"localeId": "en-US"}));
    assert_eq!(user["active"], true);
    assert_eq!(user["roleId"], app.role_id("consumer").await, "Viewer by default");
    assert!(user.get("password").is_none());

    let fetched = app.get(&format!("/api/v1/users/{}", id_of(&user)), &app.admin).await;
    assert_eq!(fetched.status, 200);
    assert_eq!(fetched.json(), user);
    // The password was stored (hashed): the new user can log in with it.
    assert_eq!(app.login("ann@corp.example", "ann-passw0rd").await.status, 200);
}

#[tokio::test]
async fn a_duplicate_user_name_or_email_is_a_409_whatever_the_case() {
    let app = spawn_app().await;
    app.create_user(json!({"userName": "bob", "email": "bob@corp.example"})).await;
    for dup in [
        json!({"userName": "BOB", "email": "other@corp.example"}),
        json!({"userName": "bobby", "email": "Bob@Corp.Example"}),
    ] {
        let resp = app.post("/api/v1/users", &app.admin, &dup).await;
        resp.assert_error(409, 1009);
    }
    let all = app.get("/api/v1/users", &app.admin).await.json();
    assert_eq!(all.as_array().unwrap().len(), 2, "admin and bob only: {all}");
}

/// Names a reader cannot tell apart are one name (NFKC with full case folding), not only names
/// that differ in ASCII case.
#[tokio::test]
async fn names_that_look_the_same_are_one_name() {
    let app = spawn_app().await;
    let taken = [
        ("Straße", "STRASSE"),
        ("ΟΔΟΣ", "οδος"),
        ("ｗｉｄｅ", "Wide"),
        ("Jos\u{e9}", "Jose\u{301}"),
    ];
    for (i, (first, second)) in taken.into_iter().enumerate() {
        let email = format!("first{i}@corp.example");
        app.create_user(json!({"userName": first, "email": email})).await;
        let dup = json!({"userName": second, "email": format!("second{i}@corp.example")});
        app.post("/api/v1/users", &app.admin, &dup).await.assert_error(409, 1009);
    }
    // Distinct names stay distinct: the accent is part of the name.
    app.create_user(json!({"userName": "Jose", "email": "plain@corp.example"})).await;
}

#[tokio::test]
async fn twenty_identical_posts_racing_create_exactly_one_user() {
    let app = spawn_app().await;
    let body = json!({"email": "race@corp.example", "userName": "race"});
    let attempts = (0..20).map(|_| {
        let client = app.client.clone();
        let (token, body) = (app.admin.clone(), body.clone());
        tokio::spawn(async move { client.post("/api/v1/users", &token, &body).await })
    });
    let mut statuses = Vec::new();
    for attempt in attempts {
        let resp = attempt.await.unwrap();
        if resp.status == 409 {
            resp.assert_error(409, 1009);
        }
        statuses.push(resp.status);
    }
    statuses.sort();
    assert_eq!(statuses, [vec![201], vec![409; 19]].concat());
    let found = app.get("/api/v1/users?email=race@corp.example", &app.admin).await.json();
    assert_eq!(found.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn put_replaces_the_user_but_keeps_id_and_created() {
    let app = spawn_app().await;
    let user = app
        .create_user(json!({"email": "carl@corp.example", "firstName": "Carl", "lastName": "Old", "note": "x"}))
        .await;
    let path = format!("/api/v1/users/{}", id_of(&user));
    let resp =
        app.put(&path, &app.admin, &json!({"email": "carl@corp.example", "lastName": "New"})).await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    let replaced = resp.json();
    assert_eq!(replaced["_id"], user["_id"]);
    assert_eq!(replaced["created"], user["created"]);
    assert_eq!(replaced["lastName"], "New");
    assert!(replaced.get("firstName").is_none(), "absent from the PUT, so gone: {replaced}");
    assert!(replaced.get("note").is_none(), "{replaced}");
    assert!(replaced["lastUpdated"].as_str() >= user["lastUpdated"].as_str());
    assert_eq!(app.get(&path, &app.admin).await.json(), replaced);
}

#[tokio::test]
async fn put_without_the_required_email_is_a_400_and_changes_nothing() {
    let app = spawn_app().await;
    let user = app.create_user(json!({"email": "dora@corp.example", "firstName": "Dora"})).await;
    let path = format!("/api/v1/users/{}", id_of(&user));
    let err =
        app.put(&path, &app.admin, &json!({"firstName": "Changed"})).await.assert_error(400, 1007);
    assert!(err["message"].as_str().unwrap().contains("email"), "{err}");
    assert_eq!(app.get(&path, &app.admin).await.json(), user);
}

#[tokio::test]
async fn patch_merges_only_the_given_fields() {
    let app = spawn_app().await;
    let user = app
        .create_user(json!({"email": "eve@corp.example", "firstName": "Eve", "lastName": "Adams",
                            "preferences": {"localeId": "en-US", "theme": "dark"}}))
        .await;
    let path = format!("/api/v1/users/{}", id_of(&user));
    let resp = app
        .patch(
            &path,
            &app.admin,
            &json!({"lastName": "Brown", "preferences": {"theme": null, "tz": "UTC"}}),
        )
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    let patched = resp.json();
    assert_eq!(patched["firstName"], "Eve");
    assert_eq!(patched["lastName"], "Brown");
    assert_eq!(patched["preferences"], json!({"localeId": "en-US", "tz": "UTC"}));
    assert_eq!(patched["created"], user["created"]);
    assert_eq!(app.get(&path, &app.admin).await.json(), patched);
}

#[tokio::test]
async fn patch_that_breaks_the_user_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let user = app.create_user(json!({"email": "fay@corp.example"})).await;
    let path = format!("/api/v1/users/{}", id_of(&user));
    app.patch(&path, &app.admin, &json!({"email": null})).await.assert_error(400, 1007);
    app.patch(&path, &app.admin, &json!({"active": "yes"})).await.assert_error(400, 1006);
    app.patch(&path, &app.admin, &json!(["not", "an", "object"])).await.assert_error(400, 1006);
    assert_eq!(app.get(&path, &app.admin).await.json(), user);
}

#[tokio::test]
async fn patch_password_changes_it_and_kills_old_tokens() {
    let app = spawn_app().await;
    let (user, old_token) = app.user_with_role("consumer", "gus@corp.example").await;
    let path = format!("/api/v1/users/{}", id_of(&user));
    let resp = app.patch(&path, &app.admin, &json!({"password": "brand-new-passw0rd"})).await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    app.login("gus@corp.example", "user-passw0rd").await.assert_error(401, 1100);
    assert_eq!(app.login("gus@corp.example", "brand-new-passw0rd").await.status, 200);
    app.get("/api/v1/users", &old_token).await.assert_error(401, 5002);
}

#[tokio::test]
async fn delete_is_204_then_the_user_is_a_404_with_code_202() {
    let app = spawn_app().await;
    let user = app.create_user(json!({"email": "hal@corp.example"})).await;
    let id = id_of(&user);
    let resp = app.delete(&format!("/api/v1/users/{id}"), &app.admin).await;
    assert_eq!(resp.status, 204);
    assert!(resp.text.is_empty());
    let err = app.get(&format!("/api/v1/users/{id}"), &app.admin).await.assert_error(404, 202);
    assert_eq!(err["resourceType"], "user");
    assert_eq!(err["resourceName"], id.as_str());
    assert_eq!(err["message"], format!("User '{id}' not found"));
    app.delete(&format!("/api/v1/users/{id}"), &app.admin).await.assert_error(404, 202);
}

/// The seed's error example, verbatim.
#[tokio::test]
async fn seed_error_example_user_not_found() {
    let app = spawn_app().await;
    let resp = app.get("/api/v1/users/d59665_athisisauserid6235_fs", &app.admin).await;
    assert_eq!(resp.status, 404);
    assert_eq!(
        resp.json(),
        json!({"error": {
            "code": 202,
            "message": "User 'd59665_athisisauserid6235_fs' not found",
            "resourceType": "user",
            "resourceName": "d59665_athisisauserid6235_fs",
            "status": 404,
            "httpMessage": "Not Found"
        }})
    );
}

#[tokio::test]
async fn bulk_create_is_201_with_an_array_and_all_or_nothing() {
    let app = spawn_app().await;
    let resp = app
        .post(
            "/api/v1/users/bulk",
            &app.admin,
            &json!([{"email": "i1@corp.example"}, {"email": "i2@corp.example"}]),
        )
        .await;
    assert_eq!(resp.status, 201, "{}", resp.text);
    let created = resp.json();
    assert_eq!(created.as_array().unwrap().len(), 2);
    assert_eq!(created[1]["email"], "i2@corp.example");

    // One duplicate in the batch: nothing of it is stored.
    let resp = app
        .post(
            "/api/v1/users/bulk",
            &app.admin,
            &json!([{"email": "i3@corp.example"}, {"email": "I1@corp.example"}]),
        )
        .await;
    resp.assert_error(409, 1009);
    let found = app.get("/api/v1/users?email=i3@", &app.admin).await.json();
    assert_eq!(found, json!([]));

    // One invalid document: the same.
    let resp = app
        .post("/api/v1/users/bulk", &app.admin, &json!([{"email": "i4@corp.example"}, {}]))
        .await;
    resp.assert_error(400, 1007);
    assert_eq!(app.get("/api/v1/users?email=i4@", &app.admin).await.json(), json!([]));

    app.post("/api/v1/users/bulk", &app.admin, &json!({"email": "x@y.z"}))
        .await
        .assert_error(400, 1006);
}

#[tokio::test]
async fn bulk_delete_is_204_and_all_or_nothing() {
    let app = spawn_app().await;
    let a = id_of(&app.create_user(json!({"email": "j1@corp.example"})).await);
    let b = id_of(&app.create_user(json!({"email": "j2@corp.example"})).await);
    let c = id_of(&app.create_user(json!({"email": "j3@corp.example"})).await);
    let missing = "5f0000000000000000000000";

    let err = app
        .delete(&format!("/api/v1/users/bulk?ids={a},{missing}"), &app.admin)
        .await
        .assert_error(404, 202);
    assert_eq!(err["resourceName"], missing);
    assert_eq!(
        app.get(&format!("/api/v1/users/{a}"), &app.admin).await.status,
        200,
        "nothing deleted"
    );

    let resp = app.delete(&format!("/api/v1/users/bulk?ids={a},{b}"), &app.admin).await;
    assert_eq!(resp.status, 204);
    for (id, status) in [(&a, 404), (&b, 404), (&c, 200)] {
        assert_eq!(app.get(&format!("/api/v1/users/{id}"), &app.admin).await.status, status);
    }
    app.delete("/api/v1/users/bulk", &app.admin).await.assert_error(400, 1005);
}

#[tokio::test]
async fn references_to_unknown_roles_or_groups_are_422_and_store_nothing() {
    let app = spawn_app().await;
    let ghost = "5f00000000000000000000ff";
    let resp = app
        .post("/api/v1/users", &app.admin, &json!({"email": "k@corp.example", "roleId": ghost}))
        .await;
    resp.assert_error(422, 1008);
    let resp = app
        .post("/api/v1/users", &app.admin, &json!({"email": "k@corp.example", "groups": [ghost]}))
        .await;
    resp.assert_error(422, 1008);
    assert_eq!(app.get("/api/v1/users?email=k@corp", &app.admin).await.json(), json!([]));

    let user = app.create_user(json!({"email": "k@corp.example"})).await;
    let path = format!("/api/v1/users/{}", id_of(&user));
    app.patch(&path, &app.admin, &json!({"groups": [ghost]})).await.assert_error(422, 1008);
    app.put(&path, &app.admin, &json!({"email": "k@corp.example", "roleId": ghost}))
        .await
        .assert_error(422, 1008);
    assert_eq!(app.get(&path, &app.admin).await.json(), user);
}

#[tokio::test]
async fn list_filters() {
    let app = spawn_app().await;
    let g1 = id_of(&app.create_group(json!({"name": "Sales"})).await);
    let g2 = id_of(&app.create_group(json!({"name": "Ops"})).await);
    let designer = app.role_id("contributor").await;
    let u1 = app
        .create_user(
            json!({"userName": "Alice.Smith", "email": "alice@north.example", "firstName": "Alice",
                            "lastName": "Smith", "groups": [g1, g2], "roleId": designer}),
        )
        .await;
    let u2 = app
        .create_user(
            json!({"userName": "bob.jones", "email": "bob@south.example", "firstName": "Bob",
                            "lastName": "Jones", "groups": [g2], "active": false}),
        )
        .await;
    let u3 = app
        .create_user(
            json!({"userName": "carol", "email": "carol@north.example", "lastName": "smith"}),
        )
        .await;
    let (u1, u2, u3) = (id_of(&u1), id_of(&u2), id_of(&u3));

    let ids = |resp: Value| -> Vec<String> {
        let mut ids: Vec<String> = resp.as_array().unwrap().iter().map(id_of).collect();
        ids.sort();
        ids
    };
    let sorted = |mut v: Vec<&String>| {
        v.sort();
        v.into_iter().cloned().collect::<Vec<_>>()
    };
    let cases: Vec<(String, Vec<String>)> = vec![
        ("userName=ALICE".into(), sorted(vec![&u1])),
        ("userName=S".into(), sorted(vec![&u1, &u2])),
        ("email=NORTH.example".into(), sorted(vec![&u1, &u3])),
        ("firstName=bob".into(), sorted(vec![&u2])),
        ("lastName=Smith".into(), sorted(vec![&u1, &u3])),
        (format!("roleId={designer}"), sorted(vec![&u1])),
        (format!("groupId={g2}"), sorted(vec![&u1, &u2])),
        (format!("groupId={g1}"), sorted(vec![&u1])),
        ("active=false".into(), sorted(vec![&u2])),
        (format!("ids={u1},{u3}"), sorted(vec![&u1, &u3])),
        (format!("email=north&groupId={g2}"), sorted(vec![&u1])),
        ("email=north&trc=123&unknownParam=x".into(), sorted(vec![&u1, &u3])),
    ];
    for (query, expected) in cases {
        let resp = app.get(&format!("/api/v1/users?{query}"), &app.admin).await;
        assert_eq!(resp.status, 200, "{query}: {}", resp.text);
        assert_eq!(ids(resp.json()), expected, "{query}");
    }
    for bad in ["roleId=nope", "groupId=1", "active=yes", "ids=abc"] {
        app.get(&format!("/api/v1/users?{bad}"), &app.admin).await.assert_error(400, 1005);
    }
}

#[tokio::test]
async fn a_viewer_cannot_create_change_or_delete_users() {
    let app = spawn_app().await;
    let (viewer, token) = app.user_with_role("consumer", "viewer@corp.example").await;
    let path = format!("/api/v1/users/{}", id_of(&viewer));
    let viewer = app.get(&path, &app.admin).await.json();
    app.post("/api/v1/users", &token, &json!({"email": "new@corp.example"}))
        .await
        .assert_error(403, 1010);
    app.post("/api/v1/users/bulk", &token, &json!([{"email": "new@corp.example"}]))
        .await
        .assert_error(403, 1010);
    app.patch(&path, &token, &json!({"roleId": app.role_id("super").await}))
        .await
        .assert_error(403, 1010);
    app.put(&path, &token, &json!({"email": "viewer@corp.example"})).await.assert_error(403, 1010);
    app.delete(&path, &token).await.assert_error(403, 1010);
    assert_eq!(app.get(&path, &app.admin).await.json(), viewer, "nothing changed");
    assert_eq!(app.get("/api/v1/users?email=new@", &app.admin).await.json(), json!([]));
}

/// Nobody deletes or deactivates their own user: the server never locks out the caller (nor
/// loses its last administrator that way).
#[tokio::test]
async fn nobody_deletes_or_deactivates_themselves() {
    let app = spawn_app().await;
    let me = app.get("/api/users/loggedin", &app.admin).await.json();
    let id = id_of(&me);
    let other = app.create_user(json!({"email": "other@example.com"})).await;
    let path = format!("/api/v1/users/{id}");
    app.delete(&path, &app.admin).await.assert_error(403, 1010);
    app.delete(&format!("/api/v1/users/bulk?ids={},{id}", id_of(&other)), &app.admin)
        .await
        .assert_error(403, 1010);
    app.patch(&path, &app.admin, &json!({"active": false})).await.assert_error(403, 1010);
    app.put(&path, &app.admin, &json!({"email": "admin@example.com", "active": false}))
        .await
        .assert_error(403, 1010);
    app.delete(&format!("/api/users/{id}"), &app.admin).await.assert_error(403, 1010);
    // Nothing changed, and the token still works.
    assert_eq!(app.get("/api/users/loggedin", &app.admin).await.json(), me);
    assert_eq!(app.get(&format!("/api/v1/users/{}", id_of(&other)), &app.admin).await.status, 200);
    // Other users can be deactivated and deleted as before.
    let r = app
        .patch(&format!("/api/v1/users/{}", id_of(&other)), &app.admin, &json!({"active": false}))
        .await;
    assert_eq!(r.status, 200);
}

/// Names that hide characters are refused with a 400 naming the field, and nothing is stored:
/// a NUL or a zero-width space would make two names that look alike different users.
#[tokio::test]
async fn names_with_hidden_characters_are_refused() {
    let app = spawn_app().await;
    for (path, body, field) in [
        (
            "/api/v1/users",
            json!({"email": "a@corp.example", "userName": "nul\u{0}name"}),
            "userName",
        ),
        ("/api/v1/users", json!({"email": "zero\u{200B}width@corp.example"}), "email"),
        ("/api/v1/groups", json!({"name": "Sales\u{202E}"}), "name"),
    ] {
        let resp = app.post(path, &app.admin, &body).await;
        let err = resp.assert_error(400, 1006);
        assert!(err["message"].as_str().unwrap().contains(field), "{err}");
    }
    let users = app.get("/api/v1/users?fields=email", &app.admin).await.json();
    assert_eq!(users.as_array().unwrap().len(), 1, "only the administrator: {users}");
    let groups = app.get("/api/v1/groups?name=Sales%E2%80%AE", &app.admin).await.json();
    assert_eq!(groups, json!([]));
}
