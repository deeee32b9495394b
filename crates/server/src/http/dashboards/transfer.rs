//! Moving dashboards between servers: export (one or many, with their widgets) and import.

use axum::Json;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use tessera_domain::dashboard::parse_dashboard;
use tessera_domain::{Document, ResourceKind};
use tessera_store::{ImportAction, ImportItem};
use utoipa::IntoParams;

use crate::http::common::acting::Acting;
use crate::http::common::bodies::expect_array;
use crate::http::common::error::{ApiError, ApiResult, Code, Found, envelope};
use crate::http::common::extract::{JsonBody, PathKey, Query};
use crate::http::common::params::{bulk_ids, id_param};
use crate::http::doc::params::{AdminAccess, IdPath};
use crate::http::doc::responses::{CreateInErrors, Dashboards, Folders, NotRendered, ReadErrors};
use crate::http::doc::schemas::{Dashboard, ImportResult};

use super::v1::{DashboardIds, dashboard_id};

/// Export dashboards
///
/// The whole documents the caller can see, each with its `widgets`, ready to import elsewhere.
#[utoipa::path(get, operation_id = "exportDashboards", path = "/api/v1/dashboards/export", tag = "dashboards", params(DashboardIds, AdminAccess), responses((status = 200, description = "The whole documents, each with its `widgets`", body = Vec<Dashboard>), ReadErrors<Dashboards>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn export(
    Acting { state, actor }: Acting, Query(q): Query<DashboardIds>,
) -> ApiResult<Json<Vec<Document>>> {
    let ids = bulk_ids(ResourceKind::Dashboard, "dashboardIds", q.dashboard_ids.as_deref())?;
    Ok(Json(state.store.export_dashboards(&actor, ids).await?))
}

/// Export a dashboard
///
/// One whole document with its `widgets`: a `.dash` file.
#[utoipa::path(get, operation_id = "exportDashboard", path = "/api/v1/dashboards/{id}/export/dash", tag = "dashboards", params(IdPath, AdminAccess), responses((status = 200, description = "The whole document with its `widgets` (a .dash file)", body = Dashboard), ReadErrors<Dashboards>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn export_one(
    Acting { state, actor }: Acting, PathKey(key): PathKey,
) -> ApiResult<Json<Document>> {
    let id = dashboard_id(&key)?;
    let mut docs = state.store.export_dashboards(&actor, vec![id]).await?;
    Ok(Json(docs.remove(0)))
}

/// How to import.
#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// When an imported oid exists already: `skip` it, `overwrite` it (with edit rights), or
    /// `duplicate` it under a new oid (the default).
    #[param(value_type = Option<String>, pattern = "^(skip|overwrite|duplicate)$")]
    action: Option<String>,
    /// Put every imported dashboard in this folder of the caller's (its oid).
    import_folder: Option<String>,
}

/// Import dashboards
///
/// Exported dashboards (`.dash` documents), each imported on its own: a failed item changes
/// nothing and does not stop the others. Answers what was imported (`succeded`, as Sisense
/// spells it, and `succeeded`), skipped, and why some failed.
#[utoipa::path(post, operation_id = "importDashboards", path = "/api/v1/dashboards/import/bulk", tag = "dashboards", params(ImportQuery), request_body(content = Vec<Object>, description = "Exported dashboards (.dash documents)"), responses((status = 201, description = "What was imported, skipped and why some failed", body = ImportResult), CreateInErrors<Folders>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn import(
    Acting { state, actor }: Acting, Query(q): Query<ImportQuery>, JsonBody(body): JsonBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let action = match q.action.as_deref() {
        None | Some("duplicate") => ImportAction::Duplicate,
        Some("skip") => ImportAction::Skip,
        Some("overwrite") => ImportAction::Overwrite,
        Some(other) => {
            return Err(ApiError::new(
                Code::InvalidQuery,
                format!(
                    "Query parameter 'action' must be skip, overwrite or duplicate, not '{other}'"
                ),
            ));
        }
    };
    let folder = match q.import_folder.as_deref() {
        None | Some("") => None,
        Some(f) => id_param("importFolder", Some(f))?,
    };
    let items = expect_array(body)?
        .into_iter()
        .map(|doc| ImportItem {
            oid: doc.get("oid").and_then(Value::as_str).and_then(|o| o.parse().ok()),
            title: doc.get("title").and_then(Value::as_str).map(str::to_owned),
            draft: parse_dashboard(doc),
        })
        .collect();
    let report = state.store.import_dashboards(&actor, items, action, folder).await?;
    let failed: Map<String, Value> = report
        .failed
        .into_iter()
        .map(|(key, e)| {
            let e = ApiError::from(e);
            let mut env = envelope(e.code(), e.message(), None);
            (key, env["error"].take())
        })
        .collect();
    let skipped: Vec<Value> = report
        .skipped
        .into_iter()
        .map(|(oid, title)| json!({"oid": oid, "title": title}))
        .collect();
    // `succeded` is Sisense's spelling, which clients read; `succeeded` is for everyone else.
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "succeded": report.imported,
            "succeeded": report.imported,
            "skipped": skipped,
            "failed": failed,
        })),
    ))
}

/// Export a dashboard as an image (not available)
///
/// Rendering needs a browser engine Tessera does not embed: a dashboard the caller can see
/// answers 501 in the error envelope (an unknown one, 404). Export the `.dash` document with
/// `GET /api/v1/dashboards/{id}/export/dash` instead.
#[utoipa::path(get, operation_id = "exportDashboardPng", path = "/api/v1/dashboards/{id}/export/png", tag = "dashboards", params(IdPath, AdminAccess), responses(NotRendered, ReadErrors<Dashboards>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn export_png(acting: Acting, key: PathKey) -> ApiResult<Json<Document>> {
    not_rendered(acting, key, "PNG").await
}

/// Export a dashboard as a PDF (not available)
///
/// As the PNG export: 501 for a dashboard the caller can see, 404 for any other.
#[utoipa::path(get, operation_id = "exportDashboardPdf", path = "/api/v1/dashboards/{id}/export/pdf", tag = "dashboards", params(IdPath, AdminAccess), responses(NotRendered, ReadErrors<Dashboards>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn export_pdf(acting: Acting, key: PathKey) -> ApiResult<Json<Document>> {
    not_rendered(acting, key, "PDF").await
}

async fn not_rendered(
    Acting { state, actor }: Acting, PathKey(key): PathKey, format: &str,
) -> ApiResult<Json<Document>> {
    let id = dashboard_id(&key)?;
    state.store.get_dashboard(&actor, id).await?.found(ResourceKind::Dashboard, &key)?;
    Err(ApiError::new(
        Code::NotImplemented,
        format!(
            "{format} export needs rendering, which this server does not do; export the .dash document instead"
        ),
    ))
}
