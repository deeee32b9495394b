use std::path::Path;

use reqwest::{Method, RequestBuilder, header::HeaderMap};
use serde_json::Value;
use tempfile::TempDir;
use tessera_server::config::{HashCost, Secret, Settings};
use tessera_server::startup::Application;
use tessera_store::postgres::scratch::ScratchDatabase;
use tokio::sync::oneshot;

pub const ADMIN_EMAIL: &str = "admin@example.com";
pub const ADMIN_PASSWORD: &str = "Admin-Passw0rd!";

/// A response, read whole and already checked for leaked secrets.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
}

impl Resp {
    /// The start of the body, for failure messages that stay readable.
    pub fn excerpt(&self) -> &str {
        let end = self.text.char_indices().nth(600).map_or(self.text.len(), |(i, _)| i);
        &self.text[..end]
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    /// Asserts the status and that the body is the standard error envelope with this code.
    pub fn assert_error(&self, status: u16, code: u64) -> Value {
        assert_eq!(self.status, status, "unexpected status, body: {}", self.text);
        assert_envelope(self, status, code);
        self.json()["error"].clone()
    }
}

/// The Sisense error envelope: `{"error": {code, message, status, httpMessage}}`, JSON typed.
pub fn assert_envelope(resp: &Resp, status: u16, code: u64) {
    let ct = resp.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
    assert!(ct.starts_with("application/json"), "content type {ct:?} for {}", resp.text);
    let body = resp.json();
    let error = body.get("error").unwrap_or_else(|| panic!("no 'error' in {body}"));
    assert_eq!(error["status"], status, "{body}");
    assert_eq!(error["code"], code, "{body}");
    assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    let reason = reqwest::StatusCode::from_u16(status).unwrap().canonical_reason().unwrap();
    assert_eq!(error["httpMessage"], reason, "{body}");
}

/// Fails if a body holds a password hash or a `password` field, anywhere. (An OpenAPI document
/// describes the write-only `password` field; it holds no data, so only hashes are looked for.)
pub fn assert_no_secrets(text: &str) {
    let start = &text[..text.char_indices().nth(500).map_or(text.len(), |(i, _)| i)];
    assert!(!text.contains("$argon2"), "a password hash left the server: {start}");
    if let Ok(value) = serde_json::from_str::<Value>(text)
        && value.get("openapi").is_none()
    {
        assert!(!has_password_key(&value), "a 'password' field left the server: {start}");
    }
}

fn has_password_key(v: &Value) -> bool {
    match v {
        Value::Object(map) => {
            map.iter().any(|(k, v)| k.eq_ignore_ascii_case("password") || has_password_key(v))
        }
        Value::Array(items) => items.iter().any(has_password_key),
        _ => false,
    }
}

/// An HTTP client for one server.
#[derive(Clone)]
pub struct Client {
    pub base: String,
    http: reqwest::Client,
}

impl Client {
    pub fn new(base: String) -> Self {
        Self::with_http(base, reqwest::Client::new())
    }

    /// A client with its own HTTP settings (a trusted certificate, say).
    pub fn with_http(base: String, http: reqwest::Client) -> Self {
        Client { base, http }
    }

    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.http.request(method, format!("{}{path}", self.base))
    }

    /// Sends a request and reads the whole response; every response of the suite comes here.
    pub async fn send(&self, req: RequestBuilder) -> Resp {
        self.try_send(req).await.expect("request failed")
    }

    /// As [`Client::send`], but a failed exchange (a server that died mid-request) is an error
    /// for the caller to handle rather than a failed test.
    pub async fn try_send(&self, req: RequestBuilder) -> Result<Resp, reqwest::Error> {
        let resp = req.send().await?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().await?;
        assert_no_secrets(&text);
        Ok(Resp { status, headers, text })
    }

    pub async fn login(&self, username: &str, password: &str) -> Resp {
        let req = self
            .request(Method::POST, "/api/v1/authentication/login")
            .json(&serde_json::json!({"username": username, "password": password}));
        self.send(req).await
    }

    /// Logs in and returns the token, failing the test if the login fails.
    pub async fn token(&self, username: &str, password: &str) -> String {
        let resp = self.login(username, password).await;
        assert_eq!(resp.status, 200, "login failed: {}", resp.text);
        resp.json()["access_token"].as_str().unwrap().to_owned()
    }

    pub async fn get(&self, path: &str, token: &str) -> Resp {
        self.send(self.request(Method::GET, path).bearer_auth(token)).await
    }

    pub async fn delete(&self, path: &str, token: &str) -> Resp {
        self.send(self.request(Method::DELETE, path).bearer_auth(token)).await
    }

    pub async fn post(&self, path: &str, token: &str, body: &Value) -> Resp {
        self.send(self.request(Method::POST, path).bearer_auth(token).json(body)).await
    }

    pub async fn put(&self, path: &str, token: &str, body: &Value) -> Resp {
        self.send(self.request(Method::PUT, path).bearer_auth(token).json(body)).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: &Value) -> Resp {
        self.send(self.request(Method::PATCH, path).bearer_auth(token).json(body)).await
    }
}

/// A server running in this test's runtime, stopped when dropped.
pub struct TestApp {
    pub client: Client,
    pub addr: std::net::SocketAddr,
    /// The administrator's token.
    pub admin: String,
    /// The server's store, for counting what a request costs it.
    pub store: std::sync::Arc<dyn tessera_store::Store>,
    /// The `--metrics-listen` address, when the settings asked for one.
    pub metrics_addr: Option<std::net::SocketAddr>,
    dir: TempDir,
    /// The database of its own, when the tests run on PostgreSQL.
    _database: Option<ScratchDatabase>,
    _shutdown: oneshot::Sender<()>,
}

impl std::ops::Deref for TestApp {
    type Target = Client;

    fn deref(&self) -> &Client {
        &self.client
    }
}

/// Settings for a test server: port 0, a temporary store, a cheap hash cost.
pub fn test_settings(dir: &Path) -> Settings {
    let mut settings = Settings::new("127.0.0.1:0".parse().unwrap(), dir.to_path_buf());
    settings.admin_email = ADMIN_EMAIL.to_owned();
    settings.admin_password = Some(Secret::new(ADMIN_PASSWORD));
    // The cost does not change what is tested; the production cost is used by the process tests.
    settings.hash_cost = HashCost { memory_kib: 256, iterations: 1 };
    settings
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Which engine the tests run on: SQLite, or PostgreSQL when `TESSERA_TEST_ENGINE=postgres`
/// (CI runs the suite both ways; each test then gets a database of its own on the server
/// `TESSERA_TEST_DATABASE_URL` names, dropped at its end).
pub fn on_postgres() -> bool {
    std::env::var("TESSERA_TEST_ENGINE").is_ok_and(|e| e == "postgres")
}

pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = test_settings(dir.path());
    let database = if on_postgres() {
        let database = ScratchDatabase::create().await.expect("a scratch PostgreSQL database");
        settings.database_url = Some(Secret::new(database.url()));
        Some(database)
    } else {
        None
    };
    adjust(&mut settings);
    let app = Application::build(settings).await.expect("server builds");
    let addr = app.local_addr();
    let store = app.store();
    let metrics_addr = app.metrics_addr();
    let (tx, rx) = oneshot::channel::<()>();
    tokio::spawn(app.run_until_stopped(async {
        let _ = rx.await;
    }));
    let client = Client::new(format!("http://{addr}"));
    let admin = client.token(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    TestApp { client, addr, admin, store, metrics_addr, dir, _database: database, _shutdown: tx }
}

/// A value read straight from the server's database.
pub enum Column {
    Text,
    Blob,
}

impl TestApp {
    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    /// Runs `sql` on the server's database directly, behind the server's back, as an operator
    /// or an attacker with the database would: the SQLite file, or the PostgreSQL database.
    /// Answers the first column of the first row, as text or bytes, when there is one. The SQL
    /// must mean the same on both (ids written in as literals, no placeholders).
    pub async fn sql(&self, sql: &str, column: Column) -> Option<Vec<u8>> {
        if let Some(database) = &self._database {
            let (client, connection) =
                tokio_postgres::connect(database.url(), tokio_postgres::NoTls).await.unwrap();
            tokio::spawn(connection);
            let row = client.query(sql, &[]).await.unwrap().into_iter().next()?;
            return Some(match column {
                Column::Text => row.get::<_, String>(0).into_bytes(),
                Column::Blob => row.get::<_, Vec<u8>>(0),
            });
        }
        let db =
            rusqlite::Connection::open(self.data_dir().join(tessera_store::sqlite::DATABASE_FILE))
                .unwrap();
        db.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
        let mut stmt = db.prepare(sql).unwrap();
        let mut rows = stmt.query([]).unwrap();
        let row = rows.next().unwrap()?;
        Some(match column {
            Column::Text => row.get::<_, String>(0).unwrap().into_bytes(),
            Column::Blob => row.get::<_, Vec<u8>>(0).unwrap(),
        })
    }

    /// Sets the schema version the database says it is at, as a newer or older binary would.
    pub async fn set_schema_version(&self, version: i64) {
        let sql = if on_postgres() {
            format!("UPDATE schema_version SET version = {version}")
        } else {
            format!("PRAGMA user_version = {version}")
        };
        self.sql(&sql, Column::Text).await;
    }

    /// Creates a user as the administrator and returns it.
    pub async fn create_user(&self, body: Value) -> Value {
        let resp = self.post("/api/v1/users", &self.admin, &body).await;
        assert_eq!(resp.status, 201, "{}", resp.text);
        resp.json()
    }

    pub async fn create_group(&self, body: Value) -> Value {
        let resp = self.post("/api/v1/groups", &self.admin, &body).await;
        assert_eq!(resp.status, 201, "{}", resp.text);
        resp.json()
    }

    /// The id of a built-in role, by name.
    pub async fn role_id(&self, name: &str) -> String {
        let resp = self.get(&format!("/api/roles/{name}"), &self.admin).await;
        assert_eq!(resp.status, 200, "{}", resp.text);
        resp.json()["_id"].as_str().unwrap().to_owned()
    }

    /// A user with the given role and password, logged in; returns (user, token).
    pub async fn user_with_role(&self, role: &str, email: &str) -> (Value, String) {
        let role_id = self.role_id(role).await;
        let user = self
            .create_user(
                serde_json::json!({"email": email, "password": "user-passw0rd", "roleId": role_id}),
            )
            .await;
        let token = self.token(email, "user-passw0rd").await;
        (user, token)
    }
}

pub fn id_of(v: &Value) -> String {
    v["_id"].as_str().unwrap_or_else(|| panic!("no _id in {v}")).to_owned()
}

pub fn is_object_id(s: &str) -> bool {
    s.len() == 24 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `2015-04-07T08:44:40.169Z`: ISO 8601, UTC, milliseconds.
pub fn is_sisense_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 24
        && b[4] == b'-'
        && b[10] == b'T'
        && b[19] == b'.'
        && b[23] == b'Z'
        && chrono_parse(s)
}

fn chrono_parse(s: &str) -> bool {
    // Digits where digits belong; a lighter check than a date library, enough for the format.
    s.bytes().enumerate().all(|(i, c)| match i {
        4 | 7 => c == b'-',
        10 => c == b'T',
        13 | 16 => c == b':',
        19 => c == b'.',
        23 => c == b'Z',
        _ => c.is_ascii_digit(),
    })
}

#[test]
fn the_secret_sweep_catches_hashes_and_password_fields() {
    let caught = |text: &'static str| std::panic::catch_unwind(|| assert_no_secrets(text)).is_err();
    assert!(caught(r#"{"x": "$argon2id$v=19$m=19456,t=2,p=1$abc$def"}"#));
    assert!(caught(r#"[{"a": {"password": "x"}}]"#));
    assert!(caught(r#"{"Password": null}"#));
    assert!(!caught(r#"{"email": "a@b.c", "passwordless": true}"#));
}
