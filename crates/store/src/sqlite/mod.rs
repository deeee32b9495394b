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

mod backup;
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
mod transfer;
mod users;
mod widgets;
mod windows;

use std::path::Path;

use crate::{Result, Stats, Store, StoreError};

pub use backup::backup;
pub use engine::{DATABASE_FILE, SqliteStore};

impl SqliteStore {
    /// Opens (creating if needed) the database in `data_dir` and brings its schema up to date.
    pub async fn open(data_dir: &Path) -> Result<Self> {
        let file = data_dir.join(DATABASE_FILE);
        private_files(data_dir, &file).map_err(|e| {
            StoreError::Internal(format!("cannot create data dir {}: {e}", data_dir.display()))
        })?;
        let pool = conn::pool(file.clone())?;
        let store = SqliteStore::new(pool, &file);
        store.write(schema::migrate).await?;
        let now = tokens::now();
        let revoked = store.write(move |tx| tokens::live_revocations(tx, now)).await?;
        store.revoked.load(revoked, now);
        Ok(store)
    }
}

/// The data directory holds the signing key, password hashes and every user's secret: a new
/// one is made readable by its owner only (0700), and so is a new database file (0600), whose
/// mode SQLite gives its WAL and shared-memory files too. An existing directory or file keeps the
/// mode its operator chose.
fn private_files(dir: &Path, file: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
        builder.mode(0o700);
        options.mode(0o600);
    }
    if !dir.exists() {
        builder.create(dir)?;
    }
    match options.open(file) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

impl Store for SqliteStore {
    fn stats(&self) -> Stats {
        self.counts()
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;
    use crate::TokenStore;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).expect("the file exists").permissions().mode() & 0o777
    }

    /// A new data directory and its files are its owner's alone.
    #[tokio::test]
    async fn a_new_data_directory_and_its_files_are_private() {
        let parent = tempfile::tempdir().unwrap();
        let dir = parent.path().join("data");
        let store = SqliteStore::open(&dir).await.unwrap();
        store.revoke_token("t".into(), None).await.unwrap();
        assert_eq!(mode(&dir), 0o700);
        for name in [DATABASE_FILE, "tessera.sqlite3-wal", "tessera.sqlite3-shm"] {
            assert_eq!(mode(&dir.join(name)), 0o600, "{name}");
        }
    }

    /// Past its ceiling the WAL is checkpointed and truncated by the write that notices, so a
    /// long load does not grow it without bound; a closed store leaves no WAL, and its database
    /// file alone holds every write.
    #[tokio::test]
    async fn the_wal_stays_under_its_ceiling_and_a_closed_store_leaves_none() {
        use crate::SettingsStore;
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).await.unwrap();
        let limit = 256 * 1024;
        store.set_wal_limit(limit);
        let mut largest = 0;
        for i in 0..400 {
            store.revoke_token(format!("token-{i}"), None).await.unwrap();
            largest = largest.max(store.wal_bytes());
        }
        // One write's pages may land on top of the ceiling before that write truncates.
        assert!(largest <= limit + 64 * 1024, "the WAL reached {largest} bytes");
        assert!(largest > limit / 2, "the load was meant to reach the ceiling: {largest}");

        store.close().await.unwrap();
        drop(store);
        assert!(!dir.path().join("tessera.sqlite3-wal").exists(), "a WAL is left behind");
        let alone = tempfile::tempdir().unwrap();
        std::fs::copy(dir.path().join(DATABASE_FILE), alone.path().join(DATABASE_FILE)).unwrap();
        let copy = SqliteStore::open(alone.path()).await.unwrap();
        for i in [0, 199, 399] {
            assert!(copy.is_token_revoked(&format!("token-{i}")).await.unwrap(), "token-{i}");
        }
    }

    /// With the pool's every connection open (as under load), closing still removes the WAL:
    /// the connections close together, and none of them alone sees itself the last.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_closed_store_leaves_no_wal_after_using_every_connection() {
        use crate::SettingsStore;
        let dir = tempfile::tempdir().unwrap();
        let store = std::sync::Arc::new(SqliteStore::open(dir.path()).await.unwrap());
        store.revoke_token("t".into(), None).await.unwrap();
        let all = conn::MAX_CONNECTIONS;
        let together = std::sync::Arc::new(std::sync::Barrier::new(all));
        let readers: Vec<_> = (0..all)
            .map(|_| {
                let (store, together) = (store.clone(), together.clone());
                tokio::spawn(async move {
                    store
                        .read_large(move |c| {
                            // Each holds its connection until all of them hold one.
                            together.wait();
                            Ok(c.query_row("SELECT count(*) FROM revoked_tokens", [], |r| {
                                r.get::<_, i64>(0)
                            })?)
                        })
                        .await
                })
            })
            .collect();
        for reader in readers {
            assert_eq!(reader.await.unwrap().unwrap(), 1);
        }
        assert_eq!(store.stats().pool.open, u64::try_from(all).unwrap());
        store.close().await.unwrap();
        assert!(!dir.path().join("tessera.sqlite3-wal").exists(), "a WAL is left behind");
    }

    /// A large write keeps its pages in memory: statement journals (opened for each insert
    /// that fires a trigger) stay off the disk, and the page cache holds a bulk insert's
    /// dirty pages instead of spilling them to the WAL mid-transaction.
    #[tokio::test]
    async fn connections_keep_statement_journals_and_a_large_cache_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).await.unwrap();
        let (temp_store, cache_size) = store
            .read_large(|c| {
                let get = |p: &str| c.query_row(&format!("PRAGMA {p}"), [], |r| r.get::<_, i64>(0));
                Ok((get("temp_store")?, get("cache_size")?))
            })
            .await
            .unwrap();
        assert_eq!(temp_store, 2, "temp_store = MEMORY");
        assert_eq!(cache_size, -16384, "a 16 MiB page cache");
    }

    /// The title column follows the document through inserts and every update of it, whoever
    /// writes them (the triggers of schema.rs), and the title index sorts on it.
    #[tokio::test]
    async fn a_dashboards_title_column_follows_its_document() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).await.unwrap();
        let titles = store
            .write(|tx| {
                tx.execute_batch(
                    r#"INSERT INTO dashboards (id, owner, doc) VALUES
                         ('a', 'o', '{"title": "Zeta"}'), ('b', 'o', '{"title": "Alpha"}');
                       UPDATE dashboards SET doc = json_set(doc, '$.title', 'Beta') WHERE id = 'b';
                       UPDATE dashboards SET doc = json_set(doc, '$.other', 1) WHERE id = 'a';"#,
                )?;
                let mut stmt = tx.prepare("SELECT id, title FROM dashboards ORDER BY title, id")?;
                let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
                Ok(rows.collect::<rusqlite::Result<Vec<(String, String)>>>()?)
            })
            .await
            .unwrap();
        assert_eq!(titles, [("b".into(), "Beta".into()), ("a".into(), "Zeta".into())]);
        let plan = store
            .read_large(|c| {
                let sql =
                    "EXPLAIN QUERY PLAN SELECT doc FROM dashboards ORDER BY title, id LIMIT 5";
                let mut stmt = c.prepare(sql)?;
                let rows = stmt.query_map([], |r| r.get::<_, String>(3))?;
                Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?.join("; "))
            })
            .await
            .unwrap();
        assert!(plan.contains("dashboards_by_title"), "{plan}");
    }

    /// The membership table holds exactly the pairs the users' `groups` arrays name, after
    /// every kind of write: create, replace, membership changes, group and user deletion.
    #[tokio::test]
    async fn memberships_follow_the_users_groups_arrays() {
        use crate::{GroupStore, UserRecord, UserStore};
        use serde_json::json;
        use tessera_domain::group::parse_group;
        use tessera_domain::user::parse_user;

        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).await.unwrap();
        let drafts = (0..3).map(|i| parse_group(json!({"name": format!("g{i}")})).unwrap());
        let groups: Vec<String> = store
            .create_groups(drafts.collect())
            .await
            .unwrap()
            .iter()
            .map(|g| g["_id"].as_str().unwrap().to_owned())
            .collect();
        let role = tessera_domain::ObjectId::generate();
        let row = role.to_string();
        store
            .write(move |tx| {
                tx.execute("INSERT INTO roles (id, name_key, doc) VALUES (?1, 'r', '{}')", [row])?;
                Ok(())
            })
            .await
            .unwrap();
        let user = |email: &str, groups: &[&String]| {
            let doc = json!({"email": email, "groups": groups});
            UserRecord::from_draft(parse_user(doc, role).unwrap(), None)
        };
        let users = store
            .create_users(vec![
                user("a@x.example", &[&groups[0], &groups[1]]),
                user("b@x.example", &[&groups[1]]),
            ])
            .await
            .unwrap();
        let ids: Vec<tessera_domain::ObjectId> =
            users.iter().map(|u| u["_id"].as_str().unwrap().parse().unwrap()).collect();
        let pairs = || async {
            let sql = "SELECT count(*) FROM user_groups";
            let mismatched = "(SELECT count(*) FROM (
                 SELECT g.value, u.id FROM users u, json_each(u.doc, '$.groups') g
                 EXCEPT SELECT group_id, user_id FROM user_groups))
               + (SELECT count(*) FROM (SELECT group_id, user_id FROM user_groups
                 EXCEPT SELECT g.value, u.id FROM users u, json_each(u.doc, '$.groups') g))";
            store
                .read_large(move |c| {
                    let n: i64 = c.query_row(sql, [], |r| r.get(0))?;
                    let off: i64 =
                        c.query_row(&format!("SELECT {mismatched}"), [], |r| r.get(0))?;
                    Ok((n, off))
                })
                .await
                .unwrap()
        };
        assert_eq!(pairs().await, (3, 0));
        let replaced = user("b@x.example", &[&groups[2], &groups[0]]);
        store.update_user(ids[1], Box::new(move |_| Ok(replaced))).await.unwrap();
        assert_eq!(pairs().await, (4, 0));
        store.change_membership(groups[2].parse().unwrap(), vec![ids[0]], true).await.unwrap();
        assert_eq!(pairs().await, (5, 0));
        store.delete_groups(vec![groups[0].parse().unwrap()], None).await.unwrap();
        assert_eq!(pairs().await, (3, 0));
        store.delete_users(vec![ids[0]], None).await.unwrap();
        assert_eq!(pairs().await, (1, 0));
    }

    /// Writers commit in the order they asked: while one holds the write lock, the others
    /// queue behind it instead of racing for SQLite's lock with its busy sleeps (one thread of
    /// tasks, so each reaches its turn in the order spawned).
    #[tokio::test(flavor = "current_thread")]
    async fn writers_commit_in_arrival_order() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::sync::{Arc, Mutex};
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(SqliteStore::open(dir.path()).await.unwrap());
        let order = Arc::new(Mutex::new(Vec::new()));
        let asked = Arc::new(AtomicUsize::new(0));
        const WRITERS: usize = 20;
        let tasks: Vec<_> = (0..WRITERS)
            .map(|i| {
                let (store, order, asked) = (store.clone(), order.clone(), asked.clone());
                tokio::spawn(async move {
                    asked.fetch_add(1, Ordering::SeqCst);
                    store
                        .write(move |tx| {
                            // The first holds its turn until every other writer has asked.
                            while i == 0 && asked.load(Ordering::SeqCst) < WRITERS {
                                std::thread::yield_now();
                            }
                            tx.execute(
                                "INSERT INTO meta (key, value) VALUES (?1, 'x')",
                                [format!("writer-{i}")],
                            )?;
                            order.lock().unwrap().push(i);
                            Ok(())
                        })
                        .await
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        assert_eq!(*order.lock().unwrap(), (0..WRITERS).collect::<Vec<_>>());
    }
}
