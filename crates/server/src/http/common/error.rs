//! The Sisense error envelope, written by every failure on every path:
//! `{"error": {"code", "message", ["resourceType", "resourceName"], "status", "httpMessage"}}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};
use tessera_domain::{ResourceKind, ValidationError};
use tessera_store::StoreError;

/// Tessera's error codes. The numbers are part of the API: never renumber one.
/// `docs/errors.md` lists them all, and a test keeps that table in step with this one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    UserNotFound,
    GroupNotFound,
    RoleNotFound,
    DashboardNotFound,
    WidgetNotFound,
    FolderNotFound,
    SettingNotFound,
    RouteNotFound,
    MethodNotAllowed,
    MalformedJson,
    UnsupportedContentType,
    PayloadTooLarge,
    UriTooLong,
    HeadersTooLarge,
    BodyTimeout,
    InvalidQuery,
    QueryTooLarge,
    InvalidField,
    MissingField,
    UnknownReference,
    Duplicate,
    Forbidden,
    BuiltinEntity,
    FolderNotEmpty,
    FolderCycle,
    PreconditionFailed,
    InvalidCredentials,
    TooManyLogins,
    TooManyTokens,
    XsrfMismatch,
    InvalidToken,
    Internal,
    NotReady,
    NotImplemented,
    StoreUnavailable,
}

impl Code {
    pub const ALL: &'static [Code] = &[
        Code::UserNotFound,
        Code::GroupNotFound,
        Code::RoleNotFound,
        Code::DashboardNotFound,
        Code::WidgetNotFound,
        Code::FolderNotFound,
        Code::SettingNotFound,
        Code::RouteNotFound,
        Code::MethodNotAllowed,
        Code::MalformedJson,
        Code::UnsupportedContentType,
        Code::PayloadTooLarge,
        Code::UriTooLong,
        Code::HeadersTooLarge,
        Code::BodyTimeout,
        Code::InvalidQuery,
        Code::QueryTooLarge,
        Code::InvalidField,
        Code::MissingField,
        Code::UnknownReference,
        Code::Duplicate,
        Code::Forbidden,
        Code::BuiltinEntity,
        Code::FolderNotEmpty,
        Code::FolderCycle,
        Code::PreconditionFailed,
        Code::InvalidCredentials,
        Code::TooManyLogins,
        Code::TooManyTokens,
        Code::XsrfMismatch,
        Code::InvalidToken,
        Code::Internal,
        Code::NotReady,
        Code::NotImplemented,
        Code::StoreUnavailable,
    ];

    /// The number clients see in `error.code`.
    pub fn number(self) -> u32 {
        match self {
            // The numbers Sisense itself uses.
            Code::UserNotFound => 202,
            Code::GroupNotFound => 203,
            Code::RoleNotFound => 204,
            Code::InvalidToken => 5002,
            // Tessera's own.
            Code::RouteNotFound => 1000,
            Code::MethodNotAllowed => 1001,
            Code::MalformedJson => 1002,
            Code::UnsupportedContentType => 1003,
            Code::PayloadTooLarge => 1004,
            Code::InvalidQuery => 1005,
            Code::InvalidField => 1006,
            Code::MissingField => 1007,
            Code::UnknownReference => 1008,
            Code::Duplicate => 1009,
            Code::Forbidden => 1010,
            Code::BuiltinEntity => 1011,
            Code::QueryTooLarge => 1012,
            Code::FolderNotEmpty => 1013,
            Code::FolderCycle => 1014,
            Code::PreconditionFailed => 1015,
            Code::UriTooLong => 1016,
            Code::HeadersTooLarge => 1017,
            Code::BodyTimeout => 1018,
            Code::DashboardNotFound => 1200,
            Code::WidgetNotFound => 1201,
            Code::FolderNotFound => 1202,
            Code::SettingNotFound => 1203,
            Code::InvalidCredentials => 1100,
            Code::TooManyLogins => 1101,
            Code::XsrfMismatch => 1102,
            Code::TooManyTokens => 1103,
            Code::Internal => 1500,
            Code::NotReady => 1501,
            Code::NotImplemented => 1502,
            Code::StoreUnavailable => 1503,
        }
    }

    /// The HTTP status that goes with the code.
    pub fn status(self) -> StatusCode {
        match self {
            Code::UserNotFound
            | Code::GroupNotFound
            | Code::RoleNotFound
            | Code::DashboardNotFound
            | Code::WidgetNotFound
            | Code::FolderNotFound
            | Code::SettingNotFound
            | Code::RouteNotFound => StatusCode::NOT_FOUND,
            Code::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Code::MalformedJson
            | Code::UnsupportedContentType
            | Code::InvalidQuery
            | Code::QueryTooLarge
            | Code::InvalidField
            | Code::MissingField => StatusCode::BAD_REQUEST,
            Code::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Code::UriTooLong => StatusCode::URI_TOO_LONG,
            Code::HeadersTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            Code::BodyTimeout => StatusCode::REQUEST_TIMEOUT,
            Code::UnknownReference => StatusCode::UNPROCESSABLE_ENTITY,
            Code::Duplicate | Code::FolderNotEmpty | Code::FolderCycle => StatusCode::CONFLICT,
            Code::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Code::Forbidden | Code::BuiltinEntity | Code::XsrfMismatch => StatusCode::FORBIDDEN,
            Code::InvalidCredentials | Code::InvalidToken => StatusCode::UNAUTHORIZED,
            Code::TooManyLogins | Code::TooManyTokens => StatusCode::TOO_MANY_REQUESTS,
            Code::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Code::NotReady | Code::StoreUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            Code::NotImplemented => StatusCode::NOT_IMPLEMENTED,
        }
    }

    fn not_found(kind: ResourceKind) -> Code {
        match kind {
            ResourceKind::User => Code::UserNotFound,
            ResourceKind::Group => Code::GroupNotFound,
            ResourceKind::Role => Code::RoleNotFound,
            ResourceKind::Dashboard => Code::DashboardNotFound,
            ResourceKind::Widget => Code::WidgetNotFound,
            ResourceKind::Folder => Code::FolderNotFound,
            ResourceKind::Palette
            | ResourceKind::Theme
            | ResourceKind::Plugin
            | ResourceKind::BloxAction => Code::SettingNotFound,
        }
    }
}

/// An error on its way to the client.
#[derive(Debug)]
pub struct ApiError {
    code: Code,
    message: String,
    resource: Option<(ResourceKind, String)>,
    /// Seconds for a `Retry-After` header.
    retry_after: Option<u64>,
}

/// A read of one entity that found nothing is a 404 naming what was asked for.
pub trait Found<T> {
    fn found(self, kind: ResourceKind, name: impl std::fmt::Display) -> ApiResult<T>;
}

impl<T> Found<T> for Option<T> {
    fn found(self, kind: ResourceKind, name: impl std::fmt::Display) -> ApiResult<T> {
        self.ok_or_else(|| ApiError::not_found(kind, name.to_string()))
    }
}

impl ApiError {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        ApiError { code, message: message.into(), resource: None, retry_after: None }
    }

    /// `"User 'x' not found"`, with `resourceType` and `resourceName`.
    pub fn not_found(kind: ResourceKind, name: impl Into<String>) -> Self {
        let name = name.into();
        ApiError {
            code: Code::not_found(kind),
            message: format!("{} '{name}' not found", kind.title()),
            resource: Some((kind, name)),
            retry_after: None,
        }
    }

    /// Too many failed logins: try again in `secs` seconds.
    pub fn too_many_logins(secs: u64) -> Self {
        let mut e = ApiError::new(
            Code::TooManyLogins,
            format!("Too many failed logins; try again in {secs} seconds"),
        );
        e.retry_after = Some(secs);
        e
    }

    /// Past the tokens one user may be issued per minute.
    pub fn too_many_tokens(wait: std::time::Duration) -> Self {
        let secs = wait.as_secs().max(1);
        let mut e = ApiError::new(
            Code::TooManyTokens,
            format!("Too many tokens issued to this user; try again in {secs} seconds"),
        );
        e.retry_after = Some(secs);
        e
    }

    /// A missing, forged or revoked token.
    pub fn invalid_token() -> Self {
        ApiError::new(Code::InvalidToken, "Invalid token.")
    }

    /// A failure that is the server's fault: the cause goes to the log, never to the client.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        ApiError::new(Code::Internal, "Internal server error")
    }

    /// The database cannot be reached: the request may be sent again in a moment. The cause
    /// goes to the log.
    pub fn store_unavailable(cause: impl std::fmt::Display) -> Self {
        tracing::warn!(%cause, "the database is unavailable");
        let mut e = ApiError::new(
            Code::StoreUnavailable,
            "The database is unavailable; try again in a moment",
        );
        e.retry_after = Some(1);
        e
    }

    pub fn code(&self) -> Code {
        self.code
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    /// The envelope this error is answered with (the reference shows real ones as examples).
    pub fn body(&self) -> Value {
        envelope(self.code, &self.message, self.resource.as_ref().map(|(k, n)| (*k, n.as_str())))
    }
}

/// The envelope's JSON, shared by every error response (also the ones built outside handlers).
pub fn envelope(code: Code, message: &str, resource: Option<(ResourceKind, &str)>) -> Value {
    let status = code.status();
    let mut error = Map::new();
    error.insert("code".into(), code.number().into());
    error.insert("message".into(), message.into());
    if let Some((kind, name)) = resource {
        error.insert("resourceType".into(), kind.type_name().into());
        error.insert("resourceName".into(), name.into());
    }
    error.insert("status".into(), status.as_u16().into());
    error.insert("httpMessage".into(), status.canonical_reason().unwrap_or("Error").into());
    serde_json::json!({ "error": error })
}

/// The error code of a response, for the access log line.
#[derive(Debug, Clone, Copy)]
pub struct LoggedCode(pub u32);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.code.status(), Json(self.body())).into_response();
        response.extensions_mut().insert(LoggedCode(self.code.number()));
        if let Some(secs) = self.retry_after {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        response
    }
}

impl From<ValidationError> for ApiError {
    fn from(e: ValidationError) -> Self {
        let code = match e {
            ValidationError::Missing { .. } => Code::MissingField,
            ValidationError::Invalid { .. } | ValidationError::Body { .. } => Code::InvalidField,
            ValidationError::Stale => Code::PreconditionFailed,
        };
        ApiError::new(code, e.to_string())
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict { .. } => ApiError::new(Code::Duplicate, e.to_string()),
            StoreError::MissingReference { .. } => {
                ApiError::new(Code::UnknownReference, e.to_string())
            }
            StoreError::NotFound { kind, id } => ApiError::not_found(kind, id),
            StoreError::Builtin { .. } => ApiError::new(Code::BuiltinEntity, e.to_string()),
            StoreError::Forbidden(message) => ApiError::new(Code::Forbidden, message),
            StoreError::NotEmpty { .. } => ApiError::new(Code::FolderNotEmpty, e.to_string()),
            StoreError::Cycle { .. } => ApiError::new(Code::FolderCycle, e.to_string()),
            StoreError::Invalid(v) => v.into(),
            StoreError::Query(q) => q.into(),
            StoreError::Internal(cause) => ApiError::internal(cause),
            StoreError::Unavailable(cause) => ApiError::store_unavailable(cause),
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
