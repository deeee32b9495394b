//! `/api/globals` and `/api/palettes`: what the Compose SDK loads before it draws anything (it
//! stops with `serverSettingsNotLoaded` without them). The design settings are Sisense's
//! defaults, and the one palette is Sisense's default, "Vivid".

use axum::Json;
use serde_json::{Value, json};
use tessera_domain::ResourceKind;
use tessera_domain::document::text_of as text;

use crate::http::common::acting::Ctx;
use crate::http::common::error::{ApiResult, Found};
use crate::http::common::extract::PathKey;
use crate::http::doc::responses::{Palettes, ReadErrors, TokenErrors};

/// Sisense's default palette.
const VIVID: &[&str] = &["#00cee6", "#9b9bd7", "#6eda55", "#fc7570", "#fbb755", "#218a8c"];

fn vivid() -> Value {
    json!({
        "_id": "5d1c58b3a21e4a0b2ca1e001",
        "name": "Vivid",
        "colors": VIVID,
        "isDefault": true,
        "isSystem": true,
        "sortOrder": 1,
    })
}

/// Sisense's default design settings, in the shape the Compose SDK turns into its theme.
fn design_settings() -> Value {
    json!({
        "general": {
            "brandColor": "#ffcb05",
            "backgroundColor": "#f4f4f8",
            "primaryButtonTextColor": "#3a4356",
            "primaryButtonHoverColor": "#f2b900",
            "secondaryButtonBaseColor": "#edeef1",
            "secondaryButtonTextColor": "#3a4356",
            "secondaryButtonHoverColor": "#d7d8dc",
        },
        "dashboards": {
            "colorPaletteName": "Vivid",
            "layoutBackgroundColor": "#f0f0f0",
            "widgetTextColor": "#5b6372",
            "widgetSecondaryTextColor": "#9ea2ab",
            "widgetBackgroundColor": "#ffffff",
            "widgetSpacing": "medium",
            "widgetCornerRadius": "none",
            "widgetShadow": "none",
            "widgetBorderEnabled": false,
            "widgetBorderColor": "#dadada",
            "widgetTitleColor": "#5b6372",
            "widgetTitleAlignment": "left",
            "widgetTitleDividerEnabled": false,
            "widgetTitleDividerColor": "#dadada",
            "widgetTitleBackgroundColor": "#ffffff",
            "toolbarTextColor": "#5b6372",
            "toolbarSecondaryTextColor": "#9ea2ab",
            "toolbarBackgroundColor": "#ffffff",
            "panelTitleTextColor": "#5b6372",
            "panelBackgroundColor": "#ffffff",
        },
        "typography": {
            "fontFamily": "Open Sans",
            "customFontSelected": false,
            "primaryTextColor": "#5b6372",
            "secondaryTextColor": "#9ea2ab",
            "hyperlinkColor": "#1eaff3",
            "hyperlinkHoverColor": "#06a1f0",
        },
    })
}

/// Get the global settings
///
/// The design settings (Sisense's defaults, palette "Vivid"), language, version, features and
/// the caller (`firstName`, `lastName`, `email`, `tenant.name`, what they may do with
/// dashboards in `userAuth.dashboards`).
#[utoipa::path(get, operation_id = "getGlobals", path = "/api/globals", tag = "settings", responses((status = 200, description = "The global settings and the caller", body = Object), TokenErrors))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn globals(Ctx { state, caller }: Ctx) -> ApiResult<Json<Value>> {
    let user = state.store.get_user(caller.id).await?.found(ResourceKind::User, caller.id)?;
    let user: tessera_domain::Document =
        serde_json::from_str(user.get()).map_err(crate::http::common::error::ApiError::internal)?;
    let actor = caller.actor(false);
    let designs = actor.creates_content();
    Ok(Json(json!({
        "designSettings": design_settings(),
        "language": "en-US",
        "version": env!("CARGO_PKG_VERSION"),
        "features": [],
        "props": {},
        "brand": {},
        "user": {
            "_id": caller.id.to_string(),
            "userName": text(&user, "userName"),
            "firstName": text(&user, "firstName"),
            "lastName": text(&user, "lastName"),
            "email": text(&user, "email"),
            "roleName": caller.role_name,
            "tenant": {"name": "system"},
            "userAuth": {
                "dashboards": {
                    "create": designs,
                    "delete": designs,
                    "rename": designs,
                    "duplicate": designs,
                    "change_owner": designs,
                    "edit_layout": designs,
                    "edit_script": designs,
                    "share": designs,
                    "import": designs,
                    "select_palette": designs,
                    "export_dash": true,
                    "export_image": false,
                    "export_pdf": false,
                },
            },
        },
    })))
}

/// List palettes
///
/// The colour palettes: Sisense's default, "Vivid".
#[utoipa::path(get, operation_id = "listPalettes", path = "/api/palettes", tag = "settings", responses((status = 200, description = "The palettes", body = Vec<Object>), TokenErrors))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn palettes(_: Ctx) -> Json<Value> {
    Json(json!([vivid()]))
}

/// Get a palette by name
///
/// A palette by name, case-insensitively.
#[utoipa::path(get, operation_id = "getPalette", path = "/api/palettes/{name}", tag = "settings", params(("name" = String, Path, description = "The palette's name, such as Vivid")), responses((status = 200, description = "The palette", body = Object), ReadErrors<Palettes>))]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn palette(_: Ctx, PathKey(name): PathKey) -> ApiResult<Json<Value>> {
    let vivid = vivid();
    let found = name.eq_ignore_ascii_case("vivid").then_some(vivid);
    Ok(Json(found.found(ResourceKind::Palette, name)?))
}
