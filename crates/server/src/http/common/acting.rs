//! Who is calling a protected route, with the shared state a handler works on: `Ctx` for the
//! identity routes (users, groups, roles, tokens), `Acting` for the content routes (dashboards,
//! widgets, folders), where the access rules see an `Actor`.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use tessera_domain::dashboard::Actor;

use crate::http::auth::caller::Caller;
use crate::http::common::error::ApiError;
use crate::http::common::extract::Query;
use crate::http::common::params::bool_param;
use crate::state::AppState;

/// The state and the signed-in caller: what an identity handler starts from.
pub struct Ctx {
    pub state: AppState,
    pub caller: Caller,
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let caller = Caller::from_request_parts(parts, state).await?;
        Ok(Ctx { state: state.clone(), caller })
    }
}

/// The state and the caller of a content route, with `adminAccess=true` when they asked for
/// it: an administrator who asks reaches every dashboard and folder.
pub struct Acting {
    pub state: AppState,
    pub actor: Actor,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct AdminAccess {
    admin_access: Option<String>,
}

impl FromRequestParts<AppState> for Acting {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let caller = Caller::from_request_parts(parts, state).await?;
        let Query(q) = Query::<AdminAccess>::from_request_parts(parts, state).await?;
        let admin_access = bool_param("adminAccess", q.admin_access.as_deref())?.unwrap_or(false);
        let actor = caller.actor(admin_access);
        Ok(Acting { state: state.clone(), actor })
    }
}
