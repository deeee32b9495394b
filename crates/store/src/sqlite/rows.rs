//! Helpers every resource file of the engine uses: error mapping, the stored form of a document,
//! id lists, version checks. Leaf module: it imports no resource file.

use rusqlite::{Connection, OptionalExtension};
use serde_json::Value;
use tessera_domain::etag::IfMatch;
use tessera_domain::lazy::RawDoc;
use tessera_domain::{Document, ObjectId, ResourceKind};

pub(super) use crate::record::{
    change_groups, created_of, dashboard_stamp, folder_stamp, stamp, widget_stamp,
};
use crate::{Result, StoreError};

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Internal(e.to_string())
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Internal(format!("stored document is not valid JSON: {e}"))
    }
}

/// The one place where a unique-constraint failure becomes a conflict. `columns` maps each
/// unique column of the statement to the field name and value the client sent.
pub(super) fn conflict_or(
    err: rusqlite::Error, kind: ResourceKind, columns: &[(&str, &'static str, &str)],
) -> StoreError {
    if let rusqlite::Error::SqliteFailure(code, Some(msg)) = &err
        && code.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
    {
        for (column, field, value) in columns {
            if msg.ends_with(&format!(".{column}")) {
                return StoreError::Conflict { kind, field, value: (*value).to_owned() };
            }
        }
    }
    err.into()
}

/// The id of the one tenant, `system`, that every user and group belongs to.
pub(super) fn system_tenant(conn: &rusqlite::Connection) -> Result<String> {
    Ok(conn
        .prepare_cached("SELECT CAST(value AS TEXT) FROM meta WHERE key = 'system_tenant'")?
        .query_row([], |r| r.get(0))?)
}

/// A user or group document with its `tenantId`, a server-managed field like `_id`.
pub(super) fn in_tenant(conn: &rusqlite::Connection, mut doc: Document) -> Result<Document> {
    doc.insert("tenantId".into(), Value::String(system_tenant(conn)?));
    Ok(doc)
}

pub(super) fn parse_doc(text: &str) -> Result<Document> {
    Ok(serde_json::from_str(text)?)
}

/// A stored document as it is, checked to be a JSON object (not parsed into a map).
pub(super) fn raw_doc(text: String) -> Result<RawDoc> {
    if !text.starts_with('{') {
        return Err(StoreError::Internal("stored document is not a JSON object".into()));
    }
    Ok(serde_json::value::RawValue::from_string(text)?)
}

pub(super) fn optional_raw(conn: &Connection, sql: &str, key: &str) -> Result<Option<RawDoc>> {
    let text: Option<String> =
        conn.prepare_cached(sql)?.query_row([key], |r| r.get(0)).optional()?;
    text.map(raw_doc).transpose()
}

/// An id list as a JSON array, for `IN (SELECT value FROM json_each(?))`.
pub(super) fn id_array(ids: &[ObjectId]) -> String {
    Value::Array(ids.iter().map(|id| Value::String(id.to_string())).collect()).to_string()
}

/// Ids from `wanted` that the query `sql` (one `?` for the JSON id array) does not return.
pub(super) fn missing_ids(
    tx: &Connection, sql: &str, wanted: &[ObjectId],
) -> Result<Vec<ObjectId>> {
    let mut stmt = tx.prepare_cached(sql)?;
    let found: std::collections::HashSet<String> = stmt
        .query_map([id_array(wanted)], |r| r.get::<_, String>(0))?
        .collect::<std::result::Result<_, _>>()?;
    Ok(wanted.iter().filter(|id| !found.contains(&id.to_string())).copied().collect())
}

/// An `If-Match` precondition on the entities of `table` with these ids, as stored now (an
/// entity that does not exist is left to the caller's not-found answer).
pub(super) fn check_version(
    conn: &Connection, table: &str, ids: &[ObjectId], if_match: Option<&IfMatch>,
) -> Result<()> {
    let Some(if_match) = if_match else {
        return Ok(());
    };
    let sql = format!("SELECT doc FROM {table} WHERE id = ?1");
    for id in ids {
        if let Some(doc) = optional_doc(conn, &sql, &id.to_string())? {
            if_match.check(&doc)?;
        }
    }
    Ok(())
}

pub(super) fn optional_doc(conn: &Connection, sql: &str, key: &str) -> Result<Option<Document>> {
    let text: Option<String> =
        conn.prepare_cached(sql)?.query_row([key], |r| r.get(0)).optional()?;
    text.as_deref().map(parse_doc).transpose()
}

/// An id read back from the database; anything else is a corrupt row.
pub(super) fn stored_id(id: &str) -> Result<ObjectId> {
    id.parse().map_err(|_| StoreError::Internal(format!("stored id '{id}' is not an ObjectId")))
}

/// The first `(id, doc)` row of `sql` (which selects those two columns), checked.
pub(super) fn id_and_doc<P: rusqlite::Params>(
    conn: &Connection, sql: &str, params: P,
) -> Result<Option<(ObjectId, RawDoc)>> {
    let row: Option<(String, String)> =
        conn.prepare_cached(sql)?.query_row(params, |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
    row.map(|(id, doc)| Ok((stored_id(&id)?, raw_doc(doc)?))).transpose()
}
