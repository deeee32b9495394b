//! Dashboards: `/api/v1/dashboards` (v1.rs: documents, sharing, ownership, export, import,
//! searches), their widgets (widgets.rs), and the API 0.9 adapters (v09.rs).

mod v09;
mod v1;
mod widgets;

use utoipa_axum::routes;

use crate::http::rooms::{Rooms, Routes, entity};

pub fn routes() -> Rooms {
    Rooms {
        v1: Routes::default()
            .routes(routes!(v1::list, v1::create))
            .routes(entity(routes!(v1::get, v1::replace, v1::patch, v1::delete)))
            .routes(routes!(v1::delete_bulk))
            .routes(routes!(v1::exists))
            .routes(routes!(v1::shares))
            .routes(routes!(v1::change_owner))
            .routes(routes!(v1::admin_list))
            .routes(routes!(v1::export))
            .routes(routes!(v1::export_one))
            .routes(routes!(v1::import))
            .routes(routes!(v1::search))
            .routes(routes!(widgets::list, widgets::create))
            .routes(entity(routes!(
                widgets::get,
                widgets::patch,
                widgets::delete
            ))),
        v09: Routes::default()
            .routes(routes!(v09::list, v09::create))
            .routes(entity(routes!(
                v09::get,
                v09::update,
                v09::patch,
                v09::delete
            )))
            .routes(routes!(v09::list_widgets, v09::create_widget))
            .routes(entity(routes!(v09::get_widget)))
            .routes(routes!(v09::shares, v09::set_shares)),
    }
}
