//! The embedded engine: one SQLite file in WAL mode.
//!
//! Each entity is a row holding its JSON document plus the columns it is looked up by. Reads and
//! writes run on a small pool of connections, each on the blocking thread pool so that no async
//! worker ever waits on the disk. Every write is one `BEGIN IMMEDIATE` transaction with
//! `synchronous=FULL`: once a client has its answer, the change is on disk.
//!
//! `engine.rs` holds the engine itself (the pool, the caches, the read and write funnels); each
//! resource's SQL and its trait's implementation live in the file named after it, and what they
//! all use in `rows.rs`. This file only opens a store: nothing imports it back.

mod cache;
mod conn;
mod dashboards;
mod engine;
mod folders;
mod groups;
mod query;
mod relations;
mod revocations;
mod roles;
mod rows;
mod schema;
mod settings;
mod tokens;
mod users;
mod widgets;

use std::path::Path;

use crate::{Result, Stats, Store, StoreError};

pub use engine::{DATABASE_FILE, SqliteStore};

impl SqliteStore {
    /// Opens (creating if needed) the database in `data_dir` and brings its schema up to date.
    pub async fn open(data_dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(data_dir).map_err(|e| {
            StoreError::Internal(format!(
                "cannot create data dir {}: {e}",
                data_dir.display()
            ))
        })?;
        let pool = conn::pool(data_dir.join(DATABASE_FILE))?;
        let store = SqliteStore::new(pool);
        store.write(schema::migrate).await?;
        let now = tokens::now();
        let revoked = store
            .write(move |tx| tokens::live_revocations(tx, now))
            .await?;
        store.revoked.load(revoked, now);
        Ok(store)
    }
}

impl Store for SqliteStore {
    fn stats(&self) -> Stats {
        self.counts()
    }
}
