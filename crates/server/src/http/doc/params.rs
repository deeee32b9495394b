//! The parameters many operations share, each declared once: ids in paths, the conditional
//! headers, `adminAccess`, and the special fields of every GET.

use utoipa::IntoParams;

/// An entity's id in the path.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct IdPath {
    /// The entity's id: 24 hexadecimal digits (a malformed one names nothing: 404).
    #[param(pattern = "^[0-9a-fA-F]{24}$", example = "5f1b0e4c9d3e2a0012345678")]
    id: String,
}

/// A widget's path: its dashboard's id, then its own.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code, non_snake_case)]
pub struct WidgetPath {
    /// The dashboard's id (24 hexadecimal digits).
    #[param(pattern = "^[0-9a-fA-F]{24}$")]
    id: String,
    /// The widget's id within the dashboard (24 hexadecimal digits).
    #[param(pattern = "^[0-9a-fA-F]{24}$")]
    widgetId: String,
}

/// A user as API 0.9 names one.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct UserKey {
    /// The user's id, or else their user name, or else their e-mail address (case-insensitive).
    #[param(example = "jane@example.com")]
    id_or_user_name: String,
}

/// A group as API 0.9 names one.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct GroupKey {
    /// The group's id, or else its name (case-insensitive).
    #[param(example = "Sales")]
    id_or_name: String,
}

/// `If-Match` on a change or delete.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
pub struct IfMatch {
    /// Only if the entity is still this version: the `ETag` of a plain GET (or `*`); otherwise
    /// 412 and nothing changes.
    #[param(rename = "If-Match")]
    if_match: Option<String>,
}

/// `If-None-Match` on a read.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
pub struct IfNoneMatch {
    /// The `ETag` the client holds: while it is current the answer is 304 with no body.
    #[param(rename = "If-None-Match")]
    if_none_match: Option<String>,
}

/// `adminAccess` on content routes.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code, non_snake_case)]
pub struct AdminAccess {
    /// Administrators only: act on every dashboard and folder, not just their own and those
    /// shared with them.
    adminAccess: Option<bool>,
}

/// The special fields of every GET (docs/query-language.md).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct SpecialFields {
    /// Fields to return (`firstName,email`), or to leave out (`-hash`); dotted paths reach
    /// nested fields.
    fields: Option<String>,
    /// Sort keys, `-` for descending (`lastName,-created`).
    sort: Option<String>,
    /// At most this many results.
    #[param(minimum = 0)]
    limit: Option<u64>,
    /// Skip this many results.
    #[param(minimum = 0)]
    skip: Option<u64>,
    /// Relations to expand, with options and nesting (`groups(fields:name),groups.users`).
    expand: Option<String>,
}

/// A group's members path (API 0.9), which takes the group's id only.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct GroupId {
    /// The group's id (24 hexadecimal digits).
    #[param(pattern = "^[0-9a-fA-F]{24}$")]
    id_or_name: String,
}

/// A role as clients name one.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct RoleKey {
    /// The role's id, or else its name (case-insensitive): `super`, `admin`, `contributor`,
    /// `consumer`, `dataDesigner`, `dataAdmin`.
    #[param(example = "consumer")]
    id_or_name: String,
}
