//! Settings, layered: built-in defaults, then an optional TOML file, then `TESSERA_*`
//! environment variables, then command-line flags (each later layer wins).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand, ValueEnum};
use serde::Deserialize;

use crate::error::ConfigError;
use crate::http::common::edge::HeadLimits;
use crate::throttle::Limits;

/// Default address: loopback only, so a first start exposes nothing to the network.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8081";
/// Default data directory, relative to the working directory.
pub const DEFAULT_DATA_DIR: &str = "./tessera-data";
/// Default e-mail (and user name) of the first administrator.
pub const DEFAULT_ADMIN_EMAIL: &str = "admin@example.com";
/// Default token lifetime: 30 days.
pub const DEFAULT_TOKEN_LIFETIME_SECS: u64 = 30 * 24 * 3600;
/// Default tokens one user may be issued per minute: far above a person's or a script's sign-ins,
/// far below what would fill the revocation list.
pub const DEFAULT_TOKEN_MINT_PER_MINUTE: u32 = 120;
/// Default largest request body: ample for bulk creates, small enough to bound memory.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;

#[derive(Debug, Parser)]
#[command(
    name = "tessera",
    version = crate::VERSION,
    about = "A self-hosted server for the Sisense REST API"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the HTTP server.
    Serve(Box<ServeArgs>),
    /// Administer a stopped server's data directory (refused while a server runs on it).
    Admin(AdminArgs),
    /// Copy the database consistently, while the server serves or not.
    Backup(BackupArgs),
    /// Write the whole store (either engine) to standard output as JSON lines, ids, hashes,
    /// secrets, logged-out tokens and the signing key unchanged; a server may keep serving.
    Export(TransferArgs),
    /// Read an export from standard input into an empty store (either engine): tokens issued
    /// before the move keep working after it.
    Import(TransferArgs),
}

#[derive(Debug, Clone, Args)]
pub struct TransferArgs {
    /// Directory holding the SQLite database [default: ./tessera-data]
    #[arg(long, env = "TESSERA_DATA_DIR", conflicts_with = "database_url")]
    pub data_dir: Option<PathBuf>,
    /// The PostgreSQL database instead: postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE
    #[arg(long, env = "TESSERA_DATABASE_URL")]
    pub database_url: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct BackupArgs {
    /// Directory holding the SQLite database [default: ./tessera-data]
    #[arg(long, env = "TESSERA_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// The backup file to write (it must not exist): a database a server opens as its
    /// tessera.sqlite3
    #[arg(long)]
    pub to: PathBuf,
}

#[derive(Debug, Clone, Args)]
pub struct AdminArgs {
    /// Directory holding the SQLite database [default: ./tessera-data]
    #[arg(long, env = "TESSERA_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub action: AdminAction,
}

/// The new password comes from TESSERA_NEW_PASSWORD, never a flag (which `ps` would show); without
/// it a strong one is generated and printed once.
#[derive(Debug, Clone, Subcommand)]
pub enum AdminAction {
    /// Give a user (by user name or e-mail) a new password; their tokens stop working.
    ResetPassword {
        #[arg(long)]
        email: String,
    },
    /// Create a user with a role (by name: super, admin, contributor, consumer, ...).
    CreateUser {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "super")]
        role: String,
    },
}

#[derive(Debug, Clone, Default, Args)]
pub struct ServeArgs {
    /// Where to listen: PORT (on 127.0.0.1), :PORT (every interface), HOST:PORT or IP:PORT
    /// [default: 127.0.0.1:8081]
    #[arg(long, env = "TESSERA_LISTEN")]
    pub listen: Option<ListenAddr>,
    /// Directory holding the SQLite database [default: ./tessera-data]
    #[arg(long, env = "TESSERA_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Store everything in this PostgreSQL database instead of SQLite, shared by any number of
    /// nodes: postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE [default: none, SQLite]
    #[arg(long, env = "TESSERA_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Optional TOML file with the same keys (listen, data_dir, log_format, ...)
    #[arg(long, env = "TESSERA_CONFIG")]
    pub config: Option<PathBuf>,
    /// Log format: human-readable text or one JSON object per line [default: text]
    #[arg(long, env = "TESSERA_LOG_FORMAT", value_enum)]
    pub log_format: Option<LogFormat>,
    /// Largest accepted request body in bytes [default: 1048576]
    #[arg(long, env = "TESSERA_MAX_BODY_BYTES")]
    pub max_body_bytes: Option<usize>,
    /// Open connections served at once; more are closed at once [default: 1000]
    #[arg(long, env = "TESSERA_MAX_CONNECTIONS")]
    pub max_connections: Option<usize>,
    /// Seconds a client has to send a request's headers (also the idle time allowed between
    /// requests on a kept-alive connection) [default: 30]
    #[arg(long, env = "TESSERA_HEADER_TIMEOUT_SECS")]
    pub header_timeout_secs: Option<u64>,
    /// Longest accepted path and query string, in bytes; longer gets 414 [default: 8192]
    #[arg(long, env = "TESSERA_MAX_URI_BYTES")]
    pub max_uri_bytes: Option<usize>,
    /// Most header fields in a request; more gets 431 [default: 100]
    #[arg(long, env = "TESSERA_MAX_HEADERS")]
    pub max_headers: Option<usize>,
    /// Most bytes of header names and values in a request; more gets 431 [default: 32768]
    #[arg(long, env = "TESSERA_MAX_HEADER_BYTES")]
    pub max_header_bytes: Option<usize>,
    /// Seconds a client may pause while sending a request body; longer gets 408 [default: 30]
    #[arg(long, env = "TESSERA_BODY_TIMEOUT_SECS")]
    pub body_timeout_secs: Option<u64>,
    /// Seconds requests in flight get to finish after SIGTERM or SIGINT [default: 30]
    #[arg(long, env = "TESSERA_SHUTDOWN_TIMEOUT_SECS")]
    pub shutdown_timeout_secs: Option<u64>,
    /// E-mail of the administrator created on first start [default: admin@example.com]
    #[arg(long, env = "TESSERA_ADMIN_EMAIL")]
    pub admin_email: Option<String>,
    /// Argon2id memory cost in KiB for new password hashes [default: 19456]
    #[arg(long, env = "TESSERA_ARGON2_MEMORY_KIB")]
    pub argon2_memory_kib: Option<u32>,
    /// Argon2id iterations for new password hashes [default: 2]
    #[arg(long, env = "TESSERA_ARGON2_ITERATIONS")]
    pub argon2_iterations: Option<u32>,
    /// Seconds a token lives; 0 = until renewed, revoked or logged out [default: 2592000, 30 days]
    #[arg(long, env = "TESSERA_TOKEN_LIFETIME_SECS")]
    pub token_lifetime_secs: Option<u64>,
    /// Tokens one user may be issued per minute (sign-ins, API tokens, renewals); more get 429;
    /// 0: no limit [default: 120]
    #[arg(long, env = "TESSERA_TOKEN_MINT_PER_MINUTE")]
    pub token_mint_per_minute: Option<u32>,
    /// Failed logins for one user name before its logins are refused for the window [default: 5]
    #[arg(long, env = "TESSERA_LOGIN_MAX_FAILURES")]
    pub login_max_failures: Option<u32>,
    /// Failed logins from one client address before its logins are refused [default: 50]
    #[arg(long, env = "TESSERA_LOGIN_MAX_FAILURES_PER_ADDRESS")]
    pub login_max_failures_per_address: Option<u32>,
    /// The window, in seconds, in which failed logins count [default: 900]
    #[arg(long, env = "TESSERA_LOGIN_WINDOW_SECS")]
    pub login_window_secs: Option<u64>,
    /// Origins of browser apps allowed to call the API: a comma list, or * [default: none]
    #[arg(long, env = "TESSERA_CORS_ORIGINS")]
    pub cors_origins: Option<String>,
    /// Reverse proxies (a comma list of CIDRs or addresses) whose X-Forwarded-For and Forwarded
    /// headers name the client [default: none; the peer is the client]
    #[arg(long, env = "TESSERA_TRUSTED_PROXIES")]
    pub trusted_proxies: Option<String>,
    /// Serve GET /metrics without a token on this second address (PORT, :PORT, HOST:PORT), for a
    /// Prometheus on the internal network; administrators can always read /metrics on --listen
    /// [default: none]
    #[arg(long, env = "TESSERA_METRICS_LISTEN")]
    pub metrics_listen: Option<ListenAddr>,
    /// PEM certificate chain: serve HTTPS (with --tls-key)
    #[arg(long, env = "TESSERA_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key of the certificate
    #[arg(long, env = "TESSERA_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// The keys a `--config` file may hold. Unknown keys are an error, so a typo does not pass silently.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<ListenAddr>,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    log_format: Option<LogFormat>,
    max_body_bytes: Option<usize>,
    max_connections: Option<usize>,
    header_timeout_secs: Option<u64>,
    shutdown_timeout_secs: Option<u64>,
    body_timeout_secs: Option<u64>,
    max_uri_bytes: Option<usize>,
    max_headers: Option<usize>,
    max_header_bytes: Option<usize>,
    admin_email: Option<String>,
    argon2_memory_kib: Option<u32>,
    argon2_iterations: Option<u32>,
    token_lifetime_secs: Option<u64>,
    token_mint_per_minute: Option<u32>,
    login_max_failures: Option<u32>,
    login_max_failures_per_address: Option<u32>,
    login_window_secs: Option<u64>,
    cors_origins: Option<String>,
    trusted_proxies: Option<String>,
    metrics_listen: Option<ListenAddr>,
    tls_cert: Option<PathBuf>,
    tls_key: Option<PathBuf>,
}

/// A listen address as people write one: `PORT` (on 127.0.0.1, like the default), `:PORT`
/// (every interface), `IP:PORT` (`[::1]:PORT` for IPv6) or `HOST:PORT` (resolved once, at start;
/// the first address wins).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct ListenAddr(pub SocketAddr);

impl std::str::FromStr for ListenAddr {
    type Err = ConfigError;

    fn from_str(text: &str) -> Result<Self, ConfigError> {
        use std::net::{Ipv4Addr, ToSocketAddrs};
        let invalid = || ConfigError::Listen(text.to_owned());
        let port = |p: &str| p.parse::<u16>().map_err(|_| invalid());
        let text = text.trim();
        if let Some(p) = text.strip_prefix(':') {
            return Ok(ListenAddr((Ipv4Addr::UNSPECIFIED, port(p)?).into()));
        }
        if !text.contains(':') {
            return Ok(ListenAddr((Ipv4Addr::LOCALHOST, port(text)?).into()));
        }
        if let Ok(addr) = text.parse::<SocketAddr>() {
            return Ok(ListenAddr(addr));
        }
        let (host, p) = text.rsplit_once(':').ok_or_else(invalid)?;
        let port = port(p)?;
        (host, port)
            .to_socket_addrs()
            .ok()
            .and_then(|mut addrs| addrs.next())
            .map(ListenAddr)
            .ok_or_else(invalid)
    }
}

impl TryFrom<String> for ListenAddr {
    type Error = ConfigError;

    fn try_from(text: String) -> Result<Self, ConfigError> {
        text.parse()
    }
}

/// The certificate and key files of HTTPS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// Which browser origins may call the API from their pages (CORS).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CorsOrigins {
    /// Any origin, without credentials (a browser then sends no cookies).
    Any,
    /// These origins (`scheme://host[:port]`), with credentials.
    List(Vec<String>),
}

impl CorsOrigins {
    /// `*`, or a comma list of origins; an empty value means none.
    pub fn parse(text: &str) -> Result<Option<Self>, ConfigError> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        if text == "*" {
            return Ok(Some(CorsOrigins::Any));
        }
        let origins: Vec<String> =
            text.split(',').map(|o| o.trim().trim_end_matches('/').to_owned()).collect();
        for o in &origins {
            let valid = (o.starts_with("http://") || o.starts_with("https://"))
                && !o.contains(char::is_whitespace)
                && o.split("://")
                    .nth(1)
                    .is_some_and(|host| !host.is_empty() && !host.contains('/'));
            if !valid {
                return Err(ConfigError::CorsOrigin(o.clone()));
            }
        }
        Ok(Some(CorsOrigins::List(origins)))
    }
}

/// A secret that never shows in `Debug` output or logs.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Argon2id cost for new hashes. Existing hashes keep the cost they were made with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashCost {
    pub memory_kib: u32,
    pub iterations: u32,
}

impl Default for HashCost {
    /// OWASP's recommended Argon2id setting (19 MiB, 2 passes): about 25 ms here.
    fn default() -> Self {
        HashCost { memory_kib: 19 * 1024, iterations: 2 }
    }
}

/// Everything the server needs to start, resolved from all the layers.
#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    /// PostgreSQL instead of SQLite when set (it may hold a password).
    pub database_url: Option<Secret>,
    pub log_format: LogFormat,
    pub max_body_bytes: usize,
    /// Connections served at once, the header deadline and the shutdown deadline.
    pub connections: crate::connections::ConnectionLimits,
    /// Limits on the URI and the headers.
    pub head_limits: HeadLimits,
    pub admin_email: String,
    /// From `TESSERA_ADMIN_PASSWORD` only: never a flag, which other users could see in `ps`.
    pub admin_password: Option<Secret>,
    pub hash_cost: HashCost,
    /// Seconds a token lives; 0: no expiry.
    pub token_lifetime_secs: u64,
    /// Tokens one user may be issued per minute; 0: no limit.
    pub token_mint_per_minute: u32,
    pub login_limits: Limits,
    /// Browser origins allowed to call the API; `None`: no CORS headers at all.
    pub cors_origins: Option<CorsOrigins>,
    /// Proxies whose forwarding headers are believed; empty: the peer is the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// A second address serving only `/metrics`, without a token.
    pub metrics_listen: Option<SocketAddr>,
    /// HTTPS when set; plain HTTP otherwise.
    pub tls: Option<TlsFiles>,
}

impl Settings {
    /// Defaults for a server on `listen` with its data in `data_dir`.
    pub fn new(listen: SocketAddr, data_dir: PathBuf) -> Self {
        Settings {
            listen,
            data_dir,
            database_url: None,
            log_format: LogFormat::default(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            connections: crate::connections::ConnectionLimits::default(),
            head_limits: HeadLimits::default(),
            admin_email: DEFAULT_ADMIN_EMAIL.to_owned(),
            admin_password: None,
            hash_cost: HashCost::default(),
            token_lifetime_secs: DEFAULT_TOKEN_LIFETIME_SECS,
            token_mint_per_minute: DEFAULT_TOKEN_MINT_PER_MINUTE,
            login_limits: Limits::default(),
            cors_origins: None,
            trusted_proxies: Vec::new(),
            metrics_listen: None,
            tls: None,
        }
    }

    /// Resolves the layers: flags and environment (already merged by clap) over the file over
    /// the defaults.
    pub fn load(args: ServeArgs) -> Result<Self, ConfigError> {
        let file = match &args.config {
            Some(path) => read_file(path)?,
            None => FileConfig::default(),
        };
        let default_listen: SocketAddr = DEFAULT_LISTEN.parse().expect("valid default address");
        let mut s = Settings::new(
            args.listen.or(file.listen).map_or(default_listen, |l| l.0),
            args.data_dir.or(file.data_dir).unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR)),
        );
        s.database_url =
            args.database_url.or(file.database_url).filter(|u| !u.is_empty()).map(Secret);
        s.log_format = args.log_format.or(file.log_format).unwrap_or_default();
        s.max_body_bytes =
            args.max_body_bytes.or(file.max_body_bytes).unwrap_or(DEFAULT_MAX_BODY_BYTES);
        let defaults = crate::connections::ConnectionLimits::default();
        s.connections = crate::connections::ConnectionLimits {
            max_connections: args
                .max_connections
                .or(file.max_connections)
                .unwrap_or(defaults.max_connections)
                .max(1),
            header_timeout: args
                .header_timeout_secs
                .or(file.header_timeout_secs)
                .map_or(defaults.header_timeout, std::time::Duration::from_secs),
            body_timeout: args
                .body_timeout_secs
                .or(file.body_timeout_secs)
                .map_or(defaults.body_timeout, std::time::Duration::from_secs),
            shutdown_timeout: args
                .shutdown_timeout_secs
                .or(file.shutdown_timeout_secs)
                .map_or(defaults.shutdown_timeout, std::time::Duration::from_secs),
        };
        let head = HeadLimits::default();
        s.head_limits = HeadLimits {
            max_uri_bytes: args.max_uri_bytes.or(file.max_uri_bytes).unwrap_or(head.max_uri_bytes),
            max_headers: args.max_headers.or(file.max_headers).unwrap_or(head.max_headers).max(1),
            max_header_bytes: args
                .max_header_bytes
                .or(file.max_header_bytes)
                .unwrap_or(head.max_header_bytes),
        };
        if let Some(email) = args.admin_email.or(file.admin_email) {
            s.admin_email = email;
        }
        s.admin_password =
            std::env::var("TESSERA_ADMIN_PASSWORD").ok().filter(|p| !p.is_empty()).map(Secret);
        let default_cost = HashCost::default();
        s.hash_cost = HashCost {
            memory_kib: args
                .argon2_memory_kib
                .or(file.argon2_memory_kib)
                .unwrap_or(default_cost.memory_kib),
            iterations: args
                .argon2_iterations
                .or(file.argon2_iterations)
                .unwrap_or(default_cost.iterations),
        };
        s.token_lifetime_secs = args
            .token_lifetime_secs
            .or(file.token_lifetime_secs)
            .unwrap_or(DEFAULT_TOKEN_LIFETIME_SECS);
        s.token_mint_per_minute = args
            .token_mint_per_minute
            .or(file.token_mint_per_minute)
            .unwrap_or(DEFAULT_TOKEN_MINT_PER_MINUTE);
        let limits = Limits::default();
        s.login_limits = Limits {
            per_user: args
                .login_max_failures
                .or(file.login_max_failures)
                .unwrap_or(limits.per_user),
            per_address: args
                .login_max_failures_per_address
                .or(file.login_max_failures_per_address)
                .unwrap_or(limits.per_address),
            window: args
                .login_window_secs
                .or(file.login_window_secs)
                .map_or(limits.window, std::time::Duration::from_secs),
        };
        if let Some(origins) = args.cors_origins.or(file.cors_origins) {
            s.cors_origins = CorsOrigins::parse(&origins)?;
        }
        if let Some(proxies) = args.trusted_proxies.or(file.trusted_proxies) {
            s.trusted_proxies = parse_networks(&proxies)?;
        }
        s.metrics_listen = args.metrics_listen.or(file.metrics_listen).map(|l| l.0);
        s.tls = match (args.tls_cert.or(file.tls_cert), args.tls_key.or(file.tls_key)) {
            (Some(cert), Some(key)) => Some(TlsFiles { cert, key }),
            (None, None) => None,
            _ => return Err(ConfigError::TlsPair),
        };
        Ok(s)
    }
}

/// A comma list of CIDRs (`10.0.0.0/8`) or single addresses (`192.0.2.7`, `::1`).
fn parse_networks(text: &str) -> Result<Vec<ipnet::IpNet>, ConfigError> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<ipnet::IpNet>()
                .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| ConfigError::TrustedProxy(s.to_owned()))
        })
        .collect()
}

fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| ConfigError::ReadFile { path: path.to_owned(), source })?;
    toml::from_str(&text).map_err(|source| ConfigError::ParseFile { path: path.to_owned(), source })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(config: Option<PathBuf>) -> ServeArgs {
        ServeArgs { config, ..ServeArgs::default() }
    }

    #[test]
    fn defaults_apply_without_file_or_flags() {
        let s = Settings::load(args(None)).unwrap();
        assert_eq!(s.listen.to_string(), DEFAULT_LISTEN);
        assert_eq!(s.data_dir, PathBuf::from(DEFAULT_DATA_DIR));
        assert_eq!(s.log_format, LogFormat::Text);
    }

    #[test]
    fn file_overrides_defaults_and_flags_override_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tessera.toml");
        std::fs::write(
            &path,
            "listen = \"0.0.0.0:9000\"\ndata_dir = \"/var/tessera\"\nlog_format = \"json\"\n",
        )
        .unwrap();
        let s = Settings::load(args(Some(path.clone()))).unwrap();
        assert_eq!(s.listen.to_string(), "0.0.0.0:9000");
        assert_eq!(s.data_dir, PathBuf::from("/var/tessera"));
        assert_eq!(s.log_format, LogFormat::Json);

        let flags = ServeArgs {
            listen: Some(ListenAddr("127.0.0.1:1".parse().unwrap())),
            ..args(Some(path))
        };
        let s = Settings::load(flags).unwrap();
        assert_eq!(s.listen.to_string(), "127.0.0.1:1");
        assert_eq!(s.data_dir, PathBuf::from("/var/tessera"));
    }

    /// The database URL comes from the file or the flag (the flag wins), and its password
    /// never shows in the settings' debug output.
    #[test]
    fn a_database_url_selects_postgres_and_its_password_stays_hidden() {
        assert_eq!(Settings::load(args(None)).unwrap().database_url, None, "SQLite by default");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tessera.toml");
        std::fs::write(&path, "database_url = \"postgres://t:filepass@db/tessera\"\n").unwrap();
        let s = Settings::load(args(Some(path.clone()))).unwrap();
        assert_eq!(
            s.database_url.as_ref().map(Secret::expose),
            Some("postgres://t:filepass@db/tessera")
        );
        assert!(!format!("{s:?}").contains("filepass"));

        let flag = ServeArgs {
            database_url: Some("postgres://t:flagpass@other/tessera".into()),
            ..args(Some(path))
        };
        let s = Settings::load(flag).unwrap();
        assert_eq!(
            s.database_url.as_ref().map(Secret::expose),
            Some("postgres://t:flagpass@other/tessera")
        );
    }

    #[test]
    fn unknown_file_keys_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tessera.toml");
        std::fs::write(&path, "lisen = \"0.0.0.0:9000\"\n").unwrap();
        let err = Settings::load(args(Some(path))).unwrap_err();
        assert!(err.to_string().contains("lisen"), "{err}");
    }

    #[test]
    fn cors_origins_parse() {
        assert_eq!(CorsOrigins::parse("").unwrap(), None);
        assert_eq!(CorsOrigins::parse("*").unwrap(), Some(CorsOrigins::Any));
        assert_eq!(
            CorsOrigins::parse("https://a.example, http://b.example:8080/").unwrap(),
            Some(CorsOrigins::List(vec![
                "https://a.example".into(),
                "http://b.example:8080".into()
            ]))
        );
        for bad in ["a.example", "https://", "ftp://x", "https://a.example/path"] {
            assert!(CorsOrigins::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn secrets_do_not_show_in_debug() {
        let mut s = Settings::load(args(None)).unwrap();
        s.admin_password = Some(Secret::new("hunter2hunter2"));
        assert!(!format!("{s:?}").contains("hunter2"));
    }

    #[test]
    fn listen_takes_a_port_an_any_interface_port_an_address_or_a_host() {
        let cases = [
            ("8090", "127.0.0.1:8090"),
            (":8090", "0.0.0.0:8090"),
            ("0.0.0.0:9000", "0.0.0.0:9000"),
            ("[::1]:9001", "[::1]:9001"),
        ];
        for (text, want) in cases {
            let got: ListenAddr = text.parse().unwrap();
            assert_eq!(got.0.to_string(), want, "{text}");
        }
        use clap::Parser;
        let cli = Cli::try_parse_from(["tessera", "serve", "--listen", ":8091"]).unwrap();
        let Command::Serve(serve) = cli.command else { panic!("serve parses as serve") };
        assert_eq!(serve.listen.unwrap().0.to_string(), "0.0.0.0:8091");
        let local: ListenAddr = "localhost:9002".parse().unwrap();
        assert!(local.0.ip().is_loopback() && local.0.port() == 9002, "{local:?}");
        for bad in ["", "http", "70000", ":x", "host:", "no.such.host.invalid:80"] {
            let err = bad.parse::<ListenAddr>().unwrap_err();
            assert!(err.to_string().contains("listen address"), "{bad}: {err}");
        }
    }

    #[test]
    fn trusted_proxies_take_cidrs_and_addresses() {
        let nets = parse_networks("10.0.0.0/8, 192.0.2.7,::1").unwrap();
        let shown: Vec<String> = nets.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["10.0.0.0/8", "192.0.2.7/32", "::1/128"]);
        let err = parse_networks("10.0.0.0/8,proxy.internal").unwrap_err();
        assert!(err.to_string().contains("proxy.internal"), "{err}");
    }
}
