//! Helpers every resource file of the engine uses: error mapping, documents read back, id
//! lists, version checks. Leaf module: it imports no resource file.

use deadpool_postgres::GenericClient;
use serde_json::Value;
use tessera_domain::etag::IfMatch;
use tessera_domain::lazy::RawDoc;
use tessera_domain::{Document, ObjectId, ResourceKind};
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;

pub(super) use crate::record::{
    change_groups, created_of, dashboard_stamp, folder_stamp, stamp, widget_stamp,
};
use crate::{Result, StoreError};

/// One statement argument.
pub(super) type Arg = Box<dyn ToSql + Sync + Send>;

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> Self {
        if unavailable(&e) {
            StoreError::Unavailable(e.to_string())
        } else {
            StoreError::Internal(e.to_string())
        }
    }
}

/// Whether the error is the database being away rather than the statement failing: the
/// connection is gone (closed, cut, never made), or the server refuses work while it shuts
/// down, starts, or does not accept connections to this database.
fn unavailable(e: &tokio_postgres::Error) -> bool {
    match e.as_db_error() {
        // The client's error kinds are private; their texts are fixed (tokio-postgres 0.7).
        None => {
            let text = e.to_string();
            e.is_closed()
                || [
                    "error communicating with the server",
                    "error connecting to server",
                    "timeout waiting for server",
                ]
                .iter()
                .any(|t| text.starts_with(t))
        }
        Some(db) => {
            let code = db.code().code();
            // Class 08: connection exceptions; 57P01-57P03: admin shutdown, crash shutdown,
            // cannot connect now; 55000 is what a database closed to connections answers.
            code.starts_with("08") || code.starts_with("57P") || code == "55000"
        }
    }
}

impl From<deadpool_postgres::PoolError> for StoreError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        match e {
            deadpool_postgres::PoolError::Backend(e) => e.into(),
            // No connection came in time, or none could be made: the database is away.
            other => StoreError::Unavailable(format!("no database connection: {other}")),
        }
    }
}

/// The one place where a unique violation becomes a conflict. `constraints` maps each unique
/// constraint of the statement to the field name and value the client sent.
pub(super) fn conflict_or(
    err: tokio_postgres::Error, kind: ResourceKind, constraints: &[(&str, &'static str, &str)],
) -> StoreError {
    if let Some(db) = err.as_db_error()
        && *db.code() == SqlState::UNIQUE_VIOLATION
    {
        for (constraint, field, value) in constraints {
            if db.constraint() == Some(*constraint) {
                return StoreError::Conflict { kind, field, value: (*value).to_owned() };
            }
        }
    }
    err.into()
}

/// The id of the one tenant, `system`, that every user and group belongs to.
pub(super) async fn system_tenant(db: &impl GenericClient) -> Result<String> {
    let stmt = db
        .prepare_cached("SELECT convert_from(value, 'UTF8') FROM meta WHERE key = 'system_tenant'")
        .await?;
    Ok(db.query_one(&stmt, &[]).await?.get(0))
}

/// A user or group document with its `tenantId`, a server-managed field like `_id`.
pub(super) async fn in_tenant(db: &impl GenericClient, mut doc: Document) -> Result<Document> {
    doc.insert("tenantId".into(), Value::String(system_tenant(db).await?));
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

/// Ids as the text the tables hold, for `= ANY($n)`.
pub(super) fn id_texts(ids: &[ObjectId]) -> Vec<String> {
    ids.iter().map(ToString::to_string).collect()
}

/// The first column of the first row of `sql`, a document's text, if any.
pub(super) async fn optional_text(
    db: &impl GenericClient, sql: &str, params: &[&(dyn ToSql + Sync)],
) -> Result<Option<String>> {
    let stmt = db.prepare_cached(sql).await?;
    Ok(db.query_opt(&stmt, params).await?.map(|row| row.get(0)))
}

pub(super) async fn optional_raw(
    db: &impl GenericClient, sql: &str, key: &str,
) -> Result<Option<RawDoc>> {
    optional_text(db, sql, &[&key]).await?.map(raw_doc).transpose()
}

pub(super) async fn optional_doc(
    db: &impl GenericClient, sql: &str, key: &str,
) -> Result<Option<Document>> {
    optional_text(db, sql, &[&key]).await?.as_deref().map(parse_doc).transpose()
}

/// Ids from `wanted` that the query `sql` (`$1`: the id array) does not return.
pub(super) async fn missing_ids(
    db: &impl GenericClient, sql: &str, wanted: &[ObjectId],
) -> Result<Vec<ObjectId>> {
    let stmt = db.prepare_cached(sql).await?;
    let found: std::collections::HashSet<String> =
        db.query(&stmt, &[&id_texts(wanted)]).await?.iter().map(|r| r.get(0)).collect();
    Ok(wanted.iter().filter(|id| !found.contains(&id.to_string())).copied().collect())
}

/// An `If-Match` precondition on the entities of `table` with these ids, as stored now (an
/// entity that does not exist is left to the caller's not-found answer).
pub(super) async fn check_version(
    db: &impl GenericClient, table: &str, ids: &[ObjectId], if_match: Option<&IfMatch>,
) -> Result<()> {
    let Some(if_match) = if_match else {
        return Ok(());
    };
    let sql = format!("SELECT doc FROM {table} WHERE id = $1");
    for id in ids {
        if let Some(doc) = optional_doc(db, &sql, &id.to_string()).await? {
            if_match.check(&doc)?;
        }
    }
    Ok(())
}

/// An id read back from the database; anything else is a corrupt row.
pub(super) fn stored_id(id: &str) -> Result<ObjectId> {
    id.parse().map_err(|_| StoreError::Internal(format!("stored id '{id}' is not an ObjectId")))
}

/// The first `(id, doc)` row of `sql` (which selects those two columns), checked.
pub(super) async fn id_and_doc(
    db: &impl GenericClient, sql: &str, params: &[&(dyn ToSql + Sync)],
) -> Result<Option<(ObjectId, RawDoc)>> {
    let stmt = db.prepare_cached(sql).await?;
    let row = db.query_opt(&stmt, params).await?;
    row.map(|r| Ok((stored_id(r.get(0))?, raw_doc(r.get(1))?))).transpose()
}

/// `(id, doc)` rows, checked.
pub(super) fn ids_and_docs(rows: &[tokio_postgres::Row]) -> Result<Vec<(ObjectId, RawDoc)>> {
    rows.iter().map(|r| Ok((stored_id(r.get(0))?, raw_doc(r.get(1))?))).collect()
}
