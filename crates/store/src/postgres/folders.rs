//! Folders: a tree per owner. A folder is its owner's (and an acting admin's) to see and change.

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use deadpool_postgres::{GenericClient, Transaction};
use tessera_domain::dashboard::Actor;
use tessera_domain::etag::IfMatch;
use tessera_domain::folder::{FolderDraft, descendants, would_cycle};
use tessera_domain::lazy::RawDoc;
use tessera_domain::time::now_iso;
use tessera_domain::{Document, ObjectId, ResourceKind};

use super::PostgresStore;
use super::query::{self, Filter};
use super::rows::{created_of, folder_stamp as stamp, id_texts, parse_doc, raw_doc};
use crate::{FolderEdit, FolderFilter, FolderStore, ListPage, ListRequest, Result, StoreError};

async fn load(db: &impl GenericClient, id: ObjectId) -> Result<Option<(String, Document)>> {
    let stmt = db.prepare_cached("SELECT owner, doc FROM folders WHERE id = $1").await?;
    let row = db.query_opt(&stmt, &[&id.to_string()]).await?;
    row.map(|r| Ok((r.get(0), parse_doc(r.get(1))?))).transpose()
}

fn visible(actor: &Actor, owner: &str) -> bool {
    actor.acts_as_admin() || owner == actor.id.to_string()
}

fn not_found(id: ObjectId) -> StoreError {
    StoreError::NotFound { kind: ResourceKind::Folder, id: id.to_string() }
}

/// A folder the actor may put things in; anything else is an unknown reference (422).
pub(super) async fn require_visible(
    db: &impl GenericClient, actor: &Actor, id: ObjectId,
) -> Result<()> {
    match load(db, id).await? {
        Some((owner, _)) if visible(actor, &owner) => Ok(()),
        _ => Err(StoreError::MissingReference { kind: ResourceKind::Folder, id: id.to_string() }),
    }
}

/// The folder, when the actor may see it; `NotFound` otherwise.
async fn require(
    db: &impl GenericClient, actor: &Actor, id: ObjectId,
) -> Result<(String, Document)> {
    match load(db, id).await? {
        Some((owner, doc)) if visible(actor, &owner) => Ok((owner, doc)),
        _ => Err(not_found(id)),
    }
}

async fn check_owner(db: &impl GenericClient, owner: ObjectId) -> Result<()> {
    let exists: bool = db
        .query_one("SELECT EXISTS (SELECT 1 FROM users WHERE id = $1)", &[&owner.to_string()])
        .await?
        .get(0);
    if exists {
        Ok(())
    } else {
        Err(StoreError::MissingReference { kind: ResourceKind::User, id: owner.to_string() })
    }
}

/// Who a draft makes the owner: the one it names (only an acting admin may name another user),
/// or else `default`.
async fn owner_of(
    db: &impl GenericClient, actor: &Actor, draft: &FolderDraft, default: &str,
) -> Result<String> {
    match draft.owner {
        None => Ok(default.to_owned()),
        Some(o) if o.to_string() == default => Ok(default.to_owned()),
        Some(o) if o == actor.id || actor.acts_as_admin() => {
            check_owner(db, o).await?;
            Ok(o.to_string())
        }
        Some(_) => Err(StoreError::Forbidden(
            "Only administrators (adminAccess=true) can give a folder to another user".into(),
        )),
    }
}

async fn insert(tx: &Transaction<'_>, actor: &Actor, draft: FolderDraft) -> Result<Document> {
    if !actor.creates_content() {
        return Err(StoreError::Forbidden("Viewers cannot create folders".into()));
    }
    if let Some(parent) = draft.parent {
        require_visible(tx, actor, parent).await?;
    }
    let owner = owner_of(tx, actor, &draft, &actor.id.to_string()).await?;
    let id = ObjectId::generate();
    let now = now_iso();
    let doc = stamp(id, draft.doc, &owner, &now, &now);
    tx.execute(
        "INSERT INTO folders (id, parent_id, owner, doc) VALUES ($1, $2, $3, $4)",
        &[
            &id.to_string(),
            &draft.parent.map(|p| p.to_string()),
            &owner,
            &serde_json::to_string(&doc)?,
        ],
    )
    .await?;
    Ok(doc)
}

/// The folders table: its sort keys are stored for the fields the sort indexes cover.
const FOLDERS: query::Table =
    query::Table { name: "folders", alias: "f", sort_columns: &[("name", "sort_name")] };

async fn list(
    db: &impl GenericClient, actor: &Actor, request: &ListRequest<FolderFilter>,
) -> Result<ListPage> {
    let ListRequest { filter, sort, page, count } = request;
    let mut f = Filter::default();
    if !actor.acts_as_admin() {
        f.and("f.owner = ?", actor.id.to_string());
    }
    if let Some(name) = &filter.name {
        let lower = |e: &str| {
            format!("translate({e}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')")
        };
        f.and(&format!("{} = {}", lower("(f.doc::json ->> 'name')"), lower("?")), name.clone());
    }
    match filter.parent {
        Some(Some(parent)) => f.and("f.parent_id = ?", parent.to_string()),
        Some(None) => f.and_plain("f.parent_id IS NULL"),
        None => {}
    }
    query::list(db, &FOLDERS, f, sort, *page, *count).await
}

/// Every folder's parent, for the tree rules. Folder writes take turns (the table's lock in
/// `lock_tree`), so the tree read is the tree written.
async fn parents(db: &impl GenericClient) -> Result<HashMap<ObjectId, ObjectId>> {
    let rows =
        db.query("SELECT id, parent_id FROM folders WHERE parent_id IS NOT NULL", &[]).await?;
    Ok(rows
        .iter()
        .filter_map(|r| {
            Some((r.get::<_, String>(0).parse().ok()?, r.get::<_, String>(1).parse().ok()?))
        })
        .collect())
}

/// Moves and deletions check the whole tree: two at once could each see no cycle and together
/// make one, so they take turns.
async fn lock_tree(tx: &Transaction<'_>) -> Result<()> {
    tx.batch_execute("LOCK TABLE folders IN SHARE ROW EXCLUSIVE MODE").await?;
    Ok(())
}

async fn update(
    tx: &Transaction<'_>, actor: &Actor, id: ObjectId, edit: FolderEdit,
) -> Result<Document> {
    lock_tree(tx).await?;
    let (owner, current) = require(tx, actor, id).await?;
    let draft = edit(current.clone())?;
    if let Some(parent) = draft.parent {
        require_visible(tx, actor, parent).await?;
        if would_cycle(id, Some(parent), &parents(tx).await?) {
            return Err(StoreError::Cycle { id: id.to_string() });
        }
    }
    let owner = owner_of(tx, actor, &draft, &owner).await?;
    let created = created_of(&current);
    let doc = stamp(id, draft.doc, &owner, &created, &now_iso());
    tx.execute(
        "UPDATE folders SET parent_id = $2, owner = $3, doc = $4 WHERE id = $1",
        &[
            &id.to_string(),
            &draft.parent.map(|p| p.to_string()),
            &owner,
            &serde_json::to_string(&doc)?,
        ],
    )
    .await?;
    Ok(doc)
}

async fn delete(
    tx: &Transaction<'_>, actor: &Actor, ids: &[ObjectId], cascade: bool,
    if_match: Option<&IfMatch>,
) -> Result<()> {
    lock_tree(tx).await?;
    for id in ids {
        let (_, doc) = require(tx, actor, *id).await?;
        if let Some(m) = if_match {
            m.check(&doc)?;
        }
    }
    let tree = parents(tx).await?;
    let doomed: HashSet<ObjectId> =
        if cascade { descendants(ids, &tree) } else { ids.iter().copied().collect() };
    let doomed: Vec<ObjectId> = doomed.into_iter().collect();
    let wanted = id_texts(&doomed);
    if !cascade {
        // A folder may go only when all it holds goes with it.
        let child =
            tree.iter().find(|(child, parent)| doomed.contains(parent) && !doomed.contains(child));
        let holds_dashboard: Option<String> = tx
            .query_opt(
                "SELECT parent_folder FROM dashboards WHERE parent_folder = ANY($1) LIMIT 1",
                &[&wanted],
            )
            .await?
            .map(|r| r.get(0));
        if let Some(full) = child.map(|(_, parent)| parent.to_string()).or(holds_dashboard) {
            return Err(StoreError::NotEmpty { kind: ResourceKind::Folder, id: full });
        }
    }
    tx.execute("DELETE FROM dashboards WHERE parent_folder = ANY($1)", &[&wanted]).await?;
    // Children before parents is not needed: one statement deletes the whole set, and the
    // foreign key is checked at its end.
    tx.execute("DELETE FROM folders WHERE id = ANY($1)", &[&wanted]).await?;
    Ok(())
}

#[async_trait]
impl FolderStore for PostgresStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn create_folder(&self, actor: &Actor, draft: FolderDraft) -> Result<Document> {
        let actor = actor.clone();
        self.write(move |tx| Box::pin(async move { insert(tx, &actor, draft).await })).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_folder(&self, actor: &Actor, id: ObjectId) -> Result<Option<RawDoc>> {
        match load(&self.reader().await?, id).await? {
            Some((owner, doc)) if visible(actor, &owner) => {
                Ok(Some(raw_doc(serde_json::to_string(&doc)?)?))
            }
            _ => Ok(None),
        }
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_folders(
        &self, actor: &Actor, request: ListRequest<FolderFilter>,
    ) -> Result<ListPage> {
        list(&self.reader().await?, actor, &request).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_folder(
        &self, actor: &Actor, id: ObjectId, edit: FolderEdit,
    ) -> Result<Document> {
        let actor = actor.clone();
        self.write(move |tx| Box::pin(async move { update(tx, &actor, id, edit).await })).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_folders(
        &self, actor: &Actor, ids: Vec<ObjectId>, cascade: bool, if_match: Option<IfMatch>,
    ) -> Result<()> {
        let actor = actor.clone();
        self.write(move |tx| {
            Box::pin(async move { delete(tx, &actor, &ids, cascade, if_match.as_ref()).await })
        })
        .await
    }
}
