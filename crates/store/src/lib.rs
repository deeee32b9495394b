//! Tessera's persistence.
//!
//! The server sees one [`Store`]: the narrow trait of each resource (users, groups, roles,
//! tokens, dashboards, widgets, folders, settings, the relations `expand` follows, and the
//! attempts counted in time windows) together. Each trait and its records live in the file
//! named after the resource; each engine (SQLite, embedded, in `sqlite/`; PostgreSQL, for many
//! nodes, in `postgres/`) implements every trait, one file per resource. All SQL lives in this
//! crate.

mod cache;
mod dashboards;
mod error;
mod expand;
mod folders;
mod groups;
mod list;
pub mod postgres;
mod record;
mod relations;
mod roles;
mod settings;
pub mod sqlite;
mod tokens;
pub mod transfer;
mod users;
mod widgets;
mod windows;

pub use dashboards::{
    DashboardEdit, DashboardFilter, DashboardStore, ImportAction, ImportItem, ImportReport,
};
pub use error::{Result, StoreError};
pub use expand::expand;
pub use folders::{FolderEdit, FolderFilter, FolderStore};
pub use groups::{GroupEdit, GroupFilter, GroupRecord, GroupStore};
pub use list::{ListPage, ListRequest};
pub use relations::{Referencing, RelationStore};
pub use roles::RoleStore;
pub use settings::{FeaturesEdit, Setting, SettingEdit, SettingsStore};
pub use tokens::TokenStore;
pub use users::{AuthRecord, LoginRecord, Rehash, UserEdit, UserFilter, UserRecord, UserStore};
pub use widgets::{WidgetEdit, WidgetStore};
pub use windows::{Clock, Counted, MemoryWindows, WindowStore};

/// Everything the server needs from a storage engine: every resource's trait.
pub trait Store:
    SettingsStore
    + RoleStore
    + UserStore
    + TokenStore
    + GroupStore
    + DashboardStore
    + WidgetStore
    + FolderStore
    + RelationStore
    + WindowStore
    + transfer::TransferStore
    + 'static
{
    /// What the engine has done since it opened.
    fn stats(&self) -> Stats;
}

/// Counts of the engine's work since it opened: reads and writes that reached the database
/// (answers from a cache are not reads), and the state of its caches, connections and logged-out
/// tokens. For `/metrics`, and for tests that count what a request costs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    pub reads: u64,
    pub writes: u64,
    /// The engine's read-through caches (none on PostgreSQL, whose nodes keep nothing).
    pub caches: Vec<CacheStats>,
    pub pool: PoolStats,
    /// Logged-out tokens held in memory until they would have expired.
    pub revoked_tokens: u64,
}

/// One read-through cache: answers it gave, lookups it could not answer, entries it holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    pub name: &'static str,
    pub hits: u64,
    pub misses: u64,
    pub entries: u64,
}

/// The database connection pool: its bound, the connections open, those idle, and the callers
/// waiting for one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PoolStats {
    pub max_size: u64,
    pub open: u64,
    pub idle: u64,
    pub waiting: u64,
}
