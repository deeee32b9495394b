//! The engine's `TransferStore`: rows out in pages (insertion order by `seq` where the table
//! keeps one, else by key), rows in as stored.

use async_trait::async_trait;
use serde_json::Value;
use tokio_postgres::types::ToSql;

use super::PostgresStore;
use super::rows::Arg;
use crate::transfer::{Cursor, Kind, Row, Table, TransferStore, from_hex, to_hex};
use crate::{Result, StoreError};

/// A column of a row read back, as an export carries it.
fn carried(row: &tokio_postgres::Row, i: usize, kind: Kind) -> Result<Value> {
    Ok(match kind {
        Kind::Text | Kind::OptText => {
            row.try_get::<_, Option<String>>(i)?.map_or(Value::Null, Value::String)
        }
        Kind::Int | Kind::OptInt => {
            row.try_get::<_, Option<i64>>(i)?.map_or(Value::Null, Value::from)
        }
        Kind::Bool => Value::Bool(row.try_get(i)?),
        Kind::Bytes => Value::String(to_hex(&row.try_get::<_, Vec<u8>>(i)?)),
    })
}

/// A column of an imported row, as PostgreSQL stores it.
fn stored(row: &Row, column: &str, kind: Kind) -> Result<Arg> {
    let value = row.get(column).unwrap_or(&Value::Null);
    let bad = || StoreError::Internal(format!("column {column}: {value} is not a {kind:?}"));
    Ok(match (value, kind) {
        (Value::Null, Kind::OptText) => Box::new(None::<String>),
        (Value::Null, Kind::OptInt) => Box::new(None::<i64>),
        (Value::String(s), Kind::Text | Kind::OptText) => Box::new(s.clone()),
        (Value::Number(n), Kind::Int | Kind::OptInt) => Box::new(n.as_i64().ok_or_else(bad)?),
        (Value::Bool(b), Kind::Bool) => Box::new(*b),
        (Value::String(s), Kind::Bytes) => Box::new(from_hex(s).ok_or_else(bad)?),
        _ => return Err(bad()),
    })
}

#[async_trait]
impl TransferStore for PostgresStore {
    async fn export_rows(
        &self, table: Table, after: Option<Cursor>, limit: usize,
    ) -> Result<(Vec<Row>, Option<Cursor>)> {
        let columns = table.columns();
        let list = columns.iter().map(|(c, _)| format!("t.{c}")).collect::<Vec<_>>().join(", ");
        let name = table.name();
        let mut args: Vec<Arg> = Vec::new();
        let sql = if table == Table::Folders {
            format!(
                "WITH RECURSIVE tree(id, depth) AS (
                   SELECT id, 0 FROM folders WHERE parent_id IS NULL
                   UNION ALL SELECT f.id, tree.depth + 1 FROM folders f JOIN tree ON f.parent_id = tree.id)
                 SELECT t.seq, {list} FROM folders t JOIN tree ON tree.id = t.id
                 ORDER BY tree.depth, t.seq"
            )
        } else if table.ordered() {
            args.push(Box::new(
                after.as_ref().and_then(|c| c.first()).and_then(Value::as_i64).unwrap_or(0),
            ));
            format!(
                "SELECT t.seq, {list} FROM {name} t WHERE t.seq > $1 ORDER BY t.seq LIMIT {limit}"
            )
        } else {
            let key =
                table.key().iter().map(|k| format!("t.{k} COLLATE \"C\"")).collect::<Vec<_>>();
            let filter = match &after {
                Some(cursor) => {
                    for v in cursor {
                        args.push(Box::new(v.as_str().unwrap_or_default().to_owned()));
                    }
                    let marks = (1..=cursor.len()).map(|i| format!("${i}")).collect::<Vec<_>>();
                    format!("WHERE ({}) > ({})", key.join(", "), marks.join(", "))
                }
                None => String::new(),
            };
            format!(
                "SELECT 0::bigint, {list} FROM {name} t {filter} ORDER BY {} LIMIT {limit}",
                key.join(", ")
            )
        };
        let db = self.reader().await?;
        let params: Vec<&(dyn ToSql + Sync)> =
            args.iter().map(|a| a.as_ref() as &(dyn ToSql + Sync)).collect();
        let rows = db.query(&sql, &params).await?;
        let mut out = Vec::with_capacity(rows.len());
        let mut last_seq = 0;
        for r in &rows {
            last_seq = r.try_get::<_, i64>(0)?;
            let mut row = Row::new();
            for (i, (column, kind)) in columns.iter().enumerate() {
                row.insert((*column).to_owned(), carried(r, i + 1, *kind)?);
            }
            out.push(row);
        }
        let cursor = match out.last() {
            _ if table == Table::Folders => None,
            None => None,
            Some(_) if out.len() < limit => None,
            Some(_) if table.ordered() => Some(vec![Value::from(last_seq)]),
            Some(last) => Some(
                table.key().iter().map(|k| last.get(*k).cloned().unwrap_or(Value::Null)).collect(),
            ),
        };
        Ok((out, cursor))
    }

    async fn import_rows(&self, table: Table, rows: Vec<Row>) -> Result<()> {
        self.write(move |tx| {
            Box::pin(async move {
                let columns = table.columns();
                let names = columns.iter().map(|(c, _)| *c).collect::<Vec<_>>().join(", ");
                let marks =
                    (1..=columns.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
                let upsert = if table == Table::Meta {
                    " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
                } else {
                    ""
                };
                let stmt = tx
                    .prepare(&format!(
                        "INSERT INTO {} ({names}) VALUES ({marks}){upsert}",
                        table.name()
                    ))
                    .await?;
                for row in &rows {
                    let values = columns
                        .iter()
                        .map(|(c, kind)| stored(row, c, *kind))
                        .collect::<Result<Vec<_>>>()?;
                    let params: Vec<&(dyn ToSql + Sync)> =
                        values.iter().map(|a| a.as_ref() as &(dyn ToSql + Sync)).collect();
                    tx.execute(&stmt, &params).await?;
                }
                Ok(())
            })
        })
        .await
    }

    async fn is_empty(&self) -> Result<bool> {
        let db = self.reader().await?;
        Ok(db
            .query_one(
                "SELECT NOT EXISTS (SELECT 1 FROM meta WHERE key = 'signing_key')
                    AND NOT EXISTS (SELECT 1 FROM users)",
                &[],
            )
            .await?
            .get(0))
    }
}
