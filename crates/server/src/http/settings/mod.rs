//! The server's settings as clients read them at start and change them: Feature Management
//! (features.rs); the system settings, AI settings, UI settings, branding and usage activity
//! (system.rs); the design settings, the caller and the palettes of `/api/globals`
//! (globals.rs); plugins and themes (extensions.rs); BloX custom actions (blox.rs); the one
//! tenant (tenants.rs).

mod blox;
mod extensions;
mod features;
mod globals;
mod system;
mod tenants;

use utoipa_axum::routes;

use crate::http::rooms::{Rooms, Routes};

pub fn routes() -> Rooms {
    let server = Routes::default()
        .routes(routes!(features::features, features::patch_features))
        .routes(routes!(system::system))
        .routes(routes!(system::ai_settings))
        .routes(routes!(tenants::tenants));
    let clients = Routes::default()
        .routes(routes!(system::ui_settings))
        .routes(routes!(system::set_ui_settings))
        .routes(routes!(extensions::plugins, extensions::patch_plugins))
        .routes(routes!(extensions::theme));
    let v09 = Routes::default()
        .routes(routes!(globals::globals))
        .routes(routes!(globals::palettes))
        .routes(routes!(globals::palette))
        .routes(routes!(system::branding, system::set_branding))
        .merge(Routes::default().routes(routes!(system::activity)));
    Rooms { v1: server.merge(clients).merge(blox::routes()), v09 }
}
