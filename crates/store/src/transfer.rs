//! Moving a whole store from one engine to another (`tessera export` and `tessera import`):
//! every table's rows as they are stored, ids, password hashes, API secrets, logged-out tokens
//! and the signing key unchanged, so that a token issued before the move works after it.
//! Derived tables (memberships, counts per role) are rebuilt by the target's triggers.

use async_trait::async_trait;
use serde_json::{Map, Value};

use crate::Result;

/// One stored row: column name to value (text, integer, boolean, or bytes as hex).
pub type Row = Map<String, Value>;

/// Where an export page ended: the key of its last row, to read on after.
pub type Cursor = Vec<Value>;

/// How a column's values are carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// Text or null.
    OptText,
    /// An integer or null.
    OptInt,
    Int,
    Bool,
    /// Bytes, carried as lower-case hex.
    Bytes,
}

/// The tables a store is made of, in the order an import writes them: what a row refers to is
/// written before it, and `meta` (which holds the signing key that marks a store initialised)
/// last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Roles,
    Groups,
    Users,
    Folders,
    Dashboards,
    DashboardShares,
    Widgets,
    RevokedTokens,
    Meta,
}

impl Table {
    pub const ALL: [Table; 9] = [
        Table::Roles,
        Table::Groups,
        Table::Users,
        Table::Folders,
        Table::Dashboards,
        Table::DashboardShares,
        Table::Widgets,
        Table::RevokedTokens,
        Table::Meta,
    ];

    /// Its name, in the store and in an export.
    pub fn name(self) -> &'static str {
        match self {
            Table::Roles => "roles",
            Table::Groups => "groups",
            Table::Users => "users",
            Table::Folders => "folders",
            Table::Dashboards => "dashboards",
            Table::DashboardShares => "dashboard_shares",
            Table::Widgets => "widgets",
            Table::RevokedTokens => "revoked_tokens",
            Table::Meta => "meta",
        }
    }

    pub fn named(name: &str) -> Option<Table> {
        Table::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The columns carried, the same on every engine.
    pub fn columns(self) -> &'static [(&'static str, Kind)] {
        use Kind::*;
        match self {
            Table::Roles => &[("id", Text), ("name_key", Text), ("doc", Text)],
            Table::Groups => &[
                ("id", Text),
                ("name_key", Text),
                ("role_id", OptText),
                ("builtin", Bool),
                ("doc", Text),
            ],
            Table::Users => &[
                ("id", Text),
                ("user_name_key", Text),
                ("email_key", Text),
                ("role_id", Text),
                ("active", Bool),
                ("password_hash", OptText),
                ("api_secret", Text),
                ("doc", Text),
            ],
            Table::Folders => {
                &[("id", Text), ("parent_id", OptText), ("owner", Text), ("doc", Text)]
            }
            Table::Dashboards => {
                &[("id", Text), ("owner", Text), ("parent_folder", OptText), ("doc", Text)]
            }
            Table::DashboardShares => &[("dashboard_id", Text), ("party_id", Text), ("rule", Text)],
            Table::Widgets => {
                &[("dashboard_id", Text), ("id", Text), ("position", Int), ("doc", Text)]
            }
            Table::RevokedTokens => &[("jti", Text), ("expires_at", OptInt)],
            Table::Meta => &[("key", Text), ("value", Bytes)],
        }
    }

    /// The columns of its primary key, which order a table that keeps no insertion order.
    pub fn key(self) -> &'static [&'static str] {
        match self {
            Table::DashboardShares => &["dashboard_id", "party_id"],
            Table::Widgets => &["dashboard_id", "id"],
            Table::RevokedTokens => &["jti"],
            Table::Meta => &["key"],
            _ => &["id"],
        }
    }

    /// Whether the engine keeps its insertion order (lists without a sort follow it), which an
    /// export keeps too.
    pub fn ordered(self) -> bool {
        matches!(
            self,
            Table::Roles | Table::Groups | Table::Users | Table::Folders | Table::Dashboards
        )
    }
}

#[async_trait]
pub trait TransferStore: Send + Sync {
    /// Up to `limit` rows of `table` after `after` (from the start when `None`), in insertion
    /// order where the table keeps one, else by key; folders come all at once, parents before
    /// children. Answers the rows and where to go on from (`None`: the table is done).
    async fn export_rows(
        &self, table: Table, after: Option<Cursor>, limit: usize,
    ) -> Result<(Vec<Row>, Option<Cursor>)>;
    /// Writes rows exported from another store, in one transaction. `meta` rows replace the
    /// target's own (its tenant id, its settings).
    async fn import_rows(&self, table: Table, rows: Vec<Row>) -> Result<()>;
    /// Whether the store holds nothing yet (no signing key, no user): an import goes only into
    /// such a store.
    async fn is_empty(&self) -> Result<bool>;
}

/// Lower-case hex of bytes.
pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Bytes of hex; `None` for anything that is not.
pub fn from_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_refuses_what_is_not_hex() {
        let bytes: Vec<u8> = (0..=255).collect();
        assert_eq!(from_hex(&to_hex(&bytes)), Some(bytes));
        assert_eq!(from_hex("abc"), None);
        assert_eq!(from_hex("zz"), None);
    }

    #[test]
    fn every_table_is_named_and_found_by_its_name() {
        for t in Table::ALL {
            assert_eq!(Table::named(t.name()), Some(t));
            assert!(t.key().iter().all(|k| t.columns().iter().any(|(c, _)| c == k)));
        }
    }
}
