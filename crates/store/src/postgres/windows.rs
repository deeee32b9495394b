//! The engine's `WindowStore`: attempts counted in the `attempt_windows` table, so that every
//! node counts the same failed sign-ins and issued tokens. Times are the database's clock
//! (`clock_timestamp()`), the one clock all nodes share; the rows of a call are locked in key
//! order, so concurrent sign-ins take turns on a key instead of both passing its check.

use std::time::Duration;

use async_trait::async_trait;
use deadpool_postgres::{GenericClient, Transaction};

use super::PostgresStore;
use crate::{Counted, Result, WindowStore};

/// The database's clock, in Unix milliseconds.
const NOW_MS: &str = "SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint";

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

fn wait(ends_ms: i64, now_ms: i64) -> Duration {
    Duration::from_millis(u64::try_from(ends_ms - now_ms).unwrap_or(0))
}

async fn now_ms(db: &impl GenericClient) -> Result<i64> {
    Ok(db.query_one(NOW_MS, &[]).await?.get(0))
}

async fn take(
    tx: &Transaction<'_>, mut keys: Vec<Counted>, sweep: bool,
) -> Result<std::result::Result<(), Duration>> {
    let now = now_ms(tx).await?;
    if sweep {
        tx.execute("DELETE FROM attempt_windows WHERE ends_ms <= $1", &[&now]).await?;
    }
    keys.sort_by(|a, b| a.key.cmp(&b.key));
    let names: Vec<&str> = keys.iter().map(|k| k.key.as_str()).collect();
    tx.execute(
        "INSERT INTO attempt_windows (key, ends_ms, attempts)
         SELECT k, 0, 0 FROM unnest($1::text[]) AS k ON CONFLICT (key) DO NOTHING",
        &[&names],
    )
    .await?;
    let rows = tx
        .query(
            "SELECT key, ends_ms, attempts FROM attempt_windows WHERE key = ANY($1)
             ORDER BY key COLLATE \"C\" FOR UPDATE",
            &[&names],
        )
        .await?;
    let stored = |key: &str| {
        rows.iter()
            .find(|r| r.get::<_, &str>(0) == key)
            .map_or((0, 0), |r| (r.get::<_, i64>(1), r.get::<_, i32>(2)))
    };
    let blocked = keys
        .iter()
        .filter_map(|k| {
            let (ends, attempts) = stored(&k.key);
            let full = u32::try_from(attempts).unwrap_or(0) >= k.limit && now < ends;
            full.then(|| wait(ends, now))
        })
        .max();
    if let Some(wait) = blocked {
        return Ok(Err(wait));
    }
    let (mut ends, mut attempts) = (Vec::with_capacity(keys.len()), Vec::with_capacity(keys.len()));
    for k in &keys {
        let (e, a) = stored(&k.key);
        let (e, a) = if now >= e { (now + millis(k.window), 0) } else { (e, a) };
        ends.push(e);
        attempts.push(a.saturating_add(1));
    }
    tx.execute(
        "UPDATE attempt_windows w SET ends_ms = v.ends, attempts = v.attempts
           FROM unnest($1::text[], $2::bigint[], $3::int[]) AS v(key, ends, attempts)
          WHERE w.key = v.key",
        &[&names, &ends, &attempts],
    )
    .await?;
    Ok(Ok(()))
}

#[async_trait]
impl WindowStore for PostgresStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn take_attempts(&self, keys: Vec<Counted>) -> Result<std::result::Result<(), Duration>> {
        let sweep = self.window_sweep.due_now();
        self.write(move |tx| Box::pin(take(tx, keys, sweep))).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn attempts_blocked(&self, key: Counted) -> Result<Option<Duration>> {
        let db = self.reader().await?;
        let now = now_ms(&db).await?;
        let row = db
            .query_opt("SELECT ends_ms, attempts FROM attempt_windows WHERE key = $1", &[&key.key])
            .await?;
        Ok(row.and_then(|r| {
            let (ends, attempts): (i64, i32) = (r.get(0), r.get(1));
            (u32::try_from(attempts).unwrap_or(0) >= key.limit && now < ends)
                .then(|| wait(ends, now))
        }))
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn forget_attempts(&self, key: String) -> Result<()> {
        self.write(move |tx| {
            Box::pin(async move {
                tx.execute("DELETE FROM attempt_windows WHERE key = $1", &[&key]).await?;
                Ok(())
            })
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn give_back_attempt(&self, key: String) -> Result<()> {
        self.write(move |tx| {
            Box::pin(async move {
                tx.execute(
                    "UPDATE attempt_windows SET attempts = greatest(attempts - 1, 0) WHERE key = $1",
                    &[&key],
                )
                .await?;
                Ok(())
            })
        })
        .await
    }
}
