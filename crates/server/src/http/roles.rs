//! `/api/roles` (API 0.9, which every client uses to look roles up by name).

use axum::response::Response;
use tessera_domain::ResourceKind;
use tessera_domain::query::sort_documents;
use tessera_store::ListPage;
use utoipa_axum::routes;

use crate::http::common::acting::Ctx;
use crate::http::common::error::{ApiError, ApiResult, Found};
use crate::http::common::extract::PathKey;
use crate::http::common::shape::{Special, list_response, shape_one};
use crate::http::doc::params::{IfNoneMatch, RoleKey, SpecialFields};
use crate::http::doc::responses::{ListErrors, NotModified, ReadErrors, Roles};
use crate::http::doc::schemas::Role;
use crate::http::rooms::{Rooms, Routes, entity};

pub fn routes() -> Rooms {
    Rooms {
        v1: Routes::default(),
        v09: Routes::default().routes(routes!(list)).routes(entity(routes!(get))),
    }
}

/// List roles
///
/// The built-in roles: `super` (Sys. Admin), `admin`, `contributor` (Designer), `consumer`
/// (Viewer), `dataDesigner`, `dataAdmin`.
#[utoipa::path(get, operation_id = "listRoles", path = "/api/roles", tag = "roles", params(SpecialFields), responses((status = 200, description = "The built-in roles", body = Vec<Role>), ListErrors))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn list(Ctx { state, .. }: Ctx, special: Special) -> ApiResult<Response> {
    let params = special.check(ResourceKind::Role)?;
    // A handful of fixed roles: sorted and paged here rather than in the store.
    let mut roles = state.store.list_roles().await?;
    let total = roles.len() as u64;
    sort_documents(&mut roles, &params.sort);
    let limit = params.page.limit.map_or(usize::MAX, |l| usize::try_from(l).unwrap_or(usize::MAX));
    let skip = usize::try_from(params.page.skip).unwrap_or(usize::MAX);
    let items = roles
        .into_iter()
        .skip(skip)
        .take(limit)
        .map(|doc| serde_json::value::to_raw_value(&doc).map_err(ApiError::internal))
        .collect::<ApiResult<Vec<_>>>()?;
    let page = ListPage { items, total: special.count.then_some(total) };
    list_response(&state, ResourceKind::Role, page, params).await
}

/// Get a role by id or name
///
/// A role by id, or else by name (case-insensitive), as every client looks roles up.
#[utoipa::path(get, operation_id = "getRole", path = "/api/roles/{id_or_name}", tag = "roles", params(RoleKey, IfNoneMatch, SpecialFields), responses((status = 200, description = "The role", body = Role), NotModified, ReadErrors<Roles>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn get(
    Ctx { state, .. }: Ctx, PathKey(key): PathKey, special: Special,
) -> ApiResult<Response> {
    let params = special.check(ResourceKind::Role)?;
    let role = state.store.find_role(&key).await?.found(ResourceKind::Role, key)?;
    let raw = serde_json::value::to_raw_value(&role).map_err(ApiError::internal)?;
    shape_one(&state, ResourceKind::Role, raw, params).await
}
