//! `/api/v1/dashboards`: the dashboards the caller owns or that are shared with them; sharing,
//! ownership, export and import, searches.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};
use tessera_domain::dashboard::parse_dashboard;
use tessera_domain::document::expect_object;
use tessera_domain::merge_patch::patched;
use tessera_domain::query::Resource;
use tessera_domain::{Document, ObjectId, ResourceKind};
use tessera_store::DashboardFilter;

use crate::http::common::acting::Acting;
use crate::http::common::conditional::Precondition;
use crate::http::common::error::{ApiError, ApiResult};
use crate::http::common::extract::{JsonBody, PathKey, Query};
use crate::http::common::params::{bulk_ids, id_list_param, id_param, path_id};
use crate::http::common::shape::{Special, list_response, shape_one};
use crate::http::doc::responses::{ReadErrors, WriteErrors};
use crate::state::AppState;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ListQuery {
    pub(super) name: Option<String>,
    pub(super) parent_folder: Option<String>,
    pub(super) datasource_title: Option<String>,
    pub(super) datasource_address: Option<String>,
    pub(super) owner_id: Option<String>,
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

#[utoipa::path(
    get,
    operation_id = "listDashboards",
    path = "/api/v1/dashboards",
    tag = "dashboards",
    params(
        ("name" = Option<String>, Query, description = "The whole title, case-insensitive"),
        ("parentFolder" = Option<String>, Query, description = "A folder's oid; `null` for dashboards in no folder"),
        ("datasourceTitle" = Option<String>, Query, description = "filter"),
        ("datasourceAddress" = Option<String>, Query, description = "filter"),
        ("ownerId" = Option<String>, Query, description = "filter"),
        ("ids" = Option<String>, Query, description = "Comma-separated oids"),
        ("adminAccess" = Option<bool>, Query, description = "Administrators: every dashboard, not only their own and shared ones"),
        crate::http::doc::schemas::SpecialFields
    ),
    responses(
        (status = 200, description = "The dashboards the caller owns or that are shared with them", body = Vec<crate::http::doc::schemas::Dashboard>),
        ReadErrors,
    )
)]
pub async fn list(
    State(state): State<AppState>,
    Acting(actor): Acting,
    Query(q): Query<ListQuery>,
    special: Special,
) -> ApiResult<Response> {
    let params = special.check(Resource::Dashboard)?;
    let page = state
        .store
        .list_dashboards(&actor, special.list(q.filter()?))
        .await?;
    list_response(&state, Resource::Dashboard, page, params).await
}

#[utoipa::path(
    post,
    operation_id = "createDashboard",
    path = "/api/v1/dashboards",
    tag = "dashboards",
    request_body = crate::http::doc::schemas::NewDashboard,
    responses((status = 201, description = "Created, owned by the caller", body = crate::http::doc::schemas::Dashboard), WriteErrors)
)]
pub async fn create(
    State(state): State<AppState>,
    Acting(actor): Acting,
    JsonBody(body): JsonBody,
) -> ApiResult<(StatusCode, Json<Document>)> {
    let draft = parse_dashboard(body)?;
    let mut created = state.store.create_dashboards(&actor, vec![draft]).await?;
    Ok((StatusCode::CREATED, Json(created.remove(0))))
}

pub(super) fn dashboard_id(key: &str) -> ApiResult<ObjectId> {
    path_id(ResourceKind::Dashboard, key)
}

#[utoipa::path(
    get,
    operation_id = "getDashboard",
    path = "/api/v1/dashboards/{id}",
    tag = "dashboards",
    params(("If-None-Match" = Option<String>, Header, description = "The ETag the client has: 304 without a body while it is current"), ("id" = String, Path, description = "The dashboard's oid"), ("adminAccess" = Option<bool>, Query, description = "Administrators: any dashboard"), crate::http::doc::schemas::SpecialFields),
    responses((status = 304, description = "Not modified: If-None-Match names the current ETag"), (status = 200, description = "The dashboard", body = crate::http::doc::schemas::Dashboard), ReadErrors)
)]
pub async fn get(
    State(state): State<AppState>,
    Acting(actor): Acting,
    PathKey(key): PathKey,
    special: Special,
) -> ApiResult<Response> {
    let params = special.check(Resource::Dashboard)?;
    let id = dashboard_id(&key)?;
    let (doc, _) = state
        .store
        .get_dashboard(&actor, id)
        .await?
        .ok_or_else(|| ApiError::not_found(ResourceKind::Dashboard, key))?;
    shape_one(&state, Resource::Dashboard, doc, params).await
}

#[utoipa::path(
    put,
    operation_id = "replaceDashboard",
    path = "/api/v1/dashboards/{id}",
    tag = "dashboards",
    params(("If-Match" = Option<String>, Header, description = "Only if the entity is still this version: the ETag of a plain GET; otherwise 412"), ("id" = String, Path, description = "The dashboard's oid"), ("adminAccess" = Option<bool>, Query, description = "Administrators: any dashboard")),
    request_body = crate::http::doc::schemas::NewDashboard,
    responses((status = 200, description = "Replaced (with `widgets`, they are replaced too)", body = crate::http::doc::schemas::Dashboard), WriteErrors)
)]
pub async fn replace(
    State(state): State<AppState>,
    Acting(actor): Acting,
    PathKey(key): PathKey,
    precondition: Precondition,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Document>> {
    let id = dashboard_id(&key)?;
    let draft = parse_dashboard(body)?;
    let edit = move |current: Document| precondition.check(&current).map(|()| draft);
    let doc = state
        .store
        .update_dashboard(&actor, id, Box::new(edit))
        .await?;
    Ok(Json(doc))
}

#[utoipa::path(
    patch,
    operation_id = "patchDashboard",
    path = "/api/v1/dashboards/{id}",
    tag = "dashboards",
    params(("If-Match" = Option<String>, Header, description = "Only if the entity is still this version: the ETag of a plain GET; otherwise 412"), ("id" = String, Path, description = "The dashboard's oid"), ("adminAccess" = Option<bool>, Query, description = "Administrators: any dashboard")),
    request_body(content = Object, description = "JSON merge patch (RFC 7396)"),
    responses((status = 200, description = "Patched", body = crate::http::doc::schemas::Dashboard), WriteErrors)
)]
pub async fn patch(
    State(state): State<AppState>,
    Acting(actor): Acting,
    PathKey(key): PathKey,
    precondition: Precondition,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Document>> {
    let id = dashboard_id(&key)?;
    let patch = Value::Object(expect_object(body)?);
    let edit = move |current: Document| {
        precondition.check(&current)?;
        parse_dashboard(patched(current, &patch))
    };
    let doc = state
        .store
        .update_dashboard(&actor, id, Box::new(edit))
        .await?;
    Ok(Json(doc))
}

#[utoipa::path(
    delete,
    operation_id = "deleteDashboard",
    path = "/api/v1/dashboards/{id}",
    tag = "dashboards",
    params(("If-Match" = Option<String>, Header, description = "Only if the entity is still this version: the ETag of a plain GET; otherwise 412"), ("id" = String, Path, description = "The dashboard's oid"), ("adminAccess" = Option<bool>, Query, description = "Administrators: any dashboard")),
    responses((status = 204, description = "Deleted, with its widgets"), WriteErrors)
)]
pub async fn delete(
    State(state): State<AppState>,
    Acting(actor): Acting,
    PathKey(key): PathKey,
    Precondition(if_match): Precondition,
) -> ApiResult<StatusCode> {
    let id = dashboard_id(&key)?;
    state
        .store
        .delete_dashboards(&actor, vec![id], if_match)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DashboardIds {
    pub(super) dashboard_ids: Option<String>,
}

#[utoipa::path(
    delete,
    operation_id = "deleteDashboardsBulk",
    path = "/api/v1/dashboards/bulk",
    tag = "dashboards",
    params(("dashboardIds" = String, Query, description = "Comma-separated oids"), ("adminAccess" = Option<bool>, Query, description = "Administrators: any dashboard")),
    responses((status = 204, description = "Deleted, all of them; or none, when one fails"), WriteErrors)
)]
pub async fn delete_bulk(
    State(state): State<AppState>,
    Acting(actor): Acting,
    Query(q): Query<DashboardIds>,
) -> ApiResult<StatusCode> {
    let ids = bulk_ids(
        ResourceKind::Dashboard,
        "dashboardIds",
        q.dashboard_ids.as_deref(),
    )?;
    state.store.delete_dashboards(&actor, ids, None).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    operation_id = "dashboardExists",
    path = "/api/v1/dashboards/{id}/exists",
    tag = "dashboards",
    params(("id" = String, Path, description = "The dashboard's oid"), ("adminAccess" = Option<bool>, Query, description = "Administrators: any dashboard")),
    responses((status = 200, description = "Whether the caller can see such a dashboard", body = crate::http::doc::schemas::Exists), ReadErrors)
)]
pub async fn exists(
    State(state): State<AppState>,
    Acting(actor): Acting,
    PathKey(key): PathKey,
) -> ApiResult<Json<Value>> {
    let exists = match key.parse::<ObjectId>() {
        Ok(id) => state.store.get_dashboard(&actor, id).await?.is_some(),
        Err(_) => false,
    };
    Ok(Json(json!({ "exists": exists })))
}
