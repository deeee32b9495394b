//! The HTTP layer: routes, extractors and the error envelope. Handlers stay thin: parse the
//! request, call the domain and the store, write the response.

mod access;
mod auth;
mod conditional;
mod content;
mod dashboards;
pub mod error;
mod extract;
mod fallback;
mod folders;
mod groups;
mod login;
pub mod openapi;
mod params;
mod roles;
mod shape;
mod tokens;
mod users;
mod v09_dashboards;
mod v09_groups;
mod v09_users;
mod widgets;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::Request;
use axum::middleware::from_fn_with_state;
use axum::routing::{MethodRouter, delete, get, post};
use tower::ServiceBuilder;
use tower::util::option_layer;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{
    MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::config::CorsOrigins;
use crate::state::AppState;

/// The routes that need a valid token, with their handlers. A route added here cannot forget
/// authentication, and the route-table test calls every one of them without a token.
fn protected_routes() -> Vec<(&'static str, MethodRouter<AppState>)> {
    vec![
        ("/api/v1/users", get(users::list).post(users::create)),
        (
            "/api/v1/users/bulk",
            post(users::create_bulk).delete(users::delete_bulk),
        ),
        (
            "/api/v1/users/{id}",
            entity(
                get(users::get)
                    .put(users::replace)
                    .patch(users::patch)
                    .delete(users::delete),
            ),
        ),
        ("/api/v1/groups", get(groups::list).post(groups::create)),
        (
            "/api/v1/groups/bulk",
            post(groups::create_bulk).delete(groups::delete_bulk),
        ),
        (
            "/api/v1/groups/{id}",
            entity(
                get(groups::get)
                    .put(groups::replace)
                    .patch(groups::patch)
                    .delete(groups::delete),
            ),
        ),
        (
            "/api/v1/dashboards",
            get(dashboards::list).post(dashboards::create),
        ),
        ("/api/v1/dashboards/bulk", delete(dashboards::delete_bulk)),
        ("/api/v1/dashboards/admin", get(dashboards::admin_list)),
        ("/api/v1/dashboards/export", get(dashboards::export)),
        ("/api/v1/dashboards/import/bulk", post(dashboards::import)),
        ("/api/v1/dashboards/searches", post(dashboards::search)),
        (
            "/api/v1/dashboards/{id}",
            entity(
                get(dashboards::get)
                    .put(dashboards::replace)
                    .patch(dashboards::patch)
                    .delete(dashboards::delete),
            ),
        ),
        ("/api/v1/dashboards/{id}/exists", get(dashboards::exists)),
        ("/api/v1/dashboards/{id}/shares", get(dashboards::shares)),
        (
            "/api/v1/dashboards/{id}/change_owner",
            post(dashboards::change_owner),
        ),
        (
            "/api/v1/dashboards/{id}/export/dash",
            get(dashboards::export_one),
        ),
        (
            "/api/v1/dashboards/{id}/widgets",
            get(widgets::list).post(widgets::create),
        ),
        (
            "/api/v1/dashboards/{id}/widgets/{widgetId}",
            entity(
                get(widgets::get)
                    .patch(widgets::patch)
                    .delete(widgets::delete),
            ),
        ),
        ("/api/v1/folders", get(folders::list).post(folders::create)),
        ("/api/v1/folders/bulk", delete(folders::delete_bulk)),
        (
            "/api/v1/folders/{id}",
            entity(
                get(folders::get)
                    .patch(folders::patch)
                    .delete(folders::delete),
            ),
        ),
        ("/api/v1/navver", get(folders::navigation)),
        ("/api/roles", get(roles::list)),
        ("/api/roles/{id_or_name}", entity(get(roles::get))),
        ("/api/users/loggedin", get(tokens::logged_in)),
        ("/api/users", get(v09_users::list).post(v09_users::create)),
        ("/api/users/delete", post(v09_users::delete_many)),
        ("/api/users/count", get(v09_users::count)),
        (
            "/api/users/{id_or_user_name}",
            entity(
                get(v09_users::get)
                    .put(v09_users::replace)
                    .patch(v09_users::patch)
                    .delete(v09_users::delete),
            ),
        ),
        (
            "/api/groups",
            get(v09_groups::list).post(v09_groups::create),
        ),
        (
            "/api/groups/{id_or_name}",
            entity(
                get(v09_groups::get)
                    .put(v09_groups::replace)
                    .delete(v09_groups::delete),
            ),
        ),
        (
            "/api/groups/{id_or_name}/users",
            get(v09_groups::members)
                .post(v09_groups::add_members)
                .delete(v09_groups::remove_members),
        ),
        (
            "/api/dashboards",
            get(v09_dashboards::list).post(v09_dashboards::create),
        ),
        (
            "/api/dashboards/{id}",
            entity(
                get(v09_dashboards::get)
                    .put(v09_dashboards::update)
                    .patch(v09_dashboards::patch)
                    .delete(v09_dashboards::delete),
            ),
        ),
        (
            "/api/dashboards/{id}/widgets",
            get(v09_dashboards::list_widgets).post(v09_dashboards::create_widget),
        ),
        (
            "/api/dashboards/{id}/widgets/{widgetId}",
            entity(get(v09_dashboards::get_widget)),
        ),
        (
            "/api/shares/dashboard/{id}",
            get(v09_dashboards::shares).post(v09_dashboards::set_shares),
        ),
        ("/api/v1/authentication/tokens/api", get(tokens::api_token)),
        (
            "/api/v1/authentication/tokens/api/renew",
            post(tokens::renew),
        ),
        (
            "/api/v1/authentication/admin/tokens/api",
            delete(tokens::revoke),
        ),
        ("/api/v1/authentication/logout", get(tokens::logout_v1)),
        ("/api/auth/logout", get(tokens::logout_v09)),
    ]
}

/// A single-entity route: its GETs carry an `ETag` and answer `If-None-Match`.
fn entity(methods: MethodRouter<AppState>) -> MethodRouter<AppState> {
    methods.layer(axum::middleware::from_fn(conditional::etag_on_get))
}

/// The routes anyone may call: signing in, and asking whether one is signed in.
fn public_routes() -> Vec<(&'static str, MethodRouter<AppState>)> {
    vec![
        ("/api/v1/authentication/login", post(login::login)),
        ("/api/auth/isauth", get(tokens::is_auth)),
    ]
}

/// The paths of the routes that need a token.
pub fn protected_paths() -> Vec<&'static str> {
    protected_routes()
        .into_iter()
        .map(|(path, _)| path)
        .collect()
}

/// The paths of the routes that need none.
pub fn public_paths() -> Vec<&'static str> {
    public_routes().into_iter().map(|(path, _)| path).collect()
}

/// CORS for browser apps on other origins: preflights answered, the API's methods and headers
/// allowed, credentials only for origins named one by one.
fn cors(origins: &CorsOrigins) -> CorsLayer {
    use axum::http::{HeaderName, Method, header};
    let layer = CorsLayer::new()
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            HeaderName::from_static("prefer"),
            HeaderName::from_static("x-xsrf-token"),
            header::IF_MATCH,
            header::IF_NONE_MATCH,
        ])
        .expose_headers([
            HeaderName::from_static("x-total-count"),
            HeaderName::from_static("x-request-id"),
            header::ETAG,
        ]);
    match origins {
        CorsOrigins::Any => layer.allow_origin(AllowOrigin::any()),
        CorsOrigins::List(list) => layer
            .allow_origin(AllowOrigin::list(
                list.iter().filter_map(|o| o.parse().ok()),
            ))
            .allow_credentials(true),
    }
}

/// Every route of the API, with the layers every request passes.
pub fn router(state: AppState, cors_origins: Option<&CorsOrigins>) -> Router {
    let protected = protected_routes()
        .into_iter()
        .fold(Router::new(), |r, (path, methods)| r.route(path, methods))
        .route_layer(from_fn_with_state(state.clone(), auth::require_token));
    let public = public_routes()
        .into_iter()
        .fold(Router::new(), |r, (path, methods)| r.route(path, methods));

    let max_body = state.max_body_bytes;
    public
        .merge(protected)
        .merge(openapi::docs_router())
        .fallback(fallback::not_found)
        .method_not_allowed_fallback(fallback::method_not_allowed)
        .layer(DefaultBodyLimit::max(max_body))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(request_span)
                        .on_response(DefaultOnResponse::new().level(Level::INFO)),
                )
                .layer(PropagateRequestIdLayer::x_request_id())
                .layer(CatchPanicLayer::custom(fallback::panic_response)),
        )
        .layer(option_layer(cors_origins.map(cors)))
        .with_state(state)
}

/// One span per request with its id; the path only, never the query string or any header,
/// so that no secret reaches the logs.
fn request_span<B>(req: &Request<B>) -> tracing::Span {
    let id = req
        .extensions()
        .get::<RequestId>()
        .and_then(|id| id.header_value().to_str().ok())
        .unwrap_or("-");
    tracing::info_span!(
        "request",
        request_id = %id,
        method = %req.method(),
        path = %req.uri().path(),
        user = tracing::field::Empty,
    )
}
