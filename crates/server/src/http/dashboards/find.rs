//! Finding dashboards beyond a plain list: every dashboard for administrators, and the
//! searches of Sisense's UI.

use axum::response::Response;
use serde::Deserialize;
use serde_json::{Map, Value};
use tessera_domain::ResourceKind;
use tessera_domain::ValidationError;
use tessera_domain::query::{Page, SortKey, parse_list_params};
use tessera_store::{DashboardFilter, ListRequest};
use utoipa::IntoParams;

use crate::http::common::acting::Acting;
use crate::http::common::error::{ApiError, ApiResult, Code};
use crate::http::common::extract::{JsonBody, Query};
use crate::http::common::params::id_param;
use crate::http::common::shape::{Special, json_text, list_response};
use crate::http::doc::params::{AdminAccess, SpecialFields};
use crate::http::doc::responses::{AdminErrors, QueryErrors};
use crate::http::doc::schemas::{Dashboard, DashboardSearch, SearchResult};
use tessera_domain::lazy::json_array;

use super::v1::ListQuery;

/// The filters of an administrator's list.
#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct AdminQuery {
    /// `owner`: the dashboards as their owners keep them (the only kind Tessera keeps).
    dashboard_type: Option<String>,
    /// One dashboard's oid.
    id: Option<String>,
    /// The whole title, case-insensitive.
    name: Option<String>,
}

/// List every dashboard (administrators)
///
/// Every dashboard that matches, whoever owns it; always a list, even for one `id`.
#[utoipa::path(get, operation_id = "listDashboardsAsAdmin", path = "/api/v1/dashboards/admin", tag = "dashboards", params(AdminQuery, SpecialFields), responses((status = 200, description = "Every dashboard that matches, whoever owns it; always a list", body = Vec<Dashboard>), AdminErrors))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn admin_list(
    Acting { state, mut actor }: Acting, Query(q): Query<AdminQuery>, special: Special,
) -> ApiResult<Response> {
    let params = special.check(ResourceKind::Dashboard)?;
    actor.admin_access = true;
    if !actor.acts_as_admin() {
        return Err(ApiError::new(Code::Forbidden, "Only administrators can list every dashboard"));
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
    let page = state.store.list_dashboards(&actor, special.list(filter)).await?;
    list_response(&state, ResourceKind::Dashboard, page, params).await
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
                _ => {
                    Err(ValidationError::invalid("queryOptions.sort", "must map fields to 1 or -1"))
                }
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

/// Search dashboards
///
/// The search Sisense's UI sends: `queryParams` (`name`, `search` for part of the title,
/// `parentFolder`, `datasourceTitle`, `datasourceAddress`, `ownerId`) and `queryOptions`
/// (`sort` as `"-title"` or `{"title": -1}`, `limit`, `skip`), over the dashboards the caller
/// can see.
#[utoipa::path(post, operation_id = "searchDashboards", path = "/api/v1/dashboards/searches", tag = "dashboards", params(AdminAccess), request_body = DashboardSearch, responses((status = 200, description = "The matching dashboards the caller can see", body = SearchResult), QueryErrors))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn search(
    Acting { state, actor }: Acting, JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let body: SearchBody = serde_json::from_value(body)
        .map_err(|e| ValidationError::body(format!("Invalid search: {e}")))?;
    let text = |field: &str| -> ApiResult<Option<String>> {
        match body.query_params.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => {
                Err(ValidationError::invalid(&format!("queryParams.{field}"), "must be a string")
                    .into())
            }
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
    let page = Page { limit: body.query_options.limit, skip: body.query_options.skip.unwrap_or(0) };
    let found = state
        .store
        .list_dashboards(&actor, ListRequest { filter, sort, page, count: false })
        .await?;
    let items = json_array(found.items.iter().map(|raw| raw.get()));
    Ok(json_text(format!("{{\"items\":{items}}}")))
}
