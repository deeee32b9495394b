//! SQL for lists: filters, order and page run in SQLite, on indexes where they exist.

use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, params_from_iter};
use tessera_domain::query::{Page, SortKey};

use super::rows::raw_doc;
use crate::{ListPage, Result};

/// A `WHERE` clause being built, with its arguments.
#[derive(Default)]
pub(super) struct Filter {
    clauses: String,
    args: Vec<SqlValue>,
}

impl Filter {
    /// Adds `AND clause`, where the clause holds one `?` for `value`.
    pub(super) fn and(&mut self, clause: &str, value: impl Into<SqlValue>) {
        self.args.push(value.into());
        self.clauses.push_str(" AND ");
        self.clauses.push_str(&clause.replace('?', &format!("?{}", self.args.len())));
    }
}

impl Filter {
    /// Adds `AND clause`, for a clause that takes no argument.
    pub(super) fn and_plain(&mut self, clause: &str) {
        self.clauses.push_str(" AND ");
        self.clauses.push_str(clause);
    }
}

/// `json_extract(alias.doc, '$.a.b')`. Paths are made of `[A-Za-z_][A-Za-z0-9_]*` names (the
/// parser admits nothing else), so they are safe to write into the SQL; written out, they let
/// SQLite use the expression indexes of schema.rs.
pub(super) fn json_field(alias: &str, path: &tessera_domain::query::FieldPath) -> String {
    format!("json_extract({alias}.doc, '$.{path}')")
}

/// A sort key as SQL: the column of that name where the table keeps the field as a column of
/// its own (`columns`, top-level fields only), else the field read from the document.
fn sort_field(alias: &str, columns: &[&str], path: &tessera_domain::query::FieldPath) -> String {
    let text = path.to_string();
    match columns.iter().find(|c| **c == text) {
        Some(column) => format!("{alias}.{column}"),
        None => json_field(alias, path),
    }
}

/// `ORDER BY` for `sort`, ties broken by id in the direction of the last key (so that one index
/// on `(field, id)` serves both directions); insertion order when there is no sort.
pub(super) fn order_by(alias: &str, columns: &[&str], sort: &[SortKey]) -> String {
    let Some(last) = sort.last() else {
        return format!(" ORDER BY {alias}.rowid");
    };
    let dir = |descending: bool| if descending { "DESC" } else { "ASC" };
    let mut keys: Vec<String> = sort
        .iter()
        .map(|k| format!("{} {}", sort_field(alias, columns, &k.path), dir(k.descending)))
        .collect();
    keys.push(format!("{alias}.id {}", dir(last.descending)));
    format!(" ORDER BY {}", keys.join(", "))
}

/// SQLite's `LIMIT -1` is "no limit".
/// The page's `LIMIT`, written into the SQL as a literal, never bound: SQLite plans with a bound
/// `LIMIT`'s value and so marks the statement to be prepared again whenever it is bound anew,
/// which made every cached list statement compile again on every request.
pub(super) fn limit_value(page: Page) -> i64 {
    page.limit.map_or(-1, |l| i64::try_from(l).unwrap_or(i64::MAX))
}

pub(super) fn offset_value(page: Page) -> i64 {
    i64::try_from(page.skip).unwrap_or(i64::MAX)
}

/// A table's name, its alias in the SQL, and the fields it keeps as columns of their own.
#[derive(Clone, Copy)]
pub(super) struct Table {
    pub name: &'static str,
    pub alias: &'static str,
    pub columns: &'static [&'static str],
}

/// Runs a list query on `table`: the page of documents, and the count of all matches when
/// `count` is set.
pub(super) fn list(
    conn: &Connection, table: &Table, filter: Filter, sort: &[SortKey], page: Page, count: bool,
) -> Result<ListPage> {
    let Table { name: table, alias, columns } = *table;
    let Filter { clauses, mut args } = filter;
    let total = if count {
        let sql = format!("SELECT count(*) FROM {table} {alias} WHERE 1 = 1{clauses}");
        let n: i64 =
            conn.prepare_cached(&sql)?.query_row(params_from_iter(args.iter()), |r| r.get(0))?;
        Some(u64::try_from(n).unwrap_or(0))
    } else {
        None
    };
    let n = args.len();
    let sql = format!(
        "SELECT {alias}.doc FROM {table} {alias} WHERE 1 = 1{clauses}{} LIMIT {} OFFSET ?{}",
        order_by(alias, columns, sort),
        limit_value(page),
        n + 1
    );
    args.push(offset_value(page).into());
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params_from_iter(args), |r| r.get::<_, String>(0))?;
    let items = rows.map(|text| raw_doc(text?)).collect::<Result<Vec<_>>>()?;
    Ok(ListPage { items, total })
}

#[cfg(test)]
mod tests {
    use rusqlite::StatementStatus;

    use super::*;

    /// A list statement, once cached, runs again without being compiled again, whatever page
    /// it is asked for (a bound `LIMIT` made SQLite compile it anew on every run).
    #[test]
    fn a_cached_list_statement_is_not_compiled_again() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE t (id TEXT PRIMARY KEY, doc TEXT NOT NULL);
             INSERT INTO t VALUES ('a', '{\"n\":1}'), ('b', '{\"n\":2}'), ('c', '{\"n\":3}');",
        )
        .unwrap();
        for skip in [0, 1, 2, 0, 1] {
            let page = Page { skip, limit: Some(1) };
            let table = Table { name: "t", alias: "t", columns: &[] };
            let listed = list(&conn, &table, Filter::default(), &[], page, false).unwrap();
            assert_eq!(listed.items.len(), 1);
        }
        let sql = "SELECT t.doc FROM t t WHERE 1 = 1 ORDER BY t.rowid LIMIT 1 OFFSET ?1";
        let stmt = conn.prepare_cached(sql).unwrap();
        assert_eq!(stmt.get_status(StatementStatus::RePrepare), 0);
        assert_eq!(stmt.get_status(StatementStatus::Run), 5, "the cached statement ran");
    }
}
