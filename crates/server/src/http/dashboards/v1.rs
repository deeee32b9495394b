//! `/api/v1/dashboards`: the dashboards the caller owns or that are shared with them; sharing,
//! ownership, export and import, searches.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use tessera_domain::dashboard::{Rule, parse_dashboard};
use tessera_domain::document::expect_object;
use tessera_domain::merge_patch::patched;
use tessera_domain::query::{Page, Resource, SortKey, parse_list_params};
use tessera_domain::{Document, ObjectId, ResourceKind, ValidationError};
use tessera_store::{DashboardFilter, ImportAction, ImportItem};

use crate::http::common::acting::Acting;
use crate::http::common::bodies::expect_array;
use crate::http::common::conditional::Precondition;
use crate::http::common::error::{ApiError, ApiResult, Code, envelope};
use crate::http::common::extract::{JsonBody, PathKey, Query};
use crate::http::common::params::{bulk_ids, id_list_param, id_param, path_id};
use crate::http::common::shape::{Special, json_text, list_response, shape_one};
use crate::http::doc::responses::{ReadErrors, WriteErrors};
use crate::state::AppState;
use tessera_domain::lazy::json_array;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ListQuery {
    name: Option<String>,
    parent_folder: Option<String>,
    datasource_title: Option<String>,
    datasource_address: Option<String>,
    owner_id: Option<String>,
    ids: Option<String>,
}

impl ListQuery {
    fn filter(self) -> ApiResult<DashboardFilter> {
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
        .content()
        .list_dashboards(
            &actor,
            &q.filter()?,
            &params.sort,
            params.page,
            special.count,
        )
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
    let mut created = state
        .store
        .content()
        .create_dashboards(&actor, vec![draft])
        .await?;
    Ok((StatusCode::CREATED, Json(created.remove(0))))
}

fn dashboard_id(key: &str) -> ApiResult<ObjectId> {
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
        .content()
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
        .content()
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
        .content()
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
        .content()
        .delete_dashboards(&actor, vec![id], if_match)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DashboardIds {
    dashboard_ids: Option<String>,
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
    state
        .store
        .content()
        .delete_dashboards(&actor, ids, None)
        .await?;
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
        Ok(id) => state
            .store
            .content()
            .get_dashboard(&actor, id)
            .await?
            .is_some(),
        Err(_) => false,
    };
    Ok(Json(json!({ "exists": exists })))
}

/// The public part of a user: never more than a name and an address.
fn user_summary(doc: &Value) -> Value {
    let mut out = Map::new();
    for field in ["_id", "userName", "email", "firstName", "lastName"] {
        if let Some(v) = doc.get(field) {
            out.insert(field.into(), v.clone());
        }
    }
    Value::Object(out)
}

/// `{"sharesTo": [...], "owner": {...}}` of a dashboard the caller can see.
pub async fn shares_of(
    state: &AppState,
    actor: &tessera_domain::dashboard::Actor,
    key: &str,
) -> ApiResult<Value> {
    let id = dashboard_id(key)?;
    let (raw, _) = state
        .store
        .content()
        .get_dashboard(actor, id)
        .await?
        .ok_or_else(|| ApiError::not_found(ResourceKind::Dashboard, key))?;
    let doc: Value = serde_json::from_str(raw.get()).map_err(ApiError::internal)?;
    let owner = match doc
        .get("owner")
        .and_then(Value::as_str)
        .and_then(|o| o.parse().ok())
    {
        Some(owner) => match state.store.get_user(owner).await? {
            Some(user) => {
                user_summary(&serde_json::from_str(user.get()).map_err(ApiError::internal)?)
            }
            None => Value::Null,
        },
        None => Value::Null,
    };
    Ok(json!({
        "sharesTo": doc.get("shares").cloned().unwrap_or_else(|| json!([])),
        "owner": owner,
    }))
}

#[utoipa::path(
    get,
    operation_id = "getDashboardShares",
    path = "/api/v1/dashboards/{id}/shares",
    tag = "dashboards",
    params(("id" = String, Path, description = "The dashboard's oid"), ("adminAccess" = Option<bool>, Query, description = "Administrators: any dashboard")),
    responses((status = 200, description = "Who the dashboard is shared with, and its owner", body = crate::http::doc::schemas::Shares), ReadErrors)
)]
pub async fn shares(
    State(state): State<AppState>,
    Acting(actor): Acting,
    PathKey(key): PathKey,
) -> ApiResult<Json<Value>> {
    shares_of(&state, &actor, &key).await.map(Json)
}

#[utoipa::path(
    post,
    operation_id = "changeDashboardOwner",
    path = "/api/v1/dashboards/{id}/change_owner",
    tag = "dashboards",
    params(("id" = String, Path, description = "The dashboard's oid"), ("adminAccess" = Option<bool>, Query, description = "Administrators: any dashboard")),
    request_body = crate::http::doc::schemas::ChangeOwner,
    responses((status = 200, description = "The dashboard, with its new owner", body = crate::http::doc::schemas::Dashboard), WriteErrors)
)]
pub async fn change_owner(
    State(state): State<AppState>,
    Acting(actor): Acting,
    PathKey(key): PathKey,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Document>> {
    let id = dashboard_id(&key)?;
    let body = expect_object(body)?;
    let owner = tessera_domain::document::optional_id(&body, "ownerId")?
        .ok_or_else(|| ValidationError::missing("ownerId"))?;
    let rule = match body.get("originalOwnerRule") {
        None | Some(Value::Null) => Rule::Edit,
        Some(v) => Rule::parse("originalOwnerRule", v)?,
    };
    let doc = state
        .store
        .content()
        .change_dashboard_owner(&actor, id, owner, rule)
        .await?;
    Ok(Json(doc))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdminQuery {
    dashboard_type: Option<String>,
    id: Option<String>,
    name: Option<String>,
}

#[utoipa::path(
    get,
    operation_id = "listDashboardsAsAdmin",
    path = "/api/v1/dashboards/admin",
    tag = "dashboards",
    params(
        ("dashboardType" = Option<String>, Query, description = "`owner` (the only kind Tessera keeps)"),
        ("id" = Option<String>, Query, description = "One dashboard's oid"),
        ("name" = Option<String>, Query, description = "The whole title, case-insensitive"),
        crate::http::doc::schemas::SpecialFields
    ),
    responses(
        (status = 200, description = "Every dashboard that matches, whoever owns it; always a list", body = Vec<crate::http::doc::schemas::Dashboard>),
        (status = 400, description = "Malformed query", body = crate::http::doc::schemas::ErrorEnvelope),
        (status = 401, description = "No valid token", body = crate::http::doc::schemas::ErrorEnvelope),
        (status = 403, description = "Not an administrator", body = crate::http::doc::schemas::ErrorEnvelope),
    )
)]
pub async fn admin_list(
    State(state): State<AppState>,
    Acting(mut actor): Acting,
    Query(q): Query<AdminQuery>,
    special: Special,
) -> ApiResult<Response> {
    let params = special.check(Resource::Dashboard)?;
    actor.admin_access = true;
    if !actor.acts_as_admin() {
        return Err(ApiError::new(
            Code::Forbidden,
            "Only administrators can list every dashboard",
        ));
    }
    match q.dashboard_type.as_deref() {
        None | Some("owner") => {}
        Some(other) => {
            return Err(ApiError::new(
                Code::InvalidQuery,
                format!("Query parameter 'dashboardType' must be 'owner', not '{other}'"),
            ));
        }
    }
    let filter = DashboardFilter {
        ids: id_param("id", q.id.as_deref())?.map(|id| vec![id]),
        name: q.name,
        ..Default::default()
    };
    let page = state
        .store
        .content()
        .list_dashboards(&actor, &filter, &params.sort, params.page, special.count)
        .await?;
    list_response(&state, Resource::Dashboard, page, params).await
}

#[utoipa::path(
    get,
    operation_id = "exportDashboards",
    path = "/api/v1/dashboards/export",
    tag = "dashboards",
    params(("dashboardIds" = String, Query, description = "Comma-separated oids"), ("adminAccess" = Option<bool>, Query, description = "Administrators: any dashboard")),
    responses((status = 200, description = "The whole documents, each with its `widgets`", body = Vec<crate::http::doc::schemas::Dashboard>), ReadErrors)
)]
pub async fn export(
    State(state): State<AppState>,
    Acting(actor): Acting,
    Query(q): Query<DashboardIds>,
) -> ApiResult<Json<Vec<Document>>> {
    let ids = bulk_ids(
        ResourceKind::Dashboard,
        "dashboardIds",
        q.dashboard_ids.as_deref(),
    )?;
    Ok(Json(
        state.store.content().export_dashboards(&actor, ids).await?,
    ))
}

#[utoipa::path(
    get,
    operation_id = "exportDashboard",
    path = "/api/v1/dashboards/{id}/export/dash",
    tag = "dashboards",
    params(("id" = String, Path, description = "The dashboard's oid"), ("adminAccess" = Option<bool>, Query, description = "Administrators: any dashboard")),
    responses((status = 200, description = "The whole document with its `widgets` (a .dash file)", body = crate::http::doc::schemas::Dashboard), ReadErrors)
)]
pub async fn export_one(
    State(state): State<AppState>,
    Acting(actor): Acting,
    PathKey(key): PathKey,
) -> ApiResult<Json<Document>> {
    let id = dashboard_id(&key)?;
    let mut docs = state
        .store
        .content()
        .export_dashboards(&actor, vec![id])
        .await?;
    Ok(Json(docs.remove(0)))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportQuery {
    action: Option<String>,
    import_folder: Option<String>,
}

#[utoipa::path(
    post,
    operation_id = "importDashboards",
    path = "/api/v1/dashboards/import/bulk",
    tag = "dashboards",
    params(
        ("action" = Option<String>, Query, description = "When the oid exists: `skip`, `overwrite`, or `duplicate` (the default; a new oid)"),
        ("importFolder" = Option<String>, Query, description = "Put every imported dashboard in this folder"),
    ),
    request_body(content = Vec<Object>, description = "Exported dashboards (.dash documents)"),
    responses((status = 201, description = "What was imported, skipped and why some failed", body = crate::http::doc::schemas::ImportResult), WriteErrors)
)]
pub async fn import(
    State(state): State<AppState>,
    Acting(actor): Acting,
    Query(q): Query<ImportQuery>,
    JsonBody(body): JsonBody,
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
            oid: doc
                .get("oid")
                .and_then(Value::as_str)
                .and_then(|o| o.parse().ok()),
            title: doc.get("title").and_then(Value::as_str).map(str::to_owned),
            draft: parse_dashboard(doc),
        })
        .collect();
    let report = state
        .store
        .content()
        .import_dashboards(&actor, items, action, folder)
        .await?;
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

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SearchBody {
    #[serde(default)]
    query_params: Map<String, Value>,
    #[serde(default)]
    query_options: SearchOptions,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct SearchOptions {
    sort: Option<Value>,
    limit: Option<u64>,
    skip: Option<u64>,
}

/// A search's `sort`: `"-title"` as in a query string, or `{"title": -1}` as Sisense's UI sends.
fn search_sort(sort: Option<&Value>) -> ApiResult<Vec<SortKey>> {
    let text = match sort {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Object(keys)) => keys
            .iter()
            .map(|(field, dir)| match dir.as_i64() {
                Some(-1) => Ok(format!("-{field}")),
                Some(1) => Ok(field.clone()),
                _ => Err(ValidationError::invalid(
                    "queryOptions.sort",
                    "must map fields to 1 or -1",
                )),
            })
            .collect::<Result<Vec<_>, _>>()?
            .join(","),
        Some(_) => {
            return Err(ValidationError::invalid(
                "queryOptions.sort",
                "must be a string or an object",
            )
            .into());
        }
    };
    Ok(parse_list_params([("sort", text.as_str())])?.sort)
}

#[utoipa::path(
    post,
    operation_id = "searchDashboards",
    path = "/api/v1/dashboards/searches",
    tag = "dashboards",
    params(("adminAccess" = Option<bool>, Query, description = "Administrators: every dashboard")),
    request_body = crate::http::doc::schemas::DashboardSearch,
    responses((status = 200, description = "The matching dashboards the caller can see", body = crate::http::doc::schemas::SearchResult), ReadErrors)
)]
pub async fn search(
    State(state): State<AppState>,
    Acting(actor): Acting,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let body: SearchBody = serde_json::from_value(body)
        .map_err(|e| ValidationError::body(format!("Invalid search: {e}")))?;
    let text = |field: &str| -> ApiResult<Option<String>> {
        match body.query_params.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(ValidationError::invalid(
                &format!("queryParams.{field}"),
                "must be a string",
            )
            .into()),
        }
    };
    let q = ListQuery {
        name: text("name")?,
        parent_folder: text("parentFolder")?,
        datasource_title: text("datasourceTitle")?,
        datasource_address: text("datasourceAddress")?,
        owner_id: text("ownerId")?,
        ids: None,
    };
    let mut filter = q.filter()?;
    filter.search = text("search")?;
    let sort = search_sort(body.query_options.sort.as_ref())?;
    let page = Page {
        limit: body.query_options.limit,
        skip: body.query_options.skip.unwrap_or(0),
    };
    let found = state
        .store
        .content()
        .list_dashboards(&actor, &filter, &sort, page, false)
        .await?;
    let items = json_array(found.items.iter().map(|raw| raw.get()));
    Ok(json_text(format!("{{\"items\":{items}}}")))
}
