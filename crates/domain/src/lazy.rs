//! Documents on the read path: the store hands out JSON text, and a request parses only as deep
//! as it needs. A plain GET writes the stored text as it is; `expand` and `fields` parse a
//! document one level deep ([`LazyDoc`]) and look inside a field only when they must.

use std::fmt;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::query::FieldPath;

/// A stored document as JSON text, checked to be JSON once, when it left the store.
pub type RawDoc = Box<RawValue>;

/// A document parsed one level deep: its fields in order, each value still JSON text. Every
/// text in it is valid JSON (it came from a checked document or was written by serde_json), so
/// writing it back out needs no second check.
#[derive(Debug, Clone, Default)]
pub struct LazyDoc(Vec<(String, String)>);

impl LazyDoc {
    pub fn parse(raw: &RawValue) -> Result<Self, serde_json::Error> {
        serde_json::from_str(raw.get())
    }

    /// The JSON text of a field.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// Sets a field to a JSON text (kept in place if it exists, appended otherwise).
    pub fn set(&mut self, key: &str, json: String) {
        match self.0.iter_mut().find(|(k, _)| k == key) {
            Some((_, v)) => *v = json,
            None => self.0.push((key.to_owned(), json)),
        }
    }

    /// The `_id`, when it is a string.
    pub fn id(&self) -> Option<String> {
        string_value(self.get("_id"))
    }

    /// The value at a dotted path (through objects only), parsed.
    pub fn value_at(&self, path: &FieldPath) -> Option<Value> {
        let (first, rest) = path.segments().split_first()?;
        let mut value: Value = serde_json::from_str(self.get(first)?).ok()?;
        for name in rest {
            value = value.as_object_mut()?.remove(name)?;
        }
        Some(value)
    }

    /// The document as JSON text.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(
            2 + self.0.iter().map(|(k, v)| k.len() + v.len() + 4).sum::<usize>(),
        );
        out.push('{');
        for (i, (key, value)) in self.0.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&serde_json::to_string(key).expect("a string serialises"));
            out.push(':');
            out.push_str(value);
        }
        out.push('}');
        out
    }

    pub(crate) fn into_fields(self) -> impl Iterator<Item = (String, String)> {
        self.0.into_iter()
    }

    pub(crate) fn from_fields(fields: impl Iterator<Item = (String, String)>) -> Self {
        LazyDoc(fields.collect())
    }

    pub(crate) fn remove(&mut self, key: &str) {
        self.0.retain(|(k, _)| k != key);
    }

    pub(crate) fn field_mut(&mut self, key: &str) -> Option<&mut String> {
        self.0.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

impl<'de> Deserialize<'de> for LazyDoc {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Fields;
        impl<'de> Visitor<'de> for Fields {
            type Value = LazyDoc;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<LazyDoc, A::Error> {
                let mut fields = Vec::with_capacity(map.size_hint().unwrap_or(12));
                while let Some((key, value)) = map.next_entry::<String, &'de RawValue>()? {
                    fields.push((key, value.get().to_owned()));
                }
                Ok(LazyDoc(fields))
            }
        }
        deserializer.deserialize_map(Fields)
    }
}

impl Serialize for LazyDoc {
    /// Through serde (for tests and tools); the hot path writes [`LazyDoc::to_json`].
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let value: Value =
            serde_json::from_str(&self.to_json()).map_err(serde::ser::Error::custom)?;
        value.serialize(serializer)
    }
}

/// A JSON array of the given JSON texts, in a buffer sized for them at once (a page is tens of
/// kilobytes: grown by doubling, it was copied a dozen times).
pub fn json_array<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let items: Vec<&str> = items.into_iter().collect();
    let mut out = String::with_capacity(2 + items.iter().map(|i| i.len() + 1).sum::<usize>());
    out.push('[');
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(item);
    }
    out.push(']');
    out
}

/// The strings of a JSON array (other items skipped); empty when the text is not an array.
pub fn string_items(json: Option<&str>) -> Vec<String> {
    let Some(json) = json else { return Vec::new() };
    match serde_json::from_str::<Vec<Value>>(json) {
        Ok(items) => items.into_iter().filter_map(|v| v.as_str().map(str::to_owned)).collect(),
        Err(_) => Vec::new(),
    }
}

/// The string a JSON text holds, if it is a string.
pub fn string_value(json: Option<&str>) -> Option<String> {
    serde_json::from_str(json?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_edit_and_write_back() {
        let raw = RawValue::from_string(
            r#"{"_id":"a","groups":["x","y"],"p":{"l":"en"},"q\"":1}"#.into(),
        )
        .unwrap();
        let mut doc = LazyDoc::parse(&raw).unwrap();
        assert_eq!(doc.id().as_deref(), Some("a"));
        assert_eq!(string_items(doc.get("groups")), ["x", "y"]);
        let path = FieldPath(vec!["p".into(), "l".into()]);
        assert_eq!(doc.value_at(&path), Some(Value::String("en".into())));
        doc.set("groups", json_array(["null", "{\"n\":1}"]));
        doc.set("new", "true".into());
        let text = doc.to_json();
        assert_eq!(
            text,
            r#"{"_id":"a","groups":[null,{"n":1}],"p":{"l":"en"},"q\"":1,"new":true}"#
        );
        assert!(serde_json::from_str::<Value>(&text).is_ok());
    }

    #[test]
    fn only_objects_parse() {
        for bad in ["[]", "1", "\"x\"", "null"] {
            assert!(LazyDoc::parse(&RawValue::from_string(bad.into()).unwrap()).is_err(), "{bad}");
        }
    }
}
