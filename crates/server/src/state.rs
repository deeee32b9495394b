//! What every handler can reach.

use std::ops::Deref;
use std::sync::Arc;

use tessera_domain::ObjectId;
use tessera_store::Store;

use crate::http::common::edge::HeadLimits;
use crate::http::common::error::{ApiError, ApiResult};
use crate::meters::Meters;
use crate::password::Passwords;
use crate::throttle::{LoginThrottle, MintLimit};
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
    /// Tokens one user is issued per minute.
    pub minting: MintLimit,
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

impl Shared {
    /// A token for `user` under `secret`, within the user's tokens per minute (429 past them).
    pub async fn mint(&self, user: ObjectId, secret: &str) -> ApiResult<String> {
        self.minting.take(user).await?.map_err(ApiError::too_many_tokens)?;
        self.tokens.issue(user, secret).map_err(ApiError::internal)
    }

    /// Refuses (429) a user who may not be issued a token now, before anything is changed for
    /// one (a renewed secret).
    pub async fn check_mint(&self, user: ObjectId) -> ApiResult<()> {
        self.minting.check(user).await?.map_err(ApiError::too_many_tokens)
    }
}

impl Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}
