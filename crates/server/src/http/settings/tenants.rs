//! `/api/v1/tenants`: Tessera is single-tenant, as a Sisense without multitenancy: one tenant,
//! `system`, whose id every user and group carries in `tenantId`.

use axum::Json;
use serde_json::{Value, json};

use crate::http::common::acting::Ctx;
use crate::http::common::error::ApiResult;
use crate::http::doc::responses::AdminErrors;

/// List tenants
///
/// Administrators: the one tenant, `system`. Every user and group names it in `tenantId`
/// (clients such as pysisense keep only users and groups of the system tenant).
#[utoipa::path(get, operation_id = "listTenants", path = "/api/v1/tenants", tag = "settings", responses((status = 200, description = "The tenants: the system tenant", body = Vec<Object>), AdminErrors))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn tenants(Ctx { state, caller }: Ctx) -> ApiResult<Json<Value>> {
    caller.require_admin()?;
    let id = state.store.system_tenant().await?;
    Ok(Json(json!([{ "_id": id, "name": "system", "isSystem": true }])))
}
