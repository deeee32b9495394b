use tessera_domain::lazy::RawDoc;
use tessera_domain::user::UserDraft;
use tessera_domain::{Document, ObjectId};

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
        let UserDraft {
            doc,
            user_name,
            email,
            role_id,
            groups,
            active,
            password: _,
        } = draft;
        UserRecord {
            doc,
            user_name,
            email,
            role_id,
            groups,
            active,
            password_hash,
        }
    }
}

/// The first administrator, created by `Store::initialize`.
#[derive(Debug, Clone)]
pub struct SeedAdmin {
    pub email: String,
    pub password_hash: String,
}

/// What a login needs to know about a user.
#[derive(Debug, Clone)]
pub struct LoginRecord {
    pub id: ObjectId,
    pub password_hash: Option<String>,
    pub active: bool,
    pub api_secret: String,
}

/// What checking a token needs to know about its user.
#[derive(Debug, Clone)]
pub struct AuthRecord {
    pub api_secret: String,
    pub active: bool,
    pub role_name: String,
}

/// Filters of `GET /api/v1/users`; every one that is set must hold.
#[derive(Debug, Clone, Default)]
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

/// One page of a list, with the number of all matching entities when it was asked for.
#[derive(Debug, Clone, Default)]
pub struct ListPage {
    /// The stored JSON text of each entity.
    pub items: Vec<RawDoc>,
    pub total: Option<u64>,
}
