//! Users: what makes a user document valid, and what the store needs to index it.

use serde_json::Value;

use crate::document::{
    MAX_NAME_LEN, expect_object, json_type, optional_bool, optional_id, optional_object,
    optional_str, required_str, strip_server_managed, visible_name,
};
use crate::{Document, ObjectId, ValidationError};

/// Longest e-mail address (RFC 5321's path limit).
pub const MAX_EMAIL_LEN: usize = 254;
/// For the reference: a JSON Schema pattern every address `looks_like_email` accepts matches
/// (something, an `@`, something, neither holding `@` or white space); the server itself checks
/// RFC 5322's grammar.
pub const EMAIL_PATTERN: &str = r"^[^@\s]+@[^@\s]+$";
/// Shortest password accepted.
pub const MIN_PASSWORD_LEN: usize = 8;
/// Longest password accepted: bounds the work of hashing one.
pub const MAX_PASSWORD_LEN: usize = 1024;
/// Most groups one user can belong to.
pub const MAX_GROUPS_PER_USER: usize = 1000;

/// A plaintext password on its way to the hasher. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// A validated user document, ready to be stored.
#[derive(Debug, Clone, PartialEq)]
pub struct UserDraft {
    /// The document as it will be returned, without server-managed fields and without `password`.
    pub doc: Document,
    pub user_name: String,
    pub email: String,
    pub role_id: ObjectId,
    /// Group ids in the client's order, without repeats.
    pub groups: Vec<ObjectId>,
    pub active: bool,
    /// A new password, when the document carried one.
    pub password: Option<Password>,
}

/// Validates a whole user document (POST, PUT, or the result of a PATCH).
///
/// Defaults, applied whenever the field is absent: `userName` = `email`, `roleId` = `default_role`,
/// `groups` = `[]`, `active` = `true`. Unknown fields are kept as they are.
pub fn parse_user(body: Value, default_role: ObjectId) -> Result<UserDraft, ValidationError> {
    let mut doc = expect_object(body)?;
    strip_server_managed(&mut doc);
    let password = take_password(&mut doc)?;

    let email = required_str(&doc, "email", MAX_EMAIL_LEN)?.to_owned();
    visible_name("email", &email)?;
    if !looks_like_email(&email) {
        return Err(ValidationError::invalid("email", "must be an e-mail address"));
    }
    let user_name = match optional_str(&doc, "userName", MAX_NAME_LEN)? {
        None => email.clone(),
        Some(s) if s.trim().is_empty() => {
            return Err(ValidationError::invalid("userName", "must not be empty"));
        }
        Some(s) => {
            visible_name("userName", s)?;
            s.to_owned()
        }
    };
    optional_str(&doc, "firstName", MAX_NAME_LEN)?;
    optional_str(&doc, "lastName", MAX_NAME_LEN)?;
    optional_object(&doc, "preferences")?;
    let role_id = optional_id(&doc, "roleId")?.unwrap_or(default_role);
    let groups = parse_groups(&doc)?;
    let active = optional_bool(&doc, "active")?.unwrap_or(true);

    doc.insert("userName".into(), Value::String(user_name.clone()));
    doc.insert("roleId".into(), Value::String(role_id.to_string()));
    doc.insert(
        "groups".into(),
        Value::Array(groups.iter().map(|g| Value::String(g.to_string())).collect()),
    );
    doc.insert("active".into(), Value::Bool(active));

    Ok(UserDraft { doc, user_name, email, role_id, groups, active, password })
}

/// Takes `password` out of the document: it is never stored in it.
pub fn take_password(doc: &mut Document) -> Result<Option<Password>, ValidationError> {
    match doc.shift_remove("password") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => {
            let n = s.chars().count();
            if n < MIN_PASSWORD_LEN {
                Err(ValidationError::invalid(
                    "password",
                    format!("must be at least {MIN_PASSWORD_LEN} characters"),
                ))
            } else if n > MAX_PASSWORD_LEN {
                Err(ValidationError::invalid(
                    "password",
                    format!("must be at most {MAX_PASSWORD_LEN} characters"),
                ))
            } else {
                Ok(Some(Password(s)))
            }
        }
        Some(other) => Err(ValidationError::invalid(
            "password",
            format!("must be a string, not {}", json_type(&other)),
        )),
    }
}

fn parse_groups(doc: &Document) -> Result<Vec<ObjectId>, ValidationError> {
    let items = match doc.get("groups") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(other) => {
            return Err(ValidationError::invalid(
                "groups",
                format!("must be an array of group ids, not {}", json_type(other)),
            ));
        }
    };
    if items.len() > MAX_GROUPS_PER_USER {
        return Err(ValidationError::invalid(
            "groups",
            format!("must hold at most {MAX_GROUPS_PER_USER} groups"),
        ));
    }
    let mut groups = Vec::with_capacity(items.len());
    for item in items {
        let id = item.as_str().and_then(|s| s.parse::<ObjectId>().ok()).ok_or_else(|| {
            ValidationError::invalid("groups", "must be an array of 24-hex-digit ids")
        })?;
        if !groups.contains(&id) {
            groups.push(id);
        }
    }
    Ok(groups)
}

/// A deliberately loose check: one `@` with something on both sides, no white space.
/// Whether the mailbox exists is not the server's business.
fn looks_like_email(s: &str) -> bool {
    // RFC 5322's address grammar, without display text ("Jane <jane@x>" is not an address to
    // store) and without a required top-level domain (`admin@localhost` is fine).
    let options =
        email_address::Options { allow_display_text: false, ..email_address::Options::default() };
    email_address::EmailAddress::parse_with_options(s, options).is_ok()
}

/// A fresh per-user API secret. Tokens carry it; changing it rejects every token issued before.
pub fn new_api_secret() -> String {
    let b: [u8; 16] = rand::random();
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        u32::from_be_bytes([b[0], b[1], b[2], b[3]]),
        u16::from_be_bytes([b[4], b[5]]),
        u16::from_be_bytes([b[6], b[7]]),
        u16::from_be_bytes([b[8], b[9]]),
        u64::from_be_bytes([0, 0, b[10], b[11], b[12], b[13], b[14], b[15]])
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn role() -> ObjectId {
        "5f0000000000000000000001".parse().unwrap()
    }

    #[test]
    fn defaults_fill_in_absent_fields() {
        let u = parse_user(json!({"email": "a@b.c"}), role()).unwrap();
        assert_eq!(u.user_name, "a@b.c");
        assert_eq!(u.doc["userName"], "a@b.c");
        assert_eq!(u.doc["roleId"], role().to_string());
        assert_eq!(u.doc["groups"], json!([]));
        assert_eq!(u.doc["active"], true);
    }

    #[test]
    fn password_and_server_fields_never_reach_the_document() {
        let u = parse_user(
            json!({"email": "a@b.c", "password": "s3cret-pass", "_id": "x", "created": "y"}),
            role(),
        )
        .unwrap();
        assert!(!u.doc.contains_key("password"));
        assert!(!u.doc.contains_key("_id"));
        assert!(!u.doc.contains_key("created"));
        assert_eq!(u.password.unwrap().expose(), "s3cret-pass");
    }

    #[test]
    fn unknown_fields_are_kept() {
        let u = parse_user(json!({"email": "a@b.c", "team": {"x": [1, 2]}}), role()).unwrap();
        assert_eq!(u.doc["team"], json!({"x": [1, 2]}));
    }

    #[test]
    fn addresses_follow_rfc_5322_without_display_text() {
        let accepted = [
            "a@b.c",
            "user+tag@corp.example",
            "o'brien@corp.example",
            "admin@localhost",
            "first.last@sub.corp.example",
        ];
        for email in accepted {
            assert!(looks_like_email(email), "{email}");
        }
        let refused = [
            "<script>@corp.example",
            "Jane <jane@corp.example>",
            "two@@corp.example",
            "a@b@c",
            "no-at-sign",
            "@corp.example",
            "trailing@",
            "spa ce@corp.example",
            "dots..twice@corp.example",
        ];
        for email in refused {
            assert!(!looks_like_email(email), "{email}");
        }
    }

    #[test]
    fn bad_documents_are_refused_with_the_field_named() {
        let cases = [
            (json!({}), ValidationError::missing("email")),
            (json!({"email": null}), ValidationError::missing("email")),
            (
                json!({"email": "nope"}),
                ValidationError::invalid("email", "must be an e-mail address"),
            ),
            (
                json!({"email": 5}),
                ValidationError::invalid("email", "must be a string, not a number"),
            ),
            (
                json!({"email": "a@b.c", "userName": " "}),
                ValidationError::invalid("userName", "must not be empty"),
            ),
            (
                json!({"email": "a@b.c", "roleId": "abc"}),
                ValidationError::invalid("roleId", "must be a 24-hex-digit id"),
            ),
            (
                json!({"email": "a@b.c", "groups": "x"}),
                ValidationError::invalid("groups", "must be an array of group ids, not a string"),
            ),
            (
                json!({"email": "a@b.c", "groups": [1]}),
                ValidationError::invalid("groups", "must be an array of 24-hex-digit ids"),
            ),
            (
                json!({"email": "a@b.c", "active": "yes"}),
                ValidationError::invalid("active", "must be a boolean, not a string"),
            ),
            (
                json!({"email": "a@b.c", "password": "short"}),
                ValidationError::invalid("password", "must be at least 8 characters"),
            ),
            (
                json!({"email": "a@b.c", "preferences": 3}),
                ValidationError::invalid("preferences", "must be an object, not a number"),
            ),
            (json!([]), ValidationError::body("Expected a JSON object, got an array")),
        ];
        for (body, expected) in cases {
            assert_eq!(parse_user(body.clone(), role()).unwrap_err(), expected, "{body}");
        }
    }

    #[test]
    fn repeated_groups_are_kept_once_in_order() {
        let a = "5f00000000000000000000aa";
        let b = "5f00000000000000000000bb";
        let u = parse_user(json!({"email": "a@b.c", "groups": [b, a, b]}), role()).unwrap();
        assert_eq!(u.doc["groups"], json!([b, a]));
    }

    #[test]
    fn password_debug_is_redacted() {
        let u =
            parse_user(json!({"email": "a@b.c", "password": "hunter2hunter2"}), role()).unwrap();
        assert!(!format!("{u:?}").contains("hunter2"));
    }
}
