//! AST to text: the inverse of the parser (`parse(render(x)) == x`), used for links and tests.

use super::ast::{ExpandNode, Projection, SortKey};

pub fn render_fields(projection: &Projection) -> String {
    let (sign, paths) = match projection {
        Projection::Include(p) => ("", p),
        Projection::Exclude(p) => ("-", p),
    };
    paths.iter().map(|p| format!("{sign}{p}")).collect::<Vec<_>>().join(",")
}

pub fn render_sort(keys: &[SortKey]) -> String {
    keys.iter()
        .map(|k| format!("{}{}", if k.descending { "-" } else { "" }, k.path))
        .collect::<Vec<_>>()
        .join(",")
}

/// Every node as its own item, parents before children, each with its options.
pub fn render_expand(nodes: &[ExpandNode]) -> String {
    let mut items = Vec::new();
    for node in nodes {
        render_node(node, "", &mut items);
    }
    items.join(",")
}

fn render_node(node: &ExpandNode, prefix: &str, items: &mut Vec<String>) {
    let path = format!("{prefix}{}", node.relation);
    let o = &node.options;
    let mut options = Vec::new();
    if let Some(fields) = &o.fields {
        options.push(format!("fields:{}", render_fields(fields)));
    }
    if !o.sort.is_empty() {
        options.push(format!("sort:{}", render_sort(&o.sort)));
    }
    if let Some(limit) = o.page.limit {
        options.push(format!("limit:{limit}"));
    }
    if o.page.skip != 0 {
        options.push(format!("skip:{}", o.page.skip));
    }
    if options.is_empty() {
        items.push(path.clone());
    } else {
        items.push(format!("{path}({})", options.join(";")));
    }
    for child in &node.children {
        render_node(child, &format!("{path}."), items);
    }
}
