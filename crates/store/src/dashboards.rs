//! Dashboards, their widgets and shares. Every call names the [`Actor`] it acts for, and the engine applies the access rules of `tessera_domain::dashboard` inside
//! the same transaction as the read or write, so that a share withdrawn a moment ago is never
//! honoured.

use async_trait::async_trait;
use tessera_domain::dashboard::{Access, Actor, DashboardDraft, Rule};
use tessera_domain::etag::IfMatch;
use tessera_domain::lazy::RawDoc;
use tessera_domain::{Document, ObjectId, ValidationError};

use crate::{ListPage, ListRequest, Result, StoreError};

/// Computes a dashboard's new state from the stored document and the caller's access, inside
/// the write transaction.
pub type DashboardEdit =
    Box<dyn FnOnce(Document) -> std::result::Result<DashboardDraft, ValidationError> + Send>;
/// Filters of `GET /api/v1/dashboards`; every one that is set must hold.
#[derive(Debug, Clone, Default)]
pub struct DashboardFilter {
    /// The whole title, case-insensitive.
    pub name: Option<String>,
    /// Part of the title, case-insensitive.
    pub search: Option<String>,
    /// In this folder; `Some(None)`: in no folder.
    pub parent_folder: Option<Option<ObjectId>>,
    /// The data source's title, case-insensitive.
    pub datasource_title: Option<String>,
    /// The data source's address, case-insensitive.
    pub datasource_address: Option<String>,
    pub owner: Option<ObjectId>,
    pub ids: Option<Vec<ObjectId>>,
}

/// What an import does with a dashboard whose `oid` already exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportAction {
    /// Leave the existing one alone and report the import as skipped.
    Skip,
    /// Replace the existing one's document and widgets (it keeps its owner and `oid`).
    Overwrite,
    /// Import as a new dashboard with a new `oid`.
    Duplicate,
}

/// One dashboard of an import: the `oid` it came with, and its document, valid or not.
#[derive(Debug)]
pub struct ImportItem {
    pub oid: Option<ObjectId>,
    pub title: Option<String>,
    pub draft: std::result::Result<DashboardDraft, ValidationError>,
}

/// What an import did, item by item.
#[derive(Debug, Default)]
pub struct ImportReport {
    /// The imported dashboards, as stored, with their widgets.
    pub imported: Vec<Document>,
    /// `(oid, title)` of the dashboards left alone.
    pub skipped: Vec<(String, Option<String>)>,
    /// Why each failed item failed, keyed by its `oid` (or its position when it had none).
    pub failed: Vec<(String, StoreError)>,
}

/// Everything the content routes need from a storage engine. Deletes take an `If-Match`
/// precondition, checked (after the access rules) against the entity as stored in the same
/// transaction.
#[async_trait]
pub trait DashboardStore: Send + Sync {
    /// Creates all the dashboards (with their widgets), owned by the actor, or none of them.
    async fn create_dashboards(
        &self, actor: &Actor, drafts: Vec<DashboardDraft>,
    ) -> Result<Vec<Document>>;
    /// The dashboard and what the actor may do with it; `None` when it does not exist or the
    /// actor may not see it.
    async fn get_dashboard(&self, actor: &Actor, id: ObjectId) -> Result<Option<(RawDoc, Access)>>;
    /// The dashboards the actor may see (all of them for an admin acting as one).
    async fn list_dashboards(
        &self, actor: &Actor, request: ListRequest<DashboardFilter>,
    ) -> Result<ListPage>;
    /// Replaces a dashboard with what `edit` makes of it. `NotFound` when the actor cannot see
    /// it; `Forbidden` when they may not edit it, or change its shares without owning it.
    /// A draft with widgets replaces the widgets.
    async fn update_dashboard(
        &self, actor: &Actor, id: ObjectId, edit: DashboardEdit,
    ) -> Result<Document>;
    /// Gives the dashboard to `new_owner`; the previous owner keeps a share with `previous_rule`.
    async fn change_dashboard_owner(
        &self, actor: &Actor, id: ObjectId, new_owner: ObjectId, previous_rule: Rule,
    ) -> Result<Document>;
    /// Deletes all the dashboards (the actor must own each) or none.
    async fn delete_dashboards(
        &self, actor: &Actor, ids: Vec<ObjectId>, if_match: Option<IfMatch>,
    ) -> Result<()>;
    /// The whole documents, each with its `widgets`, in the order asked.
    async fn export_dashboards(&self, actor: &Actor, ids: Vec<ObjectId>) -> Result<Vec<Document>>;
    /// Imports each item on its own: a failed item changes nothing and does not stop the others.
    async fn import_dashboards(
        &self, actor: &Actor, items: Vec<ImportItem>, action: ImportAction,
        folder: Option<ObjectId>,
    ) -> Result<ImportReport>;
}
