//! The query language of GET requests: `fields`, `sort`, `limit`, `skip` and `expand`
//! (the seed's "Special Fields"). Parsed into a typed AST here, executed by the store.
//!
//! Grammar (see docs/query-language.md):
//!
//! ```text
//! fields  := ["-"] path ("," ["-"] path)*          all with "-" or none
//! sort    := ["-"|"+"] path ("," ["-"|"+"] path)*
//! limit   := digits        skip := digits
//! expand  := item ("," item)*
//! item    := relation ("." relation)* ["(" option (";" option)* ")"]
//! option  := "fields:" fields | "sort:" sort | "limit:" digits | "skip:" digits
//! path    := name ("." name)*      name := [A-Za-z_][A-Za-z0-9_]*
//! ```

mod ast;
mod order;
mod parse;
mod project;
#[cfg(test)]
mod proptests;
mod relations;
mod render;

pub use ast::{ExpandNode, ExpandOptions, FieldPath, ListParams, Page, Projection, SortKey};
pub use order::{compare_by_keys, compare_values, sort_documents, value_at};
pub use parse::{parse_expand, parse_fields, parse_list_params, parse_sort, parse_u64};
pub use project::{Projector, project, project_lazy, project_text, project_text_into};
pub use relations::{Link, Relation, relation};
pub use render::{render_expand, render_fields, render_sort};

/// Longest value accepted for any one special field.
pub const MAX_PARAM_LEN: usize = 4096;
/// Most paths in one `fields`.
pub const MAX_FIELDS: usize = 64;
/// Most names in one dotted path.
pub const MAX_PATH_SEGMENTS: usize = 8;
/// Most keys in one `sort`.
pub const MAX_SORT_KEYS: usize = 8;
/// Deepest expand nesting (`groups.users.groups...`).
pub const MAX_EXPAND_DEPTH: usize = 6;
/// Most relations named in one `expand`, nested ones included.
pub const MAX_EXPAND_NODES: usize = 32;
/// Most expanded objects in one response: past it the request is refused, never truncated.
pub const MAX_EXPANDED_OBJECTS: usize = 10_000;

/// Why a query was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// The text does not follow the grammar, or names something that does not exist.
    #[error("Invalid '{param}': {message}")]
    Invalid { param: &'static str, message: String },
    /// The query is well-formed but asks for more than a limit allows.
    #[error("'{param}' exceeds a limit: {message}")]
    TooLarge { param: &'static str, message: String },
}

impl QueryError {
    pub(crate) fn invalid(param: &'static str, message: impl Into<String>) -> Self {
        QueryError::Invalid { param, message: message.into() }
    }

    pub(crate) fn too_large(param: &'static str, message: impl Into<String>) -> Self {
        QueryError::TooLarge { param, message: message.into() }
    }
}
