//! Tessera's domain: the entities of the Sisense REST API and the rules that make a document valid.
//!
//! Everything here is pure: no I/O, no HTTP types, no SQL. The store persists what this crate
//! validated; the server turns HTTP requests into calls on it.

pub mod access;
pub mod dashboard;
pub mod document;
pub mod error;
pub mod etag;
pub mod features;
pub mod first_start;
pub mod folder;
pub mod group;
pub mod ids;
pub mod lazy;
pub mod merge_patch;
pub mod query;
pub mod role;
pub mod time;
pub mod user;

pub use document::Document;
pub use error::{ResourceKind, ValidationError};
pub use ids::ObjectId;
