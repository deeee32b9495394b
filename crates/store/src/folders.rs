//! Folders: each user's own tree. Every call names the [`Actor`] it acts for; the engine applies
//! the ownership rules inside the transaction.

use async_trait::async_trait;
use tessera_domain::dashboard::Actor;
use tessera_domain::etag::IfMatch;
use tessera_domain::folder::FolderDraft;
use tessera_domain::lazy::RawDoc;
use tessera_domain::{Document, ObjectId, ValidationError};

use crate::{ListPage, ListRequest, Result};

/// Computes a folder's new state from the stored document, inside the write transaction.
pub type FolderEdit =
    Box<dyn FnOnce(Document) -> std::result::Result<FolderDraft, ValidationError> + Send>;

/// Filters of `GET /api/v1/folders`.
#[derive(Debug, Clone, Default)]
pub struct FolderFilter {
    /// The whole name, case-insensitive.
    pub name: Option<String>,
    /// Children of this folder; `Some(None)`: root folders.
    pub parent: Option<Option<ObjectId>>,
}

#[async_trait]
pub trait FolderStore: Send + Sync {
    /// Creates a folder owned by the actor (or by the owner an admin names).
    async fn create_folder(&self, actor: &Actor, draft: FolderDraft) -> Result<Document>;
    /// A folder the actor may see (their own; any, for an admin acting as one).
    async fn get_folder(&self, actor: &Actor, id: ObjectId) -> Result<Option<RawDoc>>;
    async fn list_folders(
        &self, actor: &Actor, request: ListRequest<FolderFilter>,
    ) -> Result<ListPage>;
    /// Replaces a folder with what `edit` makes of it; refuses (`Cycle`) a parent that would
    /// make the folder its own ancestor.
    async fn update_folder(
        &self, actor: &Actor, id: ObjectId, edit: FolderEdit,
    ) -> Result<Document>;
    /// Deletes the folders. A folder holding folders or dashboards is refused (`NotEmpty`)
    /// unless `cascade`, which deletes everything under it.
    async fn delete_folders(
        &self, actor: &Actor, ids: Vec<ObjectId>, cascade: bool, if_match: Option<IfMatch>,
    ) -> Result<()>;
}
