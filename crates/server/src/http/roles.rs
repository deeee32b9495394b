//! `/api/roles` (API 0.9, which every client uses to look roles up by name).

use axum::Json;
use tessera_domain::{Document, ResourceKind};

use utoipa_axum::routes;

use crate::http::common::acting::Ctx;
use crate::http::common::error::{ApiResult, Found};
use crate::http::common::extract::PathKey;
use crate::http::doc::params::{IfNoneMatch, RoleKey};
use crate::http::doc::responses::{NotModified, ReadErrors, Roles, TokenErrors};
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
#[utoipa::path(get, operation_id = "listRoles", path = "/api/roles", tag = "roles", responses((status = 200, description = "The built-in roles", body = Vec<Role>), TokenErrors))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn list(Ctx { state, .. }: Ctx) -> ApiResult<Json<Vec<Document>>> {
    Ok(Json(state.store.list_roles().await?))
}

/// Get a role by id or name
///
/// A role by id, or else by name (case-insensitive), as every client looks roles up.
#[utoipa::path(get, operation_id = "getRole", path = "/api/roles/{id_or_name}", tag = "roles", params(RoleKey, IfNoneMatch), responses((status = 200, description = "The role", body = Role), NotModified, ReadErrors<Roles>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn get(Ctx { state, .. }: Ctx, PathKey(key): PathKey) -> ApiResult<Json<Document>> {
    let role = state.store.find_role(&key).await?.found(ResourceKind::Role, key)?;
    Ok(Json(role))
}
