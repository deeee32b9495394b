//! What every handler can reach.

use std::sync::Arc;

use tessera_domain::ObjectId;
use tessera_store::Store;

use crate::password::Passwords;
use crate::token::Tokens;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub tokens: Tokens,
    pub passwords: Passwords,
    /// The role a user gets when a document names none (the built-in `consumer`, Viewer).
    pub default_role: ObjectId,
    pub max_body_bytes: usize,
}
