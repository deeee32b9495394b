//! What every engine writes the same way: the stored form of a document.

use serde_json::Value;
use tessera_domain::{Document, ObjectId};

/// The stored form of a document: `_id` first, the client's fields, then the server's.
pub(crate) fn stamp(
    id: ObjectId, body: Document, created: &str, updated: &str, last_login: Option<Value>,
) -> Document {
    let mut out = Document::with_capacity(body.len() + 4);
    out.insert("_id".into(), Value::String(id.to_string()));
    out.extend(body);
    out.insert("created".into(), Value::String(created.to_owned()));
    out.insert("lastUpdated".into(), Value::String(updated.to_owned()));
    if let Some(at) = last_login {
        out.insert("lastLogin".into(), at);
    }
    out
}

/// Puts a user in the group (`add`) or takes them out, in their stored document's `groups`,
/// stamping `lastUpdated` with `now`; `false` (and the document unchanged) when they already
/// were where they are asked to be.
pub(crate) fn change_groups(doc: &mut Document, group: ObjectId, add: bool, now: &str) -> bool {
    let mut groups: Vec<ObjectId> = doc
        .get("groups")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|g| g.as_str()?.parse().ok())
        .collect();
    if groups.contains(&group) == add {
        return false;
    }
    if add {
        groups.push(group);
    } else {
        groups.retain(|g| *g != group);
    }
    doc.insert(
        "groups".into(),
        Value::Array(groups.iter().map(|g| Value::String(g.to_string())).collect()),
    );
    doc.insert("lastUpdated".into(), Value::String(now.to_owned()));
    true
}

/// A stored document's `created`, which every rewrite keeps.
pub(crate) fn created_of(doc: &Document) -> String {
    doc.get("created").and_then(Value::as_str).unwrap_or_default().to_owned()
}

/// A dashboard's stored form: `oid` first, the client's fields, then the server's.
pub(crate) fn dashboard_stamp(
    id: ObjectId, body: Document, owner: Option<ObjectId>, created: &str, updated: &str,
) -> Document {
    let mut out = Document::with_capacity(body.len() + 4);
    out.insert("oid".into(), Value::String(id.to_string()));
    out.extend(body);
    out.insert("owner".into(), owner.map_or(Value::Null, |o| Value::String(o.to_string())));
    out.insert("created".into(), Value::String(created.to_owned()));
    out.insert("lastUpdated".into(), Value::String(updated.to_owned()));
    out
}

/// A widget's stored form: `oid` first, the client's fields, then the server's.
pub(crate) fn widget_stamp(
    dashboard: ObjectId, id: ObjectId, body: Document, created: &str, updated: &str,
) -> Document {
    let mut out = Document::with_capacity(body.len() + 4);
    out.insert("oid".into(), Value::String(id.to_string()));
    out.extend(body);
    out.insert("dashboardid".into(), Value::String(dashboard.to_string()));
    out.insert("created".into(), Value::String(created.to_owned()));
    out.insert("lastUpdated".into(), Value::String(updated.to_owned()));
    out
}

/// A folder's stored form: `oid` first, the client's fields (less `owner`), then the server's.
pub(crate) fn folder_stamp(
    id: ObjectId, mut body: Document, owner: &str, created: &str, updated: &str,
) -> Document {
    body.shift_remove("owner");
    let mut out = Document::with_capacity(body.len() + 4);
    out.insert("oid".into(), Value::String(id.to_string()));
    out.extend(body);
    out.insert("owner".into(), Value::String(owner.to_owned()));
    out.insert("created".into(), Value::String(created.to_owned()));
    out.insert("lastUpdated".into(), Value::String(updated.to_owned()));
    out
}
