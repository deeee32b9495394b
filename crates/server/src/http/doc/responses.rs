//! The error responses operations document, as shared sets for each kind of route. Every status
//! carries an example made by the very error the server answers with, so an example cannot show
//! a 404 under a 401.
//!
//! Sets are generic over the resource a route is about, for its 404 example:
//! `responses((status = 200, ...), ReadErrors<Users>)`.

use std::collections::BTreeMap;
use std::marker::PhantomData;

use tessera_domain::{ResourceKind, ValidationError};
use tessera_store::StoreError;
use utoipa::IntoResponses;
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};

use crate::http::common::error::{ApiError, Code};

/// The resource a route is about.
pub trait Subject {
    const KIND: ResourceKind;
}

macro_rules! subjects {
    ($($name:ident => $kind:ident),* $(,)?) => {$(
        pub struct $name;
        impl Subject for $name {
            const KIND: ResourceKind = ResourceKind::$kind;
        }
    )*};
}

subjects!(
    Users => User,
    Groups => Group,
    Roles => Role,
    Dashboards => Dashboard,
    Widgets => Widget,
    Folders => Folder,
    Palettes => Palette,
    Themes => Theme,
    Plugins => Plugin,
    BloxActions => BloxAction,
);

/// One documented error: when it happens, and the error itself.
struct Documented {
    status: u16,
    description: &'static str,
    example: ApiError,
}

fn malformed() -> Documented {
    Documented {
        status: 400,
        description: "Malformed request: a bad query parameter, an invalid or missing field, \
                      malformed JSON, or a body that is not JSON",
        example: ValidationError::invalid("email", "must be an e-mail address").into(),
    }
}

fn no_token() -> Documented {
    Documented {
        status: 401,
        description: "No valid token: none sent, or one that is malformed, forged, expired, \
                      logged out or revoked, or whose user is inactive or gone",
        example: ApiError::invalid_token(),
    }
}

fn forbidden() -> Documented {
    Documented {
        status: 403,
        description: "Not allowed: the caller's role, or their access to this entity, does not \
                      permit it (docs/permissions.md)",
        example: ApiError::new(Code::Forbidden, "Only administrators can manage users and groups"),
    }
}

fn not_found(kind: ResourceKind) -> Documented {
    Documented {
        status: 404,
        description: "Not found: no such entity, or content the caller may not see",
        example: ApiError::not_found(kind, "5f0000000000000000000001"),
    }
}

fn conflict() -> Documented {
    Documented {
        status: 409,
        description: "Conflict: a unique field (user name, e-mail, group name) is taken, or a \
                      folder is not empty or would move into itself",
        example: StoreError::Conflict {
            kind: ResourceKind::User,
            field: "email",
            value: "jane@example.com".into(),
        }
        .into(),
    }
}

fn changed() -> Documented {
    Documented {
        status: 412,
        description: "If-Match names a version the entity no longer has: read it again",
        example: ValidationError::Stale.into(),
    }
}

fn too_large() -> Documented {
    Documented {
        status: 413,
        description: "The body is larger than the server accepts (--max-body-bytes)",
        example: crate::http::common::extract::too_large(),
    }
}

fn unknown_reference() -> Documented {
    Documented {
        status: 422,
        description: "The document names a user, group, role or folder that does not exist",
        example: StoreError::MissingReference {
            kind: ResourceKind::Role,
            id: "5f0000000000000000000002".into(),
        }
        .into(),
    }
}

fn responses(errors: Vec<Documented>) -> BTreeMap<String, RefOr<Response>> {
    errors
        .into_iter()
        .map(|e| {
            let response = ResponseBuilder::new()
                .description(e.description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorEnvelope")))
                        .example(Some(e.example.body()))
                        .build(),
                )
                .build();
            (e.status.to_string(), RefOr::T(response))
        })
        .collect()
}

macro_rules! error_set {
    ($(#[$doc:meta])* $name:ident<S> => |$kind:ident| $list:expr) => {
        $(#[$doc])*
        pub struct $name<S>(PhantomData<S>);

        impl<S: Subject> IntoResponses for $name<S> {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                let $kind = S::KIND;
                responses($list)
            }
        }
    };
    ($(#[$doc:meta])* $name:ident => $list:expr) => {
        $(#[$doc])*
        pub struct $name;

        impl IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                responses($list)
            }
        }
    };
}

error_set!(
    /// A list or a search: its query can be malformed.
    ListErrors => vec![malformed(), no_token()]
);
error_set!(
    /// A read of one entity.
    ReadErrors<S> => |kind| vec![malformed(), no_token(), not_found(kind)]
);
error_set!(
    /// A create (one or many): all or nothing.
    CreateErrors => vec![
        malformed(),
        no_token(),
        forbidden(),
        conflict(),
        too_large(),
        unknown_reference(),
    ]
);
error_set!(
    /// A create inside something that must exist and be the caller's (a dashboard in a folder).
    CreateInErrors<S> => |kind| vec![
        malformed(),
        no_token(),
        forbidden(),
        not_found(kind),
        conflict(),
        too_large(),
        unknown_reference(),
    ]
);
error_set!(
    /// A query sent as a body (a search).
    QueryErrors => vec![malformed(), no_token(), too_large()]
);
error_set!(
    /// A change of one entity (PUT, PATCH, or an action on it), with If-Match.
    WriteErrors<S> => |kind| vec![
        malformed(),
        no_token(),
        forbidden(),
        not_found(kind),
        conflict(),
        changed(),
        too_large(),
        unknown_reference(),
    ]
);
error_set!(
    /// A delete, of one entity (with If-Match) or of several (all or none).
    DeleteErrors<S> => |kind| vec![
        malformed(),
        no_token(),
        forbidden(),
        not_found(kind),
        changed(),
        too_large(),
    ]
);
error_set!(
    /// What only administrators may do.
    AdminErrors => vec![malformed(), no_token(), forbidden()]
);
error_set!(
    /// A change only administrators may make.
    AdminWriteErrors => vec![malformed(), no_token(), forbidden(), too_large()]
);
error_set!(
    /// A rendering (PNG, PDF) this server does not do.
    NotRendered => vec![Documented {
        status: 501,
        description: "Rendering is not available: export the .dash document instead",
        example: ApiError::new(
            Code::NotImplemented,
            "PNG export needs rendering, which this server does not do; export the .dash document instead",
        ),
    }]
);
error_set!(
    /// What any signed-in caller may do, and only a missing token stops.
    TokenErrors => vec![no_token()]
);
error_set!(
    /// Being issued a token: any signed-in caller, within their tokens per minute.
    MintErrors => vec![
        no_token(),
        Documented {
            status: 429,
            description: "Too many tokens issued to the caller this minute: wait the seconds \
                          `Retry-After` says",
            example: ApiError::too_many_tokens(std::time::Duration::from_secs(42)),
        },
    ]
);
error_set!(
    /// Signing in.
    LoginErrors => vec![
        Documented {
            status: 400,
            description: "A missing user name or password, or a body that is neither a form nor JSON",
            example: ValidationError::missing("password").into(),
        },
        Documented {
            status: 401,
            description: "An unknown user, a wrong password or an inactive user: the same answer \
                          for all three, after the same hashing work",
            example: ApiError::new(Code::InvalidCredentials, "Invalid username or password."),
        },
        too_large(),
        Documented {
            status: 429,
            description: "Too many failed logins for this user name or address, or too many \
                          tokens issued to the user this minute: wait the seconds `Retry-After` says",
            example: ApiError::too_many_logins(900),
        },
    ]
);

/// A conditional read: `If-None-Match` naming the current `ETag` gets 304 and no body.
pub struct NotModified;

impl IntoResponses for NotModified {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        let response = ResponseBuilder::new()
            .description("Not modified: If-None-Match names the current ETag")
            .build();
        BTreeMap::from([("304".to_owned(), RefOr::T(response))])
    }
}
