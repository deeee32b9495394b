//! `/api/v1/settings/features`: Admin → Feature Management's switches, read and changed by
//! administrators (the web app reads them for everyone, server-side).

use axum::Json;
use tessera_domain::features::Features;

use crate::http::common::acting::Ctx;
use crate::http::common::error::ApiResult;
use crate::http::common::extract::JsonBody;
use crate::http::doc::responses::{AdminErrors, AdminWriteErrors};
use crate::http::doc::schemas::FeaturesDoc;

/// Get the feature switches
///
/// Administrators: which optional features are on. `userProfile.apiToken` shows the API Token
/// tab of My Profile to every user; off by default, as in Sisense.
#[utoipa::path(get, operation_id = "getFeatures", path = "/api/v1/settings/features", tag = "settings", responses((status = 200, description = "The switches", body = FeaturesDoc), AdminErrors))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn features(Ctx { state, caller }: Ctx) -> ApiResult<Json<Features>> {
    caller.require_admin()?;
    Ok(Json(state.store.features().await?))
}

/// Change the feature switches
///
/// Administrators: a JSON merge patch (RFC 7396) such as `{"userProfile": {"apiToken": true}}`;
/// `null` turns a switch back off. An unknown switch or a value that is not a boolean is a 400
/// and changes nothing.
#[utoipa::path(patch, operation_id = "patchFeatures", path = "/api/v1/settings/features", tag = "settings", request_body(content = FeaturesDoc, description = "JSON merge patch (RFC 7396) of the switches"), responses((status = 200, description = "The switches, changed", body = FeaturesDoc), AdminWriteErrors))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn patch_features(
    Ctx { state, caller }: Ctx, JsonBody(patch): JsonBody,
) -> ApiResult<Json<Features>> {
    caller.require_admin()?;
    let features = state.store.update_features(Box::new(move |f| f.patched(&patch))).await?;
    tracing::info!(by = %caller.id, ?features, "feature switches changed");
    Ok(Json(features))
}
