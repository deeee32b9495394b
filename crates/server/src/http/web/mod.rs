//! The web app: server-rendered pages (askama templates in `crates/server/templates/`, compiled
//! into the binary) for people in a browser: sign in (login.rs), Home (home.rs), Admin
//! (admin.rs), My Profile (profile.rs); page.rs holds what they share, assets.rs the embedded
//! stylesheet and script. Pages read the store; changes go through the REST API on the
//! browser session (cookie + XSRF header), except signing in and out, a new password and a
//! regenerated token, which re-issue the session itself.

mod admin;
pub mod assets;
mod home;
mod login;
pub mod page;
mod profile;

use axum::Router;
use axum::middleware::from_fn;
use axum::routing::{get, post};

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(login::root))
        .route("/app/account/login", get(login::form).post(login::submit))
        .route("/app/account/logout", post(login::sign_out))
        .route("/app/main/home", get(home::home))
        .route("/app/main/dashboards/{id}", get(home::dashboard))
        .route("/app/settings", get(admin::rest))
        .route("/app/settings/rest", get(admin::rest))
        .route("/app/settings/users", get(admin::users))
        .route("/app/settings/groups", get(admin::groups))
        .route("/app/settings/groups/{id}", get(admin::group))
        .route("/app/settings/features", get(admin::features))
        .route("/app/profile", get(profile::personal))
        .route("/app/profile/password", get(profile::password_form).post(profile::change_password))
        .route("/app/profile/api-token", get(profile::api_token))
        .route("/app/profile/api-token/regenerate", post(profile::regenerate))
        .route("/app/assets/{name}", get(assets::serve))
        .route("/app/{*rest}", get(not_found))
        .layer(from_fn(page::page_headers))
}

async fn not_found() -> page::PageError {
    page::PageError::not_found()
}
