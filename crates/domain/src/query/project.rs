//! `fields`: keep or drop paths of a document. Nested paths reach into objects, and into the
//! objects of arrays (an expanded `groups` array, say).

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::BTreeMap;
use std::fmt;

use serde::de::{Deserializer, Error as _, MapAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

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

/// Projects a document's stored JSON text straight into the answer's JSON text: the paths are
/// read once per page (not once per document), and a field kept or dropped whole is copied or
/// skipped as text, without an allocation of its own; only a field that a nested path reaches
/// into is parsed. A page with `fields` costs less than the whole page, not more.
pub fn project_text(raw: &str, projection: &Projector) -> Result<String, serde_json::Error> {
    let mut out = String::with_capacity(256);
    project_text_into(raw, projection, &mut out)?;
    Ok(out)
}

/// `project_text`, appended to `out` (a page's array is written in one buffer). On an error,
/// what was appended is not a whole object.
pub fn project_text_into(
    raw: &str, projection: &Projector, out: &mut String,
) -> Result<(), serde_json::Error> {
    let finished_early = Cell::new(false);
    let mut de = serde_json::Deserializer::from_str(raw);
    let start = out.len();
    match de.deserialize_map(Emit { projection, out, start, finished_early: &finished_early }) {
        Ok(()) => de.end()?,
        // Every included field was found: the rest of the text is not read (stored documents
        // are valid JSON with unique names), and the error only stopped the deserializer.
        Err(_) if finished_early.get() => {}
        Err(e) => return Err(e),
    }
    out.push('}');
    Ok(())
}

/// A projection with its paths as a tree, made once and applied to many documents.
pub struct Projector {
    include: bool,
    tree: Tree,
}

impl Projector {
    pub fn new(projection: &Projection) -> Self {
        match projection {
            Projection::Include(paths) => Projector { include: true, tree: Tree::of(paths) },
            Projection::Exclude(paths) => Projector { include: false, tree: Tree::of(paths) },
        }
    }
}

/// Writes the kept fields of the map it visits into `out` as JSON text (without the closing
/// brace). When it has found every field an inclusion names, it sets `finished_early` and stops
/// the deserializer with an error, so that the rest of the document is not scanned.
struct Emit<'a> {
    projection: &'a Projector,
    out: &'a mut String,
    /// Where this object starts in `out`.
    start: usize,
    finished_early: &'a Cell<bool>,
}

impl<'de> Visitor<'de> for Emit<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Projector { include, tree } = self.projection;
        let out = self.out;
        out.push('{');
        let mut unseen = tree.0.len();
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            let raw: &'de RawValue = map.next_value()?;
            let named = tree.0.get(key.as_ref());
            let kept: Option<Cow<'de, str>> = match (include, named) {
                (true, None) | (false, Some(None)) => None,
                (true, Some(None)) | (false, None) => Some(Cow::Borrowed(raw.get())),
                (true, Some(Some(sub))) => {
                    let value: Value = serde_json::from_str(raw.get()).map_err(A::Error::custom)?;
                    include_value(value, sub).map(|v| Cow::Owned(to_json(&v)))
                }
                (false, Some(Some(sub))) => {
                    let mut value: Value =
                        serde_json::from_str(raw.get()).map_err(A::Error::custom)?;
                    exclude_value(&mut value, sub);
                    Some(Cow::Owned(to_json(&value)))
                }
            };
            if let Some(value) = kept {
                if out.len() > self.start + 1 {
                    out.push(',');
                }
                match key {
                    // Borrowed: the name has no escapes, so its text is its JSON.
                    Cow::Borrowed(name) => {
                        out.push('"');
                        out.push_str(name);
                        out.push('"');
                    }
                    Cow::Owned(name) => out.push_str(&to_json(&Value::String(name))),
                }
                out.push(':');
                out.push_str(&value);
            }
            if named.is_some() {
                unseen -= 1;
                if *include && unseen == 0 {
                    self.finished_early.set(true);
                    return Err(A::Error::custom("every included field found"));
                }
            }
        }
        Ok(())
    }
}

/// An object's key, borrowed from the text unless it holds escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Name;
        impl<'de> Visitor<'de> for Name {
            type Value = Key<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }

            fn visit_borrowed_str<E>(self, name: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(name)))
            }

            fn visit_str<E>(self, name: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(name.to_owned())))
            }
        }
        deserializer.deserialize_str(Name)
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

    /// Straight from text: the fields in their stored order, names with escapes written back as
    /// JSON, nested paths parsed, the rest copied as they were.
    #[test]
    fn text_projection_keeps_order_and_escapes() {
        let raw = r#"{"b":1,"a\"q":"x","\u00e9t\u00e9":[1, 2],"p":{"k":1,"j":2},"z":null}"#;
        let text = |fields: &str| {
            let projection = parse_fields("fields", fields).unwrap().unwrap();
            project_text(raw, &Projector::new(&projection)).unwrap()
        };
        assert_eq!(text("z,b,p.k"), r#"{"b":1,"p":{"k":1},"z":null}"#);
        assert_eq!(text("-b,-p.j,-z"), r#"{"a\"q":"x","été":[1, 2],"p":{"k":1}}"#);
        assert!(project_text("[1]", &Projector::new(&Projection::Include(vec![]))).is_err());
    }

    /// Appended to a buffer that already holds text (a page's array), an object's first field
    /// still has no comma before it.
    #[test]
    fn text_projection_appends_after_what_is_there() {
        let projection = parse_fields("fields", "b,c").unwrap().unwrap();
        let mut out = String::from(r#"[{"a":1},"#);
        project_text_into(r#"{"b":1,"x":0,"c":2}"#, &Projector::new(&projection), &mut out)
            .unwrap();
        assert_eq!(out, r#"[{"a":1},{"b":1,"c":2}"#);
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
