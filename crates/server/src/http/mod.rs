//! The HTTP layer. Each resource is a room of its own (`users/`, `groups/`, `roles.rs`,
//! `dashboards/`, `folders/`, `auth/`) that owns its routes for both API versions, each declared
//! once with its documentation; `common/` and `doc/` are leaves they all use. This file keeps
//! only the layers every request passes (request id, trace span, panic, auth, CORS, body limit)
//! and merges the rooms.

pub mod auth;
pub mod common;
mod dashboards;
mod doc;
pub mod docs;
mod folders;
mod groups;
mod health;
pub mod metrics;
mod roles;
mod rooms;
mod settings;
mod users;
mod web;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::Request;
use axum::middleware::from_fn_with_state;
use std::time::Duration;
use tower::ServiceBuilder;
use tower::util::option_layer;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{
    MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};

use tower_http::trace::TraceLayer;
use utoipa::openapi::OpenApi as Document;
use utoipa::{Modify, OpenApi};

use crate::config::CorsOrigins;
use crate::http::common::fallback;
use crate::http::doc::constraints::Limits;
use crate::http::rooms::{Rooms, Routes};
use crate::state::AppState;

pub use common::error;

/// Every room's routes: those behind a token, and those anyone may call.
struct Api {
    protected: Rooms,
    public: Rooms,
}

fn api() -> Api {
    Api {
        protected: users::routes()
            .merge(groups::routes())
            .merge(auth::routes())
            .merge(dashboards::routes())
            .merge(folders::routes())
            .merge(roles::routes())
            .merge(settings::routes()),
        public: auth::public_routes(),
    }
}

/// One API version: its routes and the document they make, on top of `base`, with the
/// validation's limits written into its request schemas.
fn version(base: Document, public: Routes, protected: Routes) -> (Router<AppState>, Document) {
    let (router, mut doc) =
        Routes::with_openapi(base).merge(public).merge(protected).split_for_parts();
    Limits.modify(&mut doc);
    (router, doc)
}

/// Both documents as committed under docs/openapi/.
pub fn documents() -> [(&'static str, String); 2] {
    let Api { protected, public } = api();
    let (_, v1) = version(docs::V1::openapi(), public.v1, protected.v1);
    let (_, v09) = version(docs::V09::openapi(), public.v09, protected.v09);
    [("v1.json", docs::pretty(&v1)), ("v0.9.json", docs::pretty(&v09))]
}

/// One operation the router serves.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Operation {
    pub method: &'static str,
    pub path: String,
}

/// The operations the router serves, read from the rooms' own routes: those that need a token
/// and those that need none.
pub struct RouteTable {
    pub protected: Vec<Operation>,
    pub public: Vec<Operation>,
}

pub fn route_table() -> RouteTable {
    let Api { protected, public } = api();
    RouteTable { protected: operations(&protected), public: operations(&public) }
}

fn operations(rooms: &Rooms) -> Vec<Operation> {
    [&rooms.v1, &rooms.v09]
        .into_iter()
        .flat_map(|routes| routes.get_openapi().paths.paths.clone())
        .flat_map(|(path, item)| {
            [
                ("GET", item.get.is_some()),
                ("POST", item.post.is_some()),
                ("PUT", item.put.is_some()),
                ("PATCH", item.patch.is_some()),
                ("DELETE", item.delete.is_some()),
            ]
            .into_iter()
            .filter(|(_, served)| *served)
            .map(move |(method, _)| Operation { method, path: path.clone() })
        })
        .collect()
}

/// CORS for browser apps on other origins: preflights answered, the API's methods and headers
/// allowed, credentials only for origins named one by one.
fn cors(origins: &CorsOrigins) -> CorsLayer {
    use axum::http::{HeaderName, Method, header};
    let layer = CorsLayer::new()
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE])
        // Whatever headers the preflight asks for: the Compose SDK adds its own `x-sisense-*`
        // headers (and more with each version); the origin is what the policy checks.
        .allow_headers(tower_http::cors::AllowHeaders::mirror_request())
        .expose_headers([
            HeaderName::from_static("x-total-count"),
            HeaderName::from_static("x-request-id"),
            header::ETAG,
        ]);
    match origins {
        CorsOrigins::Any => layer.allow_origin(AllowOrigin::any()),
        CorsOrigins::List(list) => layer
            .allow_origin(AllowOrigin::list(list.iter().filter_map(|o| o.parse().ok())))
            .allow_credentials(true),
    }
}

/// Every route of the API, with the layers every request passes.
pub fn router(state: AppState, cors_origins: Option<&CorsOrigins>) -> Router {
    let Api { protected, public } = api();
    let auth = from_fn_with_state(state.clone(), auth::caller::require_token);
    let (v1_routes, v1) =
        version(docs::V1::openapi(), public.v1, protected.v1.route_layer(auth.clone()));
    let (v09_routes, v09) =
        version(docs::V09::openapi(), public.v09, protected.v09.route_layer(auth));

    let max_body = state.max_body_bytes;
    let trusted = state.trusted_proxies.clone();
    v1_routes
        .merge(v09_routes)
        .merge(docs::router(v1, v09))
        .merge(web::router())
        .merge(health::router())
        .merge(metrics::router(state.clone()))
        .fallback(fallback::not_found)
        .method_not_allowed_fallback(fallback::method_not_allowed)
        .layer(DefaultBodyLimit::max(max_body))
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(state.body_timeout))
        .layer(axum::middleware::from_fn_with_state(
            max_body,
            common::extract::refuse_declared_oversize,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.head_limits,
            common::edge::refuse_oversized_head,
        ))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(move |req: &Request<_>| request_span(req, &trusted))
                        .on_response(log_response),
                )
                // Outside the panic catcher, so that a panic's 500 is counted too.
                .layer(from_fn_with_state(state.clone(), metrics::measure))
                .layer(PropagateRequestIdLayer::x_request_id())
                .layer(CatchPanicLayer::custom(fallback::panic_response)),
        )
        .layer(option_layer(cors_origins.map(cors)))
        .with_state(state)
}

/// One span per request with its id, the client, the method, the route template and the path;
/// never the query string or any header, so that no secret reaches the logs.
fn request_span<B>(req: &Request<B>, trusted: &[ipnet::IpNet]) -> tracing::Span {
    // Formatting the client's address costs more than the rest of a cached read's logging:
    // skipped when no span would be recorded.
    if !tracing::enabled!(tracing::Level::INFO) {
        return tracing::Span::none();
    }
    let id = req
        .extensions()
        .get::<RequestId>()
        .and_then(|id| id.header_value().to_str().ok())
        .unwrap_or("-");
    let client = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|peer| common::client::client_address(peer.ip(), req.headers(), trusted).to_string());
    let route = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map(axum::extract::MatchedPath::as_str);
    tracing::info_span!(
        "request",
        request_id = %id,
        client = client.as_deref().unwrap_or("-"),
        method = %req.method(),
        route = route.unwrap_or("-"),
        path = %req.uri().path(),
        user = tracing::field::Empty,
    )
}

/// The access line: status, latency in milliseconds (a number) and, for an error, its code.
fn log_response<B>(response: &axum::http::Response<B>, latency: Duration, _: &tracing::Span) {
    let code = response.extensions().get::<common::error::LoggedCode>().map(|c| c.0);
    tracing::info!(
        status = response.status().as_u16(),
        latency_ms = latency.as_secs_f64() * 1000.0,
        code,
        "finished processing request"
    );
}
