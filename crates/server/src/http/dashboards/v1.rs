//! `/api/v1/dashboards`: the dashboards the caller owns or that are shared with them; sharing,
//! ownership, export and import, searches.

use axum::Json;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};
use tessera_domain::dashboard::parse_dashboard;
use tessera_domain::document::expect_object;
use tessera_domain::merge_patch::patched;
use tessera_domain::{Document, ObjectId, ResourceKind};
use tessera_store::DashboardFilter;
use utoipa::IntoParams;

use crate::http::common::acting::Acting;
use crate::http::common::conditional::Precondition;
use crate::http::common::error::{ApiResult, Found};
use crate::http::common::extract::{JsonBody, PathKey, Query};
use crate::http::common::params::{bulk_ids, id_list_param, id_param, path_id};
use crate::http::common::shape::{Special, list_response, shape_one};
use crate::http::doc::params::{AdminAccess, IdPath, IfMatch, IfNoneMatch, SpecialFields};
use crate::http::doc::responses::{
    CreateInErrors, Dashboards, DeleteErrors, Folders, ListErrors, NotModified, ReadErrors,
    WriteErrors,
};
use crate::http::doc::schemas::{Dashboard, Exists, NewDashboard};

/// The filters of `GET /api/v1/dashboards`; every one given must hold.
#[derive(Deserialize, Default, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// The whole title, case-insensitive.
    pub(super) name: Option<String>,
    /// In this folder (its oid); `null` for the dashboards in no folder.
    pub(super) parent_folder: Option<String>,
    /// The data source's title, case-insensitive.
    pub(super) datasource_title: Option<String>,
    /// The data source's address, case-insensitive.
    pub(super) datasource_address: Option<String>,
    /// Owned by this user (their id).
    #[param(pattern = "^[0-9a-fA-F]{24}$")]
    pub(super) owner_id: Option<String>,
    /// These dashboards only: comma-separated oids.
    pub(super) ids: Option<String>,
}

impl ListQuery {
    pub(super) fn filter(self) -> ApiResult<DashboardFilter> {
        Ok(DashboardFilter {
            parent_folder: match self.parent_folder.as_deref() {
                None => None,
                Some("" | "null") => Some(None),
                Some(f) => Some(id_param("parentFolder", Some(f))?),
            },
            owner: id_param("ownerId", self.owner_id.as_deref())?,
            ids: id_list_param("ids", self.ids.as_deref())?,
            name: self.name,
            search: None,
            datasource_title: self.datasource_title,
            datasource_address: self.datasource_address,
        })
    }
}

/// List dashboards
///
/// The dashboards the caller owns or that are shared with them (every one, for an
/// administrator with `adminAccess=true`), filtered, with the special fields
/// (`expand=owner,parentFolder`).
#[utoipa::path(get, operation_id = "listDashboards", path = "/api/v1/dashboards", tag = "dashboards", params(ListQuery, AdminAccess, SpecialFields), responses((status = 200, description = "The dashboards the caller owns or that are shared with them", body = Vec<Dashboard>), ListErrors))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn list(
    Acting { state, actor }: Acting, Query(q): Query<ListQuery>, special: Special,
) -> ApiResult<Response> {
    let params = special.check(ResourceKind::Dashboard)?;
    let page = state.store.list_dashboards(&actor, special.list(q.filter()?)).await?;
    list_response(&state, ResourceKind::Dashboard, page, params).await
}

/// Create a dashboard
///
/// The caller owns it. With `widgets`, they are created too; `shares` name existing users and
/// groups; `parentFolder` must be a folder of the caller's.
#[utoipa::path(post, operation_id = "createDashboard", path = "/api/v1/dashboards", tag = "dashboards", request_body = NewDashboard, responses((status = 201, description = "Created, owned by the caller", body = Dashboard), CreateInErrors<Folders>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create(
    Acting { state, actor }: Acting, JsonBody(body): JsonBody,
) -> ApiResult<(StatusCode, Json<Document>)> {
    let draft = parse_dashboard(body)?;
    let mut created = state.store.create_dashboards(&actor, vec![draft]).await?;
    Ok((StatusCode::CREATED, Json(created.remove(0))))
}

pub(super) fn dashboard_id(key: &str) -> ApiResult<ObjectId> {
    path_id(ResourceKind::Dashboard, key)
}

/// Get a dashboard
///
/// A dashboard the caller can see (not visible is not found), with the special fields.
#[utoipa::path(get, operation_id = "getDashboard", path = "/api/v1/dashboards/{id}", tag = "dashboards", params(IdPath, IfNoneMatch, AdminAccess, SpecialFields), responses((status = 200, description = "The dashboard", body = Dashboard), NotModified, ReadErrors<Dashboards>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn get(
    Acting { state, actor }: Acting, PathKey(key): PathKey, special: Special,
) -> ApiResult<Response> {
    let params = special.check(ResourceKind::Dashboard)?;
    let id = dashboard_id(&key)?;
    let (doc, _) =
        state.store.get_dashboard(&actor, id).await?.found(ResourceKind::Dashboard, key)?;
    shape_one(&state, ResourceKind::Dashboard, doc, params).await
}

/// Replace a dashboard
///
/// The body replaces the dashboard; with `widgets`, they are replaced too. Needs an `edit`
/// share or ownership; only the owner changes `shares`.
#[utoipa::path(put, operation_id = "replaceDashboard", path = "/api/v1/dashboards/{id}", tag = "dashboards", params(IdPath, IfMatch, AdminAccess), request_body = NewDashboard, responses((status = 200, description = "Replaced (with `widgets`, they are replaced too)", body = Dashboard), WriteErrors<Dashboards>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn replace(
    Acting { state, actor }: Acting, PathKey(key): PathKey, precondition: Precondition,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Document>> {
    let id = dashboard_id(&key)?;
    let draft = parse_dashboard(body)?;
    let edit = move |current: Document| precondition.check(&current).map(|()| draft);
    let doc = state.store.update_dashboard(&actor, id, Box::new(edit)).await?;
    Ok(Json(doc))
}

/// Change a dashboard
///
/// A JSON merge patch (RFC 7396) on the stored dashboard, validated as a whole afterwards.
/// Needs an `edit` share or ownership; only the owner changes `shares`.
#[utoipa::path(patch, operation_id = "patchDashboard", path = "/api/v1/dashboards/{id}", tag = "dashboards", params(IdPath, IfMatch, AdminAccess), request_body(content = Object, description = "JSON merge patch (RFC 7396)"), responses((status = 200, description = "Patched", body = Dashboard), WriteErrors<Dashboards>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn patch(
    Acting { state, actor }: Acting, PathKey(key): PathKey, precondition: Precondition,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Document>> {
    let id = dashboard_id(&key)?;
    let patch = Value::Object(expect_object(body)?);
    let edit = move |current: Document| {
        precondition.check(&current)?;
        parse_dashboard(patched(current, &patch))
    };
    let doc = state.store.update_dashboard(&actor, id, Box::new(edit)).await?;
    Ok(Json(doc))
}

/// Delete a dashboard
///
/// The owner or an administrator (`super`, `admin`; `adminAccess` is not needed here, as
/// Sisense's clients never send it) deletes it, with its widgets.
#[utoipa::path(delete, operation_id = "deleteDashboard", path = "/api/v1/dashboards/{id}", tag = "dashboards", params(IdPath, IfMatch, AdminAccess), responses((status = 204, description = "Deleted, with its widgets"), DeleteErrors<Dashboards>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn delete(
    Acting { state, actor }: Acting, PathKey(key): PathKey, Precondition(if_match): Precondition,
) -> ApiResult<StatusCode> {
    let id = dashboard_id(&key)?;
    state.store.delete_dashboards(&actor.with_admin_rights(), vec![id], if_match).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The dashboards a bulk route acts on.
#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct DashboardIds {
    /// Comma-separated oids, every one of which must name a dashboard the caller can see.
    #[param(required = true)]
    pub(super) dashboard_ids: Option<String>,
}

/// Delete dashboards in bulk
///
/// All or none: one the caller may not delete, or that does not exist, and none is deleted.
#[utoipa::path(delete, operation_id = "deleteDashboardsBulk", path = "/api/v1/dashboards/bulk", tag = "dashboards", params(DashboardIds, AdminAccess), responses((status = 204, description = "Deleted, all of them; or none, when one fails"), DeleteErrors<Dashboards>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn delete_bulk(
    Acting { state, actor }: Acting, Query(q): Query<DashboardIds>,
) -> ApiResult<StatusCode> {
    let ids = bulk_ids(ResourceKind::Dashboard, "dashboardIds", q.dashboard_ids.as_deref())?;
    state.store.delete_dashboards(&actor, ids, None).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Ask whether a dashboard exists
///
/// Whether the caller can see a dashboard with this oid; a malformed oid is simply `false`.
#[utoipa::path(get, operation_id = "dashboardExists", path = "/api/v1/dashboards/{id}/exists", tag = "dashboards", params(IdPath, AdminAccess), responses((status = 200, description = "Whether the caller can see such a dashboard", body = Exists), ListErrors))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn exists(
    Acting { state, actor }: Acting, PathKey(key): PathKey,
) -> ApiResult<Json<Value>> {
    let exists = match key.parse::<ObjectId>() {
        Ok(id) => state.store.get_dashboard(&actor, id).await?.is_some(),
        Err(_) => false,
    };
    Ok(Json(json!({ "exists": exists })))
}
