//! What makes tokens stop working: per-user API secrets and logged-out tokens.

use async_trait::async_trait;
use tessera_domain::ObjectId;

use crate::{AuthRecord, Result};

#[async_trait]
pub trait TokenStore: Send + Sync {
    /// Gives each user a new API secret, so that every token issued to them before stops
    /// working; answers the new secrets in the same order. All or none: an unknown id is a
    /// `NotFound` and changes nothing.
    async fn renew_secrets(&self, ids: Vec<ObjectId>) -> Result<Vec<String>>;
    /// Logs one token out (by its `jti`), for as long as it would have been valid.
    async fn revoke_token(&self, jti: String, expires_at: Option<i64>) -> Result<()>;
    /// Logs many tokens out in one transaction, all or none: what moving a store's logged-out
    /// tokens carries, and how the benchmarks make a million of them.
    async fn revoke_tokens(&self, tokens: Vec<(String, Option<i64>)>) -> Result<()>;
    /// Whether a token was logged out.
    async fn is_token_revoked(&self, jti: &str) -> Result<bool>;
    /// What authenticating a request reads: the auth record of the token's user, `None` when
    /// the token `jti` was logged out or the user is gone.
    async fn token_holder(&self, user: ObjectId, jti: &str) -> Result<Option<AuthRecord>>;
}
