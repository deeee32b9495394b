//! Building and running the server: used by `main` and, on port 0, by the tests.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use serde_json::Value;
use tessera_domain::role::CONSUMER;
use tessera_store::Store;
use tessera_store::sqlite::SqliteStore;
use tokio::net::TcpListener;

use crate::config::Settings;
use crate::password::Passwords;
use crate::state::{AppState, Shared};
use crate::throttle::LoginThrottle;
use crate::token::Tokens;

/// A server bound to its address, not yet serving.
pub struct Application {
    listener: TcpListener,
    router: axum::Router,
}

impl Application {
    /// Opens the store (running migrations and first-start setup) and binds the listener.
    pub async fn build(settings: Settings) -> Result<Self, String> {
        let store: Arc<dyn Store> =
            Arc::new(SqliteStore::open(&settings.data_dir).await.map_err(|e| {
                format!(
                    "cannot open the store in {}: {e}",
                    settings.data_dir.display()
                )
            })?);
        let passwords = Passwords::new(settings.hash_cost)?;
        if let Some(password) =
            crate::bootstrap::initialize(store.as_ref(), &settings, &passwords).await?
        {
            // Shown once, on the console only (never through the logs), and never again.
            println!(
                "\nFirst start: created administrator '{}' with password:\n\n    {password}\n\n\
                 Keep it now; it is not stored anywhere in clear and will not be shown again.\n",
                settings.admin_email
            );
        }
        let key = store.signing_key().await.map_err(|e| e.to_string())?;
        let default_role = store
            .find_role(CONSUMER)
            .await
            .map_err(|e| e.to_string())?
            .and_then(|r| {
                r.get("_id")
                    .and_then(Value::as_str)
                    .and_then(|s| s.parse().ok())
            })
            .ok_or("the built-in role 'consumer' is missing from the store")?;
        let state = AppState::new(Shared {
            store,
            tokens: Tokens::new(&key, settings.token_lifetime_secs),
            passwords,
            default_role,
            max_body_bytes: settings.max_body_bytes,
            throttle: LoginThrottle::new(settings.login_limits),
        });
        let listener = TcpListener::bind(settings.listen)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", settings.listen))?;
        Ok(Application {
            listener,
            router: crate::http::router(state, settings.cors_origins.as_ref()),
        })
    }

    /// The address actually bound (the real port when the settings asked for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// Serves until `shutdown` completes, then lets in-flight requests finish.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), String> {
        let addr = self.local_addr();
        tracing::info!(%addr, "listening");
        // The peer address feeds login throttling.
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, service)
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(|e| format!("server error: {e}"))?;
        tracing::info!("stopped");
        Ok(())
    }
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
