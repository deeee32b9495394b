//! Logged-out tokens, and the engine's `TokenStore` (secrets are users' columns, renewed in
//! `users.rs`). Every node asks the table about each request's token, so a logout answered by
//! one node holds on all of them at once. Expired rows are deleted on the expiry index, with a
//! revocation, at most once a minute per node.

use std::sync::atomic::{AtomicI64, Ordering};

use async_trait::async_trait;
use deadpool_postgres::Transaction;
use tessera_domain::ObjectId;

use super::{PostgresStore, users};
use crate::{AuthRecord, Result, TokenStore};

/// How often, at most, a node deletes expired revocations (seconds).
const SWEEP_INTERVAL_SECS: i64 = 60;

/// Unix seconds, as tokens' `exp` counts them.
fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// When this node next deletes rows that have expired (revocations, attempt windows).
pub(super) struct Sweep(AtomicI64);

impl Sweep {
    pub(super) fn new() -> Self {
        Sweep(AtomicI64::new(0))
    }

    /// Whether a sweep is due now, by this node's clock.
    pub(super) fn due_now(&self) -> bool {
        self.due(now())
    }

    /// Whether a sweep is due now; if so, the next one is a minute away.
    fn due(&self, now: i64) -> bool {
        let next = self.0.load(Ordering::Relaxed);
        now >= next
            && self
                .0
                .compare_exchange(
                    next,
                    now + SWEEP_INTERVAL_SECS,
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                )
                .is_ok()
    }
}

async fn revoke(
    tx: &Transaction<'_>, tokens: &[(String, Option<i64>)], sweep: Option<i64>,
) -> Result<()> {
    if let Some(now) = sweep {
        tx.execute("DELETE FROM revoked_tokens WHERE expires_at <= $1", &[&now]).await?;
    }
    let (jtis, expiries): (Vec<&str>, Vec<Option<i64>>) =
        tokens.iter().map(|(jti, exp)| (jti.as_str(), *exp)).unzip();
    // One statement for the whole list; a token logged out twice keeps the later expiry.
    tx.execute(
        "INSERT INTO revoked_tokens (jti, expires_at)
         SELECT DISTINCT ON (jti) jti, expires_at FROM unnest($1::text[], $2::bigint[])
                AS t(jti, expires_at)
         ON CONFLICT (jti) DO UPDATE SET expires_at = excluded.expires_at",
        &[&jtis, &expiries],
    )
    .await?;
    Ok(())
}

#[async_trait]
impl TokenStore for PostgresStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn renew_secrets(&self, ids: Vec<ObjectId>) -> Result<Vec<String>> {
        self.write(move |tx| Box::pin(async move { users::renew_secrets(tx, &ids).await })).await
    }

    async fn revoke_token(&self, jti: String, expires_at: Option<i64>) -> Result<()> {
        self.revoke_tokens(vec![(jti, expires_at)]).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn revoke_tokens(&self, tokens: Vec<(String, Option<i64>)>) -> Result<()> {
        let now = now();
        let sweep = self.sweep.due(now).then_some(now);
        self.write(move |tx| Box::pin(async move { revoke(tx, &tokens, sweep).await })).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn is_token_revoked(&self, jti: &str) -> Result<bool> {
        let client = self.reader().await?;
        let stmt = client
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM revoked_tokens
                                 WHERE jti = $1 AND (expires_at IS NULL OR expires_at > $2))",
            )
            .await?;
        Ok(client.query_one(&stmt, &[&jti, &now()]).await?.get(0))
    }

    /// One read: the user's record, whether the token was logged out, and the write generation
    /// (which keeps this node's caches honest, engine.rs).
    #[tracing::instrument(level = "debug", skip_all)]
    async fn token_holder(&self, user: ObjectId, jti: &str) -> Result<Option<AuthRecord>> {
        let client = self.reader().await?;
        let stmt = client
            .prepare_cached(
                "SELECT u.api_secret, u.active, r.doc::json ->> 'name',
                        EXISTS (SELECT 1 FROM revoked_tokens
                                 WHERE jti = $2 AND (expires_at IS NULL OR expires_at > $3)),
                        (SELECT n FROM cache_generation)
                   FROM (SELECT 1) AS one
                   LEFT JOIN users u ON u.id = $1
                   LEFT JOIN roles r ON r.id = u.role_id",
            )
            .await?;
        let row = client.query_one(&stmt, &[&user.to_string(), &jti, &now()]).await?;
        self.observe_generation(row.get(4));
        let (secret, revoked): (Option<String>, bool) = (row.get(0), row.get(3));
        Ok(match secret {
            Some(api_secret) if !revoked => {
                Some(AuthRecord { api_secret, active: row.get(1), role_name: row.get(2) })
            }
            _ => None,
        })
    }
}
