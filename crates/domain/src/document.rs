//! Open JSON documents: every entity keeps the fields a client sent, known or not.

use serde_json::{Map, Value};

/// A JSON object as stored and returned.
pub type Document = Map<String, Value>;

/// Fields the server owns: a client cannot set them, and PUT never drops them.
pub const SERVER_MANAGED: &[&str] = &["_id", "created", "lastUpdated", "lastLogin"];

/// Removes the server-managed fields from a client's document.
pub fn strip_server_managed(doc: &mut Document) {
    for key in SERVER_MANAGED {
        doc.shift_remove(*key);
    }
}

use crate::{ObjectId, ValidationError};

/// Longest text accepted in a name-like field.
pub const MAX_NAME_LEN: usize = 255;
/// What `required_str` accepts, as a JSON Schema pattern for the reference: not only white
/// space.
pub const NOT_BLANK_PATTERN: &str = r"\S";

/// The body of a create or replace must be a JSON object.
pub fn expect_object(body: Value) -> Result<Document, ValidationError> {
    match body {
        Value::Object(map) => Ok(map),
        other => {
            Err(ValidationError::body(format!("Expected a JSON object, got {}", json_type(&other))))
        }
    }
}

/// A field of a stored document as text: "" when absent or not a string (for display).
pub fn text_of(doc: &Document, field: &str) -> String {
    doc.get(field).and_then(Value::as_str).unwrap_or_default().to_owned()
}

/// The JSON type of a value, for messages.
pub fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A string field that may be absent; present, it must be a string of at most `max` characters.
pub fn optional_str<'a>(
    doc: &'a Document, field: &str, max: usize,
) -> Result<Option<&'a str>, ValidationError> {
    match doc.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.chars().count() > max => {
            Err(ValidationError::invalid(field, format!("must be at most {max} characters")))
        }
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(ValidationError::invalid(
            field,
            format!("must be a string, not {}", json_type(other)),
        )),
    }
}

/// A string field that must be present and not blank.
pub fn required_str<'a>(
    doc: &'a Document, field: &str, max: usize,
) -> Result<&'a str, ValidationError> {
    match optional_str(doc, field, max)? {
        None => Err(ValidationError::missing(field)),
        Some(s) if s.trim().is_empty() => Err(ValidationError::invalid(field, "must not be empty")),
        Some(s) => Ok(s),
    }
}

/// Refuses names that hold control characters (NUL, tabs, line breaks), invisible formatting
/// (zero-width spaces and joiners, direction overrides, the byte-order mark) or line and
/// paragraph separators: they make two names that look the same differ, or hide what a name
/// says. For user names, e-mail addresses and group names.
pub fn visible_name(field: &str, value: &str) -> Result<(), ValidationError> {
    use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
    let hidden = value.chars().any(|c| {
        matches!(
            c.general_category(),
            GeneralCategory::Control
                | GeneralCategory::Format
                | GeneralCategory::LineSeparator
                | GeneralCategory::ParagraphSeparator
        )
    });
    if hidden {
        return Err(ValidationError::invalid(
            field,
            "must not contain control or invisible formatting characters",
        ));
    }
    Ok(())
}

/// A boolean field that may be absent.
pub fn optional_bool(doc: &Document, field: &str) -> Result<Option<bool>, ValidationError> {
    match doc.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(ValidationError::invalid(
            field,
            format!("must be a boolean, not {}", json_type(other)),
        )),
    }
}

/// An id field that may be absent or null.
pub fn optional_id(doc: &Document, field: &str) -> Result<Option<ObjectId>, ValidationError> {
    match optional_str(doc, field, 24)? {
        None => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|_| ValidationError::invalid(field, "must be a 24-hex-digit id")),
    }
}

/// An object field that may be absent.
pub fn optional_object(doc: &Document, field: &str) -> Result<(), ValidationError> {
    match doc.get(field) {
        None | Some(Value::Null) | Some(Value::Object(_)) => Ok(()),
        Some(other) => Err(ValidationError::invalid(
            field,
            format!("must be an object, not {}", json_type(other)),
        )),
    }
}

/// The key under which names are compared: Unicode's compatibility caseless match (NFKC with full
/// case folding), so that names a reader cannot tell apart are one name: `Straße` and `STRASSE`,
/// `ΟΔΟΣ` and `οδος`, fullwidth `ｊｏｓｅ` and `jose`, composed and decomposed `José`.
///
/// The steps are the standard's definition (D146: NFKD(fold(NFKD(fold(NFD(s)))))), closed with
/// NFKC so that the stored key is short and stable.
pub fn lookup_key(s: &str) -> String {
    use caseless::Caseless;
    use unicode_normalization::UnicodeNormalization;
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    s.nfd().default_case_fold().nfkd().default_case_fold().nfkc().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Each pair names one account, so it must have one key; each pair of the second list differs.
    #[test]
    fn names_a_reader_cannot_tell_apart_share_a_key() {
        let same = [
            ("Straße", "STRASSE"),
            ("ΟΔΟΣ", "οδος"),
            ("ΟΔΟΣ", "οδοσ"),
            ("ｊｏｓｅ", "JOSE"),
            ("Jos\u{e9}", "JOSE\u{301}"),
            ("ﬁle", "FILE"),
            ("Ⅻ", "xii"),
        ];
        for (a, b) in same {
            assert_eq!(lookup_key(a), lookup_key(b), "{a} / {b}");
        }
        let different = [("İstanbul", "ıstanbul"), ("jose", "josé"), ("ab", "a b")];
        for (a, b) in different {
            assert_ne!(lookup_key(a), lookup_key(b), "{a} / {b}");
        }
    }

    proptest::proptest! {
        /// A key is its own key: keys stored once are found again by the key of the key.
        #[test]
        fn a_key_is_a_fixed_point(s in "\\PC{0,12}") {
            let key = lookup_key(&s);
            proptest::prop_assert_eq!(lookup_key(&key), key);
        }
    }

    /// Clients see fields in the order they sent them: removing one must not move the others.
    #[test]
    fn stripping_keeps_the_order_of_the_rest() {
        let Value::Object(mut doc) = json!({"_id": "x", "b": 1, "a": 2, "created": "t", "c": 3})
        else {
            unreachable!()
        };
        strip_server_managed(&mut doc);
        assert_eq!(serde_json::to_string(&doc).unwrap(), r#"{"b":1,"a":2,"c":3}"#);
    }
}

#[cfg(test)]
mod visible_name_tests {
    use super::visible_name;

    #[test]
    fn hidden_characters_are_refused_and_ordinary_unicode_is_not() {
        let refused = [
            "nul\u{0}inside",
            "tab\there",
            "line\nbreak",
            "zero\u{200B}width",
            "joiner\u{200D}here",
            "\u{202E}reversed",
            "\u{FEFF}bom",
            "soft\u{00AD}hyphen",
            "line\u{2028}separator",
        ];
        for name in refused {
            assert!(visible_name("userName", name).is_err(), "{name:?}");
        }
        let accepted = ["José", "ΟΔΟΣ", "Straße", "İstanbul", "名前", "o'brien-smith", "a b"];
        for name in accepted {
            assert!(visible_name("userName", name).is_ok(), "{name:?}");
        }
    }
}
