//! Tessera's persistence.
//!
//! HTTP code sees only the [`Store`] trait and the records and filters below; each engine
//! (today SQLite, embedded) implements it in its own module. All SQL lives in this crate.

mod content;
mod error;
mod expand;
mod records;
pub mod sqlite;

use async_trait::async_trait;
use tessera_domain::etag::IfMatch;
use tessera_domain::lazy::RawDoc;
use tessera_domain::query::{Page, Resource, SortKey};
use tessera_domain::{Document, ObjectId, ValidationError};

pub use content::{
    ContentStore, DashboardEdit, DashboardFilter, FolderEdit, FolderFilter, ImportAction,
    ImportItem, ImportReport, WidgetEdit,
};
pub use error::{Result, StoreError};
pub use expand::expand;
pub use records::{
    AuthRecord, GroupFilter, ListPage, LoginRecord, SeedAdmin, UserFilter, UserRecord,
};
pub use tessera_domain::group::GroupDraft as GroupRecord;

/// Computes the new state of a user from the stored document, inside the write transaction,
/// so that read-modify-write (PATCH) cannot lose a concurrent update.
pub type UserEdit =
    Box<dyn FnOnce(Document) -> std::result::Result<UserRecord, ValidationError> + Send>;
/// The same for groups.
pub type GroupEdit =
    Box<dyn FnOnce(Document) -> std::result::Result<GroupRecord, ValidationError> + Send>;

/// Everything the server needs from a storage engine.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// On an empty store, creates the built-in roles and groups, the first admin and the token
    /// signing key, all in one transaction, and answers `true`. On an initialised store it
    /// changes nothing and answers `false`.
    async fn initialize(&self, admin: SeedAdmin, signing_key: Vec<u8>) -> Result<bool>;
    /// Dashboards, widgets and folders.
    fn content(&self) -> &dyn ContentStore;

    /// The key that signs tokens, created by [`Store::initialize`].
    async fn signing_key(&self) -> Result<Vec<u8>>;

    async fn list_roles(&self) -> Result<Vec<Document>>;
    /// A role by id, or else by name (case-insensitive).
    async fn find_role(&self, id_or_name: &str) -> Result<Option<Document>>;

    /// Creates all the users or none of them.
    async fn create_users(&self, users: Vec<UserRecord>) -> Result<Vec<Document>>;
    async fn get_user(&self, id: ObjectId) -> Result<Option<RawDoc>>;
    /// The users that pass `filter`, ordered by `sort` (ties by id; insertion order without
    /// `sort`), the `page` of them, and the total count when `count` is asked.
    async fn list_users(
        &self,
        filter: &UserFilter,
        sort: &[SortKey],
        page: Page,
        count: bool,
    ) -> Result<ListPage>;
    /// Replaces a user with what `edit` makes of it; `None` when there is no such user.
    async fn update_user(&self, id: ObjectId, edit: UserEdit) -> Result<Option<Document>>;
    /// Deletes all the users or, when one of them does not exist, none of them.
    /// With `if_match`, the (single) user must still be that version.
    async fn delete_users(&self, ids: Vec<ObjectId>, if_match: Option<IfMatch>) -> Result<()>;
    /// The user whose `userName`, or else `email`, is `username` (case-insensitive).
    async fn login_record(&self, username: &str) -> Result<Option<LoginRecord>>;
    /// What checking a token needs to know about its user.
    async fn auth_record(&self, id: ObjectId) -> Result<Option<AuthRecord>>;
    /// Sets the user's `lastLogin`.
    async fn record_login(&self, id: ObjectId) -> Result<()>;
    /// Gives each user a new API secret, so that every token issued to them before stops
    /// working; answers the new secrets in the same order. All or none: an unknown id is a
    /// `NotFound` and changes nothing.
    async fn renew_secrets(&self, ids: Vec<ObjectId>) -> Result<Vec<String>>;
    /// Logs one token out (by its `jti`), for as long as it would have been valid.
    async fn revoke_token(&self, jti: String, expires_at: Option<i64>) -> Result<()>;
    /// Whether a token was logged out.
    async fn is_token_revoked(&self, jti: &str) -> Result<bool>;

    /// Creates all the groups or none of them.
    async fn create_groups(&self, groups: Vec<GroupRecord>) -> Result<Vec<Document>>;
    async fn get_group(&self, id: ObjectId) -> Result<Option<RawDoc>>;
    async fn list_groups(
        &self,
        filter: &GroupFilter,
        sort: &[SortKey],
        page: Page,
        count: bool,
    ) -> Result<ListPage>;
    async fn update_group(&self, id: ObjectId, edit: GroupEdit) -> Result<Option<Document>>;
    /// Adds users to a group (`add`) or takes them out, all or none; `NotFound` for an unknown
    /// group, `MissingReference` for an unknown user.
    async fn change_membership(
        &self,
        group: ObjectId,
        users: Vec<ObjectId>,
        add: bool,
    ) -> Result<()>;
    /// Deletes all the groups or none; members lose the group from their `groups`.
    async fn delete_groups(&self, ids: Vec<ObjectId>, if_match: Option<IfMatch>) -> Result<()>;

    /// The entities of `resource` with these ids, with their ids, in no particular order
    /// (unknown ids are skipped): one query, whatever the number of ids.
    async fn fetch_by_ids(
        &self,
        resource: Resource,
        ids: Vec<ObjectId>,
    ) -> Result<Vec<(ObjectId, RawDoc)>>;
    /// For each parent id, the entities of `target` whose array `field` holds it, ordered by
    /// `sort` and paged by `page` per parent, grouped by parent:
    /// one query for all parents. At most `max_rows` rows in all.
    async fn fetch_referencing(
        &self,
        target: Resource,
        field: &'static str,
        parents: Vec<ObjectId>,
        sort: Vec<SortKey>,
        page: Page,
        max_rows: usize,
    ) -> Result<Vec<Referencing>>;
}

/// One row of [`Store::fetch_referencing`]: an entity that refers to `parent`.
#[derive(Debug)]
pub struct Referencing {
    pub parent: ObjectId,
    pub id: ObjectId,
    pub doc: RawDoc,
}
