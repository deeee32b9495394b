//! What every room of the HTTP layer shares: the error envelope, extractors, query parameters,
//! response shaping, shared bodies. Leaf modules: none of them imports a resource.

pub mod acting;
pub mod bodies;
pub mod client;
pub mod conditional;
pub mod edge;
pub mod error;
pub mod extract;
pub mod fallback;
pub mod navigation;
pub mod params;
pub mod shape;
