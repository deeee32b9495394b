//! Roles: built in, fixed, looked up by name.

use async_trait::async_trait;
use tessera_domain::Document;

use crate::Result;

#[async_trait]
pub trait RoleStore: Send + Sync {
    async fn list_roles(&self) -> Result<Vec<Document>>;
    /// A role by id, or else by name (case-insensitive).
    async fn find_role(&self, id_or_name: &str) -> Result<Option<Document>>;
}
