//! Logged-out tokens.

use std::collections::HashSet;

use rusqlite::{Connection, Transaction, params};

use crate::Result;

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Records a logged-out token, and forgets those that have expired since (they are dead anyway).
pub(super) fn revoke(tx: &Transaction<'_>, jti: &str, expires_at: Option<i64>) -> Result<()> {
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
