//! BloX custom actions: JavaScript actions a BloX widget's buttons run, each named by its
//! `type`, stored in the order saved and returned for real. Two sets of paths reach them: the
//! current `/api/v1/blox/...` and the older `/api/v1/{verb}/{plugin}` that PySenseSDK calls.

use axum::Json;
use serde_json::{Value, json};
use tessera_domain::{ResourceKind, ValidationError};
use tessera_store::Setting;

use crate::http::auth::caller::Caller;
use crate::http::common::acting::Ctx;
use crate::http::common::error::{ApiError, ApiResult, Code, Found};
use crate::http::common::extract::JsonBody;
use crate::http::doc::responses::{
    BloxActions, CreateErrors, DeleteErrors, ReadErrors, TokenErrors,
};
use crate::state::AppState;

/// Whether `action` is the one named `name`.
fn named(action: &Value, name: &str) -> bool {
    action.get("type").and_then(Value::as_str) == Some(name)
}

fn as_actions(stored: Option<Value>) -> Vec<Value> {
    match stored {
        Some(Value::Array(actions)) => actions,
        _ => Vec::new(),
    }
}

async fn stored_actions(state: &AppState) -> ApiResult<Vec<Value>> {
    Ok(as_actions(state.store.setting(Setting::BloxActions).await?))
}

/// Changes the stored actions with `edit`, in one transaction.
async fn edit_actions(
    state: &AppState, edit: impl FnOnce(&mut Vec<Value>) + Send + 'static,
) -> ApiResult<()> {
    let change = Box::new(move |stored| {
        let mut actions = as_actions(stored);
        edit(&mut actions);
        Ok(Value::Array(actions))
    });
    state.store.update_setting(Setting::BloxActions, change).await?;
    Ok(())
}

/// Designers and administrators write custom actions; viewers only use them.
fn require_designer(caller: &Caller) -> ApiResult<()> {
    let actor = caller.actor(false);
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

/// List BloX custom actions
///
/// Every custom action saved, in the order saved.
#[utoipa::path(get, operation_id = "listBloxActions", path = "/api/v1/blox/getCustomActions", tag = "settings", responses((status = 200, description = "The custom actions", body = Vec<Object>), TokenErrors))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn list(Ctx { state, .. }: Ctx) -> ApiResult<Json<Vec<Value>>> {
    Ok(Json(stored_actions(&state).await?))
}

/// List BloX custom actions (Windows path)
///
/// The same list, at the path Sisense on Windows uses.
#[utoipa::path(get, operation_id = "listBloxActionsWindows", path = "/api/v1/getCustomActions/actions", tag = "settings", responses((status = 200, description = "The custom actions", body = Vec<Object>), TokenErrors))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn list_windows(ctx: Ctx) -> ApiResult<Json<Vec<Value>>> {
    list(ctx).await
}

/// Save a BloX custom action
///
/// Designers and administrators: an action object named by its `type`; saving a `type` that
/// exists replaces it.
#[utoipa::path(post, operation_id = "saveBloxAction", path = "/api/v1/blox/saveCustomAction", tag = "settings", request_body = Object, responses((status = 200, description = "Saved", body = Object), CreateErrors))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn save(
    Ctx { state, caller }: Ctx, JsonBody(action): JsonBody,
) -> ApiResult<Json<Value>> {
    require_designer(&caller)?;
    if !action.is_object() {
        return Err(ValidationError::body("a custom action must be a JSON object").into());
    }
    let name = action_type(&action)?;
    let saved = action.clone();
    edit_actions(&state, move |actions| match actions.iter_mut().find(|a| named(a, &name)) {
        Some(existing) => *existing = action,
        None => actions.push(action),
    })
    .await?;
    Ok(Json(saved))
}

/// Delete a BloX custom action
///
/// Designers and administrators: `{"type": "..."}` names the action; an unknown type is a 404
/// and nothing changes.
#[utoipa::path(post, operation_id = "deleteBloxAction", path = "/api/v1/blox/deleteCustomAction", tag = "settings", request_body = Object, responses((status = 200, description = "Deleted", body = Object, example = json!({"success": true})), DeleteErrors<BloxActions>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn delete(
    Ctx { state, caller }: Ctx, JsonBody(body): JsonBody,
) -> ApiResult<Json<Value>> {
    require_designer(&caller)?;
    let name = action_type(&body)?;
    let existed = stored_actions(&state).await?.iter().any(|a| named(a, &name));
    existed.then_some(()).found(ResourceKind::BloxAction, &name)?;
    edit_actions(&state, move |actions| actions.retain(|a| !named(a, &name))).await?;
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
pub async fn by_type(Ctx { state, .. }: Ctx, JsonBody(body): JsonBody) -> ApiResult<Json<Value>> {
    let name = action_type(&body)?;
    let found = stored_actions(&state).await?.into_iter().find(|a| named(a, &name));
    Ok(Json(found.found(ResourceKind::BloxAction, &name)?))
}

/// Save a BloX custom action (older path)
///
/// As `POST /api/v1/blox/saveCustomAction`, at the path PySenseSDK uses.
#[utoipa::path(post, operation_id = "saveBloxActionByPlugin", path = "/api/v1/saveCustomAction/{plugin}", tag = "settings", params(PluginName), request_body = Object, responses((status = 200, description = "Saved", body = Object), CreateErrors))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn save_by_plugin(ctx: Ctx, body: JsonBody) -> ApiResult<Json<Value>> {
    save(ctx, body).await
}

/// Delete a BloX custom action (older path)
///
/// As `POST /api/v1/blox/deleteCustomAction`, at the path PySenseSDK uses.
#[utoipa::path(post, operation_id = "deleteBloxActionByPlugin", path = "/api/v1/deleteCustomAction/{plugin}", tag = "settings", params(PluginName), request_body = Object, responses((status = 200, description = "Deleted", body = Object, example = json!({"success": true})), DeleteErrors<BloxActions>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn delete_by_plugin(ctx: Ctx, body: JsonBody) -> ApiResult<Json<Value>> {
    delete(ctx, body).await
}

/// The current paths, and the older ones, each set a route list of its own.
pub fn routes() -> crate::http::rooms::Routes {
    use utoipa_axum::routes;
    let current = crate::http::rooms::Routes::default()
        .routes(routes!(list))
        .routes(routes!(list_windows))
        .routes(routes!(save))
        .routes(routes!(delete));
    let older = crate::http::rooms::Routes::default()
        .routes(routes!(by_type))
        .routes(routes!(save_by_plugin))
        .routes(routes!(delete_by_plugin));
    current.merge(older)
}
