//! Who is calling: every `/api` route but login requires a token, as `Authorization: Bearer
//! <token>` or, from a browser, the session cookie (session.rs) with its XSRF check.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use subtle::ConstantTimeEq;
use tessera_domain::ObjectId;

use crate::http::auth::session;
use crate::http::common::error::{ApiError, Code};
use crate::state::AppState;

/// The authenticated user of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub id: ObjectId,
    pub role_name: String,
    /// The secret the caller's token carries (the user's current one).
    pub api_secret: String,
    /// The id and expiry of the token this request came with, for logout.
    pub jti: String,
    pub exp: Option<i64>,
}

impl Caller {
    /// Only `super` and `admin` manage users and groups.
    pub fn require_identity_admin(&self) -> Result<(), ApiError> {
        if tessera_domain::role::manages_identities(&self.role_name) {
            Ok(())
        } else {
            Err(ApiError::new(Code::Forbidden, "Only administrators can manage users and groups"))
        }
    }

    /// The caller as the content rules see them, asking for `adminAccess` or not.
    pub fn actor(&self, admin_access: bool) -> tessera_domain::dashboard::Actor {
        tessera_domain::dashboard::Actor {
            id: self.id,
            role_name: self.role_name.clone(),
            admin_access,
        }
    }

    /// Administrators (`super`, `admin`) only: the server's settings.
    pub fn require_admin(&self) -> Result<(), ApiError> {
        if tessera_domain::role::manages_identities(&self.role_name) {
            Ok(())
        } else {
            Err(ApiError::new(Code::Forbidden, "Only administrators can change settings"))
        }
    }
}

/// Middleware on every protected route: rejects the request with 401 unless it carries a
/// valid token, and hands the [`Caller`] to the handler.
pub async fn require_token(
    State(state): State<AppState>, mut req: Request, next: Next,
) -> Result<Response, ApiError> {
    let headers = req.headers();
    let caller = match bearer_token(headers) {
        Some(token) => authenticate(&state, token).await?,
        None => {
            let token = session::session_token(headers).ok_or_else(ApiError::invalid_token)?;
            let caller = authenticate(&state, &token).await?;
            if !session::is_safe(req.method()) {
                session::check_xsrf(&state, &caller.jti, session::xsrf_header(headers))?;
            }
            caller
        }
    };
    tracing::Span::current().record("user", tracing::field::display(caller.id));
    req.extensions_mut().insert(caller);
    Ok(next.run(req).await)
}

/// The token of an `Authorization` header: `Bearer <token>`, and also `Bearer<token>` and
/// `Authorization:Bearer <token>` as written in the seed's curl example (curl sends those as the
/// same header). The scheme is case-insensitive (RFC 9110).
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?.trim();
    let scheme = value.get(..6)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let token = value[6..].trim_start();
    (!token.is_empty()).then_some(token)
}

/// A token is valid when its signature checks, it has not expired or been logged out, its user
/// exists and is active, and the secret it carries is the user's current one (renewal, admin
/// revocation, a new password or deactivation kill old tokens).
pub async fn authenticate(state: &AppState, token: &str) -> Result<Caller, ApiError> {
    let claims = state.tokens.verify(token).ok_or_else(ApiError::invalid_token)?;
    let id: ObjectId = claims.user.parse().map_err(|_| ApiError::invalid_token())?;
    // `None`: logged out, or the user is gone.
    let record =
        state.store.token_holder(id, &claims.jti).await?.ok_or_else(ApiError::invalid_token)?;
    let secret_matches: bool =
        record.api_secret.as_bytes().ct_eq(claims.api_secret.as_bytes()).into();
    if !secret_matches || !record.active {
        return Err(ApiError::invalid_token());
    }
    Ok(Caller {
        id,
        role_name: record.role_name,
        api_secret: record.api_secret,
        jti: claims.jti,
        exp: claims.exp,
    })
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        // Only absent on a route outside the protected router: fail closed.
        parts.extensions.get::<Caller>().cloned().ok_or_else(ApiError::invalid_token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(AUTHORIZATION, value.parse().unwrap());
        h
    }

    #[test]
    fn bearer_forms() {
        assert_eq!(bearer_token(&headers("Bearer abc")), Some("abc"));
        assert_eq!(bearer_token(&headers("Bearer   abc")), Some("abc"));
        assert_eq!(bearer_token(&headers("bearer abc")), Some("abc"));
        assert_eq!(bearer_token(&headers("Bearerabc")), Some("abc"));
        assert_eq!(bearer_token(&headers("Bearer ")), None);
        assert_eq!(bearer_token(&headers("Basic abc")), None);
        assert_eq!(bearer_token(&headers("Bear")), None);
        assert_eq!(bearer_token(&HeaderMap::new()), None);
    }
}
