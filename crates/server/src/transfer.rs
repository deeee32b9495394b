//! `tessera export` and `tessera import`: a whole store as JSON lines, from either engine to
//! either engine, with ids, hashes, secrets, logged-out tokens and the signing key unchanged.
//!
//! The first line names the format (`{"tessera_export":1}`); each other line is one stored row,
//! `{"table":"users","row":{...}}`, tables in the order an import writes them. An import goes
//! into an empty store only, and writes each table in batches of one transaction each.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::sync::Arc;

use serde_json::{Value, json};
use tessera_store::Store;
use tessera_store::postgres::PostgresStore;
use tessera_store::sqlite::SqliteStore;
use tessera_store::transfer::{Row, Table};

use crate::config::{DEFAULT_DATA_DIR, TransferArgs};
use crate::error::StartupError;

/// The format's version, on the first line.
const FORMAT: u64 = 1;

/// Rows read or written per round trip to the store.
const BATCH: usize = 1000;

/// Writes every row of `store` to `out`; answers how many rows.
pub async fn export(store: &dyn Store, out: &mut impl Write) -> Result<u64, StartupError> {
    let io = |e: std::io::Error| StartupError::Admin(format!("cannot write the export: {e}"));
    writeln!(out, "{}", json!({ "tessera_export": FORMAT })).map_err(io)?;
    let mut n = 0;
    for table in Table::ALL {
        let mut after = None;
        loop {
            let (rows, next) = store.export_rows(table, after, BATCH).await?;
            for row in rows {
                writeln!(out, "{}", json!({ "table": table.name(), "row": row })).map_err(io)?;
                n += 1;
            }
            match next {
                Some(cursor) => after = Some(cursor),
                None => break,
            }
        }
    }
    out.flush().map_err(io)?;
    Ok(n)
}

/// Writes the rows of an export into `store`, which must be empty; answers how many rows.
pub async fn import(store: &dyn Store, input: impl BufRead) -> Result<u64, StartupError> {
    if !store.is_empty().await? {
        return Err(StartupError::Admin(
            "the target store already holds data: import into an empty database or data directory"
                .into(),
        ));
    }
    let bad =
        |line: usize, why: &str| StartupError::Admin(format!("line {line} of the import: {why}"));
    let mut lines = input.lines().enumerate();
    let header = match lines.next() {
        Some((_, Ok(text))) => serde_json::from_str::<Value>(&text).ok(),
        _ => None,
    };
    if header.as_ref().and_then(|h| h.get("tessera_export")).and_then(Value::as_u64) != Some(FORMAT)
    {
        return Err(bad(1, "not a Tessera export (its first line names the format)"));
    }
    let mut batch: Vec<Row> = Vec::new();
    let mut current: Option<Table> = None;
    let mut n = 0;
    for (i, line) in lines {
        let text = line.map_err(|e| bad(i + 1, &e.to_string()))?;
        if text.trim().is_empty() {
            continue;
        }
        let mut entry: Value =
            serde_json::from_str(&text).map_err(|e| bad(i + 1, &e.to_string()))?;
        let table = entry
            .get("table")
            .and_then(Value::as_str)
            .and_then(Table::named)
            .ok_or_else(|| bad(i + 1, "no known \"table\""))?;
        let Some(Value::Object(row)) = entry.get_mut("row").map(Value::take) else {
            return Err(bad(i + 1, "no \"row\" object"));
        };
        if let Some(t) = current
            && (t != table || batch.len() >= BATCH)
        {
            store.import_rows(t, std::mem::take(&mut batch)).await?;
        }
        current = Some(table);
        batch.push(row);
        n += 1;
    }
    if let Some(t) = current {
        store.import_rows(t, batch).await?;
    }
    Ok(n)
}

/// The store `--data-dir` or `--database-url` names, with the data directory's lock when it is
/// SQLite and `lock` is asked for (an import must not write under a running server).
async fn open(
    args: &TransferArgs, lock: bool,
) -> Result<(Arc<dyn Store>, Option<crate::datadir::DataDirLock>), StartupError> {
    if let Some(url) = &args.database_url {
        let location = tessera_store::postgres::describe(url);
        let store = PostgresStore::open(url)
            .await
            .map_err(|source| StartupError::OpenDatabase { location, source })?;
        return Ok((Arc::new(store), None));
    }
    let dir = args.data_dir.clone().unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));
    let held = if lock { Some(crate::datadir::lock(&dir)?) } else { None };
    let store = SqliteStore::open(&dir)
        .await
        .map_err(|source| StartupError::OpenStore { dir: dir.clone(), source })?;
    Ok((Arc::new(store), held))
}

/// `tessera export`: the store to standard output (a running server may keep serving).
pub async fn run_export(args: TransferArgs) -> Result<(), StartupError> {
    let (store, _lock) = open(&args, false).await?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let n = export(store.as_ref(), &mut out).await?;
    report(&format!("exported {n} rows"));
    // Not closed: a server may be serving from the same database, and closing would wait for
    // its write-ahead log to go.
    Ok(())
}

/// `tessera import`: an export from standard input into an empty store.
pub async fn run_import(args: TransferArgs) -> Result<(), StartupError> {
    let (store, _lock) = open(&args, true).await?;
    let n = import(store.as_ref(), std::io::stdin().lock()).await?;
    report(&format!("imported {n} rows"));
    store.close().await?;
    Ok(())
}

#[expect(clippy::print_stderr, reason = "the command's own report, beside the data on stdout")]
fn report(what: &str) {
    eprintln!("tessera: {what}");
}
