//! What can be wrong with a client's document, independent of how it arrived.

use std::fmt;

/// The kinds of entity, as named in not-found errors (`resourceType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResourceKind {
    User,
    Group,
    Role,
    Dashboard,
    Widget,
    Folder,
    /// A colour palette (`/api/palettes/{name}`).
    Palette,
    /// A custom theme (`/api/v1/themes/{id}`).
    Theme,
    /// A UI plugin (`/api/v1/plugins`).
    Plugin,
    /// A BloX custom action (`/api/v1/blox/...`), named by its `type`.
    BloxAction,
}

impl ResourceKind {
    /// The `resourceType` value of the error envelope.
    pub fn type_name(self) -> &'static str {
        match self {
            ResourceKind::User => "user",
            ResourceKind::Group => "group",
            ResourceKind::Role => "role",
            ResourceKind::Dashboard => "dashboard",
            ResourceKind::Widget => "widget",
            ResourceKind::Folder => "folder",
            ResourceKind::Palette => "palette",
            ResourceKind::Theme => "theme",
            ResourceKind::Plugin => "plugin",
            ResourceKind::BloxAction => "bloxAction",
        }
    }

    /// The capitalised name used in messages ("User 'x' not found").
    pub fn title(self) -> &'static str {
        match self {
            ResourceKind::User => "User",
            ResourceKind::Group => "Group",
            ResourceKind::Role => "Role",
            ResourceKind::Dashboard => "Dashboard",
            ResourceKind::Widget => "Widget",
            ResourceKind::Folder => "Folder",
            ResourceKind::Palette => "Palette",
            ResourceKind::Theme => "Theme",
            ResourceKind::Plugin => "Plugin",
            ResourceKind::BloxAction => "BloX action",
        }
    }
}

impl fmt::Display for ResourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.type_name())
    }
}

/// Why a document was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValidationError {
    /// A required field is absent (or null).
    Missing { field: String },
    /// A field is present but its value is not acceptable.
    Invalid { field: String, reason: String },
    /// The body as a whole has the wrong shape (not an object, not an array, empty array).
    Body { reason: String },
    /// `If-Match` names a version the entity no longer has.
    Stale,
}

impl ValidationError {
    pub fn missing(field: &str) -> Self {
        ValidationError::Missing { field: field.to_owned() }
    }

    pub fn invalid(field: &str, reason: impl Into<String>) -> Self {
        ValidationError::Invalid { field: field.to_owned(), reason: reason.into() }
    }

    pub fn body(reason: impl Into<String>) -> Self {
        ValidationError::Body { reason: reason.into() }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValidationError::Missing { field } => write!(f, "Field '{field}' is required"),
            ValidationError::Invalid { field, reason } => write!(f, "Field '{field}' {reason}"),
            ValidationError::Body { reason } => f.write_str(reason),
            ValidationError::Stale => {
                f.write_str("The entity changed since the version named in If-Match; read it again")
            }
        }
    }
}

impl std::error::Error for ValidationError {}
