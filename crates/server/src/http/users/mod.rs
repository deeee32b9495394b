//! Users: `/api/v1/users` (v1.rs), the API 0.9 `/api/users` adapters (v09.rs), and who may
//! create or change whom (access.rs).

pub mod access;
mod v09;
mod v1;

use utoipa_axum::routes;

use crate::http::rooms::{Rooms, Routes, entity};

pub fn routes() -> Rooms {
    Rooms {
        v1: Routes::default()
            .routes(routes!(v1::list, v1::create))
            .routes(routes!(v1::create_bulk, v1::delete_bulk))
            .routes(entity(routes!(v1::get, v1::replace, v1::patch, v1::delete))),
        v09: Routes::default()
            .routes(routes!(v09::list, v09::create))
            .routes(routes!(v09::delete_many))
            .routes(routes!(v09::count))
            .routes(entity(routes!(v09::get, v09::replace, v09::patch, v09::delete))),
    }
}
