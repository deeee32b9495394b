//! Logged-out tokens, and the engine's `TokenStore` (secrets are users' columns, renewed in
//! `users.rs`). Each revocation is a row kept until the token would have expired; expired rows
//! are deleted (on the `expires_at` index) at start and with a revocation at most once a minute,
//! in step with the in-memory set.

use async_trait::async_trait;
use rusqlite::{Transaction, params};
use tessera_domain::ObjectId;

use super::{SqliteStore, users};
use crate::{AuthRecord, Result, TokenStore, UserStore};

/// Unix seconds, as tokens' `exp` counts them.
pub(super) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn forget_expired(tx: &Transaction<'_>, now: i64) -> Result<()> {
    tx.prepare_cached("DELETE FROM revoked_tokens WHERE expires_at <= ?1")?.execute([now])?;
    Ok(())
}

/// Records logged-out tokens; with `sweep`, forgets those that have expired first.
fn revoke(
    tx: &Transaction<'_>, tokens: &[(String, Option<i64>)], sweep: Option<i64>,
) -> Result<()> {
    if let Some(now) = sweep {
        forget_expired(tx, now)?;
    }
    let mut stmt = tx.prepare_cached(
        "INSERT OR REPLACE INTO revoked_tokens (jti, expires_at) VALUES (?1, ?2)",
    )?;
    for (jti, expires_at) in tokens {
        stmt.execute(params![jti, expires_at])?;
    }
    Ok(())
}

/// At start: forgets the expired revocations, and answers the others.
pub(super) fn live_revocations(
    tx: &Transaction<'_>, now: i64,
) -> Result<Vec<(String, Option<i64>)>> {
    forget_expired(tx, now)?;
    let mut stmt = tx.prepare_cached("SELECT jti, expires_at FROM revoked_tokens")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
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

    async fn revoke_token(&self, jti: String, expires_at: Option<i64>) -> Result<()> {
        self.revoke_tokens(vec![(jti, expires_at)]).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn revoke_tokens(&self, tokens: Vec<(String, Option<i64>)>) -> Result<()> {
        let now = now();
        let sweep = self.revoked.sweep_due(now).then_some(now);
        let rows = tokens.clone();
        self.write(move |tx| revoke(tx, &rows, sweep)).await?;
        for (jti, expires_at) in tokens {
            self.revoked.insert(jti, expires_at, now);
        }
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn is_token_revoked(&self, jti: &str) -> Result<bool> {
        Ok(self.revoked.contains(jti, now()))
    }

    /// Both from memory once the user's record is cached.
    async fn token_holder(&self, user: ObjectId, jti: &str) -> Result<Option<AuthRecord>> {
        if self.revoked.contains(jti, now()) {
            return Ok(None);
        }
        self.auth_record(user).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sqlite::DATABASE_FILE;

    /// Expired revocations leave the table at the next start, live ones stay; the delete walks
    /// the expiry index, not the whole table.
    #[tokio::test]
    async fn expired_revocations_are_deleted_on_the_expiry_index() {
        let dir = tempfile::tempdir().unwrap();
        let now = now();
        {
            let store = SqliteStore::open(dir.path()).await.unwrap();
            for i in 0..50 {
                store.revoke_token(format!("old-{i}"), Some(now - 10)).await.unwrap();
            }
            store.revoke_token("live".into(), Some(now + 3600)).await.unwrap();
            store.revoke_token("forever".into(), None).await.unwrap();
        }
        let store = SqliteStore::open(dir.path()).await.unwrap();
        assert!(store.is_token_revoked("live").await.unwrap());
        assert!(store.is_token_revoked("forever").await.unwrap());
        assert!(!store.is_token_revoked("old-1").await.unwrap());
        assert_eq!(store.revoked.len(), 2);

        let db = rusqlite::Connection::open(dir.path().join(DATABASE_FILE)).unwrap();
        let rows: i64 =
            db.query_row("SELECT count(*) FROM revoked_tokens", [], |r| r.get(0)).unwrap();
        assert_eq!(rows, 2);
        let plan: String = db
            .query_row(
                "EXPLAIN QUERY PLAN DELETE FROM revoked_tokens WHERE expires_at <= ?1",
                [now],
                |r| r.get(3),
            )
            .unwrap();
        assert!(plan.contains("revoked_tokens_expiry"), "{plan}");
    }

    /// Many tokens logged out at once are each refused at once and after a restart.
    #[tokio::test]
    async fn tokens_revoked_together_stay_revoked() {
        let dir = tempfile::tempdir().unwrap();
        let later = Some(now() + 3600);
        let tokens: Vec<_> = (0..1000).map(|i| (format!("t{i}"), later)).collect();
        {
            let store = SqliteStore::open(dir.path()).await.unwrap();
            store.revoke_tokens(tokens).await.unwrap();
            assert!(store.is_token_revoked("t999").await.unwrap());
        }
        let store = SqliteStore::open(dir.path()).await.unwrap();
        assert!(store.is_token_revoked("t0").await.unwrap());
        assert!(!store.is_token_revoked("t1000").await.unwrap());
        assert_eq!(store.revoked.len(), 1000);
    }
}
