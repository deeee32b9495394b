//! Groups: what makes a group document valid.

use serde_json::Value;

use crate::document::{
    MAX_NAME_LEN, expect_object, optional_bool, optional_id, optional_str, required_str,
    strip_server_managed, visible_name,
};
use crate::{Document, ObjectId, ValidationError};

/// The groups every Tessera store holds. They cannot be deleted.
pub const BUILTIN_GROUPS: &[&str] = &["Admins", "Everyone", "All users in system"];

/// A validated group document, ready to be stored.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupDraft {
    pub doc: Document,
    pub name: String,
    pub role_id: Option<ObjectId>,
}

/// Validates a whole group document (POST, PUT, or the result of a PATCH).
///
/// Absent fields get the values Sisense shows for a group made in its own UI:
/// `roleId: null`, `ad: false`, and empty `objectSid`, `dn`, `uSNChanged`, `mail`.
pub fn parse_group(body: Value) -> Result<GroupDraft, ValidationError> {
    let mut doc = expect_object(body)?;
    strip_server_managed(&mut doc);
    let name = required_str(&doc, "name", MAX_NAME_LEN)?.to_owned();
    visible_name("name", &name)?;
    let role_id = optional_id(&doc, "roleId")?;
    optional_bool(&doc, "ad")?;
    optional_bool(&doc, "excludeFromSharing")?;
    for field in ["objectSid", "dn", "uSNChanged", "mail"] {
        optional_str(&doc, field, MAX_NAME_LEN)?;
    }

    doc.entry("roleId").or_insert(Value::Null);
    doc.entry("ad").or_insert(Value::Bool(false));
    for field in ["objectSid", "dn", "uSNChanged", "mail"] {
        doc.entry(field).or_insert_with(|| Value::String(String::new()));
    }
    Ok(GroupDraft { doc, name, role_id })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn defaults_match_the_seed_example() {
        let g = parse_group(json!({"name": "some group"})).unwrap();
        assert_eq!(
            Value::Object(g.doc),
            json!({"name": "some group", "roleId": null, "ad": false, "objectSid": "", "dn": "", "uSNChanged": "", "mail": ""})
        );
    }

    #[test]
    fn bad_documents_are_refused() {
        let cases = [
            (json!({}), ValidationError::missing("name")),
            (json!({"name": ""}), ValidationError::invalid("name", "must not be empty")),
            (
                json!({"name": "g", "roleId": "zz"}),
                ValidationError::invalid("roleId", "must be a 24-hex-digit id"),
            ),
            (
                json!({"name": "g", "ad": 1}),
                ValidationError::invalid("ad", "must be a boolean, not a number"),
            ),
            (
                json!({"name": "g", "mail": []}),
                ValidationError::invalid("mail", "must be a string, not an array"),
            ),
        ];
        for (body, expected) in cases {
            assert_eq!(parse_group(body.clone()).unwrap_err(), expected, "{body}");
        }
    }
}
