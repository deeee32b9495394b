//! API 0.9 dashboards, widgets and shares, as thin adapters over the 1.0 handlers. Two 0.9
//! habits differ from 1.0: creates answer 200, and `PUT /api/dashboards/{id}` merges like PATCH
//! (clients such as pysisense send partial documents with it, e.g. `{"script": ...}`).

use axum::Json;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tessera_domain::dashboard::{Actor, parse_dashboard};
use tessera_domain::document::expect_object;
use tessera_domain::{Document, ObjectId, ResourceKind, ValidationError};

use super::sharing::{self, shares_of};
use super::v1::{self as dashboards, ListQuery};
use super::widgets::{self, WidgetPath};
use crate::http::common::acting::Acting;
use crate::http::common::bodies::deleted;
use crate::http::common::conditional::Precondition;
use crate::http::common::error::{ApiError, ApiResult};
use crate::http::common::extract::{JsonBody, PathKey, Query};
use crate::http::common::params::path_id;
use crate::http::common::shape::Special;
use crate::http::doc::params::{
    AdminAccess, IdPath, IfMatch, IfNoneMatch, SpecialFields, WidgetPath as WidgetPathDoc,
};
use crate::http::doc::responses::{
    CreateInErrors, Dashboards, DeleteErrors, Folders, ListErrors, NotModified, ReadErrors,
    Widgets, WriteErrors,
};
use crate::http::doc::schemas::{Dashboard, Deleted, NewDashboard, NewShares, Shares, Widget};
use crate::state::AppState;

/// List dashboards (API 0.9)
///
/// As `GET /api/v1/dashboards`: the dashboards the caller owns or that are shared with them.
#[utoipa::path(get, operation_id = "listDashboardsV09", path = "/api/dashboards", tag = "dashboards", params(ListQuery, AdminAccess, SpecialFields), responses((status = 200, description = "The dashboards the caller owns or that are shared with them", body = Vec<Dashboard>), ListErrors))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn list(
    acting: Acting, query: Query<ListQuery>, special: Special,
) -> ApiResult<Response> {
    dashboards::list(acting, query, special).await
}

/// Create a dashboard (API 0.9)
///
/// As `POST /api/v1/dashboards`, answered with 200 as API 0.9 does.
#[utoipa::path(post, operation_id = "createDashboardsV09", path = "/api/dashboards", tag = "dashboards", request_body = NewDashboard, responses((status = 200, description = "Created, owned by the caller", body = Dashboard), CreateInErrors<Folders>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create(
    Acting { state, actor }: Acting, JsonBody(body): JsonBody,
) -> ApiResult<Json<Value>> {
    let (items, one) = match body {
        Value::Array(items) => (items, false),
        other => (vec![other], true),
    };
    let drafts = items.into_iter().map(parse_dashboard).collect::<Result<Vec<_>, _>>()?;
    let mut created = state.store.create_dashboards(&actor, drafts).await?;
    Ok(Json(if one {
        Value::Object(created.remove(0))
    } else {
        Value::Array(created.into_iter().map(Value::Object).collect())
    }))
}

/// Get a dashboard (API 0.9)
///
/// As `GET /api/v1/dashboards/{id}`, with the whole `widgets` documents in it, as API 0.9
/// answers (unless `fields` picks the fields to answer with).
#[utoipa::path(get, operation_id = "getDashboardV09", path = "/api/dashboards/{id}", tag = "dashboards", params(IdPath, IfNoneMatch, AdminAccess, SpecialFields), responses((status = 200, description = "The dashboard, with its widgets", body = Dashboard), NotModified, ReadErrors<Dashboards>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn get(acting: Acting, key: PathKey, special: Special) -> ApiResult<Response> {
    if special.params.fields.is_some() {
        return dashboards::get(acting, key, special).await;
    }
    let (state, actor) = (acting.state.clone(), acting.actor.clone());
    let id = path_id(ResourceKind::Dashboard, &key.0)?;
    let response = dashboards::get(acting, key, special).await?;
    let bytes =
        axum::body::to_bytes(response.into_body(), usize::MAX).await.map_err(ApiError::internal)?;
    let mut doc: Document = serde_json::from_slice(&bytes).map_err(ApiError::internal)?;
    let widgets = state.store.list_widgets(&actor, id).await?;
    let widgets = widgets
        .iter()
        .map(|raw| serde_json::from_str(raw.get()).map_err(ApiError::internal))
        .collect::<ApiResult<Vec<Value>>>()?;
    doc.insert("widgets".into(), Value::Array(widgets));
    Ok(Json(doc).into_response())
}

/// Export a dashboard (API 0.9)
///
/// As `GET /api/v1/dashboards/{id}/export/dash`: the whole document with its `widgets`.
#[utoipa::path(get, operation_id = "exportDashboardV09", path = "/api/dashboards/{id}/export", tag = "dashboards", params(IdPath, AdminAccess), responses((status = 200, description = "The whole document with its `widgets` (a .dash file)", body = Dashboard), ReadErrors<Dashboards>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn export(acting: Acting, key: PathKey) -> ApiResult<Json<Document>> {
    super::transfer::export_one(acting, key).await
}

/// Change a dashboard (API 0.9 PUT)
///
/// API 0.9's PUT merges like PATCH: clients such as pysisense send partial documents with it.
#[utoipa::path(put, operation_id = "updateDashboardV09", path = "/api/dashboards/{id}", tag = "dashboards", params(IdPath, IfMatch, AdminAccess), request_body(content = Object, description = "The fields to change (API 0.9 merges, like PATCH)"), responses((status = 200, description = "Changed", body = Dashboard), WriteErrors<Dashboards>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn update(
    acting: Acting, key: PathKey, precondition: Precondition, body: JsonBody,
) -> ApiResult<Json<Document>> {
    dashboards::patch(acting, key, precondition, body).await
}

/// Change a dashboard (API 0.9)
///
/// As `PATCH /api/v1/dashboards/{id}`.
#[utoipa::path(patch, operation_id = "patchDashboardV09", path = "/api/dashboards/{id}", tag = "dashboards", params(IdPath, IfMatch, AdminAccess), request_body(content = Object, description = "JSON merge patch (RFC 7396)"), responses((status = 200, description = "Patched", body = Dashboard), WriteErrors<Dashboards>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn patch(
    acting: Acting, key: PathKey, precondition: Precondition, body: JsonBody,
) -> ApiResult<Json<Document>> {
    dashboards::patch(acting, key, precondition, body).await
}

/// Delete a dashboard (API 0.9)
///
/// Answers 200 with `{"deleted": [id]}`, as API 0.9 does.
#[utoipa::path(delete, operation_id = "deleteDashboardV09", path = "/api/dashboards/{id}", tag = "dashboards", params(IdPath, IfMatch, AdminAccess), responses((status = 200, description = "Deleted, with its widgets", body = Deleted), DeleteErrors<Dashboards>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn delete(
    acting: Acting, PathKey(key): PathKey, precondition: Precondition,
) -> ApiResult<Json<Value>> {
    let id = path_id(ResourceKind::Dashboard, &key)?;
    dashboards::delete(acting, PathKey(key), precondition).await?;
    Ok(deleted(&[id]))
}

/// List a dashboard's widgets (API 0.9)
///
/// As `GET /api/v1/dashboards/{id}/widgets`.
#[utoipa::path(get, operation_id = "listWidgetsV09", path = "/api/dashboards/{id}/widgets", tag = "dashboards", params(IdPath, AdminAccess, SpecialFields), responses((status = 200, description = "The dashboard's widgets, in order", body = Vec<Widget>), ReadErrors<Dashboards>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn list_widgets(acting: Acting, key: PathKey, special: Special) -> ApiResult<Response> {
    widgets::list(acting, key, special).await
}

/// Add a widget to a dashboard (API 0.9)
///
/// As `POST /api/v1/dashboards/{id}/widgets`, answered with 200.
#[utoipa::path(post, operation_id = "createWidgetV09", path = "/api/dashboards/{id}/widgets", tag = "dashboards", params(IdPath, AdminAccess), request_body(content = Object, description = "The widget (open)"), responses((status = 200, description = "Created", body = Widget), WriteErrors<Dashboards>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create_widget(
    acting: Acting, key: PathKey, body: JsonBody,
) -> ApiResult<Json<Document>> {
    let (_, created) = widgets::create(acting, key, body).await?;
    Ok(created)
}

/// Get a widget (API 0.9)
///
/// As `GET /api/v1/dashboards/{id}/widgets/{widgetId}`.
#[utoipa::path(get, operation_id = "getWidgetV09", path = "/api/dashboards/{id}/widgets/{widgetId}", tag = "dashboards", params(WidgetPathDoc, IfNoneMatch, AdminAccess, SpecialFields), responses((status = 200, description = "The widget", body = Widget), NotModified, ReadErrors<Widgets>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn get_widget(acting: Acting, path: WidgetPath, special: Special) -> ApiResult<Response> {
    widgets::get(acting, path, special).await
}

/// Change a widget (API 0.9 PUT)
///
/// As `PUT /api/v1/dashboards/{id}/widgets/{widgetId}`: the body's fields are merged into the
/// widget (`script`, `title`, `style`, `metadata`, ...); `sharedMode` and `adminAccess` in the
/// body are left out.
#[utoipa::path(put, operation_id = "updateWidgetV09", path = "/api/dashboards/{id}/widgets/{widgetId}", tag = "dashboards", params(WidgetPathDoc, IfMatch, AdminAccess), request_body(content = Object, description = "The fields to change (merged, as PATCH)"), responses((status = 200, description = "Changed", body = Widget), WriteErrors<Widgets>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn update_widget(
    acting: Acting, path: WidgetPath, precondition: Precondition, body: JsonBody,
) -> ApiResult<Json<Document>> {
    widgets::update(acting, path, precondition, body).await
}

/// Get a dashboard's shares (API 0.9)
///
/// Who the dashboard is shared with (`sharesTo`), and its owner.
#[utoipa::path(get, operation_id = "getSharesV09", path = "/api/shares/dashboard/{id}", tag = "dashboards", params(IdPath, AdminAccess), responses((status = 200, description = "Who the dashboard is shared with, and its owner", body = Shares), ReadErrors<Dashboards>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn shares(acting: Acting, key: PathKey) -> ApiResult<Json<Value>> {
    sharing::shares(acting, key).await
}

/// Set a dashboard's shares (API 0.9)
///
/// Replaces `sharesTo`; only the owner reshares.
#[utoipa::path(post, operation_id = "setSharesV09", path = "/api/shares/dashboard/{id}", tag = "dashboards", params(IdPath, AdminAccess), request_body = NewShares, responses((status = 200, description = "The shares now", body = Shares), WriteErrors<Dashboards>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn set_shares(
    Acting { state, actor }: Acting, PathKey(key): PathKey, JsonBody(body): JsonBody,
) -> ApiResult<Json<Value>> {
    let id: ObjectId = path_id(ResourceKind::Dashboard, &key)?;
    let mut body = expect_object(body)?;
    let shares = match body.shift_remove("sharesTo") {
        Some(Value::Array(items)) => items,
        _ => return Err(ValidationError::invalid("sharesTo", "must be an array").into()),
    };
    set(&state, &actor, id, shares).await?;
    shares_of(&state, &actor, &key).await.map(Json)
}

async fn set(state: &AppState, actor: &Actor, id: ObjectId, shares: Vec<Value>) -> ApiResult<()> {
    let edit = move |mut current: Document| {
        let owner = current.get("owner").cloned();
        let kept: Vec<Value> = shares
            .into_iter()
            .filter(|s| owner.is_none() || s.get("shareId") != owner.as_ref())
            .collect();
        current.insert("shares".into(), json!(kept));
        parse_dashboard(Value::Object(current))
    };
    state.store.update_dashboard(actor, id, Box::new(edit)).await?;
    Ok(())
}
