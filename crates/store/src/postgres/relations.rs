//! What `expand` asks of the engine: entities by id, and the members of a page of groups in one
//! windowed query.

use async_trait::async_trait;
use tessera_domain::ObjectId;
use tessera_domain::ResourceKind;
use tessera_domain::lazy::RawDoc;
use tessera_domain::query::{Page, SortKey};

use super::rows::{id_texts, ids_and_docs};
use super::{PostgresStore, users};
use crate::{Referencing, RelationStore, Result, StoreError};

#[async_trait]
impl RelationStore for PostgresStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn fetch_by_ids(
        &self, resource: ResourceKind, ids: Vec<ObjectId>,
    ) -> Result<Vec<(ObjectId, RawDoc)>> {
        let sql = match resource {
            ResourceKind::User => "SELECT id, doc FROM users WHERE id = ANY($1)",
            ResourceKind::Group => "SELECT id, doc FROM groups WHERE id = ANY($1)",
            ResourceKind::Role => "SELECT id, doc FROM roles WHERE id = ANY($1)",
            ResourceKind::Dashboard => "SELECT id, doc FROM dashboards WHERE id = ANY($1)",
            ResourceKind::Folder => "SELECT id, doc FROM folders WHERE id = ANY($1)",
            // No relation leads to a widget (they live inside their dashboard), nor to the
            // server-wide settings.
            ResourceKind::Widget
            | ResourceKind::Palette
            | ResourceKind::Theme
            | ResourceKind::Plugin
            | ResourceKind::BloxAction => {
                return Err(StoreError::Internal(format!("{resource} is not fetched by id")));
            }
        };
        // Groups and roles come from the cache when they can (engine.rs says why that is sound);
        // the rest always from the database.
        let cached = matches!(resource, ResourceKind::Group | ResourceKind::Role);
        let generation = self.docs.generation();
        let (mut found, missing): (Vec<(ObjectId, RawDoc)>, Vec<ObjectId>) =
            if cached { self.docs.split(ids) } else { (Vec::new(), ids) };
        if missing.is_empty() {
            return Ok(found);
        }
        let db = self.reader().await?;
        let stmt = db.prepare_cached(sql).await?;
        let rows = ids_and_docs(&db.query(&stmt, &[&id_texts(&missing)]).await?)?;
        if cached {
            self.docs.put(generation, rows.iter().map(|(id, doc)| (*id, doc.clone())));
        }
        found.extend(rows);
        Ok(found)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn fetch_referencing(
        &self, target: ResourceKind, field: &'static str, parents: Vec<ObjectId>,
        sort: Vec<SortKey>, page: Page, max_rows: usize,
    ) -> Result<Vec<Referencing>> {
        match (target, field) {
            (ResourceKind::User, "groups") => {
                users::members(&self.reader().await?, &parents, &sort, page, max_rows).await
            }
            _ => Err(StoreError::Internal(format!(
                "no index for {target:?} referencing through '{field}'"
            ))),
        }
    }
}
