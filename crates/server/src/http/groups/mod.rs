//! Groups: `/api/v1/groups` (v1.rs) and the API 0.9 `/api/groups` adapters with their members
//! (v09.rs).

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
            .routes(entity(routes!(v09::get, v09::replace, v09::delete)))
            .routes(routes!(v09::members, v09::add_members, v09::remove_members)),
    }
}
