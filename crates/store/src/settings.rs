//! What the store keeps about itself: whether it has had its first start, the token signing
//! key, and the switches of Feature Management.

use async_trait::async_trait;
use tessera_domain::ValidationError;
use tessera_domain::features::Features;
use tessera_domain::first_start::FirstStart;

use crate::Result;

/// Computes a server-wide document from the stored one (`None` before the first write),
/// inside the write transaction.
pub type SettingEdit = Box<
    dyn FnOnce(Option<serde_json::Value>) -> std::result::Result<serde_json::Value, ValidationError>
        + Send,
>;

/// The server-wide documents clients keep on the server, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    /// BloX custom actions (`/api/v1/blox/...`): an array of actions, each with its `type`.
    BloxActions,
    /// `POST /api/branding`.
    Branding,
    /// `POST /api/v1/settings/ui/common`.
    UiSettings,
}

impl Setting {
    /// Its key in the store.
    pub fn key(self) -> &'static str {
        match self {
            Setting::BloxActions => "blox_actions",
            Setting::Branding => "branding",
            Setting::UiSettings => "ui_settings",
        }
    }
}

/// Computes the new switches from the stored ones, inside the write transaction.
pub type FeaturesEdit =
    Box<dyn FnOnce(Features) -> std::result::Result<Features, ValidationError> + Send>;

#[async_trait]
pub trait SettingsStore: Send + Sync {
    /// On an empty store, writes the first start's plan (built-in roles and groups, the first
    /// administrator, the signing key) in one transaction and answers `true`. On an initialised
    /// store it changes nothing and answers `false`.
    async fn initialize(&self, plan: FirstStart) -> Result<bool>;
    /// The key that signs tokens, written by [`SettingsStore::initialize`].
    async fn signing_key(&self) -> Result<Vec<u8>>;
    /// Whether the store can serve: reachable, its schema at the version this build expects,
    /// initialised. `Err` says what is wrong.
    async fn check_ready(&self) -> Result<()>;
    /// Ends the store after the server's last request: whatever the engine keeps beside its
    /// data (SQLite's WAL) is folded in, so a stopped server's data is complete on its own.
    async fn close(&self) -> Result<()>;
    /// Feature Management's switches: the defaults (all off) until an administrator changes one.
    async fn features(&self) -> Result<Features>;
    /// Changes the switches, read and written in one transaction; answers the new ones.
    async fn update_features(&self, edit: FeaturesEdit) -> Result<Features>;
    /// The id of the one tenant, `system`, every user and group belongs to.
    async fn system_tenant(&self) -> Result<String>;
    /// A server-wide document, `None` until first written.
    async fn setting(&self, setting: Setting) -> Result<Option<serde_json::Value>>;
    /// Changes a server-wide document, read and written in one transaction; answers it.
    async fn update_setting(
        &self, setting: Setting, edit: SettingEdit,
    ) -> Result<serde_json::Value>;
}
