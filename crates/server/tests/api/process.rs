//! The real binary as an operator runs it: first start, restarts, crashes, signals, logs, config.

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::*;

/// Upper bound on waiting for the server to say something; a bound, not a synchronisation.
const PATIENCE: Duration = Duration::from_secs(60);

/// The `tessera` binary running as a child process.
pub struct Server {
    child: Child,
    lines: mpsc::Receiver<String>,
    /// Everything the process printed so far, stdout and stderr.
    seen: Vec<String>,
    pub client: Client,
}

impl Server {
    pub fn start(data_dir: &Path, env: &[(&str, &str)], extra_args: &[&str]) -> Server {
        Self::start_logging(data_dir, env, extra_args, "json")
    }

    fn start_logging(
        data_dir: &Path, env: &[(&str, &str)], extra_args: &[&str], log_format: &str,
    ) -> Server {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tessera"));
        cmd.arg("serve").args(["--log-format", log_format]).args(extra_args);
        if !extra_args.contains(&"--config") {
            cmd.args(["--listen", "127.0.0.1:0", "--data-dir"]).arg(data_dir);
        }
        cmd.env_clear().env("RUST_LOG", "info").envs(env.iter().copied());
        let mut child =
            cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("binary starts");
        let (tx, lines) = mpsc::channel();
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let _ = tx.send(line);
                }
            });
        }
        let mut server =
            Server { child, lines, seen: Vec::new(), client: Client::new(String::new()) };
        // JSON: {"message":"listening","addr":"127.0.0.1:port",...}; text: ... listening addr=...
        let listening = server.wait_for(|l| l.contains("listening") && l.contains("addr"));
        let addr = match serde_json::from_str::<Value>(&listening) {
            Ok(entry) => entry["addr"].as_str().unwrap().to_owned(),
            Err(_) => listening
                .split_whitespace()
                .find_map(|word| word.strip_prefix("addr="))
                .unwrap()
                .to_owned(),
        };
        server.client = Client::new(format!("http://{addr}"));
        server
    }

    /// Waits for a line of output that satisfies `pred`, keeping every line seen.
    fn wait_for(&mut self, pred: impl Fn(&str) -> bool) -> String {
        loop {
            match self.lines.recv_timeout(PATIENCE) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if pred(&line) {
                        return line;
                    }
                }
                Err(e) => panic!(
                    "server output ended or stalled ({e}); so far:\n{}",
                    self.seen.join("\n")
                ),
            }
        }
    }

    fn pid(&self) -> String {
        self.child.id().to_string()
    }

    /// SIGKILL: no shutdown code runs.
    pub fn kill_9(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// SIGTERM, then the exit status.
    pub fn terminate(mut self) -> (ExitStatus, Vec<String>) {
        let status = Command::new("kill").args(["-TERM", &self.pid()]).status().unwrap();
        assert!(status.success());
        let exit = self.child.wait().unwrap();
        self.seen.extend(self.lines.try_iter());
        (exit, std::mem::take(&mut self.seen))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The first-start log event (JSON) that names the generated password's file, if any.
fn first_start_event(output: &[String]) -> Option<Value> {
    output
        .iter()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|e| e["message"].as_str().is_some_and(|m| m.starts_with("first start")))
}

fn count(v: &Value) -> usize {
    v.as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn first_start_creates_an_admin_with_a_generated_password_shown_once() {
    let dir = tempfile::tempdir().unwrap();
    let env = [("TESSERA_ADMIN_EMAIL", "owner@corp.example")];
    let server = Server::start(dir.path(), &env, &[]);
    // No terminal here: the password is in an owner-only file, and a log event says so.
    let event = first_start_event(&server.seen).expect("a first-start log event");
    let file = dir.path().join(tessera_server::startup::PASSWORD_FILE);
    assert_eq!(event["password_file"], file.display().to_string());
    assert_eq!(event["email"], "owner@corp.example");
    assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    let password = std::fs::read_to_string(&file).unwrap().trim().to_owned();
    assert!(password.len() >= 20, "a strong password: {password}");
    for line in &server.seen {
        assert!(serde_json::from_str::<Value>(line).is_ok(), "only JSON lines: {line}");
        assert!(!line.contains(&password), "the password never reaches the logs: {line}");
    }
    let token = server.client.token("owner@corp.example", &password).await;
    let me = server.client.get("/api/v1/users", &token).await.json();
    assert_eq!(count(&me), 1);
    assert_eq!(me[0]["roleId"], server.client.get("/api/roles/super", &token).await.json()["_id"]);
    assert_eq!(count(&server.client.get("/api/roles", &token).await.json()), 6);
    assert_eq!(count(&server.client.get("/api/v1/groups", &token).await.json()), 3);
    let (exit, _) = server.terminate();
    assert!(exit.success());

    // A later start changes nothing, even with other admin settings, and prints no password.
    let env = [
        ("TESSERA_ADMIN_EMAIL", "else@corp.example"),
        ("TESSERA_ADMIN_PASSWORD", "Another-passw0rd"),
    ];
    std::fs::remove_file(&file).unwrap();
    let server = Server::start(dir.path(), &env, &[]);
    assert_eq!(first_start_event(&server.seen), None);
    assert!(!file.exists(), "no password is written again");
    let token = server.client.token("owner@corp.example", &password).await;
    server.client.login("else@corp.example", "Another-passw0rd").await.assert_error(401, 1100);
    assert_eq!(count(&server.client.get("/api/v1/users", &token).await.json()), 1);
    assert_eq!(count(&server.client.get("/api/roles", &token).await.json()), 6);
    assert_eq!(count(&server.client.get("/api/v1/groups", &token).await.json()), 3);
}

#[tokio::test]
async fn an_acknowledged_write_survives_a_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let env = [("TESSERA_ADMIN_PASSWORD", ADMIN_PASSWORD)];
    let mut server = Server::start(dir.path(), &env, &[]);
    let token = server.client.token(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let resp = server
        .client
        .post("/api/v1/users", &token, &json!({"email": "durable@corp.example"}))
        .await;
    assert_eq!(resp.status, 201);
    let user = resp.json();
    server.child.kill().unwrap(); // SIGKILL: no shutdown code runs.
    server.child.wait().unwrap();

    let server = Server::start(dir.path(), &env, &[]);
    let token = server.client.token(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(
        server.client.get(&format!("/api/v1/users/{}", id_of(&user)), &token).await.json(),
        user
    );
}

// Multi-threaded: the test thread blocks reading the server's output while the request runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_in_flight_requests_finish_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // A costly hash makes the bulk request take a while, so the signal lands mid-request.
    let env = [
        ("TESSERA_ADMIN_PASSWORD", ADMIN_PASSWORD),
        ("TESSERA_ARGON2_MEMORY_KIB", "65536"),
        ("TESSERA_ARGON2_ITERATIONS", "3"),
        ("RUST_LOG", "info,tower_http=debug"),
    ];
    let mut server = Server::start(dir.path(), &env, &[]);
    let token = server.client.token(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let users: Vec<Value> = (0..8)
        .map(|i| json!({"email": format!("late{i}@corp.example"), "password": "late-passw0rd"}))
        .collect();
    let client = server.client.clone();
    let (t, body) = (token.clone(), Value::Array(users));
    let in_flight = tokio::spawn(async move { client.post("/api/v1/users/bulk", &t, &body).await });

    server
        .wait_for(|l| l.contains("started processing request") && l.contains("/api/v1/users/bulk"));
    let (exit, output) = server.terminate();
    let resp = in_flight.await.unwrap();
    assert_eq!(resp.status, 201, "{}", resp.text);
    assert_eq!(count(&resp.json()), 8);
    assert!(exit.success(), "clean exit on SIGTERM: {exit:?}");
    assert!(output.iter().any(|l| l.contains("shutdown signal received")));

    // A clean stop folds the WAL in and removes it: the database file alone is the data.
    let wal = dir.path().join(format!("{}-wal", tessera_store::sqlite::DATABASE_FILE));
    assert!(!wal.exists(), "a clean stop leaves no WAL");
    let alone = tempfile::tempdir().unwrap();
    let database = tessera_store::sqlite::DATABASE_FILE;
    std::fs::copy(dir.path().join(database), alone.path().join(database)).unwrap();
    let server = Server::start(alone.path(), &env, &[]);
    let token = server.client.token(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(count(&server.client.get("/api/v1/users?email=late", &token).await.json()), 8);
}

#[tokio::test]
async fn json_logs_carry_request_ids_and_no_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let env = [("TESSERA_ADMIN_PASSWORD", ADMIN_PASSWORD)];
    let mut server = Server::start(dir.path(), &env, &[]);
    let token = server.client.token(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    server.client.login(ADMIN_EMAIL, "wrong-password").await;
    server
        .client
        .post(
            "/api/v1/users",
            &token,
            &json!({"email": "logged@corp.example", "password": "Logged-passw0rd"}),
        )
        .await;
    let resp = server.client.get("/api/v1/users", &token).await;
    let request_id = resp.headers.get("x-request-id").unwrap().to_str().unwrap().to_owned();
    let line =
        server.wait_for(|l| l.contains(&request_id) && l.contains("finished processing request"));
    let entry: Value = serde_json::from_str(&line).expect("one JSON object per line");
    assert_eq!(entry["level"], "INFO");
    assert_eq!(entry["status"], 200);
    assert!(entry["latency_ms"].is_f64(), "{line}");
    assert_eq!(entry["span"]["route"], "/api/v1/users", "{line}");
    assert!(entry["span"]["client"].as_str().unwrap().starts_with("127."), "{line}");
    assert!(entry.get("code").is_none(), "{line}");
    assert!(entry.get("spans").is_none(), "the request span once, not twice: {line}");

    // An error's access line carries its Sisense code and the route template, not the id.
    let missing = server.client.get("/api/v1/users/nobody", &token).await;
    let missing_id = missing.headers["x-request-id"].to_str().unwrap().to_owned();
    let line =
        server.wait_for(|l| l.contains(&missing_id) && l.contains("finished processing request"));
    let entry: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(entry["status"], 404, "{line}");
    assert_eq!(entry["code"], 202, "{line}");
    assert_eq!(entry["span"]["route"], "/api/v1/users/{id}", "{line}");

    // The failed login came before the request waited for above.
    let failed = server
        .seen
        .iter()
        .find(|l| l.contains("login failed"))
        .unwrap_or_else(|| panic!("no failed-login line in {:?}", server.seen));
    let entry: Value = serde_json::from_str(failed).unwrap();
    assert_eq!(entry["user"], ADMIN_EMAIL, "{failed}");
    assert_eq!(entry["reason"], "wrong password", "{failed}");
    assert!(entry["client"].as_str().unwrap().starts_with("127."), "{failed}");

    let (_, output) = server.terminate();
    for line in &output {
        for secret in
            [ADMIN_PASSWORD, "Logged-passw0rd", "wrong-password", token.as_str(), "$argon2"]
        {
            assert!(!line.contains(secret), "a secret reached the log: {line}");
        }
    }
}

/// At `debug`, the handler's and the store's spans close with a line each that names them and
/// carries the request's id, so a slow request can be taken apart.
#[tokio::test]
async fn debug_logs_show_the_handler_and_store_spans_of_a_request() {
    let dir = tempfile::tempdir().unwrap();
    let env = [("TESSERA_ADMIN_PASSWORD", ADMIN_PASSWORD), ("RUST_LOG", "debug")];
    let mut server = Server::start(dir.path(), &env, &[]);
    let token = server.client.token(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let resp = server.client.get("/api/users/admin@example.com", &token).await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    let request_id = resp.headers["x-request-id"].to_str().unwrap().to_owned();
    let names = |line: &str, span: &str| {
        line.contains(&request_id) && line.contains(&format!("\"name\":\"{span}\""))
    };
    // The handler's span closes last, after the store call inside it.
    server.wait_for(|l| names(l, "get"));
    for span in ["get", "find_user"] {
        let line = server
            .seen
            .iter()
            .find(|l| names(l, span))
            .unwrap_or_else(|| panic!("no {span} span line"));
        let entry: Value = serde_json::from_str(line).unwrap();
        assert_eq!(entry["message"], "close", "{line}");
        assert!(entry["time.busy"].is_string(), "{line}");
    }
}

#[tokio::test]
async fn a_toml_config_file_sets_the_listen_address_and_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("from-config");
    let config = dir.path().join("tessera.toml");
    std::fs::write(
        &config,
        format!("listen = \"127.0.0.1:0\"\ndata_dir = {:?}\n", data.to_str().unwrap()),
    )
    .unwrap();
    let env = [("TESSERA_ADMIN_PASSWORD", ADMIN_PASSWORD)];
    let server = Server::start(dir.path(), &env, &["--config", config.to_str().unwrap()]);
    server.client.token(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert!(data.join(tessera_store::sqlite::DATABASE_FILE).exists());
}

/// `--version` names the version and the commit the binary was built from.
#[test]
fn version_names_the_commit() {
    let out = Command::new(env!("CARGO_BIN_EXE_tessera")).arg("--version").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let expected = format!("tessera {} (", env!("CARGO_PKG_VERSION"));
    assert!(text.starts_with(&expected), "{text}");
    let commit = text.trim().trim_start_matches(&expected).trim_end_matches(')');
    assert!(commit == "unknown" || commit.chars().all(|c| c.is_ascii_hexdigit()), "{text}");
}

/// The start line says what runs where: version, address, store, and the reference's URL.
#[tokio::test]
async fn the_start_line_names_version_store_and_reference() {
    let dir = tempfile::tempdir().unwrap();
    let env = [("TESSERA_ADMIN_PASSWORD", ADMIN_PASSWORD)];
    let server = Server::start(dir.path(), &env, &[]);
    let line = server.seen.iter().find(|l| l.contains("\"listening\"")).unwrap();
    let entry: Value = serde_json::from_str(line).unwrap();
    assert!(entry["version"].as_str().unwrap().starts_with(env!("CARGO_PKG_VERSION")), "{line}");
    assert_eq!(entry["store"], dir.path().display().to_string(), "{line}");
    let addr = entry["addr"].as_str().unwrap();
    assert_eq!(entry["reference"], format!("http://{addr}/dev/api/docs/"), "{line}");
}

/// Text logs written to a pipe carry no terminal colour codes.
#[tokio::test]
async fn text_logs_to_a_pipe_have_no_colour_codes() {
    let dir = tempfile::tempdir().unwrap();
    let env = [("TESSERA_ADMIN_PASSWORD", ADMIN_PASSWORD)];
    let mut server = Server::start_logging(dir.path(), &env, &[], "text");
    server.client.token(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    server.wait_for(|l| l.contains("finished processing request"));
    let (_, output) = server.terminate();
    assert!(output.iter().any(|l| l.contains("listening")), "{output:?}");
    for line in &output {
        assert!(!line.contains('\u{1b}'), "a colour code: {line:?}");
    }
}

/// `tessera admin` on the data directory of a running server refuses; once it is stopped,
/// `reset-password` and `create-user` work, and the next start honours them. A second server
/// on the same directory refuses to start.
#[tokio::test]
async fn admin_commands_work_on_a_stopped_server_and_refuse_a_running_one() {
    let dir = tempfile::tempdir().unwrap();
    let admin = |args: &[&str], password: &str| {
        Command::new(env!("CARGO_BIN_EXE_tessera"))
            .args(["admin", "--data-dir"])
            .arg(dir.path())
            .args(args)
            .env_clear()
            .env("TESSERA_NEW_PASSWORD", password)
            .output()
            .unwrap()
    };
    let env = [("TESSERA_ADMIN_PASSWORD", ADMIN_PASSWORD)];
    let server = Server::start(dir.path(), &env, &[]);
    server.client.token(ADMIN_EMAIL, ADMIN_PASSWORD).await;

    let refused = admin(&["reset-password", "--email", ADMIN_EMAIL], "Reset-passw0rd");
    assert!(!refused.status.success());
    let why = String::from_utf8_lossy(&refused.stderr);
    assert!(why.contains("in use by a running Tessera"), "{why}");

    let second = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .env_clear()
        .output()
        .unwrap();
    assert!(!second.status.success(), "a second server on the same directory");
    server.terminate();

    let reset = admin(&["reset-password", "--email", "ADMIN@example.com"], "Reset-passw0rd");
    assert!(reset.status.success(), "{}", String::from_utf8_lossy(&reset.stderr));
    let created =
        admin(&["create-user", "--email", "ops@corp.example", "--role", "admin"], "Ops-passw0rd");
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    let unknown = admin(&["reset-password", "--email", "nobody@corp.example"], "X-passw0rd1");
    assert!(!unknown.status.success());

    let server = Server::start(dir.path(), &env, &[]);
    server.client.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.assert_error(401, 1100);
    server.client.token(ADMIN_EMAIL, "Reset-passw0rd").await;
    let ops = server.client.token("ops@corp.example", "Ops-passw0rd").await;
    let me = server.client.get("/api/users/loggedin?expand=role", &ops).await;
    assert_eq!(me.json()["role"]["name"], "admin");
}

/// The server's address, from the client's base URL.
fn addr_of(server: &Server) -> String {
    server.client.base.trim_start_matches("http://").to_owned()
}

/// Reads until the server closes the connection; `Ok` when it did before `within`.
fn closed_within(stream: &mut std::net::TcpStream, within: Duration) -> bool {
    use std::io::Read;
    stream.set_read_timeout(Some(within)).unwrap();
    let mut buf = [0u8; 1024];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return true,
            Err(_) => return false,
        }
    }
}

/// A client that sends half a header line is cut off after the header deadline, and an idle
/// kept-alive connection too: a socket cannot be held forever.
#[tokio::test]
async fn a_slow_or_idle_client_is_cut_off_after_the_header_deadline() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let env = [("TESSERA_ADMIN_PASSWORD", ADMIN_PASSWORD)];
    let server = Server::start(dir.path(), &env, &["--header-timeout-secs", "1"]);
    let mut slow = std::net::TcpStream::connect(addr_of(&server)).unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x").unwrap();
    assert!(closed_within(&mut slow, Duration::from_secs(20)), "a half header line is cut off");
    let mut idle = std::net::TcpStream::connect(addr_of(&server)).unwrap();
    assert!(closed_within(&mut idle, Duration::from_secs(20)), "a silent connection is cut off");
    // The server itself is fine.
    assert!(!server.client.token(ADMIN_EMAIL, ADMIN_PASSWORD).await.is_empty());
}

/// Connections beyond the limit are closed as they arrive, so idle sockets cannot use up the
/// file descriptors; when one closes, the next is served.
#[tokio::test]
async fn connections_beyond_the_limit_are_closed_at_once() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let env = [("TESSERA_ADMIN_PASSWORD", ADMIN_PASSWORD)];
    let server = Server::start(dir.path(), &env, &["--max-connections", "3"]);
    let addr = addr_of(&server);
    // Three open connections, each proven to be served (a request answered, kept alive).
    let mut held: Vec<std::net::TcpStream> = (0..3)
        .map(|_| {
            let mut s = std::net::TcpStream::connect(&addr).unwrap();
            s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
            let mut buf = [0u8; 12];
            std::io::Read::read_exact(&mut s, &mut buf).unwrap();
            assert_eq!(&buf, b"HTTP/1.1 200");
            s
        })
        .collect();
    let mut fourth = std::net::TcpStream::connect(&addr).unwrap();
    let _ = fourth.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    assert!(closed_within(&mut fourth, Duration::from_secs(20)), "the fourth is refused");
    held.pop();
    // The permit comes back when the server sees the close; a later connection is served.
    let served = (0..200).any(|_| {
        let mut s = std::net::TcpStream::connect(&addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let _ = s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        let mut buf = [0u8; 12];
        std::io::Read::read_exact(&mut s, &mut buf).is_ok() && &buf == b"HTTP/1.1 200"
    });
    assert!(served, "a connection under the limit is served again");
}

/// A request that never finishes cannot keep a stopping server from stopping: after SIGTERM,
/// the shutdown deadline closes what is left.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_request_cannot_stop_a_shutdown() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let env = [("TESSERA_ADMIN_PASSWORD", ADMIN_PASSWORD), ("RUST_LOG", "info,tower_http=debug")];
    let mut server = Server::start(dir.path(), &env, &["--shutdown-timeout-secs", "1"]);
    let token = server.client.token(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let mut stalled = std::net::TcpStream::connect(addr_of(&server)).unwrap();
    let head = format!(
        "POST /api/v1/groups HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"name\": "
    );
    stalled.write_all(head.as_bytes()).unwrap();
    server.wait_for(|l| l.contains("started processing request") && l.contains("/api/v1/groups"));
    // Without a deadline the server would wait for the body forever: bound the wait, and fail
    // rather than hang.
    let (done, exited) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(server.terminate());
    });
    let (exit, output) = exited.recv_timeout(Duration::from_secs(20)).expect("stopped in time");
    assert!(exit.success(), "a clean exit after the deadline: {exit:?}\n{}", output.join("\n"));
    assert!(output.iter().any(|l| l.contains("stopped")), "{}", output.join("\n"));
    drop(stalled);
}

/// `tessera backup` copies a live server's database while writes go on; a server started on
/// the copy has every write acknowledged before the backup began.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_under_write_load_restores_every_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    let env = [("TESSERA_ADMIN_PASSWORD", ADMIN_PASSWORD)];
    let server = Server::start(dir.path(), &env, &[]);
    let token = server.client.token(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    for i in 0..20 {
        let user = json!({"email": format!("before{i}@corp.example")});
        assert_eq!(server.client.post("/api/v1/users", &token, &user).await.status, 201);
    }
    // Writes keep coming while the backup runs.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let load = {
        let (client, token, stop) = (server.client.clone(), token.clone(), stop.clone());
        tokio::spawn(async move {
            let mut i = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let user = json!({"email": format!("during{i}@corp.example")});
                assert_eq!(client.post("/api/v1/users", &token, &user).await.status, 201);
                i += 1;
            }
            i
        })
    };
    let copy = dir.path().join("copy.sqlite3");
    let backup = |to: &Path| {
        Command::new(env!("CARGO_BIN_EXE_tessera"))
            .args(["backup", "--to"])
            .arg(to)
            .arg("--data-dir")
            .arg(dir.path())
            .env_clear()
            .output()
            .unwrap()
    };
    let done = backup(&copy);
    assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
    let mode = std::fs::metadata(&copy).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the copy holds secrets: {mode:o}");
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let during = load.await.unwrap();
    // A second backup to the same file is refused rather than overwriting it.
    assert!(!backup(&copy).status.success());
    let (exit, _) = server.terminate();
    assert!(exit.success());

    // Restore: the copy becomes a new data directory's database.
    let restored = tempfile::tempdir().unwrap();
    std::fs::copy(&copy, restored.path().join("tessera.sqlite3")).unwrap();
    let server = Server::start(restored.path(), &[], &[]);
    let token = server.client.token(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let before = server.client.get("/api/v1/users?email=before&limit=100", &token).await.json();
    assert_eq!(count(&before), 20, "every write acknowledged before the backup is there");
    let after = server.client.get("/api/v1/users?email=during&limit=1000", &token).await.json();
    assert!(count(&after) <= during, "nothing that was never written");
}

/// `tessera export` from a running server's data directory, piped into `tessera import` on an
/// empty PostgreSQL database, then `tessera serve --database-url` on it: the token issued by
/// the first server works on the second, and a second import into it is refused.
#[tokio::test]
async fn export_and_import_move_a_running_store_to_postgres() {
    let dir = tempfile::tempdir().unwrap();
    let env = [("TESSERA_ADMIN_PASSWORD", ADMIN_PASSWORD)];
    let source = Server::start(dir.path(), &env, &[]);
    let token = source.client.token(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let group = source.client.post("/api/v1/groups", &token, &json!({"name": "Moved"})).await;
    assert_eq!(group.status, 201, "{}", group.text);

    let export = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args(["export", "--data-dir"])
        .arg(dir.path())
        .env_clear()
        .output()
        .unwrap();
    assert!(export.status.success(), "{}", String::from_utf8_lossy(&export.stderr));
    let dump = export.stdout;
    assert!(String::from_utf8_lossy(&dump).starts_with("{\"tessera_export\":1}\n"));
    source.terminate();

    let db = tessera_store::postgres::scratch::ScratchDatabase::create().await.unwrap();
    let import = || {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tessera"))
            .args(["import", "--database-url", db.url()])
            .env_clear()
            .stdin(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), &dump).unwrap();
        child.wait_with_output().unwrap()
    };
    let imported = import();
    assert!(imported.status.success(), "{}", String::from_utf8_lossy(&imported.stderr));
    assert!(String::from_utf8_lossy(&imported.stderr).contains("imported"));
    let again = import();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already holds data"));

    let empty = tempfile::tempdir().unwrap();
    let target = Server::start(empty.path(), &[], &["--database-url", db.url()]);
    let groups = target.client.get("/api/v1/groups?name=Moved", &token).await;
    assert_eq!(groups.status, 200, "{}", groups.text);
    assert_eq!(groups.json()[0]["_id"], group.json()["_id"]);
    target.terminate();
}
