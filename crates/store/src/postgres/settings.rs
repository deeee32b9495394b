//! The store's own facts: whether the first start happened (the signing key is there), and
//! writing down the first start's plan, which `tessera_domain::first_start` decides. The
//! signing key is written once, by whichever node starts first, and read by every node.

use async_trait::async_trait;
use deadpool_postgres::{GenericClient, Transaction};
use serde_json::Value;
use tessera_domain::document::lookup_key;
use tessera_domain::features::Features;
use tessera_domain::first_start::FirstStart;

use super::{PostgresStore, groups, rows, schema, users};
use crate::{FeaturesEdit, Result, Setting, SettingEdit, SettingsStore, StoreError, UserRecord};

const SIGNING_KEY: &str = "signing_key";
const FEATURES: &str = "features";

async fn initialize(tx: &Transaction<'_>, plan: FirstStart) -> Result<bool> {
    // Two nodes starting on an empty database: the second waits here for the first's commit,
    // then finds the key.
    tx.execute("LOCK TABLE meta IN SHARE ROW EXCLUSIVE MODE", &[]).await?;
    let initialised: bool = tx
        .query_one("SELECT EXISTS (SELECT 1 FROM meta WHERE key = $1)", &[&SIGNING_KEY])
        .await?
        .get(0);
    if initialised {
        return Ok(false);
    }
    tx.execute("INSERT INTO meta (key, value) VALUES ($1, $2)", &[&SIGNING_KEY, &plan.signing_key])
        .await?;
    for role in &plan.roles {
        tx.execute(
            "INSERT INTO roles (id, name_key, doc) VALUES ($1, $2, $3)",
            &[&role.id.to_string(), &lookup_key(role.name), &serde_json::to_string(&role.doc)?],
        )
        .await?;
    }
    for group in plan.groups {
        groups::insert(tx, group.id, group.draft, true).await?;
    }
    users::insert(tx, UserRecord::from_draft(plan.admin, Some(plan.admin_password_hash))).await?;
    Ok(true)
}

async fn signing_key(db: &impl GenericClient) -> Result<Vec<u8>> {
    db.query_opt("SELECT value FROM meta WHERE key = $1", &[&SIGNING_KEY])
        .await?
        .map(|r| r.get(0))
        .ok_or_else(|| StoreError::Internal("the store has not been initialised".into()))
}

/// A JSON document kept in `meta` under `key`.
async fn document(db: &impl GenericClient, key: &str) -> Result<Option<Value>> {
    let stored: Option<Vec<u8>> =
        db.query_opt("SELECT value FROM meta WHERE key = $1", &[&key]).await?.map(|r| r.get(0));
    Ok(stored.map(|json| serde_json::from_slice(&json)).transpose()?)
}

async fn put_document(tx: &Transaction<'_>, key: &str, value: &Value) -> Result<()> {
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ($1, $2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        &[&key, &serde_json::to_vec(value)?],
    )
    .await?;
    Ok(())
}

/// The row of `key`, locked until the transaction ends: edits of one document take turns.
async fn lock_document(tx: &Transaction<'_>, key: &str) -> Result<Option<Value>> {
    tx.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", &[&key]).await?;
    document(tx, key).await
}

async fn features(db: &impl GenericClient) -> Result<Features> {
    match document(db, FEATURES).await? {
        Some(value) => Ok(serde_json::from_value(value)?),
        None => Ok(Features::default()),
    }
}

#[async_trait]
impl SettingsStore for PostgresStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn initialize(&self, plan: FirstStart) -> Result<bool> {
        self.write(move |tx| Box::pin(initialize(tx, plan))).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn signing_key(&self) -> Result<Vec<u8>> {
        signing_key(&self.reader().await?).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn check_ready(&self) -> Result<()> {
        let client = self.reader().await?;
        let version = schema::version(&client).await?;
        if version != schema::VERSION {
            return Err(StoreError::Internal(format!(
                "the database schema is at version {version}, this build needs {}",
                schema::VERSION
            )));
        }
        signing_key(&client).await.map(drop)
    }

    async fn close(&self) -> Result<()> {
        // Everything is in the database already; the connections go.
        self.pool.close();
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn features(&self) -> Result<Features> {
        features(&self.reader().await?).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_features(&self, edit: FeaturesEdit) -> Result<Features> {
        self.write(move |tx| {
            Box::pin(async move {
                let current = match lock_document(tx, FEATURES).await? {
                    Some(value) => serde_json::from_value(value)?,
                    None => Features::default(),
                };
                let new = edit(current)?;
                put_document(tx, FEATURES, &serde_json::to_value(new)?).await?;
                Ok(new)
            })
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn system_tenant(&self) -> Result<String> {
        rows::system_tenant(&self.reader().await?).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn setting(&self, setting: Setting) -> Result<Option<Value>> {
        document(&self.reader().await?, setting.key()).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_setting(&self, setting: Setting, edit: SettingEdit) -> Result<Value> {
        self.write(move |tx| {
            Box::pin(async move {
                let new = edit(lock_document(tx, setting.key()).await?)?;
                put_document(tx, setting.key(), &new).await?;
                Ok(new)
            })
        })
        .await
    }
}
