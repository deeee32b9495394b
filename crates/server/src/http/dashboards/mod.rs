//! Dashboards: `/api/v1/dashboards` (v1.rs: the documents themselves), their shares and owner
//! (sharing.rs), export and import (transfer.rs), administrators' lists and searches (find.rs),
//! their widgets (widgets.rs), and the API 0.9 adapters (v09.rs).

mod find;
mod sharing;
mod transfer;
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
            .routes(routes!(sharing::shares))
            .routes(routes!(sharing::change_owner))
            .routes(routes!(find::admin_list))
            .routes(routes!(transfer::export))
            .routes(routes!(transfer::export_one))
            .routes(routes!(transfer::import))
            .routes(routes!(find::search))
            .routes(routes!(widgets::list, widgets::create))
            .routes(entity(routes!(widgets::get, widgets::update, widgets::patch, widgets::delete)))
            .routes(routes!(sharing::publish))
            .routes(routes!(sharing::can_be_owned))
            .routes(routes!(transfer::export_png))
            .routes(routes!(transfer::export_pdf)),
        v09: Routes::default()
            .routes(routes!(v09::list, v09::create))
            .routes(entity(routes!(v09::get, v09::update, v09::patch, v09::delete)))
            .routes(routes!(v09::list_widgets, v09::create_widget))
            .routes(entity(routes!(v09::get_widget, v09::update_widget)))
            .routes(routes!(v09::export))
            .routes(routes!(v09::shares, v09::set_shares)),
    }
}
