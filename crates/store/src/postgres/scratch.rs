//! A database of its own, for a test or a benchmark: created with a random name on the server
//! `TESSERA_TEST_DATABASE_URL` names (default: the local server, as user `postgres`), dropped
//! when the value is dropped. Nothing else on that server is touched.

use tokio_postgres::NoTls;

/// The server scratch databases are made on, through its `postgres` database.
const DEFAULT_SERVER: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A database that exists for as long as this value.
pub struct ScratchDatabase {
    server: String,
    name: String,
    url: String,
}

impl ScratchDatabase {
    /// Creates an empty database with a random name.
    pub async fn create() -> Result<Self, tokio_postgres::Error> {
        let server =
            std::env::var("TESSERA_TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_SERVER.into());
        let name = format!("tessera_test_{}", tessera_domain::ObjectId::generate());
        run(&server, &format!("CREATE DATABASE {name} ENCODING 'UTF8' TEMPLATE template0")).await?;
        let base = server.rsplit_once('/').map_or(server.as_str(), |(base, _)| base);
        let url = format!("{base}/{name}");
        Ok(ScratchDatabase { server, name, url })
    }

    /// Its URL, for `PostgresStore::open` or `tessera serve --database-url`.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        let (server, sql) =
            (self.server.clone(), format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
        // Drop may run inside an async runtime, which cannot be blocked on: a thread of its
        // own, with a runtime of its own, drops the database and is waited for.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
            runtime.map(|rt| rt.block_on(run(&server, &sql)))
        })
        .join();
        if !matches!(dropped, Ok(Ok(Ok(())))) {
            tracing::warn!(database = %self.name, "could not drop a scratch database");
        }
    }
}

/// Runs one statement on `url`'s database with a connection of its own.
async fn run(url: &str, sql: &str) -> Result<(), tokio_postgres::Error> {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await?;
    let driver = tokio::spawn(connection);
    let result = client.batch_execute(sql).await;
    drop(client);
    let _ = driver.await;
    result
}
