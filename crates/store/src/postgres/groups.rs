//! Groups' SQL and the engine's `GroupStore` (memberships follow the users' documents).

use async_trait::async_trait;
use deadpool_postgres::{GenericClient, Transaction};
use serde_json::Value;
use tessera_domain::document::lookup_key;
use tessera_domain::etag::IfMatch;
use tessera_domain::lazy::RawDoc;
use tessera_domain::time::now_iso;
use tessera_domain::{Document, ObjectId, ResourceKind};

use super::query::{self, Filter};
use super::rows::{
    check_version, conflict_or, created_of, id_and_doc, id_texts, in_tenant, missing_ids,
    optional_doc, optional_raw, parse_doc, stamp,
};
use super::{PostgresStore, dashboards, users};
use crate::{
    GroupEdit, GroupFilter, GroupRecord, GroupStore, ListPage, ListRequest, Result, StoreError,
};

pub(super) async fn insert(
    tx: &Transaction<'_>, id: ObjectId, group: GroupRecord, builtin: bool,
) -> Result<Document> {
    check_role(tx, group.role_id).await?;
    let now = now_iso();
    let doc = in_tenant(tx, stamp(id, group.doc, &now, &now, None)).await?;
    let stmt = tx
        .prepare_cached(
            "INSERT INTO groups (id, name_key, role_id, builtin, doc) VALUES ($1, $2, $3, $4, $5)",
        )
        .await?;
    tx.execute(
        &stmt,
        &[
            &id.to_string(),
            &lookup_key(&group.name),
            &group.role_id.map(|r| r.to_string()),
            &builtin,
            &serde_json::to_string(&doc)?,
        ],
    )
    .await
    .map_err(|e| name_conflict(e, &group.name))?;
    Ok(doc)
}

fn name_conflict(e: tokio_postgres::Error, name: &str) -> StoreError {
    conflict_or(e, ResourceKind::Group, &[("groups_name_key_key", "name", name)])
}

async fn check_role(tx: &Transaction<'_>, role: Option<ObjectId>) -> Result<()> {
    let Some(role) = role else { return Ok(()) };
    let stmt = tx.prepare_cached("SELECT EXISTS (SELECT 1 FROM roles WHERE id = $1)").await?;
    let exists: bool = tx.query_one(&stmt, &[&role.to_string()]).await?.get(0);
    if exists {
        Ok(())
    } else {
        Err(StoreError::MissingReference { kind: ResourceKind::Role, id: role.to_string() })
    }
}

/// The groups table: its sort keys are stored for the fields the sort indexes cover.
const GROUPS: query::Table = query::Table {
    name: "groups",
    alias: "g",
    sort_columns: &[
        ("name", "sort_name"),
        ("created", "sort_created"),
        ("lastUpdated", "sort_updated"),
    ],
};

async fn list(db: &impl GenericClient, request: &ListRequest<GroupFilter>) -> Result<ListPage> {
    let ListRequest { filter, sort, page, count } = request;
    let mut f = Filter::default();
    if let Some(name) = &filter.name {
        f.and("g.name_key = ?", lookup_key(name));
    }
    if let Some(mail) = &filter.mail {
        // ASCII case folding, as SQLite's NOCASE.
        f.and(
            "translate(g.doc::json ->> 'mail', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')
             = translate(?, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')",
            mail.clone(),
        );
    }
    if let Some(role) = filter.role_id {
        f.and("g.role_id = ?", role.to_string());
    }
    if let Some(ids) = &filter.ids {
        f.and("g.id = ANY(?)", id_texts(ids));
    }
    if let Some(part) = &filter.search {
        f.and("strpos(g.name_key, ?) > 0", lookup_key(part));
    }
    query::list(db, &GROUPS, f, sort, *page, *count).await
}

async fn update(tx: &Transaction<'_>, id: ObjectId, edit: GroupEdit) -> Result<Option<Document>> {
    let sql = "SELECT doc FROM groups WHERE id = $1 FOR UPDATE";
    let Some(current) = optional_doc(tx, sql, &id.to_string()).await? else {
        return Ok(None);
    };
    let group = edit(current.clone())?;
    check_role(tx, group.role_id).await?;
    let created = created_of(&current);
    let doc = in_tenant(tx, stamp(id, group.doc, &created, &now_iso(), None)).await?;
    tx.execute(
        "UPDATE groups SET name_key = $2, role_id = $3, doc = $4 WHERE id = $1",
        &[
            &id.to_string(),
            &lookup_key(&group.name),
            &group.role_id.map(|r| r.to_string()),
            &serde_json::to_string(&doc)?,
        ],
    )
    .await
    .map_err(|e| name_conflict(e, &group.name))?;
    Ok(Some(doc))
}

async fn delete(tx: &Transaction<'_>, ids: &[ObjectId]) -> Result<()> {
    let wanted = id_texts(ids);
    let missing = missing_ids(tx, "SELECT id FROM groups WHERE id = ANY($1)", ids).await?;
    if let Some(id) = missing.first() {
        return Err(StoreError::NotFound { kind: ResourceKind::Group, id: id.to_string() });
    }
    let builtin = tx
        .query_opt(
            "SELECT doc::json ->> 'name' FROM groups WHERE builtin AND id = ANY($1) LIMIT 1",
            &[&wanted],
        )
        .await?;
    if let Some(row) = builtin {
        return Err(StoreError::Builtin { kind: ResourceKind::Group, name: row.get(0) });
    }
    // Members keep a consistent `groups` array: the deleted ids leave it, in order.
    let now = Value::String(now_iso());
    let members = tx
        .query(
            "SELECT id, doc FROM users
              WHERE id IN (SELECT user_id FROM user_groups WHERE group_id = ANY($1))
              ORDER BY id FOR UPDATE",
            &[&wanted],
        )
        .await?;
    for row in members {
        let (user, mut doc): (String, Document) = (row.get(0), parse_doc(row.get(1))?);
        if let Some(Value::Array(groups)) = doc.get_mut("groups") {
            groups.retain(|g| g.as_str().is_none_or(|g| !wanted.iter().any(|w| w == g)));
        }
        doc.insert("lastUpdated".into(), now.clone());
        tx.execute(
            "UPDATE users SET doc = $2 WHERE id = $1",
            &[&user, &serde_json::to_string(&doc)?],
        )
        .await?;
    }
    tx.execute("DELETE FROM groups WHERE id = ANY($1)", &[&wanted]).await?;
    Ok(())
}

/// The group `key` names: by id first, then by name; one statement.
async fn find(db: &impl GenericClient, key: &str) -> Result<Option<(ObjectId, RawDoc)>> {
    id_and_doc(
        db,
        "SELECT id, doc FROM groups WHERE id = $1 OR name_key = $2
         ORDER BY id = $1 DESC LIMIT 1",
        &[&key.to_lowercase(), &lookup_key(key)],
    )
    .await
}

#[async_trait]
impl GroupStore for PostgresStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn create_groups(&self, groups: Vec<GroupRecord>) -> Result<Vec<Document>> {
        self.write(move |tx| {
            Box::pin(async move {
                let mut out = Vec::with_capacity(groups.len());
                for group in groups {
                    out.push(insert(tx, ObjectId::generate(), group, false).await?);
                }
                Ok(out)
            })
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_group(&self, id: ObjectId) -> Result<Option<RawDoc>> {
        optional_raw(&self.reader().await?, "SELECT doc FROM groups WHERE id = $1", &id.to_string())
            .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn find_group(&self, key: &str) -> Result<Option<(ObjectId, RawDoc)>> {
        find(&self.reader().await?, key).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_groups(&self, request: ListRequest<GroupFilter>) -> Result<ListPage> {
        list(&self.reader().await?, &request).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_group(&self, id: ObjectId, edit: GroupEdit) -> Result<Option<Document>> {
        self.write(move |tx| Box::pin(update(tx, id, edit))).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn change_membership(
        &self, group: ObjectId, users: Vec<ObjectId>, add: bool,
    ) -> Result<()> {
        self.write(move |tx| {
            Box::pin(async move { users::change_membership(tx, group, &users, add).await })
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_groups(&self, ids: Vec<ObjectId>, if_match: Option<IfMatch>) -> Result<()> {
        self.write(move |tx| {
            Box::pin(async move {
                check_version(tx, "groups", &ids, if_match.as_ref()).await?;
                delete(tx, &ids).await?;
                dashboards::drop_parties(tx, &ids).await
            })
        })
        .await
    }
}
