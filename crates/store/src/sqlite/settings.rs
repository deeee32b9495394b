//! The store's own facts: whether the first start happened (the signing key is there), and
//! writing down the first start's plan, which `tessera_domain::first_start` decides.

use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde_json::Value;
use tessera_domain::document::lookup_key;
use tessera_domain::features::Features;
use tessera_domain::first_start::FirstStart;

use super::{SqliteStore, groups, schema, users};
use crate::{FeaturesEdit, Result, Setting, SettingEdit, SettingsStore, StoreError, UserRecord};

const SIGNING_KEY: &str = "signing_key";
const FEATURES: &str = "features";

fn initialize(tx: &Transaction<'_>, plan: FirstStart) -> Result<bool> {
    let initialised: bool =
        tx.query_row("SELECT EXISTS (SELECT 1 FROM meta WHERE key = ?1)", [SIGNING_KEY], |r| {
            r.get(0)
        })?;
    if initialised {
        return Ok(false);
    }
    tx.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)",
        params![SIGNING_KEY, plan.signing_key],
    )?;
    for role in &plan.roles {
        tx.execute(
            "INSERT INTO roles (id, name_key, doc) VALUES (?1, ?2, ?3)",
            params![role.id.to_string(), lookup_key(role.name), serde_json::to_string(&role.doc)?],
        )?;
    }
    for group in plan.groups {
        groups::insert(tx, group.id, group.draft, true)?;
    }
    users::insert(tx, UserRecord::from_draft(plan.admin, Some(plan.admin_password_hash)))?;
    Ok(true)
}

fn signing_key(conn: &Connection) -> Result<Vec<u8>> {
    conn.query_row("SELECT value FROM meta WHERE key = ?1", [SIGNING_KEY], |r| r.get(0))
        .optional()?
        .ok_or_else(|| StoreError::Internal("the store has not been initialised".into()))
}

/// The schema at this build's version, and the first start done.
fn check_ready(conn: &Connection) -> Result<()> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if usize::try_from(version).ok() != Some(schema::VERSION) {
        return Err(StoreError::Internal(format!(
            "the database schema is at version {version}, this build needs {}",
            schema::VERSION
        )));
    }
    signing_key(conn).map(drop)
}

/// A JSON document kept in `meta` under `key`.
fn document(conn: &Connection, key: &str) -> Result<Option<Value>> {
    let stored: Option<String> = conn
        .query_row("SELECT CAST(value AS TEXT) FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()?;
    Ok(stored.map(|json| serde_json::from_str(&json)).transpose()?)
}

fn put_document(tx: &Transaction<'_>, key: &str, value: &Value) -> Result<()> {
    tx.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, serde_json::to_string(value)?],
    )?;
    Ok(())
}

fn features(conn: &Connection) -> Result<Features> {
    match document(conn, FEATURES)? {
        Some(value) => Ok(serde_json::from_value(value)?),
        None => Ok(Features::default()),
    }
}

fn update_features(tx: &Transaction<'_>, edit: FeaturesEdit) -> Result<Features> {
    let new = edit(features(tx)?)?;
    put_document(tx, FEATURES, &serde_json::to_value(new)?)?;
    Ok(new)
}

fn update_setting(tx: &Transaction<'_>, setting: Setting, edit: SettingEdit) -> Result<Value> {
    let new = edit(document(tx, setting.key())?)?;
    put_document(tx, setting.key(), &new)?;
    Ok(new)
}

#[async_trait]
impl SettingsStore for SqliteStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn initialize(&self, plan: FirstStart) -> Result<bool> {
        self.write(move |tx| initialize(tx, plan)).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn signing_key(&self) -> Result<Vec<u8>> {
        self.read(signing_key).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn check_ready(&self) -> Result<()> {
        self.read(check_ready).await
    }

    async fn close(&self) -> Result<()> {
        self.close_pool().await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn features(&self) -> Result<Features> {
        self.read(features).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_features(&self, edit: FeaturesEdit) -> Result<Features> {
        self.write(move |tx| update_features(tx, edit)).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn system_tenant(&self) -> Result<String> {
        self.read(super::rows::system_tenant).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn setting(&self, setting: Setting) -> Result<Option<Value>> {
        self.read(move |conn| document(conn, setting.key())).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_setting(&self, setting: Setting, edit: SettingEdit) -> Result<Value> {
        self.write(move |tx| update_setting(tx, setting, edit)).await
    }
}
