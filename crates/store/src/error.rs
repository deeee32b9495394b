use tessera_domain::query::QueryError;
use tessera_domain::{ResourceKind, ValidationError};

pub type Result<T> = std::result::Result<T, StoreError>;

/// Why a store call failed. Every engine maps its own failures onto these.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique field already has this value (case-insensitively).
    #[error("{} with {field} '{value}' already exists", .kind.title())]
    Conflict { kind: ResourceKind, field: &'static str, value: String },
    /// The document refers to an entity that does not exist.
    #[error("{} '{id}' does not exist", .kind.title())]
    MissingReference { kind: ResourceKind, id: String },
    /// The entity to change or delete does not exist.
    #[error("{} '{id}' not found", .kind.title())]
    NotFound { kind: ResourceKind, id: String },
    /// A built-in entity cannot be deleted.
    #[error("{} '{name}' is built in and cannot be deleted", .kind.title())]
    Builtin { kind: ResourceKind, name: String },
    /// The caller may see the entity but not do this to it.
    #[error("{0}")]
    Forbidden(String),
    /// A folder still holds folders or dashboards.
    #[error("{} '{id}' is not empty: delete what it holds first, or ask for cascade=true", .kind.title())]
    NotEmpty { kind: ResourceKind, id: String },
    /// The folder would become its own ancestor.
    #[error("Folder '{id}' cannot be moved into itself or into a folder inside it")]
    Cycle { id: String },
    /// The edit of a stored document produced an invalid document.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// The query cannot be answered as asked (an unknown relation, too many expanded objects).
    #[error(transparent)]
    Query(#[from] QueryError),
    /// The database cannot be reached (down, restarting, refusing connections, the connection
    /// cut): nothing was done, and the same call may succeed in a moment. The text is for the
    /// log.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// The engine failed; the text is for the log, never for the client.
    #[error("storage failure: {0}")]
    Internal(String),
}
