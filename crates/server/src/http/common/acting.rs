//! The caller of a content route (dashboards, widgets, folders) as the access rules see them.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use tessera_domain::dashboard::Actor;

use crate::http::auth::caller::Caller;
use crate::http::common::error::ApiError;
use crate::http::common::extract::Query;
use crate::http::common::params::bool_param;
use crate::state::AppState;

/// The caller of a content route, with `adminAccess=true` when they asked for it: an
/// administrator who asks reaches every dashboard and folder.
pub struct Acting(pub Actor);

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct AdminAccess {
    admin_access: Option<String>,
}

impl FromRequestParts<AppState> for Acting {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let caller = Caller::from_request_parts(parts, state).await?;
        let Query(q) = Query::<AdminAccess>::from_request_parts(parts, state).await?;
        let admin_access = bool_param("adminAccess", q.admin_access.as_deref())?.unwrap_or(false);
        Ok(Acting(Actor {
            id: caller.id,
            role_name: caller.role_name,
            admin_access,
        }))
    }
}
