//! Settings clients read at start-up, answered truthfully for a Tessera server: no dashboard
//! co-authoring, no API telemetry, no AI; the UI settings and the branding a client stored.

use axum::Json;
use axum::http::StatusCode;
use serde_json::{Value, json};
use tessera_domain::ValidationError;
use tessera_store::Setting;

use crate::http::common::acting::Ctx;
use crate::http::common::error::ApiResult;
use crate::http::common::extract::JsonBody;
use crate::http::doc::responses::{AdminWriteErrors, TokenErrors};

/// Get the system settings
///
/// What the Compose SDK and pysisense read before they start: dashboard co-authoring is off
/// (so `sharedMode=true` is never needed) and the server collects no API telemetry.
#[utoipa::path(get, operation_id = "getSystemSettings", path = "/api/v1/settings/system", tag = "settings", responses((status = 200, description = "The system settings", body = Object, example = json!({"dashboardCoAuthoring": {"enabled": false}, "tracking": {"apiTelemetry": false}})), TokenErrors))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn system(_: Ctx) -> Json<Value> {
    Json(json!({
        "dashboardCoAuthoring": {"enabled": false},
        "tracking": {"apiTelemetry": false},
    }))
}

/// Get the AI settings
///
/// Tessera has no AI features: narration and Sisense AI are off.
#[utoipa::path(get, operation_id = "getAiSettings", path = "/api/v2/settings/ai", tag = "settings", responses((status = 200, description = "The AI settings", body = Object, example = json!({"narration": {"enabled": false, "sisenseAIEnabled": false}})), TokenErrors))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn ai_settings(_: Ctx) -> Json<Value> {
    Json(json!({
        "narration": {"enabled": false, "sisenseAIEnabled": false},
        "chat": {"enabled": false},
    }))
}

/// Get the UI settings
///
/// What `POST /api/v1/settings/ui/common` stored, under `common`; `{}` before.
#[utoipa::path(get, operation_id = "getUiSettings", path = "/api/v1/settings/ui", tag = "settings", responses((status = 200, description = "The UI settings", body = Object), TokenErrors))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn ui_settings(Ctx { state, .. }: Ctx) -> ApiResult<Json<Value>> {
    let common = state.store.setting(Setting::UiSettings).await?;
    Ok(Json(common.map_or_else(|| json!({}), |c| json!({ "common": c }))))
}

/// Store the common UI settings
///
/// Administrators: a JSON object that replaces the common UI settings.
#[utoipa::path(post, operation_id = "setUiSettings", path = "/api/v1/settings/ui/common", tag = "settings", request_body = Object, responses((status = 200, description = "Stored", body = Object), AdminWriteErrors))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn set_ui_settings(ctx: Ctx, body: JsonBody) -> ApiResult<Json<Value>> {
    store_object(ctx, Setting::UiSettings, body).await
}

/// Get the branding
///
/// What `POST /api/branding` stored; `{}` while Tessera shows its own brand.
#[utoipa::path(get, operation_id = "getBranding", path = "/api/branding", tag = "settings", responses((status = 200, description = "The branding", body = Object), TokenErrors))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn branding(Ctx { state, .. }: Ctx) -> ApiResult<Json<Value>> {
    Ok(Json(state.store.setting(Setting::Branding).await?.unwrap_or_else(|| json!({}))))
}

/// Store the branding
///
/// Administrators: a JSON object that replaces the branding.
#[utoipa::path(post, operation_id = "setBranding", path = "/api/branding", tag = "settings", request_body = Object, responses((status = 200, description = "Stored", body = Object), AdminWriteErrors))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn set_branding(ctx: Ctx, body: JsonBody) -> ApiResult<Json<Value>> {
    store_object(ctx, Setting::Branding, body).await
}

/// Report usage activity
///
/// Clients report what their users do; Tessera keeps no usage analytics, so the report,
/// whatever it holds (or none), is accepted and dropped unread.
#[utoipa::path(post, operation_id = "reportActivity", path = "/api/activities/", tag = "settings", request_body(content = Option<Object>, description = "The report (not kept)"), responses((status = 204, description = "Accepted"), TokenErrors))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn activity(_: Ctx) -> StatusCode {
    StatusCode::NO_CONTENT
}

/// Administrators: `body`, a JSON object, replaces the stored `setting`.
async fn store_object(
    Ctx { state, caller }: Ctx, setting: Setting, JsonBody(body): JsonBody,
) -> ApiResult<Json<Value>> {
    caller.require_admin()?;
    if !body.is_object() {
        return Err(ValidationError::body("the settings must be a JSON object").into());
    }
    Ok(Json(state.store.update_setting(setting, Box::new(move |_| Ok(body))).await?))
}
