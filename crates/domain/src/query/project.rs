//! `fields`: keep or drop paths of a document. Nested paths reach into objects, and into the
//! objects of arrays (an expanded `groups` array, say).

use std::collections::BTreeMap;

use serde_json::Value;

use super::ast::{FieldPath, Projection};
use crate::Document;
use crate::lazy::LazyDoc;

/// The paths of a projection as a tree: a leaf selects the whole value below it.
#[derive(Default)]
struct Tree(BTreeMap<String, Option<Tree>>);

impl Tree {
    fn of(paths: &[FieldPath]) -> Tree {
        let mut root = Tree::default();
        for path in paths {
            root.insert(path.segments());
        }
        root
    }

    fn insert(&mut self, segments: &[String]) {
        let Some((first, rest)) = segments.split_first() else {
            return;
        };
        if rest.is_empty() {
            self.0.insert(first.clone(), None);
            return;
        }
        // `None` there means a shorter path already selects the whole value.
        if let Some(child) = self.0.entry(first.clone()).or_insert_with(|| Some(Tree::default())) {
            child.insert(rest);
        }
    }
}

/// Applies a projection to a document.
pub fn project(doc: Document, projection: &Projection) -> Document {
    match projection {
        Projection::Include(paths) => include(doc, &Tree::of(paths)),
        Projection::Exclude(paths) => exclude(doc, &Tree::of(paths)),
    }
}

/// Applies a projection to a document parsed one level deep: whole fields are kept or dropped
/// as text; only a field that a nested path reaches into is parsed.
pub fn project_lazy(doc: LazyDoc, projection: &Projection) -> LazyDoc {
    match projection {
        Projection::Include(paths) => {
            let tree = Tree::of(paths);
            LazyDoc::from_fields(doc.into_fields().filter_map(
                |(key, raw)| match tree.0.get(&key)? {
                    None => Some((key, raw)),
                    Some(sub) => {
                        let value: Value = serde_json::from_str(&raw).ok()?;
                        include_value(value, sub).map(|v| (key, to_json(&v)))
                    }
                },
            ))
        }
        Projection::Exclude(paths) => {
            let tree = Tree::of(paths);
            let mut doc = doc;
            for (key, sub) in &tree.0 {
                match sub {
                    None => doc.remove(key),
                    Some(sub) => {
                        if let Some(raw) = doc.field_mut(key)
                            && let Ok(mut value) = serde_json::from_str::<Value>(raw)
                        {
                            exclude_value(&mut value, sub);
                            *raw = to_json(&value);
                        }
                    }
                }
            }
            doc
        }
    }
}

fn to_json(v: &Value) -> String {
    serde_json::to_string(v).expect("a JSON value serialises")
}

fn include(doc: Document, tree: &Tree) -> Document {
    doc.into_iter()
        .filter_map(|(key, value)| match tree.0.get(&key)? {
            None => Some((key, value)),
            Some(sub) => include_value(value, sub).map(|v| (key, v)),
        })
        .collect()
}

fn include_value(value: Value, tree: &Tree) -> Option<Value> {
    match value {
        Value::Object(map) => Some(Value::Object(include(map, tree))),
        Value::Array(items) => Some(Value::Array(
            items
                .into_iter()
                .filter_map(|item| match item {
                    Value::Object(map) => Some(Value::Object(include(map, tree))),
                    _ => None,
                })
                .collect(),
        )),
        // A path through a scalar selects nothing.
        _ => None,
    }
}

fn exclude(mut doc: Document, tree: &Tree) -> Document {
    for (key, sub) in &tree.0 {
        match sub {
            None => {
                doc.shift_remove(key);
            }
            Some(sub) => {
                if let Some(value) = doc.get_mut(key) {
                    exclude_value(value, sub);
                }
            }
        }
    }
    doc
}

fn exclude_value(value: &mut Value, tree: &Tree) {
    match value {
        Value::Object(map) => *map = exclude(std::mem::take(map), tree),
        Value::Array(items) => items.iter_mut().for_each(|item| exclude_value(item, tree)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::parse_fields;
    use serde_json::json;

    fn apply(doc: Value, fields: &str) -> Value {
        let projection = parse_fields("fields", fields).unwrap().unwrap();
        Value::Object(project(doc.as_object().unwrap().clone(), &projection))
    }

    #[test]
    fn include_keeps_exactly_the_paths() {
        let doc = json!({"_id": "1", "email": "a@b.c", "firstName": "A", "preferences": {"localeId": "en-US", "x": 1}});
        assert_eq!(
            apply(doc.clone(), "firstName,email"),
            json!({"email": "a@b.c", "firstName": "A"})
        );
        assert_eq!(
            apply(doc.clone(), "preferences.localeId"),
            json!({"preferences": {"localeId": "en-US"}})
        );
        assert_eq!(
            apply(doc.clone(), "preferences,preferences.x"),
            json!({"preferences": {"localeId": "en-US", "x": 1}})
        );
        assert_eq!(apply(doc.clone(), "nothing"), json!({}));
        assert_eq!(apply(doc, "email.deeper"), json!({}));
    }

    #[test]
    fn exclude_drops_the_paths() {
        let doc = json!({"_id": "1", "hash": "h", "preferences": {"localeId": "en-US", "x": 1}});
        assert_eq!(
            apply(doc.clone(), "-hash"),
            json!({"_id": "1", "preferences": {"localeId": "en-US", "x": 1}})
        );
        assert_eq!(
            apply(doc.clone(), "-preferences.x,-_id"),
            json!({"hash": "h", "preferences": {"localeId": "en-US"}})
        );
        assert_eq!(apply(doc.clone(), "-missing"), doc);
    }

    #[test]
    fn paths_reach_into_arrays_of_objects() {
        let doc =
            json!({"groups": [{"name": "a", "_id": "1"}, {"name": "b", "_id": "2"}, "stray"]});
        assert_eq!(
            apply(doc.clone(), "groups.name"),
            json!({"groups": [{"name": "a"}, {"name": "b"}]})
        );
        assert_eq!(
            apply(doc, "-groups._id"),
            json!({"groups": [{"name": "a"}, {"name": "b"}, "stray"]})
        );
    }
}
