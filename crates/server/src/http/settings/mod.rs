//! The server's settings as clients read them at start and change them: Feature Management
//! (features.rs); the system settings, AI settings, UI settings, branding and usage activity
//! (system.rs); the design settings, the caller and the palettes of `/api/globals`
//! (globals.rs); plugins, themes and BloX custom actions (extensions.rs); the one tenant
//! (tenants.rs).

mod extensions;
mod features;
mod globals;
mod system;
mod tenants;

use utoipa_axum::routes;

use crate::http::rooms::{Rooms, Routes};

pub fn routes() -> Rooms {
    Rooms {
        v1: Routes::default()
            .routes(routes!(features::features, features::patch_features))
            .routes(routes!(system::system))
            .routes(routes!(tenants::tenants))
            .routes(routes!(system::ui_settings))
            .routes(routes!(system::set_ui_settings))
            .routes(routes!(system::ai_settings))
            .routes(routes!(extensions::plugins, extensions::patch_plugins))
            .routes(routes!(extensions::theme))
            .routes(routes!(extensions::blox_actions))
            .routes(routes!(extensions::blox_actions_windows))
            .routes(routes!(extensions::save_blox_action))
            .routes(routes!(extensions::delete_blox_action))
            .routes(routes!(extensions::blox_action_by_type))
            .routes(routes!(extensions::save_blox_action_by_plugin))
            .routes(routes!(extensions::delete_blox_action_by_plugin)),
        v09: Routes::default()
            .routes(routes!(globals::globals))
            .routes(routes!(globals::palettes))
            .routes(routes!(globals::palette))
            .routes(routes!(system::branding, system::set_branding))
            .routes(routes!(system::activity)),
    }
}
