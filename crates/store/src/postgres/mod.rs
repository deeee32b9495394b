//! The scale-out engine: one PostgreSQL database behind any number of stateless Tessera nodes.
//!
//! Each entity is a row holding its JSON document (as text, exactly as written) plus the columns
//! it is looked up by, as on SQLite; each resource's SQL and its trait's implementation live in
//! the file named after it. Every write is one transaction; uniqueness is the database's
//! constraints, so two nodes cannot both create one name. The engine keeps nothing in memory
//! between requests, so a write answered by one node is what the next read on any node sees.

mod dashboards;
mod engine;
mod folders;
mod groups;
mod query;
mod relations;
mod roles;
mod rows;
mod schema;
pub mod scratch;
mod settings;
mod tokens;
mod transfer;
mod users;
mod widgets;
mod windows;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};

pub use engine::PostgresStore;

use crate::{Result, StoreError};

/// Most connections a node opens at once.
const MAX_CONNECTIONS: usize = 16;

/// How long a request waits for a connection (a free one from the pool, or a new one) before
/// it is answered 503: a database that is away is reported, not waited on forever.
const PATIENCE: std::time::Duration = std::time::Duration::from_secs(5);

impl PostgresStore {
    /// Connects to the database `url` names (`postgres://user@host:port/db`) and brings its
    /// schema up to date; nodes starting together take turns (schema.rs).
    pub async fn open(url: &str) -> Result<Self> {
        let config: tokio_postgres::Config =
            url.parse().map_err(|e| StoreError::Internal(format!("invalid database URL: {e}")))?;
        let manager = Manager::from_config(
            config,
            tokio_postgres::NoTls,
            ManagerConfig { recycling_method: RecyclingMethod::Fast },
        );
        let pool = Pool::builder(manager)
            .max_size(MAX_CONNECTIONS)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(PATIENCE))
            .create_timeout(Some(PATIENCE))
            .recycle_timeout(Some(PATIENCE))
            .build()
            .map_err(|e| StoreError::Internal(format!("cannot build the connection pool: {e}")))?;
        let store = PostgresStore::new(pool);
        store.write(|tx| Box::pin(schema::migrate(tx))).await?;
        Ok(store)
    }
}

/// Where a database URL points, without its password: `postgres://user@host:port/db`.
pub fn describe(url: &str) -> String {
    let Ok(config) = url.parse::<tokio_postgres::Config>() else {
        return "(an invalid database URL)".into();
    };
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .zip(config.get_ports().iter().chain(std::iter::repeat(&5432)))
        .map(|(host, port)| match host {
            tokio_postgres::config::Host::Tcp(name) => format!("{name}:{port}"),
            tokio_postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .collect();
    format!(
        "postgres://{}@{}/{}",
        config.get_user().unwrap_or(""),
        hosts.join(","),
        config.get_dbname().unwrap_or("")
    )
}

impl crate::Store for PostgresStore {
    fn stats(&self) -> crate::Stats {
        self.counts()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sort the list query writes is the one the sort indexes hold: a sorted page reads
    /// the index (in either direction) instead of sorting every row.
    #[tokio::test]
    async fn sorted_pages_read_the_sort_indexes() {
        use tessera_domain::query::parse_sort;
        let db = scratch::ScratchDatabase::create().await.unwrap();
        let store = PostgresStore::open(db.url()).await.unwrap();
        let client = store.reader().await.unwrap();
        client.batch_execute("SET enable_seqscan = off").await.unwrap();
        for (sort, index) in [("lastName", "users_by_last_name"), ("-created", "users_by_created")]
        {
            let users = query::Table {
                name: "users",
                alias: "u",
                sort_columns: &[("lastName", "sort_last_name"), ("created", "sort_created")],
            };
            let order = query::order_by(&users, &parse_sort("sort", sort).unwrap());
            let plan: Vec<String> = client
                .query(&format!("EXPLAIN SELECT u.doc FROM users u{order} LIMIT 50"), &[])
                .await
                .unwrap()
                .iter()
                .map(|r| r.get(0))
                .collect();
            assert!(plan.iter().any(|l| l.contains(index)), "{sort}: {plan:?}");
        }
    }

    /// Nodes starting together on an empty database: both bring the schema up (taking turns
    /// under the migration lock), and exactly one writes the first start's plan, whose signing
    /// key both then read.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn nodes_starting_together_migrate_and_initialise_once() {
        use crate::SettingsStore;
        let db = scratch::ScratchDatabase::create().await.unwrap();
        let plan = || {
            tessera_domain::first_start::plan("admin@example.com", "$x".into(), vec![7; 32])
                .unwrap()
        };
        let starts: Vec<_> = (0..4)
            .map(|_| {
                let url = db.url().to_owned();
                let plan = plan();
                tokio::spawn(async move {
                    let store = PostgresStore::open(&url).await.unwrap();
                    let first = store.initialize(plan).await.unwrap();
                    (first, store.signing_key().await.unwrap())
                })
            })
            .collect();
        let mut firsts = 0;
        let mut keys = std::collections::HashSet::new();
        for start in starts {
            let (first, key) = start.await.unwrap();
            firsts += usize::from(first);
            keys.insert(key);
        }
        assert_eq!(firsts, 1, "one node writes the plan");
        assert_eq!(keys.len(), 1, "every node reads the same signing key");
    }

    /// The start line names the database without its password.
    #[test]
    fn a_described_url_keeps_no_password() {
        let shown = describe("postgres://tessera:s3cret@db.internal:5433/prod");
        assert_eq!(shown, "postgres://tessera@db.internal:5433/prod");
        assert_eq!(describe("not a url"), "(an invalid database URL)");
    }
}
