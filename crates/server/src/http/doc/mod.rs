//! The reference's building blocks: schemas, shared response sets and parameters. Leaf modules:
//! handlers' annotations point here, and nothing here points back.

pub mod constraints;
pub mod params;
pub mod responses;
pub mod schemas;
