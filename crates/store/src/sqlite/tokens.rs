//! Logged-out tokens, and the engine's `TokenStore` (secrets are users' columns, renewed in
//! `users.rs`).

use std::collections::HashSet;

use async_trait::async_trait;
use tessera_domain::ObjectId;

use rusqlite::{Connection, Transaction, params};

use super::{SqliteStore, users};
use crate::{Result, StoreError, TokenStore};

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Records a logged-out token, and forgets those that have expired since (they are dead anyway).
fn revoke(tx: &Transaction<'_>, jti: &str, expires_at: Option<i64>) -> Result<()> {
    tx.prepare_cached("DELETE FROM revoked_tokens WHERE expires_at <= ?1")?
        .execute([now()])?;
    tx.prepare_cached("INSERT OR REPLACE INTO revoked_tokens (jti, expires_at) VALUES (?1, ?2)")?
        .execute(params![jti, expires_at])?;
    Ok(())
}

/// The ids of logged-out tokens that have not expired yet.
pub(super) fn live_revocations(conn: &Connection) -> Result<HashSet<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT jti FROM revoked_tokens WHERE expires_at IS NULL OR expires_at > ?1",
    )?;
    let rows = stmt.query_map([now()], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

#[async_trait]
impl TokenStore for SqliteStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn renew_secrets(&self, ids: Vec<ObjectId>) -> Result<Vec<String>> {
        let changed = ids.clone();
        let result = self.write(move |tx| users::renew_secrets(tx, &ids)).await;
        self.auth.invalidate(&changed);
        result
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn revoke_token(&self, jti: String, expires_at: Option<i64>) -> Result<()> {
        let id = jti.clone();
        self.write(move |tx| revoke(tx, &id, expires_at)).await?;
        self.revoked
            .write()
            .map_err(|_| StoreError::Internal("revocation set poisoned".into()))?
            .insert(jti);
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn is_token_revoked(&self, jti: &str) -> Result<bool> {
        Ok(self
            .revoked
            .read()
            .map_err(|_| StoreError::Internal("revocation set poisoned".into()))?
            .contains(jti))
    }
}
