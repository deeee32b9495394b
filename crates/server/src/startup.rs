//! Building and running the server: used by `main` and, on port 0, by the tests.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum_server::tls_rustls::{RustlsAcceptor, RustlsConfig};

use crate::connections::{ConnectionLimits, LimitAcceptor};
use crate::http::common::edge::HeadLimits;
use serde_json::Value;
use tessera_domain::role::CONSUMER;
use tessera_store::Store;
use tessera_store::postgres::PostgresStore;
use tessera_store::sqlite::SqliteStore;
use tokio::net::TcpListener;

use crate::config::Settings;
use crate::error::StartupError;
use crate::meters::Meters;
use crate::password::Passwords;
use crate::state::{AppState, Shared};
use crate::throttle::{LoginThrottle, MintLimit};
use crate::token::Tokens;

/// Where a generated administrator password is written when no one is at a terminal to read it.
pub const PASSWORD_FILE: &str = "initial-admin-password";

/// Hands the generated administrator password to the operator without putting it in the logs,
/// which may be shipped elsewhere: at a terminal it is shown once; otherwise (a service manager,
/// a log collector) it goes to an owner-only file in the data directory. Either way a log event
/// says what happened and where to look.
fn hand_over_generated_password(
    dir: &std::path::Path, email: &str, password: &str,
) -> Result<(), StartupError> {
    if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        show_generated_password(email, password);
        tracing::warn!(
            email,
            "first start: administrator created; its generated password is shown above, once"
        );
        return Ok(());
    }
    // On PostgreSQL the data directory holds nothing else, and may not exist yet.
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(|source| StartupError::DataDir { dir: dir.to_owned(), source })?;
    let path = dir.join(PASSWORD_FILE);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(&path)
        .and_then(|mut file| {
            std::io::Write::write_all(&mut file, format!("{password}\n").as_bytes())
        })
        .map_err(|source| StartupError::DataDir { dir: dir.to_owned(), source })?;
    tracing::warn!(
        email,
        password_file = %path.display(),
        "first start: administrator created; its generated password is in the file named here: sign in, change it, delete the file"
    );
    Ok(())
}

#[expect(clippy::print_stdout, reason = "the one secret meant for the operator's eyes")]
fn show_generated_password(email: &str, password: &str) {
    println!(
        "\nFirst start: created administrator '{email}' with password:\n\n    {password}\n\n\
         Keep it now; it is not stored anywhere in clear and will not be shown again.\n"
    );
}

/// The store the settings name: PostgreSQL when there is a database URL (many nodes may share
/// it, so the data directory is not locked), else SQLite in the data directory, locked for this
/// process. Also answers where the data lives, for the start line (no password in it).
async fn open_store(
    settings: &Settings,
) -> Result<(Arc<dyn Store>, String, Option<crate::datadir::DataDirLock>), StartupError> {
    if let Some(url) = &settings.database_url {
        let location = tessera_store::postgres::describe(url.expose());
        let store = PostgresStore::open(url.expose())
            .await
            .map_err(|source| StartupError::OpenDatabase { location: location.clone(), source })?;
        return Ok((Arc::new(store), location, None));
    }
    let lock = crate::datadir::lock(&settings.data_dir)?;
    let store = SqliteStore::open(&settings.data_dir)
        .await
        .map_err(|source| StartupError::OpenStore { dir: settings.data_dir.clone(), source })?;
    Ok((Arc::new(store), settings.data_dir.display().to_string(), Some(lock)))
}

/// A server bound to its address, not yet serving.
pub struct Application {
    listener: TcpListener,
    /// `--metrics-listen`: its listener and the router that serves only `/metrics`.
    metrics: Option<(TcpListener, axum::Router)>,
    /// Counts and bounds the connections of the main listener.
    acceptor: LimitAcceptor,
    router: axum::Router,
    /// HTTPS when set.
    tls: Option<RustlsConfig>,
    connections: ConnectionLimits,
    head_limits: HeadLimits,
    store: Arc<dyn Store>,
    /// Where the data lives, for the start line.
    store_location: String,
    /// This process's hold on the data directory (SQLite), for as long as it serves.
    _lock: Option<crate::datadir::DataDirLock>,
}

impl Application {
    /// Opens the store (running migrations and first-start setup) and binds the listener.
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        let (store, store_location, lock) = open_store(&settings).await?;
        let passwords = Passwords::new(settings.hash_cost)?;
        if let Some(password) =
            crate::bootstrap::initialize(store.as_ref(), &settings, &passwords).await?
        {
            hand_over_generated_password(&settings.data_dir, &settings.admin_email, &password)?;
        }
        let key = store.signing_key().await?;
        let default_role = store
            .find_role(CONSUMER)
            .await?
            .and_then(|r| r.get("_id").and_then(Value::as_str).and_then(|s| s.parse().ok()))
            .ok_or(StartupError::MissingDefaultRole)?;
        let acceptor = LimitAcceptor::new(settings.connections.max_connections);
        let state = AppState::new(Shared {
            store: store.clone(),
            tokens: Tokens::new(&key, settings.token_lifetime_secs),
            passwords,
            default_role,
            max_body_bytes: settings.max_body_bytes,
            head_limits: settings.head_limits,
            body_timeout: settings.connections.body_timeout,
            throttle: LoginThrottle::new(settings.login_limits, store.clone()),
            minting: MintLimit::new(settings.token_mint_per_minute, store.clone()),
            trusted_proxies: settings.trusted_proxies.clone(),
            https: settings.tls.is_some(),
            meters: Meters::new(acceptor.clone()),
        });
        let tls = match &settings.tls {
            Some(files) => {
                // One TLS provider (ring) for the whole process, chosen here rather than by
                // whichever dependency asks first.
                let _ = rustls::crypto::ring::default_provider().install_default();
                Some(RustlsConfig::from_pem_file(&files.cert, &files.key).await.map_err(
                    |source| StartupError::Tls {
                        cert: files.cert.clone(),
                        key: files.key.clone(),
                        source,
                    },
                )?)
            }
            None => None,
        };
        let listener = bind(settings.listen).await?;
        let metrics = match settings.metrics_listen {
            Some(addr) => {
                Some((bind(addr).await?, crate::http::metrics::open_router(state.clone())))
            }
            None => None,
        };
        Ok(Application {
            listener,
            metrics,
            acceptor,
            router: crate::http::router(state, settings.cors_origins.as_ref()),
            tls,
            store,
            connections: settings.connections,
            head_limits: settings.head_limits,
            store_location,
            _lock: lock,
        })
    }

    /// The address actually bound (the real port when the settings asked for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    /// The address of the `--metrics-listen` listener, if any.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics.as_ref().and_then(|(l, _)| l.local_addr().ok())
    }

    /// The store the server runs on (tests read its [`Store::stats`]).
    pub fn store(&self) -> Arc<dyn Store> {
        self.store.clone()
    }

    /// Whether the server speaks HTTPS.
    pub fn is_tls(&self) -> bool {
        self.tls.is_some()
    }

    /// Serves until `shutdown` completes, then lets in-flight requests finish.
    pub async fn run_until_stopped(
        self, shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), StartupError> {
        let addr = self.local_addr();
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        tracing::info!(
            %addr,
            scheme,
            version = crate::VERSION,
            store = %self.store_location,
            reference = %format!("{scheme}://{addr}{}/", crate::http::docs::DOCS_PATH),
            "listening"
        );
        // The peer address feeds login throttling.
        let service = self.router.into_make_service_with_connect_info::<SocketAddr>();
        let limits = self.connections;
        let head = self.head_limits;
        let handle = axum_server::Handle::new();
        let stopper = handle.clone();
        let (stopping, mut stop) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            shutdown.await;
            let _ = stopping.send(true);
            // Requests in flight get the deadline to finish; then their connections are closed.
            stopper.graceful_shutdown(Some(limits.shutdown_timeout));
        });
        if let Some((listener, router)) = self.metrics {
            let addr = listener.local_addr().map_err(StartupError::Serve)?;
            tracing::info!(%addr, "serving /metrics");
            tokio::spawn(async move {
                let serving = axum::serve(listener, router).with_graceful_shutdown(async move {
                    let _ = stop.wait_for(|stopped| *stopped).await;
                });
                if let Err(e) = serving.await {
                    tracing::error!(error = %e, "the metrics listener failed");
                }
            });
        }
        let listener = self.listener.into_std().map_err(StartupError::Serve)?;
        let limit = self.acceptor;
        let server = axum_server::from_tcp(listener)
            .map_err(StartupError::Serve)?
            .handle(handle)
            .first_request_timeout(limits.header_timeout)
            .accept_error_handler(log_accept_error);
        match self.tls {
            None => {
                let mut server = server.acceptor(limit);
                protocol_limits(server.http_builder(), &limits, &head);
                server.serve(service).await.map_err(StartupError::Serve)?;
            }
            Some(config) => {
                let mut server = server.acceptor(RustlsAcceptor::new(config).acceptor(limit));
                protocol_limits(server.http_builder(), &limits, &head);
                server.serve(service).await.map_err(StartupError::Serve)?;
            }
        }
        // Every request is answered or cut off: fold the store's side files in, so that the data
        // directory's database alone is the data.
        if let Err(e) = self.store.close().await {
            tracing::warn!(error = %e, "the store did not close cleanly");
        }
        tracing::info!("stopped");
        Ok(())
    }
}

/// A failing `accept` (out of file descriptors, say) is retried after 50 ms by axum-server, so it
/// never spins; this says so in the log, once a minute at most, instead of once per retry. The
/// errors of one connection (a TLS handshake, a refusal over the connection limit) are that
/// connection's and not logged here.
fn log_accept_error(peer: Option<&SocketAddr>, error: &std::io::Error) {
    static LAST_LOGGED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    if peer.is_some() {
        return;
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let last = LAST_LOGGED.load(std::sync::atomic::Ordering::Relaxed);
    if now >= last + 60
        && LAST_LOGGED
            .compare_exchange(
                last,
                now,
                std::sync::atomic::Ordering::Relaxed,
                std::sync::atomic::Ordering::Relaxed,
            )
            .is_ok()
    {
        tracing::warn!(%error, "cannot accept connections (retrying every 50 ms; logged once a minute)");
    }
}

/// hyper's own limits: the header deadline, and head limits above the application's (which
/// answers in the envelope; see `http::common::edge`).
fn protocol_limits(
    http: &mut hyper_util::server::conn::auto::Builder<hyper_util::rt::TokioExecutor>,
    limits: &ConnectionLimits, head: &HeadLimits,
) {
    http.http1()
        .header_read_timeout(limits.header_timeout)
        .max_headers(head.protocol_max_headers())
        .max_buf_size(head.protocol_buffer_bytes());
    let list = head.protocol_buffer_bytes();
    http.http2().max_header_list_size(u32::try_from(list).unwrap_or(u32::MAX));
}

async fn bind(addr: SocketAddr) -> Result<TcpListener, StartupError> {
    TcpListener::bind(addr).await.map_err(|source| StartupError::Listen { addr, source })
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown signal received; finishing in-flight requests");
}
