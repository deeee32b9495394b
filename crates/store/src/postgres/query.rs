//! SQL for lists: filters, order and page run in PostgreSQL, in the query language's order.

use deadpool_postgres::GenericClient;
use tessera_domain::query::{FieldPath, Page, SortKey};
use tokio_postgres::types::ToSql;

use super::rows::{Arg, raw_doc};
use crate::{ListPage, Result};

/// A `WHERE` clause being built, with its arguments.
#[derive(Default)]
pub(super) struct Filter {
    clauses: String,
    args: Vec<Arg>,
}

impl Filter {
    /// Adds `AND clause`, where every `?` of the clause stands for `value`.
    pub(super) fn and(&mut self, clause: &str, value: impl ToSql + Sync + Send + 'static) {
        self.args.push(Box::new(value));
        self.clauses.push_str(" AND ");
        self.clauses.push_str(&clause.replace('?', &format!("${}", self.args.len())));
    }

    /// Adds `AND clause`, for a clause that takes no argument.
    pub(super) fn and_plain(&mut self, clause: &str) {
        self.clauses.push_str(" AND ");
        self.clauses.push_str(clause);
    }

    /// The arguments, as a statement takes them.
    pub(super) fn params(args: &[Arg]) -> Vec<&(dyn ToSql + Sync)> {
        args.iter().map(|a| a.as_ref() as &(dyn ToSql + Sync)).collect()
    }
}

/// The field's JSON value: `(alias.doc::json #> '{a,b}')`. Paths are made of
/// `[A-Za-z_][A-Za-z0-9_]*` names (the parser admits nothing else), so they are safe to write
/// into the SQL.
pub(super) fn json_field(alias: &str, path: &FieldPath) -> String {
    format!("({alias}.doc::json #> '{{{}}}')", path.segments().join(","))
}

/// A table's name, its alias in the SQL, and its stored sort keys: field to column (schema.rs).
#[derive(Clone, Copy)]
pub(super) struct Table {
    pub name: &'static str,
    pub alias: &'static str,
    pub sort_columns: &'static [(&'static str, &'static str)],
}

/// `ORDER BY` for `sort`, in the query language's order (schema.rs: the sort key's rank, number
/// and text as one value, stored for the indexed fields), ties broken by id in the direction of
/// the last key; insertion order when there is no sort.
pub(super) fn order_by(table: &Table, sort: &[SortKey]) -> String {
    let alias = table.alias;
    let Some(last) = sort.last() else {
        return format!(" ORDER BY {alias}.seq");
    };
    let dir = |descending: bool| if descending { "DESC" } else { "ASC" };
    let mut keys: Vec<String> = sort
        .iter()
        .map(|k| {
            let field = k.path.to_string();
            let key = match table.sort_columns.iter().find(|(f, _)| *f == field) {
                Some((_, column)) => format!("{alias}.{column}"),
                None => format!("tessera_key({})", json_field(alias, &k.path)),
            };
            format!("{key} {}", dir(k.descending))
        })
        .collect();
    keys.push(format!("{alias}.id COLLATE \"C\" {}", dir(last.descending)));
    format!(" ORDER BY {}", keys.join(", "))
}

/// The page's `LIMIT` (`NULL`: none) and `OFFSET`.
pub(super) fn limit_value(page: Page) -> Option<i64> {
    page.limit.map(|l| i64::try_from(l).unwrap_or(i64::MAX))
}

pub(super) fn offset_value(page: Page) -> i64 {
    i64::try_from(page.skip).unwrap_or(i64::MAX)
}

/// Runs a list query on `table`: the page of documents, and the count of all matches when
/// `count` is set.
pub(super) async fn list(
    db: &impl GenericClient, table: &Table, filter: Filter, sort: &[SortKey], page: Page,
    count: bool,
) -> Result<ListPage> {
    let Table { name: table_name, alias, .. } = *table;
    let Filter { clauses, mut args } = filter;
    let total = if count {
        let sql = format!("SELECT count(*) FROM {table_name} {alias} WHERE true{clauses}");
        let stmt = db.prepare_cached(&sql).await?;
        let n: i64 = db.query_one(&stmt, &Filter::params(&args)).await?.get(0);
        Some(u64::try_from(n).unwrap_or(0))
    } else {
        None
    };
    let n = args.len();
    let sql = format!(
        "SELECT {alias}.doc FROM {table_name} {alias} WHERE true{clauses}{} LIMIT ${} OFFSET ${}",
        order_by(table, sort),
        n + 1,
        n + 2
    );
    args.push(Box::new(limit_value(page)));
    args.push(Box::new(offset_value(page)));
    let stmt = db.prepare_cached(&sql).await?;
    let rows = db.query(&stmt, &Filter::params(&args)).await?;
    let items = rows.into_iter().map(|r| raw_doc(r.get(0))).collect::<Result<Vec<_>>>()?;
    Ok(ListPage { items, total })
}
