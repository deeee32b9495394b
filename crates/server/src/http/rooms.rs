//! What each resource's folder hands the HTTP layer: its routes for both API versions, each
//! registered together with its OpenAPI operation (utoipa-axum's `routes!`), so that a route
//! and its documentation cannot drift apart.

use axum::middleware::from_fn;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter, UtoipaMethodRouterExt};

use crate::http::common::conditional::etag_on_get;
use crate::state::AppState;

/// Routes with the operations that document them.
pub type Routes = OpenApiRouter<AppState>;

/// The operations of one path, from `routes!(...)`.
pub type PathRoutes = UtoipaMethodRouter<AppState>;

/// A resource's routes, by API version (each version has its own document).
#[derive(Default)]
pub struct Rooms {
    pub v1: Routes,
    pub v09: Routes,
}

impl Rooms {
    pub fn merge(self, other: Rooms) -> Rooms {
        Rooms { v1: self.v1.merge(other.v1), v09: self.v09.merge(other.v09) }
    }
}

/// A single-entity path: its GETs carry an `ETag` and answer `If-None-Match`.
pub fn entity(routes: PathRoutes) -> PathRoutes {
    routes.map(|methods| methods.layer(from_fn(etag_on_get)))
}
