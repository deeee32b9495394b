//! Request and response bodies that several resources share: array bodies of bulk and 0.9
//! creates, id arrays, and what an API 0.9 delete answers.

use axum::Json;
use serde_json::{Value, json};
use tessera_domain::{ObjectId, ResourceKind, ValidationError};

use crate::http::common::error::ApiResult;
use crate::http::common::params::path_id;

/// The body of a bulk create: a JSON array.
pub fn expect_array(body: Value) -> ApiResult<Vec<Value>> {
    match body {
        Value::Array(items) => Ok(items),
        other => Err(ValidationError::body(format!(
            "Expected a JSON array, got {}",
            tessera_domain::document::json_type(&other)
        ))
        .into()),
    }
}

/// A 0.9 create body: an array, or one object standing for an array of one.
pub fn as_array(body: Value) -> Value {
    match body {
        Value::Object(_) => Value::Array(vec![body]),
        other => other,
    }
}

/// `{"deleted": [ids]}`: what 0.9 deletes answer, with 200.
pub fn deleted(ids: &[ObjectId]) -> Json<Value> {
    Json(json!({ "deleted": ids.iter().map(ToString::to_string).collect::<Vec<_>>() }))
}

/// A body that is an array of ids (a malformed one names nothing: 404).
pub fn id_array_body(kind: ResourceKind, body: Value) -> ApiResult<Vec<ObjectId>> {
    let items = expect_array(body)?;
    if items.is_empty() {
        return Err(ValidationError::body("Expected at least one id").into());
    }
    items
        .iter()
        .map(|v| {
            let s = v
                .as_str()
                .ok_or_else(|| ValidationError::body("Expected an array of id strings"))?;
            path_id(kind, s)
        })
        .collect()
}
