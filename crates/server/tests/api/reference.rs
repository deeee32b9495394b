//! The interactive reference: complete by construction, committed, served.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::Value;

use crate::helpers::*;

/// The documents list exactly the operations the router serves (its route table, which the
/// token test walks over HTTP), method by method.
#[test]
fn the_documents_cover_exactly_the_routes() {
    let table = tessera_server::http::route_table();
    let served: BTreeSet<(String, String)> = table
        .protected
        .iter()
        .chain(&table.public)
        .map(|op| (op.method.to_lowercase(), op.path.clone()))
        .collect();
    let mut documented = BTreeSet::new();
    for (name, text) in tessera_server::http::documents() {
        let doc: Value = serde_json::from_str(&text).unwrap();
        for (path, ops) in doc["paths"].as_object().unwrap() {
            for method in ops.as_object().unwrap().keys() {
                assert!(
                    documented.insert((method.clone(), path.clone())),
                    "{name}: {method} {path} twice"
                );
            }
        }
    }
    let missing: Vec<_> = served.difference(&documented).collect();
    let extra: Vec<_> = documented.difference(&served).collect();
    assert!(missing.is_empty(), "served but not documented: {missing:?}");
    assert!(extra.is_empty(), "documented but not served: {extra:?}");
}

/// docs/openapi/ holds what the code generates. To refresh it after a change:
/// `UPDATE_OPENAPI=1 cargo test --test api reference`.
#[test]
fn the_committed_documents_are_current() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi");
    for (name, generated) in tessera_server::http::documents() {
        let path = dir.join(name);
        if std::env::var_os("UPDATE_OPENAPI").is_some() {
            std::fs::write(&path, &generated).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "{} is stale: run UPDATE_OPENAPI=1 cargo test --test api reference",
            path.display()
        );
    }
}

#[tokio::test]
async fn both_documents_and_swagger_ui_are_served_without_a_token() {
    let app = spawn_app().await;
    for (path, version) in [("/api/v1/openapi.json", "1.0"), ("/api/openapi.json", "0.9")] {
        let resp = app.send(app.request(Method::GET, path)).await;
        assert_eq!(resp.status, 200, "{path}");
        let doc: Value = resp.json();
        assert_eq!(doc["info"]["version"], version);
        assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
        // No `servers`: "Try it out" calls the origin the page came from, so over HTTPS the
        // reference uses HTTPS with no setting to get wrong.
        assert!(doc.get("servers").is_none(), "{path}: {}", doc["servers"]);
    }
    let ui = app.send(app.request(Method::GET, "/dev/api/docs/")).await;
    assert_eq!(ui.status, 200);
    assert!(ui.text.contains("swagger-ui"), "{}", ui.excerpt());
    let init = app.send(app.request(Method::GET, "/dev/api/docs/swagger-initializer.js")).await;
    let one = init.text.find("\"1.0\"").expect("1.0 in the selector");
    let nine = init.text.find("\"0.9\"").expect("0.9 in the selector");
    assert!(one < nine, "1.0 comes first");
    let home = app.send(app.request(Method::GET, "/")).await;
    assert!(home.text.contains("/dev/api/docs/"), "{}", home.text);
    // A file the reference does not have is an unknown route like any other, in the envelope.
    app.send(app.request(Method::GET, "/dev/api/docs/no-such-file.js"))
        .await
        .assert_error(404, 1000);
}

/// Operation ids are unique within each document (Swagger UI keys its state by them).
#[test]
fn operation_ids_are_unique() {
    for (name, text) in tessera_server::http::documents() {
        let doc: Value = serde_json::from_str(&text).unwrap();
        let ids: Vec<&str> = doc["paths"]
            .as_object()
            .unwrap()
            .values()
            .flat_map(|ops| ops.as_object().unwrap().values())
            .filter_map(|op| op["operationId"].as_str())
            .collect();
        let unique: BTreeSet<&str> = ids.iter().copied().collect();
        assert_eq!(unique.len(), ids.len(), "{name}: {ids:?}");
    }
}

/// Every operation says what it does (a summary and a description), every parameter is
/// described, and every error response carries an example of its own status: a 401 never shows
/// a 404's envelope.
#[test]
fn every_operation_is_described_and_every_error_has_its_own_example() {
    for (name, text) in tessera_server::http::documents() {
        let doc: Value = serde_json::from_str(&text).unwrap();
        for (path, ops) in doc["paths"].as_object().unwrap() {
            for (method, op) in ops.as_object().unwrap() {
                let at = format!("{name}: {method} {path}");
                for field in ["summary", "description"] {
                    let text = op[field].as_str().unwrap_or_default();
                    assert!(!text.trim().is_empty(), "{at} has no {field}");
                }
                for param in op["parameters"].as_array().into_iter().flatten() {
                    let described = param["description"].as_str().unwrap_or_default();
                    assert!(!described.is_empty(), "{at}: parameter {} undescribed", param["name"]);
                }
                for (status, response) in op["responses"].as_object().unwrap() {
                    let code: u16 = status.parse().unwrap();
                    if code < 400 {
                        continue;
                    }
                    let example = &response["content"]["application/json"]["example"];
                    assert_eq!(example["error"]["status"], code, "{at}: the {status} example");
                }
            }
        }
    }
}
