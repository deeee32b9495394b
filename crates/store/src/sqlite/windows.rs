//! The engine's `WindowStore`: one process holds the database, so its counts in memory are
//! everyone's.

use std::time::Duration;

use async_trait::async_trait;

use super::SqliteStore;
use crate::{Counted, Result, WindowStore};

#[async_trait]
impl WindowStore for SqliteStore {
    async fn take_attempts(&self, keys: Vec<Counted>) -> Result<std::result::Result<(), Duration>> {
        self.windows.take_attempts(keys).await
    }

    async fn attempts_blocked(&self, key: Counted) -> Result<Option<Duration>> {
        self.windows.attempts_blocked(key).await
    }

    async fn forget_attempts(&self, key: String) -> Result<()> {
        self.windows.forget_attempts(key).await
    }

    async fn give_back_attempt(&self, key: String) -> Result<()> {
        self.windows.give_back_attempt(key).await
    }
}
