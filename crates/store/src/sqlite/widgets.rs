//! Widgets' SQL, under their dashboard's access rules, and the engine's `WidgetStore`.

use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use tessera_domain::dashboard::{Access, Actor};
use tessera_domain::etag::IfMatch;
use tessera_domain::lazy::RawDoc;
use tessera_domain::time::now_iso;
use tessera_domain::{Document, ObjectId, ResourceKind};

use super::SqliteStore;
use super::dashboards::{require, widget_docs};
use super::rows::{created_of, parse_doc, raw_doc, widget_stamp as stamp_widget};
use crate::{Result, StoreError, WidgetEdit, WidgetStore};

fn list_widgets(conn: &Connection, actor: &Actor, dashboard: ObjectId) -> Result<Vec<RawDoc>> {
    require(conn, actor, dashboard, Access::View)?;
    widget_docs(conn, dashboard)?.into_iter().map(raw_doc).collect()
}

fn widget_not_found(id: ObjectId) -> StoreError {
    StoreError::NotFound { kind: ResourceKind::Widget, id: id.to_string() }
}

fn load_widget(conn: &Connection, dashboard: ObjectId, id: ObjectId) -> Result<String> {
    conn.prepare_cached("SELECT doc FROM widgets WHERE dashboard_id = ?1 AND id = ?2")?
        .query_row([dashboard.to_string(), id.to_string()], |r| r.get(0))
        .optional()?
        .ok_or_else(|| widget_not_found(id))
}

fn get_widget(
    conn: &Connection, actor: &Actor, dashboard: ObjectId, id: ObjectId,
) -> Result<RawDoc> {
    require(conn, actor, dashboard, Access::View)?;
    raw_doc(load_widget(conn, dashboard, id)?)
}

/// Marks the dashboard changed: its widgets are part of it.
fn touch(tx: &Transaction<'_>, dashboard: ObjectId) -> Result<()> {
    tx.prepare_cached(
        "UPDATE dashboards SET doc = json_set(doc, '$.lastUpdated', ?2) WHERE id = ?1",
    )?
    .execute(params![dashboard.to_string(), now_iso()])?;
    Ok(())
}

fn create_widget(
    tx: &Transaction<'_>, actor: &Actor, dashboard: ObjectId, doc: Document,
) -> Result<Document> {
    require(tx, actor, dashboard, Access::Edit)?;
    let count: i64 = tx
        .prepare_cached("SELECT count(*) FROM widgets WHERE dashboard_id = ?1")?
        .query_row([dashboard.to_string()], |r| r.get(0))?;
    if usize::try_from(count).unwrap_or(usize::MAX) >= tessera_domain::dashboard::MAX_WIDGETS {
        return Err(tessera_domain::ValidationError::body(format!(
            "A dashboard holds at most {} widgets",
            tessera_domain::dashboard::MAX_WIDGETS
        ))
        .into());
    }
    let id = ObjectId::generate();
    let now = now_iso();
    let doc = stamp_widget(dashboard, id, doc, &now, &now);
    tx.prepare_cached(
        "INSERT INTO widgets (dashboard_id, id, position, doc)
         VALUES (?1, ?2, (SELECT coalesce(max(position), -1) + 1 FROM widgets WHERE dashboard_id = ?1), ?3)",
    )?
    .execute(params![
        dashboard.to_string(),
        id.to_string(),
        serde_json::to_string(&doc)?
    ])?;
    touch(tx, dashboard)?;
    Ok(doc)
}

fn update_widget(
    tx: &Transaction<'_>, actor: &Actor, dashboard: ObjectId, id: ObjectId, edit: WidgetEdit,
) -> Result<Document> {
    require(tx, actor, dashboard, Access::Edit)?;
    let current = parse_doc(&load_widget(tx, dashboard, id)?)?;
    let created = created_of(&current);
    let body = edit(current)?;
    let doc = stamp_widget(dashboard, id, body, &created, &now_iso());
    tx.prepare_cached("UPDATE widgets SET doc = ?3 WHERE dashboard_id = ?1 AND id = ?2")?
        .execute(params![dashboard.to_string(), id.to_string(), serde_json::to_string(&doc)?])?;
    touch(tx, dashboard)?;
    Ok(doc)
}

fn delete_widget(
    tx: &Transaction<'_>, actor: &Actor, dashboard: ObjectId, id: ObjectId,
    if_match: Option<&IfMatch>,
) -> Result<()> {
    require(tx, actor, dashboard, Access::Edit)?;
    if let Some(m) = if_match {
        m.check(&parse_doc(&load_widget(tx, dashboard, id)?)?)?;
    }
    let n = tx
        .prepare_cached("DELETE FROM widgets WHERE dashboard_id = ?1 AND id = ?2")?
        .execute([dashboard.to_string(), id.to_string()])?;
    if n == 0 {
        return Err(widget_not_found(id));
    }
    touch(tx, dashboard)
}

#[async_trait]
impl WidgetStore for SqliteStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_widgets(&self, actor: &Actor, dashboard: ObjectId) -> Result<Vec<RawDoc>> {
        let actor = actor.clone();
        self.read_large(move |c| list_widgets(c, &actor, dashboard)).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_widget(&self, actor: &Actor, dashboard: ObjectId, id: ObjectId) -> Result<RawDoc> {
        let actor = actor.clone();
        self.read(move |c| get_widget(c, &actor, dashboard, id)).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn create_widget(
        &self, actor: &Actor, dashboard: ObjectId, doc: Document,
    ) -> Result<Document> {
        let actor = actor.clone();
        self.write(move |tx| create_widget(tx, &actor, dashboard, doc)).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_widget(
        &self, actor: &Actor, dashboard: ObjectId, id: ObjectId, edit: WidgetEdit,
    ) -> Result<Document> {
        let actor = actor.clone();
        self.write(move |tx| update_widget(tx, &actor, dashboard, id, edit)).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_widget(
        &self, actor: &Actor, dashboard: ObjectId, id: ObjectId, if_match: Option<IfMatch>,
    ) -> Result<()> {
        let actor = actor.clone();
        self.write(move |tx| delete_widget(tx, &actor, dashboard, id, if_match.as_ref())).await
    }
}
