//! What can stop the server from starting or serving, as types: the command line prints them,
//! tests and embedders can match on them.

use std::net::SocketAddr;
use std::path::PathBuf;

use tessera_domain::ValidationError;
use tessera_store::StoreError;

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {}: {source}", path.display())]
    ReadFile { path: PathBuf, source: std::io::Error },
    #[error("invalid config file {}: {source}", path.display())]
    ParseFile { path: PathBuf, source: toml::de::Error },
    #[error("invalid CORS origin '{0}': expected scheme://host[:port], or *")]
    CorsOrigin(String),
    #[error("HTTPS needs both a certificate (--tls-cert) and a key (--tls-key)")]
    TlsPair,
    #[error("invalid listen address '{0}': expected PORT, :PORT, IP:PORT or HOST:PORT")]
    Listen(String),
    #[error("invalid trusted proxy '{0}': expected a CIDR (10.0.0.0/8) or an address")]
    TrustedProxy(String),
    #[error("invalid Argon2 cost (memory {memory_kib} KiB, {iterations} passes): {reason}")]
    HashCost { memory_kib: u32, iterations: u32, reason: String },
}

/// Hashing a password failed: never the caller's fault.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("cannot hash password: {0}")]
    Hash(String),
    #[error("hashing task failed: {0}")]
    Task(String),
}

/// Why the server did not start, or stopped serving.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("cannot open the store in {}: {source}", dir.display())]
    OpenStore { dir: PathBuf, source: StoreError },
    #[error("cannot open the PostgreSQL database {location}: {source}")]
    OpenDatabase { location: String, source: StoreError },
    #[error("the store failed: {0}")]
    Store(#[from] StoreError),
    #[error("invalid first administrator (TESSERA_ADMIN_EMAIL / TESSERA_ADMIN_PASSWORD): {0}")]
    FirstAdmin(ValidationError),
    #[error(transparent)]
    Hash(#[from] HashError),
    #[error("the built-in role 'consumer' is missing from the store")]
    MissingDefaultRole,
    #[error("cannot use the data directory {}: {source}", dir.display())]
    DataDir { dir: PathBuf, source: std::io::Error },
    #[error("the data directory {} is in use by a running Tessera: stop it first", dir.display())]
    InUse { dir: PathBuf },
    #[error("{0}")]
    Admin(String),
    #[error("cannot load the TLS certificate {} and key {}: {source}", cert.display(), key.display())]
    Tls { cert: PathBuf, key: PathBuf, source: std::io::Error },
    #[error("cannot listen on {addr}: {source}")]
    Listen { addr: SocketAddr, source: std::io::Error },
    #[error("server error: {0}")]
    Serve(std::io::Error),
}
