//! Roles' SQL and the engine's `RoleStore`.

use async_trait::async_trait;
use rusqlite::Connection;
use tessera_domain::Document;
use tessera_domain::document::lookup_key;

use super::SqliteStore;
use super::rows::{optional_doc, parse_doc};
use crate::{Result, RoleStore};

fn list(conn: &Connection) -> Result<Vec<Document>> {
    let mut stmt = conn.prepare_cached("SELECT doc FROM roles ORDER BY rowid")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    rows.map(|text| parse_doc(&text?)).collect()
}

fn find(conn: &Connection, id_or_name: &str) -> Result<Option<Document>> {
    if let Some(doc) =
        optional_doc(conn, "SELECT doc FROM roles WHERE id = ?1", &id_or_name.to_lowercase())?
    {
        return Ok(Some(doc));
    }
    optional_doc(conn, "SELECT doc FROM roles WHERE name_key = ?1", &lookup_key(id_or_name))
}

#[async_trait]
impl RoleStore for SqliteStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_roles(&self) -> Result<Vec<Document>> {
        self.read(list).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn find_role(&self, id_or_name: &str) -> Result<Option<Document>> {
        let key = id_or_name.to_owned();
        self.read(move |c| find(c, &key)).await
    }
}
