//! The length and pattern limits of request schemas, taken from the constants the validation in
//! `tessera_domain` checks, so that the reference cannot drift from the real rules. Applied to
//! both documents as a `Modify`.

use tessera_domain::dashboard::MAX_DESC_LEN;
use tessera_domain::document::{MAX_NAME_LEN, NOT_BLANK_PATTERN};
use tessera_domain::user::{EMAIL_PATTERN, MAX_EMAIL_LEN, MAX_PASSWORD_LEN, MIN_PASSWORD_LEN};
use utoipa::Modify;
use utoipa::openapi::schema::Schema;
use utoipa::openapi::{OpenApi, RefOr};

/// The limits of one text field.
struct Text {
    min: Option<usize>,
    max: usize,
    pattern: Option<&'static str>,
}

const fn name() -> Text {
    Text { min: None, max: MAX_NAME_LEN, pattern: Some(NOT_BLANK_PATTERN) }
}

const fn text(max: usize) -> Text {
    Text { min: None, max, pattern: None }
}

/// Schema, property, limits.
const LIMITS: &[(&str, &str, Text)] = &[
    ("NewUser", "email", Text { min: None, max: MAX_EMAIL_LEN, pattern: Some(EMAIL_PATTERN) }),
    ("NewUser", "userName", name()),
    ("NewUser", "firstName", text(MAX_NAME_LEN)),
    ("NewUser", "lastName", text(MAX_NAME_LEN)),
    (
        "NewUser",
        "password",
        Text { min: Some(MIN_PASSWORD_LEN), max: MAX_PASSWORD_LEN, pattern: None },
    ),
    ("NewGroup", "name", name()),
    ("NewGroup", "mail", text(MAX_NAME_LEN)),
    ("NewDashboard", "title", name()),
    ("NewDashboard", "desc", text(MAX_DESC_LEN)),
    ("NewFolder", "name", name()),
    ("FolderPatch", "name", name()),
];

pub struct Limits;

impl Modify for Limits {
    fn modify(&self, openapi: &mut OpenApi) {
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        for (schema, property, limits) in LIMITS {
            let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(*schema) else {
                continue;
            };
            let Some(RefOr::T(Schema::Object(field))) = object.properties.get_mut(*property) else {
                panic!("the reference's {schema} has no text property {property}");
            };
            field.min_length = limits.min;
            field.max_length = Some(limits.max);
            field.pattern = limits.pattern.map(str::to_owned);
        }
    }
}
