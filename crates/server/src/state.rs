//! What every handler can reach.

use std::ops::Deref;
use std::sync::Arc;

use tessera_domain::ObjectId;
use tessera_store::Store;

use crate::http::common::edge::HeadLimits;
use crate::meters::Meters;
use crate::password::Passwords;
use crate::throttle::LoginThrottle;
use crate::token::Tokens;

/// Shared by every request. Cloned once per extractor, so it is one `Arc` inside.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

pub struct Shared {
    pub store: Arc<dyn Store>,
    pub tokens: Tokens,
    pub passwords: Passwords,
    /// The role a user gets when a document names none (the built-in `consumer`, Viewer).
    pub default_role: ObjectId,
    pub max_body_bytes: usize,
    /// Limits on the URI and the headers.
    pub head_limits: HeadLimits,
    /// How long a client may pause while sending a body.
    pub body_timeout: std::time::Duration,
    pub throttle: LoginThrottle,
    /// Proxies whose forwarding headers name the client (`--trusted-proxies`).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// This server serves HTTPS itself: session cookies are `Secure`.
    pub https: bool,
    /// Counters and histograms for `/metrics`.
    pub meters: Meters,
}

impl AppState {
    pub fn new(shared: Shared) -> Self {
        AppState(Arc::new(shared))
    }
}

impl Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}
