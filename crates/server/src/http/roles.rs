//! `/api/roles` (API 0.9, which every client uses to look roles up by name).

use axum::Json;
use axum::extract::State;
use tessera_domain::{Document, ResourceKind};

use utoipa_axum::routes;

use crate::http::auth::caller::Caller;
use crate::http::common::error::{ApiError, ApiResult};
use crate::http::common::extract::PathKey;
use crate::http::rooms::{Rooms, Routes, entity};
use crate::state::AppState;

pub fn routes() -> Rooms {
    Rooms {
        v1: Routes::default(),
        v09: Routes::default()
            .routes(routes!(list))
            .routes(entity(routes!(get))),
    }
}

#[utoipa::path(
    get,
    operation_id = "listRoles",
    path = "/api/roles",
    tag = "roles",
    responses(
        (status = 200, description = "The built-in roles", body = Vec<crate::http::doc::schemas::Role>),
        (status = 401, description = "No valid token", body = crate::http::doc::schemas::ErrorEnvelope),
    )
)]
pub async fn list(State(state): State<AppState>, _: Caller) -> ApiResult<Json<Vec<Document>>> {
    Ok(Json(state.store.list_roles().await?))
}

/// A role by id or by name (`super`, `admin`, `contributor`, `consumer`, ...).
#[utoipa::path(
    get,
    operation_id = "getRole",
    path = "/api/roles/{id_or_name}",
    tag = "roles",
    params(("If-None-Match" = Option<String>, Header, description = "The ETag the client has: 304 without a body while it is current"), ("id_or_name" = String, Path, description = "A role id or name (super, admin, contributor, consumer, dataDesigner, dataAdmin)")),
    responses((status = 304, description = "Not modified: If-None-Match names the current ETag"), 
        (status = 200, description = "The role", body = crate::http::doc::schemas::Role),
        (status = 401, description = "No valid token", body = crate::http::doc::schemas::ErrorEnvelope),
        (status = 404, description = "Not found", body = crate::http::doc::schemas::ErrorEnvelope),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    _: Caller,
    PathKey(key): PathKey,
) -> ApiResult<Json<Document>> {
    let role = state
        .store
        .find_role(&key)
        .await?
        .ok_or_else(|| ApiError::not_found(ResourceKind::Role, key))?;
    Ok(Json(role))
}
