//! Permission checks that need the store: the roles involved in a user write.

use serde_json::Value;
use tessera_domain::ObjectId;
use tessera_domain::access::{UserWrite, check_user_write};

use crate::http::auth::caller::Caller;
use crate::http::common::error::{ApiError, ApiResult, Code};
use crate::state::AppState;

/// What a user write does, as the permission rules need to know it.
#[derive(Clone, Copy, Default)]
pub struct WriteKind<'a> {
    /// A PATCH (rather than a create, replace or delete).
    pub partial: bool,
    /// The fields it sets.
    pub fields: &'a [&'a str],
    /// A delete, or `active: false`.
    pub disables: bool,
}

/// Refuses (403) a write to a user that the caller may not make: see docs/permissions.md.
/// `target` is the user written (none on create), `new_role` the role the write gives.
pub async fn authorize_user_write(
    state: &AppState, caller: &Caller, target: Option<ObjectId>, new_role: Option<ObjectId>,
    kind: WriteKind<'_>,
) -> ApiResult<()> {
    let WriteKind { partial, fields, disables } = kind;
    let current_role = match target {
        Some(id) => state.store.auth_record(id).await?.map(|r| r.role_name),
        None => None,
    };
    let new_role = match new_role {
        Some(id) => role_name(state, id).await?,
        None => None,
    };
    let write = UserWrite {
        caller_role: &caller.role_name,
        on_self: target == Some(caller.id),
        partial,
        current_role: current_role.as_deref(),
        new_role: new_role.as_deref(),
        fields,
        disables,
    };
    check_user_write(&write).map_err(|denied| ApiError::new(Code::Forbidden, denied.to_string()))
}

async fn role_name(state: &AppState, id: ObjectId) -> ApiResult<Option<String>> {
    Ok(state
        .store
        .find_role(&id.to_string())
        .await?
        .and_then(|r| r.get("name").and_then(Value::as_str).map(str::to_owned)))
}
