//! What extends a Sisense server, answered for one that has no plugins and no custom themes:
//! `/api/v1/plugins` (an empty list), `/api/v1/themes/{id}` (404). BloX custom actions, which
//! clients do store, are in blox.rs.

use axum::Json;
use serde::Deserialize;
use serde_json::{Value, json};
use tessera_domain::{ResourceKind, ValidationError};
use utoipa::IntoParams;

use crate::http::common::acting::Ctx;
use crate::http::common::error::{ApiError, ApiResult};
use crate::http::common::extract::{JsonBody, PathKey, Query};
use crate::http::doc::responses::{ListErrors, Plugins, ReadErrors, Themes};

/// The paging of `GET /api/v1/plugins`.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PluginsQuery {
    /// How many plugins at most.
    #[allow(dead_code)]
    limit: Option<u64>,
    /// How many to skip.
    #[allow(dead_code)]
    skip: Option<u64>,
}

/// List plugins
///
/// The UI plugins installed: none in Tessera. `{"plugins": [], "count": 0}`, the shape clients
/// page through.
#[utoipa::path(get, operation_id = "listPlugins", path = "/api/v1/plugins", tag = "settings", params(PluginsQuery), responses((status = 200, description = "The plugins (none)", body = Object, example = json!({"plugins": [], "count": 0})), ListErrors))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn plugins(_: Ctx, _paging: Query<PluginsQuery>) -> Json<Value> {
    Json(json!({"plugins": [], "count": 0}))
}

/// Enable or disable plugins
///
/// An array of `{"name", "isEnabled"}`: there is no plugin to change, so any entry is a 404
/// naming it, and an empty array changes nothing.
#[utoipa::path(patch, operation_id = "patchPlugins", path = "/api/v1/plugins", tag = "settings", request_body = Vec<Object>, responses((status = 200, description = "Nothing to change", body = Vec<Object>), ReadErrors<Plugins>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn patch_plugins(
    Ctx { caller, .. }: Ctx, JsonBody(body): JsonBody,
) -> ApiResult<Json<Value>> {
    caller.require_admin()?;
    let Value::Array(entries) = body else {
        return Err(ValidationError::body("expected an array of plugin changes").into());
    };
    if let Some(first) = entries.first() {
        let name = first.get("name").and_then(Value::as_str).unwrap_or_default().to_owned();
        return Err(ApiError::not_found(ResourceKind::Plugin, name));
    }
    Ok(Json(json!([])))
}

/// Get a theme
///
/// Custom themes: Tessera has none, so every id is a 404 (the design settings of
/// `/api/globals` are the theme).
#[utoipa::path(get, operation_id = "getTheme", path = "/api/v1/themes/{id}", tag = "settings", params(("id" = String, Path, description = "The theme's id")), responses((status = 200, description = "The theme", body = Object), ReadErrors<Themes>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn theme(_: Ctx, PathKey(id): PathKey) -> ApiResult<Json<Value>> {
    Err(ApiError::not_found(ResourceKind::Theme, id))
}
