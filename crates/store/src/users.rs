//! Users: the records the engine writes and the narrow trait it answers for them.

use async_trait::async_trait;
use tessera_domain::etag::IfMatch;
use tessera_domain::lazy::RawDoc;
use tessera_domain::user::UserDraft;
use tessera_domain::{Document, ObjectId, ValidationError};

use crate::{ListPage, ListRequest, Result};

/// Computes the new state of a user from the stored document, inside the write transaction,
/// so that read-modify-write (PATCH) cannot lose a concurrent update.
pub type UserEdit =
    Box<dyn FnOnce(Document) -> std::result::Result<UserRecord, ValidationError> + Send>;

/// Users, their credentials and their group memberships.
#[async_trait]
pub trait UserStore: Send + Sync {
    /// Creates all the users or none of them.
    async fn create_users(&self, users: Vec<UserRecord>) -> Result<Vec<Document>>;
    async fn get_user(&self, id: ObjectId) -> Result<Option<RawDoc>>;
    /// The user `key` names, with its id: an id first, then a user name, then an e-mail address
    /// (case-insensitive). One read, for the API 0.9 routes that take any of the three.
    async fn find_user(&self, key: &str) -> Result<Option<(ObjectId, RawDoc)>>;
    /// The users that pass the filter, ordered by the sort (ties by id; insertion order without
    /// one), the page of them, and the total count when it is asked.
    async fn list_users(&self, request: ListRequest<UserFilter>) -> Result<ListPage>;
    /// Replaces a user with what `edit` makes of it; `None` when there is no such user.
    async fn update_user(&self, id: ObjectId, edit: UserEdit) -> Result<Option<Document>>;
    /// Deletes all the users or, when one of them does not exist, none of them.
    /// With `if_match`, the (single) user must still be that version.
    async fn delete_users(&self, ids: Vec<ObjectId>, if_match: Option<IfMatch>) -> Result<()>;
    /// The user whose `userName`, or else `email`, is `username` (case-insensitive).
    async fn login_record(&self, username: &str) -> Result<Option<LoginRecord>>;
    /// What checking a token needs to know about its user.
    async fn auth_record(&self, id: ObjectId) -> Result<Option<AuthRecord>>;
    /// Sets the user's `lastLogin` and, with `rehash`, replaces the password's hash by one of
    /// the configured cost, provided the stored hash is still the one that was verified.
    async fn record_login(&self, id: ObjectId, rehash: Option<Rehash>) -> Result<()>;
}

/// A valid user as the store writes it: the document plus the keys it is indexed by.
#[derive(Debug, Clone)]
pub struct UserRecord {
    pub doc: Document,
    pub user_name: String,
    pub email: String,
    pub role_id: ObjectId,
    pub groups: Vec<ObjectId>,
    pub active: bool,
    /// A new password hash; `None` keeps the stored one (or none, on create).
    pub password_hash: Option<String>,
}

impl UserRecord {
    /// The record of a validated draft. The draft's plaintext password, if any, must already
    /// have been hashed into `password_hash`: the store never sees a plaintext password.
    pub fn from_draft(draft: UserDraft, password_hash: Option<String>) -> Self {
        let UserDraft { doc, user_name, email, role_id, groups, active, password: _ } = draft;
        UserRecord { doc, user_name, email, role_id, groups, active, password_hash }
    }
}

/// What a login needs to know about a user.
#[derive(Debug, Clone)]
pub struct LoginRecord {
    pub id: ObjectId,
    pub password_hash: Option<String>,
    pub active: bool,
    pub api_secret: String,
}

/// A password's hash made anew at sign-in: `old` is the hash that was verified.
#[derive(Debug, Clone)]
pub struct Rehash {
    pub old: String,
    pub new: String,
}

/// What checking a token needs to know about its user.
#[derive(Debug, Clone)]
pub struct AuthRecord {
    pub api_secret: String,
    pub active: bool,
    pub role_name: String,
}

/// Filters of `GET /api/v1/users`; every one that is set must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserFilter {
    /// Part of the user name, case-insensitive.
    pub user_name: Option<String>,
    /// Part of the e-mail address, case-insensitive.
    pub email: Option<String>,
    /// The whole first name, case-insensitive (ASCII).
    pub first_name: Option<String>,
    /// The whole last name, case-insensitive (ASCII).
    pub last_name: Option<String>,
    pub role_id: Option<ObjectId>,
    /// Members of this group.
    pub group_id: Option<ObjectId>,
    pub active: Option<bool>,
    pub ids: Option<Vec<ObjectId>>,
    /// Part of the user name, e-mail address, first or last name, case-insensitive (API 0.9's
    /// `search`).
    pub search: Option<String>,
}
