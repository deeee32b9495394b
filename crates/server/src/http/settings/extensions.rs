//! What extends a Sisense server, answered for one that has no plugins and no custom themes:
//! `/api/v1/plugins` (an empty list), `/api/v1/themes/{id}` (404); and BloX custom actions,
//! which clients store and read back, kept for real.

use axum::Json;
use serde::Deserialize;
use serde_json::{Value, json};
use tessera_domain::dashboard::Actor;
use tessera_domain::{ResourceKind, ValidationError};
use tessera_store::Setting;
use utoipa::IntoParams;

use crate::http::common::acting::Ctx;
use crate::http::common::error::{ApiError, ApiResult, Code, Found};
use crate::http::common::extract::{JsonBody, PathKey, Query};
use crate::http::doc::responses::{
    BloxActions, CreateErrors, DeleteErrors, ListErrors, Plugins, ReadErrors, Themes, TokenErrors,
};

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

async fn stored_actions(state: &crate::state::AppState) -> ApiResult<Vec<Value>> {
    let stored = state.store.setting(Setting::BloxActions).await?;
    Ok(match stored {
        Some(Value::Array(actions)) => actions,
        _ => Vec::new(),
    })
}

/// List BloX custom actions
///
/// Every custom action saved, in the order saved.
#[utoipa::path(get, operation_id = "listBloxActions", path = "/api/v1/blox/getCustomActions", tag = "settings", responses((status = 200, description = "The custom actions", body = Vec<Object>), TokenErrors))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn blox_actions(Ctx { state, .. }: Ctx) -> ApiResult<Json<Vec<Value>>> {
    Ok(Json(stored_actions(&state).await?))
}

/// List BloX custom actions (Windows path)
///
/// The same list, at the path Sisense on Windows uses.
#[utoipa::path(get, operation_id = "listBloxActionsWindows", path = "/api/v1/getCustomActions/actions", tag = "settings", responses((status = 200, description = "The custom actions", body = Vec<Object>), TokenErrors))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn blox_actions_windows(ctx: Ctx) -> ApiResult<Json<Vec<Value>>> {
    blox_actions(ctx).await
}

/// Designers and administrators write custom actions; viewers only use them.
fn require_designer(caller: &crate::http::auth::caller::Caller) -> ApiResult<()> {
    let actor = Actor { id: caller.id, role_name: caller.role_name.clone(), admin_access: false };
    if actor.creates_content() {
        Ok(())
    } else {
        Err(ApiError::new(Code::Forbidden, "Viewers cannot change BloX custom actions"))
    }
}

/// The `type` that names an action.
fn action_type(body: &Value) -> ApiResult<String> {
    match body.get("type") {
        Some(Value::String(t)) if !t.trim().is_empty() => Ok(t.clone()),
        Some(_) => Err(ValidationError::invalid("type", "must be a non-empty string").into()),
        None => Err(ValidationError::missing("type").into()),
    }
}

/// Save a BloX custom action
///
/// Designers and administrators: an action object named by its `type`; saving a `type` that
/// exists replaces it.
#[utoipa::path(post, operation_id = "saveBloxAction", path = "/api/v1/blox/saveCustomAction", tag = "settings", request_body = Object, responses((status = 200, description = "Saved", body = Object), CreateErrors))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn save_blox_action(ctx: Ctx, body: JsonBody) -> ApiResult<Json<Value>> {
    save(ctx, body).await
}

async fn save(Ctx { state, caller }: Ctx, JsonBody(action): JsonBody) -> ApiResult<Json<Value>> {
    require_designer(&caller)?;
    if !action.is_object() {
        return Err(ValidationError::body("a custom action must be a JSON object").into());
    }
    let name = action_type(&action)?;
    let saved = action.clone();
    state
        .store
        .update_setting(
            Setting::BloxActions,
            Box::new(move |stored| {
                let mut actions = match stored {
                    Some(Value::Array(actions)) => actions,
                    _ => Vec::new(),
                };
                match actions
                    .iter_mut()
                    .find(|a| a.get("type").and_then(Value::as_str) == Some(&name))
                {
                    Some(existing) => *existing = action,
                    None => actions.push(action),
                }
                Ok(Value::Array(actions))
            }),
        )
        .await?;
    Ok(Json(saved))
}

/// Delete a BloX custom action
///
/// Designers and administrators: `{"type": "..."}` names the action; an unknown type is a 404
/// and nothing changes.
#[utoipa::path(post, operation_id = "deleteBloxAction", path = "/api/v1/blox/deleteCustomAction", tag = "settings", request_body = Object, responses((status = 200, description = "Deleted", body = Object, example = json!({"success": true})), DeleteErrors<BloxActions>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn delete_blox_action(ctx: Ctx, body: JsonBody) -> ApiResult<Json<Value>> {
    delete(ctx, body).await
}

async fn delete(Ctx { state, caller }: Ctx, JsonBody(body): JsonBody) -> ApiResult<Json<Value>> {
    require_designer(&caller)?;
    let name = action_type(&body)?;
    let existed = stored_actions(&state)
        .await?
        .iter()
        .any(|a| a.get("type").and_then(Value::as_str) == Some(name.as_str()));
    existed.then_some(()).found(ResourceKind::BloxAction, &name)?;
    let gone = name.clone();
    state
        .store
        .update_setting(
            Setting::BloxActions,
            Box::new(move |stored| {
                let mut actions = match stored {
                    Some(Value::Array(actions)) => actions,
                    _ => Vec::new(),
                };
                actions.retain(|a| a.get("type").and_then(Value::as_str) != Some(gone.as_str()));
                Ok(Value::Array(actions))
            }),
        )
        .await?;
    Ok(Json(json!({"success": true})))
}

/// The plugin a custom action belongs to, in the older paths (`BloX`, `Blox`: one plugin).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code, reason = "documents the path segment; every custom action is BloX's")]
pub struct PluginName {
    /// The plugin: BloX (any case).
    plugin: String,
}

/// Get a BloX custom action by type
///
/// The older path clients such as PySenseSDK use: `{"type": "..."}` names the action.
#[utoipa::path(post, operation_id = "getBloxActionByType", path = "/api/v1/getActionByType/{plugin}", tag = "settings", params(PluginName), request_body = Object, responses((status = 200, description = "The action", body = Object), ReadErrors<BloxActions>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn blox_action_by_type(
    Ctx { state, .. }: Ctx, JsonBody(body): JsonBody,
) -> ApiResult<Json<Value>> {
    let name = action_type(&body)?;
    let found = stored_actions(&state)
        .await?
        .into_iter()
        .find(|a| a.get("type").and_then(Value::as_str) == Some(name.as_str()));
    Ok(Json(found.found(ResourceKind::BloxAction, &name)?))
}

/// Save a BloX custom action (older path)
///
/// As `POST /api/v1/blox/saveCustomAction`, at the path PySenseSDK uses.
#[utoipa::path(post, operation_id = "saveBloxActionByPlugin", path = "/api/v1/saveCustomAction/{plugin}", tag = "settings", params(PluginName), request_body = Object, responses((status = 200, description = "Saved", body = Object), CreateErrors))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn save_blox_action_by_plugin(ctx: Ctx, body: JsonBody) -> ApiResult<Json<Value>> {
    save(ctx, body).await
}

/// Delete a BloX custom action (older path)
///
/// As `POST /api/v1/blox/deleteCustomAction`, at the path PySenseSDK uses.
#[utoipa::path(post, operation_id = "deleteBloxActionByPlugin", path = "/api/v1/deleteCustomAction/{plugin}", tag = "settings", params(PluginName), request_body = Object, responses((status = 200, description = "Deleted", body = Object, example = json!({"success": true})), DeleteErrors<BloxActions>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn delete_blox_action_by_plugin(ctx: Ctx, body: JsonBody) -> ApiResult<Json<Value>> {
    delete(ctx, body).await
}
