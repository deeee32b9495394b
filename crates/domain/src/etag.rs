//! Entity versions for conditional requests: a strong `ETag` is a digest of the entity's stored
//! JSON text, so it changes exactly when the entity does (on any node, after any restart).

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::{Document, ValidationError};

/// The quoted strong entity tag of a JSON text: 128 bits of its SHA-256, in hex.
pub fn etag(text: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(text);
    let mut out = String::with_capacity(34);
    out.push('"');
    for byte in &digest[..16] {
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0xf)]));
    }
    out.push('"');
    out
}

/// The tag of a stored document (its stored text is its serialisation).
pub fn etag_of(doc: &Document) -> String {
    etag(Value::Object(doc.clone()).to_string().as_bytes())
}

/// Whether an `If-None-Match` value names `tag` (weak comparison, RFC 9110 §13.1.2).
pub fn none_match_hits(header: &str, tag: &str) -> bool {
    header.trim() == "*"
        || header.split(',').map(|t| t.trim().trim_start_matches("W/")).any(|t| t == tag)
}

/// An `If-Match` precondition: the entity must still be one of these versions (strong
/// comparison, RFC 9110 §13.1.1: a weak tag never matches).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IfMatch {
    Any,
    Tags(Vec<String>),
}

impl IfMatch {
    pub fn parse(header: &str) -> IfMatch {
        if header.trim() == "*" {
            return IfMatch::Any;
        }
        IfMatch::Tags(
            header
                .split(',')
                .map(str::trim)
                .filter(|t| t.starts_with('"'))
                .map(str::to_owned)
                .collect(),
        )
    }

    /// Passes when the entity, as stored now, is a version the client named.
    pub fn check(&self, current: &Document) -> Result<(), ValidationError> {
        match self {
            IfMatch::Any => Ok(()),
            IfMatch::Tags(tags) => {
                let now = etag_of(current);
                if tags.contains(&now) { Ok(()) } else { Err(ValidationError::Stale) }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(v: Value) -> Document {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn tags_follow_the_text() {
        let a = doc(json!({"_id": "1", "name": "a"}));
        let b = doc(json!({"_id": "1", "name": "b"}));
        assert_eq!(etag_of(&a), etag(br#"{"_id":"1","name":"a"}"#));
        assert_ne!(etag_of(&a), etag_of(&b));
        assert_eq!(etag_of(&a).len(), 34);
        // The first 128 bits of SHA-256(""), in lower-case hex: tags stay what they were.
        assert_eq!(etag(b""), "\"e3b0c44298fc1c149afbf4c8996fb924\"");
    }

    #[test]
    fn preconditions() {
        let a = doc(json!({"name": "a"}));
        let tag = etag_of(&a);
        assert!(IfMatch::parse("*").check(&a).is_ok());
        assert!(IfMatch::parse(&tag).check(&a).is_ok());
        assert!(IfMatch::parse(&format!("\"x\", {tag}")).check(&a).is_ok());
        assert_eq!(IfMatch::parse("\"x\"").check(&a), Err(ValidationError::Stale));
        // A weak tag never satisfies If-Match.
        assert!(IfMatch::parse(&format!("W/{tag}")).check(&a).is_err());
        assert!(none_match_hits(&format!("W/{tag}"), &tag));
        assert!(none_match_hits("*", &tag));
        assert!(!none_match_hits("\"other\"", &tag));
    }
}
