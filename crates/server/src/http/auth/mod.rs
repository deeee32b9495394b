//! Authentication: signing in (login.rs), the caller of every protected route and the layer
//! that finds them (caller.rs), and tokens after login (tokens.rs).

pub mod caller;
pub mod login;
pub mod session;
mod tokens;

use utoipa_axum::routes;

use crate::http::rooms::{Rooms, Routes};

/// The routes that need a valid token.
pub fn routes() -> Rooms {
    Rooms {
        v1: Routes::default()
            .routes(routes!(tokens::api_token))
            .routes(routes!(tokens::renew))
            .routes(routes!(tokens::revoke))
            .routes(routes!(tokens::logout_v1)),
        v09: Routes::default()
            .routes(routes!(tokens::logged_in))
            .routes(routes!(tokens::logout_v09)),
    }
}

/// The routes anyone may call: signing in, and asking whether one is signed in.
pub fn public_routes() -> Rooms {
    Rooms {
        v1: Routes::default().routes(routes!(login::login)),
        v09: Routes::default().routes(routes!(tokens::is_auth)),
    }
}
