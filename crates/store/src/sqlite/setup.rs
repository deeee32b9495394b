//! First start: built-in roles and groups, the first admin, the token signing key.

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde_json::{Value, json};
use tessera_domain::document::lookup_key;
use tessera_domain::group::{BUILTIN_GROUPS, GroupDraft};
use tessera_domain::role::{ADMIN, BUILTIN_ROLES, SUPER};
use tessera_domain::{Document, ObjectId};

use super::{groups, users};
use crate::{Result, SeedAdmin, StoreError, UserRecord};

const SIGNING_KEY: &str = "signing_key";

pub(super) fn initialize(
    tx: &Transaction<'_>,
    admin: SeedAdmin,
    signing_key: &[u8],
) -> Result<bool> {
    let initialised: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM meta WHERE key = ?1)",
        [SIGNING_KEY],
        |r| r.get(0),
    )?;
    if initialised {
        return Ok(false);
    }
    tx.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)",
        params![SIGNING_KEY, signing_key],
    )?;

    let mut role_ids = std::collections::HashMap::new();
    for role in BUILTIN_ROLES {
        let id = ObjectId::generate();
        let doc = json!({
            "_id": id.to_string(),
            "name": role.name,
            "displayName": role.display_name,
            "baseRoleName": role.base_role_name,
        });
        tx.execute(
            "INSERT INTO roles (id, name_key, doc) VALUES (?1, ?2, ?3)",
            params![id.to_string(), lookup_key(role.name), doc.to_string()],
        )?;
        role_ids.insert(role.name, id);
    }

    let mut admins_group = None;
    for name in BUILTIN_GROUPS {
        let role_id = (*name == "Admins").then(|| role_ids[ADMIN]);
        let mut doc = Document::new();
        doc.insert("name".into(), Value::String((*name).to_owned()));
        doc.insert(
            "roleId".into(),
            role_id.map_or(Value::Null, |r| Value::String(r.to_string())),
        );
        let draft = tessera_domain::group::parse_group(Value::Object(doc))?;
        let stored = groups::insert(tx, GroupDraft { role_id, ..draft }, true)?;
        if *name == "Admins" {
            admins_group = stored["_id"]
                .as_str()
                .and_then(|s| s.parse::<ObjectId>().ok());
        }
    }

    let mut doc = Document::new();
    doc.insert("email".into(), Value::String(admin.email.clone()));
    doc.insert("userName".into(), Value::String(admin.email));
    doc.insert("roleId".into(), Value::String(role_ids[SUPER].to_string()));
    doc.insert(
        "groups".into(),
        Value::Array(
            admins_group
                .iter()
                .map(|g| Value::String(g.to_string()))
                .collect(),
        ),
    );
    let draft = tessera_domain::user::parse_user(Value::Object(doc), role_ids[SUPER])?;
    users::insert(tx, UserRecord::from_draft(draft, Some(admin.password_hash)))?;
    Ok(true)
}

pub(super) fn signing_key(conn: &Connection) -> Result<Vec<u8>> {
    conn.query_row(
        "SELECT value FROM meta WHERE key = ?1",
        [SIGNING_KEY],
        |r| r.get(0),
    )
    .optional()?
    .ok_or_else(|| StoreError::Internal("the store has not been initialised".into()))
}
