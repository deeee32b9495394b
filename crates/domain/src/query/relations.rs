//! The relations `expand` can follow, declared once per resource. A new collection declares its
//! relations here; the parser and the store's expansion need no change.

use super::{ExpandNode, QueryError};
use crate::ResourceKind;

/// How a relation finds its entities.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// `field` holds one id (or null); the entity (or null) is written to `into`.
    One { field: &'static str, into: &'static str },
    /// `field` holds an array of ids, replaced in place by the entities, in the same order.
    Many { field: &'static str },
    /// The target entities whose `field` array holds this entity's id, written to `into`.
    Referencing { field: &'static str, into: &'static str },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Relation {
    pub name: &'static str,
    pub target: ResourceKind,
    pub link: Link,
}

const USER_RELATIONS: &[Relation] = &[
    Relation { name: "groups", target: ResourceKind::Group, link: Link::Many { field: "groups" } },
    Relation {
        name: "role",
        target: ResourceKind::Role,
        link: Link::One { field: "roleId", into: "role" },
    },
];

const GROUP_RELATIONS: &[Relation] = &[
    Relation {
        name: "users",
        target: ResourceKind::User,
        link: Link::Referencing { field: "groups", into: "users" },
    },
    Relation {
        name: "role",
        target: ResourceKind::Role,
        link: Link::One { field: "roleId", into: "role" },
    },
];

const OWNER: Relation = Relation {
    name: "owner",
    target: ResourceKind::User,
    link: Link::One { field: "owner", into: "owner" },
};

const DASHBOARD_RELATIONS: &[Relation] = &[
    OWNER,
    Relation {
        name: "parentFolder",
        target: ResourceKind::Folder,
        link: Link::One { field: "parentFolder", into: "parentFolder" },
    },
];

const FOLDER_RELATIONS: &[Relation] = &[OWNER];

impl ResourceKind {
    pub fn relations(self) -> &'static [Relation] {
        match self {
            ResourceKind::User => USER_RELATIONS,
            ResourceKind::Group => GROUP_RELATIONS,
            ResourceKind::Role => &[],
            ResourceKind::Dashboard => DASHBOARD_RELATIONS,
            ResourceKind::Folder => FOLDER_RELATIONS,
            ResourceKind::Widget
            | ResourceKind::Palette
            | ResourceKind::Theme
            | ResourceKind::Plugin
            | ResourceKind::BloxAction => &[],
        }
    }

    /// Checks that every relation of an expand tree exists from this resource, and that
    /// to-one relations carry no list options.
    pub fn check_expand(self, nodes: &[ExpandNode]) -> Result<(), QueryError> {
        for node in nodes {
            let rel = relation(self, &node.relation)?;
            if matches!(rel.link, Link::One { .. })
                && (!node.options.sort.is_empty() || node.options.page != Default::default())
            {
                return Err(QueryError::invalid(
                    "expand",
                    format!(
                        "'{}' is a single entity: only the 'fields' option applies",
                        node.relation
                    ),
                ));
            }
            rel.target.check_expand(&node.children)?;
        }
        Ok(())
    }
}

/// The relation `name` of `resource`.
pub fn relation(resource: ResourceKind, name: &str) -> Result<&'static Relation, QueryError> {
    resource.relations().iter().find(|r| r.name == name).ok_or_else(|| {
        let known: Vec<&str> = resource.relations().iter().map(|r| r.name).collect();
        QueryError::invalid(
            "expand",
            format!(
                "unknown relation '{name}' (known here: {})",
                if known.is_empty() { "none".into() } else { known.join(", ") }
            ),
        )
    })
}
