use std::fmt;

/// A dotted path to a field: `preferences.localeId`. Each name matches `[A-Za-z_][A-Za-z0-9_]*`,
/// which also makes it safe to put into a JSON path of the store.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FieldPath(pub(crate) Vec<String>);

impl FieldPath {
    pub fn segments(&self) -> &[String] {
        &self.0
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join("."))
    }
}

/// `fields`: keep only some paths, or drop some.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Projection {
    Include(Vec<FieldPath>),
    Exclude(Vec<FieldPath>),
}

/// One key of `sort`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortKey {
    pub path: FieldPath,
    pub descending: bool,
}

/// `skip` and `limit`. No limit means the whole result, as Sisense answers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Page {
    pub skip: u64,
    pub limit: Option<u64>,
}

/// The options of one expanded relation: `groups(fields:name;sort:-name;limit:5)`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExpandOptions {
    pub fields: Option<Projection>,
    pub sort: Vec<SortKey>,
    pub page: Page,
}

/// One expanded relation and the relations expanded inside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpandNode {
    pub relation: String,
    pub options: ExpandOptions,
    pub children: Vec<ExpandNode>,
}

/// Everything a GET may ask besides the resource's own filters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListParams {
    pub fields: Option<Projection>,
    pub sort: Vec<SortKey>,
    pub page: Page,
    pub expand: Vec<ExpandNode>,
}
