//! What a user finds when they open the app: every folder and dashboard they may see, nested
//! (`GET /api/v1/navver`, `GET /api/v1/folders?structure=tree`, and the web app's home).

use serde_json::Value;
use tessera_domain::Document;
use tessera_domain::dashboard::Actor;
use tessera_domain::folder::tree;
use tessera_store::{DashboardFilter, FolderFilter, ListPage, ListRequest};

use crate::http::common::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The fields of a dashboard shown inside a folder tree.
const DASHBOARD_SUMMARY: &[&str] =
    &["oid", "title", "desc", "owner", "parentFolder", "created", "lastUpdated"];

fn parse_docs(page: ListPage) -> ApiResult<Vec<Document>> {
    page.items
        .iter()
        .map(|raw| serde_json::from_str(raw.get()).map_err(ApiError::internal))
        .collect()
}

/// Every folder and dashboard the actor may see, nested: the root folders, and the dashboards
/// in no (visible) folder.
pub async fn nested(state: &AppState, actor: &Actor) -> ApiResult<(Vec<Value>, Vec<Value>)> {
    let folders =
        state.store.list_folders(actor, ListRequest::all(FolderFilter::default())).await?;
    let dashboards =
        state.store.list_dashboards(actor, ListRequest::all(DashboardFilter::default())).await?;
    let dashboards = parse_docs(dashboards)?
        .into_iter()
        .map(|mut d| {
            d.retain(|k, _| DASHBOARD_SUMMARY.contains(&k.as_str()));
            d
        })
        .collect();
    Ok(tree(parse_docs(folders)?, dashboards))
}
