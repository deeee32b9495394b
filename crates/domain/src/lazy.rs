//! Documents on the read path: the store hands out JSON text, and a request parses only as deep
//! as it needs. A plain GET writes the stored text as it is; `expand` and `fields` parse a
//! document one level deep ([`LazyDoc`]) and look inside a field only when they must.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::query::FieldPath;

/// A stored document as JSON text.
pub type RawDoc = Box<RawValue>;

/// A document parsed one level deep: each field's value is still JSON text.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LazyDoc(IndexMap<String, Box<RawValue>>);

impl LazyDoc {
    pub fn parse(raw: &RawValue) -> Result<Self, serde_json::Error> {
        serde_json::from_str(raw.get())
    }

    pub fn get(&self, key: &str) -> Option<&RawValue> {
        self.0.get(key).map(AsRef::as_ref)
    }

    /// Sets a field (kept in place if it exists, appended otherwise).
    pub fn set(&mut self, key: &str, value: RawDoc) {
        self.0.insert(key.to_owned(), value);
    }

    /// The `_id`, when it is a string.
    pub fn id(&self) -> Option<String> {
        serde_json::from_str(self.get("_id")?.get()).ok()
    }

    /// The value at a dotted path (through objects only), parsed.
    pub fn value_at(&self, path: &FieldPath) -> Option<Value> {
        let (first, rest) = path.segments().split_first()?;
        let mut value: Value = serde_json::from_str(self.get(first)?.get()).ok()?;
        for name in rest {
            value = value.as_object_mut()?.remove(name)?;
        }
        Some(value)
    }

    pub fn to_raw(&self) -> RawDoc {
        serde_json::value::to_raw_value(self).expect("a map of JSON values serialises")
    }

    pub(crate) fn into_fields(self) -> impl Iterator<Item = (String, Box<RawValue>)> {
        self.0.into_iter()
    }

    pub(crate) fn from_fields(fields: impl Iterator<Item = (String, Box<RawValue>)>) -> Self {
        LazyDoc(fields.collect())
    }

    pub(crate) fn remove(&mut self, key: &str) {
        self.0.shift_remove(key);
    }

    pub(crate) fn field_mut(&mut self, key: &str) -> Option<&mut Box<RawValue>> {
        self.0.get_mut(key)
    }
}

/// A JSON array of the given JSON texts.
pub fn raw_array<'a>(items: impl IntoIterator<Item = &'a RawValue>) -> RawDoc {
    let mut out = String::from("[");
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(item.get());
    }
    out.push(']');
    RawValue::from_string(out).expect("an array of JSON texts is JSON")
}

/// JSON `null`.
pub fn raw_null() -> RawDoc {
    RawValue::from_string("null".to_owned()).expect("null is JSON")
}

/// The strings of a JSON array (other items skipped); empty when the text is not an array.
pub fn string_items(raw: Option<&RawValue>) -> Vec<String> {
    let Some(raw) = raw else { return Vec::new() };
    match serde_json::from_str::<Vec<Value>>(raw.get()) {
        Ok(items) => items
            .into_iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// The string a JSON text holds, if it is a string.
pub fn string_value(raw: Option<&RawValue>) -> Option<String> {
    serde_json::from_str(raw?.get()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_edit_and_write_back() {
        let raw = RawValue::from_string(r#"{"_id":"a","groups":["x","y"],"p":{"l":"en"}}"#.into())
            .unwrap();
        let mut doc = LazyDoc::parse(&raw).unwrap();
        assert_eq!(doc.id().as_deref(), Some("a"));
        assert_eq!(string_items(doc.get("groups")), ["x", "y"]);
        let path = FieldPath(vec!["p".into(), "l".into()]);
        assert_eq!(doc.value_at(&path), Some(Value::String("en".into())));
        let items = [
            raw_null(),
            RawValue::from_string("{\"n\":1}".into()).unwrap(),
        ];
        doc.set("groups", raw_array(items.iter().map(AsRef::as_ref)));
        assert_eq!(
            doc.to_raw().get(),
            r#"{"_id":"a","groups":[null,{"n":1}],"p":{"l":"en"}}"#
        );
    }
}
