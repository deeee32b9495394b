//! The error responses operations document, as shared sets for each kind of route.

use std::collections::BTreeMap;

use utoipa::IntoResponses;
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};

fn errors(statuses: &[(u16, &str)]) -> BTreeMap<String, RefOr<Response>> {
    statuses
        .iter()
        .map(|(status, description)| {
            let response = ResponseBuilder::new()
                .description(*description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorEnvelope")))
                        .build(),
                )
                .build();
            (status.to_string(), RefOr::T(response))
        })
        .collect()
}

const MALFORMED: (u16, &str) = (400, "Malformed query or document");
const NO_TOKEN: (u16, &str) = (401, "No valid token");
const FORBIDDEN: (u16, &str) = (
    403,
    "Not allowed: a viewer, a `view` share, or not the owner",
);
const NOT_FOUND: (u16, &str) = (404, "Not found, or not visible to the caller");
const CONFLICT: (u16, &str) = (
    409,
    "Conflict: a folder not empty, or a folder moved into itself",
);
const CHANGED: (u16, &str) = (412, "If-Match names a version the entity no longer has");
const TOO_LARGE: (u16, &str) = (413, "Body too large");
const UNKNOWN: (u16, &str) = (
    422,
    "The document names a user, group or folder that does not exist",
);

/// The errors of a read of content.
pub struct ReadErrors;

impl IntoResponses for ReadErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        errors(&[MALFORMED, NO_TOKEN, NOT_FOUND])
    }
}

/// The errors of a write of content.
pub struct WriteErrors;

impl IntoResponses for WriteErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        errors(&[
            MALFORMED, NO_TOKEN, FORBIDDEN, NOT_FOUND, CONFLICT, CHANGED, TOO_LARGE, UNKNOWN,
        ])
    }
}
