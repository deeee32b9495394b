//! The order of JSON values, the same as the store's engine sorts them (SQLite's order of
//! `json_extract` results): missing and `null` first, then booleans and numbers by value
//! (`false` = 0, `true` = 1), then text: strings by their UTF-8 bytes, arrays and objects by the
//! bytes of their JSON text, all compared together. Descending reverses all of it. Ties are broken by `_id`, in the direction of the
//! last sort key, so that the order is total and pages never overlap.

use std::cmp::Ordering;

use serde_json::Value;

use super::ast::{FieldPath, SortKey};
use crate::Document;

/// The value at a dotted path, looking through objects only (as the store's JSON paths do).
pub fn value_at<'a>(doc: &'a Document, path: &FieldPath) -> Option<&'a Value> {
    let (first, rest) = path.segments().split_first()?;
    let mut value = doc.get(first)?;
    for name in rest {
        value = value.as_object()?.get(name)?;
    }
    Some(value)
}

fn rank(v: Option<&Value>) -> u8 {
    match v {
        None | Some(Value::Null) => 0,
        Some(Value::Bool(_) | Value::Number(_)) => 1,
        Some(Value::String(_) | Value::Array(_) | Value::Object(_)) => 2,
    }
}

/// The text SQLite compares for a string, an array or an object.
fn text(v: &Value) -> std::borrow::Cow<'_, str> {
    match v {
        Value::String(s) => std::borrow::Cow::Borrowed(s),
        other => std::borrow::Cow::Owned(other.to_string()),
    }
}

fn number(v: &Value) -> f64 {
    match v {
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::Number(n) => n.as_f64().unwrap_or(0.0),
        _ => 0.0,
    }
}

/// Compares two (possibly missing) values in ascending order.
pub fn compare_values(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    rank(a).cmp(&rank(b)).then_with(|| match (a, b) {
        (Some(x @ (Value::Bool(_) | Value::Number(_))), Some(y)) => number(x).total_cmp(&number(y)),
        (Some(x), Some(y)) => text(x).as_bytes().cmp(text(y).as_bytes()),
        _ => Ordering::Equal,
    })
}

/// Sorts documents by `keys`, ties broken by `_id`.
pub fn sort_documents(docs: &mut [Document], keys: &[SortKey]) {
    if keys.is_empty() {
        return;
    }
    docs.sort_by(|a, b| {
        let values =
            |d: &Document| keys.iter().map(|k| value_at(d, &k.path).cloned()).collect::<Vec<_>>();
        let id = |d: &Document| d.get("_id").and_then(Value::as_str).unwrap_or_default().to_owned();
        compare_by_keys(keys, (&values(a), &id(a)), (&values(b), &id(b)))
    });
}

/// Compares two entities by their values for `keys` (extracted beforehand, one per key), ties
/// broken by id in the direction of the last key.
pub fn compare_by_keys(
    keys: &[SortKey], a: (&[Option<Value>], &str), b: (&[Option<Value>], &str),
) -> Ordering {
    for (i, key) in keys.iter().enumerate() {
        let o = compare_values(a.0[i].as_ref(), b.0[i].as_ref());
        let o = if key.descending { o.reverse() } else { o };
        if o != Ordering::Equal {
            return o;
        }
    }
    let ids = a.1.as_bytes().cmp(b.1.as_bytes());
    if keys.last().is_some_and(|k| k.descending) { ids.reverse() } else { ids }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn type_order_is_null_then_numbers_then_text() {
        // `[1]` is the text "[1]": after "B" (0x42), before "a" (0x61) and "{" (0x7B).
        let values = [
            json!(null),
            json!(false),
            json!(0.5),
            json!(true),
            json!(7),
            json!("B"),
            json!([1]),
            json!("a"),
            json!({"a": 1}),
        ];
        for (i, a) in values.iter().enumerate() {
            for (j, b) in values.iter().enumerate() {
                assert_eq!(compare_values(Some(a), Some(b)), i.cmp(&j), "{a} vs {b}");
            }
        }
        assert_eq!(compare_values(None, Some(&json!(null))), Ordering::Equal);
    }
}
