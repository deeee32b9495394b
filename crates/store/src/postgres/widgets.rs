//! Widgets' SQL, under their dashboard's access rules, and the engine's `WidgetStore`.

use async_trait::async_trait;
use deadpool_postgres::{GenericClient, Transaction};
use serde_json::Value;
use tessera_domain::dashboard::{Access, Actor};
use tessera_domain::etag::IfMatch;
use tessera_domain::lazy::RawDoc;
use tessera_domain::time::now_iso;
use tessera_domain::{Document, ObjectId, ResourceKind};

use super::PostgresStore;
use super::dashboards::{require, widget_docs};
use super::rows::{created_of, parse_doc, raw_doc, widget_stamp};
use crate::{Result, StoreError, WidgetEdit, WidgetStore};

fn widget_not_found(id: ObjectId) -> StoreError {
    StoreError::NotFound { kind: ResourceKind::Widget, id: id.to_string() }
}

async fn load_widget(db: &impl GenericClient, dashboard: ObjectId, id: ObjectId) -> Result<String> {
    let stmt =
        db.prepare_cached("SELECT doc FROM widgets WHERE dashboard_id = $1 AND id = $2").await?;
    db.query_opt(&stmt, &[&dashboard.to_string(), &id.to_string()])
        .await?
        .map(|r| r.get(0))
        .ok_or_else(|| widget_not_found(id))
}

/// Marks the dashboard changed: its widgets are part of it. Its row is locked already
/// (`require` for editing).
async fn touch(tx: &Transaction<'_>, dashboard: ObjectId) -> Result<()> {
    let sql = "SELECT doc FROM dashboards WHERE id = $1";
    let Some(row) = tx.query_opt(sql, &[&dashboard.to_string()]).await? else {
        return Ok(());
    };
    let mut doc = parse_doc(row.get(0))?;
    doc.insert("lastUpdated".into(), Value::String(now_iso()));
    tx.execute(
        "UPDATE dashboards SET doc = $2 WHERE id = $1",
        &[&dashboard.to_string(), &serde_json::to_string(&doc)?],
    )
    .await?;
    Ok(())
}

async fn create_widget(
    tx: &Transaction<'_>, actor: &Actor, dashboard: ObjectId, doc: Document,
) -> Result<Document> {
    require(tx, actor, dashboard, Access::Edit).await?;
    let count: i64 = tx
        .query_one(
            "SELECT count(*) FROM widgets WHERE dashboard_id = $1",
            &[&dashboard.to_string()],
        )
        .await?
        .get(0);
    if usize::try_from(count).unwrap_or(usize::MAX) >= tessera_domain::dashboard::MAX_WIDGETS {
        return Err(tessera_domain::ValidationError::body(format!(
            "A dashboard holds at most {} widgets",
            tessera_domain::dashboard::MAX_WIDGETS
        ))
        .into());
    }
    let id = ObjectId::generate();
    let now = now_iso();
    let doc = widget_stamp(dashboard, id, doc, &now, &now);
    tx.execute(
        "INSERT INTO widgets (dashboard_id, id, position, doc)
         VALUES ($1, $2, (SELECT coalesce(max(position), -1) + 1 FROM widgets WHERE dashboard_id = $1), $3)",
        &[&dashboard.to_string(), &id.to_string(), &serde_json::to_string(&doc)?],
    )
    .await?;
    touch(tx, dashboard).await?;
    Ok(doc)
}

async fn update_widget(
    tx: &Transaction<'_>, actor: &Actor, dashboard: ObjectId, id: ObjectId, edit: WidgetEdit,
) -> Result<Document> {
    require(tx, actor, dashboard, Access::Edit).await?;
    let current = parse_doc(&load_widget(tx, dashboard, id).await?)?;
    let created = created_of(&current);
    let body = edit(current)?;
    let doc = widget_stamp(dashboard, id, body, &created, &now_iso());
    tx.execute(
        "UPDATE widgets SET doc = $3 WHERE dashboard_id = $1 AND id = $2",
        &[&dashboard.to_string(), &id.to_string(), &serde_json::to_string(&doc)?],
    )
    .await?;
    touch(tx, dashboard).await?;
    Ok(doc)
}

async fn delete_widget(
    tx: &Transaction<'_>, actor: &Actor, dashboard: ObjectId, id: ObjectId,
    if_match: Option<&IfMatch>,
) -> Result<()> {
    require(tx, actor, dashboard, Access::Edit).await?;
    if let Some(m) = if_match {
        m.check(&parse_doc(&load_widget(tx, dashboard, id).await?)?)?;
    }
    let n = tx
        .execute(
            "DELETE FROM widgets WHERE dashboard_id = $1 AND id = $2",
            &[&dashboard.to_string(), &id.to_string()],
        )
        .await?;
    if n == 0 {
        return Err(widget_not_found(id));
    }
    touch(tx, dashboard).await
}

#[async_trait]
impl WidgetStore for PostgresStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_widgets(&self, actor: &Actor, dashboard: ObjectId) -> Result<Vec<RawDoc>> {
        let db = self.reader().await?;
        require(&db, actor, dashboard, Access::View).await?;
        widget_docs(&db, dashboard).await?.into_iter().map(raw_doc).collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_widget(&self, actor: &Actor, dashboard: ObjectId, id: ObjectId) -> Result<RawDoc> {
        let db = self.reader().await?;
        require(&db, actor, dashboard, Access::View).await?;
        raw_doc(load_widget(&db, dashboard, id).await?)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn create_widget(
        &self, actor: &Actor, dashboard: ObjectId, doc: Document,
    ) -> Result<Document> {
        let actor = actor.clone();
        self.write(move |tx| {
            Box::pin(async move { create_widget(tx, &actor, dashboard, doc).await })
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_widget(
        &self, actor: &Actor, dashboard: ObjectId, id: ObjectId, edit: WidgetEdit,
    ) -> Result<Document> {
        let actor = actor.clone();
        self.write(move |tx| {
            Box::pin(async move { update_widget(tx, &actor, dashboard, id, edit).await })
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_widget(
        &self, actor: &Actor, dashboard: ObjectId, id: ObjectId, if_match: Option<IfMatch>,
    ) -> Result<()> {
        let actor = actor.clone();
        self.write(move |tx| {
            Box::pin(
                async move { delete_widget(tx, &actor, dashboard, id, if_match.as_ref()).await },
            )
        })
        .await
    }
}
