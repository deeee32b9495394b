//! Widgets: the parts of a dashboard, read and changed under the dashboard's own access rules.

use async_trait::async_trait;
use tessera_domain::dashboard::Actor;
use tessera_domain::etag::IfMatch;
use tessera_domain::lazy::RawDoc;
use tessera_domain::{Document, ObjectId, ValidationError};

use crate::Result;

/// Computes a widget's new state from the stored document, inside the write transaction.
pub type WidgetEdit =
    Box<dyn FnOnce(Document) -> std::result::Result<Document, ValidationError> + Send>;

#[async_trait]
pub trait WidgetStore: Send + Sync {
    /// The widgets of a dashboard the actor may see, in order.
    async fn list_widgets(&self, actor: &Actor, dashboard: ObjectId) -> Result<Vec<RawDoc>>;
    async fn get_widget(&self, actor: &Actor, dashboard: ObjectId, id: ObjectId) -> Result<RawDoc>;
    async fn create_widget(
        &self, actor: &Actor, dashboard: ObjectId, doc: Document,
    ) -> Result<Document>;
    async fn update_widget(
        &self, actor: &Actor, dashboard: ObjectId, id: ObjectId, edit: WidgetEdit,
    ) -> Result<Document>;
    async fn delete_widget(
        &self, actor: &Actor, dashboard: ObjectId, id: ObjectId, if_match: Option<IfMatch>,
    ) -> Result<()>;
}
