//! What `expand` asks of an engine: entities by id, and entities that refer to others, each in
//! one call for a whole page.

use async_trait::async_trait;
use tessera_domain::ObjectId;
use tessera_domain::ResourceKind;
use tessera_domain::lazy::RawDoc;
use tessera_domain::query::{Page, SortKey};

use crate::Result;

#[async_trait]
pub trait RelationStore: Send + Sync {
    /// The entities of `resource` with these ids, with their ids, in no particular order
    /// (unknown ids are skipped): one query, whatever the number of ids.
    async fn fetch_by_ids(
        &self, resource: ResourceKind, ids: Vec<ObjectId>,
    ) -> Result<Vec<(ObjectId, RawDoc)>>;
    /// For each parent id, the entities of `target` whose array `field` holds it, ordered by
    /// `sort` and paged by `page` per parent, grouped by parent:
    /// one query for all parents. At most `max_rows` rows in all.
    async fn fetch_referencing(
        &self, target: ResourceKind, field: &'static str, parents: Vec<ObjectId>,
        sort: Vec<SortKey>, page: Page, max_rows: usize,
    ) -> Result<Vec<Referencing>>;
}

/// One row of [`RelationStore::fetch_referencing`]: an entity that refers to `parent`.
#[derive(Debug)]
pub struct Referencing {
    pub parent: ObjectId,
    pub id: ObjectId,
    pub doc: RawDoc,
}
