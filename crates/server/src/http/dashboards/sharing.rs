//! A dashboard's shares and owner: who it is shared with, and giving it to someone else.

use axum::Json;
use serde_json::{Map, Value, json};
use tessera_domain::dashboard::{Access, Rule, parse_dashboard};
use tessera_domain::document::expect_object;
use tessera_domain::{Document, ResourceKind, ValidationError};

use crate::http::common::acting::Acting;
use crate::http::common::error::{ApiError, ApiResult, Code, Found};
use crate::http::common::extract::{JsonBody, PathKey, Query};
use crate::http::common::params::id_param;
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

/// How to publish.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PublishQuery {
    /// Publish even when nothing changed since the last time (accepted; every publish stamps).
    #[param(value_type = Option<bool>)]
    #[allow(dead_code, reason = "accepted as clients send it; every publish is forced")]
    force: Option<String>,
}

/// Publish a dashboard
///
/// The owner (or an administrator with `adminAccess=true`) publishes the dashboard to the
/// people it is shared with. Tessera keeps one document that every share reads, so they see
/// changes at once; publishing stamps `lastPublish`. Anyone else who can see it gets 403.
#[utoipa::path(post, operation_id = "publishDashboard", path = "/api/v1/dashboards/{id}/publish", tag = "dashboards", params(IdPath, PublishQuery, AdminAccess), responses((status = 204, description = "Published"), WriteErrors<Dashboards>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn publish(
    Acting { state, actor }: Acting, PathKey(key): PathKey, _force: Query<PublishQuery>,
) -> ApiResult<axum::http::StatusCode> {
    let id = dashboard_id(&key)?;
    let (_, access) =
        state.store.get_dashboard(&actor, id).await?.found(ResourceKind::Dashboard, &key)?;
    if access != Access::Own {
        return Err(ApiError::new(Code::Forbidden, "Only the owner can publish a dashboard"));
    }
    let stamp = tessera_domain::time::now_iso();
    let edit = move |mut current: Document| {
        current.insert("lastPublish".into(), Value::String(stamp));
        parse_dashboard(Value::Object(current))
    };
    state.store.update_dashboard(&actor, id, Box::new(edit)).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// Who might own a dashboard.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct OwnerQuery {
    /// The user to ask about (id); the caller when absent.
    #[param(pattern = "^[0-9a-fA-F]{24}$")]
    user_id: Option<String>,
}

/// Ask whether a user can own a dashboard
///
/// `{"canBeOwned": true}` when the user exists, is active and may create dashboards (viewers
/// cannot own one), for a dashboard the caller can see.
#[utoipa::path(get, operation_id = "dashboardCanBeOwned", path = "/api/v1/dashboards/{id}/can_be_owned", tag = "dashboards", params(IdPath, OwnerQuery, AdminAccess), responses((status = 200, description = "Whether the user can own it", body = Object, example = json!({"canBeOwned": true})), ReadErrors<Dashboards>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn can_be_owned(
    Acting { state, actor }: Acting, PathKey(key): PathKey, Query(q): Query<OwnerQuery>,
) -> ApiResult<Json<Value>> {
    let id = dashboard_id(&key)?;
    state.store.get_dashboard(&actor, id).await?.found(ResourceKind::Dashboard, &key)?;
    let user = match id_param("userId", q.user_id.as_deref())? {
        Some(user) => user,
        None => actor.id,
    };
    let can = match state.store.auth_record(user).await? {
        Some(record) => record.active && record.role_name != tessera_domain::role::CONSUMER,
        None => return Err(ApiError::not_found(ResourceKind::User, user.to_string())),
    };
    Ok(Json(json!({ "canBeOwned": can })))
}
