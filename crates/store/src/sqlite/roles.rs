use rusqlite::Connection;
use tessera_domain::Document;
use tessera_domain::document::lookup_key;

use super::{optional_doc, parse_doc};
use crate::Result;

pub(super) fn list(conn: &Connection) -> Result<Vec<Document>> {
    let mut stmt = conn.prepare_cached("SELECT doc FROM roles ORDER BY rowid")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    rows.map(|text| parse_doc(&text?)).collect()
}

pub(super) fn find(conn: &Connection, id_or_name: &str) -> Result<Option<Document>> {
    if let Some(doc) = optional_doc(
        conn,
        "SELECT doc FROM roles WHERE id = ?1",
        &id_or_name.to_lowercase(),
    )? {
        return Ok(Some(doc));
    }
    optional_doc(
        conn,
        "SELECT doc FROM roles WHERE name_key = ?1",
        &lookup_key(id_or_name),
    )
}
