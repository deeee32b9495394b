//! A dashboard's shares and owner: who it is shared with, and giving it to someone else.

use axum::Json;
use serde_json::{Map, Value, json};
use tessera_domain::dashboard::Rule;
use tessera_domain::document::expect_object;
use tessera_domain::{Document, ResourceKind, ValidationError};

use crate::http::common::acting::Acting;
use crate::http::common::error::{ApiError, ApiResult, Found};
use crate::http::common::extract::{JsonBody, PathKey};
use crate::http::doc::params::{AdminAccess, IdPath};
use crate::http::doc::responses::{Dashboards, ReadErrors, WriteErrors};
use crate::http::doc::schemas::{ChangeOwner, Dashboard, Shares};
use crate::state::AppState;

use super::v1::dashboard_id;

/// The public part of a user: never more than a name and an address.
fn user_summary(doc: &Value) -> Value {
    let mut out = Map::new();
    for field in ["_id", "userName", "email", "firstName", "lastName"] {
        if let Some(v) = doc.get(field) {
            out.insert(field.into(), v.clone());
        }
    }
    Value::Object(out)
}

/// `{"sharesTo": [...], "owner": {...}}` of a dashboard the caller can see.
pub async fn shares_of(
    state: &AppState, actor: &tessera_domain::dashboard::Actor, key: &str,
) -> ApiResult<Value> {
    let id = dashboard_id(key)?;
    let (raw, _) =
        state.store.get_dashboard(actor, id).await?.found(ResourceKind::Dashboard, key)?;
    let doc: Value = serde_json::from_str(raw.get()).map_err(ApiError::internal)?;
    let owner = match doc.get("owner").and_then(Value::as_str).and_then(|o| o.parse().ok()) {
        Some(owner) => match state.store.get_user(owner).await? {
            Some(user) => {
                user_summary(&serde_json::from_str(user.get()).map_err(ApiError::internal)?)
            }
            None => Value::Null,
        },
        None => Value::Null,
    };
    Ok(json!({
        "sharesTo": doc.get("shares").cloned().unwrap_or_else(|| json!([])),
        "owner": owner,
    }))
}

/// Get a dashboard's shares
///
/// Who the dashboard is shared with (`sharesTo`), and its owner's name and address.
#[utoipa::path(get, operation_id = "getDashboardShares", path = "/api/v1/dashboards/{id}/shares", tag = "dashboards", params(IdPath, AdminAccess), responses((status = 200, description = "Who the dashboard is shared with, and its owner", body = Shares), ReadErrors<Dashboards>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn shares(
    Acting { state, actor }: Acting, PathKey(key): PathKey,
) -> ApiResult<Json<Value>> {
    shares_of(&state, &actor, &key).await.map(Json)
}

/// Give a dashboard to another user
///
/// The owner (or an administrator with `adminAccess=true`) gives the dashboard away; the
/// previous owner keeps a share with `originalOwnerRule` (`edit` by default).
#[utoipa::path(post, operation_id = "changeDashboardOwner", path = "/api/v1/dashboards/{id}/change_owner", tag = "dashboards", params(IdPath, AdminAccess), request_body = ChangeOwner, responses((status = 200, description = "The dashboard, with its new owner", body = Dashboard), WriteErrors<Dashboards>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn change_owner(
    Acting { state, actor }: Acting, PathKey(key): PathKey, JsonBody(body): JsonBody,
) -> ApiResult<Json<Document>> {
    let id = dashboard_id(&key)?;
    let body = expect_object(body)?;
    let owner = tessera_domain::document::optional_id(&body, "ownerId")?
        .ok_or_else(|| ValidationError::missing("ownerId"))?;
    let rule = match body.get("originalOwnerRule") {
        None | Some(Value::Null) => Rule::Edit,
        Some(v) => Rule::parse("originalOwnerRule", v)?,
    };
    let doc = state.store.change_dashboard_owner(&actor, id, owner, rule).await?;
    Ok(Json(doc))
}
