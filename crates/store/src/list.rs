//! One list request for every collection: what to keep, in which order, which page, and whether
//! to count them all.

use tessera_domain::lazy::RawDoc;
use tessera_domain::query::{Page, SortKey};

/// A list query: the collection's own filter, then the query language's sort and page, and
/// whether the total is wanted (`Prefer: count=exact`).
#[derive(Debug, Clone, Default)]
pub struct ListRequest<F> {
    pub filter: F,
    pub sort: Vec<SortKey>,
    pub page: Page,
    pub count: bool,
}

impl<F> ListRequest<F> {
    /// Everything the filter keeps, in insertion order, uncounted.
    pub fn all(filter: F) -> Self {
        ListRequest { filter, sort: Vec::new(), page: Page::default(), count: false }
    }
}

/// One page of a list, with the number of all matching entities when it was asked for.
#[derive(Debug, Clone, Default)]
pub struct ListPage {
    /// The stored JSON text of each entity.
    pub items: Vec<RawDoc>,
    pub total: Option<u64>,
}
