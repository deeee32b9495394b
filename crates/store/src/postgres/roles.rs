//! Roles' SQL and the engine's `RoleStore`.

use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use tessera_domain::Document;
use tessera_domain::document::lookup_key;

use super::PostgresStore;
use super::rows::{optional_doc, parse_doc};
use crate::{Result, RoleStore};

async fn list(db: &impl GenericClient) -> Result<Vec<Document>> {
    let stmt = db.prepare_cached("SELECT doc FROM roles ORDER BY seq").await?;
    db.query(&stmt, &[]).await?.iter().map(|r| parse_doc(r.get(0))).collect()
}

async fn find(db: &impl GenericClient, id_or_name: &str) -> Result<Option<Document>> {
    let by_id = "SELECT doc FROM roles WHERE id = $1";
    if let Some(doc) = optional_doc(db, by_id, &id_or_name.to_lowercase()).await? {
        return Ok(Some(doc));
    }
    optional_doc(db, "SELECT doc FROM roles WHERE name_key = $1", &lookup_key(id_or_name)).await
}

#[async_trait]
impl RoleStore for PostgresStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_roles(&self) -> Result<Vec<Document>> {
        list(&self.reader().await?).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn find_role(&self, id_or_name: &str) -> Result<Option<Document>> {
        find(&self.reader().await?, id_or_name).await
    }
}
