//! The engine's `TransferStore`: rows out in pages (insertion order by rowid where the table
//! keeps one, else by key), rows in as stored.

use async_trait::async_trait;
use rusqlite::types::{Value as SqlValue, ValueRef};
use serde_json::Value;

use super::SqliteStore;
use crate::transfer::{Cursor, Kind, Row, Table, TransferStore, from_hex, to_hex};
use crate::{Result, StoreError};

/// A column of a row read back, as an export carries it.
fn carried(value: ValueRef<'_>, kind: Kind) -> Result<Value> {
    Ok(match (value, kind) {
        (ValueRef::Null, _) => Value::Null,
        (ValueRef::Integer(n), Kind::Bool) => Value::Bool(n != 0),
        (ValueRef::Integer(n), _) => Value::from(n),
        (ValueRef::Text(t) | ValueRef::Blob(t), Kind::Bytes) => Value::String(to_hex(t)),
        (ValueRef::Text(t), _) => Value::String(String::from_utf8_lossy(t).into_owned()),
        (other, _) => {
            return Err(StoreError::Internal(format!("unexpected stored value {other:?}")));
        }
    })
}

/// A column of an imported row, as SQLite stores it.
fn stored(row: &Row, column: &str, kind: Kind) -> Result<SqlValue> {
    let value = row.get(column).unwrap_or(&Value::Null);
    let bad = || StoreError::Internal(format!("column {column}: {value} is not a {kind:?}"));
    Ok(match (value, kind) {
        (Value::Null, Kind::OptText | Kind::OptInt) => SqlValue::Null,
        (Value::String(s), Kind::Text | Kind::OptText) => SqlValue::Text(s.clone()),
        (Value::Number(n), Kind::Int | Kind::OptInt) => {
            SqlValue::Integer(n.as_i64().ok_or_else(bad)?)
        }
        (Value::Bool(b), Kind::Bool) => SqlValue::Integer(i64::from(*b)),
        (Value::String(s), Kind::Bytes) => SqlValue::Blob(from_hex(s).ok_or_else(bad)?),
        _ => return Err(bad()),
    })
}

fn export(
    conn: &rusqlite::Connection, table: Table, after: Option<&Cursor>, limit: usize,
) -> Result<(Vec<Row>, Option<Cursor>)> {
    let columns = table.columns();
    let list = columns.iter().map(|(c, _)| format!("t.{c}")).collect::<Vec<_>>().join(", ");
    let name = table.name();
    let (sql, args): (String, Vec<SqlValue>) = if table == Table::Folders {
        // All at once, parents before children: an import must write a folder's parent first.
        (
            format!(
                "WITH RECURSIVE tree(id, depth) AS (
                   SELECT id, 0 FROM folders WHERE parent_id IS NULL
                   UNION ALL SELECT f.id, tree.depth + 1 FROM folders f JOIN tree ON f.parent_id = tree.id)
                 SELECT t.rowid, {list} FROM folders t JOIN tree ON tree.id = t.id
                 ORDER BY tree.depth, t.rowid"
            ),
            Vec::new(),
        )
    } else if table.ordered() {
        let from = after.and_then(|c| c.first()).and_then(Value::as_i64).unwrap_or(0);
        (
            format!(
                "SELECT t.rowid, {list} FROM {name} t WHERE t.rowid > ?1 ORDER BY t.rowid LIMIT {limit}"
            ),
            vec![SqlValue::Integer(from)],
        )
    } else {
        let key = table.key().iter().map(|k| format!("t.{k}")).collect::<Vec<_>>().join(", ");
        match after {
            Some(cursor) => {
                let marks =
                    (1..=cursor.len()).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ");
                let args = cursor
                    .iter()
                    .map(|v| SqlValue::Text(v.as_str().unwrap_or_default().to_owned()))
                    .collect();
                (
                    format!(
                        "SELECT 0, {list} FROM {name} t WHERE ({key}) > ({marks}) ORDER BY {key} LIMIT {limit}"
                    ),
                    args,
                )
            }
            None => {
                (format!("SELECT 0, {list} FROM {name} t ORDER BY {key} LIMIT {limit}"), Vec::new())
            }
        }
    };
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(args))?;
    let mut out = Vec::new();
    let mut last_rowid = 0;
    while let Some(r) = rows.next()? {
        last_rowid = r.get::<_, i64>(0)?;
        let mut row = Row::new();
        for (i, (column, kind)) in columns.iter().enumerate() {
            row.insert((*column).to_owned(), carried(r.get_ref(i + 1)?, *kind)?);
        }
        out.push(row);
    }
    let cursor = match out.last() {
        _ if table == Table::Folders => None,
        None => None,
        Some(_) if out.len() < limit => None,
        Some(_) if table.ordered() => Some(vec![Value::from(last_rowid)]),
        Some(last) => {
            Some(table.key().iter().map(|k| last.get(*k).cloned().unwrap_or(Value::Null)).collect())
        }
    };
    Ok((out, cursor))
}

#[async_trait]
impl TransferStore for SqliteStore {
    async fn export_rows(
        &self, table: Table, after: Option<Cursor>, limit: usize,
    ) -> Result<(Vec<Row>, Option<Cursor>)> {
        self.read_large(move |c| export(c, table, after.as_ref(), limit)).await
    }

    async fn import_rows(&self, table: Table, rows: Vec<Row>) -> Result<()> {
        // Logged-out tokens are checked in memory: the imported ones join the set.
        let revoked: Vec<(String, Option<i64>)> = if table == Table::RevokedTokens {
            rows.iter()
                .filter_map(|r| {
                    Some((r.get("jti")?.as_str()?.to_owned(), r.get("expires_at")?.as_i64()))
                })
                .collect()
        } else {
            Vec::new()
        };
        self.write(move |tx| {
            let columns = table.columns();
            let names = columns.iter().map(|(c, _)| *c).collect::<Vec<_>>().join(", ");
            let marks = (1..=columns.len()).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ");
            let verb = if table == Table::Meta { "INSERT OR REPLACE" } else { "INSERT" };
            let mut stmt =
                tx.prepare(&format!("{verb} INTO {} ({names}) VALUES ({marks})", table.name()))?;
            for row in &rows {
                let values = columns
                    .iter()
                    .map(|(c, kind)| stored(row, c, *kind))
                    .collect::<Result<Vec<_>>>()?;
                stmt.execute(rusqlite::params_from_iter(values))?;
            }
            Ok(())
        })
        .await?;
        let now = super::tokens::now();
        for (jti, expires_at) in revoked {
            self.revoked.insert(jti, expires_at, now);
        }
        self.auth.clear();
        self.docs.clear();
        self.users.clear();
        Ok(())
    }

    async fn is_empty(&self) -> Result<bool> {
        self.read(|c| {
            Ok(c.query_row(
                "SELECT NOT EXISTS (SELECT 1 FROM meta WHERE key = 'signing_key')
                    AND NOT EXISTS (SELECT 1 FROM users)",
                [],
                |r| r.get(0),
            )?)
        })
        .await
    }
}
