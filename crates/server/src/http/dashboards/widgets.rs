//! `/api/v1/dashboards/{id}/widgets`: a dashboard's widgets. Whoever may see the dashboard reads
//! them; whoever may edit it changes them.

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;
use tessera_domain::dashboard::parse_widget;
use tessera_domain::document::expect_object;
use tessera_domain::merge_patch::patched;
use tessera_domain::{Document, ObjectId, ResourceKind};

use crate::http::common::acting::Acting;
use crate::http::common::conditional::Precondition;
use crate::http::common::error::{ApiError, ApiResult, Code};
use crate::http::common::extract::{JsonBody, PathKey};
use crate::http::common::params::path_id;
use crate::http::common::shape::{Special, list_response, shape_one};
use crate::http::doc::params::{
    AdminAccess, IdPath, IfMatch, IfNoneMatch, SpecialFields, WidgetPath as WidgetPathDoc,
};
use crate::http::doc::responses::{
    Dashboards, DeleteErrors, NotModified, ReadErrors, Widgets, WriteErrors,
};
use crate::http::doc::schemas::Widget;
use crate::state::AppState;

/// `{id}` and `{widgetId}` of a widget's path.
pub struct WidgetPath(pub ObjectId, pub ObjectId);

impl axum::extract::FromRequestParts<AppState> for WidgetPath {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts, state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Path((dashboard, widget)) =
            Path::<(String, String)>::from_request_parts(parts, state).await.map_err(|e| {
                ApiError::new(Code::InvalidQuery, format!("Invalid path: {}", e.body_text()))
            })?;
        Ok(WidgetPath(
            path_id(ResourceKind::Dashboard, &dashboard)?,
            path_id(ResourceKind::Widget, &widget)?,
        ))
    }
}

/// List a dashboard's widgets
///
/// The widgets of a dashboard the caller can see, in order, with the special fields.
#[utoipa::path(get, operation_id = "listWidgets", path = "/api/v1/dashboards/{id}/widgets", tag = "widgets", params(IdPath, AdminAccess, SpecialFields), responses((status = 200, description = "The dashboard's widgets, in order", body = Vec<Widget>), ReadErrors<Dashboards>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn list(
    Acting { state, actor }: Acting, PathKey(key): PathKey, special: Special,
) -> ApiResult<Response> {
    let params = special.check(ResourceKind::Widget)?;
    let dashboard = path_id(ResourceKind::Dashboard, &key)?;
    let mut items = state.store.list_widgets(&actor, dashboard).await?;
    let page = &params.page;
    let skip = usize::try_from(page.skip).unwrap_or(usize::MAX);
    let limit = page.limit.map_or(usize::MAX, |l| usize::try_from(l).unwrap_or(usize::MAX));
    let total = items.len() as u64;
    items = items.into_iter().skip(skip).take(limit).collect();
    let page = tessera_store::ListPage { items, total: special.count.then_some(total) };
    list_response(&state, ResourceKind::Widget, page, params).await
}

/// Add a widget to a dashboard
///
/// Needs edit rights on the dashboard; the widget gets its `oid` and `dashboardid`.
#[utoipa::path(post, operation_id = "createWidget", path = "/api/v1/dashboards/{id}/widgets", tag = "widgets", params(IdPath, AdminAccess), request_body(content = Object, description = "The widget (open: `title`, `type`, `subtype`, `metadata`, `style`, ...)"), responses((status = 201, description = "Created, with its `oid` and `dashboardid`", body = Widget), WriteErrors<Dashboards>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create(
    Acting { state, actor }: Acting, PathKey(key): PathKey, JsonBody(body): JsonBody,
) -> ApiResult<(StatusCode, Json<Document>)> {
    let dashboard = path_id(ResourceKind::Dashboard, &key)?;
    let doc = parse_widget(body)?;
    let created = state.store.create_widget(&actor, dashboard, doc).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Get a widget
///
/// One widget of a dashboard the caller can see.
#[utoipa::path(get, operation_id = "getWidget", path = "/api/v1/dashboards/{id}/widgets/{widgetId}", tag = "widgets", params(WidgetPathDoc, IfNoneMatch, AdminAccess, SpecialFields), responses((status = 200, description = "The widget", body = Widget), NotModified, ReadErrors<Widgets>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn get(
    Acting { state, actor }: Acting, WidgetPath(dashboard, widget): WidgetPath, special: Special,
) -> ApiResult<Response> {
    let params = special.check(ResourceKind::Widget)?;
    let doc = state.store.get_widget(&actor, dashboard, widget).await?;
    shape_one(&state, ResourceKind::Widget, doc, params).await
}

/// Change a widget (PUT)
///
/// As PATCH: the body's fields are merged into the stored widget (clients such as pysisense
/// send a widget's `script`, `title`, `style` or `metadata` alone this way). `sharedMode` and
/// `adminAccess` in the body are request flags, not widget fields, and are left out.
#[utoipa::path(put, operation_id = "updateWidget", path = "/api/v1/dashboards/{id}/widgets/{widgetId}", tag = "widgets", params(WidgetPathDoc, IfMatch, AdminAccess), request_body(content = Object, description = "The fields to change (merged, as PATCH)"), responses((status = 200, description = "Changed", body = Widget), WriteErrors<Widgets>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn update(
    acting: Acting, path: WidgetPath, precondition: Precondition, body: JsonBody,
) -> ApiResult<Json<Document>> {
    patch(acting, path, precondition, body).await
}

/// Change a widget
///
/// A JSON merge patch (RFC 7396) on the stored widget; needs edit rights on the dashboard.
#[utoipa::path(patch, operation_id = "patchWidget", path = "/api/v1/dashboards/{id}/widgets/{widgetId}", tag = "widgets", params(WidgetPathDoc, IfMatch, AdminAccess), request_body(content = Object, description = "JSON merge patch (RFC 7396)"), responses((status = 200, description = "Patched", body = Widget), WriteErrors<Widgets>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn patch(
    Acting { state, actor }: Acting, WidgetPath(dashboard, widget): WidgetPath,
    precondition: Precondition, JsonBody(body): JsonBody,
) -> ApiResult<Json<Document>> {
    let mut patch = expect_object(body)?;
    for flag in ["sharedMode", "adminAccess"] {
        patch.shift_remove(flag);
    }
    let patch = Value::Object(patch);
    let edit = move |current: Document| {
        precondition.check(&current)?;
        parse_widget(patched(current, &patch))
    };
    let doc = state.store.update_widget(&actor, dashboard, widget, Box::new(edit)).await?;
    Ok(Json(doc))
}

/// Delete a widget
///
/// Needs edit rights on the dashboard.
#[utoipa::path(delete, operation_id = "deleteWidget", path = "/api/v1/dashboards/{id}/widgets/{widgetId}", tag = "widgets", params(WidgetPathDoc, IfMatch, AdminAccess), responses((status = 204, description = "Deleted"), DeleteErrors<Widgets>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn delete(
    Acting { state, actor }: Acting, WidgetPath(dashboard, widget): WidgetPath,
    Precondition(if_match): Precondition,
) -> ApiResult<StatusCode> {
    state.store.delete_widget(&actor, dashboard, widget, if_match).await?;
    Ok(StatusCode::NO_CONTENT)
}
