//! The special fields of GET: the seed's "Special Fields" examples verbatim, and the details.

use serde_json::{Value, json};

use crate::helpers::*;

fn arr(v: &Value) -> &Vec<Value> {
    v.as_array().unwrap_or_else(|| panic!("not an array: {v}"))
}

fn field_values(v: &Value, field: &str) -> Vec<Value> {
    arr(v).iter().map(|x| x.get(field).cloned().unwrap_or(Value::Null)).collect()
}

/// Seed: `/api/v1/users?fields=firstName,email` returns only those two fields (no `_id`).
#[tokio::test]
async fn seed_fields_first_name_and_email() {
    let app = spawn_app().await;
    app.create_user(json!({"email": "user@sisense.com", "firstName": "you.ser", "lastName": "L"}))
        .await;
    let resp = app.get("/api/v1/users?fields=firstName,email", &app.admin).await;
    assert_eq!(resp.status, 200);
    let users = resp.json();
    assert!(
        arr(&users).contains(&json!({"email": "user@sisense.com", "firstName": "you.ser"})),
        "{users}"
    );
    for user in arr(&users) {
        let keys: Vec<&String> = user.as_object().unwrap().keys().collect();
        assert!(keys.iter().all(|k| *k == "email" || *k == "firstName"), "{user}");
    }
}

/// Seed: `fields=-hash` gets all fields but the excluded one.
#[tokio::test]
async fn seed_fields_exclusion() {
    let app = spawn_app().await;
    app.create_user(
        json!({"email": "x@corp.example", "hash": "not-a-real-hash", "firstName": "X"}),
    )
    .await;
    let all = app.get("/api/v1/users?email=x@corp", &app.admin).await.json();
    let excluded = app.get("/api/v1/users?email=x@corp&fields=-hash", &app.admin).await.json();
    let mut expected = all[0].clone();
    expected.as_object_mut().unwrap().remove("hash");
    assert_eq!(excluded, json!([expected]));
}

/// Seed note 1: a field that does not exist gives an array of empty objects, not an error.
#[tokio::test]
async fn seed_unknown_field_gives_empty_objects() {
    let app = spawn_app().await;
    app.create_user(json!({"email": "y@corp.example"})).await;
    let resp = app.get("/api/v1/users?fields=noSuchField", &app.admin).await;
    assert_eq!(resp.status, 200);
    assert_eq!(resp.json(), json!([{}, {}]));
}

/// Seed note 2 documents a 500 for mixing inclusion and exclusion; Tessera answers 400 on
/// purpose (the caller's mistake), in the envelope.
#[tokio::test]
async fn seed_mixed_fields_is_a_400_not_a_500() {
    let app = spawn_app().await;
    app.get("/api/v1/users?fields=firstName,-lastName", &app.admin).await.assert_error(400, 1005);
}

/// Seed: `sort=name` ascending, `sort=-name` descending.
#[tokio::test]
async fn seed_sort_ascending_and_descending() {
    let app = spawn_app().await;
    for name in ["b-team", "a-team", "c-team"] {
        app.create_group(json!({"name": name})).await;
    }
    let asc = app.get("/api/v1/groups?sort=name", &app.admin).await.json();
    let desc = app.get("/api/v1/groups?sort=-name", &app.admin).await.json();
    let names = |v: &Value| {
        field_values(v, "name")
            .into_iter()
            .map(|n| n.as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let mut expected = names(&asc);
    expected.sort();
    assert_eq!(names(&asc), expected);
    expected.reverse();
    assert_eq!(names(&desc), expected);
    assert_eq!(names(&asc).len(), 6, "3 built-in groups and 3 new ones");
}

/// Seed: `limit: 10, skip: 20` returns the third set of 10 results.
#[tokio::test]
async fn seed_limit_and_skip_third_page_of_ten() {
    let app = spawn_app().await;
    let users: Vec<Value> =
        (0..34).map(|i| json!({"email": format!("p{i:02}@corp.example")})).collect();
    assert_eq!(app.post("/api/v1/users/bulk", &app.admin, &Value::Array(users)).await.status, 201);
    let all = app.get("/api/v1/users?sort=email", &app.admin).await.json();
    let page = app.get("/api/v1/users?sort=email&limit=10&skip=20", &app.admin).await.json();
    assert_eq!(arr(&page), &arr(&all)[20..30]);
    let tail = app.get("/api/v1/users?sort=email&limit=10&skip=30", &app.admin).await.json();
    assert_eq!(arr(&tail), &arr(&all)[30..35]);
    assert_eq!(app.get("/api/v1/users?limit=0", &app.admin).await.json(), json!([]));
}

#[tokio::test]
async fn limit_and_skip_must_be_non_negative_integers() {
    let app = spawn_app().await;
    for bad in ["limit=-1", "skip=-5", "limit=ten", "skip=1.5", "limit=", "limit=1&limit=2"] {
        app.get(&format!("/api/v1/users?{bad}"), &app.admin).await.assert_error(400, 1005);
    }
}

/// Seed: `expand=groups` replaces the id array with group objects, in the same order.
#[tokio::test]
async fn seed_expand_groups() {
    let app = spawn_app().await;
    let a = app.create_group(json!({"name": "some group"})).await;
    let b = app.create_group(json!({"name": "another group"})).await;
    let user = app
        .create_user(json!({"email": "user@sisense.com", "groups": [id_of(&b), id_of(&a)]}))
        .await;
    let plain = app.get(&format!("/api/v1/users?ids={}", id_of(&user)), &app.admin).await.json();
    assert_eq!(plain[0]["groups"], json!([id_of(&b), id_of(&a)]));
    let expanded = app
        .get(&format!("/api/v1/users?ids={}&expand=groups", id_of(&user)), &app.admin)
        .await
        .json();
    assert_eq!(expanded[0]["groups"], json!([b, a]), "whole group objects, order kept");
    assert_eq!(expanded[0]["email"], "user@sisense.com");
}

/// Seed: `expand=groups(fields:name)` gives group objects holding only `name`.
#[tokio::test]
async fn seed_expand_groups_with_fields_option() {
    let app = spawn_app().await;
    let g = app.create_group(json!({"name": "some group"})).await;
    let user = app.create_user(json!({"email": "u@corp.example", "groups": [id_of(&g)]})).await;
    let got = app
        .get(&format!("/api/v1/users/{}?expand=groups(fields:name)", id_of(&user)), &app.admin)
        .await;
    assert_eq!(got.status, 200, "{}", got.text);
    assert_eq!(got.json()["groups"], json!([{"name": "some group"}]));
}

/// Seed: `expand=groups,groups.users` gets a user's groups, and their users.
#[tokio::test]
async fn seed_expand_nested_groups_users() {
    let app = spawn_app().await;
    let g = id_of(&app.create_group(json!({"name": "Team"})).await);
    let u1 = app.create_user(json!({"email": "u1@corp.example", "groups": [g]})).await;
    let u2 = app.create_user(json!({"email": "u2@corp.example", "groups": [g]})).await;
    let got = app
        .get(&format!("/api/v1/users/{}?expand=groups,groups.users", id_of(&u1)), &app.admin)
        .await
        .json();
    let members = &got["groups"][0]["users"];
    assert_eq!(
        field_values(members, "email"),
        [json!("u1@corp.example"), json!("u2@corp.example")]
    );
    assert_eq!(members[1]["_id"], u2["_id"]);
    assert_eq!(members[1]["groups"], json!([g]), "not expanded further than asked");
    // The same through the implicit parent.
    let implicit = app
        .get(&format!("/api/v1/users/{}?expand=groups.users(fields:email)", id_of(&u1)), &app.admin)
        .await
        .json();
    assert_eq!(
        implicit["groups"][0]["users"],
        json!([{"email": "u1@corp.example"}, {"email": "u2@corp.example"}])
    );
}

#[tokio::test]
async fn expand_options_sort_limit_skip_per_parent() {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for name in ["g-c", "g-a", "g-d", "g-b"] {
        ids.push(id_of(&app.create_group(json!({"name": name})).await));
    }
    let user = app.create_user(json!({"email": "o@corp.example", "groups": ids})).await;
    let path = format!(
        "/api/v1/users/{}?expand=groups(fields:name;sort:-name;limit:2;skip:1)",
        id_of(&user)
    );
    let got = app.get(&path, &app.admin).await.json();
    assert_eq!(got["groups"], json!([{"name": "g-c"}, {"name": "g-b"}]));
}

#[tokio::test]
async fn expand_role_and_group_members_with_options() {
    let app = spawn_app().await;
    let viewer = app.role_id("consumer").await;
    let g = app.create_group(json!({"name": "Crew", "roleId": viewer})).await;
    for name in ["m-b", "m-c", "m-a"] {
        app.create_user(json!({"email": format!("{name}@corp.example"), "groups": [id_of(&g)]}))
            .await;
    }
    let user = app.get("/api/v1/users?email=m-a@&expand=role", &app.admin).await.json();
    assert_eq!(user[0]["role"]["name"], "consumer");
    assert_eq!(user[0]["roleId"], viewer, "the id stays beside the expanded role");

    let path = format!(
        "/api/v1/groups/{}?expand=users(fields:email;sort:-email;limit:2),role(fields:name)",
        id_of(&g)
    );
    let got = app.get(&path, &app.admin).await.json();
    assert_eq!(got["users"], json!([{"email": "m-c@corp.example"}, {"email": "m-b@corp.example"}]));
    assert_eq!(got["role"], json!({"name": "consumer"}));

    let list = app
        .get("/api/v1/groups?sort=name&expand=users(limit:1;fields:email)", &app.admin)
        .await
        .json();
    let crew = arr(&list).iter().find(|g| g["name"] == "Crew").unwrap();
    assert_eq!(
        crew["users"],
        json!([{"email": "m-b@corp.example"}]),
        "insertion order without sort"
    );
    let admins = arr(&list).iter().find(|g| g["name"] == "Admins").unwrap();
    assert_eq!(admins["users"], json!([{"email": ADMIN_EMAIL}]));
}

#[tokio::test]
async fn expand_errors_are_400_envelopes() {
    let app = spawn_app().await;
    for bad in [
        "expand=friends",
        "expand=groups.friends",
        "expand=role(limit:1)",
        "expand=groups(",
        "expand=groups(color:red)",
        "expand=groups,groups",
    ] {
        app.get(&format!("/api/v1/users?{bad}"), &app.admin).await.assert_error(400, 1005);
    }
    let deep = "expand=groups.users.groups.users.groups.users.groups";
    app.get(&format!("/api/v1/users?{deep}"), &app.admin).await.assert_error(400, 1012);
}

/// Past the cap on expanded objects the request is refused, never silently truncated.
#[tokio::test]
async fn too_many_expanded_objects_is_a_400_not_a_truncation() {
    let app = spawn_app().await;
    let g = id_of(&app.create_group(json!({"name": "Big"})).await);
    let users: Vec<Value> =
        (0..101).map(|i| json!({"email": format!("big{i}@corp.example"), "groups": [g]})).collect();
    assert_eq!(app.post("/api/v1/users/bulk", &app.admin, &Value::Array(users)).await.status, 201);
    // 101 members, each with its group, each group with its 101 members: over 10,000 objects.
    let err = app
        .get(&format!("/api/v1/groups/{g}?expand=users.groups.users"), &app.admin)
        .await
        .assert_error(400, 1012);
    assert!(err["message"].as_str().unwrap().contains("limit"), "{err}");
    // Paged, it fits.
    let ok = app
        .get(&format!("/api/v1/groups/{g}?expand=users(limit:5).groups.users(limit:5)"), &app.admin)
        .await;
    assert_eq!(
        ok.status,
        400,
        "a nested item cannot carry options on its parent: {}",
        ok.excerpt()
    );
    let ok = app
        .get(
            &format!(
                "/api/v1/groups/{g}?expand=users(limit:5),users.groups,users.groups.users(limit:5)"
            ),
            &app.admin,
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.excerpt());
    assert_eq!(arr(&ok.json()["users"]).len(), 5);
}

/// Ties broken by id: paging through a sort with many equal keys never repeats or skips.
#[tokio::test]
async fn paging_through_ties_never_repeats_or_skips() {
    let app = spawn_app().await;
    let users: Vec<Value> = (0..23)
        .map(|i| json!({"email": format!("t{i}@corp.example"), "lastName": (["Lee", "Kim", "Park"][i % 3])}))
        .collect();
    app.post("/api/v1/users/bulk", &app.admin, &Value::Array(users)).await;
    for sort in ["lastName", "-lastName", "lastName,-email", "active"] {
        let all = app.get(&format!("/api/v1/users?sort={sort}"), &app.admin).await.json();
        let mut paged = Vec::new();
        for skip in (0..30).step_by(4) {
            let page = app
                .get(&format!("/api/v1/users?sort={sort}&limit=4&skip={skip}"), &app.admin)
                .await
                .json();
            paged.extend(arr(&page).iter().cloned());
        }
        assert_eq!(&paged, arr(&all), "sort={sort}");
        let mut ids: Vec<String> = paged.iter().map(id_of).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 24, "sort={sort}");
    }
}

/// Missing values sort first ascending and last descending; nested paths sort too.
#[tokio::test]
async fn missing_and_nested_sort_keys() {
    let app = spawn_app().await;
    app.create_user(
        json!({"email": "n1@corp.example", "lastName": "B", "preferences": {"localeId": "fr-FR"}}),
    )
    .await;
    app.create_user(
        json!({"email": "n2@corp.example", "lastName": "A", "preferences": {"localeId": "de-DE"}}),
    )
    .await;
    let asc = app.get("/api/v1/users?sort=lastName&fields=email", &app.admin).await.json();
    assert_eq!(
        field_values(&asc, "email"),
        [json!(ADMIN_EMAIL), json!("n2@corp.example"), json!("n1@corp.example")]
    );
    let desc = app.get("/api/v1/users?sort=-lastName&fields=email", &app.admin).await.json();
    assert_eq!(
        field_values(&desc, "email"),
        [json!("n1@corp.example"), json!("n2@corp.example"), json!(ADMIN_EMAIL)]
    );
    let nested = app
        .get(
            "/api/v1/users?sort=-preferences.localeId&fields=email,preferences.localeId",
            &app.admin,
        )
        .await
        .json();
    assert_eq!(
        nested,
        json!([
            {"email": "n1@corp.example", "preferences": {"localeId": "fr-FR"}},
            {"email": "n2@corp.example", "preferences": {"localeId": "de-DE"}},
            {"email": ADMIN_EMAIL}
        ])
    );
}

#[tokio::test]
async fn fields_select_from_the_expanded_document_and_work_on_single_gets() {
    let app = spawn_app().await;
    let g = app.create_group(json!({"name": "Pick"})).await;
    let user = app
        .create_user(json!({"email": "f@corp.example", "firstName": "F", "groups": [id_of(&g)]}))
        .await;
    let got = app
        .get(
            &format!(
                "/api/v1/users/{}?fields=email,groups&expand=groups(fields:name)",
                id_of(&user)
            ),
            &app.admin,
        )
        .await
        .json();
    assert_eq!(got, json!({"email": "f@corp.example", "groups": [{"name": "Pick"}]}));
    let got = app.get(&format!("/api/v1/groups/{}?fields=-_id,-created,-lastUpdated,-tenantId,-roleId,-ad,-objectSid,-dn,-uSNChanged,-mail", id_of(&g)), &app.admin).await.json();
    assert_eq!(got, json!({"name": "Pick"}));
}

#[tokio::test]
async fn the_total_count_on_request() {
    let app = spawn_app().await;
    let users: Vec<Value> =
        (0..7).map(|i| json!({"email": format!("count{i}@corp.example")})).collect();
    app.post("/api/v1/users/bulk", &app.admin, &Value::Array(users)).await;
    let plain = app.get("/api/v1/users?limit=2", &app.admin).await;
    assert!(plain.headers.get("x-total-count").is_none());
    let counted = app
        .send(
            app.request(reqwest::Method::GET, "/api/v1/users?limit=2&email=count")
                .bearer_auth(&app.admin)
                .header("Prefer", "count=exact"),
        )
        .await;
    assert_eq!(counted.headers.get("x-total-count").unwrap(), "7");
    assert_eq!(counted.headers.get("preference-applied").unwrap(), "count=exact");
    assert_eq!(arr(&counted.json()).len(), 2);
}

/// Expanded groups and roles are served from a cache: a change to a group shows at once.
#[tokio::test]
async fn expand_shows_a_group_change_at_once() {
    let app = spawn_app().await;
    let g = id_of(&app.create_group(json!({"name": "Before"})).await);
    let user = app.create_user(json!({"email": "cache@corp.example", "groups": [g]})).await;
    let path = format!("/api/v1/users/{}?expand=groups(fields:name)", id_of(&user));
    assert_eq!(app.get(&path, &app.admin).await.json()["groups"], json!([{"name": "Before"}]));
    app.patch(&format!("/api/v1/groups/{g}"), &app.admin, &json!({"name": "After"})).await;
    assert_eq!(app.get(&path, &app.admin).await.json()["groups"], json!([{"name": "After"}]));
    app.put(&format!("/api/v1/groups/{g}"), &app.admin, &json!({"name": "Replaced"})).await;
    assert_eq!(app.get(&path, &app.admin).await.json()["groups"], json!([{"name": "Replaced"}]));
    assert_eq!(app.delete(&format!("/api/v1/groups/{g}"), &app.admin).await.status, 204);
    assert_eq!(app.get(&path, &app.admin).await.json()["groups"], json!([]));
}

/// A repeated parameter means the comma list of its values, as Python's `requests` sends lists
/// (`params={"fields": ["a", "b"]}` is `fields=a&fields=b`).
#[tokio::test]
async fn repeated_parameters_mean_the_list_of_their_values() {
    let app = spawn_app().await;
    let a = app.create_user(json!({"email": "a@example.com", "firstName": "A"})).await;
    let b = app.create_user(json!({"email": "b@example.com", "firstName": "B"})).await;
    app.create_user(json!({"email": "c@example.com"})).await;

    let repeated =
        app.get("/api/v1/users?fields=firstName&fields=email&sort=email", &app.admin).await;
    let joined = app.get("/api/v1/users?fields=firstName,email&sort=email", &app.admin).await;
    assert_eq!(repeated.status, 200, "{}", repeated.text);
    assert_eq!(repeated.json(), joined.json());

    let (ia, ib) = (id_of(&a), id_of(&b));
    let ids = app
        .get(&format!("/api/v1/users?ids={ia}&ids={ib}&fields=email&sort=email"), &app.admin)
        .await;
    assert_eq!(ids.json(), json!([{"email": "a@example.com"}, {"email": "b@example.com"}]));

    let expanded = app.get("/api/v1/users?expand=groups&expand=role&email=admin", &app.admin).await;
    assert_eq!(expanded.status, 200, "{}", expanded.text);
    let admin = &expanded.json()[0];
    assert!(admin["role"].is_object() && admin["groups"][0].is_object(), "{admin}");
}

/// Booleans as Sisense and Python clients write them: true/false, True/False, 1/0.
#[tokio::test]
async fn booleans_accept_every_spelling_clients_send() {
    let app = spawn_app().await;
    app.create_user(json!({"email": "off@example.com", "active": false})).await;
    for (value, expected) in
        [("true", 1), ("True", 1), ("1", 1), ("false", 1), ("False", 1), ("0", 1)]
    {
        let resp =
            app.get(&format!("/api/v1/users?active={value}&fields=active"), &app.admin).await;
        assert_eq!(resp.status, 200, "{value}: {}", resp.text);
        let want = matches!(value, "true" | "True" | "1");
        let items = resp.json();
        assert_eq!(items.as_array().unwrap().len(), expected, "{value}");
        assert_eq!(items[0]["active"], want, "{value}");
    }
    app.get("/api/v1/users?active=yes", &app.admin).await.assert_error(400, 1005);
}
