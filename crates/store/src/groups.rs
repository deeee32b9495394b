//! Groups and their members.

use async_trait::async_trait;
use tessera_domain::etag::IfMatch;
use tessera_domain::group::GroupDraft;
use tessera_domain::lazy::RawDoc;
use tessera_domain::{Document, ObjectId, ValidationError};

use crate::{ListPage, ListRequest, Result};

/// A valid group as the store writes it.
pub type GroupRecord = GroupDraft;

/// Computes the new state of a group from the stored document, inside the write transaction.
pub type GroupEdit =
    Box<dyn FnOnce(Document) -> std::result::Result<GroupRecord, ValidationError> + Send>;

#[async_trait]
pub trait GroupStore: Send + Sync {
    /// Creates all the groups or none of them.
    async fn create_groups(&self, groups: Vec<GroupRecord>) -> Result<Vec<Document>>;
    async fn get_group(&self, id: ObjectId) -> Result<Option<RawDoc>>;
    /// The group `key` names, with its id: an id first, then a name (case-insensitive). One
    /// read, for the API 0.9 routes that take either.
    async fn find_group(&self, key: &str) -> Result<Option<(ObjectId, RawDoc)>>;
    async fn list_groups(&self, request: ListRequest<GroupFilter>) -> Result<ListPage>;
    async fn update_group(&self, id: ObjectId, edit: GroupEdit) -> Result<Option<Document>>;
    /// Adds users to a group (`add`) or takes them out, all or none; `NotFound` for an unknown
    /// group, `MissingReference` for an unknown user.
    async fn change_membership(
        &self, group: ObjectId, users: Vec<ObjectId>, add: bool,
    ) -> Result<()>;
    /// Deletes all the groups or none; members lose the group from their `groups`.
    async fn delete_groups(&self, ids: Vec<ObjectId>, if_match: Option<IfMatch>) -> Result<()>;
}

/// Filters of `GET /api/v1/groups`; every one that is set must hold.
#[derive(Debug, Clone, Default)]
pub struct GroupFilter {
    /// The whole name, case-insensitive.
    pub name: Option<String>,
    /// The whole mail address, case-insensitive (ASCII).
    pub mail: Option<String>,
    pub role_id: Option<ObjectId>,
    pub ids: Option<Vec<ObjectId>>,
    /// Part of the name, case-insensitive (API 0.9's `search`).
    pub search: Option<String>,
}
