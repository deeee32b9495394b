//! My Profile (`/app/profile`): Personal Information (saved through the API), Password, and
//! the API Token tab while Feature Management has it on. A new password and a regenerated
//! token end every other token of the user; this browser's session goes on with a new one.

use askama::Template;
use axum::extract::Query;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde::de::IgnoredAny;
use tessera_domain::user::{Password, parse_user, take_password};
use tessera_store::UserRecord;

use crate::http::auth::session;
use crate::http::common::error::ApiError;
use crate::http::web::page::{Frame, PageError, Posted, Visitor, render, text};

/// Sisense's warning before a token is regenerated.
const REGENERATE_WARNING: &str = "Exercise caution before regenerating an API token. \
    Integrations using the existing API token stop working until updated with the new token.";

#[derive(Template)]
#[template(path = "profile_personal.html")]
struct PersonalTab {
    frame: Frame,
    tab: &'static str,
    api_token_tab: bool,
    id: String,
    first_name: String,
    last_name: String,
    email: String,
}

#[derive(Template)]
#[template(path = "profile_password.html")]
struct PasswordTab {
    frame: Frame,
    tab: &'static str,
    api_token_tab: bool,
    message: Option<&'static str>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "profile_token.html")]
struct TokenTab {
    frame: Frame,
    tab: &'static str,
    api_token_tab: bool,
    token: String,
    confirm: bool,
    regenerated: bool,
    warning: &'static str,
}

pub async fn personal(visitor: Visitor) -> Result<Response, PageError> {
    let page = PersonalTab {
        frame: visitor.frame("profile"),
        tab: "personal",
        api_token_tab: visitor.features().await?.user_profile.api_token,
        id: visitor.caller.id.to_string(),
        first_name: text(&visitor.user, "firstName"),
        last_name: text(&visitor.user, "lastName"),
        email: text(&visitor.user, "email"),
    };
    Ok(render(&page))
}

async fn password_page(
    visitor: &Visitor, frame: Frame, message: Option<&'static str>, error: Option<String>,
) -> Result<PasswordTab, PageError> {
    let api_token_tab = visitor.features().await?.user_profile.api_token;
    Ok(PasswordTab { frame, tab: "password", api_token_tab, message, error })
}

pub async fn password_form(visitor: Visitor) -> Result<Response, PageError> {
    let frame = visitor.frame("profile");
    Ok(render(&password_page(&visitor, frame, None, None).await?))
}

#[derive(Deserialize)]
pub struct PasswordChange {
    current: Option<String>,
    new: Option<String>,
    confirm: Option<String>,
}

/// Checks the current password, stores the new one (which ends every token of the user), and
/// starts this browser's session again on a new token.
pub async fn change_password(posted: Posted<PasswordChange>) -> Result<Response, PageError> {
    let Posted { visitor, browser, form } = posted;
    let state = &visitor.state;
    let new = match checked(&visitor, form).await? {
        Ok(new) => new,
        Err((status, error)) => {
            let page = password_page(&visitor, visitor.frame("profile"), None, Some(error));
            return Ok((status, render(&page.await?)).into_response());
        }
    };
    let password_hash = state.passwords.hash(new).await.map_err(ApiError::internal)?;
    let default_role = state.default_role;
    let id = visitor.caller.id;
    let edit = move |current: tessera_domain::Document| {
        parse_user(serde_json::Value::Object(current), default_role)
            .map(|draft| UserRecord::from_draft(draft, Some(password_hash)))
    };
    state.store.update_user(id, Box::new(edit)).await?;
    tracing::info!(user = %id, "password changed in the web app");
    let mut cookies = HeaderMap::new();
    restart_session(&visitor, &mut cookies, browser.https).await?;
    let page =
        password_page(&visitor, visitor.frame("profile"), Some("Your password was changed."), None)
            .await?;
    Ok((cookies, render(&page)).into_response())
}

/// The new password of a change, or why it is refused: a confirmation that differs, a
/// password too short or too long, a wrong current password.
async fn checked(
    visitor: &Visitor, form: PasswordChange,
) -> Result<Result<Password, (StatusCode, String)>, PageError> {
    let (current, new) = (form.current.unwrap_or_default(), form.new.unwrap_or_default());
    if new != form.confirm.unwrap_or_default() {
        let why = "The new password and its confirmation differ.".to_owned();
        return Ok(Err((StatusCode::BAD_REQUEST, why)));
    }
    let mut doc = tessera_domain::Document::new();
    doc.insert("password".into(), serde_json::Value::String(new));
    let new = match take_password(&mut doc) {
        Ok(Some(p)) => p,
        Ok(None) => {
            return Ok(Err((StatusCode::BAD_REQUEST, "A new password is required.".into())));
        }
        Err(e) => return Ok(Err((StatusCode::BAD_REQUEST, e.to_string()))),
    };
    let state = &visitor.state;
    let record = state.store.login_record(&text(&visitor.user, "userName")).await?;
    let hash = record.as_ref().and_then(|r| r.password_hash.clone());
    if !state.passwords.verify(current, hash).await {
        return Ok(Err((StatusCode::FORBIDDEN, "The current password is wrong.".into())));
    }
    Ok(Ok(new))
}

/// A new session token under the user's new secret, in place of the one that just died.
async fn restart_session(
    visitor: &Visitor, cookies: &mut HeaderMap, https: bool,
) -> Result<(), PageError> {
    let state = &visitor.state;
    let auth =
        state.store.auth_record(visitor.caller.id).await?.ok_or_else(PageError::not_found)?;
    let token = state.mint(visitor.caller.id, &auth.api_secret).await?;
    // The browser does not say whether its cookie was a remembered one: the new session ends
    // with the browser, the safer of the two.
    session::start(state, cookies, &token, false, https);
    Ok(())
}

#[derive(Deserialize)]
pub struct TokenQuery {
    confirm: Option<bool>,
}

pub async fn api_token(
    visitor: Visitor, Query(q): Query<TokenQuery>,
) -> Result<Response, PageError> {
    if !visitor.features().await?.user_profile.api_token {
        return Err(PageError::not_found());
    }
    let auth = visitor
        .state
        .store
        .auth_record(visitor.caller.id)
        .await?
        .ok_or_else(PageError::not_found)?;
    let token = visitor.state.mint(visitor.caller.id, &auth.api_secret).await?;
    Ok(render(&token_tab(&visitor, token, q.confirm.unwrap_or(false), false)))
}

fn token_tab(visitor: &Visitor, token: String, confirm: bool, regenerated: bool) -> TokenTab {
    TokenTab {
        frame: visitor.frame("profile"),
        tab: "api-token",
        api_token_tab: true,
        token,
        confirm,
        regenerated,
        warning: REGENERATE_WARNING,
    }
}

/// A new secret for the user (every earlier token stops working), a new API token shown, and
/// this browser's session started again.
pub async fn regenerate(posted: Posted<IgnoredAny>) -> Result<Response, PageError> {
    let Posted { visitor, browser, .. } = posted;
    let state = &visitor.state;
    if !visitor.features().await?.user_profile.api_token {
        return Err(PageError::not_found());
    }
    state.check_mint(visitor.caller.id).await?;
    let secret = state.store.renew_secrets(vec![visitor.caller.id]).await?.remove(0);
    let token = state.mint(visitor.caller.id, &secret).await?;
    tracing::info!(user = %visitor.caller.id, "API token regenerated in the web app");
    let mut cookies = HeaderMap::new();
    restart_session(&visitor, &mut cookies, browser.https).await?;
    Ok((cookies, render(&token_tab(&visitor, token, false, true))).into_response())
}
