//! Folders: `/api/v1/folders` and the navigation tree `/api/v1/navver`.

mod v1;

use utoipa_axum::routes;

use crate::http::rooms::{Rooms, Routes, entity};

pub fn routes() -> Rooms {
    Rooms {
        v1: Routes::default()
            .routes(routes!(v1::list, v1::create))
            .routes(routes!(v1::delete_bulk))
            .routes(entity(routes!(v1::get, v1::patch, v1::delete)))
            .routes(routes!(v1::navigation)),
        v09: Routes::default(),
    }
}
